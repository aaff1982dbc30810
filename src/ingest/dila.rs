//! DILA extractor (placeholder).
use super::{ExtractError, Extracted};
/// Extracts a DILA fiche.
pub fn extract(_bytes: &[u8]) -> Result<Extracted, ExtractError> {
    Err(ExtractError::Unsupported("dila".into()))
}
