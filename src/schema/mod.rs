//! The index schema: which fields a document has, how each is analyzed, and the resolved
//! [`Fields`] handles that the rest of the code uses instead of looking fields up by name.
//!
//! Text is indexed twice: per language with that language's stemmed analyzer (`title_fr`,
//! `body_fr`, ...) and once folded but unstemmed (`title_exact`, `body_exact`) for exact,
//! prefix and typo-tolerant matching; French text a third time by its roots (`title_root`,
//! `body_root`), and once more all together, stemmed as French without positions, for the
//! first stage of a large search (`words`). Only the stemmed fields keep the positions of
//! their words, which phrases and snippets read; the exact and root fields are matched by
//! single terms, and their positions were a third of the postings that indexing wrote. Metadata used as facets and
//! filters are raw strings with fast columns.
//!
//! The corpus has two [`Part`]s, each with text fields of its own (the records' carry the
//! suffix `_rec`): the documentation (job fiches, rights, guides) and the referential
//! records (certifications, programmes, training offers), whose short and formulaic texts
//! would otherwise change the document frequencies and average lengths that rank the
//! documentation; the search gives each part its own BM25 statistics.

mod document;

pub use document::{
    decode_word_marks, semantic_text, semantic_vector, stored_text, stored_texts, stored_u64s,
    to_tantivy,
};

use std::path::{Path, PathBuf};

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};
use tantivy::Index;

use crate::analysis;
use crate::model::{Facet, Facets, Format, Lang};

/// Version of the schema, of the analysis and of what the extractors write: a change
/// forces a full rebuild.
pub const SCHEMA_VERSION: u32 = 11;

/// A part of the corpus, indexed in text fields of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    /// Documents that are read: job fiches, rights and procedures, guides.
    Documentation,
    /// Referential records, short and formulaic: certifications (RNCP), ONISEP fiches and
    /// programmes, training offers (LHÉO).
    Records,
}

impl Part {
    /// Both parts.
    pub const ALL: [Part; 2] = [Part::Documentation, Part::Records];

    /// The part of the documents of `format`.
    pub fn of(format: Format) -> Part {
        match format {
            Format::Rncp | Format::Onisep | Format::Lheo => Part::Records,
            _ => Part::Documentation,
        }
    }

    /// The part of the documents of the format named `name` (the `format` facet).
    pub fn of_format_name(name: &str) -> Part {
        Format::from_name(name).map_or(Part::Documentation, Part::of)
    }

    /// Suffix of its field names.
    fn suffix(self) -> &'static str {
        match self {
            Part::Documentation => "",
            Part::Records => "_rec",
        }
    }
}

/// The stemmed fields of one language.
#[derive(Clone, Copy, Debug)]
pub struct LangFields {
    pub lang: Lang,
    pub title: Field,
    pub headings: Field,
    pub keywords: Field,
    pub body: Field,
    /// Titles that other documents lend this one ([`crate::model::Document::vocabulary`]).
    pub vocabulary: Field,
}

/// The text fields of one part of the corpus.
#[derive(Clone, Debug)]
pub struct TextFields {
    pub part: Part,
    pub title_exact: Field,
    pub body_exact: Field,
    /// French derivational roots of the title and body.
    pub title_root: Field,
    pub body_root: Field,
    /// Every word of the title, description, body and vocabulary (the text that the ranking
    /// matches: not the keywords, which it weighs 0), stemmed as French, with frequencies and
    /// no positions: the one field per word of the first stage of a large search
    /// (`search::first_stage`).
    pub words: Field,
    pub langs: Vec<LangFields>,
}

impl TextFields {
    /// The stemmed fields of `lang`.
    pub fn lang(&self, lang: Lang) -> &LangFields {
        let index = Lang::ALL.iter().position(|l| *l == lang).unwrap_or(0);
        &self.langs[index]
    }
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
    /// The document's references to others, as stored ([`crate::model::link`]).
    pub links: Field,
    /// Indexed keys of those references (`leads-to rome:D1102`): who refers to a document.
    pub link_keys: Field,
    /// The text fields of each part, in the order of [`Part::ALL`].
    pub parts: [TextFields; 2],
    /// The field of each facet.
    pub facets: Facets<Field>,
}

