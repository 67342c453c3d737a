"""avro-parse"""
from eventbus.model import Loc
from eventbus.gate.rules import Rule
from eventbus.gate.rules._avro import schema_files


class AvroParse(Rule):
    """Every .avsc is a valid Avro schema (Apache Avro's parser, plus what Java's parser and the Schema Registry also refuse: a named type twice in one union, names, enum symbols and aliases that are not Avro names, fixed sizes beyond 32 bits), logical types are valid (a decimal has a precision, ...), no record always contains itself (no value could ever be written), and a value schema is a record."""

    id = "avro-parse"
    uses_avro = True
    hint = "see the Avro specification; a value schema is {\"type\": \"record\", \"name\": ..., \"namespace\": ..., \"fields\": [...]}"

    def check(self, ctx):
        for e in ctx.registry.events:
            for sv, role in schema_files(e):
                if sv.schema is None:
                    continue  # JSON syntax already reported
                if sv.path in ctx.avro.errors:
                    yield self.finding(Loc(sv.path), f"not a valid Avro schema: {ctx.avro.errors[sv.path]}")
                    continue
                kind = ctx.avro.kinds.get(sv.path)
                if role == "value" and kind != "record":
                    yield self.finding(Loc(sv.path), f"value schema is a '{kind}', not a record", "wrap the value in a record with documented fields")
