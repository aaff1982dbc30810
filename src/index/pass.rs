//! One indexing pass over an index folder: the units of the corpus extracted in parallel
//! (only the new and changed ones), each unit's result applied as it arrives, the units gone
//! from the corpus dropped, then one commit carrying the documents and the new manifest.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use tantivy::{Index, IndexWriter, ReloadPolicy, Searcher, Term};

use super::fault::DiskFault;
use super::manifest::{DocEntry, Manifest, UnitEntry};
use super::report::{Failure, IndexReport};
use super::segments::{collect_garbage, merge_small_index, writer_threads};
use super::state::IndexState;
use super::vocabulary::{self, Loan};
use super::{disk_error, folder_size, IndexError, IndexOptions};
use crate::analysis;
use crate::ingest::extract::{self, Limits, UnitOutcome};
use crate::ingest::source::{self, Discovery, Unit};
use crate::model::{Document, Format};
use crate::schema::{build_schema, semantic_text, to_tantivy, Fields};
use crate::semantic::Model;
use spo_extract::ExtractError;

/// Runs a pass over the index at `options.index`, whose state is `state` (and `index` when
/// there is one); creates the index when absent. `progress` is called with (units done,
/// units total).
pub(super) fn run(
    options: &IndexOptions,
    state: IndexState,
    index: Option<Index>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<IndexReport, IndexError> {
    let started = Instant::now();
    let discovery = source::discover(&options.corpus)?;
    let index = match index {
        Some(index) => index,
        None => create(&options.index)?,
    };
    analysis::register(&index);
    let previous = match state {
        IndexState::Current if !options.rebuild => super::committed_manifest(&index)?,
        _ => Manifest::default(),
    };
    let table = options
        .semantic
        .as_ref()
        .map(|model| model.sha256().to_string());
    let previous = if previous.semantic_table == table || previous.units.is_empty() {
        previous
    } else {
        tracing::info!("the document vectors were made with another semantic table, or none: every unit is indexed again");
        Manifest::default()
    };
    let mut pass = Pass::begin(&index, &discovery, &previous, options)?;
    pass.next.semantic_table = table;
    let total = discovery.units.len();
    // Extraction outruns the writer: a bounded queue keeps a few extracted units in memory.
    // Unbounded, the corpus piled up in it: 1,000,000 generated documents peaked at 4.5 GiB.
    let (sender, receiver) = mpsc::sync_channel::<(usize, UnitResult)>(options.threads.max(1));
    let cursor = AtomicUsize::new(0);
    let applied = std::thread::scope(|scope| -> Result<(), IndexError> {
        for _ in 0..options.threads.max(1) {
            let sender = sender.clone();
            let (cursor, discovery, previous) = (&cursor, &discovery, &previous);
            scope.spawn(move || loop {
                let position = cursor.fetch_add(1, Ordering::Relaxed);
                let Some(unit) = discovery.units.get(position) else {
                    break;
                };
                let semantic = options.semantic.as_deref();
                let threads = options.threads;
                let result = process_unit(
                    unit,
                    discovery,
                    previous,
                    &options.limits,
                    semantic,
                    threads,
                );
                if sender.send((position, result)).is_err() {
                    break;
                }
            });
        }
        drop(sender);
        for (done, (position, result)) in receiver.into_iter().enumerate() {
            pass.apply(&discovery.units[position], result)?;
            progress(done + 1, total);
        }
        Ok(())
    });
    if let Err(IndexError::Tantivy(tantivy::TantivyError::ErrorInThread(_))) = &applied {
        // A worker of the writer stopped (on an io error, most often): only joining it, which
        // preparing a commit does, tells why. Nothing is committed either way.
        if let Err(error) = pass.writer.prepare_commit() {
            pass.abandon();
            return Err(error.into());
        }
    }
    if let Err(error) = applied {
        pass.abandon();
        return Err(error);
    }
    pass.drop_removed();
    pass.lend_vocabulary(&options.limits)?;
    let mut report = pass.commit()?;
    let elapsed = started.elapsed();
    report.duration_ms = elapsed.as_millis() as u64;
    let seconds = elapsed.as_secs_f64().max(1e-6);
    report.documents_per_second = report.documents_added as f64 / seconds;
    report.extracted_mb_per_second = report.extracted_text_bytes as f64 / 1e6 / seconds;
    report.index_bytes = folder_size(&options.index);
    Ok(report)
}

/// Creates an empty index of this version's schema in `dir`.
fn create(dir: &Path) -> Result<Index, IndexError> {
    let folder = |message: String| IndexError::Folder {
        path: dir.to_path_buf(),
        message,
    };
    std::fs::create_dir_all(dir).map_err(|e| match DiskFault::of_io(&e) {
        Some(fault) => disk_error(dir, fault, e.to_string()),
        None => folder(e.to_string()),
    })?;
    Index::create_in_dir(dir, build_schema()).map_err(|e| match DiskFault::of_tantivy(&e) {
        Some((fault, detail)) => disk_error(dir, fault, detail),
        None => folder(format!("cannot create: {e}")),
    })
}

/// What a worker learned about one unit.
enum UnitResult {
    Unchanged,
    Extracted { hash: String, outcome: UnitOutcome },
    Failed { hash: String, error: ExtractError },
}

/// Reads a unit, and extracts it unless its hash is the one of the last commit; with the
/// transformer, makes its documents' vectors too (into the model's passage cache, on up to
/// `threads` threads).
fn process_unit(
    unit: &Unit,
    discovery: &Discovery,
    previous: &Manifest,
    limits: &Limits,
    semantic: Option<&Model>,
    threads: usize,
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
        Ok(outcome) => {
            // The transformer's vectors are made here, into its passage cache, on as many
            // threads as extract (a big export's thousands of records would otherwise take one
            // thread for an hour); the writer's thread then finds them made.
            if let Some(model) = semantic {
                let documents = outcome.documents.iter().map(semantic_text);
                model.prepare_documents(documents, threads);
            }
            UnitResult::Extracted { hash, outcome }
        }
        Err(error) => UnitResult::Failed { hash, error },
    }
}

