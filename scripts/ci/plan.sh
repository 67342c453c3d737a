#!/usr/bin/env bash
# CI: the review plan of a pull request.
#   scripts/ci/plan.sh BASE_REF
# Writes out/plan.md, out/plan.json, out/approvals.md and out/plan-comment.md (the sticky
# comment's body: the plan, which starts with the <!-- eventbus-plan --> marker, then whose
# approval the change needs; cut to GitHub's comment size). Step outputs: `stacks`, a JSON list
# of the stacks to preview (those whose desired state changes, or all deployed stacks when the
# Pulumi program or the stack files change), and `comment` (the body).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mkdir -p "$OUT"

base="${1:?usage: scripts/ci/plan.sh BASE_REF}"
mb="$(merge_base "$base")" || die "no merge base of '$base' and HEAD (checkout needs fetch-depth: 0)"
log "plan against the merge base $mb of $base and HEAD"
# the plan's heading names its base: the ref as given when it is the merge base itself
label="$mb"
if [[ "$(git -C "$ROOT" rev-parse --verify -q "$base^{commit}")" == "$mb" ]]; then label="$base"; fi

"$EVENTBUS" plan --base "$label" --output "$OUT/plan.md"
"$EVENTBUS" plan --base "$label" --format json --output "$OUT/plan.json"
"$EVENTBUS" codeowners --approvals "$mb" --output "$OUT/approvals.md"
git -C "$ROOT" diff --name-only --no-renames "$mb" HEAD -- > "$OUT/changed-files.txt"

"$PYTHON" - "$OUT" "$PLAN_MARKER" <<'PY'
import json, os, re, sys

out, marker = sys.argv[1], sys.argv[2]
LIMIT = 65_000  # GitHub refuses comments over 65,536 characters
plan = open(os.path.join(out, "plan.md"), encoding="utf-8").read()
approvals = open(os.path.join(out, "approvals.md"), encoding="utf-8").read()
if not plan.startswith(marker):
    sys.exit(f"plan.md does not start with {marker}")
body = plan.rstrip("\n") + "\n\n" + approvals.rstrip("\n") + "\n"
if len(body) > LIMIT:
    note = "\n\n> ✂️ The plan is longer than a comment can hold: the full plan is in this run's job summary.\n\n"
    room = LIMIT - len(note) - len(approvals)
    cut = plan[:room - 100].rsplit("\n", 1)[0]
    cut += "\n\n</details>" * (cut.count("<details>") - cut.count("</details>"))  # close a folded section
    body = cut + note + approvals.rstrip("\n") + "\n"
open(os.path.join(out, "plan-comment.md"), "w", encoding="utf-8").write(body)

data = json.load(open(os.path.join(out, "plan.json"), encoding="utf-8"))
changed = [l for l in open(os.path.join(out, "changed-files.txt"), encoding="utf-8").read().splitlines() if l]
program = [f for f in changed if re.match(r"^(infra/|Pulumi\.[^/]*\.yaml$|Pulumi\.yaml$|pyproject\.toml$)", f)]
stacks = [s["stack"] for s in data["stacks"] if program or s["risks"] or s["events"] or s["apps"]]
open(os.path.join(out, "preview-stacks.json"), "w").write(json.dumps(sorted(stacks)))
PY

output stacks "$(cat "$OUT/preview-stacks.json")"
output_file comment "$OUT/plan-comment.md"
summary < "$OUT/plan.md"
summary < "$OUT/approvals.md"
print_untrusted "$OUT/plan-comment.md"
