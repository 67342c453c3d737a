"""Producers → events → consumers as SVG, laid out at build time (no JavaScript, no graph library).

Three columns of boxes joined by curves. Every box is a link (keyboard
focusable) with its full name in a ``<title>``; long labels are shortened.
Inline in pages the SVG is styled by the site's stylesheet; the standalone
file carries its own ``<style>``.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

COL_X = (8, 338, 668)
NODE_W = 250
WIDTH = COL_X[2] + NODE_W + 8
HEAD = 34

STANDALONE_CSS = """
svg{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;background:#fff}
.dg-col{font-size:12px;font-weight:700;fill:#3d4551;text-transform:uppercase;letter-spacing:.04em}
.dg-node rect{fill:#fff;stroke:#71767a;stroke-width:1.2}
.dg-producer rect{fill:#e7f2f5;stroke:#00687d}
.dg-event rect{fill:#fef0c8;stroke:#936f38}
.dg-domain rect{fill:#fef0c8;stroke:#936f38}
.dg-consumer rect{fill:#ecf3ec;stroke:#4d8055}
.dg-current rect{stroke-width:3}
.dg-label{font-size:13px;font-weight:600;fill:#1b1b1b}
.dg-sub{font-size:11px;fill:#3d4551}
.dg-edge{fill:none;stroke:#8d9297;stroke-opacity:.75}
.dg-arrow{fill:#8d9297}
a:focus rect,a:hover rect{stroke:#005ea2;stroke-width:3}
"""


@dataclass
class Node:
    id: str
    label: str
    sub: str = ""
    href: str | None = None
    kind: str = "event"  # producer | event | consumer | domain
    title: str = ""  # full text for the tooltip
    current: bool = False


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")  # no XML 1.0 document may hold them, escaped or not


_ANY_SPECIAL = re.compile("[&<>\"\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")  # text without any is its own escape


def escape(text: str, entities: dict[str, str] | None = None) -> str:
    """Text for XML (a title can carry a control character: map.svg would no longer parse), shown as U+FFFD."""
    if _ANY_SPECIAL.search(text) is None and not (entities and any(k in text for k in entities)):
        return text
    # as xml.sax.saxutils.escape (not imported: it brings urllib.request and http.client, a tenth of a rebuild's imports)
    text = _NOT_XML.sub("\ufffd", text).replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    for key, value in (entities or {}).items():
        text = text.replace(key, value)
    return text


def _attr(text: str) -> str:
    """Text for a double-quoted XML attribute."""
    return escape(text, {'"': "&quot;"})


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def order_columns(columns: tuple[list[Node], list[Node], list[Node]], edges: list[tuple[str, str, float]], sweeps: int = 4):
    """Reorder the boxes of each column to cut edge crossings (the barycentre heuristic: each box moves to the
    mean position of its neighbours in the column beside it, alternating sweeps). The middle column keeps its
    order when it is the page's subject (one current box)."""
    cols = [list(c) for c in columns]
    nbr: dict[str, list[str]] = {}
    for a, b, _w in edges:
        nbr.setdefault(a, []).append(b)
        nbr.setdefault(b, []).append(a)

    def reorder(ci: int, ref: int) -> None:
        where = {n.id: i for i, n in enumerate(cols[ref])}
        def key(item):
            i, n = item
            ps = [where[x] for x in nbr.get(n.id, ()) if x in where]
            return (sum(ps) / len(ps) if ps else i, i)
        cols[ci] = [n for _, n in sorted(enumerate(cols[ci]), key=key)]

    if len(cols[1]) > 1:
        for _ in range(sweeps):
            reorder(1, 0)
            reorder(2, 1)
            reorder(0, 1)
            reorder(1, 2)
    else:
        reorder(0, 1)
        reorder(2, 1)
    return cols[0], cols[1], cols[2]


def flow_svg(columns: tuple[list[Node], list[Node], list[Node]], edges: list[tuple[str, str, float]], *, title: str, desc: str,
             headings=("Producers", "Event", "Consumers"), standalone: bool = False, ident: str = "dg", compact: bool = False) -> str:
    """An SVG document (or fragment) of three columns of nodes and the edges between them."""
    node_h, gap = (30, 36) if compact else (44, 56)
    rows = max(1, *(len(c) for c in columns))
    height = HEAD + rows * gap + 8
    pos: dict[str, tuple[float, float, int]] = {}
    parts: list[str] = []
    for ci, col in enumerate(columns):
        if not col:
            continue
        # centre shorter columns vertically
        offset = HEAD + (rows - len(col)) * gap / 2
        for i, n in enumerate(col):
            y = offset + i * gap + (gap - node_h) / 2
            pos[n.id] = (COL_X[ci], y, ci)
    # edges first (under the boxes)
    edge_parts: list[str] = []
    max_w = max((w for _, _, w in edges), default=1) or 1
    for a, b, w in edges:
        if a not in pos or b not in pos:
            continue
        xa, ya, _ = pos[a]
        xb, yb, _ = pos[b]
        x1, y1 = xa + NODE_W, ya + node_h / 2
        x2, y2 = xb - 1, yb + node_h / 2
        dx = (x2 - x1) / 2
        sw = 1.4 if max_w <= 1 else 1 + 5 * math.log1p(w) / math.log1p(max_w)
        edge_parts.append(f'<path class="dg-edge" data-a="{_attr(a)}" data-b="{_attr(b)}" stroke-width="{sw:.1f}" marker-end="url(#{ident}-arrow)" '
                          f'd="M{x1:.0f} {y1:.0f}C{x1 + dx:.0f} {y1:.0f} {x2 - dx:.0f} {y2:.0f} {x2:.0f} {y2:.0f}"/>')
    limit = 29  # characters of a 13px bold label that fit a box
    for col in columns:
        for n in col:
            x, y, _ = pos[n.id]
            cls = f"dg-node dg-{n.kind}" + (" dg-current" if n.current else "")
            tip = escape(n.title or (f"{n.label} ({n.sub})" if n.sub else n.label))
            label = escape(_short(n.label, limit))
            if n.sub and not compact:
                text = (f'<text class="dg-label" x="{x + 10:.0f}" y="{y + 18:.0f}">{label}</text>'
                        f'<text class="dg-sub" x="{x + 10:.0f}" y="{y + 34:.0f}">{escape(_short(n.sub, 38))}</text>')
            else:
                text = f'<text class="dg-label" x="{x + 10:.0f}" y="{y + node_h / 2 + 4:.0f}">{label}</text>'
            box = f'<g class="{cls}" data-id="{_attr(n.id)}" data-text="{_attr((n.label + " " + n.sub + " " + n.title).lower())}"><title>{tip}</title><rect x="{x:.0f}" y="{y:.0f}" width="{NODE_W}" height="{node_h}" rx="6"/>{text}</g>'
            if n.href and not n.current:
                box = f'<a href="{_attr(n.href)}">{box}</a>'
            parts.append(box)
    heads = "".join(
        f'<text class="dg-col" x="{COL_X[i] + NODE_W / 2:.0f}" y="20" text-anchor="middle">{escape(h)}</text>' for i, h in enumerate(headings)
    )
    # the arrowhead is sized in user units, so it stays small however thick the line (markerUnits="strokeWidth" scaled it)
    defs = (f'<defs><marker id="{ident}-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" '
            f'markerHeight="9" orient="auto"><path class="dg-arrow" d="M0 0L10 5L0 10z"/></marker></defs>')
    style = f"<style>{STANDALONE_CSS}</style>" if standalone else ""
    ns = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    return (f'<svg{ns} class="diagram" viewBox="0 0 {WIDTH} {height:.0f}" width="{WIDTH}" height="{height:.0f}" role="group" '
            f'aria-labelledby="{ident}-title {ident}-desc"><title id="{ident}-title">{escape(title)}</title>'
            f'<desc id="{ident}-desc">{escape(desc)}</desc>{style}{defs}{heads}{"".join(edge_parts)}{"".join(parts)}</svg>')
