"""The reviewer pages (``reviews/<view>.html``): PII/PHI events and their consumers, deprecations, expiring compliance
facts; built as strings in the frame of ``templates/base.html``.

Every value from the tree (event titles, refs, slugs, paths and classifications, application refs, purposes, field
paths, data sharing agreements, OBI references, stack labels, compliance facts, the build stamp) is escaped
(:func:`~eventbus.catalog.exporters.html._e`, markupsafe's text); only the fixed markup is literal.
"""
from __future__ import annotations

from collections.abc import Callable

from eventbus.catalog.exporters.html import _e, days_text
from eventbus.catalog.exporters.layout import Frame
from eventbus.catalog.model import Catalog, EventView, Expiry, StackView
from eventbus.model import Consumer, Subscription

TITLES = {"sensitive": "PII/PHI and its consumers", "deprecations": "Deprecations", "compliance": "Expiring compliance"}
SENSITIVE_HEAD = ('<h2>Events carrying PII or PHI, and who reads them</h2>\n<p>Every consumer with its purpose, the classified fields it reads '
                  '(from the <code>fields:</code> its subscription declares; all of them when it declares none), its data sharing agreement, '
                  'its OBI approvals for the event (BIP-sourced data) and whether the desired state grants it access on each stack.</p>\n')
CONSUMERS_HEAD = ('    <thead><tr><th scope="col">Consumer</th><th scope="col">Purpose</th><th scope="col">PII/PHI fields read</th>'
                  '<th scope="col">Data sharing agreement</th><th scope="col">OBI approvals</th><th scope="col">Access</th></tr></thead>\n'
                  '    <tbody>')
DEPRECATIONS_HEAD = ('<div class="table-wrap fit"><table class="cardable">\n'
                     '  <caption class="sr-only">Deprecated and retired events, soonest removal first</caption>\n'
                     '  <thead><tr><th scope="col">Event</th><th scope="col">Removal date</th><th scope="col">Replacement</th>'
                     '<th scope="col">Remaining consumers</th></tr></thead>\n  <tbody>')
COMPLIANCE_HEAD = ('<h2>Compliance facts that expire within 90 days, or already have</h2>\n'
                   '<p>ATO expiry dates, PTAs (renewed yearly) and PIAs (every three years) of applications and events.</p>\n')
EXPIRING_HEAD = ('<div class="table-wrap fit"><table class="cardable">\n  <caption class="sr-only">Compliance facts by due date, soonest first</caption>\n'
                 '  <thead><tr><th scope="col">Due</th><th scope="col">What</th><th scope="col">Of</th><th scope="col">Status</th></tr></thead>\n'
                 '  <tbody>')
TABLE_TAIL = "</tbody>\n</table></div>\n"

Href = Callable[[str], str | None]


def _head(cat: Catalog, view: str) -> str:
    """The page head: the heading, the links to the three views (the current one marked), the date and stacks."""
    current = ' aria-current="page"'
    links = "".join(f'  <li><a href="{v}.html"{current if v == view else ""}>{t}</a></li>\n' for v, t in TITLES.items())
    return (f'<header class="page-head"><h1>Reviews</h1>\n<nav class="subnav" aria-label="Reviews"><ul>\n{links}</ul></nav>\n'
            f'<p class="lead">As of {_e(cat.today.isoformat())} ({_e(cat.stamp.text)}); stacks {_e(cat.stacks_text)}.</p>\n</header>\n')


def _fields_read(info: EventView, s: Subscription) -> str:
    """The classified fields a subscription reads (the first 12, and how many more)."""
    if not info.classified_fields:
        return '<span class="muted">no field is classified</span>'
    got = info.classified_read(s)
    if not got:
        return '<span class="badge ok">only unclassified fields</span> <span class="small muted">least data</span>'
    out = "" if s.fields else f'<span class="small muted">declares no fields: all {len(got)}</span><br>'
    out += "<br>".join(f'<code class="wrap-any">{_e(p)}</code> <span class="badge cl-{_e(level)}">{_e(level)}</span>' for p, level in got[:12])
    if len(got) > 12:
        out += f'<br><span class="small muted">and {len(got) - 12} more</span>'
    return out


def _obi(info: EventView, obi: list[str]) -> str:
    """A consumer's OBI references for the event, or whether it needs one (the event is BIP-sourced)."""
    if obi:
        return ", ".join(f"<code>{_e(o)}</code>" for o in obi)
    return '<span class="badge bad">missing</span>' if info.event.bip_sourced else '<span class="muted">not needed</span>'


def _access(access: list[tuple[StackView, bool]]) -> str:
    """Per stack: whether the desired state grants the subscription."""
    if not access:
        return '<span class="muted">no topic on the built stacks</span>'
    return "".join(f'<span class="badge {"ok" if granted else "warn"}">{_e(v.label)}: {"granted" if granted else "not granted"}</span> '
                   for v, granted in access)


def _consumer_row(info: EventView, c: Consumer, s: Subscription, access: list[tuple[StackView, bool]], obi: list[str], app_href: Href) -> str:
    """One consumer of a PII/PHI event: purpose, classified fields read, data sharing agreement, OBI approvals, access."""
    dsa = c.compliance.data_sharing_agreement
    return (f'<tr><th scope="row" data-label="Consumer"><a href="{_e(app_href(c.ref))}">{_e(c.ref)}</a></th>'
            f'<td data-label="Purpose">{_e(s.purpose)}</td>\n      <td data-label="PII/PHI fields read">{_fields_read(info, s)}</td>\n'
            '      <td data-label="Data sharing agreement">' + (f"<code>{_e(dsa)}</code>" if dsa else '<span class="badge bad">missing</span>')
            + f'</td>\n      <td data-label="OBI approvals">{_obi(info, obi)}</td>\n      <td data-label="Access">{_access(access)}</td></tr>')


