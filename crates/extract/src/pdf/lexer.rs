//! A tolerant tokenizer for PDF content streams: turns the bytes of a page or form into
//! operations (operands followed by an operator).
//!
//! Unlike a strict parser it never gives up on a stream: a stray delimiter is skipped, an
//! unterminated string ends at the end of the data, inline image data (`BI … ID … EI`) is
//! stepped over, and nesting deeper than [`MAX_NESTING`] is flattened. Operands that text
//! extraction does not need (dictionaries, booleans, null) are kept only as placeholders.

/// Deepest nesting of arrays and dictionaries kept as structure; deeper brackets are ignored.
const MAX_NESTING: usize = 32;
/// Most operands kept before an operator; older ones are dropped (garbage without operators).
const MAX_OPERANDS: usize = 64;
/// Most elements kept in one array; the rest are read and dropped.
const MAX_ARRAY_ITEMS: usize = 65_536;

/// One operand of a content stream operation.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Operand {
    Number(f64),
    Name(Vec<u8>),
    /// A literal or hexadecimal string, already unescaped.
    Bytes(Vec<u8>),
    Array(Vec<Operand>),
    /// A dictionary, boolean or null: present, but of no use for text.
    Other,
}

impl Operand {
    /// The operand as a number, if it is one.
    pub(super) fn number(&self) -> Option<f64> {
        match self {
            Operand::Number(value) => Some(*value),
            _ => None,
        }
    }
}

/// An operator with the operands written before it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Operation {
    pub(super) operator: Vec<u8>,
    pub(super) operands: Vec<Operand>,
}

/// Iterator over the operations of a content stream.
pub(super) struct Lexer<'a> {
    data: &'a [u8],
    position: usize,
}

/// A token of a content stream, before operands are grouped into operations.
enum Token {
    Operand(Operand),
    Operator(Vec<u8>),
    ArrayStart,
    ArrayEnd,
    DictStart,
    DictEnd,
}

