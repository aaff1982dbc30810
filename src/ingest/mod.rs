//! Ingestion: finding the sources and units of `corpus/` ([`source`]) and turning each unit
//! into indexable documents ([`extract`]) with the extractors of the `spo-extract` crate,
//! under limits of size and time.

pub mod extract;
pub mod source;
