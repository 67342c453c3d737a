"""``eventbus catalog serve``: the catalog of a work tree on this machine's web server, rebuilt as the tree changes.

    serve(root, out, port=8000)  # until Ctrl-C

For a producer or consumer editing their files: the catalog is built into ``out`` as ``eventbus catalog build``
builds it (the same files, byte for byte), served on ``http://127.0.0.1:<port>/`` (this machine only; pages are
sent with ``Cache-Control: no-store``, so a reload shows the last build), and built again after the inputs change.
Changes are noticed by scanning the inputs every ``interval`` seconds as a build does
(:func:`eventbus.catalog.incremental.scan`: the status of every file under ``events/``, ``teams/``, ``consumers/``,
``adopt/`` and of ``Pulumi.*.yaml``, and the bytes of those whose status changed) and the status of git's ``HEAD``,
``index`` and ``logs/HEAD`` (a commit changes the pages' build stamp); the build takes that scan instead of
making its own. The process keeps what each
build loaded (:class:`eventbus.catalog.Memo`), so a rebuild after an edit loads, models and renders only what
the edit touches; a rebuild that fails (a stack file that no longer reads) is reported and the last catalog stays
served. Open pages reload themselves after a build that changed them (``reload``): the server adds, to each HTML
page it sends (not to the file), a script of its own (``reload.js``) that waits on ``/.eventbus-serve/build`` for the
next build, and lets that page's Content-Security-Policy connect to this origin.
"""
from __future__ import annotations

import functools
import gc
import http.server
import os
import signal
import threading
import time
import urllib.parse
from collections.abc import Callable

from eventbus.catalog import MANIFEST, BuildResult, CatalogError, Memo, build_catalog
from eventbus.catalog.forked import can_fork

_GIT = ("HEAD", "index", "logs/HEAD")
SETTLE = 0.1  # seconds a changed tree must hold still before it is built (at most SETTLE_MAX)
SETTLE_MAX = 2.0
CHECK_EVERY = 5.0  # seconds of waiting between checks that the output is as the last build left it


def git_signature(root: str) -> tuple:
    """The status of git's ``HEAD``, ``index`` and ``logs/HEAD`` under ``root`` (a commit changes the build stamp)."""
    got = []
    for rel in _GIT:
        try:
            st = os.stat(os.path.join(root, ".git", rel))
            got.append((rel, st.st_size, st.st_mtime_ns, st.st_ino))
        except OSError:
            got.append((rel,))
    return tuple(got)


LIVE = "/.eventbus-serve/"  # the server's own paths (no catalog file starts with a dot)
RELOAD_JS = LIVE + "reload.js"
# ``build``: the last build's id; ``build?after=<id>&page=<path>&version=<v>``: answered once the last build is
# another (or after WAIT_MAX s): RELOAD when the page's file is no longer ``version``, else the new build's id
BUILD = LIVE + "build"
RELOAD = "reload"
WAIT_MAX = 20.0
_CSP = b'<meta http-equiv="Content-Security-Policy" content="'


def file_version(path: str | int) -> str:
    """The status of a file (size, modification time, inode; ``path`` or an open descriptor), "none" when missing."""
    try:
        st = os.stat(path)
    except OSError:
        return "none"
    return f"{st.st_size}-{st.st_mtime_ns}-{st.st_ino}"


def build_id(out: str) -> str:
    """Which build last finished in ``out``: the status of the manifest a build writes once its pages are written."""
    return file_version(os.path.join(out, MANIFEST))


def with_reload(page: bytes, version: str = "") -> bytes:
    """``page`` with the reload script before ``</head>`` (``version``: the status of the page's file, which a build
    that leaves the page as it was does not change) and ``connect-src 'self'`` in its Content-Security-Policy (which
    is ``default-src 'none'``: no requests but the page's own assets); a page without both is sent as it is."""
    head = page.find(b"</head>")
    csp = page.find(_CSP, 0, head)
    if head < 0 or csp < 0:
        return page
    at = csp + len(_CSP)
    tag = f'<script src="{RELOAD_JS}" data-version="{version}" defer></script>\n'.encode()
    return page[:at] + b"connect-src 'self'; " + page[at:head] + tag + page[head:]


