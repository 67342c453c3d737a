"""The persistent cache of the Avro analysis (eventbus.avro.cache): a hit computes nothing, a
changed file is computed again, a damaged cache is ignored, and what it returns is exactly what
the analysis computes."""
from __future__ import annotations

import json
import os

import pytest

from eventbus.avro import analysis, cache
from eventbus.load.registry import load_registry
from tests.conftest import Tree, field, record


def events_of(t: Tree):
    fs = t.fs()
    return load_registry(fs.root, fs=fs).registry.events


def rich_tree() -> Tree:
    """Events whose analysis has every kind of result: errors, incompatibilities, ignored logical
    types, classified fields and their problems, identifier-like fields."""
    t = Tree()
    claim = t.events["claims/claim_created"]
    claim["versions"].append(record("ClaimCreated", [field("status", "string"), field("veteranSsn", "string"),
                                                     field("at", {"type": "int", "logicalType": "timestamp-millis"}),
                                                     field("icn", "string", classification="PIII"),
                                                     field("undocumented", "string", doc="")]))
    refill = t.events["health/refill_requested"]
    refill["versions"].append(record("RefillRequested", refill["versions"][0]["fields"] + [field("n", "int", default="a")], "gov.va.health"))
    claim["key"] = {"type": "recurd", "name": "X"}
    return t


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTBUS_AVRO_CACHE", str(tmp_path / "avro-cache"))
    return tmp_path / "avro-cache"


def counting(monkeypatch) -> list:
    calls: list = []
    real = analysis._run_one

    def run_one(job):
        calls.append(job[0])
        return real(job)

    monkeypatch.setattr(analysis, "_run_one", run_one)
    return calls


def same(a: analysis.AvroAnalysis, b: analysis.AvroAnalysis) -> bool:
    def compat(x):
        return {k: [i._key() for i in v] for k, v in x.compat.items()}

    return (a.errors, a.error_names, a.kinds, a.ignored_logical, a.classified, a.identifiers, a.bad_defaults, a.undocumented, a.named) == (
        b.errors, b.error_names, b.kinds, b.ignored_logical, b.classified, b.identifiers, b.bad_defaults, b.undocumented, b.named) and compat(a) == compat(b)


def merged(t: Tree):
    """The tree as its own base: every version merged (parsed as the registry holds it)."""
    fs = t.fs("/base")
    return load_registry(fs.root, fs=fs).registry


def test_the_rich_tree_has_every_kind_of_result():
    t = rich_tree()
    got = analysis._run(analysis.jobs_for(events_of(t), None))
    assert got.errors and got.error_names and got.kinds and got.ignored_logical and got.compat and got.identifiers and got.undocumented
    assert any(c.problems for c in got.classified.values()) and any(c.fields for c in got.classified.values())
    assert analysis._run(analysis.jobs_for(events_of(t), merged(t))).bad_defaults


@pytest.mark.parametrize("history", [False, True])
def test_encode_decode_is_exact(history):
    t = rich_tree()
    for job in analysis.jobs_for(events_of(t), merged(t) if history else None):
        part = analysis._run_one(job)
        back = analysis.decode(json.loads(json.dumps(analysis.encode(part))))
        assert same(part, back)


def test_miss_then_hit(cache_dir, monkeypatch):
    events = events_of(rich_tree())
    calls = counting(monkeypatch)
    cold = analysis.start(events, None).result()
    assert sorted(calls) == sorted(e.ref for e in events)
    files = list(cache_dir.glob("avro-*.json"))
    assert len(files) == 1
    calls.clear()
    mtime = files[0].stat().st_mtime_ns
    warm = analysis.start(events, None).result()
    assert calls == [] and same(cold, warm)
    assert files[0].stat().st_mtime_ns == mtime  # nothing new: not written again
    assert same(warm, analysis._run(analysis.jobs_for(events, None)))


