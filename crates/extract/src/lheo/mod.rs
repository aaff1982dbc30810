//! Extractor for training offers in LHÉO XML (*Langage Harmonisé d'Échange d'informations
//! sur l'Offre de formation*, 2.x), the format in which every Carif-Oref publishes its
//! region's offer: one document per `<formation>`, with its actions, sessions and places.
//!
//! A formation gives the title, objective, expected results and content (HTML, escaped in
//! the XML), the RNCP certifications it prepares and the ROME jobs it leads to, its exit
//! level; its actions give the places (whose departments become the document's territory),
//! rhythm, duration and session dates; the responsible body is named. Elements are read by
//! their local name, whatever the LHÉO version's namespace.
//!
//! One formation that cannot be read (no `numero`, no title, a field over 1 MB, a `numero`
//! seen before) fails alone; the others of the file are kept. The XML must be UTF-8; a DTD
//! is refused (no entity expansion) and the node count is bounded.

mod offer;

use roxmltree::Node;

use crate::{ExtractError, Extracted};

const FORMAT: &str = "lheo";

/// Most XML nodes accepted in one file: a regional feed of several thousand offers has a
/// few million.
const NODES_LIMIT: u32 = 20_000_000;

/// Longest text of one field, in bytes.
const MAX_FIELD_BYTES: usize = 1024 * 1024;

/// The offers of one LHÉO file and what was noticed while reading them.
#[derive(Debug, Default)]
pub struct FileExtraction {
    /// One result per `<formation>`, in the file's order.
    pub documents: Vec<Result<Extracted, ExtractError>>,
    /// Repeated elements of which the first was kept, one sentence each.
    pub warnings: Vec<String>,
}

/// Extracts one document per `<formation>` of a LHÉO file. The error is for a file that is
/// not LHÉO at all (not XML, not UTF-8, another root element).
pub fn extract(bytes: &[u8]) -> Result<FileExtraction, ExtractError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|error| ExtractError::malformed(FORMAT, format!("not UTF-8: {error}")))?;
    let document = crate::xml::parse(text, NODES_LIMIT)
        .map_err(|error| ExtractError::malformed(FORMAT, error))?;
    let root = document.root_element();
    if root.tag_name().name() != "lheo" {
        return Err(ExtractError::malformed(
            FORMAT,
            format!(
                "root element is <{}>, expected <lheo>",
                root.tag_name().name()
            ),
        ));
    }
    let mut extraction = FileExtraction::default();
    let mut seen = std::collections::HashSet::new();
    let formations = children(root, "offres").flat_map(|offres| children(offres, "formation"));
    for (position, formation) in formations.enumerate() {
        let result = offer::read(formation, position + 1, &mut extraction.warnings);
        let result = result.and_then(|document| match document.key.as_deref() {
            Some(key) if !seen.insert(key.to_string()) => Err(ExtractError::malformed(
                FORMAT,
                format!("formation {}: numero {key} already given", position + 1),
            )),
            _ => Ok(document),
        });
        extraction.documents.push(result);
    }
    Ok(extraction)
}

/// The element children of `node` named `name` (local name).
fn children<'a, 'input: 'a>(
    node: Node<'a, 'input>,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'input>> + 'a {
    node.children()
        .filter(move |child| child.is_element() && child.tag_name().name() == name)
}

/// The first child named `name`.
fn child<'a, 'input>(node: Node<'a, 'input>, name: &str) -> Option<Node<'a, 'input>> {
    node.children()
        .find(|child| child.is_element() && child.tag_name().name() == name)
}

/// The text of `node` (its text descendants joined), trimmed; an error over
/// [`MAX_FIELD_BYTES`].
fn text(node: Node) -> Result<String, ExtractError> {
    let mut out = String::new();
    for piece in node.descendants().filter(|n| n.is_text()) {
        let piece = piece.text().unwrap_or_default();
        if out.len() + piece.len() > MAX_FIELD_BYTES {
            return Err(ExtractError::malformed(
                FORMAT,
                format!(
                    "<{}> is over {MAX_FIELD_BYTES} bytes",
                    node.tag_name().name()
                ),
            ));
        }
        out.push_str(piece);
    }
    Ok(out.trim().to_string())
}

/// The text of the first child named `name`, if not blank; `-` (LHÉO's "nothing") counts as
/// blank.
fn child_text(node: Node, name: &str) -> Result<Option<String>, ExtractError> {
    match child(node, name) {
        Some(found) => Ok(Some(text(found)?).filter(|t| !t.is_empty() && t != "-")),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests;
