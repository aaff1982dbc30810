//! DOCX (Office Open XML) text: `word/document.xml` read paragraph by paragraph.
//!
//! Text is in `w:t`; `w:tab` is a space, `w:br`/`w:cr` a line break. A paragraph is a
//! heading when it carries an outline level itself or its style is a heading (a style id or
//! name starting with Heading/Titre/Title, or a style of `word/styles.xml` with an outline
//! level); its level is Word's (Heading 1 to 6, outline levels 0 to 5: `#` to `######`).
//! A paragraph with a list numbering (its own `w:numPr` or its style's) is a list item,
//! numbered or bulleted as `word/numbering.xml` says, at its list level. Tables are written
//! row by row, cells separated by spaces. Property elements, deleted text and the fallback
//! copy of alternate content are skipped.

use std::collections::HashMap;

use roxmltree::Node;

use super::numbering::Numbering;
use super::package::{parse_xml, Package};
use super::walk::{Edge, Walk};
use super::{assemble, read_metadata};
use crate::blocks::{heading_mark, ITEM_MARK};
use crate::text::layout::TextLayout;
use crate::{ExtractError, Extracted};

const FORMAT: &str = "docx";

/// Markup compatibility namespace: `mc:Fallback` repeats the content of `mc:Choice`.
const MARKUP_COMPATIBILITY: &str = "http://schemas.openxmlformats.org/markup-compatibility/2006";

/// Outline level 9 means body text; 0 to 8 are heading levels.
const BODY_TEXT_OUTLINE_LEVEL: u8 = 9;

/// Extracts a Word document (DOCX).
pub fn extract_docx(bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let mut package = Package::open(bytes, FORMAT)?;
    let document_xml = package.required_part("word/document.xml")?;
    let styles_xml = package.optional_part("word/styles.xml")?;
    let numbering_xml = package.optional_part("word/numbering.xml")?;
    let core_xml = package.optional_part("docProps/core.xml")?;

    let document = parse_xml(&document_xml, FORMAT, "word/document.xml")?;
    let root = document.root_element();
    // The WordprocessingML namespace: transitional or strict, whichever the document uses.
    let namespace = root.tag_name().namespace().unwrap_or_default();
    let body = root
        .children()
        .find(|child| child.has_tag_name((namespace, "body")))
        .ok_or_else(|| ExtractError::malformed(FORMAT, "word/document.xml has no w:body"))?;
    let styles = match &styles_xml {
        Some(xml) => parse_xml(xml, FORMAT, "word/styles.xml")
            .map(|styles| Styles::read(&styles, namespace))
            .unwrap_or_default(),
        None => Styles::default(),
    };
    let mut numbering = match &numbering_xml {
        Some(xml) => parse_xml(xml, FORMAT, "word/numbering.xml")
            .map(|numbering| Numbering::read(&numbering, namespace))
            .unwrap_or_default(),
        None => Numbering::default(),
    };
    let (text, headings) = read_body(body, namespace, &styles, &mut numbering);
    let metadata = match &core_xml {
        Some(xml) => read_metadata(&parse_xml(xml, FORMAT, "docProps/core.xml")?),
        None => Default::default(),
    };
    assemble(FORMAT, metadata, text, headings)
}

/// What the paragraph styles of `word/styles.xml` say: the heading level of each heading
/// style, the list numbering of each list style (`w:numId`, `w:ilvl`).
#[derive(Debug, Default)]
struct Styles {
    headings: HashMap<String, usize>,
    lists: HashMap<String, (String, usize)>,
}

impl Styles {
    fn read(styles: &roxmltree::Document, namespace: &str) -> Styles {
        let w = |name| (namespace, name);
        let mut read = Styles::default();
        let paragraph_styles = styles.root_element().children().filter(|style| {
            style.has_tag_name(w("style")) && style.attribute(w("type")) == Some("paragraph")
        });
        for style in paragraph_styles {
            let Some(id) = style.attribute(w("styleId")) else {
                continue;
            };
            let name = child(style, w("name"))
                .and_then(|name| name.attribute(w("val")))
                .unwrap_or_default();
            let properties = child(style, w("pPr"));
            let outline = properties.and_then(|p| outline_level(p, namespace));
            if let Some(level) = outline.or_else(|| name_level(name)) {
                read.headings.insert(id.to_string(), level);
            }
            if let Some(list) = properties.and_then(|p| list_numbering(p, namespace)) {
                read.lists.insert(id.to_string(), list);
            }
        }
        read
    }
}

