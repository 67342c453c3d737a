"""Seeded schema histories for the differential test, from Avro's grammar plus mutations.

A history is v1 drawn from the grammar (records with primitive, logical, enum, fixed, array,
map and union fields, nested and recursive records, namespaces, aliases, defaults right and
wrong), then each next version is the previous one with one to three edits a producer might
make (add, remove, rename, retype, reorder fields; widen or narrow a type; make a field
optional or required; add or remove enum symbols, defaults and union branches; rename or
move a named type, with or without an alias; resize a fixed...). Nothing here knows how
compatibility is decided: the verdicts come from Apache Avro Java and from eventbus.
"""
from __future__ import annotations

import copy
import json
import random
from dataclasses import dataclass
from typing import Any

MODES = ("BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE")
PRIMS = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"]
WORDS = ["id", "name", "status", "note", "amount", "when", "code", "kind", "owner", "count", "ref", "tag", "score", "next", "items", "meta"]
TYPE_WORDS = ["Claim", "Status", "Hash", "Address", "Node", "Meta", "Kind", "Money", "Entry", "Link", "Code", "Info"]
SPACES = ["gov.va.claims", "gov.va.claims.detail", "gov.va.other", "com.example", "a.b"]
LOGICAL = [
    ("int", {"logicalType": "date"}),
    ("int", {"logicalType": "time-millis"}),
    ("long", {"logicalType": "timestamp-millis"}),
    ("long", {"logicalType": "timestamp-micros"}),
    ("long", {"logicalType": "local-timestamp-millis"}),
    ("string", {"logicalType": "uuid"}),
    ("bytes", {"logicalType": "decimal", "precision": 10, "scale": 2}),
    ("bytes", {"logicalType": "decimal"}),  # invalid: ignored by Java
    ("int", {"logicalType": "timestamp-millis"}),  # invalid: ignored
    ("string", {"logicalType": "date"}),  # invalid: ignored
    ("long", {"logicalType": "made-up"}),  # unknown: a plain property
]


@dataclass
class History:
    id: int
    mode: str
    versions: list[str]  # schema texts, oldest first; the last is the new one

    def to_json(self) -> str:
        return json.dumps({"id": self.id, "mode": self.mode, "schemas": self.versions})


