#!/usr/bin/env bash
# Seeds the fuzzing corpora (fuzz/corpus/<target>/, not committed) from the small real files
# of corpus/ and tests/fixtures/, plus a few hand-made minimal documents.
# Usage: fuzz/seeds.sh        (needs python3 for the generated PDFs and zips, jq for JSON)
# Existing corpora are kept: libFuzzer adds what it finds to them.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/fuzz/corpus
for target in pdf html text markdown docx odt json dila rome query stored; do
    mkdir -p "$OUT/$target"
done

# Real documents (all under 100 KB).
cp corpus/spo/accord-cadre-spo-paca.pdf "$OUT/pdf/"
cp corpus/spo/accord-cadre-spo-paca.html "$OUT/html/"
cp corpus/spo/accord-cadre-spo-paca.md "$OUT/markdown/"
find tests/fixtures/web-corpus -name '*.md' -exec cp {} "$OUT/markdown/" \;
find tests/fixtures/web-corpus -name '*.txt' -exec cp {} "$OUT/text/" \;
cp tests/fixtures/web-corpus/README.md "$OUT/text/web-corpus-readme.txt"
cp corpus/spo/accord-cadre-spo-paca.docx "$OUT/docx/"
cp corpus/spo/accord-cadre-spo-paca.odt "$OUT/odt/"
for fiche in professionnels/F718 professionnels/F31851 particuliers/N31850 particuliers/F10; do
    cp "corpus/service-public/$fiche.xml" "$OUT/dila/$(basename "$fiche").xml"
done
jq "[.[250], .[251]]" corpus/travail-emploi/fiches-travail.json >"$OUT/json/two-records.json"
jq -c ".[220], .[239]" corpus/travail-emploi/fiches-travail.json >"$OUT/json/two-records.jsonl"
jq ".[127]" corpus/travail-emploi/fiches-travail.json >"$OUT/json/one-object.json"

# A ROME release as the rome target reads it: tables cut by NUL bytes, in the target's order.
python3 - "$OUT/rome/fixture-release" <<'PY'
import glob, sys
order = ["referentiel_code_rome", "texte", "liens_rome_referentiels", "item",
         "referentiel_competence", "referentiel_savoir", "referentiel_contexte_travail",
         "descriptif_rubrique", "composition_bloc", "rubrique_mobilite", "cr_gd_dp",
         "referentiel_code_rome_riasec", "referentiel_appellation", "rome_naf"]
parts = []
for name in order:
    found = sorted(glob.glob(f"tests/fixtures/rome/unix_{name}_v*_utf8.csv"))
    parts.append(open(found[-1], "rb").read() if found else b"")
parts.append(open("tests/fixtures/rome/version.txt", "rb").read())
open(sys.argv[1], "wb").write(b"\0".join(parts))
PY

# Hand-made documents: small, so that mutations reach every code path quickly.
python3 - "$OUT" <<'PY'
import io, sys, zipfile, zlib
out = sys.argv[1]

def pdf(objects, name):
    """A PDF with a correct cross-reference table; objects are the bodies of 1 0 obj..."""
    data = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(data))
        data += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(data)
    data += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        data += b"%010d 00000 n \n" % offset
    data += b"trailer\n<< /Size %d /Root 1 0 R /Info 2 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    open(f"{out}/pdf/{name}", "wb").write(data)

def stream(content, extra=b"", compress=False):
    if compress:
        content = zlib.compress(content)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(content), extra) + content + b"\nendstream"

catalog = b"<< /Type /Catalog /Pages 3 0 R /Lang (fr-FR) >>"
info = b"<< /Title (Fiche m\\351tier) /CreationDate (D:20240115120000+01'00') >>"
pages = b"<< /Type /Pages /Kids [4 0 R] /Count 1 /MediaBox [0 0 595 842] >>"
page = b"<< /Type /Page /Parent 3 0 R /Contents 5 0 R /Resources << /Font << /F1 6 0 R >> /XObject << /X1 7 0 R >> >> >>"
helvetica = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Differences [233 /eacute] >> >>"
text = b"BT /F1 12 Tf 72 700 Td (Conseiller en \\351volution professionnelle) Tj 0 -14 Td [(Orien) -20 (tation)] TJ T* (fin) ' ET /X1 Do"
form = stream(b"BT /F1 10 Tf 72 600 Td (formulaire) Tj ET", b" /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /Font << /F1 6 0 R >> >>")
pdf([catalog, info, pages, page, stream(text), helvetica, form], "simple.pdf")
pdf([catalog, info, pages, page, stream(text, compress=True), helvetica, form], "flate.pdf")

