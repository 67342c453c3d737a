"""One-off state migration: ACLs and SCRAM users moved from pulumi-kafka resources (one
``kafka:index/acl:Acl`` per binding, one ``kafka:index/userScramCredential`` per application) to
one ``eventbus:kafka:Principal`` per application.

Left alone, the next ``pulumi up`` would create the Principals (the bindings already exist, so
nothing changes on the cluster) and then *delete* the old resources, which removes the very
bindings and credentials the Principals now own. So the old resources are dropped from the state
only (``pulumi stack export`` / ``import``, nothing on the cluster is touched) before the deploy;
the Principals then adopt what is live.

    python -m eventbus.adapters.pulumi_program.migrate --stack local [pulumi options...]

Prints what it dropped; does nothing (and says nothing) when the state holds no such resource.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

MOVED = ("kafka:index/acl:Acl", "kafka:index/userScramCredential:UserScramCredential")


def drop_moved(deployment: dict) -> tuple[dict, int]:
    """The deployment without the moved resource types (and without references to them)."""
    resources = deployment.get("deployment", {}).get("resources") or []
    gone = {r["urn"] for r in resources if r.get("type") in MOVED}
    if not gone:
        return deployment, 0
    kept = []
    for r in resources:
        if r["urn"] in gone:
            continue
        r = dict(r)
        for key in ("dependencies", "deletedWith"):
            if isinstance(r.get(key), list):
                r[key] = [u for u in r[key] if u not in gone]
        if isinstance(r.get("propertyDependencies"), dict):
            r["propertyDependencies"] = {k: [u for u in v if u not in gone] for k, v in r["propertyDependencies"].items()}
        kept.append(r)
    out = dict(deployment)
    out["deployment"] = {**deployment["deployment"], "resources": kept}
    return out, len(gone)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    pulumi = os.environ.get("PULUMI", "pulumi")
    exported = subprocess.run([pulumi, "stack", "export", *args], capture_output=True, text=True)
    if exported.returncode != 0:
        print(f"migrate: pulumi stack export failed: {exported.stderr.strip()}", file=sys.stderr)
        return 1
    migrated, n = drop_moved(json.loads(exported.stdout))
    if n == 0:
        return 0
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(migrated, fh)
        path = fh.name
    try:
        imported = subprocess.run([pulumi, "stack", "import", "--file", path, *args], capture_output=True, text=True)
    finally:
        os.unlink(path)
    if imported.returncode != 0:
        print(f"migrate: pulumi stack import failed: {imported.stderr.strip()}", file=sys.stderr)
        return 1
    print(f"migrate: {n} pulumi-kafka ACL / SCRAM resources left the state (now one eventbus:kafka:Principal per application; "
          "nothing changed on the cluster)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
