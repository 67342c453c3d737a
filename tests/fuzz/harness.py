"""Fuzz targets shared by the Hypothesis tests, the atheris scripts and the regression replays.

Each ``*_target(data: bytes)`` feeds one input to a part of the gate and raises
(``PropertyViolation``, ``Hang`` or whatever the code under test let escape) when a
property does not hold:

* no uncaught exception: bad input becomes a ``ReadError`` / ``AvroError`` / finding;
* bounded time per input (a ``signal`` timer guard, see :func:`time_limit`);
* every finding names a non-empty, repository-relative file inside the tree and
  a line and column >= 1 (and the line exists in that file).

The byte decoding is deterministic, so a crashing input saved under
``tests/fuzz/regressions/<target>/`` replays exactly (``test_regressions.py``).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import math
import os
import signal
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # atheris scripts run outside pytest
    sys.path.insert(0, str(REPO))

from eventbus.avro.compat import MODES, Incompatibility, check  # noqa: E402
from eventbus.avro.schema import AvroError, default_problem, iter_fields, named_types, parse_text, type_label  # noqa: E402
from eventbus.load.files import MAX_FILE_BYTES, ReadError, decode  # noqa: E402
from eventbus.load.registry import parse_json  # noqa: E402
from eventbus.load.yaml import MAX_DEPTH, parse_yaml  # noqa: E402
from eventbus.model.findings import Finding, Severity  # noqa: E402

TODAY = dt.date(2026, 11, 26)

# executions per target in this process (reported by tests/fuzz/conftest.py)
EXECUTIONS: Counter = Counter()


class PropertyViolation(AssertionError):
    """A fuzz property does not hold."""


USE_ALARM = True  # the atheris runner turns it off: libFuzzer's -timeout owns SIGALRM there


class Hang(BaseException):
    """Raised by the timer guard. A BaseException, so ``except Exception`` in the code under test cannot swallow it."""


@contextlib.contextmanager
def time_limit(seconds: float, what: str = "input") -> Iterator[None]:
    """Fail with :class:`Hang` when the block runs longer than ``seconds`` (main thread only;
    elsewhere the Hypothesis deadline is the only bound)."""
    if not USE_ALARM or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def fire(_sig, _frame):
        raise Hang(f"{what} took longer than {seconds}s")

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _fail(msg: str) -> None:
    raise PropertyViolation(msg)


def _shown_paths(root: str) -> set[str]:
    """Every path of the tree as findings show it (invisible and line-breaking characters escaped)."""
    from eventbus.text import one_line

    out = set()
    for dirpath, dirs, files in os.walk(root):
        for name in dirs + files:
            out.add(one_line(os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/")))
    return out


# -- properties of results -----------------------------------------------------
def check_plain(value: Any, depth: int = 0, seen: set[int] | None = None) -> None:
    """Parsed documents are plain, tree-shaped data (no aliasing, bounded depth, string keys)."""
    seen = set() if seen is None else seen
    if depth > MAX_DEPTH + 2:
        _fail(f"parsed value nests {depth} levels, over the limit {MAX_DEPTH}")
    if value is None or isinstance(value, (bool, int, float, str)):
        return
    if isinstance(value, (list, dict)):
        if id(value) in seen:
            _fail("parsed document shares a container (alias)")
        seen.add(id(value))
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for k, v in items:
            if isinstance(value, dict) and not isinstance(k, str):
                _fail(f"mapping key {k!r} is not a string")
            check_plain(v, depth + 1, seen)
        return
    _fail(f"parsed value of unexpected type {type(value).__name__}")


def git_lines(text: str | bytes) -> int:
    """Lines of a text as git and GitHub count them: a final newline ends the last line (at least 1)."""
    nl = "\n" if isinstance(text, str) else b"\n"
    return max(1, text.count(nl) + (0 if text.endswith(nl) else 1))


def check_read_error(err: ReadError, text: str | None = None) -> None:
    if not err.rule or not err.message:
        _fail(f"ReadError without rule or message: {err!r}")
    if not (isinstance(err.line, int) and err.line >= 1 and isinstance(err.col, int) and err.col >= 1):
        _fail(f"ReadError at line {err.line} col {err.col}: {err!r}")
    if text is not None and err.line > git_lines(text):
        _fail(f"ReadError line {err.line} beyond the end of a {git_lines(text)}-line input: {err.message}")


def known_rules() -> set[str]:
    from eventbus.gate.rules import all_rules

    return {r.id for r in all_rules()}


_RULES: set[str] | None = None


def check_findings(findings: list[Finding], root: str, must_exist: bool = True, base_root: str | None = None) -> None:
    """Every finding: a known rule, a message, a non-empty relative path inside the tree, line/col >= 1."""
    global _RULES
    if _RULES is None:
        _RULES = known_rules()
    for f in findings:
        if not isinstance(f, Finding):
            _fail(f"not a Finding: {f!r}")
        if f.rule not in _RULES:
            _fail(f"finding of an undeclared rule {f.rule!r}: {f.one_line()}")
        if not isinstance(f.severity, Severity):
            _fail(f"bad severity {f.severity!r}")
        if not (isinstance(f.message, str) and f.message.strip()):
            _fail(f"finding without a message: {f!r}")
        loc = f.loc
        file = loc.file
        if not (isinstance(file, str) and file.strip()):
            _fail(f"finding without a file: {f.one_line()}")
        if os.path.isabs(file) or file in (".", "") or ".." in file.split("/") or file.startswith("/"):
            _fail(f"finding path outside the tree: {f.one_line()}")
        if not (isinstance(loc.line, int) and loc.line >= 1 and isinstance(loc.col, int) and loc.col >= 1):
            _fail(f"finding without a line >= 1: {f.one_line()}")
        full = os.path.join(root, file)
        if must_exist and not os.path.lexists(full):
            if not (base_root and os.path.lexists(os.path.join(base_root, file))) and file not in _shown_paths(root):
                _fail(f"finding names a file that does not exist: {f.one_line()}")
        if os.path.isfile(full) and not os.path.islink(full) and os.path.getsize(full) <= MAX_FILE_BYTES:
            with open(full, "rb") as fh:
                lines = git_lines(fh.read())
            if loc.line > lines:
                _fail(f"finding line {loc.line} is beyond the end of the {lines}-line file: {f.one_line()}")


# -- text and JSON/YAML targets -------------------------------------------------
def _text(data: bytes) -> str | None:
    try:
        return decode(data)
    except ReadError as err:
        check_read_error(err)
        return None


def decode_target(data: bytes) -> None:
    EXECUTIONS["decode"] += 1
    with time_limit(2, "decode"):
        try:
            text = decode(data)
        except ReadError as err:
            check_read_error(err)
            return
    if "\x00" in text:
        _fail("decoded text holds a NUL")


def yaml_target(data: bytes) -> None:
    EXECUTIONS["yaml"] += 1
    text = _text(data)
    if text is None:
        text = data.decode("utf-8", "replace").replace("\x00", "")
    yaml_text(text)


def yaml_text(text: str) -> None:
    with time_limit(5, "parse_yaml"):
        try:
            value, positions = parse_yaml(text)
        except ReadError as err:
            check_read_error(err, text)
            return
    check_plain(value)
    nlines = git_lines(text)
    for path, (line, col) in positions.items():
        if not isinstance(path, tuple) or line < 1 or col < 1 or line > nlines:
            _fail(f"bad position {path!r}: {(line, col)} in a {nlines}-line text")


def json_target(data: bytes) -> None:
    EXECUTIONS["json"] += 1
    text = _text(data)
    if text is None:
        return
    json_text(text)


def json_text(text: str) -> Any:
    with time_limit(5, "parse_json"):
        try:
            value = parse_json(text)
        except ReadError as err:
            check_read_error(err, text)
            return None
    _finite(value)
    return value


def _finite(value: Any, depth: int = 0) -> None:
    """Registry JSON is standard JSON: no NaN or Infinity (other tools refuse them)."""
    if depth > 2000:
        return
    if isinstance(value, float) and not math.isfinite(value):
        _fail(f"parse_json returned a non-finite number {value!r}")
    if isinstance(value, dict):
        for v in value.values():
            _finite(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _finite(v, depth + 1)


# -- Avro targets -----------------------------------------------------------------
def avro_text(text: str) -> bool:
    """Parse one schema text and walk it as the rules and the catalog do. True when it parses."""
    with time_limit(5, "avro"):
        try:
            schema_json = parse_json(text)
        except ReadError as err:
            check_read_error(err, text)
            schema_json = None
        try:
            parsed = parse_text(text)
        except AvroError as err:
            if not str(err):
                _fail("AvroError without a message")
            parsed = None
        # the walkers must survive any JSON (the catalog and the rules call them on parsed schemas,
        # but nothing should crash on a schema the Avro parser refused)
        if schema_json is not None:
            walk_schema(schema_json)
        if parsed is None:
            return False
        if schema_json is not None:
            # what the gate accepts without a finding (avro-default, avro-logical-type have nothing to say)
            if walk_schema(schema_json) == 0 and not _ignored_logical(parsed):
                _readers_agree(schema_json)
            for mode in ("BACKWARD", "FORWARD", "FULL"):
                # uncheckable: fails closed; ambiguous_field: a field alias naming another field of
                # the same record makes Java (and so the registry) refuse even the schema with itself
                problems = [p for p in check(mode, text, [text]) if p.kind not in ("uncheckable", "ambiguous_field")]
                if problems:
                    _fail(f"a schema is not {mode} compatible with itself: {[p.render() for p in problems]}")
        return True


def _ignored_logical(parsed) -> bool:
    from eventbus.avro.analysis import _ignored_logical as walk

    return any(True for _ in walk(parsed))


def _readers_agree(schema_json: Any) -> None:
    """A schema the gate accepts also works in fastavro (what Python consumers use): it parses,
    and a generated value survives a write and a read."""
    import io
    import random

    from fastavro import parse_schema, schemaless_reader, schemaless_writer
    from fastavro.utils import generate_one

    try:
        parsed = parse_schema(schema_json)
    except Exception as exc:  # noqa: BLE001 - any refusal is a disagreement
        _fail(f"the gate accepts a schema fastavro refuses: {type(exc).__name__}: {str(exc)[:200]}")
    random.seed(0)
    try:
        datum = generate_one(parsed)
    except Exception:  # noqa: BLE001 - fastavro's sample generator gives up (deep recursion, huge fixed): no sample, no check
        return
    buf = io.BytesIO()
    try:
        schemaless_writer(buf, parsed, datum)
        buf.seek(0)
        schemaless_reader(buf, parsed, parsed)
    except Exception as exc:  # noqa: BLE001
        _fail(f"fastavro cannot write and read back a value of a schema the gate accepts: {type(exc).__name__}: {str(exc)[:200]}")


def walk_schema(schema: Any) -> int:
    """Walk a schema as the rules and the catalog do; returns the number of invalid defaults."""
    names = named_types(schema)
    if not isinstance(names, dict):
        _fail("named_types did not return a dict")
    fields = list(iter_fields(schema))
    bad = 0
    for f in fields:
        type_label(f.type)
        if f.has_default:
            ns = f.record.rpartition(".")[0] or None
            p = default_problem(f.type, f.default, names, ns)
            if p is not None and not isinstance(p, str):
                _fail(f"default_problem returned {p!r}")
            bad += p is not None
    _catalog_rows(schema)
    _contract(schema)
    return bad


def _contract(schema: Any) -> None:
    """Field facts and field changes (eventbus.avro.contract) of any JSON: never a crash."""
    from eventbus.avro.contract import RANK, field_changes, schema_fields

    facts = schema_fields(schema)
    for f in facts.fields.values():
        if f.classification not in RANK:
            _fail(f"field {f.path!r} has classification {f.classification!r}")
        f.label  # noqa: B018 - the type facts are worked out on first use
    for ch in field_changes(facts, facts):
        _fail(f"a schema changes against itself: {ch.describe()}")


def _catalog_rows(schema: Any) -> None:
    try:
        from eventbus.catalog.schema_view import field_rows
    except ImportError:  # the catalog is optional here
        return
    field_rows(schema)


def avro_target(data: bytes) -> None:
    EXECUTIONS["avro"] += 1
    text = _text(data)
    if text is None:
        return
    avro_text(text)


def split_schemas(data: bytes, most: int = 4) -> list[str]:
    """Schemas in one input, separated by NUL bytes (the first is the new one, the rest its history)."""
    parts = data.split(b"\x00")[:most]
    return [p.decode("utf-8", "replace") for p in parts]


def compat_target(data: bytes) -> None:
    EXECUTIONS["compat"] += 1
    texts = split_schemas(data)
    if len(texts) < 2:
        texts = texts + texts
    compat_texts(texts[0], texts[1:])


def compat_texts(new: str, history: list[str]) -> None:
    with time_limit(10, "compat"):
        results: dict[str, list[Incompatibility] | None] = {}
        for mode in MODES:
            try:
                got = check(mode, new, history)
            except AvroError:
                got = None
            results[mode] = got
            if got is None:
                continue
            if not isinstance(got, list):
                _fail(f"check returned {type(got).__name__}")
            for inc in got:
                if inc.direction not in ("backward", "forward"):
                    _fail(f"bad direction {inc.direction!r}")
                if not (0 <= inc.against < len(history)):
                    _fail(f"'against' {inc.against} outside a history of {len(history)}")
                for attr in ("kind", "message", "advice"):
                    if not (isinstance(getattr(inc, attr), str) and getattr(inc, attr)):
                        _fail(f"incompatibility without {attr}: {inc!r}")
                inc.render()
        if results["NONE"] not in (None, []):
            _fail("mode NONE reported problems")
        # FULL is BACKWARD and FORWARD together
        b, f, full = results["BACKWARD"], results["FORWARD"], results["FULL"]
        if None not in (b, f, full):
            if bool(full) != (bool(b) or bool(f)):
                _fail(f"FULL ({len(full)} problems) disagrees with BACKWARD ({len(b)}) + FORWARD ({len(f)})")
        # BACKWARD(new | old) is FORWARD(old | new): the same reader/writer pair
        if len(history) == 1 and b is not None:
            try:
                swapped = check("FORWARD", history[0], [new])
            except AvroError:
                swapped = None
            if swapped is not None and bool(swapped) != bool(b):
                _fail("BACKWARD(new, old) and FORWARD(old, new) disagree")


# -- the whole tree -----------------------------------------------------------------
class BaseTree:
    """A valid small registry (the ``Tree`` test fixture) in a folder, restored after each input."""

    def __init__(self, root: str | None = None):
        from tests.conftest import Tree

        self.tmp = None
        if root is None:
            self.tmp = tempfile.TemporaryDirectory(prefix="eventbus-fuzz-")
            root = self.tmp.name
        self.root = os.path.realpath(root)
        Tree(Path(self.root)).write()
        self.originals = self.snapshot()
        self.files = sorted(self.originals)
        # places a pull request could add a file
        self.new_slots = [
            "events/claims/claim_created/v3.avsc",
            "events/claims/claim_created/examples/two.json",
            "events/claims/new_event/event.yaml",
            "events/claims/new_event/v1.avsc",
            "consumers/notify/other-app.yaml",
            "consumers/newteam/app.yaml",
            "teams/new-team.yaml",
            "Pulumi.extra.yaml",
            "events/claims/claim_created/README.md",
            ".github/CODEOWNERS",
        ]
        self.slots = self.files + self.new_slots

    def snapshot(self) -> dict[str, bytes]:
        out = {}
        for dirpath, dirs, files in os.walk(self.root):
            dirs[:] = [d for d in dirs if d != ".git"]
            for f in files:
                p = os.path.join(dirpath, f)
                rel = os.path.relpath(p, self.root).replace(os.sep, "/")
                out[rel] = b"link:" + os.readlink(p).encode() if os.path.islink(p) else open(p, "rb").read()
        return out

    def digest(self) -> str:
        h = hashlib.sha256()
        for k, v in sorted(self.snapshot().items()):
            h.update(k.encode("utf-8", "surrogateescape") + b"\0" + v + b"\0")
        return h.hexdigest()

    def restore(self) -> None:
        """Back to the valid registry: rewrite changed files, delete added ones."""
        import shutil

        now = self.snapshot()
        for rel in now:
            if rel not in self.originals:
                os.unlink(os.path.join(self.root, rel))
        for rel, data in self.originals.items():
            if now.get(rel) != data:
                p = os.path.join(self.root, rel)
                if os.path.lexists(p) and (os.path.islink(p) or not os.path.isfile(p)):
                    shutil.rmtree(p) if os.path.isdir(p) and not os.path.islink(p) else os.unlink(p)
                os.makedirs(os.path.dirname(p), exist_ok=True)
                with open(p, "wb") as fh:
                    fh.write(data)
        # folders the input created
        for dirpath, _dirs, _files in os.walk(self.root, topdown=False):
            if dirpath != self.root and not os.listdir(dirpath):
                rel = os.path.relpath(dirpath, self.root)
                if not any(k.startswith(rel.replace(os.sep, "/") + "/") for k in self.originals):
                    os.rmdir(dirpath)

    def write(self, rel: str, data: bytes) -> None:
        p = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as fh:
            fh.write(data)


_BASE: BaseTree | None = None


def base_tree() -> BaseTree:
    global _BASE
    if _BASE is None:
        _BASE = BaseTree()
    return _BASE


def run_gate_checked(root: str, seconds: float = 20, base_ref: str | None = None, base_root: str | None = None):
    """The full gate on ``root``: findings, never an exception; bounded time; the tree untouched."""
    from eventbus.gate import validate

    with time_limit(seconds, "gate"):
        result = validate(root, base_ref, TODAY)
    check_findings(result.findings, root, must_exist=True, base_root=base_root)
    return result


def gate_target(data: bytes) -> None:
    """First byte: which file of the valid registry to replace (or add); the rest: its new content."""
    EXECUTIONS["gate"] += 1
    tree = base_tree()
    if not data:
        return
    slot = tree.slots[data[0] % len(tree.slots)]
    tree.write(slot, data[1:])
    try:
        before = tree.digest()
        run_gate_checked(tree.root)
        if tree.digest() != before:
            _fail("the gate modified the tree")
    finally:
        tree.restore()


def loader_target(data: bytes) -> None:
    """As gate_target, but only the loader (faster: no rules)."""
    from eventbus.load.registry import load_registry

    EXECUTIONS["loader"] += 1
    tree = base_tree()
    if not data:
        return
    slot = tree.slots[data[0] % len(tree.slots)]
    tree.write(slot, data[1:])
    try:
        with time_limit(10, "load_registry"):
            loaded = load_registry(tree.root)
        check_findings(loaded.findings, tree.root)
    finally:
        tree.restore()


_CATALOG_OUT: str | None = None


def catalog_target(data: bytes) -> None:
    """As gate_target, but builds the catalog: only CatalogError escapes, nothing written outside its folder."""
    from eventbus.catalog import CatalogError, build_catalog

    global _CATALOG_OUT
    EXECUTIONS["catalog"] += 1
    tree = base_tree()
    if not data:
        return
    if _CATALOG_OUT is None:
        _CATALOG_OUT = tempfile.mkdtemp(prefix="eventbus-fuzz-site-")
    slot = tree.slots[data[0] % len(tree.slots)]
    tree.write(slot, data[1:])
    try:
        before = tree.digest()
        with time_limit(30, "catalog build"):
            try:
                build_catalog(tree.root, os.path.join(_CATALOG_OUT, "site"), workers=1)
            except CatalogError as exc:
                if not str(exc):
                    _fail("CatalogError without a message")
        if os.listdir(_CATALOG_OUT) != ["site"]:
            _fail(f"the catalog wrote beside its folder: {os.listdir(_CATALOG_OUT)}")
        if tree.digest() != before:
            _fail("the catalog build modified the registry")
    finally:
        tree.restore()


TARGETS = {
    "decode": decode_target,
    "yaml": yaml_target,
    "json": json_target,
    "avro": avro_target,
    "compat": compat_target,
    "loader": loader_target,
    "gate": gate_target,
    "catalog": catalog_target,
}


TREE_TARGETS = ("loader", "gate", "catalog")


def tree_input(slot: str, content: bytes) -> bytes:
    """The fuzz input of a tree target that writes ``content`` to ``slot``."""
    return bytes([base_tree().slots.index(slot)]) + content


def replay(target: str, stored: bytes) -> None:
    """Run a stored regression input. Tree targets store ``<slot path> NUL <content>`` (stable
    when the fixture registry gains files); the others store the raw input."""
    if target in TREE_TARGETS:
        slot, _, content = stored.partition(b"\x00")
        stored = tree_input(slot.decode(), content)
    TARGETS[target](stored)


def save_regression(target: str, data: bytes, note: str = "") -> Path:
    """Keep a crashing input as a regression case (tests/fuzz/regressions/<target>/<sha>.bin).

    ``data`` is the fuzz input as the target takes it (for tree targets: the slot byte first)."""
    if target in TREE_TARGETS:
        tree = base_tree()
        data = tree.slots[data[0] % len(tree.slots)].encode() + b"\x00" + data[1:]
    d = REPO / "tests" / "fuzz" / "regressions" / target
    d.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    p = d / f"{name}.bin"
    p.write_bytes(data)
    if note:
        (d / f"{name}.txt").write_text(note.rstrip() + "\n")
    return p
