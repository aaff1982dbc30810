//! PDF text extraction: page text laid out from the content stream operators, with the
//! document's title, date and language.
//!
//! lopdf parses the file; the text is our own: `interpreter` runs each page's content
//! (fonts decoded by `font`, forms followed with a depth limit) and `layout` arranges
//! the positioned glyphs into lines and words. A page that cannot be read becomes an empty
//! page; the others are kept.
//!
//! Work and memory are bounded: the raw file is looked at before it is parsed (`prescan`:
//! objects, nesting and pages within the memory budget of a document), object streams
//! decompress to at most `MAX_STREAM_SIZE`, a document has at most `MAX_PAGES` pages, each page runs within a `Budget` and all the
//! pages together within `Budget::DOCUMENT` (pages past it come out empty); lopdf caps
//! the nesting of arrays and dictionaries and follows reference chains a bounded number of
//! steps, and the page tree and forms are climbed with depth limits and cycle checks.

mod cmap;
mod encoding;
mod font;
mod geometry;
mod interpreter;
mod layout;
mod lexer;
mod metadata;
mod objects;
mod prescan;
mod simple_font;

use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId};

use super::{ExtractError, Extracted};
use font::FontCache;
use geometry::PageBox;
use interpreter::{Budget, Interpreter};
use objects::{as_dict, lookup, number, resolve, stream_data};

/// Largest size an object stream may decompress to while the file is loaded: its objects
/// are all parsed and kept, so it is part of the memory budget of the document (real object
/// streams hold a few hundred KiB).
const MAX_STREAM_SIZE: usize = 8 * 1024 * 1024;
/// Most levels of the page tree climbed to find inherited resources.
const MAX_PAGE_TREE_DEPTH: usize = 64;
/// Most pages in a document; longer ones are refused (real documents have hundreds).
const MAX_PAGES: usize = 10_000;

/// Extracts the text and metadata of a PDF file.
///
/// `body` holds the pages joined by a blank line ("\n\n"), `page_starts` the byte offset of
/// each page in it (one per page, empty pages included). A PDF without any text (a scan)
/// gives an empty body. Fails with [`ExtractError::Encrypted`] when the file needs a
/// password, and [`ExtractError::Malformed`] when it cannot be parsed, has no pages or more
/// than `MAX_PAGES`.
pub fn extract(bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let doc = load(bytes)?;
    let page_ids: Vec<ObjectId> = doc.page_iter().take(MAX_PAGES + 1).collect();
    if page_ids.is_empty() {
        return Err(ExtractError::malformed("pdf", "no pages"));
    }
    if page_ids.len() > MAX_PAGES {
        return Err(ExtractError::malformed(
            "pdf",
            format!("more than {MAX_PAGES} pages"),
        ));
    }
    let mut fonts = FontCache::default();
    let mut budget = Budget::DOCUMENT;
    let pages: Vec<String> = page_ids
        .iter()
        .map(|&page_id| page_text(&doc, &mut fonts, &mut budget, page_id))
        .collect();
    let (body, page_starts) = join_pages(&pages);
    let metadata = metadata::read(&doc);
    Ok(Extracted {
        title: metadata.title,
        body,
        page_starts,
        language: metadata.language,
        date: metadata.date,
        ..Extracted::default()
    })
}

