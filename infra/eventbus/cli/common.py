"""What every command shares: usage errors and the repository root."""
from __future__ import annotations

import os


class UsageError(Exception):
    """A problem with how the command was called (exit 2)."""


def root_of(args) -> str:
    from eventbus.load.workspace import find_root

    root = os.path.abspath(args.root) if args.root else find_root()
    if not os.path.isdir(root):
        raise UsageError(f"--root {args.root}: no such folder")
    return root


REGISTRY_MARKERS = ("Pulumi.yaml", "events", "consumers", "teams")


def registry_root_of(args) -> str:
    """:func:`root_of` for a command that reads the registry: a folder holding none of it is a
    usage error (a gate run in the wrong folder must not pass with "0 events")."""
    root = root_of(args)
    if not any(os.path.exists(os.path.join(root, m)) for m in REGISTRY_MARKERS):
        where = f"--root {args.root}" if args.root else f"{root} (the working directory; no registry above it either)"
        raise UsageError(f"{where}: not a registry (no Pulumi.yaml, events/, consumers/ or teams/); give the registry's folder with --root")
    return root


def write_output(flag: str, path: str, text: str, newline: str | None = None) -> None:
    """Write a report the user asked for with ``flag``; a path that cannot be written (a folder,
    a missing folder, no permission) is a usage error naming the flag, not an internal error."""
    try:
        parent = os.path.dirname(path)
        if newline is not None and parent:
            os.makedirs(parent, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline=newline) as fh:
            fh.write(text)
    except OSError as exc:
        raise UsageError(f"{flag} {path}: cannot write it ({exc.strerror or exc}) (fix: give a file in an existing, writable folder)") from None
