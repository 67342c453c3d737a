"""Reading a Confluent-compatible Schema Registry over its REST API (standard library HTTP only):
subjects, their versions with the registry's schema ids, and compatibility levels. For drift,
import, credentials and tests; the deploy itself registers through ``eventbus:registry:Subject``.

Works against Confluent's server and Apicurio Registry's Confluent API (``/apis/ccompat/v7``, the
local stack). Where the two answer differently this module gives one answer
(docs/local-environment.md, "Schema registry", lists the differences):

* a subject without a level of its own: Confluent answers 404 (40408); Apicurio answers 200 with
  ``NONE`` while it enforces the global level. :meth:`SchemaRegistry.compatibility` returns
  ``None`` for the first and ``"NONE"`` for the second: compare against the desired level, not
  against ``None``;
* compatibility checks: always against ``versions/latest`` (Apicurio checks every version when
  no version is given, even at non-transitive levels) and only the verdict (Apicurio gives no
  reasons with ``verbose=true``; reasons only come with a refused registration);
* a version that differs from an earlier one only in ``doc`` or ``aliases``: Apicurio returns the
  existing id and adds no version; :meth:`lookup` finds it under the earlier version.
"""
from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"


class RegistryError(Exception):
    """An answer other than success: HTTP status, the registry's error code and message."""

    def __init__(self, status: int, code: int | None, message: str, url: str):
        super().__init__(f"{url}: HTTP {status}" + (f" (error {code})" if code else "") + (f": {message}" if message else ""))
        self.status, self.code, self.message, self.url = status, code, message, url


@dataclass(frozen=True)
class SubjectVersion:
    subject: str
    version: int  # the subject's version number in the registry
    id: int  # the registry's global schema id (the one in the Confluent wire format)
    schema: str
    schema_type: str = "AVRO"  # AVRO (the registry leaves it out), JSON or PROTOBUF
    references: tuple[str, ...] = ()  # the subjects (``subject@version``) the schema refers to by name


class SchemaRegistry:
    def __init__(self, url: str, username: str | None = None, password: str | None = None, timeout: float = 30):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._auth = None
        if username or password:
            self._auth = "Basic " + base64.b64encode(f"{username or ''}:{password or ''}".encode()).decode()

    # -- transport ----------------------------------------------------------------------------
    def _call(self, method: str, path: str, body: dict | None = None):
        url = self.url + path
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method, headers={"Accept": f"{CONTENT_TYPE}, application/json"})
        if data is not None:
            req.add_header("Content-Type", CONTENT_TYPE)
        if self._auth:
            req.add_header("Authorization", self._auth)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as err:
            text = err.read().decode("utf-8", "replace")
            try:
                parsed = json.loads(text)
                code, message = parsed.get("error_code"), parsed.get("message", "")
            except (ValueError, AttributeError):
                code, message = None, text[:300]
            raise RegistryError(err.code, code, message, url) from None
        return json.loads(raw) if raw else None

    @staticmethod
    def _subject(subject: str) -> str:
        return urllib.parse.quote(subject, safe="")

    # -- reads --------------------------------------------------------------------------------
    def subjects(self) -> list[str]:
        return sorted(self._call("GET", "/subjects"))

    def version_numbers(self, subject: str) -> list[int]:
        """The subject's versions, oldest first; [] when the subject does not exist."""
        try:
            return sorted(self._call("GET", f"/subjects/{self._subject(subject)}/versions"))
        except RegistryError as err:
            if err.status == 404:
                return []
            raise

    def version(self, subject: str, version: int | str) -> SubjectVersion:
        got = self._call("GET", f"/subjects/{self._subject(subject)}/versions/{version}")
        refs = tuple(f"{r.get('subject')}@{r.get('version')}" for r in got.get("references") or () if isinstance(r, dict))
        return SubjectVersion(got["subject"], int(got["version"]), int(got["id"]), got["schema"], str(got.get("schemaType") or "AVRO").upper(), refs)

    def versions(self, subject: str) -> list[SubjectVersion]:
        """Every version of the subject with its schema id, oldest first."""
        return [self.version(subject, v) for v in self.version_numbers(subject)]

    def latest(self, subject: str) -> SubjectVersion | None:
        try:
            return self.version(subject, "latest")
        except RegistryError as err:
            if err.status == 404:
                return None
            raise

    def schema_by_id(self, schema_id: int) -> str:
        return self._call("GET", f"/schemas/ids/{int(schema_id)}")["schema"]

    def lookup(self, subject: str, schema: str) -> SubjectVersion | None:
        """The version under which the registry holds ``schema`` (as it compares schemas), or None."""
        try:
            got = self._call("POST", f"/subjects/{self._subject(subject)}", {"schema": schema})
        except RegistryError as err:
            if err.status == 404:  # 40401 no such subject, 40403 no such schema
                return None
            raise
        return SubjectVersion(got.get("subject", subject), int(got["version"]), int(got["id"]), got.get("schema", schema))

    def compatibility(self, subject: str) -> str | None:
        """The subject's own level; None when the registry says it has none (Confluent's 404)."""
        try:
            got = self._call("GET", f"/config/{self._subject(subject)}")
        except RegistryError as err:
            if err.status == 404:
                return None
            raise
        return got.get("compatibilityLevel") or got.get("compatibility")

    def global_compatibility(self) -> str:
        got = self._call("GET", "/config")
        return got.get("compatibilityLevel") or got.get("compatibility")

    def is_compatible(self, subject: str, schema: str) -> bool:
        """The registry's verdict on ``schema`` as the subject's next version (against latest;
        transitive levels check every version anyway)."""
        got = self._call("POST", f"/compatibility/subjects/{self._subject(subject)}/versions/latest", {"schema": schema})
        return bool(got.get("is_compatible"))

    # -- writes (tools and tests; the deploy registers through its Pulumi provider) -------------
    def register(self, subject: str, schema: str) -> int:
        """Register ``schema`` as the subject's next version; its id. A refusal raises
        :class:`RegistryError` (409: incompatible, with the registry's reason; 422: invalid)."""
        return int(self._call("POST", f"/subjects/{self._subject(subject)}/versions", {"schema": schema})["id"])

    def set_compatibility(self, subject: str | None, level: str) -> None:
        path = "/config" if subject is None else f"/config/{self._subject(subject)}"
        self._call("PUT", path, {"compatibility": level})
