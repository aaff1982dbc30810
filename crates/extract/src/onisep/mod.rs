//! Extractor for ONISEP's Idéo open data (the Éducation nationale's orientation publisher,
//! the documentation of the CIO network): `;`-separated CSV files, one document per ONISEP
//! fiche, identified by the slug of its onisep.fr link (`MET.877`, `FOR.6913`).
//!
//! A file is read by its header: the job fiches (`libellé métier`) refer to the ROME job
//! they describe; the initial-education programmes (`libellé formation principal`) to the
//! RNCP certification they prepare, with their level and duration. Rows of one fiche are
//! merged (a job is listed once per publication); bad rows are skipped and reported.

mod jobs;
mod programmes;

use crate::table::{decode, parse, Table};
use crate::{ExtractError, Extracted};

const FORMAT: &str = "onisep";

/// The column holding each fiche's onisep.fr link, whose last segment is its key.
const LINK: &str = "lien site onisep.fr";

/// The documents of one ONISEP file and what was skipped while reading it.
#[derive(Debug, Default)]
pub struct FileExtraction {
    pub documents: Vec<Extracted>,
    /// Skipped rows, one sentence each.
    pub warnings: Vec<String>,
}

/// Extracts the fiches of one ONISEP CSV file, recognised by its header.
pub fn extract(bytes: &[u8]) -> Result<FileExtraction, ExtractError> {
    let text = decode(bytes.to_vec());
    let mut warnings = Vec::new();
    let table = parse("onisep", &text, b';', &mut warnings);
    let documents = if table.column(jobs::TITLE).is_some() {
        jobs::read(&table, &mut warnings)?
    } else if table.column(programmes::TITLE).is_some() {
        programmes::read(&table, &mut warnings)?
    } else {
        return Err(ExtractError::malformed(
            FORMAT,
            format!(
                "neither a job table (column {:?}) nor a programme table (column {:?})",
                jobs::TITLE,
                programmes::TITLE
            ),
        ));
    };
    Ok(FileExtraction {
        documents,
        warnings,
    })
}

/// The column named `header`, or why the table cannot be read.
fn required(table: &Table, header: &str) -> Result<usize, ExtractError> {
    table
        .column(header)
        .ok_or_else(|| ExtractError::malformed(FORMAT, format!("no column {header:?}")))
}

/// `https://www.onisep.fr/http/redirection/metier/slug/MET.877` → `MET.877`: the last
/// segment of a link, if it is a slug of letters, digits, `.`, `-` and `_`.
fn slug_of_link(link: &str) -> Option<&str> {
    let slug = link.trim().trim_end_matches('/').rsplit('/').next()?;
    let valid = !slug.is_empty()
        && slug.len() <= 64
        && slug
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    valid.then_some(slug)
}

/// "orthoptiste" → "Orthoptiste": ONISEP writes its titles in lowercase.
fn capitalized(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "a/b| c/d" → ["a", "b", "c", "d"] without repeats: ONISEP's domains and sub-domains.
fn domains(value: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in value.split(['|', '/']) {
        let part = part.trim();
        if !part.is_empty() && !out.iter().any(|known| known == part) {
            out.push(part.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests;
