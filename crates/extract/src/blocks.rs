//! The light block markup of a body: how the extractors keep a document's structure in its
//! text, and how the document page and the snippets read it back.
//!
//! Blocks are separated by a blank line; inside a block, each line is
//! - a heading, `## Titre`: one to six `#` (level 1 is the highest), a space, the text;
//! - a list item, `- item` or `1. item`, indented by two spaces a level;
//! - a table row, `| cell | cell`;
//! - else a line of a paragraph (its lines join with a space).
//!
//! The marks are punctuation, which the analyzers drop: a body is indexed as the same words
//! with or without them.

/// The marks of headings, by level (`HEADING_MARKS[0]` is level 1).
pub const HEADING_MARKS: [&str; 6] = ["# ", "## ", "### ", "#### ", "##### ", "###### "];
/// The mark of a list item.
pub const ITEM_MARK: &str = "- ";
/// The mark of a table cell: at the start of a row, and between two cells after a space.
pub const CELL_MARK: &str = "| ";

/// The mark of a heading of `level` (1 to 6, clamped).
pub fn heading_mark(level: usize) -> &'static str {
    HEADING_MARKS[level.clamp(1, HEADING_MARKS.len()) - 1]
}

/// A run of lines of one kind, read back from a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block<'a> {
    Heading {
        level: usize,
        text: &'a str,
    },
    /// Items with their depth (0 at the top) and whether they are numbered.
    List(Vec<Item<'a>>),
    /// Rows of cells.
    Table(Vec<Vec<&'a str>>),
    /// Lines, to be joined with a space.
    Paragraph(Vec<&'a str>),
}

/// An item of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item<'a> {
    pub depth: usize,
    pub numbered: bool,
    pub text: &'a str,
}

/// What one line is.
enum Line<'a> {
    Heading(usize, &'a str),
    Item(Item<'a>),
    Row(Vec<&'a str>),
    Text(&'a str),
}

/// The blocks of `body` with the byte offset where each starts, in order; consecutive lines
/// of one kind in a block make one block.
pub fn blocks(body: &str) -> Vec<(usize, Block<'_>)> {
    let mut out: Vec<(usize, Block<'_>)> = Vec::new();
    let mut offset = 0;
    for chunk in body.split("\n\n") {
        let chunk_start = offset;
        offset += chunk.len() + 2;
        // Whether the last block was opened in this chunk, so that it can take more lines.
        let mut open = false;
        let mut line_start = chunk_start;
        for raw in chunk.split('\n') {
            let start = line_start;
            line_start += raw.len() + 1;
            if raw.trim().is_empty() {
                continue;
            }
            let line = read_line(raw);
            let last = out.last_mut().filter(|_| open).map(|(_, block)| block);
            match (last, line) {
                (Some(Block::List(items)), Line::Item(item)) => items.push(item),
                (Some(Block::Table(rows)), Line::Row(cells)) => rows.push(cells),
                (Some(Block::Paragraph(lines)), Line::Text(text)) => lines.push(text),
                (_, line) => {
                    out.push((start, new_block(line)));
                    open = true;
                }
            }
        }
    }
    out
}

fn new_block(line: Line<'_>) -> Block<'_> {
    match line {
        Line::Heading(level, text) => Block::Heading { level, text },
        Line::Item(item) => Block::List(vec![item]),
        Line::Row(cells) => Block::Table(vec![cells]),
        Line::Text(text) => Block::Paragraph(vec![text]),
    }
}

fn read_line(raw: &str) -> Line<'_> {
    let trimmed = raw.trim_end();
    let content = trimmed.trim_start();
    let hashes = content.bytes().take_while(|&b| b == b'#').count();
    if (1..=HEADING_MARKS.len()).contains(&hashes) {
        if let Some(text) = content[hashes..].strip_prefix(' ') {
            if !text.trim().is_empty() {
                return Line::Heading(hashes, text.trim());
            }
        }
    }
    if let Some(cells) = content.strip_prefix(CELL_MARK) {
        let cells = cells.strip_suffix(" |").unwrap_or(cells);
        return Line::Row(cells.split(" | ").map(str::trim).collect());
    }
    let depth = (trimmed.len() - content.len()) / 2;
    if let Some(text) = content.strip_prefix(ITEM_MARK) {
        return Line::Item(Item {
            depth,
            numbered: false,
            text: text.trim(),
        });
    }
    let digits = content.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=3).contains(&digits) {
        if let Some(text) = content[digits..].strip_prefix(". ") {
            return Line::Item(Item {
                depth,
                numbered: true,
                text: text.trim(),
            });
        }
    }
    Line::Text(content)
}

/// Whether a word (a run without whitespace) is only a mark: `#`...`######`, `-` or `|`.
pub fn is_mark(word: &str) -> bool {
    matches!(word, "-" | "|") || (1..=6).contains(&word.len()) && word.bytes().all(|b| b == b'#')
}

/// `text` with its marks blanked out, byte for byte (offsets stay valid): a heading's `#`,
/// an item's `-` and a row's first `|` at the start of a line become spaces, the `|`
/// between cells a `;`. `line_start` says whether `text` begins a line.
pub fn blank_marks(text: &str, line_start: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at_line_start = line_start;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let starts_line = i > 0 || at_line_start;
        let content = line.trim_start();
        let indent = line.len() - content.len();
        out.push_str(&line[..indent]);
        let first = content
            .split(char::is_whitespace)
            .next()
            .unwrap_or_default();
        let (lead, rest) = if starts_line && is_mark(first) && content.len() > first.len() {
            (" ".repeat(first.len()), &content[first.len()..])
        } else {
            (String::new(), content)
        };
        out.push_str(&lead);
        out.push_str(&rest.replace(" | ", " ; "));
        at_line_start = true;
    }
    out
}

/// The heading level of a section of a [`Sections`] body.
const SECTION_LEVEL: usize = 2;

/// A body written section by section, as the extractors of records write theirs (ROME,
/// RNCP, ONISEP, LHÉO): each section a heading, then its blocks; the section titles are the
/// document's headings.
#[derive(Debug, Default)]
pub struct Sections {
    text: String,
    headings: Vec<String>,
}

impl Sections {
    /// A section: `title` as a heading, then `blocks` separated by blank lines, the blank
    /// ones left out; nothing when they all are.
    pub fn section(&mut self, title: &str, blocks: impl IntoIterator<Item = String>) {
        let blocks: Vec<String> = blocks
            .into_iter()
            .filter(|block| !block.trim().is_empty())
            .collect();
        if blocks.is_empty() {
            return;
        }
        self.headings.push(title.to_string());
        let heading = format!("{}{title}", heading_mark(SECTION_LEVEL));
        for block in std::iter::once(heading).chain(blocks) {
            if !self.text.is_empty() {
                self.text.push_str("\n\n");
            }
            self.text.push_str(&block);
        }
    }

    /// A section of one list, an item a line, the empty items left out.
    pub fn list(&mut self, title: &str, items: impl IntoIterator<Item = String>) {
        let lines: Vec<String> = items
            .into_iter()
            .filter(|item| !item.is_empty())
            .map(|item| format!("{ITEM_MARK}{item}"))
            .collect();
        self.section(title, [lines.join("\n")]);
    }

    /// The body and its headings.
    pub fn finish(self) -> (String, Vec<String>) {
        (self.text, self.headings)
    }
}

/// The words of a body without its marks.
pub fn plain_words(body: &str) -> impl Iterator<Item = &str> {
    body.split_whitespace().filter(|word| !is_mark(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_headings_then_blocks_and_empty_ones_are_left_out() {
        let mut body = Sections::default();
        body.section("Objectif", [String::from("Apprendre.")]);
        body.section("Vide", [String::from("  ")]);
        body.list("Métiers", ["Boulanger (D1102)".to_string(), String::new()]);
        body.list("Aucun", Vec::new());
        let (text, headings) = body.finish();
        assert_eq!(
            text,
            "## Objectif\n\nApprendre.\n\n## Métiers\n\n- Boulanger (D1102)"
        );
        assert_eq!(headings, ["Objectif", "Métiers"]);
        assert!(matches!(
            blocks(&text)[2].1,
            Block::Heading {
                level: 2,
                text: "Métiers"
            }
        ));
    }

    #[test]
    fn blocks_are_read_back_with_their_offsets() {
        let body = "## Définition\n\nIl soigne. Il écoute.\nSuite.\n\n\
                    Montants\n| Âge | Montant\n| 18 ans | 1 € |\n\n- un\n  - sous\n2. deux\n\n\
                    #######\n\n#sans espace";
        let read = blocks(body);
        let kinds: Vec<(usize, &Block)> = read.iter().map(|(o, b)| (*o, b)).collect();
        assert_eq!(
            kinds[0],
            (
                0,
                &Block::Heading {
                    level: 2,
                    text: "Définition"
                }
            )
        );
        assert_eq!(
            kinds[1].1,
            &Block::Paragraph(vec!["Il soigne. Il écoute.", "Suite."])
        );
        assert_eq!(&body[kinds[1].0..kinds[1].0 + 9], "Il soigne");
        assert_eq!(kinds[2].1, &Block::Paragraph(vec!["Montants"]));
        assert_eq!(
            kinds[3].1,
            &Block::Table(vec![vec!["Âge", "Montant"], vec!["18 ans", "1 €"]])
        );
        assert_eq!(&body[kinds[3].0..kinds[3].0 + 4], "| Â");
        let Block::List(items) = kinds[4].1 else {
            panic!("a list: {:?}", kinds[4]);
        };
        let items: Vec<(usize, bool, &str)> = items
            .iter()
            .map(|i| (i.depth, i.numbered, i.text))
            .collect();
        assert_eq!(
            items,
            [(0, false, "un"), (1, false, "sous"), (0, true, "deux")]
        );
        assert_eq!(kinds[5].1, &Block::Paragraph(vec!["#######"]));
        assert_eq!(kinds[6].1, &Block::Paragraph(vec!["#sans espace"]));
        assert!(blocks("").is_empty() && blocks("\n\n\n\n").is_empty());
    }

    #[test]
    fn marks_are_blanked_in_place() {
        let text = "## Conclusion\n\n- Vous devez | signer\n| a | b";
        let blanked = blank_marks(text, true);
        assert_eq!(blanked.len(), text.len());
        assert_eq!(blanked, "   Conclusion\n\n  Vous devez ; signer\n  a ; b");
        assert_eq!(blank_marks("- suite", false), "- suite");
        assert_eq!(blank_marks("C# - F#", true), "C# - F#");
        let words: Vec<&str> = plain_words("## Titre\n\n- un - deux\n| a | b").collect();
        assert_eq!(words, ["Titre", "un", "deux", "a", "b"]);
    }
}
