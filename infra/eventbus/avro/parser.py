"""Avro schema text -> small typed nodes, by the rules of Apache Avro Java's ``Schema.Parser`` (1.12).

The Schema Registry parses a new version with strict names and default validation on
(``new=True`` here) and the versions it already holds without default validation
(``new=False``). What Java does, this parser does:

* names: ``[A-Za-z_][A-Za-z0-9_]*`` for names, every namespace part, field names, enum symbols
  and the last part of a type alias; a dotted name carries its namespace; ``"namespace": ""``
  (or a name like ``".X"``) is the null namespace; a non-string ``namespace``/``doc`` is absent;
  a named type may not be called after a primitive;
* references: a name is looked up as ``namespace.name``, then as written; a type defined twice
  must be defined identically (Java's ``equals``: names, fields, types, defaults, properties);
* aliases: of a named type, relative to that type's namespace (``"Old"`` in ``a.b`` is
  ``a.b.Old``); of a field, plain names;
* unions: no union directly in a union, no type twice (by full name; ``array`` and ``map``
  count once each);
* defaults (``new=True``): each field default must fit its type; for a union any branch
  will do; a string default of a ``float``/``double`` field is read as a number (also when
  defaults are not validated, as Java does); enum ``default`` must be one of its symbols;
* logical types: an invalid one (``timestamp-millis`` on an ``int``, a decimal without
  precision...) is ignored and the underlying type is used (``Node.logical`` is None,
  ``Node.ignored_logical`` says why).

Deliberately stricter than Java, for new versions only (``PolicyError``, see docs/rules.md):
a reference to a named type defined later in the file (Java resolves it; code generators and
other readers do not), and a record that always contains itself (no value can be written).
Also: .avsc text is strict JSON (Java's parser takes comments) and nesting is bounded.
"""
from __future__ import annotations

import json
import math
import re
from functools import lru_cache

PRIMITIVES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})
NAMED = frozenset({"record", "error", "enum", "fixed"})
SCHEMA_RESERVED = frozenset({"doc", "fields", "items", "name", "namespace", "size", "symbols", "values", "type", "aliases"})
ENUM_RESERVED = SCHEMA_RESERVED | {"default"}
FIELD_RESERVED = frozenset({"default", "doc", "name", "order", "type", "aliases"})
ORDERS = ("ascending", "descending", "ignore")
MAX_NESTING = 100  # type nesting levels (Java has no limit but its stack)
MAX_FIXED = 2**31 - 1 - 8  # SystemLimitException.MAX_ARRAY_VM_LIMIT
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# java.lang.Double.parseDouble, after String.trim()
_JAVA_DOUBLE = re.compile(
    r"[+-]?(NaN|Infinity|((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?)"
    r"|(0[xX]([0-9a-fA-F]+\.?|[0-9a-fA-F]*\.[0-9a-fA-F]+)[pP][+-]?\d+[fFdD]?))\Z"
)


class AvroError(ValueError):
    """The text is not a schema the Schema Registry (Java's parser) accepts (``name``: the field or type at fault, if known)."""

    def __init__(self, message: str, name: str | None = None):
        super().__init__(message)
        self.name = name


class PolicyError(AvroError):
    """Java accepts the schema; the gate deliberately does not (``policy`` names which rule)."""

    def __init__(self, message: str, policy: str, name: str | None = None):
        super().__init__(message, name)
        self.policy = policy


# -- nodes ---------------------------------------------------------------------------
class Node:
    """One Avro type. ``type`` is Java's ``Schema.Type`` in lower case ("error" records are "record")."""

    __slots__ = ("type", "props", "logical", "ignored_logical", "json")

    def __init__(self, type_: str, props: dict, json_: object):
        self.type = type_
        self.props = props  # non-reserved properties (logicalType, precision, custom ones)
        self.logical: str | None = None  # a valid logical type, as Java reads it
        self.ignored_logical: str | None = None  # why a declared logicalType is ignored
        self.json = json_  # the JSON this node was parsed from

    @property
    def fullname(self) -> str:
        return self.type

    def __repr__(self) -> str:
        return f"<{self.type} {self.fullname}>" if isinstance(self, Named) else f"<{self.type}>"


