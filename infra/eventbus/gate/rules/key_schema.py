"""key-schema"""
from eventbus.gate.rules import Rule
from eventbus.model import Loc


class KeySchema(Rule):
    """``schema.key`` and the event folder's key.avsc agree: a declared key file exists, and an existing one is declared."""

    id = "key-schema"
    hint = "add key.avsc (an Avro schema, even for a primitive key) or remove schema.key"

    def check(self, ctx):
        for e in ctx.registry.events:
            if e.key_declared and e.key_schema is None:
                yield self.finding(e.pos.loc("schema", "key"), f"schema.key names key.avsc but {e.folder}/key.avsc does not exist")
            elif e.key_schema is not None and not e.key_declared:
                yield self.finding(Loc(e.key_schema.path), "key.avsc exists but event.yaml does not declare it", "add schema: {key: key.avsc} to event.yaml")
