"""The Event Catalog: a static site, Backstage entities and AsyncAPI documents, built from the registry.

    from eventbus.catalog import build_catalog
    result = build_catalog(root, out_dir, stacks=["prod"])

One input model (:mod:`eventbus.catalog.model`, built once from the registry
model and each stack's desired state) feeds every exporter
(:mod:`eventbus.catalog.exporters`: site, AsyncAPI, Backstage). Which stacks
the catalog covers is the caller's choice; one stack is the usual case (a
cloud deploy publishes that stack's catalog). ``out`` is updated in place:
unchanged files are not rewritten (output is deterministic for a given commit),
files of removed events, teams or applications are deleted, and a folder the
catalog did not write (no ``.eventbus-catalog`` marker) is refused. Above 400
events the per-event and per-application files are rendered by forked worker
processes.
"""
from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from eventbus.catalog.forked import Child, ChildFailed, can_fork, fork_call

MARKER = ".eventbus-catalog"
MANIFEST = ".eventbus-catalog-manifest.marshal"  # path -> [size, modification time (ns)] of every file the last build wrote


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
    mode: str = "full"  # full | incremental (only what the changes touch) | unchanged (nothing to do)

    @property
    def index(self) -> str:
        return os.path.join(self.out, "index.html")


@dataclass
class Memo:
    """What a process that builds one tree into one folder again and again (``eventbus catalog serve``) keeps
    between its builds instead of reading it back from disk: the load snapshot and its objects already unpickled
    (:class:`eventbus.load.snapshot.Objects`), the field rows, and the pieces the last build recorded. The pieces
    are used only while the inputs record in the folder is the one that build wrote (same size, modification time
    and inode): another build into the folder in between makes the next one read them from disk again."""

    objects: object = None  # eventbus.load.snapshot.Objects
    snap: object = None  # eventbus.load.snapshot.Snapshot, as on disk after the last build
    rows: dict | None = None
    pieces: dict | None = None
    record: tuple | None = None  # (size, mtime_ns, inode) of the inputs record the last build wrote
    found: tuple | None = None  # a survey of the folder since the last build (see check)
    inputs: object = None  # eventbus.catalog.incremental.Inputs: a scan of the tree just made, for the next build (once)
    desired: object = None  # eventbus.desired.memo.Memo: what the desired states were made of
    configs: tuple | None = None  # (the rest's digest, the stack configs loaded under it): the same objects while it holds

    def same_configs(self, configs: list, rest: str) -> list:
        """The stack configs of the last build when the files outside the event folders (the stack files among them)
        are the same, so that the desired-state memo sees the same objects; else ``configs``, kept."""
        if self.configs is not None and self.configs[0] == rest and [c.name for c in self.configs[1]] == [c.name for c in configs]:
            return list(self.configs[1])
        self.configs = (rest, tuple(configs))
        return configs

    def take_survey(self, out: str) -> tuple | None:
        """The survey :meth:`check` made of the folder since the last build, while the folder's record is still
        that build's; None: survey it now."""
        from eventbus.catalog import incremental as inc

        got, self.found = self.found, None
        if got is None or self.record is None or _file_id(os.path.join(out, inc.STATE)) != self.record:
            return None
        return got

    def check(self, out: str) -> bool:
        """Whether every file of the last build into ``out`` is as it left it; the survey this takes is the next
        build's (a serving process checks while it waits, not before each rebuild)."""
        found = _survey(out)
        intact = _intact(found[0], _read_manifest(out))
        self.found = found if intact else None
        return intact

    def take_pieces(self, out: str) -> dict | None:
        """The last build's pieces when the folder's record is still its own (the file on disk is forgotten either
        way, as :func:`eventbus.catalog.incremental.read_pieces` does); None: read them from disk."""
        from eventbus.catalog import incremental as inc

        got, self.pieces = self.pieces, None
        if got is None or self.record is None or _file_id(os.path.join(out, inc.STATE)) != self.record:
            return None
        try:
            os.unlink(os.path.join(out, inc.PIECES))
        except OSError:
            pass
        return got


