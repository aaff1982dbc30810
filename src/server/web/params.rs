//! The state of the search page, all of it in the query string: read leniently (a bad value
//! falls back to its default, an unknown filter is dropped) and written back into the links
//! of the page, so that every search, page, sort and filter is a URL to share.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Deserialize;

use crate::model::Filter;
use crate::search::{Sort, MAX_DEPTH, MAX_LIMIT};
use crate::server::error::ApiError;
use crate::server::service::{Page, SearchQuery, DEFAULT_PER_PAGE};

/// Bytes escaped in a query-string value: `:` stays readable in `filter=type:fiche-metier`.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b':');

/// Value of `vue` that asks for the print view.
pub const PRINT_VIEW: &str = "impression";
/// Results printed when no document is chosen: the first ones.
pub const PRINT_FIRST: usize = 50;
/// Most documents in a selection.
pub const MAX_SELECTION: usize = 100;
/// Longest document id kept in a selection.
const MAX_ID_BYTES: usize = 512;

/// The query string as sent, every field optional and untyped.
#[derive(Debug, Default, Deserialize)]
struct RawParams {
    q: Option<String>,
    #[serde(default)]
    filter: Vec<String>,
    sort: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
    vue: Option<String>,
    #[serde(default)]
    doc: Vec<String>,
    premiers: Option<String>,
}

/// What the search page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageState {
    pub q: String,
    /// Valid filters in their canonical `facet:value` form, without duplicates.
    pub filters: Vec<String>,
    pub sort: Sort,
    pub page: usize,
    pub per_page: usize,
    /// The print view of the result list.
    pub print: bool,
    /// Documents chosen for the print view, by id, in order, without duplicates.
    pub docs: Vec<String>,
    /// Results the print view shows when no document is chosen.
    pub print_first: usize,
}

impl Default for PageState {
    fn default() -> Self {
        PageState {
            q: String::new(),
            filters: Vec::new(),
            sort: Sort::Relevance,
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            print: false,
            docs: Vec::new(),
            print_first: PRINT_FIRST,
        }
    }
}

impl PageState {
    /// Reads the query string; never fails.
    pub fn from_query(query: Option<&str>) -> PageState {
        let raw: RawParams =
            serde_html_form::from_str(query.unwrap_or_default()).unwrap_or_default();
        let per_page = raw
            .per_page
            .and_then(|n| n.trim().parse::<usize>().ok())
            .map_or(DEFAULT_PER_PAGE, |n| n.clamp(1, MAX_LIMIT));
        let last_page = (MAX_DEPTH / per_page).max(1);
        let page = raw
            .page
            .and_then(|n| n.trim().parse::<usize>().ok())
            .map_or(1, |n| n.clamp(1, last_page));
        let mut filters = Vec::new();
        for filter in &raw.filter {
            if let Some(canonical) = canonical_filter(filter) {
                if !filters.contains(&canonical) {
                    filters.push(canonical);
                }
            }
        }
        let mut docs: Vec<String> = Vec::new();
        for id in raw.doc {
            let id = id.trim();
            let fits = !id.is_empty() && id.len() <= MAX_ID_BYTES;
            if fits && docs.len() < MAX_SELECTION && !docs.iter().any(|d| d == id) {
                docs.push(id.to_string());
            }
        }
        let print_first = raw
            .premiers
            .and_then(|n| n.trim().parse::<usize>().ok())
            .map_or(PRINT_FIRST, |n| n.clamp(1, MAX_LIMIT));
        PageState {
            q: raw.q.unwrap_or_default(),
            filters,
            sort: match raw.sort.as_deref() {
                Some("date") => Sort::Date,
                _ => Sort::Relevance,
            },
            page,
            per_page,
            print: raw.vue.as_deref() == Some(PRINT_VIEW),
            docs,
            print_first,
        }
    }

    /// True when there is something to search or print: words, filters or chosen documents.
    pub fn is_search(&self) -> bool {
        !self.q.trim().is_empty() || !self.filters.is_empty() || !self.docs.is_empty()
    }

    /// The search of the print view when no document is chosen: its first results.
    pub fn print_query(&self) -> Result<SearchQuery, ApiError> {
        Ok(SearchQuery {
            page: Page::new(1, self.print_first)?,
            ..self.to_query()?
        })
    }

    /// The search this page shows (its values, read leniently, are always valid).
    pub fn to_query(&self) -> Result<SearchQuery, ApiError> {
        let filters = self.filters.iter().filter_map(|f| Filter::parse(f).ok());
        Ok(SearchQuery {
            text: self.q.clone(),
            filters: filters.collect(),
            sort: self.sort,
            page: Page::new(self.page, self.per_page)?,
        })
    }

    /// The URL of this state; default values are left out.
    pub fn url(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if !self.q.is_empty() {
            pairs.push(("q", self.q.clone()));
        }
        for filter in &self.filters {
            pairs.push(("filter", filter.clone()));
        }
        if self.sort == Sort::Date {
            pairs.push(("sort", "date".into()));
        }
        if self.page > 1 {
            pairs.push(("page", self.page.to_string()));
        }
        if self.per_page != DEFAULT_PER_PAGE {
            pairs.push(("per_page", self.per_page.to_string()));
        }
        if self.print {
            pairs.push(("vue", PRINT_VIEW.into()));
            if self.print_first != PRINT_FIRST && self.docs.is_empty() {
                pairs.push(("premiers", self.print_first.to_string()));
            }
        }
        for id in &self.docs {
            pairs.push(("doc", id.clone()));
        }
        let query: Vec<String> = pairs
            .into_iter()
            .map(|(key, value)| format!("{key}={}", utf8_percent_encode(&value, QUERY_VALUE)))
            .collect();
        if query.is_empty() {
            "/".to_string()
        } else {
            format!("/?{}", query.join("&"))
        }
    }

