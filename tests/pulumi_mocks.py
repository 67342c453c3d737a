"""Shared Pulumi mocks: the program runs through ``pulumi.runtime.test`` against a mock monitor
that names resources as the engine does and keeps every registration with its options."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockMonitor

STACK_TYPE = "pulumi:pulumi:Stack"


class Recorder(pulumi.runtime.Mocks):
    """Every resource the program declares, as the provider sees it, with plausible ARNs."""

    def __init__(self):
        self.created: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args):
        self.created.append(args)
        outs = dict(args.inputs)
        if args.typ == "aws:iam/role:Role":
            outs["arn"] = f"arn:aws-us-gov:iam::210987654321:role/{args.inputs['name']}"
        elif args.typ in ("aws:glue/registry:Registry", "aws:glue/schema:Schema"):
            outs["arn"] = f"arn:aws-us-gov:glue:us-gov-west-1:210987654321:{args.name}"
        elif args.typ == "aws:s3/bucket:Bucket":
            outs["arn"] = f"arn:aws-us-gov:s3:::{args.inputs['bucket']}"
        return [f"{args.name}-id", outs]

    def call(self, args):
        return {}


@dataclass(frozen=True)
class Registration:
    """One resource as the engine receives it: its URN and the options that decide what the engine does with it."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str  # URN ("" for the stack)
    provider: str  # <provider URN>::<id>, or ""
    protect: bool | None
    retain_on_delete: bool | None
    import_id: str
    dependencies: tuple[str, ...]
    aliases: int
    deleted_with: str
    version: str
    additional_secret_outputs: tuple[str, ...]

    def options(self) -> dict:
        """Everything but the URN, for comparing two runs."""
        return {k: v for k, v in self.__dict__.items() if k != "urn"}


class EngineMonitor(MockMonitor):
    """The SDK's mock monitor with the engine's URNs: a child's type is qualified by its parent's
    whole type chain (``eventbus:index:Catalog$aws:s3/bucket:Bucket$...``), a child of the stack's by
    its own type only. Keeps every registration (:attr:`registered`, in order)."""

    def __init__(self, mocks: pulumi.runtime.Mocks):
        super().__init__(mocks)
        self.registered: list[Registration] = []

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        if parent:
            qualified = parent.split("::")[2]
            if qualified != STACK_TYPE:
                type_ = f"{qualified}${type_}"
        return f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::{type_}::{name}"

    def RegisterResource(self, request):  # noqa: N802 - the monitor's RPC name
        self.registered.append(Registration(
            urn=self.make_urn(request.parent, request.type, request.name), type=request.type, name=request.name, custom=request.custom,
            parent=request.parent, provider=request.provider,
            protect=request.protect if request.HasField("protect") else None,
            retain_on_delete=request.retainOnDelete if request.HasField("retainOnDelete") else None,
            import_id=request.importId, dependencies=tuple(sorted(request.dependencies)), aliases=len(request.aliases),
            deleted_with=request.deletedWith, version=request.version, additional_secret_outputs=tuple(request.additionalSecretOutputs)))
        return super().RegisterResource(request)


@dataclass
class Run:
    """What one mocked run of a program declared."""

    mocks: Recorder
    monitor: EngineMonitor
    result: Any = None  # what the program returned
    by_urn: dict[str, Registration] = field(default_factory=dict)

    @property
    def urns(self) -> set[str]:
        return {r.urn for r in self.monitor.registered if r.type != STACK_TYPE}

    def of(self, type_: str, name: str) -> Registration:
        """The one registration of ``type_`` named ``name``."""
        found = [r for r in self.monitor.registered if r.type == type_ and r.name == name]
        assert len(found) == 1, (type_, name, found)
        return found[0]


def run_mocked(stack: str, program: Callable[[], Any], then: Callable[[Any], Any] | None = None, config: dict | None = None,
               secret_keys: list[str] | None = None, project: str = "eventbus") -> Run:
    """Run ``program`` as stack ``stack`` of ``project`` under mocks, through ``pulumi.runtime.test``:
    the run ends when every registration has finished, and when the Output that ``then`` returns
    (given what ``program`` returned) has resolved; an assertion that fails inside it fails the run."""
    pulumi.runtime.reset_options()  # a new root stack, named for this project and stack
    mocks = Recorder()
    monitor = EngineMonitor(mocks)
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=False, monitor=monitor)
    pulumi.runtime.set_all_config(config or {}, secret_keys or [])
    out = Run(mocks, monitor)

    @pulumi.runtime.test
    def body():
        out.result = program()
        return then(out.result) if then is not None else None

    body()
    out.by_urn = {r.urn: r for r in monitor.registered}
    return out
