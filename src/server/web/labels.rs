//! French labels for what the index stores as slugs and codes: facet names, facet values
//! (levels and territories by their names), languages, formats and dates.

use crate::model::{territory, Date, Facet};

/// Label of a facet, from its query-language name.
pub fn facet_label(alias: &str) -> &'static str {
    Facet::from_name(alias).map_or("Autre critère", Facet::label)
}

/// Label of a value of the facet named `alias`: a level by its French name, a territory by
/// its department's name, other values by [`value_label`].
pub fn facet_value_label(alias: &str, value: &str) -> String {
    match Facet::from_name(alias) {
        Some(Facet::Level) => level_label(value),
        Some(Facet::Territory) => territory_label(value),
        _ => value_label(value),
    }
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

/// The months, in French.
const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// `2025-09-18` → `18 septembre 2025`; a string that is not a date is returned as it is.
pub fn date_label(date: &str) -> String {
    let Ok(parsed) = date.parse::<Date>() else {
        return date.to_string();
    };
    let month = MONTHS[parsed.month() as usize - 1];
    match parsed.day() {
        1 => format!("1er {month} {}", parsed.year()),
        day => format!("{day} {month} {}", parsed.year()),
    }
}

/// `(2026, 3)` → `mars 2026`; a month out of 1–12 gives the year alone.
pub fn month_label(year: u32, month: u32) -> String {
    match MONTHS.get((month as usize).wrapping_sub(1)) {
        Some(name) => format!("{name} {year}"),
        None => year.to_string(),
    }
}

/// `12345` → `12 345` (French thousands separator, a narrow no-break space).
pub fn number_label(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + 8);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_have_french_labels() {
        assert_eq!(value_label("fiche-metier"), "Fiche métier");
        assert_eq!(value_label("etat"), "État");
        assert_eq!(value_label("fr"), "Français");
        assert_eq!(value_label("contrat-aide"), "Contrat aide");
        assert_eq!(value_label(""), "");
        assert_eq!(facet_label("reseau"), "Réseau");
        assert_eq!(facet_label("niveau"), "Niveau");
        assert_eq!(facet_value_label("niveau", "5"), "niveau 5 (bac + 2)");
        assert_eq!(facet_value_label("niveau", "8"), "niveau 8 (doctorat)");
        assert_eq!(facet_value_label("territoire", "05"), "Hautes-Alpes (05)");
        assert_eq!(
            facet_value_label("territoire", "paca"),
            "Provence-Alpes-Côte d’Azur"
        );
        assert_eq!(facet_value_label("type", "5"), "5");
        assert_eq!(
            facet_value_label("acces", "vae"),
            "VAE (validation des acquis de l’expérience)"
        );
    }

    #[test]
    fn dates_and_numbers_read_the_french_way() {
        assert_eq!(date_label("2025-09-18"), "18 septembre 2025");
        assert_eq!(date_label("2024-01-01"), "1er janvier 2024");
        for odd in [
            "2025-02-31",
            "2025-13-01",
            "2025-00-10",
            "2025-01-99",
            "hier",
            "",
            "25-01-01",
        ] {
            assert_eq!(date_label(odd), odd);
        }
        assert_eq!(month_label(2026, 3), "mars 2026");
        assert_eq!(month_label(2026, 13), "2026");
        assert_eq!(number_label(7), "7");
        assert_eq!(number_label(1234), "1\u{202f}234");
        assert_eq!(number_label(1234567), "1\u{202f}234\u{202f}567");
    }
}
