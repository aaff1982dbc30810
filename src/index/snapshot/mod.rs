//! Snapshots of the index, taken while it is served and indexed, and their restoration.
//!
//! tantivy never modifies a file once written: a commit adds segment files (named after the
//! segment's id, plus `<id>.<opstamp>.del` for deletions) and then replaces `meta.json`, the
//! list of the segments of the commit, by an atomic rename. Files no commit needs any more
//! are deleted later by the writer's garbage collection, which holds `.tantivy-meta.lock`
//! while it decides what to delete; readers hold the same lock while they read `meta.json`
//! and open its files.
//!
//! A snapshot does what a reader does: under the meta lock it reads `meta.json` and opens
//! every file of that commit, then releases the lock (a few milliseconds) and copies from the
//! open files, which stay readable even if the garbage collector unlinks them meanwhile. The
//! copy is therefore exactly one commit, whatever indexing runs or merges happen during it,
//! and it never blocks them. It is written into a hidden folder beside the destination,
//! checked (opens, checksums, schema, manifest against documents) and renamed into place:
//! a failed snapshot leaves no half-written folder under the destination's name.
//!
//! A restore takes the writer lock (so no indexing run can commit meanwhile), registers the
//! snapshot's files in `.managed.json`, copies them in beside the current ones, and replaces
//! `meta.json` last, by an atomic rename: a server reloading sees either the old commit or
//! the restored one, each with all its files. The restored `meta.json` gets an opstamp above
//! the served one, like a fresh commit, so that servers watching the file always see it change. The files of the old commit are then garbage
//! collected the way tantivy does it. The manifest travels in `meta.json`, so the next
//! indexing run works incrementally from the restored state.

mod inspect;
pub mod publish;
mod restore;

use std::collections::BTreeSet;
use std::fmt;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;
use tantivy::directory::error::LockError;
use tantivy::directory::{MmapDirectory, META_LOCK};
use tantivy::Directory;

use super::manifest::Manifest;
use crate::tantivy_format::meta::{managed_json, MANAGED_FILE, META_FILE};
pub use inspect::{inspect, Inspection};
pub use restore::restore;

/// Why a snapshot or a restore was refused or failed, grouped by who can fix it.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    // The caller's arguments.
    /// The index folder holds no index.
    #[error("{path} holds no index (no meta.json): check --index")]
    NoIndex { path: PathBuf },
    /// The snapshot destination already exists with files in it.
    #[error("{path} already exists and is not empty: a snapshot goes into a new or empty folder")]
    OutputNotEmpty { path: PathBuf },
    /// The destination is the index folder itself, or inside it.
    #[error("{out} is inside the index folder {index}: choose a folder outside it")]
    OutputInsideIndex { out: PathBuf, index: PathBuf },
    /// A restore target that holds files but no index: it is not ours to overwrite.
    #[error("{path} holds files but no index: refusing to restore into it")]
    NotAnIndexFolder { path: PathBuf },

    // The index's or the snapshot's content.
    /// The index's `meta.json` cannot be read.
    #[error("index {path} is unreadable: {reason}")]
    BrokenIndex { path: PathBuf, reason: String },
    /// The snapshot is missing, incomplete, damaged or of another schema.
    #[error("snapshot {path} is unusable: {reason}; the index was not touched")]
    BadSnapshot { path: PathBuf, reason: String },

    // Another process.
    /// An indexing run (or another restore) kept the writer lock for the whole wait.
    #[error(
        "index {path} is busy: an indexing run or another restore held its lock for {waited_secs} \
         s; try again when it ends"
    )]
    Busy { path: PathBuf, waited_secs: u64 },

    // The machine: disk full, read-only folder, permissions...
    /// A file operation failed.
    #[error("{path}: cannot {action}: {source}")]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: io::Error,
    },

    // spo-search or tantivy.
    /// The copy does not hold what the source held.
    #[error("the copy in {path} does not match its source: {reason}")]
    Mismatch { path: PathBuf, reason: String },
}

impl SnapshotError {
    fn io(path: &Path, action: &'static str) -> impl FnOnce(io::Error) -> SnapshotError {
        let path = path.to_path_buf();
        move |source| SnapshotError::Io {
            path,
            action,
            source,
        }
    }
}

