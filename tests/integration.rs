//! The integration test binary: indexing the real corpus, searching it, and (in their own
//! modules) the service.

#[path = "integration/support.rs"]
mod support;

#[path = "integration/indexing.rs"]
mod indexing;

#[path = "integration/snapshot.rs"]
mod snapshot;

#[path = "integration/search.rs"]
mod search;

#[path = "integration/api.rs"]
mod api;

#[path = "integration/web.rs"]
mod web;

#[path = "integration/admin.rs"]
mod admin;

#[path = "integration/limits.rs"]
mod limits;

#[path = "integration/live.rs"]
mod live;

#[path = "integration/indicators.rs"]
mod indicators;

#[path = "integration/usage.rs"]
mod usage;

#[path = "integration/replica.rs"]
mod replica;

#[path = "integration/answers.rs"]
mod answers;

#[path = "integration/semantic.rs"]
mod semantic;

#[path = "integration/freshness.rs"]
mod freshness;

#[path = "integration/synonyms.rs"]
mod synonyms;

#[path = "integration/qualifications.rs"]
mod qualifications;
