#!/usr/bin/env bash
# shellcheck disable=SC2016  # Markdown backticks in printf formats, not shell
# CI: open, update or close THE drift issue (one open issue labelled `drift`, written by the
# workflow's token) from the reports of scripts/ci/pulumi.sh drift.
#   GH_TOKEN=... GH_REPO=owner/name scripts/ci/drift-issue.sh REPORT_DIR
# Drift on any stack: the open drift issue gets the new report (body) and a comment, or one is
# opened. No drift anywhere: an open drift issue is closed with a comment. A stack that could
# not be checked is listed in the issue and makes this script exit 1 (the run turns red).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mkdir -p "$OUT"

dir="${1:?usage: scripts/ci/drift-issue.sh REPORT_DIR}"
repo="${GH_REPO:?GH_REPO (owner/name) is not set}"
[[ "$repo" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || die "not a repository: '$repo'"
shopt -s nullglob
reports=("$dir"/*.status)
(( ${#reports[@]} )) || die "no drift reports (*.status) in $dir"

drifted=() failed=() clean=()
for f in "${reports[@]}"; do
    s="$(basename "$f" .status)"
    case "$(cat "$f")" in
        clean) clean+=("$s") ;;
        drift) drifted+=("$s") ;;
        *) failed+=("$s") ;;
    esac
done
run_url="${GITHUB_SERVER_URL:-https://github.com}/$repo/actions/runs/${GITHUB_RUN_ID:-0}"
log "drift: ${drifted[*]:-none}; not checked: ${failed[*]:-none}; clean: ${clean[*]:-none}"

issue="$(gh api "repos/$repo/issues?state=open&labels=drift&per_page=100" \
    --jq "[.[] | select(.pull_request == null and .user.login == \"$BOT_LOGIN\")] | sort_by(.number) | .[0].number // empty")"

body="$OUT/drift-issue.md"
{
    printf '%s\n## Live state differs from the registry\n\n' "$DRIFT_MARKER"
    printf 'Found by the scheduled drift check, [run %s](%s), on %s.\n\n' "${GITHUB_RUN_ID:-local}" "$run_url" "$(date -u +%FT%TZ)"
    printf 'Someone changed the cluster, IAM or the schema registry outside a pull request, or a deploy\n'
    printf 'failed halfway. Bring the live state back by re-running the deploy of `main`, or put the\n'
    printf 'change into the registry by pull request. This issue is updated by every check and closed by\n'
    printf 'the first one that finds no drift.\n\n'
    for s in "${drifted[@]}" "${failed[@]}" "${clean[@]}"; do
        cat "$dir/$s.md"
        printf '\n'
    done
} > "$body"

if (( ${#drifted[@]} )); then
    if [[ -n "$issue" ]]; then
        gh api --method PATCH "repos/$repo/issues/$issue" -F "body=@$body" --jq .html_url
        gh api --method POST "repos/$repo/issues/$issue/comments" \
            -f "body=Still drifting on ${drifted[*]} ([run ${GITHUB_RUN_ID:-local}]($run_url)); the description holds the latest report." --jq .html_url
        log "updated drift issue #$issue"
    else
        gh api --method POST "repos/$repo/issues" -f "title=Drift: live state differs from the registry" \
            -F "body=@$body" -f "labels[]=drift" --jq .html_url
        log "opened a drift issue"
    fi
elif (( ${#failed[@]} == 0 )) && [[ -n "$issue" ]]; then
    gh api --method POST "repos/$repo/issues/$issue/comments" \
        -f "body=No drift on ${clean[*]} any more ([run ${GITHUB_RUN_ID:-local}]($run_url)). Closing." --jq .html_url
    gh api --method PATCH "repos/$repo/issues/$issue" -f state=closed -f state_reason=completed --jq .html_url
    log "closed drift issue #$issue"
else
    log "no drift"
fi
summary < "$body"
(( ${#failed[@]} == 0 )) || die "could not check: ${failed[*]}"
