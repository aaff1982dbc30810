//! One pass of a query over the index: the candidates of the first stage (best scores with
//! their priors, or newest first), the number of matches and the facet counts; and the
//! multi-select counts of the facets that the query filters. A large search takes the first
//! stage of [`first_stage`], whose counts are exact up to a bound and estimated beyond.

use std::collections::BTreeMap;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::Query;
use tantivy::{DocAddress, Order};

use super::facets::{self, FacetCollector, FacetCounts};
use super::first_stage::FirstStage;
use super::query::ParsedQuery;
use super::statistics::PartStatistics;
use super::{columns, prior, rerank, Engine, SearchError, SearchRequest, Sort};
use crate::model::{Facet, Lang};

/// What one pass gathers.
pub(super) struct Collected {
    /// The candidates with their first-stage scores, in the request's order.
    pub candidates: Vec<(f32, DocAddress)>,
    /// The number of matches.
    pub total: usize,
    /// When asked, the counts of each facet's values.
    pub facets: Option<Vec<BTreeMap<String, u64>>>,
    /// True when `total` and the facet counts are estimates ([`FirstStage::count`]).
    pub estimated: bool,
}

impl Engine {
    /// Facet counts where each filtered facet is counted without its own filter, so that a
    /// second value of it can still be chosen ("multi-select" facets); other facets count
    /// the current results. With `first_stage`, each is counted as the first stage counts
    /// (estimated beyond its bound).
    pub(super) fn multi_select_counts(
        &self,
        searcher: &tantivy::Searcher,
        parsed: &ParsedQuery,
        langs: &[Lang],
        first_stage: bool,
        mut fruit: Vec<BTreeMap<String, u64>>,
    ) -> Result<Vec<FacetCounts>, SearchError> {
        for facet in Facet::ALL {
            if !parsed.filters.iter().any(|filter| filter.facet == facet) {
                continue;
            }
            let mut others = parsed.clone();
            others.filters.retain(|filter| filter.facet != facet);
            let collector = FacetCollector::new(self.columns.for_searcher(searcher));
            let stage = match first_stage {
                true => self.first_stage(searcher, &others, langs)?,
                false => None,
            };
            let mut counts = match stage {
                Some(stage) => stage
                    .count(searcher, Some(&collector))?
                    .facets
                    .unwrap_or_default(),
                None => {
                    let query = self.query(searcher, &others, langs, false);
                    searcher.search(query.as_ref(), &collector)?
                }
            };
            if let Some(own) = counts.get_mut(facet.index()) {
                fruit[facet.index()] = std::mem::take(own);
            }
        }
        Ok(facets::to_counts(fruit))
    }

    /// The first stage of a large search for `parsed` on `searcher`'s commit, when the query
    /// can take it ([`FirstStage::plan`]).
    pub(super) fn first_stage(
        &self,
        searcher: &tantivy::Searcher,
        parsed: &ParsedQuery,
        langs: &[Lang],
    ) -> Result<Option<FirstStage>, SearchError> {
        let known_word = |word: &str| self.known_word(searcher, word);
        FirstStage::plan(
            searcher,
            parsed,
            &self.fields,
            langs,
            &self.ranking,
            &known_word,
        )
    }

    /// The first stage of `query`: `offset + limit` candidates at least, in the request's
    /// order, with the number of matches and the facet counts when the request asks for them;
    /// through `first_stage` when given.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn collect(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        first_stage: Option<&FirstStage>,
        parsed: &ParsedQuery,
        segments: &columns::Segments,
        request: &SearchRequest,
        offset: usize,
        limit: usize,
    ) -> Result<Collected, SearchError> {
        let facets = request
            .facets
            .then(|| FacetCollector::new(segments.clone()));
        // Either order re-ranks or collapses the first results (the files of one work shown
        // once: `rerank::collapse`), the offset applied after: take enough to fill the page.
        let depth = (offset + limit).max(rerank::RERANK_DEPTH);
        if let (Sort::Relevance, Some(stage)) = (request.sort, first_stage) {
            let candidates = stage.candidates(searcher, &self.fields, query, segments, depth)?;
            let counted = stage.count(searcher, facets.as_ref())?;
            return Ok(Collected {
                candidates,
                total: counted.matches as usize,
                facets: counted.facets,
                estimated: counted.estimated,
            });
        }
        let (candidates, total, facets) = match request.sort {
            Sort::Relevance => {
                let top = prior::top_with_priors(depth, parsed, &self.ranking, segments);
                let statistics = PartStatistics::new(searcher, &self.fields);
                let (docs, total, facets) = searcher.search_with_statistics_provider(
                    query,
                    &(top, Count, facets),
                    &statistics,
                )?;
                (docs, total, facets)
            }
            Sort::Date => {
                let top = TopDocs::with_limit(depth);
                let by_date = top.order_by_fast_field::<i64>("date_key", Order::Desc);
                let (docs, total, facets) = searcher.search(query, &(by_date, Count, facets))?;
                (
                    docs.into_iter()
                        .map(|(_, address)| (0.0, address))
                        .collect(),
                    total,
                    facets,
                )
            }
        };
        Ok(Collected {
            candidates,
            total,
            facets,
            estimated: false,
        })
    }
}
