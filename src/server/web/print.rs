//! The print view: the documents a counsellor chose on the result page (`doc=` in the
//! address, a selection to print or share), or else the first results of the search.

use crate::search::StoredDocument;
use crate::server::links::document_page_path;
use crate::server::service::SearchPage;

use super::escape;
use super::labels::{date_label, number_label, value_label};
use super::params::PageState;
use super::view::{HitView, Link, SnippetView, StaleNotice};

/// Numbers of first results the print view offers to print instead.
const FIRST_CHOICES: [usize; 3] = [20, 50, 100];
/// Bytes of a chosen document's text shown when it has no description.
const OPENING_BYTES: usize = 300;

/// What the print view shows.
pub struct PrintView {
    /// "3 documents choisis", "595 documents trouvés ; les 50 premiers".
    pub summary: String,
    /// The address of this very list, to find it again or share it.
    pub share_url: String,
    pub back_url: String,
    pub hits: Vec<HitView>,
    /// Print the first N results instead (none for a selection).
    pub choices: Vec<Link>,
}

impl PrintView {
    /// The first results of the search of `state`; `origin` makes the address absolute.
    pub fn of_search(state: &PageState, found: SearchPage, origin: &str) -> PrintView {
        let total = found.response.total;
        let hits: Vec<HitView> = found.response.hits.into_iter().map(HitView::from).collect();
        let summary = match total {
            0 => "Aucun document trouvé".to_string(),
            1 => "1 document trouvé".to_string(),
            n if n <= hits.len() => format!("{} documents trouvés", number_label(n)),
            n => format!(
                "{} documents trouvés ; voici les {} premiers",
                number_label(n),
                hits.len()
            ),
        };
        PrintView {
            summary,
            share_url: format!("{origin}{}", state.url()),
            back_url: state.with_print(false).at_page(1).url(),
            hits,
            choices: FIRST_CHOICES
                .into_iter()
                .filter(|&n| n != state.print_first && n < total.max(FIRST_CHOICES[0] + 1))
                .map(|n| Link {
                    text: format!("les {n} premiers"),
                    url: state.printing_first(n).url(),
                })
                .collect(),
        }
    }

    /// The documents chosen in `state` (`documents`, those of its ids that exist).
    pub fn of_selection(
        state: &PageState,
        documents: Vec<StoredDocument>,
        origin: &str,
    ) -> PrintView {
        let summary = match documents.len() {
            0 => "Aucun des documents choisis n’est dans le fonds documentaire".to_string(),
            1 => "1 document choisi".to_string(),
            n => format!("{} documents choisis", number_label(n)),
        };
        PrintView {
            summary,
            share_url: format!("{origin}{}", state.url()),
            back_url: state.with_print(false).at_page(1).url(),
            hits: documents.into_iter().map(chosen_hit).collect(),
            choices: Vec::new(),
        }
    }
}

/// A chosen document as a result of the list: its description, or the opening of its
/// text, as its extract.
fn chosen_hit(doc: StoredDocument) -> HitView {
    let extract = doc
        .description
        .clone()
        .filter(|d| !d.trim().is_empty())
        .unwrap_or_else(|| opening(&doc.body));
    let facet = |facet: crate::model::Facet| value_label(doc.facet(facet));
    HitView {
        title_html: escape(&doc.title),
        page_url: document_page_path(&doc.id),
        kind: facet(crate::model::Facet::Kind),
        network: facet(crate::model::Facet::Network),
        source: facet(crate::model::Facet::Source),
        date: doc.date.as_deref().map(date_label),
        stale: StaleNotice::of(
            doc.date.as_deref(),
            doc.stale_after.as_deref(),
            doc.url.as_deref(),
        ),
        language: facet(crate::model::Facet::Language),
        url: doc.url,
        snippets: vec![SnippetView {
            html: escape(&extract),
            page: None,
        }],
        other_formats: Vec::new(),
        title: doc.title,
        id: doc.id,
    }
}

/// The first words of a text without its block marks, whitespace collapsed, about
/// [`OPENING_BYTES`] long.
fn opening(body: &str) -> String {
    let mut out = String::new();
    for word in crate::model::blocks::plain_words(body) {
        if out.len() + word.len() > OPENING_BYTES {
            out.push('…');
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chosen_document_shows_its_opening_escaped() {
        assert_eq!(
            escape("<b>l'été & \"co\"</b>"),
            "&lt;b&gt;l&#39;été &amp; &quot;co&quot;&lt;/b&gt;"
        );
        let long = "mot ".repeat(200);
        let cut = opening(&long);
        assert!(
            cut.len() <= OPENING_BYTES + 3 && cut.ends_with('…'),
            "{cut}"
        );
    }
}
