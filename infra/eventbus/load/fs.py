"""Where the loader reads from: the work tree on disk, or a git commit held in memory.

The loader only lists folders, asks what an entry is, and reads bytes, so a
tree at a base ref is loaded straight from the commit's objects (:func:`eventbus.adapters.git.tree_at`) without
writing thousands of files to a temporary folder (slow on many disks).
Both sides report symbolic links (the loader refuses every one of them).
"""
from __future__ import annotations

import os
import posixpath
import stat

from eventbus.load.files import MAX_FILE_BYTES, ReadError


def read_regular(path: str, limit: int = MAX_FILE_BYTES) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file and its status, both through one descriptor. It is opened without
    blocking, so a FIFO is refused rather than waited on."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise ReadError("file-unreadable", f"cannot read file: {exc.strerror}", "check the file exists and is readable") from None
    try:
        st = os.fstat(fd)
        if st.st_size > limit:
            raise ReadError("file-too-large", f"file is {st.st_size:,} bytes, over the {limit:,}-byte limit for registry files",
                            "registry files are small text files; split or shorten it")
        if not stat.S_ISREG(st.st_mode):
            raise ReadError("file-unreadable", "not a regular file", "registry entries must be regular files")
        data = os.read(fd, st.st_size + 1)
        if len(data) > st.st_size:  # grew since fstat: read on, to the limit
            chunks = [data]
            while (n := sum(map(len, chunks))) <= limit and (more := os.read(fd, limit + 1 - n)):
                chunks.append(more)
            data = b"".join(chunks)
    except OSError as exc:
        raise ReadError("file-unreadable", f"cannot read file: {exc.strerror}", "check the file exists and is readable") from None
    finally:
        os.close(fd)
    return data, st


class DiskFS:
    """The work tree. A listing remembers what each entry is (from the directory itself, no call
    per entry), so asking whether a listed entry is a link, a folder or a file costs nothing; other
    paths are asked of the file system."""

    def __init__(self, root: str):
        self.root = os.path.abspath(root)
        self._kinds: dict[str, str] = {}  # listed path -> "link" | "dir" | "file" | "other"

    def listdir(self, path: str) -> list[str]:
        names = []
        kinds = self._kinds
        try:
            with os.scandir(path) as entries:
                for e in entries:
                    names.append(e.name)
                    if e.is_symlink():
                        kinds[e.path] = "link"
                    elif e.is_dir(follow_symlinks=False):
                        kinds[e.path] = "dir"
                    elif e.is_file(follow_symlinks=False):
                        kinds[e.path] = "file"
                    else:
                        kinds[e.path] = "other"
        except OSError:
            return []
        return sorted(names)

    def isdir(self, path: str) -> bool:
        kind = self._kinds.get(path)
        return kind == "dir" if kind is not None and kind != "link" else os.path.isdir(path)

    def isfile(self, path: str) -> bool:
        kind = self._kinds.get(path)
        return kind == "file" if kind is not None and kind != "link" else os.path.isfile(path)

    def symlink(self, path: str) -> tuple[str, bool] | None:
        """``(target, leaves_tree)`` when ``path`` is a symbolic link, else None."""
        kind = self._kinds.get(path)
        if kind is not None and kind != "link":
            return None
        if not os.path.islink(path):
            return None
        real = os.path.realpath(path)
        inside = real == self.root or real.startswith(self.root + os.sep)
        return os.readlink(path), not inside

    def read(self, path: str, limit: int = MAX_FILE_BYTES) -> bytes:
        return self.read_stat(path, limit)[0]

    def read_stat(self, path: str, limit: int = MAX_FILE_BYTES) -> tuple[bytes, os.stat_result]:
        """:func:`read_regular`."""
        return read_regular(path, limit)


class MemoryFS:
    """A tree held in memory (a commit's files, :func:`eventbus.adapters.git.tree_at`), addressed with paths under a virtual root."""

    def __init__(self, root: str, files: dict[str, bytes], links: dict[str, str]):
        self.root = root
        self.files = files  # relative path -> content
        self.links = links  # relative path -> link target
        self.dirs: dict[str, set[str]] = {"": set()}
        for rel in [*files, *links]:
            parts = rel.split("/")
            for i in range(len(parts)):
                parent = "/".join(parts[:i])
                self.dirs.setdefault(parent, set()).add(parts[i])
                if i < len(parts) - 1:
                    self.dirs.setdefault("/".join(parts[: i + 1]), set())

    def _rel(self, path: str) -> str:
        prefix = self.root + "/"
        if path.startswith(prefix):  # the loader's paths: the root joined with names, nothing to normalize
            rest = path[len(prefix):]
            if rest and "//" not in rest and "/." not in "/" + rest and not rest.endswith("/"):
                return rest
        rel = posixpath.relpath(path, self.root)
        return "" if rel == "." else rel

    def _resolve(self, rel: str, depth: int = 0) -> str | None:
        """Follow links inside the tree; None when a link leaves it."""
        if not self.links:
            return rel
        if depth > 20:
            return None
        parts = rel.split("/") if rel else []
        cur = ""
        for i, part in enumerate(parts):
            cur = f"{cur}/{part}" if cur else part
            if cur in self.links:
                target = self.links[cur]
                if target.startswith("/"):
                    return None
                joined = posixpath.normpath(posixpath.join(posixpath.dirname(cur), target))
                if joined == ".." or joined.startswith("../"):
                    return None
                rest = "/".join(parts[i + 1 :])
                return self._resolve(f"{joined}/{rest}" if rest else joined, depth + 1)
        return cur

    def listdir(self, path: str) -> list[str]:
        rel = self._resolve(self._rel(path))
        return sorted(self.dirs.get(rel, ())) if rel is not None else []

    def isdir(self, path: str) -> bool:
        rel = self._resolve(self._rel(path))
        return rel is not None and rel in self.dirs

    def isfile(self, path: str) -> bool:
        rel = self._resolve(self._rel(path))
        return rel is not None and rel in self.files

    def symlink(self, path: str) -> tuple[str, bool] | None:
        rel = self._rel(path)
        if rel in self.links:
            return self.links[rel], self._resolve(rel) is None
        return None

    def read(self, path: str, limit: int = MAX_FILE_BYTES) -> bytes:
        rel = self._resolve(self._rel(path))
        data = self.files.get(rel) if rel is not None else None
        if data is None:
            raise ReadError("file-unreadable", "not a regular file", "registry entries must be regular files")
        if isinstance(data, TooLarge) or len(data) > limit:
            size = data.size if isinstance(data, TooLarge) else len(data)
            raise ReadError("file-too-large", f"file is {size:,} bytes, over the {limit:,}-byte limit for registry files",
                            "registry files are small text files; split or shorten it")
        return data


class TooLarge(bytes):
    """Placeholder for a file over the size limit (its content is never read)."""

    size: int

    def __new__(cls, size: int):
        obj = super().__new__(cls, b"")
        obj.size = size
        return obj
