"""The narrowed deploy's decision: full, partial or nothing, what it targets and declares, and
that no narrowing lets the engine delete a resource the tree still has (the state graph check).

The state exports here are built in the shape the program gives the real state (one component
per event and per application, their resources as children, applications depending on their
topics); tests/e2e/test_partial_deploy.py checks that shape, and the engine's deletions, for real."""
from __future__ import annotations

import hashlib

import pytest

from eventbus.adapters.pulumi_program import narrow
from eventbus.adapters.pulumi_program.catalog import OBJECT_TYPE
from eventbus.adapters.pulumi_program.narrow import Decision, decide, deletable, record, unsafe
from eventbus.adapters.pulumi_program.scope import APPLICATION, EVENT, declared
from eventbus.plan.changes import changes
from tests.conftest import ARN
from tests.plan.test_changes import _edited, desired

PREFIX = "urn:pulumi:prod::eventbus::"
STACK = PREFIX + "pulumi:pulumi:Stack::eventbus-prod"
COMMIT = "a" * 40
ENV: dict = {}
TAG = record(COMMIT, ENV)
TREE_PATHS = ["consumers/notify/notifier.yaml"]


def export_of(state, extra: list[dict] | None = None) -> dict:
    """A state export in the program's shape."""
    kafka, bus = PREFIX + "pulumi:providers:kafka::cluster", PREFIX + "pulumi:providers:eventbus::bus"
    subjects = {s.name: [{"version": v, "id": i} for i, (v, _t) in enumerate(s.versions)] for s in state.subjects}
    res = [{"urn": STACK, "type": "pulumi:pulumi:Stack", "outputs": {"subjects": subjects}},
           {"urn": kafka, "type": "pulumi:providers:kafka", "parent": STACK}, {"urn": bus, "type": "pulumi:providers:eventbus", "parent": STACK}]
    topic = {}
    for t in state.topics:
        e = PREFIX + f"{EVENT}::{t.event}"
        topic[t.name] = PREFIX + f"{EVENT}$kafka:index/topic:Topic::{t.name}"
        res += [{"urn": e, "type": EVENT, "parent": STACK},
                {"urn": topic[t.name], "type": "kafka:index/topic:Topic", "parent": e, "provider": kafka + "::p1"}]
        res += [{"urn": PREFIX + f"{EVENT}$eventbus:registry:Subject::{s.name}", "type": "eventbus:registry:Subject", "parent": e, "provider": bus + "::p2"}
                for s in state.subjects_by_event.get(t.event, ())]
    for a in state.apps:
        au = PREFIX + f"{APPLICATION}::{a.ref}"
        res += [{"urn": au, "type": APPLICATION, "parent": STACK, "dependencies": [topic[t] for t in sorted({*a.produces, *a.consumes})]},
                {"urn": PREFIX + f"{APPLICATION}$eventbus:kafka:Principal::{a.kafka_user}", "type": "eventbus:kafka:Principal", "parent": au,
                 "provider": bus + "::p2", "propertyDependencies": {"acls": []}}]
    return {"deployment": {"resources": res + (extra or [])}}


def subscribe(t):
    t.consumers["claims-team/claims-publisher"]["subscriptions"] = [
        {"event": "claims/claim_created", "purpose": "Read back what it published.", "environments": ["prod"]}]
    t.consumers["claims-team/claims-publisher"]["consumer_group"] = {"name": "claims-team.claims-publisher"}


def dashboard(t):
    t.consumers["notify/dashboard"] = {
        "application": "dashboard", "team": "notify", "description": "Counts claims.", "principals": {"prod": [ARN.format("dash")]},
        "subscriptions": [{"event": "claims/claim_created", "purpose": "Count claims per day.", "environments": ["prod"]}],
        "compliance": {"vasi_id": "77", "fisma_level": "Low", "ato_status": "ATO"}}


def partitions(t):
    t.events["claims/claim_created"]["meta"]["topic"]["partitions"] = 6


def run(base_edit=None, head_edit=None, paths=TREE_PATHS, tag=TAG, most=1.0, **kw) -> Decision:
    old, new = desired(_edited(base_edit)), desired(_edited(head_edit))
    return decide(export_of(old), tag, ENV, paths, old, new, most=most, **kw)


def test_one_new_subscription_targets_that_application_only():
    d = run(head_edit=subscribe)
    assert d.mode == "partial", d.reason
    assert d.targets == [PREFIX + f"{APPLICATION}::claims-team/claims-publisher"]
    assert d.scope.apps == {"claims-team/claims-publisher"}
    assert d.scope.events == {"claims/claim_created"}  # the topics it depends on, declared (not targeted)
    assert set(d.scope.subjects) == {"claims_claim_created-value", "claims_claim_created-key", "health_refill_requested-value"}


