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

    monkeypatch.setenv("EVENTBUS_CACHE", str(tmp_path / "cache"))
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

    monkeypatch.setenv("EVENTBUS_CACHE", str(tmp_path / "cache"))
    cache.load_registry_cached(str(tree.root))
    shards = sorted((tmp_path / "cache/parse").iterdir())
    shards[0].write_bytes(b"\x80\x04garbage")
    shards[1].write_bytes(shards[1].read_bytes()[:20])
    shards[2].write_bytes(marshal.dumps({"v": cache.VERSION, "code": "another", "entries": {"x": 1}}))
    got = cache.load_registry_cached(str(tree.root))
    assert got.registry == _loaded(tree.root)[0]
    for s in shards[:3]:
        assert marshal.loads(s.read_bytes())["code"] == cache._code_version()
