"""Plan renderers: Markdown for the pull-request comment, JSON for machines, text for terminals."""
from __future__ import annotations

from dataclasses import asdict

from eventbus.plan import Plan
from eventbus.plan.diff import StackPlan
from eventbus.text import json_dumps, md_text
from eventbus.text import md_code as c

ICON = {"danger": "🛑", "sensitive": "🔒", "caution": "⚠️"}
COLLAPSE_AFTER = 12  # lines of a section shown open; longer sections fold into <details>
MARKER = "<!-- eventbus-plan -->"  # lets the workflow find and update its own comment


def _summary(sp: StackPlan) -> str:
    c = sp.counts
    if sp.empty:
        return "no changes"
    parts = []
    if c["topics_added"] or c["topics_changed"] or c["topics_removed"]:
        parts.append(f"topics +{c['topics_added']} ~{c['topics_changed']} −{c['topics_removed']}")
    if c.get("topics_adopted"):
        parts.append(f"topics adopted {c['topics_adopted']}")
    if c["grants_added"] or c["grants_removed"]:
        parts.append(f"access +{c['grants_added']} −{c['grants_removed']}")
    if c["schema_versions_added"]:
        parts.append(f"schema versions +{c['schema_versions_added']}")
    if c["iam_statements_added"] or c["iam_statements_removed"]:
        parts.append(f"IAM +{c['iam_statements_added']} −{c['iam_statements_removed']}")
    return ", ".join(parts) or "see Needs attention"


def _environment(sp: StackPlan) -> str:
    """The stack's environment as reviewers read it. A local stack is never called by the environment it mirrors."""
    if sp.target == "local":
        return f"this machine (synthetic data, mirrors {md_text(sp.environment)}; not {md_text(sp.environment)})"
    return f"{md_text(sp.environment)} ({md_text(sp.target)})"


def _fold(title: str, lines: list[str]) -> list[str]:
    if len(lines) <= COLLAPSE_AFTER:
        return [title, "", *lines, ""]
    return [f"<details><summary>{title.lstrip('#').strip()} ({len(lines)} lines)</summary>", "", *lines, "", "</details>", ""]


def markdown(plan: Plan) -> str:
    out = [MARKER, f"## eventbus plan against {c(plan.base_ref)} ({c(plan.base_commit[:10])})", ""]
    if plan.load_problems:
        out += [f"> ❌ The gate has {len(plan.load_problems)} error(s); files with errors are left out of this plan. See the validate check.", ""]
    risks = [(sp.stack, r) for sp in plan.stacks for r in sp.risks]
    if risks:
        out += ["### Needs attention", ""]
        out += [f"- {ICON[r.level]} {c(stack)} · {r.text}" for stack, r in risks]
        out.append("")
    out += ["| stack | environment | changes |", "|---|---|---|"]
    out += [f"| {c(sp.stack)} | {_environment(sp)} | {_summary(sp)} |" for sp in plan.stacks]
    out.append("")
    for sp in plan.stacks:
        if sp.empty:
            continue
        out += [f"### Stack {c(sp.stack)}", ""]
        if sp.events:
            lines = ["| event | topic | change |", "|---|---|---|"]
            for e in sp.events:
                what = list(e.lines)
                if e.versions_added:
                    what.append("schema " + ", ".join(f"v{v}" for v in e.versions_added) + " registered")
                badge = "" if e.classification == "none" else f" **{md_text(e.classification)}**"
                lines.append(f"| {c(e.ref)}{badge} | {c(e.topic)} | {e.status}: {'; '.join(what)} |")
            out += _fold("#### Events", lines)
        if sp.apps:
            lines = []
            for a in sp.apps:
                lines.append(f"- {c(a.ref)} ({a.status})")
                lines += [f"  - ➕ {g}" for g in a.granted]
                lines += [f"  - ➖ {g}" for g in a.revoked]
                lines += [f"  - IAM ➕ {s}" for s in a.iam_added]
                lines += [f"  - IAM ➖ {s}" for s in a.iam_removed]
                lines += [f"  - may assume the role: ➕ {c(p)}" for p in a.trust_added]
                lines += [f"  - may assume the role: ➖ {c(p)}" for p in a.trust_removed]
            out += _fold("#### Access", lines)
    if all(sp.empty for sp in plan.stacks):
        out += ["No infrastructure changes.", ""]
    return "\n".join(out).rstrip() + "\n"


def as_json(plan: Plan) -> str:
    return json_dumps(
        {
            "base_ref": plan.base_ref,
            "base_commit": plan.base_commit,
            "gate_errors": plan.load_problems,
            "stacks": [asdict(sp) for sp in plan.stacks],
        },
        indent=2,
        ensure_ascii=False,
    )
