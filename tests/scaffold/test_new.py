"""``eventbus new event|consumer``: values the gate would refuse are refused before anything is written."""
from __future__ import annotations

import pytest

from eventbus.cli.main import main
from tests.cli.test_bad_input import snapshot

EVENT = ["new", "event", "--no-input", "--domain", "claims", "--name", "claim_closed", "--owner", "claims-team", "--title", "Claim closed",
         "--summary", "A claim was closed with a decision.", "--classification", "none", "--producer", "closer", "--vasi-id", "42",
         "--fisma-level", "Low", "--principal", "prod=arn:aws-us-gov:iam::111122223333:role/closer"]
CONSUMER = ["new", "consumer", "--no-input", "--team", "notify", "--application", "closer", "--description", "Reacts to created claims.",
            "--event", "claims/claim_created", "--purpose", "Tell the Veteran the claim was created.", "--environment", "prod",
            "--principal", "prod=arn:aws-us-gov:iam::111122223333:role/closer", "--vasi-id", "42", "--fisma-level", "Moderate"]


def _with(argv, flag, value):
    out = list(argv)
    out[out.index(flag) + 1] = value
    return out


@pytest.mark.parametrize("argv, says", [
    (_with(EVENT, "--owner", "nobody"), "there is no teams/nobody.yaml"),
    (_with(EVENT, "--title", "T"), "--title 'T': 1 characters"),
    (_with(EVENT, "--name", "a" * 300), "--name: 300 characters"),
    (_with(EVENT, "--fisma-level", "High"), "FISMA High"),
    (_with(EVENT, "--principal", "staging=arn:aws-us-gov:iam::111122223333:role/closer"), "environment 'staging': no stack has it"),
    (_with(CONSUMER, "--team", "nobody"), "there is no teams/nobody.yaml"),
    (_with(CONSUMER, "--event", "claims/nothing_here"), "no events/claims/nothing_here/event.yaml"),
    (CONSUMER + ["--event", "claims/claim_created"], "given twice"),
    (_with(CONSUMER, "--environment", "staging"), "environment 'staging': no stack has it"),
    (_with(CONSUMER, "--purpose", "why"), "--purpose 'why': 3 characters"),
])
def test_refused_before_writing(tree, argv, says, capsys):
    before = snapshot(tree.root)
    assert main(["--root", str(tree.root), *argv]) == 1
    err = capsys.readouterr().err
    assert says in err and "internal error" not in err, err
    assert snapshot(tree.root) == before


def test_the_unchanged_flags_are_accepted(tree):
    assert main(["--root", str(tree.root), *EVENT]) == 0
    assert main(["--root", str(tree.root), *_with(CONSUMER, "--application", "reader")]) == 0


def test_placeholder_principals_of_two_applications_differ(tree):
    """Without --principal each application gets its own placeholder role: a shared one made the
    gate refuse both files (principal-unique), a finding about the scaffold, not the user."""
    from tests.conftest import run_gate

    plain = [a for a in CONSUMER if "arn:" not in a and a != "--principal"]
    for app in ("reader-one", "reader-two"):
        assert main(["--root", str(tree.root), *_with(plain, "--application", app)]) == 0
    assert [f.one_line() for f in run_gate(tree.root).findings if f.rule == "principal-unique"] == []
