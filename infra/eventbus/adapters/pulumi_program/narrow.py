"""The deploy of one stack, narrowed to what changed since its last deploy (``eventbus deploy``).

A deploy knows what it changes: the desired states of the commit last deployed to the stack and
of the tree now (:func:`eventbus.plan.changes.changes`). When that can be narrowed safely, the
program declares only the components the change touches (:mod:`.scope`) and the engine runs
with ``--target`` on the changed ones and ``--target-dependents``: every other resource stays
exactly as the state has it. Otherwise the deploy is full, as without this module.

Full whenever: the stack has no resources yet; there is no record of a deployed commit (first
deploy, or the last deploy failed or was interrupted: the record is removed before each deploy
and written after one that succeeded); that commit is not in this clone; anything but the
registry tree (``events/``, ``consumers/``, ``teams/``) and documentation changed since (the
program, the provider, the engine's pins, ``Pulumi*.yaml``, ``pyproject.toml``, ...); one of the
program's environment inputs (:data:`.scope.FINGERPRINT_ENV`) changed; something stack-wide in
the desired state changed; the change touches most of the stack; or the state's dependency graph
lets the engine delete a resource outside the components the partial program declares.

The record is the stack tag ``eventbus:deployed``: ``<commit> <fingerprint of the inputs>``, set
only when the work tree is exactly that commit (CI's checkout; locally, a deploy of uncommitted
changes records nothing, so the next one is full).
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field

from eventbus.adapters.pulumi_program.scope import APPLICATION, CATALOG, ENV, EVENT, FINGERPRINT_ENV, Scope, child_urn, declared, urn
from eventbus.desired import DesiredState
from eventbus.plan.changes import changes

TAG = "eventbus:deployed"
STACK_TYPE = "pulumi:pulumi:Stack"
COMPONENTS = (EVENT, APPLICATION, CATALOG)
TREE = ("events/", "consumers/", "teams/")  # what the desired state is computed from
INERT = ("docs/", "tests/", ".github/CODEOWNERS", ".github/ISSUE_TEMPLATE/", ".github/pull_request_template.md")
MOST = 0.5  # a change that declares more than this share of the components deploys in full


@dataclass
class Decision:
    mode: str  # full | partial | none (nothing to deploy)
    reason: str
    targets: list[str] = field(default_factory=list)
    scope: Scope | None = None

    def line(self) -> str:
        return {"full": "full deploy", "partial": "partial deploy", "none": "nothing to deploy"}[self.mode] + f": {self.reason}"


def fingerprint(env) -> str:
    """A digest of the program's environment inputs (values hashed first: some are secrets)."""
    h = hashlib.sha256()
    for name in FINGERPRINT_ENV:
        h.update(name.encode() + b"=" + hashlib.sha256(env.get(name, "").encode()).digest())
    return h.hexdigest()[:16]


def record(commit: str, env) -> str:
    return f"{commit} {fingerprint(env)}"


def path_reason(paths: list[str]) -> str | None:
    """Why a change of these paths needs a full deploy (None: only the registry tree and docs)."""
    for p in paths:
        if p.startswith(TREE + INERT) or ("/" not in p and p.endswith(".md")):
            continue
        return f"{p} changed since the last deploy"
    return None


# -- the state's dependency graph -------------------------------------------------------------------
def _resources(export: dict) -> list[dict]:
    return (export.get("deployment") or {}).get("resources") or []


def _dependencies(r: dict) -> set[str]:
    deps = {r.get("parent") or "", r.get("deletedWith") or "", *(r.get("dependencies") or ())}
    for us in (r.get("propertyDependencies") or {}).values():
        deps |= set(us or ())
    if r.get("provider"):
        deps.add(r["provider"].rsplit("::", 1)[0])  # <provider urn>::<provider id>
    deps.discard("")
    return deps


def deletable(resources: list[dict], targets: list[str]) -> set[str]:
    """What the engine may delete in a run with ``targets``: the targets in the state and,
    transitively, everything that depends on one (children, dependencies, property dependencies,
    deleted-with, provider). Pulumi's ``determineAllowedResourcesToDeleteFromTargets``."""
    dependents: dict[str, set[str]] = defaultdict(set)
    for r in resources:
        for d in _dependencies(r):
            dependents[d].add(r["urn"])
    urns = {r["urn"] for r in resources}
    seen: set[str] = set()
    frontier = [t for t in targets if t in urns]
    while frontier:
        u = frontier.pop()
        if u not in seen:
            seen.add(u)
            frontier.extend(dependents.get(u, ()))
    return seen


