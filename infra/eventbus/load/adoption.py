"""Reading ``adopt/<stack>.yaml`` (already parsed and checked against its JSON Schema) into an
:class:`eventbus.model.adoption.Adoption`, each item with its file and line."""
from __future__ import annotations

from typing import Any

from eventbus.model import Positions
from eventbus.model.adoption import AdoptedSubject, AdoptedTopic, AdoptedVersion, Adoption, KeptAcl, LegacyIdentity


def _pairs(d: dict | None) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((d or {}).items()))


def adoption_from(stack: str, d: dict[str, Any], pos: Positions) -> Adoption:
    topics = {
        name: AdoptedTopic(name, t["event"], t["partitions"], t.get("replication_factor", 0), _pairs(t.get("config")), _pairs(t.get("kept_config")),
                           t.get("topic_id"), pos.loc("topics", name))
        for name, t in sorted((d.get("topics") or {}).items())
    }
    subjects = {
        name: AdoptedSubject(name, s["event"], s.get("compatibility"),
                             tuple(AdoptedVersion(v["version"], v["id"], v["fingerprint"]) for v in s["versions"]), pos.loc("subjects", name))
        for name, s in sorted((d.get("subjects") or {}).items())
    }
    apps = {}
    for ref, a in sorted((d.get("applications") or {}).items()):
        group = a.get("consumer_group") or {}
        kept = tuple(KeptAcl(k["resource_type"], k["name"], k.get("pattern", "Literal"), k["operation"], k.get("host", "*"), k.get("permission", "Allow"))
                     for k in a.get("kept_acls") or ())
        apps[ref] = LegacyIdentity(ref, a.get("kafka_user"), group.get("name"), bool(group.get("prefix", False)), a.get("role"),
                                   a.get("credential") == "keep", kept, Positions(pos.file, {k[2:]: v for k, v in pos.table.items() if k[:2] == ("applications", ref)}))
    return Adoption(stack, d.get("cluster_id"), topics, subjects, apps, pos, declared_stack=d["stack"])
