"""Incremental rebuilds: which pages a change of the registry touches.

Every build leaves a record of its inputs in the output folder (``.eventbus-catalog-inputs.marshal``, read back by
:mod:`marshal`, which runs no code, and sealed with the digest of its bytes like the pieces and the manifest:
:func:`read_record`):

* ``shared``: one digest of everything that is not an event folder or an application's file: the catalog's code
  (every file of the ``eventbus`` package: Python, templates, static assets, JSON Schemas), the stack files, teams,
  adoption records, any other file under ``consumers/``, and the build's options (stacks, schema ids, base URLs,
  commit stamp, date);
* ``app_inputs``: per application, the digest of its file ``consumers/<team>/<application>.yaml``;
* per event: the digest of its folder (every file, by name and content), the files the build wrote for it,
  the applications whose pages show it (its producers and subscribers) and the events it is linked with
  (``replaced_by`` both ways, the same page name, the same topic on a stack: :func:`links`);
* per application: the files the build wrote for it.

The record also holds each input file's status (size, modification and change times, inode) and digest: the next
scan reads again only the files whose status changed, or that changed within two seconds before the last scan
began (a change in the same timestamp tick would not show), as git's index and make do; a build into a folder
without a record (a new one) takes those statuses from the tree's last full build, kept in the user's cache
(:func:`read_scan_record`). The next build compares. When ``shared`` differs (or the record is missing, unreadable, of another version, or a
file of the last build was changed or removed by hand) everything is rendered again. Otherwise only the changed
events (edited, added, removed), the events the changed applications' files are linked with, the events linked with
those, and the applications of all of them and the changed ones (as the last build recorded them and as they are now)
are rendered; the files of every other event and application are kept as they
are, and the whole-catalog files (indexes, search data, maps, team pages, reviews, the bus documents) are always
rendered. An exporter may assemble whole-catalog files from pieces (the AsyncAPI bus document from each event's channels,
operations, messages and schemas; ``catalog-info.yaml`` from each entity's document; the events index, the search
data and the sensitive review from each event's row, entry and section; the team pages and domain maps whole): the pieces are recorded with the build (``.eventbus-catalog-pieces.marshal``), and a rebuild reuses
those of the events and applications whose files it keeps, since they depend on nothing that changed. Written files are still compared with what is on disk, so an unchanged page is never rewritten.
``tests/catalog/test_incremental.py`` checks that a rebuild is byte-identical to a cold build after each kind of
change.
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from dataclasses import dataclass, field

STATE = ".eventbus-catalog-inputs.marshal"
PIECES = ".eventbus-catalog-pieces.marshal"  # per exporter, per event: what its whole-catalog files are assembled from
VERSION = 2  # 2: an event's linked events include those that name its topic; applications' files are inputs of their own
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # infra/eventbus
_code: str | None = None


def _h() -> hashlib.blake2b:
    return hashlib.blake2b(digest_size=16)


RACY_NS = 2_000_000_000  # a file changed this close to the last scan may have changed again within its timestamp's tick


class _Known:
    """What the last scan read of each file (``state["files"]``: relative path -> [size, mtime_ns, ctime_ns, inode,
    digest]) and when it began: a file whose status is unchanged, and whose last change is older than that scan by
    more than ``RACY_NS``, is not read again (the rule of git's index and of make)."""

    def __init__(self, root: str, state: dict | None):
        files = state.get("files") if isinstance(state, dict) else None
        began = state.get("scanned") if isinstance(state, dict) else None
        self.cut = len(root.rstrip(os.sep)) + 1
        self.files = files if isinstance(files, dict) and isinstance(began, int) else {}
        self.before = began - RACY_NS if self.files and isinstance(began, int) else 0
        self.now: dict[str, list] = {}

    def digest(self, path: str, st: os.stat_result) -> str | None:
        got = self.files.get(path[self.cut:])
        if (type(got) is list and len(got) == 5 and got[0] == st.st_size and got[1] == st.st_mtime_ns and got[2] == st.st_ctime_ns
                and got[3] == st.st_ino and st.st_mtime_ns < self.before and st.st_ctime_ns < self.before and type(got[4]) is str):
            return got[4]
        return None

    def record(self, path: str, st: os.stat_result, digest: str) -> None:
        self.now[path[self.cut:]] = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, digest]


