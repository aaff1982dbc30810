#!/usr/bin/env bash
# End-to-end tests of the web pages in headless Chromium.
#
# Builds spo-search, serves the bundled corpus (index built in a temporary folder) on a free
# loopback port, installs playwright-core and axe-core from npm into a temporary folder (never
# committed), runs tests/e2e/run.mjs with Node's test runner against the system Chromium, and
# stops the server. A missing browser is a failure, not a skip. The screenshot of a result
# page is saved to $CARGO_TARGET_DIR/e2e/results.png (target/e2e/results.png by default).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"

browser="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
if [ -z "$browser" ] || [ ! -x "$browser" ]; then
  echo "e2e: Chromium is missing (Debian: apt-get install -y chromium chromium-driver)" >&2
  exit 1
fi
command -v node >/dev/null || { echo "e2e: node is missing" >&2; exit 1; }
command -v npm >/dev/null || { echo "e2e: npm is missing" >&2; exit 1; }

# The binary that `cargo test` builds for the integration tests: the same dependency features
# as the test build (a plain `cargo build` unifies fewer features and would compile tantivy,
# lopdf, scraper... a second time).
cargo test --no-run --test integration
binary="$target/debug/spo-search"

work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$work/node" \
  "playwright-core@1.65" "axe-core@4.14" >/dev/null

port="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
base="http://127.0.0.1:$port"
"$binary" serve --corpus corpus --index "$work/index" --addr "127.0.0.1:$port" \
  >"$work/server.log" 2>&1 &
server=$!

for _ in $(seq 1 600); do
  if curl -fsS "$base/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then
    echo "e2e: the server stopped" >&2; cat "$work/server.log" >&2; exit 1
  fi
  sleep 0.5
done
curl -fsS "$base/health" >/dev/null || {
  echo "e2e: the server never became ready" >&2; cat "$work/server.log" >&2; exit 1
}

mkdir -p "$target/e2e"
E2E_BASE_URL="$base" E2E_BROWSER="$browser" E2E_MODULES="$work/node/node_modules" \
  E2E_SCREENSHOT="$target/e2e/results.png" \
  node --test --test-reporter=spec tests/e2e/run.mjs

# Graceful shutdown: SIGTERM ends the server with success.
kill -TERM "$server"
status=0
wait "$server" || status=$?
server=""
if [ "$status" -ne 0 ]; then
  echo "e2e: the server exited with $status on SIGTERM" >&2; cat "$work/server.log" >&2; exit 1
fi
