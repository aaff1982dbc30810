//! One result as shown to clients: its stored fields, its highlighted title and snippets,
//! with the query's highlighters built once per search and language.

use serde::Serialize;
use tantivy::{DocAddress, TantivyDocument};

use super::query::ParsedQuery;
use super::snippet::{Highlighter, IndexedBody, Snippet};
use super::{highlight_text, SearchError, Searcher};
use crate::analysis::Lang;
use crate::schema::{stored_text, stored_texts, stored_u64s, stored_word_marks};

/// One result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub id: String,
    pub title: String,
    /// Title as escaped HTML with matched words in `<mark>`.
    pub title_html: String,
    pub kind: String,
    pub network: String,
    pub source: String,
    pub format: String,
    pub audience: Vec<String>,
    pub territory: String,
    pub language: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Path of the original file under the corpus.
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    pub score: f32,
    pub snippets: Vec<Snippet>,
}

impl Searcher {
    /// One result: the stored fields of `address`, its title highlighted and, when asked,
    /// its snippets.
    pub(super) fn hit(
        &self,
        searcher: &tantivy::Searcher,
        address: DocAddress,
        score: f32,
        highlighters: &mut Highlighters,
        with_snippets: bool,
    ) -> Result<Hit, SearchError> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let fields = &self.fields;
        let facet = |index: usize| stored_text(&doc, fields.facets[index]).unwrap_or_default();
        let language = facet(4);
        let lang = Lang::from_code(&language).unwrap_or(Lang::Fr);
        let highlighter = highlighters.for_language(lang);
        let title = stored_text(&doc, fields.title).unwrap_or_default();
        let snippets = if with_snippets {
            let body = stored_text(&doc, fields.body).unwrap_or_default();
            let page_starts = stored_u64s(&doc, fields.page_starts);
            let marks = stored_word_marks(&doc, fields.word_marks);
            if body.trim().is_empty() {
                let description = stored_text(&doc, fields.description).unwrap_or_default();
                highlighter.snippets(&description, &[])
            } else if marks.is_empty() {
                highlighter.snippets(&body, &page_starts)
            } else {
                let located = IndexedBody {
                    segment: searcher.segment_reader(address.segment_ord),
                    doc: address.doc_id,
                    field: fields.lang(lang).body,
                    body: &body,
                    marks: &marks,
                };
                highlighter.indexed_snippets(located, &page_starts)?
            }
        } else {
            Vec::new()
        };
        Ok(Hit {
            id: stored_text(&doc, fields.id).unwrap_or_default(),
            title_html: highlighter.highlight(&title),
            title,
            network: facet(0),
            kind: facet(1),
            audience: stored_texts(&doc, fields.facets[2]),
            territory: facet(3),
            language,
            format: facet(5),
            source: facet(6),
            url: stored_text(&doc, fields.url),
            file: stored_text(&doc, fields.path).unwrap_or_default(),
            date: stored_text(&doc, fields.date),
            score,
            snippets,
        })
    }
}

/// The query's highlighters, one per document language met, each built once per search.
pub(super) struct Highlighters {
    text: String,
    built: Vec<(Lang, Highlighter)>,
}

impl Highlighters {
    pub(super) fn new(parsed: &ParsedQuery) -> Highlighters {
        Highlighters {
            text: highlight_text(parsed),
            built: Vec::new(),
        }
    }

    pub(super) fn for_language(&mut self, lang: Lang) -> &Highlighter {
        let index = match self.built.iter().position(|(l, _)| *l == lang) {
            Some(index) => index,
            None => {
                self.built.push((lang, Highlighter::new(&self.text, lang)));
                self.built.len() - 1
            }
        };
        &self.built[index].1
    }
}
