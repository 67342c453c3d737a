"""Avro schemas as readable field tables, and field-level diffs between versions.

Built on the walkers of :mod:`eventbus.avro.schema` (``iter_fields`` expands
nested records, arrays, maps and union branches once each); this module only
adds what a reader needs: a type label with named types resolved, whether a
value can be null, the default, the logical type (with a decimal's precision
and scale), a fixed type's size, the enum symbols with the enum's default, doc
and aliases, field aliases, sort order and any custom property the raw schema
carries. Nothing the ``.avsc`` says about a field is left out.

Each row carries its dotted ``path`` (the field's anchor on the page) and two
slots filled by later features: ``badges`` (per-field classification) and
``readers`` (applications that declare they read the field); both are empty
today.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from eventbus.avro.schema import PRIMITIVES, fullname, iter_fields, named_types, type_label

# keys the Avro specification defines; anything else on a type or a field is a custom property
_TYPE_KEYS = {"type", "name", "namespace", "doc", "aliases", "fields", "symbols", "default", "items", "values", "size", "logicalType",
              "precision", "scale"}
_FIELD_KEYS = {"name", "type", "doc", "default", "aliases", "order"}


class FieldRow(NamedTuple):
    """One row of a field table. A tuple: tens of thousands are read back from the rows cache per build, and
    building a tuple is a tenth of the cost of a frozen dataclass's ``__init__``."""

    path: str  # dotted path: "context.qualifiers[].value"
    name: str
    depth: int  # 0 for top-level fields
    type: str  # human label, named types resolved: "enum Status", "null | string"
    required: bool  # the value can never be null
    default: str | None  # JSON text of the default; None when the field has none
    logical: str  # logical type(s) with their parameters ("decimal(10, 2)"), "" when none
    doc: str
    symbols: tuple[str, ...]  # enum symbols (of the field's enum type or enum union branch)
    parent: str  # short name of the enclosing record
    details: tuple[tuple[str, str], ...] = ()  # every other fact of the raw schema: ("size", "16 bytes"), ("aliases", "a, b"), …
    badges: tuple[str, ...] = ()  # per-field classification (a later feature fills it)
    readers: tuple[str, ...] = ()  # "<team>/<app>" declaring they read this field (later)
    children: int = 0  # rows nested under this one

    @property
    def signature(self) -> tuple:
        """What a consumer's code depends on (the doc aside)."""
        return (self.type, self.required, self.default, self.logical, self.symbols, self.details)

    @property
    def anchor(self) -> str:
        return field_anchor(self.path)

    @property
    def parent_path(self) -> str:
        """Dotted path of the row this one is nested under ("" at the top)."""
        i = self.path.rfind(".")
        if i < 0:
            return ""
        p = self.path[:i]
        while p.endswith(("[]", "{}")):
            p = p[:-2]
        return p


_ANCHOR = re.compile(r"[^A-Za-z0-9_.~-]+")


def field_anchor(path: str) -> str:
    """The HTML id of a field row: ``f-context.qualifiers--value`` (stable, readable, no characters that need escaping)."""
    return "f-" + _ANCHOR.sub("-", path.replace("[]", "--").replace("{}", "~"))


@dataclass(frozen=True, slots=True)
class RecordInfo:
    """The schema's top-level type: what a reader's code generator names it."""

    kind: str  # record | enum | string | ...
    name: str  # short name ("" for a primitive)
    namespace: str
    fullname: str
    doc: str
    aliases: tuple[str, ...]
    props: tuple[tuple[str, str], ...]


def record_info(schema: Any) -> RecordInfo | None:
    if isinstance(schema, str):
        return RecordInfo(schema, "", "", "", "", (), ())
    if not isinstance(schema, dict):
        return None
    kind = schema.get("type")
    if not isinstance(kind, str):
        return None
    name = schema.get("name") if isinstance(schema.get("name"), str) else ""
    ns = schema.get("namespace") if isinstance(schema.get("namespace"), str) else ""
    full = fullname(name, ns or None) if name else ""
    if "." in full:
        ns = full.rsplit(".", 1)[0]
    doc = schema.get("doc") if isinstance(schema.get("doc"), str) else ""
    return RecordInfo(kind, full.rsplit(".", 1)[-1] if full else "", ns, full, doc, _strs(schema.get("aliases")), _props(schema, _TYPE_KEYS))


