//! The admin API under `/api/v1/admin`, for documentalists: add or remove a corpus file,
//! start a re-index, read the last indexing report and the failed documents.
//!
//! It exists only when a token is configured; every call must carry it as
//! `Authorization: Bearer <token>`, or gets a bare 401. Each handler is documented for the
//! OpenAPI document (tag `admin`, security scheme `admin_token`).

use std::time::{Duration, Instant};

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::ErrorBody;
use crate::admin::reindex::{PendingRun, RunOutcome};
use crate::admin::upload;
use crate::index::report::Failure;
use crate::server::error::{ApiError, ApiPath, ApiQuery};
use crate::server::state::current_client;
use crate::server::{AppState, ServeOptions};

/// Whether `path` is one of the admin routes (their own body limit, no rate limit).
pub fn is_admin_path(path: &str) -> bool {
    path.starts_with("/api/v1/admin/")
}

/// The path of the re-index route.
const REINDEX_PATH: &str = "/api/v1/admin/reindex";

/// How long an admin request on `path` may take: the admin timeout, not the public one; a
/// re-index bounds its own wait (`None`: it answers 202 when its run outlasts the timeout,
/// instead of being cut with a 503).
pub fn time_limit(path: &str, options: &ServeOptions) -> Option<Duration> {
    (path != REINDEX_PATH).then_some(options.admin_timeout)
}

/// The admin routes, behind the token check.
pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/sources/{source}/files", post(upload_file))
        .route(
            "/api/v1/admin/sources/{source}/files/{name}",
            delete(remove_file),
        )
        .route(REINDEX_PATH, post(reindex))
        .route("/api/v1/admin/report", get(report))
        .route("/api/v1/admin/failures", get(failures))
        .layer(axum::extract::DefaultBodyLimit::max(
            state.options().max_upload_bytes,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), require_token))
}

/// Lets a request through only with the right bearer token; a client whose failed
/// attempts are over their limit
/// ([`AUTH_FAILURES`](crate::server::limits::AUTH_FAILURES)) gets 429 without its token being read.
async fn require_token(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (client, now) = (current_client(), Instant::now());
    if let Some(client) = client {
        if let Err(seconds) = state.auth_failures().peek(client, now) {
            return ApiError::RateLimited(seconds).into_response();
        }
    }
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
        if let Some(client) = client {
            let _ = state.auth_failures().check(client, now);
        }
        return ApiError::Unauthorized.into_response();
    }
    next.run(request).await
}

/// The query of an upload.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct UploadParams {
    /// Replace a file of the same name (without it, an existing file gets 409).
    #[serde(default)]
    #[param(default = false)]
    replace: bool,
}

/// The multipart form of an upload.
// Only the OpenAPI document uses it: the handler reads the parts one by one.
#[derive(ToSchema)]
#[expect(dead_code, reason = "only describes the request body")]
struct UploadForm {
    /// The document, in the first part named `file` (other parts are ignored). Its file
    /// name (the part's `filename`) is made safe: no folder part, no leading dot, ASCII
    /// (`Guide apprentissage.pdf` → `guide-apprentissage.pdf`), with an extension that the
    /// source indexes. Its content must be what the extension says, whatever the part's
    /// `Content-Type`.
    #[schema(value_type = String, content_media_type = "application/octet-stream")]
    file: Vec<u8>,
}

/// The answer to an upload.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadedBody {
    /// Where the file was stored, relative to the corpus.
    #[schema(example = "guides/guide-apprentissage.pdf")]
    pub path: String,
    /// The re-index queued for this change: it is done once `GET /api/v1/admin/report`
    /// shows a `last.ticket` at least this large.
    pub reindex_ticket: u64,
}

/// The answer to a removal.
#[derive(Debug, Serialize, ToSchema)]
pub struct RemovedBody {
    /// The file removed, relative to the corpus.
    #[schema(example = "guides/guide-apprentissage.pdf")]
    pub removed: String,
    /// The re-index queued for this change: it is done once `GET /api/v1/admin/report`
    /// shows a `last.ticket` at least this large.
    pub reindex_ticket: u64,
}

/// The answer to a re-index request that does not wait.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketBody {
    /// The re-index queued: it is done once `GET /api/v1/admin/report` shows a
    /// `last.ticket` at least this large.
    pub reindex_ticket: u64,
}

