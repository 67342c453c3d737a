"""Schema Registry compatibility, Confluent semantics, explained in plain words.

The reader/writer resolution check is Apache Avro's own
(``avro.compatibility.ReaderWriterCompatibilityChecker``); this module decides
which pairs to check for each mode and turns the library's locations into
field paths and advice a producer can act on.

Modes (as in Confluent Schema Registry):

* BACKWARD: the new schema reads data written with the latest version.
* FORWARD: the latest version reads data written with the new schema.
* FULL: both.
* ``*_TRANSITIVE``: the same against every previous version, not only the latest.
* NONE: no check.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from avro.errors import AvroException
from avro.compatibility import (
    ReaderWriterCompatibilityChecker,
    SchemaCompatibilityType,
    SchemaIncompatibilityType,
)

from eventbus.avro.schema import fullname, named_types, parse_text, resolve, type_label

MODES = ("BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE")

# Glue Schema Registry spells the transitive modes differently.
GLUE_MODES = {
    "BACKWARD": "BACKWARD",
    "BACKWARD_TRANSITIVE": "BACKWARD_ALL",
    "FORWARD": "FORWARD",
    "FORWARD_TRANSITIVE": "FORWARD_ALL",
    "FULL": "FULL",
    "FULL_TRANSITIVE": "FULL_ALL",
    "NONE": "NONE",
}


@dataclass(frozen=True)
class Incompatibility:
    direction: str  # "backward" (new reads old) or "forward" (old reads new)
    against: int  # index of the previous version checked (0-based in the history given)
    kind: str  # the Avro library's incompatibility type
    field: str  # dotted field path ("" for the record itself)
    message: str  # what changed, in words
    advice: str  # what to do

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
    """(direction, index into history) pairs a mode checks; history is oldest first."""
    if history_len == 0 or mode == "NONE":
        return []
    targets = list(range(history_len)) if mode.endswith("_TRANSITIVE") else [history_len - 1]
    directions = {"BACKWARD": ["backward"], "FORWARD": ["forward"], "FULL": ["backward", "forward"]}[mode.split("_")[0]]
    return [(d, i) for i in reversed(targets) for d in directions]


def check(mode: str, new_text: str, history: Sequence[str]) -> list[Incompatibility]:
    """Incompatibilities of ``new_text`` against ``history`` (oldest first) under ``mode``.

    Raises eventbus.avro.schema.AvroError when a schema does not parse.
    """
    if mode not in MODES:
        raise ValueError(f"unknown compatibility mode {mode!r}; use one of {', '.join(MODES)}")
    pairs = pairs_for(mode, len(history))
    if not pairs:
        return []
    new = parse_text(new_text)
    out: list[Incompatibility] = []
    for direction, i in pairs:
        old = parse_text(history[i])
        reader, writer = (new, old) if direction == "backward" else (old, new)
        try:
            reader_json = reader.to_json()
            writer_json = writer.to_json()
            result = ReaderWriterCompatibilityChecker().get_compatibility(reader, writer)
            if result.compatibility is SchemaCompatibilityType.compatible:
                continue
            kinds = result.incompatibilities or [SchemaIncompatibilityType.type_mismatch]
            messages = sorted(result.messages) or [""]
            # merged results keep the root "/" beside the real places: drop it when there are others
            locations = sorted(loc for loc in result.locations if loc != "/") or ["/"]
            if locations == ["/"] and reader.type == "record" and writer.type == "record":
                # the library drops the location when it descends into a writer union;
                # find the field by asking it again, one field at a time
                locations = [_localise(reader, writer)]
        except (AvroException, RecursionError) as exc:
            # Fuzzing fix: the library's checker raises on schemas its own parser accepts (an
            # "error" type nested in a record: "Unknown schema type: error"), which crashed the
            # gate. Fail closed: a pair the checker cannot compare is reported, never skipped.
            why = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            out.append(
                Incompatibility(
                    direction, i, "uncheckable", "", f"the compatibility of the two versions cannot be checked ({why})",
                    "Use only record, enum, fixed, array, map, union and primitive types (no 'error' types) so the change can be checked.",
                )
            )
            continue
        # the library merges sets; pair them up as well as it allows
        # Fuzzing fix: the named types of each side are indexed once per pair, not once per
        # incompatibility (a v2 changing 6,000 fields took 80 s: quadratic in the schema size).
        names = (named_types(reader_json), named_types(writer_json))
        for n, kind in enumerate(kinds):
            loc = locations[min(n, len(locations) - 1)]
            msg = messages[min(n, len(messages) - 1)]
            out.append(_explain(direction, i, kind, loc, msg, reader_json, writer_json, names))
    # de-duplicate while keeping order
    seen, unique = set(), []
    for inc in out:
        key = (inc.direction, inc.against, inc.kind, inc.field, inc.message)
        if key not in seen:
            seen.add(key)
            unique.append(inc)
    return unique


def _localise(reader: Any, writer: Any, prefix: str = "", depth: int = 0) -> str:
    """Library-style location of the first incompatible field of two records."""
    if depth > 32:
        return prefix or "/"
    for i, rf in enumerate(reader.fields):
        wf = writer.fields_dict.get(rf.name)
        if wf is None:
            continue
        res = ReaderWriterCompatibilityChecker().get_compatibility(rf.type, wf.type)
        if res.compatibility is SchemaCompatibilityType.compatible:
            continue
        here = f"{prefix}/fields/{i}"
        if rf.type.type == "record" and wf.type.type == "record":
            return _localise(rf.type, wf.type, here + "/type", depth + 1)
        return here + "/type"
    return prefix or "/"


def field_path(location: str, schema: Any, names: dict[str, dict] | None = None) -> tuple[str, Any]:
    """Turn a library location like ``/fields/2/type/fields/0`` into ``context.priorId``.

    Returns the dotted path and the JSON of the schema node at that place. ``names``: the
    schema's named types when the caller already has them.
    """
    names = named_types(schema) if names is None else names
    node: Any = schema
    namespace = schema.get("namespace") if isinstance(schema, dict) else None
    parts: list[str] = []
    tokens = [t for t in location.split("/") if t]
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        node = resolve(node, names, namespace)
        if isinstance(node, dict) and node.get("type") in ("record", "error") and node.get("name"):
            namespace = fullname(node["name"], node.get("namespace", namespace)).rpartition(".")[0] or None
        if tok == "fields" and i + 1 < len(tokens) and isinstance(node, dict):
            idx = int(tokens[i + 1]) if tokens[i + 1].isdigit() else -1
            fields = node.get("fields") or []
            if 0 <= idx < len(fields):
                parts.append(fields[idx]["name"])
                node = fields[idx]
            i += 2
            continue
        if tok == "type" and isinstance(node, dict):
            node = node.get("type")
        elif tok in ("items", "values") and isinstance(node, dict):
            node = node.get(tok)
            parts.append("[]" if tok == "items" else "{}")
        elif tok.isdigit() and isinstance(node, list):
            idx = int(tok)
            node = node[idx] if idx < len(node) else node
        i += 1
    path = ""
    for p in parts:
        path += p if p in ("[]", "{}") else (f".{p}" if path else p)
    return path, node


def _explain(direction: str, against: int, kind: SchemaIncompatibilityType, location: str, msg: str, reader: Any, writer: Any, names: tuple | None = None) -> Incompatibility:
    rnames, wnames = names or (None, None)
    path, node = field_path(location, reader, rnames)
    where = f"field '{path}'" if path else "the record"
    k = kind.value
    if kind is SchemaIncompatibilityType.reader_field_missing_default_value:
        name = msg or path
        if direction == "backward":
            message = f"field '{path or name}' was added without a default"
            advice = 'Give it a default (for an optional value: "type": ["null", ...], "default": null), or publish a new event for a breaking change.'
        else:
            message = f"field '{path or name}' was removed (or renamed), and the previous version declares no default for it"
            advice = "Keep the field (deprecate it in its doc), or add an alias when renaming; a removal needs a new event or mode BACKWARD."
    elif kind is SchemaIncompatibilityType.type_mismatch:
        rtype = type_label(node) if node is not None else "?"
        wpath_node = field_path(location, writer, wnames)[1]
        wtype = type_label(wpath_node) if wpath_node is not None else "?"
        old_t, new_t = (wtype, rtype) if direction == "backward" else (rtype, wtype)
        message = f"{where} changed type from {old_t} to {new_t}"
        advice = "Only widening promotions are allowed (int→long→float→double, string↔bytes); add a new field with the new type instead, or publish a new event."
    elif kind is SchemaIncompatibilityType.missing_enum_symbols:
        symbols = msg.strip("{}").replace("'", "")
        if direction == "backward":
            message = f"enum symbol(s) {symbols} of {where} were removed"
            advice = "Keep the symbols (document them as unused), or give the enum a 'default' symbol."
        else:
            message = f"enum symbol(s) {symbols} were added to {where}"
            advice = "Readers on older versions only accept symbols they know: the enum needs a 'default' symbol in every version consumers use, or use mode BACKWARD (consumers upgrade first)."
    elif kind is SchemaIncompatibilityType.name_mismatch:
        message = f"the name of {where or 'a named type'} changed ({msg})"
        advice = "Keep the record/enum/fixed name and namespace, or add the old full name to 'aliases'."
    elif kind is SchemaIncompatibilityType.fixed_size_mismatch:
        message = f"the size of fixed {where} changed ({msg})"
        advice = "Fixed sizes can never change; add a new field instead."
    elif kind is SchemaIncompatibilityType.missing_union_branch:
        if direction == "backward":
            message = f"{where} no longer accepts a type the previous version could write ({msg})"
            advice = "Keep every branch of the union; add branches, don't remove them."
        else:
            message = f"{where} can now hold a type that older readers don't know ({msg})"
            advice = "Older readers need every branch the new writer may use; add the branch in a new field or use mode BACKWARD."
    else:  # pragma: no cover - future library kinds
        message = f"{where}: {msg or k}"
        advice = "Make the change compatible, or publish a new event."
    return Incompatibility(direction, against, k, path, message, advice)
