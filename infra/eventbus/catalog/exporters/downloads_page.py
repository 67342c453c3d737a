"""The page of the machine-readable downloads (``downloads.html``: AsyncAPI documents, the Backstage catalog, the
stacks built from), built as a string in the frame of ``templates/base.html``.

Every value from the tree (the build stamp, stack labels, environments, registry URLs and names, bootstrap servers,
regions) is escaped (:func:`~eventbus.catalog.exporters.html._e`, markupsafe's text); only the fixed markup is literal.
"""
from __future__ import annotations

from markupsafe import Markup

from eventbus.catalog.exporters.html import _e
from eventbus.catalog.exporters.layout import Frame
from eventbus.catalog.model import Catalog, StackView

TITLE = Markup("AsyncAPI & Backstage")  # fixed text, put in the page's title as it is
ASYNCAPI = ('<header class="page-head"><h1>AsyncAPI &amp; Backstage</h1><p class="lead">Machine-readable descriptions of the bus, '
            'generated from the same registry as these pages.</p></header>\n'
            '<section aria-labelledby="h-asyncapi">\n  <h2 id="h-asyncapi">AsyncAPI 3.0</h2>\n  <ul class="plain">\n'
            '    <li><a href="asyncapi/eventbus.json">The whole bus</a> (<code>asyncapi/eventbus.json</code>): one server per stack, '
            'one channel per topic and stack with Kafka bindings, send and receive operations per application, Avro payloads.</li>\n'
            '    <li>One document per event: <code>asyncapi/events/&lt;domain&gt;/&lt;event&gt;.json</code>, linked from each event page.</li>\n'
            '  </ul>\n</section>\n')
STACKS_HEAD = ('  <div class="table-wrap fit"><table class="cardable">\n'
               '    <caption class="sr-only">Stacks this catalog was built from</caption>\n'
               '    <thead><tr><th scope="col">Stack</th><th scope="col">Environment</th><th scope="col">Schema registry</th>'
               '<th scope="col">Bootstrap servers</th><th scope="col">Authentication</th><th scope="col" class="num">Topics</th>'
               '<th scope="col" class="num">Applications</th></tr></thead>\n    <tbody>')


def _stack_row(v: StackView) -> str:
    """One stack's row: environment, schema registry, bootstrap servers, authentication, topic and application counts."""
    out = [f'<tr><th scope="row" data-label="Stack">{_e(v.label)}</th><td data-label="Environment">{_e(v.environment)}']
    if v.local:
        out.append(' <span class="muted small">(mirrored on this machine)</span>')
    out.append('</td><td data-label="Schema registry">')
    reg = v.registry
    if reg.url:
        out.append(f'<code class="wrap-any">{_e(reg.url)}</code>')
    elif reg.kind == "glue":
        out.append(f"AWS Glue <code>{_e(reg.name or '')}</code>")
    else:
        out.append('<span class="muted">none</span>')
    out.append("</td><td>" + "<br>".join(f'<code class="wrap-any">{_e(s)}</code>' for s in v.config.cluster.bootstrap_servers))
    auth = f"MSK IAM (SASL_SSL), STS region {_e(v.region)}" if v.iam else "SASL/SCRAM-SHA-512"
    out.append(f'</td><td>{auth}</td><td class="num">{len(v.state.topics)}</td><td class="num">{len(v.state.apps)}</td></tr>')
    return "".join(out)


def render(frame: Frame, cat: Catalog, n_components: int, n_apis: int) -> str:
    """The page: ``n_components`` and ``n_apis`` count the Backstage catalog's Component and API entities."""
    out = [ASYNCAPI,
           '<section aria-labelledby="h-backstage">\n  <h2 id="h-backstage">Backstage</h2>\n'
           f'  <p><a href="backstage/catalog-info.yaml">catalog-info.yaml</a>: {len(cat.events):,} <code>kind: Event</code> entities, '
           f"{n_apis:,} <code>API</code> entities (each event's AsyncAPI document) and {n_components:,} <code>Component</code> entities "
           "(producers with <code>providesApis</code>, consumers with <code>consumesApis</code> and <code>subscribesToEvent</code>), "
           "each with <code>spec.owner</code>. Register it in the portal as a location: the API definitions are read relative to it.</p>\n"
           '</section>\n<section aria-labelledby="h-stacks">\n  <h2 id="h-stacks">Stacks in this catalog</h2>\n'
           f"  <p>Built from {_e(cat.stamp.text)}.</p>\n", STACKS_HEAD]
    out.extend(_stack_row(v) for v in cat.stacks)
    out.append("</tbody>\n  </table></div>\n</section>\n")
    return frame.page(TITLE, "".join(out))
