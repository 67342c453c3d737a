"""Schema Registry compatibility, Confluent semantics, explained in plain words.

The reader/writer check follows Apache Avro Java's
``SchemaCompatibility.ReaderWriterCompatibilityChecker`` (1.12) on the nodes of
:mod:`eventbus.avro.parser`: the same type promotions, name and alias rules (a named type
matches by its simple name or a reader alias equal to the writer's full name), enum default,
union rules and recursion handling (a reader/writer pair already being checked counts as
compatible). A reader field whose name and aliases match more than one writer field makes Java
throw, which the Schema Registry reports as incompatible; so does this module.

Modes (Confluent Schema Registry): BACKWARD, the new schema reads data written with the
latest version; FORWARD, the latest version reads data written with the new one; FULL, both;
``*_TRANSITIVE``, the same against every previous version; NONE, no check. In every mode the
new version is parsed as the registry parses a new schema (defaults validated) and the
previous ones as it holds them.
"""
from __future__ import annotations

from eventbus.avro.parser import AvroError, Enum, Named, Node, Record

MODES = ("BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE")


class SchemaParseError(AvroError):
    """A schema of a compatibility check does not parse; ``index`` is 0 for the new one, 1.. for the history."""

    def __init__(self, index: int, error: AvroError):
        super().__init__(str(error))
        self.index = index
        self.error = error


class Incompatibility:
    """One reason a pair of versions is incompatible, in words (a plain class: no dataclasses import at start-up)."""

    __slots__ = ("direction", "against", "kind", "field", "message", "advice")

    def __init__(self, direction: str, against: int, kind: str, field: str, message: str, advice: str):
        self.direction = direction  # "backward" (new reads old) or "forward" (old reads new)
        self.against = against  # index of the previous version checked (0-based in the history given)
        self.kind = kind  # Java's SchemaIncompatibilityType in lower case, or "ambiguous_field"
        self.field = field  # dotted field path ("" for the record itself)
        self.message = message  # what changed, in words
        self.advice = advice  # what to do

    def _key(self) -> tuple:
        return (self.direction, self.against, self.kind, self.field, self.message, self.advice)

    def __eq__(self, other) -> bool:
        return isinstance(other, Incompatibility) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return "Incompatibility(" + ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__) + ")"

    def describe(self, new_label: str = "the new version", old_label: str | None = None) -> str:
        """What changed and who it breaks."""
        old = old_label or f"version {self.against + 1}"
        who = (
            f"consumers using {new_label} cannot read events written with {old}"
            if self.direction == "backward"
            else f"consumers still on {old} cannot read events written with {new_label}"
        )
        return f"{self.message}: {who}"

    def render(self, new_label: str = "the new version", old_label: str | None = None) -> str:
        return f"{self.describe(new_label, old_label)}. {self.advice}"


def pairs_for(mode: str, history_len: int) -> list[tuple[str, int]]:
    """(direction, index into history) pairs a mode checks, newest first; history is oldest first."""
    if history_len == 0 or mode == "NONE":
        return []
    targets = list(range(history_len)) if mode.endswith("_TRANSITIVE") else [history_len - 1]
    directions = {"BACKWARD": ["backward"], "FORWARD": ["forward"], "FULL": ["backward", "forward"]}[mode.split("_")[0]]
    return [(d, i) for i in reversed(targets) for d in directions]


def parse_all(new_text: str, history: list[str], policies: bool = True) -> tuple[Node, list[Node]]:
    """The new schema as the registry parses a new one, the history as it holds it (``policies``:
    with the gate's stricter policies on the new one, see :mod:`eventbus.avro.parser`)."""
    from eventbus.avro.parser import parse_text

    try:
        new = parse_text(new_text, True, policies)
    except AvroError as exc:
        raise SchemaParseError(0, exc) from None
    old = []
    for i, text in enumerate(history):
        try:
            old.append(parse_text(text, False, policies))
        except AvroError as exc:
            raise SchemaParseError(i + 1, exc) from None
    return new, old


