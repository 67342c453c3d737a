"""Domains per topic and applications per identity: the import map, prompts, proposals."""
from __future__ import annotations

import io

import pytest

from eventbus.importer.choices import Choices, MapError, app_id, load_map, propose, split


def test_proposals():
    assert propose("claims_contention_created") == ("claims", "contention_created")
    assert propose("appointments") == ("imported", "appointments")
    assert split("benefits", "decision_letter_availability") == ("benefits", "decision_letter_availability")  # topic.name keeps it
    assert split("claims", "claims_status") == ("claims", "status")
    assert split("forms/status_changed", "submission_trace_form_status_change") == ("forms", "status_changed")
    assert app_id("Letters_Svc.v2") == "letters-svc-v2" and app_id("9x") == "app-x"
    assert app_id("__") == "app" and len(app_id("a" * 100)) == 63


def test_the_map_with_globs_and_skips(tmp_path):
    p = tmp_path / "map.yaml"
    p.write_text("topics:\n  claims_*: claims\n  tmp_*: skip\n  letters: benefits/letter_ready\napplications:\n  User:svc: team-a/svc\n")
    c = load_map(str(p))
    assert c.topic("claims_status") == ("claims", "status")
    assert c.topic("tmp_x") is None
    assert c.topic("letters") == ("benefits", "letter_ready")
    assert c.topic("orders_placed") == ("orders", "placed")  # not in the map: the proposal
    assert c.application("User:svc", "unassigned/svc") == "team-a/svc" and c.application("User:x", "unassigned/x") == "unassigned/x"


@pytest.mark.parametrize("text,line", [
    ("topics:\n  claims_status: Claims\n", 2),
    ("topics: {}\napplications:\n  svc: team/app\n", 3),
    ("applications:\n  User:svc: Team/App\n", 2),
    ("owners: {}\n", 1),
    ("topics: [a, b\n", 1),
    ("topics: [a, b]\n", 1),  # a section that is not a mapping: was 'internal error: AttributeError'
    ("topics: {}\napplications: 5\n", 2),
])
def test_a_bad_map_names_its_file_and_line(tmp_path, text, line):
    p = tmp_path / "map.yaml"
    p.write_text(text)
    with pytest.raises(MapError) as exc:
        load_map(str(p))
    assert str(exc.value).startswith(f"{p}:{line}")


def test_prompts_take_an_answer_the_default_or_retry(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("Not Valid\nbenefits\n\nskip\n"))
    c = Choices(interactive=True)
    assert c.topic("decision_letter_availability") == ("benefits", "decision_letter_availability")
    assert c.topic("claims_status") == ("claims", "status")  # empty answer: the proposal
    assert c.topic("tmp_thing") is None
    err = capsys.readouterr().err
    assert "domain for topic decision_letter_availability" in err and "not valid" in err
    assert c.application("User:svc", "unassigned/svc") == "unassigned/svc"  # end of input: proposals from here on
    assert c.interactive is False


def test_a_prompt_shows_a_live_principal_escaped(monkeypatch, capsys):
    """A principal is anything a team created on the cluster: it never reaches the terminal raw."""
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    assert Choices(interactive=True).application("User:\x1b]0;owned\x07\x1b[2J\nx", "unassigned/x") == "unassigned/x"
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err and "User:\\u001b]0;owned\\u0007\\u001b[2J\\nx" in err


def test_a_bad_map_key_is_shown_escaped(tmp_path):
    p = tmp_path / "map.yaml"
    p.write_text('topics:\n  "\\e[2J": Bad\n')
    with pytest.raises(MapError) as exc:
        load_map(str(p))
    assert "\x1b" not in str(exc.value) and "\\u001b[2J" in str(exc.value)
