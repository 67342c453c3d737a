"""``eventbus rules``: every rule of the gate, with its id and severity (``--markdown``: docs/rules.md)."""
from __future__ import annotations


def register(sub) -> None:
    r = sub.add_parser("rules", help="list the gate's rules")
    r.add_argument("--markdown", action="store_true", help="print docs/rules.md")
    r.set_defaults(func=run)


def run(args) -> int:
    from eventbus.gate.docs import rules_markdown
    from eventbus.gate.rules import all_rules

    if args.markdown:
        print(rules_markdown(), end="")
        return 0
    for r in all_rules():
        print(f"{r.id:28} {str(r.severity):8} {r.summary()}")
    return 0
