"""The desired state: everything that should exist in one stack, computed purely from the
registry model and the stack's settings (:func:`compute`). Deterministic and sorted, so two
computations of the same tree are equal and their JSON is byte-identical.
See docs/stacks-and-access.md for the access model.
"""
from __future__ import annotations

from eventbus.desired.access import access
from eventbus.desired.adoption import recorded_subjects, recorded_topics
from eventbus.desired.connection import connection
from eventbus.desired.memo import Memo
from eventbus.desired.specs import (  # noqa: F401
    AclSpec,
    AppSpec,
    CatalogSpec,
    Connection,
    RegistrySpec,
    RoleSpec,
    Statement,
    SubjectSpec,
    TopicSpec,
)
from eventbus.desired.state import DesiredState
from eventbus.desired.subjects import subjects
from eventbus.desired.topics import live_events, topics
from eventbus.model import Registry
from eventbus.model.stack import StackConfig

# what an output covers: a merge deploys (and the plan, the previews and the published catalogs
# document) every stack that is not a developer's local one; the local stack is its own
PURPOSES = ("deploy", "local")


def stacks_for(stacks, purpose: str) -> list[StackConfig]:
    """The stacks an output covers, by name: ``deploy`` (every non-local stack) or ``local``."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    return sorted((s for s in stacks if (s.target == "local") == (purpose == "local")), key=lambda s: s.name)


def compute(registry: Registry, stack: StackConfig, memo: Memo | None = None) -> DesiredState:
    """``memo``: what earlier computations made of the same objects (:mod:`eventbus.desired.memo`; the result is
    the same without it)."""
    events = live_events(registry, stack)
    adoption = registry.adoption(stack.name)
    topic_specs = topics(events, stack, adoption, registry.predecessors, memo)
    subject_specs = subjects(events, stack, adoption)
    apps, acls, roles = access(registry, stack, events, memo)
    catalog = None
    if stack.catalog_bucket:
        catalog = CatalogSpec("s3", stack.catalog_bucket)
    elif stack.catalog_folder:
        catalog = CatalogSpec("folder", stack.catalog_folder)
    skipped = []
    if "iam" not in stack.authorization:
        skipped.append("IAM roles and policies (this stack authorizes with Kafka ACLs)")
    if stack.target == "local":
        skipped.append("AWS resources")
    return DesiredState(
        stack=stack.name,
        environment=stack.environment,
        target=stack.target,
        authorization=stack.authorization,
        connection=connection(stack),
        topics=tuple(sorted(topic_specs)),
        acls=tuple(sorted(set(acls))),
        apps=tuple(apps),
        roles=tuple(sorted(roles)),
        subjects=tuple(sorted(subject_specs)),
        registry=RegistrySpec(stack.registry_kind, stack.registry_name, stack.registry_url),
        catalog=catalog,
        scram_users=stack.scram_users,
        skipped=tuple(skipped),
        recorded_topics=recorded_topics(adoption, topic_specs),
        recorded_subjects=recorded_subjects(adoption, subject_specs),
    )
