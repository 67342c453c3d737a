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
from tests.pulumi_mocks import Run, run_mocked


def run(stack_name: str, site_dir) -> Run:
    """publish_catalog inside a mocked Pulumi program; ``run.result`` is the component (or None)."""
    stack = load_stack(str(REPO), stack_name)
    state = compute(load_registry(str(REPO)).registry, stack)
    return run_mocked(stack_name, lambda: publish_catalog(state, stack, str(site_dir)))


@pytest.fixture(autouse=True)
def _fresh_runtime():
    yield
    pulumi.runtime.reset_options()


def test_prod_catalog_is_a_private_versioned_encrypted_bucket_with_every_file(sample_site):
    published = run("prod", sample_site)
    mocks, site = published.mocks, published.result
    kinds = Counter(r.typ for r in mocks.created)
    files = site_files(str(sample_site))
    assert kinds["aws:s3/bucket:Bucket"] == 1
    assert kinds["aws:s3/bucketObjectv2:BucketObjectv2"] == len(files) > 50
    assert kinds["eventbus:index:Catalog"] == 1 and len(mocks.created) == 6 + len(files)  # the component, the bucket, 4 guards, the objects
    assert len(site.guards) == 4 and len(site.objects) == len(files)
    component = "urn:pulumi:prod::eventbus::eventbus:index:Catalog::catalog-eeb-prod-event-catalog"
    bucket_urn = "urn:pulumi:prod::eventbus::eventbus:index:Catalog$aws:s3/bucket:Bucket::catalog-bucket"
    assert published.of("eventbus:index:Catalog", "catalog-eeb-prod-event-catalog").urn == component
    assert published.of("aws:s3/bucket:Bucket", "catalog-bucket").parent == component
    assert all(published.of(r.typ, r.name).parent == bucket_urn for r in mocks.created if r.typ.startswith("aws:s3/bucket") and r.typ != "aws:s3/bucket:Bucket")

    bucket = next(r for r in mocks.created if r.typ == "aws:s3/bucket:Bucket")
    assert bucket.inputs["bucket"] == "eeb-prod-event-catalog" and bucket.inputs.get("forceDestroy") in (False, None)
    opts = published.of("aws:s3/bucket:Bucket", "catalog-bucket")
    assert opts.protect is True and opts.retain_on_delete is True  # prod protects

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
    page = published.of("aws:s3/bucketObjectv2:BucketObjectv2", f"catalog/{key}")
    assert page.urn == f"urn:pulumi:prod::eventbus::eventbus:index:Catalog$aws:s3/bucket:Bucket$aws:s3/bucketObjectv2:BucketObjectv2::catalog/{key}"
    guards = {published.of(r.typ, r.name).urn for r in mocks.created if r.typ.startswith("aws:s3/bucket") and r.typ not in (
        "aws:s3/bucket:Bucket", "aws:s3/bucketObjectv2:BucketObjectv2")}
    assert len(guards) == 4 and set(page.dependencies) >= guards  # uploaded only once the bucket is private


def test_sandbox_bucket_is_not_protected(sample_site):
    published = run("sandbox", sample_site)
    bucket = next(r for r in published.mocks.created if r.typ == "aws:s3/bucket:Bucket")
    assert bucket.inputs["bucket"] == "eeb-sandbox-event-catalog"
    assert published.of("aws:s3/bucket:Bucket", "catalog-bucket").protect is False


def test_local_stack_declares_nothing(sample_site):
    published = run("local", sample_site)
    assert published.result is None and published.mocks.created == []


def test_missing_site_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="eventbus catalog build"):
        run("prod", tmp_path / "nothing")


@pytest.mark.parametrize("name, expected", [("a.html", "text/html; charset=utf-8"), ("x/y.json", "application/json"),
                                            ("v1.avsc", "application/json"), ("f.woff2", "font/woff2"), ("blob", "application/octet-stream")])
def test_content_types(name, expected):
    assert content_type(name) == expected
