//! JSON extractor (placeholder).
use super::{ExtractError, Extracted};
/// Mapping of a JSON export.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonMapping {
    pub id: String,
    pub records: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub body: Vec<String>,
    #[serde(default)]
    pub headings: Vec<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub date: Option<String>,
    pub date_format: Option<String>,
    pub url: Option<String>,
    pub language: Option<String>,
}
/// Extracts records.
pub fn extract(
    _bytes: &[u8],
    _mapping: &JsonMapping,
) -> Result<Vec<Result<Extracted, ExtractError>>, ExtractError> {
    Err(ExtractError::Unsupported("json".into()))
}