def _strs(v: Any) -> tuple[str, ...]:
    return tuple(str(x) for x in v) if isinstance(v, list) else ()


def _json(v: Any) -> str:
    return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, separators=(", ", ": "))


def _props(d: dict, known: set[str]) -> tuple[tuple[str, str], ...]:
    return tuple((str(k), _json(v)) for k, v in d.items() if k not in known)


def _short(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _resolve(t: Any, names: dict[str, dict], ns: str | None) -> Any:
    if isinstance(t, str) and t not in PRIMITIVES:
        return names.get(fullname(t, ns)) or names.get(t) or t
    if isinstance(t, dict) and isinstance(t.get("type"), (dict, list)) and not t.get("name"):
        return t["type"]
    return t


def _label(t: Any, names: dict[str, dict], ns: str | None, depth: int = 0) -> str:
    """type_label, with references to named types shown with their kind (``enum Status``)."""
    if depth > 16:
        return "…"
    if isinstance(t, str) and t not in PRIMITIVES:
        r = names.get(fullname(t, ns)) or names.get(t)
        if isinstance(r, dict):
            return f"{r.get('type')} {_short(t)}"
        return _short(t)
    if isinstance(t, list):
        return " | ".join(_label(b, names, ns, depth + 1) for b in t)
    if isinstance(t, dict):
        kind = t.get("type")
        if isinstance(kind, (dict, list)):
            return _label(kind, names, ns, depth + 1)
        if kind == "array":
            return f"array<{_label(t.get('items'), names, ns, depth + 1)}>"
        if kind == "map":
            return f"map<{_label(t.get('values'), names, ns, depth + 1)}>"
        if t.get("logicalType"):
            return str(kind)
        return type_label(t)
    return type_label(t)


def _branches(t: Any, names: dict[str, dict], ns: str | None) -> list[Any]:
    t = _resolve(t, names, ns)
    if isinstance(t, list):
        return [_resolve(b, names, ns) for b in t]
    return [t]


def _nullable(branches: list[Any]) -> bool:
    return any(b == "null" or (isinstance(b, dict) and b.get("type") == "null") for b in branches)


def _logical(branches: list[Any]) -> str:
    out = []
    for b in branches:
        if isinstance(b, dict) and b.get("logicalType"):
            lt = str(b["logicalType"])
            if lt == "decimal":
                lt = f"decimal({b.get('precision', '?')}, {b.get('scale', 0)})"
            out.append(lt)
    return ", ".join(dict.fromkeys(out))


def _symbols(branches: list[Any]) -> tuple[str, ...]:
    for b in branches:
        if isinstance(b, dict) and b.get("type") == "enum":
            return tuple(str(s) for s in b.get("symbols") or ())
    return ()


def _type_details(branches: list[Any], names: dict[str, dict], ns: str | None) -> list[tuple[str, str]]:
    """Facts of the field's type(s) beyond the label: fixed sizes, enum default/doc/aliases, named types' full names,
    array items / map values that are themselves named, and custom properties."""
    out: list[tuple[str, str]] = []
    for b in branches:
        if not isinstance(b, dict):
            continue
        kind = b.get("type")
        if kind in ("array", "map"):
            inner = _resolve(b.get("items" if kind == "array" else "values"), names, ns)
            if isinstance(inner, dict) and inner.get("type") in ("enum", "fixed"):
                out += _type_details([inner], names, ns)
            continue
        if kind in ("record", "error", "enum", "fixed") and isinstance(b.get("name"), str):
            full = fullname(b["name"], b.get("namespace", ns))
            if "." in full:
                out.append((f"{kind} full name", full))
        if kind == "fixed":
            out.append(("size", f"{b.get('size')} bytes"))
        if kind == "enum":
            if "default" in b:
                out.append(("enum default", _json(b["default"])))
            if isinstance(b.get("doc"), str) and b["doc"]:
                out.append(("enum doc", b["doc"]))
        if b.get("aliases"):
            out.append((f"{kind} aliases", ", ".join(_strs(b.get("aliases")))))
        for k, v in _props(b, _TYPE_KEYS):
            out.append((k, v))
    return out


class _LazyNames(dict):
    """``named_types(schema)``, computed on the first lookup (most fields only use primitive types)."""

    def __init__(self, schema: Any):
        super().__init__()
        self._schema = schema
        self._done = False

    def _fill(self) -> None:
        if not self._done:
            self._done = True
            self.update(named_types(self._schema))

    def get(self, key, default=None):
        self._fill()
        return super().get(key, default)


_SIMPLE: dict[Any, tuple] = {}  # primitive type / union of primitives -> (label, required, logical, symbols, details)


def _type_info(t: Any, names: dict[str, dict], ns: str | None) -> tuple[str, bool, str, tuple, tuple]:
    """(type label, required, logical type, enum symbols, details) of a field type; primitives and unions of them are cached."""
    key = _key(t)
    if key is not None:
        got = _SIMPLE.get(key)
        if got is None:
            branches = _branches(t, {}, None)
            got = _SIMPLE[key] = (_label(t, {}, None), not _nullable(branches), _logical(branches), (),
                                  tuple(_type_details(branches, {}, None)))
        return got
    branches = _branches(t, names, ns)
    return _label(t, names, ns), not _nullable(branches), _logical(branches), _symbols(branches), tuple(_type_details(branches, names, ns))


def _key(t: Any) -> Any:
    """A hashable key for types that need no named-type resolution: primitives, primitive dicts
    (``{"type": "long", "logicalType": "timestamp-millis"}``) and unions of those; None otherwise."""
    if isinstance(t, str):
        return t if t in PRIMITIVES else None
    if isinstance(t, dict):
        kind = t.get("type")
        if isinstance(kind, str) and kind in PRIMITIVES and all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in t.values()):
            return tuple(sorted((k, v) for k, v in t.items() if k != "doc"))
        return None
    if isinstance(t, list):
        parts = []
        for b in t:
            k = _key(b)
            if k is None:
                return None
            parts.append(k)
        return ("|", *parts)
    return None


