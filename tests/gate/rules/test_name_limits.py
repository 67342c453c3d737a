"""`name-limits`: Derived names fit the limits of the systems they are created in: topics at most 249 characters (with the stack's suffix), subjects 255, IAM role names 64."""
import json

from tests.conftest import Tree, check_rule, line_of

RULE = "name-limits"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_long_app(t):
    c = json.loads(json.dumps(t.consumers["notify/notifier"]))
    long_id = "n" * 60
    c["application"] = long_id
    c["consumer_group"] = {"name": f"notify.{long_id}"}
    t.consumers[f"notify/{long_id}"] = c


def test_long_app():
    t = Tree()
    m_long_app(t)
    found = check_rule(t, RULE)
    assert found, "name-limits did not fire"
    assert found[0].loc.file == 'consumers/notify/nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn.yaml' and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, 'consumers/notify/nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn.yaml', 'application:'), found[0].one_line()
