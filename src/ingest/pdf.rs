//! PDF extractor (placeholder until the layout-based extractor lands).
use super::{ExtractError, Extracted};
/// Extracts a PDF.
pub fn extract(_bytes: &[u8]) -> Result<Extracted, ExtractError> {
    Err(ExtractError::Unsupported("pdf".into()))
}