def _top(by_urn: dict[str, dict], u: str) -> str:
    """The top-level resource (a child of the stack) that ``u`` belongs to."""
    seen = set()
    while u not in seen:
        seen.add(u)
        parent = (by_urn.get(u) or {}).get("parent")
        if not parent or parent not in by_urn or by_urn[parent].get("type") == STACK_TYPE:
            return u
        u = parent
    return u


def unsafe(resources: list[dict], targets: list[str], owners: set[str]) -> list[str]:
    """The resources the engine could delete (:func:`deletable`) that are not part of one of the
    top-level components ``owners`` (those the program declares, and the removed ones)."""
    by_urn = {r["urn"]: r for r in resources}
    return [u for u in sorted(deletable(resources, targets)) if _top(by_urn, u) not in owners]


# -- the catalog's objects (stacks that publish it to S3) ------------------------------------------
def catalog_changes(resources: list[dict], site_dir: str) -> tuple[frozenset[str], list[str]] | str:
    """(keys of the site files to declare, URNs to target) for the objects whose file is new or
    changed or gone, by content hash against the state; or why that cannot be told."""
    from eventbus.adapters.pulumi_program.catalog import OBJECT_TYPE, object_name, site_files

    objects = {r["inputs"]["key"]: r for r in resources if r.get("type") == OBJECT_TYPE and "key" in (r.get("inputs") or {})}
    buckets = {r["parent"] for r in objects.values()}
    if len(buckets) != 1:
        return "the state holds no catalog objects to compare with"
    bucket = buckets.pop()
    files = dict(site_files(site_dir))
    keys, targets = set(), []
    for key, path in files.items():
        with open(path, "rb") as fh:
            digest = hashlib.sha256(fh.read()).hexdigest()
        old = objects.get(key)
        if old is None or ((old["inputs"].get("source") or {}).get("hash") != digest):
            keys.add(key)
            targets.append(old["urn"] if old is not None else child_urn(bucket, OBJECT_TYPE, object_name(key)))
    targets += [r["urn"] for k, r in objects.items() if k not in files]
    return frozenset(keys), targets


# -- the decision --------------------------------------------------------------------------------------
def decide(export: dict, tag: str | None, env, paths: list[str] | None, old: DesiredState | None, new: DesiredState,
           catalog_dir: str | None = None, base_present: bool = True, most: float = MOST) -> Decision:
    """Full, partial or nothing, and why. ``tag``: the stack's record; ``paths``: what changed
    since the recorded commit (None: unknown); ``old``/``new``: the desired states there and now."""
    resources = _resources(export)
    stack = next((r for r in resources if r.get("type") == STACK_TYPE), None)
    if stack is None:
        return Decision("full", "the stack has no resources yet")
    if not tag:
        return Decision("full", "no record of the last deployed commit (first deploy, or the last one did not finish)")
    commit, _, fp = tag.partition(" ")
    if fp != fingerprint(env):
        return Decision("full", "the deploy's environment inputs changed since the last deploy (" + ", ".join(FINGERPRINT_ENV) + ")")
    if not base_present or paths is None or old is None:
        return Decision("full", f"the last deployed commit {commit[:12]} is not in this clone")
    reason = path_reason(paths)
    if reason:
        return Decision("full", reason)
    ch = changes(old, new)
    if ch.stack_wide:
        return Decision("full", "stack-wide settings changed: " + ", ".join(ch.stack_wide))
    events, apps = declared(old, new, ch)
    if len(events) + len(apps) > most * max(1, len(new.topics) + len(new.apps)):
        return Decision("full", f"the change touches most of the stack ({len(events)} events and {len(apps)} applications)")
    stack_part, project, _rest = stack["urn"].split("::", 2)
    prefix = f"{stack_part}::{project}::"
    targets = [urn(prefix, EVENT, r) for r in sorted(ch.events)] + [urn(prefix, APPLICATION, r) for r in sorted(ch.apps)]
    owners = {urn(prefix, EVENT, r) for r in events | ch.events} | {urn(prefix, APPLICATION, r) for r in apps | ch.apps}
    catalog_keys: frozenset[str] = frozenset()
    if new.catalog is not None and new.catalog.target == "s3":
        if not catalog_dir:
            return Decision("full", "no built catalog to compare with the published one (EVENTBUS_CATALOG_DIR)")
        got = catalog_changes(resources, catalog_dir)
        if isinstance(got, str):
            return Decision("full", got)
        catalog_keys, more = got
        targets += more
        owners |= {r["urn"] for r in resources if r.get("type") == CATALOG}
    if not targets:
        return Decision("none", f"no resource differs from the deploy of {commit[:12]}")
    bad = unsafe(resources, targets, owners)
    if bad:
        return Decision("full", f"the state lets the engine delete {bad[0]}, which the partial program would not declare ({len(bad)} such)")
    root_outputs = stack.get("outputs") or {}
    subjects = root_outputs.get("subjects") if isinstance(root_outputs.get("subjects"), dict) else {}
    words = [f"{len(ch.events)} event(s) and {len(ch.apps)} application(s) changed since {commit[:12]}"]
    if catalog_keys or len(targets) > len(ch.events) + len(ch.apps):
        words.append(f"{len(catalog_keys)} catalog file(s)")
    return Decision("partial", "; ".join(words) + f"; declaring {len(events)} event(s) and {len(apps)} application(s) of {len(new.topics)} and {len(new.apps)}",
                    targets, Scope(events, apps, subjects, catalog_keys))


