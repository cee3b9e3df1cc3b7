//! Facet counts of the active filters in the search's own pass (Lucene's "drill sideways").
//!
//! A facet's counts reflect every filter but its own, so that the searcher sees what choosing
//! another value of it would give. That used to take one more pass of the words' query per active
//! filter, each as dear as the search itself. Here the search runs once over what the words
//! match (with the filters that have no facet), and each document is checked against each active
//! filter: one that passes them all goes to the page, the total and the other facets; one that
//! fails exactly one filter is counted in that filter's own facet; any other is dropped. A
//! filter is read once per segment into bits from the facets' own tables (`facets.rs`; the
//! "when" buckets from bits kept while no offering changes bucket, `when_docs.rs`), so a check
//! is one bit. Seeking the filters' scorers for every match, or running them over the segment
//! (the "when" ranges read every document's dates through tantivy's optional columns), cost
//! more than the passes it saved.

use super::doc_bits::DocBits;
use super::facets::{Counts, FacetCache, FacetCounter, SegmentFacetCounter, add_counts};
use super::request::WhenBucket;
use chrono::{DateTime, Utc};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// An active filter that has a facet of its own.
pub enum Narrowing<'r> {
    /// A dimension's chosen values.
    Dimension(&'static str, &'r [String]),
    /// The chosen "when" buckets.
    When(&'r [WhenBucket]),
}

/// The active filters and, for each, the counter of its own facet (`None` when its facet is not
/// asked for: it still filters).
pub struct Sideways<'a, C> {
    inner: C,
    cache: &'a FacetCache,
    now: DateTime<Utc>,
    filters: Vec<(Narrowing<'a>, Option<FacetCounter<'a>>)>,
}

impl<'a, C: Collector> Sideways<'a, C> {
    pub fn new(
        inner: C,
        (cache, now): (&'a FacetCache, DateTime<Utc>),
        filters: Vec<(Narrowing<'a>, Option<FacetCounter<'a>>)>,
    ) -> Self {
        Sideways {
            inner,
            cache,
            now,
            filters,
        }
    }
}

pub struct SegmentSideways<C> {
    inner: C,
    /// Each active filter as what it lets through, and its facet's counter.
    filters: Vec<(DocBits, Option<SegmentFacetCounter>)>,
    /// Per filter: the documents of this block its facet counts.
    missed: Vec<Vec<DocId>>,
    passed: Vec<DocId>,
}

impl<C: Collector> Collector for Sideways<'_, C> {
    type Fruit = (C::Fruit, Counts);
    type Child = SegmentSideways<C::Child>;

    fn for_segment(
        &self,
        ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let facets = self.cache.of(segment)?;
        let filters = self
            .filters
            .iter()
            .map(|(narrowing, counter)| {
                let counter = match counter {
                    Some(counter) => Some(counter.for_segment(ord, segment)?),
                    None => None,
                };
                let holds = match narrowing {
                    Narrowing::Dimension(dimension, values) => {
                        facets.holding_any(dimension, values)
                    }
                    Narrowing::When(buckets) => {
                        facets.when_docs(self.now.timestamp()).any_of(buckets)
                    }
                };
                Ok((holds, counter))
            })
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(SegmentSideways {
            inner: self.inner.for_segment(ord, segment)?,
            missed: vec![Vec::new(); filters.len()],
            filters,
            passed: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.inner.requires_scoring()
    }

    fn merge_fruits(
        &self,
        fruits: Vec<(<C::Child as SegmentCollector>::Fruit, Counts)>,
    ) -> tantivy::Result<Self::Fruit> {
        let (inner, counts): (Vec<_>, Vec<_>) = fruits.into_iter().unzip();
        let mut merged = Counts::new();
        counts
            .into_iter()
            .for_each(|segment| add_counts(&mut merged, segment));
        Ok((self.inner.merge_fruits(inner)?, merged))
    }
}

impl<C: SegmentCollector> SegmentSideways<C> {
    /// The one filter `doc` fails, `Ok(None)` when it fails none, `Err` when it fails more.
    fn failed(&self, doc: DocId) -> Result<Option<usize>, ()> {
        let mut failed = None;
        for (at, (holds, _)) in self.filters.iter().enumerate() {
            if !holds.contains(doc) {
                if failed.is_some() {
                    return Err(());
                }
                failed = Some(at);
            }
        }
        Ok(failed)
    }
}

impl<C: SegmentCollector> SegmentCollector for SegmentSideways<C> {
    type Fruit = (C::Fruit, Counts);

    fn collect(&mut self, doc: DocId, score: Score) {
        match self.failed(doc) {
            Ok(None) => {
                self.inner.collect(doc, score);
                // A facet counts what its own filter lets through too.
                for counter in self.filters.iter_mut().filter_map(|(_, c)| c.as_mut()) {
                    counter.collect(doc, score);
                }
            }
            Ok(Some(filter)) => {
                if let Some(counter) = &mut self.filters[filter].1 {
                    counter.collect(doc, score);
                }
            }
            Err(()) => {}
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        self.passed.clear();
        self.missed.iter_mut().for_each(Vec::clear);
        for &doc in docs {
            match self.failed(doc) {
                Ok(None) => {
                    self.passed.push(doc);
                    self.missed.iter_mut().for_each(|missed| missed.push(doc));
                }
                Ok(Some(filter)) => self.missed[filter].push(doc),
                Err(()) => {}
            }
        }
        self.inner.collect_block(&self.passed);
        // Each facet's counter: what fails its filter alone, and what passes every filter.
        for ((_, counter), missed) in self.filters.iter_mut().zip(&self.missed) {
            if let Some(counter) = counter {
                counter.collect_block(missed);
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut counts = Counts::new();
        for (_, counter) in self.filters {
            if let Some(counter) = counter {
                counts.extend(counter.harvest());
            }
        }
        (self.inner.harvest(), counts)
    }
}
