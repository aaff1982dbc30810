//! Extractor for an export of the RNCP (France Compétences' national register of
//! professional certifications), v1.4 layout: a folder of `;`-separated tables joined on the
//! certification number, one document per certification.
//!
//! `rncp_info` lists the certifications (number, title, kind, European level, status, end of
//! registration, previous and next certification); `rncp_rome` the ROME jobs each leads
//! to, `rncp_blocs_competences` its blocks of skills, `rncp_voix_acces` its access routes,
//! `rncp_certificateurs` its certifiers, `rncp_nsf` its domains. Tables are recognised by
//! these names in the file name (`rncp_info_2024.csv` is `info`), columns by header name.
//! Only `info` is required: a missing table or column leaves its part of the documents
//! empty, and bad rows are skipped; both are reported as warnings.

mod certification;

use std::collections::HashMap;
use std::path::Path;

use crate::table::{decode, field, parse, read_limited, Table};
use crate::{ExtractError, Extracted};
use certification::{Certification, Joined};

const FORMAT: &str = "rncp";

/// Largest table accepted; the largest table of the 2021 export is 4.2 MB.
const MAX_TABLE_BYTES: u64 = 64 * 1024 * 1024;

/// The tables of an export, each by the name its file name contains.
const TABLES: [&str; 6] = [
    "info",
    "rome",
    "blocs_competences",
    "voix_acces",
    "certificateurs",
    "nsf",
];

/// Column of the certification number in every table but `info`.
const CODE: &str = "CodeRNCP";

/// The certifications of an export and what was skipped while reading it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExportExtraction {
    /// One document per certification, in the order of `rncp_info`.
    pub certifications: Vec<Extracted>,
    /// Skipped rows and missing tables or columns, one sentence each.
    pub warnings: Vec<String>,
}

/// Extracts one document per certification of the export in `dir`.
///
/// Fails when the folder cannot be read, a table is over 64 MiB, or the `info` table (with
/// its `Numero_Fiche` and `Intitule` columns) is missing.
pub fn extract(dir: &Path) -> Result<ExportExtraction, ExtractError> {
    let mut warnings = Vec::new();
    let tables = load(dir, &mut warnings)?;
    let info = tables
        .get("info")
        .ok_or_else(|| ExtractError::malformed(FORMAT, "missing table rncp_info"))?;
    let joined = Joined::new(&tables, &mut warnings);
    let certifications = Certification::read_all(info, &mut warnings)?;
    let titles: HashMap<&str, &str> = certifications
        .iter()
        .map(|certification| (certification.number, certification.title))
        .collect();
    let documents = certifications
        .iter()
        .map(|certification| certification.document(&joined, &titles))
        .collect();
    Ok(ExportExtraction {
        certifications: documents,
        warnings,
    })
}

/// Reads the known tables of `dir` (`.csv` files whose name contains a table's name, the
/// longest name winning); other `.csv` files are reported and ignored.
fn load(
    dir: &Path,
    warnings: &mut Vec<String>,
) -> Result<HashMap<&'static str, Table>, ExtractError> {
    let io_error = |error: std::io::Error| ExtractError::Io(format!("{}: {error}", dir.display()));
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(io_error)?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<_, _>>()
        .map_err(io_error)?;
    paths.sort();
    let mut tables = HashMap::new();
    for path in paths {
        let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
            continue;
        };
        let lower = name.to_ascii_lowercase();
        if !lower.ends_with(".csv") {
            continue;
        }
        let Some(table) = TABLES.into_iter().find(|table| lower.contains(table)) else {
            warnings.push(format!("{name}: not a table of the RNCP export, ignored"));
            continue;
        };
        if tables.contains_key(table) {
            warnings.push(format!("{name}: a second {table} table, ignored"));
            continue;
        }
        let text = decode(read_limited(&path, MAX_TABLE_BYTES)?);
        tables.insert(table, parse(table, &text, b';', warnings));
    }
    for table in TABLES {
        if !tables.contains_key(table) && table != "info" {
            warnings.push(format!("table {table} is missing"));
        }
    }
    Ok(tables)
}

/// The rows of `table` grouped by certification number, each row reduced to the fields of
/// `columns`; a missing table or column is reported and gives nothing.
fn by_certification<'a, const N: usize>(
    tables: &'a HashMap<&'static str, Table>,
    table: &str,
    columns: [&str; N],
    warnings: &mut Vec<String>,
) -> HashMap<&'a str, Vec<[&'a str; N]>> {
    let mut grouped: HashMap<&str, Vec<[&str; N]>> = HashMap::new();
    let Some(rows) = tables.get(table) else {
        return grouped;
    };
    let Some(code) = rows.column(CODE) else {
        warnings.push(format!("table {table} has no column {CODE}, ignored"));
        return grouped;
    };
    let mut positions = [0; N];
    for (position, name) in positions.iter_mut().zip(columns) {
        match rows.column(name) {
            Some(column) => *position = column,
            None => {
                warnings.push(format!("table {table} has no column {name}, ignored"));
                return grouped;
            }
        }
    }
    for row in rows.rows() {
        let number = field(row, code);
        if number.is_empty() {
            continue;
        }
        let values = positions.map(|column| field(row, column));
        let entry = grouped.entry(number).or_default();
        if !entry.contains(&values) {
            entry.push(values);
        }
    }
    grouped
}

#[cfg(test)]
mod tests;
