//! The documentalists' file operations on the corpus: adding a document to a source folder
//! and removing one, with every name and every byte checked first.
//!
//! A file name is reduced to a safe base name (no folder part, no leading dot, ASCII letters,
//! digits, `-`, `_` and one extension) and its content must be what its extension says: a
//! renamed executable or a PDF named `.html` is refused. Files land atomically: written
//! under a hidden temporary name (which indexing ignores) and renamed into place.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::ingest::source::{SourceConfig, SourceFormat, SOURCE_FILE};
use crate::model::Format;

/// Longest file name kept, in bytes.
const MAX_NAME_BYTES: usize = 120;
/// Numbers the temporary files of uploads, unique within the process.
static NEXT_UPLOAD: AtomicU64 = AtomicU64::new(0);

/// Why an upload or a removal was refused, or failed.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("no source folder named {0:?}")]
    UnknownSource(String),
    #[error("source {0:?} is a generated export: its files are not managed one by one")]
    NotAFileSource(String),
    #[error("file name refused: {0}")]
    BadName(String),
    #[error("the file is empty")]
    Empty,
    #[error("the content is not {expected}: {found}")]
    WrongType {
        expected: &'static str,
        found: String,
    },
    #[error("{0} already exists; send replace=true to replace it")]
    Exists(String),
    #[error("no file {0} in this source")]
    Missing(String),
    #[error("corpus file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl UploadError {
    /// True when the request was at fault (4xx), false for a server-side failure.
    pub fn is_client_error(&self) -> bool {
        !matches!(self, UploadError::Io { .. })
    }
}

/// The folder of source `name` under `corpus`, and the formats its files may have.
fn source_dir(corpus: &Path, name: &str) -> Result<(PathBuf, SourceFormat), UploadError> {
    let valid = !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let dir = corpus.join(name);
    if !valid || !dir.is_dir() || dir.is_symlink() {
        return Err(UploadError::UnknownSource(name.to_string()));
    }
    let config_path = dir.join(SOURCE_FILE);
    let format = match fs::read_to_string(&config_path) {
        Ok(text) => toml::from_str::<SourceConfig>(&text)
            .map(|c| c.format)
            .map_err(|e| UploadError::Io {
                path: config_path,
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()),
            })?,
        Err(_) => SourceFormat::Files,
    };
    match format {
        SourceFormat::Files | SourceFormat::Dila | SourceFormat::Lheo => Ok((dir, format)),
        SourceFormat::Rome | SourceFormat::Json | SourceFormat::Rncp | SourceFormat::Onisep => {
            Err(UploadError::NotAFileSource(name.to_string()))
        }
    }
}

/// A safe base name for an uploaded file: the last component of `raw`, folded to ASCII,
/// with one lowercase extension that a source of `format` indexes.
pub fn sanitize_name(raw: &str, format: SourceFormat) -> Result<String, UploadError> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("").trim();
    if base.chars().any(char::is_control) {
        return Err(UploadError::BadName("control characters".into()));
    }
    let Some((stem, extension)) = base.rsplit_once('.') else {
        return Err(UploadError::BadName(format!("{base:?} has no extension")));
    };
    let extension = extension.to_ascii_lowercase();
    let stem = crate::analysis::slug(stem);
    if stem.is_empty() || stem.len() + extension.len() + 1 > MAX_NAME_BYTES {
        return Err(UploadError::BadName(format!(
            "{base:?} is empty or too long"
        )));
    }
    let name = format!("{stem}.{extension}");
    let accepted = match format {
        SourceFormat::Dila | SourceFormat::Lheo => extension == "xml",
        _ => Format::of_file(Path::new(&name)).is_some(),
    };
    if !accepted {
        return Err(UploadError::BadName(format!(
            "\".{extension}\" is not a format this source indexes"
        )));
    }
    Ok(name)
}

/// What the bytes of a file are, judged by their content.
fn sniff(bytes: &[u8]) -> &'static str {
    let head = &bytes[..bytes.len().min(1024)];
    if head.starts_with(b"%PDF-") {
        return "pdf";
    }
    if head.starts_with(b"PK\x03\x04") {
        return match zip_kind(bytes) {
            Some(kind) => kind,
            None => "zip",
        };
    }
    let decoded;
    let text = match std::str::from_utf8(bytes) {
        Ok(text) if text.contains('\0') => return "binary",
        Ok(text) => text,
        // Latin-1, Windows-1252 or UTF-16 (with its mark) text, decoded as the extractors
        // will; a binary file decodes to control characters.
        Err(_) => {
            decoded = spo_extract::text::decode_text(bytes);
            let binary = decoded.chars().any(|c| {
                c == '\u{fffd}' || (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c'))
            });
            if binary {
                return "binary";
            }
            &decoded
        }
    };
    let start = text.trim_start_matches('\u{feff}').trim_start();
    let lower: String = start
        .chars()
        .take(512)
        .collect::<String>()
        .to_ascii_lowercase();
    if lower.starts_with("<?xml") && !lower.contains("<html") {
        "xml"
    } else if lower.starts_with("<!doctype html")
        || lower.contains("<html")
        || lower.contains("<body")
    {
        "html"
    } else {
        "text"
    }
}

