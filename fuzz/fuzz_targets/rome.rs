//! Fuzzes the ROME release extractor, which reads a folder: the input is cut at NUL bytes
//! into the tables of a release (in the order of `TABLES`, then `version.txt`), written to a
//! folder of this process, and the folder is extracted.
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

/// The files a section of the input becomes, in order; a release without a section lacks
/// that file.
const FILES: &[&str] = &[
    "unix_referentiel_code_rome_v1_utf8.csv",
    "unix_texte_v1_utf8.csv",
    "unix_liens_rome_referentiels_v1_utf8.csv",
    "unix_item_v1_utf8.csv",
    "unix_referentiel_competence_v1_utf8.csv",
    "unix_referentiel_savoir_v1_utf8.csv",
    "unix_referentiel_contexte_travail_v1_utf8.csv",
    "unix_descriptif_rubrique_v1_utf8.csv",
    "unix_composition_bloc_v1_utf8.csv",
    "unix_rubrique_mobilite_v1_utf8.csv",
    "unix_cr_gd_dp_v1_utf8.csv",
    "unix_referentiel_code_rome_riasec_v1_utf8.csv",
    "unix_referentiel_appellation_v1_utf8.csv",
    "unix_rome_naf_v1_utf8.csv",
    "version.txt",
];

static RELEASE_DIR: LazyLock<PathBuf> = LazyLock::new(|| {
    let dir = std::env::temp_dir().join(format!("spo-fuzz-rome-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("cannot create the release folder");
    dir
});

fuzz_target!(|data: &[u8]| {
    let dir = RELEASE_DIR.as_path();
    let mut sections = data.split(|&byte| byte == 0);
    for file in FILES {
        let path = dir.join(file);
        match sections.next() {
            Some(section) => std::fs::write(&path, section).expect("cannot write a table"),
            None => {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    let _ = spo_extract::rome::extract(dir);
});
