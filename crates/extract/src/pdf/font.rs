//! Fonts as text extraction sees them: how a shown byte string splits into character codes,
//! what text each code stands for and how wide its glyph is.
//!
//! Simple fonts (Type 1, TrueType, Type 3) get a 256-entry table built once from their
//! encoding (standard encodings, `/Differences`, the Type 1 built-in encoding) overridden by
//! `/ToUnicode`. Composite fonts (Type 0) split codes by their CMap (Identity-H: two bytes)
//! and map them through `/ToUnicode`; widths come from `/W` and `/DW`. Fonts are built once
//! per document ([`FontCache`]), within a budget of font stream bytes.

use std::collections::HashMap;
use std::rc::Rc;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use super::cmap::CMap;
use super::encoding::CodeTexts;
use super::objects::{
    as_dict, contains, lookup, lookup_array, lookup_dict, lookup_name, lookup_number,
    lookup_stream, number, reference_id, resolve, stream_data,
};
use super::simple_font;

/// Largest decoded `/ToUnicode`, CMap or font program read for a font.
const MAX_FONT_STREAM: usize = 8 * 1024 * 1024;
/// Bytes of font streams one document may decode in all.
const MAX_DOCUMENT_FONT_STREAMS: usize = 64 * 1024 * 1024;

/// What is left of a document's allowance for decoding font streams (`/ToUnicode`, CMaps,
/// Type 1 programs); once spent, fonts are built from their dictionaries alone.
pub(super) struct FontStreamBudget {
    remaining: usize,
}

impl Default for FontStreamBudget {
    fn default() -> Self {
        FontStreamBudget {
            remaining: MAX_DOCUMENT_FONT_STREAMS,
        }
    }
}

impl FontStreamBudget {
    /// The decoded data of a font stream, charged to the budget.
    pub(super) fn read(&mut self, stream: &Stream) -> Option<Vec<u8>> {
        let data = stream_data(stream, self.remaining.min(MAX_FONT_STREAM))?;
        self.remaining = self.remaining.saturating_sub(data.len());
        Some(data)
    }
}

/// Identifies a font dictionary: its object id, or its address for a direct dictionary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum FontKey {
    Object(ObjectId),
    Direct(usize),
}

/// Fonts already built, shared by all the pages of a document, and what is left of the
/// document's allowance for reading font streams.
#[derive(Default)]
pub(super) struct FontCache {
    fonts: HashMap<FontKey, Rc<Font>>,
    stream_budget: FontStreamBudget,
}

impl FontCache {
    /// The font named `name` in the `/Font` dictionary of `resources`, built once.
    pub(super) fn font(
        &mut self,
        doc: &Document,
        resources: &Dictionary,
        name: &[u8],
    ) -> Option<Rc<Font>> {
        let entry = lookup_dict(doc, resources, b"Font")?.get(name).ok()?;
        let key = match reference_id(entry) {
            Some(id) => FontKey::Object(id),
            None => FontKey::Direct(std::ptr::from_ref(entry) as usize),
        };
        if let Some(font) = self.fonts.get(&key) {
            return Some(Rc::clone(font));
        }
        let dict = as_dict(resolve(doc, entry)?)?;
        let font = Rc::new(Font::from_dict(doc, dict, &mut self.stream_budget));
        self.fonts.insert(key, Rc::clone(&font));
        Some(font)
    }
}

/// One decoded character code.
pub(super) struct ShownCode<'a> {
    /// The text the code stands for; empty when unknown.
    pub(super) text: &'a str,
    /// Horizontal displacement in text space units per unit of font size.
    pub(super) width: f64,
    /// Whether the code is the single byte 32, to which word spacing (`Tw`) applies.
    pub(super) is_word_space: bool,
}

/// How a composite font splits byte strings into codes and codes into CIDs.
enum CodeSplitting {
    /// Two-byte codes, CID = code (Identity-H/V and predefined CMaps we do not ship).
    TwoBytes { codes_are_utf16: bool },
    /// An embedded CMap with its own code space ranges and CID mappings.
    Embedded(CMap),
}

/// Glyph widths of a composite font (`/W`), in glyph units.
#[derive(Default)]
struct CidWidths {
    singles: HashMap<u32, f64>,
    ranges: Vec<(u32, u32, f64)>,
    default: f64,
}

/// What a composite font needs to decode its codes.
struct CompositeFont {
    splitting: CodeSplitting,
    to_unicode: Option<CMap>,
    widths: CidWidths,
}

enum FontKind {
    Simple { texts: CodeTexts, widths: Vec<f64> },
    Composite(Box<CompositeFont>),
}

/// A font ready to decode shown strings.
pub(super) struct Font {
    kind: FontKind,
    /// Glyph units to text space: 1/1000, or the `/FontMatrix` scale of a Type 3 font.
    width_scale: f64,
}

