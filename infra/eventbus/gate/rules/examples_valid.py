"""example-valid"""
from fastavro import parse_schema
from fastavro.validation import validate

from eventbus.gate.rules import Rule
from eventbus.gate.rules._avro import parses
from eventbus.model import Loc
from eventbus.model.findings import Severity


class ExampleValid(Rule):
    """Every example payload (examples/*.json) is valid against the latest value schema."""

    id = "example-valid"
    uses_avro = True
    hint = "update the example to the latest schema (JSON form: unions as plain values, longs as numbers)"

    def check(self, ctx):
        for e in ctx.registry.events:
            latest = e.latest
            if latest is None or not parses(ctx, latest) or not e.examples:
                continue
            try:
                parsed = parse_schema(latest.schema)
            except Exception:  # noqa: BLE001 - the Avro parser rule reports the schema itself
                continue
            for ex in e.examples:
                try:
                    validate(ex.payload, parsed, raise_errors=True)
                except Exception as exc:  # noqa: BLE001 - fastavro raises ValidationError with a list
                    detail = "; ".join(str(x) for x in getattr(exc, "errors", [exc]))[:300]
                    yield self.finding(Loc(ex.path), f"example does not match v{latest.version}.avsc: {detail}")


class ExampleMissing(Rule):
    """An event in development or production ships at least one example payload."""

    id = "example-missing"
    uses_avro = True
    severity = Severity.WARNING
    hint = "add examples/<case>.json with a realistic (synthetic) payload"

    def check(self, ctx):
        for e in ctx.registry.events:
            if not e.examples and e.lifecycle in ("development", "production"):
                yield self.finding(e.pos.loc(), f"{e.ref} has no examples")
