"""The benchmark report: every benchmark of the project, at several sizes, as one markdown table.

    scripts/benchmark.sh                       # all benchmarks, default sizes, writes docs/benchmarks.md
    scripts/benchmark.sh --only validate --repeat 3 --sizes 1000

Each row is the median wall time of ``--repeat`` runs of a real command in a
fresh process (so imports and start-up count), with its peak memory, beside
the *floor*: the time to only read and parse the same files. Synthetic trees
come from :mod:`eventbus.bench.synth` with a fixed seed, so runs are comparable.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CACHE = os.path.join(os.environ.get("EVENTBUS_CACHE", os.path.join(REPO, ".cache")), "bench")

FLOOR = r"""
import json, os, sys, yaml
n = 0
for dp, dn, fn in os.walk(sys.argv[1]):
    dn[:] = [d for d in dn if not d.startswith(".")]
    for f in fn:
        p = os.path.join(dp, f)
        with open(p, encoding="utf-8") as fh:
            t = fh.read()
        n += 1
        if f.endswith(".yaml"):
            yaml.compose(t, Loader=yaml.CSafeLoader)
        elif f.endswith((".avsc", ".json")):
            json.loads(t)
"""


@dataclass
class Result:
    bench: str
    size: str
    median: float
    runs: list[float]
    peak_mb: float
    floor: float | None
    target: str
    note: str = ""
    cpu: list[float] = field(default_factory=list)  # CPU seconds of each run (user + system, children waited for)
    loads: list[float] = field(default_factory=list)  # 1-minute load average after each run


LAST_CPU = 0.0  # CPU seconds (user + system) of the last timed process and the children it waited for


def timed(cmd: list[str], cwd: str, env: dict | None = None) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) and exit status of one process (its CPU seconds in LAST_CPU)."""
    global LAST_CPU
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    LAST_CPU = usage.ru_utime + usage.ru_stime
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, proc.returncode


def tree(events: int, consumers: int, versions: int = 3) -> str:
    from eventbus.bench.synth import generate

    path = os.path.join(CACHE, f"tree-{events}-{consumers}-{versions}")
    if not os.path.exists(os.path.join(path, ".done")):
        shutil.rmtree(path, ignore_errors=True)
        print(f"[bench] generating {events} events / {consumers} consumers ...", file=sys.stderr, flush=True)
        generate(path, events, consumers, versions)
        open(os.path.join(path, ".done"), "w").close()
    return path


def measure(name: str, size: str, cmd: list[str], cwd: str, repeat: int, target: str, floor: float | None, env=None,
            fresh: str | None = None) -> Result:
    """``repeat`` runs of ``cmd``; ``fresh``: a folder emptied before each run (a cold cache)."""
    runs, peaks, cpus, loads = [], [], [], []
    for i in range(repeat):
        if fresh:
            shutil.rmtree(fresh, ignore_errors=True)
        secs, peak, rc = timed(cmd, cwd, env)
        if rc not in (0, 1):
            raise SystemExit(f"[bench] {name} {size}: {' '.join(cmd)} exited {rc}")
        runs.append(secs)
        peaks.append(peak)
        cpus.append(LAST_CPU)
        loads.append(os.getloadavg()[0])
        print(f"[bench] {name:10} {size:28} run {i + 1}/{repeat}: {secs:.2f}s (CPU {LAST_CPU:.2f}s, load {loads[-1]:.1f})", file=sys.stderr, flush=True)
    return Result(name, size, statistics.median(runs), runs, max(peaks), floor, target, cpu=cpus, loads=loads)


def floor_of(path: str, repeat: int) -> float:
    return statistics.median(timed([sys.executable, "-c", FLOOR, path], path)[0] for _ in range(repeat))


def eventbus(*args: str) -> list[str]:
    return [sys.executable, "-c", "from eventbus.cli.main import entry; entry()", *args]


# name -> (function(sizes, repeat) -> list[Result])
BENCHES: dict[str, Callable[[list[int], int], list[Result]]] = {}


def bench(name: str):
    def deco(fn):
        BENCHES[name] = fn
        return fn

    return deco


TARGETS_VALIDATE = {1000: "≤ 1.2 s, ≤ 3× floor", 10000: "≤ 10 s"}


