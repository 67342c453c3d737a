"""What a deploy must touch: the events and applications whose specs differ between two desired
states of one stack (the one last deployed and HEAD's), and what differs stack-wide.

Pure, like :mod:`eventbus.plan.diff`, but for the deploy rather than for reviewers: an event is
its topic and its subjects, an application its identity, its ACL bindings and its role, exactly
the specs the Pulumi program turns into one component each.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from eventbus.desired import DesiredState

# the fields of a desired state that are not per event or per application
PER_COMPONENT = ("topics", "acls", "apps", "roles", "subjects")


@dataclass(frozen=True)
class Changes:
    events: frozenset[str]  # event refs whose topic or subjects are added, removed or changed
    apps: frozenset[str]  # application refs whose spec, bindings or role are added, removed or changed
    stack_wide: tuple[str, ...]  # the stack-wide fields that differ (connection, registry, catalog, ...)

    @property
    def empty(self) -> bool:
        return not (self.events or self.apps or self.stack_wide)


def event_specs(state: DesiredState, ref: str) -> tuple:
    return state.topic_by_event.get(ref), state.subjects_by_event.get(ref, ())


def app_specs(state: DesiredState, ref: str) -> tuple:
    return state.apps_by_ref.get(ref), state.acls_by_app.get(ref, ()), state.roles_by_app.get(ref)


def _stack_wide(state: DesiredState) -> dict:
    return {f.name: getattr(state, f.name) for f in dataclasses.fields(state) if f.name not in PER_COMPONENT}


def changes(old: DesiredState, new: DesiredState) -> Changes:
    events = set(old.topic_by_event) | set(new.topic_by_event) | set(old.subjects_by_event) | set(new.subjects_by_event)
    apps = set(old.apps_by_ref) | set(new.apps_by_ref) | set(old.acls_by_app) | set(new.acls_by_app) | set(old.roles_by_app) | set(new.roles_by_app)
    o, n = _stack_wide(old), _stack_wide(new)
    return Changes(
        events=frozenset(r for r in events if event_specs(old, r) != event_specs(new, r)),
        apps=frozenset(r for r in apps if app_specs(old, r) != app_specs(new, r)),
        stack_wide=tuple(sorted(k for k in o if o[k] != n[k])),
    )
