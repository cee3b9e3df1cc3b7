//! The best matches by a sort key, as tantivy's `TopDocs::tweak_score` finds them, without
//! computing the key of a match whose score alone shows it cannot be among them.
//!
//! Why: a broad search ("library") matches nearly every offering, and reading each one's start
//! and tie-break for its key was a fifth of the search. In relevance order the score bounds the
//! key: once the best are known, the least score that could still reach them is worked out
//! (`least_score`), and most matches are left at one comparison of their score with it.
//!
//! Where scores are all but equal (a word in nearly every offering), the boost of a start soon
//! decides the order and that one comparison rules out little: the least score with the greatest
//! boost is below them all. So there is a second, higher floor, the least score with no boost,
//! and a match between the two is ruled out by whether its order may boost it at all (its start),
//! without the rest of its key.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// The sort key: primary, then sooner start, then a stable hash of the id.
pub type SortKey = (f64, f64, u64);

/// A segment's key of a match, from its document and score.
pub type SegmentKey = Box<dyn Fn(DocId, Score) -> SortKey>;

/// Whether a segment's document may have its key's primary part raised above what its score
/// gives (a relevance boost).
pub type SegmentBoosted = Box<dyn Fn(DocId) -> bool>;

/// A segment's order: each match's key, and which documents a boost may raise.
pub struct SegmentOrder {
    pub key: SegmentKey,
    pub boosted: SegmentBoosted,
}

/// The least score a match needs for its key's primary part to reach a given one, with the
/// greatest boost (`true`) or none: no match scoring less can have a key as great.
pub type LeastScore = fn(f64, bool) -> Score;

/// The `limit` best matches after `offset`, by the order `order` builds for each segment; with
/// `least_score` when the order has one.
pub struct TopKeys<F> {
    offset: usize,
    limit: usize,
    order: F,
    least_score: Option<LeastScore>,
}

impl<F> TopKeys<F>
where
    F: Fn(&SegmentReader) -> SegmentOrder + Send + Sync,
{
    pub fn new(limit: usize, offset: usize, order: F, least_score: Option<LeastScore>) -> Self {
        TopKeys {
            offset,
            limit,
            order,
            least_score,
        }
    }
}

