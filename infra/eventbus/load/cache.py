"""A persistent parse cache for reading the tree: what parsing each YAML and ``.avsc`` file gave last time.

    from eventbus.load.cache import load_registry_cached
    loaded = load_registry_cached(root)        # the same LoadResult as load_registry(root)

Parsing YAML with positions and checking each document against its JSON Schema is most of the cost of loading a
large tree; a rebuild of the catalog after one file changed parses the other thousands again for nothing. This
loader remembers, per file, the result of :meth:`TreeLoader._yaml` / :meth:`TreeLoader._avsc` (the parsed document,
its positions and its findings, as :mod:`marshal` data) keyed by the file's path, size, modification time (ns) and the digest of its bytes:
a file is read every time and its bytes compared by digest, so an edit that keeps size and time still misses.

Where: ``<cache root>/parse``, the cache root being ``$EVENTBUS_USER_CACHE``, else ``$EVENTBUS_CACHE``, else ``$XDG_CACHE_HOME/eventbus``, else
``~/.cache/eventbus`` (:func:`cache_root`); never inside the tree. One file per tree root and code version (the loader's, the
model's, the JSON Schemas' and ``text.py``'s source), written atomically (temporary file + rename), readable only by the user
(what it holds is loaded as code-free data with :mod:`marshal`; findings and documents holding dates with a
:mod:`pickle` reader that can build only the model's plain classes (:class:`_PlainUnpickler`), so reading a cache
runs no code). A folder or shard that is not the user's alone (another owner, writable by others) is neither read
nor written. A cache that cannot be read (truncated, of another
version, garbage, or damaged where marshal would still read it: each shard begins with the digest of the rest) is ignored and rewritten; one that cannot be written is skipped. ``EVENTBUS_NO_CACHE=1`` turns
it off (:func:`enabled`); deleting the folder is always safe. The gate and the catalog read trees through it.
"""
from __future__ import annotations

import gc
import hashlib
import marshal
import os
import pickle
import sys
import tempfile
from collections.abc import Mapping
from typing import Any

from eventbus.load.files import ReadError, decode
from eventbus.load.fs import read_regular
from eventbus.load.registry import LoadResult, TreeLoader, load_registry
from eventbus.model.findings import Finding, Severity
from eventbus.model.registry import Loc, Positions, SchemaVersion

VERSION = 6
_HERE = os.path.dirname(os.path.abspath(__file__))
_code: str | None = None


def cache_root() -> str:
    """The user's cache folder of the project's tools: ``$EVENTBUS_USER_CACHE``, else ``$EVENTBUS_CACHE``, else
    ``$XDG_CACHE_HOME/eventbus``, else ``~/.cache/eventbus``."""
    d = os.environ.get("EVENTBUS_USER_CACHE") or os.environ.get("EVENTBUS_CACHE")
    if d:
        return os.path.abspath(d)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "eventbus")


def enabled() -> bool:
    """Whether the tools' caches are on (``EVENTBUS_NO_CACHE`` unset or empty)."""
    return not os.environ.get("EVENTBUS_NO_CACHE")


def cache_dir() -> str:
    """Where the parse cache lives: ``<cache root>/parse``."""
    return os.path.join(cache_root(), "parse")


_LIBRARIES = ("yaml", "_yaml", "jsonschema", "jsonschema_rs", "referencing")  # whose output (documents, messages) entries hold


def _libraries() -> list[str]:
    """What is installed beside the libraries the cached results come from: the ``*.dist-info`` folders (name and
    version) of their folders, or where one is found."""
    import importlib.util

    out, seen = [], set()
    for name in _LIBRARIES:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None else None
        out.append(f"{name}={origin}")
        if origin is None:
            continue
        site = os.path.dirname(os.path.dirname(origin))
        if site not in seen:
            seen.add(site)
            try:
                out.extend(sorted(n for n in os.listdir(site) if n.endswith(".dist-info")))
            except OSError:
                pass
    return out


