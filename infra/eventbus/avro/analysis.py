"""The gate's Avro work, done once per run and spread over the machine's cores.

Parsing every .avsc with the Apache Avro library and checking each new
version against its history is most of a full gate's CPU time, and it is
independent per event. ``start`` hands it to worker processes (when there is
enough of it to pay for them) and returns at once, so the other rules run
meanwhile; ``Pending.result`` collects it.
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field

from eventbus.avro.compat import Incompatibility, check
from eventbus.avro.schema import AvroError, parse_text

POOL_THRESHOLD = 150  # events; below this a pool costs more than it saves


@dataclass
class AvroAnalysis:
    errors: dict[str, str] = field(default_factory=dict)  # path -> why it is not Avro
    kinds: dict[str, str] = field(default_factory=dict)  # path -> top-level type (record, string, ...)
    compat: dict[tuple[str, int], list[Incompatibility]] = field(default_factory=dict)  # (event ref, version) -> problems

    def ok(self, path: str) -> bool:
        return path in self.kinds

    def merge(self, other: "AvroAnalysis") -> None:
        self.errors.update(other.errors)
        self.kinds.update(other.kinds)
        self.compat.update(other.compat)


# (ref, mode, [(version, path, text)], key (path, text) | None, versions to check)
Job = tuple[str, str, list[tuple[int, str, str]], "tuple[str, str] | None", list[int]]


def _run(jobs: list[Job]) -> AvroAnalysis:
    out = AvroAnalysis()
    for ref, mode, versions, key, to_check in jobs:
        for _v, path, text in versions + ([(0, key[0], key[1])] if key else []):
            try:
                out.kinds[path] = parse_text(text).type
            except AvroError as exc:
                out.errors[path] = str(exc)
        if mode == "NONE" or not all(p in out.kinds for _v, p, _t in versions):
            continue
        texts = [t for _v, _p, t in versions]
        for i, (v, _p, text) in enumerate(versions):
            if i == 0 or v not in to_check:
                continue
            try:
                problems = check(mode, text, texts[:i])
            except AvroError:
                continue
            if problems:
                out.compat[(ref, v)] = problems
    return out


def jobs_for(events, base) -> list[Job]:
    jobs: list[Job] = []
    for e in events:
        merged: set[int] = set()
        if base is not None and (old := base.events_by_ref.get(e.ref)) is not None:
            merged = {v.version for v in old.versions}
        versions = [(v.version, v.path, v.text) for v in e.versions if v.schema is not None]
        key = (e.key_schema.path, e.key_schema.text) if e.key_schema is not None and e.key_schema.schema is not None else None
        complete = len(versions) == len(e.versions)  # a version that is not even JSON: nothing to compare in order
        jobs.append((e.ref, e.compatibility, versions, key, [v for v, _p, _t in versions if v not in merged] if complete else []))
    return jobs


class Pending:
    def __init__(self, futures: list[Future] | None = None, done: AvroAnalysis | None = None, pool=None):
        self._futures = futures or []
        self._done = done
        self._pool = pool

    def result(self) -> AvroAnalysis:
        if self._done is None:
            out = AvroAnalysis()
            for fut in self._futures:
                out.merge(fut.result())
            self._done = out
            if self._pool is not None:
                self._pool.shutdown(wait=False)
        return self._done


def start(events, base, workers: int | None = None) -> Pending:
    jobs = jobs_for(events, base)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if len(jobs) < POOL_THRESHOLD or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return Pending(done=_run(jobs))
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
    # interleave so each chunk gets a fair share of big and small events
    chunks = [jobs[i :: workers * 2] for i in range(workers * 2)]
    return Pending(futures=[pool.submit(_run, c) for c in chunks if c], pool=pool)
