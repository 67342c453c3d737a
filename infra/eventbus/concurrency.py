"""One way to use both cores: run independent jobs in forked worker processes.

Used where the work is CPU-bound, independent and large enough to pay for a process (the
plan's two sides, Avro analysis of many schemas, catalog pages). Below ``min_jobs`` jobs, on a
single core, or where ``fork`` is unavailable, everything runs in this process, in order.
"""
from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool as WorkerDied  # noqa: F401 - a worker was killed (results() raises it)
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def run_parallel(fn: Callable[..., T], jobs: Sequence[tuple[Any, ...]], workers: int | None = None, min_jobs: int = 2) -> list[T]:
    """``[fn(*args) for args in jobs]``, computed by up to ``workers`` forked processes."""
    workers = min(workers or cores(), len(jobs))
    if len(jobs) < min_jobs or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [fn(*args) for args in jobs]
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(fn, *zip(*jobs, strict=False)))


class Running(Generic[T]):
    """Jobs started by :func:`start_parallel`; ``results()`` waits for them, in order."""

    def __init__(self, futures: list[Future] | None = None, done: list[T] | None = None, pool: ProcessPoolExecutor | None = None):
        self._futures, self._done, self._pool = futures or [], done, pool

    def results(self) -> list[T]:
        if self._done is None:
            self._done = [f.result() for f in self._futures]
            if self._pool is not None:
                self._pool.shutdown(wait=False)
        return self._done


def start_parallel(fn: Callable[..., T], jobs: Sequence[tuple[Any, ...]], workers: int | None = None, min_jobs: int = 2) -> Running[T]:
    """Like :func:`run_parallel`, but returns at once: the work goes on in the workers while the
    caller does something else. In this process (and done when it returns) below ``min_jobs``."""
    workers = min(workers or cores(), len(jobs))
    if len(jobs) < min_jobs or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return Running(done=[fn(*args) for args in jobs])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
    return Running(futures=[pool.submit(fn, *args) for args in jobs], pool=pool)


_inherited: tuple[Callable[..., Any], tuple[Any, ...]] | None = None  # what start_aside(inherit=True) hands its fork


def _call_inherited() -> Any:
    assert _inherited is not None
    fn, args = _inherited
    return fn(*args)


def start_aside(fn: Callable[..., T], *args: Any, inherit: bool = False) -> Running[T] | None:
    """``fn(*args)`` in one forked process, returning at once (``results()[0]`` waits for it);
    None on a single core, where ``fork`` is unavailable, where no process can be forked, or while
    this process runs other threads (a fork copies the locks they hold, and ``fn`` works on the state
    it inherits): the caller then does it itself. With ``inherit``, ``fn`` and ``args`` are not
    pickled: the forked process has them already (a loaded registry, a gate's context). A process
    that is killed makes ``results()`` raise :class:`WorkerDied`."""
    global _inherited
    import threading

    if cores() < 2 or "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return None
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    try:
        if not inherit:
            return Running(futures=[pool.submit(fn, *args)], pool=pool)
        _inherited = (fn, args)
        try:
            return Running(futures=[pool.submit(_call_inherited)], pool=pool)  # the process is forked here
        finally:
            _inherited = None
    except OSError:  # no process could be forked (a process or memory limit): the caller does it itself
        pool.shutdown(wait=False)
        return None
