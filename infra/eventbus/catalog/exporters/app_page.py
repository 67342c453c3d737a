"""The page of one application (``apps/<team>/<application>.html``), built as a string in the frame of
``templates/base.html``.

Every value from the tree (application and team names, refs, titles, descriptions, purposes, environments, stack
labels, role ARNs, Kafka users, groups, topics, principals, OBI references) is escaped (:func:`~eventbus.catalog.exporters.html._e`, markupsafe's text);
the diagram is already HTML (SVG) and is inserted as it is.
"""
from __future__ import annotations

from collections.abc import Callable

from eventbus.catalog.exporters.html import _e, compliance_html, days_text
from eventbus.catalog.exporters.layout import Frame
from eventbus.catalog.model import AppView, Catalog, EventView, StackView
from eventbus.desired import AppSpec

DASH = '<span class="muted">—</span>'
CONSUMES_HEAD = ('  <h3>Consumes</h3>\n  <div class="table-wrap fit"><table class="cardable">\n'
                 '    <caption class="sr-only">Subscriptions of this application</caption>\n'
                 '    <thead><tr><th scope="col">Event</th><th scope="col">Purpose</th><th scope="col">Environments</th></tr></thead>\n'
                 "    <tbody>")
STACKS_HEAD = ('  <div class="table-wrap fit"><table class="cardable">\n'
               '    <caption class="sr-only">Identity and grants of this application on every stack, from the desired state</caption>\n'
               '    <thead><tr><th scope="col">Stack</th><th scope="col">Identity</th><th scope="col">Consumer group</th>'
               '<th scope="col">Reads</th><th scope="col">Writes</th></tr></thead>\n    <tbody>')
PRINCIPALS_HEAD = ('<section aria-labelledby="h-principals">\n  <h2 id="h-principals">IAM principals</h2>\n'
                   "  <p>Principals allowed to assume the application's role, per stack (from the desired state).</p>\n"
                   '  <ul class="plain">')


def banner(cat: Catalog, r: str, deprecated: list[tuple[EventView, object, int | None]]) -> str:
    """The banner over an application's deprecated and retired subscriptions: (event, subscription, days to its
    removal date or None) each. Empty without any."""
    if not deprecated:
        return ""
    out = ['<div class="banner banner-deprecated" role="region" aria-label="Deprecated subscriptions">\n  <div class="wrap">\n']
    for i, _s, left in deprecated:
        e = i.event
        out.append(f'    <p><strong>Subscribed to {"a retired" if e.lifecycle == "retired" else "a deprecated"} event:</strong> '
                   f'<a href="{r}{_e(i.path)}">{_e(e.title)}</a> (<code>{_e(i.ref)}</code>)')
        if e.removal_date:
            when = _e(e.removal_date.isoformat())
            if left is not None and left < 0:
                out.append(f", removal date {when} has passed ({_e(days_text(left))})")
            else:
                out.append(f", removed on {when} ({_e(days_text(left))})")
        out.append(".\n")
        rb = i.replaced_by
        if rb:
            out.append(f'Move to <a href="{r}{_e(rb.path)}">{_e(rb.event.title)}</a> (<code>{_e(rb.ref)}</code>).')
        else:
            out.append(f"Ask {_e(cat.team_name(e.owner))} what replaces it.")
        out.append("</p>\n")
    out.append("  </div>\n</div>\n")
    return "".join(out)


def _stack_row(view: StackView, spec: AppSpec, role_arn: str | None) -> str:
    out = [f'<tr><th scope="row" data-label="Stack">{_e(view.label)}</th>\n      <td data-label="Identity">']
    if role_arn:
        out.append(f'IAM role <code class="wrap-any">{_e(role_arn)}</code>')
    else:
        out.append(f"SASL/SCRAM user <code>{_e(spec.kafka_user)}</code>")
    out.append('</td>\n      <td data-label="Consumer group">')
    if spec.group:
        out.append(f"<code>{_e(spec.group)}{'*' if spec.group_prefix else ''}</code>")
    else:
        out.append(DASH)
    out.append('</td>\n      <td data-label="Reads">')
    if spec.consumes:
        sensitive = spec.sensitive
        out.extend(f"<code>{_e(t)}</code>" + (' <span class="badge cl-PII">sensitive</span><br>' if t in sensitive else "<br>")
                   for t in spec.consumes)
    else:
        out.append(DASH)
    out.append('</td>\n      <td data-label="Writes">')
    if spec.produces:
        out.extend(f"<code>{_e(t)}</code><br>" for t in spec.produces)
    else:
        out.append(DASH)
    if spec.idempotent:
        out.append('<span class="muted">idempotent</span>')
    out.append("</td></tr>")
    return "".join(out)


