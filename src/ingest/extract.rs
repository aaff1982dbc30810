//! Extraction of one unit into documents, under limits: file size, time, and panics caught.
//!
//! Reading a unit ([`load_unit`]) gives its content hash, so an unchanged unit costs one read
//! and no extraction. [`extract_unit`] then runs the format's extractor on its own thread,
//! bounded in time, and turns each [`Extracted`] into a [`Document`] with its id, metadata,
//! language and normalised text.

use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use super::source::{hex_digest, Sidecar, Source, Unit};
use crate::analysis::{detect_language, normalize, slug};
use crate::model::{Document, Extracted, Facet, Format, Lang};
use spo_extract::{ExtractError, Extraction, Input};

/// Bounds on the work spent on one unit.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest file read, in bytes.
    pub max_file_bytes: u64,
    /// Longest extraction of one unit.
    pub timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 100 * 1024 * 1024,
            timeout: Duration::from_secs(60),
        }
    }
}

/// The bytes of a unit's files and its hash.
#[derive(Debug)]
pub struct LoadedUnit {
    pub files: Vec<Vec<u8>>,
    pub sidecar: Option<Sidecar>,
    pub hash: String,
}

/// Reads a unit's files (within the size limit) and hashes them with the source
/// configuration and the sidecar.
pub fn load_unit(
    unit: &Unit,
    source: &Source,
    limits: &Limits,
) -> Result<LoadedUnit, ExtractError> {
    let mut hasher_input = Vec::new();
    hasher_input.extend_from_slice(source.config_hash.as_bytes());
    let mut files = Vec::with_capacity(unit.files.len());
    for path in &unit.files {
        let bytes = read_limited(path, limits.max_file_bytes)?;
        hasher_input.extend_from_slice(path.to_string_lossy().as_bytes());
        hasher_input.extend_from_slice(hex_digest(&bytes).as_bytes());
        files.push(bytes);
    }
    let sidecar = match &unit.sidecar {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| ExtractError::Io(e.to_string()))?;
            hasher_input.extend_from_slice(text.as_bytes());
            let sidecar = Sidecar::parse(&text).map_err(|reason| ExtractError::Malformed {
                format: "sidecar",
                reason: format!("{}: {reason}", path.display()),
            })?;
            Some(sidecar)
        }
        None => None,
    };
    Ok(LoadedUnit {
        files,
        sidecar,
        hash: hex_digest(&hasher_input),
    })
}

fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, ExtractError> {
    let size = std::fs::metadata(path)
        .map_err(|e| ExtractError::Io(e.to_string()))?
        .len();
    if size > limit {
        return Err(ExtractError::TooLarge { size, limit });
    }
    std::fs::read(path).map_err(|e| ExtractError::Io(e.to_string()))
}

/// One document that failed inside a unit that otherwise worked (a bad JSON record).
#[derive(Debug)]
pub struct RecordFailure {
    pub what: String,
    pub error: ExtractError,
}

/// The documents of a unit, the records that failed, and the extractor's warnings (skipped
/// rows of a ROME release).
#[derive(Debug, Default)]
pub struct UnitOutcome {
    pub documents: Vec<Document>,
    pub record_failures: Vec<RecordFailure>,
    pub warnings: Vec<String>,
}

/// Extracts every document of a loaded unit. An `Err` means the whole unit failed.
pub fn extract_unit(
    unit: &Unit,
    source: &Source,
    loaded: LoadedUnit,
    limits: &Limits,
) -> Result<UnitOutcome, ExtractError> {
    let format = unit.format;
    let mapping = source.config.json.clone();
    let release_dir = source.dir.clone();
    let files = loaded.files;
    let Extraction {
        documents,
        warnings,
    } = run_bounded(limits.timeout, move || {
        let first = files.first().map(Vec::as_slice).unwrap_or_default();
        let input = match format {
            Format::Rome | Format::Rncp => Input::Release(&release_dir),
            Format::Json => {
                let mapping = mapping
                    .as_ref()
                    .ok_or_else(|| ExtractError::malformed("json", "no [json] mapping"))?;
                Input::Export(first, mapping)
            }
            _ => Input::File(first),
        };
        spo_extract::extract(format, input)
    })?;
    let mut outcome = UnitOutcome {
        warnings,
        ..UnitOutcome::default()
    };
    for (index, result) in documents.into_iter().enumerate() {
        match result {
            Ok(content) => match build_document(unit, source, loaded.sidecar.as_ref(), content) {
                Some(document) => outcome.documents.push(document),
                None => outcome.record_failures.push(RecordFailure {
                    what: format!("{} record {index}", unit.key),
                    error: ExtractError::malformed("record", "no id"),
                }),
            },
            Err(error) => outcome.record_failures.push(RecordFailure {
                what: format!("{} record {index}", unit.key),
                error,
            }),
        }
    }
    Ok(outcome)
}

