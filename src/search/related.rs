//! Related offerings for a search whose words find only a few (pseudo-relevance feedback, as
//! RM3 expands a query): the words that characterise the offerings found (frequent in their
//! titles and text, rare in the catalog) are searched in turn, and the offerings they find best
//! join the results below every offering that matches a word of the query, each showing the
//! words it lacks. A search for "wcag" finds the two offerings that name it, then the offerings on
//! accessible web content that do not, where a cataloguer would list them too. Explicit syntax
//! (phrases, `OR`, exclusions) is not widened.

use super::fields::{Fields, STEMMED, analyse, stored_offering};
use crate::catalog::Offering;
use std::collections::{HashMap, HashSet};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Score, Searcher, TantivyDocument, Term};

/// Fewer matches than this are widened with related offerings.
pub const FEW: usize = 10;
/// At most this many related offerings join.
const RELATED: usize = 10;
/// Candidates read beyond those needed, to break ties in score by id.
const TIES: usize = 10;
/// How many characterising words are searched.
const EXPANSION_WORDS: usize = 6;
/// A related offering has at least this many of them.
const SHARED_WORDS: usize = 2;
/// A word of the title characterises an offering this many times more than one of its text.
const TITLE_WEIGHT: f32 = 3.0;
/// A word in more than this share of the catalog characterises nothing ("library").
const COMMON_SHARE: f64 = 0.1;

/// The stems of an offering's title, outcomes and description, each with its weight in it
/// (title words count more), normalised by the length of what was read.
fn stems_of(
    analyzer: &mut tantivy::tokenizer::TextAnalyzer,
    offering: &Offering,
) -> HashMap<String, f32> {
    let mut weights: HashMap<String, f32> = HashMap::new();
    let mut length = 0.0;
    let mut read = |text: &str, weight: f32| {
        for stem in analyse(analyzer, text) {
            *weights.entry(stem).or_default() += weight;
            length += weight;
        }
    };
    read(&offering.title, TITLE_WEIGHT);
    for outcome in &offering.learning_outcomes {
        read(outcome, 1.0);
    }
    read(&offering.description, 1.0);
    if length > 0.0 {
        weights.values_mut().for_each(|weight| *weight /= length);
    }
    weights
}

/// The words that characterise the offerings found: each weighs its mean share of their text
/// times its rarity in the catalog; the heaviest few.
fn characterising(
    searcher: &Searcher,
    fields: &Fields,
    found: &[DocAddress],
) -> tantivy::Result<Vec<(String, f32)>> {
    let mut analyzer = searcher.index().tokenizers().get(STEMMED).ok_or_else(|| {
        tantivy::TantivyError::InvalidArgument(format!("analyzer {STEMMED} not registered"))
    })?;
    let mut shares: HashMap<String, f32> = HashMap::new();
    for address in found {
        let Some(offering) = stored_offering(searcher, fields, *address)? else {
            continue;
        };
        for (stem, weight) in stems_of(&mut analyzer, &offering) {
            *shares.entry(stem).or_default() += weight / found.len() as f32;
        }
    }
    let offerings = searcher.num_docs() as f64;
    let mut words = Vec::new();
    for (stem, share) in shares {
        let frequency = searcher.doc_freq(&Term::from_field_text(fields.text, &stem))? as f64;
        if frequency == 0.0 || frequency > offerings * COMMON_SHARE {
            continue;
        }
        let rarity = (1.0 + (offerings - frequency + 0.5) / (frequency + 0.5)).ln() as f32;
        words.push((stem, share * rarity));
    }
    words.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    words.truncate(EXPANSION_WORDS);
    Ok(words)
}

/// The query for the offerings most related to `found` (the few a search matched), each scoring
/// what the characterising words give it, below one matched word's tier; `None` when none is
/// related.
pub fn query(
    searcher: &Searcher,
    fields: &Fields,
    found: &[DocAddress],
) -> tantivy::Result<Option<Box<dyn Query>>> {
    let words = characterising(searcher, fields, found)?;
    if words.len() < SHARED_WORDS {
        return Ok(None);
    }
    let clauses = words
        .iter()
        .map(|(stem, weight)| {
            let term = TermQuery::new(
                Term::from_field_text(fields.text, stem),
                IndexRecordOption::WithFreqs,
            );
            let query: Box<dyn Query> = Box::new(BoostQuery::new(Box::new(term), *weight));
            (Occur::Should, query)
        })
        .collect();
    let sharing = BooleanQuery::with_minimum_required_clauses(clauses, SHARED_WORDS);
    // A few beyond those needed, so that offerings tied in score are chosen by id, whatever
    // segments the index happens to hold them in.
    let best = searcher.search(
        &sharing,
        &TopDocs::with_limit(RELATED + found.len() + TIES).order_by_score(),
    )?;
    let found: HashSet<&DocAddress> = found.iter().collect();
    let mut chosen: Vec<(Score, String)> = Vec::new();
    for (score, address) in best {
        if found.contains(&address) {
            continue;
        }
        let doc: TantivyDocument = searcher.doc(address)?;
        if let Some(id) = doc.get_first(fields.id).and_then(|v| v.as_str()) {
            chosen.push((score, id.to_owned()));
        }
    }
    chosen.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    chosen.truncate(RELATED);
    if chosen.is_empty() {
        return Ok(None);
    }
    let by_id = chosen
        .into_iter()
        .map(|(score, id)| {
            let term = TermQuery::new(
                Term::from_field_text(fields.id, &id),
                IndexRecordOption::Basic,
            );
            // Under one matched word's tier, whatever the expansion's scale.
            let score = score.min(super::tiers::TIER / 2.0);
            let query: Box<dyn Query> = Box::new(ConstScoreQuery::new(Box::new(term), score));
            (Occur::Should, query)
        })
        .collect();
    Ok(Some(Box::new(BooleanQuery::new(by_id))))
}

/// `text` or the `related` offerings, which score less than any match of `text` (whose every
/// match counts at least one word's tier).
pub fn widen(text: Box<dyn Query>, related: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(vec![
        (Occur::Should, text),
        (Occur::Should, related),
    ]))
}
