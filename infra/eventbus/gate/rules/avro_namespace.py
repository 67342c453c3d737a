"""avro-namespace"""
from eventbus.avro.schema import fullname
from eventbus.gate.rules import Rule
from eventbus.gate.rules._avro import parses
from eventbus.model import Loc
from eventbus.model.findings import Severity


class AvroNamespace(Rule):
    """All versions of an event's value schema keep one record name and namespace, and nested named types live under that namespace.

    Changing the record's full name breaks every consumer's generated classes
    and, under Schema Registry, is an incompatible change.
    """

    id = "avro-namespace"
    uses_avro = True
    hint = "keep the record name and namespace of v1 in every version"

    def check(self, ctx):
        for e in ctx.registry.events:
            first = None
            for sv in e.versions:
                if not parses(ctx, sv) or not isinstance(sv.schema, dict):
                    continue
                if not sv.schema.get("namespace") and "." not in str(sv.schema.get("name")):
                    yield self.finding(Loc(sv.path, 1), "value schema has no namespace", 'add "namespace": "gov.va.<domain>..." so generated classes do not collide')
                    continue
                fn = fullname(sv.schema["name"], sv.schema.get("namespace"))
                if first is None:
                    first = (fn, sv)
                elif fn != first[0]:
                    yield self.finding(Loc(sv.path, 1), f"record full name '{fn}' differs from '{first[0]}' in {first[1].path}")
                ns = fn.rpartition(".")[0]
                # named_types(sv.schema), worked out by the Avro analysis (eventbus.avro.analysis._fields)
                for name in ctx.avro.named.get(sv.path, ()):
                    if name != fn and ns and not name.startswith(ns + "."):
                        yield self.finding(Loc(sv.path, 1), f"named type '{name}' is outside the schema's namespace '{ns}'", f"give it a namespace under {ns}", severity=Severity.WARNING)
