"""Field tables and field-level diffs of Avro schemas."""
from __future__ import annotations

import json

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


DETAILED = {
    "type": "record", "name": "Payment", "namespace": "gov.va.pay", "doc": "A payment.", "aliases": ["gov.va.old.Payment"], "x-owner": "fin",
    "fields": [
        {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}, "doc": "Amount."},
        {"name": "digest", "type": {"type": "fixed", "name": "Md5", "size": 16}, "doc": "Checksum.", "aliases": ["md5"], "order": "ignore"},
        {"name": "kind", "type": {"type": "enum", "name": "Kind", "namespace": "gov.va.enums", "symbols": ["A", "B", "UNKNOWN"],
                                  "default": "UNKNOWN", "doc": "What kind.", "aliases": ["OldKind"]}, "doc": "Kind.", "classification": "PII"},
        {"name": "tags", "type": {"type": "array", "items": {"type": "enum", "name": "Tag", "symbols": ["X"], "default": "X"}}, "doc": "Tags."},
    ],
}


def test_every_avro_detail_is_shown():
    from eventbus.catalog.schema_view import record_info

    rows = rows_by_path(DETAILED)
    assert rows["amount"].logical == "decimal(12, 2)" and rows["amount"].type == "bytes"
    d = dict(rows["digest"].details)
    assert d["size"] == "16 bytes" and d["aliases"] == "md5" and d["order"] == "ignore" and d["fixed full name"] == "gov.va.pay.Md5"
    k = dict(rows["kind"].details)
    assert (k["enum default"], k["enum doc"], k["enum aliases"], k["enum full name"]) == ("UNKNOWN", "What kind.", "OldKind", "gov.va.enums.Kind")
    assert k["classification"] == "PII"  # a custom property is shown as it is (per-field badges come later)
    assert rows["kind"].symbols == ("A", "B", "UNKNOWN")
    assert dict(rows["tags"].details)["enum default"] == "X"
    info = record_info(DETAILED)
    assert (info.fullname, info.namespace, info.aliases, info.props) == ("gov.va.pay.Payment", "gov.va.pay", ("gov.va.old.Payment",), (("x-owner", "fin"),))
    # a detail that changes is a change
    v2 = json.loads(json.dumps(DETAILED))
    v2["fields"][1]["type"]["size"] = 32
    (change,) = diff_rows(field_rows(DETAILED), field_rows(v2))
    assert change.kind == "changed" and "size 16 bytes → 32 bytes" in change.detail


def test_rows_carry_anchor_parent_and_reader_slots():
    rows = rows_by_path(NESTED)
    r = rows["context.qualifiers[].value"]
    assert r.anchor == "f-context.qualifiers--.value" and r.parent_path == "context.qualifiers" and r.readers == () and r.badges == ()
    assert rows["context"].children == 3 and rows["context.qualifiers"].children == 2 and rows["id"].children == 0
