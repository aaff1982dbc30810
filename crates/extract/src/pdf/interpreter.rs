//! Content stream interpreter: runs the text and graphics-state operators of a page (and
//! of the Form XObjects it draws) and records every shown glyph with its position on the
//! page, its advance and its font size, for the layout step to arrange into lines.
//!
//! Work is bounded per page by a [`Budget`]: operations executed, glyphs recorded, bytes of
//! glyph text and bytes of content decoded (forms included), so that a form drawn a million
//! times, a glyph mapped to a megabyte of text or a content stream of garbage cannot hang
//! extraction or exhaust memory. The document's own budget caps the sum over its pages. Forms nest at most [`MAX_FORM_DEPTH`] deep and
//! never recurse into themselves.

use std::rc::Rc;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::font::{Font, FontCache};
use super::geometry::{Matrix, PageBox};
use super::lexer::{Lexer, Operand, Operation};
use super::objects::{
    lookup_array, lookup_dict, lookup_name, number, reference_id, resolve, stream_data,
};

/// Deepest nesting of Form XObjects followed.
const MAX_FORM_DEPTH: usize = 8;
/// Deepest `q` nesting kept; deeper saves are counted, not stored.
const MAX_SAVED_STATES: usize = 256;

/// How much work one page may cost.
#[derive(Debug, Clone, Copy)]
pub(super) struct Budget {
    /// Operations executed, in the page and all its forms.
    pub(super) operations: usize,
    /// Glyphs recorded.
    pub(super) glyphs: usize,
    /// Bytes of content streams decoded (page streams and forms).
    pub(super) content_bytes: usize,
    /// Bytes of text recorded with the glyphs (a `/ToUnicode` entry may map one code to a
    /// long text).
    pub(super) text_bytes: usize,
}

impl Budget {
    /// The budget of one page.
    pub(super) const PAGE: Budget = Budget {
        operations: 2_000_000,
        glyphs: 300_000,
        content_bytes: 64 * 1024 * 1024,
        text_bytes: 4 * 1024 * 1024,
    };

    /// The budget of a whole document, shared by its pages: about fifty times what the
    /// largest test document (1.3 MB, 300 pages) spends.
    pub(super) const DOCUMENT: Budget = Budget {
        operations: 100_000_000,
        glyphs: 20_000_000,
        content_bytes: 512 * 1024 * 1024,
        text_bytes: 32 * 1024 * 1024,
    };

    /// This budget capped by `limit`, field by field.
    pub(super) fn within(self, limit: Budget) -> Budget {
        Budget {
            operations: self.operations.min(limit.operations),
            glyphs: self.glyphs.min(limit.glyphs),
            content_bytes: self.content_bytes.min(limit.content_bytes),
            text_bytes: self.text_bytes.min(limit.text_bytes),
        }
    }

    /// Charges this budget with what a part of the work spent: it was given `granted` and
    /// has `left` over.
    pub(super) fn charge(&mut self, granted: Budget, left: Budget) {
        let spent = |granted: usize, left: usize| granted.saturating_sub(left);
        self.operations = self
            .operations
            .saturating_sub(spent(granted.operations, left.operations));
        self.glyphs = self
            .glyphs
            .saturating_sub(spent(granted.glyphs, left.glyphs));
        self.content_bytes = self
            .content_bytes
            .saturating_sub(spent(granted.content_bytes, left.content_bytes));
        self.text_bytes = self
            .text_bytes
            .saturating_sub(spent(granted.text_bytes, left.text_bytes));
    }
}

/// One shown glyph, in page (user space) coordinates.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Glyph {
    /// The text of the glyph; empty when its code maps to nothing.
    pub(super) text: String,
    /// Origin of the glyph on the baseline.
    pub(super) x: f64,
    pub(super) y: f64,
    /// Displacement along the baseline to the next glyph (character spacing included).
    pub(super) advance: f64,
    /// Unit vector of the baseline direction.
    pub(super) direction: (f64, f64),
    /// Font size on the page.
    pub(super) size: f64,
}

