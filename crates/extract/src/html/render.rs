//! Laying out the text of an HTML element tree: which elements are left out, which start a
//! line or a paragraph, which are headings, list items or table cells (marked in the body
//! as [`crate::blocks`] says). The walk is iterative (open/close edges), so no
//! nesting depth can overflow the stack.

use ego_tree::iter::Edge;
use scraper::{ElementRef, Node};

use crate::blocks::{heading_mark, ITEM_MARK};
use crate::text::layout::TextLayout;

/// The text of a content root and the headings met on the way.
pub(super) struct RenderedContent {
    pub(super) body: String,
    pub(super) headings: Vec<String>,
}

/// How an element affects the layout of the text around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    Inline,
    /// Table cells: a space on each side.
    Cell,
    Line,
    /// A list item: a line marked `- `.
    Item,
    Paragraph,
    /// A heading of level 1 to 6.
    Heading(usize),
}

/// Lays out the text under `root`, collecting its headings.
pub(super) fn render(root: ElementRef) -> RenderedContent {
    let mut layout = TextLayout::new();
    let mut headings = Vec::new();
    // Depth inside an element left out, inside sectioning elements, inside lists, in <pre>.
    let (mut excluded, mut sectioning, mut lists, mut preformatted) =
        (0usize, 0usize, 0usize, 0usize);
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Text(text) if excluded == 0 => {
                    if preformatted > 0 {
                        layout.push_preformatted(text);
                    } else {
                        layout.push_text(text);
                    }
                }
                Node::Element(element) => {
                    let name = element.name();
                    if excluded > 0 || is_left_out(element, sectioning) {
                        excluded += 1;
                        continue;
                    }
                    match name {
                        "article" | "section" | "main" => sectioning += 1,
                        "ul" | "ol" | "dl" => lists += 1,
                        "pre" => preformatted += 1,
                        _ => {}
                    }
                    open_layout(&mut layout, layout_of(name, lists > 1));
                }
                _ => {}
            },
            Edge::Close(node) => {
                let Node::Element(element) = node.value() else {
                    continue;
                };
                if excluded > 0 {
                    excluded -= 1;
                    continue;
                }
                let name = element.name();
                let kind = layout_of(name, lists > 1);
                match name {
                    "article" | "section" | "main" => sectioning = sectioning.saturating_sub(1),
                    "ul" | "ol" | "dl" => lists = lists.saturating_sub(1),
                    "pre" => preformatted = preformatted.saturating_sub(1),
                    _ => {}
                }
                if matches!(kind, Layout::Heading(_)) {
                    headings.extend(layout.finish_capture());
                }
                close_layout(&mut layout, kind);
            }
        }
    }
    RenderedContent {
        body: layout.finish(),
        headings,
    }
}

fn open_layout(layout: &mut TextLayout, kind: Layout) {
    match kind {
        Layout::Inline => {}
        Layout::Cell => layout.cell(),
        Layout::Line => layout.line_break(),
        Layout::Item => {
            layout.line_break();
            layout.mark(ITEM_MARK);
        }
        Layout::Paragraph => layout.paragraph_break(),
        Layout::Heading(level) => {
            layout.paragraph_break();
            layout.start_capture();
            layout.mark(heading_mark(level));
        }
    }
}

fn close_layout(layout: &mut TextLayout, kind: Layout) {
    match kind {
        Layout::Inline => {}
        Layout::Cell => {
            layout.unmark();
            layout.space();
        }
        Layout::Line => layout.line_break(),
        Layout::Item => {
            layout.unmark();
            layout.line_break();
        }
        Layout::Paragraph => layout.paragraph_break(),
        Layout::Heading(_) => {
            layout.unmark();
            layout.paragraph_break();
        }
    }
}

/// The layout of an element; a list inside a list is a run of lines, not a new paragraph.
fn layout_of(name: &str, nested_list: bool) -> Layout {
    match name {
        "h1" => Layout::Heading(1),
        "h2" => Layout::Heading(2),
        "h3" => Layout::Heading(3),
        "h4" => Layout::Heading(4),
        "h5" => Layout::Heading(5),
        "h6" => Layout::Heading(6),
        "li" => Layout::Item,
        "ul" | "ol" | "dl" if nested_list => Layout::Line,
        "p" | "blockquote" | "pre" | "table" | "ul" | "ol" | "dl" | "figure" | "section"
        | "article" | "main" | "header" | "footer" | "address" | "details" | "fieldset"
        | "hgroup" | "hr" => Layout::Paragraph,
        "div" | "tr" | "dt" | "dd" | "br" | "summary" | "figcaption" | "caption" | "legend"
        | "center" => Layout::Line,
        "td" | "th" => Layout::Cell,
        _ => Layout::Inline,
    }
}

/// Whether an element and its content stay out of the text. A `<header>` or `<footer>`
/// outside any `<article>`, `<section>` or `<main>` is the site's banner or footer; inside
/// one, it belongs to the content (an article's title block).
fn is_left_out(element: &scraper::node::Element, sectioning_depth: usize) -> bool {
    let always_out = matches!(
        element.name(),
        "nav"
            | "aside"
            | "script"
            | "style"
            | "noscript"
            | "template"
            | "form"
            | "svg"
            | "iframe"
            | "object"
            | "canvas"
            | "button"
            | "select"
            | "textarea"
            | "head"
    );
    let site_chrome = matches!(element.name(), "header" | "footer") && sectioning_depth == 0;
    let hidden = element.attr("hidden").is_some()
        || element
            .attr("aria-hidden")
            .is_some_and(|value| value.trim().eq_ignore_ascii_case("true"));
    always_out || site_chrome || hidden
}