class Named(Node):
    __slots__ = ("name", "namespace", "_fullname", "aliases", "doc")

    def __init__(self, type_, props, json_, name: str, namespace: str | None, doc):
        super().__init__(type_, props, json_)
        self.name = name
        self.namespace = namespace
        self._fullname = f"{namespace}.{name}" if namespace else name
        self.aliases: tuple[str, ...] = ()  # as Java's getAliases(): full names, ".X" for a null-namespace alias
        self.doc = doc

    @property
    def fullname(self) -> str:
        return self._fullname


class Record(Named):
    __slots__ = ("fields", "field_map", "is_error")

    def __init__(self, props, json_, name, namespace, doc, is_error: bool):
        super().__init__("record", props, json_, name, namespace, doc)
        self.fields: list[Field] = []
        self.field_map: dict[str, Field] = {}
        self.is_error = is_error


class Enum(Named):
    __slots__ = ("symbols", "default")

    def __init__(self, props, json_, name, namespace, doc, symbols: tuple, default: str | None):
        super().__init__("enum", props, json_, name, namespace, doc)
        self.symbols = symbols
        self.default = default


class Fixed(Named):
    __slots__ = ("size",)

    def __init__(self, props, json_, name, namespace, doc, size: int):
        super().__init__("fixed", props, json_, name, namespace, doc)
        self.size = size


class Array(Node):
    __slots__ = ("items",)

    def __init__(self, props, json_, items):
        super().__init__("array", props, json_)
        self.items = items


class Map(Node):
    __slots__ = ("values",)

    def __init__(self, props, json_, values):
        super().__init__("map", props, json_)
        self.values = values


class Union(Node):
    __slots__ = ("branches",)

    def __init__(self, json_, branches: list):
        super().__init__("union", {}, json_)
        self.branches = branches


class Field:
    __slots__ = ("name", "type", "doc", "has_default", "default", "aliases", "order", "props", "pos", "json")

    def __init__(self, name, type_, doc, has_default, default, aliases, order, props, pos, json_):
        self.name = name
        self.type = type_
        self.doc = doc
        self.has_default = has_default
        self.default = default
        self.aliases: tuple[str, ...] = aliases
        self.order = order
        self.props = props
        self.pos = pos
        self.json = json_

    def __repr__(self) -> str:
        return f"<field {self.name}: {self.type!r}>"


class _Placeholder:
    """A reference to a record still being defined (or, for Java, defined later)."""

    __slots__ = ("fullname", "forward")

    def __init__(self, fullname: str, forward: bool):
        self.fullname = fullname
        self.forward = forward


_PRIMITIVE_NODES: dict[str, Node] = {name: Node(name, {}, name) for name in sorted(PRIMITIVES)}


# -- parsing -------------------------------------------------------------------------
def _refuse_constant(name: str):
    raise AvroError(f"not JSON: {name} is not a JSON number")


def load_json(text: str, policies: bool = True) -> object:
    """Strict JSON (no NaN/Infinity, no trailing content), as Jackson reads a schema; comments,
    which Java's parser allows, are refused (PolicyError "strict-json"), or with ``policies``
    off read as Java reads them."""
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except AvroError:
        raise
    except RecursionError:
        raise AvroError("schema nests too deeply") from None
    except ValueError as exc:
        if ("/*" in text or "//" in text) and _parses_without_comments(text):
            if not policies:
                return json.loads(_without_comments(text), parse_constant=_refuse_constant)
            raise PolicyError(".avsc files are strict JSON: remove the comments (the Schema Registry's parser allows them, "
                              "other tools do not)", "strict-json") from None
        raise AvroError(f"not JSON: {str(exc)[:200]}") from None


_COMMENT = re.compile(r'"(?:[^"\\]|\\.)*"|/\*.*?\*/|//[^\n]*', re.S)


def _without_comments(text: str) -> str:
    return _COMMENT.sub(lambda m: m.group(0) if m.group(0).startswith('"') else " ", text)


def _parses_without_comments(text: str) -> bool:
    try:
        json.loads(_without_comments(text), parse_constant=_refuse_constant)
    except (ValueError, AvroError, RecursionError):
        return False
    return True


def parse(text: str, new: bool = True) -> Node:
    """Parse schema text (see the module doc; ``new``: validate defaults and apply the gate's policies)."""
    return parse_json(load_json(text), new)


def parse_json(value: object, new: bool = True) -> Node:
    root, parser = parse_held(value)
    if new:
        parser.check_new()
    return root


