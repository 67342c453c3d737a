"""Every rule: the valid fixture passes it, and one edit makes it fail at the right file and line."""
from __future__ import annotations

import json
import os

import pytest

from eventbus.findings import Severity
from eventbus.rules import all_rules
from tests.conftest import ARN, V1, V2, field, record, rule_findings, run_gate

CLAIM = "events/claims/claim_created"
REFILL = "events/health/refill_requested"
NOTIFIER = "consumers/notify/notifier.yaml"


def test_fixture_passes_every_rule(tree):
    result = run_gate(tree.root)
    assert result.findings == []
    assert len(result.registry.events) == 2 and len(result.registry.consumers) == 3


def _line(path, needle):
    text = open(path).read()
    return text[: text.index(needle)].count("\n") + 1


# (rule id, mutation, file the finding must point at, text on the line it must point at or None)
def m_domain(t):
    t.events["claims/claim_created"]["meta"]["domain"] = "benefits"


def m_consumer_team(t):
    t.consumers["notify/notifier"]["team"] = "other-team"


def m_application(t):
    t.consumers["notify/notifier"]["application"] = "notifier-two"


def m_team_id(t):
    t.teams["notify"]["id"] = "notify-x"


def m_topic_dup(t):
    t.events["health/refill_requested"]["meta"]["topic"] = {"name": "claims_claim_created"}


def m_owner(t):
    t.events["claims/claim_created"]["meta"]["owner"] = "nobody"


def m_consumer_team_missing(t):
    del t.teams["notify"]


def m_unknown_event(t):
    t.consumers["notify/notifier"]["subscriptions"][0]["event"] = "claims/claim_creatd"


def m_unknown_env(t):
    t.consumers["notify/notifier"]["subscriptions"][0]["environments"] = ["sandbox", "staging"]


def m_missing_principals(t):
    del t.consumers["notify/notifier"]["principals"]["sandbox"]


def m_dup_sub(t):
    subs = t.consumers["notify/notifier"]["subscriptions"]
    subs.append(dict(subs[0], environments=["prod"]))


def m_group(t):
    c = json.loads(json.dumps(t.consumers["notify/notifier"]))
    c["application"] = "notifier2"
    c["consumer_group"] = {"name": "notify.notifier"}
    c["subscriptions"] = c["subscriptions"][:1]
    t.consumers["notify/notifier2"] = c


def m_avro_parse(t):
    t.events["claims/claim_created"]["versions"][1] = {"type": "record", "name": "X", "fields": [{"name": "a", "type": "nosuchtype", "doc": "d"}]}


def m_avro_not_record(t):
    t.events["health/refill_requested"]["versions"][0] = {"type": "string", "doc": "x"}


def m_no_versions(t):
    t.events["health/refill_requested"]["versions"] = []


def m_avro_doc(t):
    v = json.loads(json.dumps(V2))
    v["fields"][2]["doc"] = "  "
    t.events["claims/claim_created"]["versions"][1] = v


def m_namespace(t):
    v = json.loads(json.dumps(V2))
    v["namespace"] = "gov.va.other"
    t.events["claims/claim_created"]["versions"][1] = v


def m_default(t):
    v = json.loads(json.dumps(V2))
    v["fields"][2]["default"] = "text"  # first branch is null
    t.events["claims/claim_created"]["versions"][1] = v


def m_example(t):
    t.events["claims/claim_created"]["examples"]["one.json"] = {"claimId": "not-a-long", "status": "OPEN", "note": None}


def m_example_missing(t):
    t.events["claims/claim_created"]["examples"] = {}


def m_compat(t):
    v = json.loads(json.dumps(V2))
    v["fields"].append(field("required", "string"))
    t.events["claims/claim_created"]["versions"][1] = v


def m_deprecated(t):
    t.events["claims/claim_created"]["meta"]["lifecycle"] = "deprecated"
    t.events["claims/claim_created"]["meta"]["deprecated_on"] = "2026-11-01"


def m_deprecated_short(t):
    meta = t.events["claims/claim_created"]["meta"]
    meta.update(lifecycle="deprecated", deprecated_on="2026-11-01", removal_date="2027-01-01")


def m_retired_early(t):
    meta = t.events["claims/claim_created"]["meta"]
    meta.update(lifecycle="retired", deprecated_on="2026-11-01", removal_date="2027-06-01")


def m_sub_deprecated(t):
    meta = t.events["claims/claim_created"]["meta"]
    meta.update(lifecycle="deprecated", deprecated_on="2026-11-01", removal_date="2027-06-01")


def m_restricted(t):
    t.events["health/refill_requested"]["meta"]["access"]["allowed_consumers"] = []