def test_a_changed_event_declares_every_application_that_depends_on_its_topic():
    d = run(head_edit=partitions)
    assert d.mode == "partial" and d.targets == [PREFIX + f"{EVENT}::claims/claim_created"]
    assert d.scope.apps == {"notify/notifier", "claims-team/claims-publisher"}  # reader and writer: the engine would delete them
    assert d.scope.events == {"claims/claim_created", "health/refill_requested"}  # and what they depend on


def test_a_removed_application_is_targeted_and_not_declared():
    d = run(base_edit=dashboard)
    assert d.mode == "partial" and d.targets == [PREFIX + f"{APPLICATION}::notify/dashboard"]
    assert d.scope.apps == frozenset() and d.scope.events == frozenset()


def test_a_bug_in_the_declared_set_falls_back_to_a_full_deploy(monkeypatch):
    # a narrowing that forgets the readers of a changed event: the engine would delete them
    monkeypatch.setattr(narrow, "declared", lambda old, new, ch: (frozenset(ch.events), frozenset()))
    d = run(head_edit=partitions)
    assert d.mode == "full" and "lets the engine delete" in d.reason and "(4 such)" in d.reason, d.reason  # two applications, two resources each


@pytest.mark.parametrize("paths,reason", [
    (["infra/eventbus/adapters/pulumi_program/__init__.py"], "infra/eventbus/adapters/pulumi_program/__init__.py changed"),
    (["go/eventbus/kafka.go"], "go/eventbus/kafka.go changed"),
    (["Pulumi.prod.yaml"], "Pulumi.prod.yaml changed"),
    (["pyproject.toml"], "pyproject.toml changed"),
    (["scripts/pulumi-engine.sh"], "scripts/pulumi-engine.sh changed"),
])
def test_anything_but_the_registry_tree_and_docs_deploys_in_full(paths, reason):
    d = run(head_edit=subscribe, paths=["docs/x.md", *paths])
    assert d.mode == "full" and d.reason.startswith(reason)


def test_nothing_to_deploy_after_a_documentation_change():
    d = run(paths=["docs/benchmarks.md", "README.md", "tests/x.py"])
    assert d.mode == "none" and d.targets == []


@pytest.mark.parametrize("case,expected", [
    ("no tag", "no record of the last deployed commit"),
    ("other inputs", "environment inputs changed"),
    ("commit missing", "is not in this clone"),
    ("empty state", "no resources yet"),
    ("most", "touches most of the stack"),
    ("stack-wide", "stack-wide settings changed: registry"),
])
def test_full_deploys(case, expected):
    old, new = desired(_edited()), desired(_edited(subscribe))
    export, tag, env, paths, most, present = export_of(old), TAG, ENV, TREE_PATHS, 1.0, True
    if case == "no tag":
        tag = None
    elif case == "other inputs":
        env = {"EVENTBUS_SCRAM_SEED": "rotated"}
    elif case == "commit missing":
        present = False
    elif case == "empty state":
        export = {}
    elif case == "most":
        most = 0.1
    elif case == "stack-wide":
        new = desired(_edited(lambda t: t.stacks["prod"]["config"].update({"eventbus:schemaRegistry": {"kind": "confluent", "url": "https://b:8081"}})))
    d = decide(export, tag, env, paths, old, new, base_present=present, most=most)
    assert d.mode == "full" and expected in d.reason, d.reason


def test_what_the_engine_may_delete_follows_dependents_and_children():
    state = desired(_edited())
    resources = export_of(state)["deployment"]["resources"]
    event = PREFIX + f"{EVENT}::claims/claim_created"
    got = deletable(resources, [event])
    assert PREFIX + f"{APPLICATION}::notify/notifier" in got  # depends on the topic, a child of the event
    assert PREFIX + f"{APPLICATION}$eventbus:kafka:Principal::notify.notifier" in got  # a child of a dependent
    assert PREFIX + f"{EVENT}$kafka:index/topic:Topic::health_refill_requested" not in got
    app = PREFIX + f"{APPLICATION}::notify/notifier"
    assert deletable(resources, [app]) == {app, PREFIX + f"{APPLICATION}$eventbus:kafka:Principal::notify.notifier"}
    assert unsafe(resources, [event], {event}) and not unsafe(resources, [app], {app})


