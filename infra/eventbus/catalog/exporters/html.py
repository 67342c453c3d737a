"""Page fragments built as strings: the per-field tables, the connect blocks, the compliance facts, the
compatibility verdicts, and the texts of countdowns, durations and sizes.

A field table has one row per field of every version of every event (tens of thousands of rows in a large
registry), and every event page has a connect block per stack; a template runtime's attribute lookups and
autoescape calls per value would be most of the build's time. Here every value
from the tree (names, docs, defaults, symbols, properties, subjects, application refs: all untrusted) still goes
through one escape, :func:`_e` (markupsafe's text); only the fixed markup is literal. The field tables and
connect blocks are byte-for-byte what ``templates/_fields.html`` and ``templates/_connect.html`` render (tests
compare them on hostile text).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from eventbus.catalog.model import PIA_DAYS, PTA_DAYS
from eventbus.catalog.schema_view import FieldRow, RecordInfo

if TYPE_CHECKING:
    from eventbus.catalog.connect import ConnectBlock


_SPECIAL = re.compile("[&<>\"']")


def _e(value: object) -> str:
    """``str(markupsafe.escape(value))``, the same text: markup (``__html__``) as it is, anything else as text with
    ``& < > " '`` escaped. Most values hold none of them, and are returned without building a ``Markup``."""
    if type(value) is not str:
        html = getattr(value, "__html__", None)
        if html is not None:
            return str(html())
        value = str(value)
    if _SPECIAL.search(value) is None:  # type: ignore[arg-type]
        return value  # type: ignore[return-value]
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace("'", "&#39;")  # type: ignore[union-attr]


def record_head(record: RecordInfo | None) -> str:
    """The record's full name, namespace, aliases, custom properties and doc above the table."""
    if not (record and record.fullname):
        return ""
    out = [f'<p class="record-name"><span class="muted">{_e(record.kind)}</span> <code class="wrap-any">{_e(record.fullname)}</code>']
    if record.namespace:
        out.append(f' <span class="muted">· namespace</span> <code class="wrap-any">{_e(record.namespace)}</code>')
    for a in record.aliases:
        out.append(f' <span class="muted">· alias</span> <code>{_e(a)}</code>')
    for k, v in record.props:
        out.append(f' <span class="muted">· {_e(k)}</span> <code class="wrap-any">{_e(v)}</code>')
    out.append("</p>")
    if record.doc:
        out.append(f'<p class="record-doc">{_e(record.doc)}</p>')
    return "".join(out)


def row_pieces(r: FieldRow) -> list[str]:
    """One table row, split where the table's id goes: ``ident.join(pieces)`` is the row of table ``ident``."""
    anchor = _e(r.anchor)
    path = _e(r.path)
    head = f'-{anchor}" data-path="{path}"'
    if r.depth:
        head += f' data-parent="{_e(r.parent_path)}" class="d{r.depth if r.depth < 6 else 6}"'
    head += '><th scope="row" data-label="Field">'
    if r.children:
        head += (f'<button type="button" class="fold" aria-expanded="true" aria-label="Collapse the {r.children} nested '
                 f'field{"s" if r.children != 1 else ""} of {path}" hidden></button>')
    head += '<a class="fanchor" href="#'
    tail = [f'-{anchor}" aria-label="Link to field {path}">#</a><code class="fname">{_e(r.name)}</code>']
    if r.depth:
        tail.append(f'<span class="fpath">{path}</span>')
    for b in r.badges:
        b = _e(b)
        tail.append(f' <span class="badge cl-{b}">{b}</span>')
    tail.append(f'</th><td data-label="Type"><code class="ftype">{_e(r.type)}</code>')
    if r.logical:
        tail.append(f' <code class="ftype">{_e(r.logical)}</code>')
    tail.append("</td>")
    tail.append('<td class="req" data-label="Required">required</td>' if r.required else '<td class="opt" data-label="Required">nullable</td>')
    if r.default is not None:
        tail.append(f'<td data-label="Default"><code class="wrap-any">{_e(r.default)}</code></td>')
    else:
        tail.append('<td class="none" data-label="Default">—</td>')
    tail.append(f'<td class="doc" data-label="Description">{_e(r.doc)}')
    if r.symbols:
        tail.append('<span class="symbols">Values: ' + " ".join(f"<code>{_e(s)}</code>" for s in r.symbols) + "</span>")
    if r.details:
        tail.append('<span class="details">' + "".join(f'<span class="detail"><span class="muted">{_e(k)}:</span> <code class="wrap-any">{_e(v)}</code></span>'
                                                         for k, v in r.details) + "</span>")
    if r.readers:
        tail.append('<span class="details">Read by: ' + "".join(f"<code>{_e(a)}</code> " for a in r.readers) + "</span>")
    tail.append("</td></tr>\n")
    return ['<tr id="', head, "".join(tail)]