/// A pass in progress: the writer, the manifest of the last commit and the one being built.
struct Pass<'a> {
    writer: IndexWriter,
    fields: Fields,
    discovery: &'a Discovery,
    previous: &'a Manifest,
    /// The last commit, to read what its unchanged units lend ([`vocabulary`]).
    committed: Option<Searcher>,
    next: Manifest,
    /// The units extracted (or failed) in this pass.
    fresh: HashSet<String>,
    /// What the documents extracted in this pass lend.
    loans: Vec<Loan>,
    /// Documents that may be lent vocabulary, and whether each may replace one of the same
    /// id: written once the pass knows what is lent to them.
    waiting: Vec<(Document, bool)>,
    /// The unit that gave each document id so far: a second unit giving it is a failure.
    owners: HashMap<String, String>,
    /// Whether the index held documents when the pass began: then any document written may
    /// replace one of its id. Writing into an empty index, only an id that a unit gives twice
    /// does, and no other document costs a delete (tantivy keeps each delete, a kilobyte,
    /// until the commit: 1.2 GB for 1,000,000 documents).
    replaces_committed: bool,
    semantic: Option<&'a Model>,
    report: IndexReport,
    /// Whether anything changed, so that the pass commits.
    changed: bool,
}

impl<'a> Pass<'a> {
    /// Takes the writer (the index's lock) for a pass from the `previous` manifest. An index
    /// holding documents that no manifest accounts for (an older analysis, an unreadable
    /// payload, a rebuild) is emptied in this same commit.
    fn begin(
        index: &Index,
        discovery: &'a Discovery,
        previous: &'a Manifest,
        options: &'a IndexOptions,
    ) -> Result<Pass<'a>, IndexError> {
        let replaces_committed = !previous.units.is_empty();
        let writer_threads = writer_threads(discovery, options.threads, !replaces_committed);
        let mut writer: IndexWriter = index
            .writer_with_num_threads(writer_threads, options.writer_memory)
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(
                    tantivy::directory::error::LockError::LockBusy,
                    _,
                ) => IndexError::Locked,
                other => IndexError::Tantivy(other),
            })?;
        // Before this run needs space: what an earlier run left behind goes.
        collect_garbage(&mut writer);
        let mut changed = false;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let committed: Searcher = reader.searcher();
        if !replaces_committed && committed.num_docs() > 0 {
            writer.delete_all_documents()?;
            changed = true;
        }
        Ok(Pass {
            writer,
            fields: Fields::resolve(&index.schema())?,
            discovery,
            previous,
            committed: (!previous.units.is_empty()).then_some(committed),
            next: Manifest::default(),
            fresh: HashSet::new(),
            loans: Vec::new(),
            waiting: Vec::new(),
            owners: HashMap::new(),
            replaces_committed,
            semantic: options.semantic.as_deref(),
            report: IndexReport {
                skipped: discovery.skipped.clone(),
                ..IndexReport::default()
            },
            changed,
        })
    }

    /// Applies what a worker learned about `unit`.
    fn apply(&mut self, unit: &Unit, result: UnitResult) -> Result<(), IndexError> {
        let source = &self.discovery.sources[unit.source];
        let previous = self.previous;
        let old = previous.units.get(&unit.key);
        match result {
            UnitResult::Unchanged => {
                if let Some(entry) = old {
                    for doc in &entry.documents {
                        self.owners.insert(doc.id.clone(), unit.key.clone());
                    }
                    self.next.units.insert(unit.key.clone(), entry.clone());
                }
                self.report.units_unchanged += 1;
            }
            UnitResult::Extracted { hash, outcome } => {
                self.changed = true;
                self.fresh.insert(unit.key.clone());
                self.report.units_extracted += 1;
                self.report.documents_deleted += self.delete_documents(old, &unit.key);
                let mut entry = UnitEntry::new(unit, source, hash);
                self.add(unit, &mut entry, outcome)?;
                self.next.units.insert(unit.key.clone(), entry);
            }
            UnitResult::Failed { hash, error } => {
                self.changed = true;
                self.fresh.insert(unit.key.clone());
                self.report.units_extracted += 1;
                self.report.documents_deleted += self.delete_documents(old, &unit.key);
                let mut entry = UnitEntry::new(unit, source, hash);
                entry.failures.push(error.to_string());
                self.next.units.insert(unit.key.clone(), entry);
            }
        }
        Ok(())
    }

    /// Adds the documents of a unit just extracted, and records its failures and warnings.
    fn add(
        &mut self,
        unit: &Unit,
        entry: &mut UnitEntry,
        outcome: UnitOutcome,
    ) -> Result<(), IndexError> {
        entry.failures.extend(
            outcome
                .record_failures
                .iter()
                .map(|f| format!("{}: {}", f.what, f.error)),
        );
        self.report
            .warnings
            .extend(outcome.warnings.into_iter().map(|reason| Failure {
                path: unit.key.clone(),
                reason,
            }));
        for document in outcome.documents {
            if let Some(owner) = self
                .owners
                .get(&document.id)
                .filter(|owner| **owner != unit.key)
            {
                entry.failures.push(format!(
                    "duplicate id {} (already given by {owner})",
                    document.id
                ));
                continue;
            }
            if let Some(network) = document.metadata.first(crate::model::Facet::Network) {
                entry.network = network.to_string();
            }
            let given_before = self
                .owners
                .insert(document.id.clone(), unit.key.clone())
                .is_some();
            let replaces = self.replaces_committed || given_before;
            self.loans.extend(vocabulary::loans_of(&document));
            let text_bytes = document.content.body.len() as u64;
            entry.text_bytes += text_bytes;
            self.report.extracted_text_bytes += text_bytes;
            self.report.documents_added += 1;
            entry.documents.push(DocEntry {
                id: document.id.clone(),
                language: document.language.code().to_string(),
                no_text: document.format == Format::Pdf && document.content.body.trim().is_empty(),
            });
            if vocabulary::waits_for_vocabulary(&document) {
                self.waiting.push((document, replaces));
            } else {
                self.write(&document, replaces)?;
            }
        }
        Ok(())
    }

    /// Writes `document`, replacing any document of the same id when it `replaces`.
    fn write(&mut self, document: &Document, replaces: bool) -> Result<(), IndexError> {
        if replaces {
            self.writer
                .delete_term(Term::from_field_text(self.fields.id, &document.id));
        }
        self.writer
            .add_document(to_tantivy(document, &self.fields, self.semantic))?;
        if self.semantic.is_some() {
            self.report.vectors_computed += 1;
        }
        Ok(())
    }

    /// Writes the documents that waited for the vocabulary lent to them, and extracts again
    /// the unchanged units whose documents are now lent another vocabulary than the one
    /// they were written with ([`vocabulary`]); records each unit's digest.
    fn lend_vocabulary(&mut self, limits: &Limits) -> Result<(), IndexError> {
        if !self.changed {
            return Ok(());
        }
        let committed = match &self.committed {
            Some(searcher) => vocabulary::committed_loans(searcher, &self.fields)?,
            None => Vec::new(),
        };
        let lender_units: HashMap<&str, &str> = self
            .previous
            .units
            .iter()
            .flat_map(|(key, entry)| {
                entry
                    .documents
                    .iter()
                    .map(move |doc| (doc.id.as_str(), key.as_str()))
            })
            .collect();
        loop {
            // Loans of the last commit count only from units that this pass did not read
            // again; loans of documents read in this pass are in `self.loans`.
            let still = |loan: &&Loan| {
                lender_units.get(loan.lender.as_str()).is_some_and(|unit| {
                    self.next.units.contains_key(*unit) && !self.fresh.contains(*unit)
                })
            };
            let lent =
                vocabulary::by_target(committed.iter().filter(still).chain(self.loans.iter()));
            let stale: Vec<String> = self
                .next
                .units
                .iter()
                .filter(|(key, _)| !self.fresh.contains(*key))
                .filter(|(_, entry)| {
                    let ids = entry.documents.iter().map(|doc| doc.id.as_str());
                    vocabulary::digest(ids, &lent) != entry.vocabulary
                })
                .map(|(key, _)| key.clone())
                .collect();
            if stale.is_empty() {
                self.write_waiting(&lent)?;
                return Ok(());
            }
            for key in stale {
                self.extract_again(&key, limits)?;
            }
        }
    }

    /// Extracts again the unchanged unit `key`, whose documents must be written with another
    /// vocabulary: its old documents are deleted, its new ones wait for their vocabulary.
    fn extract_again(&mut self, key: &str, limits: &Limits) -> Result<(), IndexError> {
        let discovery = self.discovery;
        let Some(unit) = discovery.units.iter().find(|unit| unit.key == key) else {
            return Ok(());
        };
        self.fresh.insert(key.to_string());
        let result = process_unit(unit, discovery, &Manifest::default(), limits, None, 1);
        let old = self.next.units.remove(key);
        self.report.documents_deleted += self.delete_documents(old.as_ref(), key);
        self.report.units_extracted += 1;
        self.report.units_unchanged = self.report.units_unchanged.saturating_sub(1);
        let source = &discovery.sources[unit.source];
        match result {
            UnitResult::Extracted { hash, outcome } => {
                let mut entry = UnitEntry::new(unit, source, hash);
                for doc in old.iter().flat_map(|entry| &entry.documents) {
                    self.owners.remove(&doc.id);
                }
                self.add(unit, &mut entry, outcome)?;
                self.next.units.insert(key.to_string(), entry);
            }
            UnitResult::Failed { hash, error } => {
                let mut entry = UnitEntry::new(unit, source, hash);
                entry.failures.push(error.to_string());
                self.next.units.insert(key.to_string(), entry);
            }
            UnitResult::Unchanged => {}
        }
        Ok(())
    }

    /// Writes the waiting documents with the vocabulary lent to them, and records the digest
    /// of every unit read in this pass.
    fn write_waiting(&mut self, lent: &HashMap<String, Vec<String>>) -> Result<(), IndexError> {
        for (mut document, replaces) in std::mem::take(&mut self.waiting) {
            document.vocabulary = lent.get(&document.id).cloned().unwrap_or_default();
            self.write(&document, replaces)?;
        }
        for key in &self.fresh {
            if let Some(entry) = self.next.units.get_mut(key) {
                let ids = entry.documents.iter().map(|doc| doc.id.as_str());
                entry.vocabulary = vocabulary::digest(ids, lent);
            }
        }
        Ok(())
    }

    /// Deletes the documents that `entry` lists, except those that a unit other than `unit`
    /// gives in this pass (moved there); returns how many it deleted.
    fn delete_documents(&self, entry: Option<&UnitEntry>, unit: &str) -> usize {
        let Some(entry) = entry else { return 0 };
        let mut deleted = 0;
        for doc in &entry.documents {
            // A document that another unit gives in this pass moved there: that unit's write
            // replaces the old copy, and a delete now would take the new one away.
            if self.owners.get(&doc.id).is_some_and(|owner| owner != unit) {
                continue;
            }
            self.writer
                .delete_term(Term::from_field_text(self.fields.id, &doc.id));
            deleted += 1;
        }
        deleted
    }

    /// Deletes the documents of the units that are no longer in the corpus.
    fn drop_removed(&mut self) {
        let previous = self.previous;
        for (key, entry) in &previous.units {
            if !self.next.units.contains_key(key) {
                self.changed = true;
                self.report.units_removed += 1;
                self.report.documents_deleted += self.delete_documents(Some(entry), key);
            }
        }
    }

    /// Commits the documents with the new manifest (when anything changed), and reports.
    fn commit(mut self) -> Result<IndexReport, IndexError> {
        if self.changed {
            let committed = self.writer.prepare_commit().and_then(|mut commit| {
                commit.set_payload(&self.next.to_payload());
                commit.commit()
            });
            if let Err(error) = committed {
                self.abandon();
                return Err(error.into());
            }
            self.report.committed = true;
            // A pass that wrote the whole index (a first run, a rebuild) merges what its
            // threads wrote; an incremental one leaves the segments that replicas already
            // hold as they are (only its new segment is copied to them).
            if !self.replaces_committed && merge_small_index(&mut self.writer) {
                // The merged segments' files go now, not at the next run.
                self.committed = None;
                collect_garbage(&mut self.writer);
            }
        }
        self.writer.wait_merging_threads()?;
        self.report.count_from(&self.next);
        Ok(self.report)
    }

    /// Ends a pass that stopped before its commit (a full disk, most often): its segments
    /// are rolled back and their files deleted, so that they do not take the space the next
    /// run needs.
    fn abandon(mut self) {
        if let Err(error) = self.writer.rollback() {
            tracing::warn!(%error, "cannot roll back the stopped indexing run");
        }
        collect_garbage(&mut self.writer);
    }
}