def m_sandbox_phi(t):
    t.consumers["notify/notifier"]["subscriptions"][1]["environments"] = ["sandbox", "prod"]
    t.consumers["notify/notifier"]["compliance"]["obi_approvals"][0]["environments"] = ["sandbox", "prod"]


def m_fisma(t):
    t.consumers["notify/notifier"]["compliance"]["fisma_level"] = "High"


def m_obi(t):
    t.consumers["notify/notifier"]["compliance"]["obi_approvals"] = []


def m_dsa(t):
    del t.consumers["notify/notifier"]["compliance"]["data_sharing_agreement"]


def m_ato_none(t):
    t.consumers["notify/notifier"]["compliance"]["ato_status"] = "none"


def m_pta_old(t):
    t.consumers["notify/notifier"]["compliance"]["pta_date"] = "2025-01-01"


def m_unknown_consumer(t):
    t.events["health/refill_requested"]["meta"]["access"]["allowed_consumers"].append("ghost/app")


def m_key_missing(t):
    t.events["claims/claim_created"]["key"] = None


def m_key_undeclared(t):
    t.events["claims/claim_created"]["meta"]["schema"].pop("key")


def m_sub_env(t):
    t.consumers["claims-team/claims-publisher"]["principals"].pop("sandbox")


def m_producer_undeclared(t):
    t.events["claims/claim_created"]["meta"]["producers"][0]["application"] = "ghost-publisher"


def m_producer_other_team(t):
    # refill-api belongs to pharmacy: the claims team's event cannot name it
    t.events["claims/claim_created"]["meta"]["producers"].append({"application": "refill-api"})


def m_group_owner(t):
    t.consumers["notify/notifier"]["consumer_group"] = {"name": "pharmacy.notifier"}


def m_partition(t):
    t.consumers["notify/notifier"]["principals"]["prod"] = ["arn:aws:iam::111122223333:role/notifier"]


def m_min_isr(t):
    t.events["claims/claim_created"]["meta"]["topic"]["min_insync_replicas"] = 4


def m_long_app(t):
    c = json.loads(json.dumps(t.consumers["notify/notifier"]))
    long_id = "n" * 60
    c["application"] = long_id
    c["consumer_group"] = {"name": f"notify.{long_id}"}
    t.consumers[f"notify/{long_id}"] = c


def m_trust_size(t):
    t.consumers["notify/notifier"]["principals"]["prod"] = [ARN.format(f"team/path/{'x' * 140}-{i}") for i in range(15)]


def m_future_pta(t):
    t.consumers["notify/notifier"]["compliance"]["pta_date"] = "2031-01-01"


def m_prefix_group(t):
    m_group(t)
    t.consumers["notify/notifier2"]["consumer_group"] = {"name": "notify", "prefix": True}


