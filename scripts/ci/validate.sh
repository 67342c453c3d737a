#!/usr/bin/env bash
# CI: the gate. Annotations on the changed lines (GitHub workflow commands), a SARIF report for
# code scanning (out/eventbus.sarif) and a job summary.
#   scripts/ci/validate.sh [BASE_REF]    BASE_REF: the pull request's base (history rules run
#                                        against its merge base with HEAD); none: no history rules
# Exit: 0 gate passed, 1 errors found (or bad input), 2 internal or usage error.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mkdir -p "$OUT"

args=()
if [[ -n "${1:-}" ]]; then
    check_ref "$1"
    if mb="$(merge_base "$1")"; then
        args=(--base "$mb")
        log "history rules against the merge base $mb of $1 and HEAD"
    elif [[ "$1" =~ ^0+$ ]]; then
        log "no previous commit (first push): history rules skipped"
    else
        die "no merge base of '$1' and HEAD (is the history fetched? checkout needs fetch-depth: 0)"
    fi
fi

sarif="$OUT/eventbus.sarif"
text="$OUT/validate.txt"
rc_sarif=0
NO_COLOR=1 "$EVENTBUS" validate "${args[@]}" --format sarif --output "$sarif" > "$text" || rc_sarif=$?
print_untrusted "$text"
rc=0
"$EVENTBUS" validate "${args[@]}" --format github || rc=$?
[[ "$rc_sarif" -le 1 ]] || rc="$rc_sarif"

{
    printf '### eventbus validate\n\n'
    printf '```\n'
    cat "$text"
    printf '```\n'
} | summary
log "SARIF report: $sarif"
exit "$rc"