/// What a snapshot or a restore copied, and what the result holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SnapshotReport {
    /// The folder written: the snapshot, or the restored index.
    pub path: PathBuf,
    /// Files copied (segment files and `meta.json`).
    pub files: usize,
    /// Bytes copied.
    pub bytes: u64,
    /// Files a restore kept because the index already had them.
    pub files_shared: usize,
    /// Documents of the commit.
    pub documents: u64,
    /// Units of the corpus in its manifest.
    pub units: usize,
    /// Opstamp of the commit.
    pub opstamp: u64,
    pub duration_ms: u64,
}

impl fmt::Display for SnapshotReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.path.display())?;
        write!(
            f,
            "  {} files copied, {:.1} MB",
            self.files,
            self.bytes as f64 / 1e6
        )?;
        if self.files_shared > 0 {
            write!(f, " ({} already present)", self.files_shared)?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "  {} documents from {} corpus units (commit {})",
            self.documents, self.units, self.opstamp
        )?;
        writeln!(f, "  took {:.2} s", self.duration_ms as f64 / 1000.0)
    }
}

/// Copies the last commit of the index in `index_dir` into `out_dir`, which must not exist or
/// be empty. Safe while servers read the index and while an indexing run writes it: the copy
/// is the commit that was current when it started, checked before it gets its name.
pub fn snapshot(index_dir: &Path, out_dir: &Path) -> Result<SnapshotReport, SnapshotError> {
    let started = Instant::now();
    if !index_dir.join(META_FILE).is_file() {
        return Err(SnapshotError::NoIndex {
            path: index_dir.to_path_buf(),
        });
    }
    check_destination(index_dir, out_dir)?;
    let commit = capture(index_dir)?;

    let staging = Staging::beside(out_dir)?;
    let mut bytes = 0;
    for (name, mut source) in commit.files {
        let target = staging.path.join(&name);
        bytes += write_new(&target, &mut source)?;
    }
    bytes += write_new(&staging.path.join(META_FILE), &mut &commit.meta_json[..])?;
    let mut managed: Vec<String> = commit
        .names
        .iter()
        .map(|name| name.display().to_string())
        .collect();
    managed.push(META_FILE.into());
    write_new(
        &staging.path.join(MANAGED_FILE),
        &mut managed_json(managed).as_bytes(),
    )?;
    sync_dir(&staging.path)?;

    let copy = inspect(&staging.path).map_err(|reason| SnapshotError::Mismatch {
        path: staging.path.clone(),
        reason,
    })?;
    if copy.documents != commit.documents || copy.manifest != commit.manifest {
        return Err(SnapshotError::Mismatch {
            path: staging.path.clone(),
            reason: format!(
                "{} documents copied, {} in the commit, or a different manifest",
                copy.documents, commit.documents
            ),
        });
    }
    staging.rename_to(out_dir)?;
    Ok(SnapshotReport {
        path: out_dir.to_path_buf(),
        files: copy.segment_files.len() + 1,
        bytes,
        files_shared: 0,
        documents: copy.documents,
        units: copy.manifest.units.len(),
        opstamp: copy.opstamp,
        duration_ms: started.elapsed().as_millis() as u64,
    })
}

/// One commit, held open: its `meta.json` and its files.
struct Commit {
    meta_json: Vec<u8>,
    names: BTreeSet<PathBuf>,
    files: Vec<(PathBuf, File)>,
    documents: u64,
    manifest: Manifest,
}

