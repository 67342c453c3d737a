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
