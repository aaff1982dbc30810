//! A clause of the ranking times its weight: tantivy's `BoostQuery`, whose parts the first
//! stage can read back to score its candidates by seeking ([`crate::search::first_stage`]).

use tantivy::query::{BoostQuery, EnableScoring, Query, Weight};
use tantivy::Term;

/// `inner`'s score times `weight`.
#[derive(Debug)]
pub struct Weighted {
    inner: Box<dyn Query>,
    weight: f32,
}

impl Clone for Weighted {
    fn clone(&self) -> Weighted {
        Weighted::new(self.inner.box_clone(), self.weight)
    }
}

impl Weighted {
    pub fn new(inner: Box<dyn Query>, weight: f32) -> Weighted {
        Weighted { inner, weight }
    }

    /// The weighted clause.
    pub fn inner(&self) -> &dyn Query {
        self.inner.as_ref()
    }

    /// Its weight.
    pub fn weight(&self) -> f32 {
        self.weight
    }
}

impl Query for Weighted {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        BoostQuery::new(self.inner.box_clone(), self.weight).weight(scoring)
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}
