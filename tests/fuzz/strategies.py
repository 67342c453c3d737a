"""Hypothesis strategies for hostile registry input: YAML token soup, plain data, Avro schemas
(recursive types, unions, enums, fixed, logical types, aliases, defaults right and wrong),
schema evolutions, and edits of a whole registry."""
from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import strategies as st

# -- YAML -------------------------------------------------------------------------
YAML_FRAGMENTS = [
    "title", "summary", "owner", "application", "subscriptions", "event", "principals", "prod", "key",
    ":", ": ", "- ", "-", "  ", "    ", "\t", "\n", "\n", "\n", "{", "}", "[", "]", ",", "&a ", "*a", "&b ", "*b", "<<: ",
    "!!int ", "!!float ", "!!str ", "!!bool ", "!!null ", "!!binary ", "!!timestamp ", "!!set ", "!!omap ", "!!map ", "!!seq ",
    "!!python/object:os.system ", "!!python/name:os.system", "!!python/object/apply:os.system ", "!custom ", "!<tag:yaml.org,2002:int> ",
    "!<!> ", "!e!x ", "? ", "|", ">", "|-", ">+", "|2", '"', "'", "\\", "\\x4", "\\u12", "\\U0010FFFF", "#", "---", "...",
    "%YAML 1.1\n", "%YAML 1.3\n", "%TAG ! tag:yaml.org,2002:\n", "%TAG !e! tag:e,2000:\n", "~", "null", "Null", "true", "True",
    "yes", "no", "on", "off", "y", "n", ".nan", ".inf", "-.inf", ".NaN", "0x1F", "0xZZ", "0o17", "0o9", "0b101", "0b2", "-0b1",
    "1_000", "1__0", "_1", "190:20:30", "1:2:3.5", "1e400", "-1e400", "1.5e3", "+12", "-0", "0", "07", "08",
    "9" * 4400, "0x" + "f" * 4000, "2026-01-02", "2026-13-45", "0000-01-01", "9999-12-31", "2026-01-02T10:00:00Z",
    "2001-12-14 21:59:43.10 -5", "\ufeff", "\u2028", "\u0085", "\r", "\r\n", "é", "а", "＊", "\x7f", "\x1b", "\ud7ff", "\ue000",
]

yaml_soup = st.lists(st.one_of(st.sampled_from(YAML_FRAGMENTS), st.text(max_size=4)), max_size=80).map("".join)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["yes", "no", "on", "off", "null", "~", "true", "2026-01-02", "0x10", "1_0", "<<", "&a", "*a", "!x", "- a", "a: b", "#c", "---", "..."]),
)
plain_data = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)),
    max_leaves=25,
)

# -- Avro ---------------------------------------------------------------------------
PRIMS = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"]
NAMES = ["A", "B", "Node", "Rec", "E", "F", "Status", "gov.va.test.A", "gov.va.other.Thing", "com.x.B", "a.b.C", "1bad", "", "int", "record", "ns.", ".x", "_A", "Ä"]
NAMESPACES = ["gov.va.test", "gov.va.other", "", "a.b", "gov..va", "1x", None]
FIELD_NAMES = ["id", "name", "next", "value", "status", "note", "a", "b", "_c", "1bad", "", "with space", "ünï"]
SYMBOLS = ["A", "B", "C", "OPEN", "CLOSED", "a", "_x", "1x", "", "A B", "Ω"]
LOGICAL = [
    {"type": "int", "logicalType": "date"},
    {"type": "int", "logicalType": "time-millis"},
    {"type": "long", "logicalType": "timestamp-millis"},
    {"type": "long", "logicalType": "timestamp-micros"},
    {"type": "long", "logicalType": "local-timestamp-millis"},
    {"type": "string", "logicalType": "uuid"},
    {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2},
    {"type": "bytes", "logicalType": "decimal", "precision": 2, "scale": 5},
    {"type": "bytes", "logicalType": "decimal", "precision": -1},
    {"type": "bytes", "logicalType": "decimal"},
    {"type": "string", "logicalType": "date"},
    {"type": "long", "logicalType": "unknown-thing"},
    {"type": "fixed", "name": "Dur", "size": 12, "logicalType": "duration"},
    {"type": "fixed", "name": "Dec", "size": 8, "logicalType": "decimal", "precision": 18, "scale": 4},
    {"type": "fixed", "name": "Dec2", "size": 2, "logicalType": "decimal", "precision": 40, "scale": 1},
]
GARBAGE = [{"type": 5}, {"type": []}, {}, [], "foo", 3, None, {"type": "array"}, {"type": "map"}, {"type": "record"}, {"type": "enum", "name": "X"},
           {"type": "fixed", "name": "X"}, {"type": {"type": "int"}}, {"type": ["null", "int"]}, {"type": "record", "name": "R", "fields": {}},
           {"type": "../other/v1.avsc"}, "../other/v1.avsc", "gov.va.health.RefillRequested", {"type": "string", "default": 1}]

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=6)),
    lambda ch: st.one_of(st.lists(ch, max_size=3), st.dictionaries(st.sampled_from(FIELD_NAMES + ["type", "name"]), ch, max_size=3)),
    max_leaves=8,
)


