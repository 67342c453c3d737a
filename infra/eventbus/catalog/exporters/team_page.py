"""The page of one team (``teams/<team>.html``: its contacts, the events it owns, its applications), built as a
string in the frame of ``templates/base.html``.

Every value from the tree (team names and ids, GitHub teams, chat channels, contact names, roles and emails, event
titles, refs, lifecycles and classifications, application names and descriptions) is escaped
(:func:`~eventbus.catalog.exporters.html._e`, markupsafe's text); only the fixed markup is literal.
"""
from __future__ import annotations

from collections.abc import Callable

from eventbus.catalog.exporters.html import _e
from eventbus.catalog.exporters.layout import Frame
from eventbus.catalog.model import AppView, EventView
from eventbus.model import Contact, Team

EVENTS_HEAD = ('  <div class="table-wrap fit"><table class="cardable">\n    <caption class="sr-only">Events this team owns</caption>\n'
               '    <thead><tr><th scope="col">Event</th><th scope="col">Lifecycle</th><th scope="col">Data</th>'
               '<th scope="col" class="num">Consumers</th></tr></thead>\n    <tbody>')


def _contact(c: Contact, role: str | None) -> str:
    """A contact's list item: name, role (in parentheses) and email link, each when there is one."""
    out = f"<li>{_e(c.name)}"
    if role:
        out += f' <span class="muted">({_e(role)})</span>'
    if c.email:
        out += f' · <a href="mailto:{_e(c.email)}">{_e(c.email)}</a>'
    return out + "</li>"


def _event_row(r: str, i: EventView) -> str:
    """One event the team owns: lifecycle, data classification, number of subscriptions."""
    e = i.event
    lc, cl = _e(e.lifecycle), _e(e.classification)
    return (f'<tr><th scope="row"><a href="{r}{_e(i.path)}">{_e(e.title)}</a> <code class="ref">{_e(i.ref)}</code></th>'
            f'<td data-label="Lifecycle"><span class="badge lc-{lc}">{lc}</span></td><td data-label="Data"><span class="badge cl-{cl}">{cl}</span></td>'
            f'<td class="num" data-label="Consumers">{len(i.subscribers)}</td></tr>')


def _app_item(a: AppView, href: str | None) -> str:
    """One application of the team (``href`` its page): whether it consumes or produces, its description."""
    out = f'<li><a href="{_e(href)}">{_e(a.application)}</a>'
    if a.consumes:
        out += ' <span class="badge kind">consumer</span>'
    if a.produces:
        out += ' <span class="badge kind">producer</span>'
    return out + f' <span class="muted">{_e(a.description)}</span></li>'


def render(frame: Frame, root: str, team: Team, events: list[EventView], apps: list[AppView], app_href: Callable[[str], str | None]) -> str:
    """The page of ``team``: ``events`` it owns, ``apps`` its applications; ``app_href`` links an application ref."""
    r = _e(root)
    name = _e(team.name)
    breadcrumbs = (f'<nav class="breadcrumbs" aria-label="Breadcrumb"><ol><li><a href="{r}teams/index.html">Teams</a></li>'
                   f'<li><span aria-current="page">{name}</span></li></ol></nav>\n')
    out = [f'<header class="page-head">\n  <h1>{name}</h1>\n  <p class="ids"><code class="ref">{_e(team.id)}</code> '
           f'<span class="muted">GitHub</span> <code>{_e(team.github_team)}</code>']
    if team.chat_channel:
        out.append(f' <span class="muted">chat</span> <code>{_e(team.chat_channel)}</code>')
    out.append('</p>\n</header>\n<section aria-labelledby="h-contacts">\n  <h2 id="h-contacts">Contacts</h2>\n  <ul class="contacts">\n')
    out.extend(_contact(c, c.role) for c in team.contacts)
    if team.product_owner:
        out.append(_contact(team.product_owner, "product owner"))
    out.append(f'  </ul>\n</section>\n<section aria-labelledby="h-events">\n  <h2 id="h-events">Events owned ({len(events)})</h2>\n')
    if events:
        out.append(EVENTS_HEAD)
        out.extend(_event_row(r, i) for i in events)
        out.append("</tbody>\n  </table></div>\n")
    else:
        out.append('<p class="muted">This team owns no event.</p>')
    out.append(f'</section>\n<section aria-labelledby="h-apps">\n  <h2 id="h-apps">Applications ({len(apps)})</h2>\n')
    if apps:
        out.append('  <ul class="plain">' + "".join(_app_item(a, app_href(a.ref)) for a in apps) + "</ul>\n")
    else:
        out.append('<p class="muted">No application.</p>')
    out.append("</section>\n")
    return frame.page(team.name, "".join(out), breadcrumbs=breadcrumbs)
