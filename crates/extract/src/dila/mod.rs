//! Extractor for service-public.fr fiches: the DILA "Vos droits et démarches" XML
//! (`<Publication ID="F2301" spUrl="...">` with Dublin Core metadata).
//!
//! Fiches (`F*.xml`) give their structured content as body; theme and dossier pages
//! (`N*.xml`) give the titles of the pages they list. Metadata comes from `dc:title`,
//! `dc:description`, `dc:date`, `dc:language`, `dc:subject`, the theme, parent sub-theme and
//! breadcrumb labels, and `<Audience>`.
//!
//! The XML must be UTF-8; a DTD is refused (no entity expansion, so no "billion laughs" or
//! external entities), the node count and the nesting depth are bounded.

mod body;

use std::collections::HashSet;

use roxmltree::Node;

use crate::language::iso_639_1;
use crate::{Date, ExtractError, Extracted};

const FORMAT: &str = "dila";

/// Namespace of the `dc:*` metadata elements.
const DC_NAMESPACE: &str = "http://purl.org/dc/elements/1.1/";

/// Most XML nodes accepted in one fiche; the largest real fiche (425 KB) has about 20,000.
const NODES_LIMIT: u32 = 2_000_000;

/// Extracts one DILA fiche from its XML bytes. The `key` is the publication's `ID`.
pub fn extract(bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|error| ExtractError::malformed(FORMAT, format!("not UTF-8: {error}")))?;
    let document = crate::xml::parse(text, NODES_LIMIT)
        .map_err(|error| ExtractError::malformed(FORMAT, error))?;
    let publication = document.root_element();
    if !publication.has_tag_name("Publication") {
        return Err(ExtractError::malformed(
            FORMAT,
            format!(
                "root element is <{}>, expected <Publication>",
                publication.tag_name().name()
            ),
        ));
    }
    let id = publication
        .attribute("ID")
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .ok_or_else(|| ExtractError::malformed(FORMAT, "<Publication> has no ID"))?;
    let rendered = body::render(publication)?;
    Ok(Extracted {
        key: Some(id.to_owned()),
        title: dublin_core(publication, "title"),
        description: dublin_core(publication, "description"),
        headings: rendered.headings,
        body: rendered.body,
        language: dublin_core(publication, "language").and_then(|language| iso_639_1(&language)),
        url: publication
            .attribute("spUrl")
            .map(str::trim)
            .filter(|url| !url.is_empty())
            .map(str::to_owned),
        date: dublin_core(publication, "date").and_then(|date| first_date(&date)),
        keywords: keywords(publication, id),
        audience: audiences(publication),
        kind: dublin_core(publication, "type"),
        ..Extracted::default()
    })
}

/// The text of the first `dc:<name>` child of `<Publication>`, if not blank.
fn dublin_core(publication: Node, name: &str) -> Option<String> {
    let element = publication
        .children()
        .find(|child| child.has_tag_name((DC_NAMESPACE, name)))?;
    Some(body::flat_text(element)).filter(|text| !text.is_empty())
}

/// The children of `node` with a given tag name.
fn children_named<'a, 'input: 'a>(
    node: Node<'a, 'input>,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'input>> + 'a {
    node.children()
        .filter(move |child| child.has_tag_name(name))
}

/// Subjects, theme, parent sub-theme and breadcrumb labels, without duplicates. The
/// breadcrumb's home ("Accueil particuliers") and the level of the fiche itself (already
/// the title) are left out.
fn keywords(publication: Node, id: &str) -> Vec<String> {
    let mut labels = Vec::new();
    if let Some(subjects) = dublin_core(publication, "subject") {
        labels.extend(subjects.split(", ").map(str::to_owned));
    }
    for theme in children_named(publication, "Theme") {
        labels.extend(children_named(theme, "Titre").map(body::flat_text));
    }
    labels.extend(children_named(publication, "SousThemePere").map(body::flat_text));
    for breadcrumb in children_named(publication, "FilDAriane") {
        let levels = children_named(breadcrumb, "Niveau")
            .enumerate()
            .filter(|(position, level)| {
                *position > 0 || !body::flat_text(*level).starts_with("Accueil")
            })
            .filter(|(_, level)| level.attribute("ID") != Some(id));
        labels.extend(levels.map(|(_, level)| body::flat_text(level)));
    }
    unique_non_empty(labels)
}

/// The `<Audience>` values, lowercased: "particuliers", "professionnels", "associations".
fn audiences(publication: Node) -> Vec<String> {
    unique_non_empty(
        children_named(publication, "Audience")
            .map(|audience| body::flat_text(audience).to_lowercase()),
    )
}

