//! The handlers of the JSON API, each documented for the OpenAPI document.
//!
//! Handlers only translate HTTP to the service's calls ([`crate::server::service`]), which
//! run on the blocking pool, and their answers to JSON bodies.

use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa::OpenApi;

use super::model::{
    facet_bodies, DocumentBody, ErrorBody, FacetsBody, HealthBody, HitBody, SearchBody,
    SimilarBody, SuggestBody,
};
use super::openapi::ApiDoc;
use super::params::{short_limit, NoParams, SearchParams, SimilarParams, SuggestParams};
use crate::indicators::Caller;
use crate::server::error::{parse_query, ApiError, ApiPath, ApiQuery};
use crate::server::AppState;

/// Suffix of a document path that asks for similar documents instead.
pub const SIMILAR_SUFFIX: &str = "/similar";
/// Completions returned when `limit` is not given.
const DEFAULT_SUGGESTIONS: usize = 8;
/// Similar documents returned when `limit` is not given.
const DEFAULT_SIMILAR: usize = 5;

/// Search the documents.
///
/// One page of results with highlighted snippets, the facet counts over every matching
/// document, the total, the query as understood, and a respelling when few documents match.
#[utoipa::path(
    get,
    path = "/api/v1/search",
    tag = "search",
    params(SearchParams),
    responses(
        (status = 200, description = "One page of results", body = SearchBody),
        (status = 400, description = "Invalid parameter", body = ErrorBody),
        (status = 503, description = "The index is not ready yet", body = ErrorBody),
    )
)]
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> Result<Json<SearchBody>, ApiError> {
    let page = state.search(params.to_query()?, caller).await?;
    Ok(Json(SearchBody::from(page)))
}

/// One document: metadata and extracted text.
///
/// Ids contain `:` and `/` (`sp:particuliers/F2301`, `spo/accord-cadre-spo-paca.pdf`); they
/// may be sent as they are or percent-encoded.
#[utoipa::path(
    get,
    path = "/api/v1/documents/{id}",
    tag = "documents",
    params(("id" = String, Path, description = "Document id, raw or percent-encoded",
        example = "sp:particuliers/F2301")),
    responses(
        (status = 200, description = "The document", body = DocumentBody),
        (status = 400, description = "Invalid parameter", body = ErrorBody),
        (status = 404, description = "No document with this id", body = ErrorBody),
        (status = 503, description = "The index is not ready yet", body = ErrorBody),
    )
)]
pub async fn document(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DocumentBody>, ApiError> {
    Ok(Json(DocumentBody::from(state.document(id, caller).await?)))
}

/// Documents similar to one document (its title and keywords as a query).
#[utoipa::path(
    get,
    path = "/api/v1/documents/{id}/similar",
    tag = "documents",
    params(("id" = String, Path, description = "Document id, raw or percent-encoded",
        example = "sp:particuliers/F2301"), SimilarParams),
    responses(
        (status = 200, description = "Similar documents, best first", body = SimilarBody),
        (status = 400, description = "Invalid parameter", body = ErrorBody),
        (status = 404, description = "No document with this id", body = ErrorBody),
        (status = 503, description = "The index is not ready yet", body = ErrorBody),
    )
)]
pub async fn similar(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery<SimilarParams>,
) -> Result<Json<SimilarBody>, ApiError> {
    let limit = short_limit(params.limit, DEFAULT_SIMILAR)?;
    let hits = state.similar(id.clone(), limit).await?;
    Ok(Json(SimilarBody {
        id,
        hits: hits.into_iter().map(HitBody::from).collect(),
    }))
}

/// The route `/api/v1/documents/{*path}`: a document, or its similar documents when the
/// path ends with `/similar` (ids may contain `/`, so one wildcard route serves both).
pub async fn document_or_similar(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(path): ApiPath<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    match path.strip_suffix(SIMILAR_SUFFIX) {
        Some(id) => {
            let params = parse_query(query.as_deref())?;
            let body = similar(State(state), ApiPath(id.to_string()), ApiQuery(params)).await?;
            Ok(body.into_response())
        }
        None => {
            parse_query::<NoParams>(query.as_deref())?;
            let body = document(State(state), caller, ApiPath(path)).await?;
            Ok(body.into_response())
        }
    }
}

/// Completions for search as you type: titles, then frequent words.
#[utoipa::path(
    get,
    path = "/api/v1/suggest",
    tag = "search",
    params(SuggestParams),
    responses(
        (status = 200, description = "Completions, best first", body = SuggestBody),
        (status = 400, description = "Invalid parameter", body = ErrorBody),
        (status = 503, description = "The index is not ready yet", body = ErrorBody),
    )
)]
pub async fn suggest(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<SuggestParams>,
) -> Result<Json<SuggestBody>, ApiError> {
    let limit = short_limit(params.limit, DEFAULT_SUGGESTIONS)?;
    let (query, suggestions) = state.suggest(&params.q, limit).await?;
    Ok(Json(SuggestBody { query, suggestions }))
}

/// Every facet and its values, with counts over the whole index.
#[utoipa::path(
    get,
    path = "/api/v1/facets",
    tag = "search",
    responses(
        (status = 200, description = "Facet counts of the whole index", body = FacetsBody),
        (status = 400, description = "Invalid parameter", body = ErrorBody),
        (status = 503, description = "The index is not ready yet", body = ErrorBody),
    )
)]
pub async fn facets(
    State(state): State<AppState>,
    ApiQuery(_): ApiQuery<NoParams>,
) -> Result<Json<FacetsBody>, ApiError> {
    let overview = state.overview().await?;
    Ok(Json(FacetsBody {
        documents: overview.documents,
        facets: facet_bodies(overview.facets),
    }))
}

/// Readiness: 200 once the index is open, 503 while it is being built.
#[utoipa::path(
    get,
    path = "/health",
    tag = "service",
    responses(
        (status = 200, description = "Ready to answer searches", body = HealthBody),
        (status = 503, description = "The index is not ready yet", body = ErrorBody),
    )
)]
pub async fn health(State(state): State<AppState>) -> Result<Json<HealthBody>, ApiError> {
    Ok(Json(HealthBody {
        status: "ready".into(),
        documents: state.documents()?,
        version: env!("CARGO_PKG_VERSION").into(),
        generation: state.generation(),
    }))
}

/// Prometheus metrics: requests, latencies, errors, what searches found (with and without
/// results, "did you mean", filters used: counts only, never the words searched), index
/// size and document count.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "service",
    responses(
        (status = 200, description = "Prometheus text exposition format",
            content_type = "text/plain", body = String),
    )
)]
pub async fn metrics(State(state): State<AppState>) -> Response {
    let figures = state.index_figures().await;
    let connections = state.connections().figures(&state.options().connections);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics().render(figures, connections),
    )
        .into_response()
}

/// This API's OpenAPI 3.1 document, generated from the handlers and body types.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "service",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json")),
)]
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
