//! multilingual-e5-small's encoder (BERT, as XLM-RoBERTa): embeddings of words, positions
//! and the one token type, layer-normalised; then per layer, multi-head self-attention and
//! a GELU feed-forward, each added back and layer-normalised; the output is the mean of the
//! last hidden states, as `e5.c` computes it (in f32 where the engine quantises its
//! activations to 8 bits: vectors agree within its rounding).

use ndarray::{Array1, Array2, ArrayView2, Axis, Slice};

use super::q4::{self, Linear};
use super::weights::{Config, Parsed};
use super::E5Error;

/// Layer normalisation's scale and shift.
struct Norm {
    weight: Array1<f32>,
    bias: Array1<f32>,
}

impl Norm {
    fn load(file: &Parsed, prefix: &str, hidden: usize) -> Result<Norm, E5Error> {
        Ok(Norm {
            weight: Array1::from(file.floats(&format!("{prefix}.w"), hidden)?),
            bias: Array1::from(file.floats(&format!("{prefix}.b"), hidden)?),
        })
    }

    /// Normalises each row of `x` in place.
    fn apply(&self, x: &mut Array2<f32>, eps: f32) {
        let hidden = x.ncols() as f32;
        for mut row in x.rows_mut() {
            let mean = row.sum() / hidden;
            let variance = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / hidden;
            let inverse = 1.0 / (variance + eps).sqrt();
            for ((v, w), b) in row.iter_mut().zip(&self.weight).zip(&self.bias) {
                *v = (*v - mean) * inverse * w + b;
            }
        }
    }
}

struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    attention_out: Linear,
    attention_norm: Norm,
    up: Linear,
    down: Linear,
    output_norm: Norm,
}

impl Layer {
    fn load(file: &Parsed, index: usize, config: &Config) -> Result<Layer, E5Error> {
        let (h, ff) = (config.hidden, config.feed_forward);
        let linear = |name: &str, outputs: usize, inputs: usize| -> Result<Linear, E5Error> {
            let blocks = file.blocks(&format!("l{index}.{name}.w"), outputs, inputs)?;
            let bias = file.floats(&format!("l{index}.{name}.b"), outputs)?;
            Ok(Linear::new(q4::matrix(blocks, outputs, inputs), bias))
        };
        Ok(Layer {
            query: linear("q", h, h)?,
            key: linear("k", h, h)?,
            value: linear("v", h, h)?,
            attention_out: linear("ao", h, h)?,
            attention_norm: Norm::load(file, &format!("l{index}.aln"), h)?,
            up: linear("fi", ff, h)?,
            down: linear("fo", h, ff)?,
            output_norm: Norm::load(file, &format!("l{index}.oln"), h)?,
        })
    }
}

/// The encoder's weights, ready to run.
pub struct Encoder {
    config: Config,
    /// Word embeddings, still in Q4_0 blocks (250,037 rows; a row is widened when used).
    words: Vec<u8>,
    positions: Array2<f32>,
    token_type: Array1<f32>,
    embedding_norm: Norm,
    layers: Vec<Layer>,
}

/// The Gauss error function, to 1.5·10⁻⁷ (Abramowitz and Stegun 7.1.26).
fn erf(x: f32) -> f32 {
    let t = 1.0 / (1.0 + 0.327_591_1 * x.abs());
    let poly = t
        * (0.254_829_6
            + t * (-0.284_496_74 + t * (1.421_413_7 + t * (-1.453_152_1 + t * 1.061_405_4))));
    let y = 1.0 - poly * (-x * x).exp();
    y.copysign(x)
}

fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

impl Encoder {
    pub fn load(file: &Parsed) -> Result<Encoder, E5Error> {
        let config = file.config;
        let h = config.hidden;
        let positions = file.floats("emb.pos", config.positions * h)?;
        Ok(Encoder {
            config,
            words: file.blocks("emb.word", config.words, h)?.to_vec(),
            positions: Array2::from_shape_vec((config.positions, h), positions)
                .expect("positions × hidden"),
            token_type: Array1::from(file.floats("emb.type", 2 * h)?[..h].to_vec()),
            embedding_norm: Norm::load(file, "emb.ln", h)?,
            layers: (0..config.layers)
                .map(|index| Layer::load(file, index, &config))
                .collect::<Result<_, _>>()?,
        })
    }

    /// Dimensions of the hidden states, and of the vectors.
    pub fn hidden(&self) -> usize {
        self.config.hidden
    }

    /// Tokens a window holds, `<s>` and `</s>` included.
    pub fn max_tokens(&self) -> usize {
        self.config.positions
    }

    /// The mean of the last hidden states of `ids` (one window: at most
    /// [`Encoder::max_tokens`] ids, each below the number of word embeddings).
    pub fn mean_hidden(&self, ids: &[u32]) -> Array1<f32> {
        let h = self.config.hidden;
        let row_bytes = h / q4::BLOCK * q4::BLOCK_BYTES;
        let mut x = Array2::<f32>::zeros((ids.len(), h));
        for (t, (&id, mut row)) in ids.iter().zip(x.rows_mut()).enumerate() {
            let start = id as usize * row_bytes;
            let mut word = vec![0.0f32; h];
            q4::dequantize(&self.words[start..start + row_bytes], &mut word);
            for (((v, w), p), k) in row
                .iter_mut()
                .zip(&word)
                .zip(self.positions.row(t))
                .zip(&self.token_type)
            {
                *v = w + p + k;
            }
        }
        self.embedding_norm.apply(&mut x, self.config.eps);
        for layer in &self.layers {
            let attended = self.attention(layer, &x.view());
            x += &layer.attention_out.forward(&attended.view());
            layer.attention_norm.apply(&mut x, self.config.eps);
            let mut middle = layer.up.forward(&x.view());
            middle.mapv_inplace(gelu);
            x += &layer.down.forward(&middle.view());
            layer.output_norm.apply(&mut x, self.config.eps);
        }
        x.mean_axis(Axis(0)).expect("at least one token")
    }

    /// Each head's scaled dot-product attention over the window, heads side by side.
    fn attention(&self, layer: &Layer, x: &ArrayView2<f32>) -> Array2<f32> {
        let (query, key, value) = (
            layer.query.forward(x),
            layer.key.forward(x),
            layer.value.forward(x),
        );
        let head = self.config.hidden / self.config.heads;
        let scale = 1.0 / (head as f32).sqrt();
        let mut out = Array2::<f32>::zeros(query.raw_dim());
        for h in 0..self.config.heads {
            let columns = Slice::from(h * head..(h + 1) * head);
            let mut scores = query
                .slice_axis(Axis(1), columns)
                .dot(&key.slice_axis(Axis(1), columns).t());
            for mut row in scores.rows_mut() {
                let largest = row.iter().fold(f32::NEG_INFINITY, |m, v| m.max(*v * scale));
                row.mapv_inplace(|v| (v * scale - largest).exp());
                let sum = row.sum();
                row /= sum;
            }
            out.slice_axis_mut(Axis(1), columns)
                .assign(&scores.dot(&value.slice_axis(Axis(1), columns)));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_and_gelu_match_their_known_values() {
        for (x, want) in [
            (0.0, 0.0),
            (0.5, 0.520_499_9),
            (1.0, 0.842_700_8),
            (-2.0, -0.995_322_3),
        ] {
            assert!((erf(x) - want).abs() < 3e-7, "erf({x}) = {}", erf(x));
        }
        assert!((gelu(1.0) - 0.841_344_7).abs() < 1e-6);
        assert_eq!(gelu(0.0), 0.0);
    }
}
