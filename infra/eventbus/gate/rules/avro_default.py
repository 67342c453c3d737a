"""avro-default"""
from eventbus.gate.rules import Rule
from eventbus.gate.rules._avro import line_of, parses, schema_files


class AvroDefault(Rule):
    """Every field default is a valid value of the field's type (for a union: of its first branch).

    Readers use defaults when a writer lacks the field; an invalid default
    fails at read time in consumers, long after the schema was merged. Stricter than the
    Schema Registry on purpose: it takes a union default of any branch, a fixed default of any
    length and an enum field default that is no symbol, where the specification and other
    readers (fastavro, code generators) do not.
    """

    id = "avro-default"
    uses_avro = True
    hint = 'make the default match the type; for an optional field use "type": ["null", T], "default": null'

    def check(self, ctx):
        for e in ctx.registry.events:
            for sv, _role in schema_files(e):
                if not parses(ctx, sv) or not isinstance(sv.schema, dict):
                    continue
                # every field's default against its type (eventbus.avro.schema.default_problem), worked
                # out by the Avro analysis (eventbus.avro.analysis._fields)
                for name, path, problem in ctx.avro.bad_defaults.get(sv.path, ()):
                    yield self.finding(line_of(sv, name), f"default of field '{path}' is invalid: {problem}")
