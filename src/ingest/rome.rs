//! ROME extractor (placeholder).
use super::{ExtractError, Extracted};
/// Extracts a ROME release folder.
pub fn extract(_dir: &std::path::Path) -> Result<Vec<Extracted>, ExtractError> {
    Err(ExtractError::Unsupported("rome".into()))
}
