"""The event page (``events/<domain>/<event>.html``), built as a string in the frame of ``templates/base.html``.

Every value from the tree (titles, summaries, names, refs, purposes, team and contact names, emails, tags, topic
settings, schema texts, example payloads) is escaped (:func:`~eventbus.catalog.exporters.html._e`, markupsafe's
text); only the fixed markup is literal. Fragments that are HTML already (the field tables, the flow diagram, the
rendered Markdown description, the connect blocks, the compliance facts, the verdicts) are put in as they are.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

from eventbus.catalog import connect
from eventbus.catalog.exporters.html import (
    LIFECYCLE_NOTES,
    _e,
    compliance_html,
    compliance_rows,
    connect_blocks,
    days_text,
    pretty_bytes,
    pretty_ms,
    verdict_html,
)
from eventbus.catalog.model import EventView, producer_ref

if TYPE_CHECKING:
    from eventbus.catalog.exporters.site import SiteExporter

ROOT = "../../"  # from events/<domain>/ to the site's root

TOC = ('<div class="layout">\n<nav class="toc" aria-label="On this page">\n  <h2 class="toc-title">On this page</h2>\n  <ol>\n'
       '    <li><a href="#overview">Overview</a></li>\n    <li><a href="#topics">Topics</a></li>\n'
       '    <li><a href="#schema">Schema</a></li>\n    <li><a href="#producers">Producers</a></li>\n'
       '    <li><a href="#consumers">Consumers</a></li>\n    <li><a href="#flow">Flow</a></li>\n'
       '    <li><a href="#connect">Connect</a></li>\n    <li><a href="#history">Versions</a></li>\n')
TOPICS_HEAD = ('<section id="topics" aria-labelledby="h-topics">\n  <h2 id="h-topics">Topics</h2>\n'
               '  <div class="table-wrap fit"><table class="cardable topics">\n'
               '    <caption class="sr-only">Topic of this event on every stack, with its settings</caption>\n'
               '    <thead><tr><th scope="col">Stack</th><th scope="col">Topic and schema subjects</th><th scope="col" class="num">Partitions</th>'
               '<th scope="col" class="num">Replicas</th><th scope="col">Retention</th><th scope="col">Cleanup</th><th scope="col">Max message</th>'
               '<th scope="col" class="num">Min ISR</th></tr></thead>\n    <tbody>\n')
TABLE_TAIL = "    </tbody>\n  </table></div>\n"
CONSUMERS_HEAD = ('  <div class="table-wrap fit"><table class="cardable">\n'
                  '    <caption class="sr-only">Applications subscribed to this event, their purpose and where they have access</caption>\n'
                  '    <thead><tr><th scope="col">Application</th><th scope="col">Team</th><th scope="col">Purpose</th><th scope="col">Access</th></tr></thead>\n'
                  '    <tbody>\n')
def connect_steps(stacks) -> str:
    """Steps 2 and 3 of the connect section: the identity the deploy creates on each of ``stacks`` (the stack views the
    settings below are for: an IAM role on MSK, a SASL user with Kafka ACLs elsewhere) and the placeholders those
    settings carry."""
    iam = [s for s in stacks if s.iam]
    sasl = [s for s in stacks if not s.iam]
    kinds = []
    if iam:
        kinds.append("an IAM role on MSK" + (f" on {', '.join(_e(s.label) for s in iam)}" if sasl else ""))
    mechanisms = list(dict.fromkeys(s.sasl_mechanism for s in sasl))
    if sasl:
        kinds.append(f"a {'/'.join(_e(m) for m in mechanisms)} user with Kafka ACLs" + (f" on {', '.join(_e(s.label) for s in sasl)}" if iam else ""))
    identity = f" — {'; '.join(kinds)} —" if kinds else ""
    holders = (["<code>&lt;ROLE_ARN&gt;</code>"] if iam else []) + (["<code>&lt;USERNAME&gt;</code>"] if sasl else []) + ["<code>&lt;GROUP_ID&gt;</code>"]
    return ("    </li>\n    <li>Once merged, the deploy creates your application's identity on each stack" + identity + " and grants it read "
            "access to the topic and your consumer group.</li>\n"
            "    <li>Paste the settings below. Values that depend on your application are placeholders (" + ", ".join(holders)
            + '); "Fill in for" puts in those of an application that already has access.</li>\n  </ol>\n')


HISTORY_HEAD = ('<section id="history" aria-labelledby="h-history">\n  <h2 id="h-history">Versions</h2>\n'
                '  <div class="table-wrap fit"><table class="cardable versions">\n'
                '    <caption class="sr-only">Every schema version, newest first, with what it changed and whether that breaks readers</caption>\n'
                '    <thead><tr><th scope="col">Version</th><th scope="col">Changes from the previous version</th><th scope="col">For readers</th></tr></thead>\n'
                '    <tbody>\n')


def _int(value) -> int:
    """A topic setting as a number ("42.5" is 42, unreadable text 0)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return int(float(value))
        except (TypeError, ValueError, OverflowError):
            return 0


