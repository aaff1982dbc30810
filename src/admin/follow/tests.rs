use std::fs;

use super::*;
use crate::index::snapshot::publish::{Publication, LATEST_FILE};
use crate::index::{self, IndexOptions};
use crate::search::SearchRequest;

/// An indexing node's corpus and index, its published folder, and a replica's index.
struct Cluster {
    _dir: tempfile::TempDir,
    corpus: PathBuf,
    index: PathBuf,
    publication: Publication,
    replica: PathBuf,
}

impl Cluster {
    fn new() -> Cluster {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().to_path_buf();
        fs::create_dir_all(root.join("corpus/cio")).expect("mkdir");
        Cluster {
            corpus: root.join("corpus"),
            index: root.join("index"),
            publication: Publication {
                dir: root.join("published"),
                keep: 2,
            },
            replica: root.join("replica"),
            _dir: dir,
        }
    }

    /// Adds a document, indexes and publishes: the generation published.
    fn commit(&self, name: &str, text: &str) -> u64 {
        self.commit_with(name, text, None)
    }

    /// [`Cluster::commit`] with document vectors made with `semantic`.
    fn commit_with(&self, name: &str, text: &str, semantic: Option<Arc<Model>>) -> u64 {
        fs::write(self.corpus.join("cio").join(name), text).expect("write");
        let mut options = IndexOptions::new(&self.corpus, &self.index);
        options.semantic = semantic;
        index::run(&options, &mut |_, _| {}).expect("indexing run");
        self.publication
            .publish(&self.index)
            .expect("publish")
            .generation
    }

    fn generation(&self, generation: u64) -> PathBuf {
        generation_dir(&self.publication.dir, generation)
    }

    fn follower(&self) -> Follower {
        Follower::new(&self.publication.dir, &self.replica, 0)
    }
}

fn hits(follower: &Follower, query: &str) -> usize {
    let engine = follower
        .engine()
        .expect("an engine once a generation is served");
    let request = SearchRequest {
        query: query.into(),
        limit: 10,
        ..SearchRequest::default()
    };
    engine.search(&request).expect("search").total
}

/// The largest file of a folder (a segment's store or postings).
/// Replaces the file at `path` by one holding `bytes`, as a new file renamed over it: the
/// old file stays whole for whatever still maps it (a test that truncated a file in place
/// could kill the test process with SIGBUS, where a tantivy thread still read it).
fn replace(path: &Path, bytes: &[u8]) {
    let staged = path.with_extension("staged");
    fs::write(&staged, bytes).expect("write");
    fs::rename(&staged, path).expect("rename");
}

fn largest_file(dir: &Path) -> PathBuf {
    fs::read_dir(dir)
        .expect("read")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e != "json"))
        .max_by_key(|p| fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .expect("a segment file")
}

#[test]
fn a_replica_swaps_to_each_new_generation_and_reports_it() {
    let cluster = Cluster::new();
    let mut follower = cluster.follower();
    assert!(matches!(follower.step(), Step::NothingPublished));
    assert!(follower.engine().is_none(), "not ready before a generation");

    let first = cluster.commit("luthier.md", "# Luthier\n\nFabrique des violons.");
    assert!(matches!(follower.step(), Step::Swapped { generation, .. } if generation == first));
    assert_eq!(follower.served(), Some(first));
    assert_eq!(hits(&follower, "luthier"), 1);
    assert!(matches!(follower.step(), Step::Unchanged));

    let second = cluster.commit("ebeniste.md", "# Ébéniste\n\nFabrique des meubles.");
    assert_eq!(second, first + 1);
    let Step::Swapped { generation, report } = follower.step() else {
        panic!("the new generation was not restored");
    };
    assert_eq!(generation, second);
    assert!(
        report.files_shared > 0,
        "the first segment is not copied again"
    );
    assert_eq!(follower.served(), Some(second));
    assert_eq!(
        hits(&follower, "ébéniste"),
        1,
        "the engine reads the new commit"
    );
    assert_eq!(hits(&follower, "luthier"), 1);
}

#[test]
fn publishing_an_unchanged_index_makes_no_generation_and_old_ones_are_pruned() {
    let cluster = Cluster::new();
    let first = cluster.commit("a.md", "# Alpha\n\nUn.");
    let again = cluster
        .publication
        .publish(&cluster.index)
        .expect("publish");
    assert_eq!(again.generation, first);
    assert!(
        again.snapshot.is_none(),
        "the same commit is not copied twice"
    );

    let second = cluster.commit("b.md", "# Beta\n\nDeux.");
    let third = cluster.commit("c.md", "# Gamma\n\nTrois.");
    assert_eq!((second, third), (first + 1, first + 2));
    assert!(!cluster.generation(first).exists(), "keep = 2");
    assert!(cluster.generation(second).exists() && cluster.generation(third).exists());
    let pointer = fs::read_to_string(cluster.publication.dir.join(LATEST_FILE)).expect("read");
    assert_eq!(pointer.trim(), third.to_string());
}

