"""Load the whole tree (events/, consumers/, teams/, Pulumi.<stack>.yaml) into one Registry.

Reading never modifies anything. Problems met while reading (bad YAML, schema
violations, files in the wrong place) become findings; the documents that
have them are left out of the model and their references are remembered as
``broken`` so later rules do not pile follow-up errors on top.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eventbus.load import placeholders
from eventbus.load.files import ReadError, decode
from eventbus.load.fs import DiskFS
from eventbus.load.schemas import validate_document
from eventbus.load.yaml import parse_yaml
from eventbus.model import (
    Compliance,
    Consumer,
    ConsumerGroup,
    Contact,
    Event,
    Example,
    Loc,
    ObiApproval,
    Positions,
    Producer,
    Registry,
    SchemaVersion,
    SourceSystem,
    Subscription,
    Team,
    TopicSettings,
    naming,
)
from eventbus.model.findings import Finding, Severity

VERSION_FILE = re.compile(r"^v([1-9][0-9]{0,3})\.avsc$")
STACK_FILE = re.compile(r"^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$")
DAY_MS = 86_400_000
EVENT_EXTRA_FILES = {"README.md", "CHANGELOG.md", "MIGRATION.md", "key.avsc", "event.yaml"}

DEFAULTS_TOPIC = {
    "partitions": 3,
    "retention_days": 7,
    "cleanup_policy": "delete",
    "min_insync_replicas": 2,
    "max_message_bytes": 1_048_576,
}


@dataclass
class LoadResult:
    registry: Registry
    findings: list[Finding] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)  # refs / paths of documents left out


def _finding(rule: str, message: str, hint: str, loc: Loc, severity: Severity = Severity.ERROR) -> Finding:
    return Finding(rule, severity, message, hint, loc)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _principals(data: dict | None) -> dict[str, tuple[str, ...]]:
    return {env: tuple(arns) for env, arns in sorted((data or {}).items())}


def _compliance(data: dict | None) -> Compliance | None:
    if data is None:
        return None
    return Compliance(
        vasi_id=data.get("vasi_id"),
        emass_id=data.get("emass_id"),
        fisma_level=data.get("fisma_level"),
        ato_status=data.get("ato_status"),
        ato_expires=_date(data.get("ato_expires")),
        pta_date=_date(data.get("pta_date")),
        pia_date=_date(data.get("pia_date")),
        data_sharing_agreement=data.get("data_sharing_agreement"),
        obi_approvals=tuple(
            ObiApproval(a["event"], a["reference"], tuple(a["environments"]), i)
            for i, a in enumerate(data.get("obi_approvals") or [])
        ),
    )


MAX_JSON_INT_DIGITS = 4300  # Python's own limit for int(str) (sys.get_int_max_str_digits)


def _token_line(text: str, token: str) -> int:
    """Line of the first ``token`` outside a JSON string (best effort)."""
    for m in re.finditer(r'"(?:[^"\\]|\\.)*"|' + re.escape(token), text):
        if not m.group().startswith('"'):
            return text.count("\n", 0, m.start()) + 1
    return 1


class _Refused(Exception):
    """Raised by the decoder's hooks; :func:`parse_json` turns it into a ReadError with a line."""

    def __init__(self, kind: str, value: str):
        self.kind, self.value = kind, value


def _pairs(items: list[tuple[str, Any]]) -> dict:
    out = dict(items)
    if len(out) != len(items):  # a key repeats: the first one that does
        seen: set[str] = set()
        for k, _v in items:
            if k in seen:
                raise _Refused("duplicate", k)
            seen.add(k)
    return out


def _constant(name: str) -> Any:
    raise _Refused("constant", name)


def _integer(digits: str) -> int:
    if len(digits) > MAX_JSON_INT_DIGITS:
        raise _Refused("integer", digits)
    return int(digits)


def _number(digits: str) -> float:
    value = float(digits)
    if math.isinf(value):
        raise _Refused("number", digits)
    return value