fn is_whitespace(byte: u8) -> bool {
    matches!(byte, b'\0' | b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

fn is_delimiter(byte: u8) -> bool {
    matches!(
        byte,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_regular(byte: u8) -> bool {
    !is_whitespace(byte) && !is_delimiter(byte)
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

impl<'a> Lexer<'a> {
    /// A lexer over the decoded bytes of a content stream.
    pub(super) fn new(data: &'a [u8]) -> Self {
        Lexer { data, position: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.data.get(self.position).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<u8> {
        self.data.get(self.position + offset).copied()
    }

    fn skip_whitespace_and_comments(&mut self) {
        while let Some(byte) = self.peek() {
            if is_whitespace(byte) {
                self.position += 1;
            } else if byte == b'%' {
                while let Some(byte) = self.peek() {
                    if byte == b'\n' || byte == b'\r' {
                        break;
                    }
                    self.position += 1;
                }
            } else {
                break;
            }
        }
    }

    fn take_regular(&mut self) -> &'a [u8] {
        let start = self.position;
        while self.peek().is_some_and(is_regular) {
            self.position += 1;
        }
        self.data.get(start..self.position).unwrap_or_default()
    }

    fn next_token(&mut self) -> Option<Token> {
        loop {
            self.skip_whitespace_and_comments();
            let byte = self.peek()?;
            match byte {
                b'(' => {
                    self.position += 1;
                    return Some(Token::Operand(Operand::Bytes(self.literal_string())));
                }
                b'<' if self.peek_at(1) == Some(b'<') => {
                    self.position += 2;
                    return Some(Token::DictStart);
                }
                b'<' => {
                    self.position += 1;
                    return Some(Token::Operand(Operand::Bytes(self.hex_string())));
                }
                b'>' if self.peek_at(1) == Some(b'>') => {
                    self.position += 2;
                    return Some(Token::DictEnd);
                }
                b'[' => {
                    self.position += 1;
                    return Some(Token::ArrayStart);
                }
                b']' => {
                    self.position += 1;
                    return Some(Token::ArrayEnd);
                }
                b'/' => {
                    self.position += 1;
                    return Some(Token::Operand(Operand::Name(self.name())));
                }
                _ if is_delimiter(byte) => {
                    // A stray `)`, `>`, `{` or `}`: nothing to make of it.
                    self.position += 1;
                }
                _ => {
                    let word = self.take_regular();
                    return Some(classify_word(word));
                }
            }
        }
    }

    fn literal_string(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut depth = 0usize;
        while let Some(byte) = self.peek() {
            self.position += 1;
            match byte {
                b'(' => {
                    depth += 1;
                    out.push(byte);
                }
                b')' if depth == 0 => return out,
                b')' => {
                    depth -= 1;
                    out.push(byte);
                }
                b'\\' => self.escape(&mut out),
                _ => out.push(byte),
            }
        }
        out
    }

    fn escape(&mut self, out: &mut Vec<u8>) {
        let Some(byte) = self.peek() else {
            return;
        };
        self.position += 1;
        match byte {
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'b' => out.push(b'\x08'),
            b'f' => out.push(b'\x0c'),
            b'\r' => {
                if self.peek() == Some(b'\n') {
                    self.position += 1;
                }
            }
            b'\n' => {}
            b'0'..=b'7' => {
                let mut value = u32::from(byte - b'0');
                for _ in 0..2 {
                    match self.peek() {
                        Some(digit @ b'0'..=b'7') => {
                            value = value * 8 + u32::from(digit - b'0');
                            self.position += 1;
                        }
                        _ => break,
                    }
                }
                out.push((value & 0xff) as u8);
            }
            _ => out.push(byte),
        }
    }

    fn hex_string(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut high: Option<u8> = None;
        while let Some(byte) = self.peek() {
            self.position += 1;
            if byte == b'>' {
                break;
            }
            let Some(value) = hex_value(byte) else {
                continue;
            };
            match high.take() {
                Some(high) => out.push(high << 4 | value),
                None => high = Some(value),
            }
        }
        if let Some(high) = high {
            out.push(high << 4);
        }
        out
    }

    fn name(&mut self) -> Vec<u8> {
        let raw = self.take_regular();
        let mut out = Vec::with_capacity(raw.len());
        let mut index = 0;
        while let Some(&byte) = raw.get(index) {
            let escaped = raw
                .get(index + 1)
                .copied()
                .and_then(hex_value)
                .zip(raw.get(index + 2).copied().and_then(hex_value));
            match (byte, escaped) {
                (b'#', Some((high, low))) => {
                    out.push(high << 4 | low);
                    index += 3;
                }
                _ => {
                    out.push(byte);
                    index += 1;
                }
            }
        }
        out
    }

    /// Steps over inline image data after `ID`: up to a whitespace-delimited `EI`.
    fn skip_inline_image_data(&mut self) {
        // One whitespace byte separates `ID` from the data.
        self.position += 1;
        let rest = self.data.get(self.position..).unwrap_or_default();
        let end = rest.windows(4).position(|window| {
            matches!(window, [before, b'E', b'I', after] if is_whitespace(*before) && is_whitespace(*after))
        });
        self.position = match end {
            Some(offset) => self.position + offset + 3,
            None => self.data.len(),
        };
    }

    /// Reads one operand whose first token is already read (for arrays and dictionaries).
    fn collect_operand(&mut self, first: Token, depth: usize) -> Option<Operand> {
        match first {
            Token::Operand(operand) => Some(operand),
            Token::ArrayStart => Some(Operand::Array(self.collect_until_end(depth, true))),
            Token::DictStart => {
                self.collect_until_end(depth, false);
                Some(Operand::Other)
            }
            Token::ArrayEnd | Token::DictEnd | Token::Operator(_) => None,
        }
    }

    /// Collects the elements of an array (or skips a dictionary) up to its closing bracket.
    /// Operators inside are ignored; beyond [`MAX_NESTING`] inner brackets are flattened.
    fn collect_until_end(&mut self, depth: usize, array: bool) -> Vec<Operand> {
        let mut items = Vec::new();
        while let Some(token) = self.next_token() {
            match token {
                Token::ArrayEnd if array => break,
                Token::DictEnd if !array => break,
                Token::ArrayEnd | Token::DictEnd | Token::Operator(_) => {}
                Token::ArrayStart | Token::DictStart if depth >= MAX_NESTING => {}
                token => {
                    let operand = self.collect_operand(token, depth + 1);
                    if let Some(operand) = operand.filter(|_| items.len() < MAX_ARRAY_ITEMS) {
                        items.push(operand);
                    }
                }
            }
        }
        items
    }
}

/// Tells a bare word apart: a number, a keyword operand or an operator.
fn classify_word(word: &[u8]) -> Token {
    match word {
        b"true" | b"false" | b"null" => return Token::Operand(Operand::Other),
        _ => {}
    }
    let numeric = word
        .iter()
        .all(|byte| byte.is_ascii_digit() || matches!(byte, b'+' | b'-' | b'.'));
    if numeric {
        return Token::Operand(Operand::Number(parse_number(word)));
    }
    Token::Operator(word.to_vec())
}

/// Parses a PDF number leniently: "-.5", "3.", "--2" (read as -2) and "1.2.3" (read as 1.2).
fn parse_number(word: &[u8]) -> f64 {
    let mut negative = false;
    let mut digits = word;
    while let Some((&sign, rest)) = digits.split_first() {
        match sign {
            b'-' => negative = !negative,
            b'+' => {}
            _ => break,
        }
        digits = rest;
    }
    let mut value = 0f64;
    let mut scale = 0f64;
    for &byte in digits {
        match byte {
            b'0'..=b'9' if scale == 0.0 => value = value * 10.0 + f64::from(byte - b'0'),
            b'0'..=b'9' => {
                value += f64::from(byte - b'0') * scale;
                scale /= 10.0;
            }
            b'.' if scale == 0.0 => scale = 0.1,
            _ => break,
        }
    }
    if !value.is_finite() {
        value = 0.0;
    }
    if negative {
        -value
    } else {
        value
    }
}

/// One item of a content stream: a complete operand (arrays gathered) or an operator.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Item {
    Operand(Operand),
    Operator(Vec<u8>),
}

impl Lexer<'_> {
    /// The next operand or operator; inline images (`BI … ID data EI`) are skipped whole.
    pub(super) fn next_item(&mut self) -> Option<Item> {
        loop {
            let token = self.next_token()?;
            match token {
                Token::Operator(operator) => {
                    if operator == b"ID" {
                        self.skip_inline_image_data();
                    }
                    return Some(Item::Operator(operator));
                }
                Token::ArrayEnd | Token::DictEnd => {}
                token => {
                    if let Some(operand) = self.collect_operand(token, 0) {
                        return Some(Item::Operand(operand));
                    }
                }
            }
        }
    }
}

impl Iterator for Lexer<'_> {
    type Item = Operation;

    fn next(&mut self) -> Option<Operation> {
        let mut operands = Vec::new();
        loop {
            match self.next_item()? {
                Item::Operator(operator) if operator == b"BI" || operator == b"ID" => {
                    operands.clear();
                }
                Item::Operator(operator) => return Some(Operation { operator, operands }),
                Item::Operand(operand) => {
                    if operands.len() >= MAX_OPERANDS {
                        operands.remove(0);
                    }
                    operands.push(operand);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn operations(data: &[u8]) -> Vec<Operation> {
        Lexer::new(data).collect()
    }

    fn operators(data: &[u8]) -> Vec<String> {
        operations(data)
            .into_iter()
            .map(|operation| String::from_utf8_lossy(&operation.operator).into_owned())
            .collect()
    }

    #[test]
    fn reads_text_operations_with_their_operands() {
        let ops =
            operations(b"BT /F1 12 Tf 72 700 Td [(Hel) -120 <6c6f>] TJ (a\\(b\\)\\101) Tj ET");
        assert_eq!(ops.len(), 6);
        assert_eq!(ops[1].operator, b"Tf");
        assert_eq!(
            ops[1].operands,
            vec![Operand::Name(b"F1".to_vec()), Operand::Number(12.0)]
        );
        assert_eq!(
            ops[3].operands,
            vec![Operand::Array(vec![
                Operand::Bytes(b"Hel".to_vec()),
                Operand::Number(-120.0),
                Operand::Bytes(b"lo".to_vec()),
            ])]
        );
        assert_eq!(ops[4].operands, vec![Operand::Bytes(b"a(b)A".to_vec())]);
        let name_and_odd_hex = [
            Operand::Name(b"A B".to_vec()),
            Operand::Bytes(b"A@".to_vec()),
        ];
        assert_eq!(operations(b"/A#20B <414> Do")[0].operands, name_and_odd_hex);
    }

    #[test]
    fn parses_numbers_leniently() {
        assert_eq!(parse_number(b"-.5"), -0.5);
        assert_eq!(parse_number(b"3."), 3.0);
        assert_eq!(parse_number(b"--2"), 2.0);
        assert_eq!(parse_number(b"1.2.3"), 1.2);
        assert_eq!(parse_number(b"+"), 0.0);
    }

    #[test]
    fn skips_inline_images_and_comments() {
        let data = b"q BI /W 2 /H 2 ID \x00EI\xff) EI Q % comment Tj\n(x) Tj";
        assert_eq!(operators(data), vec!["q", "Q", "Tj"]);
        assert!(operations(data)[1].operands.is_empty());
    }

    #[test]
    fn survives_garbage_and_truncation() {
        assert!(operations(b"").is_empty());
        assert_eq!(operators(b") > } { (unterminated Tj"), Vec::<String>::new());
        assert_eq!(
            operators(b"] >> /P << /A [1 2] >> BDC (x) Tj"),
            vec!["BDC", "Tj"]
        );
        // An unclosed dictionary swallows the rest of the stream, as it would in a reader.
        assert_eq!(operators(b"<< /A (x) Tj"), Vec::<String>::new());
        let garbage: Vec<u8> = (0..20_000u32).map(|i| (i * 7919 % 251) as u8).collect();
        assert!(operations(&garbage).len() < garbage.len());
    }

    #[test]
    fn flattens_deep_nesting_without_recursion_overflow() {
        let mut data = vec![b'['; 100_000];
        data.extend(vec![b']'; 100_000]);
        data.extend_from_slice(b" TJ");
        let ops = operations(&data);
        assert_eq!(ops.len(), 1);
        let many_operands = b"1 ".repeat(10_000);
        let ops = operations(&[many_operands.as_slice(), b"m"].concat());
        assert_eq!(ops[0].operands.len(), MAX_OPERANDS);
        let huge_array = [b"[".as_slice(), &b"1 ".repeat(100_000), b"] TJ"].concat();
        assert_eq!(
            operations(&huge_array)[0].operands,
            vec![Operand::Array(vec![Operand::Number(1.0); MAX_ARRAY_ITEMS])]
        );
    }
}
