"""``eventbus drift``: the live cluster (and, on IAM stacks, the IAM roles) against the registry
(exit 1 when they differ, 2 when they cannot be read)."""
from __future__ import annotations

import sys

from eventbus.cli.common import root_of


def register(sub) -> None:
    d = sub.add_parser("drift", help="compare the live cluster (and IAM roles) with the registry (exit 1 when they differ)")
    d.add_argument("--stack", default="local")
    d.add_argument("--only", choices=["kafka", "iam"], help="check one side only (default: Kafka, and IAM on IAM stacks)")
    d.set_defaults(func=run)


def run(args) -> int:
    from eventbus.desired import compute
    from eventbus.gate import validate
    from eventbus.load.stacks import load_stack
    from eventbus.load.workspace import admin_password
    from eventbus.text import one_line

    root = root_of(args)
    stack = load_stack(root, args.stack)
    result = validate(root)
    if not result.ok:
        print(f"the registry does not pass the gate ({result.errors} errors): run `eventbus validate`", file=sys.stderr)
        return 1
    desired = compute(result.registry, stack)
    lines: list[str] = []
    checked = []
    try:
        if args.only in (None, "kafka"):
            from eventbus.adapters import kafka_admin

            live = kafka_admin.read_live(kafka_admin.client_config(desired.connection, password=admin_password(root)))
            lines += kafka_admin.compare(desired, live).lines
            checked.append(f"{len(desired.topics)} topics, {len(desired.acls)} ACLs")
        if args.only in (None, "iam") and "iam" in desired.authorization:
            from eventbus.adapters import aws_iam

            lines += aws_iam.compare(desired, aws_iam.read_roles(aws_iam.client(stack.region), stack.role_prefix))
            checked.append(f"{len(desired.roles)} IAM roles")
    except Exception as exc:  # noqa: BLE001 - an unreachable cluster or API is an error status, not a traceback
        from eventbus.adapters.aws_iam import IamUnavailable
        from eventbus.adapters.kafka_admin import KafkaUnavailable

        if not isinstance(exc, KafkaUnavailable | IamUnavailable):
            raise
        print(f"error: {one_line(exc)}", file=sys.stderr)
        return 2
    if not checked:
        print(f"error: nothing to check on stack {stack.name} with --only {args.only}", file=sys.stderr)
        return 2
    if not lines:
        print(f"no drift: {' and '.join(checked)} match stack {stack.name}")
        return 0
    print(f"drift on stack {stack.name} ({len(lines)} differences):")
    for line in lines:
        print(f"  - {one_line(line)}")
    return 1
