"""The load snapshot (:mod:`eventbus.load.snapshot`): the registry a full load gives, with only the changed event
folders read again; anything foreign, damaged or stale is refused, and the tree is then loaded whole."""
from __future__ import annotations

import copy
import marshal
import os
import pickle

import pytest

from eventbus.catalog.incremental import scan
from eventbus.load import snapshot
from eventbus.load.registry import load_registry


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTBUS_USER_CACHE", str(tmp_path / "cache"))


def _full(root):
    got = load_registry(str(root))
    return got.registry, snapshot.errors_in(got.findings), got


def _keep(root) -> None:
    """What a build does after a full load: keep its snapshot."""
    inputs = scan(str(root), {})
    snapshot.write(str(root), snapshot.of_load(_full(root)[2], inputs.events, inputs.rest))


def _from_snapshot(root):
    inputs = scan(str(root), {})
    return snapshot.registry_from(str(root), snapshot.read(str(root)), inputs.events, inputs.rest)


def _events_read(monkeypatch) -> list[str]:
    from eventbus.load.registry import TreeLoader

    read: list[str] = []
    real = TreeLoader.load_event

    def spy(self, domain, name, epath):
        read.append(f"{domain}/{name}")
        return real(self, domain, name, epath)

    monkeypatch.setattr(TreeLoader, "load_event", spy)
    return read


def test_unchanged_tree_gives_the_full_load_and_reads_no_event(tree, monkeypatch):
    _keep(tree.root)
    read = _events_read(monkeypatch)
    reg, errors, again = _from_snapshot(tree.root)
    assert read == [] and again is None  # nothing read, nothing to write back
    assert (reg, errors) == _full(tree.root)[:2]


@pytest.mark.parametrize("change", ["edit", "add", "remove", "break", "new_version"])
def test_after_a_change_only_that_event_is_read_and_the_registry_is_the_full_loads(tree, monkeypatch, change):
    _keep(tree.root)
    if change == "edit":
        tree.events["claims/claim_created"]["meta"]["summary"] = "Edited."
    elif change == "add":
        tree.events["claims/claim_closed"] = copy.deepcopy(tree.events["claims/claim_created"])
    elif change == "remove":
        del tree.events["health/refill_requested"]
    elif change == "new_version":
        tree.events["claims/claim_created"]["versions"].append(copy.deepcopy(tree.events["claims/claim_created"]["versions"][-1]))
    tree.write()
    if change == "break":
        (tree.root / "events/claims/claim_created/event.yaml").write_text("title: [unclosed\n")
    read = _events_read(monkeypatch)
    reg, errors, again = _from_snapshot(tree.root)
    assert read == {"add": ["claims/claim_closed"], "remove": []}.get(change, ["claims/claim_created"])
    full_reg, full_errors, _ = _full(tree.root)
    assert reg == full_reg and [e.ref for e in reg.events] == [e.ref for e in full_reg.events] and errors == full_errors
    assert again is not None and again.dirty and len(again.dirty) == 1
    if change == "break":
        assert errors >= 1 and "claims/claim_created" not in reg.events_by_ref
    snapshot.write(str(tree.root), again)  # kept, the next load reads nothing again
    read.clear()
    assert _from_snapshot(tree.root)[0] == full_reg and read == []


def test_a_change_outside_the_event_folders_refuses_the_snapshot(tree):
    _keep(tree.root)
    tree.consumers["notify/notifier"]["description"] = "Changed."
    tree.write()
    assert _from_snapshot(tree.root) is None


def test_a_snapshot_of_other_code_or_another_state_is_refused(tree, monkeypatch):
    from eventbus.load.cache import _sealed, _unsealed

    _keep(tree.root)
    with monkeypatch.context() as m:
        m.setattr(snapshot, "_code", lambda: "other code")
        assert snapshot.read(str(tree.root)) is None
    assert snapshot.read(str(tree.root)) is not None
    # one shard of an older state of the tree: the files disagree on the rest's digest
    path = snapshot._files(str(tree.root))[3]
    data = marshal.loads(_unsealed(open(path, "rb").read()))
    with open(path, "wb") as fh:
        fh.write(_sealed(marshal.dumps((data[0], data[1], "an older tree", data[3]))))
    assert snapshot.read(str(tree.root)) is None


