//! Markdown extractor: the text of a Markdown file with its markup removed, its headings,
//! list items and table rows kept as the block marks of [`crate::blocks`].
//!
//! A line-based reader, enough for the documents of the corpus (CommonMark and pandoc
//! output): YAML front matter (`title:`), ATX (`# Titre`) and Setext (underlined) headings,
//! paragraphs, bullet and numbered lists (one item per line), pipe tables (one row per line,
//! the delimiter row dropped), block quotes, fenced code (kept as text), thematic breaks and
//! link reference definitions. Inline markup is handled by [`inline`].

mod inline;

use super::layout::{collapse_whitespace, TextLayout};
use super::{decode_text_file, require_text};
use crate::blocks::{heading_mark, CELL_MARK, ITEM_MARK};
use crate::{ExtractError, Extracted};
use inline::render_inline;

/// Front matter longer than this many lines is taken for ordinary text.
const MAX_FRONT_MATTER_LINES: usize = 200;

/// Extracts a Markdown file: title from the front matter or the first `#` heading (else
/// the first heading of any level), headings, and the body without markup.
pub fn extract_markdown(bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let text = decode_text_file(bytes, "markdown")?;
    let (front_matter_title, content) = split_front_matter(&text);
    let mut reader = BlockReader::new();
    for line in content.lines() {
        reader.read_line(line);
    }
    let (body, headings) = reader.finish();
    let title = front_matter_title.or_else(|| {
        let top_level = headings.iter().find(|(level, _)| *level == 1);
        top_level.or(headings.first()).map(|(_, text)| text.clone())
    });
    require_text(
        "markdown",
        Extracted {
            title,
            headings: headings.into_iter().map(|(_, text)| text).collect(),
            body,
            ..Extracted::default()
        },
    )
}

/// Splits off a YAML front matter block (`---` ... `---` or `...`), returning its `title:`.
fn split_front_matter(text: &str) -> (Option<String>, &str) {
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return (None, text);
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n').take(MAX_FRONT_MATTER_LINES) {
        if matches!(line.trim_end(), "---" | "...") {
            let header = rest.get(..offset).unwrap_or_default();
            let content = rest.get(offset + line.len()..).unwrap_or_default();
            return (front_matter_title(header), content);
        }
        offset += line.len();
    }
    (None, text)
}

fn front_matter_title(header: &str) -> Option<String> {
    let value = header
        .lines()
        .find_map(|line| line.strip_prefix("title:"))?
        .trim();
    let unquoted = ['"', '\'']
        .iter()
        .find_map(|&quote| value.strip_prefix(quote)?.strip_suffix(quote))
        .unwrap_or(value);
    Some(collapse_whitespace(unquoted)).filter(|title| !title.is_empty())
}

/// The kinds of text block a line can open or continue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    Paragraph,
    ListItem,
    TableRow,
}

/// An open code fence: its marker (`` ` `` or `~`) and length.
#[derive(Debug, Clone, Copy)]
struct Fence {
    marker: char,
    length: usize,
}

/// Reads Markdown line by line into a [`TextLayout`].
struct BlockReader {
    layout: TextLayout,
    /// Headings found so far, with their level (1 for `#`).
    headings: Vec<(usize, String)>,
    /// The block being read and its lines (rendered, with whether a hard break ends them).
    open: Option<Block>,
    lines: Vec<(String, bool)>,
    /// The last block written, and whether a blank line followed it: consecutive list items
    /// or table rows are written on consecutive lines.
    previous: Option<Block>,
    blank_after_previous: bool,
    fence: Option<Fence>,
}

impl BlockReader {
    fn new() -> Self {
        BlockReader {
            layout: TextLayout::new(),
            headings: Vec::new(),
            open: None,
            lines: Vec::new(),
            previous: None,
            blank_after_previous: false,
            fence: None,
        }
    }

