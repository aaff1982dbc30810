//! A read-only replica following a published folder (`serve --follow`): it polls the
//! folder's `LATEST` pointer, and when it names a generation other than the one served,
//! restores that snapshot into its own index folder with [`snapshot::restore`] (which checks
//! the snapshot's checksums, schema and manifest before copying anything, and replaces
//! `meta.json` last, atomically), then reloads the engine.
//!
//! So a replica never serves a half-copied index: a snapshot still being written has no name
//! yet, a damaged or incomplete one is refused before the served index is touched, and a copy
//! that fails half way (the publisher pruned the generation, the disk is full) leaves the
//! served commit as it was. A refused generation is tried again only after
//! [`REFUSED_RETRY`] (a network file system may show a new folder late, or in part), or when
//! the pointer moves.
//!
//! The generation served is written beside the index (`<index>.generation`) after each swap;
//! a replica restarted while the published folder is away serves that copy again once it has
//! checked it whole, so that the indexing node being down never takes the replicas with it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::index;
use crate::index::snapshot::publish::{generation_dir, latest};
use crate::index::snapshot::{self, SnapshotError, SnapshotReport};
use crate::search::rank::Ranking;
use crate::search::Engine;
use crate::semantic::{Model, SemanticMode};

/// Writes the generation now served beside the index, replaced atomically. Written after the
/// restore: a replica stopped in between names the previous generation, and its next poll
/// restores the newest again (the files are already there).
fn remember(index: &Path, generation: u64) -> std::io::Result<()> {
    let path = generation_file(index);
    let staged = path.with_extension("generation.writing");
    std::fs::write(&staged, format!("{generation}\n"))?;
    std::fs::File::open(&staged)?.sync_all()?;
    std::fs::rename(&staged, &path)
}

/// How long a refused generation is left alone before it is checked again.
pub const REFUSED_RETRY: Duration = Duration::from_secs(60);

/// How long a restore waits for the replica's writer lock (only another restore holds it).
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// The replica's view of the published folder and of its own index.
pub struct Follower {
    published: PathBuf,
    index: PathBuf,
    cache_entries: usize,
    /// The semantic table of `--semantic static`, used while a generation's document
    /// vectors were made with it.
    semantic: Option<Arc<Model>>,
    engine: Option<Arc<Engine>>,
    served: Option<u64>,
    /// The last generation refused, and when.
    refused: Option<(u64, Instant)>,
}

/// What one poll did.
#[derive(Debug)]
pub enum Step {
    /// Nothing is published yet.
    NothingPublished,
    /// The newest generation is served already (or was refused less than
    /// [`REFUSED_RETRY`] ago).
    Unchanged,
    /// The generation was restored and is now served.
    Swapped {
        generation: u64,
        report: SnapshotReport,
    },
    /// The generation's snapshot is unusable (damaged, incomplete, of another schema); the
    /// previous one is still served, and this one is left alone for [`REFUSED_RETRY`].
    Refused { generation: u64, reason: String },
    /// The poll failed (pointer unreadable, copy interrupted, disk full...); tried again at
    /// the next poll.
    Failed { reason: String },
}

impl Follower {
    /// A replica of the snapshots published in `published`, serving them from `index`
    /// (created when absent), its engine keeping `cache_entries` answers.
    pub fn new(published: &Path, index: &Path, cache_entries: usize) -> Follower {
        Follower {
            published: published.to_path_buf(),
            index: index.to_path_buf(),
            cache_entries,
            semantic: None,
            engine: None,
            served: None,
            refused: None,
        }
    }

    /// Turns the semantic layer on with `model` (off with `None`): each generation served
    /// whose document vectors were made with this table is searched with it, another is
    /// searched lexically, with a warning.
    pub fn with_semantic(mut self, model: Option<Arc<Model>>) -> Follower {
        self.semantic = model;
        self
    }

    /// The engine, once a first generation is served.
    pub fn engine(&self) -> Option<&Arc<Engine>> {
        self.engine.as_ref()
    }

    /// The generation served.
    pub fn served(&self) -> Option<u64> {
        self.served
    }

    /// Polls once: restores the newest generation when it is neither served nor refused.
    pub fn step(&mut self) -> Step {
        let generation = match latest(&self.published) {
            Ok(Some(generation)) => generation,
            Ok(None) => return Step::NothingPublished,
            Err(error) => {
                return Step::Failed {
                    reason: error.to_string(),
                }
            }
        };
        let recently_refused = self
            .refused
            .is_some_and(|(refused, when)| refused == generation && when.elapsed() < REFUSED_RETRY);
        if Some(generation) == self.served || recently_refused {
            return Step::Unchanged;
        }
        let source = generation_dir(&self.published, generation);
        let report = match snapshot::restore(&source, &self.index, LOCK_WAIT) {
            Ok(report) => report,
            Err(error @ SnapshotError::BadSnapshot { .. }) => {
                self.refused = Some((generation, Instant::now()));
                return Step::Refused {
                    generation,
                    reason: error.to_string(),
                };
            }
            Err(error) => {
                return Step::Failed {
                    reason: error.to_string(),
                }
            }
        };
        if let Err(reason) = self.load() {
            return Step::Failed { reason };
        }
        self.served = Some(generation);
        if let Err(error) = remember(&self.index, generation) {
            tracing::warn!(%error, "the generation served is not remembered for a restart");
        }
        Step::Swapped { generation, report }
    }

