//! Synonyms from the thesauri at query time: an acronym finds the document that only spells
//! it out, and what was typed still ranks above what a synonym found.

use spo_search::search::rank::Ranking;
use spo_search::search::Engine;

use crate::support::{index_into, top_ids, write_files};

/// A small corpus: one page that writes the acronym, one that only spells it out, one
/// about something else.
fn corpus() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    let index = dir.path().join("index");
    write_files(
        &corpus,
        &[
            (
                "notes/source.toml",
                b"[metadata]\nnetwork = \"cio\"\nkind = \"guide\"\n",
            ),
            (
                "notes/sigle.md",
                "# Le budget de fonctionnement du CSE\n\nLe CSE reçoit de l'employeur une \
                 subvention de fonctionnement chaque année."
                    .as_bytes(),
            ),
            (
                "notes/toutes-lettres.md",
                "# Élire le comité social et économique\n\nLes salariés élisent leurs \
                 représentants au comité social et économique tous les quatre ans."
                    .as_bytes(),
            ),
            (
                "notes/autre.md",
                "# Le registre unique du personnel\n\nL'employeur tient à jour la liste \
                 des salariés de l'établissement."
                    .as_bytes(),
            ),
        ],
    );
    index_into(&corpus, &index);
    (dir, index)
}

#[test]
fn an_acronym_finds_the_document_that_spells_it_out_below_the_one_that_writes_it() {
    let (_dir, index) = corpus();
    let engine = Engine::open(&index).unwrap();
    assert_eq!(
        top_ids(&engine, "CSE", 10),
        ["notes/sigle.md", "notes/toutes-lettres.md"]
    );
    // The other way round: the expansion typed finds the page that only has the acronym,
    // below the one that spells it out.
    assert_eq!(
        top_ids(&engine, "comité social et économique", 10),
        ["notes/toutes-lettres.md", "notes/sigle.md"]
    );
    // Without the lists, the acronym finds only the page that writes it.
    let mut off = Ranking::default();
    off.set("synonym_cdtn", 0.0).unwrap();
    off.set("synonym_tess", 0.0).unwrap();
    let engine = Engine::open(&index).unwrap().with_ranking(off);
    assert_eq!(top_ids(&engine, "CSE", 10), ["notes/sigle.md"]);
}
