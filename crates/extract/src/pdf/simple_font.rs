//! Simple fonts (Type 1, TrueType, Type 3): the text and the width of each of their 256
//! codes, built once per font from the encoding (a standard encoding, `/Differences`, the
//! built-in encoding of an embedded Type 1 program) overridden by `/ToUnicode`, and from
//! `/Widths`.

use lopdf::{Dictionary, Document, Object};

use super::cmap::CMap;
use super::encoding::{
    glyph_name_text, named_encoding, standard_encoding, type1_builtin_encoding, CodeTexts,
};
use super::font::FontStreamBudget;
use super::objects::{
    contains, lookup, lookup_array, lookup_dict, lookup_name, lookup_number, lookup_stream, number,
    resolve,
};

/// Width assumed for glyphs of a simple font without `/Widths` (a standard 14 font).
const ASSUMED_WIDTH: f64 = 500.0;
/// Width of every glyph of the standard Courier fonts.
const COURIER_WIDTH: f64 = 600.0;

/// The text (`/ToUnicode` first, else the encoding) and the width in glyph units of each
/// code of a simple font.
pub(super) fn code_tables(
    doc: &Document,
    dict: &Dictionary,
    to_unicode: Option<CMap>,
    budget: &mut FontStreamBudget,
) -> (CodeTexts, Vec<f64>) {
    let mut texts = simple_font_texts(doc, dict, budget);
    if let Some(to_unicode) = to_unicode {
        for (code, text) in texts.iter_mut().enumerate() {
            if let Some(mapped) = to_unicode.unicode(code as u32) {
                *text = mapped;
            }
        }
    }
    (texts, widths(doc, dict))
}

/// The text of each code of a simple font, before `/ToUnicode`.
fn simple_font_texts(
    doc: &Document,
    dict: &Dictionary,
    budget: &mut FontStreamBudget,
) -> CodeTexts {
    let encoding = lookup(doc, dict, b"Encoding");
    if let Some(Object::Name(name)) = encoding {
        if let Some(table) = named_encoding(name) {
            return table.clone();
        }
    }
    let encoding_dict = encoding.and_then(|object| object.as_dict().ok());
    let mut texts = match encoding_dict
        .and_then(|encoding| lookup_name(doc, encoding, b"BaseEncoding"))
        .and_then(named_encoding)
    {
        Some(table) => table.clone(),
        None => builtin_texts(doc, dict, budget),
    };
    let differences =
        encoding_dict.and_then(|encoding| lookup_array(doc, encoding, b"Differences"));
    let mut code = 0usize;
    for entry in differences.unwrap_or_default() {
        match resolve(doc, entry) {
            Some(Object::Name(name)) => {
                if let Some(text) = texts.get_mut(code) {
                    *text = glyph_name_text(name).unwrap_or_default();
                }
                code += 1;
            }
            Some(other) => {
                if let Some(value) = number(other) {
                    code = value.clamp(0.0, 256.0) as usize;
                }
            }
            None => {}
        }
    }
    texts
}

/// The texts of a simple font's built-in encoding: the one written in an embedded Type 1
/// program, else StandardEncoding.
fn builtin_texts(doc: &Document, dict: &Dictionary, budget: &mut FontStreamBudget) -> CodeTexts {
    let mut texts = standard_encoding().clone();
    let program = lookup_dict(doc, dict, b"FontDescriptor")
        .and_then(|descriptor| lookup_stream(doc, descriptor, b"FontFile"))
        .and_then(|stream| budget.read(stream));
    if let Some(entries) = program.as_deref().and_then(type1_builtin_encoding) {
        texts = vec![String::new(); 256];
        for (code, name) in entries {
            if let Some(text) = texts.get_mut(usize::from(code)) {
                *text = glyph_name_text(&name).unwrap_or_default();
            }
        }
    }
    texts
}