#[test]
fn a_damaged_generation_is_refused_and_the_previous_one_still_served() {
    let cluster = Cluster::new();
    let mut follower = cluster.follower();
    let first = cluster.commit("luthier.md", "# Luthier\n\nFabrique des violons.");
    assert!(matches!(follower.step(), Step::Swapped { .. }));

    let second = cluster.commit("ebeniste.md", "# Ébéniste\n\nFabrique des meubles.");
    let damaged = largest_file(&cluster.generation(second));
    let whole = fs::read(&damaged).expect("read");
    let mut bytes = whole.clone();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    replace(&damaged, &bytes);

    let Step::Refused { generation, reason } = follower.step() else {
        panic!("a damaged snapshot was restored");
    };
    assert_eq!(generation, second);
    assert!(reason.contains("checksum"), "{reason}");
    assert_eq!(follower.served(), Some(first));
    assert_eq!(
        hits(&follower, "luthier"),
        1,
        "the old generation is served"
    );
    assert_eq!(hits(&follower, "ébéniste"), 0);
    assert!(
        matches!(follower.step(), Step::Unchanged),
        "not tried again at once"
    );

    // Seen whole later (a network file system catching up): served once the wait is over.
    replace(&damaged, &whole);
    assert!(matches!(follower.step(), Step::Unchanged));
    follower.refused = follower
        .refused
        .map(|(generation, when)| (generation, when - REFUSED_RETRY));
    assert!(matches!(follower.step(), Step::Swapped { generation, .. } if generation == second));
    assert_eq!(hits(&follower, "ébéniste"), 1);

    let third = cluster.commit("potier.md", "# Potier\n\nTourne des vases.");
    assert!(matches!(follower.step(), Step::Swapped { generation, .. } if generation == third));
    assert_eq!(hits(&follower, "ébéniste"), 1);
}

#[test]
fn a_replica_never_serves_a_partial_snapshot() {
    let cluster = Cluster::new();
    let mut follower = cluster.follower();
    let first = cluster.commit("luthier.md", "# Luthier\n\nFabrique des violons.");

    // A first generation with a file missing (copied by hand, half way): never ready.
    let missing = largest_file(&cluster.generation(first));
    let kept = fs::read(&missing).expect("read");
    fs::remove_file(&missing).expect("remove");
    assert!(matches!(follower.step(), Step::Refused { .. }));
    assert!(
        follower.engine().is_none(),
        "no index served from a partial copy"
    );
    assert!(!cluster.replica.join("meta.json").exists());

    // Repaired under a new pointer (a republication): served.
    fs::write(&missing, kept).expect("write");
    let second = first + 1;
    let copy = cluster.generation(second);
    fs::create_dir(&copy).expect("mkdir");
    for entry in fs::read_dir(cluster.generation(first))
        .expect("read")
        .flatten()
    {
        fs::copy(entry.path(), copy.join(entry.file_name())).expect("copy");
    }
    fs::write(
        cluster.publication.dir.join(LATEST_FILE),
        format!("{second}\n"),
    )
    .expect("write");
    assert!(matches!(follower.step(), Step::Swapped { generation, .. } if generation == second));

    // A publisher killed mid-copy: a hidden staging folder, the pointer unmoved.
    fs::write(cluster.corpus.join("cio/potier.md"), "# Potier\n\nVases.").expect("write");
    index::run(
        &IndexOptions::new(&cluster.corpus, &cluster.index),
        &mut |_, _| {},
    )
    .expect("indexing run");
    let staging = cluster.publication.dir.join(".gen-00000003.partial-1");
    fs::create_dir(&staging).expect("mkdir");
    fs::copy(cluster.index.join("meta.json"), staging.join("meta.json")).expect("copy");
    assert!(matches!(follower.step(), Step::Unchanged));
    assert_eq!(hits(&follower, "potier"), 0);

    // The next publication removes the leftover and publishes whole.
    let published = cluster
        .publication
        .publish(&cluster.index)
        .expect("publish");
    assert!(!staging.exists(), "the unfinished copy is removed");
    assert!(
        matches!(follower.step(), Step::Swapped { generation, .. } if generation == published.generation)
    );
    assert_eq!(hits(&follower, "potier"), 1);
}

