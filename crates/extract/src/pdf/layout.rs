//! Layout: arranges the glyphs of a page into lines of text, in the order they were drawn.
//!
//! A glyph continues the current line when it runs in the same direction, sits on about the
//! same baseline and does not jump back by more than about an em; otherwise it starts a new
//! line. Within a line a space is inserted wherever the gap between two glyphs exceeds a
//! tenth of the font size (the rule poppler uses), old TeX accents drawn as separate glyphs
//! over their letter are composed into one letter, and ligatures are expanded. Lines are
//! joined with newlines (a blank line for a wide vertical gap), and a word hyphenated at the
//! end of a line is rejoined when the next line starts with a lowercase letter.

use unicode_normalization::char::compose;

use super::interpreter::Glyph;

/// A gap wider than this fraction of the font size separates two words.
const WORD_GAP: f64 = 0.1;
/// Baselines closer than this fraction of the font size belong to the same line.
const SAME_BASELINE: f64 = 0.5;
/// A glyph may step back this many font sizes and still continue the line (accents, kerns).
const BACKWARD_STEP: f64 = 1.0;
/// A vertical gap wider than this many font sizes between lines starts a new paragraph.
const PARAGRAPH_GAP: f64 = 1.8;
/// Lines further apart than this many font sizes are never joined across a hyphen.
const HYPHEN_JOIN_DISTANCE: f64 = 3.0;

/// A line under construction: glyphs that follow one baseline.
struct Line<'g> {
    glyphs: Vec<&'g Glyph>,
    direction: (f64, f64),
    baseline: f64,
    size: f64,
    end: f64,
}

fn dot(a: (f64, f64), b: (f64, f64)) -> f64 {
    a.0 * b.0 + a.1 * b.1
}

/// Distance of a point from the origin across a direction (perpendicular coordinate).
fn across(direction: (f64, f64), x: f64, y: f64) -> f64 {
    -direction.1 * x + direction.0 * y
}

