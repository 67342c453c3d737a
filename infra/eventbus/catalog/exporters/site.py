"""The static web site: HTML pages (built as strings in the frame of ``templates/base.html``), search data, diagrams, raw schemas.

Every page links with relative URLs only, so the folder works from
``file://`` and any static host. Nothing is fetched at run time. The
stylesheet, the script and the search data carry a hash of their content in
their names (``assets/app.3f9c1e2a.js``), so a browser never pairs a fresh page
with a stale cached script or search index. Output is deterministic: the only
date on a page is the build stamp (the commit's date) and the reviewer
countdowns computed against it.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from markupsafe import Markup

from eventbus.catalog.diagram import Node, flow_svg, order_columns
from eventbus.catalog.exporters import (
    Exporter,
    File,
    app_page,
    downloads_page,
    event_page,
    fields_page,
    index_page,
    map_page,
    reviews_page,
    team_page,
    version_page,
)
from eventbus.catalog.exporters.html import FieldTable, compliance_rows
from eventbus.catalog.exporters.layout import Layout
from eventbus.catalog.model import AppView, Catalog, EventView, VersionView, producer_ref

if TYPE_CHECKING:
    from jinja2 import Environment

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATES = os.path.join(HERE, "templates")
STATIC = os.path.join(HERE, "static")
FULL_MAP_LIMIT = 120  # above this many events the bus map groups events by domain (and each domain has its own map)
DOMAIN_MAP_APP_LIMIT = 60  # a domain map with more consuming applications than this shows consuming teams instead
LIFECYCLE_ORDER = ("production", "development", "experimental", "deprecated", "retired")
CLASS_ORDER = ("none", "PII", "PHI")
HASHED = ("style.css", "app.js")  # assets whose names carry their content hash


def _bytecode_cache():
    """Compiled templates kept between runs (compiling them is a tenth of a second per process), beside the parse
    cache; Jinja checks each template's source against it. None when caches are off (``EVENTBUS_NO_CACHE``) or the
    folder is not this user's alone."""
    from eventbus.load.cache import cache_root, enabled, users_alone

    if not enabled():
        return None
    from jinja2 import FileSystemBytecodeCache

    d = os.path.join(cache_root(), "templates")
    try:
        os.makedirs(d, mode=0o700, exist_ok=True)
        if not users_alone(os.stat(d)):  # compiled code others could have planted is not run
            return None
    except OSError:
        return None
    return FileSystemBytecodeCache(d)


def _env() -> Environment:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True,
                      auto_reload=False, cache_size=-1, bytecode_cache=_bytecode_cache())
    return env


def _hashed(name: str, data: bytes) -> str:
    stem, ext = os.path.splitext(name)
    return f"{stem}.{hashlib.sha256(data).hexdigest()[:10]}{ext}"


def static_assets() -> tuple[dict[str, str], list[tuple[str, bytes]]]:
    """(logical name -> path in the site, files to write)."""
    names: dict[str, str] = {}
    files = []
    for name in sorted(os.listdir(STATIC)):
        with open(os.path.join(STATIC, name), "rb") as fh:
            data = fh.read()
        rel = f"assets/{_hashed(name, data) if name in HASHED else name}"
        names[name] = rel
        files.append((rel, data))
    return names, files


def _row_shape(got: object) -> bool:
    """Whether a piece read back is an index row and search entry (:meth:`SiteExporter._row`)."""
    if not (type(got) is tuple and len(got) == 2 and type(got[0]) is str and type(got[1]) is tuple and len(got[1]) == 3):
        return False
    names, meta, prose = got[1]
    return type(names) is tuple and all(type(n) is str for n in names) and type(meta) is str and type(prose) is str


