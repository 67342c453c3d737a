"""Security properties of .github/workflows, asserted on the parsed YAML so that a later edit cannot
silently weaken them (docs/pull-requests.md, "Security model")."""
from __future__ import annotations

import json
import os
import re

import pytest
import yaml

from tests.conftest import REPO
from tests.workflows.conftest import SCRIPTS, WORKFLOWS, deployed_stacks

SHA = re.compile(r"^[0-9a-f]{40}$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$")
VERSION_COMMENT = re.compile(r"^\s*#\s*v\d+\.\d+\.\d+\s*$")
RUN = re.compile(r'^bash scripts/ci/([a-z][a-z0-9-]*)\.sh(?: (?:"\$[A-Z_]+"|"origin/\$[A-Z_]+"|[a-z0-9_./-]+))*$')

# The only write scopes a job may hold, and where.
ALLOWED_WRITES = {
    ("pull-request.yml", "gate"): {"security-events"},
    ("pull-request.yml", "plan-comment"): {"pull-requests"},
    ("pull-request.yml", "preview"): {"id-token"},
    ("deploy.yml", "deploy-sandbox"): {"id-token"},
    ("deploy.yml", "deploy-prod"): {"id-token"},
    ("drift.yml", "detect"): {"id-token"},
    ("drift.yml", "issue"): {"issues"},
}
SECRETS_ALLOWED_IN = {"deploy.yml", "drift.yml"}
# the one secret a pull-request-time workflow may hold: reading team membership, in the check
# that runs the base branch's code only
APPROVALS_SECRET = "${{ secrets.EEB_APPROVALS_TOKEN }}"
OIDC_ACTION = "aws-actions/configure-aws-credentials"


def jobs(workflows):
    for name, wf in workflows.items():
        for job_id, job in wf["jobs"].items():
            yield name, job_id, job


def steps(workflows):
    for name, job_id, job in jobs(workflows):
        for step in job.get("steps", []):
            yield name, job_id, job, step


def test_workflows_exist(workflows):
    assert {"pull-request.yml", "deploy.yml", "drift.yml", "owner-approvals.yml"} <= set(workflows)


def test_triggers(workflows):
    assert set(workflows["pull-request.yml"]["on"]) == {"pull_request"}
    assert workflows["pull-request.yml"]["on"]["pull_request"]["branches"] == ["main"]
    assert workflows["deploy.yml"]["on"] == {"push": {"branches": ["main"]}}
    assert set(workflows["drift.yml"]["on"]) == {"schedule", "workflow_dispatch"}
    assert set(workflows["owner-approvals.yml"]["on"]) == {"pull_request_target", "pull_request_review"}
    for name, wf in workflows.items():
        on = wf["on"] if isinstance(wf["on"], (dict, list)) else [wf["on"]]
        if name != "owner-approvals.yml":
            assert "pull_request_target" not in on, f"{name}: pull_request_target would run PR code with write access"
        assert "workflow_run" not in on, f"{name}: workflow_run is the privileged twin of pull_request_target"


def test_pull_request_target_only_in_the_approvals_check():
    for path in WORKFLOWS.iterdir():
        code = "\n".join(line.split("#", 1)[0] for line in path.read_text().splitlines())
        assert "workflow_run" not in code, path
        if path.name != "owner-approvals.yml":
            assert "pull_request_target" not in code, path


