//! Tests of the JSON export extractor: the travail-emploi export with the mapping of its
//! `source.toml`, the other file shapes, bad records and bad files.

use std::collections::HashSet;

use super::*;

const FICHES: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../corpus/travail-emploi/fiches-travail.json"
));
const FICHES_SOURCE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../corpus/travail-emploi/source.toml"
));

/// The `[json]` table of a `source.toml`.
fn mapping_of(source_toml: &str) -> JsonMapping {
    #[derive(serde::Deserialize)]
    struct Source {
        json: JsonMapping,
    }
    toml::from_str::<Source>(source_toml).unwrap().json
}

fn mapping(id: &str) -> JsonMapping {
    JsonMapping {
        id: id.to_owned(),
        title: Some("title".to_owned()),
        body: vec!["text".to_owned()],
        ..JsonMapping::default()
    }
}

fn reason(result: Result<impl std::fmt::Debug, ExtractError>) -> String {
    match result {
        Err(ExtractError::Malformed { reason, .. }) => reason,
        other => panic!("expected a malformed error, got {other:?}"),
    }
}

#[test]
fn the_travail_emploi_export() {
    let mapping = mapping_of(FICHES_SOURCE);
    assert_eq!(mapping.validate(), Ok(()));
    let documents: Vec<Extracted> = extract(FICHES, &mapping)
        .unwrap()
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(documents.len(), 269);
    let keys: HashSet<&str> = documents
        .iter()
        .filter_map(|doc| doc.key.as_deref())
        .collect();
    assert_eq!(keys.len(), 269);
    for doc in &documents {
        assert!(
            doc.title.is_some() && doc.date.is_some() && doc.url.is_some(),
            "{:?}",
            doc.key
        );
        assert!(doc.body.len() > 200, "{:?}", doc.key);
        // (One fiche has a literal "&nbsp;" in its text: "&amp;nbsp" in the source.)
        assert!(
            !doc.body.contains("<p>") && !doc.body.contains("</"),
            "{:?}",
            doc.key
        );
    }
    let fiche = documents
        .iter()
        .find(|doc| doc.key.as_deref() == Some("article375542"))
        .unwrap();
    assert_eq!(fiche.title.as_deref(), Some("Les délégués syndicaux"));
    assert_eq!(
        fiche.date.map(|d| d.to_string()).as_deref(),
        Some("2025-11-13")
    );
    assert_eq!(
        fiche.url.as_deref(),
        Some("https://travail-emploi.gouv.fr/les-delegues-syndicaux")
    );
    assert!(fiche
        .description
        .as_deref()
        .is_some_and(|description| description.starts_with("Chaque syndicat représentatif")));
    assert_eq!(fiche.headings.len(), 12);
    assert_eq!(fiche.headings.first(), fiche.title.as_ref());
    assert_eq!(
        fiche.headings.get(1).map(String::as_str),
        Some("L'action des syndicats en vidéo (Web série droit du travail)")
    );
    assert!(fiche
        .headings
        .iter()
        .any(|h| h == "Quelle est la durée du mandat ?"));
    assert!(fiche
        .body
        .starts_with("- Chaque syndicat représentatif dans une entreprise"));
    assert!(fiche
        .body
        .contains("\n\n### À savoir !\n\nLe mandat de délégué syndical peut être cumulé"));
}

