"""Drift on SASL stacks: the live cluster (a LiveState, as read_live returns it) against the desired state."""
from __future__ import annotations

from eventbus.adapters.kafka_admin import LiveState, LiveTopic, compare
from eventbus.desired import compute
from eventbus.load.registry import load_registry
from eventbus.load.stacks import load_stack
from tests.conftest import REPO


def _deployed():
    stack = load_stack(str(REPO), "local")
    state = compute(load_registry(str(REPO)).registry, stack)
    live = LiveState(topics={t.name: LiveTopic(t.name, t.partitions, t.replication_factor, dict(t.config_dict)) for t in state.topics},
                     acls={a.identity for a in state.acls}, scram_users={a.kafka_user for a in state.apps} | {"admin"})
    return state, live


def test_a_deployed_cluster_has_no_drift():
    state, live = _deployed()
    assert compare(state, live).lines == []


def test_a_binding_narrowed_to_a_host_says_which_host():
    # the live binding differs from the registry's by its host only: both lines must say so
    state, live = _deployed()
    a = sorted(state.acls)[0].identity
    live.acls.discard(a)
    live.acls.add((*a[:5], "10.0.0.1", a[6]))
    lines = compare(state, live).lines
    assert f"acl missing: {a[0]} {a[6]} {a[4]} on {a[1]} {a[2]} ({a[3]})" in lines
    assert f"acl not in the registry: {a[0]} {a[6]} {a[4]} on {a[1]} {a[2]} ({a[3]}) from host 10.0.0.1" in lines
    assert len(lines) == 2, lines


def test_extra_wildcard_prefixed_and_deny_bindings_are_reported():
    state, live = _deployed()
    user = sorted(state.acls)[0].principal
    live.acls |= {(user, "Topic", "*", "Literal", "All", "*", "Allow"), (user, "Topic", "", "Prefixed", "Read", "*", "Allow"),
                  ("User:*", "Group", "g", "Literal", "Read", "*", "Deny")}
    lines = compare(state, live).lines
    assert f"acl not in the registry: {user} Allow All on Topic * (Literal)" in lines
    assert f"acl not in the registry: {user} Allow Read on Topic  (Prefixed)" in lines
    assert "acl not in the registry: User:* Deny Read on Group g (Literal)" in lines
    assert len(lines) == 3, lines
