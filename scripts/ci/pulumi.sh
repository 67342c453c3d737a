#!/usr/bin/env bash
# shellcheck disable=SC2016  # Markdown backticks in printf formats, not shell
# CI: Pulumi on one stack, with the cloud credentials already in the environment (OIDC).
#   scripts/ci/pulumi.sh preview STACK   what a merge would do (pull requests; read-only role)
#   scripts/ci/pulumi.sh up STACK        deploy (main, one stack at a time)
#                                        preview and up go through `eventbus deploy`: only what changed
#                                        since the commit last deployed to the stack, when that is safe
#   scripts/ci/pulumi.sh drift STACK     live state vs the registry (schedule; read-only role):
#                                        writes out/drift/STACK.status (clean|drift|error) and
#                                        out/drift/STACK.md; exit 0 clean or drift, 1 error
# Needs PULUMI_BACKEND_URL (the stack's state backend). preview and up first build the stack's
# catalog (out/catalog/STACK, that stack only), which the program uploads. Cloud stacks keep their config secrets
# with the awskms secrets provider (PULUMI_SECRETS_PROVIDER when a stack is first created), so
# CI needs no passphrase. Logs go to out/pulumi-ACTION-STACK.log as well.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mkdir -p "$OUT"

action="${1:?usage: scripts/ci/pulumi.sh preview|up|drift STACK}"
stack="${2:?usage: scripts/ci/pulumi.sh preview|up|drift STACK}"
check_stack "$stack"
case "$action" in preview|up|drift) ;; *) die "unknown action '$action' (preview, up or drift)" ;; esac

local=0
if "$EVENTBUS" stacks --purpose local --names | grep -qxF "$stack"; then local=1; fi
logf="$OUT/pulumi-$action-$stack.log"
cd "$ROOT"

if [[ "$action" == drift && "$local" == 1 ]]; then
    # a broker reached with the admin's SASL credentials: compare through the Kafka admin API
    mkdir -p "$OUT/drift"
    rc=0
    "$EVENTBUS" drift --stack "$stack" > "$logf" 2>&1 || rc=$?
    cat "$logf"
    case "$rc" in 0) status=clean ;; 1) status=drift ;; *) status=error ;; esac
else
    pulumi_engine
    if [[ "$action" != up ]]; then
        # preview and drift run with a read-only role (a pull request's preview runs its code):
        # no passphrase reaches them, and the role has no kms:Decrypt on the stack's key, so the
        # stack's secrets cannot be decrypted there (docs/pull-requests.md, "Security model"); nor
        # does any secret the program reads from the environment (adapters/pulumi_program) reach them
        unset PULUMI_CONFIG_PASSPHRASE PULUMI_CONFIG_PASSPHRASE_FILE EVENTBUS_SCHEMA_REGISTRY_PASSWORD EVENTBUS_SCRAM_SEED KAFKA_ADMIN_PASSWORD
    fi
    if [[ "$action" != drift ]]; then
        # the catalog this stack's deploy uploads: built once, here, for exactly this stack, with the schema id the
        # registry gave each version the last deploy registered (its stack output `subjects`; new versions say
        # "assigned at deploy" until the next one)
        EVENTBUS_CATALOG_DIR="$OUT/catalog/$stack"
        export EVENTBUS_CATALOG_DIR
        ids=()
        if pulumi stack output subjects --json --stack "$stack" > "$OUT/schema-ids-$stack.json" 2>/dev/null && [[ -s "$OUT/schema-ids-$stack.json" ]]; then
            ids=(--schema-ids "$OUT/schema-ids-$stack.json")
        fi
        "$EVENTBUS" catalog build --stack "$stack" "${ids[@]}" --out "$EVENTBUS_CATALOG_DIR" >&2
    fi
    if [[ "$action" == up ]]; then
        pulumi stack select --create --non-interactive \
            --secrets-provider "${PULUMI_SECRETS_PROVIDER:-awskms://alias/eeb-pulumi-$stack?region=${AWS_REGION:-us-gov-west-1}}" "$stack"
    else
        pulumi stack select --non-interactive "$stack"
    fi
    common=(--non-interactive --color never --diff)
    rc=0
    case "$action" in
        preview) "$EVENTBUS" --root "$ROOT" deploy --stack "$stack" --preview -- "${common[@]}" 2>&1 | tee "$logf" || rc=$? ;;
        up)      "$EVENTBUS" --root "$ROOT" deploy --stack "$stack" -- --yes --suppress-outputs "${common[@]}" 2>&1 | tee "$logf" || rc=$? ;;
        drift)   pulumi preview --refresh --expect-no-changes --stack "$stack" "${common[@]}" > "$logf" 2>&1 || rc=$?
                 cat "$logf" ;;
    esac
    if [[ "$action" != drift ]]; then
        {
            printf '### pulumi %s `%s`\n\n<details><summary>output (exit %s)</summary>\n\n```\n' "$action" "$stack" "$rc"
            tail -n 400 "$logf"
            printf '```\n\n</details>\n'
        } | summary
        exit "$rc"
    fi
    if [[ "$rc" == 0 ]]; then status=clean
    elif grep -q "no changes were expected" "$logf"; then status=drift
    else status=error
    fi
fi

# drift: one status file and one Markdown section per stack, for scripts/ci/drift-issue.sh
mkdir -p "$OUT/drift"
printf '%s\n' "$status" > "$OUT/drift/$stack.status"
{
    case "$status" in
        clean) printf '### `%s`: no drift\n' "$stack" ;;
        drift) printf '### `%s`: live state differs from the registry\n\n```\n' "$stack"; tail -n 300 "$logf"; printf '```\n' ;;
        error) printf '### `%s`: could not be checked\n\n```\n' "$stack"; tail -n 60 "$logf"; printf '```\n' ;;
    esac
} > "$OUT/drift/$stack.md"
summary < "$OUT/drift/$stack.md"
log "stack $stack: $status"
[[ "$status" != error ]]
