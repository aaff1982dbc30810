//! The handlers of the web pages and their templates (compiled into the binary by askama;
//! every value is HTML-escaped unless marked `safe`, which only the highlighter's output is).

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};

use super::guidance::{Guidance, WEAK_RESULTS};
use super::html_response;
use super::params::PageState;
use super::print::PrintView;
use super::text::BlockKind;
use super::view::{facet_views, DocumentView, FacetView, ResultsView};
use crate::indicators::Caller;
use crate::model::Facet;
use crate::server::error::{ApiError, ApiPath};
use crate::server::service::DEFAULT_PER_PAGE;
use crate::server::AppState;

/// Similar documents listed on a document page.
const SIMILAR_ON_PAGE: usize = 5;

/// The search page: the home page without a query, results with one.
#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    title: String,
    q: String,
    /// Hidden field keeping a page size that is not the default.
    per_page: Option<usize>,
    results: Option<ResultsView>,
    /// On the home page: ways into the corpus without typing.
    browse: Vec<FacetView>,
    documents: String,
}

/// The print view of a selection or of the first results.
#[derive(Template)]
#[template(path = "print.html")]
struct PrintPage {
    q: String,
    origin: String,
    p: PrintView,
}

/// The page of one document.
#[derive(Template)]
#[template(path = "document.html")]
struct DocumentPage {
    d: DocumentView,
}

/// The page of an error.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub title: &'static str,
    pub message: String,
}

/// `GET /`: the search form, and the results when there is a query or a filter.
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let page = PageState::from_query(query.as_deref());
    let origin = origin(&headers);
    if !page.is_search() {
        let overview = state.overview().await?;
        let browse = overview
            .facets
            .into_iter()
            .filter(|facet| {
                facet.name == Facet::Kind.alias() || facet.name == Facet::Network.alias()
            })
            .collect();
        return html_response(&SearchPage {
            title: "Recherche documentaire".into(),
            q: String::new(),
            per_page: None,
            results: None,
            browse: facet_views(browse, &page, false),
            documents: super::labels::number_label(overview.documents as usize),
        });
    }
    if page.print {
        let p = if page.docs.is_empty() {
            let found = state.search(page.print_query()?, caller).await?;
            PrintView::of_search(&page, found, &origin)
        } else {
            let chosen = state.selection(page.docs.clone()).await?;
            PrintView::of_selection(&page, chosen, &origin)
        };
        return html_response(&PrintPage {
            q: page.q.clone(),
            origin: origin.to_string(),
            p,
        });
    }
    let found = state.search(page.to_query()?, caller).await?;
    if page.page > found.last_page {
        // A page past the last (an old link, a hand-edited address): its last page.
        return Ok(Redirect::to(&page.at_page(found.last_page).url()).into_response());
    }
    let total = found.response.total;
    let guidance = if total <= WEAK_RESULTS && page.page == 1 {
        Some(guidance(&state, &page, total).await?)
    } else {
        None
    };
    let results = ResultsView::new(&page, found, guidance);
    let title = if page.q.trim().is_empty() {
        format!("{} – Recherche documentaire", results.summary)
    } else {
        format!(
            "« {} » : {} – Recherche documentaire",
            page.q.trim(),
            results.summary
        )
    };
    html_response(&SearchPage {
        title,
        per_page: (page.per_page != DEFAULT_PER_PAGE).then_some(page.per_page),
        q: page.q,
        results: Some(results),
        browse: Vec::new(),
        documents: String::new(),
    })
}

/// What to offer after a search that found `total` documents, `WEAK_RESULTS` or fewer: a
/// broader search (without the filters when nothing was found with them, else without the
/// rarest word) with its counts, what the corpus covers, and where to ask.
async fn guidance(state: &AppState, page: &PageState, total: usize) -> Result<Guidance, ApiError> {
    let broader = if total == 0 && !page.filters.is_empty() {
        Some(page.without_filters())
    } else {
        state
            .broader_query(&page.q)
            .await?
            .map(|q| page.with_query(&q))
    };
    let alternative = match broader {
        Some(broader) => {
            let found = state.preview(broader.to_query()?).await?;
            Some((broader, found))
        }
        None => None,
    };
    let overview = state.overview().await?;
    Ok(Guidance::new(
        total,
        alternative,
        overview.documents,
        &overview.facets,
    ))
}

/// `GET /documents/{*id}`: one document, its text, and documents like it.
pub async fn document(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let doc = state.document(id.clone(), caller).await?;
    let similar = state.similar(id, SIMILAR_ON_PAGE).await.unwrap_or_default();
    let downloadable = super::files::resolve(state.corpus(), &doc.file)
        .await
        .is_ok();
    html_response(&DocumentPage {
        d: DocumentView::new(doc, similar, downloadable, &origin(&headers)),
    })
}

/// `http://host` of the request, for links printed or copied; empty when the Host header
/// is missing or odd (links then stay relative).
fn origin(headers: &HeaderMap) -> String {
    let Some(host) = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
    else {
        return String::new();
    };
    let valid = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !valid {
        return String::new();
    }
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"));
    format!("{}://{host}", if https { "https" } else { "http" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn origin_comes_from_a_sane_host_header() {
        let mut headers = HeaderMap::new();
        assert_eq!(origin(&headers), "");
        headers.insert("host", HeaderValue::from_static("127.0.0.1:8080"));
        assert_eq!(origin(&headers), "http://127.0.0.1:8080");
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert_eq!(origin(&headers), "https://127.0.0.1:8080");
        headers.insert("host", HeaderValue::from_static("evil.com/<script>"));
        assert_eq!(origin(&headers), "");
    }

    #[test]
    fn error_pages_escape_their_message() {
        let html = ErrorPage {
            title: "Erreur",
            message: "<script>alert(1)</script>".into(),
        }
        .render()
        .expect("template renders");
        assert!(html.contains("&lt;script&gt;") || html.contains("&#60;script&#62;"));
        assert!(!html.contains("<script>alert"));
        assert!(html.contains("lang=\"fr\""));
    }
}