/// Stack of an extraction thread: a main thread's, the stack the fuzz targets (`fuzz/`) run
/// the extractors with. A stack overflow aborts the process, it cannot be caught as a panic.
const EXTRACTION_STACK_BYTES: usize = 8 * 1024 * 1024;

/// Runs `job` on its own thread; a job over `timeout` is abandoned and reported, a panic is
/// caught and reported.
fn run_bounded<T: Send + 'static>(
    timeout: Duration,
    job: impl FnOnce() -> Result<T, ExtractError> + Send + 'static,
) -> Result<T, ExtractError> {
    let (sender, receiver) = mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("extract".into())
        .stack_size(EXTRACTION_STACK_BYTES)
        .spawn(move || {
            let result = std::panic::catch_unwind(AssertUnwindSafe(job))
                .unwrap_or_else(|panic| Err(ExtractError::Panicked(panic_message(&panic))));
            let _ = sender.send(result);
        })
        .map_err(|e| ExtractError::Io(format!("cannot start extraction thread: {e}")))?;
    match receiver.recv_timeout(timeout) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => Err(ExtractError::Timeout {
            seconds: timeout.as_secs(),
        }),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err(ExtractError::Panicked("no result".into()))
        }
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// The document id: a prefix plus the record key, the path inside the source for DILA
/// fiches (`sp:particuliers/F2301`), or the corpus path for plain files.
fn document_id(unit: &Unit, source: &Source, key: Option<&str>) -> Option<String> {
    let prefix = source.config.id_prefix.as_deref().unwrap_or("");
    match unit.format {
        Format::Rome | Format::Rncp | Format::Json | Format::Onisep | Format::Lheo => {
            key.map(|k| format!("{prefix}{k}"))
        }
        Format::Dila => {
            let path = unit.files.first()?;
            let inner = super::source::relative_key(&source.dir, &path.with_extension(""));
            Some(format!("{prefix}{inner}"))
        }
        _ => Some(format!("{prefix}{}", unit.key)),
    }
}

fn build_document(
    unit: &Unit,
    source: &Source,
    sidecar: Option<&Sidecar>,
    mut content: Extracted,
) -> Option<Document> {
    let id = document_id(unit, source, content.key.as_deref())?;
    let mut metadata = source.config.metadata.clone();
    // A date: the sidecar's, else the source's, else what the file says of itself (its
    // metadata: a PDF's ModDate, else its CreationDate...), else none; never the file
    // system's, which says when the file was copied.
    if metadata.date.is_some() {
        content.date = metadata.date;
    }
    if let Some(sidecar) = sidecar {
        metadata = metadata.overridden_by(&sidecar.metadata);
        override_content(&mut content, sidecar);
    }
    if metadata.values(Facet::Audience).is_empty() {
        metadata.set(Facet::Audience, content.audience.clone());
    }
    if let Some(kind) = content.kind.as_deref().map(slug).filter(|k| !k.is_empty()) {
        metadata.set(Facet::Kind, vec![kind]);
    }
    // A record's own metadata (a JSON export's `[json.metadata]`, names checked when the
    // source was read) is more precise than its source's or its file's.
    for (name, values) in &content.metadata {
        if let Some(facet) = Facet::of_metadata(name) {
            metadata.set(facet, values.clone());
        }
    }
    // What a document says of itself (the level of a certification, the departments of a
    // training offer's places) is more precise than its source's default.
    let declared = [
        (
            Facet::Level,
            content.level.map(|l| l.to_string()).into_iter().collect(),
        ),
        (Facet::Access, content.access_routes.clone()),
        (Facet::Territory, content.departments.clone()),
    ];
    for (facet, values) in declared {
        if !values.is_empty() {
            metadata.set(facet, values);
        }
    }
    normalize_content(&mut content);
    if content.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
        content.title = unit
            .files
            .first()
            .and_then(|p| p.file_stem())
            .map(|s| s.to_string_lossy().into_owned());
    }
    let declared = content.language.as_deref().and_then(Lang::from_code);
    let source_lang = metadata.language.as_deref().and_then(Lang::from_code);
    let language = match declared.or(source_lang) {
        // A record of a publisher's export is in the language its record or its source
        // declares: detecting it took a sixth of indexing's CPU on a generated export.
        Some(lang) if is_export(unit.format) => lang,
        // Files come from anywhere, and their declarations are often wrong (LibreOffice
        // writes its UI language, en-US, into French documents): detection on the text
        // wins; the declaration, then the source's language, decide only for texts too
        // short to detect.
        fallback => detect_language(&content.body, fallback.unwrap_or(Lang::Fr)),
    };
    Some(Document {
        id,
        source: source.name.clone(),
        format: unit.format,
        path: unit.key.clone(),
        language,
        metadata,
        content,
        vocabulary: Vec::new(),
    })
}

