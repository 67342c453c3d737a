#!/usr/bin/env bash
# The differential test's oracle (tools/avro-compat: Apache Avro Java + Confluent's mode logic).
#   scripts/avro-java.sh build    # once from Maven Central into .cache/avro-compat (offline after)
#   scripts/avro-java.sh run      # JSON lines on stdin -> verdicts on stdout (builds if needed)
#   scripts/avro-java.sh check    # exit 0 when Java and Maven are there, 3 (with the reason) when not
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$REPO/tools/avro-compat"
case "${EVENTBUS_CACHE:-}" in "") CACHE="$REPO/.cache" ;; /*) CACHE="$EVENTBUS_CACHE" ;; *) CACHE="$PWD/$EVENTBUS_CACHE" ;; esac
OUT="$CACHE/avro-compat"
say() { printf '[avro-java] %s\n' "$*" >&2; }

need() {
  command -v java >/dev/null || { say "java not found (Java 17+ is needed)"; exit 3; }
  command -v mvn >/dev/null || { say "mvn not found (Maven is needed)"; exit 3; }
}

build() {
  need
  local want have
  want="$(find "$SRC" -type f \( -name pom.xml -o -name '*.java' \) -print0 | sort -z | xargs -0 cat | sha256sum | cut -c1-16)"
  have="$(cat "$OUT/.stamp" 2>/dev/null || true)"
  [[ "$want" == "$have" && -d "$OUT/classes" ]] && return 0
  say "building the Avro Java oracle (first time: fetches org.apache.avro:avro from Maven Central)"
  mkdir -p "$OUT"
  if ! mvn -q -B -o -f "$SRC/pom.xml" -Dout="$OUT" package >"$OUT/build.log" 2>&1; then
    mvn -q -B -f "$SRC/pom.xml" -Dout="$OUT" package >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log" >&2; say "build failed"; exit 1; }
  fi
  echo "$want" > "$OUT/.stamp"
  say "built into $OUT"
}

case "${1:-}" in
  build) build ;;
  run) build; exec java -Xss16m -cp "$OUT/classes:$OUT/lib/*" gov.va.eventbus.avrocompat.Main ;;
  check) need ;;
  *) echo "usage: scripts/avro-java.sh build|run|check" >&2; exit 2 ;;
esac
