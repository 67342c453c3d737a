"""Verdicts of both sides for a batch of histories: Apache Avro Java (one JVM for the batch,
``scripts/avro-java.sh run``) and eventbus (``eventbus.avro.compat.check``)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from eventbus.avro.compat import SchemaParseError, check
from eventbus.avro.parser import PolicyError

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "avro-java.sh"


class OracleUnavailable(Exception):
    """Java or Maven is missing (the reason is the message)."""


@dataclass(frozen=True)
class Verdict:
    verdict: str  # compatible | incompatible | invalid
    index: int | None = None  # invalid: 0 the new schema, 1.. the history (oldest first)
    policy: str | None = None  # invalid because of a documented eventbus policy (Java accepts)
    detail: str = ""


def ours(mode: str, versions: list[str], policies: bool = True) -> Verdict:
    """The gate's verdict (``policies=False``: the verdict ``eventbus compat`` gives)."""
    try:
        problems = check(mode, versions[-1], versions[:-1], policies=policies)
    except SchemaParseError as exc:
        policy = exc.error.policy if isinstance(exc.error, PolicyError) else None
        return Verdict("invalid", exc.index, policy, str(exc))
    if problems:
        return Verdict("incompatible", detail="; ".join(sorted({p.kind for p in problems})))
    return Verdict("compatible")


def available() -> str | None:
    """Why the Java oracle cannot run here, or None when it can."""
    for tool in ("java", "mvn"):
        if shutil.which(tool) is None:
            return f"{tool} not found (the differential test needs Java 17+ and Maven)"
    return None


def java(lines: list[str], timeout: float = 900) -> dict[int, Verdict]:
    """Run the Java oracle on JSON lines ({"id", "mode", "schemas"}); id -> verdict."""
    why = available()
    if why:
        raise OracleUnavailable(why)
    build = subprocess.run(["bash", str(SCRIPT), "build"], capture_output=True, text=True, timeout=timeout)
    if build.returncode != 0:
        raise RuntimeError(f"building the Avro Java oracle failed:\n{build.stderr[-3000:]}")
    proc = subprocess.run(["bash", str(SCRIPT), "run"], input="\n".join(lines) + "\n", capture_output=True, text=True,
                          timeout=timeout, env={**os.environ})
    if proc.returncode != 0:
        raise RuntimeError(f"the Avro Java oracle failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    out = {}
    for line in proc.stdout.splitlines():
        if line.strip():
            d = json.loads(line)
            index = d.get("index")
            index = None if index is None else (0 if index == 0 else index)
            out[d["id"]] = Verdict(d["verdict"], index if d["verdict"] == "invalid" else None, None, d.get("detail", ""))
    return out