    fn read_line(&mut self, raw: &str) {
        if let Some(fence) = self.fence {
            if closes_fence(raw, fence) {
                self.fence = None;
                self.end_section();
            } else {
                self.layout.push_text(raw);
                self.layout.line_break();
            }
            return;
        }
        let line = strip_quote_markers(raw.trim_start());
        if line.trim().is_empty() {
            self.close_block();
            self.blank_after_previous = true;
        } else if let Some(fence) = opens_fence(line) {
            self.end_section();
            self.fence = Some(fence);
        } else if let Some((level, text)) = atx_heading(line) {
            self.write_heading(level, text);
        } else if let Some(level) = self.setext_level(line) {
            let lines = std::mem::take(&mut self.lines);
            self.open = None;
            let text: Vec<String> = lines.into_iter().map(|(text, _)| text).collect();
            self.write_rendered_heading(level, &text.join(" "));
        } else if is_thematic_break(line) {
            self.end_section();
        } else if is_table_delimiter(line) || is_reference_definition(line) {
            // Markup only.
        } else if let Some(item) = list_item_content(line) {
            self.start_block(Block::ListItem, item);
        } else if line.starts_with('|') {
            self.close_block();
            self.open = Some(Block::TableRow);
            self.lines.push((table_row(line), false));
        } else if matches!(self.open, Some(Block::Paragraph | Block::ListItem)) {
            self.push_line(line);
        } else {
            self.start_block(Block::Paragraph, line);
        }
    }

    fn start_block(&mut self, block: Block, first_line: &str) {
        self.close_block();
        self.open = Some(block);
        self.push_line(first_line);
    }

    fn push_line(&mut self, line: &str) {
        let hard_break = line.ends_with("  ") || line.ends_with('\\');
        let content = line.trim_end().strip_suffix('\\').unwrap_or(line);
        self.lines.push((render_inline(content), hard_break));
    }

    /// Writes the open block, if any, to the layout.
    fn close_block(&mut self) {
        let Some(block) = self.open.take() else {
            return;
        };
        let same_run = self.previous == Some(block) && block != Block::Paragraph;
        if same_run && !self.blank_after_previous {
            self.layout.line_break();
        } else {
            self.layout.paragraph_break();
        }
        match block {
            Block::ListItem => self.layout.mark(ITEM_MARK),
            Block::TableRow => self.layout.mark(CELL_MARK),
            Block::Paragraph => {}
        }
        for (text, hard_break) in self.lines.drain(..) {
            self.layout.push_text(&text);
            if hard_break {
                self.layout.line_break();
            } else {
                self.layout.space();
            }
        }
        self.previous = Some(block);
        self.blank_after_previous = false;
    }

    /// Closes the open block and separates what follows by a blank line.
    fn end_section(&mut self) {
        self.close_block();
        self.layout.paragraph_break();
        self.previous = None;
    }

    /// The level of a Setext heading if `line` underlines the open paragraph.
    fn setext_level(&self, line: &str) -> Option<usize> {
        if self.open != Some(Block::Paragraph) {
            return None;
        }
        let underline = line.trim_end();
        if !underline.is_empty() && underline.bytes().all(|b| b == b'=') {
            Some(1)
        } else if !underline.is_empty() && underline.bytes().all(|b| b == b'-') {
            Some(2)
        } else {
            None
        }
    }

    fn write_heading(&mut self, level: usize, markdown: &str) {
        self.close_block();
        self.write_rendered_heading(level, &render_inline(markdown));
    }

    fn write_rendered_heading(&mut self, level: usize, text: &str) {
        self.end_section();
        self.layout.start_capture();
        self.layout.mark(heading_mark(level));
        self.layout.push_text(text);
        self.layout.unmark();
        if let Some(heading) = self.layout.finish_capture() {
            self.headings.push((level, heading));
        }
        self.end_section();
    }

    fn finish(mut self) -> (String, Vec<(usize, String)>) {
        self.close_block();
        (self.layout.finish(), self.headings)
    }
}

