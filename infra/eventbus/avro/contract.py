"""Field-level data contracts, from the JSON form of a schema: each field's classification, the
paths consumers declare, and what a new version changes field by field. Pure functions, built
on the one walker (:func:`eventbus.avro.schema.iter_fields`), cached by content.

Classification of a field (documented in docs/file-formats.md):

- ``"classification": "none" | "PII" | "PHI"`` on the field object. Confluent's field tags are
  read too: ``"confluent:tags": ["PII"]`` (the tags ``PII`` and ``PHI``; other tags are ignored).
  Both may be given; the higher counts, and ``"classification": "none"`` beside a PII/PHI tag is
  a contradiction (reported).
- A nested field inherits its enclosing field's classification as a floor (a field inside a PII
  record is PII; it may say PHI). A union field's classification covers every branch; the
  fields of a record branch are nested fields of it (paths pass through unions, array items and
  map values).
- The property is read on fields only. On a type (a record, enum or fixed definition, an array,
  a map, a union branch, the schema itself) it is not read, and reported, so that nothing looks
  classified that is not.

Paths are dotted field names: ``context.qualifiedIdentifiers.value`` (array items and map values
are transparent). Every use of a named record has its own paths (a record type used by two
fields has fields under both), except inside itself.

Cost: a schema whose text holds no classification property (:func:`mentions_classification`)
and no identifier-like name (:func:`may_name_identifier`) is never walked by the gate; the gate's
walks run in the Avro analysis (:mod:`eventbus.avro.analysis`), off the main process.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import Any

from eventbus.avro.schema import MAX_DEPTH, fullname, iter_fields, named_types, resolve, type_details
from eventbus.model.registry import CLASSIFICATIONS

PROPERTY = "classification"
CONFLUENT_TAGS = "confluent:tags"
RANK = {c: i for i, c in enumerate(CLASSIFICATIONS)}  # none < PII < PHI
MAX_FIELDS = 5000  # per schema: the every-use expansion of a much reused record stops here

# kinds of change, most severe first; every kind but "added" can break a reader of the field
KINDS = ("removed", "renamed", "retyped", "narrowed", "changed", "added")
VERBS = {"removed": "removes", "renamed": "renames", "retyped": "changes the type of", "narrowed": "narrows",
         "changed": "changes", "added": "adds"}

# names that look like a known identifier: (what, classification it suggests, word sequences the
# name ends with, before an optional qualifier of QUALIFIERS); words split at camelCase, underscores,
# hyphens and digits, compared lowercase
IDENTIFIERS: tuple[tuple[str, str, tuple[tuple[str, ...], ...]], ...] = (
    ("an ICN (Integration Control Number)", "PII", (("icn",), ("integration", "control", "number"))),
    ("a Social Security number", "PII", (("ssn",), ("social", "security", "number"), ("social", "security", "no"),
                                         ("social", "security", "num"))),
    ("an EDIPI (DoD identifier)", "PII", (("edipi",),)),
    ("a VA file number", "PII", (("file", "number"),)),
    ("a participant id", "PII", (("participant", "id"), ("ptcpnt", "id"))),
    ("a date of birth", "PII", (("date", "of", "birth"), ("birth", "date"), ("dob",), ("birth", "dt"), ("dt", "of", "birth"),
                                ("birthday",), ("birth", "day"))),
    ("a diagnostic code", "PHI", (("diagnostic", "code"), ("diagnostic", "type", "code"), ("diagnosis", "code"), ("icd", "code"),
                                  ("icd", "10", "code"))),
)
# what may follow an identifier's words and leaves it one (part of it, a form of it, its number or text):
# ``ssnLast4``, ``ssn_last_four``, ``ssn4``, ``icnHash``, ``veteranSsnNumber``, ``dobText``
QUALIFIERS: tuple[tuple[str, ...], ...] = (
    (), ("last", "4"), ("last", "four"), ("last", "digits"), ("4",), ("last",), ("digits",), ("masked",), ("hash",),
    ("hashed",), ("encrypted",), ("token",), ("number",), ("num",), ("nbr",), ("no",), ("value",), ("val",), ("text",),
    ("str",),
)
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def highest(levels: Iterable[str]) -> str:
    """The most sensitive of some classifications (``none`` for none)."""
    return max(levels, key=RANK.__getitem__, default="none")


def dotted(walk_path: str) -> str:
    """A walker path (``a.b[].c``) in the form consumers declare (``a.b.c``)."""
    return re.sub(r"(\[\]|\{\})+", "", walk_path)


def identifier(name: str) -> tuple[str, str] | None:
    """(what it looks like, suggested classification) when a field name looks like a known identifier."""
    words = tuple(w.lower() for w in _WORDS.findall(name))
    for q in QUALIFIERS:
        if q and words[-len(q):] != q:
            continue
        head = words[:len(words) - len(q)]
        for what, level, endings in IDENTIFIERS:
            if any(head[-len(end):] == end for end in endings if len(head) >= len(end)):
                return what, level
    return None


class _Named:
    """A schema's named types, indexed once, when a field's type is first compared."""

    def __init__(self, schema: Any):
        self._schema = schema

    @cached_property
    def names(self) -> dict:
        return named_types(self._schema)


@dataclass(frozen=True, eq=False)
class FieldFacts:
    """One field of one schema version, as contracts see it. What its type promises (``shape``,
    ``facts``) is worked out when first asked (comparing versions needs it, classifying does not)."""

    path: str  # dotted, as consumers declare it
    name: str
    record: str  # full name of the enclosing record
    declared: str | None  # the field's own classification (property or tags); None when it says none
    classification: str  # effective: its own or its enclosing field's, whichever is higher
    aliases: tuple[str, ...] = ()
    type: Any = field(default=None, repr=False)  # the field's JSON type
    schema: _Named | None = field(default=None, repr=False)  # the schema's named types, indexed when first needed

    @property
    def names(self) -> dict:
        return self.schema.names if self.schema is not None else {}

    @property
    def namespace(self) -> str | None:
        return self.record.rpartition(".")[0] or None

    @cached_property
    def shape(self) -> frozenset:
        """The type's branches, resolved through named types (without logical types)."""
        return _shape(self.type, self.names, self.namespace)

    @cached_property
    def facts(self) -> Mapping[str, Any]:
        """logicalType, precision, scale, size, symbols, enum_default (when they apply)."""
        details = type_details(self.type, self.names, self.namespace)
        return {k: details[k] for k in _FACTS if k in details}

    @property
    def label(self) -> str:
        """The type in words: ``null | string``, ``array<QualifiedIdentifier>``, ``long (timestamp-millis)``."""
        text = _label(self.shape)
        return f"{text} ({self.facts['logicalType']})" if isinstance(self.facts.get("logicalType"), str) else text


