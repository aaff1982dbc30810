//! The query tree made fit for scoring a few candidates by seeking to each. tantivy's union of
//! clauses is buffered: a seek past its window fills the next 4,096 documents of every
//! clause, so that scoring 200 candidates spread over a large index walks most of it, as a
//! full search would. Here each boolean query of the tree becomes a [`SeekUnion`], which
//! seeks its clauses to the document asked and sums the scores of those that have it: its
//! cost is that of the clauses' skip lists, whatever the index's size.

use tantivy::query::{BooleanQuery, EnableScoring, Explanation, Occur, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, TERMINATED};

use crate::search::rank::Weighted;

/// `query` with each boolean query a [`SeekUnion`] and each weighted clause kept weighted;
/// the other clauses (terms, phrases, filters) as they are.
pub fn for_seeking(query: &dyn Query) -> Box<dyn Query> {
    if let Some(boxed) = query.downcast_ref::<Box<dyn Query>>() {
        return for_seeking(boxed.as_ref());
    }
    if let Some(boolean) = query.downcast_ref::<BooleanQuery>() {
        return Box::new(SeekUnion {
            clauses: boolean
                .clauses()
                .iter()
                .map(|(occur, clause)| (*occur, for_seeking(clause.as_ref())))
                .collect(),
            minimum: boolean.get_minimum_number_should_match(),
        });
    }
    if let Some(weighted) = query.downcast_ref::<Weighted>() {
        return Box::new(Weighted::new(
            for_seeking(weighted.inner()),
            weighted.weight(),
        ));
    }
    query.box_clone()
}

/// A boolean query scored by seeking: the documents that have every `Must` clause, none of
/// the `MustNot` ones and at least `minimum` of the `Should` ones (one when there is no `Must`
/// clause), scored by the sum of the scores of the clauses they have, as tantivy's.
#[derive(Debug)]
pub struct SeekUnion {
    clauses: Vec<(Occur, Box<dyn Query>)>,
    minimum: usize,
}

impl Clone for SeekUnion {
    fn clone(&self) -> SeekUnion {
        SeekUnion {
            clauses: self
                .clauses
                .iter()
                .map(|(o, c)| (*o, c.box_clone()))
                .collect(),
            minimum: self.minimum,
        }
    }
}

impl Query for SeekUnion {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let clauses = self
            .clauses
            .iter()
            .map(|(occur, clause)| Ok((*occur, clause.weight(scoring)?)))
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(SeekUnionWeight {
            clauses,
            minimum: self.minimum,
        }))
    }
}

struct SeekUnionWeight {
    clauses: Vec<(Occur, Box<dyn Weight>)>,
    minimum: usize,
}

impl Weight for SeekUnionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut scorer = SeekUnionScorer {
            must: Vec::new(),
            should: Vec::new(),
            must_not: Vec::new(),
            minimum: self.minimum,
            doc: 0,
        };
        for (occur, weight) in &self.clauses {
            let clause = weight.scorer(reader, boost)?;
            match occur {
                Occur::Must => scorer.must.push(clause),
                Occur::Should => scorer.should.push(clause),
                Occur::MustNot => scorer.must_not.push(clause),
            }
        }
        if scorer.must.is_empty() {
            scorer.minimum = scorer.minimum.max(1);
        }
        scorer.doc = scorer.find(0);
        Ok(Box::new(scorer))
    }

    fn explain(&self, _: &SegmentReader, _: DocId) -> tantivy::Result<Explanation> {
        Err(TantivyError::InvalidArgument(
            "the candidates' scoring query explains nothing".to_string(),
        ))
    }
}

struct SeekUnionScorer {
    must: Vec<Box<dyn Scorer>>,
    should: Vec<Box<dyn Scorer>>,
    must_not: Vec<Box<dyn Scorer>>,
    minimum: usize,
    doc: DocId,
}

/// Moves `clause` to its first document at or after `target`.
fn reach(clause: &mut dyn Scorer, target: DocId) -> DocId {
    if clause.doc() < target {
        clause.seek(target)
    } else {
        clause.doc()
    }
}

