"""principal-partition"""
import re

from eventbus.rules import Rule

PARTITION = re.compile(r"^arn:([a-z-]+):")


class PrincipalPartition(Rule):
    """IAM principals of an environment use the AWS partition of that environment's stacks (``aws-us-gov`` in GovCloud).

    A role in GovCloud cannot trust a principal of the commercial partition (or the other
    way round): IAM refuses the trust policy and the whole stack's deploy fails.
    """

    id = "principal-partition"
    hint = "write the principal's ARN in the stack's partition, e.g. arn:aws-us-gov:iam::<account>:role/<name>"

    def check(self, ctx):
        want: dict[str, set[str]] = {}
        for s in ctx.registry.stacks:
            if s.target == "aws":
                want.setdefault(s.environment, set()).add(s.partition)
        for c in ctx.registry.consumers:
            for env, arns in c.principals.items():
                parts = want.get(env)
                if not parts:
                    continue
                for i, arn in enumerate(arns):
                    m = PARTITION.match(arn)
                    if m and m.group(1) not in parts:
                        yield self.finding(
                            c.pos.loc("principals", env, i),
                            f"principal {arn} is in partition '{m.group(1)}', but the '{env}' stacks run in '{', '.join(sorted(parts))}'",
                            f"use arn:{sorted(parts)[0]}:iam::... for {env}",
                        )