def parse_held(value: object) -> tuple[Node, _Parser]:
    """Parse as the registry holds a schema; ``parser.check_new()`` then adds what a new one needs."""
    parser = _Parser()
    try:
        return parser.run(value), parser
    except RecursionError:
        raise AvroError("schema nests too deeply") from None


@lru_cache(maxsize=65536)
def _held(text: str, policies: bool = True):
    if not policies:  # the same parse unless the text has comments (the only policy of reading)
        try:
            return _held(text, True)
        except PolicyError:
            return parse_held(load_json(text, False))
    return parse_held(load_json(text))


@lru_cache(maxsize=65536)
def parse_text(text: str, new: bool = True, policies: bool = True) -> Node:
    """Parse .avsc text as the Schema Registry parses a new schema (``new=False``: one it already holds).

    Raises AvroError (PolicyError where only the gate refuses it; ``policies=False``: exactly
    what Java refuses). Cached by content; both readings share one parse.
    """
    root, parser = _held(text, policies)
    if new:
        try:
            parser.check_new(policies)
        except RecursionError:
            raise AvroError("schema nests too deeply") from None
    return root


def _text(d: dict, key: str) -> str | None:
    v = d.get(key)
    return v if isinstance(v, str) else None


def _check_name(name: object, what: str) -> str:
    if not isinstance(name, str):
        raise AvroError(f"{what} is not a string: {_show(name)}")
    if not _NAME.match(name):
        raise AvroError(f"{what} {_show(name)} is not a valid name (Avro names: letters, digits and _, not starting with a digit)")
    return name


def _show(value: object, most: int = 60) -> str:
    try:
        s = json.dumps(value, ensure_ascii=True)
    except (TypeError, ValueError):
        s = repr(value)
    return s if len(s) <= most else s[: most - 1] + "…"


def _split_name(name: str, space: str | None) -> tuple[str, str | None]:
    """Java's Schema.Name: a dotted name carries its namespace; "" is the null namespace."""
    dot = name.rfind(".")
    if dot >= 0:
        space, name = name[:dot], name[dot + 1 :]
    _check_name(name, "name")
    return name, (space or None)


