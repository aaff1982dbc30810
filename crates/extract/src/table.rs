//! CSV tables with named columns, as the public referentials publish them (the ROME
//! release, the RNCP export, ONISEP's open data): read within a size limit, decoded as UTF-8
//! or, failing that, Windows-1252 (some tables are published in it under a `utf8` name),
//! columns found by header name, and rows that do not fit skipped and reported.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use csv::StringRecord;

use crate::ExtractError;

/// Longest field kept, in bytes: the longest real one (an RNCP title) is under 1 KB. A row
/// with a longer field is skipped and reported.
pub(crate) const MAX_FIELD_BYTES: usize = 64 * 1024;

/// One CSV table.
pub(crate) struct Table {
    headers: StringRecord,
    rows: Vec<StringRecord>,
}

impl Table {
    /// Index of the column with this header name.
    pub(crate) fn column(&self, header: &str) -> Option<usize> {
        self.headers.iter().position(|name| name == header)
    }

    /// The header names.
    pub(crate) fn headers(&self) -> impl Iterator<Item = &str> {
        self.headers.iter()
    }

    /// The data rows, each with exactly as many fields as the header.
    pub(crate) fn rows(&self) -> &[StringRecord] {
        &self.rows
    }
}

/// The field of `row` at `column`, trimmed; empty when out of range.
pub(crate) fn field(row: &StringRecord, column: usize) -> &str {
    row.get(column).unwrap_or_default().trim()
}

/// Reads a file, refusing it when it is over `limit` bytes.
pub(crate) fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, ExtractError> {
    let io_error = |error: std::io::Error| ExtractError::Io(format!("{}: {error}", path.display()));
    let mut bytes = Vec::new();
    File::open(path)
        .map_err(io_error)?
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size > limit {
        return Err(ExtractError::TooLarge { size, limit });
    }
    Ok(bytes)
}

/// Parses CSV text separated by `delimiter` whose first row is the header. Rows of another
/// width than the header's, rows with a field over [`MAX_FIELD_BYTES`] and rows the CSV
/// reader refuses are skipped, each with a warning naming the table and the row.
pub(crate) fn parse(name: &str, text: &str, delimiter: u8, warnings: &mut Vec<String>) -> Table {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader.headers().cloned().unwrap_or_default();
    let mut headers_trimmed = StringRecord::new();
    for header in headers.iter() {
        headers_trimmed.push_field(header.trim());
    }
    let mut rows = Vec::new();
    for (index, row) in reader.records().enumerate() {
        let row_number = index + 2;
        match row {
            Ok(row) if row.len() != headers_trimmed.len() => warnings.push(format!(
                "{name} row {row_number}: {} fields, the header has {}",
                row.len(),
                headers_trimmed.len()
            )),
            Ok(row) if row.iter().any(|field| field.len() > MAX_FIELD_BYTES) => warnings.push(
                format!("{name} row {row_number}: a field is over {MAX_FIELD_BYTES} bytes"),
            ),
            Ok(row) => rows.push(row),
            Err(error) => warnings.push(format!("{name} row {row_number}: {error}")),
        }
    }
    Table {
        headers: headers_trimmed,
        rows,
    }
}

/// UTF-8 text as is (without a byte order mark), anything else as Windows-1252.
pub(crate) fn decode(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(text) => match text.strip_prefix('\u{feff}') {
            Some(stripped) => stripped.to_owned(),
            None => text,
        },
        Err(error) => windows_1252(error.as_bytes()),
    }
}

/// Windows-1252 characters of bytes 0x80 to 0x9F; the five unassigned bytes give U+FFFD.
const WINDOWS_1252_HIGH: [char; 32] = [
    '€', '\u{fffd}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{fffd}', 'Ž',
    '\u{fffd}', '\u{fffd}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{fffd}',
    'ž', 'Ÿ',
];

/// Decodes Windows-1252: Latin-1 except for bytes 0x80 to 0x9F.
fn windows_1252(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&byte| match byte {
            0x80..=0x9f => WINDOWS_1252_HIGH
                .get(usize::from(byte - 0x80))
                .copied()
                .unwrap_or('\u{fffd}'),
            _ => char::from(byte),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_is_decoded() {
        assert_eq!(
            decode(b"caf\xe9 \x80 \x92 \x81".to_vec()),
            "café € ’ \u{fffd}"
        );
        assert_eq!(decode("\u{feff}déjà".as_bytes().to_vec()), "déjà");
    }

    #[test]
    fn rows_that_do_not_fit_are_skipped() {
        let mut warnings = Vec::new();
        let table = parse(
            "t",
            " a , b\n1,2\n3\n4,5,6\n\"7\",\"8 \"\"x\"\"\"\n\"unterminated,9",
            b',',
            &mut warnings,
        );
        assert_eq!(table.column("b"), Some(1));
        let rows: Vec<Vec<&str>> = table
            .rows()
            .iter()
            .map(|row| row.iter().collect())
            .collect();
        assert_eq!(rows, [vec!["1", "2"], vec!["7", "8 \"x\""]]);
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(warnings[0].starts_with("t row 3: 1 fields"));
        let empty = parse("e", "", b',', &mut warnings);
        assert!(empty.rows().is_empty() && empty.column("a").is_none());
    }

    #[test]
    fn huge_fields_and_other_delimiters() {
        let mut warnings = Vec::new();
        let huge = "x".repeat(MAX_FIELD_BYTES + 1);
        let text = format!("a;b\n1;\"deux; et trois\"\n2;{huge}\n3;4\n");
        let table = parse("t", &text, b';', &mut warnings);
        let firsts: Vec<&str> = table.rows().iter().map(|row| field(row, 0)).collect();
        assert_eq!(firsts, ["1", "3"]);
        assert_eq!(field(&table.rows()[0], 1), "deux; et trois");
        assert_eq!(
            warnings,
            [format!("t row 3: a field is over {MAX_FIELD_BYTES} bytes")]
        );
    }

    #[test]
    fn oversized_files_are_refused() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("big.csv");
        std::fs::write(&path, [b'x'; 11]).expect("write test file");
        assert_eq!(
            read_limited(&path, 10).err(),
            Some(ExtractError::TooLarge {
                size: 11,
                limit: 10
            })
        );
        assert_eq!(read_limited(&path, 11).map(|bytes| bytes.len()), Ok(11));
    }
}
