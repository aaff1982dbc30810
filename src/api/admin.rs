//! The admin API under `/api/v1/admin`, for documentalists: add or remove a corpus file,
//! start a re-index, read the last indexing report and the failed documents.
//!
//! It exists only when a token is configured; every call must carry it as
//! `Authorization: Bearer <token>`, or gets a bare 401.

use axum::extract::{Multipart, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::error::{ApiError, ApiPath, ApiQuery};
use super::AppState;
use crate::admin::upload;
use crate::index::report::IndexReport;

/// Whether `path` is one of the admin routes (their own body limit, no rate limit).
pub fn is_admin_path(path: &str) -> bool {
    path.starts_with("/api/v1/admin/")
}

/// The admin routes, behind the token check.
pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/sources/{source}/files", post(upload_file))
        .route(
            "/api/v1/admin/sources/{source}/files/{name}",
            delete(remove_file),
        )
        .route("/api/v1/admin/reindex", post(reindex))
        .route("/api/v1/admin/report", get(report))
        .route("/api/v1/admin/failures", get(failures))
        .layer(axum::extract::DefaultBodyLimit::max(
            state.options().max_upload_bytes,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), require_token))
}

/// Lets a request through only with the right bearer token.
async fn require_token(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    let allowed = match (&state.options().admin_token, presented) {
        (Some(token), Some(presented)) => token.verify(presented),
        _ => false,
    };
    if !allowed {
        return ApiError::Unauthorized.into_response();
    }
    next.run(request).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct UploadParams {
    /// Replace a file of the same name.
    #[serde(default)]
    replace: bool,
}

/// `POST /api/v1/admin/sources/{source}/files`: multipart, one `file` part.
async fn upload_file(
    State(state): State<AppState>,
    ApiPath(source): ApiPath<String>,
    ApiQuery(params): ApiQuery<UploadParams>,
    mut multipart: Multipart,
) -> Result<Response, ApiError> {
    let mut upload = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(&state, e.status(), e.body_text()))?
    {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_string();
        let bytes = field
            .bytes()
            .await
            .map_err(|e| multipart_error(&state, e.status(), e.body_text()))?;
        upload = Some((name, bytes));
        break;
    }
    let Some((name, bytes)) = upload else {
        return Err(ApiError::BadParameter(
            "send the document as a multipart part named \"file\"".into(),
        ));
    };
    let corpus = state.corpus().to_path_buf();
    let stored = tokio::task::spawn_blocking(move || {
        upload::store(&corpus, &source, &name, &bytes, params.replace)
    })
    .await
    .map_err(ApiError::internal)??;
    tracing::info!(file = %stored, "document uploaded");
    let ticket = state.reindexer()?.request(false);
    let body = json!({ "path": stored, "reindex_ticket": ticket });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// A multipart failure: over the size limit, or malformed.
fn multipart_error(state: &AppState, status: StatusCode, detail: String) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge(state.options().max_upload_bytes)
    } else {
        ApiError::BadParameter(format!("malformed multipart body: {detail}"))
    }
}

/// `DELETE /api/v1/admin/sources/{source}/files/{name}`.
async fn remove_file(
    State(state): State<AppState>,
    ApiPath((source, name)): ApiPath<(String, String)>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let corpus = state.corpus().to_path_buf();
    let removed = tokio::task::spawn_blocking(move || upload::remove(&corpus, &source, &name))
        .await
        .map_err(ApiError::internal)??;
    tracing::info!(file = %removed, "document removed");
    let ticket = state.reindexer()?.request(false);
    Ok(Json(
        json!({ "removed": removed, "reindex_ticket": ticket }),
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReindexParams {
    /// Re-extract every file, not only the changed ones.
    #[serde(default)]
    rebuild: bool,
    /// Answer when the run has ended, with its outcome.
    #[serde(default)]
    wait: bool,
}

/// `POST /api/v1/admin/reindex`: 202 with a ticket, or the outcome with `wait=true`.
async fn reindex(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<ReindexParams>,
) -> Result<Response, ApiError> {
    let reindexer = state.reindexer()?;
    let ticket = reindexer.request(params.rebuild);
    if !params.wait {
        let body = json!({ "reindex_ticket": ticket });
        return Ok((StatusCode::ACCEPTED, Json(body)).into_response());
    }
    // Indexing may outlast the request timeout: the outcome stays readable at /report.
    let outcome = reindexer
        .wait(ticket)
        .await
        .ok_or_else(|| ApiError::internal("the re-indexing thread stopped"))?;
    Ok(Json(outcome.as_ref().clone()).into_response())
}

/// `GET /api/v1/admin/report`: whether a run is in progress, and the last run's outcome.
async fn report(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    let reindexer = state.reindexer()?;
    let last = reindexer.last();
    Ok(Json(
        json!({ "running": reindexer.running(), "last": last.as_deref() }),
    ))
}

/// `GET /api/v1/admin/failures`: the documents that the committed index lacks because
/// they failed, with the reason of each.
async fn failures(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    let failures = state
        .run(|searcher| {
            let manifest =
                crate::index::committed_manifest(searcher.index()).map_err(ApiError::internal)?;
            let mut report = IndexReport::default();
            report.count_from(&manifest);
            Ok(report.failures)
        })
        .await?;
    Ok(Json(
        json!({ "count": failures.len(), "failures": failures }),
    ))
}
