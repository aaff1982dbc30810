//! Search: the one path that the CLI, the API, the web page and `eval` all take.
//!
//! An [`Engine`] is an open index and everything needed to search it, for the life of the
//! process: one `IndexReader`, the decoded columns, the vocabulary and the answer cache. It
//! takes a fresh tantivy searcher per query ([`Engine::searcher`]), so that a new commit is
//! picked up without a restart.

pub mod cache;
pub mod code;
mod collect;
pub mod columns;
mod commit_watch;
mod compound;
mod document;
pub mod eval;
pub mod facets;
pub mod first_stage;
mod followers;
mod hit;
mod links;
pub mod prior;
pub mod query;
pub mod rank;
pub mod renamed;
pub mod rerank;
pub mod semantic;
pub mod snippet;
mod statistics;
pub mod suggest;
pub mod synonyms;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use serde::Serialize;
use tantivy::query::Query;
use tantivy::{Index, IndexReader, ReloadPolicy, Term};

use crate::model::{Facet, Filter, Lang};
use crate::schema::{self, Fields, OpenError};
use crate::semantic::Model;
use crate::tantivy_format::stored::StoredError;
use cache::ResponseCache;
use commit_watch::CommitWatch;
pub use document::StoredDocument;
use facets::{FacetCollector, FacetCounts};
use hit::Highlighters;
pub use hit::{Hit, OtherFormat};
use query::ParsedQuery;
use rank::Ranking;
use suggest::Vocabulary;

/// Deepest result reachable by paging: offset + limit never goes past it.
pub const MAX_DEPTH: usize = 1_000;
/// Largest page.
pub const MAX_LIMIT: usize = 100;
/// Below this many results, a spelling suggestion is offered.
const SUGGEST_BELOW: usize = 3;

/// Errors of a search: the index could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(transparent)]
    Open(#[from] OpenError),
    #[error("search failed: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("reading a stored document: {0}")]
    Stored(#[from] StoredError),
    #[error(transparent)]
    Synonyms(#[from] synonyms::ThesaurusError),
    #[error("starting the thread that watches for new commits: {0}")]
    Watch(std::io::Error),
}

/// Order of results (also the values of the CLI's `--sort`).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Deserialize, Serialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best match first.
    #[default]
    Relevance,
    /// Most recent first; documents without a date last.
    Date,
}

/// A search as asked by a client.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SearchRequest {
    pub query: String,
    /// Extra filters, on top of those typed in the query.
    pub filters: Vec<Filter>,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
    /// Compute snippets (the CLI and API do; `eval` does not need them).
    pub snippets: bool,
    /// Compute facet counts.
    pub facets: bool,
    /// Complete the last word as a prefix (search as you type).
    pub complete_last: bool,
}

/// The answer to a [`SearchRequest`].
#[derive(Debug, Clone, Serialize)]
pub struct SearchResponse {
    /// The query as understood, in the query language.
    pub understood: String,
    /// True when the query was cut to the maximum number of terms.
    pub truncated: bool,
    pub total: usize,
    /// True when `total` and the facet counts are estimates: a large search counts its
    /// matches exactly up to a bound ([`first_stage::count`]).
    pub total_estimated: bool,
    pub offset: usize,
    pub hits: Vec<Hit>,
    pub facets: Vec<FacetCounts>,
    /// "Did you mean": a respelling of the query from the index vocabulary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// The renamed bodies and schemes that the query names, whose other name was searched
    /// too ("Pôle emploi, devenu France Travail en 2024").
    pub renamed: Vec<renamed::Renamed>,
    pub took_ms: f64,
}

/// An open index and everything needed to search it, for the life of the process.
pub struct Engine {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    ranking: Ranking,
    vocabulary: RwLock<Option<(u64, Arc<Vocabulary>)>>,
    columns: columns::ColumnCache,
    cache: ResponseCache,
    /// The semantic table, when the layer is on: its query vectors are fused with the
    /// documents' in re-ranking.
    semantic: Option<Arc<Model>>,
    /// False while the committed document vectors come from another table (a replica
    /// serving a generation published with another one): the layer then waits, lexical.
    semantic_table_matches: AtomicBool,
    /// Reloads the reader when another process commits.
    _commit_watch: CommitWatch,
}

