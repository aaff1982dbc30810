//! Keeping a served index up to date: background re-indexing, the corpus watcher, a
//! replica following a published folder, the documentalists' file operations and the admin
//! token. The HTTP side is `api::admin`.

pub mod follow;
pub mod reindex;
pub mod token;
pub mod upload;
pub mod watch;

pub use reindex::{Reindexer, RunOutcome};
pub use token::AdminToken;
