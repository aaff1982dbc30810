#!/usr/bin/env bash
# Fault test on loopback: 1,100 silent sockets against a server whose soft limit of open
# files is 1,024 (`ulimit -Sn 1024`), while wrk searches from another loopback address.
# The attacker (127.0.0.2) opens 1,100 connections that never send a byte and reopens each
# one the server closes, for 25 s; wrk (2 threads, 8 connections, 15 s) searches during it.
# Prints wrk's latency distribution before and during the attack and what the attacker saw;
# fails if a search failed or timed out during the attack, if the server never closed a
# silent socket, or if the soft limit was not raised. Speed is printed, never asserted.
#   bash tests/load/silent-sockets.sh                 # uses target/release/spo-search
#   BIN=/path/to/spo-search NO_BUILD=1 bash tests/load/silent-sockets.sh   # another build
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-target/release/spo-search}
[ -n "${NO_BUILD:-}" ] || cargo build --release --quiet
WORK=$(mktemp -d)
SERVER=""
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT
PORT=${PORT:-8192}
URL="http://127.0.0.1:$PORT"
"$BIN" index --index "$WORK/index" >/dev/null
(ulimit -Sn 1024; exec env SPO_LOG=warn "$BIN" serve --index "$WORK/index" \
  --addr 127.0.0.1:$PORT --rate-limit 0 --cache-entries 0 2>"$WORK/server.log" >/dev/null) &
SERVER=$!
until curl -sf "$URL/health" >/dev/null; do kill -0 "$SERVER"; sleep 0.2; done
echo "soft limit of open files in the server: $(grep -i 'open files' /proc/$SERVER/limits)"

echo "== searches without the attack"
wrk -t2 -c8 -d10s --timeout 10s --latency -s tests/e2e/wrk-queries.lua "$URL" -- /api/v1/search \
  | tee "$WORK/quiet.txt" | grep -E "Latency|99%|Requests/sec|Socket errors|Non-2xx"

python3 - "$PORT" >"$WORK/attack.txt" <<'PY' &
import asyncio, sys, time
PORT, SOCKETS, SECONDS = int(sys.argv[1]), 1100, 25
closed = refused = opened = failed = 0
async def hold():
    global closed, refused, opened, failed
    end = time.monotonic() + SECONDS
    while time.monotonic() < end:
        try:
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", PORT, local_addr=("127.0.0.2", 0))
        except OSError:
            failed += 1
            await asyncio.sleep(0.5)
            continue
        opened += 1
        try:
            data = await asyncio.wait_for(reader.read(), end - time.monotonic())
            if b" 503 " in data[:20]:
                refused += 1
            else:
                closed += 1
        except (asyncio.TimeoutError, OSError):
            pass
        writer.close()
        await asyncio.sleep(0.2)
async def main():
    await asyncio.gather(*(hold() for _ in range(SOCKETS)))
    print(f"attacker: {opened} connections opened, {closed} closed silently by the server, "
          f"{refused} refused with 503, {failed} connects failed")
asyncio.run(main())
PY
ATTACK=$!
sleep 5
echo "== searches during the attack (1,100 silent sockets from 127.0.0.2)"
wrk -t2 -c8 -d15s --timeout 10s --latency -s tests/e2e/wrk-queries.lua "$URL" -- /api/v1/search \
  | tee "$WORK/attack-wrk.txt" | grep -E "Latency|99%|Requests/sec|Socket errors|Non-2xx"
wait "$ATTACK"
cat "$WORK/attack.txt"
curl -sf "$URL/metrics" | grep -E "^spo_(connections|open_files)" || true
grep -c "Too many open files" "$WORK/server.log" | sed 's/^/server log, "Too many open files": /' || true

status=0
if grep -qE "Socket errors|Non-2xx" "$WORK/attack-wrk.txt"; then
  echo "FAIL: searches failed or timed out during the attack"; status=1
fi
if ! grep -qE "Requests/sec: +[1-9]" "$WORK/attack-wrk.txt"; then
  echo "FAIL: no search answered during the attack"; status=1
fi
if ! grep -qE "[1-9][0-9]* closed silently" "$WORK/attack.txt"; then
  echo "FAIL: the server never closed a silent socket"; status=1
fi
if grep -qE "^Max open files +1024 " /proc/$SERVER/limits; then
  echo "FAIL: the soft limit of open files was not raised"; status=1
fi
exit $status