impl Font {
    /// Builds the font described by a font dictionary. Never fails: what cannot be read
    /// falls back to standard behaviour (StandardEncoding, assumed widths).
    pub(super) fn from_dict(
        doc: &Document,
        dict: &Dictionary,
        budget: &mut FontStreamBudget,
    ) -> Font {
        let to_unicode = lookup_stream(doc, dict, b"ToUnicode")
            .and_then(|stream| budget.read(stream))
            .map(|data| CMap::parse(&data));
        match lookup_name(doc, dict, b"Subtype") {
            Some(b"Type0") => composite_font(doc, dict, to_unicode, budget),
            subtype => simple_font(doc, dict, to_unicode, subtype == Some(b"Type3"), budget),
        }
    }

    /// Calls `each` for every code of `bytes`, in order.
    pub(super) fn decode(&self, bytes: &[u8], mut each: impl FnMut(ShownCode<'_>)) {
        match &self.kind {
            FontKind::Simple { texts, widths } => {
                for &byte in bytes {
                    let index = usize::from(byte);
                    each(ShownCode {
                        text: texts.get(index).map_or("", String::as_str),
                        width: widths.get(index).copied().unwrap_or(0.0) * self.width_scale,
                        is_word_space: byte == b' ',
                    });
                }
            }
            FontKind::Composite(composite) => {
                let CompositeFont {
                    splitting,
                    to_unicode,
                    widths,
                } = composite.as_ref();
                let mut rest = bytes;
                while !rest.is_empty() {
                    let length = match splitting {
                        CodeSplitting::TwoBytes { .. } => 2,
                        CodeSplitting::Embedded(cmap) => cmap.code_length(rest),
                    };
                    let (code_bytes, tail) = rest.split_at(length.min(rest.len()));
                    rest = tail;
                    let code = code_bytes
                        .iter()
                        .fold(0u32, |code, &byte| code << 8 | u32::from(byte));
                    let cid = match splitting {
                        CodeSplitting::Embedded(cmap) => cmap.cid(code).unwrap_or(code),
                        CodeSplitting::TwoBytes { .. } => code,
                    };
                    let text = match (
                        to_unicode.as_ref().and_then(|map| map.unicode(code)),
                        splitting,
                    ) {
                        (Some(text), _) => text,
                        (
                            None,
                            CodeSplitting::TwoBytes {
                                codes_are_utf16: true,
                            },
                        ) => char::from_u32(code).map(String::from).unwrap_or_default(),
                        (None, _) => String::new(),
                    };
                    each(ShownCode {
                        text: &text,
                        width: widths.width(cid) * self.width_scale,
                        is_word_space: code_bytes == b" ",
                    });
                }
            }
        }
    }
}

impl CidWidths {
    fn width(&self, cid: u32) -> f64 {
        if let Some(width) = self.singles.get(&cid) {
            return *width;
        }
        let after = self.ranges.partition_point(|(first, _, _)| *first <= cid);
        self.ranges
            .get(..after)
            .unwrap_or_default()
            .iter()
            .rev()
            .take(8)
            .find(|(_, last, _)| cid <= *last)
            .map_or(self.default, |(_, _, width)| *width)
    }