class _Both:
    """Two digests fed the same bytes."""

    __slots__ = ("a", "b")

    def __init__(self, a: hashlib.blake2b, b: hashlib.blake2b):
        self.a, self.b = a, b

    def update(self, data: bytes) -> None:
        self.a.update(data)
        self.b.update(data)


def _add_file(h: hashlib.blake2b | _Both, path: str, rel: str, seen: dict | None = None, known: _Known | None = None,
              st: os.stat_result | None = None) -> None:
    """Add a file (its name and the digest of its bytes) to ``h``; ``seen`` gets (size, mtime_ns, digest) of what was
    read, ``known`` says which files need not be read again and records what was. ``st``: the file's ``lstat``."""
    h.update(rel.encode("utf-8", "surrogateescape") + b"\0")
    try:
        if st is None:
            st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            h.update(b"L" + os.readlink(path).encode("utf-8", "surrogateescape"))
        elif not stat.S_ISREG(st.st_mode):  # a FIFO, socket or device: its kind (opening a FIFO would wait for a writer)
            h.update(b"S" + str(stat.S_IFMT(st.st_mode)).encode())
        else:
            digest = known.digest(path, st) if known is not None else None
            if digest is None:
                with open(path, "rb") as fh:
                    st = os.fstat(fh.fileno())
                    digest = hashlib.blake2b(fh.read(), digest_size=16).hexdigest()
            h.update(b"F" + digest.encode())
            if seen is not None:
                seen[path] = (st.st_size, st.st_mtime_ns, digest)
            if known is not None and stat.S_ISREG(st.st_mode):
                known.record(path, st, digest)
    except OSError as exc:
        h.update(b"E" + str(exc.errno).encode())
    h.update(b"\0")


def _walk(top: str, base: str) -> list[tuple[str, str, os.stat_result | None]]:
    """(path, relative path, ``lstat``) of every file under ``top`` (a symbolic link is one, whatever it points to),
    sorted by relative path, hidden folders and caches left out."""
    out: list[tuple[str, str, os.stat_result | None]] = []
    cut = len(base.rstrip(os.sep)) + 1
    todo = [top]
    while todo:
        d = todo.pop()
        try:
            entries = list(os.scandir(d))
        except OSError:
            continue
        for entry in entries:
            try:
                folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                folder = False
            if folder:
                if not entry.name.startswith(".") and entry.name != "__pycache__":
                    todo.append(entry.path)
                continue
            try:
                st: os.stat_result | None = entry.stat(follow_symlinks=False)
            except OSError:
                st = None
            p = entry.path
            out.append((p, p[cut:].replace(os.sep, "/"), st))
    out.sort(key=lambda x: x[1])
    return out


def code_digest() -> str:
    """The digest of the code that renders the catalog: every file of the ``eventbus`` package."""
    global _code
    if _code is None:
        h = _h()
        for p, rel, st in _walk(_PACKAGE, _PACKAGE):
            if not rel.endswith((".pyc", ".pyo")):
                _add_file(h, p, rel, st=st)
        _code = h.hexdigest()
    return _code


@dataclass
class Inputs:
    shared: str  # everything but the event folders and the applications' files (with the code and the options)
    events: dict[str, str]  # "<domain>/<event>" -> digest of its folder
    files: dict[str, tuple[int, int, str]] = field(default_factory=dict)  # path -> (size, mtime_ns, digest) as read (the parse cache's keys)
    stats: dict[str, list] = field(default_factory=dict)  # relative path -> [size, mtime_ns, ctime_ns, inode, digest] (see _Known)
    scanned: int = 0  # when the scan began (ns since the epoch)
    rest: str = ""  # digest of the files outside the event folders alone (what a load snapshot is valid for)
    apps: dict[str, str] = field(default_factory=dict)  # "<team>/<application>" -> digest of consumers/<team>/<application>.yaml
    common: str = ""  # digest of the files outside the event folders but the applications' (what ``shared`` is made of)


