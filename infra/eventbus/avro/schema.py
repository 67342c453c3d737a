"""Parse Avro schemas with the Apache Avro library and inspect their JSON form.

The JSON walkers here (fields, docs, defaults, named types) serve the rules and
the catalog; parsing and validity are the Avro library's.
"""
from __future__ import annotations

import json
import math
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator

import avro.errors
import avro.schema

PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
NAMED = {"record", "error", "enum", "fixed"}
MAX_DEPTH = 64


class AvroError(ValueError):
    pass


def _indexed_fields_dict(self) -> dict:
    """``RecordSchema.fields_dict``, built once per record instead of on every access.

    Fuzzing fix (bounded time): the library rebuilds the dict on each access and its
    compatibility checker looks up every reader field through it, so checking a record
    of n fields cost n² (5 s at 6,000 fields; a 1 MB schema holds about 28,000). Parsed
    schemas are not modified afterwards; the length check rebuilds it if one ever is.
    """
    cached = self.__dict__.get("_eventbus_fields_dict")
    if cached is None or len(cached) != len(self.fields):
        cached = self.__dict__["_eventbus_fields_dict"] = {f.name: f for f in self.fields}
    return cached


if isinstance(avro.schema.RecordSchema.__dict__.get("fields_dict"), property):
    avro.schema.RecordSchema.fields_dict = property(_indexed_fields_dict)


def _union_duplicate(schema: avro.schema.Schema) -> str | None:
    """Full name of a named type listed twice in one union, if any.

    Adversarial-corpus fix: Python's Avro parser accepts ``["null", "a.R", "a.R"]``, which the Avro
    specification forbids and Java's parser (the Schema Registry's) refuses, so such a schema passed
    the gate and failed at deploy time.
    """
    stack, seen = [schema], set()
    while stack:
        s = stack.pop()
        if id(s) in seen:
            continue
        seen.add(id(s))
        kind = getattr(s, "type", None)
        if kind in ("record", "error", "request"):
            stack.extend(f.type for f in s.fields)
        elif kind == "array":
            stack.append(s.items)
        elif kind == "map":
            stack.append(s.values)
        elif kind == "union":
            names = [b.fullname for b in s.schemas if getattr(b, "type", None) in NAMED]
            dup = next((n for n in names if names.count(n) > 1), None)
            if dup:
                return dup
            stack.extend(s.schemas)
    return None


