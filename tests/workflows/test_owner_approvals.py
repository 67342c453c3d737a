"""The required check "owner approvals" (scripts/ci/approvals.sh) against a fake GitHub: a change
that names a team as owner needs an approval of the head commit by a member of that team."""
from __future__ import annotations

import json

import pytest

from tests.conftest import ARN, producer_app

HEAD_TEAM = "@example-org/pharmacy"


def _decoy_event(t):
    # the attack of the issue: a new folder that claims pharmacy and names its application
    ev = json.loads(json.dumps(t.events["health/refill_requested"]))
    ev["meta"].update(domain="misc", access={"policy": "open"})
    t.events["misc/decoy_event"] = ev


def _check(ci, t, reviews=(), members=None, head=None, base="main", base_ref="main"):
    head = head or t.git("rev-parse", "HEAD").strip()
    state = {"comments": [], "issues": [], "calls": [], "next_id": 1,
             "reviews": {"7": list(reviews)}, "teams": members if members is not None else {HEAD_TEAM: ["pat-pharmacy"]}}
    ci.gh_state.write_text(json.dumps(state))
    return ci.run("approvals.sh", "7", base, head, GH_REPO="example-org/registry", GH_TOKEN="t", BASE_REF=base_ref,
                  EVENTBUS_ROOT=str(t.root))


def _branch(t, edit):
    t.git("switch", "-q", "-c", "change")
    edit(t)
    t.write()
    return t.commit("change")


def review(user, state, commit):
    return {"user": {"login": user}, "state": state, "commit_id": commit}


@pytest.fixture
def decoy(git_tree):
    head = _branch(git_tree, _decoy_event)
    return git_tree, head


def test_a_new_event_waits_for_the_claimed_owner(ci, decoy):
    t, head = decoy
    ci.with_fakes()
    res = _check(ci, t)
    assert res.returncode == 1, res.stdout + res.stderr
    assert f"missing  {HEAD_TEAM}: new event misc/decoy_event names it as owner" in res.stdout
    # the platform's approval (a member of another team) is not the owner's
    assert _check(ci, t, [review("platform-lead", "APPROVED", head)]).returncode == 1


def test_an_approval_of_an_earlier_commit_does_not_count(ci, decoy):
    t, head = decoy
    ci.with_fakes()
    assert _check(ci, t, [review("pat-pharmacy", "APPROVED", "0" * 40)]).returncode == 1
    ok = _check(ci, t, [review("pat-pharmacy", "APPROVED", head)])
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert f"approved {HEAD_TEAM}" in ok.stdout


def test_changes_requested_or_dismissed_takes_an_approval_back(ci, decoy):
    t, head = decoy
    ci.with_fakes()
    approved = review("pat-pharmacy", "APPROVED", head)
    assert _check(ci, t, [approved, review("pat-pharmacy", "CHANGES_REQUESTED", head)]).returncode == 1
    assert _check(ci, t, [approved, review("pat-pharmacy", "DISMISSED", head)]).returncode == 1
    assert _check(ci, t, [approved, review("pat-pharmacy", "COMMENTED", head)]).returncode == 0


def test_an_owner_change_and_a_new_application_claim_their_teams(ci, git_tree):
    def edit(t):
        t.events["claims/claim_created"]["meta"]["owner"] = "pharmacy"
        t.consumers["notify/new-app"] = producer_app("notify", "new-app", {"prod": [ARN.format("new-app")]})

    head = _branch(git_tree, edit)
    ci.with_fakes()
    res = _check(ci, git_tree)
    assert res.returncode == 1
    assert "claims/claim_created changes owner from claims-team to pharmacy" in res.stdout
    assert "missing  @example-org/notify: new application notify/new-app" in res.stdout
    both = {HEAD_TEAM: ["pat-pharmacy"], "@example-org/notify": ["noa-notify"]}
    ok = _check(ci, git_tree, [review("pat-pharmacy", "APPROVED", head), review("noa-notify", "APPROVED", head)], both)
    assert ok.returncode == 0, ok.stdout


