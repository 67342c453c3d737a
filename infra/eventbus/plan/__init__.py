"""The review plan: desired state at the base ref vs at HEAD, per stack."""
from __future__ import annotations

from dataclasses import dataclass

from eventbus.adapters import git
from eventbus.desired.stack import StackConfig, StackError, load_stack, stack_files
from eventbus.desired.state import compute
from eventbus.loader import load_registry
from eventbus.plan.diff import StackPlan, diff


@dataclass
class Plan:
    base_ref: str
    base_commit: str
    stacks: list[StackPlan]
    load_problems: list[str]


def _stack_names(root: str) -> list[str]:
    """Stacks that a merge deploys: every stack file except local (developer) targets."""
    names = [f[len("Pulumi.") : -len(".yaml")] for f in stack_files(root)]
    return [n for n in names if load_stack(root, n).target != "local"]


def make_plan(root: str, base_ref: str, stacks: list[str] | None = None) -> Plan:
    """Plan for each stack (default: every deployed stack at HEAD, i.e. not local ones)."""
    head = load_registry(root)
    names = stacks or _stack_names(root)
    head_cfg: dict[str, StackConfig] = {n: load_stack(root, n) for n in names}
    commit = git.resolve(root, base_ref)
    with git.checkout_tree(root, commit) as base_root:
        base = load_registry(base_root)
        base_cfg: dict[str, StackConfig | None] = {}
        for n in names:
            try:
                base_cfg[n] = load_stack(base_root, n)
            except StackError:
                base_cfg[n] = None  # a new stack (or one broken at the base): plan from empty
    problems = [f.one_line() for f in head.findings if f.severity.name == "ERROR"]
    plans = []
    for n in names:
        new = compute(head.registry, head_cfg[n])
        old = compute(base.registry, base_cfg[n]) if base_cfg[n] is not None else None
        plans.append(diff(old, new))
    return Plan(base_ref, commit, plans, problems)
