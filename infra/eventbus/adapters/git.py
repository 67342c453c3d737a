"""Git adapter: read the tree as it was at a base ref, without touching the work tree."""
from __future__ import annotations

import os
import subprocess

REGISTRY_PATHS = ("events", "consumers", "teams")


class GitError(RuntimeError):
    pass


def _git(root: str, *args: str, binary: bool = False) -> bytes | str:
    try:
        out = subprocess.run(["git", "-C", root, *args], check=True, capture_output=True, timeout=120)
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    except subprocess.CalledProcessError as exc:
        raise GitError(exc.stderr.decode(errors="replace").strip().splitlines()[-1] if exc.stderr else f"git {' '.join(args)} failed") from None
    return out.stdout if binary else out.stdout.decode()


def resolve(root: str, ref: str) -> str:
    if ref.startswith("-"):
        raise GitError(f"invalid ref '{ref}'")
    return str(_git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")).strip()


def is_commit(root: str, ref: str) -> bool:
    """Whether ``ref`` names a commit this clone has."""
    try:
        resolve(root, ref)
    except GitError:
        return False
    return True


def clean_head(root: str) -> str | None:
    """HEAD, when the work tree holds exactly HEAD (nothing modified, staged or untracked outside
    .gitignore); None otherwise, or outside a git work tree."""
    try:
        head = resolve(root, "HEAD")
        return None if str(_git(root, "status", "--porcelain", "--untracked-files=all")).strip() else head
    except GitError:
        return None


def show(root: str, commit: str, path: str) -> str:
    """A file's text at ``commit`` (GitError when it does not exist there)."""
    return str(_git(root, "show", f"{commit}:./{path}"))


def changed_files(root: str, base: str) -> list[str]:
    """Paths changed between ``base`` and the working tree (committed, staged, unstaged, untracked)."""
    commit = resolve(root, base)
    files = set(str(_git(root, "diff", "--name-only", "--no-renames", "--relative", commit, "--")).splitlines())
    files |= set(str(_git(root, "ls-files", "--others", "--exclude-standard")).splitlines())
    return sorted(f for f in files if f)


def tree_at(root: str, ref: str):
    """The registry files (events/, consumers/, teams/, Pulumi.*.yaml) as they were at ``ref``,
    held in memory: nothing is written to disk."""
    from eventbus.load.fs import MemoryFS

    commit = resolve(root, ref)
    top = str(_git(root, "rev-parse", "--show-toplevel")).strip()
    prefix = os.path.relpath(os.path.abspath(root), top).replace(os.sep, "/")
    prefix = "" if prefix == "." else prefix + "/"
    listing = str(_git(root, "ls-tree", "--name-only", commit, prefix or ".")).split()
    wanted = [p for p in listing if p.rsplit("/", 1)[-1] in REGISTRY_PATHS or (p.rsplit("/", 1)[-1].startswith("Pulumi.") and p.endswith(".yaml"))]
    data = _git(root, "archive", "--format=tar", f"{commit}:{prefix}" if prefix else commit, "--", *[w[len(prefix):] for w in wanted], binary=True) if wanted else b""
    virtual = f"/git/{commit[:12]}"
    return MemoryFS.from_tar(virtual, data) if data else MemoryFS(virtual, {}, {})