def _file_id(path: str) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def check_out(out: str) -> str:
    """``out`` as an absolute folder we may write into; refuses a folder the catalog did not write."""
    out = os.path.abspath(out)
    if os.path.exists(out):
        if not os.path.isdir(out):
            raise CatalogError(f"--out {out} is a file, not a folder")
        if os.listdir(out) and not os.path.exists(os.path.join(out, MARKER)):
            raise CatalogError(f"--out {out} is not empty and was not written by `eventbus catalog build`; choose an empty or new folder")
    os.makedirs(out, exist_ok=True)
    return out


def _survey(out: str) -> tuple[dict[str, tuple[int, int]], list[str]]:
    """Every file under ``out`` (relative path -> (size, modification time ns)) and every folder, deepest first: one
    walk, which says whether the last build's files are intact (:func:`_intact`) and what to prune afterwards."""
    files: dict[str, tuple[int, int]] = {}
    folders: list[str] = []
    todo = [(out, "")]
    while todo:
        path, prefix = todo.pop()
        with os.scandir(path) as it:
            entries = list(it)
        for entry in entries:
            rel = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                folders.append(entry.path)
                todo.append((entry.path, rel + "/"))
            else:
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                files[rel] = (st.st_size, st.st_mtime_ns)
    folders.sort(key=lambda p: p.count(os.sep), reverse=True)
    return files, folders


def _intact(found: dict[str, tuple[int, int]], manifest: dict[str, list]) -> bool:
    """Whether every file of the last build is still as it left it (size and modification time)."""
    for rel, entry in manifest.items():
        got = found.get(rel)
        if got is None or type(entry) is not list or len(entry) != 2 or got[0] != entry[0] or got[1] != entry[1]:
            return False
    return True


def _files_of(found: tuple[dict[str, tuple[int, int]], list[str]] | None) -> dict[str, tuple[int, int]]:
    return found[0] if found is not None else {}


def _prune(out: str, found: tuple[dict[str, tuple[int, int]], list[str]], keep: set[str]) -> int:
    """Remove the files found before the build that it did not write (of a removed event, team, …, or not the
    catalog's), and folders left empty."""
    files, folders = found
    removed = 0
    for rel in files:
        if rel not in keep:
            try:
                os.unlink(os.path.join(out, rel))
                removed += 1
            except FileNotFoundError:
                pass
    for path in folders:  # deepest first; one that holds anything stays
        try:
            os.rmdir(path)
        except OSError:
            pass
    return removed


def _read_manifest(out: str) -> dict[str, list]:
    """The last build's manifest ({} when missing or unreadable), read back by :mod:`marshal` (which runs no code)."""
    from eventbus.catalog import incremental as inc

    got = inc.read_record(os.path.join(out, MANIFEST))
    return got if type(got) is dict else {}


class _Writer:
    """Writes files under a folder, creating each directory once. A file whose content did not change is not
    rewritten, so a rebuild only touches what changed: a file on disk of the new content's size is read back and
    compared (a rebuild renders a few megabytes; a digest of every file would cost more than that in every build).
    (Synchronous on purpose: writer threads fight the rendering thread for the GIL.)"""

    def __init__(self, base: str, fresh: bool = False):
        self.base = base
        self.fresh = fresh  # the folder was empty: nothing to compare with
        self.dirs: set[str] = set()
        self.paths: list[str] = []
        self.manifest: dict[str, list] = {}
        self.owner: str | None = None  # "e:<event ref>" / "a:<application ref>" while writing that one's files
        self.owned: dict[str, list[str]] = {}
        self.count = 0
        self.bytes = 0
        self.written = 0

    def __call__(self, rel: str, content: str | bytes) -> None:
        path = os.path.join(self.base, rel)
        d = os.path.dirname(path)
        if d not in self.dirs:
            os.makedirs(d, exist_ok=True)
            self.dirs.add(d)
        data = content.encode("utf-8") if isinstance(content, str) else content
        self.paths.append(rel)
        if self.owner is not None:
            self.owned.setdefault(self.owner, []).append(rel)
        self.count += 1
        self.bytes += len(data)
        if not self.fresh:
            try:
                st = os.stat(path)
                if st.st_size == len(data):
                    with open(path, "rb") as fh:
                        if fh.read() == data:
                            self.manifest[rel] = [len(data), st.st_mtime_ns]
                            return
            except OSError:
                pass
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0), 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            mtime = os.fstat(fd).st_mtime_ns
        finally:
            os.close(fd)
        self.manifest[rel] = [len(data), mtime]
        self.written += 1


