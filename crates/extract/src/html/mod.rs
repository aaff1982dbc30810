//! HTML extractor: the readable content of a web page, and of HTML fragments.
//!
//! Metadata comes from the whole page (`<title>`, `<meta name=description|keywords>`,
//! `<link rel=canonical>`, `<html lang>`); headings and body come from the main content
//! root (`<main>`, `[role=main]`, `<article>`, else `<body>`), leaving out navigation,
//! page banners and footers, asides, scripts, styles, forms, embedded graphics and hidden
//! elements. The walk over the tree is iterative: no nesting depth can overflow the stack.

mod nesting;
mod render;

use scraper::{ElementRef, Html};

use super::text::layout::collapse_whitespace;
use super::text::{decode_text, require_text, unique_non_empty};
use super::{ExtractError, Extracted};
use crate::language::iso_639_1;
use nesting::{exceeds_elements, exceeds_nesting, strip_tags, MAX_ELEMENTS, MAX_NESTING};
use render::render;

/// How far into the file a `<meta charset>` declaration is looked for (as browsers do).
const CHARSET_SNIFF_BYTES: usize = 1024;

/// Extracts a web page.
pub fn extract(bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let source = decode_html(bytes);
    if exceeds_elements(&source) {
        return Err(ExtractError::malformed(
            "html",
            format!("more than {MAX_ELEMENTS} elements"),
        ));
    }
    if exceeds_nesting(&source) {
        return Err(ExtractError::malformed(
            "html",
            format!("elements nested more than {MAX_NESTING} deep"),
        ));
    }
    let document = Html::parse_document(&source);
    let page = PageLandmarks::find(&document);
    let content = render(page.content_root.unwrap_or_else(|| document.root_element()));
    let title = page.title.or(page.first_h1);
    require_text(
        "html",
        Extracted {
            title,
            description: page.description,
            headings: content.headings,
            body: content.body,
            language: page.language,
            url: page.canonical_url,
            keywords: page.keywords,
            ..Extracted::default()
        },
    )
}

/// The text of an HTML fragment (e.g. a field of a JSON export), laid out like a page body.
/// A fragment nested too deep or too large to parse safely gives its text without layout.
pub fn fragment_to_text(html: &str) -> String {
    if exceeds_elements(html) || exceeds_nesting(html) {
        return strip_tags(html);
    }
    render(Html::parse_fragment(html).root_element()).body
}

/// Decodes the bytes of a page: UTF-8 (or UTF-16 with a byte order mark) when valid, else
/// the `charset` the page declares, else as [`decode_text`] guesses.
fn decode_html(bytes: &[u8]) -> String {
    if encoding_rs::Encoding::for_bom(bytes).is_some() || std::str::from_utf8(bytes).is_ok() {
        return decode_text(bytes);
    }
    match declared_charset(bytes) {
        Some(encoding) => encoding.decode_without_bom_handling(bytes).0.into_owned(),
        None => decode_text(bytes),
    }
}

/// The encoding named by `charset=` in the first kilobyte (`<meta charset="...">` or
/// `<meta http-equiv="Content-Type" content="text/html; charset=...">`).
fn declared_charset(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = bytes.get(..CHARSET_SNIFF_BYTES).unwrap_or(bytes);
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let after = head.split_once("charset=")?.1;
    let label = after
        .trim_start_matches(['"', '\'', ' '])
        .split(|c: char| matches!(c, '"' | '\'' | ';' | '>' | '/') || c.is_whitespace())
        .next()?;
    encoding_rs::Encoding::for_label(label.as_bytes())
}

/// What is found by one pass over the whole page.
#[derive(Default)]
struct PageLandmarks<'a> {
    title: Option<String>,
    first_h1: Option<String>,
    description: Option<String>,
    keywords: Vec<String>,
    canonical_url: Option<String>,
    language: Option<String>,
    content_root: Option<ElementRef<'a>>,
}

