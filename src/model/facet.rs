//! Facets: the metadata that results are counted and filtered by, and the filters on them.
//!
//! Every facet is one line of the `facets!` table below: its variant, its field in the
//! schema, its name in the query language and in filters, its French label, and where its
//! values come from. Everything else follows from that line: the schema's fields, the
//! filters the query language, the API, the CLI and the web page accept, the facet counts,
//! the metrics, the labels of the web page, and for a facet of [`Origin::Metadata`] the key
//! that `source.toml` and the sidecars set. A value is read into its canonical form once
//! ([`Facet::canonical`]: a territory by its department, a level by its number), for the
//! documents and the filters alike.

use std::fmt;
use std::ops::{Index, IndexMut};

use super::territory;

/// Where the values of a facet come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The `[metadata]` of `source.toml` or a sidecar, one value per document.
    MetadataOne,
    /// The `[metadata]` of `source.toml` or a sidecar, a list of values.
    MetadataMany,
    /// The document itself: its detected language, its format or its source.
    Document,
}

/// Counts the facets of the table.
macro_rules! count {
    () => { 0 };
    ($head:ident $($tail:ident)*) => { 1 + count!($($tail)*) };
}

/// Declares [`Facet`] from its table, one line per facet.
macro_rules! facets {
    ($( $(#[$doc:meta])* $variant:ident: $field:literal, $alias:literal, $label:literal, $origin:ident; )+) => {
        /// A facet, in display order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Facet {
            $( $(#[$doc])* $variant, )+
        }

        impl Facet {
            /// Number of facets.
            pub const COUNT: usize = count!($($variant)+);
            /// Every facet, in display order.
            pub const ALL: [Facet; Facet::COUNT] = [$(Facet::$variant),+];

            /// Name of its field in the schema (`network`).
            pub fn field_name(self) -> &'static str {
                match self { $(Facet::$variant => $field,)+ }
            }

            /// Name in the query language, filters and facet counts (`reseau`).
            pub fn alias(self) -> &'static str {
                match self { $(Facet::$variant => $alias,)+ }
            }

            /// French label shown on the web page (`Réseau`).
            pub fn label(self) -> &'static str {
                match self { $(Facet::$variant => $label,)+ }
            }

            /// Where its values come from.
            pub fn origin(self) -> Origin {
                match self { $(Facet::$variant => Origin::$origin,)+ }
            }
        }
    };
}

facets! {
    /// Partner network: `cio`, `france-travail`, `mission-locale`, `information-jeunesse`,
    /// `spo` (shared), `etat` (national administrations).
    Network: "network", "reseau", "Réseau", MetadataOne;
    /// Kind of resource: `fiche-metier`, `fiche-pratique`, `question-reponse`, `formation`...
    Kind: "kind", "type", "Type de document", MetadataOne;
    /// Audiences: `tout-public`, `jeunes`, `particuliers`, `professionnels`...
    Audience: "audience", "public", "Public", MetadataMany;
    /// Territory: `national`, `paca` or a department code (`05`); names, communes and
    /// postcodes are read as their department ([`territory`]), and a filter on a territory
    /// keeps the documents that cover it (the region's and the national ones).
    Territory: "territory", "territoire", "Territoire", MetadataOne;
    /// Level of a qualification in the European framework, `1` to `8` (`3`: CAP, `5`:
    /// bac + 2, `8`: doctorate).
    Level: "level", "niveau", "Niveau", MetadataOne;
    /// Ways into a qualification: `apprentissage`, `contrat-professionnalisation`, `vae`,
    /// `formation-continue`, `formation-initiale`, `candidature-individuelle`.
    Access: "access", "acces", "Voie d'accès", MetadataMany;
    /// Language of the text, ISO 639-1, detected.
    Language: "language", "langue", "Langue", Document;
    /// Format of the original file ([`crate::model::Format`]).
    Format: "format", "format", "Format", Document;
    /// Source folder of the corpus.
    Source: "source", "source", "Source", Document;
}

