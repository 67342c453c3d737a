"""avro-parse"""
from eventbus.avro.schema import AvroError, parse_text
from eventbus.model import Loc
from eventbus.rules import Rule
from eventbus.rules._avro import schema_files


class AvroParse(Rule):
    """Every .avsc is a valid Avro schema (Apache Avro's parser), and a value schema is a record."""

    id = "avro-parse"
    hint = "see the Avro specification; a value schema is {\"type\": \"record\", \"name\": ..., \"namespace\": ..., \"fields\": [...]}"

    def check(self, ctx):
        for e in ctx.registry.events:
            for sv, role in schema_files(e):
                if sv.schema is None:
                    continue  # JSON syntax already reported
                try:
                    parsed = parse_text(sv.text)
                except AvroError as exc:
                    yield self.finding(Loc(sv.path), f"not a valid Avro schema: {exc}")
                    continue
                if role == "value" and parsed.type != "record":
                    yield self.finding(Loc(sv.path), f"value schema is a '{parsed.type}', not a record", "wrap the value in a record with documented fields")