class _Parser:
    def __init__(self):
        self.forward: list[str] = []  # names used before their definition (Java resolves them)
        self.names: dict[str, Named] = {}
        self.in_progress: list[str] = []
        self.enclosing: list[Record] = []  # records whose fields are being parsed, outermost first
        self.fixups: list[tuple] = []  # (container, slot, placeholder)
        self.unions_with_refs: list[Union] = []
        self.records: list[Record] = []
        # (field, its enclosing records, Java's first verdict on its default where the field's type
        # refers to a name defined later: Java validates such a default twice, against a placeholder
        # record without fields when it reads the field, and against the type once resolved)
        self.fields_with_defaults: list[tuple[Field, tuple, object]] = []
        self.forward_seen = 0  # references to a name defined later, so far

    def run(self, value: object) -> Node:
        """Parse as Java does without default validation (a schema the registry already holds)."""
        root = self.parse(value, None, 0)
        if isinstance(root, _Placeholder):  # a bare name at the top: nothing defines it
            raise AvroError(f"unknown type {_show(root.fullname)}")
        self.resolve()
        for u in self.unions_with_refs:
            _check_union(u.branches)
        return root

    def check_new(self, policies: bool = True) -> None:
        """What Java adds for a new schema (default validation), then the gate's policies."""
        for f, enclosing, early in self.fields_with_defaults:
            try:
                if isinstance(early, _Unfinished):
                    raise early
                ok = early is not False and _valid_default(f.type, f.default, {id(r) for r in enclosing})
            except _Unfinished as exc:
                raise AvroError(
                    f"the default of field {_show(f.name)} is a value of record {exc.record}, which encloses the field: "
                    "the Schema Registry's parser cannot validate such a default (\"Schema fields not set yet\"); "
                    "make it null on an optional field, or an empty array or map", f.name) from None
            if not ok:
                raise AvroError(f"invalid default for field {_show(f.name)}: {_show(f.default)} is not a valid {_label(f.type)}", f.name)
        if not policies:
            return
        if self.forward:
            raise PolicyError(
                f"type {self.forward[0]} is used before it is defined; define it at its first use "
                "(Java resolves forward references, code generators and other Avro readers do not)", "forward-reference",
                self.forward[0].rpartition(".")[2])
        endless = _unwritable_record(self.records)
        if endless:
            raise PolicyError(
                f"record {endless} can never be written: it always contains itself "
                '(make the recursive field optional: ["null", ...], an array or a map)', "unwritable-record",
                endless.rpartition(".")[2])

    # name table ---------------------------------------------------------------
    def find(self, name: str, namespace: str | None):
        prim = _PRIMITIVE_NODES.get(name)
        if prim is not None:
            return prim
        full = f"{namespace}.{name}" if namespace and "." not in name else name
        hit = self.names.get(full) or self.names.get(name)
        if hit is not None:
            return hit
        forward = full not in self.in_progress
        self.forward_seen += forward
        return _Placeholder(full, forward)

    def define(self, node: Named) -> None:
        full = node.fullname
        parts = full.split(".")
        for p in parts[:-1]:
            if not _NAME.match(p):
                raise AvroError(f"namespace part {_show(p)} of {_show(full)} is not a valid name")
        known = self.names.get(full)
        if known is None:
            self.names[full] = node
        elif not _java_equal(known, node, set()):
            raise AvroError(f"type {full} is defined twice, differently")

    def resolve(self) -> None:
        for container, slot, ph in self.fixups:
            target = self.names.get(ph.fullname)
            if target is None:
                raise AvroError(f"unknown type {_show(ph.fullname)} (no such named type is defined in this schema)")
            if ph.forward and ph.fullname not in self.forward:
                self.forward.append(ph.fullname)
            if isinstance(container, Field):
                container.type = target
            elif isinstance(container, list):
                container[slot] = target
            else:
                setattr(container, slot, target)

    def _sub(self, container, slot, value, namespace, depth):
        if value.__class__ is str:  # most types are names
            node = _PRIMITIVE_NODES.get(value) or self.find(value, namespace)
        else:
            node = self.parse(value, namespace, depth + 1)
        if node.__class__ is _Placeholder:
            self.fixups.append((container, slot, node))
        return node

    # types --------------------------------------------------------------------
    def parse(self, s: object, namespace: str | None, depth: int):
        if depth > MAX_NESTING:
            raise AvroError("schema nests too deeply")
        if isinstance(s, str):
            return self.find(s, namespace)
        if isinstance(s, list):
            return self.union(s, namespace, depth)
        if not isinstance(s, dict):
            raise AvroError(f"not a schema: {_show(s)}")
        t = s.get("type")
        if not isinstance(t, str):
            raise AvroError(f"no type in {_show(s)}" if t is None else f"\"type\" must be a string here, not {_show(t)} (nest a schema under a field's type)")
        if t in PRIMITIVES:
            node = Node(t, _props(s, SCHEMA_RESERVED), s)
            if "logicalType" not in node.props:
                return node
        elif t == "record" or t == "error":
            return self.record(s, namespace, depth, t == "error")
        elif t == "enum":
            node = self.enum(s, namespace)
        elif t == "array":
            if "items" not in s:
                raise AvroError("array has no items type")
            node = Array(_props(s, SCHEMA_RESERVED), s, None)
            node.items = self._sub(node, "items", s["items"], namespace, depth)
        elif t == "map":
            if "values" not in s:
                raise AvroError("map has no values type")
            node = Map(_props(s, SCHEMA_RESERVED), s, None)
            node.values = self._sub(node, "values", s["values"], namespace, depth)
        elif t == "fixed":
            node = self.fixed(s, namespace)
        else:
            raise AvroError(f'a schema "type" must be a primitive type or one of "enum", "fixed", "record", "error", "array" or "map", not {_show(t)}')
        _logical(node)
        return node

    def _named(self, s: dict, namespace: str | None) -> tuple[str, str | None]:
        name = _text(s, "name")
        if name is None:
            raise AvroError(f"no name in {_show(s)}")
        space = _text(s, "namespace")
        name, space = _split_name(name, namespace if space is None else space)
        full = f"{space}.{name}" if space else name
        if full in PRIMITIVES:
            raise AvroError(f"a named type may not be called {full} (a primitive type)")
        return name, space

    def _aliases(self, node: Named, s: dict) -> None:
        raw = _alias_list(s)
        if raw is None:
            return
        out = []
        for a in raw:
            name, space = _split_name(a, node.namespace)  # relative to the type's namespace
            alias = ("." + name if node.namespace else name) if space is None else f"{space}.{name}"
            if alias not in out:
                out.append(alias)
        node.aliases = tuple(out)

    def record(self, s: dict, namespace, depth: int, is_error: bool):
        name, space = self._named(s, namespace)
        node = Record(_props(s, SCHEMA_RESERVED), s, name, space, _text(s, "doc"), is_error)
        fields = s.get("fields")
        if not isinstance(fields, list):
            raise AvroError(f"record {node.fullname} has no fields list")
        self.in_progress.append(node.fullname)
        self.enclosing.append(node)
        for pos, fj in enumerate(fields):
            f = self.field(fj, space, pos, depth)
            if f.name in node.field_map:
                raise AvroError(f"record {node.fullname} has the field {f.name} twice")
            node.field_map[f.name] = f
            node.fields.append(f)
        self.in_progress.pop()
        self.enclosing.pop()
        _logical(node)
        self._aliases(node, s)
        self.define(node)
        self.records.append(node)
        return node

    def field(self, fj: object, namespace, pos: int, depth: int) -> Field:
        if not isinstance(fj, dict) or not isinstance(fj.get("name"), str):
            raise AvroError(f"a field has no name: {_show(fj)}")
        name = _check_name(fj["name"], "field name")
        if "type" not in fj:
            raise AvroError(f"field {name} has no type")
        order = "ascending"
        if "order" in fj:
            o = fj["order"]
            if not isinstance(o, str) or o.lower() not in ORDERS:
                raise AvroError(f"field {name}: order must be ascending, descending or ignore, not {_show(o)}")
            order = o.lower()
        aliases = _alias_list(fj) if "aliases" in fj else None
        doc = fj.get("doc")
        f = Field(name, None, doc if doc.__class__ is str else None, "default" in fj, fj.get("default"),
                  tuple(dict.fromkeys(aliases)) if aliases else (), order,
                  _props(fj, FIELD_RESERVED) if len(fj) > 3 or "doc" not in fj else {}, pos, fj)
        seen = self.forward_seen
        f.type = self._sub(f, "type", fj["type"], namespace, depth)
        if f.has_default and isinstance(f.default, str) and f.type.__class__ is Node and f.type.type in ("float", "double"):
            f.default = _java_double(f.default, name)
        if f.has_default:
            early: object = None
            if self.forward_seen != seen:  # Java validates this default now, against a placeholder record with no fields
                try:
                    early = _valid_default(f.type, f.default, {id(r) for r in self.enclosing})
                except _Unfinished as exc:
                    early = exc
            self.fields_with_defaults.append((f, tuple(self.enclosing), early))
        return f

    def enum(self, s: dict, namespace) -> Enum:
        name, space = self._named(s, namespace)
        symbols = s.get("symbols")
        if not isinstance(symbols, list):
            raise AvroError(f"enum {name} has no symbols list")
        seen = set()
        for sym in symbols:
            _check_name(sym, f"enum symbol of {name}")
            if sym in seen:
                raise AvroError(f"enum {name} lists the symbol {sym} twice")
            seen.add(sym)
        default = _text(s, "default")
        if default is not None and default not in seen:
            raise AvroError(f"the default {_show(default)} of enum {name} is not one of its symbols")
        node = Enum(_props(s, ENUM_RESERVED), s, name, space, _text(s, "doc"), tuple(symbols), default)
        self._aliases(node, s)
        self.define(node)
        return node

    def fixed(self, s: dict, namespace) -> Fixed:
        name, space = self._named(s, namespace)
        size = s.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or not INT_MIN <= size <= INT_MAX:
            raise AvroError(f"fixed {name} has no valid size: {_show(size)} is not a 32-bit int")
        if size < 0 or size > MAX_FIXED:
            raise AvroError(f"fixed {name} has an impossible size {size}")
        node = Fixed(_props(s, SCHEMA_RESERVED), s, name, space, _text(s, "doc"), size)
        self._aliases(node, s)
        self.define(node)
        return node

    def union(self, s: list, namespace, depth: int) -> Union:
        node = Union(s, [None] * len(s))
        refs = False
        for i, b in enumerate(s):
            node.branches[i] = self._sub(node.branches, i, b, namespace, depth)
            refs = refs or isinstance(node.branches[i], _Placeholder)
        if refs:
            self.unions_with_refs.append(node)
        else:
            _check_union(node.branches)
        return node


