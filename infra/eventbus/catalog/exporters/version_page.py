"""The page of one schema version (``events/<domain>/<event>/v<N>.html``), built as a string in the frame of
``templates/base.html``.

Every value from the tree (titles, refs, domains, paths, subjects, stack labels, change details, problems,
application refs, the schema text) is escaped (:func:`~eventbus.catalog.exporters.html._e`, markupsafe's text); the field table is already HTML
(:class:`eventbus.catalog.exporters.html.FieldTable`) and is inserted as it is.
"""
from __future__ import annotations

from collections.abc import Callable

from eventbus.catalog.exporters.html import _e, verdict_html
from eventbus.catalog.exporters.layout import Frame
from eventbus.catalog.model import EventView, StackView, VersionView

DIFF_HEAD = ('<thead><tr><th scope="col">Field</th><th scope="col">Change</th><th scope="col">Details</th>'
             '<th scope="col">For readers</th></tr></thead>\n    <tbody>\n')
REGISTRY_HEAD = ('</section>\n\n<section id="registry" aria-labelledby="h-registry">\n  <h2 id="h-registry">In the schema registry</h2>\n'
                 '  <div class="table-wrap fit"><table class="cardable">\n'
                 '    <caption class="sr-only">This version\'s subject and schema id on every stack</caption>\n'
                 '    <thead><tr><th scope="col">Stack</th><th scope="col">Subject</th><th scope="col">Version</th>'
                 '<th scope="col">Schema id</th></tr></thead>\n    <tbody>')


def registry_ids(stacks: list[StackView], ref: str, number: int) -> list[tuple]:
    """Per stack: (stack, value subject or None, the version's schema id or None, whether the subject has the version)."""
    out = []
    for view in stacks:
        subject = view.subject(ref, "value")
        if subject is None:
            out.append((view, None, None, False))
        else:
            out.append((view, subject, view.schema_id(subject.name, number), any(n == number for n, _ in subject.versions)))
    return out


def _changes(out: list[str], info: EventView, diff, n: str, app_href: Callable[[str], str | None]) -> None:
    """The "Changes from" section's body after its heading: the verdict, the consumers affected, the change table."""
    if diff.previous is None:
        out.append('<p class="muted">The first version of this event: nothing to compare.</p>\n')
        return
    out.append(f'  <p class="verdict">{verdict_html(diff)}</p>\n')
    if diff.breaking:
        hit = info.affected(diff)
        if hit:
            out.append('<p>Consumers this affects:</p><ul class="affected">')
            out.extend(f'<li><a href="{_e(app_href(c.ref))}">{_e(c.ref)}</a> <span class="small muted">{_e(why)}</span></li>' for c, why in hit)
            out.append("</ul>")
        else:
            out.append("<p>Consumers this affects: none today"
                       + (" (no subscriber declares a field the breaking changes touch)" if info.subscribers else "") + ".</p>")
    if not (diff.changes or diff.unmatched):
        out.append('<p class="muted">No field changes (documentation only, or nothing).</p>')
        return
    out.append(f'  <div class="table-wrap fit"><table class="diff cardable">\n    <caption>Field by field, v{_e(diff.previous)} → v{_e(diff.number)}'
               f"</caption>\n    {DIFF_HEAD}")
    checked = diff.checked
    for c in diff.changes:
        path, kind = _e(c.path), _e(c.kind)
        if c.kind != "removed":
            out.append(f'<tr><th scope="row" data-label="Field"><a href="#v{n}-{_e(c.anchor)}"><code class="wrap-any">{path}</code></a>')
        else:
            out.append(f'<tr><th scope="row" data-label="Field"><code class="wrap-any">{path}</code>')
        out.append(f'</th><td data-label="Change"><span class="badge ch-{kind}">{kind}</span></td><td data-label="Details">{_e(c.detail)}</td>\n'
                   '      <td data-label="For readers">')
        if not checked:
            out.append('<span class="badge warn">not checked</span>')
        elif c.breaking:
            out.append('<span class="badge bad">breaking</span>')
            out.extend(f' <span class="small">{_e(w)}.</span>' for w in c.breaking)
        else:
            out.append('<span class="badge ok">safe</span>')
        if c.readers:
            out.append('<br><span class="small">read by ' + ", ".join(_e(r) for r in c.readers) + "</span>")
        out.append("</td></tr>\n")
    for p in diff.unmatched:
        out.append(f'<tr><th scope="row" data-label="Field"><code class="wrap-any">{_e(p.field or "(the record)")}</code></th>'
                   '<td data-label="Change"><span class="badge ch-changed">schema</span></td>'
                   f'<td data-label="Details">{_e(p.message)}. {_e(p.advice)}</td><td data-label="For readers"><span class="badge bad">breaking</span> '
                   f'<span class="small">{"old readers, new records" if p.direction == "forward" else "new readers, old records"}</span></td></tr>')
    out.append("    </tbody>\n  </table></div>\n")