# one decoder for every file (json.loads with hooks builds a new one per call)
_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_constant, parse_int=_integer, parse_float=_number)

# How deep arrays and objects may nest. The json module's own limit is Python's recursion limit, which the frames
# of the caller use up too: the same file was read through one call path and "too deep" through another (the
# parse cache's loader calls from a few frames deeper). A fixed limit below it holds for any caller of a sane depth.
MAX_JSON_DEPTH = 920  # above the 904 levels the adversarial corpus holds to be valid JSON (avro-deep-schema-nesting)
_JSON_NESTING = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')  # a string (to its end, if unterminated) or a bracket


def _nests_too_deep(text: str) -> bool:
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:  # cannot: most files
        return False
    depth = 0
    for m in _JSON_NESTING.finditer(text):
        c = m.group()
        if c == "[" or c == "{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return True
        elif c == "]" or c == "}":
            depth -= 1
    return False


def parse_json(text: str) -> Any:
    """Standard JSON with duplicate keys refused; errors carry line and column.

    Fuzzing fixes: Python's json also reads NaN, Infinity and -Infinity (and 1e999 as inf), which
    standard JSON, Avro tooling and the Schema Registry refuse; they are errors now. An integer of
    more than 4,300 digits made ``int()`` raise a bare ValueError out of the loader; it is an
    error with its line now.
    """
    try:
        if text.startswith("\ufeff"):  # what json.loads says of a second byte order mark
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        if _nests_too_deep(text):
            raise RecursionError  # reported as the json module's own limit is
        return _DECODER.decode(text)
    except _Refused as refused:
        kind, value = refused.kind, refused.value
        if kind == "duplicate":
            raise ReadError("json-duplicate-key", f"duplicate key '{value}'", "remove one of the two entries", _second_line_of(text, value)) from None
        if kind == "constant":
            raise ReadError("json-syntax", f"{value} is not valid JSON", "use a finite number or null: standard JSON has no NaN or Infinity", _token_line(text, value)) from None
        if kind == "integer":
            raise ReadError("json-syntax", f"integer of {len(value):,} digits is too large", "use a number of a sensible size", _token_line(text, value)) from None
        raise ReadError("json-syntax", f"number {value[:40]} is out of range", "use a number within the range of a double", _token_line(text, value)) from None
    except json.JSONDecodeError as exc:
        raise ReadError("json-syntax", f"invalid JSON: {exc.msg}", "fix the JSON syntax at this position", *_clamp(text, exc.lineno, exc.colno)) from None
    except RecursionError:
        raise ReadError("json-syntax", "JSON nesting is too deep", "flatten the document") from None
    except ValueError as exc:  # any other conversion the json module refuses: never a crash
        raise ReadError("json-syntax", f"invalid JSON: {str(exc)[:120]}", "fix the JSON syntax") from None


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:]')


def _second_line_of(text: str, key: str) -> int:
    """Line of the repeated ``"key":``: the first one that repeats a key of its own object.

    Adversarial-corpus fix: this used to be the second ``"key":`` anywhere in the text, so a
    duplicate "type" in a field pointed at the record's own "type" a few lines up.
    """
    stack: list[set | None] = []  # per open container: the keys seen (objects) or None (arrays)
    prev = None
    for m in _JSON_TOKEN.finditer(text):
        tok = m.group()
        if tok == "{":
            stack.append(set())
        elif tok == "[":
            stack.append(None)
        elif tok in "}]":
            if stack:
                stack.pop()
        elif tok == ":":
            if prev is not None and stack and stack[-1] is not None:
                try:
                    k = json.loads(prev.group())
                except ValueError:
                    k = prev.group()[1:-1]
                if k == key and k in stack[-1]:
                    return text.count("\n", 0, prev.start()) + 1
                stack[-1].add(k)
        prev = m if tok.startswith('"') else None
    hits = [m.start() for m in re.finditer(r'"' + re.escape(key) + r'"\s*:', text)]
    i = hits[1] if len(hits) > 1 else (hits[0] if hits else 0)
    return text.count("\n", 0, i) + 1


