"""``eventbus deploy``: ``pulumi up`` (or ``preview``) on one stack, narrowed to what changed since
the commit last deployed there when that is safe, full otherwise (the reason is printed first).
Everything after ``--`` goes to pulumi. Exit status: pulumi's."""
from __future__ import annotations

from eventbus.cli.common import UsageError, root_of


def register(sub) -> None:
    d = sub.add_parser("deploy", help="pulumi up on a stack: only what changed since its last deploy, when that is safe")
    d.add_argument("--stack", required=True)
    d.add_argument("--preview", action="store_true", help="pulumi preview instead of up (the stack's record is left alone)")
    d.add_argument("--full", action="store_true", help="declare and compare every resource (after a change behind the program's back)")
    d.add_argument("pulumi_args", nargs="*", metavar="-- PULUMI_ARGS", help="passed to pulumi up / preview")
    d.set_defaults(func=run)


# pulumi up's options that deploy something else than this stack's program and config at this
# commit (what the record says was deployed): -t/--target, --exclude, -s/--stack, -C/--cwd,
# -c/--config. --config-file stays allowed: scripts/up.sh deploys the local stack with a copy of
# its tracked Pulumi.local.yaml (plus the encryption salt), and the program takes every setting
# from the tree's stack file; that file only supplies the stack's secrets.
LONG = ("target", "exclude", "stack", "cwd", "config")
SHORT = "tsCc"
SHORT_WITH_VALUE = "mpv"  # in a cluster of short options (-yt URN), the rest after one of these is its value


def picks(pulumi_args: list[str]) -> str | None:
    """The first of ``pulumi_args`` that is one of those options (long, short or in a cluster), if any."""
    for a in pulumi_args:
        if a.startswith("--"):
            name = a[2:].partition("=")[0]
            if name.startswith(("target", "exclude")) or name in LONG:
                return a
        elif a.startswith("-") and len(a) > 1:
            for ch in a[1:]:
                if ch in SHORT:
                    return a
                if ch in SHORT_WITH_VALUE or ch == "=":
                    break
    return None


def run(args) -> int:
    from eventbus.adapters.pulumi_program.narrow import run as deploy
    from eventbus.load.stacks import load_stack

    root = root_of(args)
    load_stack(root, args.stack)  # an unknown or broken stack stops here, with its file and line
    bad = picks(args.pulumi_args)
    if bad is not None:
        raise UsageError(f"{bad}: the targets, the stack, the folder and the config are the deploy's to choose "
                         "(it records the commit as deployed): run pulumi directly for a hand-picked update")
    import os
    import shutil

    pulumi = os.environ.get("PULUMI", "pulumi")
    if shutil.which(pulumi) is None:  # else 'internal error: FileNotFoundError' from the first pulumi call
        raise UsageError(f"no Pulumi CLI: '{pulumi}' is not an executable on PATH (fix: install pulumi, or set PULUMI to its path)")
    return deploy(root, args.stack, "preview" if args.preview else "up", args.pulumi_args, full=args.full)