/// The text state parameters (part of the graphics state).
#[derive(Clone)]
struct TextState {
    font: Option<Rc<Font>>,
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    horizontal_scale: f64,
    leading: f64,
    rise: f64,
}

#[derive(Clone)]
struct GraphicsState {
    ctm: Matrix,
    text: TextState,
}

impl GraphicsState {
    fn initial() -> GraphicsState {
        GraphicsState {
            ctm: Matrix::IDENTITY,
            text: TextState {
                font: None,
                size: 0.0,
                char_spacing: 0.0,
                word_spacing: 0.0,
                horizontal_scale: 1.0,
                leading: 0.0,
                rise: 0.0,
            },
        }
    }
}

/// Runs content streams and collects their glyphs.
pub(super) struct Interpreter<'a, 'c> {
    doc: &'a Document,
    fonts: &'c mut FontCache,
    budget: Budget,
    page_box: Option<PageBox>,
    forms: Vec<Option<ObjectId>>,
    glyphs: Vec<Glyph>,
}

/// The state local to one content stream: graphics state stack and text matrices.
struct Frame {
    state: GraphicsState,
    saved: Vec<GraphicsState>,
    unsaved_depth: usize,
    text_matrix: Matrix,
    line_matrix: Matrix,
}

impl<'a, 'c> Interpreter<'a, 'c> {
    /// An interpreter for one page of `doc`; glyphs outside `page_box` (invisible) are
    /// left out.
    pub(super) fn new(
        doc: &'a Document,
        fonts: &'c mut FontCache,
        budget: Budget,
        page_box: Option<PageBox>,
    ) -> Self {
        Interpreter {
            doc,
            fonts,
            budget,
            page_box,
            forms: Vec::new(),
            glyphs: Vec::new(),
        }
    }

    /// Runs the page content `content` with the page `resources`; returns the glyphs shown
    /// and what is left of the budget.
    pub(super) fn run_page(
        mut self,
        content: &[u8],
        resources: Option<&'a Dictionary>,
    ) -> (Vec<Glyph>, Budget) {
        self.run(content, resources, GraphicsState::initial());
        (self.glyphs, self.budget)
    }

    fn run(&mut self, content: &[u8], resources: Option<&'a Dictionary>, state: GraphicsState) {
        let mut frame = Frame {
            state,
            saved: Vec::new(),
            unsaved_depth: 0,
            text_matrix: Matrix::IDENTITY,
            line_matrix: Matrix::IDENTITY,
        };
        for operation in Lexer::new(content) {
            if self.budget.operations == 0 {
                return;
            }
            self.budget.operations -= 1;
            self.execute(&operation, &mut frame, resources);
        }
    }

