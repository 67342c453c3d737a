"""The gate's Avro work: every .avsc parsed as the Schema Registry parses it, every new version
checked against its history under the event's mode, done once per run.

A version new since the base (every version without ``--base``) is parsed as the registry
parses a new schema (defaults validated, the gate's policies applied); a merged one as the
registry holds it. Results are cached by content (parser) and by (mode, texts) (checks), so a
tree of many alike events costs little; ``start`` hands big trees to worker processes and
returns at once, so the other rules run meanwhile; ``Pending.result`` collects it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from eventbus.avro.compat import Incompatibility, check_parsed
from eventbus.avro.parser import AvroError, PolicyError
from eventbus.avro.schema import parse_text
from eventbus.model.registry import merged_events

POOL_THRESHOLD = 150  # events; below this a pool costs more than it saves (above, the work overlaps loading and the other rules)


@dataclass
class AvroAnalysis:
    errors: dict[str, str] = field(default_factory=dict)  # path -> why it is not accepted
    error_names: dict[str, str] = field(default_factory=dict)  # path -> the field or type at fault (for its line)
    kinds: dict[str, str] = field(default_factory=dict)  # path -> top-level type (record, string, ...)
    ignored_logical: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # path -> [(field, why)] (new versions)
    compat: dict[tuple[str, int], list[Incompatibility]] = field(default_factory=dict)  # (event ref, version) -> problems
    # field contracts (eventbus.avro.contract), worked out here, off the main process, for the
    # schema files whose text holds a classification property and the latest versions whose
    # field names may look like identifiers
    classified: dict[str, Classified] = field(default_factory=dict)  # path -> its classification facts
    identifiers: dict[str, tuple[Identifier, ...]] = field(default_factory=dict)  # latest version's path -> unclassified identifier-like fields
    # the walks of the rules avro-default and avro-doc, for every file that parses (only when it
    # has any): (field name, dotted path, why) of invalid field defaults, (field name, dotted path)
    # of fields without a doc, in the walker's order (eventbus.avro.schema.iter_fields)
    bad_defaults: dict[str, tuple[tuple[str, str, str], ...]] = field(default_factory=dict)
    undocumented: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    named: dict[str, tuple[str, ...]] = field(default_factory=dict)  # path -> full names of its named types (eventbus.avro.schema.named_types), for avro-namespace

    def ok(self, path: str) -> bool:
        return path in self.kinds

    def merge(self, other: AvroAnalysis) -> None:
        self.errors.update(other.errors)
        self.error_names.update(other.error_names)
        self.kinds.update(other.kinds)
        self.ignored_logical.update(other.ignored_logical)
        self.compat.update(other.compat)
        self.classified.update(other.classified)
        self.identifiers.update(other.identifiers)
        self.bad_defaults.update(other.bad_defaults)
        self.undocumented.update(other.undocumented)
        self.named.update(other.named)


@dataclass(frozen=True)
class Classified:
    """A schema file's classified fields and unreadable classification properties."""

    fields: tuple[tuple[str, str], ...]  # (dotted path, PII | PHI), in schema order
    problems: tuple  # eventbus.avro.contract.Problem, ...


@dataclass(frozen=True)
class Identifier:
    """A field named like a known identifier that has no classification."""

    path: str
    name: str
    what: str  # e.g. "an ICN (Integration Control Number)"
    level: str  # the classification it suggests


# (ref, mode, [(version, path, text)], key (path, text, new) | None, merged versions, versions to check)
Job = tuple[str, str, list[tuple[int, str, str]], "tuple[str, str, bool] | None", frozenset, tuple]


def _why(exc: AvroError) -> str:
    if isinstance(exc, PolicyError):
        return f"{exc} [the gate is stricter than the Schema Registry here: see docs/rules.md]"
    return str(exc)


@lru_cache(maxsize=16384)
def _check(mode: str, new_text: str, history: tuple[str, ...]) -> tuple[Incompatibility, ...]:
    new = parse_text(new_text)
    return tuple(check_parsed(mode, new, [parse_text(t, new=False) for t in history]))


def _parse(out: AvroAnalysis, path: str, text: str, new: bool) -> None:
    try:
        node = parse_text(text, new)
    except AvroError as exc:
        out.errors[path] = _why(exc)
        if exc.name:
            out.error_names[path] = exc.name
        return
    out.kinds[path] = node.type
    if new:
        ignored = sorted(set(_ignored_logical(node)))
        if ignored:
            out.ignored_logical[path] = ignored
    _fields(out, path, text)


