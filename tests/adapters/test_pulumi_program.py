"""The Pulumi program under ``pulumi.runtime.set_mocks``: resource counts, names, properties, parents, protection."""
from __future__ import annotations

import json
from collections import Counter

import pulumi
import pytest

from eventbus.desired import compute
from eventbus.load.registry import load_registry
from eventbus.load.stacks import load_stack
from tests.conftest import REPO
from tests.pulumi_mocks import Recorder


@pytest.fixture(scope="module")
def catalog_dirs(tmp_path_factory):
    """The catalog each cloud stack's deploy is given: built for that stack only (as CI does)."""
    from eventbus.catalog import build_catalog

    out = {}
    for name in ("prod", "sandbox"):
        out[name] = str(tmp_path_factory.mktemp(f"catalog-{name}"))
        build_catalog(str(REPO), out[name], stacks=[name])
    return out


CATALOGS: dict[str, str] = {}  # stack -> the catalog folder its deploy uploads


@pytest.fixture(autouse=True)
def _catalogs(catalog_dirs, monkeypatch):
    CATALOGS.update(catalog_dirs)
    monkeypatch.delenv("EVENTBUS_CATALOG_DIR", raising=False)
    yield


def run_program(stack_name: str, root=REPO, config: dict | None = None):
    """Run the real program for ``stack_name`` under mocks; return (recorder, options seen, components)."""
    import os

    if stack_name in CATALOGS:
        os.environ["EVENTBUS_CATALOG_DIR"] = CATALOGS[stack_name]
    else:
        os.environ.pop("EVENTBUS_CATALOG_DIR", None)
    mocks = Recorder()
    pulumi.runtime.set_mocks(mocks, project="eventbus", stack=stack_name, preview=False)
    pulumi.runtime.set_all_config(config or {"eventbus:scramSeed": "seed-for-tests", "eventbus:kafkaAdminPassword": "pw"},
                                  ["eventbus:scramSeed", "eventbus:kafkaAdminPassword"])
    seen: dict[str, dict] = {}

    def record(args: pulumi.ResourceTransformationArgs):
        seen[f"{args.type_}::{args.name}"] = {"protect": args.opts.protect, "retain": args.opts.retain_on_delete,
                                               "parent": args.opts.parent, "resource": args.resource, "import": args.opts.import_}
        return None

    pulumi.runtime.register_stack_transformation(record)
    from pulumi.runtime.settings import SETTINGS
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    from eventbus.deploy import main

    SETTINGS.rpc_manager.clear()
    SETTINGS.outputs.clear()
    components: dict = {}
    # run_pulumi_func runs the program, then waits for every registration to finish
    _sync_await(run_pulumi_func(lambda: components.update(main(str(root), stack_name))))
    return mocks, seen, components


def wait(output: pulumi.Output):
    from pulumi.runtime.sync_await import _sync_await

    return _sync_await(output.future())


@pytest.fixture(autouse=True)
def _fresh_runtime():
    yield
    pulumi.runtime.settings.reset_options()