class FieldTable:
    """A field table rendered once and stamped with each id it is shown under (a version's page, the event page)."""

    __slots__ = ("head", "caption", "pieces")

    def __init__(self, rows: list[FieldRow], caption: str, record: RecordInfo | None = None):
        self.head = record_head(record)
        self.caption = _e(caption)
        self.pieces = [row_pieces(r) for r in rows]

    def html(self, ident: str) -> Markup:
        i = _e(ident)
        body = "".join(i.join(p) for p in self.pieces)
        return Markup(f'{self.head}<div class="table-wrap fit"><table class="fields" id="fields-{i}">\n<caption>{self.caption}</caption>\n'
                      '<thead><tr><th scope="col">Field</th><th scope="col">Type</th><th scope="col">Required</th><th scope="col">Default</th>'
                      f'<th scope="col">Description</th></tr></thead>\n<tbody>\n{body}</tbody>\n</table></div>')


REGISTRY_KINDS = {"confluent": "schema registry", "glue": "AWS Glue schema registry", "none": "no schema registry"}
NO_TOPIC = '<p class="muted">No topic on the built stacks, so there is nothing to connect to.</p>'


def connect_blocks(blocks: list[ConnectBlock]) -> Markup:
    """The connect section's blocks (one per stack the event has a topic on), as ``templates/_connect.html``."""
    if not blocks:
        return Markup(NO_TOPIC)
    out: list[str] = []
    for i, b in enumerate(blocks):
        view, reg, bid = b.view, b.view.registry, _e(b.id)
        label = _e(view.label)
        out.append(f'  <details class="connect"{" open" if i == 0 else ""}>\n'
                   f'    <summary><span class="summary-title">{label}</span> <code class="wrap-any">{_e(b.topic.name)}</code> · '
                   f'{"MSK IAM" if view.iam else "SASL/SCRAM"} · {_e(REGISTRY_KINDS.get(reg.kind, reg.kind))}</summary>\n'
                   f'    <div class="connect-body" id="{bid}">\n'
                   '      <dl class="facts">\n'
                   f'        <dt>Brokers</dt><dd><code class="wrap-any">{_e(view.servers)}</code></dd>\n'
                   '        <dt>Schema registry</dt><dd>')
        if reg.url:
            out.append(f'<code class="wrap-any">{_e(reg.url)}</code>')
        elif reg.kind == "glue":
            out.append(f"AWS Glue registry <code>{_e(reg.name or '?')}</code>")
        else:
            out.append('<span class="muted">none declared</span>')
        out.append("</dd>\n        <dt>Subjects</dt><dd>")
        out.append(f'<code class="wrap-any">{_e(b.value_subject)}</code>' if b.value_subject else '<span class="muted">none on this stack</span>')
        if b.key_subject:
            out.append(f', <code class="wrap-any">{_e(b.key_subject)}</code>')
        out.append("</dd>\n      </dl>\n")
        out.extend(f'<p class="note">{_e(n)}</p>' for n in b.notes)
        out.append(f'      <div class="field inline"><label for="sel-{bid}">Fill in for</label>\n'
                   f'        <select id="sel-{bid}" data-fill="{bid}">\n')
        for who in b.identities:
            out.append("<option" + "".join(f' data-{_e(k)}="{_e(v)}"' for k, v in who.values.items()) + f">{_e(who.label)}</option>")
        out.append("        </select></div>\n")
        for role in ("consumer", "producer"):
            snippets = b.by(role)
            out.append(f'      <h3>{"Consume" if role == "consumer" else "Produce"}</h3>\n'
                       '      <div class="tabs" data-tabs>\n'
                       f'        <div role="tablist" aria-label="{"Consumer" if role == "consumer" else "Producer"} settings by language" hidden>')
            for j, sn in enumerate(snippets):
                sid = _e(sn.id)
                selected, tabindex = ("true", "") if j == 0 else ("false", ' tabindex="-1"')
                out.append(f'<button type="button" role="tab" id="tab-{sid}" aria-controls="{sid}" aria-selected="{selected}"{tabindex}>'
                           f'{_e(sn.label)}</button>')
            out.append("</div>\n")
            for sn in snippets:
                sid = _e(sn.id)
                out.append(f'<div class="tabpanel" role="tabpanel" id="{sid}" aria-labelledby="tab-{sid}"><h4 class="panel-title">{_e(sn.label)} '
                           f'<span class="muted small">{_e(sn.filename)}</span></h4><pre class="code" data-copy="{_e(sn.filename)} ({label})">'
                           f'<code class="lang-{_e(sn.lang)}">{escape(sn.code)}</code></pre></div>')
            out.append("      </div>\n")
        out.append("    </div>\n  </details>\n")
    return Markup("".join(out))