def test_changed_content_is_computed_again(cache_dir, monkeypatch):
    t = rich_tree()
    analysis.start(events_of(t), None).result()
    t.events["claims/claim_created"]["versions"][1]["fields"][-1]["doc"] = "Changed."
    events = events_of(t)
    calls = counting(monkeypatch)
    got = analysis.start(events, None).result()
    assert calls == ["claims/claim_created"]
    assert same(got, analysis._run(analysis.jobs_for(events, None)))


def test_history_is_part_of_the_key(cache_dir, monkeypatch):
    """The same files with another base (merged versions are parsed as the registry holds them)."""
    t = rich_tree()
    events = events_of(t)
    analysis.start(events, None).result()
    base = Tree()
    fs = base.fs("/base")
    base_registry = load_registry(fs.root, fs=fs).registry
    calls = counting(monkeypatch)
    got = analysis.start(events, base_registry).result()
    assert sorted(calls) == sorted(e.ref for e in events)
    assert same(got, analysis._run(analysis.jobs_for(events, base_registry)))


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped", "bad-entry", "empty", "folder"])
def test_a_damaged_cache_is_ignored(cache_dir, monkeypatch, damage):
    events = events_of(rich_tree())
    expected = analysis._run(analysis.jobs_for(events, None))
    analysis.start(events, None).result()
    (path,) = cache_dir.glob("avro-*.json")
    text = path.read_text()
    if damage == "garbage":
        path.write_bytes(b"\x00\xff not json at all")
    elif damage == "truncated":
        path.write_text(text[: len(text) // 2])
    elif damage == "flipped":  # still JSON, but not what was written: the checksum says so
        path.write_text(text.replace('"record"', '"string"', 1))
    elif damage == "bad-entry":  # checksum made to match: the entry itself does not decode
        header, body = text.splitlines()
        entries = json.loads(body)
        for k in entries:
            entries[k] = {"kinds": {"x": 1}, "compat": [["a", "b"]]}
        body = json.dumps(entries, separators=(",", ":"))
        head = json.loads(header)
        import hashlib

        head["sha256"] = hashlib.sha256(body.encode()).hexdigest()
        path.write_text(json.dumps(head) + "\n" + body + "\n")
    elif damage == "empty":
        path.write_text("")
    elif damage == "folder":
        path.unlink()
        path.mkdir()
    calls = counting(monkeypatch)
    got = analysis.start(events, None).result()
    assert sorted(calls) == sorted(e.ref for e in events)
    assert same(got, expected)


def test_another_code_version_never_meets_old_results(cache_dir, monkeypatch):
    events = events_of(rich_tree())
    analysis.start(events, None).result()
    monkeypatch.setattr(cache, "code_version", lambda: "0" * 64)
    calls = counting(monkeypatch)
    analysis.start(events, None).result()
    assert len(calls) == len(events)
    assert len(list(cache_dir.glob("avro-*.json"))) == 2


def test_off_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTBUS_AVRO_CACHE", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.folder() is None
    analysis.start(events_of(rich_tree()), None).result()
    assert not any(tmp_path.iterdir())


def test_default_folder_is_the_users_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("EVENTBUS_AVRO_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.folder() == os.path.join(str(tmp_path), "eventbus")


def test_an_unwritable_folder_only_costs_speed(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("EVENTBUS_AVRO_CACHE", str(blocker / "sub"))
    events = events_of(rich_tree())
    assert same(analysis.start(events, None).result(), analysis._run(analysis.jobs_for(events, None)))


def test_the_gate_reports_the_same_cold_and_warm(cache_dir):
    from eventbus.gate import check

    t = rich_tree()
    fs = t.fs()
    cold = check(fs.root, fs=fs).findings
    warm = check(fs.root, fs=fs).findings
    assert [f.one_line() for f in cold] == [f.one_line() for f in warm]
    assert any(f.rule == "schema-compat" for f in cold) and any(f.rule == "avro-parse" for f in cold)