/// `docx` or `odt` for office packages, by their entries.
fn zip_kind(bytes: &[u8]) -> Option<&'static str> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    if archive.by_name("word/document.xml").is_ok() {
        return Some("docx");
    }
    let mut mimetype = String::new();
    archive
        .by_name("mimetype")
        .ok()?
        .take(100)
        .read_to_string(&mut mimetype)
        .ok()?;
    (mimetype.trim() == "application/vnd.oasis.opendocument.text").then_some("odt")
}

/// Checks that `bytes` are what the extension of `name` says (and are something at all).
pub fn check_content(name: &str, bytes: &[u8]) -> Result<(), UploadError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(UploadError::Empty);
    }
    let extension = name.rsplit('.').next().unwrap_or("");
    let expected: &[&'static str] = match extension {
        "pdf" => &["pdf"],
        "docx" => &["docx"],
        "odt" => &["odt"],
        "html" | "htm" | "xhtml" => &["html", "xml"],
        "xml" => &["xml"],
        _ => &["text"],
    };
    let found = sniff(bytes);
    if expected.contains(&found) {
        Ok(())
    } else {
        Err(UploadError::WrongType {
            expected: expected[0],
            found: found.to_string(),
        })
    }
}

/// Stores an uploaded file as `source/name` (sanitised), refusing to overwrite unless
/// `replace`; returns its path relative to the corpus.
pub fn store(
    corpus: &Path,
    source: &str,
    raw_name: &str,
    bytes: &[u8],
    replace: bool,
) -> Result<String, UploadError> {
    let (dir, format) = source_dir(corpus, source)?;
    let name = sanitize_name(raw_name, format)?;
    check_content(&name, bytes)?;
    let target = dir.join(&name);
    let relative = format!("{source}/{name}");
    if target.symlink_metadata().is_ok() && !replace {
        return Err(UploadError::Exists(relative));
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| UploadError::Io { path, source }
    };
    // One temporary file per request: two uploads of the same name at once must not share
    // one (they did, and 11 of 40 answered 500).
    let unique = NEXT_UPLOAD.fetch_add(1, Ordering::Relaxed);
    let temporary = dir.join(format!(".upload-{}-{unique}-{name}", std::process::id()));
    let mut file = fs::File::create_new(&temporary).map_err(io(&temporary))?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| fs::rename(&temporary, &target));
    if let Err(error) = written {
        let _ = fs::remove_file(&temporary);
        return Err(io(&target)(error));
    }
    Ok(relative)
}

