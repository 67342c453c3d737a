"""The review plan: desired state at the base ref vs at HEAD, per stack."""
from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from eventbus.adapters import git
from eventbus.desired.stack import StackError, load_stack, stack_files
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


def _desired(root: str, names: list[str], commit: str | None = None) -> tuple[dict, list[str]]:
    """Desired state of each stack for the tree at ``root`` (or at ``commit`` of it, read from git in
    memory), and its gate errors."""
    fs = git.tree_at(root, commit) if commit is not None else None
    top = fs.root if fs is not None else root
    loaded = load_registry(top, fs=fs)
    out: dict[str, object] = {}
    for n in names:
        try:
            out[n] = compute(loaded.registry, load_stack(top, n, fs))
        except StackError:
            out[n] = None  # a new stack (or one broken at the base): plan from empty
    return out, [f.one_line() for f in loaded.findings if f.severity.name == "ERROR"]


def make_plan(root: str, base_ref: str, stacks: list[str] | None = None) -> Plan:
    """Plan for each stack (default: every deployed stack at HEAD, i.e. not local ones).

    The two sides (HEAD and the base) are loaded and computed in parallel processes; only their
    desired states come back."""
    names = stacks or _stack_names(root)
    for n in names:
        load_stack(root, n)  # a broken or unknown stack at HEAD stops here, with its file and line
    commit = git.resolve(root, base_ref)
    if "fork" in multiprocessing.get_all_start_methods():
        with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork")) as pool:
            base_f = pool.submit(_desired, root, names, commit)
            head_f = pool.submit(_desired, root, names)
            (head, problems), (base, _) = head_f.result(), base_f.result()
    else:  # pragma: no cover - platforms without fork
        (head, problems), (base, _) = _desired(root, names), _desired(root, names, commit)
    plans = [diff(base[n], head[n]) for n in names]
    return Plan(base_ref, commit, plans, problems)
