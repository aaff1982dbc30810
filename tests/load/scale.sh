#!/usr/bin/env bash
# The scale figures of BENCHMARKS.md on a generated corpus of N documents (issue 14): indexing
# from scratch (MB/s of extracted text, CPU seconds, peak RSS, index size), a snapshot's time,
# start-up time, RAM at rest and under load, and computed searches under wrk (2 threads, 32
# connections, the 20 queries of tests/e2e/wrk-queries.lua, answer cache and rate limit off):
# searches/s, p50, p99, the server's CPU time per search.
# Asserts behaviour, never speed: no failed or non-2xx search, and facet counts (for each
# network of a frequent query, the query filtered on that network finds the count the facet
# gave, and the networks' counts sum to the total: exactly, or within 5 % when estimated).
# The corpus comes from make-scale-corpus.py (recombined real French paragraphs, per-record
# facets), kept in the work folder so that a second run reuses it; 1,000,000 documents are
# about 1 GB of text, 3-4 GB with the index: check `df -h` first.
#   bash tests/load/scale.sh 200000          # N documents (default 200,000)
#   WORK=/tmp/scale-1m bash tests/load/scale.sh 1000000
#   BIN=/tmp/other/spo-search ...            # another build (side by side comparisons)
#   GENERATOR=path/to/make-scale-corpus.py   # default ../shared/tools/ beside the checkout
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-200000}
SECS=${SECS:-20}
PORT=${PORT:-8400}
WORK=${WORK:-/tmp/spo-scale-$N}
GENERATOR=${GENERATOR:-$PWD/../shared/tools/make-scale-corpus.py}
QUERY="contrat d'apprentissage"

for tool in wrk curl python3; do
  command -v $tool >/dev/null || { echo "scale: $tool is missing" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "scale: GNU time (/usr/bin/time) is missing" >&2; exit 1; }
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=$PWD/target/release/spo-search
fi
fail() { echo "FAILED: $*" >&2; exit 1; }

mkdir -p "$WORK"
if [ ! -f "$WORK/corpus/scale/source.toml" ]; then
  python3 "$GENERATOR" "$WORK/corpus" "$N"
fi
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK/index" "$WORK/snapshot"
}
trap cleanup EXIT
rm -rf "$WORK/index" "$WORK/snapshot"

# Indexing from scratch.
/usr/bin/time -f "%e %M %U %S" -o "$WORK/index.time" \
  "$BIN" index --corpus "$WORK/corpus" --index "$WORK/index" --json >"$WORK/index.json"
read -r INDEX_SECS INDEX_RSS_KB INDEX_USER INDEX_SYS <"$WORK/index.time"
INDEX_CPU=$(python3 -c "print(round($INDEX_USER + $INDEX_SYS, 1))")
read -r DOCS MBPS <<<"$(python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
print(r["documents"], round(r["extracted_mb_per_second"], 2))' "$WORK/index.json")"
[ "$DOCS" -ge "$N" ] || fail "indexed $DOCS documents, expected $N"
INDEX_MB=$(du -sm "$WORK/index" | cut -f1)

# A snapshot of the committed index.
SNAP_START=$(date +%s.%N)
"$BIN" snapshot --index "$WORK/index" --out "$WORK/snapshot" >/dev/null
SNAP_SECS=$(python3 -c "import sys; print(round($(date +%s.%N) - $SNAP_START, 2))")
rm -rf "$WORK/snapshot"

# Start-up, until /health answers 200.
START=$(date +%s.%N)
"$BIN" serve --corpus "$WORK/corpus" --index "$WORK/index" --addr 127.0.0.1:$PORT \
  --cache-entries 0 --rate-limit 0 --usage-dir "$WORK/usage" >"$WORK/serve.log" 2>&1 &
SERVER=$!
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/health"; do
  kill -0 "$SERVER" 2>/dev/null || fail "serve stopped: $(tail -3 "$WORK/serve.log")"
  sleep 0.05
done
START_SECS=$(python3 -c "print(round($(date +%s.%N) - $START, 2))")
rss_mb() { awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$SERVER/status"; }
cpu_seconds() {
  python3 -c 'import os,sys
f = open(f"/proc/{sys.argv[1]}/stat").read().rsplit(")", 1)[1].split()
print((int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK"))' "$SERVER"
}
RSS_START=$(rss_mb)

# Facet counts: each network's count is what the query filtered on that network finds, and
# the networks' counts sum to the total; exactly, or within 5 % when the answer says that
# its counts are estimates (a search of more than 10,000 matches: search::first_stage).
python3 - "$PORT" "$QUERY" <<'PY' || fail "facet counts are wrong"
import json, sys, urllib.parse, urllib.request
port, query = sys.argv[1], sys.argv[2]
def search(q):
    url = f"http://127.0.0.1:{port}/api/v1/search?" + urllib.parse.urlencode({"q": q})
    return json.load(urllib.request.urlopen(url))
def close(a, b, estimated):
    return a == b if not estimated else abs(a - b) <= 0.05 * max(a, b)
answer = search(query)
total, estimated = answer["total"], answer.get("total_estimated", False)
networks = next(f for f in answer["facets"] if f["name"] == "reseau")["values"]
assert close(sum(v["count"] for v in networks), total, estimated), (networks, total)
for value in networks:
    filtered = search(f"{query} reseau:{value['value']}")
    assert close(filtered["total"], value["count"], estimated or filtered.get("total_estimated", False)), (value, filtered["total"])
kind = "estimated" if estimated else "exact"
print(f"scale: '{query}' matches {total} documents ({kind}); {len(networks)} networks counted")
PY

wrk -t2 -c32 -d5s -s tests/e2e/wrk-queries.lua "http://127.0.0.1:$PORT" -- /api/v1/search >/dev/null
CPU_BEFORE=$(cpu_seconds)
wrk -t2 -c32 -d"${SECS}s" --latency -s tests/e2e/wrk-queries.lua \
  "http://127.0.0.1:$PORT" -- /api/v1/search >"$WORK/wrk.txt"
CPU_AFTER=$(cpu_seconds)
RSS_LOAD=$(awk '/^VmHWM/ {print int($2 / 1024)}' "/proc/$SERVER/status")
grep -q "Non-2xx" "$WORK/wrk.txt" && fail "non-2xx answers: $(grep Non-2xx "$WORK/wrk.txt")"
grep -q "Socket errors" "$WORK/wrk.txt" && fail "socket errors: $(grep 'Socket errors' "$WORK/wrk.txt")"
read -r RPS P50 P99 REQUESTS <<<"$(python3 - "$WORK/wrk.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
def ms(label):
    value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", text, re.M).groups()
    return round(float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit], 1)
requests = int(re.search(r"(\d+) requests in", text).group(1))
print(round(rps), ms("50%"), ms("99%"), requests)
PY
)"
CPU_MS=$(python3 -c "print(round(($CPU_AFTER - $CPU_BEFORE) * 1000 / $REQUESTS, 2))")

echo
echo "| documents | searches/s | p50 | p99 | CPU per search | indexing | peak RSS indexing | index size | snapshot | start-up | RAM at rest | RAM under load (peak) |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
echo "| $DOCS | $RPS | $P50 ms | $P99 ms | $CPU_MS ms | ${INDEX_SECS} s, $MBPS MB/s ($INDEX_CPU s CPU) | $((INDEX_RSS_KB / 1024)) MiB | $INDEX_MB MB | $SNAP_SECS s | $START_SECS s | $RSS_START MiB | $RSS_LOAD MiB |"
