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
from eventbus.cli import catalog, codeowners, compat, credentials, deploy, drift, import_, new, plan, rules, stacks, validate
from eventbus.cli.common import UsageError

COMMANDS = (validate, compat, new, plan, drift, deploy, credentials, import_, rules, codeowners, catalog, stacks)
# set by a command whose work leaves a large heap behind (the catalog build's model, freed by the collector at exit:
# 0.4 s at 1,000 events, seconds at 10,000): the process then ends without freeing it, once output and exit
# handlers are done
FAST_EXIT = {"on": False}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="eventbus", description="Registry, gate and deploy tooling of the Enterprise Event Bus.")
    p.add_argument("--version", action="version", version=f"eventbus {__version__}")
    p.add_argument("--root", help="repository root (default: nearest folder with Pulumi.yaml)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
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
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - last line of defence: no traceback for users
        stacks_module = sys.modules.get("eventbus.load.stacks")  # imported only by the commands that read stacks
        if stacks_module is not None and isinstance(exc, stacks_module.StackError):  # a bad Pulumi.<stack>.yaml: a finding
            print(f"{exc.loc}: error: {exc.message} (fix: {exc.hint})", file=sys.stderr)
            return 1
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
    if FAST_EXIT["on"]:
        import atexit

        atexit._run_exitfuncs()
        sys.stderr.flush()
        os._exit(rc)
    sys.exit(rc)


if __name__ == "__main__":
    sys.exit(main())