/// Removes `source/name` and its metadata sidecar, if any.
pub fn remove(corpus: &Path, source: &str, name: &str) -> Result<String, UploadError> {
    let (dir, _) = source_dir(corpus, source)?;
    let relative = format!("{source}/{name}");
    let safe = !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\', '\0'])
        && name != SOURCE_FILE;
    let target = dir.join(name);
    if !safe || !target.is_file() || target.is_symlink() {
        return Err(UploadError::Missing(relative));
    }
    fs::remove_file(&target).map_err(|source| UploadError::Io {
        path: target.clone(),
        source,
    })?;
    let sidecar = dir.join(format!("{name}{}", crate::ingest::source::SIDECAR_SUFFIX));
    if sidecar.is_file() {
        let _ = fs::remove_file(sidecar);
    }
    Ok(relative)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("cio")).unwrap();
        fs::write(dir.path().join("cio/source.toml"), "format = \"files\"\n").unwrap();
        fs::create_dir_all(dir.path().join("rome")).unwrap();
        fs::write(dir.path().join("rome/source.toml"), "format = \"rome\"\n").unwrap();
        dir
    }

    #[test]
    fn names_lose_folders_dots_and_accents() {
        let files = SourceFormat::Files;
        assert_eq!(
            sanitize_name("../../etc/Guide Métiers.PDF", files).unwrap(),
            "guide-metiers.pdf"
        );
        assert_eq!(
            sanitize_name("C:\\x\\..\\fiche.md", files).unwrap(),
            "fiche.md"
        );
        assert_eq!(
            sanitize_name("a<script>b.html", files).unwrap(),
            "a-script-b.html"
        );
        for bad in [
            "",
            "..",
            ".htaccess",
            "noext",
            "evil.exe",
            "x\r\n.pdf",
            "../.pdf",
        ] {
            assert!(sanitize_name(bad, files).is_err(), "{bad:?}");
        }
        assert!(sanitize_name("fiche.xml", files).is_err());
        assert_eq!(
            sanitize_name("Offre PACA.xml", SourceFormat::Lheo).unwrap(),
            "offre-paca.xml"
        );
        assert_eq!(
            sanitize_name("F2301.XML", SourceFormat::Dila).unwrap(),
            "f2301.xml"
        );
    }

    #[test]
    fn content_must_match_the_extension() {
        let pdf = fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/corpus/spo/accord-cadre-spo-paca.pdf"
        ))
        .unwrap();
        let docx = fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/corpus/spo/accord-cadre-spo-paca.docx"
        ))
        .unwrap();
        let odt = fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/corpus/spo/accord-cadre-spo-paca.odt"
        ))
        .unwrap();
        assert!(check_content("a.pdf", &pdf).is_ok());
        assert!(check_content("a.docx", &docx).is_ok());
        assert!(check_content("a.odt", &odt).is_ok());
        assert!(check_content("a.md", "# Titre\n\nTexte.".as_bytes()).is_ok());
        assert!(check_content("a.html", b"<!DOCTYPE html><html><body>x</body></html>").is_ok());
        assert!(matches!(
            check_content("a.html", &pdf),
            Err(UploadError::WrongType { .. })
        ));
        assert!(check_content("a.pdf", b"MZ\x90\x00 not a pdf").is_err());
        assert!(check_content("a.docx", &odt).is_err());
        assert!(check_content("a.txt", b"\x7fELF\x02\x01\x01\0\0").is_err());
        assert!(check_content("a.txt", &[0xff, 0xfe, 0x00]).is_err());
        // Regression (issue 11, item 12): Latin-1 and UTF-16 texts were refused as binary.
        let latin1 = b"# M\xe9tier\n\n\xc9lectricien du b\xe2timent.";
        assert!(check_content("a.md", latin1).is_ok());
        let utf16: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain(
                "# Métier\n\nÉlectricien."
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            )
            .collect();
        assert!(check_content("a.md", &utf16).is_ok());
        assert!(check_content("a.md", b"\x81\x8d\x90\x9d binary \x01\x02").is_err());
        assert!(matches!(
            check_content("a.md", b""),
            Err(UploadError::Empty)
        ));
        assert!(matches!(
            check_content("a.txt", b" \n\t"),
            Err(UploadError::Empty)
        ));
    }

    /// Regression (issue 11, item 8): simultaneous uploads of one name shared a temporary
    /// file, and some failed or landed mixed.
    #[test]
    fn simultaneous_uploads_of_one_name_each_land_whole() {
        let dir = corpus();
        let uploads = 40;
        let barrier = std::sync::Barrier::new(uploads);
        let contents: Vec<String> = (0..uploads)
            .map(|i| format!("# Fiche {i}\n\n{}\n", format!("ligne {i} ").repeat(20_000)))
            .collect();
        let results: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = contents
                .iter()
                .map(|content| {
                    let (barrier, root) = (&barrier, dir.path());
                    scope.spawn(move || {
                        barrier.wait();
                        store(root, "cio", "fiche.md", content.as_bytes(), true)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let failed: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
        assert!(failed.is_empty(), "{failed:?}");
        let landed = fs::read_to_string(dir.path().join("cio/fiche.md")).unwrap();
        assert!(contents.contains(&landed), "one upload, whole");
        let leftovers = fs::read_dir(dir.path().join("cio"))
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".upload"))
            .count();
        assert_eq!(leftovers, 0);
    }

    #[test]
    fn files_land_in_their_source_and_leave_it_only_by_name() {
        let dir = corpus();
        let stored = store(dir.path(), "cio", "Fiche.md", b"# Fiche\n", false).unwrap();
        assert_eq!(stored, "cio/fiche.md");
        assert_eq!(
            fs::read(dir.path().join("cio/fiche.md")).unwrap(),
            b"# Fiche\n"
        );
        assert!(matches!(
            store(dir.path(), "cio", "fiche.md", b"# Autre\n", false),
            Err(UploadError::Exists(_))
        ));
        store(dir.path(), "cio", "fiche.md", b"# Autre\n", true).unwrap();
        assert_eq!(
            fs::read(dir.path().join("cio/fiche.md")).unwrap(),
            b"# Autre\n"
        );
        let leftovers: Vec<_> = fs::read_dir(dir.path().join("cio"))
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
            .collect();
        assert!(leftovers.is_empty());

        for source in ["..", "../cio", "nope", "", "rome"] {
            assert!(
                store(dir.path(), source, "x.md", b"x", false).is_err(),
                "{source}"
            );
        }
        for name in ["../source.toml", "source.toml", ".hidden", "../../x", ""] {
            assert!(remove(dir.path(), "cio", name).is_err(), "{name}");
        }
        assert!(dir.path().join("cio/source.toml").is_file());
        assert_eq!(
            remove(dir.path(), "cio", "fiche.md").unwrap(),
            "cio/fiche.md"
        );
        assert!(!dir.path().join("cio/fiche.md").exists());
        assert!(matches!(
            remove(dir.path(), "cio", "fiche.md"),
            Err(UploadError::Missing(_))
        ));
    }
}
