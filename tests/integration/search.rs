//! Search over the real corpus: French variations, query grammar, facets, snippets.

use spo_search::search::{Engine, SearchRequest, Sort};
use spo_search::tantivy_format::stored::StoredDoc;

use crate::support::{engine, index_into, top_ids, write_files};

fn search(query: &str) -> spo_search::search::SearchResponse {
    let request = SearchRequest {
        query: query.into(),
        limit: 10,
        snippets: true,
        facets: true,
        ..Default::default()
    };
    engine().search(&request).expect("search")
}

fn rank_of(query: &str, id: &str) -> Option<usize> {
    top_ids(engine(), query, 10)
        .iter()
        .position(|hit| hit == id)
}

#[test]
fn job_titles_are_found_whatever_the_accent_case_or_gender() {
    for query in [
        "boulanger",
        "Boulangère",
        "boulangere",
        "BOULANGERES",
        "boulangers",
    ] {
        assert_eq!(rank_of(query, "rome:D1102"), Some(0), "{query}");
    }
    for query in ["aide soignant", "aide-soignante", "aides soignantes"] {
        assert_eq!(rank_of(query, "rome:J1501"), Some(0), "{query}");
    }
    assert!(rank_of("electricienne", "rome:F1602").is_some_and(|rank| rank < 3));
}

#[test]
fn elision_does_not_change_what_is_found() {
    assert_eq!(
        top_ids(engine(), "l’apprentissage", 10),
        top_ids(engine(), "apprentissage", 10)
    );
    assert_eq!(
        top_ids(engine(), "d'orientation", 10),
        top_ids(engine(), "orientation", 10)
    );
}

#[test]
fn typos_are_tolerated_below_exact_matches() {
    assert!(
        rank_of("boulangr", "rome:D1102").is_some_and(|rank| rank < 3),
        "{:?}",
        top_ids(engine(), "boulangr", 10)
    );
    assert!(
        rank_of("documentalist", "rome:K1601").is_some(),
        "{:?}",
        top_ids(engine(), "documentalist", 10)
    );
}

#[test]
fn the_last_word_completes_as_a_prefix_when_typing() {
    let request = SearchRequest {
        query: "documenta".into(),
        limit: 10,
        complete_last: true,
        ..Default::default()
    };
    let ids: Vec<String> = engine()
        .search(&request)
        .expect("search")
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect();
    assert!(ids.iter().any(|id| id == "rome:K1601"), "{ids:?}");
}

#[test]
fn acronyms_and_codes_stay_findable() {
    for query in ["BTS", "VAE", "CPF", "RNCP"] {
        assert!(search(query).total > 0, "{query}");
    }
    assert_eq!(search("vae").total, search("VAE").total);
}

#[test]
fn exclusion_required_words_and_phrases() {
    let all = search("contrat apprentissage").total;
    let without = search("contrat apprentissage -salaire").total;
    assert!(without < all, "{without} < {all}");
    let phrase = search("\"contrat d'apprentissage\"");
    assert!(phrase.total > 0 && phrase.total < all);
    let required = search("+chaudronnerie soudeur");
    assert!(required.total > 0);
    for hit in search("apprentissage -salaire").hits {
        assert!(!hit
            .snippets
            .iter()
            .any(|s| s.html.to_lowercase().contains("<mark>salaire")));
    }
}

#[test]
fn hostile_queries_give_results_or_nothing_never_an_error() {
    let pasted = "formation professionnelle continue ".repeat(80);
    for query in [
        "\"",
        "-",
        "+",
        "OR OR",
        "type:",
        "🙂🙂",
        "a:b:c",
        "((((",
        "\u{0}",
        "l'",
        pasted.as_str(),
        "",
    ] {
        let response = search(query);
        assert!(response.hits.len() <= 10, "{query}");
    }
    assert!(search(&pasted).truncated);
}

