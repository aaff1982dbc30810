#!/usr/bin/env bash
# Replicas on loopback: one indexing node (serve --watch --publish), three read-only replicas
# (serve --follow) and HAProxy running deploy/haproxy/haproxy.cfg (addresses and the global
# section rewritten for this run). Measures searches/s through HAProxy with 1, 2 and 3
# replicas (wrk, 2 threads, 32 connections, answer cache off), then under wrk: publishes a
# new commit (a document added to the corpus, re-indexed by the watcher), waits for every
# replica to serve it, kills one replica with SIGKILL, and goes on. Fails if any request
# failed, if a replica was not on the new generation within $SWAP_BOUND (60) seconds of the
# change (timed from the servers' logs), or if the live replicas are not on it at the end. Figures are printed, never asserted (2 cores
# shared by wrk, HAProxy and the replicas). HAProxy is installed from Debian's packages when
# missing (needs root). About 3 minutes after the release build.
#   bash tests/load/replicas.sh        # SECS=15 per throughput run, PORT=8300 first port
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=$PWD/target/release/spo-search
SECS=${SECS:-15}
SWAP_BOUND=${SWAP_BOUND:-60}
BASE=${PORT:-8300}
LB=$BASE INDEXER=$((BASE + 1))
replica_port() { echo $((BASE + 1 + $1)); }

if ! command -v haproxy >/dev/null; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q haproxy
fi
for tool in wrk curl python3; do
  command -v $tool >/dev/null || { echo "replicas: $tool is missing" >&2; exit 1; }
done
cargo build --release --quiet

WORK=$(mktemp -d)
declare -A PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAILED: $*" >&2; exit 1; }

# The generation a server reports in /health ("" while it is not ready).
generation_of() {
  curl -s --max-time 2 "http://127.0.0.1:$1/health" |
    python3 -c 'import json,sys
try: print(json.load(sys.stdin).get("generation", ""))
except Exception: print("")'
}
# Waits until the replica on port $1 serves generation $2, for at most $3 seconds.
wait_generation() {
  local deadline=$((SECONDS + $3))
  until [ "$(generation_of "$1")" = "$2" ]; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}
# A command of HAProxy's runtime API.
haproxy_cmd() {
  python3 - "$WORK/haproxy.sock" "$1" 2>/dev/null <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall((sys.argv[2] + "\n").encode())
out = b""
while chunk := s.recv(65536):
    out += chunk
print(out.decode(), end="")
PY
}
# CPU seconds (user + system) used so far by the processes $@.
cpu_seconds() {
  python3 - "$@" <<'PY'
import os, sys
tick = os.sysconf("SC_CLK_TCK")
total = 0
for pid in sys.argv[1:]:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    total += int(fields[11]) + int(fields[12])
print(total / tick)
PY
}
# The state (UP, DOWN, MAINT...) of a server of the replicas backend.
server_state() {
  haproxy_cmd "show stat" | awk -F, -v s="$1" '$1 == "replicas" && $2 == s { print $18 }'
}

echo "== indexing node: index the bundled corpus, publish generation 1"
cp -r corpus "$WORK/corpus"
export NO_COLOR=1
SPO_LOG=info "$BIN" serve --corpus "$WORK/corpus" --index "$WORK/indexer" \
  --publish "$WORK/published" --watch --addr 127.0.0.1:$INDEXER --rate-limit 0 >/dev/null \
  2>"$WORK/indexer.log" &
PIDS[indexer]=$!
until [ -f "$WORK/published/LATEST" ]; do kill -0 "${PIDS[indexer]}"; sleep 0.2; done
FIRST=$(cat "$WORK/published/LATEST")

echo "== three replicas following $WORK/published"
for i in 1 2 3; do
  SPO_LOG=info "$BIN" serve --follow "$WORK/published" --index "$WORK/replica-$i" \
    --addr 127.0.0.1:"$(replica_port $i)" --poll-secs 1 --rate-limit 0 --cache-entries 0 \
    --search-threads 8 --trusted-proxy 127.0.0.1 >/dev/null 2>"$WORK/replica-$i.log" &
  PIDS[replica$i]=$!
done
for i in 1 2 3; do
  wait_generation "$(replica_port $i)" "$FIRST" 120 || fail "replica $i never served generation $FIRST"
done

