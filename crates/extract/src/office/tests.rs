//! Tests of the office extractors on the corpus agreement, on documents built here to
//! exercise each feature, and on broken or hostile packages.

use std::collections::HashSet;
use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::package::{
    parse_xml, MAX_COMPRESSION_RATIO, MAX_ENTRIES, MAX_PART_BYTES, MAX_XML_NODES,
};
use super::*;

const AGREEMENT_DOCX: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../corpus/spo/accord-cadre-spo-paca.docx"
));
const AGREEMENT_ODT: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../corpus/spo/accord-cadre-spo-paca.odt"
));
const AGREEMENT_TITLE: &str = "Projet d'accord cadre dans le cadre de la labellisation SPO";

/// A deflate-compressed zip holding `parts`.
fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(true);
    for (name, content) in parts {
        writer.start_file(*name, options).unwrap();
        writer.write_all(content).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[test]
fn the_agreement_in_docx() {
    let doc = extract_docx(AGREEMENT_DOCX).unwrap();
    assert_eq!(doc.title.as_deref(), Some(AGREEMENT_TITLE));
    // The file declares en-US although it is in French: the declaration is reported as is.
    assert_eq!(doc.language.as_deref(), Some("en"));
    assert_eq!(doc.headings.len(), 24);
    assert_eq!(
        doc.headings.first().map(String::as_str),
        Some("PROJET D'ACCORD CADRE DANS LE CADRE DE LA LABELLISATION SPO")
    );
    assert!(doc.headings.iter().any(|h| h == "2.1. Objectif de l’AIO"));
    // Word's heading levels, as the Markdown version has them.
    assert!(
        doc.body.starts_with(
            "# PROJET D'ACCORD CADRE DANS LE CADRE DE LA LABELLISATION SPO\n\n24 NOVEMBRE\n\nENTRE"
        ),
        "{}",
        doc.body
    );
    assert!(doc.body.contains("\n\n## Préambule\n\n"));
    assert!(doc.body.contains("\n\n### 2.1. Objectif de l’AIO\n\n"));
    // Its bulleted paragraphs are the items of one list.
    assert!(doc
        .body
        .contains("Conformément\n\n- au décret N°2011-487 du 04 mai 2011.\n- au CPRDF 2011-2015"));
    assert!(doc.body.contains("L'ACADEMIE DE NICE,\nREPRESENTEE PAR"));
    assert!(doc.body.contains("après le 1er accueil"));
}

#[test]
fn the_agreement_in_odt() {
    let doc = extract_odt(AGREEMENT_ODT).unwrap();
    assert_eq!(doc.title.as_deref(), Some(AGREEMENT_TITLE));
    assert_eq!(
        (
            doc.language.as_deref(),
            doc.date.map(|d| d.to_string()).as_deref()
        ),
        (None, None)
    );
    // The first heading is a text:p whose automatic style derives from Heading 1.
    assert_eq!(
        doc.headings.first().map(String::as_str),
        Some("PROJET D'ACCORD CADRE DANS LE CADRE DE LA LABELLISATION SPO")
    );
    assert_eq!(doc.headings.len(), 24);
    // The outline levels, as in the DOCX and Markdown versions.
    assert!(
        doc.body.starts_with("# PROJET D'ACCORD CADRE"),
        "{}",
        doc.body
    );
    assert!(doc.body.contains("\n\n## Préambule\n\n"));
    assert!(doc.body.contains("\n\n### 2.1. Objectif de l’AIO\n\n"));
    assert!(doc.body.contains("L'ACADEMIE DE NICE,\nREPRESENTEE PAR"));
    assert!(doc
        .body
        .contains("Conformément\n\n- au décret N°2011-487 du 04 mai 2011.\n- au CPRDF 2011-2015"));
}

fn words(text: &str) -> HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The four published versions of the agreement give the same words.
#[test]
fn the_four_formats_agree() {
    let html = crate::html::extract(include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../corpus/spo/accord-cadre-spo-paca.html"
    )))
    .unwrap();
    let markdown = crate::text::extract_markdown(include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../corpus/spo/accord-cadre-spo-paca.md"
    )))
    .unwrap();
    let docx = extract_docx(AGREEMENT_DOCX).unwrap();
    let odt = extract_odt(AGREEMENT_ODT).unwrap();
    let reference = words(&html.body);
    assert!(reference.len() > 600, "{} words", reference.len());
    for (format, doc) in [("markdown", &markdown), ("docx", &docx), ("odt", &odt)] {
        let other = words(&doc.body);
        let shared = reference.intersection(&other).count();
        let jaccard = shared as f64 / reference.union(&other).count() as f64;
        assert!(jaccard > 0.99, "{format}: {jaccard}");
        assert_eq!(doc.headings, html.headings, "{format}");
    }
}

