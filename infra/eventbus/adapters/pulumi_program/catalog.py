"""Publish the built Event Catalog with the deploy.

* cloud stacks (``state.catalog.target == "s3"``): a private, versioned,
  encrypted S3 bucket (public access blocked on all four settings, bucket
  owner enforced, so no ACL can make an object public) and one object per
  file of the built site, with its content type;
* local stacks (``"folder"``): nothing to declare, ``eventbus catalog build``
  writes the folder (``.state/catalog``).

The site is built before the program runs (``eventbus catalog build --out
DIR``); its output is deterministic, so an unchanged catalog changes no
object. A partial deploy declares only the objects whose file changed (the
deploy driver compares each file's hash with the object's in the state).
"""
from __future__ import annotations

import mimetypes
import os

import pulumi

from eventbus.desired import DesiredState
from eventbus.model.stack import StackConfig

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".yaml": "application/yaml; charset=utf-8",
    ".yml": "application/yaml; charset=utf-8",
    ".avsc": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}
SKIP = {".eventbus-catalog"}
OBJECT_TYPE = "aws:s3/bucketObjectv2:BucketObjectv2"


def object_name(key: str) -> str:
    """The Pulumi name of the object holding the site file ``key``."""
    return f"catalog/{key}"


class CatalogComponent(pulumi.ComponentResource):
    """``eventbus:index:Catalog``: the bucket, its protections and the site's objects."""

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eventbus:index:Catalog", name, {}, opts)


def content_type(path: str) -> str:
    ext = os.path.splitext(path)[1].lower()
    return CONTENT_TYPES.get(ext) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def site_files(site_dir: str) -> list[tuple[str, str]]:
    """(object key, file path) of every file of the built site, sorted by key."""
    out = []
    for dirpath, dirnames, filenames in os.walk(site_dir):
        dirnames.sort()
        for f in sorted(filenames):
            if f in SKIP or f.startswith("."):
                continue
            path = os.path.join(dirpath, f)
            key = os.path.relpath(path, site_dir).replace(os.sep, "/")
            out.append((key, path))
    return sorted(out)


def publish_catalog(state: DesiredState, stack: StackConfig, site_dir: str, keys: frozenset[str] | None = None) -> list[pulumi.Resource]:
    """Declare the catalog of ``stack``: an S3 bucket with the site for cloud stacks (only the
    objects ``keys`` when given); nothing for a local folder."""
    spec = state.catalog
    if spec is None or spec.target != "s3":
        return []
    if not os.path.isfile(os.path.join(site_dir, "index.html")):
        raise FileNotFoundError(f"no built catalog in {site_dir}: run `eventbus catalog build --out {site_dir}` before the deploy")
    import pulumi_aws as aws

    bucket_name = spec.location
    component = CatalogComponent(f"catalog-{bucket_name}")
    tags = {"eventbus:stack": stack.name, "eventbus:environment": stack.environment, "managed-by": "eventbus-registry",
            "eventbus:purpose": "event-catalog"}
    bucket = aws.s3.Bucket(
        "catalog-bucket",
        bucket=bucket_name,
        force_destroy=False,
        tags=tags,
        opts=pulumi.ResourceOptions(parent=component, protect=stack.protect, retain_on_delete=stack.protect),
    )
    on_bucket = pulumi.ResourceOptions(parent=bucket)
    public_block = aws.s3.BucketPublicAccessBlock(
        "catalog-public-access-block",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=on_bucket,
    )
    ownership = aws.s3.BucketOwnershipControls(
        "catalog-ownership",
        bucket=bucket.id,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
        opts=on_bucket,
    )
    versioning = aws.s3.BucketVersioning(
        "catalog-versioning",
        bucket=bucket.id,
        versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
        opts=on_bucket,
    )
    encryption = aws.s3.BucketServerSideEncryptionConfiguration(
        "catalog-encryption",
        bucket=bucket.id,
        rules=[aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
            apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="AES256"),
            bucket_key_enabled=True,
        )],
        opts=on_bucket,
    )
    guards = [public_block, ownership, versioning, encryption]
    objects = []
    files = site_files(site_dir)
    for key, path in files if keys is None else [(k, p) for k, p in files if k in keys]:
        objects.append(
            aws.s3.BucketObjectv2(
                object_name(key),
                bucket=bucket.id,
                key=key,
                source=pulumi.FileAsset(path),
                content_type=content_type(key),
                cache_control="no-cache" if key.endswith((".html", ".js", ".json", ".yaml")) else "max-age=3600",
                server_side_encryption="AES256",
                tags={"eventbus:stack": stack.name},
                opts=pulumi.ResourceOptions(parent=bucket, depends_on=guards),
            )
        )
    component.register_outputs({"bucket": bucket.bucket, "objects": len(files)})
    return [component, bucket, *guards, *objects]
