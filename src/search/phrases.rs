//! The vocabulary's terms of several words, indexed in `text` as one token each beside their
//! words ("librari board" at the place of "library board"), so that a synonym or a typed term of
//! several words is one posting list to read instead of a phrase query reading the positions of
//! every offering that has all its words: phrases were a third of the time of the slowest
//! searches. No analyzer makes a token with a space, so these never meet a searcher's word.
//!
//! `text`'s analyzer (`fields::TEXT`) ends with `PhraseFilter`, which adds them. A term's token
//! is scored like the phrase it replaces: the same field, so the same lengths, and the query
//! boosts it by the words' rarity over the token's (`compile.rs`). Its few tokens lengthen an
//! offering's text by a hair.

use super::vocabulary::{Vocabulary, Words};
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::LazyLock;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// The terms of several words of the shipped vocabulary, which every index is built with.
pub static SHIPPED: LazyLock<PhraseTerms> =
    LazyLock::new(|| PhraseTerms::of(Vocabulary::shipped()));

/// Terms of several words, by their stems.
#[derive(Debug, Default)]
pub struct PhraseTerms {
    terms: FxHashSet<Words>,
    /// The first stem of every term, with the most words of a term it starts: most words
    /// start none.
    first: FxHashMap<String, usize>,
    fingerprint: u64,
}

impl PhraseTerms {
    pub fn of(vocabulary: &Vocabulary) -> Self {
        let mut terms: Vec<Words> = vocabulary
            .term_stems()
            .filter(|stems| stems.len() > 1)
            .cloned()
            .collect();
        terms.sort();
        terms.dedup();
        // FNV-1a over the stems: the same terms give the same number in every build.
        let fingerprint = terms
            .iter()
            .flatten()
            .flat_map(|stem| stem.bytes().chain([0]))
            .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
                (hash ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3)
            });
        let mut first: FxHashMap<String, usize> = FxHashMap::default();
        for term in &terms {
            let longest = first.entry(term[0].clone()).or_default();
            *longest = (*longest).max(term.len());
        }
        PhraseTerms {
            first,
            terms: terms.into_iter().collect(),
            fingerprint,
        }
    }

    /// Names the set, so that an index built with other terms is rebuilt.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// The token of a term, if it is one of these (else it must be searched as a phrase).
    pub fn token(&self, stems: &[String]) -> Option<String> {
        (stems.len() > 1 && self.terms.contains(stems)).then(|| stems.join(" "))
    }

    /// The tokens of the terms in a run of stemmed words, each with the index of the word it
    /// starts at; `stems` is room for the words' texts.
    fn terms_in(&self, words: &[Token], stems: &mut Vec<String>, out: &mut Vec<(usize, Token)>) {
        let mut filled = false;
        for (start, word) in words.iter().enumerate() {
            let Some(&longest) = self.first.get(&word.text) else {
                continue;
            };
            if !filled {
                // Past the words, `stems` keeps earlier texts' strings for their room.
                for (at, word) in words.iter().enumerate() {
                    match stems.get_mut(at) {
                        Some(stem) => stem.clone_from(&word.text),
                        None => stems.push(word.text.clone()),
                    }
                }
                filled = true;
            }
            let most = longest.min(words.len() - start);
            for length in 2..=most {
                if let Some(text) = self.token(&stems[start..start + length]) {
                    let token = Token {
                        offset_from: word.offset_from,
                        offset_to: words[start + length - 1].offset_to,
                        position: word.position,
                        text,
                        position_length: length,
                    };
                    out.push((start, token));
                }
            }
        }
    }
}

/// The token filter adding the shipped terms' tokens.
#[derive(Clone, Copy)]
pub struct PhraseFilter;

impl TokenFilter for PhraseFilter {
    type Tokenizer<T: Tokenizer> = PhraseFilterTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> PhraseFilterTokenizer<T> {
        PhraseFilterTokenizer {
            inner: tokenizer,
            words: Vec::new(),
            stems: Vec::new(),
            terms: Vec::new(),
            none: Token::default(),
        }
    }
}

/// Kept from one text to the next, to reuse their room: a text's words, their stems, and the
/// terms found among them. A shorter text leaves the words past its own in place: dropped, their
/// strings were made again for the next longer text (a million allocations a reindex of 20,000).
#[derive(Clone)]
pub struct PhraseFilterTokenizer<T> {
    inner: T,
    words: Vec<Token>,
    stems: Vec<String>,
    terms: Vec<(usize, Token)>,
    none: Token,
}