const W: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
    xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\"";

#[test]
fn docx_features() {
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>
        <w:p><w:pPr><w:pStyle w:val="berschrift1"/><w:tabs><w:tab w:val="left" w:pos="1"/></w:tabs></w:pPr>
          <w:r><w:t>Le CEP</w:t></w:r></w:p>
        <w:p><w:r><w:t xml:space="preserve">Un </w:t></w:r><w:r><w:t>conseil</w:t><w:tab/><w:t>gratuit</w:t><w:br/><w:t>et</w:t></w:r>
          <w:del><w:r><w:delText>supprimé</w:delText></w:r></w:del><w:ins><w:r><w:t> personnalisé</w:t></w:r></w:ins>
          <w:r><w:instrText>PAGE</w:instrText><w:t>.</w:t></w:r></w:p>
        <w:p><w:pPr><w:outlineLvl w:val="1"/></w:pPr><w:r><w:t>Public</w:t></w:r></w:p>
        <w:p><w:pPr><w:outlineLvl w:val="9"/></w:pPr><w:r><w:t>Corps</w:t></w:r></w:p>
        <w:tbl><w:tblPr/><w:tr><w:tc><w:p><w:r><w:t>Jeunes</w:t></w:r></w:p><w:p><w:r><w:t>16-25</w:t></w:r></w:p></w:tc>
          <w:tc><w:p><w:r><w:t>Mission locale</w:t></w:r></w:p></w:tc></w:tr>
          <w:tr><w:tc><w:p><w:r><w:t>Adultes</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>France</w:t></w:r><w:r><w:noBreakHyphen/><w:t>Travail</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
        <w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:t>zone de texte</w:t></mc:Choice>
          <mc:Fallback><w:t>copie</w:t></mc:Fallback></mc:AlternateContent></w:r></w:p>
        <w:sectPr><w:t>pas du texte</w:t></w:sectPr></w:body></w:document>"#
    );
    let styles = format!(
        r#"<w:styles {W}><w:style w:type="paragraph" w:styleId="berschrift1"><w:name w:val="heading 1"/></w:style>
        <w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal"/></w:style></w:styles>"#
    );
    let core = r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
        xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/">
        <dc:title> </dc:title><dc:language>fr-FR</dc:language><dc:subject>orientation</dc:subject>
        <cp:keywords>CEP; conseil, orientation</cp:keywords><dc:description>Fiche CEP</dc:description>
        <dcterms:created>2020-01-02T00:00:00Z</dcterms:created><dcterms:modified>2024-03-05T10:00:00Z</dcterms:modified>
        </cp:coreProperties>"#;
    let package = zip_of(&[
        ("word/document.xml", document.as_bytes()),
        ("word/styles.xml", styles.as_bytes()),
        ("docProps/core.xml", core.as_bytes()),
    ]);
    let doc = extract_docx(&package).unwrap();
    assert_eq!(doc.title.as_deref(), Some("Le CEP"));
    assert_eq!(doc.headings, ["Le CEP", "Public"]);
    assert_eq!(
        doc.body,
        "# Le CEP\n\nUn conseil gratuit\net personnalisé.\n\n## Public\n\nCorps\n\n\
         | Jeunes 16-25 | Mission locale\n| Adultes | France-Travail\n\nzone de texte"
    );
    assert_eq!(doc.language.as_deref(), Some("fr"));
    assert_eq!(
        doc.date.map(|d| d.to_string()).as_deref(),
        Some("2024-03-05")
    );
    assert_eq!(doc.description.as_deref(), Some("Fiche CEP"));
    assert_eq!(doc.keywords, ["orientation", "CEP", "conseil"]);
}

const ODF_NAMESPACES: &str = r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
    xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
    xmlns:dc="http://purl.org/dc/elements/1.1/""#;

