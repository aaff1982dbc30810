//! CMap parsing: `/ToUnicode` maps (character code → Unicode text) and embedded encoding
//! CMaps of composite fonts (code space ranges: how many bytes a code takes; code → CID).
//!
//! Ranges are stored as ranges, never expanded, so a hostile `<00000000> <FFFFFFFF>` range
//! costs one entry; lookups are binary searches.

use std::collections::HashMap;

use super::lexer::{Item, Lexer, Operand};

/// Most operands kept for one `begin…`/`end…` block (a block should hold at most 100
/// entries; real files write thousands).
const MAX_BLOCK_OPERANDS: usize = 300_000;

/// What a range of codes maps to.
#[derive(Debug, Clone, PartialEq)]
enum RangeTarget {
    /// The first code maps to these UTF-16 units; each next code increments the last unit.
    Incrementing(Vec<u16>),
    /// One text per code, in order.
    Listed(Vec<String>),
    /// The first code maps to this CID; each next code to the next CID.
    Cid(u32),
}

#[derive(Debug, Clone, PartialEq)]
struct Range {
    first: u32,
    last: u32,
    target: RangeTarget,
}

/// A code space range: codes of `length` bytes between `first` and `last`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct CodeSpace {
    length: usize,
    first: u32,
    last: u32,
}

/// A parsed CMap: code lengths, code → Unicode (`bfchar`/`bfrange`) and code → CID
/// (`cidchar`/`cidrange`) mappings.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct CMap {
    code_spaces: Vec<CodeSpace>,
    unicode_singles: HashMap<u32, String>,
    unicode_ranges: Vec<Range>,
    cid_singles: HashMap<u32, u32>,
    cid_ranges: Vec<Range>,
}

/// Reads big-endian bytes as a code (at most 4 bytes are meaningful).
fn code_value(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .fold(0u32, |value, &byte| value.wrapping_shl(8) | u32::from(byte))
}

/// Decodes UTF-16BE bytes (an odd trailing byte is read as one unit), dropping NULs.
fn utf16_units(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks(2)
        .map(|pair| match pair {
            [high, low] => u16::from_be_bytes([*high, *low]),
            [single] => u16::from(*single),
            _ => 0,
        })
        .collect()
}

fn units_to_text(units: &[u16]) -> String {
    char::decode_utf16(units.iter().copied())
        .filter_map(Result::ok)
        .filter(|c| *c != '\0')
        .collect()
}

impl CMap {
    /// Parses the text of a CMap stream. Malformed entries are skipped; never fails.
    pub(super) fn parse(data: &[u8]) -> CMap {
        let mut cmap = CMap::default();
        let mut lexer = Lexer::new(data);
        let mut operands: Vec<Operand> = Vec::new();
        while let Some(item) = lexer.next_item() {
            match item {
                Item::Operand(operand) => {
                    if operands.len() < MAX_BLOCK_OPERANDS {
                        operands.push(operand);
                    }
                }
                Item::Operator(operator) => {
                    match operator.as_slice() {
                        b"endcodespacerange" => cmap.add_code_spaces(&operands),
                        b"endbfchar" => cmap.add_unicode_singles(&operands),
                        b"endbfrange" => cmap.add_unicode_ranges(&operands),
                        b"endcidchar" => cmap.add_cid_singles(&operands),
                        b"endcidrange" => cmap.add_cid_ranges(&operands),
                        _ => {}
                    }
                    operands.clear();
                }
            }
        }
        cmap.unicode_ranges.sort_by_key(|range| range.first);
        cmap.cid_ranges.sort_by_key(|range| range.first);
        cmap
    }

    fn add_code_spaces(&mut self, operands: &[Operand]) {
        for pair in operands.chunks_exact(2) {
            if let [Operand::Bytes(first), Operand::Bytes(last)] = pair {
                let length = first.len().max(last.len());
                if (1..=4).contains(&length) {
                    self.code_spaces.push(CodeSpace {
                        length,
                        first: code_value(first),
                        last: code_value(last),
                    });
                }
            }
        }
    }

    fn add_unicode_singles(&mut self, operands: &[Operand]) {
        for pair in operands.chunks_exact(2) {
            if let [Operand::Bytes(code), target] = pair {
                let text = match target {
                    Operand::Bytes(bytes) => units_to_text(&utf16_units(bytes)),
                    Operand::Name(name) => String::from_utf8_lossy(name).into_owned(),
                    _ => continue,
                };
                self.unicode_singles.insert(code_value(code), text);
            }
        }
    }

    fn add_unicode_ranges(&mut self, operands: &[Operand]) {
        for triple in operands.chunks_exact(3) {
            let [Operand::Bytes(first), Operand::Bytes(last), target] = triple else {
                continue;
            };
            let (first, last) = (code_value(first), code_value(last));
            if last < first {
                continue;
            }
            let target = match target {
                Operand::Bytes(bytes) if !bytes.is_empty() => {
                    RangeTarget::Incrementing(utf16_units(bytes))
                }
                Operand::Array(items) => RangeTarget::Listed(
                    items
                        .iter()
                        .map(|item| match item {
                            Operand::Bytes(bytes) => units_to_text(&utf16_units(bytes)),
                            _ => String::new(),
                        })
                        .collect(),
                ),
                _ => continue,
            };
            self.unicode_ranges.push(Range {
                first,
                last,
                target,
            });
        }
    }

