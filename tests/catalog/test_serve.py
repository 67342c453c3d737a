"""``eventbus catalog serve``: the catalog served on this machine and rebuilt as the tree changes, as a user runs it."""
from __future__ import annotations

import contextlib
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from eventbus.catalog import CatalogError
from eventbus.catalog.serve import BUILD, RELOAD, RELOAD_JS, file_version, watch, with_reload
from tests.catalog.test_browser import Watch

EVENTBUS = [sys.executable, "-m", "eventbus.cli.main"]


class Server:
    """``eventbus catalog serve`` in a process of its own, its output lines read as they come."""

    def __init__(self, root: Path, out: Path, *extra: str, env: dict | None = None):
        self.proc = subprocess.Popen([*EVENTBUS, "--root", str(root), "catalog", "serve", "--out", str(out), "--port", "0", "--interval", "0.1", *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.url = ""

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put("")  # closed

    def wait_for(self, word: str, timeout: float = 120) -> str:
        end = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.01, end - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line with {word!r} in {timeout}s; got {self.seen}") from None
            if line == "" and self.proc.poll() is not None:
                raise AssertionError(f"the server ended (exit {self.proc.returncode}) before {word!r}; got {self.seen}")
            self.seen.append(line)
            if word in line:
                return line

    def start(self) -> Server:
        line = self.wait_for("serving http://")
        self.url = line.split()[1]
        return self

    def get(self, path: str) -> tuple[bytes, dict]:
        with urllib.request.urlopen(self.url + path, timeout=10) as resp:
            return resp.read(), dict(resp.headers)

    def stop(self) -> int:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)  # Ctrl-C reaches the terminal's whole process group
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        return self.proc.returncode


def sent(path: Path) -> bytes:
    """What the server sends for the HTML file ``path``: the file with the reload script of its version."""
    return with_reload(path.read_bytes(), file_version(str(path)))


@contextlib.contextmanager
def served(root: Path, out: Path, env: dict, *extra: str):
    """The server, once its first build is done; stopped afterwards, which must end it cleanly."""
    server = Server(root, out, *extra, env=env).start()
    try:
        server.wait_for("built in")
        yield server
    finally:
        assert server.stop() == 0


@pytest.fixture
def env(tmp_path):
    return {**os.environ, "EVENTBUS_USER_CACHE": str(tmp_path / "cache")}


def test_serves_the_catalog_and_rebuilds_it_when_an_event_changes(tree, tmp_path, env):
    out = tmp_path / "site"
    server = Server(tree.root, out, env=env).start()
    try:
        assert server.url.startswith("http://127.0.0.1:")
        server.wait_for("built in")
        body, headers = server.get("index.html")
        assert body == sent(out / "index.html") and b"Claim" in body
        assert headers.get("Cache-Control") == "no-store"
        page = "events/claims/claim_created.html"
        before, _ = server.get(page)
        assert b"Edited while serving" not in before

        event = tree.root / "events" / "claims" / "claim_created" / "event.yaml"  # as an editor saves it
        text = event.read_text()
        assert "\nsummary: " in text
        event.write_text("".join("summary: Edited while serving.\n" if ln.startswith("summary: ") else ln for ln in text.splitlines(True)))
        line = server.wait_for("rebuilt in")
        assert "(incremental)" in line, server.seen
        after, _ = server.get(page)
        assert b"Edited while serving." in after and after == sent(out / page)

        # what it writes is what `catalog build` writes
        cold = tmp_path / "cold"
        subprocess.run([*EVENTBUS, "--root", str(tree.root), "catalog", "build", "--out", str(cold)], check=True, env=env, capture_output=True)
        assert (cold / page).read_bytes() == (out / page).read_bytes()

        os.utime(tree.root / "events" / "claims" / "claim_created" / "event.yaml")  # touched, not changed: no line
        time.sleep(1.0)
        assert not [ln for ln in server.seen if ln.count("rebuilt in") > 1]
    finally:
        code = server.stop()
    assert code == 0
    with pytest.raises(urllib.error.URLError):  # the server went with it
        urllib.request.urlopen(server.url, timeout=5)


def test_a_broken_stack_file_is_reported_and_the_last_catalog_stays_served(tree, tmp_path, env):
    out = tmp_path / "site"
    with served(tree.root, out, env) as server:
        before, _ = server.get("index.html")
        stack = tree.root / "Pulumi.prod.yaml"
        good = stack.read_text()
        stack.write_text("config: [unclosed\n")
        line = server.wait_for("error:")
        assert "Pulumi.prod.yaml" in line and "the last catalog is still served" in line
        assert server.get("index.html")[0] == before
        stack.write_text(good)
        server.wait_for("rebuilt in")
        assert server.get("index.html")[0] == before


def test_a_page_changed_by_hand_while_serving_is_put_right(tree, tmp_path, env):
    out = tmp_path / "site"
    with served(tree.root, out, env) as server:
        page = out / "events" / "claims" / "claim_created.html"
        good = page.read_bytes()
        page.write_bytes(b"<p>defaced</p>")
        (out / "teams" / "claims-team.html").unlink()
        line = server.wait_for("rebuilt in", timeout=30)  # the output is checked every few seconds of waiting
        assert "(full)" in line
        assert page.read_bytes() == good and (out / "teams" / "claims-team.html").is_file()
        assert server.get("events/claims/claim_created.html")[0] == sent(page)


def test_pages_are_sent_with_the_reload_script_and_everything_else_as_on_disk(tree, tmp_path, env):
    out = tmp_path / "site"
    with served(tree.root, out, env) as server:
        page = "events/claims/claim_created.html"
        disk = (out / page).read_bytes()
        got, headers = server.get(page)
        assert RELOAD_JS.encode() not in disk and b"connect-src" not in disk  # the catalog's files stay the build's
        head, _, rest = got.partition(b"</head>")
        version = file_version(str(out / page))
        assert head.count(f'<script src="{RELOAD_JS}" data-version="{version}" defer></script>'.encode()) == 1
        assert b"content=\"connect-src 'self'; default-src 'none';" in head
        assert rest == disk.partition(b"</head>")[2] and headers["Content-Type"] == "text/html; charset=utf-8"
        assert server.get("")[0] == server.get("index.html")[0] == sent(out / "index.html")
        for other in [p for p in out.rglob("*") if p.is_file() and p.suffix in (".js", ".css", ".avsc", ".json", ".yaml")][:40]:
            assert server.get(other.relative_to(out).as_posix())[0] == other.read_bytes(), other
        script, headers = server.get(RELOAD_JS.lstrip("/"))
        assert b"location.reload" in script and headers["Content-Type"].startswith("text/javascript")
        with pytest.raises(urllib.error.HTTPError) as missing:
            server.get(".eventbus-serve/other")
        assert missing.value.code == 404


def test_the_build_address_says_reload_to_the_pages_the_next_build_changed(tree, tmp_path, env):
    out = tmp_path / "site"
    with served(tree.root, out, env) as server:
        first = server.get(BUILD.lstrip("/"))[0].decode()
        assert first != "none"
        pages = ["index.html", *sorted(p.relative_to(out).as_posix() for p in (out / "events").rglob("*.html"))]
        assert "events/claims/claim_created.html" in pages and len(pages) > 5
        before = {p: file_version(str(out / p)) for p in pages}
        answers: dict[str, queue.Queue] = {p: queue.Queue() for p in pages}
        for p in pages:
            ask = f"{BUILD.lstrip('/')}?after={first}&page=/{urllib.parse.quote(p)}&version={before[p]}"
            threading.Thread(target=lambda p=p, ask=ask: answers[p].put(server.get(ask)[0].decode()), daemon=True).start()
        time.sleep(0.5)
        assert all(a.empty() for a in answers.values())  # no build since: they wait
        event = tree.root / "events" / "claims" / "claim_created" / "event.yaml"
        event.write_text(event.read_text().replace("\nsummary: ", "\nsummary: Reloaded. ", 1))
        server.wait_for("rebuilt in")
        got = {p: answers[p].get(timeout=10) for p in pages}
        changed = {p for p in pages if file_version(str(out / p)) != before[p]}
        assert {"index.html", "events/claims/claim_created.html"} <= changed and len(changed) < len(pages)
        assert {p for p, a in got.items() if a == RELOAD} == changed
        assert len({a for a in got.values() if a != RELOAD}) == 1 and first not in got.values()  # the new build's id
        assert b"Reloaded." in server.get("events/claims/claim_created.html")[0]  # answered once the pages were written


def test_no_reload_sends_every_file_as_on_disk(tree, tmp_path, env):
    out = tmp_path / "site"
    with served(tree.root, out, env, "--no-reload") as server:
        assert "pages not reloaded" in server.seen[0]
        assert server.get("index.html")[0] == (out / "index.html").read_bytes()
        with pytest.raises(urllib.error.HTTPError):
            server.get(RELOAD_JS.lstrip("/"))


@pytest.mark.browser
def test_an_open_page_reloads_itself_after_a_build_that_changed_it(tree, tmp_path, env, browser):
    out = tmp_path / "site"
    with served(tree.root, out, env) as server:
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            target = "events/claims/claim_created.html"
            other = sorted(p.relative_to(out).as_posix() for p in (out / "events").rglob("*.html") if "claims" not in p.parts)[-1]
            before = file_version(str(out / other))
            tabs, loads, watches = {}, {target: [], other: []}, []
            for rel in (target, other):
                pg = tabs[rel] = ctx.new_page()
                watches.append(Watch(pg, server.url))
                pg.goto(server.url + rel)
                pg.on("load", lambda _page, rel=rel: loads[rel].append(1))
            assert "Reloaded while open" not in tabs[target].inner_text("main")
            time.sleep(0.5)  # the scripts are waiting on the build address
            event = tree.root / "events" / "claims" / "claim_created" / "event.yaml"
            event.write_text(event.read_text().replace("\nsummary: ", "\nsummary: Reloaded while open. ", 1))
            server.wait_for("rebuilt in")
            end = time.monotonic() + 15
            while not loads[target] and time.monotonic() < end:
                tabs[target].wait_for_timeout(100)
            tabs[target].wait_for_load_state("load")
            assert "Reloaded while open" in tabs[target].inner_text("main")
            tabs[target].wait_for_timeout(1000)
            assert loads[target] == [1]  # once per build, not in a loop
            assert file_version(str(out / other)) == before and loads[other] == []  # a page the build left alone stays
            for watch in watches:  # the pages' policy let the script ask (no violation logged)
                assert not watch.problems and not watch.external
        finally:
            ctx.close()


def test_with_reload_leaves_a_page_without_head_or_policy_alone():
    assert with_reload(b"<p>no head</p>") == b"<p>no head</p>"
    assert with_reload(b"<html><head><title>t</title></head><body></body></html>").count(b"script") == 0
    # a policy quoted in the body (escaped text of the tree cannot close the head first) is not touched
    body = b'<head></head><body><meta http-equiv="Content-Security-Policy" content="default-src *"></body>'
    assert with_reload(body) == body


@pytest.mark.parametrize("pause", [0.0, 0.05, 0.3])
def test_ctrl_c_at_any_moment_ends_it(tree, tmp_path, env, pause):
    """Right after a build the process collects garbage and checks its output: a Ctrl-C then is not lost."""
    server = Server(tree.root, tmp_path / "site", env=env).start()
    server.wait_for("built in")
    time.sleep(pause)
    os.killpg(server.proc.pid, signal.SIGINT)
    assert server.proc.wait(timeout=15) == 0


def test_refuses_a_folder_the_catalog_did_not_write(tree, tmp_path, env):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my own file")
    got = subprocess.run([*EVENTBUS, "--root", str(tree.root), "catalog", "serve", "--out", str(out), "--port", "0"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert got.returncode == 1
    assert "was not written by `eventbus catalog build`" in got.stderr and "Traceback" not in got.stderr
    assert (out / "notes.txt").read_text() == "my own file" and sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def test_a_port_in_use_is_a_clear_error(tree, tmp_path, env):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        got = subprocess.run([*EVENTBUS, "--root", str(tree.root), "catalog", "serve", "--out", str(tmp_path / "site"), "--port", str(port)],
                             capture_output=True, text=True, env=env, timeout=60)
    assert got.returncode == 1
    assert f"cannot serve on port {port}" in got.stderr and "--port" in got.stderr and "Traceback" not in got.stderr


def test_watch_reports_a_failed_build_and_builds_again_on_the_next_change():
    polls = iter([1, 1, 2, 2, 3, 3, 3])  # (a change is polled twice: it must hold still)
    stop = threading.Event()
    reports: list = []
    builds = []

    def poll():
        try:
            return next(polls)
        except StopIteration:
            stop.set()
            return 3

    def build():
        builds.append(1)
        if len(builds) == 2:
            raise CatalogError("Pulumi.prod.yaml:1: broken")
        return f"result {len(builds)}"

    watch(poll, build, lambda result, error: reports.append((result, error)), interval=0.001, stop=stop)
    assert reports == [("result 1", None), (None, "Pulumi.prod.yaml:1: broken"), ("result 3", None)]
