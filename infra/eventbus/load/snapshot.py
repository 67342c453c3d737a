"""What the last catalog build loaded from a tree, kept so that the next build reloads only the event folders that changed.

    snap = read(root)                                       # None: none, damaged, of other code, not the user's alone
    got = registry_from(root, snap, digests, rest_digest)  # (registry, errors, snapshot to write), or None
    write(root, got[2])

Loading a tree of 1,000 events through the parse cache still builds every model object from the cached parse
results (a quarter of a second); a build after one event changed needs only that event's. The snapshot holds:

* per event folder, under the digest of the folder's files (names and bytes, as the catalog's scan digests them):
  the :class:`~eventbus.model.registry.Event` the loader made of it (None when the folder could not be loaded) and
  how many error findings reading it gave;
* under the digest of everything else the loader reads (teams, applications, adoption records, stack files, the
  layout of ``events/``): the teams, applications, stacks and adoption records, and their error count.

An event whose folder digest is the one recorded is taken from the snapshot; every other is read again
(:meth:`~eventbus.load.registry.TreeLoader.load_event`, which reads nothing outside its folder). When the rest's
digest differs the snapshot is not used at all. The result is the registry a full load gives (the same objects, in
the same order); findings are not kept, only their number, which is what the catalog reports. The gate never
reads a snapshot: it always loads the tree.

Where: ``<cache root>/catalog/load-<digest of the root>.{rest,00…15}.bin`` (:func:`eventbus.load.cache.cache_root`;
the events in 16 shards by ref, so that a rebuild rewrites few). The parse cache's rules hold: files are written
atomically; a file or folder that is not the user's alone is neither read nor written; each file begins with the
digest of the rest; a snapshot of other code (the parse cache's code version) is not used; snapshots of trees
not built for 30 days are removed. The objects are
pickled, and read back by an unpickler that builds only the model's own data classes and enums
(:mod:`eventbus.model`) and dates; anything else in the data refuses the whole snapshot. ``EVENTBUS_NO_CACHE=1``
turns it off.
"""
from __future__ import annotations

import dataclasses
import enum
import hashlib
import io
import marshal
import os
import pickle
from dataclasses import dataclass
from typing import Any

VERSION = 1
MAX_BYTES = 1 << 31
SHARDS = 16  # the events are spread over this many files (by ref), so a rebuild rewrites the few that changed
_MODEL_MODULES = frozenset({"eventbus.model.registry", "eventbus.model.stack", "eventbus.model.adoption", "eventbus.model.findings"})
_DATES = frozenset({"date", "datetime", "time", "timedelta", "timezone"})


@dataclass
class Snapshot:
    rest: str  # digest of everything the loader reads but the event folders (see module docstring)
    events: dict[str, tuple[str, bytes]]  # "<domain>/<event>" -> (digest of its folder, pickled (Event | None, errors))
    others: bytes  # pickled (teams, consumers, stacks, adoptions, errors)
    dirty: frozenset[int] | None = None  # the event shards that differ from those on disk (None: every file)