def _props(s: dict, reserved: frozenset) -> dict:
    return {k: v for k, v in s.items() if k not in reserved}


def _alias_list(s: dict) -> list | None:
    if "aliases" not in s:
        return None
    raw = s["aliases"]
    if not isinstance(raw, list):
        raise AvroError(f"aliases are not a list: {_show(raw)}")
    for a in raw:
        if not isinstance(a, str):
            raise AvroError(f"an alias is not a string: {_show(a)}")
    return raw


def _check_union(branches: list) -> None:
    seen = set()
    for b in branches:
        if b.type == "union":
            raise AvroError("a union directly inside a union")
        key = b.fullname
        if key in seen:
            raise AvroError(f"a union lists the type {key} twice")
        seen.add(key)


def _java_double(text: str, field: str) -> float:
    t = text.strip("".join(chr(c) for c in range(33)))
    if not _JAVA_DOUBLE.match(t):
        raise AvroError(f"default of field {field}: {_show(text)} is not a number")
    t = t.rstrip("fFdD") if not t.endswith("Infinity") and not t.endswith("NaN") else t
    if "x" in t.lower():
        return float.fromhex(t)
    return float(t.replace("Infinity", "inf"))


# -- logical types (LogicalTypes.fromSchemaIgnoreInvalid) ----------------------------
_ON_LONG = {"timestamp-millis", "timestamp-micros", "timestamp-nanos", "local-timestamp-millis",
            "local-timestamp-micros", "local-timestamp-nanos", "time-micros"}
