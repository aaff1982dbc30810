//! JSON export extractor: one document per record of a JSON (or JSON Lines) export.
//!
//! Which field of a record holds the id, title, body... is not guessed: documentalists write
//! it in the source's `source.toml`, under `[json]`, as a [`JsonMapping`] of field paths
//! (syntax in the `path` submodule). Text fields holding HTML markup are converted with
//! [`fragment_to_text`]; dates are read as ISO dates or with the mapping's `date_format`.
//! The `[json.metadata]` table maps per-record metadata (a national export mixes networks and
//! territories) by name to paths; the caller, which knows the facets, checks the names.

mod path;

use std::collections::BTreeMap;

use serde_json::Value;

use super::html::fragment_to_text;
use super::text::layout::collapse_whitespace;
use super::text::{lay_out_plain_text, require_text, unique_non_empty};
use super::{ExtractError, Extracted};
use crate::date::{Date, DateFormat};
use crate::language::iso_639_1;
use path::{scalar_text, FieldPath};

const FORMAT: &str = "json";

/// Where each document field is found in a record, as written under `[json]` in
/// `source.toml`. Every value is a field path: dot-separated keys, `name[]` walking every
/// element of an array (`sections[].html`).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonMapping {
    /// Path of the record key, which must give exactly one value (required).
    pub id: String,
    /// Path of the array of records, if the file is an object holding it.
    pub records: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// Paths whose texts, in this order, make the body.
    #[serde(default)]
    pub body: Vec<String>,
    #[serde(default)]
    pub headings: Vec<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub date: Option<String>,
    /// How `date` is written when it is not ISO 8601: strftime subset `%d %m %Y %y`, e.g.
    /// `"%d/%m/%Y"`.
    pub date_format: Option<String>,
    pub url: Option<String>,
    pub language: Option<String>,
    /// Metadata each record carries: a name (a facet's field name: `network`, `kind`,
    /// `audience`, `territory`...) → the path of its values in the record.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

impl JsonMapping {
    /// Checks the mapping (path syntax, date format) and explains the first problem found.
    pub fn validate(&self) -> Result<(), String> {
        CompiledMapping::new(self).map(drop)
    }
}

/// Extracts the records of a JSON export: a JSON array of records, an object holding the
/// array at the mapping's `records` path, or JSON Lines (one record per line).
///
/// The outer error is for a file that cannot be read at all (or an invalid mapping); each
/// record gets its own result, an error naming the record index (e.g. a missing id).
pub fn extract(
    bytes: &[u8],
    mapping: &JsonMapping,
) -> Result<Vec<Result<Extracted, ExtractError>>, ExtractError> {
    let mapping = CompiledMapping::new(mapping)
        .map_err(|reason| ExtractError::malformed(FORMAT, format!("mapping: {reason}")))?;
    let text = std::str::from_utf8(bytes)
        .map_err(|error| ExtractError::malformed(FORMAT, format!("not UTF-8: {error}")))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let records = read_records(text, mapping.records.as_ref())?;
    Ok(records
        .into_iter()
        .enumerate()
        .map(|(index, record)| record.and_then(|record| mapping.extract(index, &record)))
        .collect())
}

/// Splits the file into records; a JSON Lines line that does not parse is an error for
/// that record only.
fn read_records(
    text: &str,
    records_path: Option<&FieldPath>,
) -> Result<Vec<Result<Value, ExtractError>>, ExtractError> {
    if text.trim().is_empty() {
        return Err(ExtractError::malformed(FORMAT, "empty file"));
    }
    let whole_file_error = match serde_json::from_str::<Value>(text) {
        Ok(document) => {
            return records_of(document, records_path)
                .map(|records| records.into_iter().map(Ok).collect())
        }
        Err(error) => error,
    };
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .peekable();
    let is_json_lines = lines
        .peek()
        .is_some_and(|(_, first)| serde_json::from_str::<Value>(first).is_ok());
    if !is_json_lines {
        return Err(ExtractError::malformed(
            FORMAT,
            format!("invalid JSON: {whole_file_error}"),
        ));
    }
    Ok(lines
        .enumerate()
        .map(|(index, (line_index, line))| {
            serde_json::from_str(line).map_err(|error| {
                let line_number = line_index + 1;
                ExtractError::malformed(
                    FORMAT,
                    format!("record {index} (line {line_number}): invalid JSON: {error}"),
                )
            })
        })
        .collect())
}