#[test]
fn odt_features() {
    let content = format!(
        r#"<office:document-content {ODF_NAMESPACES}><office:automatic-styles>
        <style:style style:name="P1" style:family="paragraph" style:parent-style-name="Title"/></office:automatic-styles>
        <office:body><office:text><text:sequence-decls><text:sequence-decl text:name="x"/></text:sequence-decls>
        <text:p text:style-name="P1">Le   CEP</text:p>
        <text:p>Un<text:s text:c="3"/>conseil<text:tab/>gratuit<text:line-break/>et <text:span>personnalisé</text:span><text:note><text:note-citation>1</text:note-citation><text:note-body><text:p>Voir le décret.</text:p></text:note-body></text:note>.</text:p>
        <office:annotation><text:p>commentaire</text:p></office:annotation>
        <text:h text:outline-level="2">Public</text:h>
        <text:list><text:list-item><text:p>jeunes</text:p></text:list-item><text:list-item><text:p>adultes</text:p>
          <text:list><text:list-item><text:p>salariés</text:p></text:list-item></text:list></text:list-item></text:list>
        <table:table><table:table-row><table:table-cell><text:p>A1</text:p><text:p>suite</text:p></table:table-cell>
          <table:covered-table-cell><text:p>caché</text:p></table:covered-table-cell><table:table-cell><text:p>B1</text:p></table:table-cell></table:table-row>
          <table:table-row><table:table-cell><text:p>A2</text:p></table:table-cell></table:table-row></table:table>
        <text:p>Fin</text:p></office:text></office:body></office:document-content>"#
    );
    let meta = format!(
        r#"<office:document-meta {ODF_NAMESPACES}><office:meta><dc:title>Conseil en évolution professionnelle</dc:title>
        <dc:language>fr</dc:language><meta:creation-date>2023-05-06T07:08:09</meta:creation-date>
        <meta:keyword>CEP</meta:keyword><meta:keyword>orientation</meta:keyword></office:meta></office:document-meta>"#
    );
    let package = zip_of(&[
        ("mimetype", b"application/vnd.oasis.opendocument.text"),
        ("content.xml", content.as_bytes()),
        ("meta.xml", meta.as_bytes()),
    ]);
    let doc = extract_odt(&package).unwrap();
    assert_eq!(
        doc.title.as_deref(),
        Some("Conseil en évolution professionnelle")
    );
    assert_eq!(doc.headings, ["Le CEP", "Public"]);
    assert_eq!(
        doc.body,
        "# Le CEP\n\nUn conseil gratuit\net personnalisé\n\nVoir le décret.\n\n.\n\n## Public\n\n\
         - jeunes\n- adultes\n  - salariés\n\n| A1 suite | B1\n| A2\n\nFin"
    );
    assert_eq!(doc.language.as_deref(), Some("fr"));
    assert_eq!(
        doc.date.map(|d| d.to_string()).as_deref(),
        Some("2023-05-06")
    );
    assert_eq!(doc.keywords, ["CEP", "orientation"]);
}

/// A list style numbers its first level (from 3 here) and bullets its second; a list that
/// continues another goes on counting; a named style comes from `styles.xml`.
#[test]
fn odt_numbered_lists() {
    let content = format!(
        r#"<office:document-content {ODF_NAMESPACES}><office:automatic-styles>
        <text:list-style style:name="L1">
          <text:list-level-style-number text:level="1" style:num-format="1" style:num-suffix="." text:start-value="3"/>
          <text:list-level-style-bullet text:level="2" text:bullet-char="•"/>
        </text:list-style></office:automatic-styles>
        <office:body><office:text>
        <text:list text:style-name="L1"><text:list-item><text:p>Inscription</text:p>
          <text:list><text:list-item><text:p>en ligne</text:p></text:list-item></text:list></text:list-item>
          <text:list-item><text:p>Entretien</text:p></text:list-item></text:list>
        <text:p>Puis :</text:p>
        <text:list text:style-name="L1" text:continue-numbering="true"><text:list-item><text:p>Formation</text:p></text:list-item></text:list>
        <text:list text:style-name="Numbering_20_123"><text:list-item><text:p>un</text:p></text:list-item>
          <text:list-item text:start-value="7"><text:p>sept</text:p></text:list-item></text:list>
        <text:list text:style-name="Unknown"><text:list-item><text:p>puce</text:p></text:list-item></text:list>
        </office:text></office:body></office:document-content>"#
    );
    let styles = format!(
        r#"<office:document-styles {ODF_NAMESPACES}><office:styles>
        <text:list-style style:name="Numbering_20_123">
          <text:list-level-style-number text:level="1" style:num-format="1"/>
        </text:list-style></office:styles></office:document-styles>"#
    );
    let package = zip_of(&[
        ("mimetype", b"application/vnd.oasis.opendocument.text"),
        ("content.xml", content.as_bytes()),
        ("styles.xml", styles.as_bytes()),
    ]);
    let doc = extract_odt(&package).unwrap();
    assert_eq!(
        doc.body,
        "3. Inscription\n  - en ligne\n4. Entretien\n\nPuis :\n\n5. Formation\n\n\
         1. un\n7. sept\n\n- puce"
    );
}

