"""adopt-identity"""
import re

from eventbus.gate.rules import Rule
from eventbus.model import naming

_DERIVED_USER = re.compile(r"[a-z][a-z0-9-]{1,62}\.[a-z][a-z0-9-]{1,62}")


class AdoptIdentity(Rule):
    """A legacy identity in an adoption record (Kafka user, consumer group, IAM role) belongs to one application and can never be another application's name.

    The record lets an application keep the principal, group or role it already has on the
    cluster. So that no identity can be taken over through it, each legacy name is used by one
    application of the record only; a Kafka user of the derived form ``<team>.<application>`` is
    only that application's own; no application is the Kafka user the deploy authenticates as
    (``eventbus:kafkaAdminUser``, else ``admin``); a group never starts with another team's ``<team>.`` nor
    overlaps another application's group (name or prefix); a role never has the stack's derived
    form ``<prefix>.<team>.<application>`` of another application. An application whose file
    declares a consumer group does not get a different one from the record.
    """

    id = "adopt-identity"
    hint = "use the application's own legacy name, or remove the entry (the application then gets its derived names)"

    def check(self, ctx):
        reg = ctx.registry
        stacks = {s.name: s for s in reg.stacks}
        teams = {t.id for t in reg.teams} | {c.team for c in reg.consumers}
        for a in reg.adoptions:
            stack = stacks.get(a.stack)
            users: dict[str, str] = {}
            roles: dict[str, str] = {}
            groups: dict[str, tuple[str, bool]] = {}  # app ref -> effective group (name, prefix) on the stack
            for c in reg.consumers:
                legacy = a.applications.get(c.ref)
                if legacy is None or not legacy.consumer_group:
                    groups[c.ref] = (c.consumer_group.name, c.consumer_group.prefix)
            for ref, legacy in a.applications.items():
                team, _, app = ref.partition("/")
                if legacy.kafka_user:
                    own = naming.kafka_user(team, app)
                    admin = _admin_user(stack) if stack is not None else None
                    if legacy.kafka_user == admin:
                        yield self.finding(legacy.pos.loc("kafka_user"),
                                           f"Kafka user {legacy.kafka_user} is the user the deploy itself authenticates as on stack {a.stack}: "
                                           "adopting it would give the application the admin's principal (and its password)",
                                           "an application never has the admin's identity: give it its own user")
                    elif legacy.kafka_user in users:
                        yield self.finding(legacy.pos.loc("kafka_user"), f"Kafka user {legacy.kafka_user} is already the legacy identity of {users[legacy.kafka_user]}")
                    elif legacy.kafka_user != own and _DERIVED_USER.fullmatch(legacy.kafka_user):
                        yield self.finding(legacy.pos.loc("kafka_user"),
                                           f"Kafka user {legacy.kafka_user} has the derived form <team>.<application> of another application than {ref}",
                                           f"only {ref} may be {own}; a legacy user never looks like another application's")
                    users.setdefault(legacy.kafka_user, ref)
                if legacy.role:
                    if legacy.role in roles:
                        yield self.finding(legacy.pos.loc("role"), f"IAM role {legacy.role} is already the legacy role of {roles[legacy.role]}")
                    elif stack is not None and legacy.role.startswith(stack.role_prefix + ".") and legacy.role != stack.role(team, app):
                        yield self.finding(legacy.pos.loc("role"), f"IAM role {legacy.role} has the stack's derived form {stack.role_prefix}.<team>.<application> of another application than {ref}")
                    roles.setdefault(legacy.role, ref)
                if legacy.consumer_group:
                    c = reg.consumers_by_ref.get(ref)
                    g = legacy.consumer_group
                    owner = next((t for t in sorted(teams) if t != team and naming.group_owned_by(g, t)), None)
                    if c is not None and c.consumer_group.name != naming.default_group(team, app) and c.consumer_group.name != g:
                        yield self.finding(legacy.pos.loc("consumer_group"), f"consumer group {g} differs from the one {c.file} declares ({c.consumer_group.name})",
                                           "keep one: remove consumer_group from the application's file, or this entry")
                    elif owner is not None:
                        yield self.finding(legacy.pos.loc("consumer_group"), f"consumer group {g} is in team {owner}'s space ('{owner}.'), not {team}'s")
                    else:
                        clash = next((other for other, (name, prefix) in sorted(groups.items())
                                      if other != ref and _overlap(g, legacy.group_prefix, name, prefix)), None)
                        if clash is not None:
                            yield self.finding(legacy.pos.loc("consumer_group"), f"consumer group {g}{' (prefix)' if legacy.group_prefix else ''} overlaps the group of {clash}")
                    groups[ref] = (g, legacy.group_prefix)


def _admin_user(stack) -> str:
    """The Kafka user the deploy authenticates as: ``eventbus:kafkaAdminUser``, else the program's default."""
    user = stack.raw.get("eventbus:kafkaAdminUser") if isinstance(stack.raw, dict) else None
    return user if isinstance(user, str) and user else "admin"


def _overlap(a: str, a_prefix: bool, b: str, b_prefix: bool) -> bool:
    return a == b or (a_prefix and b.startswith(a)) or (b_prefix and a.startswith(b))
