"""Shared Pulumi mocks: record every resource the program declares, with plausible ARNs."""
from __future__ import annotations

import pulumi


class Recorder(pulumi.runtime.Mocks):
    def __init__(self):
        self.created: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args):
        self.created.append(args)
        outs = dict(args.inputs)
        if args.typ == "aws:iam/role:Role":
            outs["arn"] = f"arn:aws-us-gov:iam::210987654321:role/{args.inputs['name']}"
        elif args.typ in ("aws:glue/registry:Registry", "aws:glue/schema:Schema"):
            outs["arn"] = f"arn:aws-us-gov:glue:us-gov-west-1:210987654321:{args.name}"
        elif args.typ == "aws:s3/bucket:Bucket":
            outs["arn"] = f"arn:aws-us-gov:s3:::{args.inputs['bucket']}"
        return [f"{args.name}-id", outs]

    def call(self, args):
        return {}