def test_prod_program_matches_desired_state():
    state = compute(load_registry(str(REPO)).registry, load_stack(str(REPO), "prod"))
    mocks, seen, comps = run_program("prod")
    kinds = Counter(r.typ for r in mocks.created)
    # the engine refuses two resources with one URN (same type and name under the same parent type)
    assert max(Counter((r.typ, r.name) for r in mocks.created).values()) == 1
    assert kinds["kafka:index/topic:Topic"] == len(state.topics)
    assert kinds["kafka:index/acl:Acl"] == 0  # ACL bindings: one eventbus:kafka:Principal per application
    assert kinds["eventbus:kafka:Principal"] == len({a.app for a in state.acls})
    assert kinds["aws:iam/role:Role"] == len(state.roles) == len(state.apps)
    assert kinds["aws:iam/rolePolicy:RolePolicy"] == len(state.roles)
    assert kinds["eventbus:registry:Subject"] == len(state.subjects) > 0  # the Confluent Schema Registry
    assert not [k for k in kinds if k.startswith("aws:glue")]
    assert kinds["eventbus:index:Event"] == len(state.topics)
    assert kinds["eventbus:index:Application"] == len(state.apps)
    assert kinds["kafka:index/userScramCredential:UserScramCredential"] == 0  # aws target: IAM, not SCRAM
    assert kinds["pulumi:providers:kafka"] == 1 and kinds["pulumi:providers:eventbus"] == 1
    bus = next(r for r in mocks.created if r.typ == "pulumi:providers:eventbus")
    assert bus.inputs["registryUrl"] == "https://schema-registry.eeb-prod.internal:8081"
    # the catalog is published with the deploy: a private, versioned bucket holding the built site
    assert kinds["eventbus:index:Catalog"] == 1
    objects = [r for r in mocks.created if r.typ.startswith("aws:s3/bucketObject")]
    assert any(o.inputs.get("key") == "index.html" for o in objects) and len(objects) > 20
    blocks = [r.inputs for r in mocks.created if r.typ == "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"]
    assert blocks and all(blocks[0][k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))

    topics = {r.name: r.inputs for r in mocks.created if r.typ == "kafka:index/topic:Topic"}
    for t in state.topics:
        assert topics[t.name]["name"] == t.name
        assert topics[t.name]["partitions"] == t.partitions and topics[t.name]["replicationFactor"] == 3
        assert topics[t.name]["config"] == t.config_dict
        opts = seen[f"kafka:index/topic:Topic::{t.name}"]
        assert opts["protect"] is True and opts["retain"] is True  # prod topics: protected and retained on delete
        assert opts["parent"] is comps["events"][t.event]  # grouped under their event component

    roles = {r.inputs["name"]: r.inputs for r in mocks.created if r.typ == "aws:iam/role:Role"}
    for spec in state.roles:
        assert json.loads(roles[spec.name]["assumeRolePolicy"]) == spec.trust_policy()
    policies = [json.loads(r.inputs["policy"]) for r in mocks.created if r.typ == "aws:iam/rolePolicy:RolePolicy"]
    assert sorted(json.dumps(p, sort_keys=True) for p in policies) == sorted(json.dumps(r.policy(), sort_keys=True) for r in state.roles)

    acls = {(r.inputs["principal"], b["operation"], b["resourceType"], b["resourceName"], b["patternType"])
            for r in mocks.created if r.typ == "eventbus:kafka:Principal" for b in r.inputs["acls"]}
    assert acls == {(a.principal, a.operation, a.resource_type, a.resource_name, a.pattern) for a in state.acls}

    subjects = {r.inputs["subject"]: r for r in mocks.created if r.typ == "eventbus:registry:Subject"}
    for spec in state.subjects:
        got = subjects[spec.name].inputs
        assert got["compatibility"] == spec.compatibility and got["schemaType"] == "AVRO"
        assert [(v["version"], v["schema"]) for v in got["versions"]] == list(spec.versions)  # every version, oldest first
        opts = seen[f"eventbus:registry:Subject::{spec.name}"]
        assert opts["protect"] is True and opts["retain"] is True  # never deleted by a merge
    lifecycle = subjects["claims_claim_lifecycle_status-value"].inputs
    assert lifecycle["compatibility"] == "FULL_TRANSITIVE" and len(lifecycle["versions"]) > 1


def test_glue_stays_selectable(tree):
    tree.stacks["prod"]["config"]["eventbus:schemaRegistry"] = {"kind": "glue", "name": "eeb-prod"}
    tree.write()
    state = compute(load_registry(str(tree.root)).registry, load_stack(str(tree.root), "prod"))
    mocks, _seen, _ = run_program("prod", root=tree.root)
    kinds = Counter(r.typ for r in mocks.created)
    assert kinds["aws:glue/registry:Registry"] == 1 and kinds["aws:glue/schema:Schema"] == len(state.subjects) > 0
    assert kinds["eventbus:registry:Subject"] == 0
    schemas = {r.inputs["schemaName"]: r.inputs for r in mocks.created if r.typ == "aws:glue/schema:Schema"}
    spec = next(s for s in state.subjects if len(s.versions) > 1)
    assert schemas[spec.name]["compatibility"] == spec.glue_compatibility and schemas[spec.name]["dataFormat"] == "AVRO"
    assert schemas[spec.name]["schemaDefinition"] == spec.versions[0][1]  # created at v1 ...
    later = [r for r in mocks.created if r.name == f"{spec.name}-versions"]
    assert later and later[0].inputs["definitions"] == [t for _v, t in spec.versions[1:]]  # ... then v2.. in order


