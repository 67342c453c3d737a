"""Render the catalog: HTML pages (Jinja2), search data, diagrams, AsyncAPI and Backstage files.

Every page links with relative URLs only, so the folder works from
``file://`` and any static host. Nothing is fetched at run time: the search
data is a script (``assets/search-data.js``) the index adds with a
``<script>`` tag after the page is shown. Output is deterministic (no dates),
so re-publishing an unchanged catalog changes no object.
"""
from __future__ import annotations

import json
import os
from typing import Callable, Iterable

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from eventbus.catalog import asyncapi, backstage, connect
from eventbus.catalog.data import AppInfo, Catalog, EventInfo
from eventbus.catalog.diagram import Node, flow_svg
from eventbus.catalog.markdown import render as markdown
from eventbus.catalog.schema_view import diff_rows

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATES = os.path.join(HERE, "templates")
STATIC = os.path.join(HERE, "static")
FULL_MAP_LIMIT = 120  # above this many events the bus map groups events by domain
INDENT_LIMIT = 200  # above this many events the JSON documents are written compact (the C encoder: ~10x faster)
LIFECYCLE_ORDER = ("production", "development", "experimental", "deprecated", "retired")
CLASS_ORDER = ("none", "PII", "PHI")


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True,
                      auto_reload=False, cache_size=-1)
    env.filters["md"] = lambda text: Markup(markdown(text or ""))
    env.filters["num"] = lambda n: f"{n:,}"
    env.filters["json"] = lambda v: json.dumps(v, indent=2, ensure_ascii=False)
    env.globals["lifecycle_note"] = {
        "production": "Live and supported.",
        "development": "Being built; the schema may still change.",
        "experimental": "A trial; may disappear.",
        "deprecated": "Being phased out; do not start consuming it.",
        "retired": "No longer published; the topic is gone.",
    }
    return env


def pretty_ms(ms: int) -> str:
    if ms < 0:
        return "forever"
    day = 86_400_000
    if ms % day == 0:
        d = ms // day
        return f"{d} day{'s' if d != 1 else ''}"
    hour = 3_600_000
    if ms % hour == 0:
        h = ms // hour
        return f"{h} hour{'s' if h != 1 else ''}"
    return f"{ms:,} ms"


def pretty_bytes(n: int) -> str:
    if n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MiB"
    if n % 1024 == 0:
        return f"{n // 1024} KiB"
    return f"{n:,} bytes"


