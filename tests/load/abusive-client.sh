#!/usr/bin/env bash
# Fault test on loopback: one abusive client (127.0.0.2) keeps 100 costly searches in flight
# (31 words each, every one a typo the index does not know, never the same query twice, so
# never answered from the cache) while wrk, another client (127.0.0.1, 2 connections),
# searches the usual queries. Prints the light searches' latency alone and under the abuse,
# and what the abuser got; fails if a light search failed or timed out. Speed is printed,
# never asserted.
#   bash tests/load/abusive-client.sh                 # uses target/release/spo-search
#   BIN=/path/to/spo-search NO_BUILD=1 bash tests/load/abusive-client.sh   # another build
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-target/release/spo-search}
[ -n "${NO_BUILD:-}" ] || cargo build --release --quiet
WORK=$(mktemp -d)
SERVER=""
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT
PORT=${PORT:-8193}
URL="http://127.0.0.1:$PORT"
"$BIN" index --index "$WORK/index" >/dev/null
SPO_LOG=warn "$BIN" serve --index "$WORK/index" --addr 127.0.0.1:$PORT --rate-limit 0 \
  --cache-entries 0 >/dev/null 2>&1 &
SERVER=$!
until curl -sf "$URL/health" >/dev/null; do kill -0 "$SERVER"; sleep 0.2; done

echo "== light searches alone (wrk, 2 connections)"
wrk -t1 -c2 -d15s --timeout 10s --latency -s tests/e2e/wrk-queries.lua "$URL" -- /api/v1/search \
  | tee "$WORK/quiet.txt" | grep -E "Latency  |50%|99%|Requests/sec|Socket errors|Non-2xx"

python3 - "$PORT" >"$WORK/abuse.txt" <<'PY' &
import asyncio, random, sys, time
PORT, CONNECTIONS, SECONDS = int(sys.argv[1]), 100, 25
rng = random.Random(11)
counts = {}
def query():
    words = ("".join(rng.choice("abcdefghijlmnoprstuv") for _ in range(rng.randint(7, 12)))
             for _ in range(31))
    return "+".join(words)
async def abuse():
    end = time.monotonic() + SECONDS
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT, local_addr=("127.0.0.2", 0))
    while time.monotonic() < end:
        writer.write(f"GET /api/v1/search?q={query()} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        status = head.split(b" ")[1].decode()
        length = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0].split(b":")[1])
        await reader.readexactly(length)
        counts[status] = counts.get(status, 0) + 1
    writer.close()
async def main():
    await asyncio.gather(*(abuse() for _ in range(CONNECTIONS)), return_exceptions=True)
    print("abuser's answers by status:", dict(sorted(counts.items())))
asyncio.run(main())
PY
ABUSE=$!
sleep 5
echo "== light searches while the abuser keeps 100 costly searches in flight"
wrk -t1 -c2 -d15s --timeout 10s --latency -s tests/e2e/wrk-queries.lua "$URL" -- /api/v1/search \
  | tee "$WORK/abused.txt" | grep -E "Latency  |50%|99%|Requests/sec|Socket errors|Non-2xx"
wait "$ABUSE"
cat "$WORK/abuse.txt"

status=0
if grep -qE "Socket errors|Non-2xx" "$WORK/abused.txt"; then
  echo "FAIL: light searches failed or timed out under the abuse"; status=1
fi
if ! grep -qE "Requests/sec: +[1-9]" "$WORK/abused.txt"; then
  echo "FAIL: no light search answered under the abuse"; status=1
fi
exit $status
