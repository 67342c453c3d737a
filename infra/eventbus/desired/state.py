"""The desired state of one stack: every topic, grant, role and subject that should exist, with
the indexes its readers need. The Pulumi program, the plan, drift and the catalog read it; none
of them re-derives a name, a config or a grant, and none re-indexes it."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from functools import cached_property

from eventbus.desired.specs import AclSpec, AppSpec, CatalogSpec, Connection, RegistrySpec, RoleSpec, SubjectSpec, TopicSpec


@dataclass(frozen=True)
class DesiredState:
    stack: str
    environment: str
    target: str  # aws | local
    authorization: tuple[str, ...]  # iam and/or acl
    connection: Connection
    topics: tuple[TopicSpec, ...]
    acls: tuple[AclSpec, ...]
    apps: tuple[AppSpec, ...]
    roles: tuple[RoleSpec, ...]
    subjects: tuple[SubjectSpec, ...]
    registry: RegistrySpec
    catalog: CatalogSpec | None
    scram_users: bool = False  # the stack manages one SASL/SCRAM user per application
    skipped: tuple[str, ...] = field(default=())  # what this stack leaves out, said once
    # what the stack's adoption record found live (adopt/<stack>.yaml): the "before" of each adopted
    # topic and subject (subject versions as (version, fingerprint))
    recorded_topics: tuple[TopicSpec, ...] = field(default=())
    recorded_subjects: tuple[SubjectSpec, ...] = field(default=())

    # -- indexes (computed once per state) -------------------------------------------------
    @cached_property
    def topics_by_name(self) -> dict[str, TopicSpec]:
        return {t.name: t for t in self.topics}

    @cached_property
    def topic_by_event(self) -> dict[str, TopicSpec]:
        return {t.event: t for t in self.topics}

    @cached_property
    def apps_by_ref(self) -> dict[str, AppSpec]:
        return {a.ref: a for a in self.apps}

    @cached_property
    def acls_by_app(self) -> dict[str, tuple[AclSpec, ...]]:
        out: dict[str, list[AclSpec]] = {}
        for a in self.acls:
            out.setdefault(a.app, []).append(a)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def roles_by_app(self) -> dict[str, RoleSpec]:
        return {r.app: r for r in self.roles}

    @cached_property
    def subjects_by_event(self) -> dict[str, tuple[SubjectSpec, ...]]:
        out: dict[str, list[SubjectSpec]] = {}
        for s in self.subjects:
            out.setdefault(s.event, []).append(s)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def readers(self) -> dict[str, tuple[AppSpec, ...]]:
        """Topic name -> the applications that consume it."""
        return self._by_topic("consumes")

    @cached_property
    def writers(self) -> dict[str, tuple[AppSpec, ...]]:
        """Topic name -> the applications that produce to it."""
        return self._by_topic("produces")

    def _by_topic(self, attr: str) -> dict[str, tuple[AppSpec, ...]]:
        out: dict[str, list[AppSpec]] = {}
        for a in self.apps:
            for t in getattr(a, attr):
                out.setdefault(t, []).append(a)
        return {k: tuple(v) for k, v in out.items()}

    def field_readers(self, topic: str, path: str) -> tuple[tuple[AppSpec, bool], ...]:
        """(application, declares it) of every application that reads field ``path`` (dotted) of
        ``topic`` here: those whose subscription declares it, a field enclosing it or one inside
        it (True), and those that declare no fields, so read every field (False)."""
        from eventbus.avro.contract import reads

        out = []
        for a in self.readers.get(topic, ()):
            declared = a.declared(topic)
            if reads(declared, path):
                out.append((a, declared is not None))
        return tuple(out)

    def classified_reads(self, app: AppSpec, topic: str) -> tuple[tuple[str, str], ...]:
        """(dotted path, PII | PHI) of the classified fields of ``topic`` that ``app`` reads: the
        ones its subscription declares (every one when it declares none)."""
        from eventbus.avro.contract import covers

        spec = self.topics_by_name.get(topic)
        if spec is None:
            return ()
        declared = app.declared(topic)
        return tuple((p, level) for p, level in spec.classified_fields if covers(declared, p))

    def role_arn(self, app_ref: str) -> str | None:
        role = self.roles_by_app.get(app_ref)
        return role.arn if role is not None else None

    # -- views ----------------------------------------------------------------------------------
    def grants(self) -> frozenset[tuple[str, str, str]]:
        """(principal, operation, resource) for every ACL and IAM action granted."""
        out = {(a.principal, a.operation, a.resource) for a in self.acls}
        for r in self.roles:
            for s in r.statements:
                for action in s.actions:
                    for res in s.resources:
                        out.add((f"role:{r.name}", action, res))
        return frozenset(out)

    def to_dict(self) -> dict:
        d = asdict(self)
        for r, spec in zip(d["roles"], self.roles, strict=False):
            r["policy"] = spec.policy()
            r["trust_policy"] = spec.trust_policy()
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, sort_keys=True)
