//! Tests of the whole extractor: word-level F1 against poppler's `pdftotext` on real files,
//! metadata, and hostile inputs (garbage, truncation, cycles, encryption, scans).

use std::collections::HashMap;
use std::time::Instant;

use lopdf::{dictionary, EncryptionState, EncryptionVersion, Permissions, Stream};
use unicode_normalization::UnicodeNormalization;

use super::*;
use crate::Date;

mod limits;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/pdf/");
const ACCORD_CADRE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../corpus/spo/accord-cadre-spo-paca.pdf"
);

/// Word-level F1 of `ours` against `reference`: NFKC, whitespace-split, multiset overlap.
fn word_f1(ours: &str, reference: &str) -> f64 {
    fn counts(text: &str) -> HashMap<String, usize> {
        let normalized: String = text.nfkc().collect();
        let mut counts = HashMap::new();
        for word in normalized.split_whitespace() {
            *counts.entry(word.to_string()).or_insert(0) += 1;
        }
        counts
    }
    let (ours, reference) = (counts(ours), counts(reference));
    let common: usize = ours
        .iter()
        .map(|(word, count)| (*count).min(reference.get(word).copied().unwrap_or(0)))
        .sum();
    let (ours_total, reference_total) = (
        ours.values().sum::<usize>(),
        reference.values().sum::<usize>(),
    );
    if common == 0 {
        return 0.0;
    }
    let precision = common as f64 / ours_total as f64;
    let recall = common as f64 / reference_total as f64;
    2.0 * precision * recall / (precision + recall)
}

/// Extracts `pdf`, prints its F1 against `reference` and its speed, and returns the result.
fn extract_and_score(pdf: &str, reference: &str) -> (Extracted, f64) {
    let bytes = std::fs::read(pdf).unwrap_or_else(|error| panic!("{pdf}: {error}"));
    let reference =
        std::fs::read_to_string(reference).unwrap_or_else(|error| panic!("{reference}: {error}"));
    let started = Instant::now();
    let extracted = extract(&bytes).unwrap_or_else(|error| panic!("{pdf}: {error}"));
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    let f1 = word_f1(&extracted.body, &reference);
    let pages = extracted.page_starts.len();
    println!(
        "{pdf}: F1 {f1:.4}, {pages} pages, {elapsed:.0} ms ({:.2} ms/page)",
        elapsed / pages as f64
    );
    (extracted, f1)
}

fn fixture(name: &str) -> (Extracted, f64) {
    extract_and_score(
        &format!("{FIXTURES}{name}.pdf"),
        &format!("{FIXTURES}{name}.pdftotext.txt"),
    )
}

fn assert_page_starts(extracted: &Extracted, pages: usize) {
    assert_eq!(extracted.page_starts.len(), pages);
    assert_eq!(extracted.page_starts.first(), Some(&0));
    assert!(extracted
        .page_starts
        .windows(2)
        .all(|pair| pair[0] <= pair[1]));
    for &start in &extracted.page_starts {
        assert!(extracted.body.is_char_boundary(start));
        assert!(start == 0 || extracted.body[..start].ends_with("\n\n"));
    }
}

#[test]
fn accord_cadre_libreoffice_truetype() {
    let (extracted, f1) = extract_and_score(
        ACCORD_CADRE,
        &format!("{FIXTURES}accord-cadre-spo-paca.pdftotext.txt"),
    );
    assert!(f1 >= 0.98, "F1 {f1}");
    assert_page_starts(&extracted, 7);
    assert_eq!(
        extracted.title.as_deref(),
        Some("Projet d'accord cadre dans le cadre de la labellisation SPO")
    );
    assert_eq!(extracted.date, Date::new(2026, 11, 28));
    // LibreOffice declared its default language, not the document's: reported as declared.
    assert_eq!(extracted.language.as_deref(), Some("en"));
    assert!(extracted
        .body
        .contains("mise en œuvre du service public de l'orientation"));
    assert!(extracted.body.starts_with("PROJET D'ACCORD CADRE"));
}

