"""Writing a draft: only the files the tree lacks (an existing file is never overwritten), and the
adoption record merged (existing entries stay as they are, new ones are added)."""
from __future__ import annotations

import os
import tempfile

from eventbus.importer.draft import SCHEMA_HEADER, Draft
from eventbus.load.files import ReadError, inside
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


class WriteError(Exception):
    """The draft cannot be written where asked (exit 2, nothing written)."""


def _existing_record(path: str, rel: str) -> dict | None:
    if not os.path.lexists(path):
        return None
    if not os.path.isfile(path):
        raise WriteError(f"{rel} is not a regular file (fix: remove it, or choose another --out)")
    try:
        with open(path, encoding="utf-8") as fh:
            existing, _ = parse_yaml(fh.read())
    except ReadError as err:
        raise WriteError(f"{rel}:{err.line or 1}: {err.message} (fix: {err.hint}; nothing written)") from None
    except (OSError, UnicodeDecodeError) as err:
        raise WriteError(f"{rel}: cannot be read ({err}); nothing written") from None
    if existing is not None and not (isinstance(existing, dict) and all(isinstance(existing.get(s) or {}, dict) for s in ("topics", "subjects", "applications"))):
        raise WriteError(f"{rel}: not an adoption record (a mapping with the mappings topics, subjects, applications); fix it, nothing written")
    return existing


def write(draft: Draft, out: str, stack: str, cluster_id: str | None) -> list[str]:
    """Write the draft under ``out``; the repository-relative paths written. Nothing is written
    through a symbolic link to outside ``out`` (:class:`WriteError` before writing anything)."""
    path = record_path(out, stack)
    rel_record = os.path.relpath(path, out)
    for rel in [*draft.files, rel_record]:
        if not inside(out, os.path.dirname(os.path.join(out, rel))):  # a folder of the tree that is a link to elsewhere
            raise WriteError(f"{os.path.dirname(rel)} in {out} leads outside it (a symbolic link); nothing written (fix: choose another --out)")
    existing = _existing_record(path, rel_record)
    written = []
    for rel, text in sorted(draft.files.items()):
        fpath = os.path.join(out, rel)
        if os.path.lexists(fpath):
            continue
        os.makedirs(os.path.dirname(fpath), exist_ok=True)
        with open(fpath, "x", encoding="utf-8") as fh:
            fh.write(text)
        written.append(rel)
    doc, added = merged_record(existing, stack, cluster_id, draft.record)
    if added:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{stack}.", suffix=".tmp", dir=os.path.dirname(path))  # a new file: never one found there
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(SCHEMA_HEADER.format(up="../", kind="adopt") + RECORD_NOTE.format(stack=stack) + dump_yaml(doc))
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        written.append(rel_record)
    return written