/// Value of a facet that a source leaves unset.
pub const UNSET: &str = "non-renseigne";

impl Facet {
    /// Position in [`Facet::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The canonical form of a value of this facet: a territory as `national`, `paca` or
    /// its department code (`gap` → `05`), a level as its number (`niveau-5` → `5`); other
    /// values as written, trimmed.
    pub fn canonical(self, value: &str) -> String {
        let value = value.trim();
        match self {
            Facet::Territory => territory::canonical(value),
            Facet::Level => level_number(value).map_or_else(|| value.to_string(), String::from),
            _ => value.to_string(),
        }
    }

    /// Whether a document without a value counts as [`UNSET`]: not for the facets of
    /// qualifications, which most documents (a job, a right) do not have.
    pub fn counts_unset(self) -> bool {
        !matches!(self, Facet::Level | Facet::Access)
    }

    /// What a reader of the facet's counts should know, when its filter is not a plain
    /// match.
    pub fn note(self) -> Option<&'static str> {
        match self {
            Facet::Territory => Some(
                "Les documents nationaux, et régionaux pour un département de la région, \
                 restent affichés sous tout filtre de territoire.",
            ),
            _ => None,
        }
    }

    /// The facet of [`Origin::MetadataOne`] or [`Origin::MetadataMany`] whose field name is
    /// `name`: what a `[metadata]` key, a sidecar key or a `[json.metadata]` key names.
    pub fn of_metadata(name: &str) -> Option<Facet> {
        Facet::ALL
            .into_iter()
            .find(|facet| facet.field_name() == name && facet.origin() != Origin::Document)
    }

    /// The facet whose field name or query-language name is `name`.
    pub fn from_name(name: &str) -> Option<Facet> {
        Facet::ALL
            .into_iter()
            .find(|facet| facet.field_name() == name || facet.alias() == name)
    }
}

/// `5`, `niveau 5`, `niveau-5` or `Niveau5` → `5`, for the levels 1 to 8.
fn level_number(value: &str) -> Option<&'static str> {
    const LEVELS: [&str; 8] = ["1", "2", "3", "4", "5", "6", "7", "8"];
    let lower = value.to_ascii_lowercase();
    let digits = lower
        .strip_prefix("niveau")
        .unwrap_or(&lower)
        .trim_start_matches([' ', '-', '_']);
    LEVELS.into_iter().find(|level| *level == digits)
}

/// One value per facet, indexed by [`Facet`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facets<T>([T; Facet::COUNT]);

impl<T> Facets<T> {
    /// The value of each facet, given by `value`.
    pub fn from_fn(mut value: impl FnMut(Facet) -> T) -> Facets<T> {
        Facets(std::array::from_fn(|index| value(Facet::ALL[index])))
    }

    /// The value of each facet given by `value`, or its first error.
    pub fn try_from_fn<E>(mut value: impl FnMut(Facet) -> Result<T, E>) -> Result<Facets<T>, E> {
        let mut values = Vec::with_capacity(Facet::COUNT);
        for facet in Facet::ALL {
            values.push(value(facet)?);
        }
        match values.try_into() {
            Ok(values) => Ok(Facets(values)),
            Err(_) => unreachable!("one value per facet"),
        }
    }

    /// Each facet with its value, in display order.
    pub fn iter(&self) -> impl Iterator<Item = (Facet, &T)> {
        Facet::ALL.into_iter().zip(self.0.iter())
    }

    /// The values, in display order.
    pub fn into_values(self) -> [T; Facet::COUNT] {
        self.0
    }
}

impl<T> Index<Facet> for Facets<T> {
    type Output = T;

    fn index(&self, facet: Facet) -> &T {
        &self.0[facet.index()]
    }
}

impl<T> IndexMut<Facet> for Facets<T> {
    fn index_mut(&mut self, facet: Facet) -> &mut T {
        &mut self.0[facet.index()]
    }
}

/// A filter `facet:value`: only documents with this value of this facet. Values of one
/// facet are OR-ed, facets are AND-ed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Filter {
    pub facet: Facet,
    pub value: String,
}