# -- running it ------------------------------------------------------------------------------------------
def _log(msg: str) -> None:
    print(f"[deploy] {msg}", file=sys.stderr, flush=True)


def _desired(root: str, stack_name: str, commit: str | None) -> DesiredState | None:
    from eventbus.adapters import git
    from eventbus.desired import compute
    from eventbus.load.registry import load_registry

    fs = git.tree_at(root, commit) if commit is not None else None
    loaded = load_registry(fs.root if fs is not None else root, fs=fs)
    stack = next((s for s in loaded.registry.stacks if s.name == stack_name), None)
    return compute(loaded.registry, stack) if stack is not None else None


def run(root: str, stack_name: str, action: str, pulumi_args: list[str], full: bool = False) -> int:
    """``pulumi <action>`` (up or preview) on the stack, full or narrowed; after a successful
    ``up``, the record of what was deployed."""
    from eventbus.adapters import git
    from eventbus.concurrency import start_parallel

    pulumi = os.environ.get("PULUMI", "pulumi")
    on_stack = ["--stack", stack_name]

    def cli(*args: str, check: bool = False) -> subprocess.CompletedProcess:
        return subprocess.run([pulumi, *args, *on_stack], cwd=root, capture_output=True, text=True, check=check)

    head = git.clean_head(root) if action == "up" else None  # a work tree with changes is deployed, not recorded
    if full:
        decision = Decision("full", "asked for (--full)")
    else:
        got = cli("stack", "tag", "get", TAG)
        tag = got.stdout.strip() if got.returncode == 0 else None
        commit = tag.partition(" ")[0] if tag else None
        base_present = bool(commit) and git.is_commit(root, commit or "")
        running = start_parallel(_desired, [(root, stack_name, None), (root, stack_name, commit)] if base_present else [(root, stack_name, None)])
        exported = cli("stack", "export")
        export = json.loads(exported.stdout) if exported.returncode == 0 and exported.stdout.strip() else {}
        states = running.results()
        new, old = states[0], (states[1] if base_present else None)
        if new is None:
            _log(f"no stack {stack_name} in this tree")
            return 1
        paths = git.changed_files(root, commit) if base_present and commit else None
        decision = decide(export, tag, os.environ, paths, old, new, catalog_dir=os.environ.get("EVENTBUS_CATALOG_DIR"), base_present=base_present)
    _log(decision.line())
    if action == "up":
        removed = cli("stack", "tag", "rm", TAG)  # until this deploy succeeds, the next one is full
        if removed.returncode != 0:  # the old record would outlive a deploy that fails: the next one narrowed against a wrong state
            _log(f"could not remove the record {TAG} before the deploy ({removed.stderr.strip()[-300:]}): nothing deployed")
            return removed.returncode
    rc = 0
    if decision.mode != "none":
        env = dict(os.environ)
        env.pop(ENV, None)
        args = list(pulumi_args)
        with tempfile.TemporaryDirectory() as tmp:
            if decision.mode == "partial":
                assert decision.scope is not None and decision.targets
                path = os.path.join(tmp, "scope.json")
                decision.scope.dump(path)
                env[ENV] = path
                args += [f"--target={t}" for t in decision.targets] + ["--target-dependents"]
            rc = subprocess.run([pulumi, action, *on_stack, *args], cwd=root, env=env).returncode
    if action == "up" and rc == 0:
        if head is None:
            _log("the work tree differs from its HEAD commit: nothing recorded, the next deploy is full")
        else:
            cli("stack", "tag", "set", TAG, record(head, os.environ), check=True)
            _log(f"recorded {head[:12]} as deployed to {stack_name}")
    return rc
