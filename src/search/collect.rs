//! One pass of a query over the index: the candidates of the first stage (best scores with
//! their priors, or newest first), the exact number of matches and the facet counts; and
//! the multi-select counts of the facets that the query filters.

use std::collections::BTreeMap;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::Query;
use tantivy::{DocAddress, Order};

use super::facets::{self, FacetCollector, FacetCounts};
use super::query::ParsedQuery;
use super::statistics::PartStatistics;
use super::{columns, prior, rerank, Engine, SearchError, SearchRequest, Sort};
use crate::model::{Facet, Lang};

/// What one pass gathers: the candidates with their first-stage scores, the number of
/// matches and, when asked, the counts of each facet's values.
pub(super) type Collected = (
    Vec<(f32, DocAddress)>,
    usize,
    Option<Vec<BTreeMap<String, u64>>>,
);

impl Engine {
    /// Facet counts where each filtered facet is counted without its own filter, so that a
    /// second value of it can still be chosen ("multi-select" facets); other facets count
    /// the current results.
    pub(super) fn multi_select_counts(
        &self,
        searcher: &tantivy::Searcher,
        parsed: &ParsedQuery,
        langs: &[Lang],
        mut fruit: Vec<BTreeMap<String, u64>>,
    ) -> Result<Vec<FacetCounts>, SearchError> {
        for facet in Facet::ALL {
            if !parsed.filters.iter().any(|filter| filter.facet == facet) {
                continue;
            }
            let mut others = parsed.clone();
            others.filters.retain(|filter| filter.facet != facet);
            let query = self.query(searcher, &others, langs, false);
            let collector = FacetCollector::new(self.columns.for_searcher(searcher));
            let mut counts = searcher.search(query.as_ref(), &collector)?;
            if let Some(own) = counts.get_mut(facet.index()) {
                fruit[facet.index()] = std::mem::take(own);
            }
        }
        Ok(facets::to_counts(fruit))
    }

    /// The first stage of `query`: `offset + limit` candidates at least, in the request's
    /// order, with the number of matches and the facet counts when the request asks for them.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn collect(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
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
        Ok(match request.sort {
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
        })
    }
}
