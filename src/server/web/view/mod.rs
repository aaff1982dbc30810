//! What the templates show, computed from the service's answers: French labels, links built
//! from the page state, pagination, and the document page (its text in `super::text`).

use crate::model::Facet;
use crate::search::facets::FacetCounts;
use crate::search::{Hit, Sort, StoredDocument};
use crate::server::freshness::stale_today;
use crate::server::links::{
    document_api_path, document_page_path, file_download_path, is_from_export,
};
use crate::server::service::SearchPage;

use super::guidance::Guidance;
use super::labels::{
    date_label, facet_label, facet_value_label, level_label, number_label, territory_label,
    value_label,
};
use super::params::PageState;
use super::related::{link_groups, LinkGroup};
use super::text::{text_blocks, TextBlock};

/// Most values listed for one facet.
const MAX_FACET_VALUES: usize = 30;
/// Pages linked on each side of the current one.
const PAGE_WINDOW: usize = 2;

/// One result in the list.
pub struct HitView {
    pub id: String,
    /// The title as text (for the label of its checkbox).
    pub title: String,
    pub title_html: String,
    pub page_url: String,
    pub kind: String,
    pub network: String,
    pub source: String,
    pub date: Option<String>,
    /// Said when the document is out of date today.
    pub stale: Option<StaleNotice>,
    pub language: String,
    pub url: Option<String>,
    pub snippets: Vec<SnippetView>,
    /// The same document in other formats: their labels and pages.
    pub other_formats: Vec<Link>,
}

/// What the page says of a document past its last current day: "Mis à jour le … — vérifiez
/// sur le site de l’éditeur", with a link to that site when the document has one.
pub struct StaleNotice {
    /// The document's date in words.
    pub date: String,
    /// Its page on its publisher's site.
    pub url: Option<String>,
}

impl StaleNotice {
    /// The notice of a document of `date` current until `stale_after` (both `YYYY-MM-DD`),
    /// if it is out of date today.
    pub fn of(
        date: Option<&str>,
        stale_after: Option<&str>,
        url: Option<&str>,
    ) -> Option<StaleNotice> {
        let date = date.filter(|_| stale_today(stale_after))?;
        Some(StaleNotice {
            date: date_label(date),
            url: url.map(str::to_string),
        })
    }
}

/// One highlighted passage (already escaped HTML).
pub struct SnippetView {
    pub html: String,
    pub page: Option<usize>,
}

impl From<Hit> for HitView {
    fn from(hit: Hit) -> HitView {
        HitView {
            id: hit.id.clone(),
            title: hit.title,
            title_html: hit.title_html,
            page_url: document_page_path(&hit.id),
            kind: value_label(&hit.kind),
            network: value_label(&hit.network),
            source: value_label(&hit.source),
            date: hit.date.as_deref().map(date_label),
            stale: StaleNotice::of(
                hit.date.as_deref(),
                hit.stale_after.as_deref(),
                hit.url.as_deref(),
            ),
            language: value_label(&hit.language),
            url: hit.url,
            snippets: hit
                .snippets
                .into_iter()
                .map(|s| SnippetView {
                    html: s.html,
                    page: s.page,
                })
                .collect(),
            other_formats: hit
                .other_formats
                .into_iter()
                .map(|other| Link {
                    text: Facet::Format.value_label(&other.format),
                    url: document_page_path(&other.id),
                })
                .collect(),
        }
    }
}

/// A facet as a group of checkboxes.
pub struct FacetView {
    pub label: &'static str,
    /// What to know about the facet's filter ([`Facet::note`]).
    pub note: Option<&'static str>,
    pub values: Vec<FacetValueView>,
}

/// One checkbox of a facet.
pub struct FacetValueView {
    /// The `filter` parameter this checkbox sends.
    pub param: String,
    pub input_id: String,
    pub label: String,
    pub count: String,
    pub checked: bool,
    /// The search with only this value as filter (links of the home page).
    pub browse_url: String,
}

/// Facets as checkbox groups, checked where the page state filters on them; `estimated`
/// counts are said to be ("environ 1 200").
pub fn facet_views(facets: Vec<FacetCounts>, state: &PageState, estimated: bool) -> Vec<FacetView> {
    facets
        .into_iter()
        .filter(|facet| !facet.values.is_empty())
        .map(|facet| {
            let values = facet
                .values
                .into_iter()
                .take(MAX_FACET_VALUES)
                .enumerate()
                .map(|(index, value)| {
                    let param = format!("{}:{}", facet.name, value.value);
                    let browse = PageState {
                        filters: vec![param.clone()],
                        ..PageState::default()
                    };
                    FacetValueView {
                        input_id: format!("f-{}-{index}", facet.name),
                        label: facet_value_label(&facet.name, &value.value),
                        count: match estimated {
                            true => format!("environ {}", number_label(value.count as usize)),
                            false => number_label(value.count as usize),
                        },
                        checked: state.filters.contains(&param),
                        browse_url: browse.url(),
                        param,
                    }
                })
                .collect();
            FacetView {
                label: facet_label(&facet.name),
                note: Facet::from_name(&facet.name).and_then(Facet::note),
                values,
            }
        })
        .collect()
}