def test_sandbox_program_is_unprotected_and_has_no_sensitive_topics():
    mocks, seen, _ = run_program("sandbox")
    topics = [r for r in mocks.created if r.typ == "kafka:index/topic:Topic"]
    assert topics and all(t.name.endswith("_sandbox") for t in topics)
    assert all(seen[f"kafka:index/topic:Topic::{t.name}"]["protect"] is False for t in topics)
    state = compute(load_registry(str(REPO)).registry, load_stack(str(REPO), "sandbox"))
    assert {t.name for t in topics} == {t.name for t in state.topics}
    assert all(t.classification == "none" for t in state.topics)


def test_local_program_uses_scram_users_and_no_aws():
    mocks, seen, comps = run_program("local")
    kinds = Counter(r.typ for r in mocks.created)
    assert max(Counter((r.typ, r.name) for r in mocks.created).values()) == 1
    state = compute(load_registry(str(REPO)).registry, load_stack(str(REPO), "local"))
    assert not [k for k in kinds if k.startswith("aws:")]
    assert kinds["kafka:index/userScramCredential:UserScramCredential"] == kinds["kafka:index/acl:Acl"] == 0
    principals = {r.inputs["principal"]: r.inputs for r in mocks.created if r.typ == "eventbus:kafka:Principal"}
    assert set(principals) == {a.principal for a in state.apps}  # one per application: its bindings and its SCRAM user
    secret = "4dabf18193072939515e22adb298388d"  # Pulumi's secret signature: the credential never travels in plain text
    assert all(secret in p["scram"] and p["scram"]["value"]["mechanism"] == "SCRAM-SHA-512" for p in principals.values())
    provider = next(r for r in mocks.created if r.typ == "pulumi:providers:kafka")
    assert provider.inputs["tlsEnabled"] in (False, "false") and provider.inputs["saslMechanism"] == "scram-sha512"
    bus = next(r for r in mocks.created if r.typ == "pulumi:providers:eventbus")
    assert bus.inputs["registryUrl"] == "http://127.0.0.1:18081/apis/ccompat/v7" and bus.inputs["saslMechanism"] == "scram-sha512"
    assert kinds["eventbus:registry:Subject"] == len(state.subjects) > 0  # the local registry holds every subject
    # the principal is a child of its application component, with exactly the application's bindings
    app = comps["apps"]["va-notify/refill-notifier"]
    assert seen["eventbus:kafka:Principal::va-notify.refill-notifier"]["parent"] is app
    mine = principals["User:va-notify.refill-notifier"]["acls"]
    assert len(mine) == len([a for a in state.acls if a.app == "va-notify/refill-notifier"]) > 0
    passwords = wait(app.outputs["password"])
    from eventbus.desired.clients import scram_password

    assert passwords == scram_password("seed-for-tests", "va-notify.refill-notifier")


def test_local_program_refuses_without_seed():
    from eventbus.adapters.pulumi_program import DeployRefused

    with pytest.raises(DeployRefused, match="scramSeed"):
        run_program("local", config={"eventbus:kafkaAdminPassword": "pw"})


def test_program_refuses_a_tree_that_fails_the_gate(tree):
    from eventbus.adapters.pulumi_program import DeployRefused

    (tree.root / "events/claims/claim_created/v2.avsc").write_text("{broken")
    with pytest.raises(DeployRefused, match="json-syntax"):
        run_program("prod", root=tree.root)


def test_local_ports_follow_the_scripts_and_only_on_the_local_target(monkeypatch):
    monkeypatch.setenv("EVENTBUS_LOCAL_BOOTSTRAP", "127.0.0.1:39092")
    monkeypatch.setenv("EVENTBUS_LOCAL_SCHEMA_REGISTRY_URL", "http://127.0.0.1:38081/apis/ccompat/v7")
    mocks, _seen, _ = run_program("local")
    kafka_provider = next(r for r in mocks.created if r.typ == "pulumi:providers:kafka")
    bus = next(r for r in mocks.created if r.typ == "pulumi:providers:eventbus")
    servers = kafka_provider.inputs["bootstrapServers"]  # provider inputs may arrive JSON-encoded
    assert (json.loads(servers) if isinstance(servers, str) else servers) == ["127.0.0.1:39092"]
    assert bus.inputs["bootstrapServers"] == ["127.0.0.1:39092"] and bus.inputs["registryUrl"].startswith("http://127.0.0.1:38081/")
    pulumi.runtime.settings.reset_options()
    mocks, _seen, _ = run_program("prod")  # a cloud stack never follows these variables
    bus = next(r for r in mocks.created if r.typ == "pulumi:providers:eventbus")
    assert bus.inputs["registryUrl"] == "https://schema-registry.eeb-prod.internal:8081" and "127.0.0.1:39092" not in bus.inputs["bootstrapServers"]