def test_the_declared_set_covers_every_dependent_of_every_target_on_random_changes():
    """Property: for changes of several kinds, nothing the engine may delete lies outside the
    declared or removed components (the check never has to fall back)."""
    edits = [subscribe, partitions, dashboard, lambda t: t.events["health/refill_requested"]["meta"].update(topic={"partitions": 2})]
    for base_edit in (None, dashboard):
        for head_edit in edits:
            old, new = desired(_edited(base_edit)), desired(_edited(head_edit))
            ch = changes(old, new)
            events, apps = declared(old, new, ch)
            resources = export_of(old)["deployment"]["resources"]
            targets = [PREFIX + f"{EVENT}::{r}" for r in ch.events] + [PREFIX + f"{APPLICATION}::{r}" for r in ch.apps]
            owners = {PREFIX + f"{EVENT}::{r}" for r in events | ch.events} | {PREFIX + f"{APPLICATION}::{r}" for r in apps | ch.apps}
            assert not unsafe(resources, targets, owners)
            removed = (ch.events - set(new.topic_by_event)) | (ch.apps - set(new.apps_by_ref))
            assert not removed & (events | apps)  # a removed component is never declared: the engine deletes it


# -- the catalog of stacks that publish it to S3 --------------------------------------------------------
BUCKET = PREFIX + "eventbus:index:Catalog$aws:s3/bucket:Bucket::catalog-bucket"


def obj(key: str) -> str:
    return PREFIX + f"eventbus:index:Catalog$aws:s3/bucket:Bucket${OBJECT_TYPE}::catalog/{key}"


def catalog_state(tmp_path, files: dict[str, bytes], published: dict[str, bytes]):
    site = tmp_path / "site"
    for key, data in files.items():
        (site / key).parent.mkdir(parents=True, exist_ok=True)
        (site / key).write_bytes(data)
    objects = [{"urn": obj(k), "type": OBJECT_TYPE, "parent": BUCKET,
                "inputs": {"key": k, "source": {"hash": hashlib.sha256(v).hexdigest()}}} for k, v in published.items()]
    extra = [{"urn": PREFIX + "eventbus:index:Catalog::catalog-b", "type": "eventbus:index:Catalog", "parent": STACK},
             {"urn": BUCKET, "type": "aws:s3/bucket:Bucket", "parent": PREFIX + "eventbus:index:Catalog::catalog-b"}, *objects]
    return str(site), extra


def test_the_catalog_objects_of_changed_files_only(tmp_path):
    site, extra = catalog_state(tmp_path, {"index.html": b"new", "same.html": b"s", "added.html": b"a"},
                                {"index.html": b"old", "same.html": b"s", "gone.html": b"g"})

    def s3(t):
        t.stacks["prod"]["config"]["eventbus:catalog"] = {"bucket": "eeb-catalog", "url": "https://catalog.example"}

    old, new = desired(_edited(s3)), desired(_edited(lambda t: (s3(t), subscribe(t))))
    d = decide(export_of(old, extra), TAG, ENV, TREE_PATHS, old, new, most=1.0, catalog_dir=site)
    assert d.mode == "partial", d.reason
    assert d.scope.catalog_keys == {"index.html", "added.html"}
    assert set(d.targets) == {PREFIX + f"{APPLICATION}::claims-team/claims-publisher", obj("index.html"), obj("added.html"), obj("gone.html")}
    nothing = decide(export_of(old, []), TAG, ENV, TREE_PATHS, old, new, most=1.0, catalog_dir=site)
    assert nothing.mode == "full" and "no catalog objects" in nothing.reason
    unbuilt = decide(export_of(old, extra), TAG, ENV, TREE_PATHS, old, new, most=1.0)
    assert unbuilt.mode == "full" and "EVENTBUS_CATALOG_DIR" in unbuilt.reason


# -- the record around a deploy (a stand-in pulumi: no engine) -----------------------------------------
FAKE = """#!{python}
import os, sys
args, tag = sys.argv[1:], os.environ["FAKE_TAG"]
with open(os.environ["FAKE_LOG"], "a") as fh:
    fh.write(" ".join(args) + "\\n")
if args[:3] == ["stack", "tag", "get"]:
    if not os.path.exists(tag):
        sys.exit(1)
    print(open(tag).read())
elif args[:3] == ["stack", "tag", "rm"]:
    if os.environ["FAKE_RM_RC"] != "0":
        sys.exit(int(os.environ["FAKE_RM_RC"]))
    if os.path.exists(tag):
        os.remove(tag)
elif args[:3] == ["stack", "tag", "set"]:
    open(tag, "w").write(args[4])
elif args[:2] == ["stack", "export"]:
    print("{{}}")
"""