impl<'g> Line<'g> {
    fn start(glyph: &'g Glyph) -> Line<'g> {
        let along = dot(glyph.direction, (glyph.x, glyph.y));
        Line {
            glyphs: vec![glyph],
            direction: glyph.direction,
            baseline: across(glyph.direction, glyph.x, glyph.y),
            size: glyph.size,
            end: along + glyph.advance,
        }
    }

    fn along(&self, glyph: &Glyph) -> f64 {
        dot(self.direction, (glyph.x, glyph.y))
    }

    /// Whether `glyph` continues this line.
    fn accepts(&self, glyph: &Glyph) -> bool {
        let size = self.size.max(glyph.size);
        dot(self.direction, glyph.direction) > 0.99
            && (across(self.direction, glyph.x, glyph.y) - self.baseline).abs()
                < SAME_BASELINE * size
            && self.along(glyph) > self.end - BACKWARD_STEP * size
    }

    fn push(&mut self, glyph: &'g Glyph) {
        self.end = self.end.max(self.along(glyph) + glyph.advance);
        self.glyphs.push(glyph);
    }

    /// The text of the line: words separated by single spaces, accents composed.
    fn text(&self) -> String {
        let mut out = String::new();
        let mut previous_end: Option<(f64, f64)> = None;
        let mut pending_space = false;
        let mut index = 0;
        while let Some(&glyph) = self.glyphs.get(index) {
            index += 1;
            let start = self.along(glyph);
            let end = start + glyph.advance;
            if let Some((previous, size)) = previous_end {
                if start - previous > WORD_GAP * size {
                    pending_space = true;
                }
            }
            if glyph.text.trim().is_empty() {
                // A space glyph separates words; a glyph without text only takes room.
                pending_space |= !glyph.text.is_empty();
                previous_end = Some((end, glyph.size));
                continue;
            }
            let composed = self.accented_letter(index - 1);
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            match composed {
                Some((letter, letter_end)) => {
                    out.push(letter);
                    previous_end = Some((end.max(letter_end), glyph.size));
                    index += 1;
                }
                None => {
                    push_clean(&mut out, &glyph.text);
                    previous_end = Some((end, glyph.size));
                }
            }
        }
        out
    }

    /// When the glyph at `index` is a spacing accent drawn over the next glyph (or the next
    /// is an accent drawn over it), the composed letter and the end of the pair.
    fn accented_letter(&self, index: usize) -> Option<(char, f64)> {
        let first = self.glyphs.get(index)?;
        let second = self.glyphs.get(index + 1)?;
        let (accent, letter) = match (
            combining_accent(&first.text),
            combining_accent(&second.text),
        ) {
            (Some(accent), None) => (accent, second),
            (None, Some(accent)) => (accent, first),
            _ => return None,
        };
        let (first_start, second_start) = (self.along(first), self.along(second));
        let overlap = (first_start + first.advance).min(second_start + second.advance)
            - first_start.max(second_start);
        let narrower = first.advance.min(second.advance).abs();
        if overlap < 0.3 * narrower {
            return None;
        }
        let mut letters = letter.text.chars();
        let base = match (letters.next()?, letters.next()) {
            ('ı', None) => 'i',
            ('ȷ', None) => 'j',
            (base, None) => base,
            _ => return None,
        };
        let end = (first_start + first.advance).max(second_start + second.advance);
        compose(base, accent).map(|letter| (letter, end))
    }
}

/// The combining mark of a spacing accent drawn as a glyph of its own.
fn combining_accent(text: &str) -> Option<char> {
    let mut chars = text.chars();
    let accent = match (chars.next()?, chars.next()) {
        ('\u{b4}' | '\u{2ca}', None) => '\u{301}',
        ('`' | '\u{2cb}', None) => '\u{300}',
        ('\u{2c6}' | '^', None) => '\u{302}',
        ('\u{a8}', None) => '\u{308}',
        ('\u{2dc}' | '~', None) => '\u{303}',
        ('\u{b8}', None) => '\u{327}',
        ('\u{2c7}', None) => '\u{30c}',
        ('\u{2d8}', None) => '\u{306}',
        ('\u{2da}', None) => '\u{30a}',
        ('\u{af}' | '\u{2c9}', None) => '\u{304}',
        ('\u{2d9}', None) => '\u{307}',
        ('\u{2dd}', None) => '\u{30b}',
        ('\u{2db}', None) => '\u{328}',
        _ => return None,
    };
    Some(accent)
}

/// Appends glyph text: ligatures expanded, control characters dropped, soft hyphens (drawn
/// only where a word is cut) shown as hyphens.
fn push_clean(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\u{fb00}' => out.push_str("ff"),
            '\u{fb01}' => out.push_str("fi"),
            '\u{fb02}' => out.push_str("fl"),
            '\u{fb03}' => out.push_str("ffi"),
            '\u{fb04}' => out.push_str("ffl"),
            '\u{fb05}' | '\u{fb06}' => out.push_str("st"),
            '\u{ad}' => out.push('-'),
            '\t' | '\n' | '\r' => out.push(' '),
            c if c.is_control() || c == '\u{fffd}' => {}
            c => out.push(c),
        }
    }
}

/// Arranges `glyphs`, in drawing order, into the text of a page.
pub(super) fn page_text(glyphs: &[Glyph]) -> String {
    let mut lines: Vec<Line<'_>> = Vec::new();
    for glyph in glyphs {
        match lines.last_mut() {
            Some(line) if line.accepts(glyph) => line.push(glyph),
            _ => lines.push(Line::start(glyph)),
        }
    }
    let mut out = String::new();
    let mut previous: Option<&Line<'_>> = None;
    for line in &lines {
        let text = line.text();
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        if let Some(previous) = previous {
            let distance = (line.baseline - previous.baseline).abs() / line.size.max(previous.size);
            if distance < HYPHEN_JOIN_DISTANCE && joins_hyphenated(&out, text) {
                out.pop();
            } else if distance > PARAGRAPH_GAP {
                out.push_str("\n\n");
            } else {
                out.push('\n');
            }
        }
        out.push_str(text);
        previous = Some(line);
    }
    out
}

