//! The static table's binary format (version 1, specified in `tools/semantic/README.md`):
//! read and checked whole, so that a damaged or foreign file is refused with what is wrong
//! instead of giving wrong vectors.

use rustc_hash::FxHashMap;
use std::path::Path;

use sha2::{Digest, Sha256};

/// First bytes of a table; the last one is the format version.
const MAGIC: &[u8; 8] = b"SPOSEM\x00\x01";
/// Flag bit 0: the text is lowercased before segmentation.
const LOWERCASE: u32 = 1;
const HEADER_BYTES: usize = 28;

/// Why a table cannot be used: the file is the operator's to fix.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TableError {
    #[error("cannot read the table {path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("not a semantic table of format version 1 (wrong magic or version)")]
    Magic,
    #[error("unknown flag bits {0:#x}")]
    Flags(u32),
    #[error("the table has no entries or no dimensions")]
    Empty,
    #[error("size {actual} bytes, expected {expected} from its header")]
    Size { expected: u64, actual: u64 },
    #[error("entry offsets do not start at 0, decrease or do not end at the text's length")]
    Offsets,
    #[error("entry {0} is empty, not UTF-8 or a duplicate")]
    Entry(usize),
    #[error("entry {0} has a score or scale that is not finite, or a scale <= 0")]
    Number(usize),
}

/// What a string is to the segmentation: an entry (its index) or not, and whether longer
/// entries start with it (if not, the search for entries from this position can stop).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prefix {
    pub entry: Option<u32>,
    pub longer: bool,
}

/// A loaded table: the entries, their scores and quantised vectors.
pub struct Table {
    pub lowercase: bool,
    pub dims: usize,
    pub unk_score: f32,
    pub scores: Vec<f32>,
    scales: Vec<f32>,
    values: Vec<i8>,
    /// Every entry and every beginning of one.
    pub prefixes: FxHashMap<Box<str>, Prefix>,
    /// The longest entry, in characters.
    pub max_chars: usize,
    /// SHA-256 of the file, hex.
    pub sha256: String,
}

/// Little-endian reader over the file's bytes (bounds already checked by the size rule).
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn take(&mut self, n: usize) -> &[u8] {
        let slice = &self.bytes[self.at..self.at + n];
        self.at += n;
        slice
    }
    fn u32(&mut self) -> u32 {
        let b = self.take(4);
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }
    fn f32(&mut self) -> f32 {
        f32::from_bits(self.u32())
    }
}

