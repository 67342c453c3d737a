"""Backstage entities for the agency portal.

* ``kind: Event`` per event (the portal's custom kind, see docs/catalog.md),
  with ``spec.owner`` (the owning team's group, so the portal shows
  ownership) and https links to the event's page in each stack's published
  catalog (``eventbus:catalog.url``);
* ``kind: API`` per event (``type: asyncapi``), its definition the event's
  AsyncAPI document next to this file (``$text`` relative to the location), so
  producers ``providesApis`` and consumers ``consumesApis`` it and the portal
  draws the lineage with its built-in relations;
* ``kind: Component`` per application, producers and consumers alike:
  ``spec.owner``, ``providesApis``, ``consumesApis`` and the portal's
  ``subscribesToEvent``.

Topic names come from each stack's desired state. The JSON Schema of the
documents is ``backstage-event.schema.json`` beside the catalog package.
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable

from eventbus.catalog.exporters import Exporter, File
from eventbus.catalog.model import AppView, Catalog, EventView, distinct_slugs, slug

API_VERSION = "backstage.io/v1alpha1"
SCHEMA_PATH = os.path.join(os.path.dirname(os.path.dirname(__file__)), "backstage-event.schema.json")
ANNOTATION = "eventbus.va.gov"
LIFECYCLE = {"experimental": "experimental", "development": "development", "production": "production",
             "deprecated": "deprecated", "retired": "deprecated"}


def _tag(t: str) -> str | None:
    s = "".join(ch if ch.isalnum() or ch in "+#" else "-" for ch in t.lower()).strip("-")
    while "--" in s:
        s = s.replace("--", "-")
    return s[:63] or None


def owner_ref(team: str) -> str:
    """The portal's group of a team (groups are named by team id)."""
    return f"group:default/{slug(team)}"


def _page_links(cat: Catalog, rel: str, what: str) -> list[dict]:
    links = []
    for s in cat.stacks:
        url = s.page_url(rel)
        if url:
            links.append({"url": url, "title": f"{what} ({s.label})"})
    return links


def _links(cat: Catalog, e: EventView) -> list[dict]:
    links = _page_links(cat, e.path, "Event catalog page") + _page_links(cat, e.asyncapi_path, "AsyncAPI document")
    team = cat.teams.get(e.event.owner)
    if team is not None and team.contacts and team.contacts[0].email:
        links.append({"url": f"mailto:{team.contacts[0].email}", "title": f"Contact {team.name}"})
    return links


def event_entity(cat: Catalog, info: EventView) -> dict:
    e = info.event
    topics, seen = [], set()
    for s in cat.stacks:
        t = s.topic(e.ref)
        if t is not None and (t.name, s.environment) not in seen:
            seen.add((t.name, s.environment))
            topics.append({"topic": t.name, "environment": s.environment})
    annotations = {
        f"{ANNOTATION}/ref": e.ref,
        f"{ANNOTATION}/owner": e.owner,
        f"{ANNOTATION}/classification": e.classification,
        f"{ANNOTATION}/compatibility": e.compatibility,
        f"{ANNOTATION}/access-policy": e.access_policy,
    }
    if e.lifecycle == "retired":
        annotations[f"{ANNOTATION}/retired"] = "true"
    if info.replaced_by is not None:
        annotations[f"{ANNOTATION}/replaced-by"] = info.replaced_by.ref
    meta: dict = {"name": info.slug, "title": e.title, "description": e.summary}
    tags = [t for t in dict.fromkeys(_tag(x) for x in e.tags) if t]
    if tags:
        meta["tags"] = tags
    meta["annotations"] = annotations
    links = _links(cat, info)
    if links:
        meta["links"] = links
    spec: dict = {"type": "event", "lifecycle": LIFECYCLE[e.lifecycle], "owner": owner_ref(e.owner)}
    if e.removal_date is not None and e.lifecycle in ("deprecated", "retired"):
        spec["removalDate"] = e.removal_date.isoformat()
    spec["domain"] = e.domain
    spec["sourceSystems"] = [
        {k: v for k, v in (("systemName", s.name), ("teamName", cat.team_name(s.team) if s.team else None), ("productOwner", s.product_owner)) if v}
        for s in e.source_systems
    ]
    spec["topics"] = topics
    spec["forwarders"] = []
    spec["retention"] = cat.retention_days(e)
    return {"apiVersion": API_VERSION, "kind": "Event", "metadata": meta, "spec": spec}


