"""avro-logical-type"""
from eventbus.gate.rules import Rule
from eventbus.gate.rules._avro import line_of, schema_files
from eventbus.model.findings import Severity


class AvroLogicalType(Rule):
    """A logical type in a new schema version is valid for its underlying type (``timestamp-millis`` on a long, a decimal with its precision...).

    The specification and the Schema Registry ignore an invalid logical type and use the
    underlying type, so it is no error; but consumers then get plain numbers or bytes where the
    producer meant dates or decimals, and some readers (fastavro) fail on it.
    """

    id = "avro-logical-type"
    uses_avro = True
    severity = Severity.WARNING
    hint = "fix or remove the logicalType (see the Avro specification, Logical Types)"

    def check(self, ctx):
        for e in ctx.registry.events:
            for sv, _role in schema_files(e):
                for name, why in ctx.avro.ignored_logical.get(sv.path, ()):
                    where = f" (field '{name}')" if name else ""
                    yield self.finding(line_of(sv, name), f"invalid logical type{where}, ignored by readers: {why}")