#[test]
fn filters_combine_and_facets_count_the_current_query() {
    let response = search("formation type:fiche-metier");
    assert!(response.total > 0);
    assert!(response.hits.iter().all(|hit| hit.kind == "fiche-metier"));
    let networks = response
        .facets
        .iter()
        .find(|f| f.name == "reseau")
        .expect("reseau facet");
    assert_eq!(
        networks.values.iter().map(|v| v.count).sum::<u64>() as usize,
        response.total
    );
    let kinds = response
        .facets
        .iter()
        .find(|f| f.name == "type")
        .expect("type facet");
    assert!(
        kinds.values.len() > 1,
        "a filtered facet still offers its other values"
    );
    let metier = kinds
        .values
        .iter()
        .find(|v| v.value == "fiche-metier")
        .expect("fiche-metier");
    assert_eq!(metier.count as usize, response.total);

    let either = search("formation type:fiche-metier type:question-reponse").total;
    let both = search("formation type:fiche-metier reseau:etat").total;
    assert!(either > response.total, "OR within a facet");
    assert_eq!(
        both, 0,
        "AND across facets: no ROME fiche is from the state network"
    );
}

#[test]
fn sort_by_date_orders_hits_newest_first() {
    let request = SearchRequest {
        query: "contrat".into(),
        limit: 20,
        sort: Sort::Date,
        ..Default::default()
    };
    let dates: Vec<String> = engine()
        .search(&request)
        .expect("search")
        .hits
        .into_iter()
        .filter_map(|h| h.date)
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
}

#[test]
fn a_body_without_the_query_s_words_shows_the_description() {
    // The certification's body lists its jobs, blocks and certifiers, none of which says
    // "boulanger"; its description sums it up.
    let response = search("cap boulanger");
    let hit = response
        .hits
        .iter()
        .find(|h| h.id == "rncp:RNCP18704")
        .expect("the CAP in the first page");
    assert_eq!(hit.snippets.len(), 1, "{:?}", hit.snippets);
    let html = &hit.snippets[0].html;
    assert!(html.starts_with("Certification active"), "{html}");
    assert!(html.contains("<mark>Boulanger</mark>"), "{html}");
}

#[test]
fn pdf_snippets_give_their_page_and_highlights_survive_elision() {
    let response = search("labellisation format:pdf");
    let hit = response.hits.first().expect("the agreement's PDF");
    assert_eq!(hit.id, "spo/accord-cadre-spo-paca.pdf");
    assert!(
        hit.snippets.iter().all(|s| s.page.is_some_and(|p| p >= 1)),
        "{:?}",
        hit.snippets
    );
    let response = search("orientation source:spo format:markdown");
    let html = &response.hits[0].snippets[0].html;
    assert!(
        html.contains("<mark>orientation</mark>") || html.contains("<mark>Orientation</mark>"),
        "{html}"
    );
}

#[test]
fn snippets_from_indexed_positions_equal_those_of_a_text_scan() {
    use spo_search::model::Lang;
    use spo_search::search::snippet::Highlighter;
    let (mut compared, mut described) = (0, 0);
    for query in [
        "aide soignante",
        "contrat d'apprentissage",
        "salaire minimum",
        "orientation",
    ] {
        for hit in search(query).hits {
            let doc = engine().document(&hit.id).unwrap().unwrap();
            let body = doc.body;
            if body.trim().is_empty() || body.len() > 40_000 || hit.language != "fr" {
                continue;
            }
            let highlighter = Highlighter::new(query, Lang::Fr);
            let scanned = highlighter.snippets(&body, &doc.page_starts);
            let description = doc.description.as_deref().unwrap_or_default();
            if !scanned.iter().any(|s| s.html.contains("<mark>")) && !description.trim().is_empty()
            {
                // None of the query's words in the body: the description instead.
                assert_eq!(hit.snippets, highlighter.summary(description));
                described += 1;
                continue;
            }
            assert_eq!(hit.snippets, scanned, "{query} / {}", hit.id);
            compared += 1;
        }
    }
    assert!(compared >= 20, "only {compared} hits compared");
    assert!(
        described >= 1,
        "no hit without the query's words in its body"
    );
}

#[test]
fn did_you_mean_offers_a_respelling_when_results_are_few() {
    // A misspelt word that few documents nearly match ("chaudronerie" nearly matches
    // twenty certifications and programmes since they joined the corpus).
    let response = search("tonnelir zzqxw");
    assert!(response.total < 3, "{}", response.total);
    assert!(
        response
            .suggestion
            .as_deref()
            .is_some_and(|s| s.contains("tonnelier")),
        "{:?}",
        response.suggestion
    );
}

