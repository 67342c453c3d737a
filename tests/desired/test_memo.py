"""The desired-state memo of a serving process: with it, every computation equals the one without it."""
from __future__ import annotations

import dataclasses
import json
import random

import pytest

from eventbus.desired import compute
from eventbus.desired.memo import Memo
from eventbus.load.registry import load_registry
from eventbus.load.stacks import load_stack
from tests.desired.test_desired_state import AWS_PROD, AWS_SANDBOX, BOTH


@pytest.fixture
def base(tree):
    """The sample registry and its stacks, IAM and ACL clients both (so grants are roles and ACLs)."""
    stacks = {"prod": json.loads(json.dumps(AWS_PROD)), "sandbox": json.loads(json.dumps(AWS_SANDBOX))}
    for s in stacks.values():
        s["config"]["eventbus:authorization"] = BOTH
    tree.stacks = stacks
    tree.write()
    reg = load_registry(str(tree.root)).registry
    return reg, [load_stack(str(tree.root), n) for n in ("prod", "sandbox")]


def _event(reg, ref, **changes):
    """``reg`` with one event changed; every other object is the same object."""
    return dataclasses.replace(reg, events=tuple(dataclasses.replace(e, **changes) if e.ref == ref else e for e in reg.events))


def _consumer(reg, ref, **changes):
    return dataclasses.replace(reg, consumers=tuple(dataclasses.replace(c, **changes) if c.ref == ref else c for c in reg.consumers))


def _mutations(reg):
    """What an edit can do to the objects the grants are made of, as registries sharing every other object."""
    first = reg.events[0]
    notifier = reg.consumers_by_ref["notify/notifier"]
    return {
        "summary": _event(reg, first.ref, summary="Edited."),
        "restricted": _event(reg, "claims/claim_created", access_policy="restricted", allowed_consumers=()),
        "open": _event(reg, "claims/claim_created", access_policy="open", allowed_consumers=()),
        "topic renamed": _event(reg, first.ref, topic=dataclasses.replace(first.topic, name="renamed_topic")),
        "partitions": _event(reg, first.ref, topic=dataclasses.replace(first.topic, partitions=first.topic.partitions + 3)),
        "classification": _event(reg, first.ref, classification="PHI"),
        "no producers": _event(reg, first.ref, producers=()),
        "idempotent": _event(reg, first.ref, producers=tuple(dataclasses.replace(p, idempotent=not p.idempotent) for p in first.producers)),
        "retired": _event(reg, first.ref, lifecycle="retired"),
        "unsubscribed": _consumer(reg, notifier.ref, subscriptions=notifier.subscriptions[1:]),
        "fields declared": _consumer(reg, notifier.ref, subscriptions=tuple(dataclasses.replace(s, fields=("claimId",)) for s in notifier.subscriptions)),
        "principals": _consumer(reg, notifier.ref, principals={k: (*v, "arn:aws-us-gov:iam::123456789012:role/another") for k, v in notifier.principals.items()}),
        "group": _consumer(reg, notifier.ref, consumer_group=dataclasses.replace(notifier.consumer_group, name="notify.other", prefix=True)),
        "event removed": dataclasses.replace(reg, events=reg.events[1:]),
    }


@pytest.mark.parametrize("name", ["summary", "restricted", "open", "topic renamed", "partitions", "classification", "no producers", "idempotent",
                                  "retired", "unsubscribed", "fields declared", "principals", "group", "event removed"])
def test_a_computation_with_the_memo_equals_one_without(base, name):
    reg, stacks = base
    memo = Memo()
    before = [compute(reg, s, memo) for s in stacks]
    assert before == [compute(reg, s) for s in stacks]
    changed = _mutations(reg)[name]
    hits = memo.hits
    got = [compute(changed, s, memo) for s in stacks]
    assert got == [compute(changed, s) for s in stacks], name
    assert memo.hits > hits  # what did not change was taken from the memo
    assert [compute(reg, s, memo) for s in stacks] == before  # and back


def test_a_new_stack_object_or_adoption_record_is_computed_afresh(base, tree):
    reg, stacks = base
    memo = Memo()
    for s in stacks:
        compute(reg, s, memo)
    other = dataclasses.replace(stacks[0], role_prefix="eeb-other")
    hits = memo.hits
    assert compute(reg, other, memo) == compute(reg, other)
    assert memo.hits == hits  # nothing of another stack object is reused, even of the same name


def test_a_random_series_of_edits_stays_equal(base):
    reg, stacks = base
    memo = Memo()
    rng = random.Random(7)
    current = reg
    for _ in range(25):
        options = _mutations(current)
        if len(current.events) <= 2:
            del options["event removed"]
        name, changed = rng.choice(sorted(options.items()))
        current = changed
        assert [compute(current, s, memo) for s in stacks] == [compute(current, s) for s in stacks], name
    # the memo holds only what the last computation used or made
    assert sum(len(v) for v in memo.apps.values()) <= 2 * len(current.consumers)
    assert sum(len(v) for v in memo.topics.values()) <= 2 * len(current.events)