/// A filter in force, with the link that removes it.
pub struct ActiveFilter {
    pub label: String,
    pub remove_url: String,
}

/// One entry of the pagination: a page link, or a gap when `url` is empty.
pub struct PageLink {
    pub label: String,
    pub url: String,
    pub current: bool,
}

/// A link with its text.
pub struct Link {
    pub text: String,
    pub url: String,
}

/// The result part of the search page.
pub struct ResultsView {
    /// "12 documents trouvés", read first by screen readers.
    pub summary: String,
    pub understood: Option<String>,
    pub suggestion: Option<Link>,
    /// "Pôle emploi, devenu France Travail en 2024": renamed bodies and schemes the query
    /// names, whose two names were searched.
    pub renamed: Vec<String>,
    pub hits: Vec<HitView>,
    pub first_rank: usize,
    pub facets: Vec<FacetView>,
    pub active: Vec<ActiveFilter>,
    pub clear_url: String,
    pub sort_by_date: bool,
    pub pages: Vec<PageLink>,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
    /// The print view of the first results, and how many it prints.
    pub print_url: String,
    pub print_first: usize,
    /// What to try when the search found nothing or little.
    pub guidance: Option<Guidance>,
}

impl ResultsView {
    /// The view of one page of results for the page state that asked for it, with the
    /// guidance of a search that found little.
    pub fn new(state: &PageState, found: SearchPage, guidance: Option<Guidance>) -> ResultsView {
        let (body, last_page) = (found.response, found.last_page);
        let summary = match body.total {
            0 => "Aucun document ne correspond à votre recherche".to_string(),
            1 => "1 document trouvé".to_string(),
            n if body.total_estimated => {
                format!(
                    "Environ {} documents trouvés (nombre estimé)",
                    number_label(n)
                )
            }
            n => format!("{} documents trouvés", number_label(n)),
        };
        let summary = if last_page > 1 {
            format!("{summary}, page {} sur {}", state.page, last_page)
        } else {
            summary
        };
        let understood = (body.understood.trim() != state.q.trim()
            && !body.understood.trim().is_empty())
        .then(|| body.understood.clone());
        let active = state
            .filters
            .iter()
            .map(|filter| ActiveFilter {
                label: filter_label(filter),
                remove_url: state.without_filter(filter).url(),
            })
            .collect();
        ResultsView {
            summary,
            understood,
            suggestion: body.suggestion.map(|text| Link {
                url: state.with_query(&text).url(),
                text,
            }),
            renamed: body.renamed.into_iter().map(|r| r.notice).collect(),
            first_rank: (state.page - 1) * state.per_page + 1,
            hits: body.hits.into_iter().map(HitView::from).collect(),
            facets: facet_views(body.facets, state, body.total_estimated),
            active,
            clear_url: state.without_filters().url(),
            sort_by_date: state.sort == Sort::Date,
            pages: page_links(state, last_page),
            prev_url: (state.page > 1).then(|| state.at_page(state.page - 1).url()),
            next_url: (state.page < last_page).then(|| state.at_page(state.page + 1).url()),
            print_url: state.printing_first(state.print_first).url(),
            print_first: state.print_first,
            guidance,
        }
    }
}

/// `type:fiche-metier` → `Type de document : Fiche métier`.
fn filter_label(filter: &str) -> String {
    match filter.split_once(':') {
        Some((facet, value)) => format!(
            "{} : {}",
            facet_label(facet),
            facet_value_label(facet, value)
        ),
        None => filter.to_string(),
    }
}

/// First, last, and the pages around the current one, with gaps.
fn page_links(state: &PageState, last: usize) -> Vec<PageLink> {
    if last <= 1 {
        return Vec::new();
    }
    let mut links = Vec::new();
    let mut previous = 0;
    for page in 1..=last {
        let near = page.abs_diff(state.page) <= PAGE_WINDOW;
        if page != 1 && page != last && !near {
            continue;
        }
        if page > previous + 1 {
            links.push(PageLink {
                label: "…".into(),
                url: String::new(),
                current: false,
            });
        }
        links.push(PageLink {
            label: page.to_string(),
            url: state.at_page(page).url(),
            current: page == state.page,
        });
        previous = page;
    }
    links
}