def test_a_partial_deploy_declares_only_its_scope_and_keeps_the_outputs_whole(tmp_path, monkeypatch):
    from eventbus.adapters.pulumi_program.scope import Scope

    state = compute(load_registry(str(REPO)).registry, load_stack(str(REPO), "local"))
    app = state.apps_by_ref["va-notify/refill-notifier"]
    events = {state.topics_by_name[t].event for t in (*app.consumes, *app.produces)}
    previous = {s.name: [{"version": 1, "id": 99}] for s in state.subjects}
    scope = tmp_path / "scope.json"
    Scope(frozenset(events), frozenset({app.ref}), previous).dump(str(scope))
    monkeypatch.setenv("EVENTBUS_DEPLOY_SCOPE", str(scope))
    mocks, seen, comps = run_program("local")
    kinds = Counter(r.typ for r in mocks.created)
    assert kinds["eventbus:index:Application"] == kinds["eventbus:kafka:Principal"] == 1
    assert kinds["eventbus:index:Event"] == kinds["kafka:index/topic:Topic"] == len(events) < len(state.topics)
    assert kinds["pulumi:providers:kafka"] == kinds["pulumi:providers:eventbus"] == 1
    principal = next(r for r in mocks.created if r.typ == "eventbus:kafka:Principal")
    assert principal.inputs["principal"] == app.principal and len(principal.inputs["acls"]) == len(state.acls_by_app[app.ref])  # built as in a full deploy
    outputs = comps["outputs"]
    assert set(outputs["applications"]) == {a.ref for a in state.apps}  # every application, declared or not
    from eventbus.desired.clients import scram_password

    other = next(a for a in state.apps if a.ref != app.ref)
    assert wait(outputs["applications"][other.ref]["password"]) == scram_password("seed-for-tests", other.kafka_user)
    declared = {s.name for s in state.subjects if s.event in events}
    assert set(outputs["subjects"]) == {s.name for s in state.subjects}
    assert all(outputs["subjects"][n] == [{"version": 1, "id": 99}] for n in set(outputs["subjects"]) - declared)  # the last deploy's ids
    assert all(outputs["subjects"][n] != [{"version": 1, "id": 99}] for n in declared)  # this deploy's


def test_a_scope_that_is_not_there_refuses_the_deploy(tmp_path, monkeypatch):
    from eventbus.adapters.pulumi_program import DeployRefused

    monkeypatch.setenv("EVENTBUS_DEPLOY_SCOPE", str(tmp_path / "gone.json"))
    with pytest.raises(DeployRefused, match="only from `eventbus deploy`"):
        run_program("local")


def test_every_environment_input_of_the_program_is_classified():
    """A deploy after a change of an input that reaches resources is full (FINGERPRINT_ENV): every
    variable the program reads is either one of those or a credential / process option."""
    import re

    from eventbus.adapters.pulumi_program.scope import FINGERPRINT_ENV, OTHER_ENV

    package = REPO / "infra" / "eventbus" / "adapters" / "pulumi_program"
    read = set()
    outside = {"narrow.py", "migrate.py"}  # the deploy driver and the state migration run before the program, not in it
    for path in [*(p for p in package.glob("*.py") if p.name not in outside), REPO / "infra" / "eventbus" / "deploy.py"]:
        read |= set(re.findall(r"""(?:os\.environ\.get|os\.environ|os\.getenv|environ\.get)\(?\[?\s*["']([A-Z][A-Z0-9_]+)["']""", path.read_text()))
    assert read and read <= set(FINGERPRINT_ENV) | set(OTHER_ENV), sorted(read - set(FINGERPRINT_ENV) - set(OTHER_ENV))