#[test]
fn maint_guide_xdvipdfmx_identity_h() {
    let (extracted, f1) = fixture("maint-guide.fr");
    assert!(f1 >= 0.98, "F1 {f1}");
    assert_page_starts(&extracted, 64);
    assert_eq!(
        extracted.title.as_deref(),
        Some("Guide du nouveau responsable Debian")
    );
    assert_eq!(extracted.date, Date::new(2022, 10, 8));
    assert_eq!(extracted.language, None);
}

#[test]
fn debian_reference_xdvipdfmx_large() {
    let (extracted, f1) = fixture("debian-reference.fr");
    assert!(f1 >= 0.98, "F1 {f1}");
    assert_page_starts(&extracted, 265);
    assert_eq!(extracted.title.as_deref(), Some("Référence Debian"));
    assert_eq!(extracted.date, Date::new(2023, 2, 4));
}

#[test]
fn developers_reference_pdftex_type1_custom_encoding() {
    let (extracted, f1) = fixture("developers-reference");
    assert!(f1 >= 0.98, "F1 {f1}");
    assert_page_starts(&extracted, 114);
    assert_eq!(
        extracted.title.as_deref(),
        Some("Debian Developer's Reference")
    );
    assert_eq!(extracted.date, Date::new(2023, 3, 6));
}

#[test]
fn eyesj_progman_pdftex_builtin_encoding_and_tex_accents() {
    let (extracted, f1) = fixture("fr-eyesj-progman");
    assert!(f1 >= 0.98, "F1 {f1}");
    assert_page_starts(&extracted, 24);
    // The Info title is empty: no title rather than an empty one.
    assert_eq!(extracted.title, None);
    assert_eq!(extracted.date, Date::new(2019, 11, 28));
    // CM fonts draw "é" as an acute accent over an "e"; it comes out as one letter.
    assert!(extracted.body.contains("Génération de signal"));
    assert!(!extracted.body.contains('\u{b4}'));
}

#[test]
fn word_f1_counts_multisets() {
    assert_eq!(word_f1("a b b", "a b b"), 1.0);
    assert_eq!(word_f1("", "a"), 0.0);
    let f1 = word_f1("ﬁn a a", "fin a b");
    assert!((f1 - 2.0 / 3.0).abs() < 1e-9, "{f1}");
}

/// A document whose pages draw `contents`, with Helvetica (WinAnsi) as `/F1` in the
/// resources of the page tree root. Returns the document and the root's id.
fn document_with_pages(contents: &[&[u8]]) -> (Document, ObjectId) {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let kids: Vec<Object> = contents
        .iter()
        .map(|content| {
            let content_id = doc.add_object(Stream::new(dictionary! {}, content.to_vec()));
            let page_id = doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
            });
            page_id.into()
        })
        .collect();
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Count" => kids.len() as i64, "Kids" => kids,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    (doc, pages_id)
}

fn save(mut doc: Document) -> Vec<u8> {
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes)
        .unwrap_or_else(|error| panic!("saving the test PDF: {error}"));
    bytes
}

fn pdf_with_pages(contents: &[&[u8]]) -> Vec<u8> {
    save(document_with_pages(contents).0)
}