@bench("validate")
def bench_validate(sizes: list[int], repeat: int) -> list[Result]:
    """The gate as CI and developers run it: installed (.pyc compiled once, like the compat rows),
    with its caches (the parse cache, eventbus.load.cache, and the Avro analysis cache,
    eventbus.avro.cache) warm from an earlier run, and cold as on a fresh CI runner (the parse
    cache emptied before each run, the Avro cache off: every file parsed, every schema checked).
    Each row also gives the median CPU seconds (user + system, worker processes included) and the
    load average while it ran: on a shared machine the CPU seconds are the comparable figure."""
    out = []
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "EVENTBUS_NO_CACHE")}  # an installed package has its .pyc
    env["EVENTBUS_AVRO_CACHE"] = os.path.join(CACHE, "avro")
    env["EVENTBUS_USER_CACHE"] = os.path.join(CACHE, "user")
    cold = {"EVENTBUS_AVRO_CACHE": "off", "EVENTBUS_USER_CACHE": os.path.join(CACHE, "user-cold")}
    for n in sizes:
        path = tree(n, 2 * n)
        cmd = eventbus("--root", path, "validate")
        timed(cmd, path, env)  # compiles the .pyc and fills the caches once
        floor_walls, floor_cpus = [], []
        for _ in range(repeat):
            floor_walls.append(timed([sys.executable, "-c", FLOOR, path], path, env)[0])
            floor_cpus.append(LAST_CPU)
        floor = statistics.median(floor_walls)
        for label, extra in (("caches warm", {}), ("caches cold (a fresh CI runner)", cold)):
            r = measure("validate", f"{n} events × 3 versions, {2 * n} consumers, {label}", cmd, path, repeat, TARGETS_VALIDATE.get(n, "—"), floor,
                        env={**env, **extra}, fresh=extra.get("EVENTBUS_USER_CACHE"))
            r.size += (f" (CPU {statistics.median(r.cpu):.2f} s, floor CPU {statistics.median(floor_cpus):.2f} s; "
                       f"load {min(r.loads):.1f}–{max(r.loads):.1f})")
            out.append(r)
        if n <= 1000:  # the pull-request gate CI runs: the tree and its base from git, the Avro work only for what is new
            pr = _pr_repo(n)
            r = measure("validate", f"`validate --base`, {n} events, {2 * n} consumers; PR: +5 events, +10 consumers, 20 repartitioned; caches cold (a CI runner)",
                        eventbus("--root", pr, "validate", "--base", "HEAD~1"), pr, repeat, "—", None, env={**env, **cold}, fresh=cold["EVENTBUS_USER_CACHE"])
            r.size += f" (CPU {statistics.median(r.cpu):.2f} s; load {min(r.loads):.1f}–{max(r.loads):.1f})"
            out.append(r)
    return out


def _pr_repo(n: int) -> str:
    """A git repository of the n-event tree with one realistic pull request on top (``HEAD~1`` is its base)."""
    dst = os.path.join(CACHE, f"plan-{n}")
    if not os.path.exists(os.path.join(dst, ".git")):
        shutil.rmtree(dst, ignore_errors=True)
        subprocess.run([sys.executable, "-c", PLAN_SETUP, tree(n, 2 * n), dst], check=True)
    return dst


@bench("compat")
def bench_compat(sizes: list[int], repeat: int) -> list[Result]:
    """Start-up of ``eventbus compat`` (``--help``, and a FULL_TRANSITIVE check of a 3-version history)."""
    path = tree(100, 200)
    event = next(os.path.join(dp) for dp, _dn, fn in sorted(os.walk(os.path.join(path, "events"))) if "v3.avsc" in fn)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # an installed package has its .pyc
    check = eventbus("compat", "--mode", "FULL_TRANSITIVE", *(os.path.join(event, f"v{i}.avsc") for i in (3, 1, 2)))
    timed(check, path, env)  # compiles the .pyc once
    floor = statistics.median(timed([sys.executable, "-c", "pass"], path, env)[0] for _ in range(repeat))
    return [
        measure("compat", "`eventbus compat --help`", eventbus("compat", "--help"), path, repeat, "≤ 60 ms", floor, env),
        measure("compat", "one check, 3 versions, FULL_TRANSITIVE", check, path, repeat, "≤ 60 ms", floor, env),
    ]


PLAN_SETUP = r"""
import os, shutil, subprocess, sys
from eventbus.bench.synth import generate
src, dst = sys.argv[1], sys.argv[2]
shutil.copytree(src, dst)
def git(*a): subprocess.run(["git", "-C", dst, *a], check=True, capture_output=True)
git("init", "-q", "-b", "main"); git("config", "user.email", "b@example.com"); git("config", "user.name", "bench")
git("add", "-A"); git("commit", "-qm", "base")
# a realistic pull request: 5 new events, more partitions on 20 topics, 10 new consumers
generate(dst + "/.pr", 5, 10, 2, seed=99)
for domain in os.listdir(dst + "/.pr/events"):
    for ev in os.listdir(f"{dst}/.pr/events/{domain}"):
        shutil.copytree(f"{dst}/.pr/events/{domain}/{ev}", f"{dst}/events/{domain}/new_{ev}")
for team in os.listdir(dst + "/.pr/consumers"):
    for app in os.listdir(f"{dst}/.pr/consumers/{team}"):
        if os.path.isdir(f"{dst}/consumers/{team}"):
            shutil.copy(f"{dst}/.pr/consumers/{team}/{app}", f"{dst}/consumers/{team}/new-{app}")
shutil.rmtree(dst + "/.pr")
n = 0
for root, dirs, files in sorted(os.walk(dst + "/events")):
    if "event.yaml" in files and n < 20:
        p = os.path.join(root, "event.yaml"); t = open(p).read()
        open(p, "w").write(t.replace("partitions: 3", "partitions: 24").replace("partitions: 6", "partitions: 24"))
        n += 1
git("add", "-A"); git("commit", "-qm", "pull request")
"""