def scan(root: str, options: dict, state: dict | None = None) -> Inputs:
    """Digests of the tree's inputs: one for everything but the event folders (with ``options`` and the code; and
    ``rest``, of those files alone), one per event folder. ``state``: the last build's record, whose file statuses
    spare reading the files that did not change."""
    scanned = time.time_ns()
    root = os.path.abspath(root)
    known = _Known(root, state)
    outside = _h()  # the files outside the event folders
    common = _h()  # those but the applications' files
    both = _Both(outside, common)
    events: dict[str, str] = {}
    apps: dict[str, str] = {}
    seen: dict[str, tuple[int, int, str]] = {}
    try:
        names = sorted(os.listdir(root))
    except OSError:
        names = []
    for name in names:
        path = os.path.join(root, name)
        if name == "events" and os.path.isdir(path) and not os.path.islink(path):
            for domain in sorted(os.listdir(path)):
                dpath = os.path.join(path, domain)
                if not os.path.isdir(dpath) or os.path.islink(dpath):
                    _add_file(both, dpath, f"events/{domain}")
                    continue
                for ev in sorted(os.listdir(dpath)):
                    epath = os.path.join(dpath, ev)
                    if not os.path.isdir(epath) or os.path.islink(epath):
                        _add_file(both, epath, f"events/{domain}/{ev}")
                        continue
                    h = _h()
                    for p, rel, st in _walk(epath, epath):
                        _add_file(h, p, rel, seen, known, st)
                    events[f"{domain}/{ev}"] = h.hexdigest()
        elif name in ("teams", "consumers", "adopt") and os.path.isdir(path) and not os.path.islink(path):
            for p, rel, st in _walk(path, root):
                ref = _app_of(rel, st) if name == "consumers" else None
                if ref is None:
                    _add_file(both, p, rel, seen, known, st)
                    continue
                h = _h()
                _add_file(h, p, rel, seen, known, st)
                apps[ref] = digest = h.hexdigest()
                outside.update(f"A{ref}\0{digest}\0".encode("utf-8", "surrogateescape"))
        elif name.startswith("Pulumi.") and name.endswith(".yaml"):
            _add_file(both, path, name, seen, known)
    rest = outside.hexdigest()
    return Inputs(_shared(common.hexdigest(), options), events, seen, known.now, scanned, rest, apps, common.hexdigest())


def _app_of(rel: str, st: os.stat_result | None) -> str | None:
    """The application whose file ``consumers/<team>/<application>.yaml`` is (a regular file, as the loader reads
    them), or None for any other file under ``consumers/`` (part of the shared inputs)."""
    parts = rel.split("/")
    if len(parts) != 3 or not parts[2].endswith(".yaml") or st is None or not stat.S_ISREG(st.st_mode):
        return None
    return f"{parts[1]}/{parts[2][:-5]}"


def _shared(common: str, options: dict) -> str:
    whole = _h()
    whole.update(code_digest().encode() + b"\0" + common.encode() + b"\0")
    whole.update(json.dumps(options, sort_keys=True, default=str).encode())
    return whole.hexdigest()


def with_options(inputs: Inputs, options: dict) -> Inputs:
    """``inputs`` (of a :func:`scan` under any options) as a scan under ``options`` gives them."""
    return Inputs(_shared(inputs.common, options), inputs.events, inputs.files, inputs.stats, inputs.scanned, inputs.rest,
                  inputs.apps, inputs.common)


def known_of(inputs: Inputs) -> dict:
    """What :func:`scan` needs of an earlier scan to spare reading the files that did not change since."""
    return {"files": inputs.stats, "scanned": inputs.scanned}


@dataclass
class Plan:
    """What an incremental build renders: ``events`` and ``apps`` (refs); the files of all others are ``kept``."""

    events: set[str]
    apps: set[str]
    kept: dict[str, list] = field(default_factory=dict)  # manifest entries of the files kept from the last build
    links: dict = field(default_factory=dict)  # links(cat) of this build


MAX_RECORD_BYTES = 1 << 32  # the inputs record, the pieces and the manifest of a folder (tens of MB at 10,000 events)


