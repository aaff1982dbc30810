//! The one error type of the HTTP service and its mapping to status codes.
//!
//! Every failure a handler or a middleware can meet becomes an [`ApiError`]; its
//! [`IntoResponse`] sets the status, code and headers, and leaves the body to the outermost
//! layer (`present_errors`), which writes the API's JSON shape
//! `{ "error": { "code", "message" } }` or the French page of the web, by path.
//! [`ApiQuery`] and [`ApiPath`] replace axum's extractors so that their rejections are
//! [`ApiError::BadParameter`] too.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

/// Why a request failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// A query-string or path parameter is missing, malformed or out of range.
    #[error("{0}")]
    BadParameter(String),
    /// No document with this id.
    #[error("no document with id {0:?}")]
    DocumentNotFound(String),
    /// No file at this path under the corpus (or the path was refused).
    #[error("no file at {0:?}")]
    FileNotFound(String),
    /// No source folder of this name under the corpus.
    #[error("no source folder named {0:?}")]
    SourceNotFound(String),
    /// No route answers this path.
    #[error("no route for {0}")]
    RouteNotFound(String),
    /// The route exists but not for this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The request body is over the limit.
    #[error("request body over {0} bytes")]
    PayloadTooLarge(usize),
    /// The index is not open yet (being built) or could not be opened.
    #[error("the index is not ready: {0}")]
    NotReady(String),
    /// The index is damaged (files missing or failing their checksum).
    #[error(
        "the index is damaged; an administrator must {}",
        crate::index::damage::REMEDY
    )]
    IndexDamaged,
    /// The server is a read-only replica: changes go to the indexing node.
    #[error(
        "this server is a read-only replica of the snapshots published in {0}: upload, remove \
         and re-index on the indexing node that publishes them"
    )]
    ReadOnlyReplica(String),
    /// The request took longer than the configured timeout.
    #[error("the request took longer than {0} ms")]
    Timeout(u128),
    /// The admin token is missing or wrong (no detail given).
    #[error("missing or wrong admin token")]
    Unauthorized,
    /// This client sent too many requests; it may retry after this many seconds.
    #[error("too many requests; retry in {0} s")]
    RateLimited(u64),
    /// The request's headers, or its URI, are over the limit.
    #[error("request headers over {0} bytes")]
    HeadersTooLarge(usize),
    /// The request URI is over the limit.
    #[error("request URI over {0} bytes")]
    UriTooLong(usize),
    /// The connection is over a cap on open connections (its client's, or the total).
    #[error("{0}")]
    TooManyConnections(String),
    /// The request conflicts with the corpus (a file already exists).
    #[error("{0}")]
    Conflict(String),
    /// An uploaded file is not of a type it claims or that the source takes.
    #[error("{0}")]
    UnsupportedMedia(String),
    /// Anything else: the detail is logged, the client gets a generic message.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The error code that a response carried, kept in the response extensions for the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCode(pub &'static str);

/// An error answer whose body is still to be written, by path
/// (`present_errors`).
#[derive(Debug, Clone)]
pub struct Unpresented(pub ApiError);

impl ApiError {
    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadParameter(_) => StatusCode::BAD_REQUEST,
            ApiError::DocumentNotFound(_)
            | ApiError::FileNotFound(_)
            | ApiError::SourceNotFound(_)
            | ApiError::RouteNotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::NotReady(_)
            | ApiError::IndexDamaged
            | ApiError::Timeout(_)
            | ApiError::TooManyConnections(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::HeadersTooLarge(_) => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::UriTooLong(_) => StatusCode::URI_TOO_LONG,
            ApiError::Conflict(_) | ApiError::ReadOnlyReplica(_) => StatusCode::CONFLICT,
            ApiError::UnsupportedMedia(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadParameter(_) => "invalid_parameter",
            ApiError::DocumentNotFound(_) => "document_not_found",
            ApiError::FileNotFound(_) => "file_not_found",
            ApiError::SourceNotFound(_) => "source_not_found",
            ApiError::RouteNotFound(_) => "route_not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::NotReady(_) => "not_ready",
            ApiError::IndexDamaged => "index_damaged",
            ApiError::ReadOnlyReplica(_) => "read_only_replica",
            ApiError::Timeout(_) => "timeout",
            ApiError::Unauthorized => "unauthorized",
            ApiError::RateLimited(_) => "rate_limited",
            ApiError::HeadersTooLarge(_) => "headers_too_large",
            ApiError::UriTooLong(_) => "uri_too_long",
            ApiError::TooManyConnections(_) => "too_many_connections",
            ApiError::Conflict(_) => "conflict",
            ApiError::UnsupportedMedia(_) => "unsupported_media_type",
            ApiError::Internal(_) => "internal",
        }
    }

