"""Avro schemas as readable field tables, and field-level diffs between versions.

Built on the walkers of :mod:`eventbus.avro.schema` (``iter_fields`` expands
nested records, arrays, maps and union branches once each); this module only
adds what a reader needs: a type label with named types resolved, whether a
value can be null, the default, the logical type and the enum symbols.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from eventbus.avro.schema import PRIMITIVES, fullname, iter_fields, named_types, type_label


@dataclass(frozen=True, slots=True)
class FieldRow:
    path: str  # dotted path: "context.qualifiers[].value"
    name: str
    depth: int  # 0 for top-level fields
    type: str  # human label, named types resolved: "enum Status", "null | string"
    required: bool  # the value can never be null
    default: str | None  # JSON text of the default; None when the field has none
    logical: str  # logical type(s), "" when none
    doc: str
    symbols: tuple[str, ...]  # enum symbols (of the field's enum type or enum union branch)
    parent: str  # short name of the enclosing record

    @property
    def signature(self) -> tuple:
        """What a consumer's code depends on (the doc aside)."""
        return (self.type, self.required, self.default, self.logical, self.symbols)


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
    out = [str(b["logicalType"]) for b in branches if isinstance(b, dict) and b.get("logicalType")]
    return ", ".join(dict.fromkeys(out))


def _symbols(branches: list[Any]) -> tuple[str, ...]:
    for b in branches:
        if isinstance(b, dict) and b.get("type") == "enum":
            return tuple(str(s) for s in b.get("symbols") or ())
    return ()


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


_SIMPLE: dict[Any, tuple[str, bool, str, tuple]] = {}  # primitive type / union of primitives -> (label, required, logical, symbols)


def _type_info(t: Any, names: dict[str, dict], ns: str | None) -> tuple[str, bool, str, tuple]:
    """(type label, required, logical type, enum symbols) of a field type; primitives and unions of them are cached."""
    key = _key(t)
    if key is not None:
        got = _SIMPLE.get(key)
        if got is None:
            branches = _branches(t, {}, None)
            got = _SIMPLE[key] = (_label(t, {}, None), not _nullable(branches), _logical(branches), ())
        return got
    branches = _branches(t, names, ns)
    return _label(t, names, ns), not _nullable(branches), _logical(branches), _symbols(branches)


def _key(t: Any) -> Any:
    """A hashable key for types that need no named-type resolution: primitives, primitive dicts
    (``{"type": "long", "logicalType": "timestamp-millis"}``) and unions of those; None otherwise."""
    if isinstance(t, str):
        return t if t in PRIMITIVES else None
    if isinstance(t, dict):
        kind = t.get("type")
        if isinstance(kind, str) and kind in PRIMITIVES and all(isinstance(v, (str, int)) for v in t.values()):
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


def field_rows(schema: Any) -> list[FieldRow]:
    """One row per field, nested records (also inside arrays, maps and unions) expanded under their parent."""
    if not isinstance(schema, (dict, list, str)):
        return []
    if isinstance(schema, dict) and schema.get("type") in ("record", "error"):
        rows = []
        names: dict[str, dict] = _LazyNames(schema)
        for f in iter_fields(schema):
            rec = f.record
            dot = rec.rfind(".")
            ns = rec[:dot] if dot >= 0 else None
            label, required, logical, symbols = _type_info(f.type, names, ns)
            path = f.path
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
                )
            )
        return rows
    # a non-record schema (typically a primitive key): one row describing the whole value
    names = named_types(schema)
    ns = schema.get("namespace") if isinstance(schema, dict) else None
    label, required, logical, symbols = _type_info(schema, names, ns)
    doc = schema.get("doc", "") if isinstance(schema, dict) else ""
    return [FieldRow("(key)", "(whole key)", 0, label, required, None, logical, doc if isinstance(doc, str) else "", symbols, "")]


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
            out.append(Change("changed", path, "; ".join(details)))
        elif o.doc != r.doc:
            out.append(Change("doc", path, "documentation edited"))
    for path, o in before.items():
        if path not in after:
            out.append(Change("removed", path, _describe(o)))
    return out
