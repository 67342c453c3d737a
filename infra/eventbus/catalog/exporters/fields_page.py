"""The fields index (``fields.html``: every field name of the latest schemas and the events that carry it), built as a
string in the frame of ``templates/base.html``.

Every value from the tree (field names and types, event titles and paths) is escaped
(:func:`~eventbus.catalog.exporters.html._e`, markupsafe's text); only the fixed markup is literal.
"""
from __future__ import annotations

from eventbus.catalog.exporters.html import _e
from eventbus.catalog.exporters.layout import Frame

HEAD = ('<header class="page-head"><h1>Fields</h1>\n<p class="lead">Every field name of the latest value and key schemas, and the events '
        'that carry it. Names that differ only in case (<code>ClaimId</code>, <code>claimId</code>) are listed together.</p></header>\n')
TABLE_HEAD = ('<div class="table-wrap fit"><table class="field-index cardable">\n'
              '  <caption class="sr-only">Field names and the events whose schemas carry them</caption>\n'
              '  <thead><tr><th scope="col">Field</th><th scope="col">Events</th></tr></thead>\n  <tbody>\n')


def _letters(entries: list[dict]) -> str:
    """The jump links: the first letter of each key (keys are lowercase), once each, in the entries' order."""
    letters = dict.fromkeys(f["key"][0] for f in entries)
    return ('<nav class="az" aria-label="Jump to letter"><ul>'
            + "".join(f'<li><a href="#letter-{_e(c)}">{_e(c.upper())}</a></li>' for c in letters) + "</ul></nav>\n")


def _row(f: dict, anchor: str | None) -> str:
    """One field name's row; ``anchor`` the letter its row is the first of (None: not the first)."""
    ident = f' id="letter-{_e(anchor)}"' if anchor is not None else ""
    names = " ".join(f"<code>{_e(n)}</code>" for n in f["names"])
    events = " · ".join(f'<a href="{_e(i.path)}">{_e(i.event.title)}</a> <span class="muted">{_e(r.type)}</span>' for i, r in f["events"])
    more = f' · <a href="index.html#q={_e(f["names"][0])}">and {f["more"]} more</a>' if f["more"] else ""
    return f'  <tr{ident}><th scope="row">{names} <span class="muted">({f["total"]})</span></th>\n  <td data-label="Events">{events}{more}</td></tr>\n'


def render(frame: Frame, entries: list[dict]) -> str:
    """The page: ``entries`` are the field names by lowercase key, sorted, each ``{"key", "names", "events": [(event,
    row)], "more", "total"}``."""
    out = [HEAD, _letters(entries), TABLE_HEAD]
    letter = ""
    for f in entries:
        first = f["key"][0]
        out.append(_row(f, first if first != letter else None))
        letter = first
    out.append("  </tbody>\n</table></div>\n")
    return frame.page("Fields", "".join(out))
