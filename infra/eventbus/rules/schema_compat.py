"""schema-compat"""
from eventbus.avro.compat import check
from eventbus.avro.schema import AvroError
from eventbus.model import Loc
from eventbus.rules import Rule
from eventbus.rules._avro import parses


class SchemaCompat(Rule):
    """Each value schema version is compatible with its history under the event's mode (Confluent Schema Registry semantics).

    With ``--base`` only versions that are new since the base are checked
    (merged versions were checked when they merged); without it every version
    is checked against the ones before it. Non-transitive modes compare with
    the latest previous version only.
    """

    id = "schema-compat"
    hint = "make the change compatible (add defaults, keep fields), or publish a new event for a breaking change"

    def check(self, ctx):
        for e in ctx.registry.events:
            if e.compatibility == "NONE" or len(e.versions) < 2:
                continue
            if not all(parses(v) for v in e.versions):
                continue
            base_event = ctx.base.events_by_ref.get(e.ref) if ctx.base is not None else None
            merged = {v.version for v in base_event.versions} if base_event is not None else set()
            for i, sv in enumerate(e.versions[1:], start=1):
                if sv.version in merged:
                    continue
                history = [v.text for v in e.versions[:i]]
                try:
                    problems = check(e.compatibility, sv.text, history)
                except AvroError:
                    continue
                for p in problems:
                    old = e.versions[p.against]
                    yield self.finding(
                        Loc(sv.path, _line(sv.text, p.field)),
                        f"v{sv.version} is not {e.compatibility} compatible with v{old.version}: "
                        + p.describe(f"v{sv.version}", f"v{old.version}"),
                        p.advice,
                    )


def _line(text: str, path: str) -> int:
    import re

    name = path.replace("[]", "").replace("{}", "").rsplit(".", 1)[-1]
    if not name:
        return 1
    m = re.search(r'"name"\s*:\s*"' + re.escape(name) + '"', text)
    return text.count("\n", 0, m.start()) + 1 if m else 1
