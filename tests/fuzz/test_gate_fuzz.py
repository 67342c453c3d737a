"""Fuzzing the loader and the whole gate (`load_registry`, `validate`) on mutated registries.

Two kinds of input, both starting from the valid `Tree` fixture registry:

* file level: one file of the tree replaced (or added) with fuzzed bytes: random, YAML token
  soup, or its original content with bytes inserted, deleted or swapped;
* model level: edits a pull request could make to the documents (any value replaced by a
  hostile one, keys removed or added, folders renamed to confusable or malformed names,
  events copied onto each other's topics, subscriptions added, schemas evolved).

Properties: the gate returns findings and never raises; every input is handled within a
time bound; every finding names a file of the tree (or of the base, for removals) with a
line >= 1 that exists in it; the tree is not modified; and when the gate passes, the registry
really is safe to deploy (an oracle independent of the rules: well-formed ARNs without
wildcards, ASCII snake_case folder names, unique topics and groups, restricted events read
only by approved consumers, no PII/PHI where a stack forbids it).
"""
from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from hypothesis import assume, given
from hypothesis import strategies as st

from tests.conftest import Tree
from tests.fuzz import harness
from tests.fuzz.conftest import fuzz
from tests.fuzz.strategies import NASTY_STRINGS, _paths, avro_record, evolve, file_edit, nasty, weird_names

# -- file level -------------------------------------------------------------------------


@fuzz(60, deadline_s=10, heavy=True)
@given(file_edit())
def test_loader_on_fuzzed_files(edit):
    slot, data = edit
    tree = harness.base_tree()
    harness.loader_target(bytes([tree.slots.index(slot)]) + data)


@fuzz(40, deadline_s=15, heavy=True)
@given(file_edit())
def test_gate_on_fuzzed_files(edit):
    slot, data = edit
    tree = harness.base_tree()
    harness.gate_target(bytes([tree.slots.index(slot)]) + data)


# -- model level ------------------------------------------------------------------------
_WORK = tempfile.mkdtemp(prefix="eventbus-fuzz-model-")


ARNS = [v for v in NASTY_STRINGS if v.startswith(("arn", "ａｒｎ"))] + ["arn:aws-us-gov:iam::111122223333:role/ok"]
DATES = ["0000-01-01", "0001-01-01", "9999-12-31", "2026-02-30", "2026-01-01T00:00:00Z", "20260101", "2026-11-26", "2027-06-01", "2020-01-01", "2999-12-31"]
GROUPS = ["*", ".*", "notify.*", "notify", "notify.", "notify.notifier", "notify.notifier\n", "claims-team.claims-publisher", "..."]


def _docs(t: Tree) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = [(f"team {k}", v) for k, v in t.teams.items()]
    for ref, ev in t.events.items():
        out.append((f"event {ref}", ev["meta"]))
        out.extend((f"schema {ref} v{i + 1}", v) for i, v in enumerate(ev["versions"]))
        if ev.get("key") is not None:
            out.append((f"key {ref}", ev["key"]))
        out.extend((f"example {ref} {n}", p) for n, p in (ev.get("examples") or {}).items())
    out.extend((f"consumer {k}", v) for k, v in t.consumers.items())
    out.extend((f"stack {k}", v) for k, v in t.stacks.items())
    return out


@st.composite
def model_edit(draw, t: Tree) -> str:
    """One edit of the registry's documents; returns a description (for the failure report)."""
    try:
        return _model_edit(draw, t)
    except (AttributeError, TypeError, KeyError, IndexError):  # an earlier edit made the document another shape
        return "skipped"


