//! Building the index: incremental, atomic, and reporting every failure.
//!
//! A run discovers the corpus's units, hashes each one and compares it with the manifest of
//! the last commit; only new or changed units are extracted (in parallel, bounded in time),
//! removed ones have their documents deleted, and one commit carries both the documents and
//! the new manifest. Readers keep seeing the previous commit until then; a run killed at any
//! point leaves the previous commit intact, and the next run redoes what was lost.

pub mod fault;
pub mod manifest;
pub mod report;
pub mod snapshot;
pub mod upgrade;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use tantivy::{Index, IndexWriter, Term};

use crate::analysis;
use crate::ingest::extract::{self, Limits, UnitOutcome};
use crate::ingest::source::{self, Discovery, SourceError, Unit};
use crate::model::{Facet, Format, UNSET};
use crate::schema::{build_schema, to_tantivy, Fields, SCHEMA_VERSION};
use fault::DiskFault;
use manifest::{DocEntry, Manifest, UnitEntry};
use report::IndexReport;
use spo_extract::ExtractError;

/// Errors that stop a run: the corpus layout, the index folder, or tantivy itself.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("index folder {path}: {message}")]
    Folder { path: PathBuf, message: String },
    /// The disk refused a write (full, read-only, forbidden, size limit): the run stopped
    /// before its commit, so the last committed index is still whole and served.
    #[error(
        "index folder {path}: {fault} ({detail}); indexing stopped, the last committed index \
         is unchanged"
    )]
    Disk {
        path: PathBuf,
        fault: DiskFault,
        detail: String,
    },
    #[error("another indexing run (or a restore) holds the index lock; wait for it to finish")]
    Locked,
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

/// What a run indexes, where, and within which limits.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    pub corpus: PathBuf,
    pub index: PathBuf,
    pub limits: Limits,
    /// Extraction threads.
    pub threads: usize,
    /// Memory budget of the index writer, in bytes.
    pub writer_memory: usize,
    /// Re-extract every unit, as if the index were empty (one commit replaces everything).
    pub rebuild: bool,
}

impl IndexOptions {
    /// Options with default limits for `corpus` and `index`.
    pub fn new(corpus: impl Into<PathBuf>, index: impl Into<PathBuf>) -> IndexOptions {
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        IndexOptions {
            corpus: corpus.into(),
            index: index.into(),
            limits: Limits::default(),
            threads,
            writer_memory: 200_000_000,
            rebuild: false,
        }
    }
}

/// The manifest of the last commit of `index`.
pub fn committed_manifest(index: &Index) -> Result<Manifest, IndexError> {
    Ok(Manifest::from_payload(
        index.load_metas()?.payload.as_deref(),
    ))
}

/// Opens the index at `dir`, creating it when absent; an index of another schema version is
/// emptied so that this run rebuilds it. `None`: the folder holds an index of an older
/// spo-search, to be rebuilt beside it ([`upgrade`]).
fn open_or_create(dir: &Path) -> Result<Option<(Index, Fields, Manifest)>, IndexError> {
    let folder = |message: String| IndexError::Folder {
        path: dir.to_path_buf(),
        message,
    };
    std::fs::create_dir_all(dir).map_err(|e| match DiskFault::of_io(&e) {
        Some(fault) => disk_error(dir, fault, e.to_string()),
        None => folder(e.to_string()),
    })?;
    let index = if dir.join("meta.json").is_file() {
        Index::open_in_dir(dir).map_err(|e| folder(format!("cannot open: {e}")))?
    } else {
        Index::create_in_dir(dir, build_schema()).map_err(|e| match DiskFault::of_tantivy(&e) {
            Some((fault, detail)) => disk_error(dir, fault, detail),
            None => folder(format!("cannot create: {e}")),
        })?
    };
    analysis::register(&index);
    let mut manifest = committed_manifest(&index)?;
    if !upgrade::has_our_schema(&index) {
        if upgrade::is_ours(&index) {
            return Ok(None);
        }
        return Err(folder(
            "holds an index of another schema; move it away or delete it, then re-run".into(),
        ));
    }
    if manifest.schema_version != SCHEMA_VERSION {
        manifest = Manifest::default();
    }
    let fields = Fields::resolve(&index.schema())?;
    Ok(Some((index, fields, manifest)))
}

/// What a worker learned about one unit.
enum UnitResult {
    Unchanged,
    Extracted { hash: String, outcome: UnitOutcome },
    Failed { hash: String, error: ExtractError },
}

