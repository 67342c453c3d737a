"""AsyncAPI 3.0 documents: one for the whole bus, one per event.

* **servers**: one per stack (its bootstrap servers, ``kafka-secure`` with MSK
  IAM, or SASL/SCRAM on the local broker);
* **channels**: one per (stack, topic) with the Kafka channel binding (topic,
  partitions, replicas, ``topicConfiguration``: cleanup.policy, retention.ms,
  max.message.bytes, min.insync.replicas), all read from the desired state;
* **operations**: ``send`` per producing application and ``receive`` per
  consuming application with access on that stack (Kafka binding ``groupId``);
* **messages**: the latest value schema as an Avro payload
  (``schemaFormat: application/vnd.apache.avro;version=1.9.0``), the key schema
  in the Kafka message binding, and the examples.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable

from eventbus.catalog.exporters import Exporter, File
from eventbus.catalog.model import Catalog, EventView, StackView

ASYNCAPI = "3.0.0"
AVRO = "application/vnd.apache.avro;version=1.9.0"
KAFKA_BINDING = "0.5.0"
CONTENT_TYPE = "avro/binary"


def _id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)


def server(view: StackView) -> dict:
    c = view.config.cluster
    s: dict = {
        "host": c.bootstrap_servers[0],
        "protocol": "kafka-secure" if c.tls else "kafka",
        "title": f"{view.label} brokers",
        "description": f"Stack `{view.name}` (environment `{view.environment}`). Bootstrap servers: {', '.join(c.bootstrap_servers)}.",
        "security": [{"$ref": "#/components/securitySchemes/" + ("mskIam" if view.iam else "scram")}],
        "tags": [{"name": f"env:{view.environment}"}, {"name": f"stack:{view.name}"}],
        "x-bootstrap-servers": list(c.bootstrap_servers),
    }
    reg = view.registry
    if reg.kind == "glue":
        s["bindings"] = {"kafka": {"schemaRegistryVendor": "aws-glue", "bindingVersion": KAFKA_BINDING}}
        s["x-schema-registry"] = reg.name or ""
    elif reg.kind == "confluent":
        binding = {"schemaRegistryVendor": "confluent", "bindingVersion": KAFKA_BINDING}
        if reg.url:
            binding["schemaRegistryUrl"] = reg.url
        s["bindings"] = {"kafka": binding}
    return s


def security_schemes(cat: Catalog) -> dict:
    out = {}
    regions = sorted({v.region for v in cat.stacks if v.iam})
    if regions:
        out["mskIam"] = {
            "type": "oauth2",
            "description": "AWS MSK IAM over SASL_SSL: SASL/OAUTHBEARER (aws-msk-iam-sasl-signer) or AWS_MSK_IAM "
                           "(software.amazon.msk.auth.iam.IAMLoginModule), assuming the application's generated role; "
                           f"STS region {', '.join(regions)}. Brokers listen on port 9098.",
            "flows": {},
            "x-sasl-mechanism": "OAUTHBEARER",
            "x-sts-region": regions[0],
        }
    if any(not v.iam for v in cat.stacks):
        out["scram"] = {"type": "scramSha512", "description": "SASL/SCRAM-SHA-512, one user per application (`eventbus credentials <team>/<application>`)."}
    return out


_JSON_TYPES = {"null": {"type": "null"}, "boolean": {"type": "boolean"}, "int": {"type": "integer", "format": "int32"},
               "long": {"type": "integer", "format": "int64"}, "float": {"type": "number", "format": "float"},
               "double": {"type": "number", "format": "double"}, "bytes": {"type": "string", "format": "binary"},
               "string": {"type": "string"}}


def avro_to_json_schema(t, names: dict | None = None, depth: int = 0) -> dict:
    """The JSON Schema shape of an Avro type (for places AsyncAPI wants its own schema format)."""
    names = {} if names is None else names
    if depth > 32:
        return {}
    if isinstance(t, str):
        if t in _JSON_TYPES:
            return dict(_JSON_TYPES[t])
        return avro_to_json_schema(names[t], names, depth + 1) if t in names else {"description": f"Avro type {t}"}
    if isinstance(t, list):
        return {"oneOf": [avro_to_json_schema(b, names, depth + 1) for b in t]}
    if not isinstance(t, dict):
        return {}
    kind = t.get("type")
    out: dict
    if isinstance(kind, (dict, list)):
        out = avro_to_json_schema(kind, names, depth + 1)
    elif kind in ("record", "error"):
        names[str(t.get("name"))] = t
        out = {"type": "object", "title": str(t.get("name")), "required": [f["name"] for f in t.get("fields") or [] if isinstance(f, dict) and "default" not in f],
               "properties": {f["name"]: {**avro_to_json_schema(f.get("type"), names, depth + 1), **({"description": f["doc"]} if isinstance(f.get("doc"), str) else {})}
                              for f in t.get("fields") or [] if isinstance(f, dict) and isinstance(f.get("name"), str)}}
    elif kind == "enum":
        names[str(t.get("name"))] = t
        out = {"type": "string", "enum": list(t.get("symbols") or [])}
    elif kind == "array":
        out = {"type": "array", "items": avro_to_json_schema(t.get("items"), names, depth + 1)}
    elif kind == "map":
        out = {"type": "object", "additionalProperties": avro_to_json_schema(t.get("values"), names, depth + 1)}
    elif kind == "fixed":
        names[str(t.get("name"))] = t
        out = {"type": "string", "format": "binary", "maxLength": t.get("size"), "minLength": t.get("size")}
    else:
        out = avro_to_json_schema(kind, names, depth + 1) if isinstance(kind, str) else {}
    if t.get("logicalType"):
        out["x-avro-logical-type"] = t["logicalType"]
    if isinstance(t.get("doc"), str) and "description" not in out:
        out["description"] = t["doc"]
    return out


def message(info: EventView) -> tuple[str, dict, dict]:
    """(message id, message object, component schemas it references)."""
    e = info.event
    mid = info.slug
    latest = info.latest
    schemas: dict = {}
    msg: dict = {
        "name": (latest.version.schema or {}).get("name", mid) if latest and isinstance(latest.version.schema, dict) else mid,
        "title": e.title,
        "summary": e.summary,
        "contentType": CONTENT_TYPE,
    }
    if e.description:
        msg["description"] = e.description
    if latest is not None and latest.version.schema is not None:
        msg["payload"] = {"schemaFormat": AVRO, "schema": latest.version.schema}
    binding: dict = {"schemaIdLocation": "payload", "schemaLookupStrategy": "TopicNameStrategy", "bindingVersion": KAFKA_BINDING}
    if e.key_schema is not None and e.key_schema.schema is not None:
        # the binding's `key` must be an AsyncAPI (JSON Schema) schema: the official JSON Schema refuses a
        # $ref there (it matches both branches of its oneOf), so the key is translated inline and the Avro
        # original is kept in components.schemas and pointed to by an extension
        key_id = f"{mid}.key"
        schemas[key_id] = {"schemaFormat": AVRO, "schema": e.key_schema.schema}
        binding = {"key": avro_to_json_schema(e.key_schema.schema), **binding, "x-key-avro-schema": {"$ref": f"#/components/schemas/{key_id}"}}
    msg["bindings"] = {"kafka": binding}
    tags = list(dict.fromkeys(e.tags))
    if tags:
        msg["tags"] = [{"name": t} for t in tags]
    if e.examples:
        msg["examples"] = [{"name": ex.path.rsplit("/", 1)[-1].removesuffix(".json"), "payload": ex.payload} for ex in e.examples]
    msg["x-eventbus"] = {
        "ref": e.ref,
        "owner": e.owner,
        "lifecycle": e.lifecycle,
        "classification": e.classification,
        "bipSourced": e.bip_sourced,
        "compatibility": e.compatibility,
        "schemaVersion": latest.number if latest else 0,
    }
    return mid, msg, schemas


def _channel(view: StackView, info: EventView, mid: str) -> tuple[str, dict] | None:
    t = view.topic(info.ref)
    if t is None:
        return None
    cfg = t.config_dict
    topic_cfg: dict = {"cleanup.policy": [p.strip() for p in cfg.get("cleanup.policy", "delete").split(",") if p.strip()]}
    for k in ("retention.ms", "max.message.bytes", "min.insync.replicas"):
        if k in cfg:
            topic_cfg[k] = int(cfg[k])
    cid = _id(f"{view.name}.{t.name}")
    return cid, {
        "address": t.name,
        "title": f"{info.event.title} ({view.label})",
        "summary": info.event.summary,
        "messages": {mid: {"$ref": f"#/components/messages/{mid}"}},
        "servers": [{"$ref": f"#/servers/{_id(view.name)}"}],
        "bindings": {"kafka": {"topic": t.name, "partitions": t.partitions, "replicas": t.replication_factor,
                               "topicConfiguration": topic_cfg, "bindingVersion": KAFKA_BINDING}},
    }


def _operations(view: StackView, info: EventView, cid: str, mid: str) -> dict:
    t = view.topic(info.ref)
    purposes = {c.ref: s.purpose for c, s in info.subscribers}
    ops: dict = {}
    # no `messages` list: the channel carries one message, which an operation without the list means
    ref = {"channel": {"$ref": f"#/channels/{cid}"}}
    for a in view.writers(t.name):
        op = {"action": "send", **ref, "x-application": a.ref}
        arn = view.role_arn(a.ref)
        if arn:
            op["x-role-arn"] = arn
        ops[_id(f"{view.name}.{a.team}.{a.application}.send.{t.name}")] = op
    for a in view.readers(t.name):
        group: dict = {"type": "string"}
        if a.group_prefix:
            group["pattern"] = "^" + re.escape(a.group or "")
        else:
            group["enum"] = [a.group]
        op = {"action": "receive", **ref, "x-application": a.ref, "bindings": {"kafka": {"groupId": group, "bindingVersion": KAFKA_BINDING}}}
        if purposes.get(a.ref):
            op["description"] = purposes[a.ref]
        arn = view.role_arn(a.ref)
        if arn:
            op["x-role-arn"] = arn
        ops[_id(f"{view.name}.{a.team}.{a.application}.receive.{t.name}")] = op
    return ops


def _contact(cat: Catalog, owner: str) -> dict | None:
    team = cat.teams.get(owner)
    if team is None:
        return None
    c: dict = {"name": team.name}
    email = next((x.email for x in team.contacts if x.email), None)
    if email:
        c["email"] = email
    return c


def event_parts(cat: Catalog, info: EventView) -> tuple[dict, dict, dict, dict]:
    """(messages, schemas, channels, operations) of one event on every stack: the pieces of both documents."""
    mid, msg, schemas = message(info)
    channels: dict = {}
    operations: dict = {}
    for view in cat.stacks:
        got = _channel(view, info, mid)
        if got is None:
            continue
        cid, ch = got
        channels[cid] = ch
        operations.update(_operations(view, info, cid, mid))
    return {mid: msg}, schemas, channels, operations


def _assemble(cat: Catalog, parts: list[tuple[dict, dict, dict, dict]], info_block: dict, doc_id: str) -> dict:
    channels: dict = {}
    operations: dict = {}
    messages: dict = {}
    schemas: dict = {}
    for m, s, c, o in parts:
        messages.update(m)
        schemas.update(s)
        channels.update(c)
        operations.update(o)
    doc: dict = {
        "asyncapi": ASYNCAPI,
        "id": doc_id,
        "info": info_block,
        "servers": {_id(v.name): server(v) for v in cat.stacks},
        "defaultContentType": CONTENT_TYPE,
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "securitySchemes": security_schemes(cat)},
    }
    if schemas:
        doc["components"]["schemas"] = schemas
    return doc


def _event_info(cat: Catalog, info: EventView) -> dict:
    e = info.event
    info_block: dict = {
        "title": e.title,
        "version": str(info.latest.number if info.latest else 0),
        "description": e.summary + ("\n\n" + e.description if e.description else ""),
    }
    contact = _contact(cat, e.owner)
    if contact:
        info_block["contact"] = contact
    if e.tags:
        info_block["tags"] = [{"name": t} for t in dict.fromkeys(e.tags)]
    return info_block


def _event_id(info: EventView) -> str:
    return f"urn:eventbus:event:{info.event.domain}:{info.event.name}"


def event_document(cat: Catalog, info: EventView, parts: tuple | None = None) -> dict:
    return _assemble(cat, [parts if parts is not None else event_parts(cat, info)], _event_info(cat, info), _event_id(info))


def _bus_info(cat: Catalog) -> dict:
    digest = hashlib.sha256("\n".join(f"{i.ref}:{i.latest.version.digest if i.latest else ''}" for i in cat.events).encode()).hexdigest()[:12]
    return {
        "title": "VA Enterprise Event Bus",
        "version": f"{len(cat.events)}-events-{digest}",
        "description": "Every event of the Enterprise Event Bus (Kafka on AWS MSK, Avro), with its topic on every stack, "
                       "its producers and consumers. Generated by `eventbus catalog build` from the registry.",
    }


def bus_document(cat: Catalog, parts: dict | None = None) -> dict:
    """The whole bus; ``parts`` (event ref -> :func:`event_parts`) reuses pieces already built for the event documents."""
    parts = parts or {}
    return _assemble(cat, [parts.get(i.ref) or event_parts(cat, i) for i in cat.events], _bus_info(cat), "urn:eventbus:bus")


def _compact(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def part_texts(parts: tuple[dict, dict, dict, dict]) -> tuple[tuple[str, ...], ...]:
    """An event's (messages, schemas, channels, operations) as compact JSON members: per part, its keys and then the
    text of its members without the braces (``"a":1,"b":2``)."""
    return tuple((*p, _compact(p)[1:-1]) for p in parts)


def joined_json(cat: Catalog, texts: list[tuple[tuple[str, ...], ...]], info_block: dict, doc_id: str) -> str | None:
    """The compact JSON of the document :func:`_assemble` makes of these events' parts, put together from their
    :func:`part_texts` (in order): the same text, since an object's compact JSON is its members' joined by commas.
    None when two events have a member of the same name (the document then holds the last one in the first one's place)."""
    joined = []
    for k in range(4):
        names = [n for t in texts for n in t[k][:-1]]
        if len(set(names)) != len(names):
            return None
        joined.append(",".join(t[k][-1] for t in texts if len(t[k]) > 1))
    messages, schemas, channels, operations = joined
    head = {"asyncapi": ASYNCAPI, "id": doc_id, "info": info_block, "servers": {_id(v.name): server(v) for v in cat.stacks},
            "defaultContentType": CONTENT_TYPE}
    out = [_compact(head)[:-1], ',"channels":{', channels, '},"operations":{', operations, '},"components":{"messages":{', messages,
           '},"securitySchemes":', _compact(security_schemes(cat))]
    if schemas:
        out += [',"schemas":{', schemas, "}"]
    out.append("}}")
    return "".join(out)


def bus_json(cat: Catalog, texts: list[tuple[tuple[str, ...], ...]]) -> str | None:
    """The compact JSON of :func:`bus_document` from every event's :func:`part_texts` (in ``cat.events`` order), or None
    (see :func:`joined_json`)."""
    return joined_json(cat, texts, _bus_info(cat), "urn:eventbus:bus")


def event_json(cat: Catalog, info: EventView, texts: tuple[tuple[str, ...], ...]) -> str | None:
    """The compact JSON of :func:`event_document` from the event's :func:`part_texts`, or None (see :func:`joined_json`)."""
    return joined_json(cat, [texts], _event_info(cat, info), _event_id(info))


class AsyncApiExporter(Exporter):
    """``asyncapi/events/<domain>/<event>.json`` per event and ``asyncapi/eventbus.json`` for the whole bus."""

    name = "asyncapi"
    events_in_main = True  # the bus document is assembled from the per-event parts
    INDENT_LIMIT = 200  # above this many events the documents are written compact (the C encoder: ~10x faster)

    def __init__(self, cat: Catalog):
        super().__init__(cat)
        self.parts: dict[str, tuple] = {}
        self.texts: dict[str, tuple] = {}  # event ref -> part_texts: this build's, or the last build's of the events it keeps
        self.indent = 1 if len(cat.events) <= self.INDENT_LIMIT else None

    def _json(self, value) -> str:
        if self.indent is None:
            return _compact(value)
        return json.dumps(value, indent=self.indent, ensure_ascii=False)

    def event_files(self, info: EventView) -> Iterable[File]:
        parts = event_parts(self.cat, info)
        if self.indent is None:  # one encoding of the parts for both documents
            texts = self.texts[info.ref] = part_texts(parts)
            text = event_json(self.cat, info, texts)
            if text is not None:
                yield info.asyncapi_path, text
                return
        self.parts[info.ref] = parts  # reused by the bus document when rendered in this process
        yield info.asyncapi_path, self._json(event_document(self.cat, info, parts))

    def _texts(self, ref: str):
        got = self.texts.get(ref)
        if got is None:
            parts = self.parts.get(ref) or event_parts(self.cat, self.cat.events_by_ref[ref])
            got = self.texts[ref] = part_texts(parts)
        return got

    def whole(self) -> Iterable[File]:
        if self.indent is None:
            text = bus_json(self.cat, [self._texts(i.ref) for i in self.cat.events])
            if text is not None:
                yield "asyncapi/eventbus.json", text
                return
        yield "asyncapi/eventbus.json", self._json(bus_document(self.cat, self.parts))

    def pieces(self) -> dict[str, object]:
        """Compact documents only: each event's :func:`part_texts` (an indented document is small enough to build whole)."""
        if self.indent is not None:
            return {}
        return {i.ref: self._texts(i.ref) for i in self.cat.events}

    def reuse(self, pieces: dict[str, object], events: set[str], apps: set[str]) -> None:
        if self.indent is not None:
            return
        for ref, t in pieces.items():
            if (ref not in events and ref in self.cat.events_by_ref and isinstance(t, tuple) and len(t) == 4
                    and all(isinstance(p, tuple) and p and all(type(x) is str for x in p) for p in t)):
                self.texts.setdefault(ref, t)
