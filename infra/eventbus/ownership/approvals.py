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
    - a team whose ``github_team`` changes: the team as it was at the base (it hands over).
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
    return [Claim(team, github, "; ".join(reasons), tuple(files)) for (team, github), (reasons, files) in sorted(out.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))]


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