fn disk_error(dir: &Path, fault: DiskFault, detail: String) -> IndexError {
    IndexError::Disk {
        path: dir.to_path_buf(),
        fault,
        detail,
    }
}

/// Runs one indexing pass. `progress` is called with (units done, units total).
///
/// A disk fault (full disk, read-only folder...) stops the run with [`IndexError::Disk`]
/// before anything is committed: the previous commit stays whole and served.
pub fn run(
    options: &IndexOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<IndexReport, IndexError> {
    run_pass(options, progress).map_err(|error| match error {
        IndexError::Tantivy(inner) => match DiskFault::of_tantivy(&inner) {
            Some((fault, detail)) => disk_error(&options.index, fault, detail),
            None => IndexError::Tantivy(inner),
        },
        other => other,
    })
}

fn run_pass(
    options: &IndexOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<IndexReport, IndexError> {
    let started = Instant::now();
    let discovery = source::discover(&options.corpus)?;
    let Some((index, fields, mut previous)) = open_or_create(&options.index)? else {
        return upgrade::rebuild_beside(options, progress);
    };
    if options.rebuild {
        previous = Manifest::default();
    }
    let mut writer: IndexWriter = index
        .writer_with_num_threads(options.threads.clamp(1, 4), options.writer_memory)
        .map_err(|e| match e {
            tantivy::TantivyError::LockFailure(
                tantivy::directory::error::LockError::LockBusy,
                _,
            ) => IndexError::Locked,
            other => IndexError::Tantivy(other),
        })?;

    if previous.units.is_empty() && index.reader()?.searcher().num_docs() > 0 {
        // Documents without a manifest to account for them (another schema version, or an
        // unreadable payload): start from an empty index in this same commit.
        writer.delete_all_documents()?;
    }
    let mut report = IndexReport {
        skipped: discovery.skipped.clone(),
        ..IndexReport::default()
    };
    let mut next = Manifest::default();
    let mut owners: HashMap<String, String> = HashMap::new();
    let mut changed = false;
    let total = discovery.units.len();
    let mut done = 0;

    let (sender, receiver) = mpsc::channel::<(usize, UnitResult)>();
    let cursor = AtomicUsize::new(0);
    let extracted = std::thread::scope(|scope| -> Result<(), IndexError> {
        for _ in 0..options.threads.max(1) {
            let sender = sender.clone();
            let (cursor, discovery, previous) = (&cursor, &discovery, &previous);
            scope.spawn(move || loop {
                let position = cursor.fetch_add(1, Ordering::Relaxed);
                let Some(unit) = discovery.units.get(position) else {
                    break;
                };
                let result = process_unit(unit, discovery, previous, &options.limits);
                if sender.send((position, result)).is_err() {
                    break;
                }
            });
        }
        drop(sender);
        for (position, result) in receiver {
            let unit = &discovery.units[position];
            let source_name = &discovery.sources[unit.source].name;
            let old = previous.units.get(&unit.key);
            match result {
                UnitResult::Unchanged => {
                    if let Some(entry) = old {
                        for doc in &entry.documents {
                            owners.insert(doc.id.clone(), unit.key.clone());
                        }
                        next.units.insert(unit.key.clone(), entry.clone());
                    }
                    report.units_unchanged += 1;
                }
                UnitResult::Extracted { hash, outcome } => {
                    changed = true;
                    report.units_extracted += 1;
                    report.documents_deleted += delete_documents(&writer, &fields, old);
                    let entry = add_documents(
                        &writer,
                        &fields,
                        unit,
                        &discovery,
                        hash,
                        outcome,
                        &mut owners,
                        &mut report,
                    )?;
                    next.units.insert(unit.key.clone(), entry);
                }
                UnitResult::Failed { hash, error } => {
                    changed = true;
                    report.units_extracted += 1;
                    report.documents_deleted += delete_documents(&writer, &fields, old);
                    let network = discovery.sources[unit.source]
                        .config
                        .metadata
                        .first(Facet::Network);
                    next.units.insert(
                        unit.key.clone(),
                        UnitEntry {
                            hash,
                            source: source_name.clone(),
                            format: unit.format.name().to_string(),
                            network: network.unwrap_or(UNSET).to_string(),
                            documents: Vec::new(),
                            failures: vec![error.to_string()],
                            text_bytes: 0,
                        },
                    );
                }
            }
            done += 1;
            progress(done, total);
        }
        Ok(())
    });
    if let Err(IndexError::Tantivy(tantivy::TantivyError::ErrorInThread(_))) = &extracted {
        // A worker of the writer stopped (on an io error, most often): only joining it, which
        // preparing a commit does, tells why. Nothing is committed either way.
        writer.prepare_commit()?;
    }
    extracted?;

    for (key, entry) in &previous.units {
        if !next.units.contains_key(key) {
            changed = true;
            report.units_removed += 1;
            report.documents_deleted += delete_documents(&writer, &fields, Some(entry));
        }
    }
    if changed || previous.schema_version != next.schema_version {
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(&next.to_payload());
        commit.commit()?;
        report.committed = true;
    }
    writer.wait_merging_threads()?;

    report.count_from(&next);
    let elapsed = started.elapsed();
    report.duration_ms = elapsed.as_millis() as u64;
    let seconds = elapsed.as_secs_f64().max(1e-6);
    report.documents_per_second = report.documents_added as f64 / seconds;
    report.extracted_mb_per_second = report.extracted_text_bytes as f64 / 1e6 / seconds;
    report.index_bytes = folder_size(&options.index);
    Ok(report)
}

fn process_unit(
    unit: &Unit,
    discovery: &Discovery,
    previous: &Manifest,
    limits: &Limits,
) -> UnitResult {
    let source = &discovery.sources[unit.source];
    let loaded = match extract::load_unit(unit, source, limits) {
        Ok(loaded) => loaded,
        Err(error) => {
            return UnitResult::Failed {
                hash: String::new(),
                error,
            }
        }
    };
    if previous
        .units
        .get(&unit.key)
        .is_some_and(|entry| entry.hash == loaded.hash)
    {
        return UnitResult::Unchanged;
    }
    let hash = loaded.hash.clone();
    match extract::extract_unit(unit, source, loaded, limits) {
        Ok(outcome) => UnitResult::Extracted { hash, outcome },
        Err(error) => UnitResult::Failed { hash, error },
    }
}

fn delete_documents(writer: &IndexWriter, fields: &Fields, entry: Option<&UnitEntry>) -> usize {
    let Some(entry) = entry else { return 0 };
    for doc in &entry.documents {
        writer.delete_term(Term::from_field_text(fields.id, &doc.id));
    }
    entry.documents.len()
}

#[allow(clippy::too_many_arguments)]
fn add_documents(
    writer: &IndexWriter,
    fields: &Fields,
    unit: &Unit,
    discovery: &Discovery,
    hash: String,
    outcome: UnitOutcome,
    owners: &mut HashMap<String, String>,
    report: &mut IndexReport,
) -> Result<UnitEntry, IndexError> {
    let source = &discovery.sources[unit.source];
    let mut entry = UnitEntry {
        hash,
        source: source.name.clone(),
        format: unit.format.name().to_string(),
        network: source
            .config
            .metadata
            .first(Facet::Network)
            .unwrap_or(UNSET)
            .to_string(),
        documents: Vec::new(),
        failures: outcome
            .record_failures
            .iter()
            .map(|f| format!("{}: {}", f.what, f.error))
            .collect(),
        text_bytes: 0,
    };
    for warning in outcome.warnings {
        report.warnings.push(report::Failure {
            path: unit.key.clone(),
            reason: warning,
        });
    }
    for document in outcome.documents {
        if let Some(owner) = owners.get(&document.id).filter(|owner| **owner != unit.key) {
            entry.failures.push(format!(
                "duplicate id {} (already given by {owner})",
                document.id
            ));
            continue;
        }
        if let Some(network) = document.metadata.first(Facet::Network) {
            entry.network = network.to_string();
        }
        owners.insert(document.id.clone(), unit.key.clone());
        writer.delete_term(Term::from_field_text(fields.id, &document.id));
        writer.add_document(to_tantivy(&document, fields))?;
        let text_bytes = document.content.body.len() as u64;
        entry.text_bytes += text_bytes;
        report.extracted_text_bytes += text_bytes;
        report.documents_added += 1;
        entry.documents.push(DocEntry {
            id: document.id,
            language: document.language.code().to_string(),
            no_text: document.format == Format::Pdf && document.content.body.trim().is_empty(),
        });
    }
    Ok(entry)
}

/// Bytes of the files directly in `dir` (an index folder has no sub-folders).
pub fn folder_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}
