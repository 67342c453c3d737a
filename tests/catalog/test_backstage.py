"""catalog-info.yaml: `kind: Event` and `Component` entities in the portal's format, checked with our JSON Schema."""
from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from eventbus.catalog.exporters.backstage import load_schema
from eventbus.desired import compute
from eventbus.load.registry import load_registry
from eventbus.load.stacks import load_stack
from tests.catalog.conftest import NODE_MODULES, require_tool, sample_catalog
from tests.conftest import REPO


@pytest.fixture(scope="module")
def docs(sample_site):
    return list(yaml.safe_load_all((sample_site / "backstage/catalog-info.yaml").read_text()))


@pytest.fixture(scope="module")
def validator():
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_every_document_is_valid(docs, validator):
    assert docs
    for d in docs:
        errors = sorted(validator.iter_errors(d), key=str)
        assert not errors, (d["metadata"]["name"], [e.message for e in errors])


def test_events_carry_the_portal_fields(docs):
    reg = load_registry(str(REPO)).registry
    events = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Event"}
    assert len(events) == len(reg.events)
    e = events["claims-contention-created"]
    assert e["apiVersion"] == "backstage.io/v1alpha1"
    assert e["metadata"]["title"] == "Contention created"
    assert e["spec"]["type"] == "event" and e["spec"]["lifecycle"] == "production" and e["spec"]["domain"] == "claims"
    assert e["spec"]["topics"] == [{"topic": "claims_contention_created", "environment": "prod"}]  # PII: never in sandbox
    assert e["spec"]["retention"] == 7
    assert e["spec"]["sourceSystems"][0]["systemName"].startswith("BIP / Corp DB")
    assert {"url": "https://event-catalog.eeb.va.gov/events/claims/contention_created.html", "title": "Event catalog page (prod)"} in e["metadata"]["links"]
    assert all(link["url"].startswith(("https://", "mailto:")) for d in docs for link in d["metadata"].get("links", []))
    assert e["spec"]["owner"] == "group:default/claims-platform"
    legacy = events["claims-status"]
    assert legacy["spec"]["lifecycle"] == "deprecated" and legacy["spec"]["removalDate"] == "2027-04-30"


def test_topics_per_environment_come_from_the_desired_state(docs):
    reg = load_registry(str(REPO)).registry
    expected: dict[str, set] = {}
    for stack in ("local", "prod", "sandbox"):
        state = compute(reg, load_stack(str(REPO), stack))
        for t in state.topics:
            expected.setdefault(t.event.replace("/", "-").replace("_", "-"), set()).add((t.name, state.environment))
    for d in docs:
        if d["kind"] == "Event":
            assert {(t["topic"], t["environment"]) for t in d["spec"]["topics"]} == expected.get(d["metadata"]["name"], set())