def _render_share(exporters, events, apps, writer) -> None:
    for info in events:
        writer.owner = "e:" + info.ref
        for x in exporters:
            if x.events_in_main:
                continue
            for rel, data in x.event_files(info):
                writer(rel, data)
    for app in apps:
        writer.owner = "a:" + app.ref
        for x in exporters:
            for rel, data in x.app_files(app):
                writer(rel, data)
    writer.owner = None


def _fork_workers(exporters, events, apps, out: str, n: int, fresh: bool = False) -> list[Child]:
    """Fork ``n`` processes rendering a share of the per-event and per-application files each (they share the model
    copy-on-write); each reports ``[files, bytes, written, manifest, owned, worker pieces by exporter]``."""

    def share(i: int) -> list:
        writer = _Writer(out, fresh)
        _render_share(exporters, events[i::n], apps[i::n], writer)
        pieces = {x.name: got for x in exporters if (got := x.worker_pieces()) is not None}
        return [writer.count, writer.bytes, writer.written, writer.manifest, writer.owned, pieces]

    return [fork_call(share, i, what="rendering failed") for i in range(n)]


def _collect(procs: list[Child], owned: dict[str, list[str]], exporters) -> tuple[int, int, int, dict[str, list]]:
    files = size = written = 0
    manifest: dict[str, list] = {}
    errors = []
    for child in procs:
        try:
            got = child.result()
        except ChildFailed as exc:
            errors.append(str(exc))
            continue
        files, size, written = files + got[0], size + got[1], written + got[2]
        manifest.update(got[3])
        owned.update(got[4])
        for x in exporters:
            if x.name in got[5]:
                x.take_worker_pieces(got[5][x.name])
    if errors:
        raise CatalogError("; ".join(errors))
    return files, size, written, manifest


def _stop(procs: list[Child]) -> None:
    for child in procs:
        child.stop()


