"""``eventbus new version <domain>/<event>``: the next schema version, or a successor event.

- Without ``--breaking``: ``v<N+1>.avsc``, a copy of the latest version to edit; the event's
  compatibility mode decides what the edit may change (the gate checks it, and names the
  consumers of every field it changes: field-change).
- With ``--breaking``: a change no mode allows is published as a new event. This writes the
  successor ``events/<domain>/<event>_v2/`` (``_v<K+1>`` after ``_v<K>``) with the old event's
  settings, producers and key, ``replaces: <old>``, and as its ``v1.avsc`` a copy of the old
  latest version (make the breaking change there); it deprecates the old event in place
  (``lifecycle: deprecated``, ``deprecated_on`` today, ``removal_date`` at least six months
  out, ``replaced_by: <new>``: only those lines of its event.yaml change) and writes
  ``MIGRATION.md`` into the old folder for its consumers: who they are, and the path
  (dual publishing, each consumer moves, then cut-over).

Never overwrites: every file is checked before the first is written.
"""
from __future__ import annotations

import datetime as dt
import os
import re

from eventbus.scaffold import SNAKE, ScaffoldError, _dump, _write_new

NOTICE_DAYS = 182  # the deprecation-dates rule's six months
_LIFECYCLE = re.compile(r"^lifecycle:[^\n]*$", re.M)
_SUFFIX = re.compile(r"^(?P<base>.+)_v(?P<n>[0-9]+)$")


def earliest_removal(today: dt.date) -> dt.date:
    """Six calendar months after ``today``, and never fewer than :data:`NOTICE_DAYS` days."""
    month = today.month + 6
    year, month = today.year + (month - 1) // 12, (month - 1) % 12 + 1
    day = today.day
    while True:
        try:
            six = dt.date(year, month, day)
            break
        except ValueError:  # the 31st of a shorter month
            day -= 1
    return max(six, today + dt.timedelta(days=NOTICE_DAYS))


def successor_name(name: str) -> str:
    m = _SUFFIX.fullmatch(name)
    return f"{m.group('base')}_v{int(m.group('n')) + 1}" if m else f"{name}_v2"


def _event(root: str, ref: str):
    from eventbus.load.registry import load_registry

    if not re.fullmatch(r"[a-z][a-z0-9_]*/[a-z][a-z0-9_]*", ref or ""):
        raise ScaffoldError(f"{ref!r}: name the event as <domain>/<event>, e.g. claims/contention_created")
    loaded = load_registry(root)
    event = loaded.registry.events_by_ref.get(ref)
    if event is None:
        why = "it has errors (run eventbus validate)" if ref in loaded.broken else f"there is no events/{ref}/event.yaml"
        raise ScaffoldError(f"{ref}: {why}")
    if event.latest is None:
        raise ScaffoldError(f"{ref} has no schema version yet: add v1.avsc")
    return loaded.registry, event


def new_version(root: str, ref: str) -> list[str]:
    """``v<N+1>.avsc``: a copy of the latest version, to edit."""
    _registry, e = _event(root, ref)
    latest = e.latest
    path = os.path.join(root, e.folder, f"v{latest.version + 1}.avsc")
    if os.path.exists(path):
        raise ScaffoldError(f"{os.path.relpath(path, root)} already exists; edit it instead")
    _write_new(path, latest.text)
    return [path]


