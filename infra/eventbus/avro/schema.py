"""Avro schemas for the rules and the catalog: parsing (``parse_text``) and the one JSON walker.

``parse_text`` parses as the Schema Registry does (:mod:`eventbus.avro.parser`, cached by
content). The walker (``named_types``, ``iter_fields``, ``type_label``, ``default_problem``)
reads the JSON form of a schema with the same name rules, survives any JSON (the catalog also
shows files the gate refused), and gives every field a stable dotted path with its type and
properties (``FieldInfo``), so two versions can be compared field by field (``field_map``).
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from eventbus.avro.parser import NAMED, PRIMITIVES, AvroError, PolicyError, parse_text

__all__ = [
    "AvroError", "PolicyError", "PRIMITIVES", "NAMED", "MAX_DEPTH", "FieldInfo", "parse_text", "fullname",
    "named_types", "resolve", "iter_fields", "field_map", "type_details", "default_problem", "type_label",
]

MAX_DEPTH = 64


def fullname(name: str, namespace: str | None) -> str:
    """Java's full name: a dotted name carries its namespace ("" or a leading dot: the null one)."""
    if not isinstance(name, str):
        return str(name)
    dot = name.rfind(".")
    if dot >= 0:
        space, simple = name[:dot], name[dot + 1 :]
        return f"{space}.{simple}" if space else simple
    return f"{namespace}.{name}" if isinstance(namespace, str) and namespace else name


def _space(schema: dict, enclosing: str | None) -> str | None:
    """The namespace a named type's definition gives its nested types."""
    ns = schema.get("namespace")
    fn = fullname(schema["name"], ns if isinstance(ns, str) else enclosing)
    return fn.rpartition(".")[0] or None


@dataclass(frozen=True)
class FieldInfo:
    path: str  # stable dotted path, e.g. "context.qualifiers[].value" ([] array items, {} map values)
    name: str
    type: Any  # the JSON type of the field
    doc: str | None
    has_default: bool
    default: Any
    record: str  # full name of the enclosing record
    aliases: tuple = ()
    order: str | None = None
    props: dict = field(default_factory=dict)  # custom properties of the field (e.g. "classification")
    depth: int = 0  # 0 for top-level fields

    @property
    def namespace(self) -> str | None:
        return self.record.rpartition(".")[0] or None


def named_types(schema: Any, namespace: str | None = None, out: dict | None = None, depth: int = 0) -> dict[str, dict]:
    """Full name -> JSON definition of every named type in a schema (the first definition of each)."""
    out = {} if out is None else out
    _index(schema, namespace, out, {}, depth)
    return out


def _index(schema: Any, namespace: str | None, out: dict, spaces: dict, depth: int) -> None:
    """named_types, also noting the enclosing namespace of each definition (id -> namespace)."""
    if depth > MAX_DEPTH:
        return
    if isinstance(schema, list):
        for s in schema:
            if s.__class__ is not str:  # a name or a primitive defines nothing
                _index(s, namespace, out, spaces, depth + 1)
    elif isinstance(schema, dict):
        t = schema.get("type")
        # ``t`` may be a dict or list in JSON the parser refused (the catalog walks such files too)
        if isinstance(t, str) and t in NAMED and isinstance(schema.get("name"), str):
            ns = schema.get("namespace")
            fn = fullname(schema["name"], ns if isinstance(ns, str) else namespace)
            if fn not in out:
                out[fn] = schema
                spaces[id(schema)] = namespace
            inner = fn.rpartition(".")[0] or None
            fields = schema.get("fields")
            for f in fields if isinstance(fields, list) else ():
                if isinstance(f, dict):
                    ft = f.get("type")
                    if ft.__class__ is not str:
                        _index(ft, inner, out, spaces, depth + 1)
        elif t in ("array", "map"):
            _index(schema.get("items" if t == "array" else "values"), namespace, out, spaces, depth + 1)
        elif isinstance(t, (dict, list)):
            _index(t, namespace, out, spaces, depth + 1)


def resolve(t: Any, names: dict[str, dict], namespace: str | None) -> Any:
    """A name's definition (looked up as namespace.name, then as written), else ``t`` itself."""
    if isinstance(t, str) and t not in PRIMITIVES:
        return names.get(fullname(t, namespace)) or names.get(t) or t
    if isinstance(t, dict) and isinstance(t.get("type"), (dict, list)) and not t.get("name"):
        return t["type"]
    return t


