"""Whose approval a change needs: the code owners (``.github/CODEOWNERS`` of the base branch, the
file GitHub enforces) of each group of changed files, and the teams the change itself names as
owners, which CODEOWNERS at the base cannot ask for (:func:`claims`). :func:`approvers` reads
the reviews of a pull request for the required check *owner approvals*.
"""
from __future__ import annotations

from dataclasses import dataclass

from eventbus.adapters import git
from eventbus.model import Registry
from eventbus.ownership.codeowners import CODEOWNERS_PATH, generate, owners_of, parse
from eventbus.text import md_code as c
from eventbus.text import md_text


def approvals(root: str, base: str, registry: Registry) -> tuple[list[tuple[tuple[str, ...], list[str]]], str]:
    """Groups of (owners, files) for the change since ``base``, and which CODEOWNERS was used."""
    commit = git.resolve(root, base)
    try:
        text = git.show(root, commit, CODEOWNERS_PATH)
        source = f"from `{CODEOWNERS_PATH}` of the base branch, which is the one GitHub applies"
    except git.GitError:
        text = generate(registry)
        source = f"the base branch has no `{CODEOWNERS_PATH}`: owners as generated from this branch"
    rules = parse(text)
    groups: dict[tuple[str, ...], list[str]] = {}
    for f in git.changed_files(root, base):
        groups.setdefault(owners_of(f, rules), []).append(f)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] == (), kv[0]))
    return ordered, source


@dataclass(frozen=True)
class Claim:
    """An approval CODEOWNERS at the base cannot ask for: the team a change names as owner."""

    team: str  # team id
    github_team: str | None  # None: the team has no teams/<id>.yaml (a gate error already)
    reason: str
    files: tuple[str, ...]


def claims(base: Registry, head: Registry) -> list[Claim]:
    """Teams whose approval a change needs because it claims them as owner.

    - a new event, or an event whose ``owner`` changes: the (new) owning team;
    - a new application file ``consumers/<team>/<application>.yaml``: that team;
    - a team whose ``github_team`` changes: the team as it was at the base (it hands over);
    - a deprecated event whose ``replaced_by`` newly names another team's event: that team (its
      event is announced as the successor to every consumer of the old one);
    - an adoption record (``adopt/<stack>.yaml``, the platform's file) that changes what an
      application is on the stack (its legacy Kafka user, group, role or kept credential): the
      application's team; that newly keeps a binding on the topic of another team's event beyond
      reading an open one (writing, altering, deleting, reading a restricted event): the event's
      owner; on the cluster beyond describing it or idempotent writes (managing ACLs, topics or
      configs reaches every topic): every other team owning an event; on a group or a
      transactional id in another team's space (``<team>.``): that team. A kept binding is a
      grant like any other, so it traces to the same approvals.
    CODEOWNERS at the base covers the rest (the old owner of an event, existing applications).
    """
    teams = head.teams_by_id
    out: dict[tuple[str, str | None], tuple[list[str], list[str]]] = {}

    def claim(team_id: str, github: str | None, reason: str, file: str) -> None:
        reasons, files = out.setdefault((team_id, github), ([], []))
        if reason not in reasons:
            reasons.append(reason)
        if file not in files:
            files.append(file)

    def gh(team_id: str) -> str | None:
        rec = teams.get(team_id)
        return rec.github_team if rec is not None else None

    old_events = base.events_by_ref
    for e in head.events:
        old = old_events.get(e.ref)
        if old is None:
            claim(e.owner, gh(e.owner), f"new event {e.ref} names it as owner", e.file)
        elif old.owner != e.owner:
            claim(e.owner, gh(e.owner), f"{e.ref} changes owner from {old.owner} to {e.owner}", e.file)
    old_apps = base.consumers_by_ref
    for app in head.consumers:
        if app.ref not in old_apps:
            claim(app.team, gh(app.team), f"new application {app.ref}", app.file)
    old_teams = base.teams_by_id
    for tm in head.teams:
        prev = old_teams.get(tm.id)
        if prev is not None and prev.github_team != tm.github_team:
            claim(tm.id, prev.github_team, f"team {tm.id} moves from {prev.github_team} to {tm.github_team}", tm.loc.file)
    for e in head.events:
        old = old_events.get(e.ref)
        target = head.events_by_ref.get(e.replaced_by) if e.replaced_by else None
        if target is not None and target.owner != e.owner and (old is None or old.replaced_by != e.replaced_by):
            claim(target.owner, gh(target.owner), f"{e.ref} names {target.ref} as its successor", e.file)
    _adoption_claims(base, head, claim, gh)
    return [Claim(team, github, "; ".join(reasons), tuple(files)) for (team, github), (reasons, files) in sorted(out.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))]


_READS = ("Read", "Describe")
_CLUSTER_SAFE = ("Describe", "DescribeConfigs", "IdempotentWrite")  # cluster operations that reach no other team's topic


def _identity(legacy) -> tuple:
    if legacy is None:
        return (None, None, False, None, False)  # the derived names
    return (legacy.kafka_user, legacy.consumer_group, legacy.group_prefix, legacy.role, legacy.keep_credential)


def _covers(name: str, pattern: str, resource: str) -> bool:
    """Whether a binding's resource name (with its pattern type) covers ``resource``."""
    if pattern == "Prefixed":
        return resource.startswith(name)
    return name in (resource, "*")


