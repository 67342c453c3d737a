"""GitHub adapter: the reviews of a pull request and team membership, through the GitHub CLI
(``gh api``), which the workflows authenticate with ``GH_TOKEN``."""
from __future__ import annotations

import json
import re
import subprocess


class GitHubError(RuntimeError):
    pass


def _api(path: str, paginate: bool = False) -> object:
    cmd = ["gh", "api", *(["--paginate", "--slurp"] if paginate else []), path]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        raise GitHubError("the GitHub CLI (gh) is not installed") from None
    if res.returncode != 0:
        if "404" in res.stderr or "Not Found" in res.stderr:
            return None
        raise GitHubError((res.stderr.strip().splitlines() or [f"gh api {path} failed"])[-1][:300])
    data = json.loads(res.stdout or "null")
    if paginate and isinstance(data, list) and all(isinstance(p, list) for p in data):
        return [item for page in data for item in page]
    return data


def reviews(repo: str, pr: int) -> list[dict]:
    """Every review of the pull request, oldest first."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repo):
        raise GitHubError(f"not a repository: {repo!r}")
    data = _api(f"repos/{repo}/pulls/{int(pr)}/reviews?per_page=100", paginate=True)
    return list(data or [])


def is_member(github_team: str, user: str) -> bool:
    """Whether ``user`` is an active member of ``@org/slug``."""
    m = re.fullmatch(r"@([A-Za-z0-9-]+)/([A-Za-z0-9_.-]+)", github_team)
    if m is None or not re.fullmatch(r"[A-Za-z0-9-]+(\[bot\])?", user):
        return False
    data = _api(f"orgs/{m.group(1)}/teams/{m.group(2)}/memberships/{user}")
    return isinstance(data, dict) and data.get("state") == "active"
