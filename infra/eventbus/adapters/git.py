"""Git adapter: read the tree as it was at a base ref, without touching the work tree."""
from __future__ import annotations

import os
import subprocess

REGISTRY_PATHS = ("events", "consumers", "teams", "adopt")  # with Pulumi.*.yaml: every file the loader reads


class GitError(RuntimeError):
    pass


def _git(root: str, *args: str, binary: bool = False, stdin: bytes | None = None, literal: bool = False) -> bytes | str:
    """``git -C root ARGS``; ``literal``: paths in ARGS are names, not patterns (``--literal-pathspecs``)."""
    try:
        out = subprocess.run(["git", *(["--literal-pathspecs"] if literal else []), "-C", root, *args], check=True, capture_output=True, timeout=120, input=stdin)
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
    .gitignore, and no ignored file among the registry files); None otherwise, or outside a git work tree."""
    try:
        head = resolve(root, "HEAD")
        if bytes(_git(root, "status", "--porcelain", "--untracked-files=all", binary=True)).strip():
            return None
        # an ignored file the loader reads (consumers/build/ under a `build/` pattern) is deployed, yet is in no commit
        ignored = bytes(_git(root, "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--", *REGISTRY_PATHS, "Pulumi.*.yaml", binary=True))
        return None if ignored.strip(b"\0") else head
    except GitError:
        return None


def show(root: str, commit: str, path: str) -> str:
    """A file's text at ``commit`` (GitError when it does not exist there); bytes that are not UTF-8
    become U+FFFD (the base's CODEOWNERS is read as GitHub reads it, line by line, not refused whole)."""
    return bytes(_git(root, "show", f"{commit}:./{path}", binary=True)).decode("utf-8", "replace")


def changed_files(root: str, base: str) -> list[str]:
    """Paths changed between ``base`` and the working tree (committed, staged, unstaged, untracked)."""
    commit = resolve(root, base)
    # -z: names as they are (without it git quotes a name with non-ASCII or control characters)
    files = set(os.fsdecode(bytes(_git(root, "diff", "-z", "--name-only", "--no-renames", "--relative", commit, "--", binary=True))).split("\0"))
    files |= set(os.fsdecode(bytes(_git(root, "ls-files", "-z", "--others", "--exclude-standard", binary=True))).split("\0"))
    return sorted(f for f in files if f)


def tree_at(root: str, ref: str):
    """The registry files (events/, consumers/, teams/, adopt/, Pulumi.*.yaml) as they were at ``ref``,
    held in memory: nothing is written to disk. Read from the commit's objects exactly as stored
    (``ls-tree`` and ``cat-file``: no ``export-ignore`` or ``export-subst`` attributes apply, unlike
    ``git archive``); symbolic links are kept as links, files over the loader's size limit as their size."""
    from eventbus.load.files import MAX_FILE_BYTES
    from eventbus.load.fs import MemoryFS, TooLarge

    commit = resolve(root, ref)
    top = str(_git(root, "rev-parse", "--show-toplevel")).strip()
    prefix = os.path.relpath(os.path.abspath(root), top).replace(os.sep, "/")
    prefix = "" if prefix == "." else prefix + "/"
    virtual = f"/git/{commit[:12]}"
    treeish = f"{commit}:{prefix}" if prefix else commit
    # --full-tree: names relative to the tree read, not to the folder git runs in (``root`` may be a subfolder)
    try:
        listing = os.fsdecode(bytes(_git(root, "ls-tree", "--full-tree", "-z", "--name-only", treeish, binary=True))).split("\0")
    except GitError:  # the folder did not exist at that commit
        return MemoryFS(virtual, {}, {})
    wanted = [p for p in listing if p in REGISTRY_PATHS or (p.startswith("Pulumi.") and p.endswith(".yaml"))]
    if not wanted:
        return MemoryFS(virtual, {}, {})
    entries = bytes(_git(root, "ls-tree", "--full-tree", "-r", "-z", "-l", treeish, "--", *wanted, binary=True, literal=True))
    blobs: list[tuple[str, str, str]] = []  # (path, object id, "file" | "link")
    files: dict[str, bytes] = {}
    for entry in entries.split(b"\0"):
        if not entry:
            continue
        meta, _, raw_path = entry.partition(b"\t")
        mode, kind, oid, size = meta.split()
        path = os.fsdecode(raw_path)
        if kind != b"blob":  # a submodule: no files of this repository
            continue
        if mode == b"120000":
            blobs.append((path, oid.decode(), "link"))
        elif int(size) > MAX_FILE_BYTES:
            files[path] = TooLarge(int(size))  # the loader refuses it by its size; its content is never read
        else:
            blobs.append((path, oid.decode(), "file"))
    out = bytes(_git(root, "cat-file", "--batch", binary=True, stdin="".join(oid + "\n" for _, oid, _ in blobs).encode()))
    links: dict[str, str] = {}
    pos = 0
    for path, oid, kind in blobs:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        if len(header) != 3 or header[0].decode() != oid:
            raise GitError(f"git cat-file: unexpected answer for {path}")
        size = int(header[2])
        content = out[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1
        if kind == "link":
            links[path] = os.fsdecode(content)
        else:
            files[path] = content
    return MemoryFS(virtual, files, links)