/// Whether documents of `format` are records of a publisher's export (JSON, CSV and XML
/// tables, DILA fiches) rather than files collected one by one.
fn is_export(format: Format) -> bool {
    !matches!(
        format,
        Format::Pdf | Format::Html | Format::Text | Format::Markdown | Format::Docx | Format::Odt
    )
}

fn override_content(content: &mut Extracted, sidecar: &Sidecar) {
    if sidecar.title.is_some() {
        content.title = sidecar.title.clone();
    }
    if sidecar.description.is_some() {
        content.description = sidecar.description.clone();
    }
    if sidecar.date.is_some() {
        content.date = sidecar.date;
    }
    if sidecar.url.is_some() {
        content.url = sidecar.url.clone();
    }
    if sidecar.metadata.language.is_some() {
        content.language = sidecar.metadata.language.clone();
    }
    content.keywords.extend(sidecar.keywords.iter().cloned());
}

/// NFKC-normalises every text of a document, so that analysis and snippets see one form.
/// Page offsets are remapped when normalisation changes the body's length.
fn normalize_content(content: &mut Extracted) {
    let own = |text: &mut String| {
        if let std::borrow::Cow::Owned(normalized) = normalize(text) {
            *text = normalized;
        }
    };
    if let Some(title) = content.title.as_mut() {
        own(title);
    }
    if let Some(description) = content.description.as_mut() {
        own(description);
    }
    content.alt_titles.iter_mut().for_each(own);
    content.headings.iter_mut().for_each(own);
    content.keywords.iter_mut().for_each(own);
    if content.page_starts.len() > 1 {
        let mut body = String::with_capacity(content.body.len());
        let mut starts = Vec::with_capacity(content.page_starts.len());
        let mut bounds = content.page_starts.clone();
        bounds.push(content.body.len());
        for pair in bounds.windows(2) {
            starts.push(body.len());
            if let Some(page) = content.body.get(pair[0]..pair[1]) {
                body.push_str(&normalize(page));
            }
        }
        content.body = body;
        content.page_starts = starts;
    } else {
        own(&mut content.body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_and_timeouts_become_errors() {
        let panicked = run_bounded(Duration::from_secs(5), || -> Result<(), ExtractError> {
            panic!("boom")
        });
        assert_eq!(panicked, Err(ExtractError::Panicked("boom".into())));
        let slow = run_bounded(Duration::from_millis(50), || -> Result<(), ExtractError> {
            std::thread::sleep(Duration::from_secs(2));
            Ok(())
        });
        assert_eq!(slow, Err(ExtractError::Timeout { seconds: 0 }));
    }

    #[test]
    fn normalisation_keeps_page_offsets_on_page_boundaries() {
        let mut content = Extracted {
            body: "e\u{301}te\u{301}\n\nﬁn".into(),
            page_starts: vec![0, "e\u{301}te\u{301}\n\n".len()],
            ..Extracted::default()
        };
        normalize_content(&mut content);
        assert_eq!(content.body, "été\n\nfin");
        assert_eq!(&content.body[content.page_starts[1]..], "fin");
    }
}
