//! Shared fixtures: the bundled corpus indexed once per test run, and small corpora built in
//! temporary folders.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use spo_search::index::{self, report::IndexReport, IndexOptions};
use spo_search::search::Engine;

/// The bundled corpus.
pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

struct Bundled {
    _dir: tempfile::TempDir,
    path: PathBuf,
    report: IndexReport,
    engine: Engine,
}

fn bundled() -> &'static Bundled {
    static BUNDLED: OnceLock<Bundled> = OnceLock::new();
    BUNDLED.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("index");
        let report =
            index::run(&options(corpus(), &path), &mut |_, _| {}).expect("index the corpus");
        assert!(
            report.failures.is_empty(),
            "the bundled corpus indexes whole: {:?}",
            report.failures
        );
        let engine = Engine::open(&path).expect("open index");
        Bundled {
            _dir: dir,
            path,
            report,
            engine,
        }
    })
}

/// The report of indexing the bundled corpus from scratch (done once per test binary).
pub fn bundled_report() -> &'static IndexReport {
    &bundled().report
}

/// Where the bundled corpus's index lives.
pub fn bundled_index() -> &'static Path {
    &bundled().path
}

/// A engine over the bundled corpus.
pub fn engine() -> &'static Engine {
    &bundled().engine
}

/// Writes `files` (relative path, content) under `root`.
pub fn write_files(root: &Path, files: &[(&str, &[u8])]) {
    for (path, content) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, content).expect("write");
    }
}

/// Indexes `corpus` into `index` with the options of [`options`].
pub fn index_into(corpus: &Path, index: &Path) -> IndexReport {
    index::run(&options(corpus, index), &mut |_, _| {}).expect("indexing run")
}

/// Default options, except an extraction time limit that a loaded machine cannot reach: the
/// ROME release takes seconds, but a debug build on a shared 2-core machine may take more
/// than the default minute, and a test must not depend on the machine's speed.
pub fn options(corpus: impl Into<PathBuf>, index: impl Into<PathBuf>) -> IndexOptions {
    let mut options = IndexOptions::new(corpus, index);
    options.limits.timeout = std::time::Duration::from_secs(3600);
    options
}

/// Ids of the top hits of `query`.
pub fn top_ids(engine: &Engine, query: &str, limit: usize) -> Vec<String> {
    let request = spo_search::search::SearchRequest {
        query: query.into(),
        limit,
        ..Default::default()
    };
    engine
        .search(&request)
        .expect("search")
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect()
}

/// Every file directly in `dir`, by name, with its bytes (to show a folder was not touched).
pub fn folder_contents(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .flatten()
        .filter(|entry| entry.path().is_file())
        .map(|entry| {
            let bytes = std::fs::read(entry.path()).expect("read file");
            (entry.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect()
}