impl<'a> PageLandmarks<'a> {
    fn find(document: &'a Html) -> Self {
        let root = document.root_element();
        let mut page = PageLandmarks {
            language: root.attr("lang").and_then(iso_639_1),
            ..PageLandmarks::default()
        };
        let (mut main, mut role_main, mut article, mut body) = (None, None, None, None);
        let mut open_graph_description = None;
        for element in root.descendent_elements() {
            let attr = |name: &str| element.attr(name).map(str::trim);
            let meta_name = attr("name")
                .or(attr("property"))
                .map(str::to_ascii_lowercase);
            match element.value().name() {
                "title" if page.title.is_none() && is_in_head(element) => {
                    page.title = non_empty(collapse_whitespace(&text_of(element)));
                }
                "h1" if page.first_h1.is_none() => {
                    page.first_h1 = non_empty(collapse_whitespace(&text_of(element)));
                }
                "meta" => {
                    let content = attr("content").map(collapse_whitespace).and_then(non_empty);
                    match meta_name.as_deref() {
                        Some("description") => page.description = page.description.or(content),
                        Some("og:description") => open_graph_description = content,
                        Some("keywords") if page.keywords.is_empty() => {
                            page.keywords =
                                content.map(|list| keyword_list(&list)).unwrap_or_default();
                        }
                        _ => {}
                    }
                }
                "link" if page.canonical_url.is_none() && is_canonical(element) => {
                    page.canonical_url = attr("href")
                        .filter(|href| href.starts_with("https://") || href.starts_with("http://"))
                        .map(str::to_owned);
                }
                "main" => main = main.or(Some(element)),
                "article" => article = article.or(Some(element)),
                "body" => body = body.or(Some(element)),
                _ => {}
            }
            if role_main.is_none()
                && attr("role").is_some_and(|role| role.eq_ignore_ascii_case("main"))
            {
                role_main = Some(element);
            }
        }
        page.description = page.description.or(open_graph_description);
        page.content_root = main.or(role_main).or(article).or(body);
        page
    }
}

fn text_of(element: ElementRef) -> String {
    element.text().collect()
}

fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

/// Whether a `<title>` is the page title (not the title of an inline SVG).
fn is_in_head(element: ElementRef) -> bool {
    element
        .parent()
        .and_then(ElementRef::wrap)
        .is_some_and(|parent| parent.value().name() == "head")
}

fn is_canonical(link: ElementRef) -> bool {
    link.attr("rel").is_some_and(|rel| {
        rel.split_ascii_whitespace()
            .any(|value| value.eq_ignore_ascii_case("canonical"))
    })
}