impl Engine {
    /// Opens the index at `dir`.
    pub fn open(dir: &Path) -> Result<Engine, SearchError> {
        // The synonym lists are read once, here, so that a damaged one stops the start.
        synonyms::table()?;
        let (index, fields) = schema::open(dir)?;
        let reader: IndexReader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let commit_watch =
            commit_watch::reload_on_commit(dir, reader.clone()).map_err(SearchError::Watch)?;
        Ok(Engine {
            index,
            reader,
            fields,
            ranking: Ranking::default(),
            vocabulary: RwLock::new(None),
            columns: columns::ColumnCache::default(),
            cache: ResponseCache::new(0),
            semantic: None,
            semantic_table_matches: AtomicBool::new(true),
            _commit_watch: commit_watch,
        })
    }

    /// Replaces the ranking weights (used by `eval` experiments).
    pub fn with_ranking(mut self, ranking: Ranking) -> Engine {
        self.ranking = ranking;
        self
    }

    /// Turns the semantic layer on with `model` (off with `None`).
    pub fn with_semantic(mut self, model: Option<Arc<Model>>) -> Engine {
        self.semantic = model;
        self
    }

    /// The semantic table given with [`Engine::with_semantic`], if any.
    pub fn semantic_model(&self) -> Option<&Arc<Model>> {
        self.semantic.as_ref()
    }

    /// Says whether the committed document vectors were made with this engine's semantic
    /// table: when they were not, search is lexical until they are again. Only a replica
    /// needs it: an indexing node makes its vectors with its own table.
    pub fn set_semantic_table_matches(&self, matches: bool) {
        self.semantic_table_matches
            .store(matches, Ordering::Relaxed);
    }

    /// Whether searches use the semantic layer now.
    pub fn semantic_active(&self) -> bool {
        self.semantic.is_some() && self.semantic_table_matches.load(Ordering::Relaxed)
    }

    /// The resolved schema fields.
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// The underlying index.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Makes the latest commit visible now.
    pub fn reload(&self) -> Result<(), SearchError> {
        Ok(self.reader.reload()?)
    }

    /// A fresh tantivy searcher on the latest loaded commit.
    pub fn searcher(&self) -> tantivy::Searcher {
        self.reader.searcher()
    }

    /// The ranking query of `parsed` on `searcher`'s commit, where only the words that no
    /// document's text contains get typo tolerance.
    fn query(
        &self,
        searcher: &tantivy::Searcher,
        parsed: &ParsedQuery,
        langs: &[Lang],
        complete_last: bool,
    ) -> Box<dyn Query> {
        let known_word = |word: &str| self.known_word(searcher, word);
        rank::build(
            parsed,
            &self.fields,
            langs,
            &self.ranking,
            complete_last,
            &known_word,
        )
    }

    /// Whether a folded word occurs in the text of some document of `searcher`'s commit.
    fn known_word(&self, searcher: &tantivy::Searcher, word: &str) -> bool {
        self.fields.parts.iter().any(|part| {
            let term = Term::from_field_text(part.body_exact, word);
            searcher.doc_freq(&term).is_ok_and(|n| n > 0)
        })
    }

    /// Languages that have documents in the index, French first.
    fn languages(&self, searcher: &tantivy::Searcher) -> Vec<Lang> {
        let field = self.fields.facet(Facet::Language);
        let mut present: Vec<Lang> = Lang::ALL
            .into_iter()
            .filter(|lang| {
                searcher
                    .doc_freq(&Term::from_field_text(field, lang.code()))
                    .unwrap_or(0)
                    > 0
            })
            .collect();
        if present.is_empty() {
            present.push(Lang::Fr);
        }
        present
    }