#[test]
fn json_lines_with_bad_records() {
    let lines = b"{\"id\": 1, \"title\": \"Un\"}\n\n{\"id\": 2, \"title\": \n{\"title\": \"sans id\"}\n\
        [1, 2]\n{\"id\": [\"a\", \"b\"], \"title\": \"deux ids\"}\n{\"id\": \" \", \"title\": \"id vide\"}\n\
        {\"id\": \"x\", \"title\": null, \"text\": \"<p> </p>\"}\n{\"id\": true, \"text\": \"vrai\"}\n";
    let results = extract(lines, &mapping("id")).unwrap();
    let outcomes: Vec<Result<String, String>> = results
        .into_iter()
        .map(|result| match result {
            Ok(doc) => Ok(format!("{:?} {:?} {}", doc.key, doc.title, doc.body)),
            Err(error) => Err(error.to_string()),
        })
        .collect();
    assert_eq!(outcomes.len(), 8);
    assert_eq!(
        outcomes.first(),
        Some(&Ok("Some(\"1\") Some(\"Un\") ".to_owned()))
    );
    let error = |index: usize| outcomes.get(index).cloned().unwrap().unwrap_err();
    assert!(error(1).starts_with("malformed json: record 1 (line 3): invalid JSON: "));
    assert_eq!(error(2), "malformed json: record 2: no id at `id`");
    assert_eq!(
        error(3),
        "malformed json: record 3: an array instead of an object"
    );
    assert_eq!(
        error(4),
        "malformed json: record 4: 2 ids at `id`, one expected"
    );
    assert_eq!(error(5), "malformed json: record 5: no id at `id`");
    assert_eq!(
        error(6),
        "malformed json: record 6: id x: no title and no text"
    );
    assert_eq!(
        outcomes.get(7),
        Some(&Ok("Some(\"true\") None vrai".to_owned()))
    );
}

#[test]
fn nested_records_and_every_field() {
    let file = r#"{"meta": {"count": 2}, "data": {"items": [
        {"ref": {"code": 7}, "name": "Cuisinier &amp; cuisinière", "summary": "Prépare\n  les plats",
         "blocks": [{"h": "Accès", "p": ["Un CAP.", "<ul><li>BEP</li><li>Bac pro</li></ul>"]}, {"h": "Accès"}],
         "tags": ["cuisine", "hôtellerie", "cuisine"], "updated": "2024-02-29T08:00:00+01:00",
         "link": " https://exemple.fr/7 ", "lang": "fr-FR"},
        {"ref": {"code": 8}, "name": "Serveur", "updated": "31/02/2024"}]}}"#;
    let fields = JsonMapping {
        id: "ref.code".to_owned(),
        records: Some("data.items".to_owned()),
        title: Some("name".to_owned()),
        description: Some("summary".to_owned()),
        body: vec!["summary".to_owned(), "blocks[].p".to_owned()],
        headings: vec!["blocks[].h".to_owned()],
        keywords: vec!["tags".to_owned()],
        date: Some("updated".to_owned()),
        date_format: Some("%d/%m/%Y".to_owned()),
        url: Some("link".to_owned()),
        language: Some("lang".to_owned()),
        metadata: Default::default(),
    };
    let mut results = extract(file.as_bytes(), &fields).unwrap().into_iter();
    let first = results.next().unwrap().unwrap();
    assert_eq!(
        first,
        Extracted {
            key: Some("7".to_owned()),
            title: Some("Cuisinier & cuisinière".to_owned()),
            description: Some("Prépare les plats".to_owned()),
            headings: vec!["Accès".to_owned()],
            body: "Prépare\nles plats\n\nUn CAP.\n\n- BEP\n- Bac pro".to_owned(),
            keywords: vec!["cuisine".to_owned(), "hôtellerie".to_owned()],
            date: crate::Date::new(2024, 2, 29),
            url: Some("https://exemple.fr/7".to_owned()),
            language: Some("fr".to_owned()),
            ..Extracted::default()
        }
    );
    // An impossible date is dropped, the record is kept.
    let second = results.next().unwrap().unwrap();
    assert_eq!((second.key.as_deref(), second.date), (Some("8"), None));
    assert!(results.next().is_none());

    let single_object = br#"{"id": "seul", "title": "Un seul"}"#;
    assert_eq!(extract(single_object, &mapping("id")).unwrap().len(), 1);
}