fn reason(result: Result<Extracted, ExtractError>) -> String {
    match result {
        Err(ExtractError::Malformed { reason, .. }) => reason,
        other => panic!("expected a malformed error, got {other:?}"),
    }
}

#[test]
fn broken_packages_are_malformed() {
    for bytes in [
        &b""[..],
        b"PK\x03\x04garbage",
        &AGREEMENT_DOCX[..AGREEMENT_DOCX.len() / 2],
    ] {
        assert!(reason(extract_docx(bytes)).starts_with("not a zip archive"));
        assert!(reason(extract_odt(bytes)).starts_with("not a zip archive"));
    }
    let empty_zip = zip_of(&[("other.xml", b"<a/>")]);
    assert_eq!(
        reason(extract_docx(&empty_zip)),
        "no word/document.xml in the package"
    );
    assert_eq!(
        reason(extract_odt(&empty_zip)),
        "no content.xml in the package"
    );
    let not_xml = zip_of(&[("word/document.xml", b"<w:document><unclosed>")]);
    assert!(reason(extract_docx(&not_xml)).starts_with("word/document.xml: "));
    let latin1 = zip_of(&[("content.xml", b"<a>\xe9</a>")]);
    assert_eq!(reason(extract_odt(&latin1)), "content.xml: not UTF-8");
    let no_body = format!("<office:document-content {ODF_NAMESPACES}/>");
    let no_body = zip_of(&[("content.xml", no_body.as_bytes())]);
    assert!(reason(extract_odt(&no_body)).contains("no office:body"));
    let no_text = zip_of(&[(
        "word/document.xml",
        format!("<w:document {W}><w:body/></w:document>").as_bytes(),
    )]);
    assert_eq!(reason(extract_docx(&no_text)), "no text found");
}

#[test]
fn zip_bombs_are_refused() {
    let oversized = vec![b' '; usize::try_from(MAX_PART_BYTES).unwrap() + 1];
    let bomb = zip_of(&[("word/document.xml", &oversized)]);
    assert!(bomb.len() < 1 << 20, "the bomb is {} bytes", bomb.len());
    // Regression (issue 11, item 12): a bomb of under 1 MB was reported as a file of its
    // part's declared size ("file is 1073741824 bytes").
    assert_eq!(
        reason(extract_docx(&bomb)),
        format!(
            "word/document.xml: expands to {} bytes, over the limit of {MAX_PART_BYTES} for \
             one part",
            MAX_PART_BYTES + 1
        )
    );
    let dense = vec![b' '; 4 << 20];
    let ratio_bomb = zip_of(&[("content.xml", &dense)]);
    assert!(reason(extract_odt(&ratio_bomb)).starts_with(&format!(
        "content.xml: compression ratio over {MAX_COMPRESSION_RATIO}"
    )));
    let names: Vec<String> = (0..=MAX_ENTRIES)
        .map(|index| format!("{index}.xml"))
        .collect();
    let parts: Vec<(&str, &[u8])> = names.iter().map(|name| (name.as_str(), &b""[..])).collect();
    assert_eq!(
        reason(extract_docx(&zip_of(&parts))),
        "10001 zip entries, over the limit of 10000"
    );
}

#[test]
fn hostile_xml_is_refused_or_survives() {
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
        <office:document-content><lolz>&lol2;</lolz></office:document-content>"#;
    let package = zip_of(&[("content.xml", laughs.as_bytes())]);
    assert!(reason(extract_odt(&package)).starts_with("content.xml: "));

    // Deep, but small enough (under 1 MiB) to escape the compression ratio check.
    let depth = 80_000;
    let deep = format!(
        "<w:document {W}><w:body><w:p>{}<w:t>fond</w:t>{}</w:p></w:body></w:document>",
        "<w:r>".repeat(depth),
        "</w:r>".repeat(depth)
    );
    let package = zip_of(&[("word/document.xml", deep.as_bytes())]);
    assert_eq!(extract_docx(&package).unwrap().body, "fond");
}

#[test]
fn xml_parts_with_too_many_nodes_are_refused() {
    let nodes = usize::try_from(MAX_XML_NODES).unwrap();
    let flat = format!("<r>{}</r>", "<a/>".repeat(nodes));
    assert_eq!(
        reason(parse_xml(&flat, "docx", "word/document.xml").map(|_| Extracted::default())),
        "word/document.xml: nodes limit reached"
    );
    let within = format!("<r>{}</r>", "<a/>".repeat(1_000));
    assert!(parse_xml(&within, "docx", "word/document.xml").is_ok());
}