@dataclass(frozen=True)
class Problem:
    """A classification property the gate cannot read as written."""

    path: str  # dotted path of the field ("" for the schema itself)
    name: str  # the field (or type) name, to find its line
    message: str
    hint: str


@dataclass(frozen=True)
class SchemaFields:
    """Every field of one schema version by dotted path (first occurrence), with the problems of
    its classification properties."""

    fields: Mapping[str, FieldFacts]
    problems: tuple[Problem, ...] = ()
    truncated: bool = False  # more than MAX_FIELDS fields: the rest are not listed

    @property
    def highest(self) -> str:
        return highest(f.classification for f in self.fields.values())

    @property
    def classified(self) -> tuple[FieldFacts, ...]:
        """Fields whose effective classification is PII or PHI, in schema order."""
        return tuple(f for f in self.fields.values() if f.classification != "none")


@dataclass(frozen=True)
class FieldChange:
    """What a newer version does to one field of an older one."""

    path: str
    kind: str  # one of KINDS
    details: tuple[str, ...]
    old: FieldFacts | None = None
    new: FieldFacts | None = None

    @property
    def breaking(self) -> bool:
        """Whether a reader of the field may break (every kind but an added field)."""
        return self.kind != "added"

    @property
    def classification_only(self) -> bool:
        return all(d.startswith("classification ") for d in self.details)

    def describe(self) -> str:
        """``removes field 'icn' (null | string)``, ``changes the type of field 'x' (type int → string)``."""
        what = "; ".join(self.details)
        return f"{VERBS[self.kind]} field '{self.path}'" + (f" ({what})" if what else "")


