"""Two costs of the Pulumi Python SDK (3.260) that grow with the number of resources, removed for
this program (measured in docs/benchmarks.md; ``EVENTBUS_PULUMI_SDK_AS_IS=1`` leaves the SDK as is):

* **Waiting for outputs is quadratic.** After the program body, ``pulumi.runtime.stack.wait_for_rpcs``
  loops on ``asyncio.wait(all pending output tasks, FIRST_COMPLETED)``: every completion adds and
  removes a callback on every task still pending. With ~10 output tasks per resource that was half
  the program's CPU at 200 events / 400 apps, and grows with the square of the tree. The version
  here awaits the same tasks one after the other (one callback each), with the same rules: RPCs
  first, an unhandled RPC exception re-raised, outputs of a failed registration
  (``ResourceRegistrationFailed``) ignored, outputs created meanwhile picked up, repeat until quiet.
* **Debug messages cost an RPC each.** ``pulumi.log.debug`` sends several messages per resource to
  the engine, which drops them unless the CLI runs with ``-v``.
* **Every registration captures the whole Python stack** (``traceback.extract_stack``: a frame
  summary and the source line of every frame, and a file URI per frame), a fifth of the program's
  CPU, and sends it to the engine, which stores it in the state with the resource. Here only the
  frame that declared the resource is sent: its source position, which the engine shows in
  errors, is the same; the state keeps that one frame.
* **Resource types are looked up again for every resource** (``typing.get_type_hints`` of the
  resource's class on each registration); here once per class.
"""
from __future__ import annotations

import asyncio
import functools
import os
import pathlib
import sys

import pulumi
from pulumi import _types as sdk_types
from pulumi.runtime import resource as sdk_resource
from pulumi.runtime import stack as sdk_stack
from pulumi.runtime.proto import source_pb2
from pulumi.runtime.settings import SETTINGS, _get_rpc_manager


async def wait_for_rpcs(await_all_outstanding_tasks: bool = True) -> None:
    rpc_manager = _get_rpc_manager()
    while True:
        while len(rpc_manager.rpcs) > 0:
            await asyncio.sleep(0)
            try:
                await rpc_manager.rpcs.pop()
            except Exception as exn:
                if rpc_manager.unhandled_exception is not None:
                    raise exn from rpc_manager.unhandled_exception.with_traceback(rpc_manager.exception_traceback)
                raise
        if rpc_manager.unhandled_exception is not None:
            raise rpc_manager.unhandled_exception.with_traceback(rpc_manager.exception_traceback)
        if await_all_outstanding_tasks:
            while True:
                with SETTINGS.lock:
                    if len(SETTINGS.outputs) == 0:
                        break
                    pending = list(SETTINGS.outputs)
                    SETTINGS.outputs.clear()
                for task in pending:
                    try:
                        await task
                    except sdk_stack.ResourceRegistrationFailed:
                        pass
        if len(rpc_manager.rpcs) == 0:
            break


@functools.cache
def _file_uri(filename: str) -> str | None:
    try:
        return pathlib.Path(filename).as_uri()
    except ValueError:  # not an absolute path
        return None


def stack_trace() -> source_pb2.StackTrace:
    """The SDK's ``_get_stack_trace`` reduced to its first frame: the caller of the third
    ``__init__`` up the stack (Resource, Custom/ComponentResource, the concrete resource)."""
    frame = sys._getframe(1)
    inits = 0
    while frame is not None:
        if frame.f_code.co_name == "__init__":
            inits += 1
            if inits == 3:
                frame = frame.f_back
                break
        frame = frame.f_back
    if frame is None:
        return source_pb2.StackTrace()
    uri = _file_uri(frame.f_code.co_filename)
    if uri is None or frame.f_lineno is None:
        return source_pb2.StackTrace(frames=[source_pb2.StackFrame()])
    return source_pb2.StackTrace(frames=[source_pb2.StackFrame(pc=source_pb2.SourcePosition(uri=uri, line=frame.f_lineno))])


def apply() -> bool:
    """Install the changes (idempotent). False when left as is."""
    if os.environ.get("EVENTBUS_PULUMI_SDK_AS_IS") == "1":
        return False
    if not all(hasattr(m, a) for m, a in ((sdk_stack, "ResourceRegistrationFailed"), (sdk_stack, "wait_for_rpcs"),
                                           (sdk_resource, "_get_stack_trace"), (sdk_types, "resource_types"))):
        return False  # another SDK: leave it alone
    sdk_stack.wait_for_rpcs = wait_for_rpcs
    sdk_resource._get_stack_trace = stack_trace
    if not hasattr(sdk_types.resource_types, "cache_info"):
        sdk_types.resource_types = functools.cache(sdk_types.resource_types)
    if os.environ.get("EVENTBUS_PULUMI_DEBUG") != "1":
        pulumi.log.debug = lambda *_args, **_kwargs: None
    return True
