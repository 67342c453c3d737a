"""``eventbus stacks``: the stacks of the tree, and which an output covers (``--purpose``)."""
from __future__ import annotations

from eventbus.cli.common import root_of


def register(sub) -> None:
    s = sub.add_parser("stacks", help="list the stacks (Pulumi.<stack>.yaml): name, target, environment")
    s.add_argument("--purpose", choices=["deploy", "local"], help="only the stacks a merge deploys, or the local ones")
    s.add_argument("--names", action="store_true", help="print only the names, one per line")
    s.set_defaults(func=run)


def run(args) -> int:
    from eventbus.desired import stacks_for
    from eventbus.load.stacks import load_stacks

    stacks = load_stacks(root_of(args))
    chosen = stacks_for(stacks, args.purpose) if args.purpose else sorted(stacks, key=lambda s: s.name)
    for s in chosen:
        print(s.name if args.names else f"{s.name:12} {s.target:6} {s.environment:12} {'+'.join(s.authorization)}")
    return 0