def _unwritable_record(schema: avro.schema.Schema) -> str | None:
    """Full name of a record no finite value can have (it always contains itself), if any.

    Adversarial-corpus fix: ``{"name": "next", "type": "Node"}`` inside record Node is valid to
    the Avro parser, but no producer can ever write such an event (and code generators recurse
    forever on it). A recursive field must be optional (``["null", "Node"]``), an array or a map.
    """
    nodes, stack, seen = [], [schema], set()
    while stack:  # every schema object reachable, once
        s = stack.pop()
        if id(s) in seen:
            continue
        seen.add(id(s))
        nodes.append(s)
        kind = getattr(s, "type", None)
        if kind in ("record", "error", "request"):
            stack.extend(f.type for f in s.fields)
        elif kind == "union":
            stack.extend(s.schemas)
    finite: set[int] = set()
    changed = True
    while changed:  # least fixpoint: which types have a finite value
        changed = False
        for s in nodes:
            if id(s) in finite:
                continue
            kind = getattr(s, "type", None)
            if kind in ("record", "error", "request"):
                ok = all(id(f.type) in finite for f in s.fields)
            elif kind == "union":
                ok = any(id(b) in finite for b in s.schemas)
            else:  # primitives, enums, fixed; arrays and maps can be empty
                ok = True
            if ok:
                finite.add(id(s))
                changed = True
    bad = [s for s in nodes if id(s) not in finite and getattr(s, "type", None) in ("record", "error", "request")]
    return bad[0].fullname if bad else None


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _java_refuses(schema: avro.schema.Schema) -> str | None:
    """Why Java's parser (the Schema Registry's) refuses a schema Python's accepted, if it does.

    Fuzzing fixes: Python's Avro parser keeps any JSON as aliases (``"aliases": [["null", "id"]]``,
    ``"aliases": "x"``, ``[1]``) where Java's refuses anything but a list of names ("alias not a
    string"); takes fixed sizes that are no 32-bit int; and checks names with ``re.search`` and
    ``$``, so enum symbols ``"A.B"``, ``".A"``, ``"A\n"``, field names ``"a.b"`` and names or
    namespaces ending in a newline pass. Such schemas passed the gate and failed at deploy (and
    fastavro, what Python consumers use, raised on them).
    """
    stack, seen = [schema], set()
    while stack:
        s = stack.pop()
        if id(s) in seen:
            continue
        seen.add(id(s))
        kind = getattr(s, "type", None)
        owners = []
        if kind == "fixed" and not (isinstance(s.size, int) and 0 <= s.size < 2**31):
            return f"fixed {s.fullname} has size {str(s.size)[:30]}, not a 32-bit int"
        if kind in NAMED:
            for part in [s.name] + (s.namespace.split(".") if s.namespace else []):
                if not _NAME.fullmatch(part):
                    return f"{kind} name {json.dumps(s.fullname)[:80]} is not a valid name"
        if kind == "enum":
            bad = next((x for x in s.symbols if not (isinstance(x, str) and _NAME.fullmatch(x))), None)
            if bad is not None:
                return f"enum symbol {json.dumps(bad)[:60]} of {s.fullname} is not a valid name"
        if kind in ("record", "error"):
            bad = next((f.name for f in s.fields if not _NAME.fullmatch(f.name)), None)
            if bad is not None:
                return f"field name {json.dumps(bad)[:60]} of {s.fullname} is not a valid name"
        if kind in NAMED:
            owners.append((f"{kind} {s.fullname}", s.get_prop("aliases"), True))
        if kind in ("record", "error", "request"):
            for f in s.fields:
                owners.append((f"field {f.name}", f.get_prop("aliases"), False))
                stack.append(f.type)
        elif kind == "array":
            stack.append(s.items)
        elif kind == "map":
            stack.append(s.values)
        elif kind == "union":
            stack.extend(s.schemas)
        for what, aliases, dotted in owners:
            if aliases is None:
                continue
            if not isinstance(aliases, list):
                return f"the aliases of {what} are not a list"
            for a in aliases:
                parts = a.split(".") if isinstance(a, str) and dotted else [a]
                if not (isinstance(a, str) and all(isinstance(p, str) and _NAME.fullmatch(p) for p in parts)):
                    return f"alias {json.dumps(a)[:60]} of {what} is not a valid name"
    return None


def _has_empty_namespace(node: Any, depth: int = 0) -> bool:
    """Fuzzing fix: ``"namespace": ""`` is the null namespace to Java (the Schema Registry) and
    fastavro but "inherit the enclosing one" to Python's Avro, which the gate's checks use; the
    gate and the registry then disagree on the full names (and on what is compatible)."""
    if depth > 200:
        return False
    if isinstance(node, dict):
        return node.get("namespace") == "" or any(_has_empty_namespace(v, depth + 1) for v in node.values())
    if isinstance(node, list):
        return any(_has_empty_namespace(v, depth + 1) for v in node)
    return False