_MISSING = object()


def _own(props: Mapping[str, Any]) -> tuple[str | None, list[tuple[str, str]]]:
    """A field's own classification from its properties, and (message, hint) of what is wrong."""
    problems: list[tuple[str, str]] = []
    own: str | None = None
    value = props.get(PROPERTY, _MISSING)
    if value is not _MISSING:
        if isinstance(value, str) and value in RANK:
            own = value
        else:
            shown = json.dumps(value)[:40]
            fix = next((c for c in CLASSIFICATIONS if isinstance(value, str) and value.lower() == c.lower()), None)
            problems.append((f'"{PROPERTY}": {shown} is not one of none, PII, PHI',
                             f'write "{PROPERTY}": "{fix}"' if fix else f'write "{PROPERTY}": "none", "PII" or "PHI"'))
    tags = props.get(CONFLUENT_TAGS, _MISSING)
    if tags is not _MISSING:
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            problems.append((f'"{CONFLUENT_TAGS}" must be a list of tag names', f'write "{CONFLUENT_TAGS}": ["PII"]'))
        else:
            for t in tags:
                if t not in RANK and t.strip().upper() in ("PII", "PHI"):  # "pii", "PII ": read as no tag
                    problems.append((f'tag "{t[:20]}" is not read (tags are case-sensitive)', f'write "{t.strip().upper()}"'))
            tagged = highest(t for t in tags if t in ("PII", "PHI"))
            if tagged != "none":
                if own == "none":
                    problems.append((f'"{PROPERTY}": "none" contradicts the tag {tagged}', f'remove one of the two, or write "{PROPERTY}": "{tagged}"'))
                own = highest([own or "none", tagged])
    return own, problems


def _type_problems(t: Any, out: list[str], seen: set[int], depth: int = 0) -> None:
    """Where in a field's type JSON a classification property sits (it is read on fields only)."""
    if depth > MAX_DEPTH or id(t) in seen:
        return
    if isinstance(t, list):
        for b in t:
            _type_problems(b, out, seen, depth + 1)
    elif isinstance(t, dict):
        seen.add(id(t))
        if PROPERTY in t or CONFLUENT_TAGS in t:
            kind = t.get("type")
            out.append(f"{kind} {t.get('name')}" if isinstance(t.get("name"), str) else str(kind if isinstance(kind, str) else "type"))
        for key in ("items", "values", "type"):
            if isinstance(t.get(key), (dict, list)):
                _type_problems(t[key], out, seen, depth + 1)


def _one(b: Any, names: dict, ns: str | None, depth: int) -> Any:
    b = resolve(b, names, ns)
    if depth > MAX_DEPTH:
        return "?"
    if isinstance(b, str):
        return b
    if isinstance(b, list):
        return ("union", _shape(b, names, ns, depth + 1))
    if isinstance(b, dict):
        k = b.get("type")
        if isinstance(k, (dict, list)):
            return _one(k, names, ns, depth + 1)
        if k in ("record", "error", "enum", "fixed") and isinstance(b.get("name"), str):
            space = b.get("namespace")
            return ("record" if k == "error" else k, fullname(b["name"], space if isinstance(space, str) else ns))
        if k == "array":
            return ("array", _shape(b.get("items"), names, ns, depth + 1))
        if k == "map":
            return ("map", _shape(b.get("values"), names, ns, depth + 1))
        return str(k)
    return json.dumps(b)[:40]


def _shape(t: Any, names: dict, ns: str | None, depth: int = 0) -> frozenset:
    r = resolve(t, names, ns)
    return frozenset(_one(b, names, ns, depth + 1) for b in (r if isinstance(r, list) else [r]))


def _one_label(s: Any) -> str:
    if isinstance(s, str):
        return s.rsplit(".", 1)[-1]
    if s[0] in ("array", "map"):
        return f"{s[0]}<{_label(s[1])}>"
    if s[0] == "union":
        return f"({_label(s[1])})"
    return f"{s[0]} {s[1].rsplit('.', 1)[-1]}"