def _model_edit(draw, t: Tree) -> str:
    op = draw(st.sampled_from(["set", "set", "set", "targeted", "targeted", "targeted", "delete", "add", "rename-event", "rename-consumer", "copy-event",
                               "subscribe", "schema", "schema", "new-consumer"]))
    if op == "targeted" and "notify/notifier" in t.consumers and "claims/claim_created" in t.events:
        # the values an attacker aims at: principals, group, topic and folder names, dates, approvals
        cons, ev = t.consumers["notify/notifier"], t.events["claims/claim_created"]["meta"]
        where = draw(st.sampled_from(["consumer-arn", "producer-arn", "group", "topic", "date", "allowed", "subscription", "environment", "lifecycle"]))
        pool = {"consumer-arn": ARNS, "producer-arn": ARNS, "date": DATES, "group": GROUPS}.get(where)
        value = draw(st.one_of(st.sampled_from(pool), nasty) if pool else nasty)
        if where == "consumer-arn":
            cons["principals"]["prod"] = [value]
        elif where == "producer-arn" and "claims-team/claims-publisher" in t.consumers:
            t.consumers["claims-team/claims-publisher"]["principals"]["prod"] = [value]
        elif where == "group":
            cons["consumer_group"] = {"name": value, "prefix": draw(st.booleans())}
        elif where == "topic":
            ev.setdefault("topic", {})["name"] = value
        elif where == "date":
            key = draw(st.sampled_from(["deprecated_on", "removal_date"]))
            ev["lifecycle"] = draw(st.sampled_from(["deprecated", "retired", "production"]))
            ev[key] = value
            ev.setdefault("removal_date" if key == "deprecated_on" else "deprecated_on", draw(st.sampled_from(["2026-01-01", "9999-12-31", "0001-01-01"])))
        elif where == "allowed":
            if "health/refill_requested" in t.events:
                t.events["health/refill_requested"]["meta"].setdefault("access", {})["allowed_consumers"] = [value]
        elif where == "subscription":
            cons["subscriptions"][0]["event"] = value
        elif where == "environment":
            cons["subscriptions"][0]["environments"] = [value]
        else:
            ev["lifecycle"] = value
        return f"targeted {where} = {value!r}"
    if op in ("set", "delete", "add"):
        label, doc = draw(st.sampled_from(_docs(t)))
        paths = [p for p in _paths(doc) if p]
        if not paths:
            return "noop"
        path = draw(st.sampled_from(paths))
        node = doc
        for p in path[:-1]:
            node = node[p]
        if op == "set":
            node[path[-1]] = draw(nasty)
        elif op == "delete":
            del node[path[-1]]
        elif isinstance(node, dict):
            node[draw(st.sampled_from(["colour", "topic", "name", "principals", "access", "<<", "consumer_group", "default", "aliases"]))] = draw(nasty)
        elif isinstance(node, list):
            node.append(draw(nasty))
        return f"{op} {label} {path}"
    if op == "rename-event":
        ref = draw(st.sampled_from(sorted(t.events)))
        new = f"{draw(weird_names)}/{draw(weird_names)}"
        t.events[new] = t.events.pop(ref)
        return f"rename event {ref} -> {new!r}"
    if op == "rename-consumer":
        ref = draw(st.sampled_from(sorted(t.consumers)))
        new = f"{draw(weird_names)}/{draw(weird_names)}"
        t.consumers[new] = t.consumers.pop(ref)
        return f"rename consumer {ref} -> {new!r}"
    if op == "copy-event":
        ref = draw(st.sampled_from(sorted(t.events)))
        new = f"{draw(weird_names)}/{draw(weird_names)}"
        t.events[new] = copy.deepcopy(t.events[ref])
        if draw(st.booleans()):
            t.events[new]["meta"].setdefault("topic", {})["name"] = draw(st.sampled_from(["claims_claim_created", "health_refill_requested", ref.replace("/", "_")]))
        return f"copy event {ref} -> {new!r}"
    if op == "subscribe":
        c = draw(st.sampled_from(sorted(t.consumers)))
        t.consumers[c].setdefault("subscriptions", []).append(
            {"event": draw(st.one_of(st.sampled_from(sorted(t.events)), nasty)), "purpose": "A purpose of some length.", "environments": draw(st.one_of(st.just(["prod"]), st.just(["sandbox"]), nasty))}
        )
        return f"subscribe {c}"
    if op == "schema":
        ref = draw(st.sampled_from(sorted(t.events)))
        vs = t.events[ref]["versions"]
        if vs and draw(st.booleans()):
            vs.append(draw(evolve(vs[-1])))
        else:
            vs.append(draw(avro_record()))
        return f"schema {ref} v{len(vs)}"
    # new-consumer: a second application, often with a clashing or overlapping group
    src = draw(st.sampled_from(sorted(t.consumers)))
    team = src.split("/")[0]
    app = draw(st.sampled_from(["other-app", "notifier2", "x"]))
    c = copy.deepcopy(t.consumers[src])
    c["application"], c["team"] = app, team
    if draw(st.booleans()):
        c["consumer_group"] = {"name": draw(st.sampled_from(["notify.notifier", "notify", "notify.n", "*", "notify.notifier\n"])), "prefix": draw(st.booleans())}
    t.consumers[f"{team}/{app}"] = c
    return f"new consumer {team}/{app}"


def _write(t: Tree) -> None:
    for extra in os.listdir(t.root):
        p = os.path.join(t.root, extra)
        if extra not in ("events", "consumers", "teams") and not extra.startswith("Pulumi."):
            shutil.rmtree(p) if os.path.isdir(p) and not os.path.islink(p) else os.unlink(p)
    try:
        t.write()
    except (OSError, ValueError, TypeError, UnicodeError):  # a name the file system refuses, or a value yaml/json cannot write
        assume(False)