/// The records of a parsed file: the array at `records_path`, the top-level array, or the
/// top-level object as the only record.
fn records_of(
    mut document: Value,
    records_path: Option<&FieldPath>,
) -> Result<Vec<Value>, ExtractError> {
    let records = match records_path {
        Some(path) => path.take(&mut document).ok_or_else(|| {
            ExtractError::malformed(FORMAT, format!("no `{}` in the file", path.as_str()))
        })?,
        None => document,
    };
    match records {
        Value::Array(records) => Ok(records),
        Value::Object(_) if records_path.is_none() => Ok(vec![records]),
        other => Err(ExtractError::malformed(
            FORMAT,
            format!("expected an array of records, found {}", kind_of(&other)),
        )),
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A [`JsonMapping`] with its paths and date format compiled.
struct CompiledMapping {
    id: FieldPath,
    records: Option<FieldPath>,
    title: Option<FieldPath>,
    description: Option<FieldPath>,
    body: Vec<FieldPath>,
    headings: Vec<FieldPath>,
    keywords: Vec<FieldPath>,
    date: Option<FieldPath>,
    date_format: Option<DateFormat>,
    url: Option<FieldPath>,
    language: Option<FieldPath>,
    metadata: Vec<(String, FieldPath)>,
}

impl CompiledMapping {
    fn new(mapping: &JsonMapping) -> Result<Self, String> {
        let optional = |path: &Option<String>| path.as_deref().map(FieldPath::parse).transpose();
        let list = |paths: &[String]| {
            paths
                .iter()
                .map(|path| FieldPath::parse(path))
                .collect::<Result<Vec<_>, _>>()
        };
        let records = optional(&mapping.records)?;
        if records.as_ref().is_some_and(FieldPath::walks_arrays) {
            return Err("`records` must lead to one array, without `[]`".to_owned());
        }
        if mapping.date_format.is_some() && mapping.date.is_none() {
            return Err("`date_format` is set but `date` is not".to_owned());
        }
        Ok(CompiledMapping {
            id: FieldPath::parse(&mapping.id)?,
            records,
            title: optional(&mapping.title)?,
            description: optional(&mapping.description)?,
            body: list(&mapping.body)?,
            headings: list(&mapping.headings)?,
            keywords: list(&mapping.keywords)?,
            date: optional(&mapping.date)?,
            date_format: mapping
                .date_format
                .as_deref()
                .map(DateFormat::parse)
                .transpose()?,
            url: optional(&mapping.url)?,
            language: optional(&mapping.language)?,
            metadata: mapping
                .metadata
                .iter()
                .map(|(name, path)| Ok((name.clone(), FieldPath::parse(path)?)))
                .collect::<Result<_, String>>()?,
        })
    }

    /// The document of record number `index`.
    fn extract(&self, index: usize, record: &Value) -> Result<Extracted, ExtractError> {
        let fail =
            |reason: String| ExtractError::malformed(FORMAT, format!("record {index}: {reason}"));
        if !record.is_object() {
            return Err(fail(format!("{} instead of an object", kind_of(record))));
        }
        let ids: Vec<String> = self
            .id
            .values(record)
            .into_iter()
            .filter_map(scalar_text)
            .map(|id| id.trim().to_owned())
            .filter(|id| !id.is_empty())
            .collect();
        let key = match ids.as_slice() {
            [id] => id.clone(),
            [] => return Err(fail(format!("no id at `{}`", self.id.as_str()))),
            _ => {
                return Err(fail(format!(
                    "{} ids at `{}`, one expected",
                    ids.len(),
                    self.id.as_str()
                )))
            }
        };
        let first_line = |path: &Option<FieldPath>| {
            path.as_ref()
                .and_then(|path| one_line_texts(path, record).into_iter().next())
        };
        let lines = |paths: &[FieldPath]| {
            unique_non_empty(paths.iter().flat_map(|path| one_line_texts(path, record)))
        };
        let date = first_line(&self.date).and_then(|date| {
            Date::from_iso(&date).or_else(|| {
                self.date_format
                    .as_ref()
                    .and_then(|format| format.read(&date))
            })
        });
        let extracted = Extracted {
            title: first_line(&self.title),
            description: first_line(&self.description),
            headings: lines(&self.headings),
            body: self
                .body
                .iter()
                .flat_map(|path| texts(path, record))
                .collect::<Vec<_>>()
                .join("\n\n"),
            keywords: lines(&self.keywords),
            date,
            url: first_line(&self.url),
            language: first_line(&self.language).and_then(|language| iso_639_1(&language)),
            key: Some(key.clone()),
            metadata: self
                .metadata
                .iter()
                .map(|(name, path)| (name.clone(), unique_non_empty(one_line_texts(path, record))))
                .filter(|(_, values)| !values.is_empty())
                .collect(),
            ..Extracted::default()
        };
        require_text(FORMAT, extracted).map_err(|_| fail(format!("id {key}: no title and no text")))
    }
}

/// The non-empty texts at `path`, laid out (HTML converted, paragraphs kept).
fn texts(path: &FieldPath, record: &Value) -> Vec<String> {
    path.values(record)
        .into_iter()
        .filter_map(scalar_text)
        .map(|text| {
            if looks_like_html(&text) {
                fragment_to_text(&text)
            } else {
                lay_out_plain_text(&text)
            }
        })
        .filter(|text| !text.is_empty())
        .collect()
}

/// The non-empty texts at `path`, each on one line.
fn one_line_texts(path: &FieldPath, record: &Value) -> Vec<String> {
    texts(path, record)
        .iter()
        .map(|text| collapse_whitespace(text))
        .collect()
}

/// Whether a string holds HTML: a tag (`<p`, `</`, `<!--`) closed somewhere after, or an
/// entity (`&amp;`, `&#233;`).
fn looks_like_html(text: &str) -> bool {
    let has_tag = text.as_bytes().windows(2).any(|pair| {
        matches!(pair, [b'<', next] if next.is_ascii_alphabetic() || *next == b'/' || *next == b'!')
    }) && text.contains('>');
    let has_entity = text.match_indices('&').any(|(at, _)| {
        let after = text.get(at + 1..).unwrap_or_default();
        let name_length = after
            .bytes()
            .take(11)
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'#')
            .count();
        (2..=10).contains(&name_length) && after.as_bytes().get(name_length) == Some(&b';')
    });
    has_tag || has_entity
}

#[cfg(test)]
mod tests;
