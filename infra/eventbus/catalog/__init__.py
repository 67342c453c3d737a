"""The Event Catalog: a static site, Backstage entities and AsyncAPI documents, built from the registry.

    from eventbus.catalog import build_catalog
    result = build_catalog(root, out_dir, stacks=["prod", "sandbox"])

The catalog reads the registry model and each stack's desired state
(:func:`eventbus.desired.state.compute`); it never re-derives topic names,
grants or roles. The site is written to a fresh folder beside ``out`` and
swapped in at the end, so a reader never sees half a catalog and files of
removed events disappear.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

MARKER = ".eventbus-catalog"


class CatalogError(Exception):
    """The catalog cannot be built (bad --out, unknown stack, …)."""


@dataclass
class BuildResult:
    out: str
    events: int
    apps: int
    teams: int
    stacks: list[str]
    files: int
    bytes: int
    seconds: float
    written: int = 0  # files whose content changed (the others were left untouched)
    removed: int = 0  # files of earlier builds that no longer exist
    load_problems: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def index(self) -> str:
        return os.path.join(self.out, "index.html")


def _check_out(out: str) -> str:
    """``out`` as an absolute folder we may write into; refuses a folder the catalog did not write."""
    out = os.path.abspath(out)
    if os.path.exists(out):
        if not os.path.isdir(out):
            raise CatalogError(f"--out {out} is a file, not a folder")
        if os.listdir(out) and not os.path.exists(os.path.join(out, MARKER)):
            raise CatalogError(f"--out {out} is not empty and was not written by `eventbus catalog build`; choose an empty or new folder")
    os.makedirs(out, exist_ok=True)
    return out


def _prune(out: str, keep: set[str]) -> int:
    """Remove files of earlier builds that this build did not write (a removed event, team, …)."""
    removed = 0
    for dirpath, dirnames, filenames in os.walk(out, topdown=False):
        rel_dir = os.path.relpath(dirpath, out)
        for f in filenames:
            rel = f if rel_dir == "." else f"{rel_dir}/{f}".replace(os.sep, "/")
            if rel not in keep:
                os.unlink(os.path.join(dirpath, f))
                removed += 1
        if dirpath != out and not os.listdir(dirpath):
            os.rmdir(dirpath)
    return removed


class _Writer:
    """Writes files under a folder from a few threads (creating files is the slow part on most disks;
    open/write release the GIL, so rendering goes on meanwhile). A file whose content did not change
    is not rewritten, so a rebuild only touches what changed. Each directory is created once."""

    def __init__(self, base: str, threads: int = 6):
        import threading
        from concurrent.futures import ThreadPoolExecutor

        self.base = base
        self.dirs: set[str] = set()
        self.paths: list[str] = []
        self.count = 0
        self.bytes = 0
        self.written = 0
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="catalog-write")
        self._slots = threading.BoundedSemaphore(512)  # at most this many files waiting in memory
        self._errors: list[BaseException] = []
        self._lock = threading.Lock()

    def _write(self, path: str, data: bytes) -> None:
        try:
            try:
                if os.path.getsize(path) == len(data):
                    with open(path, "rb") as fh:
                        if fh.read() == data:
                            return
            except OSError:
                pass
            with open(path, "wb") as fh:
                fh.write(data)
            with self._lock:
                self.written += 1
        except BaseException as exc:  # noqa: BLE001 - reported by close()
            self._errors.append(exc)
        finally:
            self._slots.release()

    def __call__(self, rel: str, content: str | bytes) -> None:
        path = os.path.join(self.base, rel)
        d = os.path.dirname(path)
        if d not in self.dirs:
            os.makedirs(d, exist_ok=True)
            self.dirs.add(d)
        data = content.encode("utf-8") if isinstance(content, str) else content
        self.paths.append(rel)
        self.count += 1
        self.bytes += len(data)
        self._slots.acquire()
        self._pool.submit(self._write, path, data)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        if self._errors:
            raise self._errors[0]


def _render_chunk(site, part: int, parts: int, base: str) -> tuple[list[str], int, int]:
    w = _Writer(base)
    try:
        site.render_events(site.cat.events[part::parts], w)
        site.render_apps(list(site.cat.apps.values())[part::parts], w)
    finally:
        w.close()
    return w.paths, w.bytes, w.written


def build_catalog(root: str, out: str, stacks: list[str] | None = None, registry=None, workers: int | None = None) -> BuildResult:
    """Build the whole catalog for ``stacks`` (default: every ``Pulumi.<stack>.yaml``) into ``out``."""
    from eventbus.catalog.data import gather
    from eventbus.catalog.site import Site, static_files
    from eventbus.desired.stack import StackError, load_stack, stack_files
    from eventbus.desired.state import compute

    started = time.perf_counter()
    timings: dict[str, float] = {}
    names = stacks or [f[len("Pulumi.") : -len(".yaml")] for f in stack_files(root)]
    try:
        configs = [load_stack(root, n) for n in dict.fromkeys(names)]
    except StackError as exc:
        raise CatalogError(f"{exc.loc}: {exc.message} (fix: {exc.hint})") from None
    problems = 0
    if registry is None:
        from eventbus.loader import load_registry

        loaded = load_registry(root)
        registry = loaded.registry
        problems = sum(1 for f in loaded.findings if str(f.severity).lower().endswith("error"))
    t = time.perf_counter()
    timings["load"] = t - started
    states = [(c, compute(registry, c)) for c in configs]
    cat = gather(registry, states)
    timings["model"] = time.perf_counter() - t

    t = time.perf_counter()
    out = _check_out(out)
    site = Site(cat)
    n_workers = workers if workers is not None else _default_workers(len(cat.events))
    pool = job = None
    if n_workers > 1:
        # fork the workers first, while this process has no other thread; they render the event and
        # application pages while this process renders the index, search data, lists and documents
        import multiprocessing as mp

        global _SITE
        _SITE = site
        pool = mp.get_context("fork").Pool(n_workers)
        job = pool.starmap_async(_work, [(i, n_workers, out) for i in range(n_workers)])
    writer = _Writer(out)
    extra_paths: list[str] = []
    extra_bytes = extra_written = 0
    try:
        writer(MARKER, "Written by `eventbus catalog build`: files it did not write are removed on the next build.\n")
        for rel, data in static_files():
            writer(rel, data)
        if pool is None:
            site.render_events(cat.events, writer)
            site.render_apps(list(cat.apps.values()), writer)
        site.render_rest(writer)
        if job is not None:
            results = job.get()
            extra_paths = [p for r in results for p in r[0]]
            extra_bytes = sum(r[1] for r in results)
            extra_written = sum(r[2] for r in results)
    finally:
        writer.close()
        if pool is not None:
            pool.terminate()
            pool.join()
            _SITE = None
    timings["render"] = time.perf_counter() - t
    t3 = time.perf_counter()
    removed = _prune(out, set(writer.paths) | set(extra_paths))
    timings["prune"] = time.perf_counter() - t3
    return BuildResult(
        out=os.path.abspath(out),
        events=len(cat.events),
        apps=len(cat.apps),
        teams=len(cat.teams),
        stacks=[c.name for c in configs],
        files=writer.count + len(extra_paths),
        bytes=writer.bytes + extra_bytes,
        written=writer.written + extra_written,
        removed=removed,
        seconds=time.perf_counter() - started,
        load_problems=problems,
        timings=timings,
    )


def _default_workers(n_events: int) -> int:
    if n_events < 400 or not hasattr(os, "fork"):
        return 1
    return max(1, min(4, os.cpu_count() or 1))


_SITE = None


def _work(i: int, n: int, base: str) -> tuple[list[str], int, int]:
    return _render_chunk(_SITE, i, n, base)