impl SeekUnionScorer {
    /// The first document at or after `target` that matches.
    fn find(&mut self, mut target: DocId) -> DocId {
        while target != TERMINATED {
            let candidate = if self.must.is_empty() {
                let next = self
                    .should
                    .iter_mut()
                    .map(|c| reach(c.as_mut(), target))
                    .min();
                next.unwrap_or(TERMINATED)
            } else {
                self.all_must_from(target)
            };
            if candidate == TERMINATED {
                return TERMINATED;
            }
            let shoulds = self
                .should
                .iter_mut()
                .filter_map(|c| (reach(c.as_mut(), candidate) == candidate).then_some(()))
                .count();
            let excluded = self
                .must_not
                .iter_mut()
                .any(|c| reach(c.as_mut(), candidate) == candidate);
            if shoulds >= self.minimum && !excluded {
                return candidate;
            }
            target = candidate + 1;
        }
        TERMINATED
    }

    /// The first document at or after `target` that every `Must` clause has.
    fn all_must_from(&mut self, mut target: DocId) -> DocId {
        loop {
            let mut furthest = target;
            for clause in &mut self.must {
                furthest = furthest.max(reach(clause.as_mut(), target));
            }
            if furthest == target || furthest == TERMINATED {
                return furthest;
            }
            target = furthest;
        }
    }
}

impl DocSet for SeekUnionScorer {
    fn advance(&mut self) -> DocId {
        self.doc = match self.doc {
            TERMINATED => TERMINATED,
            doc => self.find(doc + 1),
        };
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc < target {
            self.doc = self.find(target);
        }
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        let clauses = self.must.iter().chain(&self.should);
        clauses.map(|c| c.size_hint()).max().unwrap_or(0)
    }
}

impl Scorer for SeekUnionScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        let mut total = 0.0;
        for clause in self.must.iter_mut().chain(self.should.iter_mut()) {
            if clause.doc() == doc {
                total += clause.score();
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::query::TermQuery;
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index, Term};

    /// Every document and score of `query`, walked in order.
    fn walk(scorer: &mut dyn Scorer) -> Vec<(DocId, Score)> {
        let mut found = Vec::new();
        while scorer.doc() != TERMINATED {
            found.push((scorer.doc(), scorer.score()));
            scorer.advance();
        }
        found
    }

    #[test]
    fn a_seek_union_finds_and_scores_what_the_boolean_query_does() {
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        let words = ["contrat", "apprentissage", "salaire", "stage", "cuisine"];
        for n in 0..3_000usize {
            let body: Vec<&str> = (0..words.len())
                .filter(|w| (n * 7 + w * 3) % (w + 2) == 0)
                .map(|w| words[w])
                .collect();
            writer.add_document(doc!(text => body.join(" "))).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let term = |word: &str| -> Box<dyn Query> {
            let term = Term::from_field_text(text, word);
            Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
        };
        let weighted =
            |word: &str, weight| -> Box<dyn Query> { Box::new(Weighted::new(term(word), weight)) };
        let either: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
            (Occur::Should, weighted("contrat", 2.0)),
            (Occur::Should, term("apprentissage")),
        ]));
        let queries: Vec<Box<dyn Query>> = vec![
            either.box_clone(),
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, either.box_clone()),
                (Occur::Should, weighted("salaire", 0.5)),
                (Occur::MustNot, term("stage")),
            ])),
            Box::new(BooleanQuery::with_minimum_required_clauses(
                vec![
                    (Occur::Should, term("contrat")),
                    (Occur::Should, term("salaire")),
                    (Occur::Should, term("cuisine")),
                ],
                2,
            )),
        ];
        let scoring = EnableScoring::enabled_from_searcher(&searcher);
        let reader = searcher.segment_reader(0);
        for query in queries {
            let expected = walk(
                query
                    .weight(scoring)
                    .unwrap()
                    .scorer(reader, 1.0)
                    .unwrap()
                    .as_mut(),
            );
            let seeking = for_seeking(query.as_ref());
            let weight = seeking.weight(scoring).unwrap();
            let found = walk(weight.scorer(reader, 1.0).unwrap().as_mut());
            assert!(!expected.is_empty(), "{query:?}");
            assert_eq!(found.len(), expected.len(), "{query:?}");
            for ((doc, score), (expected_doc, expected_score)) in found.iter().zip(&expected) {
                assert_eq!(doc, expected_doc);
                assert!(
                    (score - expected_score).abs() < 1e-4,
                    "{doc}: {score} {expected_score}"
                );
            }
            // Seeking to every 37th match scores it as the walk did.
            let mut scorer = weight.scorer(reader, 1.0).unwrap();
            for (doc, score) in expected.iter().step_by(37) {
                assert_eq!(scorer.seek(*doc), *doc);
                assert!((scorer.score() - score).abs() < 1e-4);
            }
        }
    }
}