/// Parses the file, telling encrypted files (that need a password) from broken ones. The
/// raw bytes are looked at first (`prescan`): a file that would not fit in the memory budget
/// of a document once parsed, or nests too deeply, is refused before lopdf reads it.
fn load(bytes: &[u8]) -> Result<Document, ExtractError> {
    prescan::check(bytes, MAX_PAGES)?;
    let options = LoadOptions {
        max_decompressed_size: Some(MAX_STREAM_SIZE),
        ..LoadOptions::default()
    };
    match Document::load_mem_with_options(bytes, options) {
        // lopdf opens files encrypted with an empty user password by itself; the others
        // keep their /Encrypt entry and have no readable objects.
        Ok(doc) if doc.trailer.has(b"Encrypt") => Err(ExtractError::Encrypted),
        Ok(doc) => Ok(doc),
        Err(
            lopdf::Error::Decryption(_)
            | lopdf::Error::InvalidPassword
            | lopdf::Error::UnsupportedSecurityHandler(_),
        ) => Err(ExtractError::Encrypted),
        // lopdf decompresses the object streams while loading, within MAX_STREAM_SIZE.
        Err(lopdf::Error::Decompress(_)) => Err(ExtractError::malformed(
            "pdf",
            format!(
                "an object stream cannot be decompressed, or decompresses beyond {} MiB",
                MAX_STREAM_SIZE >> 20
            ),
        )),
        Err(error) => Err(ExtractError::malformed("pdf", error)),
    }
}

/// Joins page texts with blank lines and records where each page starts. When no page has
/// any text the body is empty and every page starts at 0.
fn join_pages(pages: &[String]) -> (String, Vec<usize>) {
    if pages.iter().all(String::is_empty) {
        return (String::new(), vec![0; pages.len()]);
    }
    let mut body = String::new();
    let mut page_starts = Vec::with_capacity(pages.len());
    for (index, page) in pages.iter().enumerate() {
        if index > 0 {
            body.push_str("\n\n");
        }
        page_starts.push(body.len());
        body.push_str(page);
    }
    (body, page_starts)
}

/// The text of one page, within what is left of the document's budget; empty when the page
/// has no readable content.
fn page_text(
    doc: &Document,
    fonts: &mut FontCache,
    document_budget: &mut Budget,
    page_id: ObjectId,
) -> String {
    let Ok(page) = doc.get_dictionary(page_id) else {
        return String::new();
    };
    let granted = Budget::PAGE.within(*document_budget);
    let mut budget = granted;
    let content = page_content(doc, page, &mut budget);
    let resources = inherited(doc, page, b"Resources").and_then(as_dict);
    let page_box = inherited(doc, page, b"CropBox")
        .and_then(rectangle)
        .or_else(|| inherited(doc, page, b"MediaBox").and_then(rectangle));
    let (glyphs, left) =
        Interpreter::new(doc, fonts, budget, page_box).run_page(&content, resources);
    document_budget.charge(granted, left);
    layout::page_text(&glyphs)
}

/// The page's content streams, decoded and concatenated; streams that cannot be decoded
/// within the budget are left out.
fn page_content(doc: &Document, page: &Dictionary, budget: &mut Budget) -> Vec<u8> {
    let streams: Vec<&Object> = match page
        .get(b"Contents")
        .ok()
        .and_then(|contents| resolve(doc, contents))
    {
        Some(Object::Array(items)) => items.iter().collect(),
        Some(single) => vec![single],
        None => Vec::new(),
    };
    let mut content = Vec::new();
    for stream in streams {
        let Some(Object::Stream(stream)) = resolve(doc, stream) else {
            continue;
        };
        if let Some(data) = stream_data(stream, budget.content_bytes) {
            budget.content_bytes = budget.content_bytes.saturating_sub(data.len());
            content.extend_from_slice(&data);
            content.push(b'\n');
        }
    }
    content
}

/// The value of an inheritable page attribute: the page's own or its nearest ancestor's.
fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = page;
    for _ in 0..MAX_PAGE_TREE_DEPTH {
        if let Some(value) = lookup(doc, node, key) {
            return Some(value);
        }
        node = lookup(doc, node, b"Parent").and_then(as_dict)?;
    }
    None
}

/// A PDF rectangle `[x1 y1 x2 y2]` as a page box.
fn rectangle(object: &Object) -> Option<PageBox> {
    let values: Vec<f64> = object.as_array().ok()?.iter().filter_map(number).collect();
    let corners: [f64; 4] = values.try_into().ok()?;
    Some(PageBox::from_rectangle(corners))
}

#[cfg(test)]
mod tests;