echo "== HAProxy on 127.0.0.1:$LB (deploy/haproxy/haproxy.cfg)"
# The global section of an unprivileged run: no syslog, chroot, user or daemon, a socket for
# the runtime API, fewer connections (within this shell's open-files limit).
sed -e '/^\s*log \/dev\/log/d' -e '/^\s*chroot /d' -e '/^\s*user /d' -e '/^\s*group /d' \
  -e '/^\s*daemon$/d' -e "s|^\s*stats socket .*|\tstats socket $WORK/haproxy.sock level admin|" \
  -e 's|^\s*maxconn 20000$|\tmaxconn 4000|' \
  -e "s|^\s*bind :80$|\tbind 127.0.0.1:$LB|" \
  -e "s|server replica\([1-3]\) 10\.0\.0\.1[1-3]:8081|server replica\1 127.0.0.1:REPLICA\1|" \
  -e "s|server indexer 10\.0\.0\.10:8080|server indexer 127.0.0.1:$INDEXER|" \
  deploy/haproxy/haproxy.cfg >"$WORK/haproxy.cfg"
for i in 1 2 3; do sed -i "s|REPLICA$i|$(replica_port $i)|" "$WORK/haproxy.cfg"; done
grep -q "stats socket $WORK" "$WORK/haproxy.cfg" || fail "the HAProxy configuration was not rewritten"
haproxy -c -q -f "$WORK/haproxy.cfg"
haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
PIDS[haproxy]=$!
deadline=$((SECONDS + 30))
for i in 1 2 3; do
  until [ "$(server_state replica$i)" = "UP" ]; do
    [ $SECONDS -lt $deadline ] || fail "HAProxy never saw replica $i up"
    sleep 0.2
  done
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$LB/files/spo/accord-cadre-spo-paca.md")" = 200 ] ||
  fail "/files/ is not routed to the indexing node"

echo "== searches/s through HAProxy ($SECS s each, wrk -t2 -c32, answer cache off)"
wrk -t2 -c32 -d3s -s tests/e2e/wrk-queries.lua "http://127.0.0.1:$LB" -- /api/v1/search >/dev/null
# One client (wrk, through HAProxy) would get half of a replica's search slots: 8 slots, so 4.
printf '| replicas | searches/s | p50 | p99 | failed | CPU: replicas | HAProxy | wrk | searches per replica CPU-second |\n' >"$WORK/table.md"
printf '|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n' >>"$WORK/table.md"
for n in 1 2 3; do
  for i in 1 2 3; do
    if [ $i -le $n ]; then haproxy_cmd "enable server replicas/replica$i" >/dev/null
    else haproxy_cmd "disable server replicas/replica$i" >/dev/null; fi
  done
  sleep 1
  replicas_before=$(cpu_seconds "${PIDS[replica1]}" "${PIDS[replica2]}" "${PIDS[replica3]}")
  haproxy_before=$(cpu_seconds "${PIDS[haproxy]}")
  /usr/bin/time -f '%U %S' -o "$WORK/wrk-$n.time" wrk -t2 -c32 -d"${SECS}s" --latency \
    -s tests/e2e/wrk-queries.lua "http://127.0.0.1:$LB" -- /api/v1/search >"$WORK/wrk-$n.txt"
  wrk_cpu=$(awk '{ print $1 + $2 }' "$WORK/wrk-$n.time")
  replicas_cpu=$(python3 -c "print($(cpu_seconds "${PIDS[replica1]}" "${PIDS[replica2]}" "${PIDS[replica3]}") - $replicas_before)")
  haproxy_cpu=$(python3 -c "print($(cpu_seconds "${PIDS[haproxy]}") - $haproxy_before)")
  python3 - "$WORK/wrk-$n.txt" "$n" "$replicas_cpu" "$haproxy_cpu" "$wrk_cpu" "$SECS" \
    >>"$WORK/table.md" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", text, re.M))
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
failed = (int(bad.group(1)) if bad else 0) + (sum(map(int, sock.groups())) if sock else 0)
cores = [float(x) / float(sys.argv[6]) for x in sys.argv[3:6]]
print(f"| {sys.argv[2]} | {rate:,.0f} | {lat.get('50')} | {lat.get('99')} | {failed} | "
      + " | ".join(f"{c:.2f} cores" for c in cores) + f" | {rate / cores[0]:,.0f} |")
PY
done
for i in 1 2 3; do haproxy_cmd "enable server replicas/replica$i" >/dev/null; done
cat "$WORK/table.md"
awk -F'|' 'NR > 2 && $6 + 0 > 0 { exit 1 }' "$WORK/table.md" || fail "requests failed during the throughput runs"

