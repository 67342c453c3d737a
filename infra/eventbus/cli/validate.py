"""``eventbus validate``: the pull-request gate on the tree (exit 1 on errors)."""
from __future__ import annotations

import gc
import time

from eventbus.cli.common import UsageError, registry_root_of, write_output


def register(sub) -> None:
    v = sub.add_parser("validate", help="run the pull-request gate on the tree")
    v.add_argument("--base", metavar="GIT_REF", help="compare with this ref (merge base of a pull request) for history rules")
    v.add_argument("--format", choices=["text", "json", "github", "sarif"], default="text")
    v.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE (a text summary still goes to stdout)")
    v.set_defaults(func=run)


def run(args) -> int:
    from eventbus.adapters.git import GitError
    from eventbus.gate import validate
    from eventbus.gate.reporters import REPORTERS
    from eventbus.gate.reporters.text import render as text_render
    from eventbus.gate.reporters.text import use_colour

    root = registry_root_of(args)
    started = time.perf_counter()
    # The gate builds a large, long-lived model and leaves almost no cyclic garbage: the cyclic
    # collector's passes over it were 10-15 % of a big run's CPU (reference counting still frees
    # everything else).
    collecting = gc.isenabled()
    gc.disable()
    try:
        result = validate(root, args.base)
    except GitError as exc:
        raise UsageError(f"--base {args.base}: {exc}") from None
    finally:
        if collecting:
            gc.enable()
    elapsed = time.perf_counter() - started
    reg = result.registry
    meta = {
        "colour": use_colour(),
        "stats": f"{len(reg.events)} events, {sum(len(e.versions) for e in reg.events)} schema versions, "
        f"{len(reg.consumers)} applications, {len(reg.teams)} teams in {elapsed:.2f}s",
        "counts": {"events": len(reg.events), "consumers": len(reg.consumers), "teams": len(reg.teams)},
    }
    out = REPORTERS[args.format](result.findings, meta)
    if args.output:
        write_output("--output", args.output, out + "\n")
        if args.format != "text":
            print(text_render(result.findings, meta))
    else:
        print(out)
    return 0 if result.ok else 1