def _label(shape: frozenset) -> str:
    parts = sorted(_one_label(s) for s in shape)
    return " | ".join(sorted(parts, key=lambda p: p != "null"))


_FACTS = ("logicalType", "precision", "scale", "size", "symbols", "enum_default")


def _build(schema: Any, may_classify: bool = True) -> SchemaFields:
    names = _Named(schema)
    fields: dict[str, FieldFacts] = {}
    problems: list[Problem] = []
    seen_types: set[int] = set()
    if may_classify and isinstance(schema, dict) and (PROPERTY in schema or CONFLUENT_TAGS in schema):
        problems.append(Problem("", str(schema.get("name", "")), f"a {PROPERTY} on the schema itself is not read",
                                "the event's classification is classification.data in event.yaml; classify fields in the schema"))
    count = 0
    for info in iter_fields(schema, every_use=True, limit=MAX_FIELDS + 1):
        count += 1
        if count > MAX_FIELDS:
            break
        path = dotted(info.path)
        own, effective = None, "none"
        if may_classify:
            own, wrong = _own(info.props) if info.props else (None, ())
            for message, hint in wrong:
                problems.append(Problem(path, info.name, f"field '{path}': {message}", hint))
            where: list[str] = []
            _type_problems(info.type, where, seen_types)
            for w in where:
                problems.append(Problem(path, info.name, f"field '{path}': a {PROPERTY} on its type ({w}) is not read",
                                        f'put "{PROPERTY}" (or "{CONFLUENT_TAGS}") on the field itself'))
            parent = fields.get(path.rpartition(".")[0]) if info.depth else None
            inherited = parent.classification if parent is not None else "none"
            effective = own if own is not None and RANK[own] > RANK[inherited] else inherited
        have = fields.get(path)
        if have is None:
            fields[path] = FieldFacts(path, info.name, info.record, own, effective, info.aliases, info.type, names)
        elif RANK[effective] > RANK[have.classification]:  # two fields at one path (record branches of a union): the higher counts
            fields[path] = replace(have, declared=highest([have.declared or "none", own or "none"]), classification=effective)
    if may_classify:
        _declared_anywhere(schema, fields, problems, names)
    unique = tuple(dict.fromkeys(problems))
    return SchemaFields(fields, unique, count > MAX_FIELDS)


def _declared_anywhere(schema: Any, fields: dict[str, FieldFacts], problems: list[Problem], names: _Named) -> None:
    """Every field object written in the schema's JSON, at its definition site, read for its
    classification: the walk of the types stops at :data:`MAX_FIELDS` fields and at
    :data:`MAX_DEPTH` levels, and a classification past either must still count (an event is as
    sensitive as its most sensitive field). A classified field the walk missed, or saw lower at
    its path, is added or raised. Iterative and linear in the JSON's size."""
    todo: list[tuple[Any, str]] = [(schema, "")]
    while todo:
        t, prefix = todo.pop()
        if isinstance(t, list):
            todo.extend((b, prefix) for b in reversed(t))
            continue
        if not isinstance(t, dict):
            continue
        fs = t.get("fields")
        if t.get("type") in ("record", "error") and isinstance(fs, list):
            for f in reversed(fs):
                if not isinstance(f, dict) or not isinstance(f.get("name"), str):
                    continue
                path = f"{prefix}.{f['name']}" if prefix else f["name"]
                todo.append((f.get("type"), path))
                if path in fields and fields[path].classification == "PHI":
                    continue
                own, wrong = _own(f)
                if path not in fields:
                    problems.extend(Problem(path, f["name"], f"field '{path}': {m}", h) for m, h in wrong)
                parent = fields.get(path.rpartition(".")[0]) if "." in path else None
                level = highest([own or "none", parent.classification if parent is not None else "none"])
                have = fields.get(path)
                if have is None:
                    if level != "none":
                        fields[path] = FieldFacts(path, f["name"], str(t.get("name")), own, level, (), f.get("type"), names)
                elif RANK[level] > RANK[have.classification]:
                    fields[path] = replace(have, classification=level)
        else:
            for key in ("items", "values", "type"):
                if isinstance(t.get(key), (dict, list)):
                    todo.append((t[key], prefix))


