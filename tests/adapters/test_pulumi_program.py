"""The Pulumi program under mocks (`pulumi.runtime.test`): the URN of every resource, resource counts, names, properties, parents, protection."""
from __future__ import annotations

import json
from collections import Counter

import pulumi
import pytest

from eventbus.desired import compute
from eventbus.load.registry import load_registry
from eventbus.load.stacks import load_stack
from tests.conftest import REPO
from tests.pulumi_mocks import Run, run_mocked


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


CONFIG = {"eventbus:scramSeed": "seed-for-tests", "eventbus:kafkaAdminPassword": "pw"}
SECRET = ["eventbus:scramSeed", "eventbus:kafkaAdminPassword"]


def run_program(stack_name: str, root=REPO, config: dict | None = None, then=None) -> Run:
    """Run the real program (:func:`eventbus.deploy.main`) for ``stack_name`` under mocks; ``then``
    gets what it declared (:class:`eventbus.adapters.pulumi_program.Declared`) and may return an
    Output to check, resolved before the run ends."""
    import os

    from eventbus.deploy import main

    if stack_name in CATALOGS:
        os.environ["EVENTBUS_CATALOG_DIR"] = CATALOGS[stack_name]
    else:
        os.environ.pop("EVENTBUS_CATALOG_DIR", None)
    return run_mocked(stack_name, lambda: main(str(root), stack_name), then, config or CONFIG, SECRET)


def state_of(stack_name: str, root=REPO):
    return compute(load_registry(str(root)).registry, load_stack(str(root), stack_name))


def urn(stack_name: str, *chain: tuple[str, str]) -> str:
    """The engine's URN of the last of ``chain`` ((type, name) from the top-level resource down)."""
    return f"urn:pulumi:{stack_name}::eventbus::" + "$".join(t for t, _ in chain) + "::" + chain[-1][1]


