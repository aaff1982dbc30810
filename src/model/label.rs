//! The French labels of facet values for the public, shared by the web page and the API:
//! a level by its French name, a territory by its department's name, a format as a reader
//! names it ("Page web", "PDF"), other values (networks, kinds, audiences, languages...) by
//! [`value_label`].

use super::{territory, Facet};

impl Facet {
    /// The label of one of this facet's values, for the public (`format:dila-xml` →
    /// `Fiche (Service-Public.fr)`, `niveau:5` → `niveau 5 (bac + 2)`).
    pub fn value_label(self, value: &str) -> String {
        match self {
            Facet::Level => level_label(value),
            Facet::Territory => territory_label(value),
            Facet::Format => format_label(value),
            _ => value_label(value),
        }
    }
}

/// A format as a reader names it, from its facet value (`Format::name`); an unknown value
/// by [`value_label`].
pub fn format_label(format: &str) -> String {
    let known = match format {
        "html" => "Page web",
        "dila-xml" => "Fiche (Service-Public.fr)",
        "rome-csv" => "Fiche métier (ROME)",
        "rncp-csv" => "Fiche certification (RNCP)",
        "onisep-csv" => "Fiche (Onisep)",
        "lheo-xml" => "Offre de formation (Carif-Oref)",
        "json" => "Fiche (export de données)",
        "pdf" => "PDF",
        "docx" => "Document texte (Word)",
        "odt" => "Document texte (OpenDocument)",
        "text" | "markdown" => "Texte",
        other => return value_label(other),
    };
    known.to_string()
}

/// `5` → `niveau 5 (bac + 2)`: the levels of the European framework as French readers know
/// them.
pub fn level_label(level: &str) -> String {
    let known = match level {
        "1" => "niveau 1 (savoirs de base)",
        "2" => "niveau 2 (socle de compétences)",
        "3" => "niveau 3 (CAP, BEP)",
        "4" => "niveau 4 (bac)",
        "5" => "niveau 5 (bac + 2)",
        "6" => "niveau 6 (bac + 3, bac + 4)",
        "7" => "niveau 7 (bac + 5)",
        "8" => "niveau 8 (doctorat)",
        other => return value_label(other),
    };
    known.to_string()
}

/// `05` → `Hautes-Alpes (05)`; `national` and `paca` by their names.
pub fn territory_label(territory: &str) -> String {
    match territory::department_name(territory) {
        Some(name) => format!("{name} ({territory})"),
        None => value_label(territory),
    }
}

/// Label of a facet value; unknown slugs are shown with spaces and a capital.
pub fn value_label(value: &str) -> String {
    let known = match value {
        "cio" => "CIO",
        "france-travail" => "France Travail",
        "mission-locale" => "Mission locale",
        "information-jeunesse" => "Information Jeunesse",
        "spo" => "SPO (commun)",
        "etat" => "État",
        "fiche-metier" => "Fiche métier",
        "fiche-metier-onisep" => "Fiche métier ONISEP",
        "fiche-droits" => "Fiche droits et démarches",
        "fiche-pratique" => "Fiche pratique",
        "question-reponse" => "Question-réponse",
        "dossier" => "Dossier",
        "recherche-guidee" => "Recherche guidée",
        "comment-faire-si" => "Comment faire si…",
        "theme" => "Thème",
        "formation" => "Formation",
        "offre-de-formation" => "Offre de formation",
        "certification" => "Certification",
        "certification-inactive" => "Certification qui n’est plus délivrée",
        "carif-oref" => "Carif-Oref",
        "apprentissage" => "Apprentissage",
        "contrat-professionnalisation" => "Contrat de professionnalisation",
        "vae" => "VAE (validation des acquis de l’expérience)",
        "formation-continue" => "Formation continue",
        "formation-initiale" => "Formation initiale",
        "candidature-individuelle" => "Candidature individuelle",
        "texte-de-reference" => "Texte de référence",
        "tout-public" => "Tout public",
        "jeunes" => "Jeunes",
        "particuliers" => "Particuliers",
        "professionnels" => "Professionnels",
        "associations" => "Associations",
        "national" => "National",
        "paca" => "Provence-Alpes-Côte d’Azur",
        "non-renseigne" => "Non renseigné",
        "service-public" => "Service-Public.fr",
        "travail-emploi" => "Travail-Emploi.gouv.fr",
        "rome" => "ROME (France Travail)",
        "rncp" => "RNCP (France compétences)",
        "onisep" => "Onisep (métiers et formations)",
        "lheo" => "Offre de formation (Carif-Oref)",
        "rome-csv" => "ROME (CSV)",
        "dila" | "dila-xml" => "Fiche DILA (XML)",
        "pdf" => "PDF",
        "html" => "HTML",
        "md" | "markdown" => "Markdown",
        "txt" | "text" => "Texte",
        "docx" => "Word (DOCX)",
        "odt" => "OpenDocument (ODT)",
        "json" => "JSON",
        other => return language_name(other).map_or_else(|| humanize(other), str::to_string),
    };
    known.to_string()
}

