"""version-immutable"""
from eventbus.gate.rules import Rule
from eventbus.model import Loc


class VersionImmutable(Rule):
    """Merged schema versions (and the key schema) are never edited or deleted (checked against ``--base``).

    Producers pin schema ids and consumers have generated code from them:
    a change must be a new ``v<N+1>.avsc``.
    """

    id = "version-immutable"
    hint = "restore the file from the base branch and put the change in a new v<N+1>.avsc"
    needs_base = True

    def check(self, ctx):
        for e in ctx.registry.events:
            old = ctx.history.get(e.ref)
            if old is None:
                continue
            now = {v.version: v for v in e.versions}
            for ov in old.versions:
                nv = now.get(ov.version)
                if nv is None:
                    here = f"{e.folder}/{ov.path.rpartition('/')[2]}"  # where it belongs now (the folder may have moved)
                    restore = f"git checkout <base> -- {ov.path}" if here == ov.path else f"git show <base>:{ov.path} > {here}"
                    yield self.finding(e.pos.loc(), f"merged schema {ov.path} was deleted", f"restore {here} ({restore})")
                elif nv.digest != ov.digest:
                    restore = f"git checkout <base> -- {nv.path}" if nv.path == ov.path else f"git show <base>:{ov.path} > {nv.path}"
                    yield self.finding(Loc(nv.path, 1), f"merged schema {nv.path} was modified", f"restore it ({restore}) and add v{max(now) + 1}.avsc with the change")
            if old.key_schema is not None:
                if e.key_schema is None:
                    yield self.finding(e.pos.loc(), f"merged key schema {old.key_schema.path} was deleted", "restore key.avsc: the key decides partitioning and cannot change")
                elif e.key_schema.digest != old.key_schema.digest:
                    yield self.finding(Loc(e.key_schema.path, 1), "merged key schema was modified", "restore key.avsc: changing the key breaks ordering; publish a new event instead")
