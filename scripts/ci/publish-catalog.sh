#!/usr/bin/env bash
# shellcheck disable=SC2016  # Markdown backticks in printf formats, not shell
# CI: the deploy's last step, after `pulumi up` on STACK. The Pulumi program publishes the event
# catalog (cloud stacks: a private, versioned S3 bucket; see the stack's `eventbus:catalog`)
# during `pulumi up`; this builds the same site from the merged tree (a broken catalog fails the
# deploy run) and records where it was published, from the stack output `catalog`.
#   scripts/ci/publish-catalog.sh STACK
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mkdir -p "$OUT"

stack="${1:?usage: scripts/ci/publish-catalog.sh STACK}"
check_stack "$stack"
if ! "$EVENTBUS" catalog --help > /dev/null 2>&1; then
    echo "::warning title=catalog::this version of eventbus has no catalog command; nothing to publish"
    exit 0
fi
site="$OUT/catalog/$stack"
"$EVENTBUS" catalog build --stack "$stack" --out "$site"

pulumi_engine
cd "$ROOT"
where="$(pulumi stack output catalog --stack "$stack" --json 2>/dev/null || echo null)"
log "catalog of $stack: $where"
{
    printf '### Event catalog (`%s`)\n\n' "$stack"
    printf 'Built from this commit (%s files); published by `pulumi up` to: `%s`\n' \
        "$(find "$site" -type f | wc -l | tr -d ' ')" "$(printf '%s' "$where" | tr -d '\n')"
} | summary
