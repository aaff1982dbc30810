//! The index schema: which fields a document has, how each is analyzed, and the resolved
//! [`Fields`] handles that the rest of the code uses instead of looking fields up by name.
//!
//! Text is indexed twice: per language with that language's stemmed analyzer (`title_fr`,
//! `body_fr`, ...) and once folded but unstemmed (`title_exact`, `body_exact`) for exact,
//! prefix and typo-tolerant matching. Metadata used as facets and filters are raw strings
//! with fast columns.

mod document;

pub use document::{decode_word_marks, stored_text, stored_texts, stored_u64s, to_tantivy};

use std::path::{Path, PathBuf};

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};
use tantivy::Index;

use crate::analysis;
use crate::model::{Facet, Facets, Lang};

/// Version of the schema and of the analysis: a change forces a full rebuild.
pub const SCHEMA_VERSION: u32 = 6;

/// The stemmed fields of one language.
#[derive(Clone, Copy, Debug)]
pub struct LangFields {
    pub lang: Lang,
    pub title: Field,
    pub headings: Field,
    pub keywords: Field,
    pub body: Field,
}

/// Every field of the schema, resolved once.
#[derive(Clone, Debug)]
pub struct Fields {
    pub id: Field,
    pub title: Field,
    pub alt_titles: Field,
    pub description: Field,
    pub headings: Field,
    pub keywords: Field,
    pub body: Field,
    pub page_starts: Field,
    /// Byte offsets of every 32nd word of the body, little-endian u32s: snippets locate
    /// the positions of matches read from the index with them.
    pub word_marks: Field,
    /// The document's semantic vector (`semantic::embed::quantize`), a fast column read for
    /// the re-ranked candidates; absent when indexed without a table.
    pub semantic: Field,
    pub url: Field,
    pub path: Field,
    pub date: Field,
    pub date_key: Field,
    /// The last day the document is current (`model::freshness`), `YYYY-MM-DD`; absent
    /// without a date.
    pub stale_after: Field,
    /// The key of the work the document is one file of (`model::work`), when it is not its
    /// id: a string column, read by re-ranking to show one result per work.
    pub work: Field,
    pub publisher: Field,
    pub title_exact: Field,
    pub body_exact: Field,
    /// French derivational roots of the title and body.
    pub title_root: Field,
    pub body_root: Field,
    pub langs: Vec<LangFields>,
    /// The field of each facet.
    pub facets: Facets<Field>,
}

fn text_options(analyzer: &str, stored: bool) -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(analyzer)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let options = TextOptions::default().set_indexing_options(indexing);
    if stored {
        options.set_stored()
    } else {
        options
    }
}

/// Builds the schema.
pub fn build_schema() -> Schema {
    let mut builder = Schema::builder();
    builder.add_text_field("id", STRING | STORED | FAST);
    // The title column feeds re-ranking and completions.
    builder.add_text_field("title", TextOptions::default().set_stored().set_fast("raw"));
    for name in [
        "alt_titles",
        "description",
        "headings",
        "keywords",
        "body",
        "url",
    ] {
        builder.add_text_field(name, STORED);
    }
    builder.add_text_field("path", STRING | STORED);
    builder.add_text_field("date", STORED);
    builder.add_text_field("stale_after", STORED);
    builder.add_text_field("work", STRING | FAST);
    builder.add_text_field("publisher", STORED);
    builder.add_u64_field("page_starts", STORED);
    builder.add_bytes_field("word_marks", STORED);
    builder.add_bytes_field("semantic", FAST);
    builder.add_i64_field("date_key", INDEXED | FAST);
    builder.add_text_field("title_exact", text_options(analysis::EXACT, false));
    builder.add_text_field("body_exact", text_options(analysis::EXACT, false));
    builder.add_text_field("title_root", text_options(analysis::ROOT, false));
    builder.add_text_field("body_root", text_options(analysis::ROOT, false));
    for lang in Lang::ALL {
        for part in ["title", "headings", "keywords", "body"] {
            let name = format!("{part}_{}", lang.code());
            builder.add_text_field(&name, text_options(lang.analyzer(), false));
        }
    }
    for facet in Facet::ALL {
        builder.add_text_field(facet.field_name(), STRING | STORED | FAST);
    }
    builder.build()
}

impl Fields {
    /// Resolves the handles of a schema made by [`build_schema`].
    pub fn resolve(schema: &Schema) -> tantivy::Result<Fields> {
        let field = |name: &str| schema.get_field(name);
        let mut langs = Vec::new();
        for lang in Lang::ALL {
            let code = lang.code();
            langs.push(LangFields {
                lang,
                title: field(&format!("title_{code}"))?,
                headings: field(&format!("headings_{code}"))?,
                keywords: field(&format!("keywords_{code}"))?,
                body: field(&format!("body_{code}"))?,
            });
        }
        let facets = Facets::try_from_fn(|facet| field(facet.field_name()))?;
        Ok(Fields {
            id: field("id")?,
            title: field("title")?,
            alt_titles: field("alt_titles")?,
            description: field("description")?,
            headings: field("headings")?,
            keywords: field("keywords")?,
            body: field("body")?,
            page_starts: field("page_starts")?,
            word_marks: field("word_marks")?,
            semantic: field("semantic")?,
            url: field("url")?,
            path: field("path")?,
            date: field("date")?,
            date_key: field("date_key")?,
            stale_after: field("stale_after")?,
            work: field("work")?,
            publisher: field("publisher")?,
            title_exact: field("title_exact")?,
            body_exact: field("body_exact")?,
            title_root: field("title_root")?,
            body_root: field("body_root")?,
            langs,
            facets,
        })
    }

    /// The stemmed fields of `lang`.
    pub fn lang(&self, lang: Lang) -> &LangFields {
        let index = Lang::ALL.iter().position(|l| *l == lang).unwrap_or(0);
        &self.langs[index]
    }

    /// The field of `facet`.
    pub fn facet(&self, facet: Facet) -> Field {
        self.facets[facet]
    }
}

/// Why an index folder could not be opened for searching.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("index folder {path}: cannot open: {source}")]
    Unreadable {
        path: PathBuf,
        source: tantivy::TantivyError,
    },
    #[error(
        "index folder {path}: made by another version of spo-search; re-run `spo-search index`"
    )]
    OtherSchema { path: PathBuf },
}

/// Opens an existing index with its analyzers registered, and resolves its fields.
pub fn open(dir: &Path) -> Result<(Index, Fields), OpenError> {
    let index = Index::open_in_dir(dir).map_err(|source| OpenError::Unreadable {
        path: dir.to_path_buf(),
        source,
    })?;
    analysis::register(&index);
    let fields = Fields::resolve(&index.schema()).map_err(|_| OpenError::OtherSchema {
        path: dir.to_path_buf(),
    })?;
    Ok((index, fields))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_resolves_and_each_facet_has_a_fast_stored_field() {
        let schema = build_schema();
        let fields = Fields::resolve(&schema).expect("schema fields");
        assert_eq!(fields.langs.len(), Lang::ALL.len());
        for facet in Facet::ALL {
            assert_eq!(
                schema.get_field_name(fields.facet(facet)),
                facet.field_name()
            );
            let entry = schema.get_field_entry(fields.facet(facet));
            assert!(
                entry.is_fast() && entry.is_stored(),
                "{}",
                facet.field_name()
            );
        }
    }
}