/// The values trimmed, without blanks or duplicates, in first-seen order.
fn unique_non_empty(values: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    values
        .into_iter()
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty() && seen.insert(value.clone()))
        .collect()
}

/// The first date in a `dc:date` value such as "modified 2020-11-02".
fn first_date(text: &str) -> Option<Date> {
    text.split_whitespace().find_map(Date::from_iso)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../corpus/service-public");

    fn real(path: &str) -> Extracted {
        let bytes = std::fs::read(format!("{CORPUS}/{path}")).expect("corpus file is readable");
        extract(&bytes).expect("real fiche extracts")
    }

    fn is_malformed(result: Result<Extracted, ExtractError>) -> bool {
        matches!(result, Err(ExtractError::Malformed { format: "dila", .. }))
    }

    #[test]
    fn fiche_metadata() {
        let fiche = real("particuliers/F2301.xml");
        assert_eq!(fiche.key.as_deref(), Some("F2301"));
        assert_eq!(fiche.title.as_deref(), Some("Salaire, primes et avantages"));
        assert!(fiche
            .description
            .as_deref()
            .is_some_and(|text| text.starts_with("Le montant du salaire est fixé librement")));
        assert_eq!(
            fiche.date.map(|d| d.to_string()).as_deref(),
            Some("2020-01-01")
        );
        assert_eq!(
            fiche.url.as_deref(),
            Some("https://www.service-public.fr/particuliers/vosdroits/F2301")
        );
        assert_eq!(fiche.language.as_deref(), Some("fr"));
        assert_eq!(fiche.audience, ["particuliers", "professionnels"]);
        assert_eq!(
            fiche.keywords,
            [
                "Travail",
                "Ressources humaines",
                "Rémunération",
                "Rémunération dans le secteur privé"
            ]
        );
        assert!(fiche.page_starts.is_empty());
    }

    #[test]
    fn fiche_body_and_headings() {
        let fiche = real("particuliers/F2301.xml");
        assert_eq!(
            fiche.headings,
            [
                "Salaire",
                "Fixation",
                "Modification",
                "Cotisations sociales sur les rémunérations",
                "Primes et gratifications",
                "Défintion",
                "Avantages en nature",
                "Définition",
            ]
        );
        let body = &fiche.body;
        for expected in [
            "L'employeur et le salarié fixent ensemble le montant du salaire dans le respect :\n\n\
             - du montant du Smic (1 539,42 € bruts mensuels) et du salaire minimum",
            "\n\nÀ noter : en pratique, les négociations sur le salaire sont souvent exprimées",
            "principe à travail égal, salaire égal),",
            "primes de fin d'année, de 13e mois, de vacances",
            "\n\nCode du travail : articles L3221-1 à L3221-10\n",
            "Smic : Salaire minimum interprofessionnel de croissance",
            "Qu'est-ce que la prime exceptionnelle de pouvoir d'achat ?",
        ] {
            assert!(body.contains(expected), "body lacks {expected:?}");
        }
        assert!(body.starts_with("Le montant du salaire est fixé librement"));
        for navigation in [
            "Accueil particuliers",
            "Fiche de paie",
            "legifrance",
            "Direction de",
        ] {
            assert!(
                !body.contains(navigation),
                "body has navigation {navigation:?}"
            );
        }
        assert!(!body.contains("\n\n\n") && !body.contains("  "));
    }

    #[test]
    fn table_rows_are_lines_of_cells() {
        let fiche = real("particuliers/F2300.xml");
        assert!(fiche.body.contains(
            "Montants du Smic\n\n\
             | Smic | Montant brut | Montant net (déduction des cotisations salariales)\n\
             | Smic horaire | 10,15 € | 8,03 €\n"
        ));
    }

    #[test]
    fn theme_page_lists_the_titles_it_links_to() {
        let theme = real("particuliers/N19806.xml");
        assert_eq!(theme.key.as_deref(), Some("N19806"));
        assert_eq!(theme.title.as_deref(), Some("Travail"));
        assert!(theme.body.starts_with(
            "## Recrutement\n\nDans le secteur privé\nDans la fonction publique\n\n## Rémunération"
        ));
        assert!(theme.headings.iter().any(|heading| heading == "Formation"));
        assert!(
            !theme.body.contains("Vivre à l'étranger"),
            "VoirAussi is navigation"
        );
    }

    #[test]
    fn dossier_page_lists_fiches_and_questions() {
        let dossier = real("particuliers/N474.xml");
        assert!(dossier
            .body
            .contains("Salaire, primes et avantages\nSmic (Salaire minimum de croissance)\n"));
        assert!(dossier
            .body
            .contains("La prime d'ancienneté est-elle obligatoire ?"));
    }

    #[test]
    fn every_real_fiche_extracts_with_its_file_name_as_key() {
        let mut files = Vec::new();
        for folder in ["particuliers", "professionnels", "associations"] {
            for entry in std::fs::read_dir(format!("{CORPUS}/{folder}")).expect("corpus folder") {
                let path = entry.expect("corpus entry").path();
                let bytes = std::fs::read(&path).expect("corpus file");
                files.push((path, bytes));
            }
        }
        assert_eq!(files.len(), 1103);
        let started = std::time::Instant::now();
        for (path, bytes) in &files {
            let fiche = extract(bytes).unwrap_or_else(|error| panic!("{path:?}: {error}"));
            let stem = path.file_stem().and_then(|stem| stem.to_str());
            assert_eq!(fiche.key.as_deref(), stem);
            assert!(fiche.title.is_some() && !fiche.body.is_empty(), "{path:?}");
            assert!(
                fiche.date.is_some() && !fiche.audience.is_empty(),
                "{path:?}"
            );
        }
        let megabytes = files.iter().map(|(_, bytes)| bytes.len()).sum::<usize>() as f64 / 1e6;
        eprintln!(
            "DILA: {} fiches, {megabytes:.1} MB in {:?}",
            files.len(),
            started.elapsed()
        );
    }

    #[test]
    fn hostile_inputs_are_malformed() {
        assert!(is_malformed(extract(b"")));
        assert!(is_malformed(extract(b"not xml at all")));
        assert!(is_malformed(extract(b"\xff\xfe<Publication ID=\"F1\"/>")));
        assert!(is_malformed(extract(b"<html><body>F1</body></html>")));
        assert!(is_malformed(extract(
            b"<Publication><dc:title xmlns:dc=\"x\">T</dc:title></Publication>"
        )));
        assert!(is_malformed(extract(b"<Publication ID=\"  \"/>")));
        let real_bytes =
            std::fs::read(format!("{CORPUS}/particuliers/F2301.xml")).expect("corpus file");
        assert!(is_malformed(extract(&real_bytes[..real_bytes.len() / 2])));
    }

    #[test]
    fn entity_tricks_are_refused() {
        let billion_laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">\
            <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\
            <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\
            <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>\
            <Publication ID=\"F1\"><Paragraphe>&lol3;</Paragraphe></Publication>";
        assert!(is_malformed(extract(billion_laughs.as_bytes())));
        let external = "<!DOCTYPE p [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\
            <Publication ID=\"F1\"><Paragraphe>&xxe;</Paragraphe></Publication>";
        assert!(is_malformed(extract(external.as_bytes())));
        let undeclared = "<Publication ID=\"F1\"><Paragraphe>&nbsp;</Paragraphe></Publication>";
        assert!(is_malformed(extract(undeclared.as_bytes())));
    }

    #[test]
    fn minimal_publication() {
        let fiche = extract(
            "\u{feff}<Publication ID=\"F9\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\
             <dc:date>modified 2020-13-02</dc:date><dc:language>French</dc:language>\
             <Audience>Associations</Audience><Audience>Associations</Audience></Publication>"
                .as_bytes(),
        )
        .expect("minimal publication extracts");
        assert_eq!(fiche.key.as_deref(), Some("F9"));
        assert_eq!(
            (fiche.title, fiche.date, fiche.language, fiche.url),
            (None, None, None, None)
        );
        assert_eq!(fiche.audience, ["associations"]);
        assert!(fiche.body.is_empty() && fiche.keywords.is_empty());
    }

    #[test]
    fn dates_and_languages() {
        let date = |text: &str| first_date(text).map(|date| date.to_string());
        assert_eq!(date("modified 2020-11-02").as_deref(), Some("2020-11-02"));
        assert_eq!(date("2019-01-01T00:00:00").as_deref(), Some("2019-01-01"));
        assert_eq!(date("modified 2020-1-02"), None);
        assert_eq!(date("modified 2020-11-32"), None);
        assert_eq!(date("modified 2021-02-31"), None, "no 31 February");
        assert_eq!(date("é"), None);
        assert_eq!(iso_639_1(" Fr ").as_deref(), Some("fr"));
        assert_eq!(iso_639_1("fé"), None);
    }
}
