//! Publishing: the indexing node copies each commit, as a snapshot, into a folder that
//! read-only replicas follow (`serve --follow`).
//!
//! The folder holds one snapshot per generation, `gen-00000001`, `gen-00000002`..., each
//! immutable once named, and `LATEST`, the number of the newest, replaced by an atomic
//! rename after its snapshot is whole. A snapshot is staged in a hidden folder and renamed
//! into place ([`snapshot`]), so a publisher that dies mid-copy leaves a
//! hidden folder that no pointer names; the next publication removes it. Only the newest
//! `keep` generations are kept: a replica that was copying an older one fails its copy,
//! keeps serving what it served, and copies the newest at its next poll.
//!
//! One publisher at a time: publishing holds an exclusive lock on `.publish.lock`, taken the
//! way tantivy takes its own.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::inspect::parse_meta;
use super::{lock_error, open_directory, snapshot, sync_dir, SnapshotError, SnapshotReport};
use crate::tantivy_format::meta::META_FILE;
use tantivy::directory::Lock;
use tantivy::Directory;

/// The pointer to the newest generation.
pub const LATEST_FILE: &str = "LATEST";
const LOCK_FILE: &str = ".publish.lock";
const PREFIX: &str = "gen-";

/// Where to publish each commit, and how many generations to keep there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    pub dir: PathBuf,
    /// Generations kept (at least 1).
    pub keep: usize,
}

/// What one publication did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Published {
    /// The generation that `LATEST` names after the publication.
    pub generation: u64,
    /// The snapshot written, or `None` when the newest generation already held this commit.
    pub snapshot: Option<SnapshotReport>,
    /// Generations removed because more than `keep` were there.
    pub pruned: Vec<u64>,
}

/// The folder of generation `generation` in the published folder `dir`.
pub fn generation_dir(dir: &Path, generation: u64) -> PathBuf {
    dir.join(format!("{PREFIX}{generation:08}"))
}

/// The generation `LATEST` names in `dir`: `Ok(None)` when nothing was published yet, an
/// error when the pointer cannot be read or holds something other than a number.
pub fn latest(dir: &Path) -> Result<Option<u64>, SnapshotError> {
    let path = dir.join(LATEST_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => text
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| SnapshotError::BadSnapshot {
                path,
                reason: format!(
                    "the pointer holds {:?}, not a generation number",
                    text.trim()
                ),
            }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(SnapshotError::io(&path, "read")(e)),
    }
}

impl Publication {
    /// Publishes the last commit of `index_dir` as the next generation, unless the newest
    /// generation already holds that commit; then removes the generations beyond `keep` and
    /// whatever a publisher that died mid-copy left.
    pub fn publish(&self, index_dir: &Path) -> Result<Published, SnapshotError> {
        std::fs::create_dir_all(&self.dir).map_err(SnapshotError::io(&self.dir, "create"))?;
        let publish_lock = Lock {
            filepath: PathBuf::from(LOCK_FILE),
            is_blocking: true,
        };
        let _lock = open_directory(&self.dir)?
            .acquire_lock(&publish_lock)
            .map_err(|e| lock_error(&self.dir, "take the publish lock of", e))?;
        remove_partial_copies(&self.dir)?;

        let newest = latest(&self.dir)?;
        let generations = self.generations()?;
        if let Some(newest) = newest {
            if self.holds_commit_of(newest, index_dir)? {
                return Ok(Published {
                    generation: newest,
                    snapshot: None,
                    pruned: self.prune(&generations, newest)?,
                });
            }
        }
        let highest = generations.iter().copied().chain(newest).max().unwrap_or(0);
        let generation = highest + 1;
        let report = snapshot(index_dir, &generation_dir(&self.dir, generation))?;
        write_pointer(&self.dir, generation)?;
        let mut generations = generations;
        generations.push(generation);
        Ok(Published {
            generation,
            snapshot: Some(report),
            pruned: self.prune(&generations, generation)?,
        })
    }

