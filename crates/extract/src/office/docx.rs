//! DOCX (Office Open XML) text: `word/document.xml` read paragraph by paragraph.
//!
//! Text is in `w:t`; `w:tab` is a space, `w:br`/`w:cr` a line break. A paragraph is a
//! heading when its style is one (style id starting with Heading/Titre/Title, or a style
//! declared in `word/styles.xml` with such a name or an outline level) or when it carries
//! an outline level itself. Tables are written row by row, cells separated by spaces.
//! Property elements, deleted text and the fallback copy of alternate content are skipped.

use std::collections::HashSet;

use roxmltree::Node;

use super::package::{parse_xml, Package};
use super::walk::{Edge, Walk};
use super::{assemble, read_metadata};
use crate::blocks::heading_mark;
use crate::text::layout::TextLayout;
use crate::{ExtractError, Extracted};

const FORMAT: &str = "docx";

/// Markup compatibility namespace: `mc:Fallback` repeats the content of `mc:Choice`.
const MARKUP_COMPATIBILITY: &str = "http://schemas.openxmlformats.org/markup-compatibility/2006";

/// The level of a heading in the body's block markup: Word's levels are not kept.
const HEADING_LEVEL: usize = 2;

/// Outline level 9 means body text; 0 to 8 are heading levels.
const BODY_TEXT_OUTLINE_LEVEL: u8 = 9;

/// Extracts a Word document (DOCX).
pub fn extract_docx(bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let mut package = Package::open(bytes, FORMAT)?;
    let document_xml = package.required_part("word/document.xml")?;
    let styles_xml = package.optional_part("word/styles.xml")?;
    let core_xml = package.optional_part("docProps/core.xml")?;

    let document = parse_xml(&document_xml, FORMAT, "word/document.xml")?;
    let root = document.root_element();
    // The WordprocessingML namespace: transitional or strict, whichever the document uses.
    let namespace = root.tag_name().namespace().unwrap_or_default();
    let body = root
        .children()
        .find(|child| child.has_tag_name((namespace, "body")))
        .ok_or_else(|| ExtractError::malformed(FORMAT, "word/document.xml has no w:body"))?;
    let heading_styles = match &styles_xml {
        Some(xml) => parse_xml(xml, FORMAT, "word/styles.xml")
            .map(|styles| heading_style_ids(&styles, namespace))
            .unwrap_or_default(),
        None => HashSet::new(),
    };
    let (text, headings) = read_body(body, namespace, &heading_styles);
    let metadata = match &core_xml {
        Some(xml) => read_metadata(&parse_xml(xml, FORMAT, "docProps/core.xml")?),
        None => Default::default(),
    };
    assemble(FORMAT, metadata, text, headings)
}

/// The ids of the paragraph styles of `styles.xml` that are headings.
fn heading_style_ids(styles: &roxmltree::Document, namespace: &str) -> HashSet<String> {
    let w = |name| (namespace, name);
    styles
        .root_element()
        .children()
        .filter(|style| {
            style.has_tag_name(w("style")) && style.attribute(w("type")) == Some("paragraph")
        })
        .filter(|style| {
            let name = child(*style, w("name"))
                .and_then(|name| name.attribute(w("val")))
                .unwrap_or_default()
                .to_lowercase();
            let outline =
                child(*style, w("pPr")).and_then(|properties| outline_level(properties, namespace));
            is_heading_name(&name) || outline.is_some()
        })
        .filter_map(|style| style.attribute(w("styleId")).map(str::to_owned))
        .collect()
}

/// Walks `w:body`, returning its text and its headings.
fn read_body(
    body: Node,
    namespace: &str,
    heading_styles: &HashSet<String>,
) -> (String, Vec<String>) {
    let mut layout = TextLayout::new();
    let mut headings = Vec::new();
    let mut table_depth = 0usize;
    let mut walk = Walk::new(body);
    while let Some(edge) = walk.next() {
        let (node, opening) = match edge {
            Edge::Open(node) => (node, true),
            Edge::Close(node) => (node, false),
        };
        if node.tag_name().namespace() == Some(MARKUP_COMPATIBILITY) {
            if opening && node.tag_name().name() == "Fallback" {
                walk.skip_subtree(node);
            }
            continue;
        }
        if node.tag_name().namespace() != Some(namespace) {
            continue;
        }
        match (node.tag_name().name(), opening) {
            ("t", true) => layout.push_text(node.text().unwrap_or_default()),
            ("tab", true) => layout.space(),
            ("br" | "cr", true) => layout.line_break(),
            ("noBreakHyphen", true) => layout.push_text("-"),
            ("p", true) => {
                separate_paragraph(&mut layout, table_depth);
                if table_depth == 0 && is_heading(node, namespace, heading_styles) {
                    layout.start_capture();
                    layout.mark(heading_mark(HEADING_LEVEL));
                }
            }
            ("p", false) => {
                layout.unmark();
                headings.extend(layout.finish_capture());
                separate_paragraph(&mut layout, table_depth);
            }
            ("tbl", true) => {
                table_depth += 1;
                layout.paragraph_break();
            }
            ("tbl", false) => {
                table_depth = table_depth.saturating_sub(1);
                layout.paragraph_break();
            }
            ("tr", _) if table_depth == 1 => layout.line_break(),
            ("tc", true) if table_depth == 1 => layout.cell(),
            ("tc" | "tr", _) => layout.space(),
            (
                "pPr" | "rPr" | "sectPr" | "tblPr" | "tblGrid" | "trPr" | "tcPr" | "sdtPr"
                | "sdtEndPr" | "delText" | "instrText",
                true,
            ) => walk.skip_subtree(node),
            _ => {}
        }
    }
    (layout.finish(), headings)
}

/// Paragraphs are separated by a blank line, or by a space inside a table cell.
fn separate_paragraph(layout: &mut TextLayout, table_depth: usize) {
    if table_depth == 0 {
        layout.paragraph_break();
    } else {
        layout.space();
    }
}

/// Whether a `w:p` is a heading, from its style or its own outline level.
fn is_heading(paragraph: Node, namespace: &str, heading_styles: &HashSet<String>) -> bool {
    let Some(properties) = child(paragraph, (namespace, "pPr")) else {
        return false;
    };
    let style = child(properties, (namespace, "pStyle"))
        .and_then(|style| style.attribute((namespace, "val")));
    style.is_some_and(|id| heading_styles.contains(id) || is_heading_name(id))
        || outline_level(properties, namespace).is_some()
}

/// A style id or name that says heading, in English or French (`Heading1`, `heading 1`,
/// `Titre1`, `Title`).
fn is_heading_name(name: &str) -> bool {
    ["heading", "titre", "title"].iter().any(|prefix| {
        name.get(..prefix.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
    })
}

/// The heading outline level set in paragraph properties, if any.
fn outline_level(properties: Node, namespace: &str) -> Option<u8> {
    child(properties, (namespace, "outlineLvl"))?
        .attribute((namespace, "val"))?
        .parse()
        .ok()
        .filter(|&level| level < BODY_TEXT_OUTLINE_LEVEL)
}

fn child<'a, 'input>(node: Node<'a, 'input>, name: (&str, &str)) -> Option<Node<'a, 'input>> {
    node.children()
        .find(|candidate| candidate.has_tag_name(name))
}
