//! HTML extractor (placeholder).
use super::{ExtractError, Extracted};
/// Extracts an HTML page.
pub fn extract(_bytes: &[u8]) -> Result<Extracted, ExtractError> {
    Err(ExtractError::Unsupported("html".into()))
}