@st.composite
def edited_tree(draw):
    t = Tree(Path(_WORK))
    done = [draw(model_edit(t)) for _ in range(draw(st.integers(1, 4)))]
    for ref in list(t.events) + list(t.consumers):
        parts = ref.split("/")
        assume(len(parts) == 2 and all(p not in ("", ".", "..") for p in parts))
    return t, done


ARN = re.compile(r"arn:aws(-us-gov)?:iam::[0-9]{12}:(role|user)/[A-Za-z0-9+=,.@_/-]+", re.ASCII)
SNAKE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", re.ASCII)
ID = re.compile(r"[a-z][a-z0-9-]{1,62}", re.ASCII)


def deployable(reg) -> list[str]:
    """What must hold of a registry the gate lets through (independent of the rules' code)."""
    bad = []
    envs = {s.environment: s for s in reg.stacks}
    for e in reg.events:
        for part in (e.domain, e.name):
            if not SNAKE.fullmatch(part):
                bad.append(f"event folder name {part!r} is not ASCII snake_case")
        if e.topic.name is not None and not SNAKE.fullmatch(e.topic.name):
            bad.append(f"topic name {e.topic.name!r}")
        for p in e.producers:
            app = reg.producer_app(e, p)
            if app is None or app.team != e.owner:
                bad.append(f"producer {p.application!r} of {e.ref} is not an application of its owner {e.owner!r}")
    topics = [e.topic_name for e in reg.events]
    if len(set(topics)) != len(topics):
        bad.append(f"topics collide: {sorted(topics)}")
    groups = [c.consumer_group.name for c in reg.consumers]
    if len(set(groups)) != len(groups):
        bad.append(f"groups collide: {sorted(groups)}")
    events = reg.events_by_ref
    for c in reg.consumers:
        if not (ID.fullmatch(c.team) and ID.fullmatch(c.application)):
            bad.append(f"consumer ref {c.ref!r}")
        for arns in c.principals.values():
            bad += [f"consumer ARN {a!r}" for a in arns if not ARN.fullmatch(a) or "*" in a]
        if not re.fullmatch(r"[A-Za-z0-9._-]{3,200}", c.consumer_group.name, re.ASCII) or not c.consumer_group.name.startswith(c.team + "."):
            bad.append(f"group {c.consumer_group.name!r} of {c.ref}")
        for s in c.subscriptions:
            e = events.get(s.event)
            if e is None:
                bad.append(f"subscription to unknown {s.event!r}")
                continue
            if e.access_policy == "restricted" and c.ref not in e.allowed_consumers:
                bad.append(f"{c.ref} reads restricted {e.ref}")
            for env in s.environments:
                if env not in c.principals:
                    bad.append(f"{c.ref} subscribes in {env} without principals")
                if env in envs and e.classification not in envs[env].allowed_classifications:
                    bad.append(f"{c.ref} reads {e.classification} {e.ref} in {env}")
    return bad


@fuzz(40, deadline_s=15, heavy=True)
@given(edited_tree())
def test_gate_on_edited_registries(edited):
    t, done = edited
    _write(t)
    harness.EXECUTIONS["gate-model"] += 1
    before = harness.BaseTree.snapshot(t)  # same walker, on this tree
    result = harness.run_gate_checked(str(t.root))
    assert harness.BaseTree.snapshot(t) == before, "the gate modified the tree"
    if result.ok:
        problems = deployable(result.registry)
        assert not problems, f"the gate passed a registry that is not safe to deploy after {done}: {problems}"


# -- against a base (history rules) -------------------------------------------------------
_BASE_WORK = tempfile.mkdtemp(prefix="eventbus-fuzz-base-")


def _base_repo() -> Tree:
    t = Tree(Path(_BASE_WORK))
    if not (Path(_BASE_WORK) / ".git").exists():
        t.write()
        t.commit("base")
    return t


@fuzz(15, deadline_s=20, heavy=True)
@given(st.data())
def test_gate_against_base(data):
    base = _base_repo()
    t = Tree(Path(_BASE_WORK))
    done = [data.draw(model_edit(t)) for _ in range(data.draw(st.integers(1, 3)))]
    for ref in list(t.events) + list(t.consumers):
        parts = ref.split("/")
        assume(len(parts) == 2 and all(p not in ("", ".", "..") for p in parts))
    try:
        t.write()
    except (OSError, ValueError, TypeError, UnicodeError):
        assume(False)
    harness.EXECUTIONS["gate-base"] += 1
    with tempfile.TemporaryDirectory() as base_copy:
        subprocess.run(["git", "-C", _BASE_WORK, "archive", "--format=tar", "-o", os.path.join(base_copy, "b.tar"), "HEAD"], check=True)
        shutil.unpack_archive(os.path.join(base_copy, "b.tar"), base_copy)
        harness.run_gate_checked(_BASE_WORK, base_ref="HEAD", base_root=base_copy)
    del base, done
