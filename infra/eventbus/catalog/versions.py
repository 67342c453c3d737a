"""What each schema version changed against the previous one, and whom that breaks.

The field-level changes come from the two versions' field tables
(:func:`eventbus.catalog.schema_view.diff_rows`); whether a change is safe or
breaking for readers is Apache Avro's verdict through
:func:`eventbus.avro.compat.check`, asked in both directions whatever the
event's mode (the mode says which direction the gate enforces; a reader wants
to know both):

* **forward** (old readers, new data): consumers still deserializing with the
  previous version fail on records written with this one, so they must upgrade
  *before* the producer does;
* **backward** (new readers, old data): consumers that move to this version
  cannot read records written with the previous one (still retained, or
  replayed).

Changes that Avro's resolution rules allow in both directions whatever the
types involved (a field added or removed *with a default*, documentation
edits), with the record's full name and aliases unchanged, are marked safe
without asking the checker (it would say so: a test compares the two on every
such pair); any other change is the checker's call.

The consumers a breaking change affects are the event's subscribers; once
consumers declare the fields they read (a later feature), a change to a field
only affects its readers (``Change.readers``).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

from eventbus.catalog.schema_view import Change, FieldRow, RecordInfo, diff_rows

FORWARD_WHO = "consumers still reading with v{old} fail on records written with v{new}: they must upgrade first"
BACKWARD_WHO = "consumers on v{new} cannot read records written with v{old} (retained or replayed)"


@dataclass(frozen=True)
class Problem:
    """One incompatibility found by the Avro checker, in words."""

    direction: str  # forward | backward
    field: str  # dotted path ("" = the record itself)
    message: str
    advice: str


@dataclass
class VersionDiff:
    number: int
    previous: int | None  # None for the first version
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # all of them (each also marks its change)
    unmatched: list[Problem] = field(default_factory=list)  # problems no listed change explains (a renamed record, …)
    checked: bool = True  # False when a schema could not be parsed, so no verdict is given
    mode: str = "BACKWARD"

    @property
    def forward_breaking(self) -> bool:
        return any(p.direction == "forward" for p in self.problems)

    @property
    def backward_breaking(self) -> bool:
        return any(p.direction == "backward" for p in self.problems)

    @property
    def breaking(self) -> bool:
        return bool(self.problems)

    @property
    def verdict(self) -> str:
        """safe | breaking | unchecked | first"""
        if self.previous is None:
            return "first"
        if not self.checked:
            return "unchecked"
        return "breaking" if self.problems else "safe"

    @property
    def mode_allows(self) -> bool:
        """Whether the event's compatibility mode lets this happen (the gate refuses the rest)."""
        base = self.mode.split("_")[0]
        if base == "NONE":
            return True
        if base == "BACKWARD":
            return not self.backward_breaking
        if base == "FORWARD":
            return not self.forward_breaking
        return not self.problems

    def who(self) -> list[str]:
        out = []
        if self.forward_breaking:
            out.append(FORWARD_WHO.format(old=self.previous, new=self.number))
        if self.backward_breaking:
            out.append(BACKWARD_WHO.format(old=self.previous, new=self.number))
        return out


_CACHE: dict[str, list[Problem] | None] = {}


def _problems(old_text: str, new_text: str) -> list[Problem] | None:
    """Incompatibilities of ``new`` against ``old`` in both directions (None when a schema does not parse)."""
    key = hashlib.sha256(old_text.encode() + b"\0" + new_text.encode()).hexdigest()
    if key in _CACHE:
        return _CACHE[key]
    from eventbus.avro.compat import check
    from eventbus.avro.parser import AvroError

    try:
        found = check("FULL", new_text, [old_text])
    except (AvroError, ValueError, RecursionError):
        _CACHE[key] = None
        return None
    out = [Problem(i.direction, i.field, i.message, i.advice) for i in found]
    _CACHE[key] = out
    return out


def _trivially_safe(changes: list[Change], old_rows: list[FieldRow], new_rows: list[FieldRow], old_text: str, new_text: str,
                    records: tuple[RecordInfo | None, RecordInfo | None] | None = None) -> bool:
    """Only fields added or removed with a default, or docs edited, and the same top-level name: compatible both ways.
    ``records``: the two schemas' :func:`~eventbus.catalog.schema_view.record_info`, when known (else read from the texts)."""
    if not old_rows or old_rows[0].path == "(key)":
        return False
    old_by = {r.path: r for r in old_rows}
    new_by = {r.path: r for r in new_rows}
    for c in changes:
        if c.kind == "doc":
            continue
        if c.kind == "added" and new_by[c.path].default is not None:
            continue
        if c.kind == "removed" and old_by[c.path].default is not None:
            continue
        return False
    if records is not None:
        a, b = records
    else:
        import json

        from eventbus.catalog.schema_view import record_info

        try:
            a, b = record_info(json.loads(old_text)), record_info(json.loads(new_text))
        except ValueError:
            return False
    return a is not None and b is not None and (a.fullname, a.aliases) == (b.fullname, b.aliases)


def _related(problem_field: str, change_path: str) -> bool:
    if not problem_field:
        return False
    if problem_field == change_path:
        return True
    for sep in (".", "[", "{"):
        if change_path.startswith(problem_field + sep) or problem_field.startswith(change_path + sep):
            return True
    return False


def diff_versions(mode: str, old: tuple[int, str, list[FieldRow]] | None, new: tuple[int, str, list[FieldRow]],
                  records: tuple[RecordInfo | None, RecordInfo | None] | None = None) -> VersionDiff:
    """The changes of ``new`` (number, text, rows) against ``old`` with the checker's verdict on each. ``records``: the
    two schemas' record infos, when known."""
    number, text, rows = new
    if old is None:
        return VersionDiff(number, None, mode=mode)
    onum, otext, orows = old
    changes = diff_rows(orows, rows)
    if _trivially_safe(changes, orows, rows, otext, text, records):
        return VersionDiff(number, onum, changes, [], [], True, mode)
    problems = _problems(otext, text)
    if problems is None:
        return VersionDiff(number, onum, changes, checked=False, mode=mode)
    marked = []
    used: set[int] = set()
    for c in changes:
        who = []
        for i, p in enumerate(problems):
            if _related(p.field, c.path):
                used.add(i)
                line = (FORWARD_WHO if p.direction == "forward" else BACKWARD_WHO).format(old=onum, new=number)
                if line not in who:
                    who.append(line)
        marked.append(replace(c, breaking=tuple(who)) if who else c)
    unmatched = [p for i, p in enumerate(problems) if i not in used]
    return VersionDiff(number, onum, marked, problems, unmatched, True, mode)