    /// Publishes as [`publish`](Self::publish) does, logging the outcome: a failed
    /// publication leaves the replicas on the previous generation until the next one.
    pub fn publish_logged(&self, index_dir: &Path) {
        match self.publish(index_dir) {
            Ok(Published {
                generation,
                snapshot: Some(report),
                pruned,
            }) => tracing::info!(
                generation,
                documents = report.documents,
                took_ms = report.duration_ms,
                ?pruned,
                "commit published"
            ),
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "the commit was not published"),
        }
    }

    /// Whether generation `generation` is the last commit of `index_dir` (same opstamp and
    /// manifest: a snapshot copies `meta.json` as it is).
    fn holds_commit_of(&self, generation: u64, index_dir: &Path) -> Result<bool, SnapshotError> {
        let read = |dir: &Path| {
            let path = dir.join(META_FILE);
            let json = std::fs::read(&path).map_err(SnapshotError::io(&path, "read"))?;
            parse_meta(&json).map_err(|reason| SnapshotError::BrokenIndex {
                path: dir.to_path_buf(),
                reason,
            })
        };
        let published = match read(&generation_dir(&self.dir, generation)) {
            Ok(metas) => metas,
            // A generation removed by hand, or damaged: publish a fresh one.
            Err(_) => return Ok(false),
        };
        let current = read(index_dir)?;
        Ok(published.opstamp == current.opstamp && published.payload == current.payload)
    }

    /// The generations present in the folder, in no particular order.
    fn generations(&self) -> Result<Vec<u64>, SnapshotError> {
        let entries = std::fs::read_dir(&self.dir).map_err(SnapshotError::io(&self.dir, "read"))?;
        Ok(entries
            .flatten()
            .filter_map(|entry| {
                let name = entry.file_name();
                name.to_str()?.strip_prefix(PREFIX)?.parse().ok()
            })
            .collect())
    }

    /// Removes the generations older than the newest `keep`, never `newest` itself.
    fn prune(&self, generations: &[u64], newest: u64) -> Result<Vec<u64>, SnapshotError> {
        let mut older: Vec<u64> = generations
            .iter()
            .copied()
            .filter(|&g| g != newest)
            .collect();
        older.sort_unstable_by(|a, b| b.cmp(a));
        let mut pruned = Vec::new();
        for generation in older.into_iter().skip(self.keep.max(1) - 1) {
            let path = generation_dir(&self.dir, generation);
            std::fs::remove_dir_all(&path).map_err(SnapshotError::io(&path, "remove"))?;
            pruned.push(generation);
        }
        pruned.sort_unstable();
        Ok(pruned)
    }
}

/// Removes the hidden staging folders of snapshots that never got their name (a publisher
/// killed mid-copy). Called under the publish lock: no other publisher is writing one.
fn remove_partial_copies(dir: &Path) -> Result<(), SnapshotError> {
    let entries = std::fs::read_dir(dir).map_err(SnapshotError::io(dir, "read"))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(&format!(".{PREFIX}")) && name.contains(".partial-") {
            let path = entry.path();
            tracing::info!(path = %path.display(), "removing an unfinished publication");
            std::fs::remove_dir_all(&path).map_err(SnapshotError::io(&path, "remove"))?;
        }
    }
    Ok(())
}

/// Replaces `LATEST` by `generation` through a rename: a reader sees the old or the new one.
fn write_pointer(dir: &Path, generation: u64) -> Result<(), SnapshotError> {
    let staged = dir.join(format!(".{LATEST_FILE}.writing"));
    File::create(&staged)
        .and_then(|mut file| {
            writeln!(file, "{generation}")?;
            file.sync_all()
        })
        .map_err(SnapshotError::io(&staged, "write"))?;
    let target = dir.join(LATEST_FILE);
    std::fs::rename(&staged, &target).map_err(SnapshotError::io(&target, "replace"))?;
    sync_dir(dir)
}