MOCKS = r"""
import sys
import pulumi

class M(pulumi.runtime.Mocks):
    n = 0
    def new_resource(self, args):
        M.n += 1
        outs = dict(args.inputs)
        outs.setdefault("arn", "arn:aws-us-gov:x:us-gov-west-1:210987654321:" + args.name)
        return [args.name + "-id", outs]
    def call(self, args):
        return {}

pulumi.runtime.set_mocks(M(), project="eventbus", stack="prod", preview=False)
from eventbus.deploy import main
pulumi.runtime.test(lambda: main(sys.argv[1], "prod"))()  # runs the program, then waits for every registration
print(M.n, "resources", file=sys.stderr)
"""


@bench("plan")
def bench_plan(sizes: list[int], repeat: int) -> list[Result]:
    out = []
    for n in sizes:
        dst = _pr_repo(n)
        out.append(measure("plan", f"{n} events, {2 * n} consumers; PR: +5 events, +10 consumers, 20 repartitioned", eventbus("--root", dst, "plan", "--base", "HEAD~1"),
                           dst, repeat, "≤ 3 s" if n == 1000 else "—", floor_of(dst, repeat)))
    return out


@bench("mocks")
def bench_mocks(sizes: list[int], repeat: int) -> list[Result]:
    out = []
    for n in sizes:
        path = tree(n, 2 * n)
        out.append(measure("mocks", f"Pulumi program (prod) under mocks, {n} events, {2 * n} apps", [sys.executable, "-c", MOCKS, path], path, repeat,
                           "≤ 15 s" if n == 1000 else "—", None))
    return out


FCP = r"""
import statistics, sys
from playwright.sync_api import sync_playwright
url, n = sys.argv[1], int(sys.argv[2])
out = []
with sync_playwright() as p:
    b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox", "--disable-gpu"])
    for _ in range(n):
        ctx = b.new_context(viewport={"width": 1280, "height": 900})
        pg = ctx.new_page()
        pg.goto(url, wait_until="load")
        fcp = pg.evaluate("new Promise(r => { const e = performance.getEntriesByName('first-contentful-paint')[0]; "
                          "if (e) { r(e.startTime); } else { new PerformanceObserver(l => r(l.getEntries()[0].startTime))"
                          ".observe({type: 'paint', buffered: true}); } })")
        out.append(fcp)
        ctx.close()
    b.close()
print(statistics.median(out) / 1000)
"""