def _fields(out: AvroAnalysis, path: str, text: str) -> None:
    """What the rules avro-default, avro-doc and avro-namespace find in a schema file that parses
    (they read it from here: it is cached with the rest)."""
    import json

    from eventbus.avro.schema import default_problem, iter_fields, named_types

    try:
        schema = json.loads(text)
    except (ValueError, RecursionError):  # pragma: no cover - the parser took it
        return
    if not isinstance(schema, dict):
        return
    names = named_types(schema)
    out.named[path] = tuple(names)
    bad, undocumented = [], []
    for f in iter_fields(schema):
        if f.has_default:
            problem = default_problem(f.type, f.default, names, f.record.rpartition(".")[0] or None)
            if problem:
                bad.append((f.name, f.path, problem))
        if not str(f.doc or "").strip():
            undocumented.append((f.name, f.path))
    if bad:
        out.bad_defaults[path] = tuple(bad)
    if undocumented:
        out.undocumented[path] = tuple(undocumented)


def _contract(out: AvroAnalysis, path: str, text: str, latest: bool) -> None:
    """The classification facts of a schema file (and its identifier-like fields, for the latest
    version), when its text can have any: most files cost two substring tests."""
    from eventbus.avro.contract import fields_of_text, identifier, may_name_identifier, mentions_classification

    mentions = mentions_classification(text)
    named = latest and may_name_identifier(text)
    if not (mentions or named):
        return
    facts = fields_of_text(text)
    if mentions:
        out.classified[path] = Classified(tuple((f.path, f.classification) for f in facts.classified), facts.problems)
    if named:
        found = []
        for f in facts.fields.values():
            looks = identifier(f.name) if f.declared is None and f.classification == "none" else None
            if looks is not None:
                found.append(Identifier(f.path, f.name, *looks))
        if found:
            out.identifiers[path] = tuple(found)


def _ignored_logical(node, seen=None, name=""):
    """(name of the nearest field, why) of every invalid logical type in a parsed schema."""
    seen = set() if seen is None else seen
    if id(node) in seen:
        return
    seen.add(id(node))
    if node.ignored_logical:
        yield (name, node.ignored_logical)
    k = node.type
    if k == "record":
        for f in node.fields:
            yield from _ignored_logical(f.type, seen, f.name)
    elif k == "array":
        yield from _ignored_logical(node.items, seen, name)
    elif k == "map":
        yield from _ignored_logical(node.values, seen, name)
    elif k == "union":
        for b in node.branches:
            yield from _ignored_logical(b, seen, name)


def _run_one(job: Job) -> AvroAnalysis:
    """The analysis of one event (its schema files and their compatibility)."""
    out = AvroAnalysis()
    ref, mode, versions, key, merged, to_check = job
    for i, (v, path, text) in enumerate(versions):
        _parse(out, path, text, v not in merged)
        _contract(out, path, text, i == len(versions) - 1)
    if key:
        _parse(out, key[0], key[1], key[2])
        _contract(out, key[0], key[1], False)
    if mode == "NONE" or not all(p in out.kinds for _v, p, _t in versions):
        return out
    texts = [t for _v, _p, t in versions]
    for i, (v, _p, text) in enumerate(versions):
        if i == 0 or v not in to_check:
            continue
        try:
            problems = _check(mode, text, tuple(texts[:i]))
        except AvroError:  # a previous version the registry would not hold: reported on that file
            continue
        if problems:
            out.compat[(ref, v)] = list(problems)
    return out


def _run_each(jobs: list[Job]) -> list[AvroAnalysis]:
    return [_run_one(job) for job in jobs]


def _run(jobs: list[Job]) -> AvroAnalysis:
    """The analysis of ``jobs``, in this process, merged (never cached)."""
    out = AvroAnalysis()
    for part in _run_each(jobs):
        out.merge(part)
    return out


# -- the persistent cache's form of one event's results (eventbus.avro.cache): plain JSON --------

def encode(a: AvroAnalysis) -> dict:
    out: dict = {}
    for name in ("errors", "error_names", "kinds"):
        if getattr(a, name):
            out[name] = getattr(a, name)
    if a.ignored_logical:
        out["ignored_logical"] = {p: [list(x) for x in v] for p, v in a.ignored_logical.items()}
    if a.compat:
        out["compat"] = [[ref, v, [[i.direction, i.against, i.kind, i.field, i.message, i.advice] for i in problems]]
                         for (ref, v), problems in a.compat.items()]
    if a.classified:
        out["classified"] = {p: [[list(f) for f in c.fields], [[x.path, x.name, x.message, x.hint] for x in c.problems]]
                             for p, c in a.classified.items()}
    if a.identifiers:
        out["identifiers"] = {p: [[i.path, i.name, i.what, i.level] for i in ids] for p, ids in a.identifiers.items()}
    if a.bad_defaults:
        out["bad_defaults"] = {p: [list(x) for x in v] for p, v in a.bad_defaults.items()}
    if a.undocumented:
        out["undocumented"] = {p: [list(x) for x in v] for p, v in a.undocumented.items()}
    if a.named:
        out["named"] = {p: list(v) for p, v in a.named.items()}
    return out


