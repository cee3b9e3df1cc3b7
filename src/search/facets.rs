//! Facet counting: one pass over the matching documents reads each dimension's values from the
//! fast fields and counts every document once per value, exactly as an SQL `COUNT(DISTINCT)`
//! over the same filters would.

use super::filters::{bucket_limits, buckets_of};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
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
    columns: Vec<(&'static str, Option<StrColumn>, Vec<u64>)>,
    when: Option<WhenColumns>,
    seen: Vec<u64>,
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
            columns.push((*dimension, column, vec![0; size]));
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
        for (_, column, counts) in &mut self.columns {
            let Some(column) = column else { continue };
            self.seen.clear();
            self.seen.extend(column.term_ords(doc));
            self.seen.sort_unstable();
            self.seen.dedup();
            for ord in &self.seen {
                if let Some(count) = counts.get_mut(*ord as usize) {
                    *count += 1;
                }
            }
        }
        if let Some(when) = &mut self.when {
            let self_paced = match (&when.format, when.self_paced_ord) {
                (Some(column), Some(ord)) => column.term_ords(doc).any(|o| o == ord),
                _ => false,
            };
            let buckets = buckets_of(
                self_paced,
                when.starts_at.first(doc),
                when.ends_at.first(doc),
                when.now,
                when.limits,
            );
            for bucket in buckets {
                *when.counts.entry(bucket.as_str()).or_default() += 1;
            }
        }
    }

    fn harvest(self) -> Counts {
        let mut counts = Counts::new();
        for (dimension, column, ords) in self.columns {
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
