"""Which domain and event each topic becomes, and which application each live identity is:
from the import map (``--domain-map FILE``), else by asking (in a terminal), else a proposal.

The import map is YAML::

    topics:                       # topic name (or glob) -> <domain>, <domain>/<event>, or skip
      decision_letter_availability: benefits
      claims_*: claims
      tmp_*: skip
    applications:                 # User:<name> (Kafka) or role/<name> (IAM) -> <team>/<application>
      User:letters-svc: benefits-decisions/decision-letter-service
"""
from __future__ import annotations

import fnmatch
import os
import re
import sys
from dataclasses import dataclass, field

from eventbus.load.files import ReadError, read_text
from eventbus.load.yaml import parse_yaml
from eventbus.text import one_line

SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
ID = re.compile(r"^[a-z][a-z0-9-]{1,62}$")
TARGET = re.compile(r"^([a-z][a-z0-9]*(?:_[a-z0-9]+)*)(?:/([a-z][a-z0-9]*(?:_[a-z0-9]+)*))?$")
APP = re.compile(r"^([a-z][a-z0-9-]{1,62})/([a-z][a-z0-9-]{1,62})$")
SKIP = "skip"
UNASSIGNED = "unassigned"  # the team of an identity nobody assigned: teams/unassigned.yaml is a stub to fill in
DEFAULT_DOMAIN = "imported"  # the domain of a one-word topic nobody assigned


class MapError(Exception):
    """A bad import map: file, line, what to fix (exit 2)."""


def app_id(name: str) -> str:
    """An application id (``[a-z][a-z0-9-]{1,62}``) proposed from a Kafka user or role name."""
    s = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    s = re.sub(r"^[^a-z]+", "", s)
    if len(s) < 2:
        s = f"app-{s}".rstrip("-") if s else "app"
    return s[:63].rstrip("-")


def propose(base: str) -> tuple[str, str]:
    """(domain, event) for a topic nobody assigned: the first word is the domain when there are
    several (``claims_contention_created`` → ``claims/contention_created``)."""
    head, _, rest = base.partition("_")
    return (head, rest) if rest else (DEFAULT_DOMAIN, base)


def split(target: str, base: str) -> tuple[str, str]:
    """``domain`` or ``domain/event`` for the topic ``base`` → (domain, event): with a domain
    alone the event is the rest of the name when the topic starts with ``<domain>_``, else the
    whole name (then ``topic.name`` keeps it)."""
    m = TARGET.fullmatch(target)
    assert m is not None, target
    domain, event = m.group(1), m.group(2)
    if event is None:
        event = base[len(domain) + 1:] if base.startswith(domain + "_") and len(base) > len(domain) + 1 else base
    return domain, event


@dataclass
class Choices:
    topics: dict[str, str] = field(default_factory=dict)  # name or glob -> target or "skip"
    applications: dict[str, str] = field(default_factory=dict)  # identity -> <team>/<application>
    interactive: bool = False
    asked: dict[str, str] = field(default_factory=dict)

    def topic(self, base: str) -> tuple[str, str] | None:
        """(domain, event) of a topic, or None to skip it."""
        target = self.topics.get(base) or next((v for k, v in self.topics.items() if any(c in k for c in "*?[") and fnmatch.fnmatchcase(base, k)), None)
        if target is None and self.interactive:
            default = "/".join(propose(base))
            target = self._ask(f"domain for topic {base} (<domain>, <domain>/<event> or skip)", default, lambda v: v == SKIP or bool(TARGET.fullmatch(v)))
        if target == SKIP:
            return None
        return split(target, base) if target else propose(base)

    def application(self, identity: str, default: str) -> str:
        ref = self.applications.get(identity)
        if ref is None and self.interactive:
            ref = self._ask(f"team/application for {identity}", default, lambda v: bool(APP.fullmatch(v)))
        return ref or default

    def _ask(self, question: str, default: str, ok) -> str:
        while True:
            print(f"{one_line(question)} [{one_line(default)}]: ", end="", file=sys.stderr, flush=True)  # names the cluster holds
            line = sys.stdin.readline()
            if not line:  # end of input: take the proposals from here on
                self.interactive = False
                return default
            value = line.strip() or default
            if ok(value):
                self.asked[question] = value
                return value
            print(f"  not valid: {value!r}", file=sys.stderr)


def load_map(path: str) -> Choices:
    """The import map at ``path`` (YAML, plain data only, at most 1 MB)."""
    try:
        data, table = parse_yaml(read_text(os.path.dirname(os.path.realpath(path)), path))
    except ReadError as err:
        raise MapError(f"{path}:{err.line}: {err.message} (fix: {err.hint})") from None
    data = data or {}

    def where(*key) -> str:
        return f"{path}:{table.get(tuple(key), (1, 1))[0]}"

    if not isinstance(data, dict) or set(data) - {"topics", "applications"}:
        raise MapError(f"{where()}: an import map has the sections topics and applications only")
    for section in ("topics", "applications"):
        if not isinstance(data.get(section) or {}, dict):
            raise MapError(f"{where(section)}: {section} is a mapping (name: target), not {type(data[section]).__name__}")
    out = Choices()
    for name, target in (data.get("topics") or {}).items():
        if not isinstance(target, str) or not (target == SKIP or TARGET.fullmatch(target)):
            raise MapError(f"{where('topics', name)}: topic {one_line(name, 100)}: {target!r} is not <domain>, <domain>/<event> (snake_case) or skip")
        out.topics[str(name)] = target
    for ident, ref in (data.get("applications") or {}).items():
        if not (str(ident).startswith(("User:", "role/")) and isinstance(ref, str) and APP.fullmatch(ref)):
            raise MapError(f"{where('applications', ident)}: {one_line(ident, 100)}: write User:<name> or role/<name> -> <team>/<application> (lowercase ids)")
        out.applications[str(ident)] = ref
    return out
