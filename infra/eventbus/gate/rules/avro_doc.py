"""avro-doc"""
from eventbus.gate.rules import Rule
from eventbus.gate.rules._avro import line_of, parses, schema_files
from eventbus.model import Loc


class AvroDoc(Rule):
    """Every record and every field of a schema has a non-empty ``doc`` (consumers read it in the catalog)."""

    id = "avro-doc"
    uses_avro = True
    hint = 'add "doc": "what this field means, its unit and when it is null"'

    def check(self, ctx):
        for e in ctx.registry.events:
            for sv, role in schema_files(e):
                if not parses(ctx, sv) or not isinstance(sv.schema, dict):
                    continue
                if sv.schema.get("type") == "record" and not str(sv.schema.get("doc") or "").strip():
                    yield self.finding(Loc(sv.path, 1), f"{role} record '{sv.schema.get('name')}' has no doc", 'add "doc": "..." describing the event')
                # the fields without a doc (eventbus.avro.schema.iter_fields), found by the Avro analysis
                for name, path in ctx.avro.undocumented.get(sv.path, ()):
                    yield self.finding(line_of(sv, name), f"field '{path}' has no doc")