class SiteExporter(Exporter):
    name = "site"

    def __init__(self, cat: Catalog):
        super().__init__(cat)
        self.assets, self.asset_files = static_assets()
        self.layout = Layout(_env, self._common)
        self._tables: dict[tuple, object] = {}  # per-event memo: field tables, consumer rows
        # "t:<team>" -> (signature, page), "m:<domain>" -> (signature, map SVG): this build's, or the last build's
        # where it holds for a rebuild (see reuse)
        self.texts: dict[str, tuple[str, str]] = {}
        self.md: dict[str, str] = {}  # description (Markdown) -> its HTML: this build's, or the last build's
        # event ref -> (its row of the events index, its search entry): this build's, or the last build's for the events
        # a rebuild keeps (see reuse)
        self.rows: dict[str, tuple[str, tuple[tuple[str, ...], str, str]]] = {}
        self.sections: dict[str, str] = {}  # PII/PHI event ref -> its section of the sensitive view: the same

    # -- helpers -------------------------------------------------------------
    def _common(self, root: str, section: str) -> dict:
        return {"root": root, "section": section, "cat": self.cat, "assets": self.assets}

    def event_href(self, root: str, ref: str) -> str | None:
        info = self.cat.events_by_ref.get(ref)
        return root + info.path if info else None

    def app_href(self, root: str, ref: str) -> str | None:
        a = self.cat.apps.get(ref)
        return root + a.path if a else None

    def team_href(self, root: str, tid: str) -> str | None:
        return f"{root}teams/{tid}.html" if tid in self.cat.teams else None

    def description_html(self, text: str) -> str:
        """An event description's HTML (:mod:`eventbus.catalog.markdown`), rendered once per text: a rebuild takes the
        last build's for an unchanged text (and then needs no Markdown parser)."""
        got = self.md.get(text)
        if got is None:
            from eventbus.catalog.markdown import render

            got = self.md[text] = render(text)
        return got

    def worker_pieces(self) -> object:
        """What a page worker made that the next build keeps: the descriptions' HTML and the split frames."""
        return (dict(self.md), self.layout.pieces())

    def take_worker_pieces(self, got: object) -> None:
        if type(got) is tuple and len(got) == 2 and isinstance(got[0], dict) and isinstance(got[1], dict):
            for k, v in got[0].items():
                if type(k) is str and type(v) is str:
                    self.md.setdefault(k, v)
            self.layout.keep(got[1])

    def field_table(self, rows, caption: str, ident: str, record=None) -> Markup:
        return FieldTable(rows, caption, record).html(ident)

    def version_table(self, v: VersionView, ident: str) -> Markup:
        """A version's field table, built once for its own page and (the latest) for the event page."""
        key = ("table", id(v))
        got = self._tables.get(key)
        if got is None:
            got = self._tables[key] = FieldTable(v.rows, f"Value schema v{v.number}", v.record)
        assert isinstance(got, FieldTable)
        return got.html(ident)

    # -- event page ------------------------------------------------------------
    def event_diagram(self, info: EventView, root: str) -> str:
        e = info.event
        left = [Node(f"p:{p.application}", p.application, self.cat.team_name(e.owner), self.app_href(root, producer_ref(e, p)), "producer")
                for p in e.producers]
        mid = [Node("e", e.title, e.ref, None, "event", current=True)]
        seen: set[str] = set()
        right = []
        for c, s in info.subscribers:
            if c.ref in seen:
                continue
            seen.add(c.ref)
            right.append(Node(f"c:{c.ref}", c.application, self.cat.team_name(c.team), self.app_href(root, c.ref), "consumer",
                              title=f"{c.ref}: {s.purpose}"))
        edges = [(n.id, "e", 1.0) for n in left] + [("e", n.id, 1.0) for n in right]
        desc = (f"{len(left)} producing application(s) write {e.ref}; {len(right)} consuming application(s) read it: "
                + ", ".join(n.label for n in right) if right else f"{len(left)} producing application(s) write {e.ref}; no consumers yet.")
        return flow_svg((left, mid, right), edges, title=f"Who produces and consumes {e.title}", desc=desc, ident="dg-event")

    def _consumers(self, info: EventView) -> list[dict]:
        key = ("consumers", id(info))
        got = self._tables.get(key)
        if got is None:
            got = self._tables[key] = [{"consumer": c, "sub": s, "access": self.cat.access(info, c, s)} for c, s in info.subscribers]
        return got

    def event_page(self, info: EventView) -> str:
        """The event's page, built as a string (:mod:`eventbus.catalog.exporters.event_page`)."""
        return event_page.event_page(self, info)

    def version_page(self, info: EventView, v: VersionView, diff, newer: VersionView | None, older: VersionView | None) -> str:
        root = "../../../"
        return version_page.render(self.layout.frame(root, "events"), root, info, v, diff, newer, older,
                                   version_page.registry_ids(self.cat.stacks, info.ref, v.number), self.version_table(v, f"v{v.number}"),
                                   lambda ref: self.app_href(root, ref))

    def event_files(self, info: EventView) -> Iterable[File]:
        self._tables.clear()  # tables are per event: keep memory flat
        yield info.path, self.event_page(info)
        versions = info.versions
        for i, (v, d) in enumerate(zip(versions, info.diffs, strict=True)):
            yield v.path, self.version_page(info, v, d, versions[i + 1] if i + 1 < len(versions) else None, versions[i - 1] if i else None)
            yield v.avsc_path, v.version.text
        if info.event.key_schema is not None:
            yield info.key_path, info.event.key_schema.text

    # -- index & search data ---------------------------------------------------------
    def _row(self, info: EventView) -> tuple[str, tuple[tuple[str, ...], str, str]]:
        """The event's row of the events index and its search entry (field names, other searchable text, prose): a
        function of the event, its subscribers, its topics and its owner's name, as its own page is."""
        got = self.rows.get(info.ref)
        if got is None:
            e = info.event
            topics = sorted({t.name for v in self.cat.stacks for t in [v.topic(e.ref)] if t is not None})
            meta = " ".join([e.owner, self.cat.team_name(e.owner), *e.tags, *topics])
            prose = " ".join([e.description, *dict.fromkeys(s.purpose for _, s in info.subscribers)])
            got = self.rows[info.ref] = (index_page.event_row(self.cat, info), (tuple(info.search_fields), meta, prose))
        return got

    def index_page(self) -> str:
        cat = self.cat
        lifecycles = [lc for lc in LIFECYCLE_ORDER if any(i.event.lifecycle == lc for i in cat.events)]
        classes = [c for c in CLASS_ORDER if any(i.event.classification == c for i in cat.events)]
        rows = [self._row(i)[0] for i in cat.events]
        return index_page.index(self.layout.frame("", "events", search=True), cat, rows, lifecycles, classes)

    def _search_data(self) -> tuple[str, str]:
        """``window.EEB_SEARCH``: per event (keyed by ref, in index-row order) its field names (indexes into
        ``fields``) and its other searchable text (description, consumers' purposes, owner, tags, topics)."""
        fields: dict[str, int] = {}
        events = []
        for info in self.cat.events:
            names, meta, prose = self._row(info)[1]
            idx = []
            for name in names:
                i = fields.get(name)
                if i is None:
                    i = fields[name] = len(fields)
                idx.append(i)
            events.append([info.ref, idx, meta, prose])
        data = {"fields": list(fields), "events": events}
        text = "window.EEB_SEARCH=" + json.dumps(data, ensure_ascii=True, separators=(",", ":")) + ";\n"
        return f"assets/{_hashed('search-data.js', text.encode())}", text

    # -- teams, applications ------------------------------------------------------------
    def _kept(self, key: str, signature: str, make) -> str:
        """The text stored under ``key`` with this ``signature``, or ``make()`` (then stored)."""
        got = self.texts.get(key)
        if got is None or got[0] != signature:
            got = self.texts[key] = (signature, make())
        return got[1]

    def team_page(self, tid: str) -> str:
        cat = self.cat
        events, apps = cat.events_by_owner.get(tid, []), cat.apps_by_team.get(tid, [])

        def make() -> str:
            root = "../"
            return team_page.render(self.layout.frame(root, "teams"), root, cat.teams[tid], events, apps, lambda ref: self.app_href(root, ref))

        return self._kept("t:" + tid, "\n".join([*(i.ref for i in events), "", *(a.ref for a in apps)]), make)

    def teams_page(self) -> str:
        cat = self.cat
        rows = [(t, len(cat.events_by_owner.get(tid, [])), len(cat.apps_by_team.get(tid, []))) for tid, t in cat.teams.items()]
        return index_page.teams(self.layout.frame("../", "teams"), "../", rows)

    def app_page(self, app: AppView) -> str:
        cat = self.cat
        root = "../../"
        stacks = [(view, spec, view.role_arn(spec.ref)) for view, spec in app.specs]
        left = [Node(f"p:{e.ref}", e.title, e.ref, self.event_href(root, e.ref), "event") for e, _ in app.produces]
        right = [Node(f"c:{i.ref}", i.event.title, i.ref, root + i.path, "event") for i, _ in app.consumes]
        mid = [Node("a", app.application, cat.team_name(app.team), None, "consumer" if app.consumes or not app.produces else "producer", current=True)]
        edges = [(n.id, "a", 1.0) for n in left] + [("a", n.id, 1.0) for n in right]
        svg = flow_svg((left, mid, right), edges, title=f"What {app.ref} produces and consumes",
                       desc=f"{app.ref} produces {len(left)} event(s) and consumes {len(right)} event(s).",
                       headings=("Produces", "Application", "Consumes"), ident="dg-app")
        deprecated = [(i, s, (i.event.removal_date - cat.today).days if i.event.removal_date else None) for i, s in app.deprecated_subscriptions]
        compliance = compliance_rows(app.consumer.compliance, cat.today) if app.consumer else []
        return app_page.render(self.layout.frame(root, "apps"), root, cat, app, stacks, svg, compliance, deprecated,
                               lambda ref: self.event_href(root, ref), lambda tid: self.team_href(root, tid))

    def app_files(self, app: AppView) -> Iterable[File]:
        yield app.path, self.app_page(app)

    def apps_page(self) -> str:
        return index_page.apps(self.layout.frame("../", "apps"), self.cat, "../", list(self.cat.apps.values()))

    # -- bus map ---------------------------------------------------------------------
    def _app_node(self, root: str, ref: str, app: str, team: str, kind: str) -> Node:
        return Node(f"{kind[0]}:{ref}", app, self.cat.team_name(team), self.app_href(root, ref), kind, title=ref)

    def flow_of(self, infos: list[EventView], root: str, *, standalone: bool, ident: str, title: str, by_team: bool = False) -> str:
        """Producing applications -> events -> consuming applications (or consuming teams with ``by_team``)."""
        cat = self.cat
        producers: dict[str, Node] = {}
        consumers: dict[str, Node] = {}
        mid: list[Node] = []
        edges = []
        for info in infos:
            e = info.event
            mid.append(Node(f"e:{e.ref}", e.title, e.ref, root + info.path, "event", title=f"{e.title} ({e.ref})"))
            for p in e.producers:
                ref = producer_ref(e, p)
                producers.setdefault(ref, self._app_node(root, ref, p.application, e.owner, "producer"))
                edges.append((f"p:{ref}", f"e:{e.ref}", 1.0))
            for c, _ in info.subscribers:
                if by_team:
                    consumers.setdefault(c.team, Node(f"c:{c.team}", cat.team_name(c.team), "team", self.team_href(root, c.team), "consumer", title=c.team))
                    edges.append((f"e:{e.ref}", f"c:{c.team}", 1.0))
                else:
                    consumers.setdefault(c.ref, self._app_node(root, c.ref, c.application, c.team, "consumer"))
                    edges.append((f"e:{e.ref}", f"c:{c.ref}", 1.0))
        edges = sorted(set(edges))
        cols = order_columns((sorted(producers.values(), key=lambda n: n.id), mid, sorted(consumers.values(), key=lambda n: n.id)), edges)
        heads = ("Producers", "Events", "Consuming teams" if by_team else "Consumers")
        return flow_svg(cols, edges, title=title, standalone=standalone, ident=ident, compact=True, headings=heads,
                        desc=f"{len(cols[0])} producing applications, {len(mid)} events, {len(cols[2])} consuming {'teams' if by_team else 'applications'}.")

    def domain_overview(self, root: str, standalone: bool) -> str:
        cat = self.cat
        prod: dict[tuple[str, str], int] = {}
        cons: dict[tuple[str, str], int] = {}
        for info in cat.events:
            e = info.event
            prod[(e.owner, e.domain)] = prod.get((e.owner, e.domain), 0) + 1
            for t in {c.team for c, _ in info.subscribers}:
                cons[(e.domain, t)] = cons.get((e.domain, t), 0) + 1
        left = [Node(f"t:{t}", cat.team_name(t), "", self.team_href(root, t), "producer", title=t) for t in sorted({o for o, _ in prod})]
        mid = [Node(f"d:{d}", d, f"{len(cat.events_by_domain[d]):,} events", f"{root}map/{d}.html", "domain", title=f"Map of domain {d}")
               for d in cat.domains]
        right = [Node(f"u:{t}", cat.team_name(t), "", self.team_href(root, t), "consumer", title=t) for t in sorted({t for _, t in cons})]
        edges = sorted([(f"t:{o}", f"d:{d}", float(n)) for (o, d), n in prod.items()] + [(f"d:{d}", f"u:{t}", float(n)) for (d, t), n in cons.items()])

        def make() -> str:
            cols = order_columns((left, mid, right), edges)
            return flow_svg(cols, edges, title="The Enterprise Event Bus by domain: producing teams → domains → consuming teams",
                            desc=f"{len(left)} producing teams, {len(mid)} domains, {len(right)} consuming teams; line width grows with the number of events.",
                            standalone=standalone, ident="dg-bus", compact=True, headings=("Producing teams", "Domains", "Consuming teams"))

        # the drawing is a function of its boxes and lines alone: kept while they are the same
        return self._kept(f"o:{root}\n{standalone}", repr((left, mid, right, edges)), make)

    def map_files(self) -> Iterable[File]:
        cat = self.cat
        full = len(cat.events) <= FULL_MAP_LIMIT
        title = "The Enterprise Event Bus: producers → events → consumers"
        if full:
            svg = self.flow_of(cat.events, "", standalone=False, ident="dg-bus", title=title)
            standalone = self.flow_of(cat.events, "", standalone=True, ident="dg-bus", title=title)
        else:
            svg = self.domain_overview("", False)
            standalone = self.domain_overview("", True)
        domains = [(d, len(cat.events_by_domain[d])) for d in cat.domains]
        yield "map.html", map_page.render(self.layout.frame("", "map"), "", svg, domains, full=full, limit=FULL_MAP_LIMIT)
        yield "map.svg", standalone
        for d, _n in domains:
            infos = cat.events_by_domain[d]
            n_apps = len({c.ref for i in infos for c, _ in i.subscribers})
            by_team = n_apps > DOMAIN_MAP_APP_LIMIT
            svg = self._kept("m:" + d, "\n".join(["teams" if by_team else "applications", *(i.ref for i in infos)]),
                             lambda infos=infos, d=d, by_team=by_team: self.flow_of(
                                 infos, "../", standalone=False, ident="dg-domain", by_team=by_team,
                                 title=f"Domain {d}: producers → events → {'consuming teams' if by_team else 'consumers'}"))
            yield f"map/{d}.html", map_page.render(self.layout.frame("../", "map"), "../", svg, domains, domain=d, by_team=by_team)

    # -- fields index --------------------------------------------------------------------
    def fields_page(self, cap: int = 40) -> str:
        by_name: dict[str, dict] = {}
        for info in self.cat.events:
            latest = info.latest
            rows = (latest.rows if latest else []) + info.key_rows
            for r in rows:
                if r.path == "(key)":
                    continue
                entry = by_name.setdefault(r.name.lower(), {"names": {}, "events": {}})
                entry["names"][r.name] = None
                if info.ref not in entry["events"]:
                    entry["events"][info.ref] = (info, r)
        entries = []
        for key in sorted(by_name):
            entry = by_name[key]
            events = list(entry["events"].values())
            entries.append({"key": key, "names": list(entry["names"]), "events": events[:cap], "more": max(0, len(events) - cap), "total": len(events)})
        return fields_page.render(self.layout.frame("", "fields"), entries)

    # -- reviewer views -----------------------------------------------------------------
    def review_pages(self) -> Iterable[File]:
        cat = self.cat
        root = "../"
        frame = self.layout.frame(root, "reviews")
        sections = [self._sensitive_section(i) for i in cat.events if i.event.sensitive]
        for view, rows in (("sensitive", sections), ("deprecations", cat.deprecations()), ("compliance", cat.expiring())):
            yield f"reviews/{view}.html", reviews_page.render(frame, root, cat, view, rows, lambda ref: self.event_href(root, ref),
                                                             lambda ref: self.app_href(root, ref))

    def _sensitive_section(self, info: EventView) -> str:
        got = self.sections.get(info.ref)
        if got is None:
            root = "../"
            got = self.sections[info.ref] = reviews_page.sensitive_section(root, info, self.cat.sensitive_consumers(info),
                                                                           lambda ref: self.app_href(root, ref))
        return got

    def downloads_page(self, n_components: int, n_apis: int) -> str:
        return downloads_page.render(self.layout.frame("", "downloads"), self.cat, n_components, n_apis)

    # -- pieces a rebuild keeps ------------------------------------------------------------------
    def pieces(self) -> dict[str, object]:
        """Each team's page and each domain's map, with the refs they show (their signature), the split frames, the
        HTML of the events' descriptions, each event's index row and search entry, and each PII/PHI event's section of
        the sensitive view."""
        got: dict[str, object] = dict(self.texts)
        for text in {i.event.description for i in self.cat.events}:
            if text in self.md:
                got["d:" + text] = self.md[text]
        got.update({"f:" + key: raw for key, raw in self.layout.pieces().items()})
        got.update({"r:" + i.ref: self._row(i) for i in self.cat.events})
        got.update({"s:" + i.ref: self._sensitive_section(i) for i in self.cat.events if i.event.sensitive})
        return got

    def reuse(self, pieces: dict[str, object], events: set[str], apps: set[str]) -> None:
        """A team page or domain map shows its events and applications and nothing else that a rebuild can change:
        it is kept when none of them is rendered again and it shows the same ones (its signature still holds). The
        bus overview by domain is kept while it would draw the same boxes and lines (its signature). An event's row of
        the events index, its search entry and its section of the sensitive view are kept with its files (they depend
        on what its page does). The frames
        and a description's HTML depend on none of them."""
        frames: dict[str, object] = {}
        for key, got in pieces.items():
            if not isinstance(key, str):
                continue
            if key[:2] == "d:" and type(got) is str:  # a function of the text alone
                self.md.setdefault(key[2:], got)
                continue
            if key[:2] == "f:":
                frames[key[2:]] = got
                continue
            if key[:2] == "r:":
                if key[2:] not in events and _row_shape(got):
                    self.rows.setdefault(key[2:], got)  # type: ignore[arg-type]
                continue
            if key[:2] == "s:":
                if key[2:] not in events and type(got) is str:
                    self.sections.setdefault(key[2:], got)
                continue
            if not (key[:2] in ("t:", "m:", "o:") and isinstance(got, tuple) and len(got) == 2 and all(type(x) is str for x in got)):
                continue
            if key[:2] == "o:":  # its signature is everything it draws
                self.texts.setdefault(key, got)
                continue
            shown = set(got[0].split("\n"))
            if not (shown & events or shown & apps):
                self.texts.setdefault(key, got)
        self.layout.keep(frames)

    # -- everything else -------------------------------------------------------------------
    def whole(self) -> Iterable[File]:
        cat = self.cat
        yield from self.asset_files
        search_js, search_text = self._search_data()
        self.assets["search-data.js"] = search_js
        yield search_js, search_text
        yield "index.html", self.index_page()
        for tid in cat.teams:
            yield f"teams/{tid}.html", self.team_page(tid)
        yield "teams/index.html", self.teams_page()
        yield "apps/index.html", self.apps_page()
        yield from self.map_files()
        yield "fields.html", self.fields_page()
        yield from self.review_pages()
        from eventbus.catalog.exporters.backstage import component_count

        yield "downloads.html", self.downloads_page(component_count(cat), len(cat.events))