/// A match as ranked: the greater key first, of equal keys the earlier document.
struct Ranked {
    key: SortKey,
    doc: DocAddress,
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key
            .partial_cmp(&other.key)
            .unwrap_or(Ordering::Equal)
            .then_with(|| other.doc.cmp(&self.doc))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ranked {}

pub struct SegmentTopKeys {
    ord: SegmentOrdinal,
    keep: usize,
    order: SegmentOrder,
    least_score: Option<LeastScore>,
    /// The least score that could still enter `best` (none until it is full).
    floor: Score,
    /// The least score that could still enter `best` without a boost.
    unboosted_floor: Score,
    /// The best so far, the least on top.
    best: BinaryHeap<Reverse<Ranked>>,
}

impl<F> Collector for TopKeys<F>
where
    F: Fn(&SegmentReader) -> SegmentOrder + Send + Sync,
{
    type Fruit = Vec<(SortKey, DocAddress)>;
    type Child = SegmentTopKeys;

    fn for_segment(
        &self,
        ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentTopKeys> {
        let keep = self.offset + self.limit;
        Ok(SegmentTopKeys {
            ord,
            keep,
            order: (self.order)(segment),
            least_score: self.least_score,
            floor: Score::NEG_INFINITY,
            unboosted_floor: Score::NEG_INFINITY,
            best: BinaryHeap::with_capacity(keep + 1),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(
        &self,
        segments: Vec<Vec<(SortKey, DocAddress)>>,
    ) -> tantivy::Result<Self::Fruit> {
        let mut all: Vec<Ranked> = segments
            .into_iter()
            .flatten()
            .map(|(key, doc)| Ranked { key, doc })
            .collect();
        all.sort_by(|a, b| b.cmp(a));
        Ok(all
            .into_iter()
            .skip(self.offset)
            .take(self.limit)
            .map(|ranked| (ranked.key, ranked.doc))
            .collect())
    }
}

impl SegmentTopKeys {
    /// Ranks a match the floors leave in, keeping it if it is among the best so far.
    #[inline(never)]
    fn offer(&mut self, doc: DocId, score: Score) {
        let ranked = Ranked {
            key: (self.order.key)(doc, score),
            doc: DocAddress::new(self.ord, doc),
        };
        if self.best.len() < self.keep {
            self.best.push(Reverse(ranked));
        } else if let Some(mut least) = self.best.peek_mut()
            && ranked > least.0
        {
            *least = Reverse(ranked);
        } else {
            return;
        }
        if self.best.len() == self.keep
            && let (Some(least_score), Some(Reverse(least))) = (self.least_score, self.best.peek())
        {
            self.floor = least_score(least.key.0, true);
            self.unboosted_floor = least_score(least.key.0, false);
        }
    }
}

impl SegmentCollector for SegmentTopKeys {
    type Fruit = Vec<(SortKey, DocAddress)>;

    // Inlined into the words' pass, so that a match the floors rule out costs no call.
    #[inline]
    fn collect(&mut self, doc: DocId, score: Score) {
        if score < self.floor || self.keep == 0 {
            return;
        }
        if score < self.unboosted_floor && !(self.order.boosted)(doc) {
            return;
        }
        self.offer(doc, score);
    }

    fn harvest(self) -> Self::Fruit {
        self.best
            .into_iter()
            .map(|Reverse(ranked)| (ranked.key, ranked.doc))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

    fn ranked(primary: f64, doc: DocId) -> Ranked {
        Ranked {
            key: (primary, 0.0, 0),
            doc: DocAddress::new(0, doc),
        }
    }

    #[test]
    fn the_greater_key_ranks_first_and_of_equal_keys_the_earlier_document() {
        assert!(ranked(2.0, 9) > ranked(1.0, 1));
        assert!(ranked(1.0, 1) > ranked(1.0, 2));
    }

    /// A segment whose keys are the score, raised by half for the documents `boosted` names.
    fn segment(
        keep: usize,
        boosted: fn(DocId) -> bool,
        computed: Arc<AtomicUsize>,
    ) -> SegmentTopKeys {
        SegmentTopKeys {
            ord: 0,
            keep,
            order: SegmentOrder {
                key: Box::new(move |doc, score| {
                    computed.fetch_add(1, AtomicOrdering::Relaxed);
                    let boost = if boosted(doc) { 1.5 } else { 1.0 };
                    (f64::from(score) * boost, 0.0, u64::from(doc))
                }),
                boosted: Box::new(boosted),
            },
            least_score: Some(|key, boosted| (if boosted { key / 1.5 } else { key }) as Score),
            floor: Score::NEG_INFINITY,
            unboosted_floor: Score::NEG_INFINITY,
            best: BinaryHeap::new(),
        }
    }

    fn best_of(segment: SegmentTopKeys) -> Vec<DocId> {
        let mut best: Vec<_> = segment
            .harvest()
            .into_iter()
            .map(|(_, at)| at.doc_id)
            .collect();
        best.sort();
        best
    }

    #[test]
    fn a_segment_keeps_its_best_and_skips_what_its_score_rules_out() {
        let computed = Arc::new(AtomicUsize::new(0));
        let mut segment = segment(2, |_| false, computed.clone());
        for (doc, score) in [(0, 1.0), (1, 5.0), (2, 3.0), (3, 0.5), (4, 4.0)] {
            segment.collect(doc, score);
        }
        assert_eq!(best_of(segment), vec![1, 4]);
        // Document 3 was ruled out by its score alone.
        assert_eq!(computed.load(AtomicOrdering::Relaxed), 4);
    }

    #[test]
    fn a_match_between_the_floors_is_ruled_out_only_when_nothing_may_boost_it() {
        let computed = Arc::new(AtomicUsize::new(0));
        // Even documents are boosted: their keys are half as great again as their scores.
        let mut segment = segment(2, |doc| doc % 2 == 0, computed.clone());
        // The best two so far: keys 9 and 7.5, so the floors are 5 (boosted) and 7.5.
        for (doc, score) in [(0, 5.0), (1, 9.0)] {
            segment.collect(doc, score);
        }
        // 7.0 is between the floors and unboosted: ruled out without its key.
        segment.collect(3, 7.0);
        assert_eq!(computed.load(AtomicOrdering::Relaxed), 2);
        // 5.5 is between them but boosted: its key, 8.25, enters the best.
        segment.collect(4, 5.5);
        assert_eq!(computed.load(AtomicOrdering::Relaxed), 3);
        assert_eq!(best_of(segment), vec![1, 4]);
    }
}