/// The cells of a pipe table row, rendered, separated by ` | ` (the leading `| ` is the
/// mark written before the row).
fn table_row(line: &str) -> String {
    let inner = line.trim().trim_start_matches('|');
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let cells: Vec<String> = inner
        .split('|')
        .map(|cell| collapse_whitespace(&render_inline(cell)))
        .collect();
    cells.join(" | ")
}

/// Removes block quote markers (`>`, `> >`) at the start of a line.
fn strip_quote_markers(line: &str) -> &str {
    let mut rest = line;
    while let Some(after) = rest.strip_prefix('>') {
        rest = after.trim_start();
    }
    rest
}

fn opens_fence(line: &str) -> Option<Fence> {
    let marker = line.chars().next().filter(|c| matches!(c, '`' | '~'))?;
    let length = line.chars().take_while(|&c| c == marker).count();
    (length >= 3).then_some(Fence { marker, length })
}

fn closes_fence(raw: &str, fence: Fence) -> bool {
    let line = raw.trim();
    line.chars().take_while(|&c| c == fence.marker).count() >= fence.length
        && line.chars().all(|c| c == fence.marker)
}

/// An ATX heading: level and text, without the `#` marks (leading and closing).
fn atx_heading(line: &str) -> Option<(usize, &str)> {
    let level = line.bytes().take_while(|&b| b == b'#').count();
    let rest = line.get(level..)?;
    if !(1..=6).contains(&level) || !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let text = rest.trim();
    let without_closing = text.trim_end_matches('#');
    let text = if without_closing.is_empty() || without_closing.ends_with([' ', '\t']) {
        without_closing.trim_end()
    } else {
        text
    };
    Some((level, text))
}

/// `---`, `***`, `___` (three or more, spaces allowed).
fn is_thematic_break(line: &str) -> bool {
    let marks: Vec<char> = line.chars().filter(|c| !c.is_whitespace()).collect();
    marks.len() >= 3
        && marks.iter().all(|&c| Some(c) == marks.first().copied())
        && matches!(marks.first(), Some('-' | '*' | '_'))
}

/// The `|---|:---:|` row under a table header.
fn is_table_delimiter(line: &str) -> bool {
    line.contains('|')
        && line.contains('-')
        && line
            .chars()
            .all(|c| matches!(c, '|' | ':' | '-' | ' ' | '\t'))
}

/// `[label]: https://...`
fn is_reference_definition(line: &str) -> bool {
    line.strip_prefix('[')
        .and_then(|rest| rest.split_once("]:"))
        .is_some_and(|(label, _)| !label.is_empty() && !label.contains(['[', ']']))
}