def read_record(path: str) -> object:
    """A record :func:`write_record` wrote in the output folder, read back by :mod:`marshal` (which runs no code);
    None when it is missing, unreadable or damaged (it begins with the digest of the rest, so damage that marshal
    would still read is seen)."""
    import marshal

    from eventbus.load.cache import read_sealed

    try:
        body = read_sealed(path, MAX_RECORD_BYTES)
        return marshal.loads(body) if body is not None else None
    except Exception:  # noqa: BLE001 - a truncated or foreign record is none
        return None


def write_record(path: str, data: object) -> None:
    """Write a record of the output folder (marshal data, sealed with its digest), whole or not at all."""
    import marshal

    from eventbus.load.cache import write_sealed

    write_sealed(path, marshal.dumps(data))


def read_state(out: str) -> dict | None:
    got = read_record(os.path.join(out, STATE))
    if not isinstance(got, dict) or got.get("v") != VERSION or not isinstance(got.get("events"), dict) or not isinstance(got.get("apps"), dict):
        return None
    return got


def changed_events(state: dict | None, inputs: Inputs) -> set[str] | None:
    """The events whose folder changed, was added or removed since the last build; None: render everything."""
    if state is None or state.get("shared") != inputs.shared:
        return None
    before = {ref: v[0] for ref, v in state["events"].items() if isinstance(v, list) and v}
    return {ref for ref in before.keys() | inputs.events.keys() if before.get(ref) != inputs.events.get(ref)}


def changed_apps(state: dict | None, inputs: Inputs) -> set[str]:
    """The applications whose file changed, was added or removed since the last build (with :func:`changed_events`,
    which says whether anything else changed)."""
    before = state.get("app_inputs") if isinstance(state, dict) else None
    if not isinstance(before, dict):
        before = {}
    return {ref for ref in before.keys() | inputs.apps.keys() if before.get(ref) != inputs.apps.get(ref)}


def links(cat) -> dict[str, tuple[list[str], list[str]]]:
    """Per event: (the applications whose pages show it, the events its page is linked with by lifecycle, whose
    names give its slug, or that name its topic on a stack). An application's page shows the events it produces, subscribes to and holds an OBI approval
    for (a link while the event exists)."""
    from eventbus.catalog.model import producer_ref, slug

    approved: dict[str, set[str]] = {}  # event -> applications whose pages list an OBI approval for it
    for a in cat.apps.values():
        k = a.consumer.compliance if a.consumer is not None else None
        for o in (k.obi_approvals if k is not None else ()):
            approved.setdefault(o.event, set()).add(a.ref)
    same_slug: dict[str, set[str]] = {}  # events whose names give one slug: adding or removing one renames another
    slugs = {}
    for info in cat.events:
        ref = info.ref
        slugs[ref] = got = slug(f"{info.event.domain}-{info.event.name}")
        same_slug.setdefault(got, set()).add(ref)
    on_topic: dict[tuple[str, str], set[str]] = {}  # (stack, topic) -> events: a page shows its topic's readers and writers
    for v in cat.stacks:
        for info in cat.events:
            if (t := v.topic(info.ref)) is not None:
                on_topic.setdefault((v.name, t.name), set()).add(info.ref)
    sharing: dict[str, set[str]] = {}  # events whose topic another event names too (the gate refuses it; a build shows it)
    for refs in on_topic.values():
        if len(refs) > 1:
            for ref in refs:
                sharing.setdefault(ref, set()).update(refs - {ref})
    out = {}
    for info in cat.events:
        e, ref = info.event, info.ref
        apps = sorted({producer_ref(e, p) for p in e.producers} | set(info.consumer_refs) | approved.get(ref, set()))
        same = same_slug[slugs[ref]]
        near = (sorted({i.ref for i in info.replaces} | ({info.replaced_by.ref} if info.replaced_by else set()) | (same - {ref})
                       | sharing.get(ref, set()))
                if len(same) > 1 or info.replaces or info.replaced_by or ref in sharing else [])
        out[ref] = (apps, near)
    return out


