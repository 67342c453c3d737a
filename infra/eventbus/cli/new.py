"""``eventbus new event|consumer``: scaffold files that pass the gate (asks in a terminal)."""
from __future__ import annotations

import os
import sys

from eventbus.cli.common import root_of


def register(sub) -> None:
    n = sub.add_parser("new", help="scaffold a new event or application")
    nsub = n.add_subparsers(dest="kind", metavar="KIND", required=True)
    ne = nsub.add_parser("event", help="events/<domain>/<event>/ with event.yaml, v1.avsc and an example")
    ne.add_argument("--domain")
    ne.add_argument("--name", help="event name, snake_case (e.g. contention_created)")
    ne.add_argument("--owner", help="owning team id")
    ne.add_argument("--title")
    ne.add_argument("--summary")
    ne.add_argument("--classification", choices=["none", "PII", "PHI"])
    ne.add_argument("--producer", help="producing application id")
    ne.add_argument("--principal", action="append", default=[], metavar="ENV=ARN",
                    help="IAM principal per environment of a producer application that has no file yet (repeatable)")
    ne.add_argument("--vasi-id", help="VASI id of the producing system (for a new producer application)")
    ne.add_argument("--fisma-level", choices=["Low", "Moderate", "High"], help="FISMA level of the producing system (for a new producer application)")
    ne.add_argument("--no-input", action="store_true", help="never prompt")
    nc = nsub.add_parser("consumer", help="consumers/<team>/<application>.yaml")
    nc.add_argument("--team")
    nc.add_argument("--application")
    nc.add_argument("--description")
    nc.add_argument("--event", action="append", default=[], help="event to subscribe to, <domain>/<event> (repeatable)")
    nc.add_argument("--purpose")
    nc.add_argument("--environment", action="append", default=[], help="environment to subscribe in (repeatable)")
    nc.add_argument("--principal", action="append", default=[], metavar="ENV=ARN")
    nc.add_argument("--vasi-id")
    nc.add_argument("--fisma-level", choices=["Low", "Moderate", "High"])
    nc.add_argument("--no-input", action="store_true", help="never prompt")
    n.set_defaults(func=run)


def run(args) -> int:
    from eventbus.scaffold import ScaffoldError, new_consumer, new_event, producer_app_path, prompt_missing

    root = root_of(args)
    interactive = sys.stdin.isatty() and not args.no_input
    try:
        values = prompt_missing(args.kind, vars(args), interactive)
        if args.kind == "event" and not os.path.exists(os.path.join(root, "events", values["domain"], values["name"])) \
                and not os.path.exists(producer_app_path(root, values)):
            values = prompt_missing("producer_app", values, interactive)
        created = new_event(root, values) if args.kind == "event" else new_consumer(root, values)
    except ScaffoldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in created:
        print(f"created {os.path.relpath(path, root)}")
    print("next: edit the files, then run `eventbus validate`")
    return 0
