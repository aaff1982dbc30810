//! The only code that depends on tantivy's formats beyond its API, fenced here: reading its
//! stored-document records in place ([`stored`]), and rewriting the files of a commit that a
//! restore replaces, `meta.json` and `.managed.json` ([`meta`]).
//!
//! It was written for tantivy 0.27, the version pinned (`=0.27.x`) in `Cargo.toml`. Its
//! tests read and write these formats against tantivy itself, and one of them fails loudly
//! when the pin moves: an upgrade of tantivy starts here.

pub mod meta;
pub mod stored;

/// The tantivy version these formats were checked against, and its index format.
pub const CHECKED_WITH: &str = "tantivy v0.27.";
pub const CHECKED_INDEX_FORMAT: u32 = 7;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tantivy_is_the_version_these_formats_were_checked_with() {
        let version = tantivy::version_string();
        assert!(
            version.starts_with(CHECKED_WITH)
                && tantivy::INDEX_FORMAT_VERSION == CHECKED_INDEX_FORMAT,
            "{version} is not the version that src/tantivy_format was written for: check the \
             stored-record encoding, meta.json and .managed.json against it (the other tests \
             here), then update CHECKED_WITH and the pin in Cargo.toml"
        );
    }
}
