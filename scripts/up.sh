#!/usr/bin/env bash
# The main job, on this machine: set up, start a real Kafka broker and schema registry, validate the registry, show the
# plan, deploy the `local` stack with the real Pulumi engine (which also writes the catalog), and
# say where everything is. Safe to re-run: a second run is fast and changes nothing.
#
#   scripts/up.sh            # everything (the deploy: only what changed since the last one, when that is safe)
#   scripts/up.sh --full     # the same, with a full deploy (after changes behind the program's back)
#   scripts/up.sh --down     # stop the broker and the registry (state, caches and credentials are kept)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
STATE="${EVENTBUS_STATE:-$REPO/.state}"
export EVENTBUS_STATE="$STATE"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }
[[ -t 2 ]] || step() { printf '\n==> %s\n' "$*" >&2; }

full=()
[[ "${1:-}" == "--full" ]] && full=(--full)
if [[ "${1:-}" == "--down" ]]; then
  bash scripts/schema-registry.sh stop
  bash scripts/kafka-broker.sh stop
  exit 0
fi

step "1/7 Python environment"
bash scripts/setup.sh

step "2/7 Pulumi engine (built from Go modules on first run: several minutes)"
bash scripts/pulumi-engine.sh build
eval "$(bash scripts/pulumi-engine.sh env)"

step "3/7 Kafka broker and schema registry (from Maven Central on first run)"
bash scripts/schema-registry.sh start &   # both JVMs start at once
registry_pid=$!
bash scripts/kafka-broker.sh start
wait "$registry_pid" || { echo "the schema registry did not start (scripts/schema-registry.sh logs)" >&2; exit 1; }
eval "$(bash scripts/kafka-broker.sh env)"
eval "$(bash scripts/schema-registry.sh env)"
export KAFKA_ADMIN_USERNAME KAFKA_ADMIN_PASSWORD
# where the program finds them (the ports may differ from Pulumi.local.yaml's defaults)
export EVENTBUS_LOCAL_BOOTSTRAP="$KAFKA_BOOTSTRAP" EVENTBUS_LOCAL_SCHEMA_REGISTRY_URL="$SCHEMA_REGISTRY_URL"

step "4/7 Gate: eventbus validate"
.venv/bin/eventbus validate

step "5/7 Plan of the working tree against HEAD (what your uncommitted changes would do)"
if git rev-parse --verify -q HEAD >/dev/null; then
  .venv/bin/eventbus plan --base HEAD --stack local
fi

step "6/7 Deploy: pulumi up on stack local"
mkdir -p "$STATE/pulumi" "$STATE/local"
chmod 700 "$STATE/local"
# local-only secrets, generated once, never committed: the state passphrase and the SCRAM seed
[[ -s "$STATE/local/passphrase" ]] || (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$STATE/local/passphrase")
[[ -s "$STATE/local/scram.seed" ]] || (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$STATE/local/scram.seed")
export PULUMI_BACKEND_URL="file://$STATE/pulumi"
export PULUMI_CONFIG_PASSPHRASE_FILE="$STATE/local/passphrase"
export EVENTBUS_SCRAM_SEED="$(cat "$STATE/local/scram.seed")"
export EVENTBUS_ROOT="$REPO"
# Pulumi writes its encryption salt (and stringified values) into the stack's config file; keep
# that out of the tracked Pulumi.local.yaml: create the stack from a scratch folder once, and
# deploy with a copy of the config file under .state.
if [[ ! -s "$STATE/local/encryptionsalt" ]] || ! pulumi stack ls --json 2>/dev/null | grep -q '"name": "local"'; then
  scratch="$(mktemp -d)"
  cp Pulumi.yaml "$scratch/"
  (cd "$scratch" && pulumi stack init local --non-interactive >/dev/null)
  grep '^encryptionsalt:' "$scratch/Pulumi.local.yaml" > "$STATE/local/encryptionsalt"
  rm -rf "$scratch"
fi
CONFIG_FILE="$STATE/local/Pulumi.local.yaml"
{ cat Pulumi.local.yaml; cat "$STATE/local/encryptionsalt"; } > "$CONFIG_FILE"
# a state from before eventbus:kafka:Principal: its pulumi-kafka ACLs leave the state, not the cluster
.venv/bin/python -m eventbus.adapters.pulumi_program.migrate --stack local
# The file backend rewrites the whole state after every step (quadratic at 1,000 events): save it
# once at the end instead, and adopt the topics of a deploy that was killed before it could save.
export PULUMI_SKIP_CHECKPOINTS=true EVENTBUS_ADOPT_TOPICS=1
# which broker and registry these are (a reset one has another): after a reset the deploy is full
EVENTBUS_DEPLOY_IDENTITY="$(sed -n 's/^directory.id=//p' "$STATE/kafka/data/meta.properties" 2>/dev/null) $(stat -c %W "$STATE/schema-registry/data/registry.mv.db" 2>/dev/null)"
export EVENTBUS_DEPLOY_IDENTITY
.venv/bin/eventbus deploy --stack local "${full[@]}" -- --config-file "$CONFIG_FILE" --yes --skip-preview --refresh --suppress-outputs \
  --parallel "${EVENTBUS_PULUMI_PARALLEL:-64}" --color "$([[ -t 1 ]] && echo always || echo never)"

step "7/7 Event catalog of the local stack"
# with the schema id the registry gave each version (the deploy's stack output `subjects`), for producers to pin
IDS="$STATE/local/schema-ids.json"
pulumi stack output subjects --json --stack local > "$IDS" 2>/dev/null && [[ -s "$IDS" ]] || echo '{}' > "$IDS"
.venv/bin/eventbus catalog build --stack local --schema-ids "$IDS" --out "$STATE/catalog"
CATALOG="$STATE/catalog/index.html"

cat <<EOF

Done. The local event bus is running.
  bootstrap servers   $KAFKA_BOOTSTRAP (SASL_PLAINTEXT, SCRAM-SHA-512)
  schema registry     $SCHEMA_REGISTRY_URL (Confluent API of Apicurio Registry; logs: scripts/schema-registry.sh logs)
  credentials         .venv/bin/eventbus credentials <team>/<application>   e.g. va-notify/refill-notifier
  drift check         .venv/bin/eventbus drift --stack local
  broker logs         scripts/kafka-broker.sh logs
  Pulumi state        $STATE/pulumi  (PULUMI_BACKEND_URL=file://$STATE/pulumi, passphrase in $STATE/local/passphrase)
  catalog             $CATALOG
  stop                scripts/up.sh --down
EOF
