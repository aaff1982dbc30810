//! French labels of the web page: facet names, dates, months and numbers; the labels of
//! facet values come from the model ([`crate::model::label`]), shared with the API.

pub use crate::model::label::{level_label, territory_label, value_label};
use crate::model::{Date, Facet};

/// Label of a facet, from its query-language name.
pub fn facet_label(alias: &str) -> &'static str {
    Facet::from_name(alias).map_or("Autre critère", Facet::label)
}

/// Label of a value of the facet named `alias`, for the public ([`Facet::value_label`]);
/// a value of an unknown facet by [`value_label`].
pub fn facet_value_label(alias: &str, value: &str) -> String {
    match Facet::from_name(alias) {
        Some(facet) => facet.value_label(value),
        None => value_label(value),
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
    fn facets_and_their_values_have_french_labels() {
        assert_eq!(facet_label("reseau"), "Réseau");
        assert_eq!(facet_label("niveau"), "Niveau");
        assert_eq!(facet_label("couleur"), "Autre critère");
        assert_eq!(facet_value_label("niveau", "5"), "niveau 5 (bac + 2)");
        assert_eq!(
            facet_value_label("format", "dila-xml"),
            "Fiche (Service-Public.fr)"
        );
        assert_eq!(facet_value_label("couleur", "bleu-clair"), "Bleu clair");
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