    fn execute(
        &mut self,
        operation: &Operation,
        frame: &mut Frame,
        resources: Option<&'a Dictionary>,
    ) {
        let operands = operation.operands.as_slice();
        let number_at = |index: usize| operands.get(index).and_then(Operand::number);
        let text = &mut frame.state.text;
        match operation.operator.as_slice() {
            b"q" if frame.saved.len() < MAX_SAVED_STATES => frame.saved.push(frame.state.clone()),
            b"q" => frame.unsaved_depth += 1,
            b"Q" if frame.unsaved_depth > 0 => frame.unsaved_depth -= 1,
            b"Q" => {
                if let Some(state) = frame.saved.pop() {
                    frame.state = state;
                }
            }
            b"cm" => {
                if let Some(matrix) = Matrix::from_numbers(operands.iter().map(Operand::number)) {
                    frame.state.ctm = matrix.then(&frame.state.ctm);
                }
            }
            b"BT" => {
                frame.text_matrix = Matrix::IDENTITY;
                frame.line_matrix = Matrix::IDENTITY;
            }
            b"Tf" => {
                if let Some(Operand::Name(name)) = operands.first() {
                    text.font =
                        resources.and_then(|resources| self.fonts.font(self.doc, resources, name));
                }
                text.size = number_at(1).unwrap_or(text.size);
            }
            b"Tc" => text.char_spacing = number_at(0).unwrap_or(text.char_spacing),
            b"Tw" => text.word_spacing = number_at(0).unwrap_or(text.word_spacing),
            b"Tz" => {
                text.horizontal_scale =
                    number_at(0).map_or(text.horizontal_scale, |scale| scale / 100.0)
            }
            b"TL" => text.leading = number_at(0).unwrap_or(text.leading),
            b"Ts" => text.rise = number_at(0).unwrap_or(text.rise),
            b"Td" | b"TD" => {
                let (x, y) = (number_at(0).unwrap_or(0.0), number_at(1).unwrap_or(0.0));
                if operation.operator == b"TD" {
                    text.leading = -y;
                }
                frame.move_line(x, y);
            }
            b"Tm" => {
                if let Some(matrix) = Matrix::from_numbers(operands.iter().map(Operand::number)) {
                    frame.text_matrix = matrix;
                    frame.line_matrix = matrix;
                }
            }
            b"T*" => frame.next_line(),
            b"Tj" => {
                if let Some(Operand::Bytes(bytes)) = operands.first() {
                    self.show(frame, bytes);
                }
            }
            b"'" => {
                frame.next_line();
                if let Some(Operand::Bytes(bytes)) = operands.first() {
                    self.show(frame, bytes);
                }
            }
            b"\"" => {
                text.word_spacing = number_at(0).unwrap_or(text.word_spacing);
                text.char_spacing = number_at(1).unwrap_or(text.char_spacing);
                frame.next_line();
                if let Some(Operand::Bytes(bytes)) = operands.get(2) {
                    self.show(frame, bytes);
                }
            }
            b"TJ" => {
                if let Some(Operand::Array(items)) = operands.first() {
                    for item in items {
                        match item {
                            Operand::Bytes(bytes) => self.show(frame, bytes),
                            Operand::Number(adjustment) => {
                                let text = &frame.state.text;
                                let shift =
                                    -adjustment / 1000.0 * text.size * text.horizontal_scale;
                                frame.text_matrix =
                                    Matrix::translation(shift, 0.0).then(&frame.text_matrix);
                            }
                            _ => {}
                        }
                    }
                }
            }
            b"Do" => {
                if let Some(Operand::Name(name)) = operands.first() {
                    self.draw_form(resources, name, &frame.state);
                }
            }
            _ => {}
        }
    }

    /// Shows a string: records its glyphs and advances the text matrix.
    fn show(&mut self, frame: &mut Frame, bytes: &[u8]) {
        let text = &frame.state.text;
        let Some(font) = text.font.as_ref() else {
            return;
        };
        let to_page = frame.text_matrix.then(&frame.state.ctm);
        let (axis_x, axis_y) = to_page.apply_vector(1.0, 0.0);
        let axis_length = axis_x.hypot(axis_y);
        let (up_x, up_y) = to_page.apply_vector(0.0, 1.0);
        let size = text.size.abs() * up_x.hypot(up_y);
        let visible = axis_length > f64::EPSILON && size > f64::EPSILON && size.is_finite();
        let direction = if visible {
            (axis_x / axis_length, axis_y / axis_length)
        } else {
            (1.0, 0.0)
        };
        let mut offset = 0.0;
        let glyphs = &mut self.glyphs;
        let budget = &mut self.budget;
        let page_box = self.page_box;
        font.decode(bytes, |code| {
            let spacing = if code.is_word_space {
                text.char_spacing + text.word_spacing
            } else {
                text.char_spacing
            };
            let displacement = (code.width * text.size + spacing) * text.horizontal_scale;
            let (x, y) = to_page.apply(offset, text.rise);
            let end = to_page.apply(offset + displacement, text.rise);
            let on_page = page_box.is_none_or(|page_box| page_box.touches((x, y), end));
            if visible && on_page && budget.glyphs > 0 && budget.text_bytes >= code.text.len() {
                budget.glyphs -= 1;
                budget.text_bytes -= code.text.len();
                glyphs.push(Glyph {
                    text: code.text.to_string(),
                    x,
                    y,
                    advance: displacement * axis_length,
                    direction,
                    size,
                });
            }
            offset += displacement;
        });
        if offset.is_finite() {
            frame.text_matrix = Matrix::translation(offset, 0.0).then(&frame.text_matrix);
        }
    }

