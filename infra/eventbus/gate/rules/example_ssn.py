"""example-ssn"""
import re

from eventbus.gate.rules import Rule
from eventbus.model import Loc

# NNN-NN-NNNN that the SSA can issue: area not 000, 666 or 900-999, group not 00, serial not 0000
_SSN = re.compile(r"(?<![0-9-])(?!000|666|9[0-9]{2})[0-9]{3}-(?!00)[0-9]{2}-(?!0000)[0-9]{4}(?![0-9-])")
MAX_VALUES = 10000  # per example: a huge payload is searched this far


class ExampleSsn(Rule):
    """An example payload (examples/*.json) holds no value written like a Social Security number that could be issued (``NNN-NN-NNNN``).

    Examples are published in the catalog whatever the event's classification, so they hold
    synthetic data only; an SSN whose area is 000, 666 or 900-999 (``900-12-3456``) is never
    issued and may be used.
    """

    id = "example-ssn"
    hint = "use a number that is never issued, e.g. 900-12-3456"

    def check(self, ctx):
        for e in ctx.registry.events:
            for ex in e.examples:
                found = _first_ssn(ex.payload)
                if found is not None:
                    path, value = found
                    yield self.finding(Loc(ex.path), f"example value at '{path}' looks like a Social Security number ({value[:3]}-..)")


def _first_ssn(payload) -> tuple[str, str] | None:
    todo = [("", payload)]
    seen = 0
    while todo and seen < MAX_VALUES:
        path, v = todo.pop()
        seen += 1
        if isinstance(v, str):
            m = _SSN.search(v)
            if m:
                return path or "(payload)", m.group()
        elif isinstance(v, dict):
            todo.extend((f"{path}.{k}" if path else str(k), x) for k, x in reversed(v.items()))
        elif isinstance(v, list):
            todo.extend((f"{path}[{i}]", x) for i, x in reversed(list(enumerate(v))))
    return None
