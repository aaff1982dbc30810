//! The web pages, in French, rendered on the server and usable without JavaScript: the
//! search page (`/`, all of its state in the query string, a selection of results to print
//! or share included), document pages (`/documents/{id}`, their text as headings with
//! anchors, lists and tables), the steering committee's dashboard (`/tableau-de-bord`, its charts
//! drawn as SVG), downloads of original files (`/files/{path}`) and the small CSS and
//! JavaScript compiled into the binary (`/static/...`). No request ever leaves the site.
//! Pages are built from the same calls as the API's answers ([`crate::server::service`]).

mod chart;
mod dashboard;
mod files;
mod guidance;
pub mod labels;
mod pages;
pub mod params;
mod print;
mod related;
mod text;
pub mod view;

use askama::Template;
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::server::error::ApiError;
use crate::server::AppState;

/// The style sheet of every page.
const STYLE: &str = include_str!("assets/site.css");
/// The progressive enhancements: suggestions, filters without reload, copy link, print.
const SCRIPT: &str = include_str!("assets/site.js");
/// Content type of every page.
pub const HTML: &str = "text/html; charset=utf-8";
/// Policy of the HTML pages: only this site's own style sheet, script and API.
pub const PAGE_POLICY: &str = "default-src 'none'; style-src 'self'; script-src 'self'; \
     img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; \
     frame-ancestors 'self'";
/// The challenge of a page behind the admin token: browsers then ask for it as a password.
pub const TOKEN_CHALLENGE: &str = "Basic realm=\"spo-search\", charset=\"UTF-8\"";

/// The routes of the web pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::search))
        .route("/documents/{*id}", get(pages::document))
        .route(dashboard::PATH, get(dashboard::dashboard))
        .route("/files/{*path}", get(files::download))
        .route(
            "/static/site.css",
            get(|| async { asset(STYLE, "text/css; charset=utf-8") }),
        )
        .route(
            "/static/site.js",
            get(|| async { asset(SCRIPT, "text/javascript; charset=utf-8") }),
        )
}

fn asset(content: &'static str, content_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        content,
    )
        .into_response()
}

/// Renders a page template with the headers of every HTML page.
fn html_response(template: &impl Template) -> Result<Response, ApiError> {
    let html = template.render().map_err(ApiError::internal)?;
    let mut response = Html(html).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_POLICY),
    );
    Ok(response)
}

/// The French page of an error (its status, code and headers are the error's own).
pub fn error_page(error: &ApiError) -> String {
    let (title, message) = match error {
        ApiError::BadParameter(_) => (
            "Adresse incorrecte",
            "Un paramètre de l’adresse n’est pas valide.",
        ),
        ApiError::DocumentNotFound(_) => (
            "Document introuvable",
            "Ce document n’existe pas ou n’est plus dans l’index.",
        ),
        ApiError::FileNotFound(_) | ApiError::SourceNotFound(_) => (
            "Fichier introuvable",
            "Ce fichier n’existe pas dans le fonds documentaire.",
        ),
        ApiError::RouteNotFound(_) => ("Page introuvable", "Cette page n’existe pas."),
        ApiError::MethodNotAllowed => (
            "Action impossible",
            "Cette adresse ne permet pas cette action.",
        ),
        ApiError::PayloadTooLarge(_) => ("Requête trop volumineuse", "La requête est trop grande."),
        ApiError::TooManyConnections(_) => (
            "Service très sollicité",
            "Trop de connexions sont ouvertes en ce moment. Réessayez dans quelques instants.",
        ),
        ApiError::IndexDamaged => (
            "Service indisponible",
            "L’index documentaire est endommagé ; l’équipe qui gère le service doit le restaurer ou le reconstruire.",
        ),
        ApiError::NotReady(_) => (
            "Service en cours de démarrage",
            "L’index documentaire est en cours de préparation. Réessayez dans quelques instants.",
        ),
        ApiError::Timeout(_) => (
            "Délai dépassé",
            "La recherche a pris trop de temps. Réessayez dans quelques instants.",
        ),
        ApiError::RateLimited(_) => (
            "Trop de requêtes",
            "Vous avez fait beaucoup de recherches en peu de temps. Réessayez dans quelques secondes.",
        ),
        ApiError::HeadersTooLarge(_) | ApiError::UriTooLong(_) => {
            ("Requête trop volumineuse", "La requête est trop grande.")
        }
        ApiError::Unauthorized => (
            "Accès réservé",
            "Cette page est réservée : donnez le jeton d’administration comme mot de passe \
             (l’identifiant est libre).",
        ),
        ApiError::Conflict(_) | ApiError::UnsupportedMedia(_) | ApiError::ReadOnlyReplica(_) => (
            "Action impossible",
            "Cette action n’est pas possible depuis cette page.",
        ),
        ApiError::Internal(_) => (
            "Erreur du service",
            "Une erreur inattendue est survenue ; elle a été enregistrée.",
        ),
    };
    let page = pages::ErrorPage {
        title,
        message: message.to_string(),
    };
    page.render().unwrap_or_else(|_| message.to_string())
}

/// `text` with the five HTML-significant characters escaped, for markup written by hand
/// (the print view's openings, the dashboard's SVG charts); templates escape their own.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
