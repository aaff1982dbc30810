//! Fusion of the lexical scores of the candidates with their cosine to the query:
//! `a · minmax(lexical) + (1 − a) · minmax(cosine)`, the formula measured by the prototype
//! (`tools/semantic/README.md`), with `a` = [`Ranking::semantic_lexical`] fitted on the dev
//! sets.
//!
//! [`Ranking::semantic_lexical`]: crate::search::rank::Ranking

/// `(x − min) / (max − min)` of each value; all 0 when the values are constant.
fn minmax(values: &[f32]) -> Vec<f32> {
    let min = values.iter().copied().fold(f32::INFINITY, f32::min);
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let span = max - min;
    values
        .iter()
        .map(|v| if span > 0.0 { (v - min) / span } else { 0.0 })
        .collect()
}

/// The fused score of each candidate, from its lexical score and its cosine, in order.
pub fn fuse(lexical: &[f32], cosines: &[f32], lexical_weight: f32) -> Vec<f32> {
    let a = lexical_weight.clamp(0.0, 1.0);
    minmax(lexical)
        .into_iter()
        .zip(minmax(cosines))
        .map(|(l, c)| a * l + (1.0 - a) * c)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fusion_weighs_both_scores_on_a_common_scale() {
        let lexical = [10.0, 8.0, 2.0];
        let cosines = [0.1, 0.9, 0.5];
        let fused = fuse(&lexical, &cosines, 0.6);
        assert!((fused[0] - 0.6).abs() < 1e-6);
        assert!((fused[1] - (0.6 * 0.75 + 0.4)).abs() < 1e-6);
        assert!((fused[2] - 0.4 * 0.5).abs() < 1e-6);
        assert_eq!(fuse(&lexical, &cosines, 1.0)[..], [1.0, 0.75, 0.0]);
        assert_eq!(fuse(&[1.0, 1.0], &[0.2, 0.2], 0.5)[..], [0.0, 0.0]);
    }
}
