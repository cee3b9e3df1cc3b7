//! The best matches by a sort key, as tantivy's `TopDocs::tweak_score` finds them, without
//! computing the key of a match whose score alone shows it cannot be among them.
//!
//! Why: a broad search ("library") matches nearly every offering, and reading each one's start
//! and tie-break for its key was a fifth of the search. In relevance order the score bounds the
//! key: once the best are known, the least score that could still reach them is worked out
//! (`least_score`), and most matches are left at one comparison of their score with it.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// The sort key: primary, then sooner start, then a stable hash of the id.
pub type SortKey = (f64, f64, u64);

/// A segment's key of a match, from its document and score.
pub type SegmentKey = Box<dyn Fn(DocId, Score) -> SortKey>;

/// The least score a match needs for its key's primary part to reach a given one: no match
/// scoring less can have a key as great.
pub type LeastScore = fn(f64) -> Score;

/// The `limit` best matches after `offset`, by the key `key` builds for each segment; with
/// `least_score` when the order has one.
pub struct TopKeys<F> {
    offset: usize,
    limit: usize,
    key: F,
    least_score: Option<LeastScore>,
}

impl<F> TopKeys<F>
where
    F: Fn(&SegmentReader) -> SegmentKey + Send + Sync,
{
    pub fn new(limit: usize, offset: usize, key: F, least_score: Option<LeastScore>) -> Self {
        TopKeys {
            offset,
            limit,
            key,
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
    key: SegmentKey,
    least_score: Option<LeastScore>,
    /// The least score that could still enter `best` (none until it is full).
    floor: Score,
    /// The best so far, the least on top.
    best: BinaryHeap<Reverse<Ranked>>,
}

impl<F> Collector for TopKeys<F>
where
    F: Fn(&SegmentReader) -> SegmentKey + Send + Sync,
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
            key: (self.key)(segment),
            least_score: self.least_score,
            floor: Score::NEG_INFINITY,
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

impl SegmentCollector for SegmentTopKeys {
    type Fruit = Vec<(SortKey, DocAddress)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        if score < self.floor || self.keep == 0 {
            return;
        }
        let ranked = Ranked {
            key: (self.key)(doc, score),
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
            self.floor = least_score(least.key.0);
        }
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

    #[test]
    fn a_segment_keeps_its_best_and_skips_what_its_score_rules_out() {
        let computed = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = computed.clone();
        let mut segment = SegmentTopKeys {
            ord: 0,
            keep: 2,
            key: Box::new(move |doc, score| {
                counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                (f64::from(score), 0.0, u64::from(doc))
            }),
            least_score: Some(|key| key as Score),
            floor: Score::NEG_INFINITY,
            best: BinaryHeap::new(),
        };
        for (doc, score) in [(0, 1.0), (1, 5.0), (2, 3.0), (3, 0.5), (4, 4.0)] {
            segment.collect(doc, score);
        }
        let mut best: Vec<_> = segment
            .harvest()
            .into_iter()
            .map(|(_, at)| at.doc_id)
            .collect();
        best.sort();
        assert_eq!(best, vec![1, 4]);
        // Document 3 was ruled out by its score alone.
        assert_eq!(computed.load(std::sync::atomic::Ordering::Relaxed), 4);
    }
}
