//! Proximity and related topics for the best candidates only. Whether a searcher's words stand
//! near each other, or the offering is on a related topic, only adds to its relevance (never to
//! how many words it matches), so it is scored for the first candidates of the ranking without
//! it, and they are sorted again: reading word positions for every match was 40% of a search of
//! several common words (Elasticsearch's rescoring window does the same).

use tantivy::query::{EnableScoring, Query, Scorer};
use tantivy::{DocAddress, Score, Searcher, TERMINATED};

/// Candidates rescored beyond those the page and the feedback need.
pub const WINDOW: usize = 200;

/// Adds `query`'s score, scaled by `scale(key)`, to the primary part of each candidate's key
/// and sorts them again, best first (ties as the collector breaks them: by address).
pub fn add_score(
    searcher: &Searcher,
    query: &dyn Query,
    candidates: &mut [((f64, f64, u64), DocAddress)],
    scale: impl Fn(&(f64, f64, u64)) -> f64,
) -> tantivy::Result<()> {
    let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
    let mut in_order: Vec<usize> = (0..candidates.len()).collect();
    in_order.sort_by_key(|&at| candidates[at].1);
    let mut current: Option<(u32, Box<dyn Scorer>)> = None;
    for at in in_order {
        let address = candidates[at].1;
        if current.as_ref().map(|(segment, _)| *segment) != Some(address.segment_ord) {
            let reader = searcher.segment_reader(address.segment_ord);
            current = Some((address.segment_ord, weight.scorer(reader, 1.0)?));
        }
        let Some((_, scorer)) = current.as_mut() else {
            continue;
        };
        if let Some(score) = score_at(scorer.as_mut(), address.doc_id) {
            let key = &mut candidates[at].0;
            key.0 += f64::from(score) * scale(key);
        }
    }
    candidates.sort_by(|a, b| {
        b.0.partial_cmp(&a.0)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.1.cmp(&b.1))
    });
    Ok(())
}

/// The scorer's score for `doc` when it matches; documents are asked for in increasing order.
fn score_at(scorer: &mut dyn Scorer, doc: u32) -> Option<Score> {
    let at = if scorer.doc() < doc {
        scorer.seek(doc)
    } else {
        scorer.doc()
    };
    (at == doc && at != TERMINATED).then(|| scorer.score())
}