/// Name of a language from its ISO 639-1 code, for the languages the index analyses.
fn language_name(code: &str) -> Option<&'static str> {
    Some(match code {
        "fr" => "Français",
        "en" => "Anglais",
        "de" => "Allemand",
        "es" => "Espagnol",
        "it" => "Italien",
        "pt" => "Portugais",
        "nl" => "Néerlandais",
        _ => return None,
    })
}

/// `contrat-aide` → `Contrat aide`.
fn humanize(slug: &str) -> String {
    let spaced = slug.replace(['-', '_'], " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_have_labels_for_the_public() {
        assert_eq!(value_label("fiche-metier"), "Fiche métier");
        assert_eq!(value_label("etat"), "État");
        assert_eq!(value_label("fr"), "Français");
        assert_eq!(value_label("contrat-aide"), "Contrat aide");
        assert_eq!(value_label(""), "");
        assert_eq!(Facet::Level.value_label("5"), "niveau 5 (bac + 2)");
        assert_eq!(Facet::Level.value_label("8"), "niveau 8 (doctorat)");
        assert_eq!(Facet::Territory.value_label("05"), "Hautes-Alpes (05)");
        assert_eq!(
            Facet::Territory.value_label("paca"),
            "Provence-Alpes-Côte d’Azur"
        );
        assert_eq!(Facet::Kind.value_label("5"), "5");
        assert_eq!(
            Facet::Access.value_label("vae"),
            "VAE (validation des acquis de l’expérience)"
        );
    }

    #[test]
    fn every_format_has_a_label_without_jargon() {
        assert_eq!(Facet::Format.value_label("html"), "Page web");
        assert_eq!(Facet::Format.value_label("pdf"), "PDF");
        assert_eq!(Facet::Format.value_label("docx"), "Document texte (Word)");
        let formats = [
            "pdf", "html", "text", "markdown", "docx", "odt", "dila-xml", "json", "rome-csv",
        ];
        let mut labels: Vec<String> = formats
            .into_iter()
            .map(|format| Facet::Format.value_label(format))
            .collect();
        for label in &labels {
            for jargon in ["XML", "CSV", "JSON", "DILA", "DOCX", "ODT"] {
                assert!(!label.contains(jargon), "{label}");
            }
        }
        // Two formats share a label only when a reader cannot tell them apart.
        labels.dedup();
        assert_eq!(labels.len(), formats.len() - 1);
        // The source named rome keeps its own label.
        assert_eq!(Facet::Source.value_label("rome"), "ROME (France Travail)");
    }

    #[test]
    fn every_bundled_source_has_a_label_of_its_own() {
        let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let mut checked = 0;
        for entry in std::fs::read_dir(corpus).expect("corpus") {
            let entry = entry.expect("entry");
            if !entry.path().join("source.toml").is_file() {
                continue;
            }
            let source = entry.file_name().to_string_lossy().into_owned();
            assert_ne!(
                Facet::Source.value_label(&source),
                humanize(&source),
                "{source} has no label"
            );
            checked += 1;
        }
        assert!(checked >= 7, "{checked} sources");
    }
}
