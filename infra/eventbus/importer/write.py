"""Writing a draft: only the files the tree lacks (an existing file is never overwritten), and the
adoption record merged (existing entries stay as they are, new ones are added)."""
from __future__ import annotations

import os

from eventbus.importer.draft import SCHEMA_HEADER, Draft
from eventbus.load.yaml import dump_yaml, parse_yaml

RECORD_NOTE = ("# Written by `eventbus import --stack {stack}`: what the stack's cluster and schema registry held, and what the\n"
               "# tree must keep so that the first deploy adopts it (Pulumi import) instead of recreating it. Owned by the\n"
               "# platform team (docs/adopting.md). Remove an entry only once the deploy has adopted it and it is no longer needed.\n")


def record_path(out: str, stack: str) -> str:
    return os.path.join(out, "adopt", f"{stack}.yaml")


def merged_record(existing: dict | None, stack: str, cluster_id: str | None, add: dict) -> tuple[dict, int]:
    """The record with ``add``'s entries that it lacks; and how many were added."""
    doc = dict(existing or {})
    doc.setdefault("stack", stack)
    if cluster_id and "cluster_id" not in doc:
        doc["cluster_id"] = cluster_id
    n = 0
    for section in ("topics", "subjects", "applications"):
        have = dict(doc.get(section) or {})
        for key, entry in add.get(section, {}).items():
            if key not in have:
                have[key] = entry
                n += 1
        if have:
            doc[section] = dict(sorted(have.items()))
    ordered = {k: doc[k] for k in ("stack", "cluster_id", "topics", "subjects", "applications") if k in doc}
    return ordered, n


def write(draft: Draft, out: str, stack: str, cluster_id: str | None) -> list[str]:
    """Write the draft under ``out``; the repository-relative paths written."""
    written = []
    for rel, text in sorted(draft.files.items()):
        path = os.path.join(out, rel)
        if os.path.lexists(path):
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "x", encoding="utf-8") as fh:
            fh.write(text)
        written.append(rel)
    path = record_path(out, stack)
    existing = None
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as fh:
            existing, _ = parse_yaml(fh.read())
    doc, added = merged_record(existing, stack, cluster_id, draft.record)
    if added:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(SCHEMA_HEADER.format(up="../", kind="adopt") + RECORD_NOTE.format(stack=stack) + dump_yaml(doc))
        os.replace(tmp, path)
        written.append(os.path.relpath(path, out))
    return written
