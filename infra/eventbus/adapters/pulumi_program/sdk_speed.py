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
"""
from __future__ import annotations

import asyncio
import os

import pulumi
from pulumi.runtime import stack as sdk_stack
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


def apply() -> bool:
    """Install both changes (idempotent). False when left as is."""
    if os.environ.get("EVENTBUS_PULUMI_SDK_AS_IS") == "1":
        return False
    if not hasattr(sdk_stack, "ResourceRegistrationFailed") or not hasattr(sdk_stack, "wait_for_rpcs"):
        return False  # another SDK: leave it alone
    sdk_stack.wait_for_rpcs = wait_for_rpcs
    if os.environ.get("EVENTBUS_PULUMI_DEBUG") != "1":
        pulumi.log.debug = lambda *_args, **_kwargs: None
    return True
