"""The catalog's list pages, built as strings in the frame of ``templates/base.html``: the events index
(``index.html``, with the search form and one row per event), the applications list and the teams list.

Every value from the tree (titles, refs, summaries, domains, team names, contacts, lifecycles, classifications,
stack labels) is escaped (:func:`~eventbus.catalog.exporters.html._e`, markupsafe's text). An event's row depends on
that event alone (and its owner's team name): :func:`event_row` is what a rebuild keeps for unchanged events.
"""
from __future__ import annotations

from eventbus.catalog.exporters.html import _e
from eventbus.catalog.exporters.layout import Frame
from eventbus.catalog.model import AppView, Catalog, EventView
from eventbus.model import Team

INDEX_FORM = """<section class="finder" aria-label="Search and filters">
  <form class="search-form" role="search" id="finder" action="#">
    <div class="field search-field">
      <label for="q">Search events</label>
      <input id="q" name="q" type="search" autocomplete="off" spellcheck="false" placeholder="Try a field name: ClaimId, icn, VeteranParticipantId" aria-describedby="q-hint">
      <p class="hint" id="q-hint">Matches event names and field names first, then descriptions, consumers' purposes, owners, tags and topics. Press <kbd>/</kbd> to jump here.</p>
    </div>
    <div class="filters">
"""
INDEX_TABLE = """<div class="table-wrap fit">
<table class="events" id="event-table">
  <caption class="sr-only">Events, with their domain, owner, lifecycle, data classification and number of consuming applications</caption>
  <thead><tr><th scope="col">Event</th><th scope="col">Domain</th><th scope="col">Owner</th><th scope="col">Lifecycle</th><th scope="col">Data</th><th scope="col" class="num">Consumers</th></tr></thead>
  <tbody>
"""
INDEX_END = """  </tbody>
</table>
</div>
<p class="empty" id="empty" hidden>No event matches. Try a shorter word, a field name such as <code>ClaimId</code>, or clear the filters.</p>
"""


def _select(ident: str, name: str, key: str, label: str, blank: str, options: list[tuple[str, str]]) -> str:
    opts = "".join(f'<option value="{_e(v)}">{_e(text)}</option>' for v, text in options)
    return (f'      <div class="field">\n        <label for="{ident}">{label}</label>\n'
            f'        <select id="{ident}" name="{name}" data-filter="{key}"><option value="">{blank}</option>{opts}</select>\n      </div>\n')


def event_row(cat: Catalog, i: EventView) -> str:
    """The events index's row of one event."""
    e = i.event
    lc, cl = _e(e.lifecycle), _e(e.classification)
    return (f'<tr data-ref="{_e(e.ref)}" data-d="{_e(e.domain)}" data-o="{_e(e.owner)}" data-l="{lc}" data-c="{cl}"><td>'
            f'<a class="ev" href="{_e(i.path)}">{_e(e.title)}</a> <code class="ref">{_e(e.ref)}</code><p class="sum">{_e(e.summary)}</p>'
            f'<p class="hits" hidden></p></td><td>{_e(e.domain)}</td><td>{_e(cat.team_name(e.owner))}</td>'
            f'<td><span class="badge lc-{lc}">{lc}</span></td><td><span class="badge cl-{cl}">{"none" if e.classification == "none" else cl}</span></td>'
            f'<td class="num">{len(i.consumer_refs)}</td></tr>\n')


def index(frame: Frame, cat: Catalog, rows: list[str], lifecycles: list[str], classes: list[str]) -> str:
    """``index.html``: ``rows`` are :func:`event_row` of every event, in the catalog's order."""
    n = f"{len(cat.events):,}"
    stacks = "stack" if len(cat.stacks) == 1 else "stacks"
    out = ['<section class="hero" aria-labelledby="page-title">\n  <h1 id="page-title">Events on the Enterprise Event Bus</h1>\n'
           f'  <p class="lead">{n} events, {len(cat.apps):,} applications, {len(cat.teams):,} teams on {stacks} {_e(cat.stacks_text)}. '
           "Find an event by its name, a field it carries, what it is for or who reads it, then open it to see its versions, "
           "its consumers and how to connect.</p>\n</section>\n", INDEX_FORM,
           _select("f-domain", "domain", "d", "Domain", "All domains", [(d, d) for d in cat.domains]),
           _select("f-owner", "owner", "o", "Owner", "All teams", [(o, cat.team_name(o)) for o in cat.owners]),
           _select("f-lifecycle", "lifecycle", "l", "Lifecycle", "Any lifecycle", [(lc, lc) for lc in lifecycles]),
           _select("f-class", "classification", "c", "Classification", "Any data", [(c, "no PII/PHI" if c == "none" else c) for c in classes]),
           '      <button type="reset" class="button secondary" id="reset">Clear</button>\n    </div>\n  </form>\n'
           f'  <p class="result-count" id="count" role="status" aria-live="polite">{n} events</p>\n</section>\n', INDEX_TABLE, *rows, INDEX_END]
    return frame.page("Events", "".join(out))