    /// This search at another page.
    pub fn at_page(&self, page: usize) -> PageState {
        PageState {
            page,
            ..self.clone()
        }
    }

    /// This search with `filter` removed, from the first page.
    pub fn without_filter(&self, filter: &str) -> PageState {
        PageState {
            filters: self
                .filters
                .iter()
                .filter(|f| *f != filter)
                .cloned()
                .collect(),
            page: 1,
            ..self.clone()
        }
    }

    /// This search without any filter, from the first page.
    pub fn without_filters(&self) -> PageState {
        PageState {
            filters: Vec::new(),
            page: 1,
            ..self.clone()
        }
    }

    /// Another query with the same filters and sort, from the first page.
    pub fn with_query(&self, q: &str) -> PageState {
        PageState {
            q: q.to_string(),
            page: 1,
            print: false,
            ..self.clone()
        }
    }

    /// The print view of this search, or the screen view of a print view (without its
    /// chosen documents).
    pub fn with_print(&self, print: bool) -> PageState {
        PageState {
            print,
            docs: if print { self.docs.clone() } else { Vec::new() },
            ..self.clone()
        }
    }

    /// The print view of this search's first `n` results.
    pub fn printing_first(&self, n: usize) -> PageState {
        PageState {
            print: true,
            print_first: n,
            docs: Vec::new(),
            page: 1,
            ..self.clone()
        }
    }
}

/// `reseau:etat` or `network:etat` → `reseau:etat`; `None` for an invalid filter.
pub fn canonical_filter(filter: &str) -> Option<String> {
    Filter::parse(filter).ok().map(|filter| filter.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_leniently_and_writes_back_the_same_state() {
        let state = PageState::from_query(Some(
            "q=contrat+d%27apprentissage&filter=network:etat&filter=type:fiche-droits\
             &filter=reseau:etat&filter=bogus&sort=date&page=2&per_page=20&utm=x",
        ));
        assert_eq!(state.q, "contrat d'apprentissage");
        assert_eq!(state.filters, ["reseau:etat", "type:fiche-droits"]);
        assert_eq!(
            (state.sort, state.page, state.per_page),
            (Sort::Date, 2, 20)
        );
        let url = state.url();
        assert_eq!(
            url,
            "/?q=contrat%20d%27apprentissage&filter=reseau:etat&filter=type:fiche-droits\
             &sort=date&page=2&per_page=20"
        );
        let again = PageState::from_query(url.strip_prefix("/?"));
        assert_eq!(again, state);
    }

    #[test]
    fn hostile_values_fall_back_to_defaults() {
        for query in [
            "page=-1",
            "page=abc&per_page=0",
            "per_page=100000&page=999999",
            "q=a&q=b",
            "%%%",
            "filter=type%3A",
            "sort=%00",
        ] {
            let state = PageState::from_query(Some(query));
            assert!(
                state.page >= 1 && state.page * state.per_page <= MAX_DEPTH,
                "{query}"
            );
            assert!(
                state.per_page >= 1 && state.per_page <= MAX_LIMIT,
                "{query}"
            );
            assert!(state.to_query().is_ok(), "{query}");
        }
        assert_eq!(PageState::from_query(None), PageState::default());
        assert_eq!(PageState::default().url(), "/");
    }

    #[test]
    fn links_change_one_thing_at_a_time() {
        let state = PageState::from_query(Some("q=cap&filter=type:formation&page=3"));
        assert_eq!(
            state.at_page(4).url(),
            "/?q=cap&filter=type:formation&page=4"
        );
        assert_eq!(state.without_filter("type:formation").url(), "/?q=cap");
        assert_eq!(state.without_filters().url(), "/?q=cap");
        assert_eq!(
            state.with_query("bac pro").url(),
            "/?q=bac%20pro&filter=type:formation"
        );
        assert_eq!(
            state.with_print(true).url(),
            "/?q=cap&filter=type:formation&page=3&vue=impression"
        );
        assert_eq!(
            state.printing_first(20).url(),
            "/?q=cap&filter=type:formation&vue=impression&premiers=20"
        );
    }

    #[test]
    fn a_selection_is_a_list_of_ids_in_the_address() {
        let state = PageState::from_query(Some(
            "q=cap&vue=impression&doc=sp:particuliers/F10&doc=rome/J1501\
             &doc=sp:particuliers/F10&doc=&premiers=abc",
        ));
        assert!(state.print && state.is_search());
        assert_eq!(state.docs, ["sp:particuliers/F10", "rome/J1501"]);
        assert_eq!(state.print_first, PRINT_FIRST);
        let url = state.url();
        assert_eq!(
            url,
            "/?q=cap&vue=impression&doc=sp:particuliers%2FF10&doc=rome%2FJ1501"
        );
        assert_eq!(PageState::from_query(url.strip_prefix("/?")), state);
        assert_eq!(state.with_print(false).url(), "/?q=cap");
        let many: String = (0..500).map(|i| format!("doc=d{i}&")).collect();
        assert_eq!(PageState::from_query(Some(&many)).docs.len(), MAX_SELECTION);
        let huge = PageState::from_query(Some(&format!("doc={}", "x".repeat(600))));
        assert!(huge.docs.is_empty() && !huge.is_search());
    }
}