/// Reads `meta.json` and opens its files under the meta lock, as a tantivy reader does, so
/// that the garbage collector cannot delete one of them in between.
fn capture(index_dir: &Path) -> Result<Commit, SnapshotError> {
    let directory = open_directory(index_dir)?;
    let _meta_lock = directory
        .acquire_lock(&META_LOCK)
        .map_err(|e| lock_error(index_dir, "take the meta lock of", e))?;
    let meta_path = index_dir.join(META_FILE);
    let meta_json = std::fs::read(&meta_path).map_err(SnapshotError::io(&meta_path, "read"))?;
    let metas = inspect::parse_meta(&meta_json).map_err(|reason| SnapshotError::BrokenIndex {
        path: index_dir.to_path_buf(),
        reason,
    })?;
    let mut names = BTreeSet::new();
    let mut files = Vec::new();
    for name in metas.list_segment_files() {
        let path = index_dir.join(&name);
        match File::open(&path) {
            Ok(file) => {
                names.insert(name.clone());
                files.push((name, file));
            }
            // tantivy lists candidates: a segment without deletions has no `.del` file.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(SnapshotError::io(&path, "open")(e)),
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Commit {
        documents: metas.segments.iter().map(|s| u64::from(s.num_docs())).sum(),
        manifest: Manifest::from_payload(metas.payload.as_deref()),
        meta_json,
        names,
        files,
    })
}

/// tantivy's view of the folder, through which its locks are taken exactly as it takes them.
fn open_directory(dir: &Path) -> Result<MmapDirectory, SnapshotError> {
    MmapDirectory::open(dir).map_err(|e| SnapshotError::Io {
        path: dir.to_path_buf(),
        action: "open",
        source: io::Error::other(e.to_string()),
    })
}

fn lock_error(dir: &Path, action: &'static str, error: LockError) -> SnapshotError {
    let source = match error {
        LockError::IoError(io_error) => io::Error::new(io_error.kind(), io_error.to_string()),
        LockError::LockBusy => io::Error::new(io::ErrorKind::WouldBlock, "the lock is held"),
    };
    SnapshotError::Io {
        path: dir.to_path_buf(),
        action,
        source,
    }
}

/// Refuses a destination that exists with content, or that lies inside the index folder.
fn check_destination(index_dir: &Path, out_dir: &Path) -> Result<(), SnapshotError> {
    if out_dir.exists() {
        let mut entries = std::fs::read_dir(out_dir).map_err(SnapshotError::io(out_dir, "read"))?;
        if entries.next().is_some() {
            return Err(SnapshotError::OutputNotEmpty {
                path: out_dir.to_path_buf(),
            });
        }
    }
    let index = index_dir
        .canonicalize()
        .map_err(SnapshotError::io(index_dir, "resolve"))?;
    let parent = parent_of(out_dir);
    if let Ok(parent) = parent.canonicalize() {
        if parent.starts_with(&index) {
            return Err(SnapshotError::OutputInsideIndex {
                out: out_dir.to_path_buf(),
                index: index_dir.to_path_buf(),
            });
        }
    }
    Ok(())
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// A hidden folder beside the destination, removed unless renamed into place.
struct Staging {
    path: PathBuf,
    renamed: bool,
}

impl Staging {
    fn beside(out_dir: &Path) -> Result<Staging, SnapshotError> {
        let parent = parent_of(out_dir);
        std::fs::create_dir_all(parent).map_err(SnapshotError::io(parent, "create"))?;
        let name = out_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "snapshot".into());
        let path = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if path.exists() {
            std::fs::remove_dir_all(&path).map_err(SnapshotError::io(&path, "remove"))?;
        }
        std::fs::create_dir(&path).map_err(SnapshotError::io(&path, "create"))?;
        Ok(Staging {
            path,
            renamed: false,
        })
    }

    /// Gives the staged folder its final name (an empty folder of that name is replaced).
    fn rename_to(mut self, out_dir: &Path) -> Result<(), SnapshotError> {
        std::fs::rename(&self.path, out_dir).map_err(SnapshotError::io(out_dir, "rename into"))?;
        self.renamed = true;
        sync_dir(parent_of(out_dir))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.renamed {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Creates `target` (which must not exist), fills it from `source` and syncs it to disk.
fn write_new(target: &Path, source: &mut impl io::Read) -> Result<u64, SnapshotError> {
    let mut file = File::options()
        .write(true)
        .create_new(true)
        .open(target)
        .map_err(SnapshotError::io(target, "create"))?;
    let bytes = io::copy(source, &mut file).map_err(SnapshotError::io(target, "write"))?;
    file.flush()
        .and_then(|()| file.sync_all())
        .map_err(SnapshotError::io(target, "write"))?;
    Ok(bytes)
}

/// Makes the entries of `dir` (creations, renames) durable.
fn sync_dir(dir: &Path) -> Result<(), SnapshotError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(SnapshotError::io(dir, "sync"))
}

/// How long a restore waits for the writer lock by default.
pub const DEFAULT_LOCK_WAIT: Duration = Duration::from_secs(60);

#[cfg(test)]
mod tests;
