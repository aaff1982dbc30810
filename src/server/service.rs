//! The calls of the service, as methods of [`AppState`]: what the API and the web page ask
//! of the index, each run off the async runtime on the bounded pool, whatever presents the
//! answer (JSON or HTML).

use super::error::ApiError;
use super::metrics::IndexFigures;
use super::AppState;
use crate::index::report::{Failure, IndexReport};
use crate::indicators::Caller;
use crate::model::{Facet, Filter};
use crate::search::facets::FacetCounts;
use crate::search::{
    Hit, SearchRequest, SearchResponse, Sort, StoredDocument, MAX_DEPTH, MAX_LIMIT,
};

/// Results per page when none is asked for.
pub const DEFAULT_PER_PAGE: usize = 10;
/// Longest text completed by [`AppState::suggest`], in characters.
const MAX_SUGGEST_CHARS: usize = 200;

/// A page of results that can be asked for: numbered from 1, of 1 to [`MAX_LIMIT`]
/// results, and not past the [`MAX_DEPTH`]th result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    number: usize,
    size: usize,
}

impl Page {
    /// Page `number` of `size` results, or why it cannot be asked for.
    pub fn new(number: usize, size: usize) -> Result<Page, ApiError> {
        if number == 0 {
            return Err(ApiError::BadParameter("page starts at 1".into()));
        }
        if size == 0 || size > MAX_LIMIT {
            return Err(ApiError::BadParameter(format!(
                "per_page must be between 1 and {MAX_LIMIT}"
            )));
        }
        if number.saturating_mul(size) > MAX_DEPTH {
            return Err(ApiError::BadParameter(format!(
                "page {number} of {size} goes past the first {MAX_DEPTH} results"
            )));
        }
        Ok(Page { number, size })
    }

    /// The 1-based page number.
    pub fn number(self) -> usize {
        self.number
    }

    /// Results per page.
    pub fn size(self) -> usize {
        self.size
    }

    /// The last page that can be asked for when `total` documents match (paging stops at
    /// the [`MAX_DEPTH`]th result).
    pub fn last(self, total: usize) -> usize {
        total.min(MAX_DEPTH).div_ceil(self.size.max(1)).max(1)
    }
}

/// A search as the API and the web page ask for it.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    /// The query in the query language, as typed.
    pub text: String,
    pub filters: Vec<Filter>,
    pub sort: Sort,
    pub page: Page,
}

impl SearchQuery {
    /// The search with snippets and facet counts.
    pub fn request(&self) -> SearchRequest {
        SearchRequest {
            query: self.text.clone(),
            filters: self.filters.clone(),
            sort: self.sort,
            offset: (self.page.number - 1) * self.page.size,
            limit: self.page.size,
            snippets: true,
            facets: true,
            complete_last: false,
        }
    }
}

/// One page of results.
#[derive(Debug, Clone)]
pub struct SearchPage {
    /// The query as typed.
    pub text: String,
    pub page: Page,
    /// The last page that can be asked for.
    pub last_page: usize,
    pub response: SearchResponse,
}

/// The whole index at a glance.
#[derive(Debug, Clone)]
pub struct Overview {
    pub documents: u64,
    /// Every facet, with counts over the whole index.
    pub facets: Vec<FacetCounts>,
}

impl AppState {
    /// Runs a search for `caller`, and counts what it found for the metrics and the
    /// indicators (the one search path of the API and the web page).
    pub async fn search(&self, query: SearchQuery, caller: Caller) -> Result<SearchPage, ApiError> {
        let request = query.request();
        let counted = self.clone();
        let response = self
            .run(move |engine| {
                let response = engine.search(&request)?;
                let respelled = response.suggestion.is_some();
                counted
                    .metrics()
                    .record_search(&request, response.total, respelled);
                counted
                    .indicators()
                    .record_search(caller, &request, response.total, respelled);
                Ok(response)
            })
            .await?;
        Ok(SearchPage {
            last_page: query.page.last(response.total),
            text: query.text,
            page: query.page,
            response,
        })
    }

