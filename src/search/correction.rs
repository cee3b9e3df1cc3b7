//! Spelling, for a whole query: "Did you mean" offers the query with its unknown words corrected
//! when that finds something, and a query that finds nothing as typed is searched corrected
//! (each unknown word replaced by the nearest one the catalog knows, or split in two it knows).

use super::compile::near_words;
use super::engine::Found;
use super::generation::Generation;
use super::request::SearchRequest;
use super::vocabulary::normalise;
use super::{SearchError, SearchIndex};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use tantivy::Searcher;

/// Words shorter than this are not corrected: too many short words are an edit apart ("seed",
/// "need").
const MIN_CORRECTED_LENGTH: usize = 5;

impl SearchIndex {
    /// The typed query with each word the index does not know replaced by the nearest one it
    /// does, or split in two known words ("summerreading"), if any word changed.
    pub(super) fn corrected_query(
        &self,
        searcher: &Searcher,
        generation: &Generation,
        typed: &str,
    ) -> Option<String> {
        let field = generation.fields.words;
        let frequency = |word: &str| {
            searcher
                .doc_freq(&tantivy::Term::from_field_text(field, word))
                .unwrap_or(0)
        };
        let mut changed = false;
        let words: Vec<String> = typed
            .split_whitespace()
            .map(|word| {
                let plain = normalise(word);
                let unknown = plain.chars().count() >= MIN_CORRECTED_LENGTH
                    && plain.chars().all(char::is_alphabetic)
                    && frequency(&plain) == 0
                    && !self.vocabulary.has_word(&plain);
                if !unknown {
                    return word.to_owned();
                }
                let split = split_in_two(&plain, &frequency);
                let distance = if plain.chars().count() >= 7 { 2 } else { 1 };
                // A correction is a word of some topic, never a function word.
                let near = || {
                    near_words(searcher, field, &plain, distance)
                        .into_iter()
                        .find(|near| !self.vocabulary.is_function_word(near))
                };
                let sounding = || super::phonetic::sounds_like(searcher, field, &plain);
                match split.or_else(near).or_else(sounding) {
                    Some(correction) => {
                        changed = true;
                        correction
                    }
                    None => word.to_owned(),
                }
            })
            .collect();
        changed.then(|| words.join(" "))
    }

    /// "Did you mean": the query with its unknown words corrected, offered only when it finds
    /// something.
    pub(super) fn checked_suggestion(
        &self,
        searcher: &Searcher,
        generation: &Generation,
        request: &SearchRequest,
        now: DateTime<Utc>,
        found: &Found,
    ) -> Result<Option<String>, SearchError> {
        let Some(suggested) = suggestion(&request.query, &found.compiled.corrections) else {
            return Ok(None);
        };
        let check = SearchRequest {
            query: suggested.clone(),
            ..request.clone()
        };
        let checked = self.find(searcher, generation, &check, now, false)?;
        Ok((checked.total > 0).then_some(suggested))
    }
}

/// A word split in two that the index knows both halves of, the most frequent pair first.
fn split_in_two(word: &str, frequency: &dyn Fn(&str) -> u64) -> Option<String> {
    let boundaries: Vec<usize> = word.char_indices().map(|(at, _)| at).skip(3).collect();
    boundaries
        .into_iter()
        .filter(|&at| word[at..].chars().count() >= 3)
        .map(|at| {
            let (left, right) = word.split_at(at);
            (frequency(left).min(frequency(right)), left, right)
        })
        .filter(|(shared, _, _)| *shared > 0)
        .max_by_key(|(shared, _, _)| *shared)
        .map(|(_, left, right)| format!("{left} {right}"))
}

/// The query with each unknown word replaced by the nearest known one, if any was.
fn suggestion(query: &str, corrections: &HashMap<String, String>) -> Option<String> {
    if corrections.is_empty() {
        return None;
    }
    let mut changed = false;
    let words: Vec<String> = query
        .split_whitespace()
        .map(|word| match corrections.get(&normalise(word)) {
            Some(correction) => {
                changed = true;
                correction.clone()
            }
            None => word.to_owned(),
        })
        .collect();
    changed.then(|| words.join(" "))
}