/// Adds to the page tree root of `doc` the form XObjects `(name, content)`.
fn add_forms(doc: &mut Document, pages_id: ObjectId, forms: &[(&str, &[u8])]) -> Vec<ObjectId> {
    let ids: Vec<ObjectId> = forms.iter().map(|_| doc.new_object_id()).collect();
    let mut xobjects = Dictionary::new();
    for ((name, _), id) in forms.iter().zip(&ids) {
        xobjects.set(*name, *id);
    }
    let font = doc
        .get_dictionary(pages_id)
        .and_then(|pages| pages.get(b"Resources"))
        .and_then(Object::as_dict)
        .and_then(|resources| resources.get(b"Font"))
        .cloned()
        .unwrap_or(Object::Null);
    let resources = dictionary! { "Font" => font, "XObject" => xobjects };
    for ((_, content), id) in forms.iter().zip(&ids) {
        let dict = dictionary! {
            "Type" => "XObject", "Subtype" => "Form", "Resources" => resources.clone(),
            "BBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        };
        doc.objects
            .insert(*id, Object::Stream(Stream::new(dict, content.to_vec())));
    }
    if let Ok(Object::Dictionary(pages)) = doc.get_object_mut(pages_id) {
        pages.set("Resources", resources);
    }
    ids
}

#[test]
fn generated_pdf_with_metadata() {
    let (mut doc, _) = document_with_pages(&[br"BT /F1 12 Tf 72 700 Td (L\222orientation professionnelle) Tj 0 -14 Td [(exploita-)] TJ T* 0 -14 Td (tion \(r\351gion\)) Tj ET"]);
    let info = doc.add_object(dictionary! {
        "Title" => Object::string_literal(b"Orientation en r\xe9gion".to_vec()),
        "ModDate" => Object::string_literal("D:20240131120000+01'00'"),
        "CreationDate" => Object::string_literal("D:20200101"),
    });
    doc.trailer.set("Info", info);
    if let Ok(catalog) = doc.catalog_mut() {
        catalog.set("Lang", Object::string_literal("fr-FR"));
    }
    let extracted = extract(&save(doc)).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(
        extracted.body,
        "L’orientation professionnelle\nexploitation (région)"
    );
    assert_eq!(extracted.page_starts, vec![0]);
    assert_eq!(extracted.title.as_deref(), Some("Orientation en région"));
    assert_eq!(extracted.date, Date::new(2024, 1, 31));
    assert_eq!(extracted.language.as_deref(), Some("fr"));
}

#[test]
fn joins_pages_and_records_their_starts() {
    let pages = ["A".to_string(), String::new(), "B é".to_string()];
    assert_eq!(
        join_pages(&pages),
        ("A\n\n\n\nB é".to_string(), vec![0, 3, 5])
    );
    assert_eq!(
        join_pages(&[String::new(), String::new()]),
        (String::new(), vec![0, 0])
    );
    let bytes = pdf_with_pages(&[
        b"BT /F1 9 Tf 9 9 Td (un) Tj ET",
        b"",
        b"BT /F1 9 Tf 9 9 Td (trois) Tj ET",
    ]);
    let extracted = extract(&bytes).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(extracted.body, "un\n\n\n\ntrois");
    assert_eq!(extracted.page_starts, vec![0, 4, 6]);
}

#[test]
fn scanned_pdf_without_text_has_an_empty_body() {
    let (mut doc, pages_id) =
        document_with_pages(&[b"q 595 0 0 842 0 0 cm /Im1 Do Q", b"q /Im1 Do Q"]);
    let image = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => 2, "Height" => 2,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
        },
        vec![0, 255, 255, 0],
    ));
    if let Ok(Object::Dictionary(pages)) = doc.get_object_mut(pages_id) {
        pages.set(
            "Resources",
            dictionary! { "XObject" => dictionary! { "Im1" => image } },
        );
    }
    let extracted = extract(&save(doc)).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(extracted.body, "");
    assert_eq!(extracted.page_starts, vec![0, 0]);
}

fn encrypted_pdf(user_password: &str) -> Vec<u8> {
    let (mut doc, _) = document_with_pages(&[b"BT /F1 12 Tf 72 700 Td (secret) Tj ET"]);
    doc.trailer.set(
        "ID",
        vec![
            Object::string_literal("0123456789abcdef"),
            Object::string_literal("0123456789abcdef"),
        ],
    );
    let version = EncryptionVersion::V2 {
        document: &doc,
        owner_password: "owner",
        user_password,
        key_length: 128,
        permissions: Permissions::default(),
    };
    let state = EncryptionState::try_from(version).unwrap_or_else(|error| panic!("{error}"));
    doc.encrypt(&state)
        .unwrap_or_else(|error| panic!("{error}"));
    save(doc)
}