#[test]
fn docx_lists_and_heading_levels() {
    let item = |list: u8, level: u8, text: &str| {
        format!(
            r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{list}"/></w:numPr></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#
        )
    };
    let styled = |style: &str, text: &str| {
        format!(
            r#"<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#
        )
    };
    let body = [
        styled("Heading2", "Étapes"),
        item(1, 0, "S'inscrire"),
        item(1, 1, "en ligne"),
        item(1, 1, "au guichet"),
        item(1, 0, "Signer"),
        item(1, 1, "le contrat"),
        "<w:p><w:r><w:t>Ensuite :</w:t></w:r></w:p>".to_string(),
        styled("ListBullet", "un CFA"),
        styled("ListBullet", "un employeur"),
        item(0, 0, "Sans liste"),
        styled("Titre3", "Aides"),
        r#"<w:p><w:pPr><w:outlineLvl w:val="7"/></w:pPr><w:r><w:t>Très bas</w:t></w:r></w:p>"#
            .to_string(),
        item(3, 0, "Sans marque"),
        item(4, 0, "Liste inconnue"),
        item(1, 0, "Reprise"),
    ]
    .concat();
    let document =
        format!(r#"<?xml version="1.0"?><w:document {W}><w:body>{body}</w:body></w:document>"#);
    let styles = format!(
        r#"<w:styles {W}><w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/></w:style>
        <w:style w:type="paragraph" w:styleId="ListBullet"><w:name w:val="List Bullet"/>
          <w:pPr><w:numPr><w:numId w:val="2"/></w:numPr></w:pPr></w:style></w:styles>"#
    );
    let level = |index: u8, format: &str, start: u8| {
        format!(
            r#"<w:lvl w:ilvl="{index}"><w:start w:val="{start}"/><w:numFmt w:val="{format}"/></w:lvl>"#
        )
    };
    let numbering = format!(
        r#"<w:numbering {W}>
        <w:abstractNum w:abstractNumId="10">{}{}</w:abstractNum>
        <w:abstractNum w:abstractNumId="11">{}</w:abstractNum>
        <w:abstractNum w:abstractNumId="12">{}</w:abstractNum>
        <w:num w:numId="1"><w:abstractNumId w:val="10"/></w:num>
        <w:num w:numId="2"><w:abstractNumId w:val="11"/></w:num>
        <w:num w:numId="3"><w:abstractNumId w:val="12"/></w:num></w:numbering>"#,
        level(0, "decimal", 1),
        level(1, "lowerLetter", 1),
        level(0, "bullet", 1),
        level(0, "none", 1),
    );
    let package = zip_of(&[
        ("word/document.xml", document.as_bytes()),
        ("word/styles.xml", styles.as_bytes()),
        ("word/numbering.xml", numbering.as_bytes()),
    ]);
    let doc = extract_docx(&package).unwrap();
    assert_eq!(
        doc.body,
        "## Étapes\n\n1. S'inscrire\n  1. en ligne\n  2. au guichet\n2. Signer\n  1. le contrat\n\n\
         Ensuite :\n\n- un CFA\n- un employeur\n\nSans liste\n\n### Aides\n\n###### Très bas\n\n\
         Sans marque\n\nListe inconnue\n\n3. Reprise"
    );
    assert_eq!(doc.headings, ["Étapes", "Aides", "Très bas"]);
    // The block markup reads them back as a numbered list with its sub-lists, and a bulleted
    // list.
    let lists: Vec<Vec<(usize, bool, &str)>> = crate::blocks::blocks(&doc.body)
        .into_iter()
        .filter_map(|(_, block)| match block {
            crate::blocks::Block::List(items) => Some(
                items
                    .iter()
                    .map(|i| (i.depth, i.numbered, i.text))
                    .collect(),
            ),
            _ => None,
        })
        .collect();
    assert_eq!(
        lists,
        [
            vec![
                (0, true, "S'inscrire"),
                (1, true, "en ligne"),
                (1, true, "au guichet"),
                (0, true, "Signer"),
                (1, true, "le contrat"),
            ],
            vec![(0, false, "un CFA"), (0, false, "un employeur")],
            vec![(0, true, "Reprise")],
        ]
    );
    // Without numbering.xml, paragraphs with a numbering are plain paragraphs.
    let bare = zip_of(&[("word/document.xml", document.as_bytes())]);
    let doc = extract_docx(&bare).unwrap();
    assert!(
        doc.body.contains("\n\nS'inscrire\n\nen ligne\n\n"),
        "{}",
        doc.body
    );
}