def _default_text(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _field_details(raw: dict | None) -> list[tuple[str, str]]:
    if not isinstance(raw, dict):
        return []
    out = []
    if raw.get("aliases"):
        out.append(("aliases", ", ".join(_strs(raw.get("aliases")))))
    if raw.get("order") not in (None, "ascending"):
        out.append(("order", str(raw.get("order"))))
    out += _props(raw, _FIELD_KEYS)
    return out


def _raw_fields(schema: Any) -> dict[tuple[str, str], dict]:
    """(record full name, field name) -> the field's raw JSON, for the facts ``iter_fields`` does not carry."""
    out: dict[tuple[str, str], dict] = {}
    for full, t in named_types(schema).items():
        if isinstance(t, dict) and t.get("type") in ("record", "error"):
            for f in t.get("fields") or []:
                if isinstance(f, dict) and isinstance(f.get("name"), str):
                    out[(full, f["name"])] = f
    return out


def field_rows(schema: Any) -> list[FieldRow]:
    """One row per field, nested records (also inside arrays, maps and unions) expanded under their parent."""
    if not isinstance(schema, (dict, list, str)):
        return []
    if isinstance(schema, dict) and schema.get("type") in ("record", "error"):
        rows: list[FieldRow] = []
        names: dict[str, dict] = _LazyNames(schema)
        raw: dict | None = None
        for f in iter_fields(schema):
            rec = f.record
            dot = rec.rfind(".")
            ns = rec[:dot] if dot >= 0 else None
            label, required, logical, symbols, tdetails = _type_info(f.type, names, ns)
            path = f.path
            details = tdetails
            if raw is None:
                raw = _raw_fields(schema) if _has_field_extras(schema) else {}
            if raw:
                extra = _field_details(raw.get((rec, f.name)))
                if extra:
                    details = tuple(extra) + tdetails
            rows.append(
                FieldRow(
                    path=path,
                    name=f.name,
                    depth=path.count("."),
                    type=label,
                    required=required,
                    default=_default_text(f.default) if f.has_default else None,
                    logical=logical,
                    doc=f.doc if isinstance(f.doc, str) else "",
                    symbols=symbols,
                    parent=rec[dot + 1:],
                    details=details,
                )
            )
        return _count_children(rows)
    # a non-record schema (typically a primitive key): one row describing the whole value
    names = named_types(schema)
    ns = schema.get("namespace") if isinstance(schema, dict) else None
    label, required, logical, symbols, details = _type_info(schema, names, ns)
    doc = schema.get("doc", "") if isinstance(schema, dict) else ""
    return [FieldRow("(key)", "(whole key)", 0, label, required, None, logical, doc if isinstance(doc, str) else "", symbols, "", details)]


def _has_field_extras(schema: dict) -> bool:
    """Whether any field anywhere has aliases, an order or a custom property (cheap text-free check of the JSON)."""
    stack = [schema]
    seen = 0
    while stack and seen < 100_000:
        seen += 1
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            if node.get("type") in ("record", "error"):
                for f in node.get("fields") or []:
                    if isinstance(f, dict):
                        if any(k not in ("name", "type", "doc", "default") for k in f):
                            return True
                        stack.append(f.get("type"))
            else:
                for k in ("type", "items", "values"):
                    v = node.get(k)
                    if isinstance(v, (dict, list)):
                        stack.append(v)
    return False


def _count_children(rows: list[FieldRow]) -> list[FieldRow]:
    """Set ``children`` (the number of rows nested under each row) so the table can collapse them."""
    counts = [0] * len(rows)
    stack: list[int] = []
    for i, r in enumerate(rows):
        while stack and rows[stack[-1]].depth >= r.depth:
            stack.pop()
        for j in stack:
            counts[j] += 1
        stack.append(i)
    if not any(counts):
        return rows
    return [r._replace(children=n) if n else r for r, n in zip(rows, counts, strict=True)]


def field_names(rows: list[FieldRow]) -> list[str]:
    """Searchable names: each field's name, and its full path when nested."""
    out: dict[str, None] = {}
    for r in rows:
        if r.path == "(key)":
            continue
        out[r.name] = None
        if r.depth:
            out[r.path] = None
    return list(out)


@dataclass(frozen=True, slots=True)
class Change:
    kind: str  # added | removed | changed | doc
    path: str
    detail: str
    breaking: tuple[str, ...] = ()  # who it breaks, in words ("" = safe); filled by eventbus.catalog.versions
    readers: tuple[str, ...] = ()  # applications that declare they read this field (a later feature)

    @property
    def anchor(self) -> str:
        return field_anchor(self.path)


def _describe(r: FieldRow) -> str:
    parts = [r.type]
    if r.logical:
        parts.append(f"({r.logical})")
    parts.append("required" if r.required else "nullable")
    if r.default is not None:
        parts.append(f"default {r.default}")
    return " ".join(parts)


def diff_rows(old: list[FieldRow], new: list[FieldRow]) -> list[Change]:
    """Field-level changes from ``old`` to ``new``: added, removed, type/default/symbol changes, doc edits."""
    before = {r.path: r for r in old}
    after = {r.path: r for r in new}
    out: list[Change] = []
    for path, r in after.items():
        o = before.get(path)
        if o is None:
            out.append(Change("added", path, _describe(r)))
            continue
        if o.signature != r.signature:
            details = []
            if o.type != r.type or o.logical != r.logical:
                details.append(f"type {o.type}{f' ({o.logical})' if o.logical else ''} → {r.type}{f' ({r.logical})' if r.logical else ''}")
            if o.required != r.required:
                details.append("now required" if r.required else "now nullable")
            if o.default != r.default:
                details.append(f"default {o.default if o.default is not None else 'none'} → {r.default if r.default is not None else 'none'}")
            if o.symbols != r.symbols:
                added = [s for s in r.symbols if s not in o.symbols]
                removed = [s for s in o.symbols if s not in r.symbols]
                if added:
                    details.append("symbols added: " + ", ".join(added))
                if removed:
                    details.append("symbols removed: " + ", ".join(removed))
                if not added and not removed:
                    details.append("symbols reordered")
            if o.details != r.details:
                od, nd = dict(o.details), dict(r.details)
                for k in dict.fromkeys([*od, *nd]):
                    if od.get(k) != nd.get(k):
                        details.append(f"{k} {od.get(k, 'none')} → {nd.get(k, 'none')}")
            out.append(Change("changed", path, "; ".join(details)))
        elif o.doc != r.doc:
            out.append(Change("doc", path, "documentation edited"))
    for path, o in before.items():
        if path not in after:
            out.append(Change("removed", path, _describe(o)))
    return out
