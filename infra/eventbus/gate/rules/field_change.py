"""field-change"""
from eventbus.gate.rules import Rule
from eventbus.gate.rules._avro import contract, field_line, owner_of, parses
from eventbus.model import Loc
from eventbus.model.findings import Severity

SHOWN = 10  # readers named in one finding


class FieldChange(Rule):
    """A new schema version that removes, renames, retypes or narrows a field a consumer reads, or changes a meaning-bearing property of it, names those consumers and their owners (checked against ``--base``).

    Meaning-bearing: the logical type, precision, scale, fixed size, enum symbols and enum
    default, and the classification. Narrowing: union branches, enum symbols or precision
    dropped, a field no longer nullable. Each version new since the base is compared with the
    one before it, so a pull request that adds v3 and v4 reports v3 against v2 and v4 against
    v3. The readers are the subscribers that declare the field, a field enclosing it or one
    inside it under ``fields:``, and every subscriber that declares no fields (it reads every
    field). An error when the event's compatibility mode refuses the version (schema-compat
    says why); a warning when the mode allows it, since the named consumers still read the field.
    """

    id = "field-change"
    severity = Severity.WARNING
    needs_base = True
    uses_avro = True
    hint = "agree the change with the named consumers before merging, or keep the field as it is"

    def check(self, ctx):
        from eventbus.avro.contract import field_changes, reads

        for e in ctx.registry.events:
            subscribers = ctx.registry.subscribers.get(e.ref, ())
            if not subscribers or len(e.versions) < 2:
                continue
            old = ctx.history.get(e.ref)
            merged = {v.version for v in old.versions} if old is not None else set()
            for prev, sv in zip(e.versions, e.versions[1:], strict=False):
                if sv.version in merged or not (parses(ctx, prev) and parses(ctx, sv)):
                    continue
                refused = (e.ref, sv.version) in ctx.avro.compat
                for ch in field_changes(contract(prev), contract(sv)):
                    if not ch.breaking:
                        continue
                    readers = [(c, s) for c, s in subscribers if reads(s.fields, ch.path)]
                    if not readers:
                        continue
                    named = [f"{c.ref} (owner {owner_of(ctx, c.team)}; " + ("declares it)" if s.fields else "declares no fields, so reads every field)")
                             for c, s in readers[:SHOWN]]
                    more = f" and {len(readers) - SHOWN} more" if len(readers) > SHOWN else ""
                    parent = ch.path.rpartition(".")[0]
                    loc = field_line(sv, ch.path) if ch.new is not None else (field_line(sv, parent) if parent else Loc(sv.path, 1))
                    count = f"{len(readers)} consumer{'s' if len(readers) > 1 else ''}"
                    message = f"v{sv.version} {ch.describe()}, which {count} of {e.ref} read{'s' if len(readers) == 1 else ''}: {', '.join(named)}{more}"
                    if refused:
                        yield self.finding(loc, message, f"keep the field compatible, or publish a successor event: eventbus new version {e.ref} --breaking",
                                           Severity.ERROR)
                    else:
                        yield self.finding(loc, message)
