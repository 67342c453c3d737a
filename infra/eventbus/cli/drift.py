"""``eventbus drift``: the live cluster against the registry (exit 1 when they differ)."""
from __future__ import annotations

import sys

from eventbus.cli.common import root_of


def register(sub) -> None:
    d = sub.add_parser("drift", help="compare the live cluster with the registry (exit 1 when they differ)")
    d.add_argument("--stack", default="local")
    d.set_defaults(func=run)


def run(args) -> int:
    from eventbus.adapters.kafka_admin import KafkaUnavailable, client_config, compare, read_live
    from eventbus.desired import compute
    from eventbus.gate import validate
    from eventbus.load.stacks import load_stack
    from eventbus.load.workspace import admin_password

    root = root_of(args)
    stack = load_stack(root, args.stack)
    result = validate(root)
    if not result.ok:
        print(f"the registry does not pass the gate ({result.errors} errors): run `eventbus validate`", file=sys.stderr)
        return 1
    desired = compute(result.registry, stack)
    try:
        live = read_live(client_config(desired.connection, password=admin_password(root)))
    except KafkaUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    drift = compare(desired, live)
    if drift.clean:
        print(f"no drift: {len(desired.topics)} topics, {len(desired.acls)} ACLs and {len(desired.apps)} applications match stack {stack.name}")
        return 0
    print(f"drift on stack {stack.name} ({len(drift.lines)} differences):")
    for line in drift.lines:
        print(f"  - {line}")
    return 1