def _ci(value):
    """What environments are told apart by: text without case."""
    return value.lower() if isinstance(value, str) else value


def classification_text(classification: str) -> str:
    """An event's data classification as the page names it."""
    return "no PII/PHI" if classification == "none" else classification


def banner_html(x: SiteExporter, info: EventView, removal_days: int | None) -> str:
    """The lifecycle notice of a deprecated or retired event under the site header; "" for any other lifecycle."""
    e = info.event
    lc = e.lifecycle
    if lc not in ("deprecated", "retired"):
        return ""
    rb = info.replaced_by
    o = [f'<div class="banner banner-{_e(lc)}" role="region" aria-label="Lifecycle notice">\n  <div class="wrap">\n']
    if lc == "deprecated":
        since = f" since {_e(e.deprecated_on.isoformat())}" if e.deprecated_on else ""
        o.append(f"    <p><strong>Deprecated{since}.</strong>\n")
        if rb:
            o.append(f'Use <a href="{_e(x.event_href(ROOT, rb.ref))}">{_e(rb.event.title)}</a> (<code>{_e(rb.ref)}</code>) instead. ')
        if e.removal_date:
            when = _e(e.removal_date.isoformat())
            left = f"{_e(days_text(removal_days))} as of {_e(x.cat.today.isoformat())}"
            if removal_days is not None and removal_days < 0:
                o.append(f'Its removal date, <time datetime="{when}">{when}</time>, has passed ({left}): it may be retired at any time.')
            else:
                o.append(f'It will be removed on <strong><time datetime="{when}">{when}</time></strong> ({left}).')
        o.append("    Do not start consuming it; existing consumers should move off before the removal date.</p>\n")
    else:
        o.append("    <p><strong>Retired" + (f" (removal date {_e(e.removal_date.isoformat())})" if e.removal_date else "")
                 + ".</strong> This event is no longer published and has no topic; the page is kept for reference.")
        if rb:
            o.append(f' Its replacement: <a href="{_e(x.event_href(ROOT, rb.ref))}">{_e(rb.event.title)}</a> (<code>{_e(rb.ref)}</code>).')
        o.append("</p>\n")
    o.append("  </div>\n</div>\n")
    return "".join(o)