/// Whether `text` ends with a word cut by a hyphen that the next line, `next`, completes:
/// a hyphen right after a word and a lowercase letter next, or a URL cut anywhere.
fn joins_hyphenated(text: &str, next: &str) -> bool {
    let Some(cut) = text.strip_suffix('-') else {
        return false;
    };
    let last_word = cut.rsplit(char::is_whitespace).next().unwrap_or_default();
    let Some(next_char) = next.chars().next() else {
        return false;
    };
    let word_before = last_word
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric);
    (word_before && next_char.is_lowercase()) || last_word.contains("://")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Glyphs of `text` on a horizontal baseline, each `width` wide, from `x`.
    fn run(text: &str, x: f64, y: f64, width: f64) -> Vec<Glyph> {
        text.chars()
            .enumerate()
            .map(|(index, c)| Glyph {
                text: c.to_string(),
                x: x + index as f64 * width,
                y,
                advance: width,
                direction: (1.0, 0.0),
                size: 10.0,
            })
            .collect()
    }

    #[test]
    fn spaces_words_by_gaps_and_joins_lines() {
        let mut glyphs = run("L’orientation", 0.0, 700.0, 5.0);
        glyphs.extend(run("professionnelle", 70.0, 700.0, 5.0));
        glyphs.extend(run("suite", 0.0, 688.0, 5.0));
        glyphs.extend(run("Fin", 0.0, 650.0, 5.0));
        assert_eq!(
            page_text(&glyphs),
            "L’orientation professionnelle\nsuite\n\nFin"
        );
    }

    #[test]
    fn rejoins_hyphenated_words_before_lowercase_only() {
        let mut glyphs = run("exploita-", 0.0, 700.0, 5.0);
        glyphs.extend(run("tion des Jean-", 0.0, 688.0, 5.0));
        glyphs.extend(run("Pierre (http://www.debian.org/-", 0.0, 676.0, 5.0));
        glyphs.extend(run("Teams) 3-", 0.0, 664.0, 5.0));
        glyphs.extend(run("b", 0.0, 652.0, 5.0));
        assert_eq!(
            page_text(&glyphs),
            "exploitation des Jean-\nPierre (http://www.debian.org/Teams) 3b"
        );
    }

    #[test]
    fn composes_accents_drawn_over_letters() {
        let mut glyphs = run("d", 0.0, 700.0, 5.0);
        // TeX: the accent, then a kern back, then the letter under it.
        glyphs.extend(run("\u{b4}", 5.5, 702.0, 4.0));
        glyphs.extend(run("e", 5.0, 700.0, 5.0));
        glyphs.extend(run("ja", 10.0, 700.0, 5.0));
        glyphs.extend(run("\u{b4}", 30.0, 700.0, 5.0));
        glyphs.extend(run("\u{131}", 30.0, 700.0, 3.0));
        glyphs.extend(run("`x", 50.0, 700.0, 5.0));
        assert_eq!(page_text(&glyphs), "déja í `x");
    }

    #[test]
    fn expands_ligatures_and_drops_control_characters() {
        let glyphs = run("\u{fb01}n \u{fb00}\u{7}e\u{fffd}t œuvre", 0.0, 700.0, 5.0);
        assert_eq!(page_text(&glyphs), "fin ffet œuvre");
    }

    #[test]
    fn separates_lines_going_back_or_turning() {
        let mut glyphs = run("abc", 100.0, 700.0, 5.0);
        glyphs.extend(run("def", 0.0, 700.0, 5.0));
        let mut rotated = run("up", 0.0, 0.0, 5.0);
        for (index, glyph) in rotated.iter_mut().enumerate() {
            glyph.direction = (0.0, 1.0);
            glyph.x = 300.0;
            glyph.y = index as f64 * 5.0;
        }
        glyphs.extend(rotated);
        assert_eq!(page_text(&glyphs), "abc\ndef\n\nup");
        assert_eq!(page_text(&[]), "");
    }
}
