"""``eventbus``: the command line. One module per command (``eventbus.cli.<command>``), each
with ``register(subparsers)``; they import what they need when they run, so start-up is fast.

Exit status: 0 clean, 1 findings of error severity (or incompatible / drift), 2 usage or
internal error. Bad input never produces a traceback.
"""
from __future__ import annotations

import argparse
import os
import sys

from eventbus import __version__
from eventbus.cli import catalog, codeowners, credentials, drift, new, plan, rules, stacks, validate
from eventbus.cli.common import UsageError

COMMANDS = (validate, new, plan, drift, credentials, rules, codeowners, catalog, stacks)


# -- compat -------------------------------------------------------------------
def cmd_compat(args) -> int:
    from eventbus.avro.compat import check
    from eventbus.avro.schema import AvroError
    from eventbus.load.files import ReadError, read_text

    texts = []
    for path in [args.new, *args.history]:
        try:
            texts.append(read_text(os.path.dirname(os.path.abspath(path)) or ".", path))
        except ReadError as exc:
            print(f"{path}:{exc.line}: {exc.message} (fix: {exc.hint})", file=sys.stderr)
            return 1
    new, history = texts[0], texts[1:]
    try:
        problems = check(args.mode, new, history)
    except AvroError as exc:
        print(f"error: not a valid Avro schema: {exc}", file=sys.stderr)
        return 1
    labels = [os.path.basename(p) for p in args.history]
    if not problems:
        checked = "nothing to check" if args.mode == "NONE" or not history else f"checked against {', '.join(labels) if args.mode.endswith('TRANSITIVE') else labels[-1]}"
        print(f"compatible ({args.mode}, {checked})")
        return 0
    print(f"INCOMPATIBLE under {args.mode}:")
    for p in problems:
        print(f"  - {p.describe(os.path.basename(args.new), labels[p.against])}")
        print(f"    fix: {p.advice}")
    return 1


def _register_compat(sub) -> None:
    c = sub.add_parser("compat", help="check one Avro schema against its history")
    c.add_argument("--mode", required=True, type=str.upper, choices=["BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE"])
    c.add_argument("new", metavar="NEW.avsc")
    c.add_argument("history", metavar="OLD.avsc", nargs="+", help="previous versions, oldest first")
    c.set_defaults(func=cmd_compat)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="eventbus", description="Registry, gate and deploy tooling of the Enterprise Event Bus.")
    p.add_argument("--version", action="version", version=f"eventbus {__version__}")
    p.add_argument("--root", help="repository root (default: nearest folder with Pulumi.yaml)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    _register_compat(sub)
    for module in COMMANDS:
        module.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed the usage error
        return 2 if exc.code else 0
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from eventbus.load.stacks import StackError

    try:
        return args.func(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except StackError as exc:  # a bad Pulumi.<stack>.yaml: a finding, not a usage error
        print(f"{exc.loc}: error: {exc.message} (fix: {exc.hint})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - last line of defence: no traceback for users
        if os.environ.get("EVENTBUS_DEBUG"):
            raise
        from eventbus.text import one_line

        print(f"internal error: {type(exc).__name__}: {one_line(exc, 300)} (set EVENTBUS_DEBUG=1 for a traceback, and please report it)", file=sys.stderr)
        return 2


def entry() -> None:
    """Console entry point. A short-lived command over many small acyclic objects: the cyclic
    garbage collector only costs time, so it runs rarely."""
    import gc

    gc.set_threshold(200_000, 50, 100)
    rc = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (| head): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(rc)


if __name__ == "__main__":
    sys.exit(main())
