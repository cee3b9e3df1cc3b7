//! Pseudo-relevance feedback over competencies: the best few matches of a search say which
//! competencies it is about, and among the first candidates, offerings that build those
//! competencies move up, within their tier of words matched. An offering that says "Weeding with
//! CREW" ranks beside the ones that say "collection management" because both build that
//! competency. The competencies come from the index's fast fields, so this costs a few reads.

use super::tiers;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use tantivy::columnar::StrColumn;
use tantivy::{DocAddress, Searcher};

/// How many of the best matches speak for the search.
const SPEAKERS: usize = 8;
/// How many of the first candidates may move.
pub const DEPTH: usize = 50;
/// The most a candidate sharing every speaking competency gains, as a share of the best
/// candidate's relevance.
const WEIGHT: f64 = 0.5;

/// The competencies of one offering (every level of its frameworks' trees but the frameworks
/// themselves, which nearly every offering has).
fn competencies(searcher: &Searcher, address: DocAddress) -> tantivy::Result<Vec<String>> {
    let segment = searcher.segment_reader(address.segment_ord);
    let Some(column) = segment.fast_fields().str("competency")? else {
        return Ok(Vec::new());
    };
    let mut values = Vec::new();
    for ord in column.term_ords(address.doc_id) {
        let mut text = String::new();
        if column.ord_to_str(ord, &mut text)? && text.contains(':') {
            values.push(text);
        }
    }
    Ok(values)
}

/// Reorders candidates sorted by `(relevance key, …)`: each gains in proportion to how much of
/// the speakers' competencies it shares, without leaving its tier of words matched.
pub fn rerank<K>(
    searcher: &Searcher,
    candidates: &mut [((f64, f64, K), DocAddress)],
) -> tantivy::Result<()>
where
    K: Ord + Copy,
{
    let depth = candidates.len().min(DEPTH);
    if depth <= SPEAKERS {
        return Ok(());
    }
    let mut spoken: HashMap<String, f64> = HashMap::new();
    for (_, address) in &candidates[..SPEAKERS] {
        for value in competencies(searcher, *address)? {
            *spoken.entry(value).or_default() += 1.0 / SPEAKERS as f64;
        }
    }
    // A competency only one speaker has is no agreement.
    spoken.retain(|_, share| *share > 1.0 / SPEAKERS as f64);
    let total: f64 = spoken.values().sum();
    if total == 0.0 {
        return Ok(());
    }
    // Shared competencies are compared by their ordinals in each segment, so a candidate costs
    // no dictionary reads.
    let mut by_segment: HashMap<u32, (Option<StrColumn>, HashMap<u64, f64>)> = HashMap::new();
    let mut shared = Vec::with_capacity(depth);
    for (_, address) in &candidates[..depth] {
        let (column, ords) = match by_segment.entry(address.segment_ord) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(new) => {
                let column = searcher
                    .segment_reader(address.segment_ord)
                    .fast_fields()
                    .str("competency")?;
                let mut ords = HashMap::new();
                if let Some(column) = &column {
                    for (value, share) in &spoken {
                        if let Some(ord) = column.dictionary().term_ord(value.as_bytes())? {
                            ords.insert(ord, *share);
                        }
                    }
                }
                new.insert((column, ords))
            }
        };
        let share: f64 = column.as_ref().map_or(0.0, |column| {
            column
                .term_ords(address.doc_id)
                .filter_map(|ord| ords.get(&ord))
                .sum()
        });
        shared.push(share);
    }
    let (_, best) = tiers::split(candidates[0].0.0 as f32);
    let scale = f64::from(best) * WEIGHT / total;
    for ((key, _), shared) in candidates[..depth].iter_mut().zip(shared) {
        let (words, relevance) = tiers::split(key.0 as f32);
        let gain = (shared * scale).min(f64::from(tiers::TIER) / 2.0);
        key.0 = f64::from(words) * f64::from(tiers::TIER) + f64::from(relevance) + gain;
    }
    candidates[..depth].sort_by(|a, b| {
        b.0.0
            .total_cmp(&a.0.0)
            .then(b.0.1.total_cmp(&a.0.1))
            .then(b.0.2.cmp(&a.0.2))
    });
    Ok(())
}