def _code_version() -> str:
    """Digest of the code whose results are cached: the loader, the model classes, the JSON Schemas,
    ``eventbus/text.py`` (how findings quote the tree) and the versions of the libraries they use (:func:`_libraries`)."""
    global _code
    if _code is None:
        from eventbus.load.yaml import _BaseLoader

        h = hashlib.blake2b(digest_size=16)
        h.update(f"{VERSION} {sys.version} {pickle.HIGHEST_PROTOCOL} {_BaseLoader.__name__}".encode())
        h.update("\0".join(_libraries()).encode("utf-8", "surrogateescape"))
        pkg = os.path.dirname(_HERE)
        with open(os.path.join(pkg, "text.py"), "rb") as fh:  # how findings quote the tree (model/findings.py uses it)
            h.update(b"text.py\0" + fh.read() + b"\0")
        for sub in ("load", "model", "schemas"):
            top = os.path.join(pkg, sub)
            for dirpath, dirnames, filenames in os.walk(top):
                dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
                for f in sorted(filenames):
                    if f.endswith((".py", ".json")):
                        with open(os.path.join(dirpath, f), "rb") as fh:
                            h.update(os.path.relpath(os.path.join(dirpath, f), pkg).encode() + b"\0" + fh.read() + b"\0")
        _code = h.hexdigest()
    return _code


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _encode(kind: str, result: Any, findings: list) -> tuple:
    """A parse result as plain data for :mod:`marshal` (several times faster to read back than pickle); findings
    are pickled, and so is plain data that marshal cannot hold (dates in a document), when the shard is written
    (:func:`_marshalled`)."""
    extra = pickle.dumps(findings, protocol=pickle.HIGHEST_PROTOCOL) if findings else b""
    if result is None:
        plain: Any = None
    elif kind.startswith("yaml:"):
        data, pos = result
        table = pos.table.blob if isinstance(pos.table, _LazyTable) else marshal.dumps(dict(pos.table))
        plain = (data, pos.file, table)
    else:
        plain = (result.version, result.path, result.text, result.schema, result.digest)
    return ("m", plain, extra)


def _marshalled(shard: dict) -> bytes:
    """A shard's bytes; entries that marshal cannot hold are pickled first (then unpickled by :func:`_decode`)."""
    try:
        return marshal.dumps(shard)
    except ValueError:
        pass
    entries = dict(shard["entries"])
    for rel, entry in entries.items():
        how, plain, extra = entry[4]
        if how == "m":
            try:
                marshal.dumps(plain)
            except ValueError:
                entries[rel] = (*entry[:4], ("p", pickle.dumps(plain, protocol=pickle.HIGHEST_PROTOCOL), extra))
    return marshal.dumps({**shard, "entries": entries})


class _LazyTable(Mapping):
    """A document's positions (:class:`Positions` ``table``) as the cache holds them, decoded on first use: most
    documents of a run are never asked where a value is (only findings need it)."""

    __slots__ = ("blob", "_table")

    def __init__(self, blob: bytes):
        self.blob = blob
        self._table: dict | None = None

    @property
    def table(self) -> dict:
        if self._table is None:
            self._table = _positions(self.blob)
        return self._table

    def __getitem__(self, key):
        return self.table[key]

    def __contains__(self, key) -> bool:
        return key in self.table

    def get(self, key, default=None):
        return self.table.get(key, default)

    def __iter__(self):
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)

    def __reduce__(self):  # a copy (to a worker process, or pickled) is the plain table
        return dict, (self.table,)


class _PlainUnpickler(pickle.Unpickler):
    """Reads back only what the cache pickles: findings and plain data with dates; any other
    class or function named in the data is refused (the entry is then a miss)."""

    ALLOWED = frozenset({
        ("eventbus.model.findings", "Finding"), ("eventbus.model.findings", "Severity"),
        ("eventbus.model.registry", "Loc"),
        ("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"), ("datetime", "timedelta"), ("datetime", "timezone"),
    })

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not read from the parse cache")
        return super().find_class(module, name)


def _unpickle(data: bytes) -> Any:
    import io

    return _PlainUnpickler(io.BytesIO(data)).load()


def _positions(blob: bytes) -> dict:
    """A position table read back; one that is not what :func:`_encode` wrote (a damaged or foreign cache) is
    empty (every value then at the start of its file) rather than an error where a finding asks for it."""
    try:
        table = marshal.loads(blob)
    except Exception:  # noqa: BLE001
        return {}
    if type(table) is not dict or not all(type(k) is tuple and type(v) is tuple and len(v) == 2 and type(v[0]) is int and type(v[1]) is int
                                          for k, v in table.items()):
        return {}
    return table