_FIELD_KEYS = frozenset({"name", "type", "doc", "default", "aliases", "order"})


def iter_fields(schema: Any, every_use: bool = False, limit: int | None = None) -> Iterator[FieldInfo]:
    """Every record field, nested ones included. Each named record is expanded once, at its first
    use; with ``every_use`` at every use instead (a field of a record type used in two places has
    a path under each), except inside itself (a recursive type ends where it repeats). ``limit``
    caps the number of fields yielded (reuse can make the expansion grow fast).

    The fields are collected in one walk (a list, not nested generators: about twice as fast)."""
    names: dict[str, dict] = {}
    spaces: dict[int, str | None] = {}
    _index(schema, None, names, spaces, 0)
    seen: set[str] = set()
    budget = limit if limit is not None else -1
    out: list[FieldInfo] = []
    append = out.append

    def walk(t: Any, prefix: str, namespace: str | None, depth: int, level: int, active: frozenset) -> None:
        nonlocal budget
        if depth > MAX_DEPTH or budget == 0:
            return
        t = resolve(t, names, namespace)
        if isinstance(t, list):
            for branch in t:
                walk(branch, prefix, namespace, depth + 1, level, active)
            return
        if not isinstance(t, dict):
            return
        kind = t.get("type")
        if kind in ("record", "error") and isinstance(t.get("name"), str):
            ns = t.get("namespace")
            fn = fullname(t["name"], ns if isinstance(ns, str) else spaces.get(id(t), namespace))
            if fn in (active if every_use else seen):
                return
            seen.add(fn)
            active = active | {fn}
            inner = fn.rpartition(".")[0] or None
            fields = t.get("fields")
            for f in fields if isinstance(fields, list) else ():
                if not isinstance(f, dict):
                    continue
                name = f.get("name")
                if not isinstance(name, str):
                    continue
                if budget == 0:
                    return
                budget -= 1
                path = f"{prefix}.{name}" if prefix else name
                aliases = f.get("aliases")
                order = f.get("order")
                ft = f.get("type")
                append(FieldInfo(
                    path, name, ft, f.get("doc"), "default" in f, f.get("default"), fn,
                    tuple(a for a in aliases if isinstance(a, str)) if isinstance(aliases, list) else (),
                    order if isinstance(order, str) else None,
                    {k: v for k, v in f.items() if k not in _FIELD_KEYS},
                    level,
                ))
                if not _leaf(ft):  # most fields hold no fields: no nested walk for them
                    walk(ft, path, inner, depth + 1, level + 1, active)
        elif kind == "array":
            walk(t.get("items"), prefix + "[]", namespace, depth + 1, level, active)
        elif kind == "map":
            walk(t.get("values"), prefix + "{}", namespace, depth + 1, level, active)

    walk(schema, "", None, 0, 0, frozenset())
    walk = None  # type: ignore[assignment]  # the recursive closure refers to itself: no cycle left per call
    return iter(out)


def _leaf(t: Any) -> bool:
    """Whether a field type certainly holds no fields: a primitive, a logical type on one, an enum,
    a fixed, or a union of those (a name may be a record: it is walked)."""
    if t.__class__ is str:
        return t in PRIMITIVES
    if isinstance(t, dict):
        kind = t.get("type")
        return isinstance(kind, str) and (kind in PRIMITIVES or kind in ("enum", "fixed"))
    if isinstance(t, list):
        for b in t:
            if b.__class__ is str:
                if b not in PRIMITIVES:
                    return False
            elif isinstance(b, list) or not _leaf(b):
                return False
        return True
    if isinstance(t, str):  # a str subclass
        return t in PRIMITIVES
    return True


_TYPE_FACTS = ("logicalType", "precision", "scale", "size", "symbols")


def type_details(t: Any, names: dict[str, dict], namespace: str | None, depth: int = 0) -> dict:
    """What a field's type promises, resolved through named types: ``{"type": label, "nullable",
    "logicalType", "precision", "scale", "size", "symbols", "enum_default", "name"}`` (keys only
    when they apply; a union merges its branches). Two versions of a field differ where these do."""
    out: dict = {"type": type_label(t), "nullable": False}
    if depth > MAX_DEPTH:
        return out
    r = resolve(t, names, namespace)
    branches = r if isinstance(r, list) else [r]
    for b in branches:
        b = resolve(b, names, namespace)
        if b == "null" or (isinstance(b, dict) and b.get("type") == "null"):
            out["nullable"] = True
        if not isinstance(b, dict):
            continue
        for k in _TYPE_FACTS:
            if k in b:
                out.setdefault(k, b[k])
        kind = b.get("type")
        if isinstance(kind, str) and kind in NAMED and isinstance(b.get("name"), str):  # a type may be a list or a dict in refused JSON
            ns = b.get("namespace")
            out.setdefault("name", fullname(b["name"], ns if isinstance(ns, str) else namespace))
        if b.get("type") == "enum" and "default" in b:
            out.setdefault("enum_default", b["default"])
    return out


