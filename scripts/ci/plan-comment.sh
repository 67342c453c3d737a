#!/usr/bin/env bash
# CI: post the plan as ONE sticky pull-request comment, updated in place on every push.
#   GH_TOKEN=... GH_REPO=owner/name scripts/ci/plan-comment.sh PR_NUMBER [BODY_FILE]
# The body comes from BODY_FILE or, without one, from $PLAN_COMMENT. It must start with the
# <!-- eventbus-plan --> marker: the earlier comment is the one that starts with it and was
# written by the workflow's own token (github-actions[bot]), so nobody else's comment is edited.
# Uses the GitHub REST API through `gh api`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mkdir -p "$OUT"

pr="${1:?usage: scripts/ci/plan-comment.sh PR_NUMBER [BODY_FILE]}"
[[ "$pr" =~ ^[1-9][0-9]*$ ]] || die "not a pull request number: '$pr'"
repo="${GH_REPO:?GH_REPO (owner/name) is not set}"
[[ "$repo" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || die "not a repository: '$repo'"

body="${2:-}"
if [[ -z "$body" ]]; then
    body="$OUT/plan-comment.md"
    printf '%s\n' "${PLAN_COMMENT:?no BODY_FILE and no PLAN_COMMENT}" > "$body"
fi
[[ -f "$body" ]] || die "no such file: $body"
[[ "$(head -n 1 "$body")" == "$PLAN_MARKER" ]] || die "the body must start with $PLAN_MARKER"

ids="$(gh api --paginate "repos/$repo/issues/$pr/comments?per_page=100" \
    --jq ".[] | select(.user.login == \"$BOT_LOGIN\" and (.body | startswith(\"$PLAN_MARKER\"))) | .id")"
id="${ids%%$'\n'*}"
if [[ -n "$id" ]]; then
    gh api --method PATCH "repos/$repo/issues/comments/$id" -F "body=@$body" --jq .html_url
    log "updated the plan comment $id on #$pr"
else
    gh api --method POST "repos/$repo/issues/$pr/comments" -F "body=@$body" --jq .html_url
    log "posted the plan comment on #$pr"
fi