def _clamp(text: str, line: int, col: int) -> tuple[int, int]:
    """A position at most at the end of the last line (git's count: a final newline starts no line).

    Fuzzing fix: errors at the end of a file ("Expecting value" after a final newline) pointed at
    a line past its end, where annotations are lost.
    """
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return (line, col) if line <= len(lines) else (len(lines), len(lines[-1]) + 1)


class TreeLoader:
    def __init__(self, root: str, fs=None):
        self.fs = fs or DiskFS(root)
        self.root = self.fs.root
        self._prefix = self.root.rstrip(os.sep) + os.sep
        self.findings: list[Finding] = []
        self.broken: set[str] = set()

    # -- a second process reading part of the tree ------------------------
    def spawn(self) -> TreeLoader:
        """A fresh loader of the same tree, for a forked worker (:meth:`handoff` is what it gives back)."""
        return TreeLoader(self.root, self.fs)

    def handoff(self) -> Any:
        """What a spawned loader gives back to its parent besides models and findings (:meth:`take`)."""
        return None

    def take(self, handed: Any) -> None:
        """Take what a spawned loader handed back."""

    # -- helpers ---------------------------------------------------------
    def rel(self, path: str) -> str:
        if path.startswith(self._prefix):  # every walked path: a cheap string cut
            return path[len(self._prefix):].replace(os.sep, "/")
        return os.path.relpath(path, self.root).replace(os.sep, "/")

    def _read(self, path: str) -> str | None:
        try:
            return decode(self.fs.read(path))
        except ReadError as err:
            self._error(err, path)
            return None

    def _error(self, err: ReadError, path: str) -> None:
        self.findings.append(_finding(err.rule, err.message, err.hint, Loc(self.rel(path), err.line, err.col)))

    def _yaml(self, path: str, schema: str) -> tuple[Any, Positions] | None:
        text = self._read(path)
        if text is None:
            return None
        rel = self.rel(path)
        try:
            data, table = parse_yaml(text)
        except ReadError as err:
            self._error(err, path)
            return None
        pos = Positions(rel, table)
        problems = validate_document(schema, data, pos)
        holes = placeholders.find(data, pos) if placeholders.may_hold(text) else []
        if holes:  # a placeholder is its own finding, not also the schema error its value causes
            at = {f.loc for f in holes}
            problems = holes + [p for p in problems if p.loc not in at]
        if problems:
            self.findings.extend(problems)
            return None
        return data, pos

    def _listdir(self, path: str) -> list[str]:
        """Names in a folder, leaving out (and reporting) every symbolic link.

        Every file the loader reads is reached through this walk from the
        root, which is why reads can skip resolving their full path.
        """
        if os.path.dirname(path) == self.root and self._symlink(path):
            return []
        names = self.fs.listdir(path)
        prefix = path if path.endswith(os.sep) else path + os.sep  # os.path.join of a plain name, without its cost per entry
        top = path == self.root
        return [n for n in names if not (not top and self._undecodable(prefix + n, n)) and not self._symlink(prefix + n)]

    def _undecodable(self, path: str, name: str) -> bool:
        """Report a name in a registry folder that is not UTF-8 (its bytes come back as lone
        surrogates): such a name cannot be written out (catalog pages), so it is left unread."""
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            self.findings.append(
                _finding("file-encoding", f"the name of '{self.rel(path)}' is not valid UTF-8", "rename it with a UTF-8 name (lowercase letters, digits, '_' or '-')", Loc(self.rel(path)))
            )
            return True
        return False

    def _stray(self, path: str, hint: str, severity: Severity = Severity.ERROR) -> None:
        self.findings.append(
            _finding("layout", f"unexpected {'folder' if self.fs.isdir(path) else 'file'} '{self.rel(path)}'", hint, Loc(self.rel(path)), severity)
        )

    def _symlink(self, path: str) -> bool:
        """Report a symbolic link: GitHub shows (and CODEOWNERS matches) the link, not what it
        points at, so a registry file or folder must be the real thing."""
        link = self.fs.symlink(path)
        if link is None:
            return False
        target, leaves = link
        if leaves:
            err = ReadError("file-symlink", f"symbolic link points outside the repository ({target})", "replace the link with the real file or folder")
        else:
            err = ReadError("file-symlink", f"symbolic link (to {target}): registry files and folders must be real, because reviews and CODEOWNERS see the link, not its target",
                            "replace the link with the real file or folder")
        self._error(err, path)
        return True

    # -- teams -----------------------------------------------------------
    def load_teams(self) -> list[Team]:
        teams = []
        base = os.path.join(self.root, "teams")
        for name in self._listdir(base):
            path = os.path.join(base, name)
            if not name.endswith(".yaml") or not self.fs.isfile(path):
                self._stray(path, "teams/ holds one <team-id>.yaml file per team")
                continue
            got = self._yaml(path, "team")
            if got is None:
                self.broken.add("team:" + name[:-5])
                continue
            d, pos = got
            po = d.get("product_owner")
            teams.append(
                Team(
                    id=d["id"],
                    name=d["name"],
                    github_team=d["github_team"],
                    contacts=tuple(Contact(c["name"], c.get("email"), c.get("role")) for c in d["contacts"]),
                    product_owner=Contact(po["name"], po.get("email"), po.get("role")) if po else None,
                    chat_channel=d.get("chat_channel"),
                    pos=pos,
                )
            )
        return teams

    # -- events ----------------------------------------------------------
    def load_events(self) -> list[Event]:
        events = []
        base = os.path.join(self.root, "events")
        for domain in self._listdir(base):
            dpath = os.path.join(base, domain)
            if not self.fs.isdir(dpath):
                if domain != "README.md":
                    self._stray(dpath, "events/ holds one folder per domain: events/<domain>/<event>/event.yaml")
                continue
            for name in self._listdir(dpath):
                epath = dpath + os.sep + name
                if not self.fs.isdir(epath):
                    if name != "README.md":
                        self._stray(epath, "a domain folder holds one folder per event: events/<domain>/<event>/event.yaml")
                    continue
                ev = self.load_event(domain, name, epath)
                if ev is not None:
                    events.append(ev)
                else:
                    self.broken.add(f"{domain}/{name}")
        return events

    def _avsc(self, path: str, version: int) -> SchemaVersion | None:
        text = self._read(path)
        if text is None:
            return None
        try:
            schema = parse_json(text)
        except ReadError as err:
            self._error(err, path)
            schema = None
        digest = hashlib.sha256(text.encode()).hexdigest()
        return SchemaVersion(version, self.rel(path), text, schema, digest)

    def load_event(self, domain: str, name: str, epath: str) -> Event | None:
        meta = epath + os.sep + "event.yaml"
        entries = self._listdir(epath)
        if "event.yaml" not in entries:
            self.findings.append(
                _finding("layout", f"event folder '{self.rel(epath)}' has no event.yaml", "add event.yaml (try: eventbus new event)", Loc(self.rel(epath)))
            )
            return None
        versions: list[SchemaVersion] = []
        examples: list[Example] = []
        key_schema = None
        for fname in entries:
            fpath = epath + os.sep + fname
            m = VERSION_FILE.fullmatch(fname)  # fullmatch: match() took "v1.avsc\n" for v1.avsc
            if m and self.fs.isfile(fpath):
                sv = self._avsc(fpath, int(m.group(1)))
                if sv is not None:
                    versions.append(sv)
            elif fname == "key.avsc":
                key_schema = self._avsc(fpath, 1)
            elif fname == "examples" and self.fs.isdir(fpath):
                for ex in self._listdir(fpath):
                    xpath = fpath + os.sep + ex
                    if not ex.endswith(".json") or not self.fs.isfile(xpath):
                        self._stray(xpath, "examples/ holds JSON payloads named <something>.json")
                        continue
                    text = self._read(xpath)
                    if text is None:
                        continue
                    try:
                        examples.append(Example(self.rel(xpath), parse_json(text)))
                    except ReadError as err:
                        self._error(err, xpath)
            elif fname not in EVENT_EXTRA_FILES:
                self._stray(
                    fpath,
                    "an event folder holds event.yaml, v<N>.avsc value schemas (v1.avsc, v2.avsc, ...), an optional key.avsc, examples/*.json, README.md and MIGRATION.md",
                )
        versions.sort(key=lambda v: v.version)
        got = self._yaml(meta, "event")
        if got is None:
            return None
        d, pos = got
        t = {**DEFAULTS_TOPIC, **(d.get("topic") or {})}
        retention_days = t["retention_days"]
        schema = d.get("schema") or {}
        access = d.get("access") or {}
        cls = d["classification"]
        return Event(
            domain=domain,
            name=name,
            title=d["title"],
            summary=d["summary"],
            description=d.get("description", ""),
            owner=d["owner"],
            lifecycle=d["lifecycle"],
            deprecated_on=_date(d.get("deprecated_on")),
            removal_date=_date(d.get("removal_date")),
            replaced_by=d.get("replaced_by"),
            classification=cls["data"],
            bip_sourced=bool(cls.get("bip_sourced", False)),
            source_systems=tuple(SourceSystem(s["name"], s.get("team"), s.get("product_owner")) for s in d.get("source_systems") or []),
            producers=tuple(
                Producer(p["application"], bool(p.get("idempotent", False)), i)
                for i, p in enumerate(d["producers"])
            ),
            topic=TopicSettings(
                partitions=t["partitions"],
                retention_ms=-1 if retention_days == -1 else retention_days * DAY_MS,
                cleanup_policy=t["cleanup_policy"],
                min_insync_replicas=t["min_insync_replicas"],
                max_message_bytes=t["max_message_bytes"],
                name=t.get("name"),
            ),
            compatibility=schema.get("compatibility", "BACKWARD"),
            key_declared=bool(schema.get("key")),
            access_policy=access.get("policy", "open"),
            allowed_consumers=tuple(access.get("allowed_consumers") or ()),
            tags=tuple(d.get("tags") or ()),
            compliance=_compliance(d.get("compliance")),
            versions=tuple(versions),
            key_schema=key_schema,
            examples=tuple(sorted(examples, key=lambda e: e.path)),
            folder=self.rel(epath),
            declared_domain=d["domain"],
            pos=pos,
            replaces=d.get("replaces"),
        )

    # -- consumers -------------------------------------------------------
    def load_consumers(self) -> list[Consumer]:
        consumers = []
        base = os.path.join(self.root, "consumers")
        for team in self._listdir(base):
            tpath = os.path.join(base, team)
            if not self.fs.isdir(tpath):
                if team != "README.md":
                    self._stray(tpath, "consumers/ holds one folder per team: consumers/<team>/<application>.yaml")
                continue
            for fname in self._listdir(tpath):
                fpath = tpath + os.sep + fname
                if not fname.endswith(".yaml") or not self.fs.isfile(fpath):
                    self._stray(fpath, "a team folder holds one <application>.yaml per application")
                    continue
                got = self._yaml(fpath, "consumer")
                if got is None:
                    self.broken.add(f"{team}/{fname[:-5]}")
                    continue
                d, pos = got
                cg = d.get("consumer_group") or {}
                consumers.append(
                    Consumer(
                        team=team,
                        application=fname[:-5],
                        description=d["description"],
                        principals=_principals(d["principals"]),
                        consumer_group=ConsumerGroup(cg.get("name") or naming.default_group(team, fname[:-5]), bool(cg.get("prefix", False))),
                        subscriptions=tuple(
                            Subscription(s["event"], s["purpose"], tuple(s["environments"]), i, tuple(s.get("fields") or ()))
                            for i, s in enumerate(d.get("subscriptions") or [])
                        ),
                        compliance=_compliance(d["compliance"]) or Compliance(),
                        declared_team=d["team"],
                        declared_application=d["application"],
                        pos=pos,
                    )
                )
        return consumers

    # -- adoption records ------------------------------------------------
    def load_adoptions(self) -> list:
        """``adopt/<stack>.yaml``: what ``eventbus import`` found live on a stack."""
        from eventbus.load.adoption import adoption_from

        out = []
        base = os.path.join(self.root, "adopt")
        for name in self._listdir(base):
            path = os.path.join(base, name)
            if not name.endswith(".yaml") or not self.fs.isfile(path):
                if name != "README.md":
                    self._stray(path, "adopt/ holds one <stack>.yaml per stack, written by eventbus import")
                continue
            got = self._yaml(path, "adopt")
            if got is None:
                self.broken.add("adopt:" + name[:-5])
                continue
            out.append(adoption_from(name[:-5], *got))
        return out

    # -- stacks ----------------------------------------------------------
    def load_stacks(self) -> list:
        from eventbus.load.stacks import StackError, load_stack

        stacks = []
        for fname in self._listdir(self.root):
            m = STACK_FILE.fullmatch(fname)
            if not m:
                continue
            try:
                stacks.append(load_stack(self.root, m.group(1), self.fs))
            except StackError as err:
                self.broken.add("stack:" + m.group(1))
                self.findings.append(_finding(err.rule, err.message, err.hint, err.loc))
        return stacks


