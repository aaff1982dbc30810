//! Pooling (a text's vector is the normalised sum of its entries' vectors) and the
//! quantised form of a document's vector as the index stores it: one i8 per dimension and
//! one f32 scale, little-endian.

/// A unit-length vector, or the zero vector for a text with no known entry.
pub type Vector = Vec<f32>;

/// The L2-normalised sum of `entries`' vectors (unknown characters are skipped).
pub fn pool(table: &super::table::Table, entries: &[Option<u32>]) -> Vector {
    let mut sum = vec![0.0f32; table.dims];
    for index in entries.iter().flatten() {
        table.add_vector(*index, &mut sum);
    }
    let norm = sum.iter().map(|v| v * v).sum::<f32>().sqrt();
    if norm > 0.0 {
        for v in &mut sum {
            *v /= norm;
        }
    }
    sum
}

/// A vector as stored: `dims` i8 values then the f32 scale (the largest magnitude / 127).
pub fn quantize(vector: &[f32]) -> Vec<u8> {
    let largest = vector.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let scale = if largest > 0.0 { largest / 127.0 } else { 1.0 };
    let mut out: Vec<u8> = vector
        .iter()
        .map(|v| (v / scale).round().clamp(-127.0, 127.0) as i8 as u8)
        .collect();
    out.extend_from_slice(&scale.to_le_bytes());
    out
}

/// A stored vector read back; `None` unless it has `dims` values and a finite scale.
pub fn dequantize(bytes: &[u8], dims: usize) -> Option<Vector> {
    if bytes.len() != dims + 4 {
        return None;
    }
    let (values, scale) = bytes.split_at(dims);
    let scale = f32::from_le_bytes([scale[0], scale[1], scale[2], scale[3]]);
    scale
        .is_finite()
        .then(|| values.iter().map(|&b| f32::from(b as i8) * scale).collect())
}

/// Cosine of two unit (or zero) vectors: their dot product.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_vector_reads_back_within_the_quantisation_step() {
        let vector = [0.6f32, -0.8, 0.0, 0.0];
        let stored = quantize(&vector);
        assert_eq!(stored.len(), 8);
        let back = dequantize(&stored, 4).expect("4 dims");
        for (a, b) in vector.iter().zip(&back) {
            assert!((a - b).abs() <= 0.8 / 127.0, "{a} {b}");
        }
        assert!(dequantize(&stored, 5).is_none());
        assert!((cosine(&vector, &back) - 1.0).abs() < 1e-3);
        assert_eq!(quantize(&[0.0, 0.0])[..2], [0, 0]);
    }
}
