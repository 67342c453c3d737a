"""The bus map pages (``map.html`` and ``map/<domain>.html``), built as strings in the frame of ``templates/base.html``.

Domain names are escaped (:func:`~eventbus.catalog.exporters.html._e`); the diagram is already HTML (SVG) and is
inserted as it is.
"""
from __future__ import annotations

from eventbus.catalog.exporters.html import _e
from eventbus.catalog.exporters.layout import Frame

TOOLS = """<div class="map-tools" data-map-tools hidden>
  <div class="field inline"><label for="map-filter">Highlight</label><input id="map-filter" type="search" autocomplete="off" placeholder="an application, event or team"></div>
  <div class="zoom" role="group" aria-label="Zoom"><button type="button" class="button secondary" data-zoom="out" aria-label="Zoom out">−</button><button type="button" class="button secondary" data-zoom="fit">Fit</button><button type="button" class="button secondary" data-zoom="in" aria-label="Zoom in">+</button></div>
  <p class="small muted" id="map-count" role="status" aria-live="polite"></p>
</div>
"""


def render(frame: Frame, root: str, diagram: str, domains: list[tuple[str, int]], *, domain: str | None = None, full: bool = True,
           limit: int = 0, by_team: bool = False) -> str:
    """The whole bus's map (``domain`` None: every application when ``full``, else teams and domains, the bus having
    more than ``limit`` events) or one domain's (its consuming teams when ``by_team``), with the links to every
    domain's map (``domains``: name and number of events)."""
    if domain:
        d = _e(domain)
        consuming = "consuming teams (this domain has many consuming applications)" if by_team else "consuming applications"
        lead = f"The producing applications, events and {consuming} of domain {d}. Select a box to open its page."
        head = f'<header class="page-head"><h1>Domain {d}</h1>\n<p class="lead">{lead}</p>\n'
    else:
        if full:
            lead = "Every producing application, event and consuming application. Select a box to open its page."
        else:
            lead = (f"The bus has more than {_e(limit)} events, so this map groups them by domain: producing teams, domains and consuming teams "
                    "(line width grows with the number of events). Each domain has its own map below.")
        head = f'<header class="page-head"><h1>Bus map</h1>\n<p class="lead">{lead}</p>\n<p><a href="{root}map.svg">Open the map as an SVG file</a></p>'
    links = [f'<li><a href="{root}map.html">whole bus</a></li>'] if domain else []
    for name, n in domains:
        current = ' aria-current="page"' if name == domain else ""
        links.append(f'<li><a href="{root}map/{_e(name)}.html"{current}>{_e(name)} <span class="muted">({_e(n)})</span></a></li>')
    content = (f'{head}<nav class="subnav" aria-label="Maps by domain"><ul>{"".join(links)}</ul></nav>\n</header>\n{TOOLS}'
               f'<div class="diagram-wrap map">{diagram}</div>\n')
    if domain:
        crumbs = (f'<nav class="breadcrumbs" aria-label="Breadcrumb"><ol><li><a href="{root}map.html">Bus map</a></li>'
                  f'<li><span aria-current="page">{_e(domain)}</span></li></ol></nav>')
        return frame.page(f"Map of {domain}", content, breadcrumbs=crumbs)
    return frame.page("Bus map", content)
