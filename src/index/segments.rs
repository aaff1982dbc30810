//! The segments of the index folder: how many writer threads a pass writes with, and once it
//! is done with them, the files that no commit references removed and an index written whole
//! merged into one segment.

use tantivy::IndexWriter;

use crate::ingest::source::Discovery;

/// A corpus of up to this many bytes of files, written whole, is indexed by one writer
/// thread. Each writer thread writes a segment of its own, and an index written whole is then
/// merged into one ([`merge_small_index`]): a merge that runs alone at the end, on one core
/// (0.6–0.8 s of the 5 s that the bundled corpus, 70 MB of files, took; 9 % of its CPU). One
/// thread writes the one segment directly, its memory budget holding the whole corpus, while
/// the extraction and the feeding of the writer (the documents' vectors) use the other core.
const ONE_WRITER_UP_TO: u64 = 128 * 1024 * 1024;

/// The writer threads of a pass over `discovery`, with up to `threads` extraction threads:
/// one for a small corpus written whole (`whole`), else one per extraction thread (at most
/// four).
pub(super) fn writer_threads(discovery: &Discovery, threads: usize, whole: bool) -> usize {
    let small = || {
        let files = discovery.units.iter().flat_map(|unit| &unit.files);
        let bytes: u64 = files
            .filter_map(|path| std::fs::metadata(path).ok())
            .map(|metadata| metadata.len())
            .sum();
        bytes <= ONE_WRITER_UP_TO
    };
    if whole && small() {
        1
    } else {
        threads.clamp(1, 4)
    }
}

/// Deletes the files of the index folder that no commit references (left by a run that
/// stopped, or was killed, before its commit).
pub(super) fn collect_garbage(writer: &mut IndexWriter) {
    match writer.garbage_collect_files().wait() {
        Ok(collected) if !collected.deleted_files.is_empty() => {
            tracing::info!(
                files = collected.deleted_files.len(),
                "removed files that no commit references"
            );
        }
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "cannot remove the files no commit references"),
    }
}

/// An index of up to this many documents written whole is merged into one segment. Every
/// search looks each of its terms up in every segment, for every field it scores (a few
/// dozen clauses a query): one segment instead of the two that two indexing threads write
/// served 20 % more searches of the bundled corpus (27,375 documents), for 0.6 s of CPU to
/// merge them; 200,000 generated documents, six segments, served 33 % more for 2.4 s. Beyond,
/// the rewrite (and twice the disk space while it runs) is left to tantivy's merge policy.
const ONE_SEGMENT_UP_TO: u32 = 300_000;

/// Merges the segments of a committed index into one when it holds at most
/// [`ONE_SEGMENT_UP_TO`] documents. The commit stands whatever happens: a merge that fails (a
/// full disk) only leaves the segments as they were, with a warning. Says whether it merged.
pub(super) fn merge_small_index(writer: &mut IndexWriter) -> bool {
    let segments = match writer.index().searchable_segment_metas() {
        Ok(segments) => segments,
        Err(error) => {
            tracing::warn!(%error, "cannot list the segments to merge");
            return false;
        }
    };
    let documents: u32 = segments.iter().map(|segment| segment.num_docs()).sum();
    if segments.len() < 2 || documents > ONE_SEGMENT_UP_TO {
        return false;
    }
    let ids: Vec<_> = segments.iter().map(|segment| segment.id()).collect();
    match writer.merge(&ids).wait() {
        Ok(_) => true,
        Err(error) => {
            tracing::warn!(%error, segments = ids.len(), "cannot merge the index into one segment");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::source::discover;

    #[test]
    fn a_small_corpus_written_whole_has_one_writer_thread() {
        let corpus = tempfile::tempdir().expect("temp dir");
        let folder = corpus.path().join("guides");
        std::fs::create_dir(&folder).expect("source folder");
        std::fs::write(folder.join("a.md"), "# Un guide\n\nDu texte.").expect("file");
        let discovery = discover(corpus.path()).expect("discovery");
        assert_eq!(discovery.units.len(), 1);
        assert_eq!(writer_threads(&discovery, 2, true), 1);
        assert_eq!(
            writer_threads(&discovery, 2, false),
            2,
            "an incremental run"
        );
        assert_eq!(writer_threads(&discovery, 8, false), 4);
    }
}