@functools.lru_cache(maxsize=1)
def _reload_js() -> bytes:
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "reload.js"), "rb") as fh:
        return fh.read()


class _Handler(http.server.SimpleHTTPRequestHandler):
    """The files under the folder, sent with ``Cache-Control: no-store``; with ``server.live``, HTML pages
    :func:`with_reload` and the server's own paths (:data:`LIVE`)."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        if not self._live(body=True):
            super().do_GET()

    def do_HEAD(self) -> None:
        if not self._live(body=False):
            super().do_HEAD()

    def _live(self, body: bool) -> bool:
        if not getattr(self.server, "live", False):
            return False
        url = urllib.parse.urlsplit(self.path)
        if url.path == RELOAD_JS:
            self._send("text/javascript; charset=utf-8", _reload_js(), body)
        elif url.path == BUILD:
            query = urllib.parse.parse_qs(url.query)
            after, page, version = (query.get(k, [None])[0] for k in ("after", "page", "version"))
            self._send("text/plain; charset=utf-8", self._build_after(after, page, version).encode(), body)
        elif url.path.startswith(LIVE):
            self.send_error(404)
        else:
            local = self._html_file(url.path)
            if local is None:
                return False
            try:
                with open(local, "rb") as fh:
                    version, page = file_version(fh.fileno()), fh.read()
            except OSError:
                return False
            self._send("text/html; charset=utf-8", with_reload(page, version), body)
        return True

    def _build_after(self, after: str | None, page: str | None, version: str | None) -> str:
        out = self.directory
        now = build_id(out)
        if after is None:
            return now
        end = time.monotonic() + WAIT_MAX
        while now == after and time.monotonic() < end:
            time.sleep(0.1)
            now = build_id(out)
        if now != after and page is not None:
            local = self._html_file(page)  # (translate_path decodes it)
            if local is None or file_version(local) != version:
                return RELOAD
        return now

    def _html_file(self, path: str) -> str | None:
        """The HTML file ``path`` names (a folder's ``index.html`` when it ends with ``/``), None for anything else."""
        local = self.translate_path(path)
        if os.path.isdir(local):
            if not path.endswith("/"):
                return None  # the base class redirects to the folder with its slash
            local = os.path.join(local, "index.html")
        return local if local.endswith(".html") and os.path.isfile(local) else None

    def _send(self, kind: str, data: bytes, body: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)


def start_server(out: str, port: int, host: str = "127.0.0.1", live: bool = True) -> tuple[http.server.ThreadingHTTPServer, Callable[[], None]]:
    """A web server for the files under ``out`` and the function that stops it (``live``: pages that reload after each
    build, see :class:`_Handler`). It answers in a forked process of its own when this process may fork (so that the
    builds may fork their page workers), else in a thread."""
    server = http.server.ThreadingHTTPServer((host, port), functools.partial(_Handler, directory=out))
    server.daemon_threads = True
    server.live = live  # type: ignore[attr-defined]
    if not can_fork():
        threading.Thread(target=server.serve_forever, name="catalog-server", daemon=True).start()

        def stop_thread() -> None:
            server.shutdown()
            server.server_close()

        return server, stop_thread
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the server: answers until this process's parent is gone
        try:
            threading.Thread(target=server.serve_forever, daemon=True).start()
            while os.getppid() == parent:
                time.sleep(0.5)
        except BaseException:  # noqa: BLE001 - Ctrl-C reaches the whole process group
            pass
        finally:
            os._exit(0)
    server.socket.close()

    def stop_process() -> None:
        try:
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass

    return server, stop_process


def watch(poll: Callable[[], object], build: Callable[[], BuildResult], report: Callable[[BuildResult | None, str | None], None],
          interval: float = 1.0, stop: threading.Event | None = None, check: Callable[[], bool] | None = None) -> None:
    """Build now, then again each time ``poll()`` gives another value and then the same one ``SETTLE`` seconds later
    (or ``SETTLE_MAX`` seconds have passed), until ``stop`` is set; ``report(result, error)`` after each build
    (``error``: why it failed, the last catalog left as it was). ``check()``: at the first wait after a build and
    then every ``CHECK_EVERY`` seconds of waiting, whether the output is as the last build left it; when not, it
    is built again."""
    stop = stop or threading.Event()
    seen = None
    waited = 0.0
    while not stop.is_set():
        now = poll()
        if now == seen and check is not None and waited >= CHECK_EVERY:
            waited = 0.0
            if not check():
                seen = None  # a file of the catalog was changed or removed by hand: put right
        if now != seen:
            if seen is not None:  # a change: built once the tree holds still (a checkout, an editor's save in steps)
                settled = time.monotonic() + SETTLE_MAX
                while time.monotonic() < settled and not stop.wait(SETTLE):
                    again = poll()
                    if again == now:
                        break
                    now = again
                if stop.is_set():
                    break
            seen = now
            try:
                result = build()
            except (CatalogError, OSError) as exc:
                report(None, str(exc))
            else:
                report(result, None)
            gc.collect()  # the last build's model, while nothing is asked of this process
            waited = CHECK_EVERY  # the output is checked at the first wait: that survey is the next build's
            continue  # a change during the build shows in the next poll at once
        stop.wait(interval)
        waited += interval


def serve(root: str, out: str, stacks: list[str] | None = None, port: int = 8000, interval: float = 1.0,
          say: Callable[[str], None] = print, stop: threading.Event | None = None, ready: Callable[[str], None] | None = None,
          reload: bool = True) -> None:
    """Serve the catalog of ``root``, built into ``out``, on ``127.0.0.1:port`` (0: any free port), rebuilding it as the
    tree changes, until ``stop`` is set or Ctrl-C. ``say`` prints a line per build; ``ready(url)`` once serving.
    ``reload``: pages reload themselves after each build (else every file is sent as it is on disk)."""
    from eventbus.catalog import check_out
    from eventbus.catalog import incremental as inc
    from eventbus.text import one_line

    memo = Memo()
    out = check_out(out)  # never serves a folder the catalog did not write
    server, stop_server = start_server(out, port, live=reload)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    last: list = [None]

    def poll() -> tuple:
        """A scan of the tree (which reads only the files whose status changed since the last), handed to the next
        build so that it does not scan again."""
        scanned = inc.scan(root, {}, inc.known_of(last[0]) if last[0] is not None else inc.read_scan_record(root))
        last[0] = memo.inputs = scanned
        return (git_signature(root), scanned.rest, scanned.events)

    say(f"serving {url} (the catalog of {one_line(os.path.abspath(root))}, built into {one_line(out)}; rebuilt when the tree changes{'' if reload else ', pages not reloaded'}; Ctrl-C stops)")
    if ready is not None:
        ready(url)
    first, failed = [True], [False]

    def report(result: BuildResult | None, error: str | None) -> None:
        clock = time.strftime("%H:%M:%S")
        if error is not None:
            failed[0] = True
            say(f"{clock} error: {one_line(error)} (the last catalog is still served)")
            return
        assert result is not None
        if result.mode == "unchanged" and not first[0] and not failed[0]:
            return  # a file touched, not changed
        what = "built" if first[0] else "rebuilt"
        first[0] = failed[0] = False
        warn = f"; {result.load_problems} file(s) could not be read, run `eventbus validate`" if result.load_problems else ""
        say(f"{clock} {what} in {result.seconds:.2f} s ({result.mode}): {result.events:,} events, {result.written:,} files written, "
            f"{result.removed:,} removed{warn}")

    # Ctrl-C while waiting sets ``stop`` (a KeyboardInterrupt raised there could land in a finalizer the collector
    # runs, which swallows it); during a build, or a second time, it interrupts
    stop = stop or threading.Event()
    busy = [False]

    def on_interrupt(signum: int, frame: object) -> None:
        if busy[0] or stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    def build() -> BuildResult:
        busy[0] = True
        try:
            return build_catalog(root, out, stacks, memo=memo)
        finally:
            busy[0] = False

    main = threading.current_thread() is threading.main_thread()
    before = signal.signal(signal.SIGINT, on_interrupt) if main else None
    try:
        watch(poll, build, report, interval, stop, check=lambda: memo.check(out))
    except KeyboardInterrupt:
        pass
    finally:
        if main and before is not None:
            signal.signal(signal.SIGINT, before)
        stop_server()
