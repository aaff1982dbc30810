#!/usr/bin/env bash
# Fault test: indexing onto a full disk, a 5 MiB tmpfs (mounting one needs root). The bundled
# corpus does not fit: the run must stop with a plain "disk is full" message and leave no
# file that its last commit does not reference; then a 5-document rebuild into the same
# folder must succeed. Prints what is left on the tmpfs after each step; fails otherwise.
#   bash tests/load/full-disk.sh                 # uses target/release/spo-search
#   BIN=/path/to/spo-search NO_BUILD=1 bash tests/load/full-disk.sh   # another build
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-target/release/spo-search}
[ -n "${NO_BUILD:-}" ] || cargo build --release --quiet
WORK=$(mktemp -d)
trap 'umount "$WORK/disk" 2>/dev/null || true; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/disk" "$WORK/small/guides"
mount -t tmpfs -o size=5m tmpfs "$WORK/disk" || { echo "FAIL: cannot mount a tmpfs (root needed)"; exit 1; }
for i in 1 2 3 4 5; do printf '# Fiche %s\n\nMétier numéro %s.\n' "$i" "$i" >"$WORK/small/guides/f$i.md"; done
status=0
set +e
"$BIN" index --index "$WORK/disk/index" >/dev/null 2>"$WORK/first.txt"
first=$?
set -e
echo "bundled corpus onto 5 MiB: exit $first: $(tail -1 "$WORK/first.txt")"
echo "left on the disk: $(du -sk "$WORK/disk/index" | cut -f1) KiB in $(ls "$WORK/disk/index" | wc -l) files"
grep -q "the disk is full" "$WORK/first.txt" || { echo "FAIL: the message does not say the disk is full"; status=1; }
stray=$(ls "$WORK/disk/index" | { grep -cvE '^(meta\.json|\.)' || true; })
[ "$stray" -eq 0 ] || { echo "FAIL: $stray files of the failed run left behind"; status=1; }
set +e
"$BIN" index --corpus "$WORK/small" --index "$WORK/disk/index" --rebuild >/dev/null 2>"$WORK/second.txt"
second=$?
set -e
echo "5-document rebuild into the same folder: exit $second $(tail -1 "$WORK/second.txt")"
[ "$second" -eq 0 ] || { echo "FAIL: the rebuild failed"; status=1; }
exit $status
