//! Downloads of the original files of the corpus, confined to the corpus folder.
//!
//! The requested path is percent-decoded (so `%2F` is a plain `/`), then refused if any
//! part is empty, `.`, `..`, hidden, or holds a backslash or NUL; the canonical path (links
//! resolved) must still lie inside the canonical corpus folder and be a regular file.
//! Refusals are 404s, like missing files, so that nothing is learnt about the disk.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::ingest::source::{SIDECAR_SUFFIX, SOURCE_FILE};
use crate::server::error::{ApiError, ApiPath};
use crate::server::AppState;

/// `GET /files/{*path}`: the original file, with its content type.
pub async fn download(
    State(state): State<AppState>,
    ApiPath(path): ApiPath<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let file = resolve(state.corpus(), &path).await?;
    let served = ServeFile::new(&file)
        .oneshot(request)
        .await
        .map_err(ApiError::internal)?
        .map(Body::new);
    let mut response = served.into_response();
    if response.status().is_success() {
        let headers = response.headers_mut();
        let (content_type, inline) = content_type(&file);
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        let name = file
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let disposition = format!(
            "{}; filename*=UTF-8''{}",
            if inline { "inline" } else { "attachment" },
            percent_encoding::utf8_percent_encode(&name, percent_encoding::NON_ALPHANUMERIC)
        );
        if let Ok(value) = HeaderValue::from_str(&disposition) {
            headers.insert(header::CONTENT_DISPOSITION, value);
        }
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("sandbox; default-src 'none'"),
        );
    }
    Ok(response)
}

/// The file that `requested` names inside `corpus`, or 404.
pub async fn resolve(corpus: &Path, requested: &str) -> Result<PathBuf, ApiError> {
    let not_found = || ApiError::FileNotFound(requested.to_string());
    let mut relative = PathBuf::new();
    for part in requested.split('/') {
        if is_refused(part) {
            return Err(not_found());
        }
        relative.push(part);
    }
    let root = tokio::fs::canonicalize(corpus)
        .await
        .map_err(|error| ApiError::internal(format!("corpus folder: {error}")))?;
    let file = tokio::fs::canonicalize(root.join(&relative))
        .await
        .map_err(|_| not_found())?;
    let metadata = tokio::fs::metadata(&file).await.map_err(|_| not_found())?;
    // A link inside the corpus is followed, and its target must pass the same checks: a
    // link to `source.toml` or to a hidden file is refused like the file itself.
    let target_allowed = file.strip_prefix(&root).is_ok_and(|inside| {
        inside.components().all(|part| {
            part.as_os_str()
                .to_str()
                .is_some_and(|part| !is_refused(part))
        })
    });
    if target_allowed && metadata.is_file() {
        Ok(file)
    } else {
        Err(not_found())
    }
}

/// Whether a part of a path names something never served: empty, `.`, `..`, hidden, with
/// a backslash or NUL, a source's configuration or a sidecar.
fn is_refused(part: &str) -> bool {
    part.is_empty()
        || part.starts_with('.')
        || part.contains(['\\', '\0'])
        || part == SOURCE_FILE
        || part.ends_with(SIDECAR_SUFFIX)
}

/// Content type of a file from its extension, and whether browsers may show it inline.
fn content_type(file: &Path) -> (&'static str, bool) {
    let extension = file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    match extension.as_str() {
        "pdf" => ("application/pdf", true),
        "txt" | "text" => ("text/plain; charset=utf-8", true),
        "md" | "markdown" => ("text/markdown; charset=utf-8", true),
        "html" | "htm" => ("text/html; charset=utf-8", false),
        "xhtml" => ("application/xhtml+xml", false),
        "xml" => ("application/xml", false),
        "json" => ("application/json", false),
        "jsonl" => ("application/jsonl", false),
        "csv" => ("text/csv; charset=utf-8", false),
        "docx" => (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            false,
        ),
        "odt" => ("application/vnd.oasis.opendocument.text", false),
        _ => ("application/octet-stream", false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus");

    /// Regression (issue 11, item 10): links inside the corpus got around the name checks
    /// (a link to `source.toml` or to a hidden file was served).
    #[cfg(unix)]
    #[tokio::test]
    async fn links_are_checked_like_the_files_they_name() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("cio");
        std::fs::create_dir_all(source.join(".private")).unwrap();
        std::fs::write(source.join("source.toml"), "format = \"files\"\n").unwrap();
        std::fs::write(source.join(".env"), "SECRET=1").unwrap();
        std::fs::write(source.join(".private/notes.md"), "# Notes").unwrap();
        std::fs::write(source.join("guide.md.meta.toml"), "title = \"x\"").unwrap();
        std::fs::write(source.join("guide.md"), "# Guide").unwrap();
        symlink(source.join("source.toml"), source.join("config.md")).unwrap();
        symlink(source.join(".env"), source.join("env.txt")).unwrap();
        symlink(source.join(".private"), source.join("public")).unwrap();
        symlink(source.join("guide.md.meta.toml"), source.join("meta.txt")).unwrap();
        symlink(source.join("guide.md"), source.join("alias.md")).unwrap();
        for refused in [
            "cio/config.md",
            "cio/env.txt",
            "cio/public/notes.md",
            "cio/meta.txt",
        ] {
            assert!(resolve(dir.path(), refused).await.is_err(), "{refused}");
        }
        let alias = resolve(dir.path(), "cio/alias.md").await.unwrap();
        assert!(alias.ends_with("cio/guide.md"), "a plain link is followed");
    }

    #[tokio::test]
    async fn resolves_real_files_of_the_corpus() {
        let file = resolve(Path::new(CORPUS), "spo/accord-cadre-spo-paca.pdf")
            .await
            .expect("the bundled PDF");
        assert!(file.ends_with("spo/accord-cadre-spo-paca.pdf"));
        assert_eq!(content_type(&file), ("application/pdf", true));
        assert_eq!(
            content_type(Path::new("a.DOCX")).0,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
    }

    #[tokio::test]
    async fn refuses_everything_outside_or_hidden() {
        for path in [
            "../Cargo.toml",
            "spo/../../Cargo.toml",
            "spo/./accord-cadre-spo-paca.pdf",
            "/etc/passwd",
            "spo//accord-cadre-spo-paca.pdf",
            "spo\\..\\..\\Cargo.toml",
            "spo/accord-cadre-spo-paca.pdf\0",
            ".git/config",
            "spo/source.toml",
            "spo",
            "spo/missing.pdf",
            "",
        ] {
            let result = resolve(Path::new(CORPUS), path).await;
            assert!(
                matches!(result, Err(ApiError::FileNotFound(_))),
                "{path:?} gave {result:?}"
            );
        }
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn refuses_links_that_lead_out_of_the_corpus() {
        let outside = tempfile::tempdir().expect("temp dir");
        std::fs::write(outside.path().join("secret.txt"), "secret").expect("write");
        let corpus = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(corpus.path().join("src")).expect("mkdir");
        std::fs::write(corpus.path().join("src/ok.txt"), "ok").expect("write");
        std::os::unix::fs::symlink(
            outside.path().join("secret.txt"),
            corpus.path().join("src/link.txt"),
        )
        .expect("symlink");
        std::os::unix::fs::symlink(outside.path(), corpus.path().join("src/dir")).expect("symlink");
        assert!(resolve(corpus.path(), "src/ok.txt").await.is_ok());
        for path in ["src/link.txt", "src/dir/secret.txt"] {
            assert!(
                matches!(
                    resolve(corpus.path(), path).await,
                    Err(ApiError::FileNotFound(_))
                ),
                "{path}"
            );
        }
    }
}
