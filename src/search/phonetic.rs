//! Words that sound alike: the last resort for a word no small edit corrects. "copywrite" is four
//! edits from "copyright", too far for edit distance without correcting everything to anything,
//! but both sound the same. Double Metaphone (rphonetic, the port of Apache commons-codec) codes
//! the typed word and the index's words that begin with the same letters; of those coded alike,
//! the one most like the typed word in spelling (Jaro-Winkler), then the most frequent, wins.

use rphonetic::DoubleMetaphone;
use std::collections::HashMap;
use tantivy::Searcher;
use tantivy::schema::Field;

/// Words shorter than this are left alone: short words sound like too many others.
const MIN_LENGTH: usize = 5;
/// Candidates begin with the typed word's first letters: a sound is misspelled in the middle of
/// a word far more often than at its start, and this keeps the scan to a slice of the index.
const SHARED_START: usize = 2;
/// Letters of the phonetic code compared: longer than the usual four, so that "copywrite" and
/// "cooperative" differ.
const CODE_LENGTH: usize = 8;
/// A candidate must still be this much alike in spelling.
const MIN_SIMILARITY: f64 = 0.8;

/// The word of `field` that sounds like `word` and is spelled most like it, if any.
pub fn sounds_like(searcher: &Searcher, field: Field, word: &str) -> Option<String> {
    if word.chars().count() < MIN_LENGTH || !word.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let encoder = DoubleMetaphone::new(Some(CODE_LENGTH));
    let code = encoder.double_metaphone(word);
    let codes = [code.primary(), code.alternate()];
    let start = &word[..SHARED_START];
    let mut after = start.as_bytes().to_vec();
    *after.last_mut()? += 1;
    let mut found: HashMap<String, u64> = HashMap::new();
    for segment in searcher.segment_readers() {
        let Ok(inverted) = segment.inverted_index(field) else {
            continue;
        };
        let Ok(mut stream) = inverted
            .terms()
            .range()
            .ge(start.as_bytes())
            .lt(&after)
            .into_stream()
        else {
            continue;
        };
        while stream.advance() {
            let Ok(candidate) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            if candidate == word || candidate.len() < MIN_LENGTH {
                continue;
            }
            let coded = encoder.double_metaphone(candidate);
            if codes.contains(&coded.primary()) || codes.contains(&coded.alternate()) {
                *found.entry(candidate.to_owned()).or_default() +=
                    u64::from(stream.value().doc_freq);
            }
        }
    }
    found
        .into_iter()
        .map(|(candidate, frequency)| {
            let likeness = strsim::jaro_winkler(word, &candidate);
            (likeness, frequency, candidate)
        })
        .filter(|(likeness, _, _)| *likeness >= MIN_SIMILARITY)
        .max_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(b.2.cmp(&a.2)))
        .map(|(_, _, candidate)| candidate)
}
