#!/usr/bin/env python3
"""The long fuzzing campaign: every atheris target for a number of executions, then the Hypothesis
suite with many examples; prints (and writes to .state/fuzz/summary.json) executions and crashes.

    .venv/bin/python tests/fuzz/long_run.py                       # the default budget (> 1,000,000 executions)
    .venv/bin/python tests/fuzz/long_run.py --scale 0.01          # a quick try of the same plan
    .venv/bin/python tests/fuzz/long_run.py --only yaml avro      # some targets
    .venv/bin/python tests/fuzz/long_run.py --parallel 2          # targets side by side

Logs: .state/fuzz/logs/<target>.log. A crash leaves its input in .state/fuzz/artifacts/<target>/.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STATE = REPO / ".state" / "fuzz"
PLAN = {  # target -> atheris executions (cheap parsers get the most)
    "decode": 100_000,
    "yaml": 400_000,
    "json": 250_000,
    "avro": 200_000,
    "compat": 80_000,
    "loader": 20_000,
    "gate": 10_000,
    "catalog": 3_000,
}
HYPOTHESIS_EXAMPLES = 20_000  # per test (a tenth for the whole-gate tests)


def run_atheris(target: str, runs: int) -> dict:
    log = STATE / "logs" / f"{target}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.time()
    with open(log, "w") as fh:
        proc = subprocess.run(
            [sys.executable, str(REPO / "tests/fuzz/atheris_fuzz.py"), target, f"-runs={runs}", "-print_final_stats=1", "-rss_limit_mb=3072"],
            stdout=fh, stderr=subprocess.STDOUT, cwd=REPO,
        )
    text = log.read_text(errors="replace")
    done = re.findall(r"stat::number_of_executed_units:\s*(\d+)", text) or re.findall(r"Done (\d+) runs", text)
    crashes = sorted(p.name for p in (STATE / "artifacts" / target).glob("*") if p.name.startswith(("crash-", "timeout-", "oom-", "leak-")))
    return {"target": target, "tool": "atheris", "executions": int(done[-1]) if done else 0, "exit": proc.returncode,
            "crash_files": crashes, "seconds": round(time.time() - started)}


def run_hypothesis(examples: int) -> list[dict]:
    stats = STATE / "hypothesis-stats.json"
    if stats.exists():
        stats.unlink()
    log = STATE / "logs" / "hypothesis.log"
    started = time.time()
    env = {**os.environ, "FUZZ_EXAMPLES": str(examples), "FUZZ_STATS": str(stats)}
    with open(log, "w") as fh:
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:warnings", str(REPO / "tests/fuzz")], stdout=fh, stderr=subprocess.STDOUT, cwd=REPO, env=env)
    counts = json.loads(stats.read_text()) if stats.exists() else {}
    return [{"target": k, "tool": "hypothesis", "executions": v, "exit": proc.returncode, "seconds": round(time.time() - started)} for k, v in sorted(counts.items())]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every budget (0.01 for a quick try)")
    ap.add_argument("--only", nargs="*", help="atheris targets to run (default: all); 'hypothesis' for the Hypothesis suite")
    ap.add_argument("--parallel", type=int, default=1)
    args = ap.parse_args()
    wanted = args.only or [*PLAN, "hypothesis"]
    results: list[dict] = []
    targets = [t for t in PLAN if t in wanted]
    with ThreadPoolExecutor(max(1, args.parallel)) as pool:
        for r in pool.map(lambda t: run_atheris(t, max(1, int(PLAN[t] * args.scale))), targets):
            print(f"{r['tool']:10} {r['target']:8} {r['executions']:>10,} executions  exit {r['exit']}  {r['seconds']}s  {r['crash_files'] or ''}", flush=True)
            results.append(r)
    if "hypothesis" in wanted:
        for r in run_hypothesis(max(10, int(HYPOTHESIS_EXAMPLES * args.scale))):
            print(f"{r['tool']:10} {r['target']:16} {r['executions']:>10,} executions  exit {r['exit']}", flush=True)
            results.append(r)
    total = sum(r["executions"] for r in results)
    print(f"total {total:,} executions")
    STATE.mkdir(parents=True, exist_ok=True)
    (STATE / "summary.json").write_text(json.dumps({"date": time.strftime("%Y-%m-%d"), "total": total, "results": results}, indent=2))
    return 0 if all(r["exit"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
