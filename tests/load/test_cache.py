"""The parse cache (:mod:`eventbus.load.cache`): the same result as the loader, edits seen by content, damage ignored."""
from __future__ import annotations

import marshal
import os


def _loaded(root):
    from eventbus.load.registry import load_registry

    got = load_registry(str(root))
    return got.registry, sorted(map(str, got.findings)), sorted(got.broken)


def test_parse_cache_gives_what_the_loader_gives(tree, tmp_path, monkeypatch):
    from eventbus.load import cache

    monkeypatch.setenv("EVENTBUS_USER_CACHE", str(tmp_path / "cache"))
    (tree.root / "events/claims/claim_created/v2.avsc").write_text("{not json")  # findings are cached too
    for _ in range(2):  # cold, then from the cache
        got = cache.load_registry_cached(str(tree.root))
        reg, findings, broken = _loaded(tree.root)
        assert got.registry == reg and sorted(map(str, got.findings)) == findings and sorted(got.broken) == broken
    assert 3 <= len(os.listdir(tmp_path / "cache/parse")) <= cache.SHARDS
    # an edit that keeps the size and the modification time is still seen (the bytes are compared by digest)
    path = tree.root / "events/health/refill_requested/event.yaml"
    st = path.stat()
    text = path.read_text()
    path.write_text(text.replace("Refill requested", "Refill Requested"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    got = cache.load_registry_cached(str(tree.root))
    assert next(e for e in got.registry.events if e.ref == "health/refill_requested").title == "Refill Requested"


def test_a_corrupt_parse_cache_is_ignored_and_rewritten(tree, tmp_path, monkeypatch):
    from eventbus.load import cache

    monkeypatch.setenv("EVENTBUS_USER_CACHE", str(tmp_path / "cache"))
    cache.load_registry_cached(str(tree.root))
    shards = sorted((tmp_path / "cache/parse").iterdir())
    shards[0].write_bytes(b"\x80\x04garbage")
    shards[1].write_bytes(shards[1].read_bytes()[:20])
    shards[2].write_bytes(cache._sealed(marshal.dumps({"v": cache.VERSION, "code": "another", "entries": {"x": 1}})))
    got = cache.load_registry_cached(str(tree.root))
    assert got.registry == _loaded(tree.root)[0]
    for s in shards[:3]:
        assert marshal.loads(cache._unsealed(s.read_bytes()))["code"] == cache._code_version()


def _many_apps(t, n: int = 12):
    base = t.consumers["notify/notifier"]
    for i in range(n):
        t.consumers[f"notify/app-{i}"] = dict(base, application=f"app-{i}")
    return t


def test_a_cold_cached_load_reads_the_applications_in_a_worker_and_a_warm_one_parses_no_yaml(tmp_path, monkeypatch):
    from eventbus.load import cache
    from eventbus.load import registry as loading
    from tests.conftest import Tree

    monkeypatch.setenv("EVENTBUS_USER_CACHE", str(tmp_path / "cache"))
    root = tmp_path / "tree"
    _many_apps(Tree(root)).write()
    (root / "consumers/notify/broken.yaml").write_text("application: [unclosed\n")
    (root / "events/claims/claim_created/v9.avsc").write_text("{")
    serial = loading.load_registry(str(root))
    monkeypatch.setattr(loading, "PARALLEL_CONSUMERS", 1)
    import eventbus.concurrency as conc

    asides, start_aside = [], conc.start_aside

    def counting(fn, *a, **k):
        asides.append(fn)
        return start_aside(fn, *a, **k)

    monkeypatch.setattr(conc, "start_aside", counting)
    monkeypatch.setattr("threading.active_count", lambda: 1)  # threads other tests left do not keep the worker from forking
    cold = cache.load_registry_cached(str(root), parallel=True)
    assert len(asides) == 1  # nothing cached yet: the applications were parsed by a worker
    shards = {p: p.stat().st_mtime_ns for p in (tmp_path / "cache/parse").iterdir()}

    def refuse(*_a, **_k):
        raise AssertionError("a file was parsed again")

    monkeypatch.setattr(loading, "parse_yaml", refuse)
    monkeypatch.setattr(loading, "validate_document", refuse)
    warm = cache.load_registry_cached(str(root), parallel=True)
    assert len(asides) == 1  # the applications are in the cache: read here, no worker
    for got in (cold, warm):
        assert got.registry == serial.registry
        assert [f.one_line() for f in got.findings] == [f.one_line() for f in serial.findings]
        assert got.broken == serial.broken
    assert {p: p.stat().st_mtime_ns for p in shards} == shards  # nothing new: nothing rewritten


def test_the_cache_reads_back_plain_model_classes_only(tree, tmp_path, monkeypatch):
    import pickle

    from eventbus.load import cache

    monkeypatch.setenv("EVENTBUS_USER_CACHE", str(tmp_path / "cache"))
    first = cache.load_registry_cached(str(tree.root))
    ran = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {ran}",))

    evil = pickle.dumps([Evil()])
    for shard in (tmp_path / "cache/parse").iterdir():
        data = marshal.loads(cache._unsealed(shard.read_bytes()))
        for rel, entry in data["entries"].items():
            how, plain, _extra = entry[4]
            data["entries"][rel] = (*entry[:4], ("p", evil, evil) if how == "p" else (how, plain, evil))
        shard.write_bytes(cache._sealed(marshal.dumps(data)))
    again = cache.load_registry_cached(str(tree.root))
    assert not ran.exists()  # the entries were misses: parsed again, nothing run
    assert again.registry == first.registry and again.findings == first.findings


def test_an_entry_marshal_cannot_hold_is_pickled_and_read_back():
    import datetime as dt

    from eventbus.load import cache
    from eventbus.model.registry import Positions

    pos = Positions("events/a/b/event.yaml", {(): (1, 1), ("deprecated_on",): (3, 16)})
    dated = cache._encode("yaml:event", ({"deprecated_on": dt.date(2026, 1, 2)}, pos), [])
    plain = cache._encode("yaml:event", ({"title": "x"}, pos), [])
    data = cache._marshalled({"v": cache.VERSION, "entries": {"a": (1, 2, "d", "yaml:event", dated), "b": (1, 2, "d", "yaml:event", plain)}})
    entries = marshal.loads(data)["entries"]
    assert entries["a"][4][0] == "p" and entries["b"][4][0] == "m"  # only the entry that needed it
    (doc, got_pos), findings = cache._decode("yaml:event", entries["a"][4], "events/a/b/event.yaml")
    assert doc == {"deprecated_on": dt.date(2026, 1, 2)} and findings == []
    assert got_pos == pos and got_pos.loc("deprecated_on").line == 3


def test_the_code_version_covers_what_the_cached_results_come_from():
    """Every eventbus module the loader and the model import (directly or not) is part of the cache's code version."""
    import subprocess
    import sys

    from eventbus.load import cache

    code = ("import sys; import eventbus.load.registry, eventbus.load.cache, eventbus.load.stacks, eventbus.load.adoption; "
            "print('\\n'.join(sorted(m for m in sys.modules if m.startswith('eventbus'))))")
    mods = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    pkg = os.path.dirname(os.path.dirname(cache.__file__))
    covered = ("eventbus.load", "eventbus.model", "eventbus.schemas", "eventbus.text")
    outside = [m for m in mods if m != "eventbus" and not m.startswith(covered)]
    assert outside == [], f"the parse cache's results depend on {outside}, which its code version does not digest ({pkg})"


def _damage_every_entry(cache_dir, damage) -> None:
    """Rewrite each shard with ``damage(entry)`` in place of each entry (as a cache the loader writes: readable whole)."""
    from eventbus.load import cache

    for shard in sorted((cache_dir / "parse").iterdir()):
        data = marshal.loads(cache._unsealed(shard.read_bytes()))
        cache._write(str(shard), {rel: damage(e) for rel, e in data["entries"].items()})


def test_entries_of_unexpected_shapes_are_misses_not_crashes(tree, tmp_path, monkeypatch):
    """A shard whose marshal data decodes but whose entries are not what the cache writes (another shape, other
    types, findings that are not findings): those entries are parsed again, and the gate reports what it reports uncached."""
    import pickle

    from eventbus.gate import check
    from eventbus.model import Loc
    from eventbus.model.findings import Finding, Severity

    tree.consumers["notify/notifier"]["subscriptions"][0]["event"] = "claims/no_such_event"  # a finding that asks for positions
    tree.write()
    (tree.root / "events/claims/claim_created/v2.avsc").write_text("{not json")  # and one cached with its entry
    monkeypatch.setenv("EVENTBUS_NO_CACHE", "1")
    want = [f.one_line() for f in check(str(tree.root)).findings]
    monkeypatch.delenv("EVENTBUS_NO_CACHE")
    assert want
    bad = Finding("x", Severity.INFO, "m", "h", Loc("f"))
    object.__setattr__(bad, "message", "two\nlines")  # what __post_init__ never lets through

    def blob(how=None, plain=None, extra=None):
        def damage(e):
            h, p, x = e[4]
            return (*e[:4], (h if how is None else how, p if plain is None else plain(e, p), x if extra is None else extra))
        return damage

    def yaml_plain(i, value):
        return lambda e, p: tuple(value if j == i else v for j, v in enumerate(p)) if e[3].startswith("yaml:") and p else p

    damages = {
        "an int": lambda e: 7,
        "a dict": lambda e: {"a": 1},
        "a list": lambda e: list(e),
        "four long": lambda e: e[:4],
        "six long": lambda e: (*e, 1),
        "a blob of two": lambda e: (*e[:4], e[4][:2]),
        "another how": blob(how="x"),
        "findings not a list": blob(extra=pickle.dumps(None)),
        "findings of ints": blob(extra=pickle.dumps([1, 2])),
        "a finding with a newline": blob(extra=pickle.dumps([bad])),
        "a document that is a list": blob(plain=yaml_plain(0, [])),
        "a file that is an int": blob(plain=yaml_plain(1, 3)),
        "positions not bytes": blob(plain=yaml_plain(2, "s")),
        "positions not marshal": blob(plain=yaml_plain(2, b"garbage")),
        "positions of text": blob(plain=yaml_plain(2, marshal.dumps({(): "ab", ("subscriptions",): "cd"}))),
        "a version of text": blob(plain=lambda e, p: ("x", *p[1:]) if e[3].startswith("avsc:") and p else p),
        "a schema of two fields": blob(plain=lambda e, p: p[:2] if e[3].startswith("avsc:") and p else p),
    }
    for name, damage in damages.items():
        monkeypatch.setenv("EVENTBUS_USER_CACHE", str(tmp_path / name))
        assert [f.one_line() for f in check(str(tree.root)).findings] == want, name  # cold
        _damage_every_entry(tmp_path / name, damage)
        got = [f.one_line() for f in check(str(tree.root)).findings]
        if name.startswith("positions"):  # the document is taken, its positions unknown: the findings are those of the file
            assert [g.split(":")[0] for g in got] == [w.split(":")[0] for w in want], name
        else:
            assert got == want, name



def test_a_shard_damaged_where_it_still_decodes_is_ignored(tree, tmp_path, monkeypatch):
    """A shard whose bytes changed (a bit flipped on disk, an edit) in a way marshal still reads: not taken."""
    from eventbus.gate import check
    from eventbus.load import cache

    monkeypatch.setenv("EVENTBUS_USER_CACHE", str(tmp_path / "cache"))
    tree.write()
    want = [f.one_line() for f in check(str(tree.root)).findings]
    damaged = 0
    for shard in (tmp_path / "cache/parse").iterdir():
        raw = shard.read_bytes()
        if int(shard.name.split(".")[1]) >= cache.SHARDS // 2 and b"claims/claim_created" in raw:  # the applications' half
            shard.write_bytes(raw.replace(b"claims/claim_created", b"claims/claim_createX"))
            damaged += 1
    assert damaged
    assert [f.one_line() for f in check(str(tree.root)).findings] == want


def test_the_cache_is_of_the_libraries_installed(tmp_path, monkeypatch):
    """What the cache holds is also the libraries' output (YAML parse errors, JSON Schema messages): another
    version of one installed is another cache, as another version of the loader is."""
    import importlib

    from eventbus.load import cache

    site = tmp_path / "site"
    (site / "fakelib").mkdir(parents=True)
    (site / "fakelib/__init__.py").write_text("")
    (site / "fakelib-1.0.dist-info").mkdir()
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setattr(cache, "_LIBRARIES", (*cache._LIBRARIES, "fakelib"))
    monkeypatch.setattr(cache, "_code", None)
    before = cache._code_version()
    (site / "fakelib-1.0.dist-info").rename(site / "fakelib-1.1.dist-info")
    importlib.invalidate_caches()
    monkeypatch.setattr(cache, "_code", None)
    assert cache._code_version() != before


def test_a_tree_whose_path_is_not_utf8(tmp_path, monkeypatch):
    """A checkout in a folder whose name is not UTF-8 (its bytes come back as lone surrogates) is cached as any other."""
    from eventbus.gate import check
    from tests.conftest import Tree

    monkeypatch.setenv("EVENTBUS_USER_CACHE", str(tmp_path / "cache"))
    root = tmp_path / os.fsdecode(b"caf\xe9") / "registry"
    Tree(root).write()
    for _ in range(2):  # cold, warm
        assert check(str(root)).findings == []
    assert os.listdir(tmp_path / "cache/parse")


def test_how_deep_a_json_file_may_nest_is_the_same_cached_or_not(tree, tmp_path, monkeypatch):
    """JSON's own nesting limit is Python's recursion limit, so it moved with the depth of the caller's stack (the
    cached loader calls the parser a few frames deeper): the deepest ``.avsc`` read without the cache was refused
    with it."""
    from eventbus.gate import check

    tree.write()
    path = tree.root / "events/health/refill_requested/v1.avsc"
    text = path.read_text().rstrip()
    assert text.endswith("}")

    def refused(depth: int, cached: bool) -> bool:
        path.write_text(text[:-1] + ', "x": ' + "[" * depth + "]" * depth + "}")
        if cached:
            monkeypatch.delenv("EVENTBUS_NO_CACHE", raising=False)
            monkeypatch.setenv("EVENTBUS_USER_CACHE", str(tmp_path / f"cache-{depth}"))
        else:
            monkeypatch.setenv("EVENTBUS_NO_CACHE", "1")
        return any(f.rule == "json-syntax" for f in check(str(tree.root)).findings)

    accepted, too_deep = 1, 5000  # the deepest document read uncached, by bisection
    while too_deep - accepted > 1:
        mid = (accepted + too_deep) // 2
        if refused(mid, cached=False):
            too_deep = mid
        else:
            accepted = mid
    for _ in range(2):  # cold, then warm
        assert not refused(accepted, cached=True) and refused(too_deep, cached=True)


def test_a_shard_that_is_not_a_regular_file_is_not_waited_on(tree, tmp_path, monkeypatch):
    """A FIFO (or a folder) where a shard should be is an empty shard: the load neither hangs nor fails."""
    from eventbus.load import cache

    monkeypatch.setenv("EVENTBUS_USER_CACHE", str(tmp_path / "cache"))
    first = cache.load_registry_cached(str(tree.root))
    shards = sorted((tmp_path / "cache/parse").iterdir())
    shards[0].unlink()
    os.mkfifo(shards[0])
    shards[1].unlink()
    shards[1].mkdir()
    (tmp_path / "cache/parse/subfolder").mkdir()  # the stale-file sweep goes on past what it cannot remove
    again = cache.load_registry_cached(str(tree.root))
    assert again.registry == first.registry and again.findings == first.findings


def test_a_cache_others_may_write_is_not_read(tree, tmp_path, monkeypatch):
    """Entries in a folder (or shard) that other users may write could have been planted: such a cache is not used."""
    from eventbus.load import cache

    monkeypatch.setenv("EVENTBUS_USER_CACHE", str(tmp_path / "cache"))
    cache.load_registry_cached(str(tree.root))
    folder = tmp_path / "cache/parse"
    shards = sorted(folder.iterdir())
    hits = []
    real = cache.CachedTreeLoader._cached

    def counting(self, path, kind, compute):
        before = self.misses
        got = real(self, path, kind, compute)
        hits.append(self.misses == before)
        return got

    monkeypatch.setattr(cache.CachedTreeLoader, "_cached", counting)
    cache.load_registry_cached(str(tree.root))
    assert hits and all(hits)  # the user's own cache: every file from it
    hits.clear()
    os.chmod(shards[0], 0o666)
    cache.load_registry_cached(str(tree.root))
    assert not all(hits) and any(hits)  # that shard's entries were parsed again, the others' not
    hits.clear()
    os.chmod(folder, 0o777)
    stamps = {p: p.stat().st_mtime_ns for p in folder.iterdir()}
    got = cache.load_registry_cached(str(tree.root))
    assert hits == [] and got.registry == _loaded(tree.root)[0]  # not read through the cache at all
    assert {p: p.stat().st_mtime_ns for p in folder.iterdir()} == stamps  # nor written