@st.composite
def default_for(draw, t: Any) -> Any:
    """A default that is usually right for ``t`` and sometimes wrong."""
    if draw(st.integers(0, 4)) == 0:
        return draw(json_values)
    kind = t.get("type") if isinstance(t, dict) else t
    if isinstance(t, list):
        return draw(default_for(t[0])) if t else None
    if kind == "null":
        return None
    if kind == "boolean":
        return draw(st.booleans())
    if kind in ("int", "long"):
        bits = 31 if kind == "int" else 63
        return draw(st.integers(-(2**bits), 2**bits - 1))
    if kind in ("float", "double"):
        return draw(st.floats(allow_nan=False, allow_infinity=False, width=32 if kind == "float" else 64))
    if kind in ("string", "bytes"):
        return draw(st.text(max_size=5))
    if kind == "fixed" and isinstance(t, dict):
        size = t.get("size")
        return "x" * size if isinstance(size, int) and 0 <= size < 64 else "x"
    if kind == "enum" and isinstance(t, dict):
        syms = t.get("symbols") or ["?"]
        return draw(st.sampled_from(syms)) if isinstance(syms, list) and syms else "?"
    if kind == "array" and isinstance(t, dict):
        return [draw(default_for(t.get("items")))] if draw(st.booleans()) else []
    if kind == "map" and isinstance(t, dict):
        return {"k": draw(default_for(t.get("values")))} if draw(st.booleans()) else {}
    if kind in ("record", "error") and isinstance(t, dict):
        return {f["name"]: draw(default_for(f.get("type"))) for f in t.get("fields") or [] if isinstance(f, dict) and isinstance(f.get("name"), str)}
    return draw(json_values)


@st.composite
def avro_field(draw, types) -> dict:
    t = draw(types)
    f: dict[str, Any] = {"name": draw(st.sampled_from(FIELD_NAMES[:9]) if draw(st.integers(0, 9)) else st.sampled_from(FIELD_NAMES)), "type": t}
    if draw(st.integers(0, 3)):
        f["doc"] = draw(st.sampled_from(["A documented field.", "", " ", "Ünïcode doc."]))
    if draw(st.booleans()):
        f["default"] = draw(default_for(t))
    if not draw(st.integers(0, 7)):
        f["aliases"] = draw(st.lists(st.sampled_from(FIELD_NAMES), max_size=2))
    if not draw(st.integers(0, 15)):
        f["order"] = draw(st.sampled_from(["ascending", "descending", "ignore", "sideways"]))
    return f


def _named(draw, kind: str) -> dict:
    d: dict[str, Any] = {"type": kind, "name": draw(st.sampled_from(NAMES[:7]) if draw(st.integers(0, 7)) else st.sampled_from(NAMES))}
    if not draw(st.integers(0, 3)):
        ns = draw(st.sampled_from(NAMESPACES))
        if ns is not None:
            d["namespace"] = ns
    if not draw(st.integers(0, 6)):
        d["aliases"] = draw(st.lists(st.sampled_from(NAMES), max_size=2))
    if draw(st.integers(0, 3)):
        d["doc"] = "Documented."
    return d


