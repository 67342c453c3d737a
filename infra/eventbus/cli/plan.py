"""``eventbus plan``: what merging would change, per stack (the pull-request comment)."""
from __future__ import annotations

import os

from eventbus.cli.common import UsageError, registry_root_of, write_output


def register(sub) -> None:
    pl = sub.add_parser("plan", help="what merging would change, per stack (for the pull-request comment)")
    pl.add_argument("--base", required=True, metavar="GIT_REF", help="the pull request's merge base")
    pl.add_argument("--stack", action="append", metavar="STACK", help="only this stack (repeatable; default: every stack a merge deploys)")
    pl.add_argument("--format", choices=["markdown", "json"], default="markdown")
    pl.add_argument("--output", "-o", metavar="FILE")
    pl.add_argument("--ci-out", metavar="DIR", help="write everything the pull-request workflow posts into DIR (plan, approvals, comment, stacks to preview)")
    pl.set_defaults(func=run)


def run(args) -> int:
    from eventbus.adapters.git import GitError
    from eventbus.plan import make_plan
    from eventbus.plan.render import as_json, markdown

    root = registry_root_of(args)
    try:
        plan = make_plan(root, args.base, args.stack or None)
        if args.ci_out:
            return _ci(root, args, plan)
    except GitError as exc:
        raise UsageError(f"--base {args.base}: {exc}") from None
    text = as_json(plan) if args.format == "json" else markdown(plan)
    if args.output:
        write_output("--output", args.output, text)
    else:
        print(text, end="")
    return 0


def _ci(root: str, args, plan) -> int:
    """Everything the pull-request workflow posts, computed once: plan.md, plan.json,
    approvals.md, approvals.json, changed-files.txt, plan-comment.md and preview-stacks.json."""
    from eventbus.adapters import git
    from eventbus.load.registry import load_registry
    from eventbus.ownership import approvals
    from eventbus.plan import comment
    from eventbus.plan.render import as_json, markdown
    from eventbus.text import json_dumps

    out = args.ci_out
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--ci-out {out}: cannot create the folder ({exc.strerror or exc}) (fix: give a folder, new or existing)") from None
    registry = load_registry(root).registry
    data = approvals.approvals_data(root, args.base, registry)
    changed = git.changed_files(root, args.base)
    plan_md = markdown(plan)
    approvals_md = approvals.approvals_markdown(data)
    files = {
        "plan.md": plan_md,
        "plan.json": as_json(plan),
        "approvals.md": approvals_md,
        "approvals.json": json_dumps(data, indent=2) + "\n",
        "changed-files.txt": "".join(f + "\n" for f in changed),
        "plan-comment.md": comment.body(plan_md, approvals_md, changed),
        "preview-stacks.json": json_dumps(comment.preview_stacks(plan, changed)),
    }
    for name, text in files.items():
        write_output("--ci-out", os.path.join(out, name), text)
    print(f"wrote {', '.join(files)} to {out}")
    return 0
