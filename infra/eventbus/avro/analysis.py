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


def _run(jobs: list[Job]) -> AvroAnalysis:
    out = AvroAnalysis()
    for ref, mode, versions, key, merged, to_check in jobs:
        for i, (v, path, text) in enumerate(versions):
            _parse(out, path, text, v not in merged)
            _contract(out, path, text, i == len(versions) - 1)
        if key:
            _parse(out, key[0], key[1], key[2])
            _contract(out, key[0], key[1], False)
        if mode == "NONE" or not all(p in out.kinds for _v, p, _t in versions):
            continue
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


def jobs_for(events, base) -> list[Job]:
    jobs: list[Job] = []
    for e in events:
        merged: set[int] = set()
        old = base.events_by_ref.get(e.ref) if base is not None else None
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
    """The analysis under way (:func:`start`); ``result()`` waits for it."""

    def __init__(self, running):
        self._running = running
        self._done: AvroAnalysis | None = None

    def result(self) -> AvroAnalysis:
        if self._done is None:
            out = AvroAnalysis()
            for part in self._running.results():
                out.merge(part)
            self._done = out
        return self._done


def start(events, base, workers: int | None = None) -> Pending:
    from eventbus.concurrency import cores, start_parallel

    jobs = jobs_for(events, base)
    workers = workers if workers is not None else cores()
    if len(jobs) < POOL_THRESHOLD:  # one job: done in this process
        return Pending(start_parallel(_run, [(jobs,)]))
    # interleave so each chunk gets a fair share of big and small events
    chunks = [c for c in (jobs[i :: workers * 2] for i in range(workers * 2)) if c]
    return Pending(start_parallel(_run, [(c,) for c in chunks], workers=workers))
