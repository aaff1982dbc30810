//! Sources: the folders of `corpus/`, how each is read (`source.toml`), and the units of
//! incremental indexing found in them.
//!
//! A *unit* is the smallest set of files whose content decides a set of documents: one file
//! for most formats, one JSON export for its records, the whole folder for a ROME release
//! (its tables are joined). A unit is re-extracted when the hash of its files, of their
//! sidecars or of the source's `source.toml` changes.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::model::{Date, Facet, Format, Metadata};
use spo_extract::json::JsonMapping;

/// Name of the file that configures a source folder.
pub const SOURCE_FILE: &str = "source.toml";
/// Suffix of a sidecar that overrides metadata for one file: `guide.pdf.meta.toml`.
pub const SIDECAR_SUFFIX: &str = ".meta.toml";

/// How the files of a source are read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    /// Each file by its extension (PDF, HTML, text, Markdown, DOCX, ODT).
    #[default]
    Files,
    /// A ROME CSV release: the folder is one unit, one document per job profile.
    Rome,
    /// service-public.fr fiches in DILA XML, one document per file.
    Dila,
    /// JSON or JSONL exports mapped by the `[json]` table, one document per record.
    Json,
    /// An RNCP export (CSV tables): the folder is one unit, one document per certification.
    Rncp,
    /// ONISEP open data (CSV files), one document per job fiche or programme.
    Onisep,
    /// Training offers in LHÉO XML, one document per offer.
    Lheo,
}

impl SourceFormat {
    /// The format of a source whose whole folder is one unit (its tables are joined).
    fn of_folder(self) -> Option<Format> {
        match self {
            SourceFormat::Rome => Some(Format::Rome),
            SourceFormat::Rncp => Some(Format::Rncp),
            _ => None,
        }
    }

    /// The format of a file of this source, by its extension; `None` for files it does not
    /// read.
    fn of_file(self, path: &Path, extension: &str) -> Option<Format> {
        match (self, extension) {
            (SourceFormat::Dila, "xml") => Some(Format::Dila),
            (SourceFormat::Json, "json" | "jsonl") => Some(Format::Json),
            (SourceFormat::Onisep, "csv") => Some(Format::Onisep),
            (SourceFormat::Lheo, "xml") => Some(Format::Lheo),
            (SourceFormat::Files, _) => Format::of_file(path),
            _ => None,
        }
    }
}

/// The content of a `source.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    #[serde(default)]
    pub format: SourceFormat,
    /// Prefix of document ids (`rome:`); ids of plain files are their corpus path.
    pub id_prefix: Option<String>,
    #[serde(default)]
    pub metadata: Metadata,
    /// Field mapping of a JSON export (required with `format = "json"`).
    pub json: Option<JsonMapping>,
}

/// A source folder of the corpus.
#[derive(Debug, Clone)]
pub struct Source {
    /// Folder name, used as the `source` facet.
    pub name: String,
    pub dir: PathBuf,
    pub config: SourceConfig,
    /// Hash of `source.toml`, part of every unit hash.
    pub config_hash: String,
}

/// A unit of incremental indexing.
#[derive(Debug, Clone)]
pub struct Unit {
    /// Path relative to the corpus root, with `/` separators: the manifest key.
    pub key: String,
    /// Index of its source in the list returned by [`discover`].
    pub source: usize,
    /// How its files are read: a file of one document, a file of records ([`Format::Json`],
    /// [`Format::Onisep`], [`Format::Lheo`]) or a folder of tables ([`Format::Rome`],
    /// [`Format::Rncp`]).
    pub format: Format,
    /// Files read by the unit (one, or the release's tables).
    pub files: Vec<PathBuf>,
    /// Sidecar metadata file, if any.
    pub sidecar: Option<PathBuf>,
}

/// A file or folder of the corpus that is not indexed, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Skipped {
    /// Path under the corpus.
    pub path: String,
    /// Why it is not indexed.
    pub reason: String,
}

/// Errors in the corpus layout or configuration: the documentalist's to fix.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("corpus folder {0} does not exist or is not a folder")]
    MissingCorpus(PathBuf),
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid {path}: {message}")]
    Config { path: PathBuf, message: String },
}

/// Everything found in a corpus folder.
#[derive(Debug, Default)]
pub struct Discovery {
    pub sources: Vec<Source>,
    pub units: Vec<Unit>,
    pub skipped: Vec<Skipped>,
}

/// Finds the sources and units of `corpus`. A folder without `source.toml` is read as
/// `format = "files"` with no metadata; files at the corpus root are not indexed (that is
/// where the corpus README with provenance lives).
pub fn discover(corpus: &Path) -> Result<Discovery, SourceError> {
    if !corpus.is_dir() {
        return Err(SourceError::MissingCorpus(corpus.to_path_buf()));
    }
    let mut discovery = Discovery::default();
    for dir in sorted_entries(corpus)? {
        let name = file_name(&dir);
        if name.starts_with('.') || !is_real_dir(&dir) {
            continue;
        }
        let source = load_source(&dir, name)?;
        let source_index = discovery.sources.len();
        collect_units(corpus, &source, source_index, &mut discovery)?;
        discovery.sources.push(source);
    }
    Ok(discovery)
}

