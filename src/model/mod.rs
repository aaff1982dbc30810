//! The model at the bottom of spo-search: what a document is, everywhere else.
//!
//! - what an extractor found ([`Extracted`]), its [`Format`], its [`Date`], the reading of
//!   language tags ([`iso_639_1`]), the block markup of its text ([`blocks`]): from the
//!   `spo-extract` crate, which every format of the corpus is read by;
//! - the [`Metadata`] a source gives its documents, the [`Lang`] of a text, and the
//!   [`Document`] ready to index, how long it stays current ([`freshness`]) and the work it
//!   is one file of ([`work`]);
//! - the [`Facet`]s results are counted and filtered by, one line each, and the [`Filter`]s
//!   on them, and the French [`label`]s of their values; the [`territory`] a document
//!   covers, in the region's geography;
//! - the typed [`link`]s between documents, from the codes their data carries.
//!
//! This module imports no other module of spo-search: every other one imports it.

mod document;
mod facet;
pub mod freshness;
pub mod label;
mod lang;
pub mod link;
pub mod territory;
pub mod work;

pub use document::{is_web_url, Document, Metadata};
pub use facet::{Facet, Facets, Filter, FilterError, Origin, UNSET};
pub use lang::Lang;
pub use spo_extract::date::{Date, DateFormat};
pub use spo_extract::language::iso_639_1;
pub use spo_extract::{blocks, Code, Extracted, Format, Reference, Relation};
