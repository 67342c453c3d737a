"""principal-partition"""
import re

from eventbus.gate.rules import Rule

PARTITION = re.compile(r"^arn:([a-z-]+):")


class PrincipalPartition(Rule):
    """IAM principals of an environment use the AWS partition of that environment's stacks (``aws-us-gov`` in GovCloud).

    A role in GovCloud cannot trust a principal of the commercial partition (or the other
    way round): IAM refuses the trust policy and the whole stack's deploy fails.
    """

    id = "principal-partition"
    hint = "write the principal's ARN in the stack's partition, e.g. arn:aws-us-gov:iam::<account>:role/<name>"

    def check(self, ctx):
        want = {env: {s.partition for s in stacks if s.target == "aws"} for env, stacks in ctx.stacks_by_env.items()}
        for c, env, i, arn in ctx.principals():
            parts = want.get(env)
            m = PARTITION.match(arn)
            if parts and m and m.group(1) not in parts:
                yield self.finding(
                    c.pos.loc("principals", env, i),
                    f"principal {arn} is in partition '{m.group(1)}', but the '{env}' stacks run in '{', '.join(sorted(parts))}'",
                    f"use arn:{sorted(parts)[0]}:iam::... for {env}",
                )