fn load_source(dir: &Path, name: String) -> Result<Source, SourceError> {
    let path = dir.join(SOURCE_FILE);
    let (config, config_hash) = match fs::read_to_string(&path) {
        Ok(text) => {
            let config: SourceConfig = toml::from_str(&text).map_err(|e| SourceError::Config {
                path: path.clone(),
                message: e.message().to_string(),
            })?;
            if config.format == SourceFormat::Json && config.json.is_none() {
                return Err(SourceError::Config {
                    path,
                    message: "format = \"json\" needs a [json] table mapping the fields".into(),
                });
            }
            if let Some(message) = config.json.as_ref().and_then(unknown_metadata_name) {
                return Err(SourceError::Config { path, message });
            }
            (config, hex_digest(text.as_bytes()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            (SourceConfig::default(), String::new())
        }
        Err(source) => return Err(SourceError::Io { path, source }),
    };
    Ok(Source {
        name,
        dir: dir.to_path_buf(),
        config,
        config_hash,
    })
}

/// Why a `[json.metadata]` key names no metadata facet, for the first such key.
fn unknown_metadata_name(mapping: &JsonMapping) -> Option<String> {
    let name = mapping
        .metadata
        .keys()
        .find(|name| Facet::of_metadata(name).is_none())?;
    let known: Vec<&str> = Facet::ALL
        .into_iter()
        .filter(|facet| Facet::of_metadata(facet.field_name()).is_some())
        .map(Facet::field_name)
        .collect();
    Some(format!(
        "[json.metadata]: unknown field `{name}`, expected one of {}",
        known.join(", ")
    ))
}

fn collect_units(
    corpus: &Path,
    source: &Source,
    source_index: usize,
    discovery: &mut Discovery,
) -> Result<(), SourceError> {
    if let Some(format) = source.config.format.of_folder() {
        let mut files = Vec::new();
        walk_files(&source.dir, &mut files)?;
        files.retain(|f| !is_config_file(f));
        discovery.units.push(Unit {
            key: relative_key(corpus, &source.dir),
            source: source_index,
            format,
            files,
            sidecar: None,
        });
        return Ok(());
    }
    let mut files = Vec::new();
    walk_files(&source.dir, &mut files)?;
    for file in files {
        if is_config_file(&file) {
            continue;
        }
        let key = relative_key(corpus, &file);
        let extension = file
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let Some(format) = source.config.format.of_file(&file, &extension) else {
            discovery.skipped.push(Skipped {
                path: key,
                reason: format!("unsupported file type .{extension}"),
            });
            continue;
        };
        let sidecar_path = PathBuf::from(format!("{}{SIDECAR_SUFFIX}", file.display()));
        let sidecar = sidecar_path.is_file().then_some(sidecar_path);
        discovery.units.push(Unit {
            key,
            source: source_index,
            format,
            files: vec![file],
            sidecar,
        });
    }
    Ok(())
}

fn is_config_file(path: &Path) -> bool {
    let name = file_name(path);
    name == SOURCE_FILE || name.ends_with(SIDECAR_SUFFIX)
}

/// Recursively lists regular files under `dir`, sorted, skipping hidden entries and symbolic
/// links (a link could lead out of the corpus).
fn walk_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), SourceError> {
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in sorted_entries(&current)? {
            if file_name(&entry).starts_with('.') {
                continue;
            }
            let Ok(meta) = fs::symlink_metadata(&entry) else {
                continue;
            };
            if meta.is_dir() {
                pending.push(entry);
            } else if meta.is_file() {
                out.push(entry);
            }
        }
    }
    out.sort();
    Ok(())
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, SourceError> {
    let io = |source| SourceError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir).map_err(io)? {
        entries.push(entry.map_err(io)?.path());
    }
    entries.sort();
    Ok(entries)
}

fn is_real_dir(path: &Path) -> bool {
    fs::symlink_metadata(path)
        .map(|m| m.is_dir())
        .unwrap_or(false)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `corpus/spo/a.pdf` → `spo/a.pdf`, always with `/`.
pub fn relative_key(corpus: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(corpus).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn hex_digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A sidecar: per-file overrides (`title`, `description`, `date`, `url`, `keywords`) and
/// the keys of a `[metadata]` table, side by side at the top level.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sidecar {
    pub title: Option<String>,
    pub description: Option<String>,
    pub date: Option<Date>,
    pub url: Option<String>,
    pub keywords: Vec<String>,
    pub metadata: Metadata,
}

/// The per-file keys of a sidecar; every other key is metadata.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Overrides {
    title: Option<String>,
    description: Option<String>,
    date: Option<Date>,
    url: Option<String>,
    #[serde(default)]
    keywords: Vec<String>,
}

