//! The query-string parameters of the API and their validation into search requests.
//!
//! The API is strict: an unknown parameter, a malformed filter or an out-of-range page is a
//! 400 that says what is wrong. The web page reads the same parameters leniently (see
//! `web::params`); both end in the same [`SearchQuery`] and its checks ([`Page::new`],
//! [`Filter::parse`]).

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::model::Filter;
use crate::search::Sort;
use crate::server::error::ApiError;
use crate::server::service::{Page, SearchQuery, DEFAULT_PER_PAGE};
/// Most completions or similar documents returned at once.
pub const MAX_SHORT_LIST: usize = 20;

/// Order of results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SortParam {
    /// Best match first.
    #[default]
    Relevance,
    /// Most recent first; documents without a date last.
    Date,
}

impl From<SortParam> for Sort {
    fn from(sort: SortParam) -> Sort {
        match sort {
            SortParam::Relevance => Sort::Relevance,
            SortParam::Date => Sort::Date,
        }
    }
}

/// Parameters of `GET /api/v1/search`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The query in the query language: words, "exact phrases", -excluded, +required, OR,
    /// and `facet:value` filters. Empty means every document.
    #[serde(default)]
    #[param(example = "contrat d'apprentissage")]
    pub q: String,
    /// Facet filter `facet:value`, repeatable: `filter=type:fiche-metier&filter=reseau:etat`.
    /// Facets: reseau, type, public, territoire, langue, format, source. Values of one facet
    /// are OR-ed, facets are AND-ed.
    #[serde(default)]
    #[param(example = json!(["type:fiche-metier"]))]
    pub filter: Vec<String>,
    /// Order of results.
    #[serde(default)]
    #[param(inline)]
    pub sort: SortParam,
    /// 1-based page number; `page * per_page` may not exceed 1000.
    #[param(minimum = 1, default = 1)]
    pub page: Option<usize>,
    /// Results per page, at most 100.
    #[param(minimum = 1, maximum = 100, default = 10)]
    pub per_page: Option<usize>,
}

impl SearchParams {
    /// The page asked for (1 when absent).
    pub fn page(&self) -> usize {
        self.page.unwrap_or(1)
    }

    /// The page size asked for ([`DEFAULT_PER_PAGE`] when absent).
    pub fn per_page(&self) -> usize {
        self.per_page.unwrap_or(DEFAULT_PER_PAGE)
    }

    /// The validated filters.
    pub fn filters(&self) -> Result<Vec<Filter>, ApiError> {
        self.filter
            .iter()
            .map(|filter| Filter::parse(filter).map_err(|e| ApiError::BadParameter(e.to_string())))
            .collect()
    }

    /// Validates the parameters into a search.
    pub fn to_query(&self) -> Result<SearchQuery, ApiError> {
        Ok(SearchQuery {
            text: self.q.clone(),
            page: Page::new(self.page(), self.per_page())?,
            filters: self.filters()?,
            sort: self.sort.into(),
        })
    }
}

/// Parameters of `GET /api/v1/suggest`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SuggestParams {
    /// What has been typed so far; the last word is completed.
    #[param(example = "boulang")]
    pub q: String,
    /// Most completions returned.
    #[param(minimum = 1, maximum = 20, default = 8)]
    pub limit: Option<usize>,
}

/// Parameters of `GET /api/v1/documents/{id}/similar`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SimilarParams {
    /// Most similar documents returned.
    #[param(minimum = 1, maximum = 20, default = 5)]
    pub limit: Option<usize>,
}

/// Parameters of routes that take none: any parameter is refused.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// Checks a `limit` of a short list: `default` when absent, 1..=[`MAX_SHORT_LIST`].
pub fn short_limit(limit: Option<usize>, default: usize) -> Result<usize, ApiError> {
    match limit {
        None => Ok(default),
        Some(n) if (1..=MAX_SHORT_LIST).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::BadParameter(format!(
            "limit must be between 1 and {MAX_SHORT_LIST}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Facet;
    use crate::server::error::parse_query;

    fn params(query: &str) -> Result<SearchParams, ApiError> {
        parse_query(Some(query))
    }

    #[test]
    fn repeated_filters_and_defaults() {
        let parsed = params("q=apprentissage&filter=type:fiche-metier&filter=reseau:etat")
            .expect("valid parameters");
        let query = parsed.to_query().expect("valid request");
        assert_eq!(query.text, "apprentissage");
        assert_eq!(
            query.filters,
            [
                Filter::new(Facet::Kind, "fiche-metier"),
                Filter::new(Facet::Network, "etat")
            ]
        );
        assert_eq!(query.page, Page::new(1, DEFAULT_PER_PAGE).unwrap());
        let query = params("page=3&per_page=20&sort=date")
            .and_then(|p| p.to_query())
            .expect("valid paging");
        assert_eq!(query.page, Page::new(3, 20).unwrap());
        assert_eq!(query.sort, Sort::Date);
    }

    #[test]
    fn bad_parameters_are_refused_with_a_reason() {
        for query in [
            "page=0",
            "per_page=0",
            "per_page=101",
            "page=11&per_page=100",
            "page=abc",
            "sort=random",
            "filter=nocolon",
            "filter=couleur:bleu",
            "filter=type:",
            "unknown=1",
        ] {
            let result = params(query).and_then(|p| p.to_query());
            match result {
                Err(ApiError::BadParameter(message)) => assert!(!message.is_empty()),
                other => panic!("{query}: expected a bad parameter, got {other:?}"),
            }
        }
        assert!(params("page=10&per_page=100")
            .and_then(|p| p.to_query())
            .is_ok());
    }

    #[test]
    fn short_limits_are_bounded() {
        assert_eq!(short_limit(None, 5).ok(), Some(5));
        assert_eq!(short_limit(Some(20), 5).ok(), Some(20));
        assert!(short_limit(Some(0), 5).is_err());
        assert!(short_limit(Some(21), 5).is_err());
        assert!(parse_query::<NoParams>(Some("x=1")).is_err());
        assert!(parse_query::<NoParams>(None).is_ok());
    }
}