_JAVA_PROPS = ("avro.java.string", "java-class", "java-key-class", "java-element-class")


def _logical(node: Node) -> None:
    name = node.props.get("logicalType")
    if not isinstance(name, str):
        return
    why = _logical_problem(name, node)
    if why is None:
        if name in _KNOWN_LOGICAL:
            node.logical = name
    else:
        node.ignored_logical = why


_KNOWN_LOGICAL = _ON_LONG | {"decimal", "big-decimal", "duration", "uuid", "date", "time-millis"}


def _logical_problem(name: str, node: Node) -> str | None:
    if name not in _KNOWN_LOGICAL:
        return None  # unknown logical types are plain properties
    if any(p in node.props for p in _JAVA_PROPS):
        return f"{name} cannot be combined with Java class properties"
    t = node.type
    if name in _ON_LONG:
        return None if t == "long" else f"{name} needs a long, not {t}"
    if name in ("date", "time-millis"):
        return None if t == "int" else f"{name} needs an int, not {t}"
    if name == "uuid":
        if t == "string" or (t == "fixed" and node.size == 16):
            return None
        return "uuid needs a string or a fixed of 16 bytes"
    if name == "duration":
        return None if t == "fixed" and node.size == 12 else "duration needs a fixed of 12 bytes"
    if name == "big-decimal":
        return None if t == "bytes" else "big-decimal needs bytes"
    # decimal
    if "precision" not in node.props:
        return "decimal without precision"
    precision = node.props["precision"]
    scale = node.props.get("scale", 0)
    for what, v in (("precision", precision), ("scale", scale)):
        if not isinstance(v, int) or isinstance(v, bool) or not INT_MIN <= v <= INT_MAX:
            return f"decimal {what} {_show(v)} is not an int"
    if t not in ("fixed", "bytes"):
        return f"decimal needs bytes or a fixed, not {t}"
    if precision <= 0:
        return f"decimal precision {precision} is not positive"
    most = INT_MAX if t == "bytes" else round(math.floor(math.log10(2) * (8 * node.size - 1)))
    if precision > most:
        return f"a fixed of {node.size} bytes cannot hold {precision} digits (at most {most})"
    if scale < 0 or scale > precision:
        return f"decimal scale {scale} is not between 0 and the precision {precision}"
    return None


# -- defaults (Schema.isValidDefault) ------------------------------------------------
class _Unfinished(Exception):
    """Java validates defaults while it copies records into place; a record not yet copied throws."""

    def __init__(self, record: str):
        self.record = record