class Site:
    def __init__(self, cat: Catalog):
        self.cat = cat
        self.env = _env()
        self.t = {name: self.env.get_template(name + ".html")
                  for name in ("index", "event", "team", "teams", "app", "apps", "map", "fields", "downloads")}
        self.fields_template = self.env.get_template("_fields.html")
        self.indent = 1 if len(cat.events) <= INDENT_LIMIT else None
        self.team_events = cat.events_by_owner
        self._parts: dict[str, tuple] = {}
        # application -> events it consumes (from the registry's subscriptions), for app pages and diagrams
        self.consumes: dict[str, list[tuple[EventInfo, object]]] = {}
        for info in cat.events:
            for c, s in info.subscribers:
                self.consumes.setdefault(c.ref, []).append((info, s))

    # -- helpers -------------------------------------------------------------
    def _json(self, value) -> str:
        if self.indent is None:
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return json.dumps(value, indent=self.indent, ensure_ascii=False)

    def _common(self, root: str, section: str) -> dict:
        return {"root": root, "section": section, "cat": self.cat}

    def event_href(self, root: str, ref: str) -> str | None:
        info = self.cat.events_by_ref.get(ref)
        return root + info.path if info else None

    def app_href(self, root: str, ref: str) -> str | None:
        a = self.cat.apps.get(ref)
        return root + a.path if a else None

    def team_href(self, root: str, tid: str) -> str | None:
        return f"{root}teams/{tid}.html" if tid in self.cat.teams else None

    # -- event page ------------------------------------------------------------
    def event_diagram(self, info: EventInfo, root: str) -> str:
        e = info.event
        left = [Node(f"p:{p.application}", p.application, self.cat.team_name(e.owner), self.app_href(root, f"{e.owner}/{p.application}"), "producer")
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

    def event_page(self, info: EventInfo) -> str:
        e = info.event
        root = "../../"
        cat = self.cat
        # field tables, rendered once per version
        latest = info.latest
        value_table = self.fields_template.render(rows=latest.rows, caption=f"Value schema v{latest.number}", id="value") if latest else ""
        key_table = self.fields_template.render(rows=info.key_rows, caption="Key schema", id="key") if info.key_rows else ""
        history = []
        prev = None
        for v in info.versions:
            history.append({"v": v, "changes": diff_rows(prev.rows, v.rows) if prev else None})
            prev = v
        history.reverse()
        topics = []
        blocks = []
        for view in cat.stacks:
            t = view.topic_by_event.get(e.ref)
            subjects = view.subjects.get(e.ref, [])
            topics.append({"view": view, "topic": t, "subjects": subjects})
            if t is not None:
                blocks.append(connect.block(view, t, e.ref))
        consumers = []
        for c, s in info.subscribers:
            access = []
            for view in cat.stacks:
                t = view.topic_by_event.get(e.ref)
                if t is None or view.environment not in s.environments:
                    continue
                granted = any(a.ref == c.ref for a in view.readers.get(t.name, ()))
                access.append((view, granted))
            consumers.append({"consumer": c, "sub": s, "access": access})
        producers = []
        for p in e.producers:
            app = cat.registry.producer_app(e, p)
            ref = app.ref if app is not None else f"{e.owner}/{p.application}"
            producers.append({"p": p, "ref": ref, "envs": sorted(app.principals) if app is not None else []})
        example_texts = [(ex.path.rsplit("/", 1)[-1], json.dumps(ex.payload, indent=2, ensure_ascii=False)) for ex in e.examples]
        ctx = self._common(root, "events")
        ctx.update(
            info=info, e=e, team=cat.teams.get(e.owner), value_table=Markup(value_table), key_table=Markup(key_table), history=history,
            topics=topics, blocks=blocks, consumers=consumers, producers=producers, examples=example_texts,
            diagram=Markup(self.event_diagram(info, root)), pretty_ms=pretty_ms, pretty_bytes=pretty_bytes,
            event_href=lambda ref: self.event_href(root, ref), app_href=lambda ref: self.app_href(root, ref),
            team_href=lambda tid: self.team_href(root, tid),
        )
        return self.t["event"].render(ctx)

    # -- index & search data ---------------------------------------------------------
    def index_page(self) -> str:
        cat = self.cat
        ctx = self._common("", "events")
        domains = cat.domains
        lifecycles = [l for l in LIFECYCLE_ORDER if any(i.event.lifecycle == l for i in cat.events)]
        classes = [c for c in CLASS_ORDER if any(i.event.classification == c for i in cat.events)]
        consumer_counts = {i.ref: len({c.ref for c, _ in i.subscribers}) for i in cat.events}
        ctx.update(domains=domains, owners=[(o, cat.team_name(o)) for o in cat.owners], lifecycles=lifecycles, classes=classes,
                   counts=consumer_counts, n_apps=len(cat.apps), n_teams=len(cat.teams))
        return self.t["index"].render(ctx)

    def search_data(self) -> str:
        """``window.EEB_SEARCH``: per event (in index-row order) its extra searchable text and field names (indexes into ``fields``)."""
        fields: dict[str, int] = {}
        events = []
        for info in self.cat.events:
            e = info.event
            idx = []
            for name in info.search_fields:
                i = fields.get(name)
                if i is None:
                    i = fields[name] = len(fields)
                idx.append(i)
            topics = sorted({t.name for v in self.cat.stacks for t in [v.topic_by_event.get(e.ref)] if t is not None})
            extra = " ".join([e.owner, self.cat.team_name(e.owner), *e.tags, *topics])
            events.append([extra, idx])
        data = {"fields": list(fields), "events": events}
        return "window.EEB_SEARCH=" + json.dumps(data, ensure_ascii=True, separators=(",", ":")) + ";\n"

    # -- teams, applications ------------------------------------------------------------
    def team_page(self, tid: str) -> str:
        cat = self.cat
        ctx = self._common("../", "teams")
        ctx.update(team=cat.teams[tid], events=self.team_events.get(tid, []), apps=cat.apps_by_team.get(tid, []),
                   app_href=lambda ref: self.app_href("../", ref))
        return self.t["team"].render(ctx)

    def teams_page(self) -> str:
        cat = self.cat
        ctx = self._common("../", "teams")
        rows = [(t, len(self.team_events.get(tid, [])), len(cat.apps_by_team.get(tid, []))) for tid, t in cat.teams.items()]
        ctx.update(rows=rows)
        return self.t["teams"].render(ctx)

    def app_page(self, app: AppInfo) -> str:
        cat = self.cat
        root = "../../"
        stacks = []
        for view in cat.stacks:
            spec = view.apps.get(app.ref)
            if spec is not None:
                stacks.append({"view": view, "spec": spec, "role_arn": view.role_arn(spec)})
        consumes = self.consumes.get(app.ref, [])
        # diagram: the events it produces -> the app -> the events it consumes
        left = [Node(f"p:{e.ref}", e.title, e.ref, self.event_href(root, e.ref), "event") for e, _ in app.produces]
        right = [Node(f"c:{i.ref}", i.event.title, i.ref, root + i.path, "event") for i, _ in consumes]
        mid = [Node("a", app.application, cat.team_name(app.team), None, "consumer" if app.consumer else "producer", current=True)]
        edges = [(n.id, "a", 1.0) for n in left] + [("a", n.id, 1.0) for n in right]
        svg = flow_svg((left, mid, right), edges, title=f"What {app.ref} produces and consumes",
                       desc=f"{app.ref} produces {len(left)} event(s) and consumes {len(right)} event(s).",
                       headings=("Produces", "Application", "Consumes"), ident="dg-app")
        ctx = self._common(root, "apps")
        ctx.update(app=app, stacks=stacks, consumes=consumes, diagram=Markup(svg), team=cat.teams.get(app.team),
                   event_href=lambda ref: self.event_href(root, ref), team_href=lambda tid: self.team_href(root, tid))
        return self.t["app"].render(ctx)

    def apps_page(self) -> str:
        ctx = self._common("../", "apps")
        ctx.update(apps=list(self.cat.apps.values()), consumes=self.consumes)
        return self.t["apps"].render(ctx)

    # -- bus map ---------------------------------------------------------------------
    def bus_svg(self, root: str, standalone: bool) -> tuple[str, bool]:
        cat = self.cat
        if len(cat.events) <= FULL_MAP_LIMIT:
            producers: dict[str, Node] = {}
            consumers: dict[str, Node] = {}
            mid: list[Node] = []
            edges = []
            for info in cat.events:
                e = info.event
                mid.append(Node(f"e:{e.ref}", e.title, e.ref, root + info.path, "event"))
                for p in e.producers:
                    ref = f"{e.owner}/{p.application}"
                    producers.setdefault(ref, Node(f"a:{ref}", p.application, cat.team_name(e.owner), self.app_href(root, ref), "producer", title=ref))
                    edges.append((f"a:{ref}", f"e:{e.ref}", 1.0))
                for c, _ in info.subscribers:
                    consumers.setdefault(c.ref, Node(f"c:{c.ref}", c.application, cat.team_name(c.team), self.app_href(root, c.ref), "consumer", title=c.ref))
                    edges.append((f"e:{e.ref}", f"c:{c.ref}", 1.0))
            cols = (sorted(producers.values(), key=lambda n: n.id), mid, sorted(consumers.values(), key=lambda n: n.id))
            svg = flow_svg(cols, sorted(set(edges)), title="The Enterprise Event Bus: producers → events → consumers",
                           desc=f"{len(cols[0])} producing applications, {len(mid)} events, {len(cols[2])} consuming applications.",
                           standalone=standalone, ident="dg-bus", compact=True, headings=("Producers", "Events", "Consumers"))
            return svg, True
        # large buses: teams -> domains -> teams, edges weighted by the number of events
        prod: dict[tuple[str, str], int] = {}
        cons: dict[tuple[str, str], int] = {}
        per_domain: dict[str, int] = {}
        for info in cat.events:
            e = info.event
            per_domain[e.domain] = per_domain.get(e.domain, 0) + 1
            prod[(e.owner, e.domain)] = prod.get((e.owner, e.domain), 0) + 1
            for c, _ in info.subscribers:
                cons[(e.domain, c.team)] = cons.get((e.domain, c.team), 0) + 1
        left = [Node(f"t:{t}", cat.team_name(t), f"{sum(n for (o, _), n in prod.items() if o == t)} events", self.team_href(root, t), "producer", title=t)
                for t in sorted({o for o, _ in prod})]
        mid = [Node(f"d:{d}", d, f"{n:,} events", f"{root}index.html#domain={d}", "domain") for d, n in sorted(per_domain.items())]
        right = [Node(f"u:{t}", cat.team_name(t), "", self.team_href(root, t), "consumer", title=t) for t in sorted({t for _, t in cons})]
        edges = [(f"t:{o}", f"d:{d}", float(n)) for (o, d), n in prod.items()] + [(f"d:{d}", f"u:{t}", float(n)) for (d, t), n in cons.items()]
        svg = flow_svg((left, mid, right), edges, title="The Enterprise Event Bus by domain: producing teams → domains → consuming teams",
                       desc=f"{len(left)} producing teams, {len(mid)} domains, {len(right)} consuming teams; line width grows with the number of events.",
                       standalone=standalone, ident="dg-bus", compact=True, headings=("Producing teams", "Domains", "Consuming teams"))
        return svg, False

    def map_page(self) -> tuple[str, str]:
        svg, full = self.bus_svg("", standalone=False)
        ctx = self._common("", "map")
        ctx.update(diagram=Markup(svg), full=full, limit=FULL_MAP_LIMIT)
        return self.t["map"].render(ctx), self.bus_svg("", standalone=True)[0]

    # -- fields index --------------------------------------------------------------------
    def fields_page(self, cap: int = 40) -> str:
        by_name: dict[str, dict] = {}
        for info in self.cat.events:
            latest = info.latest
            rows = (latest.rows if latest else []) + info.key_rows
            for r in rows:
                if r.path == "(key)":
                    continue
                entry = by_name.setdefault(r.name.lower(), {"names": {}, "events": {}, "docs": {}})
                entry["names"][r.name] = None
                if info.ref not in entry["events"]:
                    entry["events"][info.ref] = (info, r)
        entries = []
        for key in sorted(by_name):
            entry = by_name[key]
            events = list(entry["events"].values())
            entries.append({"key": key, "names": list(entry["names"]), "events": events[:cap], "more": max(0, len(events) - cap),
                            "total": len(events)})
        ctx = self._common("", "fields")
        ctx.update(entries=entries, cap=cap)
        return self.t["fields"].render(ctx)

    def downloads_page(self, n_components: int) -> str:
        ctx = self._common("", "downloads")
        ctx.update(n_components=n_components)
        return self.t["downloads"].render(ctx)

    # -- everything -------------------------------------------------------------------
    def render_events(self, infos: Iterable[EventInfo], out: Callable[[str, str], None]) -> None:
        for info in infos:
            out(info.path, self.event_page(info))
            parts = asyncapi.event_parts(self.cat, info)
            self._parts[info.ref] = parts  # reused by the bus document when rendered in this process
            out(info.asyncapi_path, self._json(asyncapi.event_document(self.cat, info, parts)))

    def render_apps(self, apps: Iterable[AppInfo], out: Callable[[str, str], None]) -> None:
        for app in apps:
            out(app.path, self.app_page(app))

    def render_rest(self, out: Callable[[str, str], None]) -> None:
        cat = self.cat
        out("index.html", self.index_page())
        out("assets/search-data.js", self.search_data())
        for tid in cat.teams:
            out(f"teams/{tid}.html", self.team_page(tid))
        out("teams/index.html", self.teams_page())
        out("apps/index.html", self.apps_page())
        page, svg = self.map_page()
        out("map.html", page)
        out("map.svg", svg)
        out("fields.html", self.fields_page())
        out("asyncapi/eventbus.json", self._json(asyncapi.bus_document(cat, self._parts)))
        docs = backstage.entities(cat)
        out("backstage/catalog-info.yaml", backstage.catalog_info_yaml(docs))
        out("downloads.html", self.downloads_page(sum(1 for d in docs if d["kind"] == "Component")))


def static_files() -> list[tuple[str, bytes]]:
    out = []
    for name in sorted(os.listdir(STATIC)):
        with open(os.path.join(STATIC, name), "rb") as fh:
            out.append((f"assets/{name}", fh.read()))
    return out