def _is_finding(f: Any) -> bool:
    """Whether ``f`` is a finding as the loader makes them (its constructor leaves it as it is)."""
    if type(f) is not Finding or type(f.severity) is not Severity or type(f.loc) is not Loc:
        return False
    loc = f.loc
    if not (type(f.rule) is str and type(f.message) is str and type(f.hint) is str and type(loc.file) is str
            and type(loc.line) is int and type(loc.col) is int):
        return False
    return Finding(f.rule, f.severity, f.message, f.hint, Loc(loc.file, loc.line, loc.col)) == f


def _decode(kind: str, blob: tuple, rel: str) -> tuple[Any, list]:
    """An entry's parse result and findings, as :func:`_encode` wrote them for the file ``rel``; anything else (a
    damaged or foreign cache) raises, and the entry is a miss."""
    how, plain, extra = blob
    if how not in ("m", "p") or type(extra) is not bytes:
        raise ValueError("not an entry of the parse cache")
    findings = _unpickle(extra) if extra else []
    if type(findings) is not list or not all(_is_finding(f) for f in findings):
        raise ValueError("not findings")
    if how == "p":
        plain = _unpickle(plain)
    if plain is None:
        return None, findings
    if type(plain) is not tuple:
        raise ValueError("not a parse result")
    if kind.startswith("yaml:"):
        data, file, table = plain
        if type(data) is not dict or file != rel or type(table) is not bytes:
            raise ValueError("not a document")
        return (data, Positions(file, _LazyTable(table))), findings
    version, path, text, schema, digest = plain
    if f"avsc:{version}" != kind or type(version) is not int or path != rel or type(text) is not str or type(digest) is not str:
        raise ValueError("not a schema")
    return SchemaVersion(version, path, text, schema, digest), findings


class CachedTreeLoader(TreeLoader):
    """A :class:`TreeLoader` that takes each file's parse result from ``entries`` when the file is unchanged."""

    def __init__(self, root: str, entries: dict[str, tuple], fs=None, known: dict[str, tuple[int, int, str]] | None = None):
        super().__init__(root, fs)
        self.entries = entries  # rel path -> (size, mtime_ns, digest, kind, encoded result and findings)
        self.known = known or {}  # path -> (size, mtime_ns, digest) of files the caller has just read
        self.seen: dict[str, tuple] = {}  # the entries of this load (what the cache is rewritten with)
        self.misses = 0
        self._bytes: tuple[str, bytes] | None = None  # the file _key read last, given to the parse of a miss
        self.store: _Store | None = None  # where the entries are written (by load_registry_cached)
        self.saved_consumers = False  # a worker wrote the applications' shards

    def _read(self, path: str) -> str | None:
        got, self._bytes = self._bytes, None
        if got is None or got[0] != path:
            return super()._read(path)
        try:
            return decode(got[1])
        except ReadError as err:
            self._error(err, path)
            return None

    def spawn(self) -> CachedTreeLoader:
        """A loader for the worker that reads the applications (it writes their shards itself)."""
        worker = CachedTreeLoader(self.root, self.entries, known=self.known)
        worker.store = self.store
        return worker

    def handoff(self) -> tuple[int, bool]:
        """The applications' shards are written here, by the worker (nothing to pickle back but counts): its misses,
        and whether it wrote them (with a store)."""
        if self.store is not None:
            self.store.save(self.seen, CONSUMERS)
        return self.misses, self.store is not None

    def take(self, handed: tuple[int, bool]) -> None:
        misses, saved = handed
        self.misses += misses
        self.saved_consumers = self.saved_consumers or saved

    def _key(self, path: str, trust_known: bool = True) -> tuple[int, int, str] | None:
        got = self.known.get(path) if trust_known else None
        if got is not None:
            return got
        try:
            data, st = self.fs.read_stat(path)
        except Exception:  # noqa: BLE001 - unreadable: the loader reports it, uncached
            return None
        self._bytes = (path, data)
        return st.st_size, st.st_mtime_ns, _digest(data)

    def _cached(self, path: str, kind: str, compute) -> Any:
        rel = self.rel(path)
        key = self._key(path)
        if key is not None:
            got = self.entries.get(rel)
            if type(got) is tuple and len(got) == 5 and got[:4] == (*key, kind):
                try:
                    result, findings = _decode(kind, got[4], rel)
                except Exception:  # noqa: BLE001 - a damaged entry is a miss
                    pass
                else:
                    self.seen[rel] = got
                    self.findings.extend(findings)
                    return result
        self.misses += 1
        if path in self.known:  # stored under the key of the bytes read now, not of those the caller read before
            key = self._key(path, trust_known=False)
        n = len(self.findings)
        result = compute()
        if key is not None:
            self.seen[rel] = (*key, kind, _encode(kind, result, self.findings[n:]))
        return result

    def _yaml(self, path: str, schema: str):
        return self._cached(path, "yaml:" + schema, lambda: super(CachedTreeLoader, self)._yaml(path, schema))

    def _avsc(self, path: str, version: int):
        return self._cached(path, f"avsc:{version}", lambda: super(CachedTreeLoader, self)._avsc(path, version))


