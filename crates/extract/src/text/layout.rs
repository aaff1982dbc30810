//! Building readable text from a stream of fragments and layout breaks.
//!
//! Every extractor walks its format and reports what it meets: text, a cell separator, the end
//! of a line, the end of a paragraph. [`TextLayout`] turns that into the `body` convention of
//! [`Extracted`](crate::Extracted): whitespace runs collapsed to one space, lines
//! separated by `\n`, paragraphs by a blank line, nothing leading or trailing, and the marks
//! of [`crate::blocks`] (headings, list items, table cells) before the text they mark. It
//! can also capture the text of a heading while it is written to the body.

use std::borrow::Cow;

/// The separator owed before the next visible character; the strongest one asked for wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Gap {
    None,
    Space,
    Line,
    Paragraph,
}

/// Accumulates text with collapsed whitespace and line/paragraph breaks.
#[derive(Debug)]
pub(crate) struct TextLayout {
    text: String,
    gap: Gap,
    /// Text of the heading being captured, if one is open.
    capture: Option<String>,
    /// A block mark owed before the next visible character.
    mark: Option<Cow<'static, str>>,
}

impl TextLayout {
    /// An empty layout.
    pub(crate) fn new() -> Self {
        TextLayout {
            text: String::new(),
            gap: Gap::None,
            capture: None,
            mark: None,
        }
    }

    /// Appends a run of text; its whitespace collapses with the surrounding gaps.
    pub(crate) fn push_text(&mut self, fragment: &str) {
        let mut rest = fragment;
        while let Some(c) = rest.chars().next() {
            // A run of visible ASCII (neither a space nor a control) is copied at once: the
            // bulk of most texts, which went through here a character at a time.
            let run = rest.bytes().take_while(u8::is_ascii_graphic).count();
            let taken = if run > 0 {
                self.write_gap();
                self.text.push_str(&rest[..run]);
                if let Some(capture) = &mut self.capture {
                    capture.push_str(&rest[..run]);
                }
                run
            } else {
                if c.is_whitespace() {
                    self.gap = self.gap.max(Gap::Space);
                } else if !is_invisible(c) {
                    self.write_gap();
                    self.text.push(c);
                    if let Some(capture) = &mut self.capture {
                        capture.push(c);
                    }
                }
                c.len_utf8()
            };
            rest = &rest[taken..];
        }
    }

    /// Appends preformatted text: its line breaks are kept, other whitespace collapses.
    pub(crate) fn push_preformatted(&mut self, fragment: &str) {
        for (index, line) in fragment.split('\n').enumerate() {
            if index > 0 {
                self.line_break();
            }
            self.push_text(line);
        }
    }

    /// Separates what follows by at least a space (table cells, tabs).
    pub(crate) fn space(&mut self) {
        self.gap = self.gap.max(Gap::Space);
    }

    /// Starts a new line (list items, table rows, `<br>`).
    pub(crate) fn line_break(&mut self) {
        self.gap = self.gap.max(Gap::Line);
    }

    /// Starts a new paragraph, separated by a blank line.
    pub(crate) fn paragraph_break(&mut self) {
        self.gap = Gap::Paragraph;
    }

    /// Writes `mark` (of [`crate::blocks`]) before the next visible character; a mark owed
    /// and not written yet is replaced.
    pub(crate) fn mark(&mut self, mark: impl Into<Cow<'static, str>>) {
        self.mark = Some(mark.into());
    }

    /// Forgets a mark owed: the element it was for had no text.
    pub(crate) fn unmark(&mut self) {
        self.mark = None;
    }

    /// A table cell: `| ` at the start of a row, ` | ` between two cells.
    pub(crate) fn cell(&mut self) {
        self.space();
        self.mark(crate::blocks::CELL_MARK);
    }

    /// Starts copying the text that follows, until [`TextLayout::finish_capture`]. A capture
    /// already open goes on (nested headings are one heading).
    pub(crate) fn start_capture(&mut self) {
        if self.capture.is_none() {
            self.capture = Some(String::new());
        }
    }

