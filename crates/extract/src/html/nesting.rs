//! Guards against pathologically deep or large HTML, checked before parsing.
//!
//! html5ever builds any depth without recursion, but several tree-construction steps walk
//! the whole stack of open elements (scope checks on `<div>`, `<li>`, `<dd>`...), so parsing
//! thousands of unclosed elements takes quadratic time: 200,000 nested `<div>` (1 MB) take
//! minutes. Browsers flatten the tree beyond 512 levels; [`exceeds_nesting`] estimates the
//! depth in one linear scan so that such input can be refused (pages) or read crudely
//! ([`strip_tags`], for fragments) instead.
//!
//! The parsed tree costs a few hundred bytes per element, so a flat flood of small elements
//! (`<br>` repeated) would take gigabytes: [`exceeds_elements`] counts tags against
//! [`MAX_ELEMENTS`] first.

/// Deepest element nesting accepted: twice the depth browsers keep.
pub(super) const MAX_NESTING: usize = 1024;

/// Most start tags accepted in one page or fragment; large real pages have tens of
/// thousands of elements.
pub(super) const MAX_ELEMENTS: usize = 1_000_000;

/// How far down the stack an end tag looks for its start tag; further, it is ignored.
const END_TAG_SEARCH: usize = 64;

/// Elements that never contain others, and elements whose end tag may be left out (the
/// parser closes them itself): neither is counted.
const NOT_COUNTED: [&str; 36] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param", "keygen", "frame", "p", "li", "dt", "dd", "tr", "td", "th", "option",
    "optgroup", "thead", "tbody", "tfoot", "colgroup", "caption", "rb", "rt", "rtc", "rp", "html",
    "head",
];

/// Elements whose content is raw text, skipped up to their end tag.
const RAW_TEXT: [&str; 5] = ["script", "style", "textarea", "title", "xmp"];

/// Whether the elements of `html` nest deeper than [`MAX_NESTING`], by a scan that follows
/// start and end tags (not the full HTML parsing rules: an estimate, linear in the input).
pub(super) fn exceeds_nesting(html: &str) -> bool {
    let bytes = html.as_bytes();
    let mut open: Vec<&[u8]> = Vec::new();
    let mut index = 0;
    while let Some(offset) = find(bytes, index, b"<") {
        index = offset + 1;
        let rest = bytes.get(index..).unwrap_or_default();
        if rest.starts_with(b"!--") {
            index = find(bytes, index + 3, b"-->").map_or(bytes.len(), |end| end + 3);
            continue;
        }
        let is_end_tag = rest.first() == Some(&b'/');
        let name_start = index + usize::from(is_end_tag);
        let name = tag_name(bytes.get(name_start..).unwrap_or_default());
        if name.is_empty() || is_one_of(name, &NOT_COUNTED) {
            continue;
        }
        if is_end_tag {
            let search_floor = open.len().saturating_sub(END_TAG_SEARCH);
            let matching = (search_floor..open.len()).rev().find(|&at| {
                open.get(at)
                    .is_some_and(|tag| tag.eq_ignore_ascii_case(name))
            });
            if let Some(at) = matching {
                open.truncate(at);
            }
        } else if is_one_of(name, &RAW_TEXT) {
            index = raw_text_end(bytes, name_start + name.len(), name);
        } else {
            open.push(name);
            if open.len() > MAX_NESTING {
                return true;
            }
        }
    }
    false
}

/// Whether `html` holds more than [`MAX_ELEMENTS`] start tags (`<` then a letter), in one
/// linear scan.
pub(super) fn exceeds_elements(html: &str) -> bool {
    html.as_bytes()
        .windows(2)
        .filter(|pair| matches!(pair, [b'<', next] if next.is_ascii_alphabetic()))
        .nth(MAX_ELEMENTS)
        .is_some()
}

/// The text of `html` with its tags removed and its whitespace collapsed (entities stay as
/// written): the fallback for fragments too deep to parse.
pub(super) fn strip_tags(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some((before, after)) = rest.split_once('<') {
        text.push_str(before);
        text.push(' ');
        rest = after.split_once('>').map_or("", |(_, after_tag)| after_tag);
    }
    text.push_str(rest);
    crate::text::layout::collapse_whitespace(&text)
}

/// The ASCII letters, digits and dashes of a tag name (custom elements have dashes).
fn tag_name(bytes: &[u8]) -> &[u8] {
    let length = bytes
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
        .count();
    bytes.get(..length).unwrap_or_default()
}

fn is_one_of(name: &[u8], names: &[&str]) -> bool {
    names
        .iter()
        .any(|known| known.as_bytes().eq_ignore_ascii_case(name))
}

/// The position just after the `</name` that ends a raw text element opened before `from`.
fn raw_text_end(bytes: &[u8], from: usize, name: &[u8]) -> usize {
    let mut index = from;
    while let Some(end_tag) = find(bytes, index, b"</") {
        let after = end_tag + 2;
        let candidate = bytes.get(after..after + name.len()).unwrap_or_default();
        if candidate.eq_ignore_ascii_case(name) {
            return after + name.len();
        }
        index = after;
    }
    bytes.len()
}

/// The first occurrence of `needle` at or after `from`.
fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|offset| from + offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_pages_are_far_from_the_limit() {
        let page = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../corpus/spo/accord-cadre-spo-paca.html"
        ));
        assert!(!exceeds_nesting(page));
    }

    #[test]
    fn deep_nesting_is_detected() {
        let deep = "<div>".repeat(MAX_NESTING + 1);
        assert!(exceeds_nesting(&deep));
        assert!(!exceeds_nesting(&"<div>".repeat(MAX_NESTING)));
        assert!(exceeds_nesting(&"<dl><dt>a<dd>".repeat(MAX_NESTING + 1)));
        assert!(exceeds_nesting(&"<SPAN class=x>".repeat(MAX_NESTING + 1)));
    }

    #[test]
    fn closed_optional_and_raw_elements_do_not_count() {
        let closed = "<div><span>x</span></div>".repeat(100_000);
        assert!(!exceeds_nesting(&closed));
        let optional_ends =
            "<ul><li>a<li>b</ul><p>x<br><img src=y><table><tr><td>c</table>".repeat(10_000);
        assert!(!exceeds_nesting(&optional_ends));
        let script = format!("<script>{}</script><div>", "if (a<b) {}".repeat(5_000));
        assert!(!exceeds_nesting(&script));
        let comment = format!("<!--{}-->", "<div>".repeat(5_000));
        assert!(!exceeds_nesting(&comment));
        // An end tag closes the elements left open inside it.
        let unclosed_inside = "<section><div><div><b></section>".repeat(5_000);
        assert!(!exceeds_nesting(&unclosed_inside));
    }

    #[test]
    fn element_floods_are_detected() {
        assert!(exceeds_elements(&"<br>".repeat(MAX_ELEMENTS + 1)));
        assert!(!exceeds_elements(&"<br>".repeat(MAX_ELEMENTS)));
        assert!(!exceeds_elements(&"a < b </ c <1".repeat(MAX_ELEMENTS)));
    }

    #[test]
    fn stripping_tags_keeps_the_words_apart() {
        assert_eq!(
            strip_tags("<div><p>un</p><p>deux &amp; <b>trois</b></p></div><unclosed"),
            "un deux &amp; trois"
        );
    }
}
