//! The JSON bodies of the API: the versioned contract with clients, decoupled from the
//! search internals, with the links between resources; and the JSON shape of errors.
//!
//! Each body derives `ToSchema`, so the OpenAPI document describes exactly what is sent.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::label::value_label;
use crate::model::link::Link;
use crate::model::Facet;
use crate::search::facets::FacetCounts;
use crate::search::renamed::Renamed;
use crate::search::{Hit, StoredDocument};
use crate::server::freshness::stale_today;
use crate::server::links::{document_api_path, document_page_path, download_path};
use crate::server::service::SearchPage;

/// One highlighted passage.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SnippetBody {
    /// Escaped HTML: only `<mark>` tags are markup.
    #[schema(example = "Le contrat d'<mark>apprentissage</mark> est signé…")]
    pub html: String,
    /// 1-based page of the passage, for paginated documents (PDF).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<usize>,
}

/// One search result.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HitBody {
    #[schema(example = "sp:particuliers/F2918")]
    pub id: String,
    pub title: String,
    /// The title as escaped HTML with matched words in `<mark>`.
    pub title_html: String,
    /// Kind of resource (`fiche-metier`, `fiche-pratique`, `question-reponse`, ...).
    pub kind: String,
    /// Partner network (`etat`, `france-travail`, `spo`, ...).
    pub network: String,
    /// Source folder of the corpus.
    pub source: String,
    /// Format of the original file.
    pub format: String,
    pub audience: Vec<String>,
    pub territory: String,
    /// ISO 639-1 language code.
    pub language: String,
    /// Address of the document on its publisher's site.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Publication or modification date, `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The last day the document is current (its date plus its source's `stale_after_days`,
    /// or its kind's default), `YYYY-MM-DD`; absent without a date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale_after: Option<String>,
    /// Past `stale_after` today: readers should check the document on its publisher's site.
    pub stale: bool,
    /// Relevance score (0 when sorted by date).
    pub score: f32,
    pub snippets: Vec<SnippetBody>,
    /// This document in the API.
    pub api_url: String,
    /// The web page of this document.
    pub page_url: String,
    /// Download of the original file; for a document of an export (a ROME fiche, a JSON
    /// record...), its own record as JSON, never the whole export.
    pub file_url: String,
    /// The same document in other formats, shown with this result rather than as results
    /// of their own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_formats: Vec<OtherFormatBody>,
}

/// A search result's document in another format.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OtherFormatBody {
    #[schema(example = "spo/accord-cadre-spo-paca.pdf")]
    pub id: String,
    #[schema(example = "pdf")]
    pub format: String,
    /// The format's label for the public.
    #[schema(example = "PDF")]
    pub label: String,
    /// The web page of this document in that format.
    pub page_url: String,
    /// Download of its file.
    pub file_url: String,
}

impl From<Hit> for HitBody {
    fn from(hit: Hit) -> HitBody {
        HitBody {
            api_url: document_api_path(&hit.id),
            page_url: document_page_path(&hit.id),
            file_url: download_path(&hit.id, &hit.file, &hit.format),
            id: hit.id,
            title: hit.title,
            title_html: hit.title_html,
            kind: hit.kind,
            network: hit.network,
            source: hit.source,
            format: hit.format,
            audience: hit.audience,
            territory: hit.territory,
            language: hit.language,
            url: hit.url,
            date: hit.date,
            stale: stale_today(hit.stale_after.as_deref()),
            stale_after: hit.stale_after,
            score: hit.score,
            snippets: hit
                .snippets
                .into_iter()
                .map(|s| SnippetBody {
                    html: s.html,
                    page: s.page,
                })
                .collect(),
            other_formats: hit
                .other_formats
                .into_iter()
                .map(|other| OtherFormatBody {
                    page_url: document_page_path(&other.id),
                    file_url: download_path(&other.id, &other.file, &other.format),
                    label: Facet::Format.value_label(&other.format),
                    id: other.id,
                    format: other.format,
                })
                .collect(),
        }
    }
}

/// One value of a facet and its number of documents.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FacetValueBody {
    /// The value as filters name it (`format:dila-xml`).
    #[schema(example = "dila-xml")]
    pub value: String,
    /// Its French label for the public, as the web page shows it.
    #[schema(example = "Fiche (Service-Public.fr)")]
    pub label: String,
    pub count: u64,
}

/// The values of one facet, most frequent first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FacetBody {
    /// Facet name, as used in filters (`type`, `reseau`, `niveau`, `acces`, `territoire`...).
    #[schema(example = "type")]
    pub name: String,
    /// Its French label for the public.
    #[schema(example = "Type de document")]
    pub label: String,
    /// What to know about this facet's filter: a filter on a territory keeps the national
    /// documents, and the regional ones for a department of the region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub values: Vec<FacetValueBody>,
}