def _extend(children):
    @st.composite
    def record(draw):
        d = _named(draw, draw(st.sampled_from(["record"] * 9 + ["error"])))
        d["fields"] = draw(st.lists(avro_field(children), max_size=4))
        return d

    @st.composite
    def enum(draw):
        d = _named(draw, "enum")
        big = not draw(st.integers(0, 30))
        d["symbols"] = [f"S{i}" for i in range(draw(st.integers(1, 3000)))] if big else draw(st.lists(st.sampled_from(SYMBOLS), max_size=5))
        if draw(st.booleans()) and d["symbols"]:
            d["default"] = draw(st.sampled_from(d["symbols"] + ["NOPE"]))
        return d

    @st.composite
    def fixed(draw):
        d = _named(draw, "fixed")
        d["size"] = draw(st.one_of(st.integers(0, 32), st.sampled_from([-1, 2**31, 2**70, "4", 1.5, None])))
        return d

    return st.one_of(
        record(),
        enum(),
        fixed(),
        st.builds(lambda t: {"type": "array", "items": t}, children),
        st.builds(lambda t: {"type": "map", "values": t}, children),
        st.lists(children, min_size=0, max_size=4),  # unions (also empty, nested, duplicate branches)
        st.builds(lambda t: {"type": t}, children),  # type wrapped in an object
    )


avro_types = st.recursive(
    st.one_of(
        st.sampled_from(PRIMS),
        st.sampled_from(PRIMS).map(lambda p: {"type": p}),
        st.sampled_from(LOGICAL).map(copy.deepcopy),  # copies: evolve() edits schemas in place
        st.sampled_from(NAMES),  # references to named types, defined or not (recursion, escapes)
        st.sampled_from(GARBAGE).map(copy.deepcopy),
    ),
    _extend,
    max_leaves=12,
)


@st.composite
def avro_record(draw) -> dict:
    """A top-level record schema (what a v<N>.avsc holds), often valid, often subtly not."""
    d: dict[str, Any] = {"type": "record", "name": draw(st.sampled_from(["Node", "Rec", "A"])), "namespace": "gov.va.test", "doc": "Top."}
    d["fields"] = draw(st.lists(avro_field(avro_types), min_size=0, max_size=5))
    if not draw(st.integers(0, 4)):  # a recursive linked list, valid
        d["fields"].append({"name": "next", "type": ["null", d["name"]], "default": None, "doc": "Next."})
    return d


any_avro = st.one_of(avro_record(), avro_types)


def _paths(node: Any, here: tuple = ()) -> list[tuple]:
    out = [here]
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(_paths(v, here + (k,)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(_paths(v, here + (i,)))
    return out


def _get(node: Any, path: tuple) -> Any:
    for p in path:
        node = node[p]
    return node


@st.composite
def evolve(draw, schema: Any) -> Any:
    """A next version of ``schema``: one to three edits of the kinds schema authors make."""
    new = copy.deepcopy(schema)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(new)
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(["replace", "delete", "add_field", "promote", "nullable", "symbol", "rename", "alias", "size", "reorder", "default"]))
        if not path:
            if op == "replace":
                new = copy.deepcopy(draw(avro_types))
            continue
        parent, key = _get(new, path[:-1]), path[-1]
        node = parent[key]
        if op == "replace":
            parent[key] = copy.deepcopy(draw(avro_types))
        elif op == "delete":
            del parent[key]
        elif op == "add_field" and isinstance(node, dict) and isinstance(node.get("fields"), list):
            node["fields"].append(copy.deepcopy(draw(avro_field(avro_types))))
        elif op == "promote" and node in ("int", "long", "float", "string", "bytes"):
            parent[key] = draw(st.sampled_from({"int": ["long", "float", "double"], "long": ["float", "double", "int"], "float": ["double", "int"], "string": ["bytes"], "bytes": ["string"]}[node]))
        elif op == "nullable":
            parent[key] = ["null", node] if not isinstance(node, list) else node[1:] or ["null"]
        elif op == "symbol" and isinstance(node, dict) and isinstance(node.get("symbols"), list):
            if node["symbols"] and draw(st.booleans()):
                node["symbols"].pop(draw(st.integers(0, len(node["symbols"]) - 1)))
            else:
                node["symbols"].append(draw(st.sampled_from(SYMBOLS)))
        elif op == "rename" and isinstance(node, dict) and "name" in node:
            node["name"] = draw(st.sampled_from(NAMES + FIELD_NAMES))
        elif op == "alias" and isinstance(node, dict) and "name" in node:
            node["aliases"] = [str(node["name"])]
            node["name"] = draw(st.sampled_from(NAMES + FIELD_NAMES))
        elif op == "size" and isinstance(node, dict) and "size" in node:
            node["size"] = draw(st.integers(0, 20))
        elif op == "reorder" and isinstance(node, list) and len(node) > 1:
            node.reverse()
        elif op == "default" and isinstance(node, dict) and "type" in node and "name" in node and not node.get("fields"):
            if "default" in node:
                del node["default"]
            else:
                node["default"] = draw(default_for(node["type"]))
    return new


def dumps(schema: Any) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False)


