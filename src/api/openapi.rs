//! The OpenAPI 3.1 document of the API, generated from the annotated handlers and the
//! `ToSchema` body types (served at `/api/v1/openapi.json`).

use utoipa::OpenApi;

use super::routes;

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
        routes::health,
        routes::metrics,
        routes::openapi,
    ),
    tags(
        (name = "search", description = "Searching, completions and facets"),
        (name = "documents", description = "One document and its neighbours"),
        (name = "service", description = "Readiness, metrics and this description"),
    )
)]
pub struct ApiDoc;

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
            "HitBody",
            "DocumentBody",
            "SimilarBody",
            "SuggestBody",
            "FacetsBody",
            "HealthBody",
            "ErrorBody",
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
}