/// Converts facet counts of the search into their JSON form.
pub fn facet_bodies(facets: Vec<FacetCounts>) -> Vec<FacetBody> {
    facets
        .into_iter()
        .map(|facet| {
            let known = Facet::from_name(&facet.name);
            FacetBody {
                note: known.and_then(Facet::note).map(str::to_string),
                label: known.map_or_else(|| facet.name.clone(), |f| f.label().to_string()),
                values: facet
                    .values
                    .into_iter()
                    .map(|v| FacetValueBody {
                        label: match known {
                            Some(f) => f.value_label(&v.value),
                            None => value_label(&v.value),
                        },
                        value: v.value,
                        count: v.count,
                    })
                    .collect(),
                name: facet.name,
            }
        })
        .collect()
}

/// The answer of `GET /api/v1/search`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SearchBody {
    /// The query as sent.
    pub query: String,
    /// The query as understood, in the query language, filters included.
    pub understood: String,
    /// True when the query was cut to its maximum length.
    pub truncated: bool,
    /// Number of matching documents.
    pub total: usize,
    /// True when `total` and the facet counts are estimates: a search that matches more
    /// than 10,000 documents of a large index counts them on an evenly spread share of it.
    pub total_estimated: bool,
    pub page: usize,
    pub per_page: usize,
    /// Last page that can be asked for (paging stops at the 1000th result).
    pub last_page: usize,
    pub hits: Vec<HitBody>,
    /// Counts of every facet over all matching documents.
    pub facets: Vec<FacetBody>,
    /// "Did you mean": the query respelled from the index vocabulary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// The renamed bodies and schemes that the query names: their other name was searched
    /// too, and `notice` says so in one line.
    pub renamed: Vec<RenamedBody>,
    /// Time spent searching, in milliseconds.
    pub took_ms: f64,
}

/// A body or scheme that changed its name, named by the query.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RenamedBody {
    #[schema(example = "Pôle emploi")]
    pub old: String,
    #[schema(example = "France Travail")]
    pub new: String,
    /// The year of the change.
    #[schema(example = 2024)]
    pub since: u16,
    #[schema(example = "Pôle emploi, devenu France Travail en 2024")]
    pub notice: String,
}

impl From<Renamed> for RenamedBody {
    fn from(renamed: Renamed) -> RenamedBody {
        RenamedBody {
            old: renamed.old,
            new: renamed.new,
            since: renamed.since,
            notice: renamed.notice,
        }
    }
}

impl From<SearchPage> for SearchBody {
    fn from(page: SearchPage) -> SearchBody {
        let response = page.response;
        SearchBody {
            query: page.text,
            understood: response.understood,
            truncated: response.truncated,
            total: response.total,
            total_estimated: response.total_estimated,
            page: page.page.number(),
            per_page: page.page.size(),
            last_page: page.last_page,
            hits: response.hits.into_iter().map(HitBody::from).collect(),
            facets: facet_bodies(response.facets),
            suggestion: response.suggestion,
            renamed: response
                .renamed
                .into_iter()
                .map(RenamedBody::from)
                .collect(),
            took_ms: response.took_ms,
        }
    }
}

/// One document: its metadata and its extracted text.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DocumentBody {
    pub id: String,
    pub title: String,
    /// Alternative titles (ROME appellations).
    pub alt_titles: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub headings: Vec<String>,
    pub keywords: Vec<String>,
    /// The extracted text in a light block markup: blocks separated by blank lines,
    /// headings `## Titre`, list items `- item`, table rows `| cell | cell`.
    pub body: String,
    /// Byte offsets in `body` where each page starts; empty without pages.
    pub page_starts: Vec<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The last day the document is current, `YYYY-MM-DD`; absent without a date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale_after: Option<String>,
    /// Past `stale_after` today: readers should check the document on its publisher's site.
    pub stale: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    pub kind: String,
    pub network: String,
    pub audience: Vec<String>,
    /// The first of `territories`.
    pub territory: String,
    /// `national`, `paca` or department codes (`05`).
    pub territories: Vec<String>,
    /// Level of a qualification in the European framework (`3` CAP to `8` doctorate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// Ways into a qualification (`apprentissage`, `vae`, `formation-continue`...).
    pub access: Vec<String>,
    pub language: String,
    pub format: String,
    pub source: String,
    /// Path of the original file under the corpus.
    pub file: String,
    /// Download of the original file; for a document of an export (a ROME fiche, a JSON
    /// record...), its own record as JSON, never the whole export.
    pub file_url: String,
    /// The web page of this document.
    pub page_url: String,
    /// Typed links from the codes the data carries: the jobs a certification leads to, the
    /// certifications and training that lead to a job, the ONISEP fiches of a job, the
    /// programmes that prepare a certification, neighbouring jobs, successions; grouped by
    /// relation and direction, active certifications first, by level.
    pub links: Vec<LinkBody>,
}

