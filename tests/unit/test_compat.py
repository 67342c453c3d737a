"""Compatibility modes with Confluent Schema Registry semantics, and the `eventbus compat` command."""
from __future__ import annotations

import json

import pytest

from eventbus.avro.compat import MODES, check, pairs_for
from eventbus.cli.main import main


def rec(*fields, name="Claim", ns="gov.va.claims"):
    return json.dumps({"type": "record", "name": name, "namespace": ns, "doc": "d", "fields": list(fields)})


def f(name, typ, **kw):
    return {"name": name, "type": typ, "doc": "d", **kw}


ID = f("id", "long")
V1 = rec(ID)
ADD_OPTIONAL = rec(ID, f("note", ["null", "string"], default=None))
ADD_REQUIRED = rec(ID, f("note", "string"))
REMOVE_ID = rec(f("note", ["null", "string"], default=None))
ENUM2 = rec(ID, f("s", {"type": "enum", "name": "S", "symbols": ["A", "B"]}, default="A"))
ENUM3 = rec(ID, f("s", {"type": "enum", "name": "S", "symbols": ["A", "B", "C"]}, default="A"))

# change -> set of modes under which it is compatible against [V1] (or the given history)
EXPECT = {
    "add optional field": (ADD_OPTIONAL, [V1], {"BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE"}),
    "add required field": (ADD_REQUIRED, [V1], {"FORWARD", "FORWARD_TRANSITIVE", "NONE"}),
    "remove field without default": (REMOVE_ID, [V1], {"BACKWARD", "BACKWARD_TRANSITIVE", "NONE"}),
    "add enum symbol": (ENUM3, [ENUM2], {"BACKWARD", "BACKWARD_TRANSITIVE", "NONE"}),
    "remove enum symbol": (ENUM2, [ENUM3], {"FORWARD", "FORWARD_TRANSITIVE", "NONE"}),
    "int to long promotion": (rec(f("id", "long")), [rec(f("id", "int"))], {"BACKWARD", "BACKWARD_TRANSITIVE", "NONE"}),
    "long to int narrowing": (rec(f("id", "int")), [rec(f("id", "long"))], {"FORWARD", "FORWARD_TRANSITIVE", "NONE"}),
    "string to bytes": (rec(f("id", "bytes")), [rec(f("id", "string"))], set(MODES)),
    "rename record": (rec(ID, name="Other"), [V1], {"NONE"}),
    "rename record with alias": (json.dumps({**json.loads(rec(ID, name="Other")), "aliases": ["gov.va.claims.Claim"]}), [V1], {"BACKWARD", "BACKWARD_TRANSITIVE", "NONE"}),
    "field alias rename": (rec(f("claimId", "long", aliases=["id"])), [V1], {"BACKWARD", "BACKWARD_TRANSITIVE", "NONE"}),
    "fixed size change": (rec(f("h", {"type": "fixed", "name": "H", "size": 16})), [rec(f("h", {"type": "fixed", "name": "H", "size": 8}))], {"NONE"}),
}


@pytest.mark.parametrize("case", sorted(EXPECT))
@pytest.mark.parametrize("mode", MODES)
def test_mode_matrix(case, mode):
    new, history, ok_modes = EXPECT[case]
    problems = check(mode, new, history)
    assert (not problems) == (mode in ok_modes), [p.render() for p in problems]


def test_non_transitive_compares_latest_only():
    # v1: id; v2: id + optional note; v3 drops id (which had no default).
    # BACKWARD: v3 reads v2 fine (drops id). FORWARD v3 vs v2: v2 reader needs id (no default) -> fails.
    # The subtle one: v3 adds required 'x' with default against v2 but v1 lacks it: fine either way.
    v1 = rec(ID)
    v2 = rec(ID, f("note", ["null", "string"], default=None))
    v3 = rec(f("id", "long"), f("note", "string", default=""))  # note: union -> string (v2 wrote nulls)
    assert check("BACKWARD", v3, [v1, v2]) != []  # v3 cannot read v2's null notes
    v3b = rec(ID, f("note", ["null", "string"], default=None), f("extra", "int"))  # extra required
    # against latest only: BACKWARD fails (v2 data lacks 'extra'), nothing transitive needed
    assert check("BACKWARD", v3b, [v1, v2]) != []
    # a version incompatible with v1 but compatible with v2 passes non-transitive, fails transitive
    w1 = rec(f("id", "long"), f("code", "string"))
    w2 = rec(f("id", "long"), f("code", "string", default="x"))
    w3 = rec(f("id", "long"))  # drops code: FORWARD vs w2 ok (w2 has default), vs w1 not
    assert check("FORWARD", w3, [w1, w2]) == []
    problems = check("FORWARD_TRANSITIVE", w3, [w1, w2])
    assert len(problems) == 1 and problems[0].against == 0 and problems[0].field == "code"
    assert check("FULL", w3, [w1, w2]) == []
    assert check("FULL_TRANSITIVE", w3, [w1, w2]) != []


def test_pairs_for():
    assert pairs_for("BACKWARD", 3) == [("backward", 2)]
    assert pairs_for("FULL_TRANSITIVE", 2) == [("backward", 1), ("forward", 1), ("backward", 0), ("forward", 0)]
    assert pairs_for("NONE", 5) == []


def test_explanations_name_the_field_and_the_fix():
    [p] = check("BACKWARD", ADD_REQUIRED, [V1])
    assert p.field == "note" and "added without a default" in p.message and "default" in p.advice
    nested_v1 = rec(ID, f("ctx", {"type": "record", "name": "Ctx", "fields": [f("who", ["null", "string"], default=None)]}))
    nested_v2 = rec(ID, f("ctx", {"type": "record", "name": "Ctx", "fields": [f("who", "string")]}))
    [p] = check("BACKWARD", nested_v2, [nested_v1])
    assert p.field == "ctx.who" and "null | string" in p.message


@pytest.fixture
def files(tmp_path):
    def write(name, text):
        p = tmp_path / name
        p.write_text(text)
        return str(p)

    return write


def test_cli_compatible(files, capsys):
    assert main(["compat", "--mode", "BACKWARD", files("v2.avsc", ADD_OPTIONAL), files("v1.avsc", V1)]) == 0
    assert "compatible (BACKWARD" in capsys.readouterr().out


def test_cli_incompatible(files, capsys):
    assert main(["compat", "--mode", "backward", files("v2.avsc", ADD_REQUIRED), files("v1.avsc", V1)]) == 1
    out = capsys.readouterr().out
    assert "INCOMPATIBLE under BACKWARD" in out and "field 'note' was added without a default" in out and "fix:" in out


def test_cli_bad_schema_and_usage(files, capsys):
    assert main(["compat", "--mode", "BACKWARD", files("v2.avsc", "{not json"), files("v1.avsc", V1)]) == 1
    assert "Traceback" not in capsys.readouterr().err
    assert main(["compat", "--mode", "SIDEWAYS", files("a.avsc", V1), files("b.avsc", V1)]) == 2
    assert main(["compat", "--mode", "BACKWARD", "/nonexistent.avsc", files("b.avsc", V1)]) == 1