    /// Draws the XObject `name` if it is a form: runs its content with its own matrix and
    /// resources, unless it is already being drawn or forms nest too deep.
    fn draw_form(&mut self, resources: Option<&'a Dictionary>, name: &[u8], state: &GraphicsState) {
        let doc = self.doc;
        let Some(entry) = resources
            .and_then(|resources| lookup_dict(doc, resources, b"XObject"))
            .and_then(|xobjects| xobjects.get(name).ok())
        else {
            return;
        };
        let id = reference_id(entry);
        let Some(Object::Stream(stream)) = resolve(doc, entry) else {
            return;
        };
        let is_form = lookup_name(doc, &stream.dict, b"Subtype") == Some(b"Form");
        let recursive = id.is_some() && self.forms.contains(&id);
        if !is_form || recursive || self.forms.len() >= MAX_FORM_DEPTH {
            return;
        }
        let Some(content) = stream_data(stream, self.budget.content_bytes) else {
            return;
        };
        self.budget.content_bytes = self.budget.content_bytes.saturating_sub(content.len());
        let matrix = lookup_array(doc, &stream.dict, b"Matrix")
            .and_then(|values| Matrix::from_numbers(values.iter().map(number)))
            .unwrap_or(Matrix::IDENTITY);
        let mut form_state = state.clone();
        form_state.ctm = matrix.then(&state.ctm);
        let form_resources = lookup_dict(doc, &stream.dict, b"Resources").or(resources);
        self.forms.push(id);
        self.run(&content, form_resources, form_state);
        self.forms.pop();
    }
}

impl Frame {
    fn move_line(&mut self, x: f64, y: f64) {
        self.line_matrix = Matrix::translation(x, y).then(&self.line_matrix);
        self.text_matrix = self.line_matrix;
    }

    fn next_line(&mut self) {
        let leading = self.state.text.leading;
        self.move_line(0.0, -leading);
    }
}

#[cfg(test)]
mod tests {
    use lopdf::dictionary;

    use super::*;

    /// The glyphs `content` shows with Courier (600 units wide) as `/F1`, on an A4 page.
    fn glyphs_with(content: &[u8], budget: Budget) -> Vec<(String, f64, f64, f64)> {
        let mut doc = Document::with_version("1.5");
        let font = doc.add_object(
            dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Courier" },
        );
        let resources = dictionary! { "Font" => dictionary! { "F1" => font } };
        let mut fonts = FontCache::default();
        let page_box = PageBox::from_rectangle([0.0, 0.0, 595.0, 842.0]);
        Interpreter::new(&doc, &mut fonts, budget, Some(page_box))
            .run_page(content, Some(&resources))
            .0
            .into_iter()
            .map(|glyph| (glyph.text, glyph.x, glyph.y, glyph.advance))
            .collect()
    }

    fn glyphs(content: &[u8]) -> Vec<(String, f64, f64, f64)> {
        glyphs_with(content, Budget::PAGE)
    }

    fn texts_and_lines(content: &[u8]) -> Vec<(String, f64)> {
        glyphs(content)
            .into_iter()
            .map(|(text, _, y, _)| (text, y))
            .collect()
    }

    #[test]
    fn positions_glyphs_with_widths_and_tj_adjustments() {
        let shown = glyphs(b"BT /F1 10 Tf 100 700 Td [(a) -1000 (b)] TJ ET");
        assert_eq!(
            shown,
            vec![
                ("a".to_string(), 100.0, 700.0, 6.0),
                ("b".to_string(), 116.0, 700.0, 6.0)
            ]
        );
    }