def test_a_github_team_handover_needs_the_old_team(ci, git_tree):
    head = _branch(git_tree, lambda t: t.teams["pharmacy"].update(github_team="@example-org/attackers"))
    ci.with_fakes()
    res = _check(ci, git_tree, [review("mallory", "APPROVED", head)], {"@example-org/attackers": ["mallory"], HEAD_TEAM: ["pat-pharmacy"]})
    assert res.returncode == 1 and f"missing  {HEAD_TEAM}: team pharmacy moves" in res.stdout


def test_nothing_claimed_passes_and_no_token_fails_closed(ci, git_tree):
    _branch(git_tree, lambda t: t.events["claims/claim_created"]["meta"]["topic"].update(partitions=6))
    ci.with_fakes()
    assert _check(ci, git_tree).returncode == 0
    head = git_tree.git("rev-parse", "HEAD").strip()
    res = ci.run("approvals.sh", "7", "main", head, GH_REPO="example-org/registry", GH_TOKEN="", BASE_REF="main",
                 EVENTBUS_ROOT=str(git_tree.root))
    assert res.returncode != 0 and "fails closed" in res.stderr


def test_a_base_other_than_main_fails_the_check(ci, decoy):
    # pull_request_review has no branch filter: a pull request onto a branch that already holds
    # the decoy event (any writer can push one) claims nothing against it; a review run passes
    # on the head commit, and retargeting the pull request onto main re-ran nothing
    t, head = decoy
    t.git("branch", "feature", head)
    ci.with_fakes()
    res = _check(ci, t, base="feature", base_ref="feature")
    assert res.returncode == 1, res.stdout + res.stderr
    assert "the base branch is 'feature', not main" in res.stderr
    assert _check(ci, t, base_ref="").returncode == 1
    assert _check(ci, t, [review("pat-pharmacy", "APPROVED", head)]).returncode == 0


def test_approvals_markdown_lists_the_claimed_owner(decoy):
    from tests.conftest import codeowners

    t, _ = decoy
    res = codeowners(t.root, "--approvals", "main")
    assert res.returncode == 0
    assert "owner approvals" in res.stdout and f"`{HEAD_TEAM}` | new event misc/decoy\\_event names it as owner" in res.stdout


def test_changed_file_names_cannot_break_the_approvals_table(git_tree):
    from markdown_it import MarkdownIt

    from tests.conftest import codeowners

    t = git_tree
    t.git("switch", "-q", "-c", "odd")
    (t.root / "docs").mkdir()
    (t.root / "docs" / "a`b|c <details> @example-org [x](javascript:alert(1)).md").write_text("x\n")
    t.commit("odd name")
    res = codeowners(t.root, "--approvals", "main")
    assert res.returncode == 0
    html = MarkdownIt("commonmark").enable("table").render(res.stdout)
    rows = [line for line in res.stdout.splitlines() if line.startswith("| ") and "changed files" not in line]
    assert rows and all(len([c for c in __import__("re").split(r"(?<!\\)\|", r)]) == 4 for r in rows), rows
    assert "<a " not in html and "<details>" not in html


def test_a_kept_binding_in_an_adoption_record_needs_the_events_owner(ci, git_tree):
    # adopt/ is the platform's (CODEOWNERS), but a binding it keeps on pharmacy's restricted PHI
    # topic is a grant: pharmacy approves it, the platform's approval alone is not enough
    def edit(t):
        t.adoptions["prod"] = {"stack": "prod", "applications": {"claims-team/claims-publisher": {
            "kept_acls": [{"resource_type": "Topic", "name": "health_refill_requested", "operation": "Read"}]}}}

    head = _branch(git_tree, edit)
    ci.with_fakes()
    res = _check(ci, git_tree, [review("platform-lead", "APPROVED", head)])
    assert res.returncode == 1 and f"missing  {HEAD_TEAM}: adopt/prod.yaml keeps Read on health_refill_requested" in res.stdout, res.stdout
    assert _check(ci, git_tree, [review("pat-pharmacy", "APPROVED", head)]).returncode == 0
