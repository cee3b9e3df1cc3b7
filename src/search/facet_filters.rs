//! Filters answered from the bits the facet cache keeps per segment (`facets.rs`): the default
//! one, offerings not yet over, and the "when" buckets chosen. As tantivy queries they step
//! through those bits; the words' pass (`scored_words`) narrows its candidates by them at once.
//!
//! Why: as ranges over the dates' fast fields, the default filter visited every dated offering
//! on every search, and a "when" filter read every document's dates through tantivy's optional
//! columns: three quarters of a search that had one (36 of 48 million instructions for a word,
//! "free" and "this week" at 100,000 offerings).

use super::doc_bits::DocBits;
use super::facets::FacetCache;
use super::request::WhenBucket;
use std::sync::Arc;
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED};

/// Offerings a filter lets through at `now` (seconds), from the facet cache.
#[derive(Clone)]
pub struct FacetFilter {
    facets: Arc<FacetCache>,
    now: i64,
    holding: Holding,
}

#[derive(Clone, Debug)]
enum Holding {
    /// Self-paced offerings, and dated ones ending now or later.
    NotOver,
    /// Offerings in any of these "when" buckets.
    When(Vec<WhenBucket>),
}

impl FacetFilter {
    pub fn not_over(facets: Arc<FacetCache>, now: i64) -> Self {
        FacetFilter {
            facets,
            now,
            holding: Holding::NotOver,
        }
    }

    pub fn when(facets: Arc<FacetCache>, now: i64, buckets: &[WhenBucket]) -> Self {
        FacetFilter {
            facets,
            now,
            holding: Holding::When(buckets.to_vec()),
        }
    }

    /// The documents of a segment it lets through.
    pub fn bits(&self, reader: &SegmentReader) -> tantivy::Result<Arc<DocBits>> {
        let facets = self.facets.of(reader)?;
        Ok(match &self.holding {
            Holding::NotOver => facets.not_over(self.now),
            Holding::When(buckets) => Arc::new(facets.when_docs(self.now).any_of(buckets)),
        })
    }
}

impl std::fmt::Debug for FacetFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}({})", self.holding, self.now)
    }
}

impl Query for FacetFilter {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for FacetFilter {
    /// A filter: it adds nothing to a score, whatever the boost, as the other filters (wrapped
    /// to score 0) do.
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(Held::new(self.bits(reader)?)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if self.bits(reader)?.contains(doc) {
            let name = match self.holding {
                Holding::NotOver => "not over",
                Holding::When(_) => "in a chosen \"when\" bucket",
            };
            Ok(Explanation::new(name, 0.0))
        } else {
            Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match {self:?}"
            )))
        }
    }
}

/// The documents of bits as a scorer, each scoring 0 (a filter).
struct Held {
    bits: Arc<DocBits>,
    doc: DocId,
    /// How many it holds: tantivy's intersections lead with the smallest.
    size: u32,
}

impl Held {
    fn new(bits: Arc<DocBits>) -> Self {
        let doc = bits.first_from(0).unwrap_or(TERMINATED);
        let size = u32::try_from(bits.len()).unwrap_or(u32::MAX);
        Held { bits, doc, size }
    }
}

impl DocSet for Held {
    fn advance(&mut self) -> DocId {
        self.seek(self.doc.saturating_add(1))
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc != TERMINATED {
            self.doc = self.bits.first_from(target).unwrap_or(TERMINATED);
        }
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.size
    }
}

impl Scorer for Held {
    fn score(&mut self) -> Score {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::COLLECT_BLOCK_BUFFER_LEN;

    fn held(docs: &[DocId], documents: usize) -> Held {
        Held::new(Arc::new(DocBits::of_sorted(docs, documents)))
    }

    #[test]
    fn held_bits_advance_and_seek_in_order() {
        let mut docs = held(&[2, 5, 9, 14, 70, 199], 200);
        assert_eq!(docs.doc(), 2);
        assert_eq!(docs.seek(5), 5);
        assert_eq!(docs.seek(6), 9);
        assert_eq!(docs.advance(), 14);
        assert_eq!(docs.seek(15), 70);
        assert_eq!(docs.advance(), 199);
        assert_eq!(docs.advance(), TERMINATED);
        assert_eq!(docs.seek(20), TERMINATED, "past the end it stays there");
        let mut empty = held(&[], 200);
        assert_eq!(empty.doc(), TERMINATED);
        assert_eq!(empty.seek(3), TERMINATED);
    }

    #[test]
    fn held_bits_fill_blocks_from_where_they_stand() {
        let docs: Vec<DocId> = (0..100).map(|n| n * 3).collect();
        let mut every_third = held(&docs, 300);
        assert_eq!(every_third.size_hint(), 100);
        every_third.seek(90);
        let mut block = [0; COLLECT_BLOCK_BUFFER_LEN];
        assert_eq!(every_third.fill_buffer(&mut block), 64);
        assert_eq!((block[0], block[63]), (90, 279));
        assert_eq!(every_third.fill_buffer(&mut block), 6);
        assert_eq!(block[5], 297);
        assert_eq!(every_third.doc(), TERMINATED);
    }
}