@lru_cache(maxsize=65536)
def parse_text(text: str) -> avro.schema.Schema:
    """Parse .avsc text with the Avro library (cached by content)."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", avro.errors.IgnoredLogicalType)
            parsed = avro.schema.parse(text)
        # Fuzzing fix: a logical type the library had to ignore because it is invalid (a decimal
        # without precision or with scale > precision, "date" on a string...) passed the gate with
        # only a warning on stderr; readers then disagree (Java ignores it, fastavro raises
        # KeyError 'precision' on the data). Unknown logical types stay allowed (newer specs add some).
        for w in caught:
            if not issubclass(w.category, avro.errors.IgnoredLogicalType):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            elif not str(w.message).startswith("Unknown"):
                raise AvroError(f"invalid logical type: {str(w.message)[:200]}")
        dup = _union_duplicate(parsed)
        if dup:
            raise AvroError(f"a union lists the type {dup} twice (the Avro specification and the Schema Registry refuse it)")
        if '"namespace"' in text and _has_empty_namespace(json.loads(text)):
            raise AvroError('an empty "namespace" means the null namespace to the Schema Registry but the enclosing one to this checker; write the namespace out, or leave the key out to inherit it')
        refused = _java_refuses(parsed)
        if refused:
            raise AvroError(f"{refused} (the Schema Registry refuses it)")
        endless = _unwritable_record(parsed)
        if endless:
            raise AvroError(f"record {endless} can never be written: it always contains itself (make the recursive field optional: [\"null\", ...])")
        return parsed
    except AvroError:
        raise
    except (avro.errors.AvroException, avro.errors.SchemaParseException) as exc:
        if "maximum recursion depth" in str(exc):  # the library wraps the RecursionError in a message of the whole schema
            raise AvroError("schema nests too deeply") from None
        raise AvroError(str(exc).splitlines()[0][:300]) from None
    except (json.JSONDecodeError, TypeError, KeyError, AttributeError, ValueError) as exc:
        raise AvroError(f"not a valid Avro schema ({type(exc).__name__}: {str(exc)[:200]})") from None
    except RecursionError:
        raise AvroError("schema nests too deeply") from None


def fullname(name: str, namespace: str | None) -> str:
    if "." in name or not namespace:
        return name
    return f"{namespace}.{name}"


@dataclass(frozen=True)
class FieldInfo:
    path: str  # dotted path, e.g. "context.qualifiers[].value"
    name: str
    type: Any  # the JSON type of the field
    doc: str | None
    has_default: bool
    default: Any
    record: str  # full name of the enclosing record


def named_types(schema: Any, namespace: str | None = None, out: dict | None = None, depth: int = 0) -> dict[str, dict]:
    """Full name -> JSON definition of every named type in a schema."""
    out = {} if out is None else out
    if depth > MAX_DEPTH:
        return out
    if isinstance(schema, list):
        for s in schema:
            named_types(s, namespace, out, depth + 1)
    elif isinstance(schema, dict):
        t = schema.get("type")
        # Fuzzing fix: ``t`` may be a dict or list in JSON the Avro parser refused (the catalog
        # walks such files too); ``t in NAMED`` then raised TypeError (unhashable).
        if isinstance(t, str) and t in NAMED and isinstance(schema.get("name"), str):
            ns = schema.get("namespace", namespace)
            fn = fullname(schema["name"], ns)
            out.setdefault(fn, schema)
            namespace = fn.rsplit(".", 1)[0] if "." in fn else None
            for f in schema.get("fields") or []:
                if isinstance(f, dict):
                    named_types(f.get("type"), namespace, out, depth + 1)
        elif t in ("array", "map"):
            named_types(schema.get("items" if t == "array" else "values"), namespace, out, depth + 1)
        elif isinstance(t, (dict, list)):
            named_types(t, namespace, out, depth + 1)
    return out


def resolve(t: Any, names: dict[str, dict], namespace: str | None) -> Any:
    if isinstance(t, str) and t not in PRIMITIVES:
        return names.get(fullname(t, namespace)) or names.get(t) or t
    if isinstance(t, dict) and isinstance(t.get("type"), (dict, list)) and not t.get("name"):
        return t["type"]
    return t


def iter_fields(schema: Any) -> Iterator[FieldInfo]:
    """Every record field, nested ones included (each named record expanded once)."""
    names = named_types(schema)
    seen: set[str] = set()

    def walk(t: Any, prefix: str, namespace: str | None, depth: int) -> Iterator[FieldInfo]:
        if depth > MAX_DEPTH:
            return
        t = resolve(t, names, namespace)
        if isinstance(t, list):
            for branch in t:
                yield from walk(branch, prefix, namespace, depth + 1)
            return
        if not isinstance(t, dict):
            return
        kind = t.get("type")
        if kind in ("record", "error"):
            fn = fullname(str(t.get("name")), t.get("namespace", namespace))
            if fn in seen:
                return
            seen.add(fn)
            ns = fn.rsplit(".", 1)[0] if "." in fn else None
            for f in t.get("fields") or []:
                if not isinstance(f, dict) or not isinstance(f.get("name"), str):
                    continue
                path = f"{prefix}.{f['name']}" if prefix else f["name"]
                yield FieldInfo(path, f["name"], f.get("type"), f.get("doc"), "default" in f, f.get("default"), fn)
                yield from walk(f.get("type"), path, ns, depth + 1)
        elif kind == "array":
            yield from walk(t.get("items"), prefix + "[]", namespace, depth + 1)
        elif kind == "map":
            yield from walk(t.get("values"), prefix + "{}", namespace, depth + 1)

    yield from walk(schema, "", schema.get("namespace") if isinstance(schema, dict) else None, 0)


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