def _valid_default(t: Node, v: object, unfinished: frozenset[int] | set[int] = frozenset(), depth: int = 0) -> bool:
    """Java's isValidDefault (a union: any branch, in order). ``unfinished``: ids of the records
    that enclose the field, whose fields Java cannot read yet when it validates this default."""
    if depth > MAX_NESTING:
        return False
    if t.__class__ is _Placeholder:  # a name not defined yet: Java's placeholder is a record without fields
        if not isinstance(v, dict):
            return False
        if t.forward:
            return True
        raise _Unfinished(t.fullname)
    k = t.type
    if k in ("string", "bytes", "enum", "fixed"):
        return isinstance(v, str)
    if k == "int":
        return isinstance(v, int) and not isinstance(v, bool) and INT_MIN <= v <= INT_MAX
    if k == "long":
        return isinstance(v, int) and not isinstance(v, bool) and LONG_MIN <= v <= LONG_MAX
    if k in ("float", "double"):
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if k == "boolean":
        return isinstance(v, bool)
    if k == "null":
        return v is None
    if k == "array":
        return isinstance(v, list) and all(_valid_default(t.items, x, unfinished, depth + 1) for x in v)
    if k == "map":
        return isinstance(v, dict) and all(_valid_default(t.values, x, unfinished, depth + 1) for x in v.values())
    if k == "union":
        return any(_valid_default(b, v, unfinished, depth + 1) for b in t.branches)
    if k == "record":
        if not isinstance(v, dict):
            return False
        if id(t) in unfinished:
            raise _Unfinished(t.fullname)
        for f in t.fields:
            if f.name in v:
                value = v[f.name]
            elif f.has_default:
                value = f.default
            else:
                return False
            if not _valid_default(f.type, value, unfinished, depth + 1):
                return False
        return True
    return False


def _label(t: Node) -> str:
    if t.type == "union":
        return " | ".join(_label(b) for b in t.branches)
    if isinstance(t, Named):
        return f"{t.type} {t.fullname}"
    if t.type == "array":
        return f"array<{_label(t.items)}>"
    if t.type == "map":
        return f"map<{_label(t.values)}>"
    return t.type


# -- Java's Schema.equals (for a type defined twice) ----------------------------------
def _java_equal(a: Node, b: Node, seen: set) -> bool:
    if a is b:
        return True
    if isinstance(a, _Placeholder) or isinstance(b, _Placeholder):
        return False  # Java's placeholders are distinct records
    if a.type != b.type or a.props != b.props:
        return False
    k = a.type
    if k == "record":
        if a.fullname != b.fullname or len(a.fields) != len(b.fields):
            return False
        key = (id(a), id(b))
        if key in seen:
            return True
        seen.add(key)
        return all(
            fa.name == fb.name and fa.order == fb.order and fa.props == fb.props and fa.has_default == fb.has_default
            and (not fa.has_default or fa.default == fb.default) and _java_equal(fa.type, fb.type, seen)
            for fa, fb in zip(a.fields, b.fields, strict=False)
        )
    if k == "enum":
        return a.fullname == b.fullname and a.symbols == b.symbols
    if k == "fixed":
        return a.fullname == b.fullname and a.size == b.size
    if k == "array":
        return _java_equal(a.items, b.items, seen)
    if k == "map":
        return _java_equal(a.values, b.values, seen)
    if k == "union":
        return len(a.branches) == len(b.branches) and all(_java_equal(x, y, seen) for x, y in zip(a.branches, b.branches, strict=False))
    return True


# -- policy: records no finite value can have ------------------------------------------
def _unwritable_record(records: list[Record]) -> str | None:
    """Full name of a record that always contains itself (least fixpoint of "has a finite value")."""
    finite: set[int] = set()

    def ok(t: Node) -> bool:
        k = t.type
        if k == "record":
            return id(t) in finite
        if k == "union":
            return any(ok(b) for b in t.branches)
        return True  # primitives, enums, fixed; arrays and maps can be empty

    changed = True
    while changed:
        changed = False
        for r in records:
            if id(r) not in finite and all(ok(f.type) for f in r.fields):
                finite.add(id(r))
                changed = True
    ok = None  # type: ignore[assignment]  # the recursive closure refers to itself: no cycle left per schema
    bad = [r for r in records if id(r) not in finite]
    return bad[0].fullname if bad else None
