//! A compiled query as a plan: strict parts that must hold (phrases, alternatives, exclusions),
//! the searcher's meaningful words of which a number must match, common words that count only
//! when nothing else matches, optional parts that only add to the score (the language asked
//! for), and what the engine scores for the best candidates only (proximity, related topics).
//! The engine asks the plan for a query needing fewer words when too few offerings match, and
//! widens it when none do.

use super::rescore::Group;
use super::tiers::Counted;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query};

/// The share of a query's meaningful words that must match, beyond two words.
const MINIMUM_SHARE: f64 = 0.5;
/// How many of `words` meaningful words an offering must match: all of one or two, then a share.
pub fn required_words(words: usize) -> usize {
    if words <= 2 {
        words
    } else {
        ((words as f64 * MINIMUM_SHARE).ceil() as usize).clamp(1, words)
    }
}

/// One meaningful word (or a term of several words the vocabulary knows) and its query.
#[derive(Debug)]
pub struct Unit {
    /// As the searcher typed it.
    pub text: String,
    pub query: Box<dyn Query>,
    /// For a term of several words: its meaningful words, each a unit of its own, for when
    /// the term as a whole finds nothing.
    pub parts: Vec<Unit>,
}

/// A compiled query: strict parts that must hold, meaningful words of which a number must match,
/// and optional parts that only add to the score.
#[derive(Debug)]
pub struct Plan {
    pub(super) strict: Vec<(Occur, Box<dyn Query>)>,
    pub words: Vec<Unit>,
    /// Words in most offerings: they only add to the score, unless nothing else matches.
    pub(super) common: Vec<Unit>,
    pub(super) optional: Vec<Box<dyn Query>>,
    /// What only adds to the score of the best candidates (`rescoring`): the words found near
    /// each other (reading positions for every match was 40% of a search of several common
    /// words) and related topics.
    pub(super) rescored: Vec<Group>,
    /// How many of `words` must match at first.
    pub required: usize,
}

impl Plan {
    /// When the meaningful words find nothing, terms of several words count word by word and the
    /// common words count too, so that a query whose distinctive word no offering has still
    /// shows what matches the rest ("seed library"), each result saying what it lacks. False
    /// when nothing would change.
    pub fn widen(&mut self) -> bool {
        let splits = self.words.iter().any(|unit| !unit.parts.is_empty());
        if self.common.is_empty() && !splits {
            return false;
        }
        let words = std::mem::take(&mut self.words);
        for unit in words {
            if unit.parts.is_empty() {
                self.words.push(unit);
            } else {
                self.words.extend(unit.parts);
            }
        }
        self.words.append(&mut self.common);
        true
    }

    /// What the best candidates are rescored by (its score is what it adds).
    pub fn rescoring(&self) -> &[Group] {
        &self.rescored
    }

    /// The query that needs `minimum` of the meaningful words (at least one, at most all),
    /// without what rescoring adds.
    pub fn query(&self, minimum: usize) -> Box<dyn Query> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = self
            .strict
            .iter()
            .map(|(occur, query)| (*occur, query.box_clone()))
            .collect();
        if !self.words.is_empty() {
            let counted = self
                .words
                .iter()
                .map(|unit| {
                    let query: Box<dyn Query> = Box::new(Counted(unit.query.box_clone()));
                    (Occur::Should, query)
                })
                .collect();
            let minimum = minimum.clamp(1, self.words.len());
            clauses.push((
                Occur::Must,
                Box::new(BooleanQuery::with_minimum_required_clauses(
                    counted, minimum,
                )),
            ));
        }
        if !clauses.iter().any(|(occur, _)| *occur == Occur::Must) {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        let optional = self.common.iter().map(|unit| &unit.query);
        clauses.extend(
            optional
                .chain(&self.optional)
                .map(|query| (Occur::Should, query.box_clone())),
        );
        Box::new(BooleanQuery::new(clauses))
    }
}