/// The content of a list item (`- x`, `* x`, `+ x`, `1. x`, `2) x`), task box removed.
fn list_item_content(line: &str) -> Option<&str> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let after_marker = if digits == 0 {
        line.strip_prefix(['-', '*', '+'])?
    } else if digits <= 9 {
        line.get(digits..)?.strip_prefix(['.', ')'])?
    } else {
        return None;
    };
    if !(after_marker.is_empty() || after_marker.starts_with([' ', '\t'])) {
        return None;
    }
    let content = after_marker.trim_start();
    Some(
        ["[ ] ", "[x] ", "[X] "]
            .iter()
            .find_map(|task| content.strip_prefix(task))
            .unwrap_or(content),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_agreement_in_markdown() {
        let bytes = include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../corpus/spo/accord-cadre-spo-paca.md"
        ));
        let doc = extract_markdown(bytes).unwrap();
        assert_eq!(
            doc.title.as_deref(),
            Some("PROJET D'ACCORD CADRE DANS LE CADRE DE LA LABELLISATION SPO")
        );
        for heading in [
            "Préambule",
            "Des critères de qualité et d'organisation des services",
            "6 – EVALUATION",
            "Liste des annexes",
        ] {
            assert!(doc.headings.iter().any(|h| h == heading), "{heading}");
        }
        assert!(doc.body.starts_with(
            "# PROJET D'ACCORD CADRE DANS LE CADRE DE LA LABELLISATION SPO\n\n24 NOVEMBRE\n\nENTRE"
        ));
        assert!(doc.body.contains(
            "Conformément\n\n- au décret N°2011-487 du 04 mai 2011.\n- au CPRDF 2011-2015"
        ));
        assert!(doc.body.contains("L'ACADEMIE DE NICE,\nREPRESENTEE PAR"));
        assert!(doc.body.contains("après le 1er accueil et le 1er conseil"));
        // A loose list (blank lines between items) keeps its items apart.
        assert!(doc
            .body
            .contains("- ANNEXE 1 : LES TEXTES DE REFERENCE\n\n- ANNEXE 2"));
        for markup in ["**", "<sup>", "\n\n\n"] {
            assert!(!doc.body.contains(markup), "{markup:?} left in the body");
        }
    }

    #[test]
    fn front_matter_setext_tables_code_and_quotes() {
        let source = "---\ntitle: \"Fiche : le CEP\"\nlang: fr\n---\n\
            Conseil en évolution\n===\n\
            Texte *court*\nsur deux lignes.  \nAprès un saut.\n\n\
            Sous-partie\n-----------\n\
            | Public | Lieu |\n|:---|---:|\n| Jeunes | [CIO](https://cio.fr) |\n\n\
            > Citation ![photo](p.jpg)\n> suite\n\n\
            ```rust\nlet x = *y;\n```\n\
            1. un\n2) deux\n- [x] fait\n\n\
            [ref]: https://exemple.fr\n\
            ***\n\
            ## Fin ##\n";
        let doc = extract_markdown(source.as_bytes()).unwrap();
        assert_eq!(doc.title.as_deref(), Some("Fiche : le CEP"));
        assert_eq!(doc.headings, ["Conseil en évolution", "Sous-partie", "Fin"]);
        assert_eq!(
            doc.body,
            "# Conseil en évolution\n\nTexte court sur deux lignes.\nAprès un saut.\n\n\
             ## Sous-partie\n\n| Public | Lieu\n| Jeunes | CIO\n\nCitation suite\n\n\
             let x = *y;\n\n- un\n- deux\n- fait\n\n## Fin"
        );
    }

    #[test]
    fn title_falls_back_to_the_first_heading() {
        let doc = extract_markdown(b"Intro\n\n## Partie A\n\n# Vrai titre\n").unwrap();
        assert_eq!(doc.title.as_deref(), Some("Vrai titre"));
        let doc = extract_markdown(b"Intro\n\n### Seul titre ###\n").unwrap();
        assert_eq!(doc.title.as_deref(), Some("Seul titre"));
        let doc = extract_markdown(b"---\nunclosed: front matter\n\nTexte").unwrap();
        assert_eq!(doc.title, None);
        assert_eq!(doc.body, "unclosed: front matter\n\nTexte");
    }

    #[test]
    fn hostile_markdown() {
        for empty in ["", "\n\n", "***\n---\n", "[a]: b\n|---|\n", "```\n"] {
            assert_eq!(
                extract_markdown(empty.as_bytes()),
                Err(ExtractError::malformed("markdown", "no text found")),
                "{empty:?}"
            );
        }
        let unclosed_fence = extract_markdown(b"```\ncode jamais ferm\xe9").unwrap();
        assert_eq!(unclosed_fence.body, "code jamais fermé");
        let deep_quote = format!("{}fond", "> ".repeat(100_000));
        assert_eq!(
            extract_markdown(deep_quote.as_bytes()).unwrap().body,
            "fond"
        );
        let deep_list = (0..2_000)
            .map(|depth| format!("{}- niveau {depth}\n", "  ".repeat(depth)))
            .collect::<String>();
        let doc = extract_markdown(deep_list.as_bytes()).unwrap();
        assert_eq!(doc.body.lines().count(), 2_000);
        let hashes = "#".repeat(1_000_000);
        assert_eq!(extract_markdown(hashes.as_bytes()).unwrap().body, hashes);
    }
}