SHARDS = 16  # the cache of a tree is spread over this many files, so a change rewrites a sixteenth of it
CONSUMERS, REST = "consumers", "rest"  # the applications' files have the second half of the shards, the rest the first


def _shard(rel: str) -> int:
    half = SHARDS // 2
    h = hashlib.blake2b(rel.encode("utf-8", "surrogateescape"), digest_size=2).digest()[0] % half
    return half + h if rel.startswith("consumers/") else h


def _cache_files(root: str) -> list[str]:
    name = hashlib.blake2b(f"{os.path.abspath(root)}\0{_code_version()}".encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()
    return [os.path.join(cache_dir(), f"{name}.{i:02d}.bin") for i in range(SHARDS)]


_SUM = 16  # a shard begins with the digest of the rest: damage that marshal would still read is seen


def _seal(data) -> bytes:
    """The first ``_SUM`` bytes of the SHA-256 of ``data`` (with the CPU's SHA instructions twice BLAKE2b's speed)."""
    return hashlib.sha256(data).digest()[:_SUM]


def _sealed(data: bytes) -> bytes:
    return _seal(data) + data


def _unsealed(raw: bytes) -> memoryview | None:
    """The marshal data of a shard's bytes, or None when they are not those written (damaged)."""
    body = memoryview(raw)[_SUM:]
    return body if len(raw) >= _SUM and _seal(body) == raw[:_SUM] else None


MAX_SHARD_BYTES = 1 << 30  # a shard of a 10,000-event tree is about 10 MB


def users_alone(st: os.stat_result) -> bool:
    """Whether a cache file or folder is this user's alone: theirs, and writable by no one else."""
    return st.st_uid == os.geteuid() and not st.st_mode & 0o022


def _folder_private() -> bool:
    """Whether the cache folder (if there is one yet) is this user's alone: another user's, or one that others may
    write, is not read (its entries could have been planted) nor written."""
    try:
        return users_alone(os.stat(cache_dir()))
    except FileNotFoundError:
        return True
    except OSError:
        return False


def read_private(path: str, limit: int = MAX_SHARD_BYTES) -> memoryview | None:
    """The data of a cache file :func:`write_private` wrote; None when it is missing, over ``limit`` bytes, not a
    regular file (a FIFO is not waited on), damaged (it begins with the digest of the rest), or when it or its
    folder is not the user's alone. The one reader of every cache file of the project's tools."""
    try:
        if not users_alone(os.stat(os.path.dirname(path))):
            return None
        data, st = read_regular(path, limit)
    except (OSError, ReadError):
        return None
    return _unsealed(data) if users_alone(st) else None


def write_private(path: str, data: bytes) -> None:
    """Write a cache file that :func:`read_private` reads: sealed with its digest, whole or not at all; nothing into
    a folder that is not the user's alone (it would not be read back)."""
    try:
        if not users_alone(os.stat(os.path.dirname(path))):
            return
    except FileNotFoundError:
        pass  # made, the user's alone, by write_atomically
    except OSError:
        return
    write_atomically(path, _sealed(data))


def read_sealed(path: str, limit: int) -> memoryview | None:
    """The data of a file :func:`write_sealed` wrote, in a folder of the user's choosing (the catalog's output folder,
    where anyone who may write the record may write the pages too): None when it is missing, over ``limit`` bytes,
    not a regular file, or damaged."""
    try:
        data, _ = read_regular(path, limit)
    except (OSError, ReadError):
        return None
    return _unsealed(data)


def write_sealed(path: str, data: bytes) -> None:
    """Write a file :func:`read_sealed` reads, sealed with its digest, whole or not at all (temporary file + rename);
    an error is raised, not skipped."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(_sealed(data))
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _read(path: str) -> dict[str, tuple]:
    try:
        body = read_private(path)
        if body is None:
            return {}
        got = marshal.loads(body)
    except Exception:  # noqa: BLE001 - a missing, truncated, damaged or foreign cache is an empty one
        return {}
    if not isinstance(got, dict) or got.get("v") != VERSION or got.get("code") != _code_version() or not isinstance(got.get("entries"), dict):
        return {}
    return got["entries"]


def write_atomically(path: str, data: bytes) -> None:
    """Write a cache file whole or not at all (temporary file + rename), its folder readable by the user alone;
    a cache that cannot be written is skipped."""
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(path))
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except Exception:  # noqa: BLE001 - a cache that cannot be written is skipped
        pass


def _write(path: str, entries: dict[str, tuple]) -> None:
    write_private(path, _marshalled({"v": VERSION, "code": _code_version(), "entries": entries}))


def load_registry_cached(root: str, known: dict[str, tuple[int, int, str]] | None = None, on_events=None, parallel: bool = False) -> LoadResult:
    """:func:`eventbus.load.registry.load_registry` of a tree on disk, through the parse cache. ``known``: (size,
    mtime_ns, digest of the bytes) of files the caller has just read, by absolute path; those are not read again
    when their parse is in the cache (the catalog's incremental build digests every input file first).
    ``on_events``, ``parallel``: as for :func:`~eventbus.load.registry.load_registry`."""
    if not _folder_private():
        return load_registry(root, on_events=on_events, parallel=parallel)
    paths = _cache_files(root)
    enabled = gc.isenabled()
    gc.disable()  # reading back ~10^6 small objects: the collector would scan them over and over
    try:
        shards = [_read(p) for p in paths]
    finally:
        if enabled:
            gc.enable()
    entries: dict[str, tuple] = {}
    for sh in shards:
        entries.update(sh)
    loader = CachedTreeLoader(root, entries, known=known)
    loader.store = _Store(paths, shards)
    if parallel:  # a worker for the applications pays when they must be parsed, not when the cache holds them
        from eventbus.load.registry import PARALLEL_CONSUMERS

        parallel = sum(1 for sh in shards[SHARDS // 2:] for _ in sh) < PARALLEL_CONSUMERS
    result = load_registry(root, loader=loader, on_events=on_events, parallel=parallel)
    loader.store.save(loader.seen, REST if loader.saved_consumers else None)
    return result


class _Store:
    """The shard files of one tree and what they held when the load began."""

    def __init__(self, paths: list[str], shards: list[dict[str, tuple]]):
        self.paths, self.shards = paths, shards

    def save(self, seen: dict[str, tuple], part: str | None) -> None:
        """Rewrite the shards of ``part`` (CONSUMERS, REST, or None: all) whose entries are not those ``seen`` now."""
        half = SHARDS // 2
        chosen = range(half, SHARDS) if part == CONSUMERS else range(half) if part == REST else range(SHARDS)
        fresh: dict[int, dict[str, tuple]] = {i: {} for i in chosen}
        for rel, entry in seen.items():
            i = _shard(rel)
            if i in fresh:
                fresh[i][rel] = entry
        wrote = False
        for i, now in fresh.items():
            before = self.shards[i]
            if before.keys() != now.keys() or any(before[k] is not v for k, v in now.items()):
                _write(self.paths[i], now)
                wrote = True
        if wrote:
            forget_stale(cache_dir(), self.paths)


STALE_DAYS = 30  # caches of trees (or code versions) not loaded for this long are deleted


def forget_stale(folder: str, keep: list[str], prefix: str = "") -> None:
    """Delete the files of ``folder`` whose names begin with ``prefix``, but ``keep``, not modified for ``STALE_DAYS``."""
    import time

    limit = time.time() - STALE_DAYS * 86400
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        p = os.path.join(folder, name)
        try:
            if name.startswith(prefix) and p not in keep and os.lstat(p).st_mtime < limit:
                os.unlink(p)
        except OSError:  # gone meanwhile, a folder, not ours: the others are still looked at
            pass