def test_components_are_producers_and_consumers_with_lineage(docs):
    reg = load_registry(str(REPO)).registry
    events = {d["metadata"]["name"] for d in docs if d["kind"] == "Event"}
    apis = {d["metadata"]["name"]: d for d in docs if d["kind"] == "API"}
    comps = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Component"}
    assert set(apis) == events
    for a in apis.values():
        assert a["spec"]["type"] == "asyncapi" and a["spec"]["definition"]["$text"].startswith("../asyncapi/events/")
        assert a["spec"]["owner"].startswith("group:default/")
    producers = {f"{e.owner}-{p.application}" for e in reg.events for p in e.producers}
    consumers = {f"{c.team}-{c.application}" for c in reg.consumers}
    assert set(comps) == producers | consumers
    for c in comps.values():
        assert c["spec"]["owner"].startswith("group:default/")
        assert set(c["spec"].get("providesApis", [])) | set(c["spec"].get("consumesApis", [])) <= set(apis)
        assert c["spec"]["subscribesToEvent"] == c["spec"].get("consumesApis", [])
    notifier = comps["va-notify-refill-notifier"]
    assert notifier["spec"]["subscribesToEvent"] == ["health-prescription-refill-requested"] and notifier["spec"]["owner"] == "group:default/va-notify"
    connector = comps["claims-platform-bie-contention-connector"]
    assert "claims-contention-created" in connector["spec"]["providesApis"] and "consumesApis" not in connector["spec"]
    assert connector["metadata"]["links"][0]["url"] == "https://event-catalog.eeb.va.gov/apps/claims-platform/bie-contention-connector.html"


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["metadata"].update(name="Claims_Contention"), "does not match"),
    (lambda d: d["metadata"].update(name="x" * 64), "too long"),
    (lambda d: d["spec"].update(lifecycle="retired"), "is not one of"),
    (lambda d: (d["spec"].update(lifecycle="deprecated"), d["spec"].pop("removalDate", None)), "'removalDate' is a required property"),
    (lambda d: d["spec"]["topics"].append({"topic": "x"}), "'environment' is a required property"),
    (lambda d: d["spec"].update(retention="7d"), "is not of type 'integer'"),
    (lambda d: d["spec"].update(owners="someone"), "Additional properties are not allowed"),
    (lambda d: d["spec"].pop("owner"), "'owner' is a required property"),
    (lambda d: d["metadata"].update(links=[{"url": "s3://bucket/page.html"}]), "does not match"),
    (lambda d: d.update(kind="API"), "is not valid under any of the given schemas"),
])
def test_schema_rejects_what_the_portal_would(docs, validator, mutate, message):
    d = copy.deepcopy(next(x for x in docs if x["kind"] == "Event" and x["metadata"]["name"] == "claims-contention-created"))
    mutate(d)
    errors = list(validator.iter_errors(d))
    assert errors
    text = " ".join(e.message for e in errors) + " " + " ".join(c.message for e in errors for c in (e.context or []))
    assert message in text


def test_yaml_is_multi_document_and_readable(sample_site):
    text = (sample_site / "backstage/catalog-info.yaml").read_text()
    assert text.count("\n---\n") + text.startswith("---\n") >= 10
    assert "kind: Event\n" in text and "  subscribesToEvent:\n" in text


BACKSTAGE_MODEL = NODE_MODULES / "@backstage/catalog-model"
VALIDATE = Path(__file__).with_name("backstage_validate.mjs")


def _resolve_placeholders(doc: dict, base: Path) -> dict:
    """What the portal's placeholder processor does before validation: ``{$text: <relative path>}`` becomes the file's text."""
    d = copy.deepcopy(doc)
    definition = d.get("spec", {}).get("definition")
    if isinstance(definition, dict) and "$text" in definition:
        d["spec"]["definition"] = (base / definition["$text"]).resolve().read_text()
    return d


def _portal_errors(entities: list[dict]) -> list[str]:
    got = subprocess.run(["node", str(VALIDATE)], input=json.dumps(entities), capture_output=True, text=True, cwd=REPO, timeout=120)
    assert got.returncode == 0, got.stderr
    return json.loads(got.stdout)


def test_entities_pass_the_portals_own_validators(docs, sample_site):
    """@backstage/catalog-model's entity policies and the API/Component kind validators, as the catalog backend runs them."""
    require_tool(BACKSTAGE_MODEL, "@backstage/catalog-model", "run `npm ci` at the repository root (package.json lists it)")
    base = sample_site / "backstage"
    assert _portal_errors([_resolve_placeholders(d, base) for d in docs]) == []
    # and they are not a rubber stamp
    bad = copy.deepcopy(next(d for d in docs if d["kind"] == "Component"))
    bad["metadata"]["name"] = "Not A Valid Name!"
    api = _resolve_placeholders(next(d for d in docs if d["kind"] == "API"), base)
    api["spec"].pop("definition")
    assert len(_portal_errors([bad, api])) == 2


def test_characters_yaml_refuses_are_escaped(tree, tmp_path):
    """DEL, the C1 controls and U+FFFE/U+FFFF pass the gate in a title or a team's name, but a YAML loader refuses the whole
    file on any of them (every entity of the portal lost): they are written as escapes, and read back as they were."""
    from eventbus.catalog import build_catalog

    title = "Claim\x7f created \x80\x9f\ufffe\uffff \x85 \u2028 end"
    tree.events["claims/claim_created"]["meta"]["title"] = title
    tree.teams["claims-team"]["name"] = "Claims\x7f team"
    tree.write()
    build_catalog(str(tree.root), str(tmp_path / "site"))
    text = (tmp_path / "site/backstage/catalog-info.yaml").read_text(encoding="utf-8")
    docs = list(yaml.safe_load_all(text))
    event = next(d for d in docs if d["kind"] == "Event" and d["metadata"]["name"] == "claims-claim-created")
    assert event["metadata"]["title"] == title
    assert any(link["title"] == "Contact Claims\x7f team" for link in event["metadata"].get("links", []))