LIFECYCLE_NOTES = {
    "production": "Live and supported.",
    "development": "Being built; the schema may still change.",
    "experimental": "A trial; may disappear.",
    "deprecated": "Being phased out; do not start consuming it.",
    "retired": "No longer published; the topic is gone.",
}


def days_text(n: int | None) -> str:
    """A countdown as people say it: "in 3 days", "today", "1 day ago"."""
    if n is None:
        return "no date"
    if n == 0:
        return "today"
    if n > 0:
        return f"in {n:,} day{'s' if n != 1 else ''}"
    return f"{-n:,} day{'s' if n != -1 else ''} ago"


def compliance_html(rows: list[dict]) -> str:
    """The compliance facts of an event or application (:func:`compliance_rows`): a fact due within 90 days or
    overdue is flagged."""
    if not any(row.get("value") for row in rows):
        return '<p class="muted">No compliance facts declared.</p>'
    out = ['<dl class="facts">\n']
    for row in rows:
        out.append(f"<dt>{_e(row['label'])}</dt><dd>{_e(row['value'] or '—')}")
        n = row.get("days")
        if n is not None:
            renew = row.get("renew")
            if n < 0:
                out.append(f' <span class="badge bad">{"renewal overdue" if renew else "expired"} {_e(days_text(n))}</span>')
            elif n <= 90:
                out.append(f' <span class="badge warn">{"renew" if renew else "expires"} {_e(days_text(n))}</span>')
            else:
                out.append(f' <span class="muted small">{"renew " if renew else ""}{_e(days_text(n))}</span>')
        out.append("</dd>\n")
    out.append("</dl>\n")
    return "".join(out)


def verdict_html(d) -> str:
    """A version's verdict for readers (:class:`eventbus.catalog.versions.VersionDiff`): safe, breaking (for whom, and
    whether the event's mode would refuse it), not checked, or nothing to compare."""
    if d.verdict == "first":
        return '<span class="muted">—</span>'
    if d.verdict == "unchecked":
        return '<span class="badge warn">not checked</span> <span class="small muted">a schema does not parse</span>'
    if d.verdict == "safe":
        return (f'<span class="badge ok">safe</span> <span class="small muted">readers on v{_e(d.previous)} and v{_e(d.number)} '
                "read each other's records</span>")
    out = ['<span class="badge bad">breaking</span>']
    out.extend(f' <span class="small">{_e(w)}.</span>' for w in d.who())
    if not d.mode_allows:
        out.append(f' <span class="small muted">(mode {_e(d.mode)} would refuse it)</span>')
    return "".join(out)


def pretty_ms(ms: int) -> str:
    if ms < 0:
        return "forever"
    day = 86_400_000
    if ms % day == 0:
        d = ms // day
        return f"{d} day{'s' if d != 1 else ''}"
    hour = 3_600_000
    if ms % hour == 0:
        h = ms // hour
        return f"{h} hour{'s' if h != 1 else ''}"
    return f"{ms:,} ms"


def pretty_bytes(n: int) -> str:
    if n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MiB"
    if n % 1024 == 0:
        return f"{n // 1024} KiB"
    return f"{n:,} bytes"


def compliance_rows(k, today) -> list[dict]:
    """The compliance facts of an application or event as (label, value, days left or None) rows; [] when none are declared."""
    if k is None:
        return []
    return [
        {"label": "VASI id", "value": k.vasi_id},
        {"label": "eMASS id", "value": k.emass_id},
        {"label": "FISMA level", "value": k.fisma_level},
        {"label": "ATO", "value": " · ".join(x for x in (k.ato_status, f"expires {k.ato_expires.isoformat()}" if k.ato_expires else None) if x),
         "days": (k.ato_expires - today).days if k.ato_expires else None},
        {"label": "PTA", "value": f"signed {k.pta_date.isoformat()}" if k.pta_date else None,
         "days": (k.pta_date + dt.timedelta(days=PTA_DAYS) - today).days if k.pta_date else None, "renew": True},
        {"label": "PIA", "value": f"signed {k.pia_date.isoformat()}" if k.pia_date else None,
         "days": (k.pia_date + dt.timedelta(days=PIA_DAYS) - today).days if k.pia_date else None, "renew": True},
        {"label": "Data sharing agreement", "value": k.data_sharing_agreement},
    ]