PARALLEL_CONSUMERS = 300  # application files; below this a process of their own costs more than it saves


def _consumers_aside(parent: TreeLoader) -> tuple[list[Consumer], list[Finding], set[str], Any]:
    """The applications of the tree, with what reading them found (in a worker, with a loader like ``parent``)."""
    loader = parent.spawn()
    return loader.load_consumers(), loader.findings, loader.broken, loader.handoff()


def _many_consumers(root: str) -> bool:
    n = 0
    try:
        with os.scandir(os.path.join(root, "consumers")) as teams:
            for t in teams:
                if t.is_dir(follow_symlinks=False):
                    n += len(os.listdir(t.path))
                    if n >= PARALLEL_CONSUMERS:
                        return True
    except OSError:
        return False
    return False


def load_registry(root: str, on_events: Callable[[tuple[Event, ...]], None] | None = None, fs=None, parallel: bool = False,
                  loader: TreeLoader | None = None) -> LoadResult:
    """Load the tree (from disk, or from ``fs``, e.g. a git commit in memory). ``on_events`` is
    called as soon as the events are read (before consumers), so that work on them can start in
    the background meanwhile. With ``parallel``, a big tree on disk has its applications read by
    a worker process while this one reads the teams and events (the result is the same).
    ``loader``: another loader of ``root`` (the parse cache's, :mod:`eventbus.load.cache`)."""
    loader = loader or TreeLoader(root, fs)
    aside = None
    if parallel and fs is None and _many_consumers(loader.root):
        from eventbus.concurrency import start_aside

        aside = start_aside(_consumers_aside, loader, inherit=True)
    teams = tuple(loader.load_teams())
    events = tuple(loader.load_events())
    if on_events is not None:
        on_events(events)
    got = None
    if aside is not None:
        from eventbus.concurrency import WorkerDied

        try:
            got = aside.results()[0]
        except WorkerDied:  # the worker was killed (out of memory, a signal): the applications are read here
            got = None
    if got is not None:
        consumers, found, broken, handed = got
        loader.findings.extend(found)  # in the order of a serial load: teams, events, applications, ...
        loader.broken |= broken
        loader.take(handed)
    else:
        consumers = loader.load_consumers()
    registry = Registry(
        root=loader.root,
        teams=teams,
        events=events,
        consumers=tuple(consumers),
        stacks=tuple(loader.load_stacks()),
        adoptions=tuple(loader.load_adoptions()),
    )
    return LoadResult(registry, loader.findings, loader.broken)