def test_names_that_give_one_slug_get_distinct_entities(tree, tmp_path):
    """claims/claim_created and claims_claim/created (its own topic name) are both ``claims-claim-created``; teams ``notify``
    and ``notify-x`` give ``notify-x-notifier`` to notify/x-notifier and notify-x/notifier: one Event, API, AsyncAPI message
    or Component stood for two (the later one's title, owner and topics over the other's). Every one gets a name of its
    own, and none keeps the shared one (a newcomer never takes over the name of an entity already in the portal)."""
    import copy

    from eventbus.catalog import build_catalog
    from tests.conftest import producer_app, team

    ev = copy.deepcopy(tree.events["claims/claim_created"])
    ev["meta"].update(domain="claims_claim", title="Claim created again", producers=[{"application": "claims-closer"}])
    ev["meta"]["topic"] = {"name": "legacy_claims_created", "partitions": 3}
    tree.events["claims_claim/created"] = ev
    tree.teams["notify-x"] = team("notify-x")
    arn = "arn:aws-us-gov:iam::123456789012:role/{}"
    for t, a in (("notify", "x-notifier"), ("notify-x", "notifier")):
        c = producer_app(t, a, {"prod": [arn.format(f"{t}-{a}")]})
        c["subscriptions"] = [{"event": "claims/claim_created", "purpose": "Tell Veterans their claim was received.", "environments": ["prod"]}]
        tree.consumers[f"{t}/{a}"] = c
    tree.write()
    build_catalog(str(tree.root), str(tmp_path / "site"))
    docs = list(yaml.safe_load_all((tmp_path / "site/backstage/catalog-info.yaml").read_text()))
    names = [(d["kind"], d["metadata"]["name"]) for d in docs]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    refs = {(d["kind"], d["metadata"]["annotations"].get(f"eventbus.va.gov/{'application' if d['kind'] == 'Component' else 'ref'}")): d["metadata"]["name"]
            for d in docs}
    for kind, ref in (("Event", "claims/claim_created"), ("Event", "claims_claim/created"), ("API", "claims/claim_created"),
                      ("Component", "notify/x-notifier"), ("Component", "notify-x/notifier")):
        assert refs[(kind, ref)].startswith(("claims-claim-created-", "notify-x-notifier-")), (kind, ref, refs[(kind, ref)])
    bus = json.loads((tmp_path / "site/asyncapi/eventbus.json").read_text())
    assert len(bus["components"]["messages"]) == 3
    assert refs[("Event", "health/refill_requested")] == "health-refill-requested"  # a slug of one keeps it


def test_the_joined_documents_are_the_whole_file_and_stale_names_are_not_reused():
    from eventbus.catalog.exporters.backstage import BackstageExporter, catalog_info_yaml, entities

    cat = sample_catalog()
    fresh = BackstageExporter(cat)
    (_, text), = fresh.whole()
    assert text == catalog_info_yaml(entities(cat))
    pieces = fresh.pieces()
    app = next(a for a in cat.apps.values() if a.consumes)
    # pieces of another build: one event's and one application's text replaced, the application's under another name
    event = cat.events[0]
    pieces["e:" + event.ref] = ("---\nkept event\n", "---\nkept api\n")
    pieces["a:" + app.ref] = ("another-name", "---\nstale component\n")
    again = BackstageExporter(cat)
    again.reuse(pieces, set(), set())
    (_, got), = again.whole()
    assert "kept event" in got and "kept api" in got  # reused as given: the build keeps that event's files
    assert "stale component" not in got  # its name changed since: made again
    rendered = BackstageExporter(cat)
    rendered.reuse(pieces, {event.ref}, set())  # the build renders this event: its pieces are not used
    assert next(iter(rendered.whole()))[1] == text
