"""adopt-schema-history"""
from eventbus.gate.rules import Rule
from eventbus.model import Loc, naming
from eventbus.model.adoption import fingerprint


class AdoptSchemaHistory(Rule):
    """The schema versions an adopted subject holds in the registry are the tree's ``v1.avsc``..``vN.avsc``, in order and unchanged (and ``key.avsc`` is the key subject's latest).

    The deploy registers every version of the tree in order; a version that differs from the
    registry's would become a new version (with a new schema id) instead of adopting the one that
    stored records carry. The adoption record holds a fingerprint of each (its JSON with sorted
    keys), so formatting may differ but nothing else. Such versions are history: the findings of
    ``avro-doc``, ``avro-namespace``, ``avro-default``, ``avro-logical-type`` and
    ``schema-compat`` on them are warnings (new versions are checked as always).
    """

    id = "adopt-schema-history"
    hint = "restore the version as the registry holds it (eventbus import --stack <stack> writes it again)"

    def check(self, ctx):
        stacks = {s.name: s for s in ctx.registry.stacks}
        for a in ctx.registry.adoptions:
            stack = stacks.get(a.stack)
            for s in a.subjects.values():
                e = ctx.registry.events_by_ref.get(s.event)
                if e is None or stack is None:
                    continue
                if s.name == naming.subject(stack.topic(e.topic_name), "key"):
                    if e.key_schema is not None and s.versions and (e.key_schema.schema is None or fingerprint(e.key_schema.schema) != s.versions[-1].fingerprint):
                        yield self.finding(Loc(e.key_schema.path), f"key.avsc is not the key schema the registry holds for {s.name} (its latest version, id {s.versions[-1].id})")
                    continue
                have = {v.version: v for v in e.versions}
                for rec in s.versions:
                    sv = have.get(rec.version)
                    if sv is None:
                        yield self.finding(e.pos.loc(), f"{s.name} holds {len(s.versions)} versions in the registry; the tree has no v{rec.version}.avsc",
                                           f"add {e.folder}/v{rec.version}.avsc as the registry holds it (schema id {rec.id})")
                        break
                    if sv.schema is None or fingerprint(sv.schema) != rec.fingerprint:
                        yield self.finding(Loc(sv.path), f"v{rec.version}.avsc is not the schema the registry holds as version {rec.version} of {s.name} (schema id {rec.id})")