/// Why a filter was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("filter {0:?}: expected facet:value, e.g. type:fiche-metier")]
    NotAFilter(String),
    #[error("filter {filter:?}: unknown facet {facet:?}, expected one of {known}")]
    UnknownFacet {
        filter: String,
        facet: String,
        known: String,
    },
    #[error("filter {0:?}: empty value")]
    EmptyValue(String),
}

impl Filter {
    /// A filter on `facet`.
    pub fn new(facet: Facet, value: impl Into<String>) -> Filter {
        Filter {
            facet,
            value: value.into(),
        }
    }

    /// Reads `type:fiche-metier` (the facet named by its query-language name or its field
    /// name, the value in its canonical form, [`Facet::canonical`]): the one reader of
    /// filters of the CLI, the API and the web page.
    pub fn parse(filter: &str) -> Result<Filter, FilterError> {
        let Some((facet, value)) = filter.split_once(':') else {
            return Err(FilterError::NotAFilter(filter.to_string()));
        };
        let Some(facet) = Facet::from_name(facet.trim()) else {
            let known: Vec<&str> = Facet::ALL.iter().map(|facet| facet.alias()).collect();
            return Err(FilterError::UnknownFacet {
                filter: filter.to_string(),
                facet: facet.trim().to_string(),
                known: known.join(", "),
            });
        };
        let value = value.trim();
        if value.is_empty() {
            return Err(FilterError::EmptyValue(filter.to_string()));
        }
        Ok(Filter::new(facet, facet.canonical(value)))
    }
}

impl fmt::Display for Filter {
    /// The canonical form, `alias:value`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.facet.alias(), self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facets_are_named_by_field_or_alias_and_keep_their_order() {
        assert_eq!(Facet::from_name("reseau"), Some(Facet::Network));
        assert_eq!(Facet::from_name("network"), Some(Facet::Network));
        assert_eq!(Facet::from_name("type"), Some(Facet::Kind));
        assert_eq!(Facet::from_name("nope"), None);
        assert_eq!(Facet::of_metadata("territory"), Some(Facet::Territory));
        assert_eq!(Facet::of_metadata("reseau"), None);
        assert_eq!(Facet::of_metadata("source"), None);
        let indices: Vec<usize> = Facet::ALL.iter().map(|f| f.index()).collect();
        assert_eq!(indices, (0..Facet::COUNT).collect::<Vec<_>>());
        let facets = Facets::from_fn(|facet| facet.alias());
        assert_eq!(facets[Facet::Kind], "type");
        assert_eq!(facets.iter().count(), Facet::COUNT);
    }

    #[test]
    fn one_reader_of_filters() {
        assert_eq!(
            Filter::parse(" type : fiche-metier "),
            Ok(Filter::new(Facet::Kind, "fiche-metier"))
        );
        assert_eq!(
            Filter::parse("network:etat")
                .map(|f| f.to_string())
                .as_deref(),
            Ok("reseau:etat")
        );
        assert_eq!(
            Filter::parse("nocolon"),
            Err(FilterError::NotAFilter("nocolon".into()))
        );
        assert_eq!(
            Filter::parse("type:"),
            Err(FilterError::EmptyValue("type:".into()))
        );
        assert_eq!(
            Filter::parse("territoire:Gap"),
            Ok(Filter::new(Facet::Territory, "05"))
        );
        assert_eq!(
            Filter::parse("niveau:niveau-5").map(|f| f.to_string()),
            Ok("niveau:5".to_string())
        );
        assert_eq!(
            Filter::parse("niveau:bac"),
            Ok(Filter::new(Facet::Level, "bac"))
        );
        let unknown = Filter::parse("couleur:bleu").unwrap_err();
        assert!(matches!(&unknown, FilterError::UnknownFacet { facet, .. } if facet == "couleur"));
        assert!(
            unknown.to_string().contains("reseau, type, public"),
            "{unknown}"
        );
    }
}
