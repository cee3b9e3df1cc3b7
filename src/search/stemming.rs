//! English stemming that remembers: the same words come back in every offering (a competency's
//! description is in each document linked to it, a title is written five times), and the
//! Snowball stemmer was a quarter of the indexing time. Each thread keeps the stems its
//! analyzers have made, so a word is stemmed once per indexing or search thread: an analyzer is
//! cloned for every snippet, and with a cache of its own each snippet stemmed every word anew
//! (8% of a search's work). The stems are the stemmer's own, so an index built with or without
//! the cache is the same.

use rustc_hash::FxHashMap as HashMap;
use std::cell::RefCell;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Stems kept per thread before the memory is given back: far more than a catalog's
/// vocabulary, a few MB.
const MAX_STEMS: usize = 100_000;

thread_local! {
    /// Word → stem, for the words this thread's analyzers have seen.
    static STEMS: RefCell<HashMap<String, String>> = RefCell::new(HashMap::default());
}

/// The token filter: Snowball's English stemmer with the thread's cache of stems.
#[derive(Clone, Copy)]
pub struct CachedEnglishStemmer;

impl TokenFilter for CachedEnglishStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
            inner: tokenizer,
        }
    }
}

#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    stemmer: frostem::Stemmer,
    inner: T,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: self.stemmer,
        }
    }
}

pub struct CachedStemmerStream<T> {
    tail: T,
    stemmer: frostem::Stemmer,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let stemmer = self.stemmer;
        let token = self.tail.token_mut();
        STEMS.with_borrow_mut(|stems| {
            if let Some(stem) = stems.get(&token.text) {
                token.text.clone_from(stem);
                return;
            }
            let stem = stemmer.stem(&token.text).into_owned();
            if stems.len() >= MAX_STEMS {
                stems.clear();
            }
            let word = std::mem::replace(&mut token.text, stem.clone());
            stems.insert(word, stem);
        });
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer};

    fn tokens(mut analyzer: TextAnalyzer, text: &str) -> Vec<(String, usize)> {
        let mut stream = analyzer.token_stream(text);
        let mut tokens = Vec::new();
        while stream.advance() {
            tokens.push((stream.token().text.clone(), stream.token().position));
        }
        tokens
    }

    #[test]
    fn stems_as_snowball_does_when_words_repeat() {
        let text = "Teaching teachers to teach: instruction, instructors, instructional \
                    design; teaching again and libraries, library, librarians";
        let cached = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(CachedEnglishStemmer)
            .build();
        let plain = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::English))
            .build();
        let twice = format!("{text} {text}");
        assert_eq!(tokens(cached, &twice), tokens(plain, &twice));
    }
}
