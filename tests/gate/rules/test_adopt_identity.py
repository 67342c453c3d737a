"""`adopt-identity`: a legacy identity belongs to one application and is never another application's name."""
import pytest

from tests.conftest import Tree, check_rule, producer_app
from tests.gate.rules.adoption_fixture import record

RULE = "adopt-identity"


def found(**apps):
    t = Tree()
    t.adoptions["prod"] = record(**apps)
    return check_rule(t, RULE)


def test_own_legacy_names_pass():
    assert found() == []
    assert found(**{"notify/notifier": {"kafka_user": "notify.notifier"}}) == []  # its own derived name
    assert found(**{"notify/notifier": {"role": "NotifierReader", "consumer_group": {"name": "notify.legacy", "prefix": True}}}) == []


def test_one_kafka_user_for_two_applications():
    f = found(**{"notify/notifier": {"kafka_user": "shared"}, "pharmacy/refill-api": {"kafka_user": "shared"}})
    assert len(f) == 1 and "already the legacy identity of notify/notifier" in f[0].message


@pytest.mark.parametrize("user", ["pharmacy.refill-api", "claims-team.future-app"])
def test_a_kafka_user_of_the_derived_form_of_another_application(user):
    f = found(**{"notify/notifier": {"kafka_user": user}})
    assert len(f) == 1 and "derived form" in f[0].message and f[0].loc.file == "adopt/prod.yaml"


def test_a_role_of_the_derived_form_of_another_application():
    f = found(**{"notify/notifier": {"role": "eeb-prod.pharmacy.refill-api"}})
    assert len(f) == 1 and "derived form" in f[0].message
    assert found(**{"notify/notifier": {"role": "eeb-prod.notify.notifier"}}) == []


def test_one_role_for_two_applications():
    f = found(**{"notify/notifier": {"role": "Legacy"}, "pharmacy/refill-api": {"role": "Legacy"}})
    assert len(f) == 1 and "already the legacy role" in f[0].message


def test_a_group_in_another_teams_space():
    f = found(**{"notify/notifier": {"consumer_group": {"name": "pharmacy.readers"}}})
    assert len(f) == 1 and "team pharmacy's space" in f[0].message


def test_a_group_prefix_that_covers_another_applications_group():
    t = Tree()
    t.consumers["notify/other"] = {**producer_app("notify", "other", {"prod": ["arn:aws-us-gov:iam::111122223333:role/o"]}),
                                   "subscriptions": [{"event": "claims/claim_created", "purpose": "Count the claims created.", "environments": ["prod"]}]}
    t.adoptions["prod"] = record(**{"notify/notifier": {"consumer_group": {"name": "notify.o", "prefix": True}}})
    f = check_rule(t, RULE)
    assert len(f) == 1 and "overlaps the group of notify/other" in f[0].message


def test_a_group_different_from_the_one_the_file_declares():
    t = Tree()
    t.consumers["notify/notifier"]["consumer_group"] = {"name": "notify.mine"}
    t.adoptions["prod"] = record(**{"notify/notifier": {"consumer_group": {"name": "legacy-group"}}})
    f = check_rule(t, RULE)
    assert len(f) == 1 and "differs from the one consumers/notify/notifier.yaml declares" in f[0].message


@pytest.mark.parametrize("admin", [None, "eeb-deployer"])
def test_the_deploys_own_kafka_user_is_nobodys_legacy_identity(admin):
    # adopting User:admin would sync its bindings to the application's and (without credential:
    # keep) give it the application's derived password
    t = Tree()
    if admin:
        t.stacks["prod"]["config"]["eventbus:kafkaAdminUser"] = admin
    t.adoptions["prod"] = record(**{"notify/notifier": {"kafka_user": admin or "admin", "credential": "keep"}})
    f = check_rule(t, RULE)
    assert len(f) == 1 and "the user the deploy itself authenticates as on stack prod" in f[0].message
    assert f[0].loc.line == t.files()["adopt/prod.yaml"].split("\n").index("    kafka_user: " + (admin or "admin")) + 1
