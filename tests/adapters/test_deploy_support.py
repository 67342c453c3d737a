"""Small pieces around the deploy: the provider's version pin, the state migration to
eventbus:kafka:Principal, the Confluent REST adapter against a fake registry."""
from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from eventbus.adapters.pulumi_program.migrate import drop_moved
from eventbus.adapters.pulumi_program.provider import PROVIDER_VERSION
from eventbus.adapters.schema_registry import RegistryError, SchemaRegistry
from tests.conftest import REPO


def test_program_asks_for_the_provider_version_the_engine_script_installs():
    script = (REPO / "scripts" / "pulumi-engine.sh").read_text()
    assert re.search(r"^EVENTBUS_PROVIDER_VERSION=(\S+)$", script, re.M).group(1) == PROVIDER_VERSION


def test_migration_drops_only_the_moved_resources_and_references_to_them():
    acl = "urn:pulumi:local::eventbus::eventbus:index:Application$kafka:index/acl:Acl::a"
    scram = "urn:pulumi:local::eventbus::eventbus:index:Application$kafka:index/userScramCredential:UserScramCredential::s"
    topic = "urn:pulumi:local::eventbus::eventbus:index:Event$kafka:index/topic:Topic::t"
    deployment = {"version": 3, "deployment": {"manifest": {}, "resources": [
        {"urn": topic, "type": "kafka:index/topic:Topic"},
        {"urn": acl, "type": "kafka:index/acl:Acl", "dependencies": [topic]},
        {"urn": scram, "type": "kafka:index/userScramCredential:UserScramCredential"},
        {"urn": "urn:x", "type": "eventbus:index:Application", "dependencies": [acl, topic], "propertyDependencies": {"p": [scram, topic]}},
    ]}}
    out, n = drop_moved(json.loads(json.dumps(deployment)))
    assert n == 2
    kept = out["deployment"]["resources"]
    assert [r["urn"] for r in kept] == [topic, "urn:x"]
    assert kept[1]["dependencies"] == [topic] and kept[1]["propertyDependencies"] == {"p": [topic]}
    assert drop_moved(out) == (out, 0)  # a second run does nothing


class _Fake(BaseHTTPRequestHandler):
    """Answers like Apicurio's Confluent API for one subject."""

    def log_message(self, *args):
        pass

    def _reply(self, status: int, body) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.server.seen.append(("GET", self.path, self.headers.get("Authorization")))
        routes = {
            "/config": (200, {"compatibilityLevel": "BACKWARD"}),
            "/config/a%2Fb-value": (200, {"compatibilityLevel": "FULL"}),
            "/config/none-value": (200, {"compatibilityLevel": "NONE"}),
            "/subjects": (200, ["z-value", "a/b-value"]),
            "/subjects/a%2Fb-value/versions": (200, [2, 1]),
            "/subjects/a%2Fb-value/versions/1": (200, {"subject": "a/b-value", "version": 1, "id": 7, "schema": '"string"'}),
            "/subjects/a%2Fb-value/versions/2": (200, {"subject": "a/b-value", "version": 2, "id": 9, "schema": '"bytes"'}),
        }
        self._reply(*routes.get(self.path, (404, {"error_code": 40401, "message": "Subject not found."})))

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.seen.append(("POST", self.path, body))
        if self.path == "/subjects/a%2Fb-value/versions":
            self._reply(409, {"error_code": 409, "message": "Incompatible artifact: a/b-value"})
        elif self.path == "/compatibility/subjects/a%2Fb-value/versions/latest":
            self._reply(200, {"is_compatible": False})
        else:
            self._reply(404, {"error_code": 40403, "message": "Schema not found"})


@pytest.fixture
def fake():
    server = HTTPServer(("127.0.0.1", 0), _Fake)
    server.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def test_adapter_reads_subjects_versions_ids_and_levels(fake):
    reg = SchemaRegistry(f"http://127.0.0.1:{fake.server_port}/", "u", "p")
    assert reg.subjects() == ["a/b-value", "z-value"]
    assert [(v.version, v.id) for v in reg.versions("a/b-value")] == [(1, 7), (2, 9)]  # oldest first, the subject escaped
    assert reg.versions("gone-value") == [] and reg.latest("gone-value") is None
    assert reg.compatibility("a/b-value") == "FULL" and reg.global_compatibility() == "BACKWARD"
    assert reg.compatibility("unset-value") is None  # Confluent's 404 for "no level of its own"
    assert reg.compatibility("none-value") == "NONE"  # Apicurio's answer in the same case
    assert reg.lookup("a/b-value", '"int"') is None
    assert all(auth == "Basic dTpw" for method, _p, auth in fake.seen if method == "GET")  # u:p


def test_adapter_reports_the_registrys_refusal_and_verdict(fake):
    reg = SchemaRegistry(f"http://127.0.0.1:{fake.server_port}")
    with pytest.raises(RegistryError) as exc:
        reg.register("a/b-value", '"int"')
    assert exc.value.status == 409 and "Incompatible artifact" in str(exc.value)
    assert reg.is_compatible("a/b-value", '"int"') is False
    assert ("POST", "/compatibility/subjects/a%2Fb-value/versions/latest", {"schema": '"int"'}) in fake.seen  # against latest only
