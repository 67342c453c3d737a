"""``eventbus codeowners``: write or check ``.github/CODEOWNERS``; ``--approvals`` says whose review a
change needs (``--pr``: the required check that the claimed owners approved)."""
from __future__ import annotations

import os
import re
import sys

from eventbus.cli.common import UsageError, registry_root_of, write_output


def run(args) -> int:
    from eventbus.adapters.git import GitError
    from eventbus.ownership.approvals import approvals_data, approvals_markdown
    from eventbus.ownership.codeowners import CODEOWNERS_PATH, COMMAND, CodeownersError, difference, generate, load, parse, read_text
    from eventbus.text import json_dumps, one_line

    root = registry_root_of(args)
    try:
        registry = load(root)
    except CodeownersError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    target = args.output or CODEOWNERS_PATH
    if args.approvals:
        try:
            data = approvals_data(root, args.approvals, registry)
        except GitError as exc:
            raise UsageError(f"--approvals {args.approvals}: {exc}") from None
        if args.pr is not None:
            return _check_reviews(args, data)
        text = json_dumps(data, indent=2) + "\n" if args.format == "json" else approvals_markdown(data)
        if args.output and args.output != "-":
            write_output("--output", args.output, text)
        else:
            print(text, end="")
        return 0
    want = generate(registry)
    if target == "-":
        if args.check:
            raise UsageError("--check needs a file, not '-'")
        print(want, end="")
        return 0
    path = target if os.path.isabs(target) else os.path.join(root, target)
    have = read_text(path)
    if args.check:
        diff = difference(have, want, target)
        if not diff:
            print(f"{target} is current ({len(parse(want))} rules)")
            return 0
        print(f"{target} is stale: run `{COMMAND}` and commit the result", file=sys.stderr)
        for line in diff[:60]:  # the committed lines are the tree's text: escapes, never raw controls
            print(one_line(line), file=sys.stderr)
        if len(diff) > 60:
            print(f"... {len(diff) - 60} more diff lines", file=sys.stderr)
        return 1
    if have == want:
        print(f"{target} is already current ({len(parse(want))} rules)")
        return 0
    write_output("--output" if args.output else CODEOWNERS_PATH, path, want, newline="\n")
    print(f"wrote {target} ({len(parse(want))} rules)")
    return 0


def _check_reviews(args, data: dict) -> int:
    """The required check: every claimed owner team has approved the head commit (exit 1 if not)."""
    from eventbus.adapters import github
    from eventbus.ownership.approvals import approvers, unmet_claims
    from eventbus.text import one_line

    if not (args.repo and args.head and re.fullmatch(r"[0-9a-f]{40}", args.head)):
        raise UsageError("--pr needs --repo OWNER/NAME and --head <40-hex commit>")
    if not data["claimed"]:
        print("owner approvals: no change claims a team as owner; CODEOWNERS reviews apply")
        return 0
    try:
        approved_by = approvers(github.reviews(args.repo, args.pr), args.head)
        missing = unmet_claims(data, approved_by, github.is_member)
    except github.GitHubError as exc:
        print(f"error: cannot read the reviews: {one_line(exc)}", file=sys.stderr)
        return 2
    for cl in data["claimed"]:
        state = "missing" if cl in missing else "approved"
        print(f"{state:8} {one_line(cl['github_team'] or 'team ' + cl['team'])}: {one_line(cl['reason'])}")
    if missing:
        print(f"owner approvals: {len(missing)} team(s) must still approve commit {args.head[:10]}", file=sys.stderr)
        return 1
    print(f"owner approvals: every claimed owner approved commit {args.head[:10]}")
    return 0


def register(sub) -> None:
    p = sub.add_parser(
        "codeowners",
        help="generate .github/CODEOWNERS from the tree (--check: exit 1 when the committed file is stale)",
        description="Generate .github/CODEOWNERS: each event folder owned by its team, each team's consumers folder by the "
        "team, the control plane by the platform team. --approvals lists whose review a change needs.",
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="do not write; exit 1 when the file differs from the generated one")
    mode.add_argument("--approvals", metavar="GIT_REF", help="print (Markdown) whose approval the changes since GIT_REF need")
    p.add_argument("--output", "-o", metavar="FILE", help="file to write or check (default .github/CODEOWNERS; '-' prints it)")
    p.add_argument("--format", choices=["markdown", "json"], default="markdown", help="with --approvals: Markdown for the comment, JSON for the check")
    p.add_argument("--pr", type=int, metavar="N", help="with --approvals: check the reviews of pull request N (the required check; exit 1 until each claimed owner approved)")
    p.add_argument("--repo", metavar="OWNER/NAME", help="with --pr: the repository")
    p.add_argument("--head", metavar="SHA", help="with --pr: the pull request's head commit (approvals of older commits do not count)")
    p.set_defaults(func=run)
