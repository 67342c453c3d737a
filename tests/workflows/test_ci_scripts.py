"""The scripts the workflows run (scripts/ci/*.sh), run here the way the workflows run them:
against the real repository and temporary git repositories, with `gh` and `pulumi` stand-ins
(tests/workflows/fakes/) where they would reach GitHub or the cloud."""
from __future__ import annotations

import json
import os

import pytest

from tests.conftest import REPO
from tests.workflows.conftest import CI, deployed_stacks

MARKER = "<!-- eventbus-plan -->"


# -- validate.sh --------------------------------------------------------------------------------
def test_validate_on_the_real_repository(ci):
    res = ci.run("validate.sh", "HEAD")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "eventbus validate: 0 error(s)" in res.stdout
    assert "history rules against the merge base" in res.stderr
    sarif = json.loads((ci.out / "eventbus.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"] == []
    rules = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert "codeowners-current" in rules
    assert "### eventbus validate" in ci.summary.read_text()


def test_validate_annotates_the_exact_line_and_fails(git_tree, tmp_path):
    t = git_tree
    ci = CI(tmp_path, t.root)
    t.git("switch", "-q", "-c", "change")
    t.consumers["notify/notifier"]["subscriptions"][0]["event"] = "claims/claim_creatd"
    v1 = t.root / "events/claims/claim_created/v1.avsc"
    t.write()
    v1.write_text(v1.read_text().replace("A documented field.", "Edited after merge.", 1))
    t.commit("bad change")
    res = ci.run("validate.sh", "main")
    assert res.returncode == 1, res.stdout + res.stderr
    text = (t.root / "consumers/notify/notifier.yaml").read_text()
    line = text[: text.index("claims/claim_creatd")].count("\n") + 1
    assert f"::error file=consumers/notify/notifier.yaml,line={line}," in res.stdout
    assert "title=unknown-event::" in res.stdout
    assert "::error file=events/claims/claim_created/v1.avsc,line=1,col=1,title=version-immutable::" in res.stdout  # a history rule: --base worked
    results = json.loads((ci.out / "eventbus.sarif").read_text())["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"unknown-event", "version-immutable"}


def test_validate_without_a_previous_commit_skips_history(git_tree, tmp_path):
    ci = CI(tmp_path, git_tree.root)
    res = ci.run("validate.sh", "0" * 40)
    assert res.returncode == 0, res.stderr
    assert "history rules skipped" in res.stderr


@pytest.mark.parametrize("ref", ["--output=/etc/passwd", "no-such-branch", "main;id"])
def test_validate_refuses_bad_refs(git_tree, tmp_path, ref):
    res = CI(tmp_path, git_tree.root).run("validate.sh", ref)
    assert res.returncode == 1
    assert "not a git ref" in res.stderr or "no merge base" in res.stderr


def test_validate_fails_on_a_stale_codeowners(git_tree, tmp_path):
    t = git_tree
    t.teams["pharmacy"]["github_team"] = "@example-org/pharmacy-renamed"
    t.write()
    res = CI(tmp_path, t.root).run("validate.sh")
    assert res.returncode == 1
    assert "::error file=.github/CODEOWNERS,line=1,col=1,title=codeowners-current::" in res.stdout


# -- plan.sh: the reviewer's view of a pull request that subscribes to a PHI event ---------------
def phi_subscription(t):
    """va-notify style: a new application reads the restricted PHI event; its owners admit it."""
    t.git("switch", "-q", "-c", "notify/reminder")
    c = json.loads(json.dumps(t.consumers["notify/notifier"]))
    c.update(application="reminder", description="Reminds Veterans about refills.", consumer_group={"name": "notify.reminder"})
    c["principals"] = {"prod": ["arn:aws-us-gov:iam::111122223333:role/reminder"]}
    c["subscriptions"] = [{"event": "health/refill_requested", "purpose": "Remind the Veteran when the refill ships.", "environments": ["prod"]}]
    t.consumers["notify/reminder"] = c
    t.events["health/refill_requested"]["meta"]["access"]["allowed_consumers"].append("notify/reminder")
    t.write()
    t.commit("subscribe notify/reminder")


def test_plan_comment_says_who_gains_access_and_whose_approval_is_needed(git_tree, tmp_path):
    t = git_tree
    phi_subscription(t)
    ci = CI(tmp_path, t.root)
    res = ci.run("plan.sh", "main")
    assert res.returncode == 0, res.stderr
    body = (ci.out / "plan-comment.md").read_text()
    lines = body.splitlines()
    assert lines[0] == MARKER
    assert lines[1].startswith("## eventbus plan against `main` (")
    head = "\n".join(lines[:10])
    assert "### Needs attention" in head
    assert "`notify/reminder` gains read access to **PHI** on `health_refill_requested`" in head
    assert "`arn:aws-us-gov:iam::111122223333:role/reminder` may now assume" in head
    assert "### Approvals required" in body
    assert "| `@example-org/notify` | `consumers/notify/reminder.yaml` |" in body
    assert "| `@example-org/pharmacy` | `events/health/refill_requested/event.yaml` |" in body
    out = ci.outputs()
    assert json.loads(out["stacks"]) == ["prod"]  # PHI never reaches the sandbox: nothing to preview there
    assert out["comment"].strip() == body.strip()
    summary = ci.summary.read_text()
    assert MARKER in summary and "### Approvals required" in summary


def test_plan_previews_every_stack_when_the_program_changes(git_tree, tmp_path):
    t = git_tree
    t.git("switch", "-q", "-c", "infra-change")
    (t.root / "infra").mkdir()
    (t.root / "infra" / "note.txt").write_text("the Pulumi program changed\n")
    t.commit("infra")
    ci = CI(tmp_path, t.root)
    assert ci.run("plan.sh", "main").returncode == 0
    assert json.loads(ci.outputs()["stacks"]) == ["prod", "sandbox"]
    body = (ci.out / "plan-comment.md").read_text()
    assert "No infrastructure changes." in body
    assert "| `@department-of-veterans-affairs/eeb-platform` | `infra/note.txt` |" in body
    # said plainly, right under the heading: the plan is the base code's view of the change
    assert body.splitlines()[1].startswith("> ⚠️ **This pull request changes the control plane itself** (`infra/note.txt`)")


def test_plan_with_no_change_previews_nothing(git_tree, tmp_path):
    ci = CI(tmp_path, git_tree.root)
    assert ci.run("plan.sh", "main").returncode == 0
    assert ci.outputs()["stacks"] == "[]"
    assert "No files changed." in (ci.out / "plan-comment.md").read_text()


def test_plan_cuts_a_huge_comment_to_githubs_limit(git_tree, tmp_path):
    t = git_tree
    t.git("switch", "-q", "-c", "many")
    for i in range(300):
        c = json.loads(json.dumps(t.consumers["notify/notifier"]))
        c.update(application=f"app-{i:03d}", consumer_group={"name": f"notify.app-{i:03d}"})
        c["subscriptions"] = c["subscriptions"][:1]
        c["compliance"]["obi_approvals"] = []
        t.consumers[f"notify/app-{i:03d}"] = c
    t.write()
    t.commit("many")
    ci = CI(tmp_path, t.root)
    assert ci.run("plan.sh", "main").returncode == 0
    body = (ci.out / "plan-comment.md").read_text()
    assert len((ci.out / "plan.md").read_text()) > 65_536
    assert body.startswith(MARKER) and len(body) <= 65_536
    assert body.count("<details>") == body.count("</details>"), "a cut inside a folded section closes it"
    assert "longer than a comment can hold" in body and "### Approvals required" in body


def test_plan_needs_a_base(ci):
    res = ci.run("plan.sh")
    assert res.returncode != 0 and "usage" in res.stderr


# -- plan-comment.sh: one sticky comment, updated -------------------------------------------------
def test_plan_comment_is_posted_once_then_updated(ci, tmp_path):
    ci.with_fakes()
    env = {"GH_REPO": "va/eventbus", "GH_TOKEN": "t"}
    first = tmp_path / "first.md"
    first.write_text(f"{MARKER}\n## plan one\n")
    # someone else's comment that quotes the marker is never touched
    state = {"comments": [{"id": 7, "issue": 12, "body": f"{MARKER}\nfake", "user": {"login": "mallory"}}], "issues": [], "next_id": 100, "calls": []}
    ci.gh_state.write_text(json.dumps(state))

    res = ci.run("plan-comment.sh", "12", str(first), **env)
    assert res.returncode == 0, res.stderr
    assert "posted the plan comment" in res.stderr
    res = ci.run("plan-comment.sh", "12", **env, PLAN_COMMENT=f"{MARKER}\n## plan two\n")
    assert res.returncode == 0, res.stderr
    assert "updated the plan comment" in res.stderr
    gh = ci.gh()
    ours = [c for c in gh["comments"] if c["user"]["login"] == "github-actions[bot]"]
    assert len(ours) == 1 and "plan two" in ours[0]["body"]
    assert gh["comments"][0]["body"] == f"{MARKER}\nfake"
    methods = [c[0] for c in gh["calls"]]
    assert methods == ["GET", "POST", "GET", "PATCH"]
    assert gh["calls"][3][1] == f"repos/va/eventbus/issues/comments/{ours[0]['id']}"


@pytest.mark.parametrize("args,env,error", [
    (["12abc"], {}, "not a pull request number"),
    (["12"], {"GH_REPO": "va/eventbus; rm -rf /"}, "not a repository"),
    (["12"], {"PLAN_COMMENT": "## no marker\n"}, "must start with"),
])
def test_plan_comment_refuses_bad_input(ci, args, env, error):
    ci.with_fakes()
    res = ci.run("plan-comment.sh", *args, **{"GH_REPO": "va/eventbus", **env})
    assert res.returncode == 1 and error in res.stderr
    assert ci.gh()["calls"] == []


# -- pulumi.sh -------------------------------------------------------------------------------------
@pytest.fixture
def pulumi_ci(ci):
    ci.with_fakes()
    ci.env.update(EVENTBUS_CI_PULUMI_FROM_PATH="1", PULUMI_BACKEND_URL="s3://state-bucket?region=us-gov-west-1")
    return ci


@pytest.mark.parametrize("mode,status,rc", [("clean", "clean", 0), ("drift", "drift", 0), ("error", "error", 1)])
def test_drift_classifies_the_preview(pulumi_ci, mode, status, rc):
    res = pulumi_ci.run("pulumi.sh", "drift", "prod", FAKE_PULUMI_MODE=mode)
    assert res.returncode == rc, res.stdout + res.stderr
    assert (pulumi_ci.out / "drift" / "prod.status").read_text().strip() == status
    report = (pulumi_ci.out / "drift" / "prod.md").read_text()
    assert report.startswith("### `prod`")
    calls = pulumi_ci.pulumi_log.read_text().splitlines()
    assert calls[0] == "stack select --non-interactive prod"
    assert calls[1].startswith("preview --refresh --expect-no-changes --stack prod --non-interactive")
    if status == "drift":
        assert "claims_claim_created" in report


def test_up_selects_or_creates_the_stack_with_kms_secrets(pulumi_ci):
    res = pulumi_ci.run("pulumi.sh", "up", "sandbox", AWS_REGION="us-gov-west-1")
    assert res.returncode == 0, res.stderr
    calls = pulumi_ci.pulumi_log.read_text().splitlines()
    assert calls[0] == "stack output subjects --json --stack sandbox"  # the last deploy's schema ids, for the catalog (read-only)
    assert calls[1] == "stack select --create --non-interactive --secrets-provider awskms://alias/eeb-pulumi-sandbox?region=us-gov-west-1 sandbox"
    # through eventbus deploy: the record of the last deploy, the state, then the update (full: the stack holds nothing yet)
    assert calls[2:5] == ["stack tag get eventbus:deployed --stack sandbox", "stack export --stack sandbox", "stack tag rm eventbus:deployed --stack sandbox"]
    assert calls[5].startswith("up --stack sandbox --yes --suppress-outputs --non-interactive") and "--target" not in calls[5]
    assert "full deploy: the stack has no resources yet" in res.stdout
    assert "### pulumi up `sandbox`" in pulumi_ci.summary.read_text()


def test_up_records_the_deployed_commit_only_when_it_succeeds(git_tree, tmp_path):
    ci = CI(tmp_path, git_tree.root).with_fakes()
    ci.env.update(EVENTBUS_CI_PULUMI_FROM_PATH="1", PULUMI_BACKEND_URL="s3://state-bucket?region=us-gov-west-1")
    head = git_tree.git("rev-parse", "HEAD").strip()
    res = ci.run("pulumi.sh", "up", "sandbox", AWS_REGION="us-gov-west-1", FAKE_PULUMI_MODE="error")
    assert res.returncode != 0
    calls = ci.pulumi_log.read_text().splitlines()
    assert "stack tag rm eventbus:deployed --stack sandbox" in calls and not [c for c in calls if c.startswith("stack tag set")]
    ci.pulumi_log.unlink()
    res = ci.run("pulumi.sh", "up", "sandbox", AWS_REGION="us-gov-west-1")
    assert res.returncode == 0, res.stderr
    [recorded] = [c for c in ci.pulumi_log.read_text().splitlines() if c.startswith("stack tag set")]
    assert recorded.startswith(f"stack tag set eventbus:deployed {head} ") and recorded.endswith("--stack sandbox")


def test_preview_of_a_stack(pulumi_ci):
    res = pulumi_ci.run("pulumi.sh", "preview", "prod")
    assert res.returncode == 0, res.stderr
    calls = pulumi_ci.pulumi_log.read_text().splitlines()
    assert calls[-1].startswith("preview --stack prod --non-interactive")
    assert not [c for c in calls if c.startswith("stack tag rm") or c.startswith("stack tag set")]  # a preview records nothing


def test_preview_runs_without_any_way_to_decrypt_secrets(pulumi_ci, tmp_path):
    # even when the runner's environment has them, the preview (PR code) never gets them
    # (the names the program reads: adapters/pulumi_program/__init__.py)
    leaked = {"PULUMI_CONFIG_PASSPHRASE": "p", "PULUMI_CONFIG_PASSPHRASE_FILE": str(tmp_path / "pp"),
              "EVENTBUS_SCHEMA_REGISTRY_PASSWORD": "r", "EVENTBUS_SCRAM_SEED": "s", "KAFKA_ADMIN_PASSWORD": "k"}
    assert pulumi_ci.run("pulumi.sh", "preview", "prod", **leaked).returncode == 0
    env_log = (tmp_path / "pulumi.log.env").read_text().splitlines()
    assert env_log and all(line == "secrets-env:" for line in env_log), env_log


def test_cloud_stacks_hold_no_secrets_in_the_repository():
    for stack in deployed_stacks():
        assert "secure:" not in (REPO / f"Pulumi.{stack}.yaml").read_text(), stack


@pytest.mark.parametrize("args,error", [
    (["preview", "Prod;id"], "not a stack name"),
    (["preview", "staging"], "no Pulumi.staging.yaml"),
    (["destroy", "prod"], "unknown action"),
])
def test_pulumi_refuses_bad_arguments(pulumi_ci, args, error):
    res = pulumi_ci.run("pulumi.sh", *args)
    assert res.returncode == 1 and error in res.stderr
    assert not pulumi_ci.pulumi_log.exists()


def test_pulumi_needs_a_backend(pulumi_ci):
    del pulumi_ci.env["PULUMI_BACKEND_URL"]
    res = pulumi_ci.run("pulumi.sh", "preview", "prod")
    assert res.returncode != 0 and "PULUMI_BACKEND_URL" in res.stderr


# -- drift-issue.sh: one issue labelled drift ------------------------------------------------------
def _reports(ci, **statuses):
    d = ci.out / "drift"
    d.mkdir(parents=True, exist_ok=True)
    for f in d.iterdir():
        f.unlink()
    for stack, status in statuses.items():
        (d / f"{stack}.status").write_text(status + "\n")
        (d / f"{stack}.md").write_text(f"### `{stack}`: {status}\n")
    return str(d)


def test_drift_issue_is_opened_updated_and_closed(ci):
    ci.with_fakes()
    env = {"GH_REPO": "va/eventbus", "GH_TOKEN": "t", "GITHUB_RUN_ID": "99"}
    res = ci.run("drift-issue.sh", _reports(ci, prod="drift", sandbox="clean"), **env)
    assert res.returncode == 0, res.stderr
    [issue] = ci.gh()["issues"]
    assert issue["title"] == "Drift: live state differs from the registry"
    assert [label["name"] for label in issue["labels"]] == ["drift"]
    assert issue["body"].startswith("<!-- eventbus-drift -->") and "### `prod`: drift" in issue["body"]

    res = ci.run("drift-issue.sh", _reports(ci, prod="drift", sandbox="drift"), **env)
    assert res.returncode == 0, res.stderr
    gh = ci.gh()
    assert len(gh["issues"]) == 1, "updated, not duplicated"
    assert "### `sandbox`: drift" in gh["issues"][0]["body"]
    assert any("Still drifting on prod sandbox" in c["body"] for c in gh["comments"])

    res = ci.run("drift-issue.sh", _reports(ci, prod="clean", sandbox="clean"), **env)
    assert res.returncode == 0, res.stderr
    gh = ci.gh()
    assert gh["issues"][0]["state"] == "closed"
    assert "No drift on prod sandbox any more" in gh["comments"][-1]["body"]

    res = ci.run("drift-issue.sh", _reports(ci, prod="clean", sandbox="clean"), **env)
    assert res.returncode == 0 and len(ci.gh()["issues"]) == 1  # nothing to do

    res = ci.run("drift-issue.sh", _reports(ci, prod="drift", sandbox="clean"), **env)
    assert len(ci.gh()["issues"]) == 2 and ci.gh()["issues"][1]["state"] == "open"  # a new episode


def test_drift_issue_reports_a_stack_that_could_not_be_checked(ci):
    ci.with_fakes()
    env = {"GH_REPO": "va/eventbus", "GH_TOKEN": "t"}
    res = ci.run("drift-issue.sh", _reports(ci, prod="drift", sandbox="error"), **env)
    assert res.returncode == 1 and "could not check: sandbox" in res.stderr
    [issue] = ci.gh()["issues"]
    assert "### `sandbox`: error" in issue["body"]
    res = ci.run("drift-issue.sh", _reports(ci, prod="clean", sandbox="error"), **env)
    assert res.returncode == 1
    assert ci.gh()["issues"][0]["state"] == "open", "not closed while a stack is unchecked"


def test_drift_issue_needs_reports(ci, tmp_path):
    ci.with_fakes()
    res = ci.run("drift-issue.sh", str(tmp_path), GH_REPO="va/eventbus")
    assert res.returncode == 1 and "no drift reports" in res.stderr


# -- publish-catalog.sh, setup.sh ------------------------------------------------------------------
def test_the_deploy_uploads_a_catalog_of_its_own_stack_only(pulumi_ci):
    # prod's published catalog must not describe the developer's local broker or the sandbox
    res = pulumi_ci.run("pulumi.sh", "up", "prod", AWS_REGION="us-gov-west-1")
    assert res.returncode == 0, res.stderr
    site = pulumi_ci.out / "catalog" / "prod"
    assert (site / "index.html").is_file()
    text = "\n".join(p.read_text(errors="replace") for p in site.rglob("*") if p.is_file() and p.suffix in (".html", ".json", ".yaml", ".js"))
    assert "127.0.0.1" not in text and "_sandbox" not in text and "eeb-sandbox" not in text
    assert "b-1.eeb-prod" in text
    env_log = (pulumi_ci.pulumi_log.parent / "pulumi.log.env").read_text()
    assert env_log  # the engine ran with the catalog folder in its environment (checked by the program tests)
    res = pulumi_ci.run("publish-catalog.sh", "prod")
    assert res.returncode == 0, res.stderr
    assert "stack output catalog --stack prod --json" in pulumi_ci.pulumi_log.read_text()
    summary = pulumi_ci.summary.read_text()
    assert "### Event catalog (`prod`)" in summary and "Built for stack prod" in summary


def test_the_deploys_catalog_shows_the_schema_ids_of_the_last_deploy(pulumi_ci):
    subject = "health_prescription_refill_requested-value"
    res = pulumi_ci.run("pulumi.sh", "up", "prod", AWS_REGION="us-gov-west-1",
                        FAKE_PULUMI_SUBJECTS=json.dumps({subject: [{"version": 1, "id": 4711}]}))
    assert res.returncode == 0, res.stderr
    page = (pulumi_ci.out / "catalog" / "prod" / "events/health/prescription_refill_requested/v1.html").read_text()
    assert "<code>4711</code>" in page[page.index(subject):][:600]
    assert "stack output subjects --json --stack prod" in pulumi_ci.pulumi_log.read_text()
    # a stack never deployed (no such output): the catalog is built all the same, its ids "assigned at deploy"
    res = pulumi_ci.run("pulumi.sh", "up", "prod", AWS_REGION="us-gov-west-1")
    assert res.returncode == 0, res.stderr
    page = (pulumi_ci.out / "catalog" / "prod" / "events/health/prescription_refill_requested/v1.html").read_text()
    assert "4711" not in page and "assigned at deploy" in page


def test_publish_catalog_needs_the_deploys_catalog(pulumi_ci):
    res = pulumi_ci.run("publish-catalog.sh", "prod")
    assert res.returncode == 1 and "scripts/ci/pulumi.sh up prod builds it" in res.stderr


def test_publish_catalog_refuses_an_unknown_stack(pulumi_ci):
    res = pulumi_ci.run("publish-catalog.sh", "nope")
    assert res.returncode == 1 and "no Pulumi.nope.yaml" in res.stderr


def test_setup_is_the_developer_setup(ci):
    stamp = REPO / ".venv" / ".eventbus-installed"
    import hashlib

    want = hashlib.sha256((REPO / "pyproject.toml").read_bytes()).hexdigest()[:16]
    if not stamp.exists() or stamp.read_text().strip() != want:
        pytest.skip("the venv is not current with pyproject.toml; setup.sh would reinstall (run scripts/setup.sh)")
    res = ci.run("setup.sh")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("eventbus ")
    assert "scripts/setup.sh" in (REPO / "scripts/ci/setup.sh").read_text()
    assert os.access(REPO / "scripts/ci/setup.sh", os.X_OK)


def test_plan_output_cannot_issue_workflow_commands(git_tree, tmp_path):
    ci = CI(tmp_path, git_tree.root)
    res = ci.run("plan.sh", "main", GITHUB_ACTIONS="true")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].startswith("::stop-commands::")
    token = lines[0].split("::")[2]
    assert len(token) == 32 and lines[-1] == f"::{token}::"
    assert lines[1] == MARKER