# -- registry edits -------------------------------------------------------------------
NASTY_STRINGS = [
    "", " ", "\n", "x\n", "claims\n", "a" * 70, "*", "**", "?", "../x", "../../etc/passwd", "/abs", "a/b", "a\\b", "a b", "CAPS", "café",
    "clаims",  # Cyrillic a
    "ｃｌａｉｍｓ",  # full-width
    "claims\u200b", "claims\u202e", "\ufeffclaims", "null", "true", "0", "-1",
    "arn:aws-us-gov:iam::111122223333:role/x\n", "arn:aws:iam::*:root", "arn:aws:iam::111122223333:role/*", "arn:aws-cn:iam::111122223333:role/x",
    "arn:aws:iam::111122223333:root", "arn:aws-us-gov:iam::111122223333:role/../admin", "arn:aws-us-gov:iam::111122223333:role/",
    "arn:aws-us-gov:iam::111122223333:role/x y", "arn:aws-us-gov:iam::11112222333:role/x", "arn:aws-us-gov:sts::111122223333:assumed-role/x/y",
    "arn:aws-us-gov:iam::111122223333:role/x\u0000", "ａｒｎ:aws:iam::111122223333:role/x",
    "notify.notifier", "notify.", "claims-team.claims-publisher", "*", ".*", "notify.*",
    "claims/claim_created", "health/refill_requested", "claims/../health/refill_requested", "claims/claim_created\n", "claims/clаim_created",
    "0000-01-01", "9999-12-31", "2026-02-30", "2026-01-01T00:00:00Z", "20260101", "2026-11-26", "2027-06-01", "2020-01-01",
    "BACKWARD", "NONE", "restricted", "open", "PHI", "PII", "none", "High", "Moderate", "deprecated", "retired", "production", "experimental",
    "compact", "compact,delete", "key.avsc", "v1.avsc", "../v1.avsc", "sandbox", "prod", "local",
]
NASTY_VALUES = NASTY_STRINGS + [None, True, False, 0, -1, 1, 3, 1000, 1001, 2**31, 2**63, 10**30, 1.5, float("inf"), float("-inf"), [], {}, ["prod"], {"prod": []}]

nasty = st.one_of(st.sampled_from(NASTY_VALUES).map(copy.deepcopy), plain_data)
weird_names = st.sampled_from([
    "claims", "claim_created", "clаims", "ｃｌａｉｍｓ", "claims\n", "Claims", "claims_", "_claims", "claims__x", "1claims", "a" * 120,
    "..", ".", "a b", "a\\b", "claims\u200b", "refill_requested", "health", "v1.avsc", "event.yaml", "-", "x" * 255,
])


# -- file-level edits of the fixture registry ----------------------------------------------------
@st.composite
def mutated_bytes(draw, original: bytes) -> bytes:
    """New content for a file: random bytes, YAML token soup, or the original with bytes inserted,
    deleted or swapped, lines duplicated or swapped, or cut short."""
    kind = draw(st.sampled_from(["random", "soup", "insert", "delete", "truncate", "duplicate-line", "swap-lines"]))
    if kind == "random" or not original:
        return draw(st.binary(max_size=600))
    if kind == "soup":
        return draw(yaml_soup).encode("utf-8", "surrogatepass")
    if kind == "truncate":
        return original[: draw(st.integers(0, len(original)))]
    lines = original.split(b"\n")
    if kind in ("duplicate-line", "swap-lines"):
        i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
        if kind == "duplicate-line":
            lines.insert(j, lines[i])
        else:
            lines[i], lines[j] = lines[j], lines[i]
        return b"\n".join(lines)
    at = draw(st.integers(0, len(original)))
    if kind == "delete":
        return original[:at] + original[at + draw(st.integers(1, 40)):]
    frag = draw(st.one_of(st.sampled_from(YAML_FRAGMENTS).map(lambda s: s.encode("utf-8", "surrogatepass")), st.binary(max_size=8),
                          st.sampled_from([b'"', b"{", b"}", b"[", b"]", b",", b":", b"\x00", b"\xff", b"\xc3", b'"type": "error"', b"NaN", b"1e999"])))
    return original[:at] + frag + original[at:]


@st.composite
def file_edit(draw):
    """(file of the fixture registry or a new one, its new content)."""
    from tests.fuzz import harness

    tree = harness.base_tree()
    slot = draw(st.sampled_from(tree.slots))
    original = tree.originals.get(slot, b"")
    return slot, draw(mutated_bytes(original))