def field_map(schema: Any) -> dict[str, FieldInfo]:
    """Dotted path -> field, for comparing two versions field by field (first occurrence of a path)."""
    out: dict[str, FieldInfo] = {}
    for f in iter_fields(schema):
        out.setdefault(f.path, f)
    return out


def default_problem(t: Any, value: Any, names: dict[str, dict], namespace: str | None, depth: int = 0) -> str | None:
    """Why ``value`` is not a valid default for Avro type ``t`` (None when it is)."""
    if depth > MAX_DEPTH:
        return "default nests too deeply"
    t = resolve(t, names, namespace)
    if isinstance(t, list):
        if not t:
            return "empty union"
        return default_problem(t[0], value, names, namespace, depth + 1) and (
            f"a union's default must match its first branch ({type_label(t[0])})"
        )
    kind = t.get("type") if isinstance(t, dict) else t
    if isinstance(kind, (dict, list)):
        return default_problem(kind, value, names, namespace, depth + 1)
    if not isinstance(t, dict) and kind in ("fixed", "enum", "array", "map", "record", "error"):
        # Fuzzing fix: a bare "record" (or "enum", ...) as a type name has no definition to check
        # against; t.get(...) below raised AttributeError on it.
        return f"'{kind}' is not a complete type"
    ok = True
    if kind == "null":
        ok = value is None
    elif kind == "boolean":
        ok = isinstance(value, bool)
    elif kind in ("int", "long"):
        bits = 31 if kind == "int" else 63
        ok = isinstance(value, int) and not isinstance(value, bool) and -(2**bits) <= value < 2**bits
    elif kind in ("float", "double"):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and (isinstance(value, int) or math.isfinite(value))
    elif kind in ("string", "bytes"):
        ok = isinstance(value, str)
    elif kind == "fixed":
        ok = isinstance(value, str) and len(value) == t.get("size")
    elif kind == "enum":
        ok = isinstance(value, str) and value in (t.get("symbols") or [])
    elif kind == "array":
        if not isinstance(value, list):
            ok = False
        else:
            for v in value:
                p = default_problem(t.get("items"), v, names, namespace, depth + 1)
                if p:
                    return p
    elif kind == "map":
        if not isinstance(value, dict):
            ok = False
        else:
            for v in value.values():
                p = default_problem(t.get("values"), v, names, namespace, depth + 1)
                if p:
                    return p
    elif kind in ("record", "error"):
        if not isinstance(value, dict):
            ok = False
        else:
            ns = fullname(str(t.get("name")), t.get("namespace", namespace)).rpartition(".")[0] or None
            for f in t.get("fields") or []:
                if not isinstance(f, dict):
                    continue
                if f.get("name") in value:
                    p = default_problem(f.get("type"), value[f["name"]], names, ns, depth + 1)
                    if p:
                        return p
                elif "default" not in f:
                    return f"record default lacks field '{f.get('name')}'"
    if not ok:
        return f"{json.dumps(value)[:60]} is not a valid {type_label(t)}"
    return None


def type_label(t: Any) -> str:
    """Short human label of an Avro type: 'string', 'long (timestamp-millis)', 'null | string', 'array<Item>'."""
    if isinstance(t, str):
        return t.rsplit(".", 1)[-1] if t not in PRIMITIVES else t
    if isinstance(t, list):
        return " | ".join(type_label(b) for b in t)
    if isinstance(t, dict):
        kind = t.get("type")
        if isinstance(kind, (dict, list)):
            return type_label(kind)
        if t.get("logicalType"):
            return f"{kind} ({t['logicalType']})"
        if kind == "array":
            return f"array<{type_label(t.get('items'))}>"
        if kind == "map":
            return f"map<{type_label(t.get('values'))}>"
        if kind in NAMED:
            return f"{kind} {t.get('name')}"
        return str(kind)
    return str(t)