    /// Ends the capture and returns its text on one line, or `None` if it had no text.
    pub(crate) fn finish_capture(&mut self) -> Option<String> {
        self.capture.take().filter(|text| !text.is_empty())
    }

    /// The text written so far.
    pub(crate) fn finish(self) -> String {
        self.text
    }

    fn write_gap(&mut self) {
        if let Some(mark) = self.mark.take() {
            self.write_separator();
            self.text.push_str(&mark);
        } else {
            self.write_separator();
        }
    }

    fn write_separator(&mut self) {
        if self.text.is_empty() {
            self.gap = Gap::None;
            return;
        }
        let separator = match self.gap {
            Gap::None => return,
            Gap::Space => " ",
            Gap::Line => "\n",
            Gap::Paragraph => "\n\n",
        };
        self.text.push_str(separator);
        if let Some(capture) = &mut self.capture {
            if !capture.is_empty() {
                capture.push(' ');
            }
        }
        self.gap = Gap::None;
    }
}

/// Collapses the whitespace of `text` to single spaces and trims it.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    let mut layout = TextLayout::new();
    layout.push_text(text);
    layout.finish()
}

/// Characters that take no room and split no words: controls, soft hyphen, zero-width
/// spaces and joiners, byte order mark.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{ad}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapses_whitespace_and_keeps_the_strongest_break() {
        let mut layout = TextLayout::new();
        layout.paragraph_break();
        layout.push_text("  Bonjour \t\n le   monde ");
        layout.line_break();
        layout.space();
        layout.push_text("ligne");
        layout.line_break();
        layout.paragraph_break();
        layout.line_break();
        layout.push_text("paragraphe");
        layout.paragraph_break();
        assert_eq!(layout.finish(), "Bonjour le monde\nligne\n\nparagraphe");
    }

    #[test]
    fn marks_come_before_their_text_and_vanish_without_it() {
        let mut layout = TextLayout::new();
        layout.mark("## ");
        layout.push_text("  Titre ");
        layout.unmark();
        layout.paragraph_break();
        layout.mark("- ");
        layout.push_text("un");
        layout.line_break();
        layout.mark("- ");
        layout.unmark();
        layout.line_break();
        layout.mark("- ");
        layout.push_text("deux");
        layout.paragraph_break();
        for (row, cells) in [["a", "b"], ["", "c"]].into_iter().enumerate() {
            if row > 0 {
                layout.line_break();
            }
            for cell in cells {
                layout.cell();
                layout.push_text(cell);
            }
        }
        assert_eq!(layout.finish(), "## Titre\n\n- un\n- deux\n\n| a | b\n| c");
    }

    #[test]
    fn drops_invisible_characters_inside_words() {
        assert_eq!(
            collapse_whitespace("for\u{ad}ma\u{200b}tion\u{0}\u{feff} continue\u{a0}!"),
            "formation continue !"
        );
    }

    #[test]
    fn ascii_runs_and_other_characters_interleave() {
        let mut layout = TextLayout::new();
        layout.start_capture();
        layout.push_text("\t Métier\u{3000}d’aide-soignant\u{ad}e ;\u{85}café\u{200b}crème\u{1}! ");
        assert_eq!(
            layout.finish_capture().as_deref(),
            Some("Métier d’aide-soignante ; cafécrème!")
        );
        assert_eq!(layout.finish(), "Métier d’aide-soignante ; cafécrème!");
    }

    #[test]
    fn preformatted_text_keeps_its_lines() {
        let mut layout = TextLayout::new();
        layout.push_preformatted("fn main() {\n    println!();\n}");
        assert_eq!(layout.finish(), "fn main() {\nprintln!();\n}");
    }

    #[test]
    fn capture_copies_the_heading_on_one_line() {
        let mut layout = TextLayout::new();
        layout.push_text("avant");
        layout.paragraph_break();
        layout.start_capture();
        layout.push_text("Titre");
        layout.line_break();
        layout.push_text("suite");
        assert_eq!(layout.finish_capture().as_deref(), Some("Titre suite"));
        layout.start_capture();
        layout.push_text("  ");
        assert_eq!(layout.finish_capture(), None);
        assert_eq!(layout.finish(), "avant\n\nTitre\nsuite");
    }
}