def tree_name(root: str) -> str:
    """The name a tree's cache files carry: the digest of its absolute path."""
    return hashlib.blake2b(os.path.abspath(root).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def _files(root: str) -> list[str] | None:
    """The snapshot's files of a tree (the rest's, then the event shards'), or None when the tools' caches are off."""
    from eventbus.load.cache import cache_root, enabled

    if not enabled():
        return None
    name = tree_name(root)
    d = os.path.join(cache_root(), "catalog")
    return [os.path.join(d, f"load-{name}.rest.bin")] + [os.path.join(d, f"load-{name}.{i:02d}.bin") for i in range(SHARDS)]


def shard_of(ref: str) -> int:
    return hashlib.blake2b(ref.encode("utf-8", "surrogateescape"), digest_size=2).digest()[0] % SHARDS


def _code() -> str:
    from eventbus.load.cache import _code_version

    return _code_version()  # the loader's, the model's, the JSON Schemas' and the libraries' (what a load depends on)


def _read_file(path: str):
    from eventbus.load.cache import read_private

    body = read_private(path, MAX_BYTES)
    got = marshal.loads(body) if body is not None else None
    if type(got) is not tuple or len(got) != 4 or got[0] != VERSION or got[1] != _code() or type(got[2]) is not str:
        return None
    return got[2], got[3]


def read(root: str, rest: str | None = None) -> Snapshot | None:
    """The tree's snapshot; None when there is none, or a file of it is missing, damaged, of other code or of
    another state of the tree, or not the user's alone. ``rest``: the digest the snapshot must be of (its rest's
    file is read first, and the event shards only when it is)."""
    from eventbus.load.cache import users_alone

    paths = _files(root)
    if paths is None:
        return None
    try:
        if not users_alone(os.stat(os.path.dirname(paths[0]))):
            return None
        first = _read_file(paths[0])
        if first is None or (rest is not None and first[0] != rest):
            return None
        got = [first] + [_read_file(p) for p in paths[1:]]
    except Exception:  # noqa: BLE001 - a missing, truncated, damaged or foreign snapshot is none
        return None
    if any(g is None for g in got) or len({g[0] for g in got}) != 1 or type(got[0][1]) is not bytes:
        return None
    events: dict[str, tuple[str, bytes]] = {}
    for i, (_, shard) in enumerate(got[1:]):
        if type(shard) is not dict or not all(type(k) is str and shard_of(k) == i and type(v) is tuple and len(v) == 2
                                              and type(v[0]) is str and type(v[1]) is bytes for k, v in shard.items()):
            return None
        events.update(shard)
    return Snapshot(got[0][0], events, got[0][1])


def write(root: str, snap: Snapshot) -> None:
    """Keep ``snap`` as the tree's snapshot: those of its files that differ from the disk's (each whole or not at all;
    skipped when they cannot be written)."""
    from eventbus.load.cache import write_private

    paths = _files(root)
    if paths is None:
        return
    shards: list[dict[str, tuple[str, bytes]]] = [{} for _ in range(SHARDS)]
    for ref, entry in snap.events.items():
        shards[shard_of(ref)][ref] = entry
    code = _code()
    for i in range(SHARDS):
        if snap.dirty is None or i in snap.dirty:
            write_private(paths[1 + i], marshal.dumps((VERSION, code, snap.rest, shards[i])))
    if snap.dirty is None:
        write_private(paths[0], marshal.dumps((VERSION, code, snap.rest, snap.others)))
        from eventbus.load.cache import forget_stale

        forget_stale(os.path.dirname(paths[0]), paths, "load-")  # snapshots of trees not built for 30 days


def errors_in(findings) -> int:
    return sum(1 for f in findings if str(f.severity).lower().endswith("error"))


# -- pickling ------------------------------------------------------------------------------------------------------
class _Pickler(pickle.Pickler):
    def __init__(self, file, table: Any):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.table = table

    def persistent_id(self, obj: Any) -> Any:  # called for every object pickled: nothing but a type test
        return obj.blob if type(obj) is self.table else None  # a position table stays the parse cache's bytes


def _dumps(obj: Any) -> bytes:
    from eventbus.load.cache import _LazyTable

    buf = io.BytesIO()
    _Pickler(buf, _LazyTable).dump(obj)
    return buf.getvalue()


_ALLOWED: dict[tuple[str, str], type] = {}  # the classes found allowed so far


class _Unpickler(pickle.Unpickler):
    """Builds only the model's data classes and enums, and dates; refuses any other class or function."""

    def find_class(self, module: str, name: str) -> Any:
        got = _ALLOWED.get((module, name))
        if got is not None:
            return got
        if module == "datetime" and name in _DATES:
            got = super().find_class(module, name)
        elif module in _MODEL_MODULES:
            import importlib

            got = getattr(importlib.import_module(module), name, None)
            if not (isinstance(got, type) and got.__module__ == module and got.__qualname__ == name
                    and (dataclasses.is_dataclass(got) or issubclass(got, enum.Enum))):
                got = None
        if got is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not read from a load snapshot")
        _ALLOWED[(module, name)] = got
        return got

    def persistent_load(self, pid: Any) -> Any:
        from eventbus.load.cache import _LazyTable

        if type(pid) is not bytes:
            raise pickle.UnpicklingError("not a position table")
        return _LazyTable(pid)


def _loads(data: bytes) -> Any:
    return _Unpickler(io.BytesIO(data)).load()


# -- from a load to a snapshot, and back ---------------------------------------------------------------------------
def _event_of(file: str, digests: dict[str, str]) -> str | None:
    """The event folder a finding's file is in (``events/<domain>/<event>[/…]``), when it is one of ``digests``."""
    parts = file.split("/", 3)
    if len(parts) >= 3 and parts[0] == "events":
        ref = parts[1] + "/" + parts[2]
        if ref in digests:
            return ref
    return None


def of_load(loaded, digests: dict[str, str], rest: str, objects: Objects | None = None) -> Snapshot:
    """The snapshot of a full load (:class:`~eventbus.load.registry.LoadResult`) of a tree whose event folders have
    ``digests`` and whose other inputs ``rest``; ``objects`` gets the same, unpickled."""
    reg = loaded.registry
    errors: dict[str | None, int] = {}
    for f in loaded.findings:
        if str(f.severity).lower().endswith("error"):
            ref = _event_of(f.loc.file, digests)
            errors[ref] = errors.get(ref, 0) + 1
    by_ref = {e.ref: e for e in reg.events}
    others = (reg.teams, reg.consumers, reg.stacks, reg.adoptions, errors.get(None, 0))
    if objects is not None:
        objects.events = {ref: (d, by_ref.get(ref), errors.get(ref, 0)) for ref, d in digests.items()}
        objects.others = (rest, others)
    events = {ref: (d, _dumps((by_ref.get(ref), errors.get(ref, 0)))) for ref, d in digests.items()}
    return Snapshot(rest, events, _dumps(others))


@dataclass
class Objects:
    """What one process unpickled of a snapshot, kept for its next build of the same tree (``eventbus catalog serve``):
    per event, ``(folder digest, Event | None, errors)``, and the rest's ``(digest, (teams, consumers, stacks,
    adoptions, errors))``. An entry is used only under the same digest, as the snapshot's own are."""

    events: dict[str, tuple[str, Any, int]] = dataclasses.field(default_factory=dict)
    others: tuple[str, tuple] | None = None


def registry_from(root: str, snap: Snapshot | None, digests: dict[str, str], rest: str, objects: Objects | None = None):
    """``(registry, error findings, snapshot)`` of the tree: the events whose folder digest the snapshot holds are
    taken from it, the others read again; the snapshot returned holds them all (None: it is ``snap``). None when
    there is no snapshot, its rest is not ``rest``, or something in it is not what :func:`of_load` writes (then the
    tree is loaded whole). ``objects``: what this process unpickled before, used instead of unpickling again, and
    updated to this tree's."""
    from eventbus.load.registry import TreeLoader
    from eventbus.model.registry import Event, Registry

    if snap is None or snap.rest != rest:
        return None
    if not all(_plain_ref(ref) for ref in digests):  # a name the loader reports and leaves out: the full load says how
        return None
    memo: dict[str, tuple[str, Any, int]] = {}
    try:
        if objects is not None and objects.others is not None and objects.others[0] == rest:
            others = objects.others[1]
        else:
            others = _loads(snap.others)
            if type(others) is not tuple or len(others) != 5 or not all(type(x) is tuple for x in others[:4]) or type(others[4]) is not int:
                return None
        teams, consumers, stacks, adoptions, errors = others
        events: list[Event] = []
        kept: dict[str, tuple[str, bytes]] = {}
        loader = None
        reread: list[str] = []
        for ref in sorted(digests, key=lambda r: tuple(r.split("/"))):
            got = snap.events.get(ref)
            if got is not None and got[0] == digests[ref]:
                known = objects.events.get(ref) if objects is not None else None
                if known is not None and known[0] == digests[ref]:
                    ev, n = known[1], known[2]
                else:
                    ev, n = _loads(got[1])
                    if (ev is not None and (type(ev) is not Event or ev.ref != ref or ev.folder != "events/" + ref)) or type(n) is not int:
                        return None
                kept[ref] = got
            else:
                loader = loader or TreeLoader(root)
                domain, name = ref.split("/")
                before = len(loader.findings)
                ev = loader.load_event(domain, name, os.path.join(loader.root, "events", domain, name))
                n = errors_in(loader.findings[before:])
                kept[ref] = (digests[ref], _dumps((ev, n)))
                reread.append(ref)
            errors += n
            memo[ref] = (digests[ref], ev, n)
            if ev is not None:
                events.append(ev)
    except Exception:  # noqa: BLE001 - a snapshot that does not read back is none
        return None
    if objects is not None:
        objects.events = memo
        objects.others = (rest, others)
    registry = Registry(root=os.path.abspath(root), teams=teams, events=tuple(events), consumers=consumers, stacks=stacks, adoptions=adoptions)
    dirty = frozenset({shard_of(ref) for ref in snap.events.keys() - kept.keys()} | {shard_of(ref) for ref in reread})
    return registry, errors, Snapshot(rest, kept, snap.others, dirty) if dirty else None


def _plain_ref(ref: str) -> bool:
    """Whether a scanned event folder is one the loader reads as it is: a UTF-8 name of two parts."""
    try:
        ref.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return ref.count("/") == 1
