#!/usr/bin/env bash
# CI: the required check "owner approvals". A new event, a new application or an owner change
# needs the approval of the team it names as owner, which CODEOWNERS at the base cannot ask for.
#   GH_TOKEN=... GH_REPO=owner/name scripts/ci/approvals.sh PR_NUMBER BASE_SHA HEAD_SHA
# EVENTBUS_ROOT is the pull request's tree (data only: this script and `eventbus` are the base
# branch's). Reads the reviews and team memberships through `gh api`. Exit 0 when every claimed
# owner team approved HEAD_SHA, 1 when one has not, 2 when GitHub cannot be read.
# BASE_REF is the pull request's base branch: it must be main, because a pull request onto
# another branch (which already holds what it adds) would claim nothing, and the check's success
# stays on the head commit when the pull request is retargeted onto main.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mkdir -p "$OUT"

pr="${1:?usage: scripts/ci/approvals.sh PR_NUMBER BASE_SHA HEAD_SHA}"
base="${2:?usage: scripts/ci/approvals.sh PR_NUMBER BASE_SHA HEAD_SHA}"
head="${3:?usage: scripts/ci/approvals.sh PR_NUMBER BASE_SHA HEAD_SHA}"
[[ "$pr" =~ ^[1-9][0-9]*$ ]] || die "not a pull request number: '$pr'"
[[ "$head" =~ ^[0-9a-f]{40}$ ]] || die "not a commit: '$head'"
check_ref "$base"
repo="${GH_REPO:?GH_REPO (owner/name) is not set}"
[[ -n "${GH_TOKEN:-}" ]] || die "GH_TOKEN is empty: the check needs a token that reads team membership (fails closed)"
[[ "${BASE_REF:-}" == main ]] || die "the base branch is '${BASE_REF:-}', not main: claims are only checked against main (fails closed)"
mb="$(merge_base "$base")" || die "no merge base of '$base' and HEAD (checkout needs fetch-depth: 0)"

rc=0
"$EVENTBUS" codeowners --approvals "$mb" --pr "$pr" --repo "$repo" --head "$head" > "$OUT/owner-approvals.txt" 2>&1 || rc=$?
print_untrusted "$OUT/owner-approvals.txt"
{ printf '### owner approvals\n\n```\n'; cat "$OUT/owner-approvals.txt"; printf '```\n'; } | summary
exit "$rc"