impl Sidecar {
    /// Parses a sidecar's text; an unknown key or a date that does not exist is an error.
    pub fn parse(text: &str) -> Result<Sidecar, String> {
        let message = |e: toml::de::Error| e.message().to_string();
        let mut table: toml::Table = toml::from_str(text).map_err(message)?;
        let mut overrides = toml::Table::new();
        for key in ["title", "description", "date", "url", "keywords"] {
            if let Some(value) = table.remove(key) {
                overrides.insert(key.to_string(), value);
            }
        }
        let overrides: Overrides = overrides.try_into().map_err(message)?;
        let metadata: Metadata = table.try_into().map_err(message)?;
        Ok(Sidecar {
            title: overrides.title,
            description: overrides.description,
            date: overrides.date,
            url: overrides.url,
            keywords: overrides.keywords,
            metadata,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus");

    #[test]
    fn bundled_corpus_has_its_sources() {
        let discovery = discover(Path::new(CORPUS)).expect("discover corpus");
        let names: Vec<&str> = discovery.sources.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "lheo",
                "onisep",
                "rncp",
                "rome",
                "service-public",
                "spo",
                "travail-emploi"
            ]
        );
        let formats = |format| {
            discovery
                .units
                .iter()
                .filter(|u| u.format == format)
                .count()
        };
        assert_eq!(
            [Format::Rncp, Format::Onisep, Format::Lheo].map(formats),
            [1, 2, 1]
        );
        let release: Vec<&Unit> = discovery
            .units
            .iter()
            .filter(|u| u.format == Format::Rome)
            .collect();
        assert_eq!(release.len(), 1);
        assert_eq!(release[0].key, "rome");
        let dila = discovery.units.iter().filter(|u| u.format == Format::Dila);
        assert_eq!(dila.count(), 1103);
        assert!(discovery
            .units
            .iter()
            .any(|u| u.key == "spo/accord-cadre-spo-paca.pdf"));
        assert!(discovery.skipped.is_empty(), "{:?}", discovery.skipped);
    }

    #[test]
    fn missing_corpus_and_bad_config_are_clear_errors() {
        let err = discover(Path::new("/nonexistent/corpus")).unwrap_err();
        assert!(err.to_string().contains("does not exist"));

        let dir = tempfile::tempdir().expect("tempdir");
        let source = dir.path().join("bad");
        fs::create_dir(&source).expect("mkdir");
        fs::write(source.join(SOURCE_FILE), "format = \"json\"\n").expect("write");
        let err = discover(dir.path()).unwrap_err().to_string();
        assert!(err.contains("[json]"), "{err}");

        fs::write(
            source.join(SOURCE_FILE),
            "format = \"json\"\n[json]\nid = \"id\"\n[json.metadata]\nreseau = \"n\"\n",
        )
        .expect("write");
        let err = discover(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("[json.metadata]: unknown field `reseau`, expected one of network, kind"),
            "{err}"
        );

        fs::write(source.join(SOURCE_FILE), "format = \"excel\"\n").expect("write");
        let err = discover(dir.path()).unwrap_err().to_string();
        assert!(err.contains("source.toml"), "{err}");
    }

    #[test]
    fn unknown_files_are_skipped_with_a_reason_and_sidecars_attach() {
        let dir = tempfile::tempdir().expect("tempdir");
        let source = dir.path().join("docs");
        fs::create_dir(&source).expect("mkdir");
        fs::write(source.join("a.txt"), "Bonjour").expect("write");
        fs::write(source.join("a.txt.meta.toml"), "network = \"cio\"").expect("write");
        fs::write(source.join("b.xlsx"), "x").expect("write");
        let discovery = discover(dir.path()).expect("discover");
        assert_eq!(discovery.units.len(), 1);
        assert!(discovery.units[0].sidecar.is_some());
        assert_eq!(discovery.skipped[0].path, "docs/b.xlsx");
        assert!(discovery.skipped[0].reason.contains("xlsx"));
    }

    #[test]
    fn sidecar_parses_overrides_and_metadata() {
        let sidecar = Sidecar::parse(
            "title = \"Guide\"\ndate = \"2024-02-29\"\nnetwork = \"cio\"\naudience = [\"jeunes\"]",
        )
        .expect("sidecar");
        assert_eq!(sidecar.title.as_deref(), Some("Guide"));
        assert_eq!(sidecar.date, Date::new(2024, 2, 29));
        assert_eq!(
            sidecar.metadata.first(crate::model::Facet::Network),
            Some("cio")
        );
        assert_eq!(
            sidecar.metadata.values(crate::model::Facet::Audience),
            ["jeunes"]
        );
        assert!(Sidecar::parse("colour = 1").is_err());
        let impossible = Sidecar::parse("date = \"2025-02-31\"").unwrap_err();
        assert!(impossible.contains("not a date"), "{impossible}");
    }
}
