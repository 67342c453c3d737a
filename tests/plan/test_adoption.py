"""The plan of an import pull request: what the adoption record holds and the base lacks is
"adopted", with what the tree changes on it; shrinking a live topic needs attention."""
from __future__ import annotations

from eventbus.plan.diff import diff
from eventbus.plan.render import markdown
from tests.desired.test_adoption import state, tree


def plan(t, base=None):
    return diff(base, state(t, "local"))


def test_an_import_is_adopted_not_created():
    legacy = {"notify/notifier": {"kafka_user": "notifier-svc", "consumer_group": {"name": "notifier-consumers"},
                                  "kept_acls": [{"resource_type": "Topic", "name": "claims_claim_created", "operation": "Create"}]}}
    t = tree(**legacy)
    t.adoptions["local"]["topics"]["claims_claim_created"].update(replication_factor=1, config={
        "cleanup.policy": "delete", "retention.ms": "604800000", "min.insync.replicas": "1", "max.message.bytes": "1048576"})
    t.adoptions["local"]["topics"]["claims_claim_created"].pop("kept_config")
    sp = plan(t)
    ev = {e.ref: e for e in sp.events}
    adopted = ev["claims/claim_created"]
    assert adopted.status == "adopted" and adopted.lines[0].startswith("adopt the live topic: 3 partitions")
    assert not [line for line in adopted.lines if "→" in line], adopted.lines  # the tree says what is live
    assert any("adopt subject" in line for line in adopted.lines) and adopted.versions_added == []
    assert ev["health/refill_requested"].status == "added"
    apps = {a.ref: a for a in sp.apps}
    assert apps["notify/notifier"].status == "adopted" and any("kept as found live" in g for g in apps["notify/notifier"].granted)
    assert apps["pharmacy/refill-api"].status == "added"
    assert sp.counts["topics_adopted"] == 1 and sp.counts["topics_added"] == 1
    assert any(r.level == "caution" and "found live that the tree does not grant" in r.text for r in sp.risks)


def test_differences_show_as_changes_and_shrinking_needs_attention():
    t = tree()
    found = t.adoptions["local"]["topics"]["claims_claim_created"]
    found.update(partitions=8, config={"cleanup.policy": "delete", "retention.ms": str(14 * 86_400_000)})
    t.adoptions["local"]["subjects"]["claims_claim_created-value"]["versions"].pop()  # the registry has v1 only: v2 is new
    t.adoptions["local"]["subjects"]["claims_claim_created-value"]["compatibility"] = "FULL"
    sp = plan(t)
    lines = next(e for e in sp.events if e.ref == "claims/claim_created").lines
    assert "partitions 8 → 3" in lines and "retention 14 days → 7 days" in lines and "compatibility FULL → BACKWARD" in lines
    assert next(e for e in sp.events if e.ref == "claims/claim_created").versions_added == [2]
    danger = [r.text for r in sp.risks if r.level == "danger"]
    assert any("partitions cannot shrink (8 → 3)" in r for r in danger) and any("compatibility weakened from FULL to BACKWARD" in r for r in danger)


def test_once_the_base_has_it_an_adopted_topic_is_like_any_other():
    t = tree()
    base = state(t, "local")
    sp = diff(base, state(t, "local"))
    assert sp.empty


def test_the_markdown_says_adopted():
    t = tree()
    from eventbus.plan import Plan

    text = markdown(Plan("main", "0" * 40, [plan(t)], []))
    assert "adopted: adopt the live topic" in text and "topics adopted 1" in text


def test_kept_settings_are_quoted_in_the_comment():
    # kept settings are whatever the live topic held (any text): a value cannot close the comment's
    # <details>, mention a team, embed an image or start a line
    hostile = "1</details>\n\n## @department-of-veterans-affairs/eeb-platform approved ![x](https://example.com/x.png)"
    t = tree()
    t.adoptions["local"]["topics"]["claims_claim_created"]["kept_config"] = {"segment.ms": hostile}
    base = state(t, "local")
    t.adoptions["local"]["topics"]["claims_claim_created"]["kept_config"] = {"segment.ms": "2 <b>x</b>"}
    from eventbus.plan import Plan

    text = markdown(Plan("main", "0" * 40, [diff(base, state(t, "local"))], []))
    row = next(line for line in text.splitlines() if "segment.ms" in line)
    assert "segment.ms `1</details>\\n\\n## @department-of-veterans-affairs/eeb-platform approved ![x](https://example.com/x.png)` → `2 <b>x</b>`" in row
    assert not [line for line in text.splitlines() if line.startswith("## @") or line.startswith("</details>")]


def test_a_legacy_identity_let_go_needs_attention():
    """Removing an application's entry from the record (or its ``credential: keep``) moves it to its
    derived names: the plan said "No infrastructure changes" (grants and IAM statements name topics
    and groups, not the identity) while the deploy dropped the adopted role or principal and
    replaced the application's own SCRAM password."""
    legacy = {"notify/notifier": {"kafka_user": "notifier-svc", "credential": "keep", "role": "NotifierReader"}}
    for stack in ("prod", "local"):
        t = tree(stack, **legacy)
        base = state(t, stack)
        t.adoptions[stack]["applications"].pop("notify/notifier")
        sp = diff(base, state(t, stack))
        danger = [r.text for r in sp.risks if r.level == "danger" and r.subject == "notify/notifier"]
        if stack == "prod":
            assert danger == ["`notify/notifier` changes IAM role `NotifierReader` → `eeb-prod.notify.notifier`: the role `NotifierReader` is released "
                              "as it is (adopted: kept in IAM, no longer managed); its principals must assume the new role's ARN"]
        else:
            assert len(danger) == 1 and "changes Kafka user `notifier-svc` → `notify.notifier`: the principal `User:notifier-svc` is released" in danger[0]
            assert danger[0].endswith("its SCRAM credential is the stack's derived one")
        from eventbus.plan import Plan

        assert "No infrastructure changes" not in markdown(Plan("main", "0" * 40, [sp], []))
    t = tree(**legacy)
    base = state(t, "local")
    t.adoptions["local"]["applications"]["notify/notifier"].pop("credential")
    (risk,) = [r for r in diff(base, state(t, "local")).risks if r.level == "danger"]
    assert "the SCRAM password of `User:notifier-svc`, its own until now, is replaced by the stack's derived one" in risk.text


def test_a_credential_now_kept_needs_attention():
    """``credential: keep`` added for an application whose SCRAM password the stack managed: the
    deploy drops the principal's ``scram`` and sets ``keepScram`` (the provider leaves the live
    credential as it is); the plan said nothing about the stack no longer managing it."""
    legacy = {"notify/notifier": {"kafka_user": "notifier-svc"}}
    t = tree(**legacy)
    base = state(t, "local")
    t.adoptions["local"]["applications"]["notify/notifier"]["credential"] = "keep"
    sp = diff(base, state(t, "local"))
    (risk,) = [r for r in sp.risks if r.subject == "notify/notifier"]
    assert risk.level == "caution" and "stops managing the SCRAM credential of `User:notifier-svc`" in risk.text
    assert "stays on the cluster as it is" in risk.text