_CACHE: dict[str, SchemaFields] = {}


def schema_fields(schema: Any, key: str | None = None, may_classify: bool = True) -> SchemaFields:
    """The fields of a schema (its JSON form), cached by ``key`` (e.g. the file's digest) when given.
    ``may_classify=False`` (its text holds no classification property: :func:`mentions_classification`)
    skips reading classifications: every field is ``none``."""
    if key is not None:
        hit = _CACHE.get(key)
        if hit is not None:
            return hit
    out = _build(schema, may_classify)
    if key is not None:
        if len(_CACHE) >= 16384:
            _CACHE.clear()
        _CACHE[key] = out
    return out


@lru_cache(maxsize=4096)
def fields_of_text(text: str) -> SchemaFields:
    """The fields of a schema text (no fields when it is not JSON)."""
    try:
        schema = json.loads(text)
    except (ValueError, RecursionError):
        return SchemaFields({})
    return schema_fields(schema, may_classify=mentions_classification(text))


_MENTIONS: dict[str, bool] = {}
_PROPERTY_KEY, _TAGS_KEY = f'"{PROPERTY}"', f'"{CONFLUENT_TAGS}"'


def mentions_classification(text: str, key: str | None = None) -> bool:
    """Whether a schema text can hold a classification at all (a cheap test before walking it;
    remembered by ``key``, e.g. the file's digest, when given)."""
    if key is not None:
        hit = _MENTIONS.get(key)
        if hit is not None:
            return hit
    found = _PROPERTY_KEY in text or _TAGS_KEY in text or "\\u" in text  # an escape may spell either
    if key is not None:
        if len(_MENTIONS) >= 65536:
            _MENTIONS.clear()
        _MENTIONS[key] = found
    return found


def _ci(word: str) -> str:
    return "".join(f"[{ch.upper()}{ch}]" if ch.isalpha() else ch for ch in word)


# a cheap test before walking a schema for identifier-like names: a "name" holding one of their
# words (letters spelled out: an IGNORECASE alternation is many times slower); escapes go to the walk
_IDENTIFIER_WORDS = ("icn", "integration", "ssn", "social", "edipi", "file", "participant", "ptcpnt", "birth", "dob", "diagnos", "icd")
@lru_cache(maxsize=1)
def _may_name() -> re.Pattern:  # compiled where it is used (the analysis' workers), not at import
    return re.compile(r'"name"\s*:\s*"[^"]*?(?:' + "|".join(_ci(w) for w in _IDENTIFIER_WORDS) + ")")


def may_name_identifier(text: str) -> bool:
    """Whether a schema text may have a field named like a known identifier (see :data:`IDENTIFIERS`)."""
    return "\\u" in text or _may_name().search(text) is not None


def reads(declared: tuple[str, ...] | None, path: str) -> bool:
    """Whether a consumer that declares ``declared`` (None or empty: declares nothing, so reads
    every field) reads the field at ``path``: it declares the field, a field enclosing it, or a
    field inside it."""
    if not declared:
        return True
    return any(p == path or path.startswith(p + ".") or p.startswith(path + ".") for p in declared)


def covers(declared: tuple[str, ...] | None, path: str) -> bool:
    """Whether a consumer reads the whole field at ``path``: it declares the field or a field
    enclosing it (or declares nothing, so reads every field)."""
    if not declared:
        return True
    return any(p == path or path.startswith(p + ".") for p in declared)


def _under(path: str, roots: set[str]) -> bool:
    head = path
    while "." in head:
        head = head.rpartition(".")[0]
        if head in roots:
            return True
    return False


