"""``eventbus compat``: one Avro schema against its history, as the Schema Registry decides.

The verdict is Apache Avro Java's with Confluent's mode logic, for every schema pair. Where the
gate is stricter on purpose (docs/rules.md, avro-parse: forward references, records that always
contain themselves, comments in the text) the verdict stays the registry's and a ``note:`` line
on stderr says that the gate refuses the new schema.

Exit status: 0 compatible, 1 incompatible, 2 a schema that cannot be read or parsed (or a usage
error), with the reason on one line. Imports only what the check needs (fast start-up).
"""
from __future__ import annotations

import os
import sys

MODES = ("BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE")


def register(sub, usage_error=None) -> None:
    c = sub.add_parser(
        "compat",
        help="check one Avro schema against its history",
        description="Check NEW.avsc against previous versions with the Schema Registry's rules. "
        "Exit 0 compatible, 1 incompatible, 2 unreadable or invalid schema.",
    )
    c.add_argument("--mode", required=True, type=str.upper, choices=MODES)
    c.add_argument("new", metavar="NEW.avsc")
    c.add_argument("history", metavar="OLD.avsc", nargs="+", help="previous versions, oldest first")
    c.set_defaults(func=cmd_compat)


def _one_line(text: str) -> str:
    """Untrusted text on one line (control characters escaped)."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def cmd_compat(args) -> int:
    from eventbus.avro.compat import SchemaParseError, check
    from eventbus.avro.parser import PolicyError
    from eventbus.load.files import ReadError, read_text

    paths = [args.new, *args.history]
    texts = []
    for path in paths:
        try:
            texts.append(read_text(os.path.dirname(os.path.abspath(path)) or ".", path))
        except ReadError as exc:
            print(_one_line(f"{path}:{exc.line}: error: {exc.message} (fix: {exc.hint})"), file=sys.stderr)
            return 2
    try:
        problems = check(args.mode, texts[0], texts[1:], policies=False)
    except SchemaParseError as exc:
        print(_one_line(f"{paths[exc.index]}: error: not a valid Avro schema: {exc.error}"), file=sys.stderr)
        return 2
    try:
        check("NONE", texts[0], [])
    except SchemaParseError as exc:
        if isinstance(exc.error, PolicyError):
            print(_one_line(f"{paths[0]}: note: the Schema Registry accepts it, the gate does not (avro-parse): {exc.error}"),
                  file=sys.stderr)
    labels = [os.path.basename(p) for p in args.history]
    if not problems:
        if args.mode == "NONE":
            checked = "nothing to check"
        else:
            checked = f"checked against {', '.join(labels) if args.mode.endswith('TRANSITIVE') else labels[-1]}"
        print(f"compatible ({args.mode}, {checked})")
        return 0
    print(f"INCOMPATIBLE under {args.mode}:")
    for p in problems:
        print(_one_line(f"  - {p.describe(os.path.basename(args.new), labels[p.against])}"))
        print(f"    fix: {p.advice}")
    return 1
