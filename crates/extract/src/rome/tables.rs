//! Loading a ROME release folder: its CSV tables, found by name rather than by version
//! (`unix_<table>_v<NNN>_utf8.csv` -> `<table>`), their columns found by header name, and
//! the publication date of `version.txt`.
//!
//! Files that are not valid UTF-8 (some releases ship a Windows-1252 table under a `_utf8`
//! name) are decoded as Windows-1252. Rows whose field count differs from the header are
//! skipped and reported as warnings.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use csv::StringRecord;

use crate::date::{Date, DateFormat};
use crate::ExtractError;

/// Largest table accepted; the biggest table of the v460 release is 3 MB.
const MAX_TABLE_BYTES: u64 = 64 * 1024 * 1024;

/// Largest `version.txt` read; the real one is about 1 KB.
const MAX_VERSION_BYTES: u64 = 64 * 1024;

/// One CSV table of the release.
pub(super) struct Table {
    headers: StringRecord,
    rows: Vec<StringRecord>,
}

impl Table {
    /// Index of the column with this header name.
    pub(super) fn column(&self, header: &str) -> Option<usize> {
        self.headers.iter().position(|name| name == header)
    }

    /// The header names.
    pub(super) fn headers(&self) -> impl Iterator<Item = &str> {
        self.headers.iter()
    }

    /// The data rows, each with exactly as many fields as the header.
    pub(super) fn rows(&self) -> &[StringRecord] {
        &self.rows
    }
}

/// The field of `row` at `column`, trimmed; empty when out of range.
pub(super) fn field(row: &StringRecord, column: usize) -> &str {
    row.get(column).unwrap_or_default().trim()
}

/// The tables of a release folder, by table name, and what was skipped while reading them.
pub(super) struct Release {
    pub(super) tables: HashMap<String, Table>,
    /// Publication date from `version.txt`.
    pub(super) date: Option<Date>,
    pub(super) warnings: Vec<String>,
}

/// Reads every `unix_*.csv` table of `dir`; when a table comes in several versions, the
/// highest one is kept.
pub(super) fn load(dir: &Path) -> Result<Release, ExtractError> {
    let io_error = |error: std::io::Error| ExtractError::Io(format!("{}: {error}", dir.display()));
    let mut newest: HashMap<String, (u32, std::path::PathBuf)> = HashMap::new();
    let mut warnings = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_error)? {
        let path = entry.map_err(io_error)?.path();
        let Some((name, version)) = path
            .file_name()
            .and_then(|file_name| file_name.to_str())
            .and_then(table_name)
        else {
            continue;
        };
        match newest.get(name) {
            Some((kept, _)) if *kept >= version => {
                warnings.push(format!("{name}: version {version} ignored, {kept} kept"));
            }
            Some((older, _)) => {
                warnings.push(format!("{name}: version {older} ignored, {version} kept"));
                newest.insert(name.to_owned(), (version, path));
            }
            None => {
                newest.insert(name.to_owned(), (version, path));
            }
        }
    }
    let mut tables = HashMap::new();
    for (name, (_, path)) in newest {
        let text = decode(read_limited(&path, MAX_TABLE_BYTES)?);
        tables.insert(name.clone(), parse_table(&name, &text, &mut warnings));
    }
    let date = read_limited(&dir.join("version.txt"), MAX_VERSION_BYTES)
        .ok()
        .and_then(|bytes| publication_date(&decode(bytes)));
    Ok(Release {
        tables,
        date,
        warnings,
    })
}

/// `unix_texte_v460_utf8.csv` -> `("texte", 460)`; `None` for other file names.
fn table_name(file_name: &str) -> Option<(&str, u32)> {
    let stem = file_name.strip_prefix("unix_")?.strip_suffix(".csv")?;
    let stem = stem.strip_suffix("_utf8").unwrap_or(stem);
    let (name, version) = stem.rsplit_once("_v")?;
    if name.is_empty() || version.is_empty() || !version.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    Some((name, version.parse().ok()?))
}

/// Reads a file, refusing it when it is over `limit` bytes.
fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, ExtractError> {
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

/// Parses CSV text whose first row is the header; rows of the wrong width are skipped.
fn parse_table(name: &str, text: &str, warnings: &mut Vec<String>) -> Table {
    let mut reader = csv::ReaderBuilder::new()
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
            Ok(row) if row.len() == headers_trimmed.len() => rows.push(row),
            Ok(row) => warnings.push(format!(
                "{name} row {row_number}: {} fields, the header has {}",
                row.len(),
                headers_trimmed.len()
            )),
            Err(error) => warnings.push(format!("{name} row {row_number}: {error}")),
        }
    }
    Table {
        headers: headers_trimmed,
        rows,
    }
}

/// UTF-8 text as is (without a byte order mark), anything else as Windows-1252.
fn decode(bytes: Vec<u8>) -> String {
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

/// "Date de publication : 18/09/2025" in `version.txt`.
fn publication_date(version: &str) -> Option<Date> {
    let line = version
        .lines()
        .find(|line| line.trim_start().starts_with("Date de publication"))?;
    let (_, date) = line.split_once(':')?;
    DateFormat::parse("%d/%m/%Y").ok()?.read(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_ignore_the_version() {
        assert_eq!(table_name("unix_texte_v460_utf8.csv"), Some(("texte", 460)));
        assert_eq!(
            table_name("unix_referentiel_code_rome_v461.csv"),
            Some(("referentiel_code_rome", 461))
        );
        assert_eq!(table_name("unix_v460_utf8.csv"), None);
        assert_eq!(table_name("unix_texte_vX_utf8.csv"), None);
        assert_eq!(table_name("unix_texte_v+4_utf8.csv"), None);
        assert_eq!(table_name("texte_v460_utf8.csv"), None);
        assert_eq!(table_name("version.txt"), None);
    }

    #[test]
    fn windows_1252_is_decoded() {
        assert_eq!(
            decode(b"caf\xe9 \x80 \x92 \x81".to_vec()),
            "café € ’ \u{fffd}"
        );
        assert_eq!(decode("\u{feff}déjà".as_bytes().to_vec()), "déjà");
    }

    #[test]
    fn rows_of_the_wrong_width_are_skipped() {
        let mut warnings = Vec::new();
        let table = parse_table(
            "t",
            " a , b\n1,2\n3\n4,5,6\n\"7\",\"8 \"\"x\"\"\"\n\"unterminated,9",
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
        let empty = parse_table("e", "", &mut warnings);
        assert!(empty.rows().is_empty() && empty.column("a").is_none());
    }

    #[test]
    fn publication_date_of_version_txt() {
        let version = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../corpus/rome/version.txt"
        ))
        .expect("version.txt is readable");
        assert_eq!(
            publication_date(&decode(version))
                .map(|d| d.to_string())
                .as_deref(),
            Some("2025-09-18")
        );
        assert_eq!(publication_date("Date de publication : 32/09/2025"), None);
        assert_eq!(publication_date("Date de publication : 18/09"), None);
        assert_eq!(publication_date("Date de publication 18/09/2025"), None);
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