def test_damage_and_missing_files_are_refused(tree):
    _keep(tree.root)
    files = snapshot._files(str(tree.root))
    raw = open(files[5], "rb").read()
    with open(files[5], "wb") as fh:  # one byte flipped where marshal would still read: the seal sees it
        fh.write(raw[:-3] + bytes([raw[-3] ^ 1]) + raw[-2:])
    assert snapshot.read(str(tree.root)) is None
    _keep(tree.root)
    os.unlink(files[0])
    assert snapshot.read(str(tree.root)) is None


def test_files_others_may_write_are_not_read(tree):
    _keep(tree.root)
    files = snapshot._files(str(tree.root))
    os.chmod(files[2], 0o666)
    assert snapshot.read(str(tree.root)) is None
    os.chmod(files[2], 0o600)
    os.chmod(os.path.dirname(files[2]), 0o777)
    try:
        assert snapshot.read(str(tree.root)) is None
    finally:
        os.chmod(os.path.dirname(files[2]), 0o700)


class Boom:
    def __reduce__(self):
        return (os.system, ("touch /tmp/eventbus-snapshot-ran",))


def test_a_planted_pickle_runs_no_code_and_refuses_the_snapshot(tree):
    _keep(tree.root)
    snap = snapshot.read(str(tree.root))
    ref = "claims/claim_created"
    planted = dict(snap.events)
    planted[ref] = (snap.events[ref][0], pickle.dumps((Boom(), 0)))
    snapshot.write(str(tree.root), snapshot.Snapshot(snap.rest, planted, snap.others))
    assert _from_snapshot(tree.root) is None
    assert not os.path.exists("/tmp/eventbus-snapshot-ran")
    # an object of another class than the event's (a model class, allowed to be built) is refused too
    planted[ref] = (snap.events[ref][0], snapshot._dumps((full_team(tree), 0)))
    snapshot.write(str(tree.root), snapshot.Snapshot(snap.rest, planted, snap.others))
    assert _from_snapshot(tree.root) is None


def full_team(tree):
    return _full(tree.root)[0].teams[0]


def test_the_unpickler_builds_only_model_classes():
    from eventbus.model.registry import Loc

    assert snapshot._loads(snapshot._dumps(Loc("a", 1, 2))) == Loc("a", 1, 2)
    for forbidden in (os.system, pickle.loads, copy.deepcopy, snapshot.Snapshot):
        with pytest.raises(pickle.UnpicklingError):
            snapshot._loads(pickle.dumps(forbidden))
    from eventbus.model import naming, registry

    for function in (registry.merged_events, naming.event_ref):  # functions of the model's modules
        with pytest.raises(pickle.UnpicklingError):
            snapshot._loads(pickle.dumps(function))


def test_caches_off_means_no_snapshot(tree, monkeypatch):
    monkeypatch.setenv("EVENTBUS_NO_CACHE", "1")
    _keep(tree.root)
    assert snapshot.read(str(tree.root)) is None and snapshot._files(str(tree.root)) is None


def test_snapshots_of_trees_not_built_for_a_month_are_removed(tree, tmp_path):
    other = tmp_path / "cache/catalog/load-0123.rest.bin"
    recent = tmp_path / "cache/catalog/load-4567.rest.bin"
    other.parent.mkdir(parents=True, exist_ok=True)
    other.write_bytes(b"old")
    recent.write_bytes(b"recent")
    month = 31 * 86400
    os.utime(other, (os.stat(other).st_atime - month, os.stat(other).st_mtime - month))
    _keep(tree.root)
    assert not other.exists() and recent.exists() and snapshot.read(str(tree.root)) is not None


def test_a_snapshot_of_another_rest_is_refused_before_its_events_are_read(tree, monkeypatch):
    _keep(tree.root)
    read: list[str] = []
    real = snapshot._read_file
    monkeypatch.setattr(snapshot, "_read_file", lambda p: read.append(p) or real(p))
    assert snapshot.read(str(tree.root), "another rest") is None and len(read) == 1
    read.clear()
    assert snapshot.read(str(tree.root), scan(str(tree.root), {}).rest) is not None and len(read) == 1 + snapshot.SHARDS
