//! Proximity and related topics for the best candidates only. Whether a searcher's words stand
//! near each other, or the offering is on a related topic, only adds to its relevance (never to
//! how many words it matches), so it is scored for the first candidates of the ranking without
//! it, and they are sorted again: reading word positions for every match was 40% of a search of
//! several common words (Elasticsearch's rescoring window does the same).
//!
//! Each query is asked about each candidate alone (`seek_danger`: does this document match?),
//! never combined into a union: a union scorer fills a window of 4,096 documents at every step,
//! so 200 candidates spread over a segment had a phrase checked in most of its documents.

use super::limiter::Segments;
use tantivy::query::{EnableScoring, Query, Weight};
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SeekDangerResult};

/// Candidates rescored beyond those the page and the feedback need.
pub const WINDOW: usize = 200;

/// Queries of which the best score counts, and a share of the others' (a disjunction max); a
/// group of one adds its query's score.
#[derive(Debug)]
pub struct Group {
    pub queries: Vec<Box<dyn Query>>,
    pub tie_breaker: f32,
}

impl Group {
    pub fn one(query: Box<dyn Query>) -> Self {
        Group {
            queries: vec![query],
            tie_breaker: 0.0,
        }
    }

    pub fn best_of(queries: Vec<Box<dyn Query>>, tie_breaker: f32) -> Self {
        Group {
            queries,
            tie_breaker,
        }
    }
}

/// Adds the groups' scores, scaled by `scale(key)`, to the primary part of each candidate's
/// key and sorts them again, best first (ties as the collector breaks them: by address). Each
/// segment's candidates are scored on `executor`'s threads.
pub fn add_score(
    (searcher, executor): Segments<'_>,
    groups: &[Group],
    candidates: &mut [((f64, f64, u64), DocAddress)],
    scale: impl Fn(&(f64, f64, u64)) -> f64,
) -> tantivy::Result<()> {
    let mut in_order: Vec<usize> = (0..candidates.len()).collect();
    in_order.sort_by_key(|&at| candidates[at].1);
    let addresses: Vec<DocAddress> = in_order.iter().map(|&at| candidates[at].1).collect();
    let scoring = EnableScoring::enabled_from_searcher(searcher);
    let weights = groups
        .iter()
        .map(|group| {
            let weights = group.queries.iter().map(|query| query.weight(scoring));
            weights.collect::<tantivy::Result<Vec<_>>>()
        })
        .collect::<tantivy::Result<Vec<_>>>()?;
    let by_segment = addresses.chunk_by(|a, b| a.segment_ord == b.segment_ord);
    let added = executor.map(
        |addresses| added_in(searcher, groups, &weights, addresses),
        by_segment,
    )?;
    for (&at, added) in in_order.iter().zip(added.concat()) {
        let candidate = &mut candidates[at];
        candidate.0.0 += added * scale(&candidate.0);
    }
    candidates.sort_by(|a, b| {
        b.0.partial_cmp(&a.0)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.1.cmp(&b.1))
    });
    Ok(())
}

/// What the groups (as `weights`) add to each of `addresses` (in document order).
fn added_in(
    searcher: &Searcher,
    groups: &[Group],
    weights: &[Vec<Box<dyn Weight>>],
    addresses: &[DocAddress],
) -> tantivy::Result<Vec<f64>> {
    let mut added = vec![0.0f64; addresses.len()];
    // Per candidate: the best score of the group's queries, and their sum.
    let mut best_and_sum = vec![(0.0 as Score, 0.0 as Score); addresses.len()];
    for (group, weights) in groups.iter().zip(weights) {
        best_and_sum.fill((0.0, 0.0));
        for weight in weights {
            scores_at(searcher, &**weight, addresses, |at, score| {
                let (best, sum) = &mut best_and_sum[at];
                *best = best.max(score);
                *sum += score;
            })?;
        }
        for (added, (best, sum)) in added.iter_mut().zip(&best_and_sum) {
            *added += f64::from(best + (sum - best) * group.tie_breaker);
        }
    }
    Ok(added)
}

/// Calls `found(at, score)` for each of `addresses` (in document order) the weight matches.
fn scores_at(
    searcher: &Searcher,
    weight: &dyn Weight,
    addresses: &[DocAddress],
    mut found: impl FnMut(usize, Score),
) -> tantivy::Result<()> {
    let mut at = 0;
    while at < addresses.len() {
        let segment = addresses[at].segment_ord;
        let reader = searcher.segment_reader(segment);
        let (first, mut scorer) = weight.scorer_danger(reader, addresses[at].doc_id, 1.0)?;
        // Below this, nothing matches: the scorer has been asked up to it.
        let mut below = after(first, addresses[at].doc_id);
        if first == SeekDangerResult::Found {
            found(at, scorer.score());
        }
        at += 1;
        while at < addresses.len() && addresses[at].segment_ord == segment {
            let doc = addresses[at].doc_id;
            if doc >= below {
                let result = scorer.seek_danger(doc);
                if result == SeekDangerResult::Found {
                    found(at, scorer.score());
                }
                below = after(result, doc);
            }
            at += 1;
        }
    }
    Ok(())
}

/// The first document a scorer may still match after being asked about `doc`.
fn after(result: SeekDangerResult, doc: DocId) -> DocId {
    match result {
        SeekDangerResult::Found => doc + 1,
        SeekDangerResult::SeekLowerBound(bound) => bound,
    }
}