def fake_pulumi(tmp_path_factory, monkeypatch, rm_rc: int = 0):
    """A pulumi that logs its calls, keeps the stack tag in a file and deploys nothing; (log, tag file)."""
    import sys

    bin_ = tmp_path_factory.mktemp("bin")  # outside the repository (the tree fixture's folder)
    exe = bin_ / "pulumi"
    exe.write_text(FAKE.format(python=sys.executable))
    exe.chmod(0o755)
    for k, v in {"PULUMI": str(exe), "FAKE_LOG": str(bin_ / "log"), "FAKE_TAG": str(bin_ / "tag"), "FAKE_RM_RC": str(rm_rc)}.items():
        monkeypatch.setenv(k, v)
    return bin_ / "log", bin_ / "tag"


def test_no_deploy_when_the_old_record_cannot_be_removed(tree, tmp_path_factory, monkeypatch):
    # the record of an older commit kept through a deploy that then fails: the next deploy would be
    # narrowed against a state that is not that commit's (a grant that deploy added and the next
    # commit removed again would stay live)
    log, tag = fake_pulumi(tmp_path_factory, monkeypatch, rm_rc=1)
    base = tree.commit("base")
    tag.write_text(record(base, {}))
    assert narrow.run(str(tree.root), "prod", "up", []) != 0
    calls = log.read_text().splitlines()
    assert not [c for c in calls if c.startswith("up ")], calls
    assert tag.read_text() == record(base, {})


def test_a_deploy_is_recorded_after_it_succeeded(tree, tmp_path_factory, monkeypatch):
    log, tag = fake_pulumi(tmp_path_factory, monkeypatch)
    head = tree.commit("base")
    assert narrow.run(str(tree.root), "prod", "up", []) == 0
    assert [c.split()[0] for c in log.read_text().splitlines()][-2:] == ["up", "stack"] and tag.read_text().split()[0] == head


def test_an_ignored_registry_file_is_deployed_but_not_recorded(tree):
    # consumers/build/ matches a `build/` pattern: the loader reads it, no commit holds it, so the
    # next deploy (from a clone without it) would compare two states that both lack the application
    from eventbus.adapters.git import clean_head

    (tree.root / ".gitignore").write_text("build/\n")
    head = tree.commit("base")
    assert clean_head(str(tree.root)) == head
    (tree.root / "consumers" / "build").mkdir()
    (tree.root / "consumers" / "build" / "builder.yaml").write_text("application: builder\n")
    assert clean_head(str(tree.root)) is None


@pytest.mark.parametrize("args", [["-t", "urn:x"], ["-yt", "urn:x"], ["--target-replace=urn:x"], ["-s", "sandbox"], ["--stack=sandbox"],
                                  ["-C", "/elsewhere"], ["-c", "eventbus:scramSeed=x"], ["--config=eventbus:x=y"], ["--exclude", "u"]])
def test_pulumi_options_that_deploy_something_else_than_what_is_recorded_are_refused(args):
    from eventbus.cli.deploy import picks

    assert picks(["--yes", "--diff", *args]) == args[0]


def test_the_ci_options_are_passed():
    from eventbus.cli.deploy import picks

    assert picks(["--yes", "--suppress-outputs", "--non-interactive", "--color", "never", "--diff", "-y", "-f", "-p", "8", "-m", "fix", "-r", "-v=3"]) is None
    # what scripts/up.sh passes: the local stack's own config file (a copy with the encryption salt)
    assert picks(["--config-file", ".state/local/Pulumi.local.yaml", "--yes", "--skip-preview", "--refresh", "--suppress-outputs", "--parallel", "64"]) is None


def test_the_options_scripts_up_passes_are_accepted():
    # the main job deploys through `eventbus deploy ... -- <pulumi options>`: none of them may be refused
    import re
    import shlex
    from pathlib import Path

    from eventbus.cli.deploy import picks

    text = Path(__file__).resolve().parents[2].joinpath("scripts", "up.sh").read_text().replace("\\\n", " ")
    (line,) = [ln for ln in text.splitlines() if re.match(r"\s*\.venv/bin/eventbus deploy ", ln)]
    options = shlex.split(re.sub(r'"\$\([^"]*\)"', "VALUE", line.split(" -- ", 1)[1]))  # a command substitution is one value
    assert "--config-file" in options and picks(options) is None
