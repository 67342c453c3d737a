"""`adopt-record`: an adoption record belongs to a stack and names only what the tree has."""
from tests.conftest import Tree, check_rule
from tests.gate.rules.adoption_fixture import record

RULE = "adopt-record"
FILE = "adopt/prod.yaml"


def tree(**apps) -> Tree:
    t = Tree()
    t.adoptions["prod"] = record(**apps)
    return t


def test_a_matching_record_passes():
    assert check_rule(tree(), RULE) == []


def test_a_record_of_a_stack_that_does_not_exist():
    t = tree()
    t.adoptions["staging"] = {**t.adoptions.pop("prod"), "stack": "staging"}
    found = check_rule(t, RULE)
    assert [f.loc.file for f in found] == ["adopt/staging.yaml"] and "Pulumi.staging.yaml" in found[0].message


def test_the_stack_in_the_file_must_be_its_name():
    t = tree()
    t.adoptions["prod"]["stack"] = "sandbox"
    found = check_rule(t, RULE)
    assert len(found) == 1 and found[0].loc.line == 1 and "write stack: prod" in found[0].hint


def test_a_topic_for_an_event_the_tree_lacks():
    t = tree()
    del t.events["claims/claim_created"]
    t.consumers["notify/notifier"]["subscriptions"] = t.consumers["notify/notifier"]["subscriptions"][1:]
    found = check_rule(t, RULE)
    assert {f.message.split(" ")[0] for f in found} == {"topic", "subject"} and all("not in the tree" in f.message for f in found)


def test_a_topic_whose_event_maps_to_another_name():
    t = tree()
    t.events["claims/claim_created"]["meta"]["topic"]["name"] = "claims_created"
    found = check_rule(t, RULE)
    topic = [f for f in found if f.message.startswith("topic")]
    assert len(topic) == 1 and "whose topic on stack prod is claims_created" in topic[0].message
    assert topic[0].loc.file == FILE and topic[0].loc.line > 1
    # and its subjects are no longer the event's
    assert sorted(f.message.split(" ")[1] for f in found if f.message.startswith("subject")) == ["claims_claim_created-key", "claims_claim_created-value"]


def test_an_application_the_tree_lacks():
    found = check_rule(tree(**{"notify/ghost": {"kafka_user": "ghost"}}), RULE)
    assert len(found) == 1 and "notify/ghost is not in the tree" in found[0].message


def test_a_key_subject_needs_a_key_schema():
    t = tree()
    t.events["claims/claim_created"]["key"] = None
    del t.events["claims/claim_created"]["meta"]["schema"]["key"]
    found = check_rule(t, RULE)
    assert len(found) == 1 and "has no key.avsc" in found[0].message
