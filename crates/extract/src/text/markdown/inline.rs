//! Markdown inline markup removal: what is left of one line of Markdown once read as text.
//!
//! Links `[text](url)` and `[text][ref]` keep their text, images `![alt](src)` disappear,
//! emphasis and code markers (`*`, `_` at word edges, `~~`, backticks) go, HTML tags are
//! stripped (autolinks `<https://...>` keep their address), a few entities are decoded,
//! table pipes become spaces and backslash escapes give their character.
//!
//! Runs in linear time on any line: links are found in a first pass with a bounded bracket
//! stack, and no forward search (link target, tag end) goes over the same bytes twice.

/// Brackets nested deeper than this are left as literal text.
const MAX_BRACKET_DEPTH: usize = 32;

/// Longest entity name read after `&` (`&nbsp;` is 4).
const MAX_ENTITY_LENGTH: usize = 10;

/// Renders one line of Markdown as plain text.
pub(super) fn render_inline(line: &str) -> String {
    let jumps = link_jumps(line);
    let mut jumps = jumps.iter().peekable();
    let mut tags = NextByte::new(line, b'>');
    let mut out = String::with_capacity(line.len());
    let mut previous: Option<char> = None;
    let mut position = 0;
    while let Some(c) = line.get(position..).and_then(|rest| rest.chars().next()) {
        // Jumps that fall inside text already skipped are obsolete.
        while jumps.next_if(|jump| jump.from < position).is_some() {}
        if let Some(jump) = jumps.next_if(|jump| jump.from == position) {
            position = jump.to;
            continue;
        }
        let after = position + c.len_utf8();
        let next = line.get(after..).and_then(|rest| rest.chars().next());
        position = after;
        match c {
            '\\' if next.is_some_and(|n| n.is_ascii_punctuation()) => {
                if let Some(escaped) = next {
                    out.push(escaped);
                    position += escaped.len_utf8();
                }
            }
            '*' | '`' => {}
            '~' if next == Some('~') || previous == Some('~') => {}
            '_' if !(is_word(previous) && is_word(next)) => {}
            '|' => out.push(' '),
            '<' if next.is_some_and(|n| n.is_ascii_alphabetic() || n == '/' || n == '!') => {
                match tags.find_from(position) {
                    Some(end) => {
                        let inner = line.get(position..end).unwrap_or_default();
                        if is_autolink(inner) {
                            out.push_str(inner);
                        } else if is_block_tag(inner) {
                            out.push(' ');
                        }
                        position = end + 1;
                    }
                    None => out.push('<'),
                }
            }
            '&' => match entity(line.get(position..).unwrap_or_default()) {
                Some((decoded, length)) => {
                    out.push(decoded);
                    position += length;
                }
                None => out.push('&'),
            },
            _ => out.push(c),
        }
        previous = Some(c);
    }
    out
}

/// At byte `from`, continue reading at byte `to` (what lies between is markup).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Jump {
    from: usize,
    to: usize,
}

