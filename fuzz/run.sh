#!/usr/bin/env bash
# Runs every fuzz target for a bounded time, one after the other, and fails if any crashed.
#
# Usage: fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
#   SECONDS_PER_TARGET  time given to each target (default 60)
#   TARGET...           targets to run (default: all of `cargo fuzz list`)
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz --locked`). The
# extractor targets depend on the extractors' crate alone; `query` and `stored` need the
# feature `search` (the whole spo-search crate), which this script turns on for every target.
# Each target runs with a 2 GiB memory limit and a 10 s limit per input, so a hang or an
# unbounded allocation counts as a crash. Corpora (fuzz/corpus/<target>/) are seeded by
# fuzz/seeds.sh the first time and grow from run to run; crashing inputs are saved under
# fuzz/artifacts/<target>/ and logs under fuzz/artifacts/logs/. Reproduce a crash with
# `cargo +nightly fuzz run --features search <target> <artifact>`, then minimise it with
# `cargo +nightly fuzz tmin --features search <target> <artifact>`.
set -uo pipefail
cd "$(dirname "$0")"
SECONDS_PER_TARGET=${1:-60}
shift $(( $# > 0 ? 1 : 0 ))
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
    mapfile -t TARGETS < <(cargo +nightly fuzz list)
fi
[ -d corpus ] || ./seeds.sh
mkdir -p artifacts/logs target/tmp
# The rome target writes its release folder under TMPDIR: keep it inside fuzz/target.
export TMPDIR=$PWD/target/tmp

cargo +nightly fuzz build --features search || exit 1

failed=()
for target in "${TARGETS[@]}"; do
    options=(-max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=10
             -print_final_stats=1)
    case $target in
        pdf) options+=(-dict=dict/pdf.dict) ;;
        dila) options+=(-dict=dict/xml.dict) ;;
    esac
    mkdir -p "corpus/$target"
    log=artifacts/logs/$target.log
    echo "== $target: ${SECONDS_PER_TARGET} s"
    if cargo +nightly fuzz run --features search "$target" "corpus/$target" -- "${options[@]}" >"$log" 2>&1; then
        status=ok
    else
        status=CRASHED
        failed+=("$target")
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    peak=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
    echo "   $status: ${runs:-?} runs, $(( ${runs:-0} / SECONDS_PER_TARGET )) per second," \
         "peak ${peak:-?} MB, corpus $(find "corpus/$target" -type f | wc -l) inputs (log: fuzz/$log)"
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "crashes in: ${failed[*]} (inputs under fuzz/artifacts/)"
    exit 1
fi
echo "no crash in ${#TARGETS[@]} targets"
