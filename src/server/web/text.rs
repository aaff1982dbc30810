//! A document's text as the page shows it: the blocks of its body (`spo_extract::blocks`)
//! as headings with anchors, paragraphs, lists and tables, each marked with the page it
//! opens, up to a length.

use std::collections::HashSet;

use crate::analysis::slug;
use crate::model::blocks::{blocks, Block};

/// Bytes of a document's text shown on its page; the rest is in the download.
const MAX_SHOWN_TEXT: usize = 150_000;
/// The heading level of the page's "Texte du document", under which body headings go.
const TEXT_HEADING_LEVEL: usize = 2;

/// One block of the text, with the page it opens when a new page begins there.
pub struct TextBlock {
    pub page: Option<usize>,
    pub kind: BlockKind,
}

/// What a block is.
pub enum BlockKind {
    /// A heading, `h3` to `h6`, with its anchor's id.
    Heading {
        level: usize,
        id: String,
        text: String,
    },
    Paragraph(String),
    List {
        numbered: bool,
        items: Vec<ListItem>,
    },
    Table(Vec<Vec<String>>),
}

/// An item of a list and its depth (0 at the top).
pub struct ListItem {
    pub depth: usize,
    pub text: String,
}

/// The blocks of `body`, each marked with the page it opens; at most [`MAX_SHOWN_TEXT`]
/// bytes, with `true` when the rest was left out.
pub fn text_blocks(body: &str, page_starts: &[u64]) -> (Vec<TextBlock>, bool) {
    let read = blocks(body);
    let top = read
        .iter()
        .filter_map(|(_, block)| match block {
            Block::Heading { level, .. } => Some(*level),
            _ => None,
        })
        .min()
        .unwrap_or(1);
    let mut out = Vec::new();
    let (mut shown, mut current_page, mut previous_heading) = (0, 0, TEXT_HEADING_LEVEL);
    let mut ids = HashSet::new();
    for (offset, block) in read {
        let size = block_size(&block);
        if shown + size > MAX_SHOWN_TEXT && !out.is_empty() {
            return (out, true);
        }
        shown += size;
        let page = page_starts.partition_point(|&s| s as usize <= offset);
        let opens_page = !page_starts.is_empty() && page != current_page;
        current_page = page;
        let kind = match block {
            Block::Heading { level, text } => {
                // Never deeper than one level below the previous heading (no level skipped).
                let level = (TEXT_HEADING_LEVEL + 1 + level - top)
                    .min(previous_heading + 1)
                    .min(6);
                previous_heading = level;
                BlockKind::Heading {
                    level,
                    id: unique_id(text, &mut ids),
                    text: collapse(text),
                }
            }
            Block::Paragraph(lines) => BlockKind::Paragraph(collapse(&lines.join(" "))),
            Block::List(items) => BlockKind::List {
                numbered: items.first().is_some_and(|item| item.numbered),
                items: items
                    .iter()
                    .map(|item| ListItem {
                        depth: item.depth.min(4),
                        text: collapse(item.text),
                    })
                    .collect(),
            },
            Block::Table(rows) => BlockKind::Table(
                rows.iter()
                    .map(|cells| cells.iter().map(|cell| collapse(cell)).collect())
                    .collect(),
            ),
        };
        let kind = if size > MAX_SHOWN_TEXT {
            cut(kind)
        } else {
            kind
        };
        out.push(TextBlock {
            page: opens_page.then_some(page.max(1)),
            kind,
        });
        if shown > MAX_SHOWN_TEXT {
            return (out, true);
        }
    }
    (out, false)
}

/// Bytes of text in a block.
fn block_size(block: &Block) -> usize {
    match block {
        Block::Heading { text, .. } => text.len(),
        Block::Paragraph(lines) => lines.iter().map(|l| l.len() + 1).sum(),
        Block::List(items) => items.iter().map(|i| i.text.len() + 1).sum(),
        Block::Table(rows) => rows.iter().flatten().map(|c| c.len() + 1).sum(),
    }
}

/// A block too long to show whole: a paragraph cut to [`MAX_SHOWN_TEXT`], other blocks
/// as they are.
fn cut(kind: BlockKind) -> BlockKind {
    match kind {
        BlockKind::Paragraph(text) => {
            let mut end = MAX_SHOWN_TEXT.min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            BlockKind::Paragraph(format!("{}…", &text[..end]))
        }
        other => other,
    }
}

/// `section-definition`, `section-definition-2`...: the anchor of a heading, unique on the
/// page.
fn unique_id(text: &str, ids: &mut HashSet<String>) -> String {
    let base = match slug(text) {
        s if s.is_empty() => "section".to_string(),
        s => format!("section-{}", s.chars().take(60).collect::<String>()),
    };
    let mut id = base.clone();
    let mut n = 1;
    while !ids.insert(id.clone()) {
        n += 1;
        id = format!("{base}-{n}");
    }
    id
}

/// Whitespace runs as one space.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(blocks: &[TextBlock]) -> Vec<String> {
        blocks
            .iter()
            .map(|b| match &b.kind {
                BlockKind::Heading { level, id, text } => format!("h{level}#{id} {text}"),
                BlockKind::Paragraph(text) => format!("p {text}"),
                BlockKind::List { numbered, items } => format!(
                    "{} {}",
                    if *numbered { "ol" } else { "ul" },
                    items
                        .iter()
                        .map(|i| format!("{}{}", "  ".repeat(i.depth), i.text))
                        .collect::<Vec<_>>()
                        .join("/")
                ),
                BlockKind::Table(rows) => format!("table {rows:?}"),
            })
            .collect()
    }

    #[test]
    fn headings_lists_and_tables_are_shown_as_such() {
        let body = "## Définition\n\nIl soigne.\nIl écoute.\n\n#### Compétences\n\n\
                    - Soigner\n- Écouter\n  - patiemment\n\n## Définition\n\n| a | b\n| c | d";
        let (shown, truncated) = text_blocks(body, &[]);
        assert!(!truncated);
        assert_eq!(
            summary(&shown),
            [
                "h3#section-definition Définition",
                "p Il soigne. Il écoute.",
                "h4#section-competences Compétences",
                "ul Soigner/Écouter/  patiemment",
                "h3#section-definition-2 Définition",
                "table [[\"a\", \"b\"], [\"c\", \"d\"]]",
            ]
        );
    }

    #[test]
    fn blocks_carry_page_breaks_and_are_capped() {
        let body = "Première page.\n\nSuite de la première.\n\nDeuxième page.";
        let second = body.find("Deuxième").unwrap_or_default() as u64;
        let (paged, truncated) = text_blocks(body, &[0, second]);
        let pages: Vec<Option<usize>> = paged.iter().map(|p| p.page).collect();
        assert_eq!(pages, [Some(1), None, Some(2)]);
        assert!(!truncated);
        let (plain, _) = text_blocks("a\n\n\n\n  b  c ", &[]);
        assert_eq!(summary(&plain), ["p a", "p b c"]);
        let huge = "mot ".repeat(30_000) + "\n\n" + &"fin ".repeat(30_000);
        let (cut, truncated) = text_blocks(&huge, &[]);
        assert!(truncated);
        assert_eq!(cut.len(), 1);
        assert!(text_blocks("", &[]).0.is_empty());
        let (one, truncated) = text_blocks(&"é".repeat(MAX_SHOWN_TEXT), &[]);
        assert!(truncated && one.len() == 1);
        let BlockKind::Paragraph(text) = &one[0].kind else {
            panic!("a paragraph");
        };
        assert!(text.len() <= MAX_SHOWN_TEXT + 3);
    }
}