/// An indexed, unstored text field analysed by `analyzer`, its postings holding `record`.
fn text_options(analyzer: &str, record: IndexRecordOption) -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(analyzer)
        .set_index_option(record);
    TextOptions::default().set_indexing_options(indexing)
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
    builder.add_text_field("links", STORED);
    builder.add_text_field("link_keys", STRING);
    builder.add_u64_field("page_starts", STORED);
    builder.add_bytes_field("word_marks", STORED);
    builder.add_bytes_field("semantic", FAST);
    builder.add_i64_field("date_key", INDEXED | FAST);
    for part in Part::ALL {
        let suffix = part.suffix();
        for (name, analyzer) in [
            ("title_exact", analysis::EXACT),
            ("body_exact", analysis::EXACT),
            ("title_root", analysis::ROOT),
            ("body_root", analysis::ROOT),
        ] {
            let options = text_options(analyzer, IndexRecordOption::WithFreqs);
            builder.add_text_field(&format!("{name}{suffix}"), options);
        }
        let words = text_options(Lang::Fr.analyzer(), IndexRecordOption::WithFreqs);
        builder.add_text_field(&format!("words{suffix}"), words);
        for lang in Lang::ALL {
            for name in ["title", "headings", "keywords", "body", "vocabulary"] {
                let name = format!("{name}_{}{suffix}", lang.code());
                let options =
                    text_options(lang.analyzer(), IndexRecordOption::WithFreqsAndPositions);
                builder.add_text_field(&name, options);
            }
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
        let text_fields = |part: Part| -> tantivy::Result<TextFields> {
            let suffix = part.suffix();
            let mut langs = Vec::new();
            for lang in Lang::ALL {
                let code = lang.code();
                langs.push(LangFields {
                    lang,
                    title: field(&format!("title_{code}{suffix}"))?,
                    headings: field(&format!("headings_{code}{suffix}"))?,
                    keywords: field(&format!("keywords_{code}{suffix}"))?,
                    body: field(&format!("body_{code}{suffix}"))?,
                    vocabulary: field(&format!("vocabulary_{code}{suffix}"))?,
                });
            }
            Ok(TextFields {
                part,
                title_exact: field(&format!("title_exact{suffix}"))?,
                body_exact: field(&format!("body_exact{suffix}"))?,
                title_root: field(&format!("title_root{suffix}"))?,
                body_root: field(&format!("body_root{suffix}"))?,
                words: field(&format!("words{suffix}"))?,
                langs,
            })
        };
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
            links: field("links")?,
            link_keys: field("link_keys")?,
            parts: [
                text_fields(Part::Documentation)?,
                text_fields(Part::Records)?,
            ],
            facets,
        })
    }

    /// The part whose text `field` holds; `None` for the fields of no part (id, facets...).
    pub fn part_of(&self, field: Field) -> Option<Part> {
        self.parts.iter().find_map(|text| {
            let own = [
                text.title_exact,
                text.body_exact,
                text.title_root,
                text.body_root,
                text.words,
            ];
            let stemmed = text
                .langs
                .iter()
                .flat_map(|l| [l.title, l.headings, l.keywords, l.body, l.vocabulary]);
            own.into_iter()
                .chain(stemmed)
                .any(|f| f == field)
                .then_some(text.part)
        })
    }

    /// The text fields of `part`.
    pub fn text(&self, part: Part) -> &TextFields {
        match part {
            Part::Documentation => &self.parts[0],
            Part::Records => &self.parts[1],
        }
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
        for part in Part::ALL {
            assert_eq!(fields.text(part).part, part);
            assert_eq!(fields.text(part).langs.len(), Lang::ALL.len());
        }
        let records_body = fields.text(Part::Records).lang(Lang::Fr).body;
        assert_eq!(schema.get_field_name(records_body), "body_fr_rec");
        assert_eq!(fields.part_of(records_body), Some(Part::Records));
        assert_eq!(
            fields.part_of(fields.text(Part::Documentation).title_exact),
            Some(Part::Documentation)
        );
        assert_eq!(fields.part_of(fields.id), None);
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
