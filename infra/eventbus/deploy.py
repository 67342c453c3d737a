"""The deploy (the Pulumi program's entry point, ``infra/__main__.py``): the gate, then the
desired state of the selected stack, then the program that maps it to resources (all of them,
or the scope of a partial deploy that ``eventbus deploy`` started)."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from eventbus.adapters.pulumi_program import Declared


def main(root: str | None = None, stack_name: str | None = None) -> Declared:
    import pulumi

    from eventbus.adapters.pulumi_program import DeployRefused, build
    from eventbus.adapters.pulumi_program.scope import ScopeError, from_env
    from eventbus.desired import compute
    from eventbus.gate import validate
    from eventbus.load.stacks import load_stack
    from eventbus.load.workspace import find_root

    root = root or find_root()
    stack = load_stack(root, stack_name or pulumi.get_stack())
    result = validate(root)
    if not result.ok:
        errors = [f.one_line() for f in result.findings if f.severity.name == "ERROR"]
        raise DeployRefused("the registry does not pass the gate; nothing deployed:\n  " + "\n  ".join(errors[:20]))
    try:
        scope = from_env()
    except ScopeError as exc:
        raise DeployRefused(str(exc)) from None
    return build(compute(result.registry, stack), stack, pulumi.Config("eventbus"), os.environ.get("EVENTBUS_CATALOG_DIR"), scope)