    /// Keeps the answers of the last `capacity` distinct searches for the current commit.
    pub fn with_cache(mut self, capacity: usize) -> Engine {
        self.cache = ResponseCache::new(capacity);
        self
    }

    /// Runs a search, or answers it from the cache when the same request was answered on
    /// the current commit.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse, SearchError> {
        let started = Instant::now();
        let searcher = self.searcher();
        let generation = searcher.generation().generation_id();
        if let Some(kept) = self.cache.get(generation, request) {
            return Ok(SearchResponse {
                took_ms: started.elapsed().as_secs_f64() * 1000.0,
                ..(*kept).clone()
            });
        }
        let response = self.compute(&searcher, request, started)?;
        self.cache.insert(generation, request, &response);
        Ok(response)
    }

    /// Computes the answer to `request` on `searcher`'s commit.
    fn compute(
        &self,
        searcher: &tantivy::Searcher,
        request: &SearchRequest,
        started: Instant,
    ) -> Result<SearchResponse, SearchError> {
        let mut parsed = query::parse(&request.query);
        compound::join_split_elisions(&mut parsed, &|word| self.known_word(searcher, word));
        parsed.filters.extend(request.filters.iter().cloned());
        let langs = self.languages(searcher);
        let query = self.query(searcher, &parsed, &langs, request.complete_last);
        let limit = request.limit.clamp(1, MAX_LIMIT);
        let offset = request.offset.min(MAX_DEPTH.saturating_sub(limit));
        let segments = self.columns.for_searcher(searcher);
        let first_stage = match request.sort {
            Sort::Relevance if !request.complete_last => {
                self.first_stage(searcher, &parsed, &langs)?
            }
            _ => None,
        };
        let collected = self.collect(
            searcher,
            query.as_ref(),
            first_stage.as_ref(),
            &parsed,
            &segments,
            request,
            offset,
            limit,
        )?;
        let unranked = |(score, address)| rerank::Ranked {
            score,
            address,
            other_formats: Vec::new(),
        };
        let query_vector = match &self.semantic {
            Some(model) if parsed.has_text() && self.semantic_active() => {
                Some(model.embed(&highlight_text(&parsed)))
            }
            _ => None,
        };
        let addresses = collected.candidates;
        let mut total = collected.total;
        let ranked: Vec<rerank::Ranked> = match request.sort {
            Sort::Relevance
                if total == 0 && parsed.filters.is_empty() && query_vector.is_some() =>
            {
                let vector = query_vector.as_ref().map_or(&[][..], Vec::as_slice);
                let nearest = semantic::nearest(
                    searcher,
                    &segments,
                    vector,
                    rerank::RERANK_DEPTH.max(offset + limit),
                );
                total = nearest.len();
                nearest
                    .into_iter()
                    .skip(offset)
                    .take(limit)
                    .map(unranked)
                    .collect()
            }
            Sort::Relevance if parsed.has_text() => {
                let candidates = rerank::candidates(searcher, &segments, addresses);
                let stems = rerank::query_stems(&highlight_text(&parsed));
                let mut ranked = rerank::rerank(&stems, candidates, &self.ranking);
                if let Some(vector) = &query_vector {
                    let weight = semantic::lexical_evidence(searcher, &segments, &stems, &ranked)
                        .map_or(self.ranking.semantic_lexical, |evidence| {
                            evidence.lexical_weight(&self.ranking)
                        });
                    ranked = semantic::fuse(searcher, &segments, vector, ranked, weight);
                }
                if !prior::asks_for_qualification(&parsed) {
                    followers::follow_job_fiche(
                        searcher,
                        &segments,
                        &self.fields,
                        query.as_ref(),
                        &stems,
                        &mut ranked,
                        self.ranking.job_followers as usize,
                    )?;
                }
                ranked.into_iter().skip(offset).take(limit).collect()
            }
            Sort::Relevance => addresses
                .into_iter()
                .skip(offset)
                .take(limit)
                .map(unranked)
                .collect(),
            Sort::Date => {
                let in_date_order = rerank::candidates(searcher, &segments, addresses)
                    .into_iter()
                    .map(|candidate| (0.0, candidate))
                    .collect();
                rerank::collapse(in_date_order, rerank::Copies::Keep)
                    .into_iter()
                    .skip(offset)
                    .take(limit)
                    .collect()
            }
        };
        let mut highlighters = Highlighters::new(&parsed);
        let mut hits = Vec::with_capacity(ranked.len());
        for result in ranked {
            let mut hit = self.hit(
                searcher,
                &segments,
                result.address,
                result.score,
                &mut highlighters,
                request.snippets,
            )?;
            for address in result.other_formats {
                let other =
                    self.hit(searcher, &segments, address, 0.0, &mut highlighters, false)?;
                hit.other_formats.push(hit::OtherFormat {
                    id: other.id,
                    format: other.format,
                    file: other.file,
                });
            }
            hits.push(hit);
        }
        let suggestion = if total < SUGGEST_BELOW && parsed.has_text() {
            self.vocabulary(searcher).respell(&parsed)
        } else {
            None
        };
        Ok(SearchResponse {
            understood: parsed.understood(),
            truncated: parsed.truncated,
            total,
            total_estimated: collected.estimated,
            offset,
            hits,
            facets: match collected.facets {
                Some(fruit) => self.multi_select_counts(
                    searcher,
                    &parsed,
                    &langs,
                    first_stage.is_some(),
                    fruit,
                )?,
                None => Vec::new(),
            },
            suggestion,
            renamed: renamed::mentioned(&highlight_text(&parsed))
                .into_iter()
                .map(|mention| mention.renamed)
                .collect(),
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
        })
    }

    /// The decoded columns of the segments of `searcher`.
    pub fn columns(&self, searcher: &tantivy::Searcher) -> columns::Segments {
        self.columns.for_searcher(searcher)
    }

    /// Facet counts over the whole index.
    pub fn all_facets(&self) -> Result<Vec<FacetCounts>, SearchError> {
        let searcher = self.searcher();
        let collector = FacetCollector::new(self.columns.for_searcher(&searcher));
        let counts = searcher.search(&tantivy::query::AllQuery, &collector)?;
        Ok(facets::to_counts(counts))
    }

    /// The vocabulary of the current commit, built once per commit.
    pub fn vocabulary(&self, searcher: &tantivy::Searcher) -> Arc<Vocabulary> {
        let generation = searcher.generation().generation_id();
        if let Ok(guard) = self.vocabulary.read() {
            if let Some((built_for, vocabulary)) = guard.as_ref() {
                if *built_for == generation {
                    return vocabulary.clone();
                }
            }
        }
        let columns = self.columns.for_searcher(searcher);
        let vocabulary = std::sync::Arc::new(Vocabulary::build(searcher, &self.fields, &columns));
        if let Ok(mut guard) = self.vocabulary.write() {
            *guard = Some((generation, vocabulary.clone()));
        }
        vocabulary
    }

    /// `text` without its word found in the fewest documents, offered when a query of
    /// several words finds little (`Vocabulary::without_rarest`).
    pub fn without_rarest_word(&self, text: &str) -> Option<String> {
        let searcher = self.searcher();
        self.vocabulary(&searcher)
            .without_rarest(&query::parse(text))
    }

    /// Completions for search as you type: titles, then frequent words, starting with the
    /// last word of `prefix`.
    pub fn suggest(&self, prefix: &str, limit: usize) -> Vec<String> {
        let searcher = self.searcher();
        self.vocabulary(&searcher)
            .complete(prefix, limit.clamp(1, 20))
    }
}

/// The words of a query that should be highlighted (not the excluded ones).
fn highlight_text(parsed: &ParsedQuery) -> String {
    parsed
        .clauses
        .iter()
        .filter(|c| c.occurrence != query::Occurrence::MustNot)
        .map(|c| c.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}