def event_page(x: SiteExporter, info: EventView) -> str:
    """The whole page of one event."""
    cat = x.cat
    e = info.event
    latest = info.latest
    team = cat.teams.get(e.owner)
    removal_days = (e.removal_date - cat.today).days if e.removal_date else None
    title = _e(e.title)
    ref = _e(e.ref)
    lc = _e(e.lifecycle)
    cl = _e(e.classification)
    cl_text = _e(classification_text(e.classification))
    restricted = e.access_policy == "restricted"
    team_name = _e(cat.team_name(e.owner))
    consumers = x._consumers(info)
    examples = [(ex.path.rsplit("/", 1)[-1], json.dumps(ex.payload, indent=2, ensure_ascii=False)) for ex in e.examples]
    o: list[str] = []
    a = o.append

    # -- head ------------------------------------------------------------------------------------------
    a(f'<header class="page-head">\n  <h1>{title}</h1>\n  <p class="ids"><code class="ref">{ref}</code>\n'
      f'    <span class="badge lc-{lc}" title="{_e(LIFECYCLE_NOTES.get(e.lifecycle, ""))}">{lc}</span>\n'
      f'    <span class="badge cl-{cl}">{cl_text}</span>\n')
    if e.bip_sourced:
        a('<span class="badge flag">BIP-sourced: OBI approval needed</span>')
    if restricted:
        a('<span class="badge flag">restricted access</span>')
    a(f'  </p>\n  <p class="lead">{_e(e.summary)}</p>\n')
    if info.replaces:
        a('<p class="note">Replaces ' + ", ".join(
            f'<a href="{_e(x.event_href(ROOT, r.ref))}">{_e(r.event.title)}</a> (<code>{_e(r.ref)}</code>, {_e(r.event.lifecycle)})'
            for r in info.replaces) + ".</p>")
    a("</header>\n")
    a(TOC)
    if examples:
        a('<li><a href="#examples">Examples</a></li>')
    a('    <li><a href="#machine">AsyncAPI &amp; Backstage</a></li>\n  </ol>\n</nav>\n<div class="content">\n')

    # -- overview --------------------------------------------------------------------------------------
    a('<section id="overview" aria-labelledby="h-overview">\n  <h2 id="h-overview">Overview</h2>\n  <div class="cards">\n'
      '    <div class="card">\n      <h3>Owner</h3>\n')
    if team:
        a(f'      <p><a href="{_e(x.team_href(ROOT, team.id))}">{_e(team.name)}</a>')
        if team.chat_channel:
            a(f' · <span class="muted">chat</span> <code>{_e(team.chat_channel)}</code>')
        a('</p>\n      <ul class="contacts">\n')
        for c in team.contacts:
            a(f"<li>{_e(c.name)}")
            if c.role:
                a(f' <span class="muted">({_e(c.role)})</span>')
            if c.email:
                a(f' · <a href="mailto:{_e(c.email)}">{_e(c.email)}</a>')
            a("</li>")
        po = team.product_owner
        if po:
            a(f'<li>{_e(po.name)} <span class="muted">(product owner)</span>')
            if po.email:
                a(f' · <a href="mailto:{_e(po.email)}">{_e(po.email)}</a>')
            a("</li>")
        a("      </ul>\n")
    else:
        a(f'<p><code>{_e(e.owner)}</code> <span class="muted">(no team file)</span></p>')
    a(f'    </div>\n    <div class="card">\n      <h3>At a glance</h3>\n      <dl class="facts">\n'
      f"        <dt>Domain</dt><dd>{_e(e.domain)}</dd>\n        <dt>Lifecycle</dt><dd>{lc}")
    if e.removal_date:
        a(f" · removal {_e(e.removal_date.isoformat())} ({_e(days_text(removal_days))})")
    if info.replaced_by:
        rb = info.replaced_by.ref
        a(f' · replaced by <a href="{_e(x.event_href(ROOT, rb))}">{_e(rb)}</a>')
    a(f"</dd>\n        <dt>Data</dt><dd>{cl_text}")
    if e.sensitive:
        a(" · consumers need a data sharing agreement")
    a(f"</dd>\n        <dt>Schema</dt><dd>v{_e(latest.number) if latest else '—'} · {_e(e.compatibility)}")
    if e.key_schema:
        a(" · keyed")
    n = len(consumers)
    a(f'</dd>\n        <dt>Consumers</dt><dd><a href="#consumers">{n} subscription{"" if n == 1 else "s"}</a></dd>\n'
      "        <dt>Access</dt><dd>"
      + ("restricted: the owners list approved consumers" if restricted else "open to any registered consumer")
      + '</dd>\n      </dl>\n    </div>\n    <div class="card">\n      <h3>Compliance</h3>\n')
    a(compliance_html(compliance_rows(e.compliance, cat.today)))
    a("    </div>\n  </div>\n")
    if e.source_systems:
        a('  <h3>Systems of record</h3>\n  <ul class="plain">')
        for s in e.source_systems:
            a(f"<li>{_e(s.name)}")
            if s.team:
                href = x.team_href(ROOT, s.team)
                a(f' · <a href="{_e(href)}">{_e(cat.team_name(s.team))}</a>' if href else f" · {_e(s.team)}")
            if s.product_owner:
                a(f" · product owner {_e(s.product_owner)}")
            a("</li>")
        a("</ul>\n")
    if e.tags:
        a('<p class="tags">' + "".join(f'<span class="tag">{_e(t)}</span> ' for t in e.tags) + "</p>")
    if e.description:
        a(f'<div class="prose">{x.description_html(e.description)}</div>')
    a("</section>\n\n")

    # -- topics ----------------------------------------------------------------------------------------
    a(TOPICS_HEAD)
    blocks = []
    envs: dict = {}
    for view in cat.stacks:
        t = view.topic(e.ref)
        a(f'    <tr><th scope="row" data-label="Stack">{_e(view.label)}</th>\n')
        if t:
            c = t.config_dict
            a(f'      <td data-label="Topic"><code class="wrap-any">{_e(t.name)}</code>'
              + "".join(f'<br><span class="small muted">subject</span> <code class="small wrap-any">{_e(s.name)}</code>' for s in view.subjects(e.ref))
              + f'</td><td class="num" data-label="Partitions">{_e(t.partitions)}</td><td class="num" data-label="Replicas">{_e(t.replication_factor)}</td>\n'
              f'      <td data-label="Retention">{_e(pretty_ms(_int(c["retention.ms"])))}<br><span class="small muted">retention.ms {_e(c["retention.ms"])}</span></td>'
              f'<td data-label="Cleanup"><code>{_e(c["cleanup.policy"])}</code></td>\n'
              f'      <td data-label="Max message">{_e(pretty_bytes(_int(c["max.message.bytes"])))}</td>'
              f'<td class="num" data-label="Min ISR">{_e(c["min.insync.replicas"])}</td>\n')
            envs.setdefault(_ci(view.environment), view.environment)
        else:
            a('      <td colspan="7" class="muted" data-label="Topic">'
              + ("retired: no topic" if e.lifecycle == "retired" else f"no topic: {cl} data is not allowed on this stack") + "</td>\n")
        a("</tr>\n")
        if t is not None:
            blocks.append(connect.block(view, t, info))
    a(TABLE_TAIL)
    a("</section>\n\n")

    # -- schema ----------------------------------------------------------------------------------------
    a(f'<section id="schema" aria-labelledby="h-schema">\n  <h2 id="h-schema">Schema</h2>\n'
      f"  <p>Avro, compatibility <strong>{_e(e.compatibility)}</strong> (checked by the gate on every pull request). "
      "Subjects use the topic-name strategy: <code>&lt;topic&gt;-value</code>"
      + (" and <code>&lt;topic&gt;-key</code>" if e.key_schema else "") + ". Every version: "
      + ", ".join(f'<a href="{ROOT}{_e(v.path)}">v{_e(v.number)}</a>' for v in info.versions) + ".</p>\n")
    a(str(x.version_table(latest, "value")) if latest else '<p class="muted">No readable value schema.</p>')
    if info.key_rows:
        a(str(x.field_table(info.key_rows, "Key schema", "key", info.key_record)))
    else:
        a('<p class="muted">No key schema: messages are not keyed.</p>')
    if latest:
        num = _e(latest.number)
        a(f'<details class="raw"><summary>Raw <code>v{num}.avsc</code> (latest value schema)</summary><p><a href="{ROOT}{_e(latest.avsc_path)}" download>'
          f'Download v{num}.avsc</a></p><pre class="code" data-copy="v{num}.avsc"><code>{_e(latest.version.text)}</code></pre></details>')
    if e.key_schema:
        a(f'<details class="raw"><summary>Raw <code>key.avsc</code></summary><p><a href="{ROOT}{_e(info.key_path)}" download>Download key.avsc</a></p>'
          f'<pre class="code" data-copy="key.avsc"><code>{_e(e.key_schema.text)}</code></pre></details>')
    a("</section>\n\n")

    # -- producers -------------------------------------------------------------------------------------
    a('<section id="producers" aria-labelledby="h-producers">\n  <h2 id="h-producers">Producers</h2>\n')
    if e.producers:
        a('  <ul class="plain">\n')
        for p in e.producers:
            app = cat.registry.producer_app(e, p)
            href = x.app_href(ROOT, producer_ref(e, p))
            name = _e(p.application)
            a(f'<li><a href="{_e(href)}">{name}</a>' if href else f"<li>{name}")
            a(f' <span class="muted">({team_name})</span> · environments: ')
            principals = sorted(app.principals) if app is not None else []  # environments: where the application's file declares them
            a("".join(f'<span class="tag">{_e(env)}</span> ' for env in principals) if principals else '<span class="muted">none yet</span>')
            a(" · idempotent</li>" if p.idempotent else "</li>")
        a("  </ul>\n")
    else:
        a('<p class="muted">No producer declared.</p>')
    a("</section>\n\n")

    # -- consumers -------------------------------------------------------------------------------------
    a('<section id="consumers" aria-labelledby="h-consumers">\n  <h2 id="h-consumers">Consumers</h2>\n')
    if consumers:
        a(CONSUMERS_HEAD)
        for row in consumers:
            c = row["consumer"]
            sub = row["sub"]
            href = x.team_href(ROOT, c.team)
            a(f'    <tr><th scope="row" data-label="Application"><a href="{_e(x.app_href(ROOT, c.ref))}">{_e(c.application)}</a></th><td data-label="Team">'
              + (f'<a href="{_e(href)}">{_e(cat.team_name(c.team))}</a>' if href else _e(c.team))
              + f'</td><td data-label="Purpose">{_e(sub.purpose)}</td>\n    <td data-label="Access">')
            access = row["access"]
            if access:
                a("".join(f'<span class="badge {"ok" if granted else "warn"}">{_e(view.label)}: {"granted" if granted else "not granted"}</span> '
                          for view, granted in access))
            else:
                a(f'<span class="muted">{", ".join(_e(env) for env in sub.environments)} (no topic on the built stacks)</span>')
            a("</td></tr>\n")
        a(TABLE_TAIL)
    else:
        a('<p class="muted">Nobody consumes this event yet.</p>')
    a("</section>\n\n")

    # -- flow, connect ---------------------------------------------------------------------------------
    a(f'<section id="flow" aria-labelledby="h-flow">\n  <h2 id="h-flow">Flow</h2>\n  <div class="diagram-wrap">{x.event_diagram(info, ROOT)}</div>\n'
      "</section>\n\n")
    a('<section id="connect" aria-labelledby="h-connect">\n  <h2 id="h-connect">Connect</h2>\n  <ol class="steps">\n'
      '    <li>Subscribe with a pull request: add to <code>consumers/&lt;team&gt;/&lt;application&gt;.yaml</code>\n'
      f'      <pre data-copy="subscription YAML"><code>subscriptions:\n  - event: {ref}\n    purpose: &lt;why you read it&gt;\n'
      f'    environments: [{", ".join(_e(env) for env in envs.values())}]</code></pre>\n')
    if restricted:
        a(f"<p>Access is <strong>restricted</strong>: ask {team_name} to list your application under <code>access.allowed_consumers</code>.</p>")
    if e.bip_sourced:
        a("<p>BIP-sourced: add an OBI data access approval for this event and each environment under <code>compliance.obi_approvals</code>.</p>")
    if e.sensitive:
        a(f"<p>Carries {cl}: your file needs <code>compliance.data_sharing_agreement</code>.</p>")
    a(connect_steps([b.view for b in blocks]))
    a(str(connect_blocks(blocks)))
    a("</section>\n\n")

    # -- versions --------------------------------------------------------------------------------------
    a(HISTORY_HEAD)
    first = True
    for v, d in reversed(list(zip(info.versions, info.diffs, strict=True))):
        path = _e(v.path)
        a(f'    <tr><th scope="row" data-label="Version"><a href="{ROOT}{path}">v{_e(v.number)}</a>'
          + (' <span class="badge ok">latest</span>' if first else "") + '</th>\n    <td data-label="Changes">')
        first = False
        if d.previous is None:
            a('<span class="muted">first version</span>')
        elif not d.changes and not d.problems:
            a('<span class="muted">no field changes</span>')
        else:
            a("<br>".join(f'<span class="badge ch-{_e(ch.kind)}">{_e(ch.kind)}</span> <code class="wrap-any">{_e(ch.path)}</code>' for ch in d.changes[:6]))
            if len(d.changes) > 6:
                a(f'<br><a href="{ROOT}{path}#changes">and {len(d.changes) - 6} more</a>')
        a(f'</td>\n    <td data-label="For readers">{verdict_html(d)}</td></tr>\n')
    a(TABLE_TAIL)
    a("</section>\n\n")

    # -- examples, machine-readable documents ----------------------------------------------------------------
    if examples:
        a('<section id="examples" aria-labelledby="h-examples">\n  <h2 id="h-examples">Examples</h2>\n')
        for name, text in examples:
            name = _e(name)
            a(f'<h3><code>{name}</code></h3><pre class="code" data-copy="{name}"><code>{_e(text)}</code></pre>')
        a("</section>\n")
    a(f'\n<section id="machine" aria-labelledby="h-machine">\n  <h2 id="h-machine">AsyncAPI &amp; Backstage</h2>\n  <ul class="plain">\n'
      f'    <li><a href="{ROOT}{_e(info.asyncapi_path)}">AsyncAPI 3.0 document of this event</a> (JSON: servers, channels with Kafka bindings, '
      "operations, Avro payload)</li>\n"
      f'    <li>Backstage entities <code>Event:{_e(info.slug)}</code> and <code>API:{_e(info.slug)}</code> in '
      f'<a href="{ROOT}backstage/catalog-info.yaml">catalog-info.yaml</a></li>\n'
      f"    <li>Source: <code>{_e(e.folder)}/event.yaml</code> in the registry</li>\n  </ul>\n</section>\n</div>\n</div>\n")

    breadcrumbs = (f'<nav class="breadcrumbs" aria-label="Breadcrumb"><ol><li><a href="{ROOT}index.html">Events</a></li>'
                   f'<li><a href="{ROOT}index.html#domain={_e(e.domain)}">{_e(e.domain)}</a></li><li><span aria-current="page">{title}</span></li></ol></nav>\n')
    return x.layout.frame(ROOT, "events").page(e.title, "".join(o), banner=banner_html(x, info, removal_days), breadcrumbs=breadcrumbs)
