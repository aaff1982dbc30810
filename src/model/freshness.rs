//! How long a document stays current: past its date plus a number of days, the page and the
//! API tell readers to check it on its publisher's site. The days are the source's
//! (`stale_after_days` in `source.toml` or a sidecar), else a default by kind of resource.

use super::{Date, Document, Facet, Metadata};

/// Days a document of a kind without its own default stays current (two years).
pub const DEFAULT_STALE_AFTER_DAYS: u32 = 730;

/// Days each kind of resource stays current, by its `type` facet value, and why.
const STALE_AFTER_DAYS_BY_KIND: [(&str, u32); 14] = [
    // Rights, procedures and labour law: amounts, thresholds and steps change every year.
    ("fiche-droits", 365),
    ("fiche-pratique", 365),
    ("question-reponse", 365),
    ("comment-faire-si", 365),
    ("dossier", 365),
    ("recherche-guidee", 365),
    ("theme", 365),
    // A training offer describes the sessions of a year.
    ("offre-de-formation", 365),
    // Jobs change slowly; the ROME and ONISEP fiches are revised every few years.
    ("fiche-metier", 3 * 365),
    ("fiche-metier-onisep", 3 * 365),
    // A certification is registered for up to five years; programmes follow it.
    ("certification", 3 * 365),
    ("certification-inactive", 3 * 365),
    ("formation", 3 * 365),
    // Agreements and regulations stay in force for years.
    ("texte-de-reference", 5 * 365),
];

/// Days a document of `kind` stays current when its source does not say.
pub fn default_stale_after_days(kind: &str) -> u32 {
    STALE_AFTER_DAYS_BY_KIND
        .iter()
        .find(|(known, _)| *known == kind)
        .map_or(DEFAULT_STALE_AFTER_DAYS, |(_, days)| *days)
}

impl Metadata {
    /// Days its documents stay current after their date: its own, else their kind's.
    pub fn stale_after_days(&self) -> u32 {
        self.stale_after_days.unwrap_or_else(|| {
            default_stale_after_days(self.first(Facet::Kind).unwrap_or_default())
        })
    }

    /// The last day a document of `date` with this metadata is current; none without a date.
    pub fn stale_after(&self, date: Option<Date>) -> Option<Date> {
        date.map(|date| date.plus_days(self.stale_after_days()))
    }
}

impl Document {
    /// The last day this document is current; none without a date.
    pub fn stale_after(&self) -> Option<Date> {
        self.metadata.stale_after(self.content.date)
    }
}

/// Whether a document current until `stale_after` is out of date on `today`.
pub fn is_stale(stale_after: Option<Date>, today: Date) -> bool {
    stale_after.is_some_and(|last| today > last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata(kind: &str, own_days: Option<u32>) -> Metadata {
        let mut metadata = Metadata {
            stale_after_days: own_days,
            ..Metadata::default()
        };
        metadata.set(Facet::Kind, vec![kind.to_string()]);
        metadata
    }

    fn date(text: &str) -> Date {
        text.parse().expect("a date")
    }

    #[test]
    fn a_document_is_current_for_its_kinds_days_unless_its_source_says_otherwise() {
        let day = Some(date("2020-03-01"));
        let rights = metadata("fiche-droits", None);
        assert_eq!(rights.stale_after(day), Some(date("2021-03-01")));
        let job = metadata("fiche-metier", None);
        assert_eq!(job.stale_after(day), Some(date("2023-03-01")));
        let unknown = metadata("brochure", None);
        assert_eq!(unknown.stale_after_days(), DEFAULT_STALE_AFTER_DAYS);
        let own = metadata("fiche-droits", Some(30));
        assert_eq!(own.stale_after(day), Some(date("2020-03-31")));
        assert_eq!(rights.stale_after(None), None);
    }

    #[test]
    fn stale_is_strictly_after_the_last_current_day_and_never_without_a_date() {
        let last = Some(date("2021-03-01"));
        assert!(!is_stale(last, date("2021-03-01")));
        assert!(is_stale(last, date("2021-03-02")));
        assert!(!is_stale(None, date("9999-12-31")));
    }
}
