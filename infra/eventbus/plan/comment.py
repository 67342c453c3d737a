"""The pull-request comment: the plan, then whose approval the change needs, in GitHub's size.

Also says plainly when the pull request changes the control plane itself: the plan is computed
with the base branch's code (CI runs it that way), so it shows what the *tree* change does under
the current rules, not what the changed code would deploy.
"""
from __future__ import annotations

import re

from eventbus.plan import Plan
from eventbus.plan.render import MARKER
from eventbus.text import md_code

LIMIT = 65_000  # GitHub refuses comments over 65,536 characters
CONTROL_PLANE = re.compile(r"^(infra/|scripts/|\.github/|go/|tools/|pyproject\.toml$|package(-lock)?\.json$|Pulumi(\.[^/]*)?\.yaml$)")
PROGRAM = re.compile(r"^(infra/|go/|Pulumi(\.[^/]*)?\.yaml$|pyproject\.toml$)")


def control_plane_files(changed: list[str]) -> list[str]:
    return [f for f in changed if CONTROL_PLANE.match(f)]


def banner(changed: list[str], max_files: int = 8) -> str:
    files = control_plane_files(changed)
    if not files:
        return ""
    shown = ", ".join(md_code(f) for f in files[:max_files]) + (f" and {len(files) - max_files} more" if len(files) > max_files else "")
    return (
        f"> ⚠️ **This pull request changes the control plane itself** ({shown}). The plan below is computed with the "
        "base branch's code, so it does not show what the changed code would deploy or allow: the platform team must "
        "review the code change itself.\n\n"
    )


def preview_stacks(plan: Plan, changed: list[str]) -> list[str]:
    """Stacks to preview: those whose desired state changes, or every one when the program changes."""
    program = any(PROGRAM.match(f) for f in changed)
    return sorted(sp.stack for sp in plan.stacks if program or not sp.empty)


def body(plan_md: str, approvals_md: str, changed: list[str]) -> str:
    """The comment: marker, control-plane banner, plan, approvals; cut to fit GitHub's limit."""
    if not plan_md.startswith(MARKER):
        raise ValueError(f"the plan does not start with {MARKER}")
    head, rest = plan_md.split("\n", 1)
    plan_md = f"{head}\n{banner(changed)}{rest}"
    text = plan_md.rstrip("\n") + "\n\n" + approvals_md.rstrip("\n") + "\n"
    if len(text) <= LIMIT:
        return text
    note = "\n\n> ✂️ The plan is longer than a comment can hold: the full plan is in this run's job summary.\n\n"
    room = LIMIT - len(note) - len(approvals_md)
    cut = plan_md[: room - 100].rsplit("\n", 1)[0]
    cut += "\n\n</details>" * (cut.count("<details>") - cut.count("</details>"))  # close a folded section
    return cut + note + approvals_md.rstrip("\n") + "\n"
