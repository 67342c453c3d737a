"""A persistent cache of the gate's Avro analysis (:mod:`eventbus.avro.analysis`), for speed only.

One entry per event: the key is a SHA-256 of the exact input of that event's analysis (its ref,
compatibility mode, every schema file's path and content digest, which versions are merged and
which are checked) and of the *code version* (the source of ``eventbus/avro/`` and of the model's
classifications, and the Python version), so a changed file, a changed rule of the parser or a new
release never meets an old result. The value is that event's results as JSON (no pickle: reading
the cache runs no code).

Where: ``$EVENTBUS_AVRO_CACHE`` (a folder; ``off`` turns the cache off), else
``$XDG_CACHE_HOME/eventbus`` (``~/.cache/eventbus``). One file per code version,
``avro-<code>.json``: a header line with the SHA-256 of the entries line, then the entries. A
file that is missing, unreadable, truncated or altered (its checksum does not match), or an entry
that does not decode, is ignored and the work is done again; writing is atomic (a temporary file
renamed over the old one), and a folder that cannot be written only costs the speed-up. A run
writes only when it computed something new; it keeps what it used and, up to ``MAX_ENTRIES``,
what earlier runs stored; files of other code versions unused for ``STALE_DAYS`` days are removed.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import time
from functools import cache
from typing import Any

FORMAT = 1
MAX_ENTRIES = 200_000  # about 300 bytes each
STALE_DAYS = 30  # a file of another code version unused this long is removed

# the code whose behaviour the cached results depend on (relative to the eventbus package)
CODE = ("avro/analysis.py", "avro/cache.py", "avro/compat.py", "avro/contract.py", "avro/parser.py", "avro/schema.py", "model/registry.py")


def folder() -> str | None:
    """The cache folder, or None when the cache is off."""
    env = os.environ.get("EVENTBUS_AVRO_CACHE")
    if env is not None:
        return None if env.strip().lower() in ("", "off", "0", "false", "no") else env
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "eventbus")


@cache
def code_version() -> str | None:
    """SHA-256 of the analysis' own source and the Python version (None: unknown, no cache)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    h = hashlib.sha256(f"{FORMAT}\0{sys.version}\0".encode())
    try:
        for rel in CODE:
            with open(os.path.join(root, rel), "rb") as fh:
                h.update(rel.encode() + b"\0" + fh.read() + b"\0")
    except OSError:
        return None
    return h.hexdigest()


def job_key(job: tuple) -> str:
    """The key of one event's analysis: its exact input (by content digest) and the code version."""
    ref, mode, versions, key, merged, to_check = job
    material = [code_version(), ref, mode, [[v, p, _digest(t)] for v, p, t in versions],
                [key[0], _digest(key[1]), key[2]] if key else None, sorted(merged), list(to_check)]
    return hashlib.sha256(json.dumps(material, separators=(",", ":")).encode()).hexdigest()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class Store:
    """The entries of one cache file: ``get`` what earlier runs found, ``put`` what this run did,
    ``save`` when anything is new."""

    def __init__(self, path: str | None):
        self.path = path
        self.old: dict[str, Any] = _read(path) if path else {}
        self.used: dict[str, Any] = {}
        self.new = 0

    @classmethod
    def open(cls) -> Store:
        where, code = folder(), code_version()
        return cls(os.path.join(where, f"avro-{code[:32]}.json") if where and code else None)

    def get(self, key: str) -> Any:
        value = self.old.get(key)
        if value is not None:
            self.used[key] = value
        return value

    def put(self, key: str, value: Any) -> None:
        self.used[key] = value
        self.new += 1

    def save(self) -> None:
        if not self.path or not self.new:
            return
        entries = dict(self.used)
        for k, v in self.old.items():
            if len(entries) >= MAX_ENTRIES:
                break
            entries.setdefault(k, v)
        body = json.dumps(entries, separators=(",", ":"))
        header = json.dumps({"format": FORMAT, "code": code_version(), "sha256": hashlib.sha256(body.encode()).hexdigest()})
        folder_ = os.path.dirname(self.path)
        tmp = None
        try:
            os.makedirs(folder_, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".avro-", suffix=".tmp", dir=folder_)
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(header + "\n" + body + "\n")
            os.replace(tmp, self.path)
            tmp = None
            _forget_old(folder_, self.path)
        except OSError:
            pass  # a cache that cannot be written costs only the speed-up
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
        self.new = 0


def _forget_old(folder_: str, keep: str) -> None:
    """Remove the files of other code versions unused for ``STALE_DAYS`` days."""
    cutoff = time.time() - STALE_DAYS * 86400
    for name in os.listdir(folder_):
        path = os.path.join(folder_, name)
        if name.startswith("avro-") and name.endswith(".json") and path != keep:
            try:
                if os.stat(path).st_mtime < cutoff:
                    os.unlink(path)
            except OSError:
                pass


def _read(path: str) -> dict[str, Any]:
    """The entries of a cache file; {} when it is missing, unreadable or fails its checksum."""
    try:
        with open(path, encoding="ascii") as fh:
            header_line = fh.readline()
            body = fh.readline().rstrip("\n")
        header = json.loads(header_line)
        if (not isinstance(header, dict) or header.get("format") != FORMAT or header.get("code") != code_version()
                or header.get("sha256") != hashlib.sha256(body.encode()).hexdigest()):
            return {}
        entries = json.loads(body)
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        return {}
    return entries if isinstance(entries, dict) else {}
