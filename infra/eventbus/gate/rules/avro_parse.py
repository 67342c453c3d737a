"""avro-parse"""
from eventbus.gate.rules import Rule
from eventbus.gate.rules._avro import line_of, schema_files
from eventbus.model import Loc


class AvroParse(Rule):
    """Every .avsc is a schema the Schema Registry accepts, parsed as it parses a new version, and a value schema is a record.

    The rules are Apache Avro Java's (what Confluent Schema Registry runs): names, namespaces
    and aliases (relative to the type's namespace), no union inside a union or type twice in
    one, every field default valid for its type (for a union: any branch), enum defaults among
    the symbols. A version already merged (with ``--base``) is parsed as the registry holds it,
    without default validation. Invalid logical types are not errors (readers ignore them; see
    avro-logical-type). Deliberately stricter than the registry, for new versions: a named type
    used before the place it is defined (Java resolves such forward references; code generators
    and other Avro readers do not), and a record that always contains itself (no value can ever
    be written: make the recursive field optional), and comments in a schema (``.avsc`` files are
    strict JSON for every other tool). ``eventbus compat`` gives the registry's verdict on such a
    schema, with a note that the gate refuses it.
    """

    id = "avro-parse"
    uses_avro = True
    hint = "see the Avro specification; a value schema is {\"type\": \"record\", \"name\": ..., \"namespace\": ..., \"fields\": [...]}"

    def check(self, ctx):
        for e in ctx.registry.events:
            for sv, role in schema_files(e):
                if sv.schema is None:
                    continue  # JSON syntax already reported
                if sv.path in ctx.avro.errors:
                    name = ctx.avro.error_names.get(sv.path)
                    loc = line_of(sv, name) if name else Loc(sv.path)
                    yield self.finding(loc, f"not a valid Avro schema: {ctx.avro.errors[sv.path]}")
                    continue
                kind = ctx.avro.kinds.get(sv.path)
                if role == "value" and kind != "record":
                    yield self.finding(Loc(sv.path), f"value schema is a '{kind}', not a record", "wrap the value in a record with documented fields")
