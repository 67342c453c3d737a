"""subscription-fields"""
import difflib

from eventbus.gate.rules import Rule
from eventbus.gate.rules._avro import contract, parses


class SubscriptionFields(Rule):
    """Every field a subscription declares under ``fields:`` exists in the event's latest schema version.

    ``fields:`` is optional; it lists what the application reads as dotted paths
    (``context.qualifiedIdentifiers.value``: array items and map values are transparent), so a
    producer sees which consumers a change breaks (field-change) and a privacy reviewer which
    PII/PHI fields each consumer reads. A path that an earlier version had is reported with the
    version that removed it: the consumer stops reading it, or the producer keeps it.
    """

    id = "subscription-fields"
    uses_avro = True
    hint = "write the dotted path of a field of the latest version (the event's page in the catalog lists them)"

    def check(self, ctx):
        for c, s, e in ctx.subscriptions():
            if not s.fields or e is None:
                continue
            latest = e.latest
            if latest is None or not parses(ctx, latest):
                continue
            facts = contract(latest)
            if facts.truncated:
                continue
            for j, path in enumerate(s.fields):
                if path in facts.fields:
                    continue
                loc = c.pos.loc("subscriptions", s.index, "fields", j)
                removed_by = _removed_by(ctx, e, path)
                if removed_by is not None:
                    yield self.finding(loc, f"{s.event} v{removed_by} removes field '{path}', which this subscription reads",
                                       f"stop reading '{path}' (remove it here, with the change in the application), or ask {e.owner} to keep it")
                    continue
                close = difflib.get_close_matches(path, list(facts.fields), n=3)
                hint = ("did you mean " + " or ".join(f"'{m}'" for m in close) + "?") if close else self.hint
                yield self.finding(loc, f"{s.event} v{latest.version} has no field '{path}'", hint)


def _removed_by(ctx, e, path: str) -> int | None:
    """The version that removed ``path`` (the one after the last that has it), if any had it."""
    versions = e.versions
    for i in range(len(versions) - 2, -1, -1):
        sv = versions[i]
        if parses(ctx, sv) and path in contract(sv).fields:
            return versions[i + 1].version
    return None