def build_catalog(root: str, out: str, stacks: list[str] | None = None, registry=None, workers: int | None = None, **kw) -> BuildResult:
    """Build the catalog of ``stacks`` (default: every ``Pulumi.<stack>.yaml``) into ``out``: see :func:`_build`.

    The garbage collector is off while the tree is loaded and modelled: that makes millions of long-lived objects
    (the registry, the desired states, the model) and almost no reference cycles, and the collector's passes over
    them were a third of the time. Rendering, which does leave cycles behind (template contexts), runs with it on,
    the model frozen out of its sight."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(root, out, stacks, registry, workers, **kw)
    finally:
        if enabled:
            gc.enable()


def _build(root: str, out: str, stacks: list[str] | None = None, registry=None, workers: int | None = None, *,
           schema_ids: dict | None = None, base_urls: dict[str, str] | None = None, today=None, stamp=None,
           exporters=None, incremental: bool = True, parse_cache: bool | None = None, memo: Memo | None = None,
           progress: Callable[[str], None] | None = None) -> BuildResult:
    """Build the catalog of ``stacks`` (default: every ``Pulumi.<stack>.yaml``) into ``out``.

    ``schema_ids``: ``{stack: {subject: {version: id}}}``, the ids the stack's registry assigned (known after a deploy;
    the pages say "assigned at deploy" without them). ``base_urls``: ``{stack: "https://…/"}``, where the stack's
    catalog is served (default: ``eventbus:catalog.url``), for the Backstage links. ``stamp``: the commit built from
    (default: the work tree's HEAD). ``today``: the date the reviewer countdowns count from (default: the commit's date).
    ``exporters``: a function of the model returning the exporters to run (default: site, AsyncAPI, Backstage).
    ``incremental``: render only what the changes since the last build into ``out`` touch
    (:mod:`eventbus.catalog.incremental`; never with a given ``registry`` or ``exporters``). ``parse_cache``: read
    the tree through the parse cache (:mod:`eventbus.load.cache`; default: unless ``EVENTBUS_NO_CACHE`` is set).
    ``memo``: what this process kept of its last build into ``out`` (:class:`Memo`; incremental builds only), updated.
    ``progress``: called with a line of text as each phase ends (scan, load, model), for a person watching."""
    from eventbus.catalog import incremental as inc
    from eventbus.catalog.exporters import default_exporters
    from eventbus.catalog.model import build_model, stamp_later
    from eventbus.desired import compute
    from eventbus.load.stacks import StackError, load_stack, stack_files

    started = time.perf_counter()
    timings: dict[str, float] = {}
    say = progress or (lambda text: None)
    names = stacks or [f[len("Pulumi.") : -len(".yaml")] for f in stack_files(root)]
    try:
        configs = [load_stack(root, n) for n in dict.fromkeys(names)]
    except StackError as exc:
        raise CatalogError(f"{exc.loc}: {exc.message} (fix: {exc.hint})") from None
    unknown = sorted(set(schema_ids or {}) - {c.name for c in configs})
    if unknown:
        raise CatalogError(f"schema ids given for stack(s) {', '.join(unknown)} that the catalog does not cover (fix: add --stack or drop them)")
    out = check_out(out)
    fresh = not os.listdir(out)
    surveying = None  # what is there before the build writes anything: walked by a child while this process reads the tree
    if not fresh and memo is None and can_fork():  # (a serving process is big: a fork would cost it more than it saves)
        try:
            surveying = fork_call(_survey, out, what="surveying the output folder")
        except OSError:
            surveying = None
    found = None if fresh or surveying is not None else (memo.take_survey(out) if memo is not None else None) or _survey(out)

    def survey() -> tuple[dict[str, tuple[int, int]], list[str]] | None:
        nonlocal surveying, found
        if surveying is not None:
            child, surveying = surveying, None
            try:
                got = child.result()
                found = ({k: tuple(v) for k, v in got[0].items()}, list(got[1]))
            except (ChildFailed, TypeError, IndexError, AttributeError):
                found = _survey(out)
        return found

    try:
        previous = {} if fresh else _read_manifest(out)
        pending = stamp_later(root) if stamp is None else None  # git answers while the tree is scanned
        inputs = state = changed = scanned = None
        apps_changed: set[str] = set()
        if not (incremental and registry is None and exporters is None):
            memo = None
        if parse_cache is None:
            from eventbus.load.cache import enabled as cache_enabled

            parse_cache = cache_enabled()
        if incremental and registry is None and exporters is None:
            state = None if fresh else inc.read_state(out)
            scanned = memo.inputs if memo is not None else None
            if memo is not None:
                memo.inputs = None
            if scanned is None:  # a folder without a record of its own (a new one): the statuses of the tree's last full scan, if kept
                known = state if state is not None else (inc.read_scan_record(root) if parse_cache else None)
                scanned = inc.scan(root, {}, known)  # under the options below
        if pending is not None:
            stamp = pending()
        assert stamp is not None
        # the date the countdowns count from, fixed here: of an unversioned tree it is the calendar's, and a page rendered
        # yesterday must not be kept today
        today = today or stamp.date or _today()
        if scanned is not None:
            options = {"stacks": [c.name for c in configs], "schema_ids": schema_ids, "base_urls": base_urls, "today": today, "stamp": stamp}
            inputs = inc.with_options(scanned, options)
            changed = inc.changed_events(state, inputs)
            apps_changed = inc.changed_apps(state, inputs) if changed is not None else set()
            if changed is not None and not previous:
                changed = None  # no manifest: render everything
            if changed == set() and not apps_changed and not _intact(_files_of(survey()), previous):
                changed = None  # a file of the last build was changed or removed by hand: render everything
            timings["scan"] = time.perf_counter() - started
            say(f"scanned the tree: {len(inputs.stats):,} files, "
                + ("a full build" if changed is None else f"{len(changed):,} event(s) and {len(apps_changed):,} application(s) changed"))
            if changed == set() and not apps_changed:  # nothing changed since the last build, and its files are as it left them
                assert state is not None
                if state.get("files") != inputs.stats:  # same contents, other statuses (touched, checked out again, ...)
                    mine = memo is not None and memo.record is not None and _file_id(os.path.join(out, inc.STATE)) == memo.record
                    inc.restat(out, state, inputs)  # so that the next scan need not read those files again
                    if mine:
                        memo.record = _file_id(os.path.join(out, inc.STATE))
                return BuildResult(out=out, events=len(state["events"]), apps=len(state["apps"]), teams=int(state.get("teams", 0)),
                                   stacks=[c.name for c in configs], files=len(previous), bytes=sum(v[0] for v in previous.values()),
                                   seconds=time.perf_counter() - started, load_problems=int(state.get("problems", 0)), timings=timings,
                                   mode="unchanged")
        problems = 0
        t = time.perf_counter()
        snap = keeper = None  # the load snapshot to keep (eventbus.load.snapshot), or the child keeping it
        if registry is None:
            from eventbus.load import snapshot
            from eventbus.load.registry import load_registry

            objects = None
            if memo is not None and parse_cache and inputs is not None:
                objects = memo.objects = memo.objects or snapshot.Objects()
            got = None
            if parse_cache and inputs is not None:
                known = memo.snap if memo is not None and memo.snap is not None and memo.snap.rest == inputs.rest else None
                known = known or snapshot.read(root, inputs.rest)
                got = snapshot.registry_from(root, known, inputs.events, inputs.rest, objects)
            if got is not None:  # the event folders that changed are read again, the rest taken from the last build's load
                registry, problems, snap = got
                if memo is not None:
                    memo.snap = snap or known
            else:
                if parse_cache:
                    from eventbus.load.cache import load_registry_cached

                    loaded = load_registry_cached(root, inputs.files if inputs is not None else None)
                else:
                    loaded = load_registry(root)
                registry = loaded.registry
                problems = snapshot.errors_in(loaded.findings)
                if parse_cache and inputs is not None:  # pickling every event: beside this process's work on a big tree
                    if len(registry.events) >= 400 and can_fork() and memo is None:
                        keeper = fork_call(_keep_snapshot, root, loaded, inputs, what="keeping the load snapshot")
                    else:
                        snap = snapshot.of_load(loaded, inputs.events, inputs.rest, objects)
                        if memo is not None:
                            memo.snap = snap
        timings["load"] = time.perf_counter() - t
        say(f"loaded {len(registry.events):,} events and {len(registry.consumers):,} applications")
        t = time.perf_counter()
        if memo is not None and inputs is not None:
            from eventbus.desired.memo import Memo as DesiredMemo

            configs = memo.same_configs(configs, inputs.rest)
            memo.desired = memo.desired or DesiredMemo()
        states = [(c, compute(registry, c, memo.desired if memo is not None else None)) for c in configs]
        rows_file = inc.rows_cache_file() if parse_cache else None
        rows = memo.rows if memo is not None and memo.rows is not None and rows_file else (inc.read_rows(rows_file) if rows_file else None)
        n_rows = len(rows) if rows is not None else 0
        cat = build_model(registry, states, schema_ids=schema_ids, base_urls=base_urls, today=today, stamp=stamp, rows=rows)
        if rows is not None and (len(rows) != n_rows or len(rows) > 2 * sum(len(i.versions) + 1 for i in cat.events) + 1000):
            used = {(v.version.digest, v.version.schema is not None, i.declared) for i in cat.events for v in i.versions}
            used |= {(i.event.key_schema.digest, i.event.key_schema.schema is not None, ()) for i in cat.events if i.event.key_schema is not None}
            rows = {k: v for k, v in rows.items() if k in used}
            inc.write_rows(rows_file, rows)
        if memo is not None:
            memo.rows = rows
        xs = (exporters or default_exporters)(cat)
        if changed is not None and not _intact(_files_of(survey()), previous):
            changed = None  # a file of the last build was changed or removed by hand: render everything
        plan = inc.plan(state, changed, cat, previous, apps_changed) if state is not None and changed is not None else None
        if plan is not None:
            events = [i for i in cat.events if i.ref in plan.events]
            apps = [a for a in cat.apps.values() if a.ref in plan.apps]
        else:
            events, apps = cat.events, list(cat.apps.values())
        timings["model"] = time.perf_counter() - t
        # the model is millions of long-lived objects: keep the garbage collector from re-scanning them while
        # rendering (and from dirtying their pages in the forked workers)
        gc.freeze()
        gc.enable()
        try:
            t = time.perf_counter()
            if plan is not None:  # the whole-catalog files of kept events are assembled from the last build's pieces
                stored = memo.take_pieces(out) if memo is not None else None
                if stored is None:
                    stored = inc.read_pieces(out, forget=True)
                for x in xs:
                    x.reuse(stored.get(x.name, {}), plan.events, plan.apps)
            n_workers = workers if workers is not None else _default_workers(len(events))
            say(f"rendering the pages of {len(events):,} event(s) and {len(apps):,} application(s)"
                + (f" in {n_workers} processes" if n_workers > 1 else ""))
            # forked first, while this process runs no other thread; the workers render the per-event and per-application
            # files while this process renders the indexes, lists, maps and whole-bus documents
            procs = _fork_workers(xs, events, apps, out, n_workers, fresh) if n_workers > 1 else []
            writer = _Writer(out, fresh)
            owned: dict[str, list[str]] = {}
            extra: tuple = (0, 0, 0, {})
            try:
                writer(MARKER, "Written by `eventbus catalog build`: files it did not write are removed on the next build.\n")
                if not procs:
                    _render_share(xs, events, apps, writer)
                for x in xs:
                    if x.events_in_main:
                        for info in events:
                            writer.owner = "e:" + info.ref
                            for rel, data in x.event_files(info):
                                writer(rel, data)
                        writer.owner = None
                for x in xs:
                    for rel, data in x.whole():
                        writer(rel, data)
                if procs:
                    extra = _collect(procs, owned, xs)
                    procs = []
            finally:
                if procs:
                    _stop(procs)
            timings["render"] = time.perf_counter() - t
            t3 = time.perf_counter()
            for k, v in writer.owned.items():
                owned.setdefault(k, []).extend(v)
            kept = plan.kept if plan is not None else {}
            manifest = {**kept, **writer.manifest, **extra[3]}
            inc.write_record(os.path.join(out, MANIFEST), dict(sorted(manifest.items())))
            if inputs is not None:  # the pieces first: a build stopped in between leaves pieces no older than the record
                pieces = {x.name: got for x in xs if (got := x.pieces())}
                if memo is not None:
                    memo.pieces = memo.record = None
                inc.write_pieces(out, pieces)
                inc.write_state(out, inputs, cat, owned, state, plan, problems)
                if parse_cache and plan is None:  # for the next build into a new folder (a rebuild has its folder's record)
                    inc.write_scan_record(root, inputs)
                if memo is not None and os.path.exists(os.path.join(out, inc.PIECES)):
                    memo.pieces, memo.record = pieces, _file_id(os.path.join(out, inc.STATE))
            else:  # built from a given registry or with other exporters: the next build renders everything
                for name in (inc.STATE, inc.PIECES):
                    try:
                        os.unlink(os.path.join(out, name))
                    except FileNotFoundError:
                        pass
            # a folder that was empty holds only what this build wrote
            got = None if fresh else survey()
            removed = 0 if got is None else _prune(out, got, set(manifest) | {MANIFEST, inc.STATE, inc.PIECES})
            if snap is not None:
                from eventbus.load import snapshot

                snapshot.write(root, snap)
            if keeper is not None:
                try:
                    keeper.result()
                except ChildFailed:  # no snapshot this time: the next build loads the tree whole
                    pass
                keeper = None
            timings["prune"] = time.perf_counter() - t3
        finally:
            if keeper is not None:
                keeper.stop()
            gc.disable()
            gc.unfreeze()
        return BuildResult(
            out=os.path.abspath(out),
            events=len(cat.events),
            apps=len(cat.apps),
            teams=len(cat.teams),
            stacks=[c.name for c in configs],
            files=len(manifest),
            bytes=sum(v[0] for v in manifest.values()),
            written=writer.written + extra[2],
            removed=removed,
            seconds=time.perf_counter() - started,
            load_problems=problems,
            timings=timings,
            mode="incremental" if plan is not None else "full",
        )
    finally:
        if surveying is not None:  # the build failed before it needed the survey
            surveying.stop()


def _keep_snapshot(root: str, loaded, inputs) -> None:
    from eventbus.load import snapshot

    snapshot.write(root, snapshot.of_load(loaded, inputs.events, inputs.rest))


def _today():
    import datetime as dt

    return dt.date.today()


def _default_workers(n_events: int) -> int:
    if n_events < 400 or not can_fork():
        return 1
    return max(1, min(4, os.cpu_count() or 1))


