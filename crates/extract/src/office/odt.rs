//! ODT (OpenDocument Text) text: `content.xml` read paragraph by paragraph.
//!
//! `text:h` are headings at their outline level, as are `text:p` whose style (or the parent
//! of their automatic style) is a heading or title style, at the style's level
//! (`Heading_20_3` is 3, `Title` 1). `text:s` and `text:tab` are spaces, `text:line-break`
//! a line break; list items are written one per line, indented two spaces a level of
//! nesting, numbered (`1. `) when their list style numbers that level (`text:list-style`,
//! in `content.xml` or `styles.xml`), with `- ` otherwise; tables row by row.
//! Annotations, tracked changes, note citations and drawing descriptions are skipped.

use std::collections::HashMap;

use roxmltree::Node;

use super::package::{parse_xml, Package};
use super::walk::{Edge, Walk};
use super::{assemble, read_metadata};
use crate::blocks::{heading_mark, ITEM_MARK};
use crate::text::layout::TextLayout;
use crate::{ExtractError, Extracted};

const FORMAT: &str = "odt";

const OFFICE: &str = "urn:oasis:names:tc:opendocument:xmlns:office:1.0";
const TEXT: &str = "urn:oasis:names:tc:opendocument:xmlns:text:1.0";
const TABLE: &str = "urn:oasis:names:tc:opendocument:xmlns:table:1.0";
const STYLE: &str = "urn:oasis:names:tc:opendocument:xmlns:style:1.0";
const SVG: &str = "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0";

/// Extracts an OpenDocument text (ODT).
pub fn extract_odt(bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let mut package = Package::open(bytes, FORMAT)?;
    let content_xml = package.required_part("content.xml")?;
    let styles_xml = package.optional_part("styles.xml")?;
    let meta_xml = package.optional_part("meta.xml")?;

    let content = parse_xml(&content_xml, FORMAT, "content.xml")?;
    let root = content.root_element();
    let text = root
        .children()
        .find(|child| child.has_tag_name((OFFICE, "body")))
        .and_then(|body| {
            body.children()
                .find(|child| child.has_tag_name((OFFICE, "text")))
        })
        .ok_or_else(|| {
            ExtractError::malformed(FORMAT, "content.xml has no office:body/office:text")
        })?;
    let style_parents = automatic_style_parents(root);
    let mut list_styles = ListStyles::default();
    list_styles.read(root);
    if let Some(xml) = &styles_xml {
        list_styles.read(parse_xml(xml, FORMAT, "styles.xml")?.root_element());
    }
    let (body, headings) = read_text(text, &style_parents, &list_styles);
    let metadata = match &meta_xml {
        Some(xml) => read_metadata(&parse_xml(xml, FORMAT, "meta.xml")?),
        None => Default::default(),
    };
    assemble(FORMAT, metadata, body, headings)
}

/// The parent style of each automatic paragraph style (`P1` -> `Heading_20_1`).
fn automatic_style_parents<'a>(root: Node<'a, '_>) -> HashMap<&'a str, &'a str> {
    root.children()
        .filter(|child| child.has_tag_name((OFFICE, "automatic-styles")))
        .flat_map(|styles| styles.children())
        .filter(|style| style.has_tag_name((STYLE, "style")))
        .filter_map(|style| {
            Some((
                style.attribute((STYLE, "name"))?,
                style.attribute((STYLE, "parent-style-name"))?,
            ))
        })
        .collect()
}

/// Numbers the block markup writes (`1.` to `999.`); past it an item is written as a bullet.
const MAX_NUMBER: u32 = 999;

/// The levels that each list style numbers (`text:list-level-style-number` with a format),
/// with their first number; the other levels are bulleted.
#[derive(Debug, Default)]
struct ListStyles {
    numbered: HashMap<(String, usize), u32>,
}

impl ListStyles {
    /// Reads the `text:list-style` elements under `root`.
    fn read(&mut self, root: Node) {
        let styles = root
            .descendants()
            .filter(|node| node.has_tag_name((TEXT, "list-style")));
        for style in styles {
            let Some(name) = style.attribute((STYLE, "name")) else {
                continue;
            };
            let numbered = style
                .children()
                .filter(|level| level.has_tag_name((TEXT, "list-level-style-number")))
                .filter(|level| {
                    level
                        .attribute((STYLE, "num-format"))
                        .is_some_and(|f| !f.is_empty())
                });
            for level in numbered {
                let depth = number_attribute(level, "level").unwrap_or(1) as usize;
                let start = number_attribute(level, "start-value").unwrap_or(1);
                self.numbered.insert((name.to_string(), depth), start);
            }
        }
    }

    /// The first number of level `depth` (1 at the top) of the list style `style`, `None`
    /// when that level is bulleted.
    fn first_number(&self, style: Option<&str>, depth: usize) -> Option<u32> {
        self.numbered.get(&(style?.to_string(), depth)).copied()
    }
}

/// A `text:*` attribute holding a number.
fn number_attribute(node: Node, name: &str) -> Option<u32> {
    node.attribute((TEXT, name))?.parse().ok()
}

/// A list open around the current point: its style (its own, else its parent list's) and
/// the last number it gave.
struct OpenList {
    style: Option<String>,
    last: Option<u32>,
}

