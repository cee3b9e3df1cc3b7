//! The documents of a segment in each "when" bucket (this week, this month, within three
//! months, later, self-paced), as bits, with the span of time over which they hold.
//!
//! A bucket depends on the time, but a document moves from one to another only at a few
//! instants: when it ends, and when its start comes within a week, a month or a quarter. Until
//! the first such instant among all documents, the bits are exact; a search that counts the
//! "when" facet of many matches, or narrows its facets sideways by "when", reads them instead
//! of each document's dates.

use super::doc_bits::DocBits;
use super::filters::{BUCKET_DAYS, buckets_of};
use super::request::WhenBucket;
use tantivy::DocId;

const DAY: i64 = 24 * 60 * 60;

pub struct WhenDocs {
    /// From when (seconds, included) until when (excluded) no document changes bucket.
    from: i64,
    until: i64,
    /// The documents of each bucket, in `WhenBucket::ALL`'s order.
    buckets: Vec<DocBits>,
    /// Each document's buckets, one bit each in that order: what counting a search's few
    /// matches reads, a byte a document where their dates were 32 bytes.
    of_doc: Vec<u8>,
}

impl WhenDocs {
    /// The buckets at `now` (seconds) of documents with these formats and dates.
    pub fn at(
        now: i64,
        is_self_paced: &DocBits,
        starts_at: &[Option<i64>],
        ends_at: &[Option<i64>],
    ) -> Self {
        let limits = BUCKET_DAYS.map(|days| now + days * DAY);
        let documents = starts_at.len();
        let mut buckets = vec![DocBits::new(documents); WhenBucket::ALL.len()];
        let mut of_doc = vec![0u8; documents];
        let mut until = i64::MAX;
        for (doc, (&start, &end)) in starts_at.iter().zip(ends_at).enumerate() {
            for bucket in buckets_of(is_self_paced.contains(doc as u32), start, end, now, limits) {
                buckets[bucket as usize].insert(doc as u32);
                of_doc[doc] |= 1 << bucket as u8;
            }
            until = until.min(next_change(now, start, end));
        }
        WhenDocs {
            from: now,
            until,
            buckets,
            of_doc,
        }
    }

    /// How many of `docs` are in each bucket, in `WhenBucket::ALL`'s order.
    pub fn count(&self, docs: &[DocId]) -> [u64; WhenBucket::ALL.len()] {
        let mut counts = [0u64; WhenBucket::ALL.len()];
        for &doc in docs {
            let buckets = self.of_doc.get(doc as usize).copied().unwrap_or(0);
            for (at, count) in counts.iter_mut().enumerate() {
                *count += u64::from(buckets >> at & 1);
            }
        }
        counts
    }

    /// Whether these bits are still exact at `now`.
    pub fn hold_at(&self, now: i64) -> bool {
        (self.from..self.until).contains(&now)
    }

    pub fn bucket(&self, bucket: WhenBucket) -> &DocBits {
        &self.buckets[bucket as usize]
    }

    /// The documents in any of `buckets`.
    pub fn any_of(&self, buckets: &[WhenBucket]) -> DocBits {
        let mut any = DocBits::new(self.buckets[0].capacity());
        for bucket in buckets {
            any.add(self.bucket(*bucket));
        }
        any
    }
}

/// The first instant after `now` at which a document with these dates changes bucket: when it
/// ends (the second after its end), or when its start comes within a bucket's reach. A
/// document without both dates, or already over, never changes (self-paced is its format).
fn next_change(now: i64, start: Option<i64>, end: Option<i64>) -> i64 {
    let (Some(start), Some(end)) = (start, end) else {
        return i64::MAX;
    };
    if end < now {
        return i64::MAX;
    }
    let within_reach = BUCKET_DAYS
        .iter()
        .map(|days| start - days * DAY + 1)
        .filter(|&at| at > now);
    within_reach.fold(end + 1, i64::min)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Documents with dates around day 100 (and some without, some self-paced): at every hour
    /// over half a year, bits kept while they hold give the buckets that each document's dates
    /// give, however long they were kept, and so do their counts of a few documents.
    #[test]
    fn kept_bits_give_each_documents_own_buckets_for_as_long_as_they_hold() {
        let mut rng = fastrand::Rng::with_seed(20261130);
        let documents = 300;
        let mut self_paced = DocBits::new(documents);
        let (mut starts_at, mut ends_at) = (Vec::new(), Vec::new());
        for doc in 0..documents {
            if rng.u8(..5) == 0 {
                self_paced.insert(doc as u32);
            }
            let start = (rng.u8(..6) > 0).then(|| rng.i64(0..200 * DAY));
            let end = start.map(|start| start + rng.i64(0..10 * DAY));
            starts_at.push(start);
            ends_at.push(if rng.u8(..10) == 0 { None } else { end });
        }
        let mut kept = WhenDocs::at(0, &self_paced, &starts_at, &ends_at);
        let mut rebuilt = 0;
        for hour in 0..(180 * 24) {
            let now = hour * 3600 + rng.i64(0..3600);
            if !kept.hold_at(now) {
                kept = WhenDocs::at(now, &self_paced, &starts_at, &ends_at);
                rebuilt += 1;
            }
            let limits = BUCKET_DAYS.map(|days| now + days * DAY);
            let some: Vec<DocId> = (0..documents as u32).filter(|_| rng.bool()).collect();
            let mut own_counts = [0; WhenBucket::ALL.len()];
            for &doc in &some {
                let (start, end) = (starts_at[doc as usize], ends_at[doc as usize]);
                for bucket in buckets_of(self_paced.contains(doc), start, end, now, limits) {
                    own_counts[bucket as usize] += 1;
                }
            }
            assert_eq!(kept.count(&some), own_counts, "at {now}");
            for doc in 0..documents {
                let (start, end, id) = (starts_at[doc], ends_at[doc], doc as u32);
                let own: Vec<WhenBucket> =
                    buckets_of(self_paced.contains(id), start, end, now, limits).collect();
                for bucket in WhenBucket::ALL.iter().copied() {
                    let listed = kept.bucket(bucket).contains(id);
                    assert_eq!(listed, own.contains(&bucket), "{doc} {bucket:?} at {now}");
                }
            }
        }
        // Kept across hours most of the time, rebuilt at the changes: not every hour.
        assert!(rebuilt > 20 && rebuilt < 180 * 24 / 2, "{rebuilt}");
    }

    #[test]
    fn any_of_several_buckets_is_their_union() {
        let mut self_paced = DocBits::new(3);
        self_paced.insert(2);
        let starts_at = [Some(DAY), Some(200 * DAY), None];
        let ends_at = [Some(2 * DAY), Some(201 * DAY), None];
        let at = WhenDocs::at(0, &self_paced, &starts_at, &ends_at);
        let any = at.any_of(&[WhenBucket::Week, WhenBucket::SelfPaced]);
        assert_eq!(any.documents().collect::<Vec<_>>(), vec![0, 2]);
        assert_eq!(next_change(0, starts_at[1], ends_at[1]), 109 * DAY + 1);
    }
}
