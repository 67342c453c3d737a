"""field-classification"""
from eventbus.gate.rules import Rule
from eventbus.gate.rules._avro import line_of, parses, schema_files
from eventbus.model import Loc


class FieldClassification(Rule):
    """A field's classification is written so the gate can read it: ``"classification": "none" | "PII" | "PHI"`` on the field (or Confluent's ``"confluent:tags": ["PII"]``).

    Refused: another value (``"pii"``, ``"secret"``), tags that are not a list of names, a
    lowercase ``pii``/``phi`` tag or one with spaces (``"PII "``: tags are case-sensitive), ``"classification": "none"`` beside
    a PII or PHI tag, and the property on a type (a record, enum or fixed definition, an array,
    a map, a union branch, the schema itself) rather than on the field: there it would look like
    a classification that nothing reads. A nested field inherits the classification of the field
    that encloses it, and a union field's classification covers every branch (see
    docs/file-formats.md).
    """

    id = "field-classification"
    uses_avro = True
    hint = 'write "classification": "PII" (or "none", "PHI") on the field'

    def check(self, ctx):
        classified = ctx.avro.classified  # schema files whose text holds a classification property
        for e in ctx.registry.events if classified else ():
            for sv, _role in schema_files(e):
                facts = classified.get(sv.path)
                if facts is None or not parses(ctx, sv):
                    continue
                for p in facts.problems:
                    yield self.finding(line_of(sv, p.name) if p.name else Loc(sv.path, 1), p.message, p.hint)
