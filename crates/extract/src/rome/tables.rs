//! Loading a ROME release folder: its CSV tables ([`crate::table`]), found by name rather
//! than by version (`unix_<table>_v<NNN>_utf8.csv` -> `<table>`), and the publication date
//! of `version.txt`.

use std::collections::HashMap;
use std::path::Path;

use crate::date::{Date, DateFormat};
use crate::table::{decode, parse, read_limited, Table};
use crate::ExtractError;

/// Largest table accepted; the biggest table of the v460 release is 3 MB.
const MAX_TABLE_BYTES: u64 = 64 * 1024 * 1024;

/// Largest `version.txt` read; the real one is about 1 KB.
const MAX_VERSION_BYTES: u64 = 64 * 1024;

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
        tables.insert(name.clone(), parse(&name, &text, b',', &mut warnings));
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
}
