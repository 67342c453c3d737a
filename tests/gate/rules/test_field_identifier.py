"""`field-identifier`: a field of the latest version that looks like a known identifier has a classification."""
import json

import pytest

from eventbus.avro.contract import identifier
from eventbus.model.findings import Severity
from tests.conftest import V2, Tree, check_rule, field, line_of, record

RULE = "field-identifier"
CLAIM = "events/claims/claim_created"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def latest(t: Tree, *fields) -> None:
    v = json.loads(json.dumps(V2))
    v["fields"] += list(fields)
    t.events["claims/claim_created"]["versions"].append(v)


def test_an_unclassified_icn_warns_at_its_line():
    t = Tree()
    latest(t, field("veteranIcn", ["null", "string"], default=None))
    found = check_rule(t, RULE)
    assert len(found) == 1 and found[0].severity is Severity.WARNING
    assert found[0].loc.file == f"{CLAIM}/v3.avsc" and found[0].loc.line == line_of(t, f"{CLAIM}/v3.avsc", '"name": "veteranIcn"')
    assert "looks like an ICN" in found[0].message and '"classification": "PII"' in found[0].hint and "v4.avsc" in found[0].hint


def test_nested_in_a_union_branch():
    t = Tree()
    latest(t, field("ctx", ["null", record("Ctx", [field("DiagnosticTypeCode", "string")])], default=None))
    found = check_rule(t, RULE)
    assert [f.message for f in found] == ["field 'ctx.DiagnosticTypeCode' looks like a diagnostic code but has no classification"]
    assert '"PHI"' in found[0].hint


def test_a_classified_parent_none_on_the_field_or_an_older_version_silence_it():
    t = Tree()
    latest(t, field("ctx", ["null", record("Ctx", [field("ssn", "string")])], default=None, classification="PII"),
           field("fileNumber", "string", classification="none"))
    assert check_rule(t, RULE) == []
    t = Tree()
    t.events["claims/claim_created"]["versions"][0]["fields"].append(field("ssn", ["null", "string"], default=None))
    assert check_rule(t, RULE) == []  # v1 only: the latest (v2) has no such field


@pytest.mark.parametrize("name, looks", [
    ("icn", "an ICN (Integration Control Number)"), ("ICN", "an ICN (Integration Control Number)"), ("veteran_ssn", "a Social Security number"),
    ("VeteranParticipantId", "a participant id"), ("ptcpnt_id", "a participant id"), ("DependentBirthDate", "a date of birth"),
    ("dob", "a date of birth"), ("ICD10Code", "a diagnostic code"), ("edipi", "an EDIPI (DoD identifier)"),
    ("ssn_last4", "a Social Security number"), ("ssnLast4", "a Social Security number"), ("SSN4", "a Social Security number"),
    ("veteranSsnNumber", "a Social Security number"), ("socialSecurityNo", "a Social Security number"), ("icnHash", "an ICN (Integration Control Number)"),
    ("birth_dt", "a date of birth"), ("birthday", "a date of birth"), ("dt_of_birth", "a date of birth"), ("dobText", "a date of birth"),
    ("clinic", None), ("claimId", None), ("participantCount", None), ("codeDiagnostic", None), ("ssnVerified", None), ("lastName", None),
    ("fileCount", None), ("number", None), ("last4", None), ("birthPlace", None),
])
def test_the_documented_names(name, looks):
    got = identifier(name)
    assert (got[0] if got else None) == looks


def test_the_cheap_test_before_the_walk_knows_every_name():
    from eventbus.avro.contract import _IDENTIFIER_WORDS, IDENTIFIERS, may_name_identifier

    for _what, _level, endings in IDENTIFIERS:
        for end in endings:
            assert any(w in "".join(end) for w in _IDENTIFIER_WORDS), end
    assert may_name_identifier('{"name": "VeteranICN"}') and may_name_identifier('{"name": "x\\u0069cn"}')
    assert not may_name_identifier('{"name": "claimId", "doc": "the ICN is elsewhere"}')


def test_with_a_base_only_a_new_latest_version_is_checked():
    t = Tree()
    t.events["claims/claim_created"]["versions"][1]["fields"].append(field("ssn", ["null", "string"], default=None))
    assert check_rule(t, RULE)  # without --base: every latest version
    assert check_rule(t, RULE, base=t) == []  # v2 is merged: not reported again on every pull request