def plan(state: dict, changed: set[str], cat, manifest: dict[str, list], changed_apps: set[str] | frozenset[str] = frozenset()) -> Plan:
    """The events and applications to render after ``changed`` events and the files of ``changed_apps`` changed, and
    the files kept from the last build. An application's file is shown on its own page and on the pages of the events
    it is linked with (as the last build recorded them and as they are now: what it produces, subscribes to, holds an
    approval for), and through them on their other applications' pages."""
    now = links(cat)
    old = state["events"]
    touched = set(changed)  # the events whose pages the changes reach directly
    if changed_apps:
        for ref, o in old.items():
            if isinstance(o, list) and len(o) > 2 and changed_apps.intersection(o[2]):
                touched.add(ref)
        touched.update(ref for ref, (apps_now, _near) in now.items() if changed_apps.intersection(apps_now))
    events = set(touched)
    for ref in touched:
        o = old.get(ref)
        if isinstance(o, list) and len(o) > 3:
            events.update(o[3])  # the events it was linked with
        if ref in now:
            events.update(now[ref][1])  # and those it is linked with now
    apps: set[str] = set(changed_apps)
    for ref in events:
        o = old.get(ref)
        if isinstance(o, list) and len(o) > 2:
            apps.update(o[2])
        if ref in now:
            apps.update(now[ref][0])
    kept: dict[str, list] = {}
    for ref, v in old.items():
        if ref not in events and ref in now:
            for rel in v[1]:
                if rel in manifest:
                    kept[rel] = manifest[rel]
    for ref, files in state["apps"].items():
        if ref not in apps and ref in cat.apps:
            for rel in files:
                if rel in manifest:
                    kept[rel] = manifest[rel]
    return Plan({r for r in events if r in now}, {a for a in apps if a in cat.apps}, kept, now)


def write_state(out: str, inputs: Inputs, cat, owned: dict[str, list[str]], previous: dict | None, plan_: Plan | None, problems: int = 0) -> None:
    """Record this build's inputs and, per event and application, the files it wrote (or kept)."""
    now = plan_.links if plan_ is not None and plan_.links else links(cat)
    events = {}
    for info in cat.events:
        ref = info.ref
        files = owned.get("e:" + ref)
        if files is None and plan_ is not None and previous is not None:
            files = previous["events"].get(ref, [None, []])[1]
        apps, near = now[ref]
        events[ref] = [inputs.events.get(ref, ""), sorted(files or []), apps, near]
    apps_files = {}
    for ref in cat.apps:
        files = owned.get("a:" + ref)
        if files is None and plan_ is not None and previous is not None:
            files = previous["apps"].get(ref, [])
        apps_files[ref] = sorted(files or [])
    _write_record(out, {"v": VERSION, "shared": inputs.shared, "events": events, "apps": apps_files, "app_inputs": inputs.apps, "teams": len(cat.teams),
                        "problems": problems, "files": inputs.stats, "scanned": inputs.scanned})


def _write_record(out: str, data: dict) -> None:
    write_record(os.path.join(out, STATE), data)


def restat(out: str, state: dict, inputs: Inputs) -> None:
    """Record the file statuses of a scan that found the same contents as the last build's (an unchanged build
    writes nothing else)."""
    _write_record(out, {**state, "files": inputs.stats, "scanned": inputs.scanned})


def read_pieces(out: str, forget: bool = False) -> dict[str, dict[str, object]]:
    """The pieces the last build into ``out`` recorded (``{exporter name: {event ref: piece}}``); {} when missing or unreadable.
    Read back by :mod:`marshal` (which runs no code); each exporter checks the shape of its own. ``forget``: remove the
    file once read, so that a build stopped before it records its own leaves none behind."""
    path = os.path.join(out, PIECES)
    try:
        got = read_record(path)
    finally:
        if forget:
            try:
                os.unlink(path)
            except OSError:
                pass
    if not isinstance(got, dict) or got.get("v") != VERSION or got.get("code") != code_digest() or not isinstance(got.get("pieces"), dict):
        return {}
    return {k: v for k, v in got["pieces"].items() if isinstance(k, str) and isinstance(v, dict)}


def write_pieces(out: str, pieces: dict[str, dict[str, object]]) -> None:
    """Record this build's pieces; nothing (and no stale file) when they are not all plain values."""
    import marshal

    path = os.path.join(out, PIECES)
    try:
        data = marshal.dumps({"v": VERSION, "code": code_digest(), "pieces": pieces})
    except ValueError:
        data = None
    if data is None or not pieces:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        return
    from eventbus.load.cache import write_sealed

    write_sealed(path, data)