#[test]
fn encrypted_pdf_needing_a_password_is_reported() {
    assert_eq!(
        extract(&encrypted_pdf("user")),
        Err(ExtractError::Encrypted)
    );
    // An empty user password opens the file for anyone: its text is read.
    let opened = extract(&encrypted_pdf("")).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(opened.body, "secret");
}

fn assert_malformed(bytes: &[u8]) {
    match extract(bytes) {
        Err(ExtractError::Malformed { format: "pdf", .. }) => {}
        other => panic!("expected a malformed PDF, got {other:?}"),
    }
}

/// Deterministic pseudo-random bytes (a linear congruential generator).
fn noise(seed: u64, length: usize) -> Vec<u8> {
    let mut state = seed;
    (0..length)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as u8
        })
        .collect()
}

#[test]
fn garbage_is_malformed() {
    assert_malformed(b"");
    assert_malformed(&noise(1, 10_000));
    assert_malformed(&[b"%PDF-1.7\n".as_slice(), &noise(2, 10_000)].concat());
    assert_malformed(b"%PDF-1.4\ntrailer << /Root 1 0 R >>\n%%EOF");
    let mut deep = b"%PDF-1.4\n1 0 obj\n".to_vec();
    deep.extend(std::iter::repeat_n(b'[', 100_000));
    deep.extend_from_slice(b"\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF");
    assert_malformed(&deep);
}

#[test]
fn truncated_and_corrupted_files_do_not_panic() {
    let bytes = std::fs::read(ACCORD_CADRE).unwrap_or_else(|error| panic!("{error}"));
    for cut in 1..20 {
        let _ = extract(&bytes[..bytes.len() * cut / 20]);
    }
    for seed in 0..40 {
        let mut corrupted = bytes.clone();
        for chunk in noise(seed, 32).chunks(4) {
            let position = chunk
                .iter()
                .fold(0usize, |acc, &byte| acc << 8 | usize::from(byte));
            let length = corrupted.len();
            corrupted[position % length] = chunk[0];
        }
        let _ = extract(&corrupted);
    }
}

#[test]
fn one_bad_page_keeps_the_others() {
    let (mut doc, _) = document_with_pages(&[b"", b"BT /F1 12 Tf 72 700 Td (bonne page) Tj ET"]);
    let pages: Vec<ObjectId> = doc.page_iter().collect();
    let broken = doc.add_object(Stream::new(
        dictionary! { "Filter" => "FlateDecode" },
        b"this is not deflate data".to_vec(),
    ));
    if let Ok(Object::Dictionary(page)) = doc.get_object_mut(pages[0]) {
        page.set("Contents", vec![broken.into(), Object::Reference((999, 0))]);
    }
    let extracted = extract(&save(doc)).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(extracted.body, "\n\nbonne page");
    assert_eq!(extracted.page_starts, vec![0, 2]);
}

#[test]
fn decompression_bomb_page_is_skipped() {
    let (mut doc, _) = document_with_pages(&[b"", b"BT /F1 12 Tf 72 700 Td (suite) Tj ET"]);
    let pages: Vec<ObjectId> = doc.page_iter().collect();
    let mut bomb = Stream::new(dictionary! {}, vec![b' '; MAX_STREAM_SIZE + 1024]);
    bomb.compress().unwrap_or_else(|error| panic!("{error}"));
    let bomb = doc.add_object(bomb);
    if let Ok(Object::Dictionary(page)) = doc.get_object_mut(pages[0]) {
        page.set("Contents", bomb);
    }
    let extracted = extract(&save(doc)).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(extracted.body, "\n\nsuite");
}

