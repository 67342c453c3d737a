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


def ns_rec(fields, name="Claim", ns="gov.va.claims", **kw):
    return json.dumps({"type": "record", "name": name, "namespace": ns, "fields": fields, **kw})


def test_field_alias_matching_two_writer_fields_is_incompatible():
    # Java's lookupWriterField throws; the Schema Registry reports the pair incompatible
    old = ns_rec([f("a", "int"), f("b", "int")])
    new = ns_rec([f("a", "int", aliases=["b"]), f("c", "int", default=0)])
    problems = check("BACKWARD", new, [old])
    assert [p.kind for p in problems] == ["ambiguous_field"] and problems[0].field == "a"
    assert "several fields" in problems[0].message
    assert all(p.kind != "ambiguous_field" for p in check("FORWARD", new, [old]))  # the old reader has no aliases


def test_type_aliases_are_relative_to_the_namespace():
    old = ns_rec([f("id", "long")], name="Claim")
    renamed = json.loads(ns_rec([f("id", "long")], name="ClaimV2"))
    assert check("BACKWARD", json.dumps({**renamed, "aliases": ["Claim"]}), [old]) == []  # gov.va.claims.Claim
    assert check("BACKWARD", json.dumps({**renamed, "aliases": ["gov.va.claims.Claim"]}), [old]) == []
    # an unqualified alias in a namespace does not name a type of another namespace
    other = ns_rec([f("id", "long")], name="Claim", ns="gov.va.other")
    assert [p.kind for p in check("BACKWARD", json.dumps({**renamed, "aliases": ["Claim"]}), [other])] == ["name_mismatch"]
    # a nested type: relative to its own namespace, not to the alias as written
    def nested(name, ns, aliases=None):
        t = {"type": "enum", "name": name, "namespace": ns, "symbols": ["A"], **({"aliases": aliases} if aliases else {})}
        return ns_rec([f("s", t)])

    assert check("BACKWARD", nested("S2", "x.y", ["S"]), [nested("S", "x.y")]) == []
    assert check("BACKWARD", nested("S2", "x.y", ["S"]), [nested("S", "gov.va.claims")]) != []


def test_names_compare_by_simple_name_as_java_does():
    assert check("FULL", ns_rec([f("id", "long")], ns="gov.va.a"), [ns_rec([f("id", "long")], ns="gov.va.b")]) == []


@pytest.mark.parametrize("mode", MODES)
def test_invalid_defaults_are_refused_in_every_mode(mode):
    from eventbus.avro.compat import SchemaParseError

    for bad in (ns_rec([f("n", "int", default=1.5)]), ns_rec([f("note", "string", default=None)])):
        with pytest.raises(SchemaParseError) as err:
            check(mode, bad, [V1])
        assert err.value.index == 0 and "invalid default" in str(err.value)


def test_merged_versions_are_parsed_as_the_registry_holds_them():
    old = ns_rec([f("id", "long"), f("note", "string", default=None)])  # invalid default, registered long ago
    assert check("BACKWARD", ns_rec([f("id", "long")]), [old]) == []


def test_union_default_of_any_branch_parses_as_in_java():
    assert check("BACKWARD", ns_rec([f("id", "long"), f("note", ["null", "string"], default="x")]), [V1]) == []


def test_invalid_logical_types_are_ignored():
    ts_on_int = ns_rec([f("at", {"type": "int", "logicalType": "timestamp-millis"})])
    assert check("FULL", ts_on_int, [ts_on_int]) == []
    assert check("BACKWARD", ns_rec([f("at", "long")]), [ts_on_int]) == []  # int -> long promotion


def test_missing_symbols_are_listed_in_order():
    def e(*syms):
        return ns_rec([f("s", {"type": "enum", "name": "S", "symbols": list(syms)})])
    [p] = check("FORWARD", e("A", "Z", "M", "B"), [e("A")])
    assert "B, M, Z" in p.message


@pytest.mark.parametrize("schema, policy", [
    (ns_rec([f("a", "Later"), f("b", {"type": "enum", "name": "Later", "symbols": ["X"]})]), "forward-reference"),
    (ns_rec([f("self", "Claim")]), "unwritable-record"),
    (V1[:-1] + ' /* a comment */}', "strict-json"),
])
def test_documented_policies_are_stricter_than_java(schema, policy):
    from eventbus.avro.compat import SchemaParseError
    from eventbus.avro.parser import PolicyError

    with pytest.raises(SchemaParseError) as err:
        check("BACKWARD", schema, [schema])
    assert isinstance(err.value.error, PolicyError) and err.value.error.policy == policy
    if policy != "strict-json":  # as a merged version it is parsed as the registry holds it
        assert check("NONE", V1, [schema]) == []


def test_default_inside_an_enclosing_record_is_refused_as_java_does():
    from eventbus.avro.compat import SchemaParseError

    schema = ns_rec([f("kids", {"type": "array", "items": "Claim"}, default=[{"kids": []}])])
    with pytest.raises(SchemaParseError, match="encloses the field"):
        check("NONE", schema, [])


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