tounicode = stream(b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap 1 begincodespacerange <0000> <FFFF> endcodespacerange 2 beginbfchar <0001> <0041> <0002> <00E9> endbfchar 1 beginbfrange <0010> <0020> <0061> endbfrange endcmap end end")
type0 = b"<< /Type /Font /Subtype /Type0 /BaseFont /ABC+Font /Encoding /Identity-H /ToUnicode 8 0 R /DescendantFonts [9 0 R] >>"
descendant = b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABC+Font /DW 500 /W [1 [600 700] 16 32 550] >>"
composite = b"BT /F1 12 Tf 1 0 0 1 72 700 Tm <000100020010001100120020> Tj ET"
pdf([catalog, info, pages, page, stream(composite), type0, form, tounicode, descendant], "type0.pdf")

def package(name, parts):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, content in parts:
            archive.writestr(part, content)
    open(f"{out}/{name}", "wb").write(buffer.getvalue())

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
package("docx/minimal.docx", [
    ("word/document.xml", f'<w:document {W}><w:body><w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Titre</w:t></w:r></w:p><w:p><w:r><w:t xml:space="preserve">Un </w:t></w:r><w:r><w:tab/><w:t>texte</w:t><w:br/></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>cellule</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>'),
    ("docProps/core.xml", '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"><dc:title>Titre</dc:title><dc:language>fr-FR</dc:language><dcterms:modified>2024-03-01T10:00:00Z</dcterms:modified><cp:keywords>a, b</cp:keywords></cp:coreProperties>'),
])
ODF = 'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
package("odt/minimal.odt", [
    ("mimetype", "application/vnd.oasis.opendocument.text"),
    ("content.xml", f'<office:document-content {ODF}><office:body><office:text><text:h text:outline-level="1">Titre</text:h><text:p>Un<text:s text:c="3"/>texte<text:tab/><text:line-break/></text:p><text:list><text:list-item><text:p>point</text:p></text:list-item></text:list><table:table><table:table-row><table:table-cell><text:p>cellule</text:p></table:table-cell></table:table-row></table:table></office:text></office:body></office:document-content>'),
    ("meta.xml", '<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"><office:meta><dc:title>Titre</dc:title><meta:keyword>orientation</meta:keyword><meta:creation-date>2023-05-06T00:00:00</meta:creation-date></office:meta></office:document-meta>'),
])

samples = {
    "html/small.html": '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Titre</title><meta name="description" content="D"><link rel="canonical" href="https://x.fr/a"></head><body><nav>menu</nav><main><h1>Un</h1><p>Texte &amp; <b>gras</b><br>ligne</p><ul><li>a<li>b</ul><table><tr><td>c</table><script>if(a<b){}</script></main><footer>pied</footer></body></html>',
    "html/latin1.html": '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"></head><body><article><p>caf\xe9</p></article></body></html>',
    "text/latin1.txt": "Premi\xe8re ligne\n\nDeuxi\xe8me paragraphe\r\nsuite",
    "markdown/front-matter.md": '---\ntitle: "Titre"\ndate: 2024-01-02\nlang: fr\nkeywords: [a, b]\n---\n# Titre\n\n> cit\n\n- [lien](http://x) *em* **fort** `code`\n\n```\nbloc\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n',
    "json/records.json": '{"items": [{"pubId": "1", "title": "T", "intro": "<p>a &amp; b</p>", "sections": [{"title": "S", "html": "<ul><li>x</li></ul>"}], "date": "01/02/2024", "tags": ["k"], "lang": "fr-FR"}, {"pubId": 2, "title": "U"}, 3]}',
    "json/lines.jsonl": '{"pubId": "1", "title": "T", "intro": "x"}\n{bad\n{"pubId": "2", "intro": "y", "date": "2024-03-04"}\n',
}
for name, content in samples.items():
    data = content.encode("latin-1") if "latin1" in name else content.encode("utf-8")
    open(f"{out}/{name}", "wb").write(data)
open(f"{out}/text/utf16.txt", "wb").write("Texte en UTF-16\n\nsuite".encode("utf-16"))

queries = ['formation "aide à la mobilité" -permis +cep', 'type:fiche-pratique reseau:etat apprentissage',
           'orientation OR réorientation public:jeunes', '"non fermé -x +y', 'a:b:c -"x" ++ -- OR OR',
           'métier\u00a0d\u2019art « conseiller »', 'territoire:paca date:2024 langue:fr']
for index, query in enumerate(queries):
    open(f"{out}/query/q{index}.txt", "w", encoding="utf-8").write(query)

# Stored records in tantivy's encoding: VInt count (last byte has its high bit set), then
# per value a u32 field id, a type code (0 text, 1 u64, 4 bytes) and its payload.
def vint(n):
    out = bytearray()
    while n >= 128:
        out.append(n & 127)
        n >>= 7
    out.append(n | 128)
    return bytes(out)
def value(field, code, payload):
    head = field.to_bytes(4, "little") + bytes([code])
    return head + (payload if code == 1 else vint(len(payload)) + payload)
records = [
    [(0, 0, "Boulanger / Boulangère".encode()), (1, 1, (42).to_bytes(8, "little")),
     (2, 4, bytes([0, 0, 0, 0, 12, 0, 0, 0]))],
    [(3, 0, "Pétrir la pâte, « façonner » — cuire. ".encode() * 20), (3, 0, "é".encode())],
    [],
]
for index, record in enumerate(records):
    data = vint(len(record)) + b"".join(value(*v) for v in record)
    open(f"{out}/stored/r{index}.bin", "wb").write(data)
PY
echo "corpora seeded in $OUT:"
for target in "$OUT"/*/; do
    echo "  $(basename "$target"): $(find "$target" -type f | wc -l) files"
done
