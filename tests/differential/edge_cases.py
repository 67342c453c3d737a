"""Hand-written corner cases of Java's parser and checker (each found by reading Avro Java 1.12),
checked against the oracle beside the generated histories: (mode, [schema, ...] oldest first)."""
from __future__ import annotations

import json


def R(fields, **kw):
    return {"type": "record", "name": kw.pop("name", "R"), **({"namespace": kw.pop("ns")} if "ns" in kw else {"namespace": "a"}), "fields": fields, **kw}


def F(n, t, **kw):
    return {"name": n, "type": t, **kw}


cases = [
    ("NONE", [R([F("a", "int", default="1")])]),
    ("NONE", [R([F("a", "double", default="NaN")])]),
    ("NONE", [R([F("a", "double", default=" 1.5f ")])]),
    ("NONE", [R([F("a", "double", default="0x1p3")])]),
    ("NONE", [R([F("a", "double", default="abc")])]),
    ("NONE", [R([F("a", ["double", "null"], default="1.5")])]),
    ("NONE", [R([F("a", "float", default=1e300)])]),
    ("NONE", [R([F("a", "int", default=2**31)])]),
    ("NONE", [R([F("a", ["null", ["int"]])])]),
    ("NONE", [R([F("a", {"type": "enum", "name": "E", "symbols": ["A"], "default": "B"})])]),
    ("NONE", [R([F("a", {"type": "enum", "name": "E", "symbols": ["A"], "default": 5})])]),
    ("NONE", [{"type": "record", "name": "int", "fields": []}]),
    ("NONE", [{"type": "record", "name": "x.int", "fields": []}]),
    ("NONE", [R([F("a", "int", order="DESCENDING")])]),
    ("NONE", [R([F("a", "int", order="foo")])]),
    ("NONE", [R([F("a", {"type": "fixed", "name": "X", "size": 0})])]),
    ("NONE", [R([F("a", {"type": "fixed", "name": "X", "size": -1})])]),
    ("NONE", [R([F("a", {"type": "fixed", "name": "X", "size": 2**31 - 9})])]),
    ("NONE", [R([F("a", {"type": "fixed", "name": "X", "size": 2**31 - 8})])]),
    ("FULL", ["\"string\"", "\"bytes\""]),
    ("BACKWARD", ["[\"null\", \"int\"]", "[\"null\", \"long\"]"]),
    ("FORWARD", ["[\"null\", \"int\"]", "[\"null\", \"long\"]"]),
    ("NONE", [R([F("a", {"type": "enum", "name": "E", "symbols": ["A"]}), F("b", {"type": "enum", "name": "E", "symbols": ["A"]})])]),
    ("NONE", [R([F("a", {"type": "enum", "name": "E", "symbols": ["A"]}), F("b", {"type": "enum", "name": "E", "symbols": ["A", "B"]})])]),
    ("NONE", [R([F("a", {"type": "enum", "name": "E", "symbols": ["A"]}), F("b", {"type": "enum", "name": "E", "symbols": ["A"], "doc": "x", "aliases": ["Z"]})])]),
    ("NONE", [R([F("a", "int")], ns=5)]),
    ("NONE", [R([F("a", "int", doc=5)], doc=[1])]),
    ("NONE", [R([F("a", R([F("x", "int", default=1)], name="S"), default={})])]),
    ("NONE", [R([F("a", {"type": "bytes", "logicalType": "decimal", "precision": 5.0})])]),
    ("NONE", [R([F("ü", "int")])]),
    ("BACKWARD", [R([F("a", "int")]), R([F("b", {"type": "enum", "name": "E", "symbols": ["A"], "default": "A"})])]),
    ("BACKWARD", [R([F("a", "int")]), R([F("a", "int", aliases=["a"])])]),
    ("NONE", ['{"type": "record", "name": "R", "fields": [], "name": "S"}']),
    ("NONE", [R([F("a", {"type": "enum", "name": "E", "symbols": ["A", 1]})])]),
    ("FULL", [{"type": "error", "name": "R", "fields": []}, R([], ns=None)]),
    ("NONE", ["{} {}"]),
    ("NONE", ["1"]),
    ("NONE", ['{"type": "record", "name": "R", "fields": [] /* c */}']),
    ("BACKWARD", [R([F("a", "int")], ns=None, name="X"), R([F("a", "int")], name="Y", aliases=[".X"])]),
    ("BACKWARD", [R([F("a", "int")], ns=None, name="X"), R([F("a", "int")], ns=None, name="Y", aliases=["X"])]),
    ("BACKWARD", [R([F("a", "int")], name="X"), R([F("a", "int")], name="Y", aliases=["b.X"])]),
    ("NONE", [R([F("a", {"type": "string", "name": "NotANamedType"})])]),
    ("NONE", [R([F("a", {"type": "a.R"})])]),
    ("NONE", [R([F("a", {"type": "map", "values": "int", "default": 1})])]),
    ("NONE", [R([F("a", "int", default=None)])]),
    ("NONE", [R([F("a", "null", default=None)])]),
    ("NONE", [R([F("a", ["null", "int", "null"])])]),
    ("NONE", [R([F("a", [{"type": "array", "items": "int"}, {"type": "array", "items": "long"}])])]),
    ("NONE", [R([F("a", "int", aliases="x")])]),
    ("NONE", [R([F("a", "int", aliases=["1x", "a.b"])])]),
    ("NONE", [R([F("a", "int")], aliases=["1x"])]),
    ("NONE", [R([F("a", "int")], aliases=["1x.Y"])]),
    ("NONE", [R([F("a", "int")], ns="a..b")]),
    ("NONE", [R([F("a", "int")], name=".R")]),
    ("NONE", [R([F("a", "int")], name="R.")]),
    ("NONE", [R([F("next", ["null", "R"], default={"next": None, "x": 1})])]),
    ("NONE", [R([F("kids", {"type": "array", "items": "R"}, default=[])])]),
    ("NONE", [R([F("a", R([F("back", ["null", "a.R"], default={"a": None})], name="Inner"))])]),
]


def lines() -> list[tuple[str, list[str]]]:
    return [(mode, [s if isinstance(s, str) else json.dumps(s) for s in schemas]) for mode, schemas in cases]