def table_filter(name: str, label: str, hint: str, n: int, noun: str) -> str:
    """A box that narrows the table ``<name>-table`` to the rows holding every word typed (``app.js``; hidden
    until the script shows it, so a page read without script offers no box that does nothing)."""
    return (f'<section class="finder" aria-label="{_e(label)}" data-table-filter="{_e(name)}-table" data-noun="{_e(noun)}" hidden>\n'
            f'  <div class="field"><label for="{_e(name)}-q">{_e(label)}</label>'
            f'<input type="search" id="{_e(name)}-q" placeholder="{_e(hint)}" autocomplete="off" spellcheck="false"></div>\n'
            f'  <p class="result-count" role="status" aria-live="polite">{n:,} {_e(noun)}</p>\n</section>\n')


def apps(frame: Frame, cat: Catalog, root: str, items: list[AppView]) -> str:
    """``apps/index.html``: every application with its team, role and counts."""
    out = ['<header class="page-head"><h1>Applications</h1><p class="lead">Every application that produces or consumes events, with its team.</p></header>\n',
           table_filter("app", "Find an application", "a name, a team, consumer or producer", len(items), "applications"),
           '<div class="table-wrap fit"><table class="cardable" id="app-table">\n  <caption class="sr-only">Applications with their team, role and number of events</caption>\n'
           '  <thead><tr><th scope="col">Application</th><th scope="col">Team</th><th scope="col">Role</th><th scope="col" class="num">Produces</th>'
           '<th scope="col" class="num">Consumes</th></tr></thead>\n  <tbody>']
    for a in items:
        team = (f'<a href="{root}teams/{_e(a.team)}.html">{_e(cat.team_name(a.team))}</a>' if a.team in cat.teams else _e(a.team))
        role = ('<span class="badge kind">consumer</span> ' if a.consumes else "") + ('<span class="badge kind">producer</span>' if a.produces else "")
        out.append(f'<tr><th scope="row"><a href="{root}{_e(a.path)}">{_e(a.application)}</a> <code class="ref">{_e(a.ref)}</code></th>'
                   f'<td data-label="Team">{team}</td><td data-label="Role">{role}</td><td class="num" data-label="Produces">{len(a.produces)}</td>'
                   f'<td class="num" data-label="Consumes">{len(a.consumes)}</td></tr>')
    out.append("</tbody>\n</table></div>\n")
    return frame.page("Applications", "".join(out))


def teams(frame: Frame, root: str, rows: list[tuple[Team, int, int]]) -> str:
    """``teams/index.html``: (team, events owned, applications) per team."""
    out = ['<header class="page-head"><h1>Teams</h1><p class="lead">Who owns events and runs applications on the bus.</p></header>\n',
           table_filter("team", "Find a team", "a name, an id or a contact", len(rows), "teams"),
           '<div class="table-wrap fit"><table class="cardable" id="team-table">\n  <caption class="sr-only">Teams with the number of events they own and applications they run</caption>\n'
           '  <thead><tr><th scope="col">Team</th><th scope="col">Contact</th><th scope="col" class="num">Events</th>'
           '<th scope="col" class="num">Applications</th></tr></thead>\n  <tbody>']
    for t, n_events, n_apps in rows:
        contact = ""
        if t.contacts:
            c = t.contacts[0]
            contact = _e(c.name) + (f' · <a href="mailto:{_e(c.email)}">{_e(c.email)}</a>' if c.email else "")
        out.append(f'<tr><th scope="row"><a href="{root}teams/{_e(t.id)}.html">{_e(t.name)}</a> <code class="ref">{_e(t.id)}</code></th>'
                   f'<td data-label="Contact">{contact}</td><td class="num" data-label="Events">{n_events}</td><td class="num" data-label="Applications">{n_apps}</td></tr>')
    out.append("</tbody>\n</table></div>\n")
    return frame.page("Teams", "".join(out))

