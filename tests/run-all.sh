#!/usr/bin/env bash
# The whole test suite: unit and integration tests, then the browser tests in headless
# Chromium (installed from Debian's packages when missing; that step needs root).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test
if ! command -v chromium >/dev/null || ! command -v curl >/dev/null; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver curl
fi
bash tests/e2e/run.sh