def _adoption_claims(base: Registry, head: Registry, claim, gh) -> None:
    """The teams an adoption record's change reaches (see :func:`claims`)."""
    stacks = {st.name: st for st in head.stacks}
    teams = sorted(head.teams_by_id)
    # a record deleted by the change is a record emptied: every legacy identity it held changes
    for name in sorted({a.stack for a in head.adoptions} | {a.stack for a in base.adoptions}):
        a, prev = head.adoption(name), base.adoption(name)
        file = (a if a is not None else prev).file
        stack = stacks.get(name)
        topics = {stack.topic(e.topic_name): e for e in head.events} if stack is not None else {}
        now_apps = a.applications if a is not None else {}
        before_apps = prev.applications if prev is not None else {}
        for ref in sorted(set(now_apps) | set(before_apps)):
            legacy, before = now_apps.get(ref), before_apps.get(ref)
            app_team = ref.partition("/")[0]
            if _identity(legacy) != _identity(before):
                claim(app_team, gh(app_team), f"{file} changes the identity {ref} has on stack {name}", file)
            if legacy is None:
                continue
            for k in sorted(set(legacy.kept_acls) - set(before.kept_acls if before is not None else ()), key=repr):
                if k.permission != "Allow":
                    continue
                if k.resource_type == "Topic":
                    for topic, e in sorted(topics.items()):
                        if e.owner != app_team and _covers(k.resource_name, k.pattern, topic) and (
                                k.operation not in _READS or e.access_policy == "restricted"):
                            claim(e.owner, gh(e.owner), f"{file} keeps {k.operation} on {topic} ({e.ref}) for {ref}", file)
                elif k.resource_type == "Cluster" and k.operation not in _CLUSTER_SAFE:
                    # cluster-wide power (ACLs, topics, configs) reaches every topic on the stack
                    for owner in sorted({e.owner for e in topics.values()} - {app_team}):
                        claim(owner, gh(owner), f"{file} keeps {k.operation} on the cluster for {ref}, which reaches every topic", file)
                elif k.resource_type in ("Group", "TransactionalId"):
                    # a group or transactional id in another team's space: joining its group, fencing its producer
                    what = "group" if k.resource_type == "Group" else "transactional id"
                    for t in teams:
                        space = t + "."
                        if t != app_team and (_covers(k.resource_name, k.pattern, space) or k.resource_name.startswith(space)):
                            claim(t, gh(t), f"{file} keeps {k.operation} on {what} {k.resource_name} (team {t}'s space) for {ref}", file)


def approvals_data(root: str, base: str, registry: Registry) -> dict:
    """Everything a change needs approved: CODEOWNERS groups and claimed owners (for JSON)."""
    from eventbus.load.registry import load_registry

    groups, source = approvals(root, base, registry)
    fs = git.tree_at(root, base)
    base_registry = load_registry(fs.root, fs=fs).registry
    return {
        "base": base,
        "codeowners_source": source,
        "codeowners": [{"owners": list(owners), "files": files} for owners, files in groups],
        "claimed": [{"team": c.team, "github_team": c.github_team, "reason": c.reason, "files": list(c.files)}
                    for c in claims(base_registry, registry)],
    }


def approvers(reviews: list[dict], head_sha: str) -> set[str]:
    """Users whose latest decisive review approves the pull request's head commit.

    A later "changes requested" or a dismissal takes an approval back; comments do not count
    either way; an approval of an earlier commit does not count (the change it saw was another).
    """
    latest: dict[str, dict] = {}
    for r in reviews:
        login = (r.get("user") or {}).get("login")
        if login and r.get("state") in ("APPROVED", "CHANGES_REQUESTED", "DISMISSED"):
            latest[login] = r
    return {u for u, r in latest.items() if r["state"] == "APPROVED" and r.get("commit_id") == head_sha}


def unmet_claims(data: dict, approved_by: set[str], is_member) -> list[dict]:
    """The claimed owners of ``data`` (from :func:`approvals_data`) no approver is a member of."""
    missing = []
    for cl in data["claimed"]:
        team = cl["github_team"]
        if team is None or not any(is_member(team, user) for user in sorted(approved_by)):
            missing.append(cl)
    return missing


def approvals_markdown(data: dict, max_files: int = 8) -> str:
    """The comment's *Approvals required* section for :func:`approvals_data`."""
    out = ["### Approvals required", ""]
    if not data["codeowners"] and not data["claimed"]:
        out += ["No files changed.", ""]
        return "\n".join(out)

    def files_cell(files: list[str]) -> str:
        shown = ", ".join(c(f) for f in files[:max_files])
        return shown + (f" and {len(files) - max_files} more" if len(files) > max_files else "")

    if data["codeowners"]:
        out += [
            "GitHub requires a review from a code owner of each group of changed files; "
            f"one member of any listed team is enough ({md_text(data['codeowners_source'])}).",
            "",
            "| approval from | changed files |",
            "|---|---|",
        ]
        for g in data["codeowners"]:
            who = ", ".join(c(o) for o in g["owners"]) if g["owners"] else "no code owner (any reviewer)"
            out.append(f"| {who} | {files_cell(g['files'])} |")
        out.append("")
    if data["claimed"]:
        out += [
            "This change names these teams as owners. The required check **owner approvals** stays "
            "red until a member of each has approved the pull request's latest commit.",
            "",
            "| approval from | why | files |",
            "|---|---|---|",
        ]
        for cl in data["claimed"]:
            who = c(cl["github_team"]) if cl["github_team"] else f"team {c(cl['team'])} (no teams file: the gate fails)"
            out.append(f"| {who} | {md_text(cl['reason'])} | {files_cell(cl['files'])} |")
        out.append("")
    return "\n".join(out)