    /// The document with id `id`, opened by `caller` (and counted as such).
    pub async fn document(&self, id: String, caller: Caller) -> Result<StoredDocument, ApiError> {
        let document = self
            .run(move |engine| engine.document(&id)?.ok_or(ApiError::DocumentNotFound(id)))
            .await?;
        self.indicators()
            .record_document(caller.entry, document.facet(Facet::Kind));
        Ok(document)
    }

    /// At most `limit` documents similar to the one with id `id`, best first.
    pub async fn similar(&self, id: String, limit: usize) -> Result<Vec<Hit>, ApiError> {
        self.run(move |engine| {
            engine
                .similar(&id, limit)?
                .ok_or(ApiError::DocumentNotFound(id))
        })
        .await
    }

    /// At most `limit` completions of `text` (cut to its first 200 characters), and the
    /// text completed.
    pub async fn suggest(
        &self,
        text: &str,
        limit: usize,
    ) -> Result<(String, Vec<String>), ApiError> {
        let text: String = text.chars().take(MAX_SUGGEST_CHARS).collect();
        self.run(move |engine| {
            let suggestions = engine.suggest(&text, limit);
            Ok((text, suggestions))
        })
        .await
    }

    /// A search that is not counted: the broader search a page that found little offers.
    pub async fn preview(&self, query: SearchQuery) -> Result<SearchResponse, ApiError> {
        let request = SearchRequest {
            snippets: false,
            ..query.request()
        };
        self.run(move |engine| Ok(engine.search(&request)?)).await
    }

    /// The documents of a selection to print, in its order; ids that are not in the index
    /// are left out. Not counted as documents opened.
    pub async fn selection(&self, ids: Vec<String>) -> Result<Vec<StoredDocument>, ApiError> {
        self.run(move |engine| {
            let mut found = Vec::with_capacity(ids.len());
            for id in &ids {
                found.extend(engine.document(id)?);
            }
            Ok(found)
        })
        .await
    }

    /// `text` without its rarest word, offered when a query of several words finds little.
    pub async fn broader_query(&self, text: &str) -> Result<Option<String>, ApiError> {
        let text = text.to_string();
        self.run(move |engine| Ok(engine.without_rarest_word(&text)))
            .await
    }

    /// The number of documents and the counts of every facet.
    pub async fn overview(&self) -> Result<Overview, ApiError> {
        self.run(|engine| {
            Ok(Overview {
                documents: engine.searcher().num_docs(),
                facets: engine.all_facets()?,
            })
        })
        .await
    }

    /// The number of documents, or 503 while the index is not open.
    pub fn documents(&self) -> Result<u64, ApiError> {
        Ok(self.engine()?.searcher().num_docs())
    }

    /// The documents that the committed index lacks because they failed, and why.
    pub async fn failures(&self) -> Result<Vec<Failure>, ApiError> {
        self.run(|engine| {
            let manifest =
                crate::index::committed_manifest(engine.index()).map_err(ApiError::internal)?;
            let mut report = IndexReport::default();
            report.count_from(&manifest);
            Ok(report.failures)
        })
        .await
    }

    /// The figures of the index for the metrics (size read off the async runtime).
    pub async fn index_figures(&self) -> IndexFigures {
        let Ok(engine) = self.engine() else {
            return IndexFigures::default();
        };
        let dir = self.index_dir().to_path_buf();
        tokio::task::spawn_blocking(move || IndexFigures {
            ready: true,
            documents: engine.searcher().num_docs(),
            size_bytes: crate::index::folder_size(&dir),
        })
        .await
        .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_stop_at_the_deepest_result() {
        assert!(Page::new(10, 100).is_ok());
        for (number, size) in [(0, 10), (1, 0), (1, 101), (11, 100)] {
            assert!(
                matches!(Page::new(number, size), Err(ApiError::BadParameter(_))),
                "{number} of {size}"
            );
        }
        let page = Page::new(3, 20).unwrap();
        let query = SearchQuery {
            text: "cap".into(),
            filters: Vec::new(),
            sort: Sort::Date,
            page,
        };
        let request = query.request();
        assert_eq!((request.offset, request.limit), (40, 20));
        assert!(request.snippets && request.facets);
        assert_eq!(page.last(0), 1);
        assert_eq!(page.last(41), 3);
        assert_eq!(page.last(1_000_000), 50);
    }
}