CASES = [
    ("unknown-consumer", m_unknown_consumer, f"{REFILL}/event.yaml", "- ghost/app"),
    ("key-schema", m_key_missing, f"{CLAIM}/event.yaml", "key: key.avsc"),
    ("key-schema", m_key_undeclared, f"{CLAIM}/key.avsc", None),
    ("subscription-environment", m_sub_env, NOTIFIER, "- sandbox"),
    ("compliance-expiry", m_future_pta, NOTIFIER, "pta_date:"),
    ("group-unique", m_prefix_group, NOTIFIER, None),
    ("name-folder", m_domain, f"{CLAIM}/event.yaml", "domain:"),
    ("name-folder", m_consumer_team, NOTIFIER, "team:"),
    ("name-folder", m_application, NOTIFIER, "application:"),
    ("name-folder", m_team_id, "teams/notify.yaml", "id:"),
    ("topic-unique", m_topic_dup, f"{REFILL}/event.yaml", "name:"),
    ("unknown-team", m_owner, f"{CLAIM}/event.yaml", "owner:"),
    ("unknown-team", m_consumer_team_missing, NOTIFIER, "team:"),
    ("unknown-event", m_unknown_event, NOTIFIER, "event: claims/claim_creatd"),
    ("unknown-environment", m_unknown_env, NOTIFIER, "- staging"),
    ("missing-principals", m_missing_principals, NOTIFIER, "- sandbox"),
    ("duplicate-subscription", m_dup_sub, NOTIFIER, None),
    ("group-unique", m_group, "consumers/notify/notifier2.yaml", "consumer_group:"),
    ("avro-parse", m_avro_parse, f"{CLAIM}/v2.avsc", None),
    ("avro-parse", m_avro_not_record, f"{REFILL}/v1.avsc", None),
    ("version-sequence", m_no_versions, f"{REFILL}/event.yaml", None),
    ("avro-doc", m_avro_doc, f"{CLAIM}/v2.avsc", '"name": "note"'),
    ("avro-namespace", m_namespace, f"{CLAIM}/v2.avsc", None),
    ("avro-default", m_default, f"{CLAIM}/v2.avsc", '"name": "note"'),
    ("example-valid", m_example, f"{CLAIM}/examples/one.json", None),
    ("example-missing", m_example_missing, f"{CLAIM}/event.yaml", None),
    ("schema-compat", m_compat, f"{CLAIM}/v2.avsc", '"name": "required"'),
    ("deprecation-dates", m_deprecated, f"{CLAIM}/event.yaml", "lifecycle:"),
    ("deprecation-dates", m_deprecated_short, f"{CLAIM}/event.yaml", "removal_date:"),
    ("retirement", m_retired_early, f"{CLAIM}/event.yaml", "lifecycle:"),
    ("subscription-lifecycle", m_sub_deprecated, NOTIFIER, "event: claims/claim_created"),
    ("restricted-access", m_restricted, NOTIFIER, "event: health/refill_requested"),
    ("classification-environment", m_sandbox_phi, NOTIFIER, None),
    ("fisma-high", m_fisma, NOTIFIER, "fisma_level:"),
    ("obi-approval", m_obi, NOTIFIER, "event: health/refill_requested"),
    ("sensitive-agreements", m_dsa, NOTIFIER, "compliance:"),
    ("sensitive-agreements", m_ato_none, NOTIFIER, "ato_status:"),
    ("compliance-expiry", m_pta_old, NOTIFIER, "pta_date:"),
    ("producer-application", m_producer_undeclared, f"{CLAIM}/event.yaml", "application: ghost-publisher"),
    ("producer-application", m_producer_other_team, f"{CLAIM}/event.yaml", "application: refill-api"),
    ("group-owner", m_group_owner, NOTIFIER, "name: pharmacy.notifier"),
    ("principal-partition", m_partition, NOTIFIER, "arn:aws:iam"),
    ("min-insync-replicas", m_min_isr, f"{CLAIM}/event.yaml", "min_insync_replicas:"),
    ("name-limits", m_long_app, "consumers/notify/" + "n" * 60 + ".yaml", "application:"),
    ("iam-policy-size", m_trust_size, NOTIFIER, "principals:"),
]


@pytest.mark.parametrize("rule_id,mutate,path,line_text", CASES, ids=[f"{c[0]}-{c[1].__name__}" for c in CASES])
def test_rule_fails_on_edit(tree, rule_id, mutate, path, line_text):
    assert rule_findings(tree.root, rule_id) == []  # passing case
    mutate(tree)
    tree.write()
    found = rule_findings(tree.root, rule_id)
    assert found, f"{rule_id} did not fire"
    f = found[0]
    assert f.loc.file == path
    assert f.message and f.hint
    if line_text:
        assert f.loc.line == _line(tree.root / path, line_text), f.one_line()


def test_version_gap_is_reported(tree):
    tree.write()
    folder = tree.root / "events/claims/claim_created"
    os.rename(folder / "v2.avsc", folder / "v3.avsc")
    found = rule_findings(tree.root, "version-sequence")
    assert found and "v3.avsc" in found[0].message and "v2.avsc" in found[0].message


def test_every_rule_is_documented_and_covered():
    covered = {c[0] for c in CASES} | {"version-immutable", "event-removal", "partitions-grow", "topic-rename", "compatibility-weakened"}  # test_history_rules.py
    covered |= {"codeowners-current"}  # tests/workflows/test_codeowners.py
    reading = {r.id for r in all_rules() if r.emitted_by_loader}
    for r in all_rules():
        assert r.summary(), r.id
        assert r.hint, r.id
        assert r.id in covered | reading, f"rule {r.id} has no failing-case test"


def test_severities_decide_the_exit(tree):
    m_pta_old(tree)
    tree.write()
    result = run_gate(tree.root)
    assert result.ok and result.warnings == 1
    assert all(f.severity is Severity.WARNING for f in result.findings)


def test_restricted_event_admits_listed_consumer(tree):
    # the owning team's allowed_consumers entry is what admits notify/notifier in the fixture
    assert rule_findings(tree.root, "restricted-access") == []
    tree.events["health/refill_requested"]["meta"]["access"]["policy"] = "open"
    tree.events["health/refill_requested"]["meta"]["access"]["allowed_consumers"] = []
    tree.write()
    assert rule_findings(tree.root, "restricted-access") == []


def test_nested_field_doc_path(tree):
    v = record("ClaimCreated", V2["fields"] + [field("ctx", ["null", record("Ctx", [field("who", "string", doc="")])], default=None)])
    tree.events["claims/claim_created"]["versions"][1] = v
    tree.write()
    found = rule_findings(tree.root, "avro-doc")
    assert [f.message for f in found] == ["field 'ctx.who' has no doc"]