    /// Serves the index restored before a restart, if the file beside it names its
    /// generation and it is whole (the same checks as a snapshot's): so that replicas
    /// restarted while the indexing node or the published folder is away still serve.
    /// Returns the generation, or why there is nothing to resume.
    pub fn resume(&mut self) -> Result<u64, String> {
        let path = generation_file(&self.index);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let generation = text
            .trim()
            .parse()
            .map_err(|_| format!("{}: not a generation number", path.display()))?;
        snapshot::inspect(&self.index).map_err(|reason| {
            format!("the index {} is not whole: {reason}", self.index.display())
        })?;
        self.load()?;
        self.served = Some(generation);
        Ok(generation)
    }

    /// The semantic layer this replica fuses with: the weights of its ranking depend on it.
    fn semantic_mode(&self) -> SemanticMode {
        match &self.semantic {
            Some(model) if model.is_full() => SemanticMode::Full,
            Some(_) => SemanticMode::Static,
            None => SemanticMode::Off,
        }
    }

    /// Opens the engine on the first restore, reloads it on the next ones; with a semantic
    /// table, the layer is off before a commit whose vectors were made with another table is
    /// served, and on again only once one made with this table is.
    fn load(&mut self) -> Result<(), String> {
        let (engine, opened) = match &self.engine {
            Some(engine) => (engine.clone(), false),
            None => {
                let engine = Engine::open(&self.index)
                    .map_err(|e| format!("the restored index does not open: {e}"))?
                    .with_cache(self.cache_entries)
                    .with_ranking(Ranking::for_semantic(self.semantic_mode()))
                    .with_semantic(self.semantic.clone());
                engine.suggest("a", 1);
                (Arc::new(engine), true)
            }
        };
        let matches = self.semantic_table_matches(&engine)?;
        if matches == Some(false) {
            engine.set_semantic_table_matches(false);
        }
        if !opened {
            engine.reload().map_err(|e| e.to_string())?;
        }
        if matches == Some(true) {
            engine.set_semantic_table_matches(true);
        }
        self.engine = Some(engine);
        Ok(())
    }

    /// Whether the document vectors of the commit restored were made with the replica's
    /// semantic table (`None` without one); a warning when they were not.
    fn semantic_table_matches(&self, engine: &Engine) -> Result<Option<bool>, String> {
        let Some(model) = &self.semantic else {
            return Ok(None);
        };
        let table = index::committed_semantic_table(engine.index())
            .map_err(|e| format!("the restored index's manifest: {e}"))?;
        let matches = table.as_deref() == Some(model.sha256());
        if !matches {
            tracing::warn!(
                published = table.as_deref().unwrap_or("none"),
                ours = model.sha256(),
                "semantic layer waiting, lexical results only: the document vectors of this \
                 generation were made with another semantic table"
            );
        }
        Ok(Some(matches))
    }
}

/// Resumes from what the replica served before it stopped, then polls every `interval` on a
/// thread of its own, for the life of the process, telling `on_swap` each generation it
/// starts serving (with the engine, opened at the first).
pub fn start(
    mut follower: Follower,
    interval: Duration,
    mut on_swap: impl FnMut(&Arc<Engine>, u64) + Send + 'static,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("follow".into())
        .spawn(move || {
            match follower.resume() {
                Ok(generation) => {
                    tracing::info!(generation, "serving the generation restored before the restart");
                }
                Err(reason) => tracing::info!(%reason, "nothing to resume"),
            }
            if let (Some(engine), Some(generation)) = (follower.engine(), follower.served()) {
                on_swap(engine, generation);
            }
            let mut announced_waiting = false;
            loop {
                let step = follower.step();
                if let (Step::Swapped { generation, .. }, Some(engine)) = (&step, follower.engine()) {
                    on_swap(engine, *generation);
                }
                if matches!(step, Step::NothingPublished) {
                    if !announced_waiting {
                        tracing::info!(published = %follower.published.display(), "nothing published yet");
                    }
                    announced_waiting = true;
                }
                log(&step);
                std::thread::sleep(interval);
            }
        })
        .map(drop)
}

/// Logs what a poll did (nothing when nothing changed).
fn log(step: &Step) {
    match step {
        Step::Swapped { generation, report } => tracing::info!(
            generation,
            documents = report.documents,
            copied_files = report.files,
            shared_files = report.files_shared,
            took_ms = report.duration_ms,
            "now serving a new generation"
        ),
        Step::Refused { generation, reason } => tracing::error!(
            generation,
            %reason,
            "generation refused, the previous one is still served"
        ),
        Step::Failed { reason } => {
            tracing::warn!(%reason, "poll failed, tried again at the next one");
        }
        Step::NothingPublished | Step::Unchanged => {}
    }
}

/// The file beside a replica's index folder that names the generation it holds.
fn generation_file(index: &Path) -> PathBuf {
    let name = index
        .file_name()
        .map_or_else(|| "index".into(), |n| n.to_string_lossy().into_owned());
    index.with_file_name(format!("{name}.generation"))
}

#[cfg(test)]
mod tests;
