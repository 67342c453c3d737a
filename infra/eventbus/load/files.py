"""Reading files from an untrusted tree: size limits, encodings, symlinks.

Everything here returns text or raises :class:`ReadError`; nothing is ever written.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass

MAX_FILE_BYTES = 1_000_000  # registry files are small; anything bigger is refused unread


@dataclass
class ReadError(Exception):
    rule: str
    message: str
    hint: str
    line: int = 1
    col: int = 1


def inside(root: str, path: str) -> bool:
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root + os.sep)


def read_text(root: str, path: str, limit: int = MAX_FILE_BYTES) -> str:
    """Read one UTF-8 text file given on a command line, refusing symlinks that leave ``root`` and
    huge files. (The tree loader reads through eventbus.load.fs instead.)"""
    if os.path.islink(path) and not inside(root, path):
        raise ReadError(
            "file-symlink",
            f"symbolic link points outside the repository ({os.readlink(path)})",
            "replace the link with the file itself",
        )
    elif not inside(root, path):
        raise ReadError("file-symlink", "path resolves outside the repository", "remove the link in its folder path")
    try:
        st = os.stat(path)
    except OSError as exc:
        raise ReadError("file-unreadable", f"cannot read file: {exc.strerror}", "check the file exists and is readable") from None
    size = st.st_size
    if size > limit:
        raise ReadError(
            "file-too-large",
            f"file is {size:,} bytes, over the {limit:,}-byte limit for registry files",
            "registry files are small text files; split or shorten it",
        )
    if not stat.S_ISREG(st.st_mode):
        raise ReadError("file-unreadable", "not a regular file", "registry entries must be regular files")
    with open(path, "rb") as fh:
        raw = fh.read(limit + 1)
    return decode(raw)


def decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ReadError(
            "file-encoding",
            f"invalid UTF-8 byte 0x{raw[exc.start]:02x}",
            "save the file as UTF-8",
            line,
            col,
        ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ReadError("file-encoding", "file contains a NUL character (binary file?)", "save the file as plain UTF-8 text", line)
    return text
