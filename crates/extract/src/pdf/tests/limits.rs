//! Tests of the document-wide limits: page count, the budget shared by the pages, and text
//! bytes per glyph; plus regressions of inputs found by fuzzing (`fuzz/`).

use lopdf::{dictionary, Stream};

use super::*;

#[test]
fn the_document_budget_is_shared_by_its_pages() {
    let page: &[u8] = b"BT /F1 12 Tf 72 700 Td (abcdef) Tj ET";
    let (doc, _) = document_with_pages(&[page, page, page]);
    let mut fonts = FontCache::default();
    let mut budget = Budget {
        text_bytes: 8,
        ..Budget::DOCUMENT
    };
    let texts: Vec<String> = doc
        .page_iter()
        .map(|page_id| page_text(&doc, &mut fonts, &mut budget, page_id))
        .collect();
    assert_eq!(texts, ["abcdef", "ab", ""]);
    assert_eq!(budget.text_bytes, 0);
    assert_eq!(budget.glyphs, Budget::DOCUMENT.glyphs - 8);
}

#[test]
fn a_code_mapped_to_a_long_text_cannot_blow_up_the_body() {
    // One code stands for 16 KiB of text and every page shows it 1,000 times: 16 MiB per
    // page, 320 MiB for the document without the text budgets.
    let (mut doc, pages_id) = document_with_pages(&[]);
    let long_text = "00650074".repeat(8 * 1024);
    let cmap = format!(
        "1 begincodespacerange <00> <FF> endcodespacerange \
         1 beginbfchar <41> <{long_text}> endbfchar"
    );
    let to_unicode = doc.add_object(Stream::new(dictionary! {}, cmap.into_bytes()));
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "ToUnicode" => to_unicode,
    });
    let content = format!("BT /F1 1 Tf 10 10 Td ({}) Tj ET", "A".repeat(1_000));
    let content = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
    let kids: Vec<Object> = (0..20)
        .map(|_| {
            doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => pages_id, "Contents" => content,
            })
            .into()
        })
        .collect();
    if let Ok(Object::Dictionary(pages)) = doc.get_object_mut(pages_id) {
        pages.set("Count", kids.len() as i64);
        pages.set("Kids", kids);
        pages.set(
            "Resources",
            dictionary! { "Font" => dictionary! { "F1" => font } },
        );
    }
    let extracted = extract(&save(doc)).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(extracted.page_starts.len(), 20);
    let page_lengths: Vec<usize> = extracted
        .page_starts
        .windows(2)
        .map(|pair| pair[1] - pair[0])
        .collect();
    assert!(page_lengths
        .iter()
        .all(|&length| length <= Budget::PAGE.text_bytes + 1024));
    assert!(extracted.body.len() <= Budget::DOCUMENT.text_bytes + 20 * 1024);
    assert!(
        extracted.body.ends_with("\n\n\n\n"),
        "the last pages are empty"
    );
}

#[test]
fn documents_over_the_page_limit_are_refused() {
    let contents: Vec<&[u8]> = vec![b""; MAX_PAGES + 1];
    let refused = extract(&pdf_with_pages(&contents));
    assert_eq!(
        refused,
        Err(ExtractError::malformed(
            "pdf",
            format!("more than {MAX_PAGES} pages")
        ))
    );
}

/// Regression (issue 11, item 3): lopdf keeps every object of a file in memory, so one
/// array of millions of numbers (a 48 MB file: 2.8 GiB at peak) was parsed before anything
/// else was checked. It is now refused from the raw bytes, within the document's budget.
#[test]
fn a_file_of_millions_of_objects_is_refused_before_it_is_parsed() {
    let (mut doc, _) = document_with_pages(&[b"BT ET"]);
    let numbers: Vec<Object> = (0..prescan::MAX_OBJECTS as i64)
        .map(Object::Integer)
        .collect();
    doc.add_object(Object::Array(numbers));
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    let error = extract(&bytes).unwrap_err().to_string();
    assert!(error.contains("memory budget of one document"), "{error}");
}