#[test]
fn unreadable_files_and_bad_mappings() {
    let plain = mapping("id");
    assert_eq!(reason(extract(b"", &plain)), "empty file");
    assert_eq!(reason(extract(b" \n ", &plain)), "empty file");
    assert!(reason(extract(b"\xff\xfe[]", &plain)).starts_with("not UTF-8"));
    assert!(reason(extract(b"[{\"id\": 1},", &plain)).starts_with("invalid JSON: "));
    assert!(reason(extract(b"{\n\"id\": 1\n", &plain)).starts_with("invalid JSON: "));
    assert_eq!(
        reason(extract(b"42", &plain)),
        "expected an array of records, found a number"
    );
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(reason(extract(deep.as_bytes(), &plain)).contains("recursion limit"));
    assert_eq!(extract("\u{feff}[]".as_bytes(), &plain), Ok(vec![]));

    let nested = JsonMapping {
        records: Some("data.items".to_owned()),
        ..mapping("id")
    };
    assert_eq!(
        reason(extract(b"{\"data\": {}}", &nested)),
        "no `data.items` in the file"
    );
    assert_eq!(
        reason(extract(b"{\"data\": {\"items\": {}}}", &nested)),
        "expected an array of records, found an object"
    );

    for (bad, expected) in [
        (mapping("a..b"), "mapping: invalid path `a..b`: bad key ``"),
        (
            JsonMapping {
                records: Some("pages[].items".to_owned()),
                ..mapping("id")
            },
            "mapping: `records` must lead to one array, without `[]`",
        ),
        (
            JsonMapping {
                date_format: Some("%d/%m/%Y".to_owned()),
                ..mapping("id")
            },
            "mapping: `date_format` is set but `date` is not",
        ),
        (
            JsonMapping {
                date: Some("d".to_owned()),
                date_format: Some("%B %Y".to_owned()),
                ..mapping("id")
            },
            "mapping: date format `%B %Y`: unsupported directive %B (use %d %m %Y %y)",
        ),
    ] {
        assert_eq!(reason(extract(b"[]", &bad)), expected);
        assert_eq!(
            bad.validate().map_err(|e| format!("mapping: {e}")),
            Err(expected.to_owned())
        );
    }
    assert!(toml::from_str::<JsonMapping>("id = \"x\"\ntitel = \"y\"").is_err());
}

#[test]
fn html_is_detected_in_text_fields() {
    for html in [
        "<p>x</p>",
        "a<br/>b",
        "</div>",
        "<!-- c -->",
        "a &amp; b",
        "&#233;",
    ] {
        assert!(looks_like_html(html), "{html:?}");
    }
    for text in [
        "a < b > c",
        "3<4",
        "R&D",
        "a & b;",
        "&;",
        "<",
        "",
        "x &verylongentity; y",
    ] {
        assert!(!looks_like_html(text), "{text:?}");
    }
}

#[test]
fn records_carry_their_own_metadata() {
    let mut mapping = mapping("id");
    mapping.metadata = [
        ("network", "network"),
        ("audience", "audience"),
        ("territory", "place.department"),
    ]
    .into_iter()
    .map(|(name, path)| (name.to_owned(), path.to_owned()))
    .collect();
    let export = br#"[
        {"id": "a", "title": "Un", "network": "cio", "audience": ["jeunes", "familles", "jeunes"], "place": {"department": 5}},
        {"id": "b", "title": "Deux", "network": "", "audience": [], "place": null}
    ]"#;
    let documents: Vec<Extracted> = extract(export, &mapping)
        .unwrap()
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    let owned = |pairs: &[(&str, &[&str])]| -> Vec<(String, Vec<String>)> {
        pairs
            .iter()
            .map(|(name, values)| {
                let values = values.iter().map(|value| value.to_string()).collect();
                (name.to_string(), values)
            })
            .collect()
    };
    assert_eq!(
        documents[0].metadata,
        owned(&[
            ("audience", &["jeunes", "familles"]),
            ("network", &["cio"]),
            ("territory", &["5"]),
        ])
    );
    assert_eq!(
        documents[1].metadata,
        owned(&[]),
        "empty or absent values leave the source's"
    );

    mapping.metadata.insert("kind".into(), "a[0]".into());
    assert!(reason(extract(export, &mapping)).contains("a[0]"));
}