#[test]
fn more_like_this_excludes_the_document_itself() {
    let similar = engine()
        .similar("rome:D1102", 5)
        .expect("similar")
        .expect("known id");
    assert!(!similar.is_empty());
    assert!(similar.iter().all(|hit| hit.id != "rome:D1102"));
    assert!(
        similar.iter().any(|hit| hit.id == "rome:D1108"),
        "Chef boulanger is a neighbour"
    );
    assert!(engine().similar("rome:NOPE", 5).expect("similar").is_none());
}

/// Facet counts against a hand-counted fixture.
#[test]
fn facet_counts_match_a_hand_counted_fixture() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (corpus, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
    write_files(
        &corpus,
        &[
            ("cio/source.toml", b"[metadata]\nnetwork = \"cio\"\nkind = \"guide\"\naudience = [\"jeunes\"]\nterritory = \"paca\"\n"),
            ("cio/a.md", b"# Stage de seconde\n\nTrouver un stage."),
            ("cio/b.md", b"# Stage en entreprise\n\nLe stage dure une semaine."),
            ("cio/c.md", b"# Bourse\n\nAide financiere."),
            ("cio/c.md.meta.toml", b"kind = \"aide\"\naudience = [\"jeunes\", \"familles\"]\n"),
            ("ml/source.toml", b"[metadata]\nnetwork = \"mission-locale\"\nkind = \"guide\"\naudience = [\"jeunes\"]\nterritory = \"var\"\n"),
            ("ml/d.txt", b"Stage\n\nUn stage pour les jeunes."),
            ("ml/e.txt", b"Logement\n\nTrouver un logement."),
        ],
    );
    let report = index_into(&corpus, &index_dir);
    assert_eq!(report.documents, 5, "{report}");
    let engine = Engine::open(&index_dir).expect("open");
    let request = SearchRequest {
        query: "stage".into(),
        facets: true,
        limit: 10,
        ..Default::default()
    };
    let response = engine.search(&request).expect("search");
    assert_eq!(response.total, 3);
    let counts = |name: &str| -> Vec<(String, u64)> {
        let facet = response
            .facets
            .iter()
            .find(|f| f.name == name)
            .expect("facet");
        facet
            .values
            .iter()
            .map(|v| (v.value.clone(), v.count))
            .collect()
    };
    assert_eq!(
        counts("reseau"),
        [("cio".to_string(), 2), ("mission-locale".to_string(), 1)]
    );
    assert_eq!(
        counts("territoire"),
        [("paca".to_string(), 2), ("83".to_string(), 1)],
        "`territory = \"var\"` is read as its department"
    );
    let all = engine.all_facets().expect("facets");
    let audience = all.iter().find(|f| f.name == "public").expect("public");
    let audience: Vec<(String, u64)> = audience
        .values
        .iter()
        .map(|v| (v.value.clone(), v.count))
        .collect();
    assert_eq!(
        audience,
        [("jeunes".to_string(), 5), ("familles".to_string(), 1)]
    );
    let kinds = all.iter().find(|f| f.name == "type").expect("type");
    assert_eq!(kinds.values.iter().map(|v| v.count).sum::<u64>(), 5);
}