/// The width of each code of a simple font, in glyph units.
fn widths(doc: &Document, dict: &Dictionary) -> Vec<f64> {
    let base_font = lookup_name(doc, dict, b"BaseFont").unwrap_or_default();
    let missing = lookup_dict(doc, dict, b"FontDescriptor")
        .and_then(|descriptor| lookup_number(doc, descriptor, b"MissingWidth"))
        .filter(|width| *width > 0.0);
    let Some(listed) = lookup_array(doc, dict, b"Widths") else {
        let assumed = if contains(base_font, b"Courier") {
            COURIER_WIDTH
        } else {
            ASSUMED_WIDTH
        };
        return vec![missing.unwrap_or(assumed); 256];
    };
    let first_char = lookup_number(doc, dict, b"FirstChar").unwrap_or(0.0);
    let mut widths = vec![missing.unwrap_or(0.0); 256];
    for (offset, width) in listed.iter().enumerate() {
        let code = first_char + offset as f64;
        if !(0.0..256.0).contains(&code) {
            continue;
        }
        if let (Some(slot), Some(width)) = (
            widths.get_mut(code as usize),
            resolve(doc, width).and_then(number),
        ) {
            *slot = width;
        }
    }
    widths
}

#[cfg(test)]
mod tests {
    use lopdf::{dictionary, Stream};

    use super::*;

    fn tables(doc: &Document, dict: &Dictionary) -> (CodeTexts, Vec<f64>) {
        let to_unicode = lookup_stream(doc, dict, b"ToUnicode")
            .and_then(|stream| stream.decompressed_content().ok())
            .map(|data| CMap::parse(&data));
        code_tables(doc, dict, to_unicode, &mut FontStreamBudget::default())
    }

    #[test]
    fn encoding_with_differences_and_widths() {
        let doc = Document::new();
        let (texts, widths) = tables(
            &doc,
            &dictionary! {
                "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Times-Roman",
                "FirstChar" => 65, "Widths" => vec![722.into(), 667.into()],
                "Encoding" => dictionary! {
                    "BaseEncoding" => "WinAnsiEncoding",
                    "Differences" => vec![66.into(), Object::Name(b"fi".to_vec()), Object::Name(b"g7".to_vec())],
                },
            },
        );
        assert_eq!(texts[0x41..=0x43], ["A", "\u{fb01}", ""]);
        assert_eq!(texts[0xe9], "é");
        assert_eq!(widths[0x41..=0x43], [722.0, 667.0, 0.0]);
    }

    #[test]
    fn builtin_type1_encoding_then_to_unicode() {
        let mut doc = Document::new();
        let program = doc.add_object(Stream::new(
            dictionary! {},
            b"/Encoding 256 array\ndup 19 /acute put\ndup 101 /e put\nreadonly def\neexec".to_vec(),
        ));
        let to_unicode = doc.add_object(Stream::new(
            dictionary! {},
            b"beginbfchar <65> <0065> <66> <0066> endbfchar".to_vec(),
        ));
        let descriptor = dictionary! { "FontFile" => program };
        let (texts, _) = tables(
            &doc,
            &dictionary! { "Subtype" => "Type1", "FontDescriptor" => descriptor.clone() },
        );
        assert_eq!(
            (texts[19].as_str(), texts[101].as_str(), texts[65].as_str()),
            ("\u{b4}", "e", "")
        );
        let (texts, _) = tables(
            &doc,
            &dictionary! { "Subtype" => "Type1", "FontDescriptor" => descriptor, "ToUnicode" => to_unicode },
        );
        assert_eq!((texts[19].as_str(), texts[102].as_str()), ("\u{b4}", "f"));
    }

    #[test]
    fn standard_fonts_without_widths_get_assumed_widths() {
        let doc = Document::new();
        let courier = dictionary! { "Subtype" => "Type1", "BaseFont" => "Courier-Bold" };
        assert_eq!(tables(&doc, &courier).1[0x61], 600.0);
        let helvetica = dictionary! { "Subtype" => "Type1", "BaseFont" => "Helvetica" };
        let (texts, widths) = tables(&doc, &helvetica);
        assert_eq!((texts[0x27].as_str(), widths[0x27]), ("\u{2019}", 500.0));
    }

    #[test]
    fn hostile_widths_and_differences_are_ignored() {
        let doc = Document::new();
        let (texts, widths) = tables(
            &doc,
            &dictionary! {
                "Subtype" => "Type1", "FirstChar" => -1_000_000, "Widths" => vec![1.into(); 3],
                "Encoding" => dictionary! { "Differences" => vec![1e30.into(), Object::Name(b"a".to_vec())] },
            },
        );
        assert_eq!((texts.len(), widths.len()), (256, 256));
        assert!(widths.iter().all(|width| *width == 0.0));
    }
}
