"""`eventbus.avro.contract`: field facts (paths, classification) and field-level changes between versions."""
from __future__ import annotations

from eventbus.avro.contract import MAX_FIELDS, covers, field_changes, reads, schema_fields
from tests.conftest import field, record


def rec(*fields, name="R"):
    return record(name, list(fields))


def changes(old, new) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {c.path: (c.kind, c.details) for c in field_changes(schema_fields(old), schema_fields(new))}


def test_every_use_of_a_named_record_has_paths_and_recursion_ends():
    who = record("Who", [field("icn", "string", classification="PII"), field("name", "string")])
    node = {"type": "record", "name": "Node", "doc": "d", "fields": [field("next", ["null", "Node"], default=None), field("v", "long")]}
    s = rec(field("veteran", who), field("claimant", ["null", "gov.va.test.Who"], default=None), field("list", node))
    paths = list(schema_fields(s).fields)
    assert paths == ["veteran", "veteran.icn", "veteran.name", "claimant", "claimant.icn", "claimant.name", "list", "list.next", "list.v"]


def test_classification_is_inherited_through_unions_arrays_and_maps():
    item = record("Item", [field("code", "string"), field("dx", "string", classification="PHI")])
    s = rec(field("ctx", ["null", {"type": "map", "values": {"type": "array", "items": item}}], default=None, **{"confluent:tags": ["PII", "x"]}),
            field("other", "string"))
    f = schema_fields(s)
    assert {p: x.classification for p, x in f.fields.items()} == {"ctx": "PII", "ctx.code": "PII", "ctx.dx": "PHI", "other": "none"}
    assert {p: x.declared for p, x in f.fields.items()} == {"ctx": "PII", "ctx.code": None, "ctx.dx": "PHI", "other": None}
    assert f.highest == "PHI" and [x.path for x in f.classified] == ["ctx", "ctx.code", "ctx.dx"]


def test_the_kinds_of_change():
    enum = {"type": "enum", "name": "S", "symbols": ["A", "B"], "doc": "d"}
    old = rec(field("gone", "string"), field("oldName", "string"), field("wider", "int"), field("opt", ["null", "string"], default=None),
              field("multi", ["null", "string", "long"], default=None), field("money", {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}),
              field("ts", {"type": "long", "logicalType": "timestamp-millis"}), field("hash", {"type": "fixed", "name": "H", "size": 16}),
              field("s", enum), field("same", "string"))
    new = rec(field("newName", "string", aliases=["oldName"]), field("wider", "long"), field("opt", "string"),
              field("multi", ["null", "string"], default=None), field("money", {"type": "bytes", "logicalType": "decimal", "precision": 7, "scale": 2}),
              field("ts", {"type": "long", "logicalType": "timestamp-micros"}), field("hash", {"type": "fixed", "name": "H", "size": 8}),
              field("s", {**enum, "symbols": ["A", "C"]}), field("same", "string"), field("ssn", "string", classification="PII"))
    assert changes(old, new) == {
        "gone": ("removed", ("string",)),
        "oldName": ("renamed", ("now 'newName', reading the old name as an alias",)),
        "wider": ("retyped", ("type int → long",)),
        "opt": ("narrowed", ("type null | string → string, no longer nullable",)),
        "multi": ("narrowed", ("type null | long | string → null | string",)),
        "money": ("narrowed", ("precision 9 → 7",)),
        "ts": ("changed", ("logicalType timestamp-millis → timestamp-micros",)),
        "hash": ("retyped", ("fixed size 16 → 8",)),
        "s": ("narrowed", ("enum symbols removed: B", "enum symbols added: C")),
        "ssn": ("added", ("string", "classification PII")),
    }


def test_below_a_removed_or_retyped_record_only_the_record_is_reported():
    ctx = record("Ctx", [field("a", "string"), field("b", "string")])
    old = rec(field("ctx", ctx), field("box", ["null", record("Box", [field("c", "string")])], default=None))
    new = rec(field("box", ["null", "string"], default=None))
    assert changes(old, new) == {"ctx": ("removed", ("record Ctx",)), "box": ("retyped", ("type null | record Box → null | string",))}


def test_a_nested_change_inside_a_union_branch():
    old = rec(field("ctx", ["null", record("Ctx", [field("who", "string")])], default=None))
    new = rec(field("ctx", ["null", record("Ctx", [field("who", "string", classification="PII")])], default=None))
    assert changes(old, new) == {"ctx.who": ("changed", ("classification none → PII",))}
    assert field_changes(schema_fields(old), schema_fields(new))[0].classification_only


def test_who_reads_a_path():
    assert reads(None, "a.b") and reads((), "a.b")  # declares nothing: reads everything
    assert reads(("a",), "a.b") and reads(("a.b.c",), "a.b") and reads(("a.b",), "a.b")
    assert not reads(("a.bc",), "a.b") and not reads(("x",), "a.b")
    assert covers(("a",), "a.b") and not covers(("a.b.c",), "a.b")


def test_a_much_reused_record_stops_at_the_limit():
    leaf = record("L0", [field("x", "string")])
    for i in range(1, 20):  # each level uses the one below twice: 2**19 paths if expanded in full
        leaf = record(f"L{i}", [field("a", leaf), field("b", f"gov.va.test.L{i - 1}")])
    f = schema_fields(rec(field("top", leaf)))
    assert f.truncated and len(f.fields) <= MAX_FIELDS


def test_a_type_object_wrapping_a_union_or_a_type():
    # found by fuzzing: type_details compared a list (or dict) "type" with the named kinds
    old = rec(field("a", {"type": ["null", "string"]}), field("b", {"type": {"type": "int"}}))
    new = rec(field("a", {"type": ["null", "long"]}), field("b", {"type": {"type": "long"}}))
    assert changes(old, new) == {"a": ("retyped", ("type null | string → null | long",)), "b": ("retyped", ("type int → long",))}