/// The answer of `GET /api/v1/admin/report`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportBody {
    /// Whether a run is in progress.
    pub running: bool,
    /// The last run that ended; `null` until one has.
    #[schema(required = true)]
    pub last: Option<RunOutcome>,
    /// When the last run failed: why, and when it will be tried again (runs are retried
    /// until one succeeds); `null` otherwise.
    #[schema(required = true)]
    pub pending: Option<PendingRun>,
}

/// The answer of `GET /api/v1/admin/failures`.
#[derive(Debug, Serialize, ToSchema)]
pub struct FailuresBody {
    /// Number of failures listed.
    pub count: usize,
    pub failures: Vec<Failure>,
    /// When the last run failed, changes to the corpus may not be indexed yet: why, and when
    /// the run will be tried again; `null` otherwise.
    #[schema(required = true)]
    pub pending: Option<PendingRun>,
}

/// Add a document to a source folder.
///
/// The file is written atomically into the folder of the source (a source of files:
/// `format = "files"` or `dila`), then a re-index is queued. Bodies are limited to the
/// server's upload limit (`--max-upload-mb`, 50 MiB by default).
#[utoipa::path(
    post,
    path = "/api/v1/admin/sources/{source}/files",
    tag = "admin",
    security(("admin_token" = [])),
    params(("source" = String, Path, description = "Source folder under the corpus",
        example = "guides"), UploadParams),
    request_body(content = inline(UploadForm), content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored; a re-index is queued", body = UploadedBody),
        (status = 400, description = "No `file` part, malformed multipart body, refused \
            file name, empty file, invalid parameter, or a source that is a generated export",
            body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 404, description = "No source folder of this name", body = ErrorBody),
        (status = 409, description = "The file exists and `replace` is not set",
            body = ErrorBody),
        (status = 413, description = "Body over the upload limit", body = ErrorBody),
        (status = 415, description = "The content is not what the extension says",
            body = ErrorBody),
        (status = 500, description = "The source's `source.toml` could not be read, or the \
            file could not be written", body = ErrorBody),
        (status = 503, description = "The index is not ready yet (nothing is stored), or \
            the request timed out", body = ErrorBody),
    )
)]
pub(super) async fn upload_file(
    State(state): State<AppState>,
    ApiPath(source): ApiPath<String>,
    ApiQuery(params): ApiQuery<UploadParams>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<UploadedBody>), ApiError> {
    let reindexer = state.reindexer()?;
    let mut multipart =
        multipart.map_err(|e| multipart_error(&state, e.status(), e.body_text()))?;
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
    let path = tokio::task::spawn_blocking(move || {
        upload::store(&corpus, &source, &name, &bytes, params.replace)
    })
    .await
    .map_err(ApiError::internal)??;
    tracing::info!(file = %path, "document uploaded");
    let reindex_ticket = reindexer.request(false);
    Ok((
        StatusCode::CREATED,
        Json(UploadedBody {
            path,
            reindex_ticket,
        }),
    ))
}

/// A multipart failure: over the size limit, or malformed.
fn multipart_error(state: &AppState, status: StatusCode, detail: String) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge(state.options().max_upload_bytes)
    } else {
        ApiError::BadParameter(format!("malformed multipart body: {detail}"))
    }
}

/// Remove a document from a source folder.
///
/// Its metadata sidecar goes with it, then a re-index is queued.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/sources/{source}/files/{name}",
    tag = "admin",
    security(("admin_token" = [])),
    params(
        ("source" = String, Path, description = "Source folder under the corpus",
            example = "guides"),
        ("name" = String, Path, description = "File name in the source folder, as the \
            upload's `path` gives it", example = "guide-apprentissage.pdf"),
    ),
    responses(
        (status = 200, description = "Removed; a re-index is queued", body = RemovedBody),
        (status = 400, description = "Malformed path, or a source that is a generated export",
            body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 404, description = "No such source, or no such file in it (hidden files \
            and `source.toml` are never removed)", body = ErrorBody),
        (status = 500, description = "The source's `source.toml` could not be read, or the \
            file could not be removed", body = ErrorBody),
        (status = 503, description = "The index is not ready yet (nothing is removed), or \
            the request timed out", body = ErrorBody),
    )
)]
pub(super) async fn remove_file(
    State(state): State<AppState>,
    ApiPath((source, name)): ApiPath<(String, String)>,
) -> Result<Json<RemovedBody>, ApiError> {
    let reindexer = state.reindexer()?;
    let corpus = state.corpus().to_path_buf();
    let removed = tokio::task::spawn_blocking(move || upload::remove(&corpus, &source, &name))
        .await
        .map_err(ApiError::internal)??;
    tracing::info!(file = %removed, "document removed");
    let reindex_ticket = reindexer.request(false);
    Ok(Json(RemovedBody {
        removed,
        reindex_ticket,
    }))
}