/// A typed link between this document and another.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LinkBody {
    /// `leads-to` (certification or training → job), `prepares` (programme or training →
    /// certification), `describes` (ONISEP fiche → ROME job), `neighbour` (job → close job),
    /// `replaces` or `replaced-by` (certification → certification).
    #[schema(example = "leads-to")]
    pub relation: String,
    /// `outgoing` when this document refers to the other, `incoming` when the other refers
    /// to this one (a job's certifications are `leads-to`, `incoming`).
    #[schema(example = "incoming")]
    pub direction: String,
    /// Id of the other document.
    #[schema(example = "rncp:RNCP1174")]
    pub id: String,
    /// Its title; when no document has the id, the label the data gives it.
    pub title: String,
    /// Its kind (`certification`, `certification-inactive`, `fiche-metier`, `formation`,
    /// `offre-de-formation`...); absent when no document has the id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Its level (`3` to `8`), for a qualification.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// False when no document has this id: show the title as plain text.
    pub present: bool,
    /// The other document in the API, when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_url: Option<String>,
    /// Its web page, when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
}

impl From<Link> for LinkBody {
    fn from(link: Link) -> LinkBody {
        let present = link.present;
        LinkBody {
            relation: link.relation.name().to_string(),
            direction: link.direction.name().to_string(),
            api_url: present.then(|| document_api_path(&link.id)),
            page_url: present.then(|| document_page_path(&link.id)),
            kind: Some(link.kind).filter(|kind| !kind.is_empty()),
            level: Some(link.level).filter(|level| !level.is_empty()),
            id: link.id,
            title: link.title,
            present,
        }
    }
}

impl From<StoredDocument> for DocumentBody {
    fn from(doc: StoredDocument) -> DocumentBody {
        let facet = |facet| doc.facet(facet).to_string();
        DocumentBody {
            page_url: document_page_path(&doc.id),
            file_url: download_path(&doc.id, &doc.file, doc.facet(Facet::Format)),
            kind: facet(Facet::Kind),
            network: facet(Facet::Network),
            audience: doc.facets[Facet::Audience].clone(),
            territory: facet(Facet::Territory),
            territories: doc.facets[Facet::Territory].clone(),
            level: doc.facets[Facet::Level].first().cloned(),
            access: doc.facets[Facet::Access].clone(),
            language: facet(Facet::Language),
            format: facet(Facet::Format),
            source: facet(Facet::Source),
            title: doc.title,
            alt_titles: doc.alt_titles,
            description: doc.description,
            headings: doc.headings,
            keywords: doc.keywords,
            body: doc.body,
            page_starts: doc.page_starts,
            url: doc.url,
            date: doc.date,
            stale: stale_today(doc.stale_after.as_deref()),
            stale_after: doc.stale_after,
            publisher: doc.publisher,
            id: doc.id,
            file: doc.file,
            links: doc.links.into_iter().map(LinkBody::from).collect(),
        }
    }
}

/// The answer of `GET /api/v1/documents/{id}/similar`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SimilarBody {
    /// The document the others are similar to.
    pub id: String,
    pub hits: Vec<HitBody>,
}

/// The answer of `GET /api/v1/suggest`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SuggestBody {
    pub query: String,
    /// Titles starting with the query, then titles and frequent words completing its last
    /// word.
    pub suggestions: Vec<String>,
}

/// The answer of `GET /api/v1/facets`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FacetsBody {
    /// Number of documents in the index.
    pub documents: u64,
    pub facets: Vec<FacetBody>,
}

/// The answer of `GET /health` once the index is open.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HealthBody {
    #[schema(example = "ready")]
    pub status: String,
    /// Number of documents in the index.
    pub documents: u64,
    /// Version of spo-search.
    pub version: String,
    /// On a read-only replica, the published generation it serves (also in the
    /// `X-Index-Generation` header of every answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<u64>,
}

/// The JSON body of every API error.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong, for programs (`code`) and for people (`message`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code: `invalid_parameter`, `document_not_found`,
    /// `file_not_found`, `route_not_found`, `method_not_allowed`, `payload_too_large`,
    /// `not_ready`, `timeout`, `unauthorized`, `rate_limited`, `headers_too_large`,
    /// `conflict`, `unsupported_media_type` or `internal`.
    #[schema(example = "invalid_parameter")]
    pub code: String,
    /// Human-readable explanation (English).
    pub message: String,
}
