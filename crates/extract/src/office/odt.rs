//! ODT (OpenDocument Text) text: `content.xml` read paragraph by paragraph.
//!
//! `text:h` are headings, as are `text:p` whose style (or the parent of their automatic
//! style) is a heading or title style. `text:s` and `text:tab` are spaces,
//! `text:line-break` a line break; list items are written one per line, tables row by row.
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
/// The level of a heading in the body's block markup: the outline levels are not kept.
const HEADING_LEVEL: usize = 2;

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
                let heading = name.name() == "h" || is_heading_style(node, style_parents);
                if heading && table_cells == 0 {
                    layout.start_capture();
                    layout.mark(heading_mark(HEADING_LEVEL));
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
                    layout.mark(ITEM_MARK);
                }
            }
            (Some(TEXT), "list-item" | "list-header", false) => {
                list_items = list_items.saturating_sub(1);
                layout.unmark();
                layout.line_break();
            }
            (Some(TEXT), "list", _) if list_items == 0 => layout.paragraph_break(),
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

/// Whether a `text:p` has a heading or title style, directly or through its automatic style.
fn is_heading_style(paragraph: Node, style_parents: &HashMap<&str, &str>) -> bool {
    let Some(style) = paragraph.attribute((TEXT, "style-name")) else {
        return false;
    };
    let is_heading_name = |name: &str| {
        ["Heading", "Title", "Titre"]
            .iter()
            .any(|prefix| name.starts_with(prefix))
    };
    is_heading_name(style)
        || style_parents
            .get(style)
            .is_some_and(|parent| is_heading_name(parent))
}