def check(mode: str, new_text: str, history: list[str], policies: bool = True) -> list[Incompatibility]:
    """Incompatibilities of ``new_text`` against ``history`` (oldest first) under ``mode``.

    Raises SchemaParseError (an AvroError) when a schema does not parse, in every mode;
    ``policies=False``: only where Apache Avro Java does (the gate's policies left out).
    """
    if mode not in MODES:
        raise ValueError(f"unknown compatibility mode {mode!r}; use one of {', '.join(MODES)}")
    new, old = parse_all(new_text, history, policies)
    return check_parsed(mode, new, old)


def check_parsed(mode: str, new: Node, history: list[Node]) -> list[Incompatibility]:
    out: list[Incompatibility] = []
    seen = set()
    for direction, i in pairs_for(mode, len(history)):
        reader, writer = (new, history[i]) if direction == "backward" else (history[i], new)
        for found in reader_writer(reader, writer):
            inc = _explain(direction, i, found)
            key = (inc.direction, inc.against, inc.kind, inc.field, inc.message)
            if key not in seen:
                seen.add(key)
                out.append(inc)
    return out


# -- the checker (SchemaCompatibility.ReaderWriterCompatibilityChecker) -----------------
class Found:
    """One incompatibility as Java reports it, with the field path where it is."""

    __slots__ = ("kind", "reader", "writer", "message", "location", "path", "field_types")

    def __init__(self, kind: str, reader: Node, writer: Node, message: str, location: tuple, path: tuple, field_types=None):
        self.kind = kind
        self.reader, self.writer = reader, writer
        self.message = message
        self.location = location  # Java's JSON-pointer tokens, e.g. ("fields", "2", "type")
        self.path = path  # field names, "[]" for array items, "{}" for map values
        self.field_types = field_types  # (reader, writer) type of the field at ``path``

    def with_types(self, pair: tuple) -> Found:
        return Found(self.kind, self.reader, self.writer, self.message, self.location, self.path, pair)


class _Ambiguous(Exception):
    def __init__(self, field: str, names: list[str], path: tuple[str, ...]):
        self.field, self.names, self.path = field, names, path


_IN_PROGRESS: list = []  # sentinel result
_PROMOTIONS = {
    "long": ("int",),
    "float": ("int", "long"),
    "double": ("int", "long", "float"),
    "bytes": ("string",),
    "string": ("bytes",),
}


def reader_writer(reader: Node, writer: Node) -> list[Found]:
    """Every incompatibility found reading data of ``writer`` with ``reader`` ([] = compatible)."""
    try:
        return _Checker().check(reader, writer, (), ())
    except _Ambiguous as amb:
        return [Found("ambiguous_field", reader, writer, f"{amb.field}: {', '.join(amb.names)}", (), amb.path)]
    except RecursionError:
        return [Found("uncheckable", reader, writer, "the schemas nest too deeply to compare", (), ())]


def names_match(reader: Named, writer: Named) -> bool:
    """Java's schemaNameEquals: same simple name, or a reader alias equal to the writer's full name."""
    return reader.name == writer.name or writer.fullname in reader.aliases


def writer_field(writer: Record, reader_field, path=()):
    """Java's lookupWriterField: the writer field of the reader field's name or aliases (None if none)."""
    hits = []
    direct = writer.field_map.get(reader_field.name)
    if direct is not None:
        hits.append(direct)
    for alias in reader_field.aliases:
        f = writer.field_map.get(alias)
        if f is not None:
            hits.append(f)
    if len(hits) > 1:
        raise _Ambiguous(reader_field.name, [f.name for f in hits], path)
    return hits[0] if hits else None


