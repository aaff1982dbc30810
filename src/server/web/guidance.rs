//! What a page that found nothing, or little, offers instead: a broader search (the query
//! without its rarest word, or without its filters) with its count and its kinds of
//! documents, what the corpus covers, and where to ask in person (the networks of the
//! Service Public de l'Orientation).

use crate::model::Facet;
use crate::search::facets::FacetCounts;
use crate::search::SearchResponse;

use super::labels::number_label;
use super::params::PageState;
use super::view::Link;

/// At most this many results is a weak answer: the page adds its guidance.
pub const WEAK_RESULTS: usize = 3;
/// Kinds of documents of the broader search offered as links.
const RELATED_KINDS: usize = 4;
/// Kinds of documents named in the corpus's description.
const COVERED_KINDS: usize = 5;

/// A network of the SPO, who it is for, and its network value in the corpus.
struct Network {
    value: &'static str,
    name: &'static str,
    who: &'static str,
}

/// Where to ask in person, in the order a young reader would try them.
const NETWORKS: [Network; 4] = [
    Network {
        value: "cio",
        name: "un CIO (centre d’information et d’orientation)",
        who: "pour les collégiens, lycéens, étudiants et leurs familles : choisir des études, un métier",
    },
    Network {
        value: "mission-locale",
        name: "une Mission locale",
        who: "pour les 16-25 ans sortis de l’école : emploi, formation, logement, santé",
    },
    Network {
        value: "information-jeunesse",
        name: "un point Information Jeunesse",
        who: "pour toutes les questions des jeunes : jobs, stages, engagement, mobilité",
    },
    Network {
        value: "france-travail",
        name: "France Travail",
        who: "pour chercher un emploi, s’inscrire, faire financer une formation",
    },
];

/// A broader search that finds more: its link, and links to it with one kind of document.
pub struct Alternative {
    pub link: Link,
    pub related: Vec<Link>,
}

/// A place to ask, with a link to its documents in the corpus when there are some.
pub struct Advice {
    pub name: &'static str,
    pub who: &'static str,
    pub documents: Option<Link>,
}

/// The guidance of a page that found nothing or little.
pub struct Guidance {
    /// Nothing found (else: little).
    pub nothing: bool,
    pub alternative: Option<Alternative>,
    /// "Le fonds compte 2 345 documents : 1 584 fiches métiers, …".
    pub coverage: String,
    pub advice: Vec<Advice>,
}

impl Guidance {
    /// The guidance for `state`, which found `total` documents; `alternative` is the
    /// broader search tried (its state and its answer), `corpus` the counts of the whole
    /// index (`documents`, every facet).
    pub fn new(
        total: usize,
        alternative: Option<(PageState, SearchResponse)>,
        documents: u64,
        corpus: &[FacetCounts],
    ) -> Guidance {
        let facet = |facet: Facet| corpus.iter().find(|f| f.name == facet.alias());
        let kinds: Vec<String> = facet(Facet::Kind)
            .into_iter()
            .flat_map(|f| f.values.iter())
            .filter(|v| v.value != crate::model::UNSET)
            .take(COVERED_KINDS)
            .map(|v| {
                let label = Facet::Kind.value_label(&v.value).to_lowercase();
                format!("{label} ({})", number_label(v.count as usize))
            })
            .collect();
        let coverage = format!(
            "Ce fonds documentaire compte {} documents{}{}.",
            number_label(documents as usize),
            if kinds.is_empty() { "" } else { ", dont : " },
            kinds.join(", ")
        );
        let networks = facet(Facet::Network);
        let advice = NETWORKS
            .iter()
            .map(|network| {
                let count = networks
                    .and_then(|f| f.values.iter().find(|v| v.value == network.value))
                    .map_or(0, |v| v.count);
                let filter = format!("{}:{}", Facet::Network.alias(), network.value);
                Advice {
                    name: network.name,
                    who: network.who,
                    documents: (count > 0).then(|| Link {
                        text: format!("ses documents ici ({})", number_label(count as usize)),
                        url: PageState {
                            filters: vec![filter],
                            ..PageState::default()
                        }
                        .url(),
                    }),
                }
            })
            .collect();
        Guidance {
            nothing: total == 0,
            alternative: alternative
                .filter(|(_, found)| found.total > total)
                .map(|(state, found)| alternative_links(&state, &found)),
            coverage,
            advice,
        }
    }
}

/// The link to a broader search and to its main kinds of documents.
fn alternative_links(state: &PageState, found: &SearchResponse) -> Alternative {
    let described = match (state.q.trim(), state.filters.is_empty()) {
        ("", _) => "Sans filtre".to_string(),
        (q, true) => format!("« {q} »"),
        (q, false) => format!("« {q} » avec ces filtres"),
    };
    let kinds = found
        .facets
        .iter()
        .find(|f| f.name == Facet::Kind.alias())
        .map(|f| f.values.as_slice())
        .unwrap_or_default();
    let related = kinds
        .iter()
        .filter(|v| v.value != crate::model::UNSET)
        .take(RELATED_KINDS)
        .map(|v| {
            let filter = format!("{}:{}", Facet::Kind.alias(), v.value);
            let mut narrowed = state.clone();
            if !narrowed.filters.contains(&filter) {
                narrowed.filters.push(filter);
            }
            Link {
                text: format!(
                    "{} ({})",
                    Facet::Kind.value_label(&v.value),
                    number_label(v.count as usize)
                ),
                url: narrowed.url(),
            }
        })
        .collect();
    Alternative {
        link: Link {
            text: format!(
                "{described} : {}",
                match found.total {
                    1 => "1 document".to_string(),
                    n => format!("{} documents", number_label(n)),
                }
            ),
            url: state.url(),
        },
        related,
    }
}