/// A JSON export whose records carry their own network, audience and territory
/// (`[json.metadata]`): each record is counted and filtered by its own values, and a
/// record without one keeps its source's.
#[test]
fn records_of_an_export_are_counted_by_their_own_metadata() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (corpus, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
    let source = "format = \"json\"\n[metadata]\nnetwork = \"etat\"\nterritory = \"national\"\n\
                  [json]\nid = \"id\"\ntitle = \"title\"\n\
                  [json.metadata]\nnetwork = \"reseau\"\naudience = \"publics\"\nterritory = \"lieu\"\n";
    let records = concat!(
        r#"{"id": "1", "title": "Stage en mairie", "reseau": "cio", "publics": ["jeunes"], "lieu": "Gap"}"#,
        "\n",
        r#"{"id": "2", "title": "Stage en usine", "reseau": "mission-locale", "publics": ["jeunes", "familles"], "lieu": "13"}"#,
        "\n",
        r#"{"id": "3", "title": "Stage national", "publics": ["familles"]}"#,
        "\n",
        r#"{"id": "4", "title": "Logement", "reseau": "cio", "lieu": "83"}"#,
        "\n",
    );
    write_files(
        &corpus,
        &[
            ("export/source.toml", source.as_bytes()),
            ("export/records.jsonl", records.as_bytes()),
        ],
    );
    let report = index_into(&corpus, &index_dir);
    assert_eq!(report.documents, 4, "{report}");
    let engine = Engine::open(&index_dir).expect("open");
    let search = |query: &str| {
        let request = SearchRequest {
            query: query.into(),
            facets: true,
            limit: 10,
            ..Default::default()
        };
        engine.search(&request).expect("search")
    };
    let response = search("stage");
    assert_eq!(response.total, 3);
    let counts = |name: &str| -> Vec<(String, u64)> {
        let facet = response
            .facets
            .iter()
            .find(|f| f.name == name)
            .expect("facet");
        let mut counts: Vec<(String, u64)> = facet
            .values
            .iter()
            .map(|v| (v.value.clone(), v.count))
            .collect();
        counts.sort();
        counts
    };
    let owned = |pairs: &[(&str, u64)]| -> Vec<(String, u64)> {
        pairs
            .iter()
            .map(|(value, count)| (value.to_string(), *count))
            .collect()
    };
    assert_eq!(
        counts("reseau"),
        owned(&[("cio", 1), ("etat", 1), ("mission-locale", 1)])
    );
    assert_eq!(counts("public"), owned(&[("familles", 2), ("jeunes", 2)]));
    assert_eq!(
        counts("territoire"),
        owned(&[("05", 1), ("13", 1), ("national", 1)])
    );
    let in_gap: Vec<String> = search("stage territoire:05")
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect();
    assert_eq!(
        in_gap.len(),
        2,
        "the record in Gap and the national one: {in_gap:?}"
    );
    assert!(in_gap.contains(&"1".to_string()) && in_gap.contains(&"3".to_string()));
    assert_eq!(search("reseau:cio").total, 2);
}

#[test]
fn cached_answers_never_outlive_the_commit_they_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let (corpus, index) = (dir.path().join("corpus"), dir.path().join("index"));
    write_files(
        &corpus,
        &[
            (
                "cio/source.toml",
                b"[metadata]\nnetwork = \"cio\"\nkind = \"guide\"\n",
            ),
            ("cio/a.md", b"# Ferronnier d'art\n\nLe travail du fer."),
        ],
    );
    index_into(&corpus, &index);
    let engine = Engine::open(&index).unwrap().with_cache(16);
    assert_eq!(top_ids(&engine, "ferronnier", 10), ["cio/a.md"]);
    assert_eq!(top_ids(&engine, "ferronnier", 10), ["cio/a.md"]);
    write_files(&corpus, &[("cio/b.md", b"# Ferronnier\n\nForge et fer.")]);
    index_into(&corpus, &index);
    engine.reload().unwrap();
    let mut after = top_ids(&engine, "ferronnier", 10);
    after.sort();
    assert_eq!(after, ["cio/a.md", "cio/b.md"]);
}

#[test]
fn snippets_of_a_hit_before_the_first_document_of_a_query_term() {
    let dir = tempfile::tempdir().unwrap();
    let (corpus, index) = (dir.path().join("corpus"), dir.path().join("index"));
    write_files(
        &corpus,
        &[
            ("cio/a.md", b"# Alpha\n\nLe mot alpha seul."),
            ("cio/b.md", b"# Alpha beta\n\nLes mots alpha et beta."),
        ],
    );
    // One thread: the documents enter the segment in file order, so `beta` first appears
    // after the document of a.md.
    let mut options = crate::support::options(&corpus, &index);
    options.threads = 1;
    spo_search::index::run(&options, &mut |_, _| {}).unwrap();
    let request = SearchRequest {
        query: "alpha beta".into(),
        limit: 10,
        snippets: true,
        ..Default::default()
    };
    let response = Engine::open(&index).unwrap().search(&request).unwrap();
    assert_eq!(response.hits.len(), 2);
    for hit in &response.hits {
        assert!(
            hit.snippets[0].html.contains("<mark>alpha</mark>"),
            "{hit:?}"
        );
    }
}