def expected_urns(stack_name: str, root=REPO, site_dir: str | None = None, events: set[str] | None = None, apps: set[str] | None = None) -> set[str]:
    """Every URN the program declares for the stack (only the ``events`` and ``apps`` given, and
    no catalog, when one is), from the desired state's names (the types are written out here: a
    changed type or parent changes a URN, and the engine would replace the resource)."""
    state = state_of(stack_name, root)
    out = {urn(stack_name, ("pulumi:providers:kafka", "cluster")), urn(stack_name, ("pulumi:providers:eventbus", "bus"))}
    if state.registry.kind == "glue":
        out.add(urn(stack_name, ("aws:glue/registry:Registry", "schema-registry")))
    for t in state.topics if events is None else [t for t in state.topics if t.event in events]:
        event = ("eventbus:index:Event", t.event)
        out |= {urn(stack_name, event), urn(stack_name, event, ("kafka:index/topic:Topic", t.name))}
        for s in state.subjects_by_event.get(t.event, ()):
            if state.registry.kind == "confluent":
                out.add(urn(stack_name, event, ("eventbus:registry:Subject", s.name)))
            elif state.registry.kind == "glue":
                out.add(urn(stack_name, event, ("aws:glue/schema:Schema", s.name)))
                if len(s.versions) > 1:
                    out.add(urn(stack_name, event, ("aws:glue/schema:Schema", s.name), ("pulumi-python:dynamic:Resource", f"{s.name}-versions")))
    for a in state.apps if apps is None else [a for a in state.apps if a.ref in apps]:
        app = ("eventbus:index:Application", a.ref)
        out.add(urn(stack_name, app))
        if state.acls_by_app.get(a.ref) or (state.scram_users and not a.keep_credential):
            out.add(urn(stack_name, app, ("eventbus:kafka:Principal", a.kafka_user)))
        if a.ref in state.roles_by_app:
            role = ("aws:iam/role:Role", f"{a.kafka_user}-role")
            out |= {urn(stack_name, app, role), urn(stack_name, app, role, ("aws:iam/rolePolicy:RolePolicy", f"{a.kafka_user}-access"))}
    if state.catalog is not None and state.catalog.target == "s3" and events is None:
        from eventbus.adapters.pulumi_program.catalog import site_files

        catalog, bucket = ("eventbus:index:Catalog", f"catalog-{state.catalog.location}"), ("aws:s3/bucket:Bucket", "catalog-bucket")
        out |= {urn(stack_name, catalog), urn(stack_name, catalog, bucket)}
        out |= {urn(stack_name, catalog, bucket, guard) for guard in (
            ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "catalog-public-access-block"),
            ("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "catalog-ownership"),
            ("aws:s3/bucketVersioning:BucketVersioning", "catalog-versioning"),
            ("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "catalog-encryption"))}
        assert site_dir is not None
        out |= {urn(stack_name, catalog, bucket, ("aws:s3/bucketObjectv2:BucketObjectv2", f"catalog/{key}")) for key, _ in site_files(site_dir)}
    return out


@pytest.fixture(autouse=True)
def _fresh_runtime():
    yield
    pulumi.runtime.reset_options()


@pytest.mark.parametrize("stack_name", ["prod", "sandbox", "local"])
def test_the_urns_of_every_resource_stay_the_deployed_ones(stack_name):
    run = run_program(stack_name)
    assert run.urns == expected_urns(stack_name, site_dir=CATALOGS.get(stack_name))


def test_the_urns_on_a_stack_with_both_authorizations_and_glue(tree):
    """ACL bindings and an IAM role under one application component; Glue subjects under the event."""
    tree.stacks["prod"]["config"]["eventbus:authorization"] = ["iam", "acl"]
    tree.stacks["prod"]["config"]["eventbus:schemaRegistry"] = {"kind": "glue", "name": "eeb-prod"}
    tree.write()
    run = run_program("prod", root=tree.root)
    state = state_of("prod", tree.root)
    assert run.urns == expected_urns("prod", tree.root)
    kinds = Counter(r.type for r in run.monitor.registered)
    assert kinds["eventbus:kafka:Principal"] == kinds["aws:iam/role:Role"] == kinds["eventbus:index:Application"] == len(state.apps) > 0
    assert kinds["aws:glue/schema:Schema"] == len(state.subjects) > 0


def test_prod_program_matches_desired_state():
    state = state_of("prod")
    run = run_program("prod")
    mocks = run.mocks
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
        opts = run.of("kafka:index/topic:Topic", t.name)
        assert opts.protect is True and opts.retain_on_delete is True  # prod topics: protected and retained on delete
        assert opts.parent == urn("prod", ("eventbus:index:Event", t.event))  # grouped under their event component
        assert opts.provider.startswith(urn("prod", ("pulumi:providers:kafka", "cluster")) + "::")

    roles = {r.inputs["name"]: r.inputs for r in mocks.created if r.typ == "aws:iam/role:Role"}
    for spec in state.roles:
        assert json.loads(roles[spec.name]["assumeRolePolicy"]) == spec.trust_policy()
    for app in state.apps:  # the role under its application component, the policy under the role
        role = ("aws:iam/role:Role", f"{app.kafka_user}-role")
        assert run.of(*role).parent == urn("prod", ("eventbus:index:Application", app.ref))
        assert run.of("aws:iam/rolePolicy:RolePolicy", f"{app.kafka_user}-access").parent == urn("prod", ("eventbus:index:Application", app.ref), role)
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
        opts = run.of("eventbus:registry:Subject", spec.name)
        assert opts.protect is True and opts.retain_on_delete is True  # never deleted by a merge
        assert opts.parent == urn("prod", ("eventbus:index:Event", spec.event))
    lifecycle = subjects["claims_claim_lifecycle_status-value"].inputs
    assert lifecycle["compatibility"] == "FULL_TRANSITIVE" and len(lifecycle["versions"]) > 1


def test_glue_stays_selectable(tree):
    tree.stacks["prod"]["config"]["eventbus:schemaRegistry"] = {"kind": "glue", "name": "eeb-prod"}
    tree.write()
    state = state_of("prod", tree.root)
    mocks = run_program("prod", root=tree.root).mocks
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
    run = run_program("sandbox")
    topics = [r for r in run.mocks.created if r.typ == "kafka:index/topic:Topic"]
    assert topics and all(t.name.endswith("_sandbox") for t in topics)
    assert all(run.of("kafka:index/topic:Topic", t.name).protect is False for t in topics)
    assert all(run.of("kafka:index/topic:Topic", t.name).retain_on_delete is False for t in topics)
    state = state_of("sandbox")
    assert {t.name for t in topics} == {t.name for t in state.topics}
    assert all(t.classification == "none" for t in state.topics)


def test_local_program_uses_scram_users_and_no_aws():
    from eventbus.desired.clients import scram_password

    state = state_of("local")
    ref = "va-notify/refill-notifier"
    passwords: dict = {}

    def outputs(declared):
        app = declared.apps[ref]
        return pulumi.Output.all(app.password, declared.outputs["applications"][ref]["password"]).apply(lambda ps: passwords.update(own=ps[0], stack=ps[1]))

    run = run_program("local", then=outputs)
    mocks = run.mocks
    kinds = Counter(r.typ for r in mocks.created)
    assert max(Counter((r.typ, r.name) for r in mocks.created).values()) == 1
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
    principal = run.of("eventbus:kafka:Principal", "va-notify.refill-notifier")
    assert principal.parent == urn("local", ("eventbus:index:Application", ref))
    assert principal.provider.startswith(urn("local", ("pulumi:providers:eventbus", "bus")) + "::")
    assert "scram" in principal.additional_secret_outputs
    mine = principals["User:va-notify.refill-notifier"]["acls"]
    assert len(mine) == len([a for a in state.acls if a.app == ref]) > 0
    # the component's password output and the stack's are the application's SCRAM password
    password = scram_password("seed-for-tests", "va-notify.refill-notifier")
    assert passwords == {"own": password, "stack": password}


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
    mocks = run_program("local").mocks
    kafka_provider = next(r for r in mocks.created if r.typ == "pulumi:providers:kafka")
    bus = next(r for r in mocks.created if r.typ == "pulumi:providers:eventbus")
    servers = kafka_provider.inputs["bootstrapServers"]  # provider inputs may arrive JSON-encoded
    assert (json.loads(servers) if isinstance(servers, str) else servers) == ["127.0.0.1:39092"]
    assert bus.inputs["bootstrapServers"] == ["127.0.0.1:39092"] and bus.inputs["registryUrl"].startswith("http://127.0.0.1:38081/")
    mocks = run_program("prod").mocks  # a cloud stack never follows these variables
    bus = next(r for r in mocks.created if r.typ == "pulumi:providers:eventbus")
    assert bus.inputs["registryUrl"] == "https://schema-registry.eeb-prod.internal:8081" and "127.0.0.1:39092" not in bus.inputs["bootstrapServers"]


def test_a_partial_deploy_declares_only_its_scope_and_keeps_the_outputs_whole(tmp_path, monkeypatch):
    from eventbus.adapters.pulumi_program.scope import Scope
    from eventbus.desired.clients import scram_password

    state = state_of("local")
    app = state.apps_by_ref["va-notify/refill-notifier"]
    other = next(a for a in state.apps if a.ref != app.ref)
    events = {state.topics_by_name[t].event for t in (*app.consumes, *app.produces)}
    previous = {s.name: [{"version": 1, "id": 99}] for s in state.subjects}
    scope = tmp_path / "scope.json"
    Scope(frozenset(events), frozenset({app.ref}), previous).dump(str(scope))
    monkeypatch.setenv("EVENTBUS_DEPLOY_SCOPE", str(scope))
    resolved: dict = {}

    def outputs(declared):
        out = declared.outputs
        return pulumi.Output.all(out["applications"][other.ref]["password"], out["subjects"]).apply(
            lambda v: resolved.update(password=v[0], subjects=v[1]))

    run = run_program("local", then=outputs)
    mocks = run.mocks
    kinds = Counter(r.typ for r in mocks.created)
    assert kinds["eventbus:index:Application"] == kinds["eventbus:kafka:Principal"] == 1
    assert kinds["eventbus:index:Event"] == kinds["kafka:index/topic:Topic"] == len(events) < len(state.topics)
    assert kinds["pulumi:providers:kafka"] == kinds["pulumi:providers:eventbus"] == 1
    principal = next(r for r in mocks.created if r.typ == "eventbus:kafka:Principal")
    assert principal.inputs["principal"] == app.principal and len(principal.inputs["acls"]) == len(state.acls_by_app[app.ref])  # built as in a full deploy
    assert run.urns == expected_urns("local", events=events, apps={app.ref}) < expected_urns("local")  # the same URNs as in a full deploy
    assert set(run.result.outputs["applications"]) == {a.ref for a in state.apps}  # every application, declared or not
    assert resolved["password"] == scram_password("seed-for-tests", other.kafka_user)
    declared = {s.name for s in state.subjects if s.event in events}
    assert set(resolved["subjects"]) == {s.name for s in state.subjects}
    assert all(resolved["subjects"][n] == [{"version": 1, "id": 99}] for n in set(resolved["subjects"]) - declared)  # the last deploy's ids
    assert all(resolved["subjects"][n] != [{"version": 1, "id": 99}] for n in declared)  # this deploy's


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
