//! XML read the one safe way for every format: a byte-order mark skipped, DTDs refused (no
//! entity expansion), and a bound on the nodes of the parsed tree, which bounds its memory.

use roxmltree::{Document, ParsingOptions};

/// Parses `xml` with at most `nodes_limit` nodes (elements, texts, attributes).
pub(crate) fn parse(xml: &str, nodes_limit: u32) -> Result<Document<'_>, roxmltree::Error> {
    let xml = xml.strip_prefix('\u{feff}').unwrap_or(xml);
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit,
        ..ParsingOptions::default()
    };
    Document::parse_with_options(xml, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_is_skipped_and_dtds_and_excess_nodes_are_refused() {
        let document = parse("\u{feff}<a><b/></a>", 10).expect("parsed");
        assert_eq!(document.root_element().tag_name().name(), "a");
        let entities = "<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>";
        assert!(parse(entities, 10).is_err(), "a DTD is refused");
        let many = format!("<a>{}</a>", "<b/>".repeat(20));
        assert!(parse(&many, 10).is_err(), "over the node limit");
        assert!(parse(&many, 100).is_ok());
    }
}
