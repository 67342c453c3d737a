"""``eventbus new event|consumer|version``: scaffold files that pass the gate (asks in a terminal)."""
from __future__ import annotations

import os
import sys

from eventbus.cli.common import root_of


def register(sub) -> None:
    n = sub.add_parser("new", help="scaffold a new event, application or schema version")
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
    nv = nsub.add_parser("version", help="the next v<N+1>.avsc of an event, or with --breaking a successor event")
    nv.add_argument("event", metavar="EVENT", help="<domain>/<event>")
    nv.add_argument("--breaking", action="store_true",
                    help="a change the compatibility mode refuses: scaffold the successor event <event>_v2, deprecate this one, write MIGRATION.md")
    nv.add_argument("--name", help="the successor's event name (default <event>_v2, or _v<K+1> after _v<K>)")
    nv.add_argument("--removal-date", type=_date, metavar="YYYY-MM-DD", help="when the old event may go (default and earliest: six months from today)")
    n.set_defaults(func=run)


def _date(value: str):
    import argparse
    import datetime as dt

    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _version(root: str, args) -> int:
    import datetime as dt

    from eventbus.scaffold import ScaffoldError
    from eventbus.scaffold.version import new_successor, new_version
    from eventbus.text import one_line

    changed: list[str] = []
    try:
        if args.breaking:
            created, changed = new_successor(root, args.event, dt.date.today(), args.name, args.removal_date)
        else:
            if args.name or args.removal_date:
                raise ScaffoldError("--name and --removal-date go with --breaking")
            created = new_version(root, args.event)
    except ScaffoldError as exc:
        print(f"error: {one_line(exc)}", file=sys.stderr)
        return 1
    for verb, paths in (("created", created), ("changed", changed)):
        for path in paths:
            print(f"{verb} {os.path.relpath(path, root)}")
    if args.breaking:
        print("next: make the breaking change in the successor's v1.avsc, describe it in MIGRATION.md, "
              "run `eventbus codeowners` (a new event folder), then `eventbus validate`")
    else:
        print("next: make the change in the new file (it is a copy: unchanged, it would register nothing new), "
              "then `eventbus validate --base main` names the consumers of every field it changes")
    return 0


def run(args) -> int:
    from eventbus.scaffold import ScaffoldError, new_consumer, new_event, producer_app_path, prompt_missing

    root = root_of(args)
    if args.kind == "version":
        return _version(root, args)
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