    /// The message shown to the client: internal details are never sent (they are logged
    /// when the error becomes an answer).
    pub fn public_message(&self) -> String {
        match self {
            ApiError::Internal(_) => "internal error; it has been logged".to_string(),
            other => other.to_string(),
        }
    }

    /// Seconds after which a client may try again, for the `Retry-After` header.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::NotReady(_) | ApiError::Timeout(_) | ApiError::TooManyConnections(_) => {
                Some(5)
            }
            ApiError::RateLimited(seconds) => Some((*seconds).max(1)),
            _ => None,
        }
    }

    /// Wraps any displayable failure as an internal error.
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(detail.to_string())
    }
}

impl From<crate::admin::upload::UploadError> for ApiError {
    fn from(error: crate::admin::upload::UploadError) -> Self {
        use crate::admin::upload::UploadError;
        match error {
            UploadError::UnknownSource(source) => ApiError::SourceNotFound(source),
            UploadError::Missing(path) => ApiError::FileNotFound(path),
            UploadError::NotAFileSource(_) | UploadError::BadName(_) | UploadError::Empty => {
                ApiError::BadParameter(error.to_string())
            }
            UploadError::WrongType { .. } => ApiError::UnsupportedMedia(error.to_string()),
            UploadError::Exists(_) => ApiError::Conflict(error.to_string()),
            UploadError::Io { .. } => ApiError::internal(error),
        }
    }
}

impl From<crate::search::SearchError> for ApiError {
    fn from(error: crate::search::SearchError) -> Self {
        ApiError::internal(error)
    }
}

impl IntoResponse for ApiError {
    /// The answer's status, code and headers; an internal error's detail is logged here.
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let code = self.code();
        let mut response = self.status().into_response();
        let headers = response.headers_mut();
        if let Some(seconds) = self.retry_after() {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if let ApiError::Unauthorized = self {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response.extensions_mut().insert(ErrorCode(code));
        response.extensions_mut().insert(Unpresented(self));
        response
    }
}

/// Query-string extractor whose rejection is a JSON 400: repeated keys (`filter=a&filter=b`)
/// fill `Vec` fields.
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parse_query(parts.uri.query()).map(ApiQuery)
    }
}

/// Path extractor whose rejection is a JSON 400 (for instance invalid percent-encoding).
#[derive(Debug, Clone)]
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| ApiPath(value))
            .map_err(|rejection| ApiError::BadParameter(rejection.body_text()))
    }
}

/// Parses a raw query string strictly into `T`.
pub fn parse_query<T: DeserializeOwned>(query: Option<&str>) -> Result<T, ApiError> {
    serde_html_form::from_str(query.unwrap_or_default())
        .map_err(|error| ApiError::BadParameter(format!("invalid query string: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_its_status_and_code() {
        let cases = [
            (ApiError::BadParameter("x".into()), 400, "invalid_parameter"),
            (
                ApiError::DocumentNotFound("x".into()),
                404,
                "document_not_found",
            ),
            (ApiError::FileNotFound("x".into()), 404, "file_not_found"),
            (
                ApiError::SourceNotFound("x".into()),
                404,
                "source_not_found",
            ),
            (ApiError::RouteNotFound("x".into()), 404, "route_not_found"),
            (ApiError::MethodNotAllowed, 405, "method_not_allowed"),
            (ApiError::PayloadTooLarge(10), 413, "payload_too_large"),
            (ApiError::NotReady("x".into()), 503, "not_ready"),
            (ApiError::IndexDamaged, 503, "index_damaged"),
            (ApiError::Timeout(10), 503, "timeout"),
            (ApiError::Unauthorized, 401, "unauthorized"),
            (ApiError::RateLimited(3), 429, "rate_limited"),
            (ApiError::HeadersTooLarge(8), 431, "headers_too_large"),
            (ApiError::UriTooLong(8), 414, "uri_too_long"),
            (
                ApiError::TooManyConnections("x".into()),
                503,
                "too_many_connections",
            ),
            (ApiError::Conflict("x".into()), 409, "conflict"),
            (
                ApiError::ReadOnlyReplica("x".into()),
                409,
                "read_only_replica",
            ),
            (
                ApiError::UnsupportedMedia("x".into()),
                415,
                "unsupported_media_type",
            ),
            (ApiError::Internal("x".into()), 500, "internal"),
        ];
        for (error, status, code) in cases {
            assert_eq!(error.status().as_u16(), status, "{error:?}");
            assert_eq!(error.code(), code);
        }
    }
}