/// Finds the links and images of a line and returns the jumps that remove their markup,
/// sorted by position: `[` and `](url)` of a link, all of an image.
fn link_jumps(line: &str) -> Vec<Jump> {
    let bytes = line.as_bytes();
    // Open brackets: (byte index of `[`, whether it is preceded by `!`).
    let mut open: Vec<(usize, bool)> = Vec::new();
    let mut jumps = Vec::new();
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        match byte {
            b'\\' => index += 1,
            b'[' if open.len() < MAX_BRACKET_DEPTH => {
                let is_image = index > 0 && bytes.get(index - 1) == Some(&b'!');
                open.push((index, is_image));
            }
            b']' => {
                let target_end = match bytes.get(index + 1) {
                    Some(b'(') => destination_end(bytes, index + 2),
                    Some(b'[') => reference_end(bytes, index + 2),
                    _ => None,
                };
                match (open.pop(), target_end) {
                    (Some((start, true)), Some(end)) => {
                        jumps.push(Jump {
                            from: start.saturating_sub(1),
                            to: end + 1,
                        });
                        index = end;
                    }
                    (Some((start, false)), Some(end)) => {
                        jumps.push(Jump {
                            from: start,
                            to: start + 1,
                        });
                        jumps.push(Jump {
                            from: index,
                            to: end + 1,
                        });
                        index = end;
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        index += 1;
    }
    jumps.sort_unstable();
    jumps
}

/// The index of the `)` closing a link destination that starts at `start` (just after the
/// `(`): an address, optionally in `<>`, then an optional title in quotes or parentheses.
///
/// No scan goes past a bracket, so the scans of successive `](` never overlap.
fn destination_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut index = skip_blanks(bytes, start);
    if bytes.get(index) == Some(&b'<') {
        index = scan_to(bytes, index + 1, b'>')? + 1;
    } else {
        let mut depth = 0usize;
        while let Some(&byte) = bytes.get(index) {
            match byte {
                b'(' => depth += 1,
                b')' if depth == 0 => break,
                b')' => depth -= 1,
                b' ' | b'\t' => break,
                b'[' | b']' | b'<' | b'>' => return None,
                b'\\' => index += 1,
                _ => {}
            }
            index += 1;
        }
    }
    index = skip_blanks(bytes, index);
    let title_closer = match bytes.get(index) {
        Some(b'"') => Some(b'"'),
        Some(b'\'') => Some(b'\''),
        Some(b'(') => Some(b')'),
        _ => None,
    };
    if let Some(closer) = title_closer {
        index = skip_blanks(bytes, scan_to(bytes, index + 1, closer)? + 1);
    }
    (bytes.get(index) == Some(&b')')).then_some(index)
}

/// The index of the `]` closing a reference label `[ref]` that starts at `start`.
fn reference_end(bytes: &[u8], start: usize) -> Option<usize> {
    scan_to(bytes, start, b']')
}

/// The first `wanted` byte from `start`, giving up at a bracket (or an escape's end of line).
fn scan_to(bytes: &[u8], start: usize, wanted: u8) -> Option<usize> {
    let mut index = start;
    while let Some(&byte) = bytes.get(index) {
        if byte == wanted {
            return Some(index);
        }
        match byte {
            b'\\' => index += 1,
            b'[' | b']' => return None,
            _ => {}
        }
        index += 1;
    }
    None
}

fn skip_blanks(bytes: &[u8], start: usize) -> usize {
    let blanks = bytes
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    start + blanks
}

/// Forward search for one byte, for queries whose start never moves back: every byte of
/// the line is examined at most once over all queries.
struct NextByte<'a> {
    haystack: &'a [u8],
    needle: u8,
    /// The last hit, valid for any query starting at or before it.
    found: Option<usize>,
    /// A position from which the needle is known to be absent.
    absent_from: Option<usize>,
}

impl<'a> NextByte<'a> {
    fn new(line: &'a str, needle: u8) -> Self {
        NextByte {
            haystack: line.as_bytes(),
            needle,
            found: None,
            absent_from: None,
        }
    }

    /// The first position at or after `from` holding the needle.
    fn find_from(&mut self, from: usize) -> Option<usize> {
        if let Some(found) = self.found.filter(|&found| found >= from) {
            return Some(found);
        }
        if self.absent_from.is_some_and(|absent| from >= absent) {
            return None;
        }
        let hit = self
            .haystack
            .get(from..)?
            .iter()
            .position(|&b| b == self.needle)
            .map(|offset| from + offset);
        match hit {
            Some(found) => self.found = Some(found),
            None => self.absent_from = Some(from),
        }
        hit
    }
}

fn is_word(c: Option<char>) -> bool {
    c.is_some_and(char::is_alphanumeric)
}

/// Whether the inside of `<...>` is an address rather than an HTML tag.
fn is_autolink(inner: &str) -> bool {
    let lower = inner.to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
        || (inner.contains('@') && !inner.contains(char::is_whitespace))
}

/// Whether the inside of `<...>` is a tag that separates words (`<br>`, `</p>`, `<td>`);
/// inline tags (`<sup>`, `<em>`) join the text around them.
fn is_block_tag(inner: &str) -> bool {
    const BLOCK_TAGS: [&str; 22] = [
        "article",
        "blockquote",
        "br",
        "dd",
        "div",
        "dt",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "li",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
    ];
    let name: String = inner
        .trim_start_matches('/')
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    BLOCK_TAGS.contains(&name.as_str())
}

/// Decodes the entity at the start of `text` (just after `&`): the character and the number
/// of bytes the entity takes, `;` included.
fn entity(text: &str) -> Option<(char, usize)> {
    let end = text
        .bytes()
        .take(MAX_ENTITY_LENGTH + 1)
        .position(|b| b == b';')?;
    let name = text.get(..end)?;
    let decoded = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some((decoded, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_their_text_and_images_vanish() {
        assert_eq!(
            render_inline("Voir [le site](https://x.fr/a_(b) \"titre\") et ![logo](l.png) ici"),
            "Voir le site et  ici"
        );
        assert_eq!(
            render_inline("[![badge](b.svg)](https://ci) [réf][1] [pas un lien] a]b"),
            " réf [pas un lien] a]b"
        );
        assert_eq!(render_inline("[lien *gras*](u)"), "lien gras");
    }

    #[test]
    fn emphasis_code_and_escapes() {
        assert_eq!(
            render_inline("**Rappel** : _le_ `code` ~~barré~~ snake_case \\*étoile\\* \\_x\\_"),
            "Rappel : le code barré snake_case *étoile* _x_"
        );
        assert_eq!(render_inline("a ~ b"), "a ~ b");
    }

    #[test]
    fn html_tags_entities_and_pipes() {
        assert_eq!(
            render_inline("le 1<sup>er</sup> accueil<br/>puis<td>"),
            "le 1er accueil puis "
        );
        assert_eq!(
            render_inline(
                "<https://www.orientation.fr> &amp; <a@b.fr> &#233;t&#xE9; &nbsp;&bogus; a < b"
            ),
            "https://www.orientation.fr & a@b.fr été \u{a0}&bogus; a < b"
        );
        assert_eq!(render_inline("| a | b \\| c |"), "  a   b | c  ");
    }

    #[test]
    fn hostile_lines_render_to_no_more_than_their_text() {
        // Their time is watched by the fuzz target's limits, not here: a test must not
        // depend on the machine's speed.
        for unit in ["[", "](", "[a](", "![", "<a", "&#", "[]", "[x][", "\\"] {
            let line = unit.repeat(200_000);
            let rendered = render_inline(&line);
            assert!(rendered.len() <= line.len() + 1, "{unit:?}");
        }
    }
}
