//! ODT (OpenDocument Text) text: `content.xml` read paragraph by paragraph.
//!
//! `text:h` are headings at their outline level, as are `text:p` whose style (or the parent
//! of their automatic style) is a heading or title style, at the style's level
//! (`Heading_20_3` is 3, `Title` 1). `text:s` and `text:tab` are spaces, `text:line-break`
//! a line break; list items are written one per line, indented two spaces a level of
//! nesting, tables row by row.
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
    let (body, headings) = read_text(text, &style_parents);
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

/// Walks `office:text`, returning its text and its headings.
fn read_text(text: Node, style_parents: &HashMap<&str, &str>) -> (String, Vec<String>) {
    let mut layout = TextLayout::new();
    let mut headings = Vec::new();
    let (mut list_items, mut table_cells) = (0usize, 0usize);
    // Lists open around the current point: an item's depth is one less.
    let mut lists = 0usize;
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
            (Some(TEXT), "list-item" | "list-header", true) => {
                list_items += 1;
                layout.line_break();
                if table_cells == 0 {
                    let indent = "  ".repeat(lists.saturating_sub(1));
                    layout.mark(format!("{indent}{ITEM_MARK}"));
                }
            }
            (Some(TEXT), "list-item" | "list-header", false) => {
                list_items = list_items.saturating_sub(1);
                layout.unmark();
                layout.line_break();
            }
            (Some(TEXT), "list", true) => {
                lists += 1;
                if list_items == 0 {
                    layout.paragraph_break();
                }
            }
            (Some(TEXT), "list", false) => {
                lists = lists.saturating_sub(1);
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
