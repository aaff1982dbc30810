//! One document as stored, looked up by id, and the documents similar to it.

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{TantivyDocument, Term};

use super::code::{self, titled};
use super::hit::Highlighters;
use super::{query, Engine, Hit, SearchError, MAX_LIMIT};
use crate::model::link::Link;
use crate::model::{is_web_url, Facet, Facets};
use crate::schema::{stored_text, stored_texts, stored_u64s, Fields};

/// A document as the index stores it: its metadata and its extracted text.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDocument {
    pub id: String,
    /// The title followed by the document's code when it has one (the id when it has no
    /// title).
    pub title: String,
    /// Alternative titles (ROME appellations).
    pub alt_titles: Vec<String>,
    pub description: Option<String>,
    pub headings: Vec<String>,
    pub keywords: Vec<String>,
    /// The extracted text in a light block markup: blocks separated by blank lines,
    /// headings `## Titre`, list items `- item`, table rows `| cell | cell`.
    pub body: String,
    /// Byte offsets in `body` where each page starts; empty without pages.
    pub page_starts: Vec<u64>,
    pub url: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    /// The last day the document is current, `YYYY-MM-DD` (`model::freshness`).
    pub stale_after: Option<String>,
    pub publisher: Option<String>,
    /// The values of each facet.
    pub facets: Facets<Vec<String>>,
    /// Path of the original file under the corpus.
    pub file: String,
    /// Its links to other documents and theirs to it, grouped and ordered.
    pub links: Vec<Link>,
}

impl StoredDocument {
    fn read(doc: &TantivyDocument, fields: &Fields) -> StoredDocument {
        let text = |field| stored_text(doc, field);
        let id = text(fields.id).unwrap_or_default();
        StoredDocument {
            title: text(fields.title)
                .map_or_else(|| id.clone(), |title| titled(&title, code::of_id(&id))),
            alt_titles: stored_texts(doc, fields.alt_titles),
            description: text(fields.description),
            headings: stored_texts(doc, fields.headings),
            keywords: stored_texts(doc, fields.keywords),
            body: text(fields.body).unwrap_or_default(),
            page_starts: stored_u64s(doc, fields.page_starts),
            url: text(fields.url).filter(|url| is_web_url(url)),
            date: text(fields.date),
            stale_after: text(fields.stale_after),
            publisher: text(fields.publisher),
            facets: Facets::from_fn(|facet| stored_texts(doc, fields.facet(facet))),
            file: text(fields.path).unwrap_or_default(),
            links: Vec::new(),
            id,
        }
    }

    /// The first value of `facet`, or "".
    pub fn facet(&self, facet: Facet) -> &str {
        self.facets[facet].first().map_or("", String::as_str)
    }
}

impl Engine {
    /// The stored document with id `id`, if any, with its links resolved on the same
    /// commit.
    pub fn document(&self, id: &str) -> Result<Option<StoredDocument>, SearchError> {
        let searcher = self.searcher();
        let Some(stored) = self.stored(&searcher, id)? else {
            return Ok(None);
        };
        let mut document = StoredDocument::read(&stored, &self.fields);
        let references = stored_texts(&stored, self.fields.links);
        document.links = self.links(&searcher, &document.id, &references)?;
        Ok(Some(document))
    }

    /// The stored document with id `id` on `searcher`'s commit.
    fn stored(
        &self,
        searcher: &tantivy::Searcher,
        id: &str,
    ) -> Result<Option<TantivyDocument>, SearchError> {
        let query = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let found = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        match found.first() {
            Some((_, address)) => Ok(Some(searcher.doc(*address)?)),
            None => Ok(None),
        }
    }

    /// Documents like the one with `id`: its title and key words as a query, itself
    /// excluded; the document and its neighbours are read from the same commit.
    pub fn similar(&self, id: &str, limit: usize) -> Result<Option<Vec<Hit>>, SearchError> {
        let searcher = self.searcher();
        let Some(doc) = self.stored(&searcher, id)? else {
            return Ok(None);
        };
        let title = stored_text(&doc, self.fields.title).unwrap_or_default();
        let mut text = title.clone();
        for keyword in stored_texts(&doc, self.fields.keywords).iter().take(8) {
            text.push(' ');
            text.push_str(keyword);
        }
        let parsed = query::parse(&text);
        let langs = self.languages(&searcher);
        let query = self.query(&searcher, &parsed, &langs, false);
        let not_itself = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let query = BooleanQuery::new(vec![
            (Occur::Must, query),
            (Occur::MustNot, Box::new(not_itself)),
        ]);
        let found = searcher.search(
            &query,
            &TopDocs::with_limit(limit.clamp(1, MAX_LIMIT)).order_by_score(),
        )?;
        let mut highlighters = Highlighters::new(&parsed);
        let segments = self.columns.for_searcher(&searcher);
        let mut hits = Vec::new();
        for (score, address) in found {
            let hit = self.hit(
                &searcher,
                &segments,
                address,
                score,
                &mut highlighters,
                false,
            )?;
            hits.push(hit);
        }
        Ok(Some(hits))
    }
}
