//! Single-byte font encodings: the standard PDF encodings, glyph names → Unicode (Adobe
//! Glyph List, `uniXXXX`, `uXXXX`, suffixed and ligature names) and the built-in encoding
//! written in the clear-text part of an embedded Type 1 font program.

use std::sync::LazyLock;

use lopdf::{dictionary, Document, Encoding, Object};

use super::lexer::{Item, Lexer, Operand};

/// A 256-entry table of the text each single-byte code stands for (empty: unknown).
pub(super) type CodeTexts = Vec<String>;

// lopdf keeps its encoding tables and its Adobe Glyph List in a private module; both are
// reached through its public font-encoding API, on a synthetic font dictionary.

/// The table of a standard encoding as lopdf resolves it for a font with this `/Encoding`.
fn lopdf_encoding_texts(name: &[u8]) -> CodeTexts {
    let doc = Document::new();
    let font = dictionary! { "Type" => "Font", "Encoding" => Object::Name(name.to_vec()) };
    let Ok(Encoding::OneByteEncoding(table)) = font.get_font_encoding(&doc) else {
        return vec![String::new(); 256];
    };
    table
        .iter()
        .map(|glyph| {
            glyph
                .and_then(|glyph| char::from_u32(u32::from(glyph.utf16_code_unit())))
                .map(String::from)
                .unwrap_or_default()
        })
        .collect()
}

/// The character lopdf's Adobe Glyph List gives `name`.
fn adobe_glyph_list(name: &[u8]) -> Option<char> {
    let doc = Document::new();
    let font = dictionary! {
        "Type" => "Font",
        "Encoding" => dictionary! { "Differences" => vec![0.into(), Object::Name(name.to_vec())] },
    };
    match font.get_font_encoding(&doc) {
        Ok(Encoding::Differences(differences)) => differences
            .map
            .get(&0)
            .and_then(|glyph| char::from_u32(u32::from(glyph.utf16_code_unit()))),
        _ => None,
    }
}

static STANDARD: LazyLock<CodeTexts> = LazyLock::new(|| lopdf_encoding_texts(b"StandardEncoding"));
static WIN_ANSI: LazyLock<CodeTexts> = LazyLock::new(|| lopdf_encoding_texts(b"WinAnsiEncoding"));
static MAC_ROMAN: LazyLock<CodeTexts> = LazyLock::new(|| lopdf_encoding_texts(b"MacRomanEncoding"));
static MAC_EXPERT: LazyLock<CodeTexts> =
    LazyLock::new(|| lopdf_encoding_texts(b"MacExpertEncoding"));

/// The texts of the standard encoding named `name` (`/WinAnsiEncoding`, …), if it is one.
pub(super) fn named_encoding(name: &[u8]) -> Option<&'static CodeTexts> {
    match name {
        b"WinAnsiEncoding" => Some(&WIN_ANSI),
        b"MacRomanEncoding" => Some(&MAC_ROMAN),
        b"MacExpertEncoding" => Some(&MAC_EXPERT),
        b"StandardEncoding" => Some(&STANDARD),
        _ => None,
    }
}

/// The texts of StandardEncoding, the default of simple fonts.
pub(super) fn standard_encoding() -> &'static CodeTexts {
    &STANDARD
}

/// The Unicode text of a glyph name, or `None` when the name says nothing (`.notdef`,
/// `g123`, private names).
pub(super) fn glyph_name_text(name: &[u8]) -> Option<String> {
    if let Some(c) = adobe_glyph_list(name) {
        return Some(String::from(c));
    }
    // "a.sc", "one.oldstyle": the part before the first dot names the character.
    let base = name.split(|&byte| byte == b'.').next().unwrap_or_default();
    if base.is_empty() {
        return None;
    }
    if base.len() < name.len() {
        return glyph_name_text(base);
    }
    // "f_f_i": a ligature of its components.
    if base.contains(&b'_') {
        let parts: Option<Vec<String>> = base
            .split(|&byte| byte == b'_')
            .map(glyph_name_text)
            .collect();
        return parts.map(|parts| parts.concat());
    }
    if let Some(hex) = base.strip_prefix(b"uni") {
        if hex.len() % 4 == 0 && !hex.is_empty() {
            let units: Option<Vec<u16>> = hex
                .chunks(4)
                .map(|chunk| {
                    std::str::from_utf8(chunk)
                        .ok()
                        .and_then(|digits| u16::from_str_radix(digits, 16).ok())
                })
                .collect();
            return units.map(|units| {
                char::decode_utf16(units)
                    .filter_map(Result::ok)
                    .collect::<String>()
            });
        }
    }
    if let Some(hex) = base.strip_prefix(b"u") {
        if (4..=6).contains(&hex.len()) {
            return std::str::from_utf8(hex)
                .ok()
                .and_then(|digits| u32::from_str_radix(digits, 16).ok())
                .and_then(char::from_u32)
                .map(String::from);
        }
    }
    None
}