def new_successor(root: str, ref: str, today: dt.date, name: str | None = None, removal: dt.date | None = None) -> tuple[list[str], list[str]]:
    """The successor event of ``ref``, the old event deprecated towards it, and MIGRATION.md.
    Returns the files created and the files changed."""
    from eventbus.load.yaml import parse_yaml

    registry, e = _event(root, ref)
    if e.lifecycle in ("deprecated", "retired") or e.replaced_by:
        raise ScaffoldError(f"{ref} is already {e.lifecycle}" + (f" (successor {e.replaced_by})" if e.replaced_by else ""))
    name = name or successor_name(e.name)
    if not SNAKE.fullmatch(name):
        raise ScaffoldError(f"--name {name!r}: the successor's name is snake_case, e.g. {successor_name(e.name)}")
    new_ref = f"{e.domain}/{name}"
    earliest = earliest_removal(today)
    removal = removal or earliest
    if removal < earliest:
        raise ScaffoldError(f"--removal-date {removal}: consumers get six months' notice; use {earliest} or later")
    old_folder = os.path.join(root, e.folder)
    new_folder = os.path.join(root, "events", e.domain, name)
    meta_path = os.path.join(old_folder, "event.yaml")
    migration = os.path.join(old_folder, "MIGRATION.md")
    for p in (new_folder, migration):
        if os.path.exists(p):
            raise ScaffoldError(f"{os.path.relpath(p, root)} already exists; remove it or choose --name")

    with open(meta_path, encoding="utf-8") as fh:
        old_text = fh.read()
    data, _positions = parse_yaml(old_text)
    deprecated = _deprecate(old_text, today, removal, new_ref)
    check, _ = parse_yaml(deprecated)
    if check.get("lifecycle") != "deprecated" or check.get("replaced_by") != new_ref:
        raise ScaffoldError(f"{e.folder}/event.yaml: could not mark it deprecated; set lifecycle: deprecated, deprecated_on, removal_date and replaced_by: {new_ref} by hand")

    meta = {k: v for k, v in data.items() if k not in ("deprecated_on", "removal_date", "replaced_by", "replaces")}
    m = _SUFFIX.fullmatch(name)
    title = re.sub(r" \(v[0-9]+\)$", "", str(data["title"]))[:110] + (f" (v{m.group('n')})" if m else " (successor)")
    meta.update(title=title, lifecycle="development", replaces=ref)
    meta["description"] = (f"Successor of `{ref}`, which it replaces with a breaking change: describe the change here.\n\n"
                           + str(data.get("description") or ""))
    if isinstance(meta.get("topic"), dict):
        meta["topic"] = {k: v for k, v in meta["topic"].items() if k != "name"}  # a legacy topic name stays the old event's
    files = {
        "event.yaml": "# yaml-language-server: $schema=../../../infra/eventbus/schemas/event.schema.json\n" + _dump(meta),
        "v1.avsc": e.latest.text,
    }
    if e.key_schema is not None:
        files["key.avsc"] = e.key_schema.text
    for ex in e.examples:
        with open(os.path.join(root, ex.path), encoding="utf-8") as fh:
            files[os.path.join("examples", os.path.basename(ex.path))] = fh.read()

    created = []
    for rel, text in files.items():
        path = os.path.join(new_folder, rel)
        _write_new(path, text)
        created.append(path)
    _write_new(migration, migration_note(registry, e, new_ref, today, removal))
    created.append(migration)
    with open(meta_path, "w", encoding="utf-8") as fh:
        fh.write(deprecated)
    return created, [meta_path]


def _deprecate(text: str, today: dt.date, removal: dt.date, successor: str) -> str:
    """event.yaml with only its lifecycle line changed and the deprecation lines after it."""
    lines = f"lifecycle: deprecated\ndeprecated_on: {today}\nremoval_date: {removal}\nreplaced_by: {successor}"
    new, count = _LIFECYCLE.subn(lines, text, count=1)
    return new if count == 1 else text


def migration_note(registry, e, new_ref: str, today: dt.date, removal: dt.date) -> str:
    """MIGRATION.md for the consumers of a deprecated event (tree values quoted for Markdown)."""
    from eventbus.text import md_code as c

    producers = ", ".join(c(p.application) for p in e.producers) or "the producer"
    rows = []
    for consumer, sub in registry.subscribers.get(e.ref, ()):
        reads = ", ".join(c(f) for f in sub.fields[:10]) + (" …" if len(sub.fields) > 10 else "") if sub.fields \
            else "every field (declares no `fields:`)"
        rows.append(f"| {c(consumer.ref)} | {c(consumer.team)} | {', '.join(c(x) for x in sub.environments)} | {reads} |")
    who = (["| application | owner | environments | reads |", "|---|---|---|---|", *rows] if rows
           else ["No application subscribes to it today."])
    return "\n".join([
        f"# Moving from {c(e.ref)} to {c(new_ref)}",
        "",
        f"{c(e.ref)} is deprecated since {today} and may be removed on or after **{removal}**. Its successor",
        f"{c(new_ref)} carries a change its compatibility mode ({e.compatibility}) does not allow: describe it here,",
        "field by field, and what a consumer does about it.",
        "",
        "## Who moves",
        "",
        *who,
        "",
        "## The path",
        "",
        f"1. **Dual publishing.** The producers ({producers}) publish every change to both events, from the same",
        f"   source change, until the cut-over; {c(new_ref)} goes to `lifecycle: production` when it is published.",
        f"2. **Each consumer moves.** Add a subscription to {c(new_ref)} in `consumers/<team>/<application>.yaml`",
        "   (with `fields:` listing what you read), deploy a reader of the new topic, compare it with the old one,",
        f"   then remove the subscription to {c(e.ref)}. Until then the gate warns on it (subscription-lifecycle).",
        *([f"   The data comes from BIP: the new subscription needs its own OBI approval (`obi_approvals:` for {c(new_ref)})."]
          if e.bip_sourced else []),
        f"3. **Cut-over.** Once no application subscribes to {c(e.ref)} and {removal} has passed, the producers stop",
        "   publishing it and set `lifecycle: retired` (the gate's retirement rule checks both); after that the",
        "   folder may go, together with `replaces:` in the successor.",
        "",
    ])