def render(frame: Frame, root: str, info: EventView, v: VersionView, diff, newer: VersionView | None, older: VersionView | None,
           ids: list[tuple], table: str, app_href: Callable[[str], str | None]) -> str:
    """The page of version ``v`` of ``info``: ``diff`` is its :class:`eventbus.catalog.versions.VersionDiff`,
    ``ids`` its :func:`registry_ids`, ``table`` its field table (HTML) and ``app_href`` an application's link
    (None: the application has no page)."""
    e = info.event
    r = _e(root)
    n = _e(v.number)
    title = _e(e.title)
    domain = _e(e.domain)
    event_href = r + _e(info.path)
    breadcrumbs = (f'<nav class="breadcrumbs" aria-label="Breadcrumb"><ol><li><a href="{r}index.html">Events</a></li>'
                   f'<li><a href="{r}index.html#domain={domain}">{domain}</a></li><li><a href="{event_href}">{title}</a></li>'
                   f'<li><span aria-current="page">v{n}</span></li></ol></nav>\n')
    out = [f'<header class="page-head">\n  <h1>{title} <span class="muted">v{n}</span></h1>\n'
           f'  <p class="ids"><code class="ref">{_e(e.ref)}</code> ']
    if newer:
        nn = _e(newer.number)
        out.append(f'<span class="badge kind">superseded by v{nn}</span>')
    else:
        out.append('<span class="badge ok">latest version</span>')
    out.append(f' <span class="tag">compatibility {_e(e.compatibility)}</span></p>\n  <nav class="pager" aria-label="Versions">')
    if older:
        on = _e(older.number)
        out.append(f'<a href="v{on}.html" rel="prev">← v{on}</a>')
    out.append(f' <a href="{event_href}#history">all versions</a> ')
    if newer:
        out.append(f'<a href="v{nn}.html" rel="next">v{nn} →</a>')
    out.append('</nav>\n</header>\n<div class="content single">\n<section id="changes" aria-labelledby="h-changes">\n  <h2 id="h-changes">'
               + ("First version" if diff.previous is None else f"Changes from v{_e(diff.previous)}") + "</h2>\n")
    _changes(out, info, diff, n, app_href)
    out.append(REGISTRY_HEAD)
    for view, subject, schema_id, registered in ids:
        out.append(f'<tr><th scope="row" data-label="Stack">{_e(view.label)}</th>\n')
        if subject:
            out.append(f'<td data-label="Subject"><code class="wrap-any">{_e(subject.name)}</code></td>'
                       f'<td data-label="Version">{n if registered else "—"}</td><td data-label="Schema id">'
                       + (f"<code>{_e(schema_id)}</code>" if schema_id is not None else '<span class="muted">assigned at deploy</span>')
                       + "</td>\n</tr>")
        elif view.topic(e.ref):
            out.append('<td colspan="3" class="muted" data-label="Subject">no schema registry on this stack</td>\n</tr>')
        else:
            out.append('<td colspan="3" class="muted" data-label="Subject">no topic on this stack</td></tr>')
    out.append(f'</tbody>\n  </table></div>\n</section>\n\n<section id="schema" aria-labelledby="h-schema">\n  <h2 id="h-schema">Schema v{n}</h2>\n'
               f'  {table}\n  <details class="raw" open><summary>Raw <code>v{n}.avsc</code></summary><p><a href="v{n}.avsc" download>'
               f'Download v{n}.avsc</a> · <code>{_e(v.version.path)}</code> in the registry (versions never change once merged)</p>'
               f'<pre class="code" data-copy="v{n}.avsc"><code>{_e(v.version.text)}</code></pre></details>\n</section>\n</div>\n')
    return frame.page(f"{e.title} v{v.number}", "".join(out), breadcrumbs=breadcrumbs)