# -- the file statuses of a tree's last scan, kept between builds into any folder -------------------------------------
def scan_record_file(root: str) -> str | None:
    """Where the file statuses of the last full scan of ``root`` are kept (beside the load snapshot), or None when
    caches are off."""
    from eventbus.load.cache import cache_root, enabled

    if not enabled():
        return None
    from eventbus.load.snapshot import tree_name

    return os.path.join(cache_root(), "catalog", f"scan-{tree_name(root)}.marshal")


MAX_SCAN_BYTES = 1 << 30


def read_scan_record(root: str) -> dict | None:
    """What :func:`scan` needs of the last full scan of ``root`` (:func:`known_of`), for a build into a folder that
    holds no record of its own (a new folder): None when there is none, or it is unreadable, damaged or not this
    user's alone (the parse cache's rules). Its entries are checked as the folder's are (:class:`_Known`): a file
    whose status differs in any way is read again."""
    import marshal

    from eventbus.load.cache import read_private

    path = scan_record_file(root)
    if path is None:
        return None
    try:
        body = read_private(path, MAX_SCAN_BYTES)
        got = marshal.loads(body) if body is not None else None
    except Exception:  # noqa: BLE001 - a missing, truncated or foreign record is none
        return None
    if type(got) is not dict or got.get("v") != VERSION or type(got.get("files")) is not dict or type(got.get("scanned")) is not int:
        return None
    return {"files": got["files"], "scanned": got["scanned"]}


def write_scan_record(root: str, inputs: Inputs) -> None:
    """Keep the file statuses of this scan of ``root`` (whole or not at all; skipped when it cannot be written)."""
    import marshal

    from eventbus.load.cache import forget_stale, write_private

    path = scan_record_file(root)
    if path is None:
        return
    try:
        data = marshal.dumps({"v": VERSION, "files": inputs.stats, "scanned": inputs.scanned})
    except ValueError:
        return
    write_private(path, data)
    forget_stale(os.path.dirname(path), [path], "scan-")  # records of trees not built for 30 days


# -- the field tables of schema versions, kept between builds ----------------------------------------------------------
def rows_cache_file() -> str | None:
    """Where the field rows of every schema version seen are kept (beside the parse cache), or None when caches are off."""
    from eventbus.load.cache import cache_root, enabled

    if not enabled():
        return None
    return os.path.join(cache_root(), "catalog", f"rows-{code_digest()}.marshal")


MAX_ROWS_BYTES = 1 << 30


def read_rows(path: str | None) -> dict:
    """``{(schema digest, parsed, declared fields): [FieldRow, ...]}``; {} when missing, unreadable, damaged, not this
    user's alone (:func:`eventbus.load.cache.read_private`: a file others may write could have been planted) or of
    unexpected shape. Rows
    are kept as plain tuples read back by :mod:`marshal`, which runs no code and builds no class instances."""
    import marshal

    from eventbus.catalog.schema_view import FieldRow
    from eventbus.load.cache import read_private

    if path is None:
        return {}
    try:
        data = read_private(path, MAX_ROWS_BYTES)
        if data is None:
            return {}
        got = marshal.loads(data)
        n = len(FieldRow._fields)
        make = tuple.__new__
        return {k: [make(FieldRow, t) for t in v] for k, v in got.items()
                if type(k) is tuple and type(v) is list and all(type(t) is tuple and len(t) == n for t in v)}
    except Exception:  # noqa: BLE001 - a missing, truncated or foreign cache is an empty one
        return {}


def write_rows(path: str | None, rows: dict) -> None:
    import marshal

    from eventbus.load.cache import write_private

    if path is None:
        return
    d = os.path.dirname(path)
    try:
        for old in os.listdir(d):  # rows of other code versions
            if old.startswith("rows-") and os.path.join(d, old) != path:
                os.unlink(os.path.join(d, old))
    except OSError:
        pass
    plain = {k: [tuple(r) for r in v] for k, v in rows.items()}
    try:
        data = marshal.dumps(plain)
    except ValueError:  # a value marshal cannot write: no cache this time
        return
    write_private(path, data)
