//! spo-search: the shared documentary search of the Service Public de l'Orientation (PACA).
//!
//! See `ARCHITECTURE.md` for the map of modules.

pub mod admin;
pub mod analysis;
pub mod cli;
pub mod index;
pub mod indicators;
pub mod ingest;
pub mod model;
pub mod schema;
pub mod search;
pub mod semantic;
pub mod server;
pub mod tantivy_format;
