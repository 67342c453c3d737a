"""Reading adopt/<stack>.yaml into the model (file and line on every item), and FILL-IN placeholders
as findings of their own."""
from __future__ import annotations

from eventbus.load.registry import load_registry
from tests.conftest import Tree, line_of
from tests.gate.rules.adoption_fixture import record

FILE = "adopt/prod.yaml"


def load(t: Tree):
    fs = t.fs()
    return load_registry(fs.root, fs=fs)


def test_the_record_in_the_model_with_its_lines():
    t = Tree()
    t.adoptions["prod"] = record(**{"notify/notifier": {"kafka_user": "notifier-svc", "credential": "keep", "role": "Legacy",
                                                         "consumer_group": {"name": "legacy", "prefix": True},
                                                         "kept_acls": [{"resource_type": "Topic", "name": "x", "operation": "Create", "host": "10.0.0.1"}]}})
    got = load(t)
    assert got.findings == []
    a = got.registry.adoption("prod")
    assert a is not None and a.declared_stack == "prod" and a.file == FILE
    topic = a.topics["claims_claim_created"]
    assert topic.partitions == 3 and topic.topic_id and dict(topic.config)["retention.ms"] == "604800000" and topic.kept_config == ()
    assert topic.loc.line == line_of(t, FILE, "claims_claim_created:")
    assert [v.id for v in a.subjects["claims_claim_created-value"].versions] == [11, 12]
    legacy = a.applications["notify/notifier"]
    assert (legacy.kafka_user, legacy.role, legacy.consumer_group, legacy.group_prefix, legacy.keep_credential) == ("notifier-svc", "Legacy", "legacy", True, True)
    assert legacy.kept_acls[0].host == "10.0.0.1" and legacy.kept_acls[0].pattern == "Literal"
    assert legacy.loc.line == line_of(t, FILE, "notify/notifier:") and legacy.pos.loc("role").line == line_of(t, FILE, "role: Legacy")
    assert got.registry.adoption("sandbox") is None


def test_a_bad_record_is_a_schema_finding_and_left_out():
    t = Tree()
    t.adoptions["prod"] = {**record(), "topics": {"t": {"event": "claims/claim_created", "partitions": 0}}}
    got = load(t)
    assert [(f.rule, f.loc.file) for f in got.findings] == [("schema", FILE)] and got.registry.adoptions == ()
    assert "adopt:prod" in got.broken


def test_a_stray_file_in_adopt():
    t = Tree()
    fs = t.fs()
    fs.files["adopt/notes.txt"] = b"x"
    fs.dirs.setdefault("adopt", set()).add("notes.txt")
    got = load_registry(fs.root, fs=fs)
    assert [(f.rule, f.loc.file) for f in got.findings] == [("layout", "adopt/notes.txt")]


def test_each_placeholder_is_its_own_finding_not_a_schema_error():
    t = Tree()
    meta = t.events["claims/claim_created"]["meta"]
    meta["owner"] = "FILL-IN: owner team id (a file teams/<id>.yaml)"
    meta["classification"]["data"] = "FILL-IN: none, PII or PHI"
    t.consumers["notify/notifier"]["principals"]["prod"] = ["FILL-IN: IAM role ARN of the application in prod"]
    del t.consumers["notify/notifier"]["description"]  # a real schema error in the same file stays one
    got = load(t)
    holes = sorted((f.loc.file, f.loc.line, f.message.split(" ")[0]) for f in got.findings if f.rule == "placeholder")
    ev, cons = "events/claims/claim_created/event.yaml", "consumers/notify/notifier.yaml"
    assert holes == sorted([(ev, line_of(t, ev, "owner:"), "owner"), (ev, line_of(t, ev, "data:"), "classification.data"),
                            (cons, line_of(t, cons, "- 'FILL-IN"), "principals.prod[0]")])
    assert all(f.hint.startswith("fill in ") for f in got.findings if f.rule == "placeholder")
    schema = [f for f in got.findings if f.rule == "schema"]
    assert len(schema) == 1 and "description" in schema[0].message
    assert "claims/claim_created" in got.broken and "notify/notifier" in got.broken
