"""The adversarial corpus: hand-made hostile inputs, each with the finding it must produce.

Each case is a folder ``corpus/<case>/`` holding

* ``files/``: files added to (or replacing files of) the valid ``Tree`` fixture registry;
* ``expect.yaml``:

  .. code-block:: yaml

      about: what the attack is                       # one line
      rule: yaml-alias                                # the finding that must be reported ...
      file: consumers/notify/notifier.yaml            # ... on this file (repository-relative)
      line: 3                                         # ... at this line (omitted when meaningless)
      message: anchors and aliases                    # ... with this in its message
      also: [{rule: ..., file: ..., line: ..., message: ...}]   # more findings that must be there
      exit: 1                                         # exit status of `eventbus validate` (default 1)
      seconds: 30                                     # time bound (default 30)
      setup:                                          # what files/ cannot hold (git cannot store it)
        - {remove: path}                              # delete a file or folder of the base tree
        - {copy: path, to: path}                      # copy a file or folder (e.g. to a confusable name)
        - {move: path, to: path}
        - {symlink: path, to: target}                 # target verbatim ("{outside}" = a folder beside the tree)
        - {mkdir: path}
        - {fifo: path}
        - {write: path, text: "..."}                  # a file whose name git or some file systems refuse
        - {generate: path, prefix: "...", unit: "...", count: N, middle: "...", close: "...", close_count: M, suffix: "..."}
                                                      # big files, made at test time: prefix, unit x N
                                                      # ({i} in unit: its index), middle, close x M, suffix

The test runs ``eventbus --root <tree> validate --format json`` in this process (stopped by a
timer at the case's bound) and checks: the exit status, the expected findings (rule, file, line, message), no
traceback and no internal error, nothing in the tree changed, and the time bound. It runs the gate twice more,
with the parse cache warm and with it off, and checks both report the same. Case names
and file paths are ASCII; confusable, control and separator characters appear only in
``setup`` (as JSON-style escapes in expect.yaml).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.conftest import Tree

CORPUS = Path(__file__).resolve().parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expect.yaml").is_file()) if CORPUS.is_dir() else []
MIN_CASES = 100


def load_expect(case: str) -> dict:
    with open(CORPUS / case / "expect.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def base_tree(root: Path) -> Tree:
    """The valid fixture registry, with compliance dates kept current relative to today (the CLI
    uses the real date), so that the untouched tree passes the gate on any day."""
    today = dt.date.today()
    root.mkdir(parents=True, exist_ok=True)
    t = Tree(root)
    comp = t.consumers["notify/notifier"]["compliance"]
    comp["ato_expires"] = (today + dt.timedelta(days=400)).isoformat()
    comp["pta_date"] = (today - dt.timedelta(days=30)).isoformat()
    comp["pia_date"] = (today - dt.timedelta(days=365)).isoformat()
    return t.write()


def snapshot(root: Path) -> dict[str, str]:
    out = {}
    for dirpath, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, root)
            if os.path.islink(p):
                out[rel] = "link:" + os.readlink(p)
            elif os.path.isfile(p):
                h = hashlib.sha256()
                with open(p, "rb") as fh:
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        h.update(chunk)
                st = os.stat(p)
                out[rel] = f"{h.hexdigest()} {st.st_mode:o} {st.st_mtime_ns}"
            elif os.path.isdir(p):
                out[rel] = "dir"
            else:
                out[rel] = f"special {os.lstat(p).st_mode:o}"
    return out


def apply_case(case: str, root: Path, outside: Path) -> None:
    src = CORPUS / case / "files"
    if src.is_dir():
        for dirpath, _dirs, files in os.walk(src):
            for f in files:
                s = Path(dirpath) / f
                d = root / s.relative_to(src)
                if d.is_symlink() or d.is_file():
                    d.unlink()
                d.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(s, d)
    for step in load_expect(case).get("setup") or []:
        (action, path), *rest = step.items()
        opts = dict(rest)
        p = root / path
        if action == "remove":
            shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
        elif action in ("copy", "move"):
            to = root / opts["to"]
            to.parent.mkdir(parents=True, exist_ok=True)
            if action == "move":
                shutil.move(p, to)
            elif p.is_dir():
                shutil.copytree(p, to, symlinks=True)
            else:
                shutil.copyfile(p, to)
        elif action == "symlink":
            p.parent.mkdir(parents=True, exist_ok=True)
            if p.is_symlink() or p.is_file():
                p.unlink()
            elif p.is_dir():
                shutil.rmtree(p)
            os.symlink(str(opts["to"]).replace("{outside}", str(outside)), p)
        elif action == "mkdir":
            p.mkdir(parents=True, exist_ok=True)
        elif action == "fifo":
            if p.exists():
                p.unlink()
            os.mkfifo(p)
        elif action == "write":
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(opts["text"], encoding="utf-8")
        elif action == "generate":
            p.parent.mkdir(parents=True, exist_ok=True)
            unit = opts.get("unit", "")
            with open(p, "w", encoding="utf-8") as fh:
                fh.write(opts.get("prefix", ""))
                if "{i}" in unit:
                    for i in range(opts["count"]):
                        fh.write(unit.replace("{i}", str(i)))
                else:
                    block = unit * 10_000
                    n, rest_ = divmod(opts["count"], 10_000)
                    for _ in range(n):
                        fh.write(block)
                    fh.write(unit * rest_)
                fh.write(opts.get("middle", ""))
                fh.write(opts.get("close", "") * opts.get("close_count", 0))
                fh.write(opts.get("suffix", ""))
        else:  # pragma: no cover - a typo in a case
            raise AssertionError(f"{case}: unknown setup action {action!r}")


class _TooSlow(BaseException):
    """Raised into the gate when a case runs over its bound (not an Exception: main() must not catch it)."""


@dataclass
class _Run:
    returncode: int | None
    stdout: str
    stderr: str


def run_cli(root: Path, seconds: float) -> tuple[_Run, float]:
    """``eventbus --root ROOT validate --format json``, in this process, stopped after ``seconds``."""
    from eventbus.cli.main import main

    out, err = io.StringIO(), io.StringIO()

    def stop(_sig, _frame):
        raise _TooSlow()

    old = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.perf_counter()
    rc: int | None
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = main(["--root", str(root), "validate", "--format", "json"])
    except _TooSlow:
        rc = None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    return _Run(rc, out.getvalue(), err.getvalue()), time.perf_counter() - started


def _matches(f: dict, want: dict) -> bool:
    if f["rule"] != want["rule"] or f["file"] != want["file"]:
        return False
    if want.get("line") is not None and f["line"] != want["line"]:
        return False
    return str(want.get("message", "")) in f["message"]


def run_case(case: str, work: Path) -> dict:
    """Build the case's tree under ``work``, run the gate on it, and report what happened."""
    want = load_expect(case)
    root, outside = work / "tree", work / "outside"
    outside.mkdir(parents=True)
    (outside / "secret.yaml").write_text("application: stolen\nteam: notify\n")
    (outside / "events" / "x" / "y").mkdir(parents=True)
    base_tree(root)
    apply_case(case, root, outside)
    before, outside_before = snapshot(root), snapshot(outside)
    seconds = float(want.get("seconds", 30))
    proc, elapsed = run_cli(root, seconds + 30)
    result = {"rc": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr, "elapsed": elapsed}
    # the same gate again with the parse cache warm (the first run filled it), and with it off
    again = run_cli(root, seconds + 30)[0]
    os.environ["EVENTBUS_NO_CACHE"] = "1"
    try:
        uncached = run_cli(root, seconds + 30)[0]
    finally:
        del os.environ["EVENTBUS_NO_CACHE"]
    result["reruns"] = {"cache warm": (again.returncode, again.stdout), "cache off": (uncached.returncode, uncached.stdout)}
    result["modified"] = snapshot(root) != before
    result["outside_modified"] = snapshot(outside) != outside_before
    shutil.rmtree(work, ignore_errors=True)  # some cases hold 50 MB files
    return result


