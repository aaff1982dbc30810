//! A document ready to index, and the metadata its source gives it.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};

use super::facet::{Facet, Facets, Origin, UNSET};
use super::{Date, Extracted, Format, Lang};

/// Whether a URL found in a document (a sidecar, a JSON field, a page's canonical link) may
/// be shown as a link: only `http://` and `https://` ones, never `javascript:`, `data:` or
/// anything else a browser would run or open.
pub fn is_web_url(url: &str) -> bool {
    let scheme_end = url.find("://").unwrap_or(0);
    let scheme = &url[..scheme_end];
    scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
}

/// Metadata shared by the documents of a source (`[metadata]` of `source.toml`), which a
/// sidecar file may override for one file: the values of the facets of
/// [`Origin::MetadataOne`] and [`Origin::MetadataMany`] (`network = "cio"`,
/// `audience = ["jeunes"]`), the publisher, the language assumed for short texts, the date
/// of every document of a source that is one text, how long its documents stay current, and
/// the main document of a work that they are other files of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    /// Values by facet; a facet left unset has no entry.
    pub facets: BTreeMap<Facet, Vec<String>>,
    pub publisher: Option<String>,
    /// Language assumed when a text is too short to detect (ISO 639-1).
    pub language: Option<String>,
    /// The date of the documents, over the dates their files carry (a PDF's CreationDate
    /// may be the day it was rendered); a sidecar's own `date` wins over it.
    pub date: Option<Date>,
    /// Days the documents stay current after their date (`super::freshness`); their kind's
    /// default when unset.
    pub stale_after_days: Option<u32>,
    /// The id of the main document of the work these documents are other files of, under
    /// other names (`super::work`): they are shown as one result with it.
    pub same_as: Option<String>,
}

impl Metadata {
    /// `self` with every value that `other` sets replaced by `other`'s.
    pub fn overridden_by(&self, other: &Metadata) -> Metadata {
        let mut facets = self.facets.clone();
        facets.extend(other.facets.clone());
        Metadata {
            facets,
            publisher: other.publisher.clone().or_else(|| self.publisher.clone()),
            language: other.language.clone().or_else(|| self.language.clone()),
            date: other.date.or(self.date),
            stale_after_days: other.stale_after_days.or(self.stale_after_days),
            same_as: other.same_as.clone().or_else(|| self.same_as.clone()),
        }
    }

    /// The values of `facet`, empty when unset.
    pub fn values(&self, facet: Facet) -> &[String] {
        self.facets.get(&facet).map_or(&[], Vec::as_slice)
    }

    /// The first value of `facet`.
    pub fn first(&self, facet: Facet) -> Option<&str> {
        self.values(facet).first().map(String::as_str)
    }

    /// Sets the values of `facet`, in their canonical form ([`Facet::canonical`]); an empty
    /// list unsets it.
    pub fn set(&mut self, facet: Facet, values: Vec<String>) {
        let mut canonical: Vec<String> = Vec::with_capacity(values.len());
        for value in values {
            let value = facet.canonical(&value);
            if !value.is_empty() && !canonical.contains(&value) {
                canonical.push(value);
            }
        }
        let values = canonical;
        if values.is_empty() {
            self.facets.remove(&facet);
        } else {
            self.facets.insert(facet, values);
        }
    }
}

/// The keys a `[metadata]` table may hold besides its facets.
const OTHER_KEYS: [&str; 5] = [
    "publisher",
    "language",
    "date",
    "stale_after_days",
    "same_as",
];

impl<'de> Deserialize<'de> for Metadata {
    /// Reads a table whose keys are the field names of the metadata facets (a string for
    /// one value, a list of strings for a facet of several), `publisher`, `language`, `date`
    /// (`YYYY-MM-DD`, a day that exists), `stale_after_days` (a whole number) and `same_as`
    /// (a document id); any other key is refused.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Metadata, D::Error> {
        deserializer.deserialize_map(MetadataVisitor)
    }
}

struct MetadataVisitor;

impl<'de> Visitor<'de> for MetadataVisitor {
    type Value = Metadata;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a table of metadata")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Metadata, A::Error> {
        let mut metadata = Metadata::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "publisher" => metadata.publisher = Some(map.next_value()?),
                "language" => metadata.language = Some(map.next_value()?),
                "date" => metadata.date = Some(map.next_value()?),
                "stale_after_days" => metadata.stale_after_days = Some(map.next_value()?),
                "same_as" => metadata.same_as = Some(map.next_value()?),
                name => {
                    let facet = Facet::of_metadata(name).ok_or_else(|| unknown_key(name))?;
                    let values = match facet.origin() {
                        Origin::MetadataMany => map.next_value::<Vec<String>>()?,
                        _ => vec![map.next_value::<String>()?],
                    };
                    metadata.set(facet, values);
                }
            }
        }
        Ok(metadata)
    }
}