def _fcp(index: str, repeat: int) -> float | None:
    """Median first contentful paint (seconds) of a page in headless Chromium, fresh context each time."""
    if not os.path.exists("/usr/bin/chromium"):
        return None
    got = subprocess.run([sys.executable, "-c", FCP, "file://" + index, str(max(3, repeat))], capture_output=True, text=True)
    try:
        return float(got.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


WRITE_FLOOR = r"""
import os, sys
src, dest, n = sys.argv[1], sys.argv[2], 2
files = []
for dp, dn, fn in os.walk(src):
    for f in fn:
        p = os.path.join(dp, f)
        with open(p, "rb") as fh:
            files.append((os.path.relpath(p, src), fh.read()))
print("read", flush=True)  # the files are in memory: the parent starts the clock
kids = []
for i in range(n):
    pid = os.fork()
    if pid == 0:
        made = set()
        for rel, data in files[i::n]:
            d = os.path.dirname(os.path.join(dest, rel))
            if d not in made:
                os.makedirs(d, exist_ok=True)
                made.add(d)
            with open(os.path.join(dest, rel), "wb") as fh:
                fh.write(data)
        os._exit(0)
    kids.append(pid)
for pid in kids:
    os.waitpid(pid, 0)
"""


class _Trash:
    """Where a benchmark puts the outputs it is done with, removed once it has measured everything. This machine's ext4
    (no journal) gives no new file an inode freed in the last 30 s and scans past each such inode, so removing the
    11,000 files of one catalog just before building the next put up to 5 s of system time into that build (perf:
    ``__ext4_new_inode`` → ``recently_deleted``), which a fresh runner's disk does not have."""

    def __init__(self):
        import tempfile

        os.makedirs(CACHE, exist_ok=True)
        self.path = tempfile.mkdtemp(prefix="eventbus-bench-trash-", dir=CACHE)
        self.n = 0

    def put(self, path: str) -> None:
        if os.path.lexists(path):
            self.n += 1
            os.rename(path, os.path.join(self.path, str(self.n)))

    def empty(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _write_floor(built: str, repeat: int, trash: _Trash | None = None) -> float:
    """Median seconds two processes take to write the files of a built catalog (same names, same bytes, already in
    memory) into an empty folder on the same disk: the least any generator of these files spends here. Measured
    from the start of the process, like the builds, minus the time it spends reading the files."""
    import tempfile

    runs = []
    for _ in range(repeat):
        dest = tempfile.mkdtemp(prefix="eventbus-bench-write-", dir=os.path.dirname(built))
        try:
            proc = subprocess.Popen([sys.executable, "-c", WRITE_FLOOR, built, dest],
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            assert proc.stdout is not None
            proc.stdout.readline()  # the files are read
            start = time.perf_counter()
            proc.wait()
            runs.append(time.perf_counter() - start)
        finally:
            if trash is not None:
                trash.put(dest)
            else:
                shutil.rmtree(dest, ignore_errors=True)
    return statistics.median(runs)


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


@bench("catalog")
def bench_catalog(sizes: list[int], repeat: int) -> list[Result]:
    """Cold build (empty --out) with empty caches and with warm ones (parse cache, field rows, compiled templates),
    rebuild after one event changed (its summary), and the index's first contentful paint. Each row names the median
    CPU seconds (user + system, the workers included) and the 1-minute load average while it ran: the machine is shared."""
    import tempfile

    out = []
    trash = _Trash()
    try:
        for n in sizes:
            path, dest = tree(n, 2 * n), os.path.join(CACHE, f"catalog-{n}")
            target = {1000: "≤ 2 s, ≤ 300 MB", 10000: "≤ 30 s"}.get(n, "—")
            warm = tempfile.mkdtemp(prefix="eventbus-bench-cache-")
            for label, fresh_cache in (("empty caches", True), ("warm caches", False)):
                runs, peaks, cpus, loads = [], [], [], []
                for i in range(repeat):
                    trash.put(dest)  # cold: a rebuild of an unchanged tree writes nothing
                    cache = tempfile.mkdtemp(prefix="eventbus-bench-cache-") if fresh_cache else warm
                    if not fresh_cache and i == 0:  # fill the warm caches once
                        timed(eventbus("--root", path, "catalog", "build", "--out", dest), path, {**os.environ, "EVENTBUS_USER_CACHE": warm})
                        trash.put(dest)
                    try:
                        _catalog_run(path, dest, {**os.environ, "EVENTBUS_USER_CACHE": cache}, (runs, peaks, cpus, loads),
                                     f"{n} events cold ({label}) run {i + 1}/{repeat}")
                    finally:
                        if fresh_cache:
                            trash.put(cache)
                kb = os.path.getsize(os.path.join(dest, "index.html")) / 1024
                files = sum(len(f) for _, _, f in os.walk(dest))
                mb = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(dest) for f in fs) / 1e6
                write = f"; writing these files alone, 2 processes: {_write_floor(dest, repeat, trash):.2f} s" if fresh_cache else ""
                out.append(Result("catalog", f"{n} events, {2 * n} consumers, cold build, {label} ({files:,} files, {mb:.0f} MB{write}; index.html {kb:.0f} KB; "
                                             f"CPU {statistics.median(cpus):.2f} s; load {', '.join(loads)})", statistics.median(runs), runs,
                                  max(peaks), floor_of(path, repeat) if fresh_cache else None, target))
            # one event changes: a copy of the tree, so the cached tree stays as generated
            src = os.path.join(CACHE, f"catalog-rebuild-{n}")
            if not os.path.exists(os.path.join(src, ".done")):
                shutil.rmtree(src, ignore_errors=True)
                shutil.copytree(path, src)
                open(os.path.join(src, ".done"), "w").close()
            first = sorted(os.listdir(os.path.join(src, "events")))[0]
            event = os.path.join(src, "events", first, sorted(os.listdir(os.path.join(src, "events", first)))[0], "event.yaml")
            env = {**os.environ, "EVENTBUS_USER_CACHE": warm}

            def edit(run: str, event: str = event) -> None:
                _rewrite_line(event, "summary:", f"summary: Synthetic event, edited for rebuild run {run} {time.time()}.")

            # the build the rebuilds start from, after an edit: a copy identical to the tree built last is "unchanged"
            # and would leave the copy's caches (parse cache, load snapshot) to the first measured rebuild
            edit("start")
            timed(eventbus("--root", src, "catalog", "build", "--out", dest), src, env)
            team = sorted(os.listdir(os.path.join(src, "consumers")))[0]
            app = os.path.join(src, "consumers", team, sorted(os.listdir(os.path.join(src, "consumers", team)))[0])

            def edit_app(run: str, app: str = app) -> None:  # its pages and its events' (the tree is loaded whole)
                _rewrite_line(app, "description:", f"description: Synthetic consumer, edited for rebuild run {run} {time.time()}.")

            for what, change, target in (("one event changed", edit, "≤ 0.5 s" if n == 1000 else "—"),
                                         ("one application's file changed", edit_app, "—")):
                runs, peaks, cpus, loads = [], [], [], []
                for i in range(repeat):
                    change(str(i))
                    _catalog_run(src, dest, env, (runs, peaks, cpus, loads), f"{n} events rebuild after {what}, run {i + 1}/{repeat}")
                out.append(Result("catalog", f"{n} events, rebuild after {what} (incremental; CPU {statistics.median(cpus):.2f} s; load {', '.join(loads)})",
                                  statistics.median(runs), runs, max(peaks), None, target))
            served = _served_rebuilds(src, dest, env, edit, repeat)
            if served is not None:
                runs, peak, loads = served
                out.append(Result("catalog", f"{n} events, rebuild after one event changed, `eventbus catalog serve` (the time it prints from noticing "
                                             f"the change to done; load {', '.join(loads)})", statistics.median(runs), runs, peak, None,
                                  "≤ 0.5 s" if n == 1000 else "—"))
            trash.put(warm)
            fcp = _fcp(os.path.join(dest, "index.html"), repeat)
            if fcp is not None:
                out.append(Result("catalog", f"{n} events, index first contentful paint (headless Chromium; load {_load()})", fcp, [fcp], 0, None,
                                  "< 0.5 s" if n == 1000 else "—"))
    finally:
        trash.empty()
    return out


def _catalog_run(root: str, out: str, env: dict, into: tuple[list, list, list, list], what: str) -> None:
    """One timed ``eventbus catalog build`` of ``root`` into ``out``: its seconds, peak memory, CPU seconds and the load
    average before it appended to ``into`` (runs, peaks, cpus, loads), and a line of progress."""
    runs, peaks, cpus, loads = into
    loads.append(_load())
    secs, peak, rc = timed(eventbus("--root", root, "catalog", "build", "--out", out), root, env)
    if rc != 0:
        raise SystemExit(f"[bench] catalog {what}: exit {rc}")
    runs.append(secs)
    peaks.append(peak)
    cpus.append(LAST_CPU)
    print(f"[bench] catalog    {what}: {secs:.2f}s, CPU {LAST_CPU:.2f}s, load {loads[-1]}", file=sys.stderr, flush=True)


def _rewrite_line(path: str, prefix: str, line: str) -> None:
    """Replace the line of the YAML file ``path`` that starts with ``prefix`` by ``line`` (put second)."""
    with open(path, encoding="utf-8") as fh:
        lines = [ln for ln in fh.read().splitlines() if not ln.startswith(prefix)]
    lines.insert(1, line)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


def _served_rebuilds(root: str, out: str, env: dict, edit: Callable[[str], None], repeat: int) -> tuple[list[float], float, list[str]] | None:
    """Seconds of each rebuild `eventbus catalog serve` prints after an edit, its peak memory (MB) and the load
    averages; None when it did not start."""
    import re

    proc = subprocess.Popen(eventbus("--root", root, "catalog", "serve", "--out", out, "--port", "0", "--interval", "0.2"), cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    assert proc.stdout is not None
    runs, loads = [], []
    peak = 0.0
    try:
        def line_with(word: str) -> str | None:
            for line in proc.stdout:
                if word in line:
                    return line
                if "error:" in line:
                    print(f"[bench] catalog serve: {line.strip()}", file=sys.stderr)
            return None

        if line_with(" built in ") is None:  # the first build's line ("HH:MM:SS built in …"), not the serving line's "built into"
            return None
        for i in range(repeat + 1):  # the first rebuild takes what the first build left to the caches
            time.sleep(1.0)
            edit(f"served {i}")
            loads.append(_load())
            line = line_with("rebuilt in")
            got = re.search(r"rebuilt in ([0-9.]+) s", line or "")
            if got is None:
                return None
            if i:
                runs.append(float(got.group(1)))
                print(f"[bench] catalog    served rebuild run {i}/{repeat}: {runs[-1]:.2f}s, load {loads[-1]}", file=sys.stderr, flush=True)
        with open(f"/proc/{proc.pid}/status") as fh:
            peak = next((int(ln.split()[1]) / 1024 for ln in fh if ln.startswith("VmHWM:")), 0.0)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return runs, peak, loads[1:]


LOCAL_STACK = """config:
  eventbus:environment: prod
  eventbus:target: local
  eventbus:allowedClassifications: [none, PII, PHI]
  eventbus:replicationFactor: 1
  eventbus:minInsyncReplicasCap: 1
  eventbus:protect: false
  eventbus:cluster:
    bootstrapServers: ["127.0.0.1:{port}"]
    saslMechanism: scram-sha512
    tls: false
  eventbus:schemaRegistry:
    kind: confluent
    url: http://127.0.0.1:{registry_port}/apis/ccompat/v7
"""

# The deploy's Pulumi options and environment, as scripts/up.sh uses them.
DEPLOY_PARALLEL = os.environ.get("EVENTBUS_PULUMI_PARALLEL", "64")
DEPLOY_ENV = {"PULUMI_SKIP_CHECKPOINTS": os.environ.get("PULUMI_SKIP_CHECKPOINTS", "true"), "EVENTBUS_ADOPT_TOPICS": "1"}


def add_one_subscription(path: str, which: int = 0) -> str:
    """A pull-request-sized change: a consumer (the first, or the ``which``-th) subscribes to one
    more unrestricted event."""
    import yaml

    consumer = sorted(glob_files(path, "consumers"))[which]
    doc = yaml.safe_load(open(consumer))
    have = {s["event"] for s in doc["subscriptions"]}
    for event_yaml in sorted(glob_files(path, "events")):
        meta = yaml.safe_load(open(event_yaml))
        ref = os.path.relpath(os.path.dirname(event_yaml), os.path.join(path, "events"))
        if ref not in have and meta["classification"]["data"] == "none" and meta.get("access_policy", "open") == "open":
            doc["subscriptions"].append({"event": ref, "purpose": "Benchmark: one new subscription.", "environments": ["sandbox", "prod"]})
            with open(consumer, "w") as fh:
                yaml.safe_dump(doc, fh, sort_keys=False)
            return ref
    raise SystemExit("[bench] no event left to subscribe to")


def glob_files(path: str, folder: str):
    name = "event.yaml" if folder == "events" else None
    for dp, _dn, fn in os.walk(os.path.join(path, folder)):
        for f in fn:
            if (name and f == name) or (not name and f.endswith(".yaml")):
                yield os.path.join(dp, f)


def server_cpu(state: str) -> dict[str, float]:
    """CPU seconds so far of the bench's broker and registry (from their pid files)."""
    out = {}
    for name, pid_file in (("broker", "kafka/kafka.pid"), ("registry", "schema-registry/registry.pid")):
        try:
            pid = open(os.path.join(state, pid_file)).read().strip()
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            out[name] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            out[name] = 0.0
    return out


def cpu_note(state: str, before: dict[str, float]) -> str:
    """What the run cost in CPU seconds, and how busy the machine was (1-minute load average)."""
    after = server_cpu(state)
    return (f"CPU s: pulumi {LAST_CPU:.0f}, broker {after['broker'] - before['broker']:.0f}, registry {after['registry'] - before['registry']:.0f}; "
            f"load {os.getloadavg()[0]:.1f}")


def resource_count(path: str, env: dict) -> int:
    import json

    out = subprocess.run(["pulumi", "stack", "export", "--stack", "local"], cwd=path, env=env, capture_output=True, text=True, check=True).stdout
    return len(json.loads(out)["deployment"].get("resources") or [])


def _git(path: str, *args: str) -> None:
    subprocess.run(["git", "-C", path, *args], check=True, capture_output=True)


@bench("deploy")
def bench_deploy(sizes: list[int], repeat: int) -> list[Result]:
    """Real engine, broker and schema registry, deployed as a merge deploys (``eventbus deploy``
    on a git work tree): up from empty, no-change preview of the whole program, one new
    subscription (a pull request: narrowed), the same change deployed in full, drift; with the
    resource counts of the stack."""
    out = []
    engine = os.path.join(REPO, "scripts", "pulumi-engine.sh")
    secs, peak, rc = timed(["bash", engine, "build"], REPO)
    out.append(Result("engine", "warm setup (already built: checks only)", secs, [secs], peak, None, "—"))
    env_out = subprocess.run(["bash", engine, "env"], capture_output=True, text=True, check=True).stdout
    env = dict(os.environ)
    for line in env_out.splitlines():
        if line.startswith("export "):
            k, _, v = line[7:].partition("=")
            env[k] = v.strip('"').replace("$PATH", os.environ["PATH"]).replace('"', "")
    port = int(os.environ.get("EVENTBUS_BENCH_KAFKA_PORT", "39092"))
    registry_port = int(os.environ.get("EVENTBUS_BENCH_REGISTRY_PORT", "38081"))
    state = os.path.join(CACHE, "deploy-broker")
    benv = {**env, "EVENTBUS_STATE": state, "EVENTBUS_KAFKA_PORT": str(port), "EVENTBUS_KAFKA_CONTROLLER_PORT": str(port + 1),
            "EVENTBUS_SCHEMA_REGISTRY_PORT": str(registry_port), "EVENTBUS_SCHEMA_REGISTRY_MANAGEMENT_PORT": str(registry_port + 1)}
    broker = os.path.join(REPO, "scripts", "kafka-broker.sh")
    registry = os.path.join(REPO, "scripts", "schema-registry.sh")
    targets = {200: ("≤ 60 s", "≤ 15 s", "—"), 1000: ("≤ 300 s", "≤ 60 s", "≤ 30 s")}
    for n in sizes:
        apps = 2 * n
        for script in (broker, registry):
            subprocess.run(["bash", script, "reset"], env=benv, check=True, capture_output=True)
            subprocess.run(["bash", script, "start"], env=benv, check=True, capture_output=True)
        password = open(os.path.join(state, "kafka", "admin.password")).read().strip()
        path = os.path.join(CACHE, f"deploy-{n}")
        shutil.rmtree(path, ignore_errors=True)
        shutil.copytree(tree(n, apps), path)
        with open(os.path.join(path, "Pulumi.local.yaml"), "w") as fh:
            fh.write(LOCAL_STACK.replace("{port}", str(port)).replace("{registry_port}", str(registry_port)))
        with open(os.path.join(path, "Pulumi.yaml"), "w") as fh:
            fh.write(f"name: eventbus\nruntime:\n  name: python\n  options:\n    virtualenv: {os.path.dirname(os.path.dirname(sys.executable))}\nmain: infra/\n")
        os.makedirs(os.path.join(path, "infra"), exist_ok=True)
        shutil.copy(os.path.join(REPO, "infra", "__main__.py"), os.path.join(path, "infra", "__main__.py"))
        with open(os.path.join(path, ".gitignore"), "w") as fh:
            fh.write(".state/\n")
        penv = {**env, "PULUMI_BACKEND_URL": f"file://{path}/.state", "PULUMI_CONFIG_PASSPHRASE": "bench", "EVENTBUS_ROOT": path,
                "EVENTBUS_SCRAM_SEED": "bench", "KAFKA_ADMIN_USERNAME": "admin", "KAFKA_ADMIN_PASSWORD": password, "EVENTBUS_STATE": state,
                **DEPLOY_ENV}
        for k in ("EVENTBUS_LOCAL_BOOTSTRAP", "EVENTBUS_LOCAL_SCHEMA_REGISTRY_URL", "EVENTBUS_DEPLOY_SCOPE", "EVENTBUS_DEPLOY_IDENTITY"):
            penv.pop(k, None)
        os.makedirs(os.path.join(path, ".state"), exist_ok=True)
        subprocess.run(["pulumi", "stack", "init", "local", "--non-interactive"], cwd=path, env=penv, check=True, capture_output=True)
        _git(path, "init", "-q", "-b", "main")
        _git(path, "-c", "user.email=bench@example.com", "-c", "user.name=bench", "add", "-A")
        _git(path, "-c", "user.email=bench@example.com", "-c", "user.name=bench", "commit", "-qm", "base")
        label = f"{n} events, {apps} apps"
        deploy = eventbus("--root", path, "deploy", "--stack", "local", "--", "--yes", "--skip-preview", "--non-interactive", "--parallel", DEPLOY_PARALLEL)
        before = server_cpu(state)
        secs, peak, rc = timed(deploy, path, penv)
        if rc:
            raise SystemExit(f"[bench] pulumi up failed at {label}")
        note = cpu_note(state, before)
        count = resource_count(path, penv)
        print(f"[bench] deploy     {label:28} up from empty: {secs:.1f}s ({count} resources; {note})", file=sys.stderr, flush=True)
        t_up, t_preview, t_pr = targets.get(n, ("—", "—", "—"))
        out.append(Result("pulumi up", f"from empty, {label}, {count} resources (real broker + registry; {note})", secs, [secs], peak, None, t_up))
        before = server_cpu(state)
        preview = measure("preview", f"no-change preview of the whole program, {label}, {count} resources",
                          ["pulumi", "preview", "--expect-no-changes", "--stack", "local", "--non-interactive", "--parallel", DEPLOY_PARALLEL],
                          path, repeat, t_preview, None, env=penv)
        preview.size += f" ({cpu_note(state, before)}, last run)"
        print(f"[bench] deploy     {label:28} no-change preview (median of {repeat}): {preview.median:.1f}s", file=sys.stderr, flush=True)
        out.append(preview)
        for i, (how, extra) in enumerate((("narrowed (`eventbus deploy`, as a merge)", []),
                                          ("the same size of change deployed in full (`eventbus deploy --full`)", ["--full"]))):
            event = add_one_subscription(path, i)
            _git(path, "-c", "user.email=bench@example.com", "-c", "user.name=bench", "commit", "-qam", f"subscribe to {event}")
            cmd = deploy[:deploy.index("--stack")] + extra + deploy[deploy.index("--stack"):]
            before = server_cpu(state)
            secs, peak, rc = timed(cmd, path, penv)
            if rc:
                raise SystemExit(f"[bench] pulumi up of one new subscription failed at {label}")
            note = cpu_note(state, before)
            print(f"[bench] deploy     {label:28} one new subscription ({event}), {how}: {secs:.1f}s ({note})", file=sys.stderr, flush=True)
            out.append(Result("pulumi up", f"pull request: one new subscription, {how}, {label} ({note})", secs, [secs], peak, None,
                              t_pr if not extra else "—"))
        out.append(measure("drift", f"eventbus drift, {label}", eventbus("--root", path, "drift", "--stack", "local"), path, repeat, "—", None, env=penv))
        for script in (registry, broker):
            subprocess.run(["bash", script, "stop"], env=benv, check=False, capture_output=True)
    return out


def machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def render(results: list[Result], repeat: int) -> str:
    lines = [
        "# Benchmarks",
        "",
        "<!-- generated by scripts/benchmark.sh; re-run it to refresh -->",
        "",
        f"Measured {dt.date.today()} on {machine()}. Median of {repeat} runs, each a fresh process",
        "(start-up included). *Floor* = only reading and parsing the same files (YAML compose + JSON),",
        "the least any tool reading this tree must spend. Synthetic trees: `eventbus.bench.synth`, seed 7.",
        "",
        "| benchmark | size | median | runs | peak memory | floor | × floor | target |",
        "|---|---|---:|---|---:|---:|---:|---|",
    ]
    for r in results:
        ratio = f"{r.median / r.floor:.1f}×" if r.floor else "—"
        floor = f"{r.floor:.2f} s" if r.floor else "—"
        runs = ", ".join(f"{x:.2f}" for x in r.runs)
        if "ms" in r.target:  # start-up rows: milliseconds
            median, runs = f"{r.median * 1000:.0f} ms", ", ".join(f"{x * 1000:.0f}" for x in r.runs) + " ms"
            floor = f"{r.floor * 1000:.0f} ms" if r.floor else "—"
        else:
            median = f"{r.median:.2f} s"
        lines.append(f"| {r.bench} | {r.size} | {median} | {runs} | {r.peak_mb:.0f} MB | {floor} | {ratio} | {r.target} |")
    lines += ["", "Reproduce: `scripts/benchmark.sh` (all) or `scripts/benchmark.sh --only validate --sizes 1000`.", ""]
    return "\n".join(lines)


def section(name: str, results: list[Result], repeat: int, sizes: list[int]) -> str:
    """One benchmark's rows, between markers, so that ``--only NAME`` rewrites only its own rows."""
    rows = render(results, repeat).split("\n")
    table = [r for r in rows if r.startswith("|")]
    return "\n".join([f"<!-- bench:{name} -->",
                      f"`scripts/benchmark.sh --only {name} --sizes {','.join(map(str, sizes))} --repeat {repeat}`, {dt.date.today()}, {machine()}:",
                      "", *table, f"<!-- /bench:{name} -->"])


def merge(doc: str, name: str, text: str) -> str:
    """Replace the marked section of ``name`` in ``doc``, or add it before the closing lines."""
    begin, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    if begin in doc and end in doc:
        return doc[: doc.index(begin)] + text + doc[doc.index(end) + len(end):]
    cut = doc.rfind("\nReproduce:")
    cut = len(doc) if cut < 0 else cut
    return doc[:cut].rstrip("\n") + "\n\n" + text + "\n" + doc[cut:]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="benchmark", description=__doc__.split("\n\n")[0])
    p.add_argument("--only", action="append", choices=sorted(BENCHES), help="run only these benchmarks (their rows in --out are replaced, the rest kept)")
    p.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], help="event counts (default: per benchmark)")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--out", default=os.path.join(REPO, "docs", "benchmarks.md"))
    args = p.parse_args(argv)
    compile_package()
    results: list[Result] = []
    for name in args.only or list(BENCHES):
        sizes = args.sizes or DEFAULT_SIZES.get(name, [1000])
        mine = BENCHES[name](sizes, args.repeat)
        results.extend(mine)
        if args.only and os.path.exists(args.out):
            with open(args.out) as fh:
                text = merge(fh.read(), name, section(name, mine, args.repeat, sizes))
        else:
            text = render(results, args.repeat)
        with open(args.out, "w") as fh:  # after each benchmark, so a long run keeps what it measured
            fh.write(text)
    print(render(results, args.repeat))
    return 0


def compile_package() -> None:
    """Compile the ``eventbus`` package's bytecode before measuring. A user's runs after the first find it compiled
    (Python writes it on the first import, ``pip install`` at install time), but this machine's environment may
    forbid writing it (``PYTHONDONTWRITEBYTECODE``): every measured command would then compile the package again."""
    import compileall

    compileall.compile_dir(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), quiet=1)


DEFAULT_SIZES = {"compat": [1], "validate": [100, 1000, 10000], "plan": [1000], "mocks": [1000], "catalog": [1000, 10000], "deploy": [200]}

if __name__ == "__main__":
    sys.exit(main())