#[test]
fn every_stored_document_reads_the_same_in_place_as_through_tantivy() {
    use tantivy::schema::Value;
    let tantivy_searcher = engine().searcher();
    let schema = tantivy_searcher.schema().clone();
    let mut documents = 0;
    for segment in tantivy_searcher.segment_readers() {
        let store = segment.get_store_reader(10).expect("store");
        for doc_id in 0..segment.max_doc() {
            let whole: tantivy::TantivyDocument = store.get(doc_id).expect("document");
            let stored =
                StoredDoc::parse(store.get_document_bytes(doc_id).expect("bytes")).expect("record");
            for (field, entry) in schema.fields().filter(|(_, e)| e.is_stored()) {
                let texts: Vec<&str> = whole.get_all(field).filter_map(|v| v.as_str()).collect();
                assert_eq!(
                    stored.texts(field).expect("utf-8"),
                    texts,
                    "{}",
                    entry.name()
                );
                let numbers: Vec<u64> = whole.get_all(field).filter_map(|v| v.as_u64()).collect();
                assert_eq!(stored.u64s(field), numbers, "{}", entry.name());
                let bytes = whole.get_first(field).and_then(|v| v.as_bytes());
                assert_eq!(stored.bytes(field), bytes, "{}", entry.name());
            }
            documents += 1;
        }
    }
    assert!(documents > 2_000, "{documents} documents");
}

/// Issue 16, item 4: words that a query writes apart and the documents together, or the
/// other way round, are found; a document that has the words as typed comes first.
#[test]
fn compounds_and_elisions_are_found_split_or_joined() {
    let dir = tempfile::tempdir().unwrap();
    let (corpus, index) = (dir.path().join("corpus"), dir.path().join("index"));
    write_files(
        &corpus,
        &[
            (
                "cio/source.toml",
                b"[metadata]\nnetwork = \"cio\"\nkind = \"guide\"\n",
            ),
            (
                "cio/scene.md",
                b"# Garde robe de scene\n\nLa garde robe des costumes de scene.",
            ),
            (
                "cio/meuble.md",
                b"# Garderobe ancienne\n\nUne garderobe en chene massif.",
            ),
            (
                "cio/soudure.md",
                b"# Soudure thermo\n\nLe soudeur thermo assemble les plastiques.",
            ),
            (
                "cio/conseil.md",
                b"# Conseil de prud'hommes\n\nSaisir les prud'hommes en cas de litige.",
            ),
            (
                "cio/droits.md",
                b"# Droits des femmes et des hommes\n\nEgalite entre les femmes et les hommes.",
            ),
        ],
    );
    index_into(&corpus, &index);
    let engine = Engine::open(&index).expect("open");
    assert_eq!(
        top_ids(&engine, "garde robe", 10),
        ["cio/scene.md", "cio/meuble.md"]
    );
    assert_eq!(
        top_ids(&engine, "garde-robe", 10),
        ["cio/scene.md", "cio/meuble.md"]
    );
    assert_eq!(top_ids(&engine, "garderobe", 10)[0], "cio/meuble.md");
    assert_eq!(top_ids(&engine, "thermosoudeur", 10), ["cio/soudure.md"]);
    assert_eq!(top_ids(&engine, "prud' hommes", 10)[0], "cio/conseil.md");
    assert_eq!(
        top_ids(&engine, "prud’ hommes", 10),
        top_ids(&engine, "prud'hommes", 10)
    );
    // Each repair is a weight of the ranking: off, the query finds what it used to.
    let off = Engine::open(&index).expect("open").with_ranking({
        let mut ranking = spo_search::search::rank::Ranking::default();
        ranking.set("split_compound", 0.0).unwrap();
        ranking.set("joined_words", 0.0).unwrap();
        ranking
    });
    assert!(top_ids(&off, "thermosoudeur", 10).is_empty());
    assert_eq!(top_ids(&off, "garde robe", 10), ["cio/scene.md"]);
}