impl<T: Tokenizer> Tokenizer for PhraseFilterTokenizer<T> {
    type TokenStream<'a> = PhraseStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PhraseStream<'a> {
        let mut count = 0;
        let mut stream = self.inner.token_stream(text);
        while stream.advance() {
            let token = stream.token();
            match self.words.get_mut(count) {
                Some(word) => {
                    word.text.clone_from(&token.text);
                    word.offset_from = token.offset_from;
                    word.offset_to = token.offset_to;
                    word.position = token.position;
                    word.position_length = token.position_length;
                }
                None => self.words.push(token.clone()),
            }
            count += 1;
        }
        self.terms.clear();
        let words = &mut self.words[..count];
        SHIPPED.terms_in(words, &mut self.stems, &mut self.terms);
        PhraseStream {
            words,
            terms: &mut self.terms,
            none: &mut self.none,
            next_word: 0,
            next_term: 0,
            current: None,
        }
    }
}

/// The words, each followed by the terms that start at it.
pub struct PhraseStream<'a> {
    words: &'a mut [Token],
    terms: &'a mut Vec<(usize, Token)>,
    /// What `token` gives before the first `advance`.
    none: &'a mut Token,
    next_word: usize,
    next_term: usize,
    /// The current token: a term's (true) or a word's, by index.
    current: Option<(bool, usize)>,
}

impl TokenStream for PhraseStream<'_> {
    fn advance(&mut self) -> bool {
        let term_here = self
            .terms
            .get(self.next_term)
            .is_some_and(|(at, _)| self.next_word > 0 && *at == self.next_word - 1);
        if term_here {
            self.current = Some((true, self.next_term));
            self.next_term += 1;
        } else if self.next_word < self.words.len() {
            self.current = Some((false, self.next_word));
            self.next_word += 1;
        } else {
            return false;
        }
        true
    }

    fn token(&self) -> &Token {
        match self.current {
            Some((true, at)) => &self.terms[at].1,
            Some((false, at)) => &self.words[at],
            None => self.none,
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        match self.current {
            Some((true, at)) => &mut self.terms[at].1,
            Some((false, at)) => &mut self.words[at],
            None => self.none,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_terms_name_another_set() {
        let one = PhraseTerms::of(&Vocabulary::parse("trustee, library board\n"));
        let same = PhraseTerms::of(&Vocabulary::parse("library board, trustee\n"));
        let other = PhraseTerms::of(&Vocabulary::parse("trustee, board of trustees\n"));
        assert_eq!(one.fingerprint(), same.fingerprint());
        assert_ne!(one.fingerprint(), other.fingerprint());
    }
    use crate::search::fields::{analyse, text_analyzer};

    #[test]
    fn a_term_is_one_more_token_where_it_starts() {
        let shipped = ["librari", "board"].map(String::from);
        assert_eq!(SHIPPED.token(&shipped), Some("librari board".into()));
        assert_eq!(SHIPPED.token(&shipped[1..]), None);
        let mut analyzer = text_analyzer();
        let mut stream = analyzer.token_stream("The Library Board meets");
        let mut tokens = Vec::new();
        while stream.advance() {
            let token = stream.token();
            tokens.push((token.text.clone(), token.position));
        }
        assert!(
            tokens.contains(&("librari board".to_owned(), 1)),
            "{tokens:?}"
        );
        assert_eq!(tokens[..2], [("the".into(), 0), ("librari".into(), 1)]);
        assert_eq!(tokens.last(), Some(&("meet".into(), 3)));
        // Without the filter, the words alone.
        let words = analyse(
            &mut crate::search::fields::stemmed_analyzer(),
            "Library Board",
        );
        assert_eq!(words, ["librari", "board"]);
    }

    /// Every token whole, for comparing analyzers.
    fn tokens(analyzer: &mut tantivy::tokenizer::TextAnalyzer, text: &str) -> Vec<Token> {
        let mut stream = analyzer.token_stream(text);
        let mut tokens = Vec::new();
        while stream.advance() {
            tokens.push(stream.token().clone());
        }
        tokens
    }

    #[test]
    fn an_analyzer_used_again_makes_what_a_fresh_one_makes() {
        let texts = [
            "Serving the library board and its trustees through a long budget season",
            "Board",
            "",
            "The Library Board meets; library board minutes",
            "library",
            "Library Board",
            "A much longer text about the library board, teen services and the board again",
        ];
        let mut reused = text_analyzer();
        for text in texts {
            let fresh = tokens(&mut text_analyzer(), text);
            assert_eq!(tokens(&mut reused, text), fresh, "text: {text:?}");
        }
    }
}
