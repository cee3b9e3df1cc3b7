//! Ranking by how many of the searcher's words an offering matches, then by relevance (the
//! "words" rule of Meilisearch): each meaningful word's query scores `TIER` more when it matches,
//! so the score's multiple of `TIER` counts the words matched and the remainder is BM25. One pass
//! over the postings gives both, where running the query once per tier would take several.

use std::fmt;
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term};

/// What one matched word adds to the score. Far above what BM25 gives one word (a few tens at
/// most, even summed over a query's 32 words), so tiers never mix.
pub const TIER: Score = 10_000.0;

/// The number of words a score says were matched, and the relevance left over.
pub fn split(score: Score) -> (u32, Score) {
    // Scores are never negative, so the cast's truncation is the floor (without a call to it).
    let tier = (score / TIER).max(0.0) as u32;
    (tier, score - tier as Score * TIER)
}

/// A query whose matches score `TIER` more than its inner query gives them.
#[derive(Debug)]
pub struct Counted(pub Box<dyn Query>);

impl Clone for Counted {
    fn clone(&self) -> Self {
        Counted(self.0.box_clone())
    }
}

impl Query for Counted {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let inner = self.0.weight(scoring)?;
        Ok(if scoring.is_scoring_enabled() {
            Box::new(CountedWeight(inner))
        } else {
            inner
        })
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor)
    }
}

struct CountedWeight(Box<dyn Weight>);

impl Weight for CountedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(CountedScorer(self.0.scorer(reader, boost)?)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let inner = self.0.explain(reader, doc)?;
        let mut explanation = Explanation::new("one matched word", inner.value() + TIER);
        explanation.add_detail(inner);
        Ok(explanation)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.0.count(reader)
    }
}

struct CountedScorer(Box<dyn Scorer>);

impl fmt::Debug for CountedScorer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CountedScorer")
    }
}

impl DocSet for CountedScorer {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.0.seek(target)
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }

    fn cost(&self) -> u64 {
        self.0.cost()
    }
}

impl Scorer for CountedScorer {
    fn score(&mut self) -> Score {
        self.0.score() + TIER
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_score_splits_into_words_matched_and_relevance() {
        let (words, rest) = split(3.0 * TIER + 12.5);
        assert_eq!(words, 3);
        assert!((rest - 12.5).abs() < 0.01);
        assert_eq!(split(7.25), (0, 7.25));
    }
}
