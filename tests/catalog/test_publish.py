"""The deploy publishes the catalog: a private, versioned, encrypted bucket and one object per file (Pulumi mocks)."""
from __future__ import annotations

from collections import Counter

import pulumi
import pytest

from eventbus.adapters.pulumi_program.catalog import content_type, publish_catalog, site_files
from eventbus.desired import compute
from eventbus.load.registry import load_registry
from eventbus.load.stacks import load_stack
from tests.catalog.conftest import asset
from tests.conftest import REPO
from tests.pulumi_mocks import Recorder


def run(stack_name: str, site_dir):
    """Call publish_catalog inside a mocked Pulumi program; return (recorder, options seen, returned resources)."""
    mocks = Recorder()
    pulumi.runtime.set_mocks(mocks, project="eventbus", stack=stack_name, preview=False)
    seen: dict[str, dict] = {}

    def record(args: pulumi.ResourceTransformationArgs):
        seen[f"{args.type_}::{args.name}"] = {"protect": args.opts.protect, "retain": args.opts.retain_on_delete, "parent": args.opts.parent,
                                               "depends_on": args.opts.depends_on}
        return None

    pulumi.runtime.register_stack_transformation(record)
    from pulumi.runtime.settings import SETTINGS
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    SETTINGS.rpc_manager.clear()
    SETTINGS.outputs.clear()
    stack = load_stack(str(REPO), stack_name)
    state = compute(load_registry(str(REPO)).registry, stack)
    resources: list = []
    _sync_await(run_pulumi_func(lambda: resources.extend(publish_catalog(state, stack, str(site_dir)))))
    return mocks, seen, resources


@pytest.fixture(autouse=True)
def _fresh_runtime():
    yield
    pulumi.runtime.settings.reset_options()


def test_prod_catalog_is_a_private_versioned_encrypted_bucket_with_every_file(sample_site):
    mocks, seen, resources = run("prod", sample_site)
    kinds = Counter(r.typ for r in mocks.created)
    files = site_files(str(sample_site))
    assert kinds["aws:s3/bucket:Bucket"] == 1
    assert kinds["aws:s3/bucketObjectv2:BucketObjectv2"] == len(files) > 50
    assert len(resources) == 6 + len(files)

    bucket = next(r for r in mocks.created if r.typ == "aws:s3/bucket:Bucket")
    assert bucket.inputs["bucket"] == "eeb-prod-event-catalog" and bucket.inputs.get("forceDestroy") in (False, None)
    opts = seen["aws:s3/bucket:Bucket::catalog-bucket"]
    assert opts["protect"] is True and opts["retain"] is True  # prod protects

    pab = next(r for r in mocks.created if r.typ == "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert all(pab.inputs[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))
    versioning = next(r for r in mocks.created if r.typ == "aws:s3/bucketVersioning:BucketVersioning")
    assert versioning.inputs["versioningConfiguration"]["status"] == "Enabled"
    sse = next(r for r in mocks.created if r.typ == "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    assert sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"
    own = next(r for r in mocks.created if r.typ == "aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert own.inputs["rule"]["objectOwnership"] == "BucketOwnerEnforced"
    assert not [r for r in mocks.created if r.typ in ("aws:s3/bucketPolicy:BucketPolicy", "aws:s3/bucketAcl:BucketAcl",
                                                     "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration")]

    objects = {r.inputs["key"]: r for r in mocks.created if r.typ == "aws:s3/bucketObjectv2:BucketObjectv2"}
    assert set(objects) == {k for k, _ in files}
    assert ".eventbus-catalog" not in objects
    assert objects["index.html"].inputs["contentType"] == "text/html; charset=utf-8"
    assert objects[asset(sample_site, "style.css").relative_to(sample_site).as_posix()].inputs["contentType"] == "text/css; charset=utf-8"
    assert objects[asset(sample_site, "app.js").relative_to(sample_site).as_posix()].inputs["contentType"] == "text/javascript; charset=utf-8"
    assert objects["events/claims/contention_created/v1.avsc"].inputs["contentType"] == "application/json"
    assert objects["asyncapi/eventbus.json"].inputs["contentType"] == "application/json"
    assert objects["map.svg"].inputs["contentType"] == "image/svg+xml"
    assert objects["backstage/catalog-info.yaml"].inputs["contentType"].startswith("application/yaml")
    assert all(o.inputs.get("acl") is None for o in objects.values())  # no public-read object ACLs
    key = "events/claims/contention_created.html"
    assert seen[f"aws:s3/bucketObjectv2:BucketObjectv2::catalog/{key}"]["parent"] is resources[1]


def test_sandbox_bucket_is_not_protected(sample_site):
    mocks, seen, _ = run("sandbox", sample_site)
    bucket = next(r for r in mocks.created if r.typ == "aws:s3/bucket:Bucket")
    assert bucket.inputs["bucket"] == "eeb-sandbox-event-catalog"
    assert seen["aws:s3/bucket:Bucket::catalog-bucket"]["protect"] is False


def test_local_stack_declares_nothing(sample_site):
    mocks, _, resources = run("local", sample_site)
    assert resources == [] and mocks.created == []


def test_missing_site_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="eventbus catalog build"):
        run("prod", tmp_path / "nothing")


@pytest.mark.parametrize("name, expected", [("a.html", "text/html; charset=utf-8"), ("x/y.json", "application/json"),
                                            ("v1.avsc", "application/json"), ("f.woff2", "font/woff2"), ("blob", "application/octet-stream")])
def test_content_types(name, expected):
    assert content_type(name) == expected