#[test]
fn an_unreadable_pointer_is_a_failed_poll_not_a_swap() {
    let cluster = Cluster::new();
    let mut follower = cluster.follower();
    cluster.commit("luthier.md", "# Luthier\n\nFabrique des violons.");
    fs::write(cluster.publication.dir.join(LATEST_FILE), "garbage").expect("write");
    let Step::Failed { reason } = follower.step() else {
        panic!("a garbage pointer was followed");
    };
    assert!(reason.contains("not a generation number"), "{reason}");
    assert!(follower.engine().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_servers_reindexer_publishes_each_commit_and_only_commits() {
    let cluster = Cluster::new();
    let first = cluster.commit("luthier.md", "# Luthier\n\nFabrique des violons.");
    let mut options = IndexOptions::new(&cluster.corpus, &cluster.index);
    options.publish = Some(cluster.publication.clone());
    let engine = Arc::new(Engine::open(&cluster.index).expect("open"));
    let reindexer = crate::admin::Reindexer::start(options, engine);

    fs::write(cluster.corpus.join("cio/potier.md"), "# Potier\n\nVases.").expect("write");
    let outcome = reindexer.wait(reindexer.request(false)).await.expect("run");
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    assert_eq!(latest(&cluster.publication.dir).ok(), Some(Some(first + 1)));
    let outcome = reindexer.wait(reindexer.request(false)).await.expect("run");
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    assert_eq!(
        latest(&cluster.publication.dir).ok(),
        Some(Some(first + 1)),
        "a run that commits nothing publishes nothing"
    );

    let mut follower = cluster.follower();
    assert!(matches!(follower.step(), Step::Swapped { generation, .. } if generation == first + 1));
    assert_eq!(hits(&follower, "potier"), 1);
}

#[test]
fn a_restarted_replica_serves_what_it_had_even_without_the_published_folder() {
    let cluster = Cluster::new();
    let mut follower = cluster.follower();
    assert!(follower.resume().is_err(), "nothing restored yet");
    let first = cluster.commit("luthier.md", "# Luthier\n\nFabrique des violons.");
    assert!(matches!(follower.step(), Step::Swapped { .. }));
    drop(follower);

    // The indexing node is away: its folder is gone.
    fs::rename(
        &cluster.publication.dir,
        cluster.replica.with_extension("away"),
    )
    .expect("mv");
    let mut restarted = cluster.follower();
    assert_eq!(restarted.resume(), Ok(first));
    assert_eq!(restarted.served(), Some(first));
    assert_eq!(hits(&restarted, "luthier"), 1);
    assert!(matches!(restarted.step(), Step::NothingPublished));
    assert_eq!(hits(&restarted, "luthier"), 1, "still served");

    // A damaged local copy is not resumed: the replica waits for a verified generation.
    drop(restarted);
    let damaged = largest_file(&cluster.replica);
    let mut bytes = fs::read(&damaged).expect("read");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    replace(&damaged, &bytes);
    let mut restarted = cluster.follower();
    let reason = restarted.resume().expect_err("a damaged copy");
    assert!(reason.contains("checksum"), "{reason}");
    assert!(restarted.engine().is_none());
}

/// The committed semantic table.
fn model() -> Arc<Model> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(crate::semantic::DEFAULT_TABLE);
    Arc::new(Model::load(&path).expect("the committed table"))
}

#[test]
fn a_replica_uses_its_semantic_table_while_the_vectors_published_come_from_it() {
    let cluster = Cluster::new();
    let model = model();
    let mut follower = cluster.follower().with_semantic(Some(model.clone()));
    cluster.commit_with(
        "luthier.md",
        "# Luthier\n\nFabrique des violons et des guitares.",
        Some(model.clone()),
    );
    assert!(matches!(follower.step(), Step::Swapped { .. }));
    let engine = follower.engine().expect("served").clone();
    assert!(engine.semantic_active());
    // No word matches: the nearest documents in meaning answer.
    assert_eq!(hits(&follower, "musicien"), 1);

    // The indexing node now publishes without vectors (or with another table): lexical.
    cluster.commit_with("ebeniste.md", "# Ébéniste\n\nFabrique des meubles.", None);
    assert!(matches!(follower.step(), Step::Swapped { .. }));
    assert!(!engine.semantic_active());
    assert_eq!(hits(&follower, "musicien"), 0);
    assert_eq!(hits(&follower, "luthier"), 1);

    cluster.commit_with("tourneur.md", "# Tourneur\n\nTourne le bois.", Some(model));
    assert!(matches!(follower.step(), Step::Swapped { .. }));
    assert!(engine.semantic_active());
    assert!(hits(&follower, "musicien") > 0);

    // Without a table, a replica never uses the layer.
    let plain = Cluster::new();
    let mut follower = plain.follower();
    plain.commit_with(
        "luthier.md",
        "# Luthier\n\nFabrique des violons.",
        Some(self::model()),
    );
    assert!(matches!(follower.step(), Step::Swapped { .. }));
    assert!(!follower.engine().expect("served").semantic_active());
    assert_eq!(hits(&follower, "musicien"), 0);
}