def sensitive_section(root: str, info: EventView, consumers: list, app_href: Href) -> str:
    """A PII/PHI event's section of the sensitive view: its heading and its consumers' table (``consumers``:
    :meth:`~eventbus.catalog.model.Catalog.sensitive_consumers`). A function of the event, its subscribers and their
    access, as the event's own page is."""
    e = info.event
    r = _e(root)
    slug, cl = _e(info.slug), _e(e.classification)
    out = [f'<section class="review" aria-labelledby="s-{slug}">\n  <h3 id="s-{slug}"><a href="{r}{_e(info.path)}">{_e(e.title)}</a> '
           f'<code class="ref">{_e(info.ref)}</code> <span class="badge cl-{cl}">{cl}</span>'
           + (' <span class="badge flag">BIP-sourced</span>' if e.bip_sourced else "") + "</h3>\n"]
    if consumers:
        out.append(f'  <div class="table-wrap fit"><table class="cardable">\n    <caption class="sr-only">Consumers of {_e(info.ref)}</caption>\n'
                   + CONSUMERS_HEAD)
        out.extend(_consumer_row(info, c, s, access, obi, app_href) for c, s, access, obi in consumers)
        out.append("</tbody>\n  </table></div>\n")
    else:
        out.append('<p class="muted">No consumer.</p>')
    out.append("</section>\n")
    return "".join(out)


def _sensitive(out: list[str], sections: list[str]) -> None:
    """Per PII/PHI event its section (:func:`sensitive_section`)."""
    out.append(SENSITIVE_HEAD)
    if not sections:
        out.append('<p class="muted">No event carries PII or PHI.</p>')
        return
    out.extend(sections)


def _removal(info: EventView, left: int | None) -> str:
    """A deprecated event's removal date and countdown (flagged when past or within 90 days)."""
    when = info.event.removal_date
    if not when or left is None:
        return '<span class="muted">none</span>'
    d = _e(when.isoformat())
    if left < 0:
        flag = f'<span class="badge bad">passed {_e(days_text(left))}</span>'
    elif left <= 90:
        flag = f'<span class="badge warn">{_e(days_text(left))}</span>'
    else:
        flag = f'<span class="muted">{_e(days_text(left))}</span>'
    return f'<time datetime="{d}">{d}</time> {flag}'


def _deprecation_row(r: str, info: EventView, left: int | None, app_href: Href) -> str:
    """One deprecated or retired event: removal date, replacement, the consumers it still has."""
    e = info.event
    lc = _e(e.lifecycle)
    rb = info.replaced_by
    refs = info.consumer_refs
    return (f'<tr><th scope="row" data-label="Event"><a href="{r}{_e(info.path)}">{_e(e.title)}</a> <code class="ref">{_e(info.ref)}</code> '
            f'<span class="badge lc-{lc}">{lc}</span></th>\n    <td data-label="Removal date">{_removal(info, left)}</td>\n'
            '    <td data-label="Replacement">' + (f'<a href="{r}{_e(rb.path)}">{_e(rb.ref)}</a>' if rb else '<span class="muted">none named</span>')
            + '</td>\n    <td data-label="Remaining consumers">'
            + (", ".join(f'<a href="{_e(app_href(ref))}">{_e(ref)}</a>' for ref in refs) if refs else '<span class="muted">none</span>')
            + "</td></tr>")


def _expiry_row(x: Expiry, event_href: Href, app_href: Href) -> str:
    """One compliance fact due: when, what, of which application or event, how late or soon."""
    due = _e(x.due.isoformat())
    signed = f' <span class="muted small">signed {_e(x.signed.isoformat())}</span>' if x.signed else ""
    href = app_href(x.ref) if x.owner_kind == "application" else event_href(x.ref)
    if x.days_left < 0:
        status = f'<span class="badge bad">{"expired" if x.what == "ATO" else "overdue"} {_e(days_text(x.days_left))}</span>'
    else:
        status = f'<span class="badge warn">{_e(days_text(x.days_left))}</span>'
    return (f'<tr><th scope="row" data-label="Due"><time datetime="{due}">{due}</time></th><td data-label="What">{_e(x.what)}{signed}</td>\n'
            f'    <td data-label="Of">{_e(x.owner_kind)} <a href="{_e(href)}">{_e(x.ref)}</a></td>\n'
            f'    <td data-label="Status">{status}</td></tr>')


def render(frame: Frame, root: str, cat: Catalog, view: str, rows: list, event_href: Href, app_href: Href) -> str:
    """The reviewer page ``view`` (a key of :data:`TITLES`): ``rows`` are the sections of the PII/PHI events
    (:func:`sensitive_section`), :meth:`~eventbus.catalog.model.Catalog.deprecations` or :meth:`~eventbus.catalog.model.Catalog.expiring`;
    ``event_href`` and ``app_href`` link an event ref and an application ref."""
    r = _e(root)
    out = [_head(cat, view)]
    if view == "sensitive":
        _sensitive(out, rows)
    elif view == "deprecations":
        out.append("<h2>Deprecated events and their remaining consumers</h2>\n")
        if rows:
            out.append(DEPRECATIONS_HEAD)
            out.extend(_deprecation_row(r, info, left, app_href) for info, left in rows)
            out.append(TABLE_TAIL)
        else:
            out.append('<p class="muted">No deprecated event.</p>')
    else:
        out.append(COMPLIANCE_HEAD)
        if rows:
            out.append(EXPIRING_HEAD)
            out.extend(_expiry_row(x, event_href, app_href) for x in rows)
            out.append(TABLE_TAIL)
        else:
            out.append('<p class="muted">Nothing expires within 90 days.</p>')
    return frame.page(TITLES[view], "".join(out))