#[test]
fn cyclic_page_tree_and_forms_are_cut() {
    let (mut doc, pages_id) = document_with_pages(&[b"/Self Do /A Do"]);
    add_forms(
        &mut doc,
        pages_id,
        &[
            ("Self", b"BT /F1 12 Tf 72 700 Td (soi) Tj ET /Self Do"),
            ("A", b"BT /F1 12 Tf 72 600 Td (a) Tj ET /B Do"),
            ("B", b"BT /F1 12 Tf 72 500 Td (b) Tj ET /A Do"),
        ],
    );
    // The root's /Parent is the page itself (inherited attributes are looked up around the
    // loop), and the page's content list holds a reference to itself.
    let page_id = doc.page_iter().next().unwrap_or((0, 0));
    if let Ok(Object::Dictionary(pages)) = doc.get_object_mut(pages_id) {
        pages.set("Parent", page_id);
    }
    let self_reference = doc.new_object_id();
    doc.objects
        .insert(self_reference, Object::Reference(self_reference));
    if let Ok(Object::Dictionary(page)) = doc.get_object_mut(page_id) {
        let content = page.get(b"Contents").cloned().unwrap_or(Object::Null);
        page.set("Contents", vec![content, self_reference.into()]);
    }
    let extracted = extract(&save(doc)).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(extracted.body, "soi\n\na\n\nb");
}

#[test]
fn form_fan_out_and_deep_content_are_bounded() {
    // Each form shows "x" and draws the next one ten times: 10^8 runs of the last one
    // without a depth limit and a budget.
    let names: Vec<String> = (0..12).map(|level| format!("F{level}")).collect();
    let contents: Vec<Vec<u8>> = (0..12)
        .map(|level| {
            let next = names
                .get(level + 1)
                .map_or(String::new(), |next| format!("/{next} Do ").repeat(10));
            format!("BT /F1 1 Tf (x) Tj ET {next}").into_bytes()
        })
        .collect();
    let forms: Vec<(&str, &[u8])> = names
        .iter()
        .map(String::as_str)
        .zip(contents.iter().map(Vec::as_slice))
        .collect();
    let mut deep = b"BT /F1 12 Tf 72 700 Td ".to_vec();
    deep.extend(std::iter::repeat_n(b'[', 100_000));
    deep.extend_from_slice(b"(cach\xe9)");
    deep.extend(std::iter::repeat_n(b']', 100_000));
    deep.extend_from_slice(b" TJ (profond) Tj ET");
    let (mut doc, pages_id) = document_with_pages(&[b"/F0 Do", &deep]);
    add_forms(&mut doc, pages_id, &forms);
    let extracted = extract(&save(doc)).unwrap_or_else(|error| panic!("{error}"));
    // The page's glyph budget stopped the fan-out (10^11 glyphs without it).
    let glyphs = extracted.body.matches('x').count();
    assert!(glyphs <= Budget::PAGE.glyphs, "{glyphs} glyphs");
    assert!(extracted.body.starts_with("xxxx"));
    assert!(extracted.body.ends_with("profond"));
}

#[test]
fn mutated_content_streams_do_not_panic() {
    let bytes = std::fs::read(format!("{FIXTURES}fr-eyesj-progman.pdf")).unwrap_or_default();
    let doc = load(&bytes).unwrap_or_else(|error| panic!("{error}"));
    let mut fonts = FontCache::default();
    let syntax = b"[]()<>/{}%\\ 0123456789.-TJjfmdDQq*'\"BEIe";
    for (index, page_id) in doc.page_iter().take(3).enumerate() {
        let page = doc
            .get_dictionary(page_id)
            .unwrap_or_else(|error| panic!("{error}"));
        let mut budget = Budget::PAGE;
        let content = page_content(&doc, page, &mut budget);
        let resources = inherited(&doc, page, b"Resources").and_then(as_dict);
        for seed in 0..50u64 {
            let mut mutated = content.clone();
            for chunk in noise(seed * 131 + index as u64, 4 * (1 + seed as usize % 20)).chunks(4) {
                let position = chunk
                    .iter()
                    .fold(0usize, |acc, &byte| acc << 8 | usize::from(byte));
                let length = mutated.len();
                mutated[position % length] = syntax[usize::from(chunk[1]) % syntax.len()];
            }
            let (glyphs, _) = Interpreter::new(&doc, &mut fonts, Budget::PAGE, None)
                .run_page(&mutated, resources);
            layout::page_text(&glyphs);
        }
    }
}
