#!/usr/bin/env bash
# shellcheck disable=SC2016  # Markdown backticks in printf formats, not shell
# CI: the deploy's last step, after `scripts/ci/pulumi.sh up STACK`. That step built the stack's
# catalog (out/catalog/STACK, for that stack only) and `pulumi up` uploaded it (cloud stacks: a
# private, versioned S3 bucket; see the stack's `eventbus:catalog`). This records, on the job's
# summary, what was built and where it went (the stack output `catalog`).
#   scripts/ci/publish-catalog.sh STACK
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mkdir -p "$OUT"

stack="${1:?usage: scripts/ci/publish-catalog.sh STACK}"
check_stack "$stack"
site="$OUT/catalog/$stack"
[[ -f "$site/index.html" ]] || die "no catalog in $site: scripts/ci/pulumi.sh up $stack builds it"

pulumi_engine
cd "$ROOT"
where="$(pulumi stack output catalog --stack "$stack" --json 2>/dev/null || echo null)"
log "catalog of $stack: $where"
{
    printf '### Event catalog (`%s`)\n\n' "$stack"
    printf 'Built for stack %s from this commit (%s files); published by `pulumi up` to: `%s`\n' \
        "$stack" "$(find "$site" -type f | wc -l | tr -d ' ')" "$(printf '%s' "$where" | tr -d '\n')"
} | summary
