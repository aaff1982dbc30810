//! The OpenAPI 3.1 document of the API, generated from the annotated handlers and the
//! `ToSchema` body types (served at `/api/v1/openapi.json`).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{admin, indicators, routes};

/// The API description; `ApiDoc::openapi()` builds the document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "spo-search API",
        description = "Search over the shared documentation of the Service Public de \
            l'Orientation (PACA): jobs, training, rights and procedures. Every error has the \
            shape `{\"error\": {\"code\", \"message\"}}`. Filters are repeated `filter` \
            parameters of the form `facet:value`."
    ),
    paths(
        routes::search,
        routes::document,
        routes::similar,
        routes::suggest,
        routes::facets,
        indicators::indicators,
        routes::health,
        routes::metrics,
        routes::openapi,
        admin::upload_file,
        admin::remove_file,
        admin::reindex,
        admin::report,
        admin::failures,
    ),
    modifiers(&AdminTokenScheme),
    tags(
        (name = "search", description = "Searching, completions and facets"),
        (name = "documents", description = "One document and its neighbours"),
        (name = "indicators", description = "The steering committee's dashboard: use of the \
            service (anonymous counts per day) and coverage of the index, as JSON or CSV"),
        (name = "service", description = "Readiness, metrics and this description"),
        (name = "admin", description = "Corpus files and re-indexing, for documentalists: \
            these routes exist only when the server has an admin token (without one they \
            answer 404 `route_not_found`)"),
    )
)]
pub struct ApiDoc;

/// Declares the admin token, sent as `Authorization: Bearer <token>`, as the security
/// scheme `admin_token` that the admin operations require.
struct AdminTokenScheme;

impl Modify for AdminTokenScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "The server's admin token (`SPO_ADMIN_TOKEN` or `--admin-token-file`); a \
                missing or wrong token gets 401",
            ))
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("admin_token", SecurityScheme::Http(scheme));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_openapi_3_1_with_every_body_schema() {
        let doc = serde_json::to_value(ApiDoc::openapi()).expect("serializable");
        assert_eq!(doc["openapi"], "3.1.0");
        let schemas = doc["components"]["schemas"]
            .as_object()
            .expect("component schemas");
        for name in [
            "SearchBody",
            "RenamedBody",
            "OtherFormatBody",
            "HitBody",
            "DocumentBody",
            "LinkBody",
            "SimilarBody",
            "SuggestBody",
            "FacetsBody",
            "HealthBody",
            "IndicatorsBody",
            "TableBody",
            "ErrorBody",
            "UploadedBody",
            "RemovedBody",
            "TicketBody",
            "RunOutcome",
            "ReportBody",
            "FailuresBody",
            "IndexReport",
            "Failure",
            "Skipped",
        ] {
            assert!(schemas.contains_key(name), "missing schema {name}");
        }
        let filter = &doc["paths"]["/api/v1/search"]["get"]["parameters"]
            .as_array()
            .expect("search parameters")
            .iter()
            .find(|p| p["name"] == "filter")
            .cloned()
            .unwrap_or_default();
        assert_eq!(filter["in"], "query");
        assert_eq!(filter["schema"]["type"], "array");
    }

    #[test]
    fn admin_operations_require_the_bearer_token_scheme() {
        let doc = serde_json::to_value(ApiDoc::openapi()).expect("serializable");
        let scheme = &doc["components"]["securitySchemes"]["admin_token"];
        assert_eq!(scheme["type"], "http");
        assert_eq!(scheme["scheme"], "bearer");
        let tags = doc["tags"].as_array().expect("tags");
        assert!(tags.iter().any(|t| t["name"] == "admin"));
        let mut admin_operations = 0;
        for (path, operations) in doc["paths"].as_object().expect("paths") {
            for operation in operations.as_object().expect("operations").values() {
                let is_admin = operation["tags"] == serde_json::json!(["admin"]);
                assert_eq!(is_admin, path.starts_with("/api/v1/admin/"), "{path}");
                if is_admin {
                    admin_operations += 1;
                    assert_eq!(
                        operation["security"],
                        serde_json::json!([{ "admin_token": [] }]),
                        "{path}"
                    );
                    assert!(operation["responses"]["401"].is_object(), "{path}");
                } else {
                    assert!(operation.get("security").is_none(), "{path}");
                }
            }
        }
        assert_eq!(admin_operations, 5);
    }
}
