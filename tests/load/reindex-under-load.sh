#!/usr/bin/env bash
# Load test on loopback: searches (wrk, 2 threads, 16 connections, 20 s) while the whole
# bundled corpus is re-indexed from scratch, again and again, through the admin API. Prints
# wrk's latency distribution, the count of errors and of wrong first hits (expected ones are
# taken before the load), and each re-index report; fails on any error or wrong answer.
# Bounded: about 40 s after the release build.
#   bash tests/load/reindex-under-load.sh            # uses target/release/spo-search
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=target/release/spo-search
cargo build --release --quiet
WORK=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
PORT=${PORT:-8191}
TOKEN=load-test-token-0123456789
"$BIN" index --index "$WORK/index" >/dev/null
SPO_ADMIN_TOKEN=$TOKEN SPO_LOG=warn "$BIN" serve --index "$WORK/index" --addr 127.0.0.1:$PORT \
  --rate-limit 0 --cache-entries 0 --request-timeout-secs 120 >/dev/null &
SERVER=$!
until curl -sf "http://127.0.0.1:$PORT/health" >/dev/null; do kill -0 "$SERVER"; sleep 0.2; done

# The first hit of each query before the load: what every answer must keep giving.
: >"$WORK/expected.tsv"
for q in "aide soignant" "boulanger" "rupture conventionnelle" "service civique" \
         "permis de conduire" "contrat d'apprentissage" "label SPO" "infirmier"; do
  id=$(curl -sf -G --data-urlencode "q=$q" "http://127.0.0.1:$PORT/api/v1/search" |
       python3 -c 'import json,sys; print(json.load(sys.stdin)["hits"][0]["id"])')
  printf '%s\t%s\n' "$q" "$id" >>"$WORK/expected.tsv"
done

# Full rebuilds back to back for the whole of wrk's 20 s: every search below is answered
# while a re-index of the whole corpus runs.
EXPECTED="$WORK/expected.tsv" wrk -t2 -c16 -d20s --latency -s tests/load/check-answers.lua \
  "http://127.0.0.1:$PORT" >"$WORK/wrk.txt" &
WRK=$!
run=0
while kill -0 "$WRK" 2>/dev/null; do
  run=$((run + 1))
  curl -sf -X POST -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$PORT/api/v1/admin/reindex?rebuild=true&wait=true" -o "$WORK/run.json" \
    --max-time 120 || true
  python3 - "$WORK/run.json" "$run" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))["report"]
    print(f"rebuild {sys.argv[2]}: {r['documents_added']} documents in {r['duration_ms']} ms, failed {r['failed']}")
except Exception as e:
    print(f"rebuild {sys.argv[2]}: no report ({e})")
PY
done
wait "$WRK"
cat "$WORK/wrk.txt"
grep -q "0 non-200, 0 wrong first hit" "$WORK/wrk.txt"