def decode(d: dict) -> AvroAnalysis:
    """The inverse of :func:`encode` (raises on anything it did not write)."""
    from eventbus.avro.contract import Problem

    def texts(m: dict) -> dict[str, str]:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in m.items()):
            raise ValueError("not a cache entry")
        return dict(m)

    out = AvroAnalysis(texts(d.get("errors", {})), texts(d.get("error_names", {})), texts(d.get("kinds", {})))
    for p, items in d.get("ignored_logical", {}).items():
        out.ignored_logical[p] = [(str(n), str(w)) for n, w in items]
    for ref, v, problems in d.get("compat", ()):
        out.compat[(str(ref), int(v))] = [Incompatibility(str(a), int(b), str(c), str(e), str(f), str(g)) for a, b, c, e, f, g in problems]
    for p, (fields, problems) in d.get("classified", {}).items():
        out.classified[p] = Classified(tuple((str(f), str(c)) for f, c in fields), tuple(Problem(str(a), str(b), str(c), str(e)) for a, b, c, e in problems))
    for p, ids in d.get("identifiers", {}).items():
        out.identifiers[p] = tuple(Identifier(str(a), str(b), str(c), str(e)) for a, b, c, e in ids)
    for p, items in d.get("bad_defaults", {}).items():
        out.bad_defaults[p] = tuple((str(a), str(b), str(c)) for a, b, c in items)
    for p, items in d.get("undocumented", {}).items():
        out.undocumented[p] = tuple((str(a), str(b)) for a, b in items)
    for p, names in d.get("named", {}).items():
        out.named[p] = tuple(str(n) for n in names)
    return out


def jobs_for(events, base) -> list[Job]:
    jobs: list[Job] = []
    history = merged_events(events, base)
    for e in events:
        merged: set[int] = set()
        old = history.get(e.ref)
        if old is not None:
            merged = {v.version for v in old.versions}
        versions = [(v.version, v.path, v.text) for v in e.versions if v.schema is not None]
        key = None
        if e.key_schema is not None and e.key_schema.schema is not None:
            same = old is not None and old.key_schema is not None and old.key_schema.text == e.key_schema.text
            key = (e.key_schema.path, e.key_schema.text, not same)
        complete = len(versions) == len(e.versions)  # a version that is not even JSON: nothing to compare in order
        to_check = tuple(v for v, _p, _t in versions if v not in merged) if complete else ()
        jobs.append((e.ref, e.compatibility, versions, key, frozenset(merged), to_check))
    return jobs


class Pending:
    """The analysis under way (:func:`start`); ``result()`` waits for it, stores what it computed
    in the cache and merges every event's part in the order of the events."""

    def __init__(self, parts: list[AvroAnalysis | None], running, slots: list[list[int]], keys: list[str], store):
        self._parts, self._running, self._slots, self._keys, self._store = parts, running, slots, keys, store
        self._done: AvroAnalysis | None = None

    def result(self) -> AvroAnalysis:
        if self._done is None:
            parts = self._parts
            for slots, got in zip(self._slots, self._running.results() if self._running is not None else (), strict=True):
                for i, part in zip(slots, got, strict=True):
                    parts[i] = part
                    if self._store is not None:
                        self._store.put(self._keys[i], encode(part))
            if self._store is not None:
                self._store.save()
            out = AvroAnalysis()
            for part in parts:
                if part is not None:
                    out.merge(part)
            self._done = out
        return self._done


def start(events, base, workers: int | None = None, use_cache: bool = True) -> Pending:
    """Start the analysis of ``events`` (new since ``base``): the events whose exact input the
    cache (:mod:`eventbus.avro.cache`) holds are read from it, the others computed, in worker
    processes when there are many."""
    from eventbus.avro import cache
    from eventbus.concurrency import cores, start_parallel

    jobs = jobs_for(events, base)
    parts: list[AvroAnalysis | None] = [None] * len(jobs)
    store = cache.Store.open() if use_cache else None
    keys: list[str] = []
    todo: list[int] = []
    if store is not None and store.path is not None:
        keys = [cache.job_key(j) for j in jobs]
        for i, k in enumerate(keys):
            hit = store.get(k)
            if hit is not None:
                try:
                    parts[i] = decode(hit)
                    continue
                except (ValueError, TypeError, KeyError, AttributeError):  # not what encode() wrote: computed again
                    pass
            todo.append(i)
    else:
        store, todo = None, list(range(len(jobs)))
    if not todo:
        return Pending(parts, None, [], keys, store)
    workers = workers if workers is not None else cores()
    if len(todo) < POOL_THRESHOLD:  # one job: done in this process
        slots = [todo]
        return Pending(parts, start_parallel(_run_each, [([jobs[i] for i in todo],)]), slots, keys, store)
    # interleave so each chunk gets a fair share of big and small events
    slots = [c for c in (todo[i :: workers * 2] for i in range(workers * 2)) if c]
    return Pending(parts, start_parallel(_run_each, [([jobs[i] for i in c],) for c in slots], workers=workers), slots, keys, store)