class Gen:
    def __init__(self, rng: random.Random):
        self.r = rng
        self.used: set[str] = set()  # full names defined in the schema being drawn
        self.by_name: dict[str, dict] = {}  # full name -> definition (for defaults of references)
        self.open: set[str] = set()  # records being drawn

    # -- grammar --------------------------------------------------------------------
    def name(self) -> str:
        for _ in range(50):
            n = self.r.choice(TYPE_WORDS) + (str(self.r.randint(1, 9)) if self.r.random() < 0.3 else "")
            if n not in {u.rsplit(".", 1)[-1] for u in self.used}:
                return n
        return "T" + str(self.r.randint(100, 999999))

    def named_header(self, kind: str, ns: str | None) -> tuple[dict, str]:
        n = self.name()
        d: dict = {"type": kind, "name": n}
        space = ns
        roll = self.r.random()
        if roll < 0.15:
            space = self.r.choice(SPACES)
            d["namespace"] = space
        elif roll < 0.2:
            space = self.r.choice(SPACES)
            d["name"] = f"{space}.{n}"
        elif roll < 0.23:
            d["namespace"] = ""
            space = None
        full = f"{space}.{n}" if space else n
        self.used.add(full)
        self.by_name[full] = d
        if self.r.random() < 0.15:
            d["aliases"] = [self.r.choice([n + "Old", f"{self.r.choice(SPACES)}.{n}", self.name()])]
        if self.r.random() < 0.3:
            d["doc"] = f"The {n}."
        return d, full

    def type_(self, ns: str | None, depth: int, rec: str | None = None) -> Any:
        roll = self.r.random()
        if depth > 3:
            roll = roll * 0.45
        if roll < 0.32:
            return self.r.choice(PRIMS[1:])
        if roll < 0.38:
            base, props = self.r.choice(LOGICAL)
            return {"type": base, **props}
        if roll < 0.46:
            return self.enum(ns)
        if roll < 0.5:
            d, _ = self.named_header("fixed", ns)
            d["size"] = self.r.choice([4, 8, 12, 16])
            return d
        if roll < 0.6:
            if self.r.random() < 0.3:
                return self.union(ns, depth, rec)
            inner = self.type_(ns, depth + 1, rec)
            if isinstance(inner, list) and self.r.random() < 0.95:
                return inner if "null" in inner else ["null"] + inner
            return ["null", inner]
        if roll < 0.66:
            return {"type": "array", "items": self.type_(ns, depth + 1, rec)}
        if roll < 0.71:
            return {"type": "map", "values": self.type_(ns, depth + 1, rec)}
        if roll < 0.8 and rec:
            return self.r.choice([["null", rec], ["null", rec], {"type": "array", "items": rec}, {"type": "map", "values": rec}] * 4 + [rec])
        done = sorted(self.used - self.open) if self.r.random() < 0.97 else sorted(self.used)
        if roll < 0.85 and done:
            return self.r.choice(done)  # a reference to a type defined earlier (rarely: to an enclosing one)
        return self.record(ns, depth + 1)

    def union(self, ns, depth, rec) -> list:
        branches = ["null"] + self.r.sample(PRIMS[1:], self.r.randint(1, 3))
        if self.r.random() < 0.4:
            branches.append(self.enum(ns) if self.r.random() < 0.5 else self.record(ns, depth + 1))
        if self.r.random() < 0.03:
            branches.append(branches[-1])  # a duplicate: refused by everyone
        self.r.shuffle(branches) if self.r.random() < 0.3 else None
        return branches

    def enum(self, ns) -> dict:
        d, _ = self.named_header("enum", ns)
        d["symbols"] = self.r.sample(["OPEN", "CLOSED", "PENDING", "UNKNOWN", "DONE", "A", "B", "C"], self.r.randint(1, 5))
        if self.r.random() < 0.35:
            d["default"] = self.r.choice(d["symbols"]) if self.r.random() < 0.95 else "MISSING"
        return d

    def record(self, ns: str | None, depth: int) -> dict:
        d, full = self.named_header("record", ns)
        space = full.rpartition(".")[0] or None
        d["fields"] = []
        self.open.add(full)
        for _ in range(self.r.randint(0 if depth else 1, 5 if depth < 2 else 2)):
            self.add_field(d, space, depth, full)
        self.open.discard(full)
        return d

    def field(self, ns, depth, rec, taken) -> dict:
        name = self.r.choice([w for w in WORDS if w not in taken] or ["f" + str(self.r.randint(0, 99999))])
        f: dict = {"name": name, "type": self.type_(ns, depth, rec)}
        ref = isinstance(f["type"], str) and f["type"] not in PRIMS or isinstance(f["type"], dict) and f["type"].get("type") == "record"
        if self.r.random() < (0.08 if ref else 0.45):
            f["default"] = self.default(f["type"])
        if self.r.random() < 0.08:
            f["aliases"] = [self.r.choice(WORDS)]
        return f

    def add_field(self, rec: dict, ns, depth, full) -> None:
        taken = {f["name"] for f in rec["fields"]}
        rec["fields"].append(self.field(ns, depth, full, taken))

    def default(self, t: Any, depth: int = 0) -> Any:
        """Usually a value of the type (of the first union branch), sometimes not."""
        if isinstance(t, str) and t in self.by_name and depth < 4:
            return self.default(self.by_name[t], depth + 1)
        if self.r.random() < 0.03:
            return self.r.choice([None, 1, 1.5, "x", True, [], {}, 2**40])
        if isinstance(t, list):
            return self.default(t[0], depth + 1) if self.r.random() < 0.9 else self.default(t[-1], depth + 1)
        if isinstance(t, dict):
            k = t.get("type")
            if k == "enum":
                return t.get("default") or t["symbols"][0]
            if k == "fixed":
                return "\u0000" * t["size"]
            if k == "array":
                return []
            if k == "map":
                return {}
            if k == "record":
                return {f["name"]: self.default(f["type"], depth + 1) for f in t["fields"] if "default" not in f}
            return self.default(k)
        return {"null": None, "boolean": False, "int": 0, "long": 0, "float": 0.5, "double": 1.0, "bytes": "", "string": ""}.get(t, "x")

    def top(self) -> dict:
        self.used = set()
        self.by_name = {}
        space = self.r.choice(SPACES) if self.r.random() < 0.92 else None
        d = self.record(space, 0)
        if space and "namespace" not in d and "." not in d["name"]:
            d = {"type": "record", "name": d["name"], "namespace": space, **{k: v for k, v in d.items() if k not in ("type", "name")}}
        return d

    # -- mutations --------------------------------------------------------------------
    def records(self, s: Any, out: list | None = None) -> list[dict]:
        out = [] if out is None else out
        if isinstance(s, dict):
            if s.get("type") in ("record", "error") and isinstance(s.get("fields"), list):
                out.append(s)
                for f in s["fields"]:
                    self.records(f.get("type"), out)
            else:
                for k in ("items", "values"):
                    self.records(s.get(k), out)
        elif isinstance(s, list):
            for b in s:
                self.records(b, out)
        return out

    def defs(self, s: Any) -> list[tuple[dict, str]]:
        """Every named type definition with its full name (the spec's namespace rules)."""
        out: list[tuple[dict, str]] = []

        def full(d, ns):
            n = d["name"]
            if "." in n:
                return n.lstrip(".")
            space = d["namespace"] if isinstance(d.get("namespace"), str) else ns
            return f"{space}.{n}" if space else n

        def walk(x, ns):
            if isinstance(x, dict):
                if x.get("type") in ("record", "enum", "fixed") and isinstance(x.get("name"), str):
                    fn = full(x, ns)
                    out.append((x, fn))
                    ns = fn.rpartition(".")[0] or None
                for f in x.get("fields") or []:
                    walk(f.get("type"), ns)
                walk(x.get("items"), ns)
                walk(x.get("values"), ns)
            elif isinstance(x, list):
                for b in x:
                    walk(b, ns)

        walk(s, None)
        return out

    def named(self, s: Any, kind: str | None = None) -> list[dict]:
        out: list[dict] = []

        def walk(x):
            if isinstance(x, dict):
                if x.get("type") in ("record", "enum", "fixed") and (kind is None or x["type"] == kind):
                    out.append(x)
                for f in x.get("fields") or []:
                    walk(f.get("type"))
                walk(x.get("items"))
                walk(x.get("values"))
            elif isinstance(x, list):
                for b in x:
                    walk(b)

        walk(s)
        return out

    def mutate(self, schema: dict) -> dict:
        s = copy.deepcopy(schema)
        self.by_name = {fn: d for d, fn in reversed(self.defs(s))}
        for _ in range(self.r.choice([1, 1, 1, 2, 3])):
            op = self.r.choice(OPS)
            try:
                op(self, s)
            except (IndexError, KeyError, ValueError, TypeError):
                pass
        return s

    def _field(self, s) -> tuple[dict, dict] | None:
        recs = [r for r in self.records(s) if r["fields"]]
        if not recs:
            return None
        r = self.r.choice(recs)
        return r, self.r.choice(r["fields"])

    def op_add_field(self, s):
        r = self.r.choice(self.records(s))
        self.used = {fn for _d, fn in self.defs(s)}
        ns = dict((id(d), fn) for d, fn in self.defs(s))[id(r)].rpartition(".")[0] or None
        f = self.field(ns, 2, None, {f["name"] for f in r["fields"]})
        if self.r.random() < 0.5:
            f["default"] = self.default(f["type"])
        r["fields"].insert(self.r.randint(0, len(r["fields"])), f)

    def op_remove_field(self, s):
        r, f = self._field(s)
        inside = {fn for _d, fn in self.defs(f.get("type"))} | {d.get("name") for d in self.named(f.get("type"))}
        r["fields"].remove(f)
        text = json.dumps(s)
        if any(json.dumps(n) in text for n in inside) and self.r.random() < 0.95:
            r["fields"].append(f)  # still referenced elsewhere: keep it

    def op_rename_field(self, s):
        r, f = self._field(s)
        old = f["name"]
        f["name"] = self.r.choice([w for w in WORDS if w not in {x["name"] for x in r["fields"]}])
        roll = self.r.random()
        if roll < 0.5:
            f["aliases"] = [old]
        elif roll < 0.65 and len(r["fields"]) > 1:  # an alias that also names another field
            other = self.r.choice([x["name"] for x in r["fields"] if x is not f])
            f["aliases"] = [old, other]
            f["name"] = other if self.r.random() < 0.3 else f["name"]

    def op_alias_other(self, s):
        r, f = self._field(s)
        others = [x["name"] for x in r["fields"] if x is not f]
        if others:
            f["aliases"] = f.get("aliases", []) + [self.r.choice(others)]

    def op_retype(self, s):
        r, f = self._field(s)
        t = f["type"]
        widen = {"int": ["long", "float", "double"], "long": ["float", "double", "int"], "float": ["double", "int"],
                 "double": ["float"], "string": ["bytes"], "bytes": ["string"], "boolean": ["int"]}
        if isinstance(t, str) and t in widen and self.r.random() < 0.8:
            f["type"] = self.r.choice(widen[t])
        else:
            f["type"] = self.type_(None, 3)
        if "default" in f and self.r.random() < 0.5:
            f["default"] = self.default(f["type"])

    def op_optional(self, s):
        r, f = self._field(s)
        t = f["type"]
        if isinstance(t, list) and "null" in t and len(t) == 2:
            f["type"] = [b for b in t if b != "null"][0]  # required again, maybe keeping default null
        else:
            f["type"] = ["null", t] if self.r.random() < 0.8 else [t, "null"]
            if self.r.random() < 0.7:
                f["default"] = None

    def op_default(self, s):
        r, f = self._field(s)
        if "default" in f and self.r.random() < 0.5:
            del f["default"]
        else:
            f["default"] = self.default(f["type"])

    def op_reorder(self, s):
        r = self.r.choice(self.records(s))
        self.r.shuffle(r["fields"])

    def op_enum(self, s):
        e = self.r.choice(self.named(s, "enum"))
        roll = self.r.random()
        if roll < 0.35:
            e["symbols"].append(self.r.choice(["NEW", "LATER", "Z", "OPEN", "X1"]))
            e["symbols"] = list(dict.fromkeys(e["symbols"]))
        elif roll < 0.6 and len(e["symbols"]) > 1:
            e["symbols"].remove(self.r.choice(e["symbols"]))
            if e.get("default") not in e["symbols"]:
                e.pop("default", None)
        elif roll < 0.85:
            e["default"] = self.r.choice(e["symbols"])
        else:
            e.pop("default", None)

    def op_fixed(self, s):
        x = self.r.choice(self.named(s, "fixed"))
        x["size"] = self.r.choice([4, 8, 12, 16, 32])

    def op_rename_type(self, s):
        x, full = self.r.choice(self.defs(s))
        old_full = x["name"]
        ns = x.get("namespace")
        new = self.name() + "V2"
        roll = self.r.random()
        if roll < 0.3:
            x["aliases"] = [old_full.rpartition(".")[2]]  # unqualified: relative to the type's namespace
        elif roll < 0.55:
            x["aliases"] = [f"{ns}.{old_full}" if ns and "." not in old_full else old_full]
        elif roll < 0.65:
            x["aliases"] = ["." + old_full.rpartition(".")[2]]
        x["name"] = (old_full.rpartition(".")[0] + "." + new) if "." in old_full else new
        space = full.rpartition(".")[0]
        for old in {full, old_full}:
            self._rename_refs(s, old, f"{space}.{new}" if space else new)

    def _rename_refs(self, s, old, new):
        def walk(x):
            if isinstance(x, dict):
                for f in x.get("fields") or []:
                    if f.get("type") == old:
                        f["type"] = new
                    walk(f.get("type"))
                for k in ("items", "values"):
                    if x.get(k) == old:
                        x[k] = new
                    walk(x.get(k))
            elif isinstance(x, list):
                for i, b in enumerate(x):
                    if b == old:
                        x[i] = new
                    walk(b)

        walk(s)

    def op_namespace(self, s):
        x, before = self.r.choice(self.defs(s))
        roll = self.r.random()
        if roll < 0.4:
            x["namespace"] = self.r.choice(SPACES)
        elif roll < 0.6:
            x["namespace"] = ""
        else:
            x.pop("namespace", None)
        after = dict((id(d), fn) for d, fn in self.defs(s))[id(x)]
        if self.r.random() < 0.9:
            self._rename_refs(s, before, after)

    def op_union(self, s):
        r, f = self._field(s)
        t = f["type"]
        if isinstance(t, list):
            if len(t) > 2 and self.r.random() < 0.5:
                t.remove(self.r.choice(t[1:]))
            else:
                extra = self.r.choice([p for p in PRIMS if p not in t] or ["string"])
                t.append(extra)
        else:
            f["type"] = [t, self.r.choice([p for p in PRIMS if p != t])]

    def op_nested_record(self, s):
        r = self.r.choice(self.records(s))
        self.used = {fn for _d, fn in self.defs(s)}
        ns = dict((id(d), fn) for d, fn in self.defs(s))[id(r)].rpartition(".")[0] or None
        r["fields"].append({"name": self.r.choice(WORDS) + "X", "type": self.record(ns, 2), **({"default": {}} if self.r.random() < 0.3 else {})})

    def op_recursive(self, s):
        r = self.r.choice(self.records(s))
        name = r["name"]
        t = self.r.choice([["null", name], ["null", name], {"type": "array", "items": name}] * 3 + [name])
        f = {"name": "link" + str(self.r.randint(0, 99)), "type": t}
        if isinstance(t, list) and self.r.random() < 0.8:
            f["default"] = None
        if f["name"] not in {x["name"] for x in r["fields"]}:
            r["fields"].append(f)

    def op_logical(self, s):
        r, f = self._field(s)
        base, props = self.r.choice(LOGICAL)
        f["type"] = {"type": base, **props} if self.r.random() < 0.7 else base


OPS = [
    Gen.op_add_field, Gen.op_add_field, Gen.op_remove_field, Gen.op_rename_field, Gen.op_alias_other, Gen.op_retype,
    Gen.op_retype, Gen.op_optional, Gen.op_optional, Gen.op_default, Gen.op_reorder, Gen.op_enum, Gen.op_enum,
    Gen.op_fixed, Gen.op_rename_type, Gen.op_namespace, Gen.op_union, Gen.op_nested_record, Gen.op_recursive,
    Gen.op_logical,
]


def histories(seed: int, count: int) -> list[History]:
    """``count`` histories of 2-4 versions, the same for the same seed."""
    rng = random.Random(seed)
    g = Gen(rng)
    out = []
    for i in range(count):
        v = g.top()
        versions = [v]
        for _ in range(rng.choice([1, 1, 2, 3])):
            versions.append(g.mutate(versions[-1]))
        mode = rng.choice(MODES[:-1]) if rng.random() < 0.93 else "NONE"
        out.append(History(i, mode, [json.dumps(x) for x in versions]))
    return out