/// The query of a re-index request.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct ReindexParams {
    /// Re-extract every file, not only the changed ones.
    #[serde(default)]
    #[param(default = false)]
    rebuild: bool,
    /// Answer when the run has ended, with its outcome.
    #[serde(default)]
    #[param(default = false)]
    wait: bool,
}

/// Re-index the corpus.
///
/// Queues a run (requests made during a run are served together by the next one) and
/// answers at once with its ticket, or with `wait=true` when the run has ended. The wait is
/// bounded by the admin timeout (`--admin-timeout-secs`), not by the public request
/// timeout: a run that outlasts it goes on, and the answer is then 202 with its ticket and
/// `Location: /api/v1/admin/report`, where its outcome will be read.
#[utoipa::path(
    post,
    path = "/api/v1/admin/reindex",
    tag = "admin",
    security(("admin_token" = [])),
    params(ReindexParams),
    responses(
        (status = 200, description = "With `wait=true`: the run has ended (its `error` \
            says if it could not commit)", body = RunOutcome),
        (status = 202, description = "The run is queued; with `wait=true`, it outlasted the \
            admin timeout and goes on", body = TicketBody,
            headers(("Location" = String, description = "With `wait=true`: where to follow \
            the run, `/api/v1/admin/report`"))),
        (status = 400, description = "Invalid parameter", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 500, description = "The re-indexing thread stopped", body = ErrorBody),
        (status = 503, description = "The index is not ready yet", body = ErrorBody),
    )
)]
pub(super) async fn reindex(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<ReindexParams>,
) -> Result<Response, ApiError> {
    let reindexer = state.reindexer()?;
    let reindex_ticket = reindexer.request(params.rebuild);
    if !params.wait {
        let body = TicketBody { reindex_ticket };
        return Ok((StatusCode::ACCEPTED, Json(body)).into_response());
    }
    let admin_timeout = state.options().admin_timeout;
    let Ok(outcome) = tokio::time::timeout(admin_timeout, reindexer.wait(reindex_ticket)).await
    else {
        let body = TicketBody { reindex_ticket };
        let follow = [(header::LOCATION, "/api/v1/admin/report")];
        return Ok((StatusCode::ACCEPTED, follow, Json(body)).into_response());
    };
    let outcome = outcome.ok_or_else(|| ApiError::internal("the re-indexing thread stopped"))?;
    Ok(Json(outcome.as_ref().clone()).into_response())
}

/// The re-indexing state.
///
/// Whether a run is in progress, and the outcome of the last run.
#[utoipa::path(
    get,
    path = "/api/v1/admin/report",
    tag = "admin",
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The re-indexing state", body = ReportBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 503, description = "The index is not ready yet", body = ErrorBody),
    )
)]
pub(super) async fn report(State(state): State<AppState>) -> Result<Json<ReportBody>, ApiError> {
    let reindexer = state.reindexer()?;
    let last = reindexer.last();
    Ok(Json(ReportBody {
        running: reindexer.running(),
        last: last.as_deref().cloned(),
        pending: reindexer.pending(),
    }))
}

/// The failed documents.
///
/// The documents that the committed index lacks because they failed, with the reason of
/// each.
#[utoipa::path(
    get,
    path = "/api/v1/admin/failures",
    tag = "admin",
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The failures of the committed index", body = FailuresBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 500, description = "The committed manifest could not be read", body = ErrorBody),
        (status = 503, description = "The index is not ready yet", body = ErrorBody),
    )
)]
pub(super) async fn failures(
    State(state): State<AppState>,
) -> Result<Json<FailuresBody>, ApiError> {
    let pending = state.reindexer()?.pending();
    let failures = state.failures().await?;
    Ok(Json(FailuresBody {
        count: failures.len(),
        failures,
        pending,
    }))
}
