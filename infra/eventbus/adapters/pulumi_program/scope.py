"""A partial deploy: the program declares only the components a change touches, and the engine
runs with ``--target`` on their URNs and ``--target-dependents``.

The engine then leaves every resource it is not asked about exactly as the state has it: an
untargeted resource the program declares gets its old state copied, one it does not declare is
neither deleted nor changed. What it may delete is a target the program no longer declares and,
transitively, whatever depends on one (children, dependencies). So a partial deploy declares:

* every changed event and application that still exists (a removed one is a target the program
  leaves out: the engine deletes it, as a full deploy would);
* every application that reads or writes the topic of a changed event, before or after the
  change (it depends on that topic: left out, the engine would delete it);
* the events those applications depend on (their topics are ``depends_on`` inputs).

:func:`declared` computes that set; the deploy driver (:mod:`eventbus.adapters.pulumi_program.narrow`)
checks it against the state's dependency graph before anything runs, and writes a :class:`Scope`
to a file named by ``EVENTBUS_DEPLOY_SCOPE`` for the length of one ``pulumi up``.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from eventbus.desired import DesiredState
from eventbus.plan.changes import Changes

ENV = "EVENTBUS_DEPLOY_SCOPE"

# the component types of the program, and the names it gives them (event and application refs)
EVENT = "eventbus:index:Event"
APPLICATION = "eventbus:index:Application"
CATALOG = "eventbus:index:Catalog"

# Environment inputs of the program that reach resources or choose the live cluster and registry:
# a deploy after any of them changed is full. The other variables the program reads are provider
# credentials (the providers are always part of a deploy) or process options.
FINGERPRINT_ENV = ("EVENTBUS_SCRAM_SEED", "EVENTBUS_LOCAL_BOOTSTRAP", "EVENTBUS_LOCAL_SCHEMA_REGISTRY_URL", "EVENTBUS_DEPLOY_IDENTITY")
OTHER_ENV = ("KAFKA_ADMIN_USERNAME", "KAFKA_ADMIN_PASSWORD", "EVENTBUS_SCHEMA_REGISTRY_USERNAME", "EVENTBUS_SCHEMA_REGISTRY_PASSWORD",
             "EVENTBUS_ADOPT_TOPICS", "EVENTBUS_CATALOG_DIR", "EVENTBUS_GLUE_ENDPOINT", "EVENTBUS_PULUMI_SDK_AS_IS", "EVENTBUS_PULUMI_DEBUG", ENV)


class ScopeError(Exception):
    """The scope file is missing or malformed: nothing is deployed."""


@dataclass(frozen=True)
class Scope:
    events: frozenset[str]  # event refs the program declares
    apps: frozenset[str]  # application refs the program declares
    subjects: dict = field(default_factory=dict)  # the last deploy's `subjects` output, kept for the subjects not declared
    catalog_keys: frozenset[str] = frozenset()  # catalog objects (keys) the program declares, on stacks that publish to S3

    def dump(self, path: str) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump({"events": sorted(self.events), "apps": sorted(self.apps), "subjects": self.subjects,
                       "catalog_keys": sorted(self.catalog_keys)}, fh)


def load(path: str) -> Scope:
    try:
        with open(path, encoding="utf-8") as fh:
            d = json.load(fh)
        return Scope(frozenset(d["events"]), frozenset(d["apps"]), dict(d["subjects"]), frozenset(d["catalog_keys"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ScopeError(f"{ENV}={path}: not a deploy scope ({type(exc).__name__}: {exc}); a partial deploy runs only from `eventbus deploy`") from None


def from_env() -> Scope | None:
    """The scope of this run, or None (declare everything)."""
    path = os.environ.get(ENV)
    return load(path) if path else None


def declared(old: DesiredState, new: DesiredState, changes: Changes) -> tuple[frozenset[str], frozenset[str]]:
    """(event refs, application refs) a partial deploy of ``changes`` declares (see the module)."""
    apps = {r for r in changes.apps if r in new.apps_by_ref}
    for ref in changes.events:
        for state in (old, new):
            topic = state.topic_by_event.get(ref)
            if topic is not None:
                apps |= {a.ref for a in state.readers.get(topic.name, ()) + state.writers.get(topic.name, ()) if a.ref in new.apps_by_ref}
    events = {r for r in changes.events if r in new.topic_by_event}
    for ref in apps:
        app = new.apps_by_ref[ref]
        events |= {new.topics_by_name[t].event for t in (*app.produces, *app.consumes)}
    return frozenset(events), frozenset(apps)


def urn(prefix: str, type_: str, name: str) -> str:
    """The URN of a top-level resource (parent: the stack); ``prefix`` is ``urn:pulumi:<stack>::<project>::``."""
    return f"{prefix}{type_}::{name}"


def child_urn(parent: str, type_: str, name: str) -> str:
    """The URN of a resource whose parent has the URN ``parent``."""
    stack, project, qualified_type, _name = parent.split("::", 3)
    return f"{stack}::{project}::{qualified_type}${type_}::{name}"
