//! One result as shown to clients: its stored fields, its highlighted title and snippets,
//! with the query's highlighters built once per search and language.

use serde::Serialize;
use tantivy::DocAddress;

use super::code;
use super::columns::Segments;
use super::query::ParsedQuery;
use super::snippet::{self, Highlighter, IndexedBody, Snippet, SCAN_BYTES};
use super::{highlight_text, Engine, SearchError};
use crate::model::{is_web_url, Facet, Lang};
use crate::schema::{decode_word_marks, Part};
use crate::tantivy_format::stored::{utf8_prefix, StoredDoc, StoredError};

/// One result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub id: String,
    /// The title, followed by the document's code when it has one ([`code::of_id`]).
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
    /// The last day the document is current, `YYYY-MM-DD` (`model::freshness`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale_after: Option<String>,
    pub score: f32,
    pub snippets: Vec<Snippet>,
    /// The other files of the same work: the same name with other extensions in one
    /// folder, or files that a `same_as` joins to it (`model::work`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_formats: Vec<OtherFormat>,
}

/// The same document in another format.
#[derive(Debug, Clone, Serialize)]
pub struct OtherFormat {
    pub id: String,
    pub format: String,
    /// Path of its file under the corpus.
    pub file: String,
}

impl Engine {
    /// One result: the stored fields of `address`, read in place from its segment's store,
    /// its title highlighted and, when asked, its snippets.
    pub(super) fn hit(
        &self,
        searcher: &tantivy::Searcher,
        segments: &Segments,
        address: DocAddress,
        score: f32,
        highlighters: &mut Highlighters,
        with_snippets: bool,
    ) -> Result<Hit, SearchError> {
        let segment = searcher.segment_reader(address.segment_ord);
        let store = segments
            .get(&segment.segment_id())
            .and_then(|columns| columns.store.as_ref())
            .ok_or(StoredError::StoreUnavailable)?;
        let doc = StoredDoc::parse(store.get_document_bytes(address.doc_id)?)?;
        let fields = &self.fields;
        let text = |field| -> Result<String, StoredError> {
            Ok(doc.text(field)?.unwrap_or_default().to_string())
        };
        let optional = |field| -> Result<Option<String>, StoredError> {
            Ok(doc.text(field)?.map(str::to_string))
        };
        let language = text(fields.facet(Facet::Language))?;
        let format = text(fields.facet(Facet::Format))?;
        let lang = Lang::from_code(&language).unwrap_or(Lang::Fr);
        let highlighter = highlighters.for_language(lang);
        let id = text(fields.id)?;
        let title = code::titled(&text(fields.title)?, code::of_id(&id));
        let snippets = if with_snippets {
            let body = doc.raw_text(fields.body).unwrap_or_default();
            let page_starts = doc.u64s(fields.page_starts);
            let marks = decode_word_marks(doc.bytes(fields.word_marks).unwrap_or_default());
            let found = if marks.is_empty() {
                Vec::new()
            } else {
                let located = IndexedBody {
                    segment,
                    doc: address.doc_id,
                    field: fields.text(Part::of_format_name(&format)).lang(lang).body,
                    body,
                    marks: &marks,
                };
                highlighter.indexed_snippets(located, &page_starts)?
            };
            if !found.is_empty() {
                found
            } else {
                // None of the query's words in the body (they matched the title, or another
                // form): the description, written to sum the document up, else the body's
                // start, or its words when it has no word marks.
                let description = doc.text(fields.description)?.unwrap_or_default();
                if !description.trim().is_empty() {
                    highlighter.summary(description)
                } else if marks.is_empty() {
                    highlighter.snippets(utf8_prefix(body, SCAN_BYTES)?, &page_starts)
                } else {
                    snippet::opening(body, &page_starts)?
                }
            }
        } else {
            Vec::new()
        };
        Ok(Hit {
            id,
            title_html: highlighter.highlight(&title),
            title,
            network: text(fields.facet(Facet::Network))?,
            kind: text(fields.facet(Facet::Kind))?,
            audience: doc
                .texts(fields.facet(Facet::Audience))?
                .into_iter()
                .map(str::to_string)
                .collect(),
            territory: text(fields.facet(Facet::Territory))?,
            language,
            format,
            source: text(fields.facet(Facet::Source))?,
            url: optional(fields.url)?.filter(|url| is_web_url(url)),
            file: text(fields.path)?,
            date: optional(fields.date)?,
            stale_after: optional(fields.stale_after)?,
            score,
            snippets,
            other_formats: Vec::new(),
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
