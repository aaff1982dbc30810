//! Text extractor (placeholder).
use super::{ExtractError, Extracted};
/// Extracts plain text.
pub fn extract_plain(_bytes: &[u8]) -> Result<Extracted, ExtractError> {
    Err(ExtractError::Unsupported("txt".into()))
}
/// Extracts Markdown.
pub fn extract_markdown(_bytes: &[u8]) -> Result<Extracted, ExtractError> {
    Err(ExtractError::Unsupported("md".into()))
}
