//! Plane geometry of PDF pages: affine matrices (`cm`, `Tm`, form `/Matrix`) and the page's
//! visible box.

/// The visible area of a page (its crop box), in user space.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct PageBox {
    pub(super) left: f64,
    pub(super) bottom: f64,
    pub(super) right: f64,
    pub(super) top: f64,
}

impl PageBox {
    /// The box of a PDF rectangle `[x1 y1 x2 y2]` (corners in any order).
    pub(super) fn from_rectangle(values: [f64; 4]) -> PageBox {
        let [x1, y1, x2, y2] = values;
        PageBox {
            left: x1.min(x2),
            bottom: y1.min(y2),
            right: x1.max(x2),
            top: y1.max(y2),
        }
    }

    /// Whether the segment from `start` to `end` (a glyph's baseline) touches the box.
    pub(super) fn touches(&self, start: (f64, f64), end: (f64, f64)) -> bool {
        start.0.min(end.0) <= self.right
            && start.0.max(end.0) >= self.left
            && start.1.min(end.1) <= self.top
            && start.1.max(end.1) >= self.bottom
    }
}

/// An affine transformation `[a b c d e f]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Matrix([f64; 6]);

impl Matrix {
    pub(super) const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    pub(super) fn translation(x: f64, y: f64) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, x, y])
    }

    /// `self` then `other` (PDF's `self × other`).
    pub(super) fn then(&self, other: &Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = other.0;
        Matrix([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }

    pub(super) fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + c * y + e, b * x + d * y + f)
    }

    pub(super) fn apply_vector(&self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d, _, _] = self.0;
        (a * x + c * y, b * x + d * y)
    }

    pub(super) fn from_numbers(values: impl Iterator<Item = Option<f64>>) -> Option<Matrix> {
        let values: Vec<f64> = values.take(6).collect::<Option<Vec<f64>>>()?;
        let array: [f64; 6] = values.try_into().ok()?;
        Some(Matrix(array))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composes_and_applies_matrices() {
        let scale = Matrix([2.0, 0.0, 0.0, 2.0, 0.0, 0.0]);
        let moved = Matrix::translation(10.0, 20.0).then(&scale);
        assert_eq!(moved.apply(1.0, 1.0), (22.0, 42.0));
        assert_eq!(moved.apply_vector(1.0, 1.0), (2.0, 2.0));
        let quarter_turn = Matrix([0.0, 1.0, -1.0, 0.0, 0.0, 0.0]);
        assert_eq!(
            quarter_turn.then(&Matrix::IDENTITY).apply(1.0, 0.0),
            (0.0, 1.0)
        );
        assert_eq!(
            Matrix::from_numbers([Some(1.0); 6].into_iter()),
            Some(Matrix([1.0; 6]))
        );
        assert_eq!(Matrix::from_numbers([Some(1.0), None].into_iter()), None);
        assert_eq!(Matrix::from_numbers([Some(1.0); 5].into_iter()), None);
    }

    #[test]
    fn page_box_tells_visible_baselines() {
        let page = PageBox::from_rectangle([595.0, 842.0, 0.0, 0.0]);
        assert!(page.touches((590.0, 10.0), (600.0, 10.0)));
        assert!(!page.touches((600.0, 10.0), (606.0, 10.0)));
        assert!(!page.touches((10.0, -3.0), (16.0, -3.0)));
    }
}