def test_cli_exit_status_contract(files, capsys):
    """0 compatible, 1 incompatible, 2 unparseable schema or usage error, the reason on one line."""
    cases = [
        (["--mode", "BACKWARD", files("v2.avsc", "{not json"), files("v1.avsc", V1)], "v2.avsc: error: not a valid Avro schema: not JSON"),
        (["--mode", "NONE", files("bad.avsc", ns_rec([f("n", "int", default=1.5)])), files("v1.avsc", V1)], "invalid default for field"),
        (["--mode", "BACKWARD", files("v3.avsc", V1), files("old.avsc", '{"type": "nope"}')], "old.avsc: error: not a valid Avro schema"),
        (["--mode", "BACKWARD", "/nonexistent.avsc", files("b.avsc", V1)], "/nonexistent.avsc:1: error:"),
    ]
    for args, reason in cases:
        assert main(["compat", *args]) == 2, args
        err = capsys.readouterr().err
        assert reason in err and err.count("\n") == 1 and "Traceback" not in err, err
    assert main(["compat", "--mode", "SIDEWAYS", files("a.avsc", V1), files("b.avsc", V1)]) == 2
    assert main(["compat", "--help"]) == 0
    assert "Exit 0 compatible, 1 incompatible, 2" in capsys.readouterr().out


def test_cli_gives_the_registry_verdict_where_the_gate_is_stricter(files, capsys):
    """A forward reference, a record that always contains itself, comments: Java (the registry)
    parses them, so ``compat`` judges them as it does; a note says the gate refuses them."""
    forward = ns_rec([f("id", "int"), f("a", ["null", "L"], default=None), f("b", {"type": "enum", "name": "L", "symbols": ["X"]}, default="X")])
    forward_old = ns_rec([f("id", "int")])
    assert main(["compat", "--mode", "BACKWARD", files("fw.avsc", forward), files("v1.avsc", forward_old)]) == 0
    captured = capsys.readouterr()
    assert "compatible (BACKWARD" in captured.out
    assert "note: the Schema Registry accepts it, the gate does not (avro-parse)" in captured.err and captured.err.count("\n") == 1
    commented = "// a comment\n" + ADD_REQUIRED
    assert main(["compat", "--mode", "BACKWARD", files("c.avsc", commented), files("v1.avsc", V1)]) == 1  # Java's verdict: incompatible
    captured = capsys.readouterr()
    assert "INCOMPATIBLE" in captured.out and "strict JSON" in captured.err
    endless = json.dumps({"type": "record", "name": "N", "namespace": "gov.va.test", "fields": [{"name": "next", "type": "N"}]})
    assert main(["compat", "--mode", "NONE", files("n.avsc", endless), files("v1.avsc", V1)]) == 0
    assert "can never be written" in capsys.readouterr().err
    assert main(["compat", "--mode", "BACKWARD", files("ok.avsc", ADD_OPTIONAL), files("v1.avsc", V1)]) == 0
    assert capsys.readouterr().err == ""


def test_cli_messages_are_deterministic(files):
    import subprocess
    import sys

    def e(*syms):
        return ns_rec([f("s", {"type": "enum", "name": "S", "symbols": list(syms)})])
    args = [sys.executable, "-m", "eventbus.cli.main", "compat", "--mode", "FULL", files("n.avsc", e("A", "Q", "C", "X", "B")), files("o.avsc", e("A", "D", "E"))]
    outs = {subprocess.run(args, capture_output=True, text=True, env={"PYTHONHASHSEED": str(seed)}).stdout for seed in (1, 2, 3)}
    assert len(outs) == 1 and "B, C, Q, X" in outs.pop()


def test_walker_gives_each_field_a_dotted_path_type_and_properties():
    from eventbus.avro.schema import field_map, named_types, type_details

    q = {"type": "record", "name": "Q", "fields": [f("value", ["null", {"type": "enum", "name": "E", "symbols": ["A", "B"], "default": "A"}], default=None)]}
    schema = json.loads(rec(f("context", {"type": "record", "name": "Ctx", "namespace": "", "fields": [
        f("qualifiedIdentifiers", {"type": "array", "items": q}, classification="PII", aliases=["ids"])]})))
    fields = field_map(schema)
    assert list(fields) == ["context", "context.qualifiedIdentifiers", "context.qualifiedIdentifiers[].value"]
    ids = fields["context.qualifiedIdentifiers"]
    assert ids.props == {"classification": "PII"} and ids.aliases == ("ids",) and ids.depth == 1 and ids.record == "Ctx"
    value = fields["context.qualifiedIdentifiers[].value"]
    assert value.record == "Q" and value.has_default and value.default is None
    details = type_details(value.type, named_types(schema), value.namespace)
    assert details["nullable"] and details["symbols"] == ["A", "B"] and details["enum_default"] == "A" and details["name"] == "E"


def test_a_default_of_a_type_defined_later_is_validated_as_java_does():
    """Java reads a field whose type is defined later against a placeholder record without fields,
    then validates the default again once the type is resolved: only an object can pass the first
    check, and it must also fit the real type."""
    from eventbus.avro.compat import SchemaParseError, check

    enum = {"type": "enum", "name": "E", "symbols": ["A", "B"]}
    money = {"type": "record", "name": "M", "fields": [f("owner", "long"), f("next", "long")]}
    cases = [
        (ns_rec([f("later", "E", default="A"), f("e", enum)]), False),  # a string against the placeholder: refused
        (ns_rec([f("e", enum), f("earlier", "E", default="A")]), True),  # defined first: fine
        (ns_rec([f("later", "M", default={"next": 0}), f("m", money)]), False),  # passes the placeholder, not M (owner has no default)
        (ns_rec([f("later", "M", default={"owner": 1, "next": 0}), f("m", money)]), True),
        (ns_rec([f("later", ["null", "M"], default=None), f("m", money)]), True),
    ]
    for text, valid in cases:
        try:
            check("NONE", text, [], policies=False)
            got = True
        except SchemaParseError:
            got = False
        assert got == valid, text
