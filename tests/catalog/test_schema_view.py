"""Field tables and field-level diffs of Avro schemas."""
from __future__ import annotations

from eventbus.catalog.schema_view import diff_rows, field_names, field_rows

NESTED = {
    "type": "record", "name": "Trace", "namespace": "gov.va.t", "doc": "A trace.",
    "fields": [
        {"name": "id", "type": {"type": "string", "logicalType": "uuid"}, "doc": "Id."},
        {"name": "icn", "type": ["null", "string"], "default": None, "doc": "The Veteran's ICN."},
        {"name": "at", "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}], "default": None, "doc": "When."},
        {"name": "system", "type": {"type": "enum", "name": "System", "symbols": ["VBMS", "VA_gov"], "doc": "S."}, "doc": "Source."},
        {"name": "again", "type": "System", "doc": "Same enum, by name."},
        {"name": "context", "doc": "Context.", "type": {"type": "record", "name": "Context", "doc": "C.", "fields": [
            {"name": "qualifiers", "doc": "Q.", "type": {"type": "array", "items": {"type": "record", "name": "Qualifier", "doc": "Q.", "fields": [
                {"name": "name", "type": "string", "doc": "N."},
                {"name": "value", "type": ["null", "string"], "default": None, "doc": "V."}]}}}]}},
        {"name": "payload", "doc": "Either.", "default": None, "type": ["null",
            {"type": "record", "name": "A", "doc": "A.", "fields": [{"name": "a", "type": "int", "doc": "a."}]},
            {"type": "record", "name": "B", "doc": "B.", "fields": [{"name": "b", "type": "boolean", "doc": "b."}]}]},
        {"name": "count", "type": "int", "default": 0, "doc": "How many."},
        {"name": "wrapped", "type": {"type": {"type": "long", "logicalType": "timestamp-micros"}}, "doc": "A type inside a type."},
    ],
}


def rows_by_path(schema):
    return {r.path: r for r in field_rows(schema)}


def test_nested_records_arrays_and_unions_are_expanded():
    rows = rows_by_path(NESTED)
    assert list(rows) == ["id", "icn", "at", "system", "again", "context", "context.qualifiers", "context.qualifiers[].name",
                          "context.qualifiers[].value", "payload", "payload.a", "payload.b", "count", "wrapped"]
    assert rows["context.qualifiers[].value"].depth == 2 and rows["context.qualifiers[].value"].parent == "Qualifier"
    assert rows["context.qualifiers"].type == "array<record Qualifier>"
    assert rows["payload"].type == "null | record A | record B" and not rows["payload"].required
    assert rows["payload.a"].parent == "A" and rows["payload.b"].parent == "B"


def test_types_required_defaults_logical_types_and_symbols():
    rows = rows_by_path(NESTED)
    assert (rows["id"].type, rows["id"].logical, rows["id"].required, rows["id"].default) == ("string", "uuid", True, None)
    assert (rows["icn"].type, rows["icn"].required, rows["icn"].default) == ("null | string", False, "null")
    assert (rows["at"].logical, rows["at"].type) == ("timestamp-millis", "null | long")  # the logical type has its own column
    assert rows["system"].type == "enum System" and rows["system"].symbols == ("VBMS", "VA_gov")
    assert rows["again"].type == "enum System" and rows["again"].symbols == ("VBMS", "VA_gov")  # a named reference is resolved
    assert rows["count"].default == "0" and rows["count"].doc == "How many."
    assert (rows["wrapped"].type, rows["wrapped"].logical) == ("long", "timestamp-micros")


def test_primitive_key_is_one_row():
    (row,) = field_rows({"type": "long", "doc": "ClaimId of the claim."})
    assert (row.type, row.required, row.doc) == ("long", True, "ClaimId of the claim.")
    assert field_names([row]) == []


def test_field_names_cover_leaves_and_paths():
    names = field_names(field_rows(NESTED))
    assert "icn" in names and "value" in names and "context.qualifiers[].value" in names


def test_diff_reports_added_removed_changed_and_doc_edits():
    v1 = {"type": "record", "name": "E", "doc": "E.", "fields": [
        {"name": "a", "type": "int", "doc": "A."},
        {"name": "gone", "type": "string", "doc": "G."},
        {"name": "s", "type": {"type": "enum", "name": "S", "symbols": ["X", "Y"]}, "doc": "S."},
        {"name": "d", "type": "string", "doc": "old doc"}]}
    v2 = {"type": "record", "name": "E", "doc": "E.", "fields": [
        {"name": "a", "type": "long", "doc": "A."},
        {"name": "s", "type": {"type": "enum", "name": "S", "symbols": ["X", "Y", "Z"]}, "doc": "S."},
        {"name": "d", "type": "string", "doc": "new doc"},
        {"name": "n", "type": ["null", "string"], "default": None, "doc": "N."}]}
    changes = {c.path: c for c in diff_rows(field_rows(v1), field_rows(v2))}
    assert changes["a"].kind == "changed" and "int → long" in changes["a"].detail
    assert changes["s"].kind == "changed" and "symbols added: Z" in changes["s"].detail
    assert changes["d"].kind == "doc"
    assert changes["n"].kind == "added" and "nullable" in changes["n"].detail and "default null" in changes["n"].detail
    assert changes["gone"].kind == "removed"
    assert diff_rows(field_rows(v2), field_rows(v2)) == []


def test_garbage_never_raises():
    for bad in (None, 3, "string", [], {}, {"type": "record"}, {"type": "record", "name": "X", "fields": [1, {"name": 2}]}):
        field_rows(bad)