echo "== under wrk: publish a new commit, then SIGKILL replica 3"
sleep 2
# wrk runs until stopped with SIGINT (it then prints its figures), 10 s after the kill.
wrk -t2 -c32 -d300s -s tests/load/count-answers.lua "http://127.0.0.1:$LB" >"$WORK/wrk-faults.txt" &
WRK=$!
PIDS[wrk]=$WRK
sleep 5
cat >"$WORK/corpus/spo/replicas-under-load.md" <<'EOF'
# Réplique sous charge

Ce document, ajouté pendant la mesure, fait publier une nouvelle génération de l'index.
EOF
published_at=$SECONDS
echo "$(date -u +%Y-%m-%dT%H:%M:%S.%6NZ) document written into the corpus" >"$WORK/written.log"
SECOND=$((FIRST + 1))
# Timed from the servers' own logs: polling /health from here under this load is slower
# than what it measures.
until [ "$(cat "$WORK"/replica-*.log | grep -c "serving a new generation generation=$SECOND ")" = 3 ]; do
  [ $((SECONDS - published_at)) -lt 300 ] || fail "the replicas never all served generation $SECOND"
  sleep 0.5
done
for i in 1 2 3; do
  wait_generation "$(replica_port $i)" "$SECOND" 60 || fail "replica $i does not report generation $SECOND"
done
sleep 3
kill -KILL "${PIDS[replica3]}"
wait "${PIDS[replica3]}" 2>/dev/null || true
unset 'PIDS[replica3]'
echo "replica 3 killed (SIGKILL) at $((SECONDS - published_at)) s"
sleep 10
kill -INT "$WRK"
wait "$WRK" || true
unset 'PIDS[wrk]'
cat "$WORK/wrk-faults.txt"

echo "== what the logs say of the new generation"
grep -h "re-index\|commit published\|now serving\|document written" "$WORK/indexer.log" \
  "$WORK"/replica-*.log "$WORK/written.log" |
  sed -e 's/^\([^ ]*\) *INFO [^:]*: /\1 /' | sort | tee "$WORK/timeline.log"
swap_in_time=0
python3 - "$WORK/timeline.log" "$SECOND" "$SWAP_BOUND" <<'PY' || swap_in_time=1
import datetime, re, sys
def at(line):
    return datetime.datetime.fromisoformat(line.split()[0].rstrip("Z")[:26])
lines = open(sys.argv[1]).read().splitlines()
written = at(next(l for l in lines if "document written" in l))
published = at(next(l for l in lines if f"published generation={sys.argv[2]} " in l))
swaps = [at(l) for l in lines if f"serving a new generation generation={sys.argv[2]} " in l]
print(f"from the logs: published {(published - written).total_seconds():.1f} s after the file "
      f"was written, every replica serving it {(max(swaps) - published).total_seconds():.1f} s "
      f"later ({len(swaps)} replicas)")
sys.exit(0 if (max(swaps) - written).total_seconds() <= float(sys.argv[3]) else 1)
PY

echo "== checks"
status=0
if [ $swap_in_time -ne 0 ]; then
  echo "FAILED: a replica was not on generation $SECOND within $SWAP_BOUND s of the change" >&2; status=1
fi
if grep -qE "Non-2xx|Socket errors" "$WORK/wrk-faults.txt"; then
  echo "FAILED: requests failed while publishing and killing a replica" >&2; status=1
fi
if grep -E "^status " "$WORK/wrk-faults.txt" | grep -qv "^status 200:"; then
  echo "FAILED: answers other than 200" >&2; status=1
fi
grep -q "^generation $SECOND: " "$WORK/wrk-faults.txt" ||
  { echo "FAILED: no answer from generation $SECOND" >&2; status=1; }
for i in 1 2; do
  [ "$(generation_of "$(replica_port $i)")" = "$SECOND" ] ||
    { echo "FAILED: live replica $i is not on generation $SECOND" >&2; status=1; }
done
state=$(server_state replica3)
case "$state" in DOWN*) ;; *) echo "FAILED: HAProxy says replica 3 is $state" >&2; status=1 ;; esac
[ "$(curl -s "http://127.0.0.1:$LB/api/v1/search?q=r%C3%A9plique%20sous%20charge" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')" -ge 1 ] ||
  { echo "FAILED: the new document is not found through HAProxy" >&2; status=1; }
[ $status -eq 0 ] && echo "all checks passed"
exit $status
