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
from dataclasses import dataclass

import pulumi

from eventbus.adapters.pulumi_program.scope import CATALOG
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


@dataclass(frozen=True)
class CatalogSiteArgs:
    """The bucket of a stack's catalog and the site files it holds."""

    bucket: str
    protect: bool  # the bucket is protected and retained on delete
    stack: str
    environment: str
    files: tuple[tuple[str, str], ...]  # (object key, file path) of the objects declared
    file_count: int  # how many files the site has (all of them, also on a deploy that declares only some)

    @classmethod
    def of(cls, state: DesiredState, stack: StackConfig, site_dir: str, keys: frozenset[str] | None = None) -> CatalogSiteArgs | None:
        """The catalog of ``stack`` built in ``site_dir`` (only the objects ``keys`` when given);
        None unless the stack publishes it to S3."""
        spec = state.catalog
        if spec is None or spec.target != "s3":
            return None
        if not os.path.isfile(os.path.join(site_dir, "index.html")):
            raise FileNotFoundError(f"no built catalog in {site_dir}: run `eventbus catalog build --out {site_dir}` before the deploy")
        files = site_files(site_dir)
        return cls(spec.location, stack.protect, stack.name, stack.environment,
                   tuple(files if keys is None else [(k, p) for k, p in files if k in keys]), len(files))


class CatalogSite(pulumi.ComponentResource):
    """``eventbus:index:Catalog``, named ``catalog-<bucket>``: the bucket (its child), and the
    bucket's children: the four protections and one object per site file."""

    bucket: pulumi.Resource
    guards: list[pulumi.Resource]  # public access block, ownership controls, versioning, encryption
    objects: list[pulumi.Resource]
    bucket_name: pulumi.Output[str]
    file_count: pulumi.Output[int]  # how many files the site has

    def __init__(self, name: str, args: CatalogSiteArgs, opts: pulumi.ResourceOptions | None = None):
        import pulumi_aws as aws

        super().__init__(CATALOG, name, {}, opts)
        tags = {"eventbus:stack": args.stack, "eventbus:environment": args.environment, "managed-by": "eventbus-registry",
                "eventbus:purpose": "event-catalog"}
        bucket = aws.s3.Bucket(
            "catalog-bucket",
            bucket=args.bucket,
            force_destroy=False,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=args.protect),
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
        guards: list[pulumi.Resource] = [public_block, ownership, versioning, encryption]
        self.objects = [
            aws.s3.BucketObjectv2(
                object_name(key),
                bucket=bucket.id,
                key=key,
                source=pulumi.FileAsset(path),
                content_type=content_type(key),
                cache_control="no-cache" if key.endswith((".html", ".js", ".json", ".yaml")) else "max-age=3600",
                server_side_encryption="AES256",
                tags={"eventbus:stack": args.stack},
                opts=pulumi.ResourceOptions(parent=bucket, depends_on=guards),
            )
            for key, path in args.files
        ]
        self.bucket, self.guards = bucket, guards
        self.bucket_name = bucket.bucket
        self.file_count = pulumi.Output.from_input(args.file_count)
        self.register_outputs({"bucket": self.bucket_name, "objects": self.file_count})


def publish_catalog(state: DesiredState, stack: StackConfig, site_dir: str, keys: frozenset[str] | None = None) -> CatalogSite | None:
    """Declare the catalog of ``stack``: an S3 bucket with the site for cloud stacks (only the
    objects ``keys`` when given); nothing (None) for a local folder."""
    args = CatalogSiteArgs.of(state, stack, site_dir, keys)
    return CatalogSite(f"catalog-{args.bucket}", args) if args is not None else None