@pytest.fixture(scope="session")
def corpus_results(request, tmp_path_factory) -> dict:
    """Every selected case, run once, in this process."""
    selected = [item.callspec.params["case"] for item in request.session.items
                if getattr(item, "originalname", "") == "test_case" and item.module.__name__ == __name__ and hasattr(item, "callspec")]
    base = tmp_path_factory.mktemp("corpus")
    out = {}
    for c in selected:
        try:
            out[c] = run_case(c, base / c)
        except Exception as exc:  # noqa: BLE001 - reported by the case's test
            out[c] = {"error": f"{type(exc).__name__}: {exc}"}
    return out


def test_corpus_has_enough_cases():
    assert len(CASES) >= MIN_CASES, f"the adversarial corpus has {len(CASES)} cases; it must have at least {MIN_CASES}"


def test_untouched_tree_passes(tmp_path):
    """Control: without a case applied, the same tree passes, so every exit 1 below is the case's."""
    root = tmp_path / "tree"
    base_tree(root)
    proc, _ = run_cli(root, 60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("case", CASES)
def test_case(case, corpus_results):
    want = load_expect(case)
    got = corpus_results[case]
    assert "error" not in got, f"{case}: could not be set up: {got.get('error')}"
    seconds = float(want.get("seconds", 30))
    assert got["rc"] is not None, f"{case}: the gate did not finish within {seconds + 30}s"
    out = got["stdout"] + got["stderr"]
    assert "Traceback" not in out, out[-3000:]
    assert "internal error" not in got["stderr"], got["stderr"][-2000:]
    assert got["rc"] == want.get("exit", 1), out[-3000:]
    assert got["elapsed"] < seconds, f"{case}: took {got['elapsed']:.1f}s, over its {seconds}s bound"
    assert not got["modified"], f"{case}: the gate modified the tree"
    assert not got["outside_modified"], f"{case}: the gate touched files outside the tree"
    findings = json.loads(got["stdout"])["findings"]
    for how, (rc, stdout) in got["reruns"].items():  # the parse cache changes nothing the gate reports
        assert rc == got["rc"] and json.loads(stdout)["findings"] == findings, f"{case}: {how}: {stdout[-2000:]}"
    for f in findings:
        assert f["file"] and not f["file"].startswith("/") and ".." not in f["file"].split("/"), f
        assert f["line"] >= 1, f
    wanted = ([want] if want.get("rule") else []) + list(want.get("also") or [])
    for w in wanted:
        assert any(_matches(f, w) for f in findings), (
            f"{case}: expected {w['rule']} at {w['file']}:{w.get('line', '*')} with {w.get('message', '')!r}; got:\n"
            + "\n".join(f"  {f['file']}:{f['line']} {f['rule']}: {f['message']}" for f in findings)
        )
    if not wanted:  # a case that must pass (valid but unusual input)
        assert not [f for f in findings if f["severity"] == "error"], findings