/// The error for a key that a `[metadata]` table may not hold, naming those it may.
fn unknown_key<E: serde::de::Error>(name: &str) -> E {
    let facets = Facet::ALL
        .into_iter()
        .filter(|facet| facet.origin() != Origin::Document)
        .map(Facet::field_name);
    let keys: Vec<String> = facets
        .chain(OTHER_KEYS)
        .map(|key| format!("`{key}`"))
        .collect();
    E::custom(format!(
        "unknown field `{name}`, expected one of {}",
        keys.join(", ")
    ))
}

/// A document ready to index: what was extracted plus where it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Stable id: `rome:<code>`, `sp:<audience>/<ID>`, `travail:<pubId>` or the file's path
    /// relative to the corpus.
    pub id: String,
    /// Name of the source folder.
    pub source: String,
    /// Format of the file it came from.
    pub format: Format,
    /// Path of the file relative to the corpus (the folder for a ROME release).
    pub path: String,
    pub language: Lang,
    pub metadata: Metadata,
    pub content: Extracted,
    /// Titles of the documents that refer to this one by a relation that lends vocabulary
    /// ([`super::link::lends_vocabulary`]): the certifications leading to a job, the ONISEP
    /// fiches describing it. Indexed as a weak field; set by the indexing pass.
    pub vocabulary: Vec<String>,
}

impl Document {
    /// The values of each facet for this document; an unset facet has the value [`UNSET`],
    /// or none for the facets that most documents lack ([`Facet::counts_unset`]).
    pub fn facet_values(&self) -> Facets<Vec<String>> {
        Facets::from_fn(|facet| match facet.origin() {
            Origin::MetadataOne | Origin::MetadataMany => {
                let values = self.metadata.values(facet);
                if values.is_empty() && facet.counts_unset() {
                    vec![UNSET.to_string()]
                } else {
                    values.to_vec()
                }
            }
            Origin::Document => vec![match facet {
                Facet::Language => self.language.code().to_string(),
                Facet::Format => self.format.name().to_string(),
                Facet::Source => self.source.clone(),
                _ => UNSET.to_string(),
            }],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_urls_are_links() {
        for url in [
            "https://www.service-public.fr/x",
            "http://a.fr",
            "HTTPS://A.FR/",
        ] {
            assert!(is_web_url(url), "{url}");
        }
        for url in [
            "javascript:alert(1)",
            "JavaScript://%0aalert(1)",
            "data:text/html,<script>alert(1)</script>",
            " https://a.fr",
            "java\tscript:alert(1)",
            "//evil.example/x",
            "ftp://a.fr",
            "",
        ] {
            assert!(!is_web_url(url), "{url}");
        }
    }

    #[test]
    fn metadata_reads_its_facets_and_refuses_other_keys() {
        let metadata: Metadata = toml::from_str(
            "network = \"cio\"\naudience = [\"jeunes\", \"particuliers\"]\npublisher = \"CIO\"",
        )
        .unwrap();
        assert_eq!(metadata.first(Facet::Network), Some("cio"));
        assert_eq!(metadata.values(Facet::Audience), ["jeunes", "particuliers"]);
        assert_eq!(metadata.publisher.as_deref(), Some("CIO"));
        let dated: Metadata = toml::from_str(
            "date = \"2011-11-24\"\nstale_after_days = 30\nsame_as = \"spo/accord.md\"",
        )
        .unwrap();
        assert_eq!(dated.date, Date::new(2011, 11, 24));
        assert_eq!(dated.stale_after_days, Some(30));
        assert_eq!(dated.same_as.as_deref(), Some("spo/accord.md"));
        assert!(metadata.values(Facet::Kind).is_empty());
        let placed: Metadata = toml::from_str(
            "territory = \"Hautes-Alpes\"\nlevel = \"niveau 4\"\naccess = [\"vae\", \"vae\"]",
        )
        .unwrap();
        assert_eq!(placed.values(Facet::Territory), ["05"]);
        assert_eq!(placed.values(Facet::Level), ["4"]);
        assert_eq!(placed.values(Facet::Access), ["vae"]);
        for bad in [
            "colour = \"red\"",
            "format = \"pdf\"",
            "audience = \"jeunes\"",
            "network = [\"a\"]",
            "date = \"2011-11-31\"",
            "stale_after_days = -1",
            "stale_after_days = \"un an\"",
        ] {
            assert!(toml::from_str::<Metadata>(bad).is_err(), "{bad}");
        }
        let error = toml::from_str::<Metadata>("colour = 1")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("network") && error.contains("publisher"),
            "{error}"
        );
    }

    #[test]
    fn sidecar_metadata_overrides_source_metadata() {
        let source: Metadata =
            toml::from_str("network = \"etat\"\naudience = [\"particuliers\"]").unwrap();
        let sidecar: Metadata = toml::from_str("network = \"cio\"").unwrap();
        let merged = source.overridden_by(&sidecar);
        assert_eq!(merged.first(Facet::Network), Some("cio"));
        assert_eq!(merged.values(Facet::Audience), ["particuliers"]);
    }
}