def api_entity(cat: Catalog, info: EventView) -> dict:
    e = info.event
    meta: dict = {"name": info.slug, "title": e.title, "description": e.summary,
                  "annotations": {f"{ANNOTATION}/ref": e.ref}}
    links = _page_links(cat, info.path, "Event catalog page")
    if links:
        meta["links"] = links
    return {"apiVersion": API_VERSION, "kind": "API", "metadata": meta,
            "spec": {"type": "asyncapi", "lifecycle": LIFECYCLE[e.lifecycle], "owner": owner_ref(e.owner),
                     "definition": {"$text": f"../{info.asyncapi_path}"}}}


def component_entity(cat: Catalog, app: AppView, name: str | None = None) -> dict | None:
    """``name``: the entity's, from :func:`component_names` (computed here when not given)."""
    names = cat.events_by_ref
    produced = sorted({names[e.ref].slug for e, _ in app.produces if e.ref in names})
    consumed = sorted({i.slug for i, _ in app.consumes})
    if not produced and not consumed:
        return None
    envs = {env for _, s in app.consumes for env in s.environments} | {v.environment for v, _ in app.specs}
    annotations = {f"{ANNOTATION}/application": app.ref}
    users = sorted({spec.kafka_user for _, spec in app.specs})
    if users:
        annotations[f"{ANNOTATION}/kafka-user"] = users[0]
    meta: dict = {"name": name or component_names(cat)[app.ref], "title": app.application, "description": app.description,
                  "annotations": annotations}
    links = _page_links(cat, app.path, "Event catalog page")
    if links:
        meta["links"] = links
    spec: dict = {"type": "service", "lifecycle": "production" if "prod" in envs else "experimental", "owner": owner_ref(app.team)}
    if produced:
        spec["providesApis"] = produced
    if consumed:
        spec["consumesApis"] = consumed
    spec["subscribesToEvent"] = consumed
    return {"apiVersion": API_VERSION, "kind": "Component", "metadata": meta, "spec": spec}


def component_names(cat: Catalog) -> dict[str, str]:
    """Application ref -> its Component's name, ``<team>-<application>``; distinct even where two refs give one slug."""
    return distinct_slugs([(a.ref, a.team, a.application) for a in cat.apps.values()])


def component_count(cat: Catalog) -> int:
    """How many Component entities :func:`entities` writes (without building them)."""
    return sum(1 for a in cat.apps.values() if a.produces or a.consumes)


def entities(cat: Catalog) -> list[dict]:
    out = [event_entity(cat, i) for i in cat.events] + [api_entity(cat, i) for i in cat.events]
    names = component_names(cat)
    for app in cat.apps.values():
        c = component_entity(cat, app, names[app.ref])
        if c is not None:
            out.append(c)
    return out


class BackstageExporter(Exporter):
    """``backstage/catalog-info.yaml``: every entity, one YAML document each. The file is the documents of the events'
    entities, then of their APIs, then of the applications' components, joined: each document's text is a piece a
    rebuild reuses for the events and applications it does not render (a component's only while its name holds)."""

    name = "backstage"

    def __init__(self, cat: Catalog):
        super().__init__(cat)
        self.texts: dict[str, tuple[str, ...]] = {}  # "e:<ref>" -> (Event document, API document); "a:<ref>" -> (name, Component document or "")

    def _event(self, info: EventView) -> tuple[str, ...]:
        got = self.texts.get("e:" + info.ref)
        if got is None:
            got = self.texts["e:" + info.ref] = (catalog_info_yaml([event_entity(self.cat, info)], head=""),
                                                 catalog_info_yaml([api_entity(self.cat, info)], head=""))
        return got

    def _app(self, app: AppView, name: str) -> str:
        got = self.texts.get("a:" + app.ref)
        if got is None or got[0] != name:
            c = component_entity(self.cat, app, name)
            got = self.texts["a:" + app.ref] = (name, catalog_info_yaml([c], head="") if c is not None else "")
        return got[1]

    def whole(self) -> Iterable[File]:
        cat = self.cat
        names = component_names(cat)
        parts = [HEAD]
        pairs = [self._event(i) for i in cat.events]
        parts += [p[0] for p in pairs]
        parts += [p[1] for p in pairs]
        parts += [self._app(a, names[a.ref]) for a in cat.apps.values()]
        yield "backstage/catalog-info.yaml", "".join(parts)

    def pieces(self) -> dict[str, object]:
        return dict(self.texts)

    def reuse(self, pieces: dict[str, object], events: set[str], apps: set[str]) -> None:
        cat = self.cat
        for key, t in pieces.items():
            if not (isinstance(key, str) and isinstance(t, tuple) and len(t) == 2 and all(type(x) is str for x in t)):
                continue
            kind, _, ref = key.partition(":")
            if (kind == "e" and ref in cat.events_by_ref and ref not in events) or (kind == "a" and ref in cat.apps and ref not in apps):
                self.texts.setdefault(key, t)


