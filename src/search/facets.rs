//! Facet counting: one pass over the matching documents reads each dimension's values from the
//! fast fields and counts every document once per value, exactly as an SQL `COUNT(DISTINCT)`
//! over the same filters would.
//!
//! Documents come in blocks (tantivy hands a collector that needs no scores up to 64 at a time):
//! a dimension with at most one value a document (format, level, provider, …) is read for the
//! whole block at once, which is most of the work of a broad search.

use super::filters::{bucket_limits, buckets_of};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Cardinality, Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Counts of values per dimension: dimension → value → documents.
pub type Counts = HashMap<String, HashMap<String, u64>>;

/// Counts the values of some dimensions (and, if asked, the "when" buckets) over what matches.
pub struct FacetCounter {
    pub dimensions: Vec<&'static str>,
    pub when: bool,
    pub now: DateTime<Utc>,
}

pub struct SegmentFacetCounter {
    columns: Vec<DimensionColumn>,
    when: Option<WhenColumns>,
    seen: Vec<u64>,
    /// A block's values of one single-valued column.
    block: Vec<Option<u64>>,
}

/// One dimension's column in a segment, and its counts by term ordinal.
struct DimensionColumn {
    dimension: &'static str,
    column: Option<StrColumn>,
    /// At most one value a document: read a block at a time.
    single: bool,
    counts: Vec<u64>,
}

impl DimensionColumn {
    /// Counts each document of `docs` once for each of its values.
    fn count(&mut self, docs: &[DocId], block: &mut Vec<Option<u64>>, seen: &mut Vec<u64>) {
        let Some(column) = &self.column else {
            return;
        };
        let mut add = |ord: u64| {
            if let Some(count) = self.counts.get_mut(ord as usize) {
                *count += 1;
            }
        };
        if self.single {
            block.clear();
            block.resize(docs.len(), None);
            column.ords().first_vals(docs, block);
            block.iter().flatten().for_each(|ord| add(*ord));
            return;
        }
        for &doc in docs {
            seen.clear();
            seen.extend(column.term_ords(doc));
            seen.sort_unstable();
            seen.dedup();
            seen.iter().for_each(|ord| add(*ord));
        }
    }
}

struct WhenColumns {
    format: Option<StrColumn>,
    self_paced_ord: Option<u64>,
    starts_at: Column<i64>,
    ends_at: Column<i64>,
    now: i64,
    limits: [i64; 3],
    counts: HashMap<&'static str, u64>,
}

impl Collector for FacetCounter {
    type Fruit = Counts;
    type Child = SegmentFacetCounter;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetCounter> {
        let fast = segment.fast_fields();
        let mut columns = Vec::new();
        for dimension in &self.dimensions {
            let column = fast.str(dimension)?;
            let size = column.as_ref().map_or(0, |c| c.num_terms());
            let single = column
                .as_ref()
                .is_some_and(|c| c.ords().get_cardinality() != Cardinality::Multivalued);
            columns.push(DimensionColumn {
                dimension,
                column,
                single,
                counts: vec![0; size],
            });
        }
        let when = if self.when {
            let format = fast.str("format")?;
            let self_paced_ord = match &format {
                Some(column) => column.dictionary().term_ord(b"online_self_paced")?,
                None => None,
            };
            Some(WhenColumns {
                format,
                self_paced_ord,
                starts_at: fast.i64("starts_at")?,
                ends_at: fast.i64("ends_at")?,
                now: self.now.timestamp(),
                limits: bucket_limits(self.now),
                counts: HashMap::new(),
            })
        } else {
            None
        };
        Ok(SegmentFacetCounter {
            columns,
            when,
            seen: Vec::new(),
            block: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut merged = Counts::new();
        for fruit in fruits {
            for (dimension, values) in fruit {
                let target = merged.entry(dimension).or_default();
                for (value, count) in values {
                    *target.entry(value).or_default() += count;
                }
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.collect_block(&[doc]);
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        for column in &mut self.columns {
            column.count(docs, &mut self.block, &mut self.seen);
        }
        if let Some(when) = &mut self.when {
            docs.iter().for_each(|doc| when.count(*doc));
        }
    }

    fn harvest(self) -> Counts {
        let mut counts = Counts::new();
        for DimensionColumn {
            dimension,
            column,
            counts: ords,
            ..
        } in self.columns
        {
            let Some(column) = column else { continue };
            let values = counts.entry(dimension.to_owned()).or_default();
            let mut text = String::new();
            for (ord, count) in ords.into_iter().enumerate() {
                if count > 0 && column.ord_to_str(ord as u64, &mut text).unwrap_or(false) {
                    values.insert(text.clone(), count);
                }
            }
        }
        if let Some(when) = self.when {
            counts.insert(
                "when".to_owned(),
                when.counts
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect(),
            );
        }
        counts
    }
}

impl WhenColumns {
    /// Counts a document in each "when" bucket it falls in.
    fn count(&mut self, doc: DocId) {
        let self_paced = match (&self.format, self.self_paced_ord) {
            (Some(column), Some(ord)) => column.ords().first(doc) == Some(ord),
            _ => false,
        };
        let buckets = buckets_of(
            self_paced,
            self.starts_at.first(doc),
            self.ends_at.first(doc),
            self.now,
            self.limits,
        );
        for bucket in buckets {
            *self.counts.entry(bucket.as_str()).or_default() += 1;
        }
    }
}