/// Splits a keywords list on commas and semicolons, without empty or repeated entries.
fn keyword_list(list: &str) -> Vec<String> {
    unique_non_empty(
        list.split([',', ';'])
            .map(|keyword| keyword.trim().to_owned()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_agreement_in_html() {
        let bytes = include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../corpus/spo/accord-cadre-spo-paca.html"
        ));
        let doc = extract(bytes).unwrap();
        assert_eq!(
            doc.title.as_deref(),
            Some("Projet d'accord cadre dans le cadre de la labellisation SPO")
        );
        assert_eq!(doc.language.as_deref(), Some("fr"));
        assert_eq!(doc.headings.len(), 24);
        assert_eq!(
            doc.headings.first().map(String::as_str),
            Some("PROJET D'ACCORD CADRE DANS LE CADRE DE LA LABELLISATION SPO")
        );
        assert!(doc
            .headings
            .iter()
            .any(|h| h == "LE RESEAU DE POLE EMPLOI :"));
        assert!(doc.body.starts_with(
            "# PROJET D'ACCORD CADRE DANS LE CADRE DE LA LABELLISATION SPO\n\n24 NOVEMBRE\n\nENTRE"
        ));
        assert!(doc.body.contains("L'ACADEMIE DE NICE,\nREPRESENTEE PAR"));
        assert!(doc.body.contains(
            "Conformément\n\n- au décret N°2011-487 du 04 mai 2011.\n- au CPRDF 2011-2015"
        ));
        assert!(doc.body.contains("après le 1er accueil"));
        assert!(!doc.body.contains('<') && !doc.body.contains("\n\n\n"));
    }

    #[test]
    fn page_chrome_is_left_out_and_metadata_read() {
        let page = r#"<!doctype html><html lang="fr-FR"><head>
            <title> Fiche  métier </title>
            <meta name="Description" content=" Le métier de  conseiller ">
            <meta name="keywords" content="orientation, CEP; orientation ,">
            <link rel="alternate canonical" href="https://exemple.fr/fiche">
            <style>p { color: red }</style><script>var x = "<p>";</script></head>
            <body><header><nav>Accueil | Menu</nav><h1>Site</h1></header>
            <aside>Pub</aside>
            <main><article><header><h1>Conseiller <em>en</em> insertion</h1></header>
            <p>Premier   paragraphe,<br>deuxième ligne.</p>
            <div>bloc</div><div>bloc 2</div>
            <ul><li>un<ul><li>un.a</li></ul></li><li>deux</li></ul>
            <table><tr><th>Diplôme</th><th>Niveau</th></tr><tr><td>BTS</td><td>5</td></tr></table>
            <pre>ligne 1
              ligne 2</pre>
            <p hidden>caché</p><span aria-hidden="true">icône</span>
            <form><label>Recherche</label><input></form>
            <svg><title>logo</title><text>SVG</text></svg>
            <h2>Accès <span>au</span> métier</h2><p>Texte&nbsp;final.</p>
            <footer>Mis à jour le 3 mars</footer></article></main>
            <footer>Mentions légales</footer></body></html>"#;
        let doc = extract(page.as_bytes()).unwrap();
        assert_eq!(doc.title.as_deref(), Some("Fiche métier"));
        assert_eq!(doc.description.as_deref(), Some("Le métier de conseiller"));
        assert_eq!(doc.keywords, ["orientation", "CEP"]);
        assert_eq!(doc.url.as_deref(), Some("https://exemple.fr/fiche"));
        assert_eq!(doc.language.as_deref(), Some("fr"));
        assert_eq!(doc.headings, ["Conseiller en insertion", "Accès au métier"]);
        assert_eq!(
            doc.body,
            "# Conseiller en insertion\n\nPremier paragraphe,\ndeuxième ligne.\n\nbloc\nbloc 2\n\n\
             - un\n- un.a\n- deux\n\n| Diplôme | Niveau\n| BTS | 5\n\nligne 1\nligne 2\n\n\
             ## Accès au métier\n\nTexte final.\n\nMis à jour le 3 mars"
        );
    }

    #[test]
    fn content_root_falls_back_and_title_to_the_first_h1() {
        let doc = extract(b"<div role=main><h1>Titre</h1>texte</div><p>hors</p>").unwrap();
        assert_eq!(doc.title.as_deref(), Some("Titre"));
        assert_eq!(doc.body, "# Titre\n\ntexte");
        let doc = extract(b"<p>juste du texte").unwrap();
        assert_eq!((doc.title, doc.body.as_str()), (None, "juste du texte"));
    }

    #[test]
    fn fragments_of_the_json_export() {
        let fragment = "<div class=\"fr-highlight\"><h3><strong>À savoir</strong> \
            <strong>! </strong></h3><p>Le mandat peut être <a href=\"/x\">cumulé</a>.</p></div>\
            <ul><li>un</li><li>deux</li></ul>";
        assert_eq!(
            fragment_to_text(fragment),
            "### À savoir !\n\nLe mandat peut être cumulé.\n\n- un\n- deux"
        );
        assert_eq!(
            fragment_to_text("texte brut &amp; entité"),
            "texte brut & entité"
        );
        assert_eq!(fragment_to_text(""), "");
    }

    #[test]
    fn legacy_encodings() {
        let declared =
            b"<html><head><meta charset=\"windows-1252\"><title>\xc9t\xe9</title></head></html>";
        assert_eq!(extract(declared).unwrap().title.as_deref(), Some("Été"));
        let http_equiv = b"<meta http-equiv=Content-Type content='text/html; charset=ISO-8859-1'>\
            <p>\x9cuvre \xe0 \x80</p>";
        assert_eq!(extract(http_equiv).unwrap().body, "œuvre à €");
        let undeclared = b"<p>\xe9l\xe8ve</p>";
        assert_eq!(extract(undeclared).unwrap().body, "élève");
        let utf8_despite_declaration = "<meta charset=windows-1252><p>élève</p>";
        assert_eq!(
            extract(utf8_despite_declaration.as_bytes()).unwrap().body,
            "élève"
        );
    }

    #[test]
    fn hostile_html() {
        for empty in [
            &b""[..],
            b"<html><body></body></html>",
            b"<script>x</script>",
            b"\x00\x01",
        ] {
            assert_eq!(
                extract(empty),
                Err(ExtractError::malformed("html", "no text found")),
                "{empty:?}"
            );
        }
        let too_deep = "<div>".repeat(200_000);
        assert_eq!(
            extract(too_deep.as_bytes()),
            Err(ExtractError::malformed(
                "html",
                "elements nested more than 1024 deep"
            ))
        );
        assert_eq!(fragment_to_text(&format!("{too_deep}fond")), "fond");
        let flood = "<br>".repeat(MAX_ELEMENTS + 1);
        assert_eq!(
            extract(format!("{flood}fond").as_bytes()),
            Err(ExtractError::malformed(
                "html",
                "more than 1000000 elements"
            ))
        );
        assert_eq!(fragment_to_text(&format!("{flood}fond")), "fond");
        let at_the_limit = [
            format!("{}fond", "<div>".repeat(MAX_NESTING)),
            format!("{}fond", "<dl><dt>a<dd>".repeat(MAX_NESTING)),
            format!("{}fond", "<table><tr><td>x</table>".repeat(50_000)),
            "<<<>>><p <p =\"'>&#x110000;&#0;&bogus</".repeat(20_000),
        ];
        for case in at_the_limit {
            let result = extract(case.as_bytes());
            assert!(result.is_ok(), "{:?}", result.err());
        }
        // Unclosed inline elements: html5ever would cope with these ones, the guard does not
        // know and refuses them. Their cost is watched by the fuzz target's time limit, not
        // here: a test must not depend on the machine's speed.
        for case in ["<p><b id=1>", "<a href=x>lien"] {
            assert!(extract(case.repeat(50_000).as_bytes()).is_err());
        }
    }
}
