//! Office extractor (placeholder).
use super::{ExtractError, Extracted};
/// Extracts DOCX.
pub fn extract_docx(_bytes: &[u8]) -> Result<Extracted, ExtractError> {
    Err(ExtractError::Unsupported("docx".into()))
}
/// Extracts ODT.
pub fn extract_odt(_bytes: &[u8]) -> Result<Extracted, ExtractError> {
    Err(ExtractError::Unsupported("odt".into()))
}