    /// Reads `/W`: `[c [w1 w2 …]  cfirst clast w  …]`.
    fn parse(doc: &Document, entries: &[Object], default: f64) -> CidWidths {
        let mut widths = CidWidths {
            default,
            ..CidWidths::default()
        };
        let mut index = 0;
        while let Some(first) = entries.get(index).and_then(number) {
            let first = first as u32;
            match entries
                .get(index + 1)
                .and_then(|object| resolve(doc, object))
            {
                Some(Object::Array(list)) => {
                    for (offset, width) in list.iter().enumerate() {
                        if let Some(width) = number(width) {
                            widths
                                .singles
                                .insert(first.saturating_add(offset as u32), width);
                        }
                    }
                    index += 2;
                }
                Some(last) => {
                    let last = number(last).map_or(first, |last| last as u32);
                    let width = entries.get(index + 2).and_then(number).unwrap_or(default);
                    widths.ranges.push((first, last, width));
                    index += 3;
                }
                None => break,
            }
        }
        widths.ranges.sort_by_key(|(first, _, _)| *first);
        widths
    }
}

fn composite_font(
    doc: &Document,
    dict: &Dictionary,
    to_unicode: Option<CMap>,
    budget: &mut FontStreamBudget,
) -> Font {
    let splitting = match lookup(doc, dict, b"Encoding") {
        Some(Object::Stream(stream)) => {
            let cmap = budget
                .read(stream)
                .map(|data| CMap::parse(&data))
                .filter(CMap::has_code_spaces);
            match cmap {
                Some(cmap) => CodeSplitting::Embedded(cmap),
                None => CodeSplitting::TwoBytes {
                    codes_are_utf16: false,
                },
            }
        }
        Some(Object::Name(name)) => CodeSplitting::TwoBytes {
            codes_are_utf16: name.starts_with(b"Uni")
                && (contains(name, b"UCS2") || contains(name, b"UTF16")),
        },
        _ => CodeSplitting::TwoBytes {
            codes_are_utf16: false,
        },
    };
    let descendant = lookup_array(doc, dict, b"DescendantFonts")
        .and_then(|fonts| fonts.first())
        .and_then(|font| resolve(doc, font))
        .and_then(|font| font.as_dict().ok());
    let widths = match descendant {
        Some(descendant) => {
            let default = lookup_number(doc, descendant, b"DW").unwrap_or(1000.0);
            match lookup_array(doc, descendant, b"W") {
                Some(entries) => CidWidths::parse(doc, entries, default),
                None => CidWidths {
                    default,
                    ..CidWidths::default()
                },
            }
        }
        None => CidWidths {
            default: 1000.0,
            ..CidWidths::default()
        },
    };
    Font {
        kind: FontKind::Composite(Box::new(CompositeFont {
            splitting,
            to_unicode,
            widths,
        })),
        width_scale: 0.001,
    }
}

fn simple_font(
    doc: &Document,
    dict: &Dictionary,
    to_unicode: Option<CMap>,
    is_type3: bool,
    budget: &mut FontStreamBudget,
) -> Font {
    let (texts, widths) = simple_font::code_tables(doc, dict, to_unicode, budget);
    let width_scale = if is_type3 {
        lookup_array(doc, dict, b"FontMatrix")
            .and_then(|matrix| matrix.first())
            .and_then(number)
            .map_or(0.001, f64::abs)
    } else {
        0.001
    };
    Font {
        kind: FontKind::Simple { texts, widths },
        width_scale,
    }
}
#[cfg(test)]
mod tests {
    use lopdf::dictionary;

    use super::*;

    fn build(doc: &Document, dict: &Dictionary) -> Font {
        Font::from_dict(doc, dict, &mut FontStreamBudget::default())
    }

    fn decoded(font: &Font, bytes: &[u8]) -> Vec<(String, f64)> {
        let mut out = Vec::new();
        font.decode(bytes, |code| out.push((code.text.to_string(), code.width)));
        out
    }

    #[test]
    fn composite_identity_font_uses_to_unicode_and_w() {
        let mut doc = Document::new();
        let to_unicode = doc.add_object(Stream::new(
            dictionary! {},
            b"begincodespacerange <0000> <FFFF> endcodespacerange beginbfrange <0010> <0012> <0061> endbfrange".to_vec(),
        ));
        let font = build(
            &doc,
            &dictionary! {
                "Subtype" => "Type0", "Encoding" => "Identity-H", "ToUnicode" => to_unicode,
                "DescendantFonts" => vec![dictionary! {
                    "DW" => 500, "W" => vec![16.into(), vec![300.into(), 400.into()].into(), 18.into(), 20.into(), 250.into()],
                }.into()],
            },
        );
        assert_eq!(
            decoded(&font, b"\x00\x10\x00\x11\x00\x12\x00\x30\x01"),
            vec![
                ("a".to_string(), 0.3),
                ("b".to_string(), 0.4),
                ("c".to_string(), 0.25),
                (String::new(), 0.5),
                (String::new(), 0.5),
            ]
        );
    }

    #[test]
    fn font_streams_beyond_the_budget_are_not_read() {
        let mut doc = Document::new();
        let to_unicode = doc.add_object(Stream::new(
            dictionary! {},
            b"beginbfchar <41> <0042> endbfchar".to_vec(),
        ));
        let dict = dictionary! { "Subtype" => "Type1", "ToUnicode" => to_unicode };
        assert_eq!(decoded(&build(&doc, &dict), b"A")[0].0, "B");
        let mut spent = FontStreamBudget { remaining: 0 };
        let font = Font::from_dict(&doc, &dict, &mut spent);
        assert_eq!(decoded(&font, b"A")[0].0, "A");
    }

    #[test]
    fn hostile_font_dictionaries_do_not_panic() {
        let doc = Document::new();
        let font = build(
            &doc,
            &dictionary! {
                "Subtype" => "Type0", "DescendantFonts" => vec![dictionary! {
                    "W" => vec![0.into(), 4_294_967_295i64.into(), 1.into(), Object::Null, (-5).into()],
                }.into()],
            },
        );
        assert_eq!(decoded(&font, b"\xff\xff").len(), 1);
    }
}
