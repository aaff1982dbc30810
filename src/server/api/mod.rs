//! The JSON API under `/api/v1`: its routes and handlers, their parameters, the JSON bodies
//! (the versioned contract with clients), the JSON shape of errors, the OpenAPI document, the
//! dashboard's exports, and the admin routes behind their token. Handlers only translate HTTP to the service's calls
//! ([`super::service`]) and their answers to JSON.

pub mod admin;
pub mod indicators;
pub mod model;
pub mod openapi;
pub mod params;
pub mod routes;

use axum::routing::get;
use axum::Router;

use super::error::ApiError;
use super::AppState;
use model::{ErrorBody, ErrorDetail};

/// Content type of every API body.
pub const JSON: &str = "application/json";

/// The public routes of the API (the admin routes are added when a token is configured).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/search", get(routes::search))
        .route(
            "/api/v1/documents/{*path}",
            get(routes::document_or_similar),
        )
        .route("/api/v1/suggest", get(routes::suggest))
        .route("/api/v1/facets", get(routes::facets))
        .route("/api/v1/indicators", get(indicators::indicators))
        .route("/api/v1/openapi.json", get(routes::openapi))
}

/// The JSON body of an error: `{ "error": { "code", "message" } }`.
pub fn error_body(error: &ApiError) -> Vec<u8> {
    let body = ErrorBody {
        error: ErrorDetail {
            code: error.code().to_string(),
            message: error.public_message(),
        },
    };
    serde_json::to_vec(&body).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_details_never_reach_the_client() {
        let body = error_body(&ApiError::internal("disk /secret/path exploded"));
        let body: ErrorBody = serde_json::from_slice(&body).expect("JSON error body");
        assert_eq!(body.error.code, "internal");
        assert!(!body.error.message.contains("secret"));
        let body = error_body(&ApiError::BadParameter("page starts at 1".into()));
        let body: ErrorBody = serde_json::from_slice(&body).expect("JSON error body");
        assert_eq!(
            (body.error.code.as_str(), body.error.message.as_str()),
            ("invalid_parameter", "page starts at 1")
        );
    }
}
