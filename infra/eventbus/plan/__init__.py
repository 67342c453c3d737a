"""The review plan: desired state at the base ref vs at HEAD, per stack."""
from __future__ import annotations

from dataclasses import dataclass

from eventbus.adapters import git
from eventbus.concurrency import run_parallel
from eventbus.desired import DesiredState, compute, stacks_for
from eventbus.load.registry import load_registry
from eventbus.load.stacks import load_stack, load_stacks
from eventbus.plan.diff import StackPlan, diff


@dataclass
class Plan:
    base_ref: str
    base_commit: str
    stacks: list[StackPlan]
    load_problems: list[str]


def _desired(root: str, names: list[str], commit: str | None) -> tuple[dict[str, DesiredState | None], list[str]]:
    """Desired state of each named stack for the tree at ``root`` (or at ``commit`` of it, read
    from git in memory), and its gate errors. A stack missing there (new, or broken at the base)
    is None: its plan starts from empty."""
    fs = git.tree_at(root, commit) if commit is not None else None
    loaded = load_registry(fs.root if fs is not None else root, fs=fs)
    stacks = {s.name: s for s in loaded.registry.stacks}
    states = {n: compute(loaded.registry, stacks[n]) if n in stacks else None for n in names}
    return states, [f.one_line() for f in loaded.findings if f.severity.name == "ERROR"]


def make_plan(root: str, base_ref: str, stacks: list[str] | None = None) -> Plan:
    """Plan for each stack (default: every stack a merge deploys, per HEAD's stack files); the
    two sides are computed at the same time."""
    if stacks:
        for n in stacks:
            load_stack(root, n)  # an unknown or broken stack at HEAD stops here, with its file and line
        names = list(stacks)
    else:
        names = [s.name for s in stacks_for(load_stacks(root), "deploy")]
    commit = git.resolve(root, base_ref)
    (head, problems), (base, _) = run_parallel(_desired, [(root, names, None), (root, names, commit)])
    plans = []
    for n in names:
        state = head[n]
        assert state is not None, n  # every name is a stack that loads at HEAD
        plans.append(diff(base[n], state))
    return Plan(base_ref, commit, plans, problems)