_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_ ./@()+-]*")  # never starts with a digit: numbers, dates and times stay quoted
_SPECIAL = re.compile(r"y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL")


_YAML_BREAKS = {0x85: "\\u0085", 0x2028: "\\u2028", 0x2029: "\\u2029", 0xFEFF: "\\ufeff"}
# characters YAML does not allow in a stream at all (DEL, the C1 controls, U+FFFE/U+FFFF, lone surrogates; JSON already
# escapes C0): a loader refuses the whole file, so they are written as escapes too
_YAML_BREAKS.update({c: f"\\u{c:04x}" for c in (0x7F, *range(0x80, 0xA0), 0xFFFE, 0xFFFF, *range(0xD800, 0xE000)) if c not in _YAML_BREAKS})


_SCALARS: dict[str, str] = {}  # text -> its YAML scalar: keys and most values repeat from entity to entity


def _scalar(v) -> str:
    if type(v) is str:
        got = _SCALARS.get(v)
        if got is None:
            got = _SCALARS[v] = _scalar_of(v)
        return got
    return _scalar_of(v)


def _scalar_of(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    s = str(v)
    if _PLAIN.fullmatch(s) and not _SPECIAL.fullmatch(s) and not s.endswith(" ") and ": " not in s and " #" not in s:
        return s
    # a JSON string is a valid YAML double-quoted scalar; YAML also breaks lines at NEL, LS and PS
    return json.dumps(s, ensure_ascii=False).translate(_YAML_BREAKS)


def _emit(v, indent: str, out: list[str]) -> None:
    """Block-style YAML of plain data (dicts, lists, scalars); about 20x faster than PyYAML's emitter."""
    if isinstance(v, dict):
        for k, x in v.items():
            key = _scalar(k)
            if isinstance(x, dict) and x:
                out.append(f"{indent}{key}:\n")
                _emit(x, indent + "  ", out)
            elif isinstance(x, list) and x:
                out.append(f"{indent}{key}:\n")
                _emit(x, indent, out)
            else:
                out.append(f"{indent}{key}: {'{}' if isinstance(x, dict) else '[]' if isinstance(x, list) else _scalar(x)}\n")
    elif isinstance(v, list):
        for x in v:
            if isinstance(x, dict) and x:
                first = True
                sub: list[str] = []
                _emit(x, indent + "  ", sub)
                for line in sub:
                    out.append(f"{indent}- {line[len(indent) + 2:]}" if first else line)
                    first = False
            elif isinstance(x, list) and x:
                raise ValueError("nested lists are not used in catalog-info.yaml")
            else:
                out.append(f"{indent}- {'{}' if isinstance(x, dict) else '[]' if isinstance(x, list) else _scalar(x)}\n")


HEAD = "# Generated by `eventbus catalog build` from the registry; do not edit.\n"


def catalog_info_yaml(docs: list[dict], head: str = HEAD) -> str:
    """Multi-document YAML (``---`` before each entity), block style, stable."""
    out = [head]
    for d in docs:
        out.append("---\n")
        _emit(d, "", out)
    return "".join(out)


def load_schema() -> dict:
    with open(SCHEMA_PATH, encoding="utf-8") as fh:
        return json.load(fh)