    fn add_cid_singles(&mut self, operands: &[Operand]) {
        for pair in operands.chunks_exact(2) {
            if let [Operand::Bytes(code), Operand::Number(cid)] = pair {
                self.cid_singles.insert(code_value(code), *cid as u32);
            }
        }
    }

    fn add_cid_ranges(&mut self, operands: &[Operand]) {
        for triple in operands.chunks_exact(3) {
            if let [Operand::Bytes(first), Operand::Bytes(last), Operand::Number(cid)] = triple {
                let (first, last) = (code_value(first), code_value(last));
                if first <= last {
                    self.cid_ranges.push(Range {
                        first,
                        last,
                        target: RangeTarget::Cid(*cid as u32),
                    });
                }
            }
        }
    }

    /// Whether the CMap declares code space ranges (so it can split byte strings into codes).
    pub(super) fn has_code_spaces(&self) -> bool {
        !self.code_spaces.is_empty()
    }

    /// Length in bytes of the code starting `bytes`, per the code space ranges: the shortest
    /// length whose range holds the leading bytes; 1 when nothing matches.
    pub(super) fn code_length(&self, bytes: &[u8]) -> usize {
        (1..=4)
            .find(|&length| {
                bytes.get(..length).is_some_and(|prefix| {
                    let value = code_value(prefix);
                    self.code_spaces.iter().any(|space| {
                        space.length == length && space.first <= value && value <= space.last
                    })
                })
            })
            .unwrap_or(1)
    }

    /// The text a code maps to, if the CMap maps it.
    pub(super) fn unicode(&self, code: u32) -> Option<String> {
        if let Some(text) = self.unicode_singles.get(&code) {
            return Some(text.clone());
        }
        let range = find_range(&self.unicode_ranges, code)?;
        let offset = code - range.first;
        match &range.target {
            RangeTarget::Incrementing(units) => {
                let mut units = units.clone();
                if let Some(last) = units.last_mut() {
                    *last = last.wrapping_add(offset as u16);
                }
                Some(units_to_text(&units))
            }
            RangeTarget::Listed(texts) => texts.get(offset as usize).cloned(),
            RangeTarget::Cid(_) => None,
        }
    }

    /// The CID a code maps to, if the CMap maps it.
    pub(super) fn cid(&self, code: u32) -> Option<u32> {
        if let Some(cid) = self.cid_singles.get(&code) {
            return Some(*cid);
        }
        let range = find_range(&self.cid_ranges, code)?;
        match range.target {
            RangeTarget::Cid(first_cid) => Some(first_cid.wrapping_add(code - range.first)),
            _ => None,
        }
    }
}

/// The range holding `code` among ranges sorted by their first code.
fn find_range(ranges: &[Range], code: u32) -> Option<&Range> {
    let after = ranges.partition_point(|range| range.first <= code);
    ranges
        .get(..after)
        .unwrap_or_default()
        .iter()
        .rev()
        .take(8)
        .find(|range| code <= range.last)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TO_UNICODE: &[u8] = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap
        /CMapName /Adobe-Identity-UCS def
        1 begincodespacerange <0000> <FFFF> endcodespacerange
        3 beginbfchar <0003> <0020> <0011> <00E9> <0012> <00660069> endbfchar
        2 beginbfrange <0024> <0026> <0041> <0030> <0032> [<0061> <0153> <D835DC00>] endbfrange
        endcmap CMapName currentdict /CMap defineresource pop end end";

    #[test]
    fn maps_bfchar_and_bfrange_codes() {
        let cmap = CMap::parse(TO_UNICODE);
        assert_eq!(cmap.unicode(0x03).as_deref(), Some(" "));
        assert_eq!(cmap.unicode(0x11).as_deref(), Some("é"));
        assert_eq!(cmap.unicode(0x12).as_deref(), Some("fi"));
        assert_eq!(cmap.unicode(0x25).as_deref(), Some("B"));
        assert_eq!(cmap.unicode(0x31).as_deref(), Some("œ"));
        assert_eq!(cmap.unicode(0x32).as_deref(), Some("𝐀"));
        assert_eq!(cmap.unicode(0x27), None);
        assert_eq!(cmap.code_length(&[0x00, 0x11]), 2);
    }

    #[test]
    fn reads_code_spaces_and_cids() {
        let cmap = CMap::parse(
            b"2 begincodespacerange <00> <80> <8140> <FFFF> endcodespacerange
              1 begincidrange <8140> <817E> 633 endcidrange 1 begincidchar <41> 34 endcidchar",
        );
        assert_eq!(cmap.code_length(b"A\x81\x40"), 1);
        assert_eq!(cmap.code_length(b"\x81\x41"), 2);
        assert_eq!(cmap.cid(0x8141), Some(634));
        assert_eq!(cmap.cid(0x41), Some(34));
        assert_eq!(cmap.cid(0x42), None);
    }

    #[test]
    fn hostile_ranges_cost_nothing() {
        let cmap = CMap::parse(
            b"beginbfrange <00000000> <FFFFFFFF> <0041> <05> <01> <0041> <01> <02> endbfrange",
        );
        assert_eq!(cmap.unicode(0xFFFF_FFFF).as_deref(), Some("@"));
        let reversed = CMap::parse(b"beginbfrange <05> <01> <0041> endbfrange");
        assert_eq!(reversed.unicode(0x03), None);
        assert!(CMap::parse(b"").unicode(0).is_none());
        assert!(CMap::parse(b"beginbfchar <01> endbfchar (((")
            .unicode(1)
            .is_none());
    }
}
