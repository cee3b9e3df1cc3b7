//! The default filter, offerings not yet over (self-paced ones, and dated ones ending now or
//! later), as a query over the lists the facet cache keeps per segment (`SegmentFacets::not_over`)
//! rather than a range over the end's fast field, which visited every dated offering on every
//! search.

use super::facets::FacetCache;
use std::sync::Arc;
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{COLLECT_BLOCK_BUFFER_LEN, DocId, DocSet, Score, SegmentReader, TERMINATED};

/// Offerings not over at `now` (seconds).
#[derive(Clone)]
pub struct NotOver {
    pub facets: Arc<FacetCache>,
    pub now: i64,
}

impl std::fmt::Debug for NotOver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NotOver({})", self.now)
    }
}

impl Query for NotOver {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for NotOver {
    /// A filter: it adds nothing to a score, whatever the boost, as the other filters (wrapped
    /// to score 0) do.
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let docs = self.facets.of(reader)?.not_over(self.now);
        Ok(Box::new(Listed { docs, at: 0 }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let docs = self.facets.of(reader)?.not_over(self.now);
        if docs.binary_search(&doc).is_ok() {
            Ok(Explanation::new("not over", 0.0))
        } else {
            Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} is over"
            )))
        }
    }
}

/// A sorted list of documents as a scorer, each scoring 0 (a filter).
struct Listed {
    docs: Arc<Vec<DocId>>,
    at: usize,
}

impl DocSet for Listed {
    fn advance(&mut self) -> DocId {
        self.at += 1;
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        // The documents from here on are sorted: find the first at or past the target, galloping
        // (a search's matches are often close together, so the target is usually near).
        let rest = &self.docs[self.at.min(self.docs.len())..];
        let mut reach = 1;
        while reach < rest.len() && rest[reach - 1] < target {
            reach *= 2;
        }
        let from = reach / 2;
        let to = reach.min(rest.len());
        self.at += from + rest[from..to].partition_point(|&doc| doc < target);
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.docs.get(self.at).copied().unwrap_or(TERMINATED)
    }

    fn fill_buffer(&mut self, buffer: &mut [DocId; COLLECT_BLOCK_BUFFER_LEN]) -> usize {
        let rest = &self.docs[self.at.min(self.docs.len())..];
        let filled = rest.len().min(buffer.len());
        buffer[..filled].copy_from_slice(&rest[..filled]);
        self.at += filled;
        filled
    }

    fn size_hint(&self) -> u32 {
        self.docs.len().saturating_sub(self.at) as u32
    }
}

impl Scorer for Listed {
    fn score(&mut self) -> Score {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_advances_and_seeks_in_order() {
        let mut listed = Listed {
            docs: Arc::new(vec![2, 5, 9, 14]),
            at: 0,
        };
        assert_eq!(listed.doc(), 2);
        assert_eq!(listed.seek(5), 5);
        assert_eq!(listed.seek(6), 9);
        assert_eq!(listed.advance(), 14);
        assert_eq!(listed.seek(20), TERMINATED);
        assert_eq!(listed.advance(), TERMINATED);
        let mut empty = Listed {
            docs: Arc::new(Vec::new()),
            at: 0,
        };
        assert_eq!(empty.doc(), TERMINATED);
        assert_eq!(empty.seek(3), TERMINATED);
    }

    #[test]
    fn a_seek_lands_on_the_first_document_at_or_past_its_target_near_or_far() {
        let docs: Vec<DocId> = (0..1000).map(|n| n * 3 + 1).collect();
        let mut listed = Listed {
            docs: Arc::new(docs.clone()),
            at: 0,
        };
        for target in [0, 1, 2, 5, 6, 7, 100, 101, 1500, 1501, 2998, 2999] {
            let expected = docs.iter().copied().find(|&doc| doc >= target);
            assert_eq!(
                listed.seek(target),
                expected.unwrap_or(TERMINATED),
                "{target}"
            );
        }
        assert_eq!(listed.seek(3000), TERMINATED);
    }

    #[test]
    fn a_list_fills_blocks_from_where_it_stands() {
        let mut listed = Listed {
            docs: Arc::new((0..100).collect()),
            at: 0,
        };
        listed.seek(30);
        let mut block = [0; COLLECT_BLOCK_BUFFER_LEN];
        assert_eq!(listed.fill_buffer(&mut block), 64);
        assert_eq!((block[0], block[63]), (30, 93));
        assert_eq!(listed.fill_buffer(&mut block), 6);
        assert_eq!(block[5], 99);
        assert_eq!(listed.doc(), TERMINATED);
        assert_eq!(listed.fill_buffer(&mut block), 0);
    }
}
