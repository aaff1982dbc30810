//! DOCX list numbering: which paragraphs are list items, at what depth, and whether they are
//! numbered, from `word/numbering.xml` (`w:num` → `w:abstractNum` → one `w:lvl` per depth),
//! and the running number of each numbered item.

use std::collections::HashMap;

use roxmltree::Node;

/// Deepest list level of Word (`w:ilvl` 0 to 8).
const MAX_LEVEL: usize = 9;
/// Numbers the block markup writes (`1.` to `999.`); past it an item is written as a bullet.
const MAX_NUMBER: u32 = 999;

/// How the items of one level of a list are marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Level {
    /// A number (decimal, letters, roman...) rather than a bullet.
    numbered: bool,
    /// The first number (`w:start`).
    start: u32,
    /// No mark at all (`w:numFmt w:val="none"`): not shown as a list item.
    hidden: bool,
}

/// The lists of a document: the levels of each `w:numId`, and the running numbers.
#[derive(Debug, Default)]
pub(super) struct Numbering {
    levels: HashMap<String, Vec<Option<Level>>>,
    /// The last number given at each level of each list; `None` restarts.
    counters: HashMap<String, [Option<u32>; MAX_LEVEL]>,
}

/// A paragraph's list item: its depth and its mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ListItem {
    pub depth: usize,
    /// Its number, or `None` for a bullet.
    pub number: Option<u32>,
}

impl Numbering {
    /// Reads `word/numbering.xml`.
    pub(super) fn read(numbering: &roxmltree::Document, namespace: &str) -> Numbering {
        let w = |name| (namespace, name);
        let root = numbering.root_element();
        let mut abstract_levels: HashMap<&str, Vec<Option<Level>>> = HashMap::new();
        for definition in root.children().filter(|n| n.has_tag_name(w("abstractNum"))) {
            let Some(id) = definition.attribute(w("abstractNumId")) else {
                continue;
            };
            let mut levels = vec![None; MAX_LEVEL];
            for level in definition.children().filter(|n| n.has_tag_name(w("lvl"))) {
                let index = level
                    .attribute(w("ilvl"))
                    .and_then(|v| v.parse::<usize>().ok());
                if let Some(slot) = index.and_then(|i| levels.get_mut(i)) {
                    *slot = Some(read_level(level, namespace));
                }
            }
            abstract_levels.insert(id, levels);
        }
        let mut levels = HashMap::new();
        for list in root.children().filter(|n| n.has_tag_name(w("num"))) {
            let definition = child_value(list, namespace, "abstractNumId");
            let found = definition.and_then(|id| abstract_levels.get(id));
            if let (Some(id), Some(found)) = (list.attribute(w("numId")), found) {
                levels.insert(id.to_string(), found.clone());
            }
        }
        Numbering {
            levels,
            counters: HashMap::new(),
        }
    }

    /// The list item of a paragraph in list `num_id` at level `level`, numbered in order; `None`
    /// when the paragraph is not shown as an item (`w:numId` 0, an unknown list or level, a
    /// level without marks).
    pub(super) fn item(&mut self, num_id: &str, level: usize) -> Option<ListItem> {
        let definition = self.levels.get(num_id)?.get(level).copied().flatten()?;
        if definition.hidden {
            return None;
        }
        let counters = self
            .counters
            .entry(num_id.to_string())
            .or_insert([None; MAX_LEVEL]);
        // A deeper list starts again under each item of its parent level.
        counters.iter_mut().skip(level + 1).for_each(|c| *c = None);
        let number = definition.numbered.then(|| {
            let next = counters[level].map_or(definition.start, |n| n.saturating_add(1));
            counters[level] = Some(next);
            next
        });
        Some(ListItem {
            depth: level,
            number: number.filter(|&n| n <= MAX_NUMBER),
        })
    }
}

fn read_level(level: Node, namespace: &str) -> Level {
    let format = child_value(level, namespace, "numFmt").unwrap_or("decimal");
    Level {
        numbered: !matches!(format, "bullet" | "none"),
        start: child_value(level, namespace, "start")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1),
        hidden: format == "none",
    }
}

/// The `w:val` of the child `name` of `node`.
fn child_value<'a>(node: Node<'a, '_>, namespace: &str, name: &str) -> Option<&'a str> {
    node.children()
        .find(|c| c.has_tag_name((namespace, name)))?
        .attribute((namespace, "val"))
}