/// Most bytes of a Type 1 program read for its encoding: the encoding comes first.
const MAX_TYPE1_HEADER: usize = 64 * 1024;

/// The built-in encoding of a Type 1 font program (`/Encoding 256 array … dup 65 /A put`):
/// pairs of code and glyph name. `None` when the program uses `StandardEncoding` or has no
/// readable encoding.
pub(super) fn type1_builtin_encoding(program: &[u8]) -> Option<Vec<(u8, Vec<u8>)>> {
    let header = program.get(..program.len().min(MAX_TYPE1_HEADER))?;
    let start = find(header, b"/Encoding")?;
    let end = find(header, b"eexec").unwrap_or(header.len());
    let encoding_part = header.get(start + b"/Encoding".len()..end)?;
    let mut lexer = Lexer::new(encoding_part);
    let mut entries = Vec::new();
    let mut operands: Vec<Operand> = Vec::new();
    while let Some(item) = lexer.next_item() {
        match item {
            Item::Operand(operand) => operands.push(operand),
            Item::Operator(operator) => {
                match (operator.as_slice(), operands.as_slice()) {
                    (b"StandardEncoding", _) if entries.is_empty() => return None,
                    (b"put", [.., Operand::Number(code), Operand::Name(name)])
                        if (0.0..=255.0).contains(code) =>
                    {
                        entries.push((*code as u8, name.clone()));
                    }
                    (b"readonly" | b"def", _) if !entries.is_empty() => break,
                    _ => {}
                }
                operands.clear();
            }
        }
    }
    (!entries.is_empty()).then_some(entries)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_glyphs_of_all_kinds() {
        let text = |name: &[u8]| glyph_name_text(name);
        assert_eq!(text(b"eacute").as_deref(), Some("é"));
        assert_eq!(text(b"oe").as_deref(), Some("œ"));
        assert_eq!(text(b"fi").as_deref(), Some("\u{fb01}"));
        assert_eq!(text(b"f_f_i").as_deref(), Some("\u{fb03}"));
        assert_eq!(text(b"T_h.alt").as_deref(), Some("Th"));
        assert_eq!(text(b"a.sc").as_deref(), Some("a"));
        assert_eq!(text(b"uni00E9").as_deref(), Some("é"));
        assert_eq!(text(b"uni00660069").as_deref(), Some("fi"));
        assert_eq!(text(b"u1D400").as_deref(), Some("𝐀"));
        assert_eq!(text(b"acute").as_deref(), Some("\u{b4}"));
        assert_eq!(text(b".notdef"), None);
        assert_eq!(text(b"g123"), None);
        assert_eq!(text(b"uniZZZZ"), None);
        assert_eq!(text(b""), None);
    }

    #[test]
    fn maps_standard_encodings() {
        let win_ansi = named_encoding(b"WinAnsiEncoding")
            .cloned()
            .unwrap_or_default();
        assert_eq!(win_ansi.len(), 256);
        assert_eq!(standard_encoding()[0x27], "\u{2019}");
        assert_eq!(win_ansi[0xe9], "é");
        assert_eq!(win_ansi[0x9c], "œ");
        assert!(named_encoding(b"Identity-H").is_none());
    }

    #[test]
    fn reads_type1_builtin_encoding() {
        let program = b"%!PS-AdobeFont-1.0: CMR12\n/Encoding 256 array\n0 1 255 {1 index exch /.notdef put} for\ndup 11 /ff put\ndup 19 /acute put\ndup 101 /e put\nreadonly def\ncurrentdict end\ncurrentfile eexec\x80\x81";
        let entries = type1_builtin_encoding(program).unwrap_or_default();
        assert_eq!(
            entries,
            vec![
                (11, b"ff".to_vec()),
                (19, b"acute".to_vec()),
                (101, b"e".to_vec())
            ]
        );
        assert_eq!(
            type1_builtin_encoding(b"/Encoding StandardEncoding def eexec"),
            None
        );
        assert_eq!(type1_builtin_encoding(b"garbage"), None);
        assert_eq!(
            type1_builtin_encoding(b"/Encoding dup 300 /a put dup"),
            None
        );
    }
}
