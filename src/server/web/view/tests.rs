//! Unit tests of the page's views: pagination, estimated counts.

use super::*;

#[test]
fn pagination_shows_ends_and_neighbours() {
    let state = PageState {
        q: "x".into(),
        page: 7,
        ..PageState::default()
    };
    let labels: Vec<String> = page_links(&state, 20)
        .into_iter()
        .map(|l| {
            if l.current {
                format!("[{}]", l.label)
            } else {
                l.label
            }
        })
        .collect();
    assert_eq!(labels, ["1", "…", "5", "6", "[7]", "8", "9", "…", "20"]);
    assert!(page_links(&state, 1).is_empty());
}

#[test]
fn estimated_counts_are_said_to_be() {
    use crate::search::facets::{FacetCounts, FacetValue};
    let state = PageState {
        q: "contrat".into(),
        ..PageState::default()
    };
    let response = |estimated| crate::search::SearchResponse {
        understood: "contrat".into(),
        truncated: false,
        total: 98_116,
        total_estimated: estimated,
        offset: 0,
        hits: Vec::new(),
        facets: vec![FacetCounts {
            name: "reseau".into(),
            values: vec![FacetValue {
                value: "cio".into(),
                count: 24_530,
            }],
        }],
        suggestion: None,
        renamed: Vec::new(),
        took_ms: 1.0,
    };
    let view = |estimated| {
        let found = SearchPage {
            text: "contrat".into(),
            page: crate::server::service::Page::new(1, 10).expect("page"),
            last_page: 1,
            response: response(estimated),
        };
        ResultsView::new(&state, found, None)
    };
    let estimated = view(true);
    assert_eq!(
        estimated.summary,
        "Environ 98\u{202f}116 documents trouvés (nombre estimé)"
    );
    assert_eq!(estimated.facets[0].values[0].count, "environ 24\u{202f}530");
    let exact = view(false);
    assert_eq!(exact.summary, "98\u{202f}116 documents trouvés");
    assert_eq!(exact.facets[0].values[0].count, "24\u{202f}530");
}