def test_the_approvals_check_runs_only_base_code(workflows):
    """pull_request_target holds a secret: the pull request's tree is checked out as data into pr/
    and never executed; every step runs the base branch's scripts from base/."""
    job = workflows["owner-approvals.yml"]["jobs"]["owner-approvals"]
    checkouts = [s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@")]
    by_path = {c["with"]["path"]: c["with"] for c in checkouts}
    assert set(by_path) == {"base", "pr"}
    assert by_path["base"]["ref"] == "${{ github.event.pull_request.base.sha }}"
    assert by_path["pr"]["ref"] == "${{ github.event.pull_request.head.sha }}"
    for s in job["steps"]:
        if "run" in s:
            assert s.get("working-directory") == "base", s
    assert {s for s, lvl in job["permissions"].items() if lvl == "write"} == set()
    env = next(s["env"] for s in job["steps"] if "approvals.sh" in s.get("run", ""))
    assert env["GH_TOKEN"] == APPROVALS_SECRET and env["EVENTBUS_ROOT"] == "${{ github.workspace }}/pr"


def test_the_approvals_check_knows_the_base_branch(workflows):
    """Review events have no branch filter: the script refuses a base other than main, and a
    pull request retargeted onto main (`edited`) is checked again."""
    wf = workflows["owner-approvals.yml"]
    assert "edited" in wf["on"]["pull_request_target"]["types"]
    env = next(s["env"] for s in wf["jobs"]["owner-approvals"]["steps"] if "approvals.sh" in s.get("run", ""))
    assert env["BASE_REF"] == "${{ github.event.pull_request.base.ref }}"


def test_the_plan_is_computed_by_the_base_branch(workflows):
    job = workflows["pull-request.yml"]["jobs"]["plan"]
    base = next(s for s in job["steps"] if s.get("with", {}).get("path") == "base")
    assert base["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"
    for s in job["steps"]:
        if "run" in s:
            assert s.get("working-directory") == "base", s
    plan = next(s for s in job["steps"] if "plan.sh" in s.get("run", ""))
    assert plan["env"]["EVENTBUS_ROOT"] == "${{ github.workspace }}/pr"


def test_every_action_is_pinned_to_a_full_sha_with_its_version(workflows):
    seen: dict[str, set[str]] = {}
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for n, line in enumerate(path.read_text().splitlines(), start=1):
            m = USES_LINE.match(line)
            if not m:
                continue
            ref, rest = m.groups()
            assert not ref.startswith("docker://"), f"{path.name}:{n}: docker images are not allowed"
            assert not ref.startswith("./"), f"{path.name}:{n}: local actions would run the PR's code"
            action, _, sha = ref.partition("@")
            assert SHA.match(sha), f"{path.name}:{n}: {ref} is not pinned to a 40-hex commit SHA"
            assert VERSION_COMMENT.match(rest), f"{path.name}:{n}: {ref} needs a '# vX.Y.Z' comment naming the release"
            seen.setdefault(action, set()).add(sha)
    # and the YAML agrees (no `uses:` hidden where the line scan would not see it)
    for name, job_id, _job, step in steps(workflows):
        if "uses" in step:
            assert SHA.match(step["uses"].partition("@")[2]), f"{name}/{job_id}: {step['uses']}"
    for name, job_id, job in jobs(workflows):
        assert "uses" not in job, f"{name}/{job_id}: reusable workflows are not used"
    for action, shas in seen.items():
        assert len(shas) == 1, f"{action} is pinned to different commits: {shas}"


def test_top_level_permissions_are_empty(workflows):
    for name, wf in workflows.items():
        assert "permissions" in wf and wf["permissions"] == {}, f"{name}: top-level permissions must be {{}}"


def test_job_permissions_are_minimal(workflows):
    for name, job_id, job in jobs(workflows):
        perms = job.get("permissions")
        assert isinstance(perms, dict), f"{name}/{job_id}: every job declares its permissions"
        assert perms.get("contents") == "read", f"{name}/{job_id}: contents: read"
        for scope, level in perms.items():
            assert level in ("read", "write", "none"), f"{name}/{job_id}: {scope}: {level}"
        writes = {s for s, lvl in perms.items() if lvl == "write"}
        assert writes <= ALLOWED_WRITES.get((name, job_id), set()), f"{name}/{job_id}: write access to {writes}"
        reads = {s for s, lvl in perms.items() if lvl == "read"}
        assert reads == {"contents"}, f"{name}/{job_id}: unexpected read scopes {reads - {'contents'}}"


def test_oidc_token_only_in_jobs_that_assume_a_role(workflows):
    for name, job_id, job in jobs(workflows):
        assumes = [s for s in job.get("steps", []) if s.get("uses", "").startswith(OIDC_ACTION + "@")]
        has_token = job["permissions"].get("id-token") == "write"
        assert has_token == bool(assumes), f"{name}/{job_id}: id-token: write iff the job assumes a role"
        for s in assumes:
            w = s["with"]
            assert w.get("role-to-assume"), f"{name}/{job_id}: OIDC with role-to-assume"
            assert not ({"aws-access-key-id", "aws-secret-access-key"} & set(w)), f"{name}/{job_id}: no static keys"
            assert w.get("aws-region") == "us-gov-west-1"


def test_aws_region_matches_the_stacks():
    from eventbus.load.stacks import load_stack

    for stack in deployed_stacks():
        cfg = yaml.safe_load((REPO / f"Pulumi.{stack}.yaml").read_text())["config"]
        assert cfg.get("aws:region") == "us-gov-west-1", f"workflows assume us-gov-west-1; Pulumi.{stack}.yaml says {cfg.get('aws:region')}"
        assert load_stack(str(REPO), stack).target == "aws"


def test_secrets_only_in_deploy_and_drift(workflows):
    for path in WORKFLOWS.glob("*.yml"):
        if path.name not in SECRETS_ALLOWED_IN:
            text = path.read_text()
            if path.name == "owner-approvals.yml":
                text = text.replace(APPROVALS_SECRET, "")
            assert "secrets." not in text and "secrets[" not in text, f"{path.name} references secrets"
    for name, job_id, job in jobs(workflows):
        assert job.get("secrets") != "inherit", f"{name}/{job_id}: secrets: inherit"
        text = json.dumps(job)
        if name == "owner-approvals.yml":
            text = text.replace(APPROVALS_SECRET, "")
        if "secrets." in text:
            assert name in SECRETS_ALLOWED_IN, f"{name}/{job_id} uses secrets"


def test_pull_request_jobs_that_run_pr_code_hold_no_write_token(workflows):
    """In pull-request.yml a job with a write scope (other than uploading SARIF or an OIDC role)
    checks out the base commit, so the pull request's code never runs with it."""
    wf = workflows["pull-request.yml"]
    for job_id, job in wf["jobs"].items():
        writes = {s for s, lvl in job["permissions"].items() if lvl == "write"} - {"security-events", "id-token"}
        if not writes:
            continue
        checkouts = [s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@")]
        assert checkouts, job_id
        for c in checkouts:
            assert c["with"].get("ref") == "${{ github.event.pull_request.base.sha }}", f"{job_id} must run the base branch's scripts"
        assert "github.token" in json.dumps(job), job_id


def test_cloud_credentials_never_reach_forks(workflows):
    wf = workflows["pull-request.yml"]
    for job_id, job in wf["jobs"].items():
        if job["permissions"].get("id-token") == "write" or job["permissions"].get("pull-requests") == "write":
            assert "github.event.pull_request.head.repo.full_name == github.repository" in job.get("if", ""), job_id


def test_github_token_only_where_a_job_writes_with_it(workflows):
    for name, job_id, job in jobs(workflows):
        if "github.token" in json.dumps(job):
            assert {"pull-requests", "issues"} & {s for s, lvl in job["permissions"].items() if lvl == "write"}, f"{name}/{job_id}"


def test_every_job_has_a_timeout(workflows):
    for name, job_id, job in jobs(workflows):
        t = job.get("timeout-minutes")
        assert isinstance(t, int) and 0 < t <= 60, f"{name}/{job_id}: timeout-minutes"


def test_checkout_never_persists_credentials(workflows):
    n = 0
    for name, job_id, _job, step in steps(workflows):
        if step.get("uses", "").startswith("actions/checkout@"):
            n += 1
            assert step.get("with", {}).get("persist-credentials") is False, f"{name}/{job_id}: persist-credentials: false"
    assert n >= 5


def test_every_run_step_only_calls_a_ci_script(workflows):
    used = set()
    for name, job_id, _job, step in steps(workflows):
        if "run" not in step:
            continue
        cmd = step["run"].strip()
        assert "\n" not in cmd, f"{name}/{job_id}: one command per step"
        assert "${{" not in cmd, f"{name}/{job_id}: expressions go through env, never into the script"
        m = RUN.match(cmd)
        assert m, f"{name}/{job_id}: `{cmd}` must be `bash scripts/ci/<name>.sh ...`"
        script = SCRIPTS / f"{m.group(1)}.sh"
        assert script.is_file(), script
        assert script.read_text().startswith("#!/usr/bin/env bash\n"), script
        assert os.access(script, os.X_OK), f"{script} is not executable"
        used.add(script.name)
    assert {"setup.sh", "validate.sh", "plan.sh", "plan-comment.sh", "pulumi.sh", "drift-issue.sh"} <= used
    for name, job_id, job in jobs(workflows):
        assert "defaults" not in job and "container" not in job, f"{name}/{job_id}"


def test_expressions_in_env_are_not_free_text(workflows):
    """Values that a pull request's author controls (titles, bodies, branch names of forks) never
    reach a step, not even through env."""
    dangerous = ("github.event.pull_request.title", "github.event.pull_request.body", "github.head_ref",
                 "github.event.pull_request.head.ref", "github.event.comment", "github.event.issue")
    for path in WORKFLOWS.glob("*.yml"):
        text = path.read_text()
        for d in dangerous:
            assert d not in text, f"{path.name} uses {d}"


def test_pull_request_runs_the_gate_with_annotations_and_sarif(workflows):
    gate = workflows["pull-request.yml"]["jobs"]["gate"]
    runs = [s.get("run", "") for s in gate["steps"]]
    assert 'bash scripts/ci/validate.sh "$BASE_SHA"' in runs
    env = next(s["env"] for s in gate["steps"] if s.get("run", "").startswith("bash scripts/ci/validate.sh"))
    assert env["BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"
    checkout = gate["steps"][0]
    assert checkout["with"]["fetch-depth"] == 0, "history rules need the merge base"
    upload = next(s for s in gate["steps"] if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == "out/eventbus.sarif"
    script = (SCRIPTS / "validate.sh").read_text()
    assert "--format github" in script and "--format sarif" in script and 'sarif="$OUT/eventbus.sarif"' in script


def test_plan_comment_flow(workflows):
    wf = workflows["pull-request.yml"]["jobs"]
    assert wf["plan"]["outputs"]["comment"] == "${{ steps.plan.outputs.comment }}"
    assert wf["plan-comment"]["needs"] == "plan"
    step = next(s for s in wf["plan-comment"]["steps"] if "run" in s)
    assert step["env"]["PLAN_COMMENT"] == "${{ needs.plan.outputs.comment }}"
    assert step["env"]["GH_TOKEN"] == "${{ github.token }}"


def test_preview_covers_the_deployed_stacks_only_when_affected(workflows):
    job = workflows["pull-request.yml"]["jobs"]["preview"]
    stacks = [e["stack"] for e in job["strategy"]["matrix"]["include"]]
    assert sorted(stacks) == deployed_stacks()
    for s in job["steps"]:
        assert s.get("if") == "contains(fromJSON(needs.plan.outputs.stacks), matrix.stack)", s
    for e in job["strategy"]["matrix"]["include"]:
        assert e["role"] == f"${{{{ vars.EEB_{e['stack'].upper()}_READONLY_ROLE_ARN }}}}", "preview uses the read-only role"


def test_deploy_order_environments_and_concurrency(workflows):
    wf = workflows["deploy.yml"]
    assert wf["concurrency"] == {"group": "eventbus-deploy", "cancel-in-progress": False}
    j = wf["jobs"]
    assert j["deploy-sandbox"]["needs"] == "validate"
    assert j["deploy-prod"]["needs"] == "deploy-sandbox"
    assert j["deploy-sandbox"]["environment"] == "sandbox"
    assert j["deploy-prod"]["environment"] == "production"
    deployed = []
    for job_id in ("deploy-sandbox", "deploy-prod"):
        runs = [s["run"] for s in j[job_id]["steps"] if "run" in s]
        up = [r for r in runs if r.startswith("bash scripts/ci/pulumi.sh up ")]
        assert len(up) == 1
        stack = up[0].split()[-1]
        deployed.append(stack)
        assert runs[-1] == f"bash scripts/ci/publish-catalog.sh {stack}", "the catalog is published after the deploy"
        creds = next(s for s in j[job_id]["steps"] if s.get("uses", "").startswith(OIDC_ACTION))
        assert creds["with"]["role-to-assume"] == f"${{{{ vars.EEB_{stack.upper()}_DEPLOY_ROLE_ARN }}}}"
    assert deployed == ["sandbox", "prod"]
    assert sorted(deployed) == deployed_stacks()
    validate = j["validate"]["steps"]
    assert any(s.get("run", "").startswith("bash scripts/ci/validate.sh") for s in validate)


def test_drift_checks_every_deployed_stack_and_keeps_one_issue(workflows):
    wf = workflows["drift.yml"]
    detect = wf["jobs"]["detect"]
    assert sorted(e["stack"] for e in detect["strategy"]["matrix"]["include"]) == deployed_stacks()
    assert any(s.get("run") == 'bash scripts/ci/pulumi.sh drift "$STACK"' for s in detect["steps"])
    issue = wf["jobs"]["issue"]
    assert issue["needs"] == "detect"
    assert any(s.get("run") == "bash scripts/ci/drift-issue.sh out/drift" for s in issue["steps"])
    assert "--expect-no-changes" in (SCRIPTS / "pulumi.sh").read_text()
    assert wf["on"]["schedule"][0]["cron"]


def test_repository_variables_are_documented(workflows):
    doc = (REPO / "docs" / "pull-requests.md").read_text()
    used = set()
    for path in WORKFLOWS.glob("*.yml"):
        used |= set(re.findall(r"vars\.([A-Z0-9_]+)", path.read_text()))
    assert used
    for v in used:
        assert f"`{v}`" in doc, f"docs/pull-requests.md does not document the variable {v}"
    # the required status checks named in the repository settings are real job names
    names = {job["name"] for job in workflows["pull-request.yml"]["jobs"].values()}
    for check in ("gate (eventbus validate)", "plan (eventbus plan)", "workflow lint (actionlint, zizmor)"):
        assert check in names and f"`{check}`" in doc, check


@pytest.mark.parametrize("name", ["pull-request.yml", "deploy.yml", "drift.yml", "owner-approvals.yml"])
def test_concurrency_is_set(workflows, name):
    assert workflows[name].get("concurrency", {}).get("group")


# -- the checks above catch a weakened workflow ---------------------------------------------------
def _m_write_all(w):
    w["pull-request.yml"]["jobs"]["plan"]["permissions"]["contents"] = "write"


def _m_top_level(w):
    w["deploy.yml"]["permissions"] = {"contents": "read", "id-token": "write"}


def _m_oidc_in_plan(w):
    w["pull-request.yml"]["jobs"]["plan"]["permissions"]["id-token"] = "write"


def _m_no_timeout(w):
    del w["drift.yml"]["jobs"]["issue"]["timeout-minutes"]


def _m_persist(w):
    w["deploy.yml"]["jobs"]["validate"]["steps"][0]["with"]["persist-credentials"] = True


def _m_inline_run(w):
    w["pull-request.yml"]["jobs"]["plan"]["steps"][-1]["run"] = '.venv/bin/eventbus plan --base "${{ github.event.pull_request.base.sha }}"'


def _m_comment_runs_pr_code(w):
    del w["pull-request.yml"]["jobs"]["plan-comment"]["steps"][0]["with"]["ref"]


def _m_preview_for_forks(w):
    w["pull-request.yml"]["jobs"]["preview"]["if"] = "needs.plan.outputs.stacks != '[]'"


def _m_secrets_in_pr(w):
    w["pull-request.yml"]["jobs"]["plan"]["steps"][-1]["env"]["TOKEN"] = "${{ secrets.DEPLOY_TOKEN }}"


def _m_approvals_runs_pr_code(w):
    w["owner-approvals.yml"]["jobs"]["owner-approvals"]["steps"][-1]["working-directory"] = "pr"


def _m_plan_by_pr_code(w):
    w["pull-request.yml"]["jobs"]["plan"]["steps"][-1].pop("working-directory")


def _m_cancel_deploy(w):
    w["deploy.yml"]["concurrency"]["cancel-in-progress"] = True


def _m_prod_first(w):
    w["deploy.yml"]["jobs"]["deploy-prod"]["needs"] = "validate"


@pytest.mark.parametrize("mutate,check", [
    (_m_write_all, test_job_permissions_are_minimal),
    (_m_top_level, test_top_level_permissions_are_empty),
    (_m_oidc_in_plan, test_oidc_token_only_in_jobs_that_assume_a_role),
    (_m_no_timeout, test_every_job_has_a_timeout),
    (_m_persist, test_checkout_never_persists_credentials),
    (_m_inline_run, test_every_run_step_only_calls_a_ci_script),
    (_m_comment_runs_pr_code, test_pull_request_jobs_that_run_pr_code_hold_no_write_token),
    (_m_preview_for_forks, test_cloud_credentials_never_reach_forks),
    (_m_secrets_in_pr, test_secrets_only_in_deploy_and_drift),
    (_m_approvals_runs_pr_code, test_the_approvals_check_runs_only_base_code),
    (_m_plan_by_pr_code, test_the_plan_is_computed_by_the_base_branch),
    (_m_cancel_deploy, test_deploy_order_environments_and_concurrency),
    (_m_prod_first, test_deploy_order_environments_and_concurrency),
], ids=lambda v: getattr(v, "__name__", str(v)))
def test_a_weakened_workflow_fails_the_checks(workflows, mutate, check):
    import copy

    weakened = copy.deepcopy(workflows)
    mutate(weakened)
    with pytest.raises(AssertionError):
        check(weakened)
