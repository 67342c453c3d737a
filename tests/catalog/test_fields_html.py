"""The field tables built as strings (:mod:`eventbus.catalog.exporters.html`) equal the template they replace
(``templates/_fields.html``, kept as their reference), hostile text included."""
from __future__ import annotations


def test_field_tables_equal_the_template_on_hostile_text():
    from eventbus.catalog.exporters.html import FieldTable
    from eventbus.catalog.exporters.site import _env
    from eventbus.catalog.schema_view import FieldRow, RecordInfo

    evil = "\" onmouseover=\"x()\" <script>alert('x')</script> & é"
    rows = [
        FieldRow("a", evil, 0, evil, True, evil, evil, evil, (evil, "B"), "R", ((evil, evil), ("size", "16 bytes")), (evil,), (evil, "t/a"), 2),
        FieldRow("a.b<c>", "b", 1, "string", False, None, "", "", (), "R", (), (), (), 0),
        FieldRow("a.b[].c", "c", 7, "long", True, "0", "", "doc", (), "R", (), ("PII",), (), 1),
    ]
    template = _env().get_template("_fields.html")
    for record in (None, RecordInfo("record", "R", evil, evil + ".R", evil, (evil,), ((evil, evil),)), RecordInfo("string", "", "", "", "", (), ())):
        for ident in ("value", "v2", evil):
            want = template.render(rows=rows, caption=evil, id=ident, record=record)
            assert str(FieldTable(rows, evil, record).html(ident)) == want
    assert "<script>" not in str(FieldTable(rows, evil).html("v1"))
