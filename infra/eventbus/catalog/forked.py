"""Work done in a forked process, its result sent back on a pipe.

The catalog forks rather than spawning: a child shares the parent's model copy-on-write, so handing it the
work costs nothing, and only its result (plain values, ``marshal``-ed) travels back. A child reports
``("ok", value)`` or ``("error", text)`` and exits; :meth:`Child.result` reads the whole report, reaps the
child and raises :class:`ChildFailed` for an error, a child that died or a report cut short.
:func:`can_fork` says when forking is safe: never while the process runs other threads (an embedding program,
a test harness), whose locks the child would inherit held.
"""
from __future__ import annotations

import marshal
import os
import signal
import threading
from collections.abc import Callable
from typing import Any


class ChildFailed(Exception):
    pass


def can_fork() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1


def _send(fd: int, data: bytes) -> None:
    """Write all of ``data``: a pipe write interrupted by a signal (a debugger, a resized terminal) may write part."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class Child:
    def __init__(self, pid: int, fd: int, what: str):
        self.pid, self.fd, self.what = pid, fd, what

    def result(self) -> Any:
        chunks = []
        try:
            while True:
                chunk = os.read(self.fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            os.close(self.fd)
            _, status = os.waitpid(self.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        try:
            got = marshal.loads(b"".join(chunks))
        except (EOFError, ValueError, TypeError):
            got = None
        if type(got) is tuple and len(got) == 2 and got[0] == "ok" and code == 0:
            return got[1]
        if type(got) is tuple and len(got) == 2 and got[0] == "error":
            raise ChildFailed(f"{self.what}: {got[1]}")
        raise ChildFailed(f"{self.what}: process {self.pid} exited with status {code} without a complete report")

    def stop(self) -> None:
        """End the child without waiting for its result."""
        try:
            os.kill(self.pid, signal.SIGTERM)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        try:
            os.close(self.fd)
        except OSError:
            pass


def fork_call(fn: Callable[..., Any], *args: Any, what: str = "worker") -> Child:
    """Run ``fn(*args)`` in a forked child; its value must be ``marshal``-able (plain values only)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report, then leave without running the parent's exit handlers or freeing its heap
        code = 1
        try:
            os.close(r)
            try:
                report = marshal.dumps(("ok", fn(*args)))
                code = 0
            except BaseException as exc:  # noqa: BLE001 - reported to the parent
                report = marshal.dumps(("error", f"{type(exc).__name__}: {exc}"))
            _send(w, report)
        except BaseException:  # noqa: BLE001 - the parent sees the status and the cut report
            code = 1
        finally:
            os._exit(code)
    os.close(w)
    return Child(pid, r, what)