/// Walks `w:body`, returning its text and its headings.
fn read_body(
    body: Node,
    namespace: &str,
    styles: &Styles,
    numbering: &mut Numbering,
) -> (String, Vec<String>) {
    let mut layout = TextLayout::new();
    let mut headings = Vec::new();
    let mut table_depth = 0usize;
    // Whether each open paragraph is a list item (a text box's paragraphs nest in another),
    // and whether the last one closed was.
    let mut items: Vec<bool> = Vec::new();
    let mut after_item = false;
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
                let kind = match table_depth {
                    0 => paragraph_kind(node, namespace, styles, numbering),
                    _ => Paragraph::Text,
                };
                // Items of one list are lines of one block.
                let item = matches!(kind, Paragraph::Item(_));
                if item && after_item {
                    layout.line_break();
                } else {
                    separate_paragraph(&mut layout, table_depth);
                }
                items.push(item);
                match kind {
                    Paragraph::Heading(level) => {
                        layout.start_capture();
                        layout.mark(heading_mark(level));
                    }
                    Paragraph::Item(mark) => layout.mark(mark),
                    Paragraph::Text => {}
                }
            }
            ("p", false) => {
                layout.unmark();
                headings.extend(layout.finish_capture());
                after_item = items.pop() == Some(true);
                if after_item {
                    layout.line_break();
                } else {
                    separate_paragraph(&mut layout, table_depth);
                }
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

/// What a paragraph outside tables is in the block markup.
enum Paragraph {
    /// A heading of this level (`heading_mark` makes deeper levels 6).
    Heading(usize),
    /// A list item, with its mark: indented two spaces a level, `- ` or its number.
    Item(String),
    Text,
}

/// Whether a `w:p` is a heading (its own outline level, else its style's level), a list
/// item (its own numbering, else its style's) or text.
fn paragraph_kind(
    paragraph: Node,
    namespace: &str,
    styles: &Styles,
    numbering: &mut Numbering,
) -> Paragraph {
    let Some(properties) = child(paragraph, (namespace, "pPr")) else {
        return Paragraph::Text;
    };
    let style = child(properties, (namespace, "pStyle"))
        .and_then(|style| style.attribute((namespace, "val")));
    let level = outline_level(properties, namespace).or_else(|| {
        let style = style?;
        styles
            .headings
            .get(style)
            .copied()
            .or_else(|| name_level(style))
    });
    if let Some(level) = level {
        return Paragraph::Heading(level);
    }
    let list = list_numbering(properties, namespace)
        .or_else(|| style.and_then(|style| styles.lists.get(style).cloned()));
    let item = list.and_then(|(list, level)| numbering.item(&list, level));
    match item {
        Some(item) => Paragraph::Item(format!(
            "{}{}",
            "  ".repeat(item.depth),
            item.number
                .map_or_else(|| ITEM_MARK.to_string(), |n| format!("{n}. "))
        )),
        None => Paragraph::Text,
    }
}

/// Paragraphs are separated by a blank line, or by a space inside a table cell.
fn separate_paragraph(layout: &mut TextLayout, table_depth: usize) {
    if table_depth == 0 {
        layout.paragraph_break();
    } else {
        layout.space();
    }
}

/// The heading level of a style id or name that says heading, in English or French: its
/// number (`Heading2`, `heading 2`, `Titre2` → 2), 1 without one (`Title`, `Titre`).
fn name_level(name: &str) -> Option<usize> {
    let prefix = ["heading", "titre", "title"].into_iter().find(|prefix| {
        name.get(..prefix.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
    })?;
    let number = name[prefix.len()..].trim_start();
    let digits = number.bytes().take_while(u8::is_ascii_digit).count();
    Some(number[..digits].parse().unwrap_or(1))
}

/// The heading level of the outline level set in paragraph properties (0 is level 1), if
/// any.
fn outline_level(properties: Node, namespace: &str) -> Option<usize> {
    let level: u8 = child(properties, (namespace, "outlineLvl"))?
        .attribute((namespace, "val"))?
        .parse()
        .ok()?;
    (level < BODY_TEXT_OUTLINE_LEVEL).then(|| usize::from(level) + 1)
}

/// The list (`w:numId`) and level (`w:ilvl`, 0 when absent) of a `w:numPr` in paragraph
/// properties, if any.
fn list_numbering(properties: Node, namespace: &str) -> Option<(String, usize)> {
    let numbering = child(properties, (namespace, "numPr"))?;
    let value = |name| child(numbering, (namespace, name))?.attribute((namespace, "val"));
    let list = value("numId")?;
    let level = value("ilvl").and_then(|v| v.parse().ok()).unwrap_or(0);
    Some((list.to_string(), level))
}

fn child<'a, 'input>(node: Node<'a, 'input>, name: (&str, &str)) -> Option<Node<'a, 'input>> {
    node.children()
        .find(|candidate| candidate.has_tag_name(name))
}
