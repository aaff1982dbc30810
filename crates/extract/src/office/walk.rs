//! An iterative walk over an XML tree, yielding each node when it opens and when it closes.
//!
//! roxmltree offers no such traversal; this one follows child, sibling and parent links, so
//! it needs no stack at all and any depth is safe. A subtree can be skipped.

use roxmltree::Node;

/// A step of the walk.
#[derive(Debug, Clone, Copy)]
pub(super) enum Edge<'a, 'input> {
    Open(Node<'a, 'input>),
    Close(Node<'a, 'input>),
}

/// Walks the subtree of a node in document order.
pub(super) struct Walk<'a, 'input> {
    root: Node<'a, 'input>,
    next: Option<Edge<'a, 'input>>,
}

impl<'a, 'input> Walk<'a, 'input> {
    pub(super) fn new(root: Node<'a, 'input>) -> Self {
        Walk {
            root,
            next: Some(Edge::Open(root)),
        }
    }

    /// Skips the children of `node`, which was just opened; its close is skipped as well.
    pub(super) fn skip_subtree(&mut self, node: Node<'a, 'input>) {
        self.next = self.after_close(node);
    }

    fn after_close(&self, node: Node<'a, 'input>) -> Option<Edge<'a, 'input>> {
        if node == self.root {
            return None;
        }
        match node.next_sibling() {
            Some(sibling) => Some(Edge::Open(sibling)),
            None => node.parent().map(Edge::Close),
        }
    }
}

impl<'a, 'input> Iterator for Walk<'a, 'input> {
    type Item = Edge<'a, 'input>;

    fn next(&mut self) -> Option<Self::Item> {
        let edge = self.next.take()?;
        self.next = match edge {
            Edge::Open(node) => Some(node.first_child().map_or(Edge::Close(node), Edge::Open)),
            Edge::Close(node) => self.after_close(node),
        };
        Some(edge)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trace(xml: &str, skip: &str) -> String {
        let document = roxmltree::Document::parse(xml).unwrap();
        let mut walk = Walk::new(document.root_element());
        let mut trace = String::new();
        while let Some(edge) = walk.next() {
            match edge {
                Edge::Open(node) if node.is_element() => {
                    trace.push_str(node.tag_name().name());
                    if node.tag_name().name() == skip {
                        walk.skip_subtree(node);
                    }
                }
                Edge::Open(node) => trace.push_str(node.text().unwrap_or_default()),
                Edge::Close(node) if node.is_element() => trace.push('/'),
                Edge::Close(_) => {}
            }
        }
        trace
    }

    #[test]
    fn opens_and_closes_in_document_order() {
        let xml = "<a><b>1<c/>2</b><d>3</d></a>";
        assert_eq!(trace(xml, ""), "ab1c/2/d3//");
        assert_eq!(trace(xml, "b"), "abd3//");
        assert_eq!(trace(xml, "a"), "a");
    }

    #[test]
    fn deep_trees_need_no_stack() {
        let depth = 100_000;
        let xml = format!("{}x{}", "<n>".repeat(depth), "</n>".repeat(depth));
        let document = roxmltree::Document::parse(&xml).unwrap();
        assert_eq!(Walk::new(document.root_element()).count(), 2 * depth + 2);
    }
}