/// Walks `office:text`, returning its text and its headings.
fn read_text(
    text: Node,
    style_parents: &HashMap<&str, &str>,
    list_styles: &ListStyles,
) -> (String, Vec<String>) {
    let mut layout = TextLayout::new();
    let mut headings = Vec::new();
    let (mut list_items, mut table_cells) = (0usize, 0usize);
    // Lists open around the current point: an item's depth is their number.
    let mut lists: Vec<OpenList> = Vec::new();
    // The last number of each closed list, by style and depth, for a list that continues it.
    let mut closed: HashMap<(Option<String>, usize), u32> = HashMap::new();
    let mut walk = Walk::new(text);
    while let Some(edge) = walk.next() {
        let (node, opening) = match edge {
            Edge::Open(node) => (node, true),
            Edge::Close(node) => (node, false),
        };
        if node.is_text() {
            if opening {
                layout.push_text(node.text().unwrap_or_default());
            }
            continue;
        }
        let name = node.tag_name();
        match (name.namespace(), name.name(), opening) {
            (Some(TEXT), "h" | "p", true) => {
                separate_paragraph(&mut layout, list_items, table_cells);
                let level = match name.name() {
                    "h" => Some(outline_level(node)),
                    _ => heading_style_level(node, style_parents),
                };
                if let Some(level) = level.filter(|_| table_cells == 0) {
                    layout.start_capture();
                    layout.mark(heading_mark(level));
                }
            }
            (Some(TEXT), "h" | "p", false) => {
                layout.unmark();
                headings.extend(layout.finish_capture());
                separate_paragraph(&mut layout, list_items, table_cells);
            }
            (Some(TEXT), "s" | "tab", true) => layout.space(),
            (Some(TEXT), "line-break", true) => layout.line_break(),
            (Some(TEXT), kind @ ("list-item" | "list-header"), true) => {
                list_items += 1;
                layout.line_break();
                let depth = lists.len();
                let number = match lists.last_mut() {
                    Some(list) if kind == "list-item" => {
                        let first = list_styles.first_number(list.style.as_deref(), depth);
                        first.map(|first| {
                            let number = number_attribute(node, "start-value")
                                .or(list.last.map(|n| n.saturating_add(1)))
                                .unwrap_or(first);
                            list.last = Some(number);
                            number
                        })
                    }
                    _ => None,
                };
                if table_cells == 0 {
                    let indent = "  ".repeat(depth.saturating_sub(1));
                    match number.filter(|&n| n <= MAX_NUMBER) {
                        Some(n) => layout.mark(format!("{indent}{n}. ")),
                        None => layout.mark(format!("{indent}{ITEM_MARK}")),
                    }
                }
            }
            (Some(TEXT), "list-item" | "list-header", false) => {
                list_items = list_items.saturating_sub(1);
                layout.unmark();
                layout.line_break();
            }
            (Some(TEXT), "list", true) => {
                let style = node
                    .attribute((TEXT, "style-name"))
                    .map(str::to_string)
                    .or_else(|| lists.last().and_then(|list| list.style.clone()));
                let continues = node.attribute((TEXT, "continue-numbering")) == Some("true")
                    || node.has_attribute((TEXT, "continue-list"));
                let last = continues
                    .then(|| closed.get(&(style.clone(), lists.len() + 1)).copied())
                    .flatten();
                lists.push(OpenList { style, last });
                if list_items == 0 {
                    layout.paragraph_break();
                }
            }
            (Some(TEXT), "list", false) => {
                let depth = lists.len();
                if let Some(OpenList {
                    style,
                    last: Some(last),
                }) = lists.pop()
                {
                    closed.insert((style, depth), last);
                }
                if list_items == 0 {
                    layout.paragraph_break();
                }
            }
            (Some(TABLE), "table", _) => layout.paragraph_break(),
            (Some(TABLE), "table-row", _) => layout.line_break(),
            (Some(TABLE), "table-cell", true) => {
                table_cells += 1;
                layout.cell();
            }
            (Some(TABLE), "table-cell", false) => {
                table_cells = table_cells.saturating_sub(1);
                layout.space();
            }
            (Some(TEXT), "note-citation" | "tracked-changes" | "sequence-decls", true)
            | (Some(OFFICE), "annotation" | "forms", true)
            | (Some(TABLE), "covered-table-cell", true)
            | (Some(SVG), _, true) => walk.skip_subtree(node),
            _ => {}
        }
    }
    (layout.finish(), headings)
}

/// Paragraphs are separated by a blank line; in a list item by a line break, in a table
/// cell by a space.
fn separate_paragraph(layout: &mut TextLayout, list_items: usize, table_cells: usize) {
    if table_cells > 0 {
        layout.space();
    } else if list_items > 0 {
        layout.line_break();
    } else {
        layout.paragraph_break();
    }
}

/// The level of a `text:h` (`text:outline-level`, 1 when absent); `heading_mark` makes
/// deeper levels 6.
fn outline_level(heading: Node) -> usize {
    heading
        .attribute((TEXT, "outline-level"))
        .and_then(|level| level.parse().ok())
        .unwrap_or(1)
}

/// The heading level of a `text:p` whose style is a heading or title style, directly or
/// through its automatic style: the number ending the style's name (`Heading_20_3` is 3),
/// else 1 (`Title`, `Heading`).
fn heading_style_level(paragraph: Node, style_parents: &HashMap<&str, &str>) -> Option<usize> {
    let style = paragraph.attribute((TEXT, "style-name"))?;
    let is_heading_name = |name: &&str| {
        ["Heading", "Title", "Titre"]
            .iter()
            .any(|prefix| name.starts_with(prefix))
    };
    let name = Some(style)
        .filter(is_heading_name)
        .or_else(|| style_parents.get(style).copied().filter(is_heading_name))?;
    let digits = name.bytes().rev().take_while(u8::is_ascii_digit).count();
    let level = name[name.len() - digits..].parse().unwrap_or(1);
    Some(level)
}
