"""One way to use both cores: run independent jobs in forked worker processes.

Used where the work is CPU-bound, independent and large enough to pay for a process (the
plan's two sides, Avro analysis of many schemas, catalog pages). Below ``min_jobs`` jobs, on a
single core, or where ``fork`` is unavailable, everything runs in this process, in order.
"""
from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

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
