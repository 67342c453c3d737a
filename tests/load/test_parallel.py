"""A big tree has its applications read by a worker process (load_registry(parallel=True)): the
registry, the findings (in order) and the broken documents are those of a serial load."""
from __future__ import annotations

from eventbus.load import registry as loading
from tests.conftest import Tree


def test_parallel_load_is_the_serial_load(tmp_path, monkeypatch):
    t = Tree(tmp_path)
    base = t.consumers["notify/notifier"]
    for i in range(12):
        c = dict(base, application=f"app-{i}")
        t.consumers[f"notify/app-{i}"] = c
    t.write()
    (tmp_path / "consumers" / "notify" / "broken.yaml").write_text("application: [unclosed\n")
    (tmp_path / "consumers" / "notify" / "stray.txt").write_text("not an application\n")
    (tmp_path / "events" / "claims" / "claim_created" / "v9.avsc").write_text("{")
    serial = loading.load_registry(str(tmp_path))
    monkeypatch.setattr(loading, "PARALLEL_CONSUMERS", 1)
    monkeypatch.setattr("threading.active_count", lambda: 1)  # threads other tests left do not keep the worker from forking
    assert loading._many_consumers(str(tmp_path))
    parallel = loading.load_registry(str(tmp_path), parallel=True)
    assert parallel.registry == serial.registry
    assert [f.one_line() for f in parallel.findings] == [f.one_line() for f in serial.findings]
    assert parallel.broken == serial.broken
    assert any(f.loc.file == "consumers/notify/broken.yaml" for f in serial.findings)
    assert len(serial.registry.consumers) >= 13


def test_small_trees_and_trees_in_memory_load_in_this_process(tmp_path, monkeypatch):
    t = Tree(tmp_path).write()
    assert not loading._many_consumers(str(tmp_path))
    calls = []
    monkeypatch.setattr("eventbus.concurrency.start_aside", lambda *a: calls.append(a))
    monkeypatch.setattr(loading, "PARALLEL_CONSUMERS", 1)
    fs = t.fs()
    loading.load_registry(fs.root, fs=fs, parallel=True)
    assert calls == []


def test_a_killed_worker_leaves_the_applications_to_this_process(tmp_path, monkeypatch):

    t = Tree(tmp_path)
    base = t.consumers["notify/notifier"]
    for i in range(4):
        t.consumers[f"notify/app-{i}"] = dict(base, application=f"app-{i}")
    t.write()
    serial = loading.load_registry(str(tmp_path))
    monkeypatch.setattr(loading, "PARALLEL_CONSUMERS", 1)
    monkeypatch.setattr("threading.active_count", lambda: 1)
    monkeypatch.setattr("eventbus.concurrency._call_inherited", _die)
    got = loading.load_registry(str(tmp_path), parallel=True)
    assert got.registry == serial.registry and [f.one_line() for f in got.findings] == [f.one_line() for f in serial.findings]


def test_no_worker_when_no_process_can_be_forked(monkeypatch):
    import concurrent.futures

    from eventbus import concurrency

    def refuse(self, *a, **k):
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(concurrent.futures.ProcessPoolExecutor, "submit", refuse)
    monkeypatch.setattr("threading.active_count", lambda: 1)
    assert concurrency.start_aside(len, "x") is None


def _die():
    """A worker killed mid-way (by name: a worker's function is pickled)."""
    import os

    os._exit(9)