class _Checker:
    def __init__(self):
        self.memo: dict[tuple[int, int], list] = {}

    def check(self, reader: Node, writer: Node, loc: tuple, path: tuple) -> list[Found]:
        key = (id(reader), id(writer))
        result = self.memo.get(key)
        if result is not None:
            return [] if result is _IN_PROGRESS else result
        self.memo[key] = _IN_PROGRESS
        result = self.calculate(reader, writer, loc, path)
        self.memo[key] = result
        return result

    def calculate(self, reader: Node, writer: Node, loc: tuple, path: tuple) -> list[Found]:
        rt, wt = reader.type, writer.type
        if rt == wt:
            if rt == "array":
                return self.check(reader.items, writer.items, loc + ("items",), path + ("[]",))
            if rt == "map":
                return self.check(reader.values, writer.values, loc + ("values",), path + ("{}",))
            if rt == "record":
                return self._names(reader, writer, loc, path) + self._fields(reader, writer, loc, path)
            if rt == "enum":
                return self._names(reader, writer, loc, path) + self._symbols(reader, writer, loc, path)
            if rt == "fixed":
                out = self._names(reader, writer, loc, path)
                if reader.size != writer.size:
                    out.append(Found("fixed_size_mismatch", reader, writer, f"expected: {writer.size}, found: {reader.size}", loc + ("size",), path))
                return out
            if rt == "union":
                out = []
                for i, branch in enumerate(writer.branches):
                    if self.check(reader, branch, loc + (str(i),), path):
                        out.append(Found("missing_union_branch", reader, branch, f"reader union lacking writer type: {branch.type.upper()}", loc + (str(i),), path))
                return out
            return []  # the same primitive
        if wt == "union":
            out = []
            for i, branch in enumerate(writer.branches):
                out += self.check(reader, branch, loc + (str(i),), path)
            return out
        if rt == "union":
            for branch in reader.branches:
                if not self.check(branch, writer, loc, path):
                    return []
            return [Found("missing_union_branch", reader, writer, f"reader union lacking writer type: {wt.upper()}", loc, path)]
        if wt in _PROMOTIONS.get(rt, ()):
            return []
        return [Found("type_mismatch", reader, writer, f"reader type: {rt.upper()} not compatible with writer type: {wt.upper()}", loc, path)]

    def _names(self, reader: Named, writer: Named, loc, path) -> list[Found]:
        if names_match(reader, writer):
            return []
        return [Found("name_mismatch", reader, writer, f"expected: {writer.fullname}", loc + ("name",), path)]

    def _fields(self, reader: Record, writer: Record, loc, path) -> list[Found]:
        out: list[Found] = []
        for f in reader.fields:
            here = loc + ("fields", str(f.pos))
            fpath = path + (f.name,)
            wf = writer_field(writer, f, fpath)
            if wf is None:
                if not f.has_default:
                    if isinstance(f.type, Enum) and f.type.default is not None:
                        out += self.check(f.type, writer, here + ("type",), fpath)
                    else:
                        out.append(Found("reader_field_missing_default_value", reader, writer, f.name, here, fpath))
            else:
                found = self.check(f.type, wf.type, here + ("type",), fpath)
                pair = (f.type, wf.type)
                out += [x if x.field_types or x.path != fpath else x.with_types(pair) for x in found]
        return out

    def _symbols(self, reader: Enum, writer: Enum, loc, path) -> list[Found]:
        missing = sorted(set(writer.symbols) - set(reader.symbols))
        if not missing or (reader.default is not None and reader.default in reader.symbols):
            return []
        return [Found("missing_enum_symbols", reader, writer, "[" + ", ".join(missing) + "]", loc + ("symbols",), path)]


# -- plain words -----------------------------------------------------------------------
def label(t: Node) -> str:
    """Short label of a parsed type: 'string', 'long (timestamp-millis)', 'null | string', 'array<Item>'."""
    if t.type == "union":
        return " | ".join(label(b) for b in t.branches)
    if t.type == "array":
        return f"array<{label(t.items)}>"
    if t.type == "map":
        return f"map<{label(t.values)}>"
    if isinstance(t, Named):
        base = f"{t.type} {t.name}"
    else:
        base = t.type
    return f"{base} ({t.logical})" if t.logical else base


