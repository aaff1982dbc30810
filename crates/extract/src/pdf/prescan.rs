//! A look at the raw bytes of a PDF before lopdf parses them: how many objects they would
//! become, how deeply arrays and dictionaries nest, and how many pages they declare. lopdf
//! keeps every object of the file in memory, so a file of 48 MB holding one array of 24
//! million numbers took 3.6 GB; such files are refused here, within a memory budget per
//! document, before anything is parsed. Stream data, strings and comments are skipped.

use crate::ExtractError;

/// Objects (numbers, names, strings, arrays, dictionaries, keywords) a document may hold
/// outside its streams: about 256 MiB once parsed (lopdf's objects take 100 to 150 bytes
/// each, with their containers).
pub(super) const MAX_OBJECTS: usize = 2_000_000;
/// Deepest nesting of arrays and dictionaries read (lopdf stops at 100).
pub(super) const MAX_DEPTH: usize = 100;

/// What the raw bytes would become.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Shape {
    pub objects: usize,
    pub depth: usize,
    /// Dictionaries of `/Type /Page` written outside object streams.
    pub pages: usize,
}

/// Counts the objects, nesting and pages of `bytes`, stopping as soon as a limit is passed
/// (`max_pages` for the pages).
pub(super) fn check(bytes: &[u8], max_pages: usize) -> Result<Shape, ExtractError> {
    let mut shape = Shape::default();
    let mut depth = 0usize;
    let mut after_type = false;
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        let token_start = at;
        at += 1;
        match byte {
            b'%' => {
                while at < bytes.len() && !matches!(bytes[at], b'\r' | b'\n') {
                    at += 1;
                }
                continue;
            }
            b'(' => at = skip_string(bytes, at),
            b'<' if bytes.get(at) == Some(&b'<') => {
                at += 1;
                depth += 1;
            }
            b'<' => {
                while at < bytes.len() && bytes[at] != b'>' {
                    at += 1;
                }
                at += 1;
            }
            b'>' if bytes.get(at) == Some(&b'>') => {
                at += 1;
                depth = depth.saturating_sub(1);
                continue;
            }
            b'[' => depth += 1,
            b']' => {
                depth = depth.saturating_sub(1);
                continue;
            }
            b'/' => {
                while at < bytes.len() && is_regular(bytes[at]) {
                    at += 1;
                }
                let name = &bytes[token_start + 1..at];
                if after_type && name == b"Page" {
                    shape.pages += 1;
                }
                after_type = name == b"Type";
                shape.objects += 1;
                shape.depth = shape.depth.max(depth);
                if shape.pages > max_pages {
                    return Err(ExtractError::malformed(
                        "pdf",
                        format!("more than {max_pages} pages"),
                    ));
                }
                continue;
            }
            byte if is_whitespace(byte) || matches!(byte, b')' | b'>' | b'{' | b'}') => {
                continue;
            }
            _ => {
                while at < bytes.len() && is_regular(bytes[at]) {
                    at += 1;
                }
                if &bytes[token_start..at] == b"stream" {
                    at = skip_stream(bytes, at);
                }
            }
        }
        after_type = false;
        shape.objects += 1;
        shape.depth = shape.depth.max(depth);
        if shape.depth > MAX_DEPTH {
            return Err(ExtractError::malformed(
                "pdf",
                format!("arrays or dictionaries nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        if shape.objects > MAX_OBJECTS {
            return Err(ExtractError::malformed(
                "pdf",
                format!(
                    "more than {MAX_OBJECTS} objects outside its streams: over the memory \
                     budget of one document (256 MiB)"
                ),
            ));
        }
    }
    Ok(shape)
}

/// The position after a literal string whose `(` is just before `at` (nested parentheses
/// balance, a backslash escapes the next byte).
fn skip_string(bytes: &[u8], mut at: usize) -> usize {
    let mut open = 1usize;
    while at < bytes.len() && open > 0 {
        match bytes[at] {
            b'\\' => at += 1,
            b'(' => open += 1,
            b')' => open -= 1,
            _ => {}
        }
        at += 1;
    }
    at
}

/// The position after the `endstream` that closes the stream data starting at `at`.
fn skip_stream(bytes: &[u8], at: usize) -> usize {
    const END: &[u8] = b"endstream";
    bytes[at..]
        .windows(END.len())
        .position(|window| window == END)
        .map_or(bytes.len(), |found| at + found + END.len())
}

fn is_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

/// A byte of a name, number or keyword (neither white space nor a delimiter).
fn is_regular(byte: u8) -> bool {
    !is_whitespace(byte)
        && !matches!(
            byte,
            b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_objects_depth_and_pages_and_skips_streams_strings_and_comments() {
        let pdf = b"%PDF-1.4\n% comment [[[[\n1 0 obj\n<< /Type /Page /Kids [2 0 R] \
            /T (a (nested) string [[[ \\) ) /H <41 42> >>\nendobj\n2 0 obj\n<< /Length 9 >>\n\
            stream\n[[[[ /x <<\nendstream\nendobj\n";
        let shape = check(pdf, 10).unwrap();
        assert_eq!(shape.pages, 1);
        assert_eq!(shape.depth, 2);
        // 1 0 obj << /Type /Page /Kids [ 2 0 R ] /T (..) /H <..> >> endobj
        // 2 0 obj << /Length 9 >> stream endobj
        assert_eq!(shape.objects, 24);
    }

    #[test]
    fn huge_arrays_deep_nesting_and_page_floods_are_refused_early() {
        let mut huge = b"%PDF-1.4\n1 0 obj [".to_vec();
        huge.extend(b"0 ".repeat(MAX_OBJECTS));
        huge.extend(b"] endobj");
        let error = check(&huge, 10_000).unwrap_err().to_string();
        assert!(error.contains("memory budget"), "{error}");

        let deep = [b"[".repeat(MAX_DEPTH + 1), b"]".repeat(MAX_DEPTH + 1)].concat();
        let error = check(&deep, 10_000).unwrap_err().to_string();
        assert!(error.contains("nested deeper than 100"), "{error}");

        let flood = b"<< /Type /Page >>\n".repeat(11);
        let error = check(&flood, 10).unwrap_err().to_string();
        assert!(error.contains("more than 10 pages"), "{error}");
        let pages_node = b"<< /Type /Pages /Count 11 >>\n".repeat(11);
        assert_eq!(check(&pages_node, 10).unwrap().pages, 0);
    }
}