/// Facet counts are exact (issue 14): for every query, facet and value, the count is what
/// the query filtered on that value finds (a filtered facet is counted without its own
/// filter, so the filtered total is the count of the value in the unfiltered answer). Not
/// the territory, whose filter also keeps the regional and national documents.
#[test]
fn facet_counts_are_the_matches_of_each_value() {
    use spo_search::model::Facet;

    for text in [
        "contrat d'apprentissage",
        "aide soignant",
        "\"contrat de travail\"",
        "emploi -stage",
        "boulanger J1501",
    ] {
        let response = search(text);
        let networks = response.facets.iter().find(|f| f.name == "reseau").unwrap();
        let counted: u64 = networks.values.iter().map(|v| v.count).sum();
        assert_eq!(
            counted as usize, response.total,
            "every match has one network"
        );
        for counts in &response.facets {
            let facet = Facet::from_name(&counts.name).expect("facet");
            if facet == Facet::Territory {
                continue;
            }
            for value in &counts.values {
                let filtered = search(&format!("{text} {}:{}", counts.name, value.value));
                assert_eq!(
                    filtered.total as u64, value.count,
                    "{text}: {}:{}",
                    counts.name, value.value
                );
            }
        }
    }
}

/// The first stage of a large search (`search::first_stage`), made to run on the bundled
/// corpus: the same first results and counts as the query tree over every match, and counts
/// that are exact when they are few.
#[test]
fn the_first_stage_of_a_large_search_finds_what_the_whole_tree_finds() {
    let ranking = spo_search::search::rank::Ranking {
        first_stage_from: 0.0,
        ..Default::default()
    };
    let staged = Engine::open(crate::support::bundled_index())
        .expect("open")
        .with_ranking(ranking);
    for query in [
        "boulanger",
        "aide soignant",
        "contrat d'apprentissage",
        "rupture conventionnelle",
    ] {
        let request = SearchRequest {
            query: query.into(),
            limit: 5,
            facets: true,
            ..Default::default()
        };
        let whole = engine().search(&request).expect("search");
        let first = staged.search(&request).expect("search");
        assert_eq!(
            first.hits.first().map(|hit| &hit.id),
            whole.hits.first().map(|hit| &hit.id),
            "{query}"
        );
        // Under 10,000 matches the count is exact: the words' documents, which the tree
        // also finds (by their forms in more fields, a few more).
        assert!(!first.total_estimated, "{query}");
        assert!(
            first.total > 0 && first.total <= whole.total,
            "{query}: {} {}",
            first.total,
            whole.total
        );
        let networks = |response: &spo_search::search::SearchResponse| -> u64 {
            let facet = response
                .facets
                .iter()
                .find(|f| f.name == "reseau")
                .expect("reseau");
            facet.values.iter().map(|v| v.count).sum()
        };
        assert!(networks(&first) >= first.total as u64, "{query}");
    }
}

/// An excluded word leaves out the documents of every language that have it, from the
/// results and from their count, through the first stage as through the tree: the English
/// guide is stemmed in English fields.
#[test]
fn the_first_stage_excludes_a_word_in_every_language() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (corpus, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
    write_files(
        &corpus,
        &[
            (
                "guides/source.toml",
                b"[metadata]\nnetwork = \"cio\"\nkind = \"guide\"\n",
            ),
            (
                "english/source.toml",
                b"[metadata]\nnetwork = \"cio\"\nkind = \"guide\"\nlanguage = \"en\"\n",
            ),
            (
                "english/en.md",
                b"# Apprenticeship contract\n\nThe apprenticeship contract is signed by the \
                  employer and the apprentice. The employer keeps running the training plan \
                  with the school, and the apprentice is paid a salary every month.",
            ),
            (
                "guides/fr.md",
                b"# Contrat d'apprentissage\n\nLe contrat d'apprentissage est signe par \
                  l'employeur et l'apprenti, qui suit une formation au CFA et recoit un \
                  salaire chaque mois.",
            ),
        ],
    );
    let report = index_into(&corpus, &index_dir);
    assert_eq!(report.documents, 2, "{report}");
    let forced = spo_search::search::rank::Ranking {
        first_stage_from: 0.0,
        ..Default::default()
    };
    let whole = Engine::open(&index_dir).expect("open");
    let staged = Engine::open(&index_dir).expect("open").with_ranking(forced);
    for engine in [&whole, &staged] {
        assert_eq!(top_ids(engine, "contract", 10), ["english/en.md"]);
        let request = SearchRequest {
            query: "contract -running".into(),
            facets: true,
            ..Default::default()
        };
        let response = engine.search(&request).expect("search");
        assert!(response.hits.is_empty());
        assert_eq!(response.total, 0);
    }
}
