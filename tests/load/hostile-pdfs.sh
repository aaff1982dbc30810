#!/usr/bin/env bash
# Fault test: the peak memory of `spo-search index` on hostile PDFs, each alone in a corpus
# (under the 50 MiB upload limit): one array of 24 million numbers (48 MB), 200,000 pages
# (26 MB), arrays nested 100,000 deep, and an object stream that inflates to one array of
# 31 million numbers (60 MiB). Prints each file's outcome and the run's peak RSS (GNU
# time); fails if a run crashed, if a hostile file was indexed, or if a run's peak RSS went
# over 512 MiB (the document budget is 256 MiB, plus the file itself and the process).
# Memory, not speed, is asserted.
#   bash tests/load/hostile-pdfs.sh                 # uses target/release/spo-search
#   BIN=/path/to/spo-search NO_BUILD=1 bash tests/load/hostile-pdfs.sh   # another build
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-target/release/spo-search}
[ -n "${NO_BUILD:-}" ] || cargo build --release --quiet
command -v /usr/bin/time >/dev/null || { echo "GNU time is missing (apt-get install time)" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 - "$WORK" <<'PY'
import sys, zlib
work = sys.argv[1]
def pdf(objects, extra=b""):
    out = bytearray(b"%PDF-1.4\n")
    for number, body in objects:
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    out += extra + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    return bytes(out)
catalog = (1, b"<< /Type /Catalog /Pages 2 0 R >>")
one_page = (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
page = (3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>")
files = {
    "huge-array": pdf([catalog, one_page, page, (4, b"[" + b"0 " * 24_000_000 + b"]")]),
    "deep-nesting": pdf([catalog, one_page, page, (4, b"[" * 100_000 + b"]" * 100_000)]),
}
pages = 200_000
kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(pages))
files["many-pages"] = pdf([catalog, (2, b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages)]
    + [(3 + i, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Rotate 0 "
       b"/Resources << /ProcSet [/PDF /Text] >> >>") for i in range(pages)])
numbers = b"4 0 [" + b"0 " * (30 * 1024 * 1024) + b"]"
packed = zlib.compress(numbers, 9)
objstm = (5, b"<< /Type /ObjStm /N 1 /First 4 /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed)
          + packed + b"\nendstream")
files["inflating-object-stream"] = pdf([catalog, one_page, page, objstm])
import os
for name, data in files.items():
    os.makedirs(f"{work}/{name}/corpus/guides", exist_ok=True)
    open(f"{work}/{name}/corpus/guides/{name}.pdf", "wb").write(data)
    print(f"{name}.pdf: {len(data) / 1e6:.1f} MB")
PY
status=0
for name in huge-array many-pages deep-nesting inflating-object-stream; do
  set +e
  /usr/bin/time -v "$BIN" index --corpus "$WORK/$name/corpus" --index "$WORK/$name/index" --json \
    >"$WORK/$name/report.json" 2>"$WORK/$name/time.txt"
  code=$?
  set -e
  rss_kb=$(grep "Maximum resident set size" "$WORK/$name/time.txt" | awk '{print $NF}')
  outcome=$(python3 - "$WORK/$name/report.json" <<'PY'
import json, sys
try:
    report = json.load(open(sys.argv[1]))
except Exception as error:
    print(f"no report ({error})"); sys.exit()
failures = report.get("failures", [])
print(f"{report.get('documents', '?')} documents; " + ("; ".join(f["reason"] for f in failures) or "no failure"))
PY
)
  echo "$name: exit $code, peak RSS $((rss_kb / 1024)) MiB: $outcome"
  if [ "$code" -gt 1 ]; then echo "FAIL: $name: the run crashed"; status=1; fi
  if ! grep -q '"documents": *0\|"documents":0' "$WORK/$name/report.json"; then
    echo "FAIL: $name: the hostile file was indexed or no report"; status=1
  fi
  if [ "$rss_kb" -gt $((512 * 1024)) ]; then echo "FAIL: $name: peak RSS over 512 MiB"; status=1; fi
done
exit $status
