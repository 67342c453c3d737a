#!/usr/bin/env bash
# CI: the review plan of a pull request.
#   scripts/ci/plan.sh BASE_REF
# Writes into out/: plan.md, plan.json, approvals.md/.json, changed-files.txt, plan-comment.md
# (the sticky comment's body: the <!-- eventbus-plan --> marker, a warning when the pull request
# changes the control plane, the plan, whose approval the change needs; cut to GitHub's comment
# size) and preview-stacks.json. Step outputs: `stacks`, the JSON list of stacks to preview (those
# whose desired state changes, or all deployed stacks when the Pulumi program or the stack files
# change), and `comment` (the body). In the workflow this script and `eventbus` are the base
# branch's, and EVENTBUS_ROOT is the pull request's tree, read as data.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mkdir -p "$OUT"

base="${1:?usage: scripts/ci/plan.sh BASE_REF}"
mb="$(merge_base "$base")" || die "no merge base of '$base' and HEAD (checkout needs fetch-depth: 0)"
log "plan against the merge base $mb of $base and HEAD"
# the plan's heading names its base: the ref as given when it is the merge base itself
label="$mb"
if [[ "$(git -C "$ROOT" rev-parse --verify -q "$base^{commit}")" == "$mb" ]]; then label="$base"; fi

"$EVENTBUS" plan --base "$label" --ci-out "$OUT" >&2

output stacks "$(cat "$OUT/preview-stacks.json")"
output_file comment "$OUT/plan-comment.md"
summary < "$OUT/plan.md"
summary < "$OUT/approvals.md"
print_untrusted "$OUT/plan-comment.md"