    #[test]
    fn applies_character_word_and_horizontal_spacing() {
        let shown = glyphs(b"BT /F1 10 Tf 2 Tc 3 Tw 50 Tz 100 700 Td (a b) Tj ET");
        let positions: Vec<(f64, f64)> = shown
            .iter()
            .map(|(_, x, _, advance)| (*x, *advance))
            .collect();
        assert_eq!(positions, vec![(100.0, 4.0), (104.0, 5.5), (109.5, 4.0)]);
    }

    #[test]
    fn follows_line_operators() {
        let shown = texts_and_lines(
            b"BT /F1 10 Tf 10 700 Td 0 -12 TD (a) Tj T* (b) Tj (c) ' 1 2 (d) \" ET",
        );
        let expected = [("a", 688.0), ("b", 676.0), ("c", 664.0), ("d", 652.0)];
        assert_eq!(
            shown,
            expected.map(|(text, y)| (text.to_string(), y)).to_vec()
        );
    }

    #[test]
    fn transforms_by_ctm_and_text_matrix() {
        let mut doc = Document::with_version("1.5");
        let font = doc.add_object(dictionary! { "Subtype" => "Type1", "BaseFont" => "Courier" });
        let resources = dictionary! { "Font" => dictionary! { "F1" => font } };
        let mut fonts = FontCache::default();
        let (shown, _) = Interpreter::new(&doc, &mut fonts, Budget::PAGE, None).run_page(
            b"2 0 0 2 0 0 cm BT /F1 10 Tf 0 1 -1 0 50 50 Tm (a) Tj ET",
            Some(&resources),
        );
        let glyph = shown.first().cloned();
        assert_eq!(
            glyph.map(|glyph| (glyph.x, glyph.y, glyph.direction, glyph.size, glyph.advance)),
            Some((100.0, 100.0, (0.0, 1.0), 20.0, 12.0))
        );
    }

    #[test]
    fn restores_state_and_ignores_unbalanced_or_missing_things() {
        let shown = glyphs(b"Q Q BT /F1 10 Tf q /F1 20 Tf /Nope 30 Tf Q 10 10 Td (a) Tj ET Q");
        assert_eq!(shown, vec![("a".to_string(), 10.0, 10.0, 6.0)]);
        let deep_saves = b"q ".repeat(10_000);
        assert!(
            glyphs(&[deep_saves.as_slice(), b"BT /F1 10 Tf 1 1 Td (a) Tj ET"].concat()).len() == 1
        );
        assert!(glyphs(b"BT (no font) Tj /Missing 12 Tf (x) Tj ET /Fm Do").is_empty());
    }

    #[test]
    fn drops_glyphs_off_the_page_and_beyond_the_budget() {
        assert!(glyphs(b"BT /F1 10 Tf 700 700 Td (a) Tj ET").is_empty());
        let budget = Budget {
            glyphs: 2,
            ..Budget::PAGE
        };
        assert_eq!(
            glyphs_with(b"BT /F1 10 Tf 1 1 Td (abcd) Tj ET", budget).len(),
            2
        );
        let budget = Budget {
            operations: 3,
            ..Budget::PAGE
        };
        assert!(glyphs_with(b"BT /F1 10 Tf 1 1 Td (abcd) Tj ET", budget).is_empty());
        let budget = Budget {
            text_bytes: 3,
            ..Budget::PAGE
        };
        assert_eq!(
            glyphs_with(b"BT /F1 10 Tf 1 1 Td (abcd) Tj ET", budget).len(),
            3
        );
    }

    #[test]
    fn a_page_is_granted_at_most_what_the_document_has_left() {
        let mut document = Budget {
            operations: 10,
            ..Budget::DOCUMENT
        };
        let granted = Budget::PAGE.within(document);
        assert_eq!(granted.operations, 10);
        assert_eq!(granted.glyphs, Budget::PAGE.glyphs);
        let left = Budget {
            operations: 4,
            glyphs: granted.glyphs - 100,
            ..granted
        };
        document.charge(granted, left);
        assert_eq!(document.operations, 4);
        assert_eq!(document.glyphs, Budget::DOCUMENT.glyphs - 100);
        assert_eq!(document.text_bytes, Budget::DOCUMENT.text_bytes);
    }
}