def _compare(o: FieldFacts, n: FieldFacts) -> tuple[list[str], list[str]]:
    """(kinds, details) of what changed between two versions of one field."""
    kinds: list[str] = []
    details: list[str] = []

    def add(kind: str, detail: str) -> None:
        kinds.append(kind)
        details.append(detail)

    if o.shape != n.shape:
        before, after = _label(o.shape), _label(n.shape)
        if n.shape < o.shape:
            add("narrowed", f"type {before} → {after}" + (", no longer nullable" if "null" in o.shape and "null" not in n.shape else ""))
        else:
            add("retyped", f"type {before} → {after}")
    of, nf = o.facts, n.facts

    def both(k: str) -> bool:  # a fact one side has not is a change of type, said above
        return k in of and k in nf and of[k] != nf[k]

    if of.get("logicalType") != nf.get("logicalType"):
        add("changed", f"logicalType {_value(of.get('logicalType'))} → {_value(nf.get('logicalType'))}")
    if both("precision"):
        p0, p1 = of["precision"], nf["precision"]
        smaller = isinstance(p0, int) and isinstance(p1, int) and p1 < p0
        add("narrowed" if smaller else "changed", f"precision {_value(p0)} → {_value(p1)}")
    if both("scale"):
        add("changed", f"scale {_value(of['scale'])} → {_value(nf['scale'])}")
    if both("size"):
        add("retyped", f"fixed size {_value(of['size'])} → {_value(nf['size'])}")
    if both("symbols"):
        old_symbols = [str(s) for s in of["symbols"]] if isinstance(of["symbols"], list) else []
        new_symbols = [str(s) for s in nf["symbols"]] if isinstance(nf["symbols"], list) else []
        lost = [s for s in old_symbols if s not in new_symbols]
        gained = [s for s in new_symbols if s not in old_symbols]
        if lost:
            add("narrowed", "enum symbols removed: " + _some(lost))
        if gained:
            add("changed", "enum symbols added: " + _some(gained))
    if ("symbols" in of and "symbols" in nf) and of.get("enum_default") != nf.get("enum_default"):
        add("changed", f"enum default {_value(of.get('enum_default'))} → {_value(nf.get('enum_default'))}")
    if o.classification != n.classification:
        add("changed", f"classification {o.classification} → {n.classification}")
    return kinds, details


def _value(v: Any) -> str:
    return "none" if v is None else json.dumps(v)[:40].strip('"')


def _some(items: list[str], n: int = 6) -> str:
    shown = ", ".join(s[:40] for s in items[:n])
    return shown + (f" and {len(items) - n} more" if len(items) > n else "")


def field_changes(old: SchemaFields, new: SchemaFields) -> tuple[FieldChange, ...]:
    """What ``new`` does to the fields of ``old``, field by field, in ``old``'s order then the added
    ones: a field removed (or renamed: a field of the same record whose aliases name it), its type
    changed or narrowed (branches, enum symbols or precision dropped, no longer nullable), a
    meaning-bearing property changed (logical type, precision, scale, fixed size, enum symbols or
    default, classification), or added. Below a removed, renamed or retyped record only the
    record itself is reported."""
    out: list[FieldChange] = []
    gone: set[str] = set()  # old paths whose subtree is reported by the path itself
    renamed_to: set[str] = set()
    by_alias: dict[tuple[str, str], FieldFacts] = {}
    for p, f in new.fields.items():
        for a in f.aliases:
            by_alias.setdefault((p.rpartition(".")[0], a), f)
    for path, o in old.fields.items():
        if _under(path, gone):
            continue
        n = new.fields.get(path)
        if n is None:
            successor = by_alias.get((path.rpartition(".")[0], o.name))
            if successor is not None and successor.path not in old.fields:
                out.append(FieldChange(path, "renamed", (f"now '{successor.name}', reading the old name as an alias",), o, successor))
                renamed_to.add(successor.path)
            else:
                out.append(FieldChange(path, "removed", (o.label,), o, None))
            gone.add(path)
            continue
        kinds, details = _compare(o, n)
        if kinds:
            out.append(FieldChange(path, min(kinds, key=KINDS.index), tuple(details), o, n))
            records = {s for s in o.shape if isinstance(s, tuple) and s[0] == "record"}
            if records - n.shape:
                gone.add(path)
    for path, n in new.fields.items():
        if path not in old.fields and path not in renamed_to and not _under(path, renamed_to | gone):
            out.append(FieldChange(path, "added", (n.label,) + ((f"classification {n.classification}",) if n.classification != "none" else ()), None, n))
    return tuple(out)