def render(frame: Frame, root: str, cat: Catalog, app: AppView, stacks: list[tuple[StackView, AppSpec, str | None]], diagram: str,
           compliance: list[dict], deprecated: list[tuple[EventView, object, int | None]],
           event_href: Callable[[str], str | None], team_href: Callable[[str], str | None]) -> str:
    """The page of ``app``: ``stacks`` its (stack, access spec, IAM role ARN or None) per stack, ``diagram`` its flow
    (SVG), ``compliance`` its facts (:func:`~eventbus.catalog.exporters.html.compliance_rows`), ``deprecated`` as :func:`banner` takes it;
    ``event_href`` and ``team_href`` link an event ref and a team id (None: no page)."""
    r = _e(root)
    name = _e(app.application)
    th = team_href(app.team)
    team = f'<a href="{_e(th)}">{_e(cat.team_name(app.team))}</a>' if th else _e(app.team)
    breadcrumbs = (f'<nav class="breadcrumbs" aria-label="Breadcrumb"><ol><li><a href="{r}apps/index.html">Applications</a></li>'
                   f'<li>{team}</li><li><span aria-current="page">{name}</span></li></ol></nav>\n')
    out = [f'<header class="page-head">\n  <h1>{name}</h1>\n  <p class="ids"><code class="ref">{_e(app.ref)}</code>']
    if app.consumes:
        out.append(' <span class="badge kind">consumer</span>')
    if app.produces:
        out.append(' <span class="badge kind">producer</span>')
    out.append("</p>\n")
    description = app.description
    if description:
        out.append(f'<p class="lead">{_e(description)}</p>')
    out.append(f'</header>\n<section aria-labelledby="h-flow">\n  <h2 id="h-flow">Events</h2>\n  <div class="diagram-wrap">{diagram}</div>\n')
    if app.produces:
        out.append('  <h3>Produces</h3>\n  <ul class="plain">')
        for e, p in app.produces:
            title = _e(e.title)
            h = event_href(e.ref)
            out.append(f'<li><a href="{_e(h)}">{title}</a>' if h else f"<li>{title}")
            out.append(f' <code class="ref">{_e(e.ref)}</code>' + (" · idempotent</li>" if p.idempotent else "</li>"))
        out.append("</ul>\n")
    if app.consumes:
        out.append(CONSUMES_HEAD)
        for i, s in app.consumes:
            e = i.event
            out.append(f'<tr><th scope="row" data-label="Event"><a href="{r}{_e(i.path)}">{_e(e.title)}</a> <code class="ref">{_e(i.ref)}</code>')
            if e.lifecycle in ("deprecated", "retired"):
                lc = _e(e.lifecycle)
                out.append(f' <span class="badge lc-{lc}">{lc}</span>')
                rb = i.replaced_by
                if rb:
                    out.append(f' <span class="small">→ <a href="{r}{_e(rb.path)}">{_e(rb.ref)}</a></span>')
            if e.sensitive:
                cl = _e(e.classification)
                out.append(f' <span class="badge cl-{cl}">{cl}</span>')
            out.append(f'</th><td data-label="Purpose">{_e(s.purpose)}</td><td data-label="Environments">'
                       + "".join(f'<span class="tag">{_e(env)}</span> ' for env in s.environments) + "</td></tr>")
        out.append("</tbody>\n  </table></div>\n")
    out.append('</section>\n<section aria-labelledby="h-access">\n  <h2 id="h-access">Access per stack</h2>\n')
    if stacks:
        out.append(STACKS_HEAD)
        out.extend(_stack_row(view, spec, arn) for view, spec, arn in stacks)
        out.append("</tbody>\n  </table></div>\n")
    else:
        out.append('<p class="muted">No access on the built stacks yet.</p>')
    out.append("</section>\n")
    iam = [(view, spec) for view, spec, _ in stacks if view.iam and spec.principals]
    if iam:
        out.append(PRINCIPALS_HEAD)
        out.extend(f'<li><span class="tag">{_e(view.label)}</span> ' + ", ".join(f'<code class="wrap-any">{_e(a)}</code>' for a in spec.principals)
                   + "</li>" for view, spec in iam)
        out.append("</ul>\n</section>\n")
    c = app.consumer
    if c:
        out.append('<section aria-labelledby="h-compliance">\n  <h2 id="h-compliance">Compliance</h2>\n')
        out.append(compliance_html(compliance))
        approvals = c.compliance.obi_approvals
        if approvals:
            out.append('<h3>OBI approvals</h3><ul class="plain">')
            for o in approvals:
                ev = _e(o.event)
                h = event_href(o.event)
                out.append(f"<li><code>{_e(o.reference)}</code> for " + (f'<a href="{_e(h)}">{ev}</a>' if h else f"<code>{ev}</code>")
                           + " (" + ", ".join(_e(x) for x in o.environments) + ")</li>")
            out.append("</ul>")
        out.append("</section>\n")
    return frame.page(app.application, "".join(out), banner=banner(cat, r, deprecated), breadcrumbs=breadcrumbs)