def _dotted(path: tuple[str, ...]) -> str:
    out = ""
    for p in path:
        out += p if p in ("[]", "{}") else (f".{p}" if out else p)
    return out


def _explain(direction: str, against: int, found: Found) -> Incompatibility:
    path = _dotted(found.path)
    where = f"field '{path}'" if path else "the record"
    kind = found.kind
    if kind == "reader_field_missing_default_value":
        if direction == "backward":
            message = f"field '{path}' was added without a default"
            advice = 'Give it a default (for an optional value: "type": ["null", ...], "default": null), or publish a new event for a breaking change.'
        else:
            message = f"field '{path}' was removed (or renamed), and the previous version declares no default for it"
            advice = "Keep the field (deprecate it in its doc), or add an alias when renaming; a removal needs a new event or mode BACKWARD."
    elif kind == "type_mismatch":
        reader_t, writer_t = (label(t) for t in (found.field_types or (found.reader, found.writer)))
        old_t, new_t = (writer_t, reader_t) if direction == "backward" else (reader_t, writer_t)
        message = f"{where} changed type from {old_t} to {new_t}"
        advice = "Only widening promotions are allowed (int→long→float→double, string↔bytes); add a new field with the new type instead, or publish a new event."
    elif kind == "missing_enum_symbols":
        symbols = found.message.strip("[]")
        if direction == "backward":
            message = f"enum symbol(s) {symbols} of {where} were removed"
            advice = "Keep the symbols (document them as unused), or give the enum a 'default' symbol."
        else:
            message = f"enum symbol(s) {symbols} were added to {where}"
            advice = "Readers on older versions only accept symbols they know: the enum needs a 'default' symbol in every version consumers use, or use mode BACKWARD (consumers upgrade first)."
    elif kind == "name_mismatch":
        r, w = found.reader, found.writer
        old_n, new_n = (w.fullname, r.fullname) if direction == "backward" else (r.fullname, w.fullname)
        message = f"the name of the {r.type} {'of ' + where if path else ''}".rstrip() + f" changed from {old_n} to {new_n}"
        if direction == "backward":
            advice = "Keep the record/enum/fixed name, or list the old name in the new version's 'aliases' (relative to its namespace, or fully qualified)."
        else:
            advice = "Readers on the previous version know only the old name (aliases help only readers of the new one): keep the name, or use mode BACKWARD."
    elif kind == "fixed_size_mismatch":
        old_s, new_s = (found.writer.size, found.reader.size) if direction == "backward" else (found.reader.size, found.writer.size)
        message = f"the size of fixed {where} changed from {old_s} to {new_s}"
        advice = "Fixed sizes can never change; add a new field instead."
    elif kind == "missing_union_branch":
        branch = label(found.writer)
        if direction == "backward":
            message = f"{where} no longer accepts {branch}, which the previous version could write"
            advice = "Keep every branch of the union; add branches, don't remove them."
        else:
            message = f"{where} can now hold {branch}, which older readers don't know"
            advice = "Older readers need every branch the new writer may use; add the branch in a new field or use mode BACKWARD."
    elif kind == "ambiguous_field":
        name, _, names = found.message.partition(": ")
        message = f"{where} matches several fields of the {'previous' if direction == 'backward' else 'new'} version by name and aliases ({names})"
        advice = "A field's name and aliases may match only one field of the other version (the Schema Registry refuses the pair); drop the extra alias."
    else:  # uncheckable
        message = f"the compatibility of the two versions cannot be checked ({found.message})"
        advice = "Flatten the schema."
    return Incompatibility(direction, against, kind, path, message, advice)