impl Table {
    /// Reads and checks the table at `path`.
    pub fn load(path: &Path) -> Result<Table, TableError> {
        let bytes = std::fs::read(path).map_err(|e| TableError::Unreadable {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Table::parse(&bytes)
    }

    /// Checks and decodes a table's bytes.
    pub fn parse(bytes: &[u8]) -> Result<Table, TableError> {
        if bytes.len() < HEADER_BYTES || &bytes[..8] != MAGIC {
            return Err(TableError::Magic);
        }
        let mut cursor = Cursor { bytes, at: 8 };
        let flags = cursor.u32();
        if flags & !LOWERCASE != 0 {
            return Err(TableError::Flags(flags & !LOWERCASE));
        }
        let n = cursor.u32() as usize;
        let dims = cursor.u32() as usize;
        let unk_score = cursor.f32();
        let blob_len = cursor.u32() as usize;
        if n == 0 || dims == 0 {
            return Err(TableError::Empty);
        }
        let (n64, dims64) = (n as u64, dims as u64);
        let expected =
            HEADER_BYTES as u64 + 8 * n64 + n64 * dims64 + 4 * (n64 + 1) + blob_len as u64;
        if expected != bytes.len() as u64 {
            return Err(TableError::Size {
                expected,
                actual: bytes.len() as u64,
            });
        }
        let scores: Vec<f32> = (0..n).map(|_| cursor.f32()).collect();
        let scales: Vec<f32> = (0..n).map(|_| cursor.f32()).collect();
        let values: Vec<i8> = cursor.take(n * dims).iter().map(|&b| b as i8).collect();
        let offsets: Vec<usize> = (0..=n).map(|_| cursor.u32() as usize).collect();
        let blob = cursor.take(blob_len);
        if offsets[0] != 0 || offsets[n] != blob_len || offsets.windows(2).any(|w| w[1] < w[0]) {
            return Err(TableError::Offsets);
        }
        if !unk_score.is_finite() {
            return Err(TableError::Number(0));
        }
        let mut prefixes: FxHashMap<Box<str>, Prefix> =
            FxHashMap::with_capacity_and_hasher(4 * n, Default::default());
        let mut max_chars = 0;
        for i in 0..n {
            let text = std::str::from_utf8(&blob[offsets[i]..offsets[i + 1]])
                .ok()
                .filter(|text| !text.is_empty())
                .ok_or(TableError::Entry(i))?;
            let slot = prefixes.entry(text.into()).or_insert(Prefix {
                entry: None,
                longer: false,
            });
            if slot.entry.replace(i as u32).is_some() {
                return Err(TableError::Entry(i));
            }
            for (end, _) in text.char_indices().skip(1) {
                prefixes
                    .entry(text[..end].into())
                    .or_insert(Prefix {
                        entry: None,
                        longer: true,
                    })
                    .longer = true;
            }
            if !scores[i].is_finite() || !scales[i].is_finite() || scales[i] <= 0.0 {
                return Err(TableError::Number(i));
            }
            max_chars = max_chars.max(text.chars().count());
        }
        Ok(Table {
            lowercase: flags & LOWERCASE != 0,
            dims,
            unk_score,
            scores,
            scales,
            values,
            prefixes,
            max_chars,
            sha256: format!("{:x}", Sha256::digest(bytes)),
        })
    }

    /// Adds entry `index`'s vector (scale · values) to `sum`.
    pub fn add_vector(&self, index: u32, sum: &mut [f32]) {
        let index = index as usize;
        let scale = self.scales[index];
        let values = &self.values[index * self.dims..(index + 1) * self.dims];
        for (s, &v) in sum.iter_mut().zip(values) {
            *s += scale * f32::from(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid table of the given entries (scores -1, scales 1, values 1), 2 dimensions.
    pub fn table_bytes(entries: &[&str]) -> Vec<u8> {
        let n = entries.len() as u32;
        let blob: Vec<u8> = entries.iter().flat_map(|e| e.bytes()).collect();
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        for v in [LOWERCASE, n, 2] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&(-30.0f32).to_le_bytes());
        out.extend_from_slice(&(blob.len() as u32).to_le_bytes());
        for _ in 0..n {
            out.extend_from_slice(&(-1.0f32).to_le_bytes());
        }
        for _ in 0..n {
            out.extend_from_slice(&1.0f32.to_le_bytes());
        }
        out.extend(std::iter::repeat_n(1u8, 2 * n as usize));
        let mut offset = 0u32;
        out.extend_from_slice(&offset.to_le_bytes());
        for entry in entries {
            offset += entry.len() as u32;
            out.extend_from_slice(&offset.to_le_bytes());
        }
        out.extend_from_slice(&blob);
        out
    }

    #[test]
    fn a_valid_table_loads() {
        let table = Table::parse(&table_bytes(&["▁a", "bc"])).expect("valid");
        assert_eq!(table.prefixes.len(), 4, "▁, ▁a, b and bc");
        assert_eq!(table.max_chars, 2);
        assert!(table.lowercase);
    }

    #[test]
    fn each_rule_of_the_format_is_checked() {
        let good = table_bytes(&["▁a", "bc"]);
        let n = 2;
        let values_at = HEADER_BYTES + 8 * n;
        let offsets_at = values_at + 2 * n;
        let blob_at = offsets_at + 4 * (n + 1);
        let patched = |at: usize, bytes: &[u8]| {
            let mut b = good.clone();
            b[at..at + bytes.len()].copy_from_slice(bytes);
            Table::parse(&b).err()
        };
        assert_eq!(patched(7, &[2]), Some(TableError::Magic));
        assert_eq!(patched(8, &3u32.to_le_bytes()), Some(TableError::Flags(2)));
        assert_eq!(patched(12, &0u32.to_le_bytes()), Some(TableError::Empty));
        assert!(matches!(
            patched(16, &3u32.to_le_bytes()),
            Some(TableError::Size { .. })
        ));
        assert!(matches!(
            Table::parse(&good[..good.len() - 1]),
            Err(TableError::Size { .. })
        ));
        assert_eq!(
            patched(offsets_at, &1u32.to_le_bytes()),
            Some(TableError::Offsets)
        );
        assert_eq!(
            patched(offsets_at + 4, &9u32.to_le_bytes()),
            Some(TableError::Offsets)
        );
        assert_eq!(patched(blob_at + 4, &[0xff]), Some(TableError::Entry(1)));
        assert_eq!(
            Table::parse(&table_bytes(&["ab", "ab"])).err(),
            Some(TableError::Entry(1))
        );
        assert_eq!(
            patched(HEADER_BYTES + 4, &f32::NAN.to_le_bytes()),
            Some(TableError::Number(1))
        );
        assert_eq!(
            patched(HEADER_BYTES + 8, &0f32.to_le_bytes()),
            Some(TableError::Number(0))
        );
        assert_eq!(Table::parse(b"garbage").err(), Some(TableError::Magic));
    }
}
