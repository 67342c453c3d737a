"""schema-compat"""
from eventbus.gate.rules import Rule
from eventbus.model import Loc


class SchemaCompat(Rule):
    """Each value schema version is compatible with its history under the event's mode, as the Schema Registry decides.

    The verdicts are those of Apache Avro Java's ``SchemaCompatibility`` with Confluent's mode
    logic (a differential test against Avro Java keeps them identical): type promotions
    (int→long→float→double, string↔bytes), names matched by simple name or by a reader alias of
    the writer's full name, enum defaults, unions; a reader field whose name and aliases match
    two writer fields is incompatible. With ``--base`` only versions that are new since the base
    are checked (merged versions were checked when they merged); without it every version is
    checked against the ones before it. Non-transitive modes compare with the latest previous
    version only; NONE checks nothing (but the schema must still parse, see avro-parse).
    """

    id = "schema-compat"
    uses_avro = True
    hint = "make the change compatible (add defaults, keep fields), or publish a new event for a breaking change"

    def check(self, ctx):
        for e in ctx.registry.events:
            for sv in e.versions:
                for p in ctx.avro.compat.get((e.ref, sv.version), ()):
                    old = e.versions[p.against]
                    yield self.finding(
                        Loc(sv.path, _line(sv.text, p.field)),
                        f"v{sv.version} is not {e.compatibility} compatible with v{old.version}: "
                        + p.describe(f"v{sv.version}", f"v{old.version}"),
                        p.advice,
                    )


def _line(text: str, path: str) -> int:
    from eventbus.gate.rules._avro import name_lines  # indexed once per file (see there)

    name = path.replace("[]", "").replace("{}", "").rsplit(".", 1)[-1]
    if not name:
        return 1
    return name_lines(text).get(name, 1)