/// A label and its value in a document's description list.
pub struct MetaItem {
    pub label: &'static str,
    pub value: String,
}

/// A document page.
pub struct DocumentView {
    pub title: String,
    pub description: Option<String>,
    pub meta: Vec<MetaItem>,
    /// Said when the document is out of date today.
    pub stale: Option<StaleNotice>,
    pub alt_titles: Vec<String>,
    /// The text as headings, paragraphs, lists and tables.
    pub blocks: Vec<TextBlock>,
    pub truncated: bool,
    /// Link to the original file, when it is a file that can be downloaded.
    pub download: Option<Link>,
    pub url: Option<String>,
    pub share_url: String,
    pub similar: Vec<SimilarView>,
    /// Its links to other documents, grouped (`web::related`).
    pub links: Vec<LinkGroup>,
}

/// A document similar to the one shown.
pub struct SimilarView {
    pub title: String,
    pub url: String,
    pub kind: String,
}

impl DocumentView {
    /// The view of a document; `origin` makes the share link absolute.
    pub fn new(
        doc: StoredDocument,
        similar: Vec<Hit>,
        downloadable: bool,
        origin: &str,
    ) -> DocumentView {
        let facet = |facet: Facet| facet.value_label(doc.facet(facet));
        let mut meta = vec![
            MetaItem {
                label: "Type",
                value: facet(Facet::Kind),
            },
            MetaItem {
                label: "Réseau",
                value: facet(Facet::Network),
            },
            MetaItem {
                label: "Source",
                value: facet(Facet::Source),
            },
        ];
        if let Some(publisher) = &doc.publisher {
            meta.push(MetaItem {
                label: "Éditeur",
                value: publisher.clone(),
            });
        }
        if let Some(date) = &doc.date {
            meta.push(MetaItem {
                label: "Date",
                value: date_label(date),
            });
        }
        let audience: Vec<String> = doc.facets[Facet::Audience]
            .iter()
            .map(|a| Facet::Audience.value_label(a))
            .collect();
        let labels = |facet: Facet, label: fn(&str) -> String| -> String {
            let values: Vec<String> = doc.facets[facet].iter().map(|v| label(v)).collect();
            values.join(", ")
        };
        meta.extend([
            MetaItem {
                label: "Public",
                value: audience.join(", "),
            },
            MetaItem {
                label: "Territoire",
                value: labels(Facet::Territory, territory_label),
            },
        ]);
        let qualification = [
            ("Niveau", labels(Facet::Level, level_label)),
            ("Voies d’accès", labels(Facet::Access, value_label)),
        ];
        meta.extend(
            qualification
                .into_iter()
                .filter(|(_, value)| !value.is_empty())
                .map(|(label, value)| MetaItem { label, value }),
        );
        meta.extend([
            MetaItem {
                label: "Langue",
                value: facet(Facet::Language),
            },
            MetaItem {
                label: "Format",
                value: facet(Facet::Format),
            },
            MetaItem {
                label: "Identifiant",
                value: doc.id.clone(),
            },
        ]);
        let (blocks, truncated) = text_blocks(&doc.body, &doc.page_starts);
        DocumentView {
            download: if is_from_export(doc.facet(Facet::Format)) {
                // The file is a whole export: the document's own record instead.
                Some(Link {
                    text: "Télécharger la fiche (JSON)".to_string(),
                    url: document_api_path(&doc.id),
                })
            } else {
                downloadable.then(|| Link {
                    text: format!(
                        "Télécharger le fichier original ({})",
                        value_label(&extension(&doc.file))
                    ),
                    url: file_download_path(&doc.file),
                })
            },
            share_url: format!("{origin}{}", document_page_path(&doc.id)),
            links: link_groups(doc.links),
            similar: similar
                .into_iter()
                .map(|hit| SimilarView {
                    kind: value_label(&hit.kind),
                    url: document_page_path(&hit.id),
                    title: hit.title,
                })
                .collect(),
            stale: StaleNotice::of(
                doc.date.as_deref(),
                doc.stale_after.as_deref(),
                doc.url.as_deref(),
            ),
            title: doc.title,
            description: doc.description.filter(|d| !d.trim().is_empty()),
            meta,
            alt_titles: doc.alt_titles,
            blocks,
            truncated,
            url: doc.url,
        }
    }
}

/// Lowercase extension of a file path (`pdf`), empty when there is none.
fn extension(path: &str) -> String {
    std::path::Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests;
