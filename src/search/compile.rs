//! Turns a parsed query into a tantivy query built from analysed terms.
//!
//! Each word matches its stem in every text field (with the field's boost), its other spellings
//! (British or American), the synonyms of the vocabulary, and, when the index does not know the
//! word at all, the nearest words it does know (edit distance 1, or 2 for long words), scored with
//! BM25 like any term but boosted lower so exact matches rank first. Because typo matches are real
//! terms, the snippet highlights them too.

use super::fields::{Fields, PLAIN, STEMMED};
use super::query::Expr;
use super::vocabulary::{Vocabulary, Words, spelling_variants};
use std::collections::HashMap;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, Term};

/// Weights of the ways a word can match, relative to the word itself.
const SPELLING_WEIGHT: f32 = 0.9;
const SYNONYM_WEIGHT: f32 = 0.7;
const TYPO_WEIGHT: f32 = 0.25;
/// Typo alternatives tried per word, the most frequent first.
const TYPO_ALTERNATIVES: usize = 6;

/// What compiling a query found out besides the query itself.
#[derive(Debug, Default)]
pub struct Compiled {
    /// `None` when the query holds nothing that restricts (every offering matches).
    pub query: Option<Box<dyn Query>>,
    /// Words the index does not know, with the best-known word near each.
    pub corrections: HashMap<String, String>,
}

pub struct Compiler<'a> {
    searcher: &'a Searcher,
    fields: &'a Fields,
    vocabulary: &'a Vocabulary,
    plain: TextAnalyzer,
    stemmed: TextAnalyzer,
    corrections: HashMap<String, String>,
    /// Inside an exclusion: typos are not guessed at (excluding a guess would hide good results).
    excluding: bool,
}

fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut tokens = Vec::new();
    while stream.advance() {
        tokens.push(stream.token().text.clone());
    }
    tokens
}

fn boolean(occur: Occur, queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        queries.into_iter().map(|query| (occur, query)).collect(),
    ))
}

impl<'a> Compiler<'a> {
    pub fn new(
        searcher: &'a Searcher,
        fields: &'a Fields,
        vocabulary: &'a Vocabulary,
    ) -> tantivy::Result<Self> {
        let tokenizers = searcher.index().tokenizers();
        let missing = |name: &str| {
            tantivy::TantivyError::InvalidArgument(format!("analyzer {name} not registered"))
        };
        Ok(Compiler {
            searcher,
            fields,
            vocabulary,
            plain: tokenizers.get(PLAIN).ok_or_else(|| missing(PLAIN))?,
            stemmed: tokenizers.get(STEMMED).ok_or_else(|| missing(STEMMED))?,
            corrections: HashMap::new(),
            excluding: false,
        })
    }

    pub fn compile(mut self, expr: Option<&Expr>) -> Compiled {
        let query = expr.and_then(|expr| self.expr(expr));
        Compiled {
            query,
            corrections: self.corrections,
        }
    }

    fn expr(&mut self, expr: &Expr) -> Option<Box<dyn Query>> {
        match expr {
            Expr::Word(_) => self.and(std::slice::from_ref(expr)),
            Expr::Phrase(text) => self.phrase(text),
            Expr::And(parts) => self.and(parts),
            Expr::Or(options) => {
                let mut queries = Vec::new();
                for option in options {
                    // An alternative that restricts nothing makes the whole OR restrict nothing.
                    queries.push(self.expr(option)?);
                }
                Some(boolean(Occur::Should, queries))
            }
            Expr::Not(inner) => {
                let excluded = self.excluded(inner)?;
                Some(Box::new(BooleanQuery::new(vec![
                    (Occur::Must, Box::new(AllQuery)),
                    (Occur::MustNot, excluded),
                ])))
            }
        }
    }

    fn excluded(&mut self, inner: &Expr) -> Option<Box<dyn Query>> {
        let outer = std::mem::replace(&mut self.excluding, true);
        let query = self.expr(inner);
        self.excluding = outer;
        query
    }

    /// Every part must match; runs of plain words are read together so that multi-word synonyms
    /// (`integrated library system`) are recognised.
    fn and(&mut self, parts: &[Expr]) -> Option<Box<dyn Query>> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut index = 0;
        while index < parts.len() {
            match &parts[index] {
                Expr::Word(_) => {
                    let run: Vec<String> = parts[index..]
                        .iter()
                        .map_while(|part| match part {
                            Expr::Word(word) => Some(word.clone()),
                            _ => None,
                        })
                        .collect();
                    let (consumed, query) = self.words(&run);
                    index += consumed.max(1);
                    if let Some(query) = query {
                        clauses.push((Occur::Must, query));
                    }
                }
                Expr::Not(inner) => {
                    if let Some(query) = self.excluded(inner) {
                        clauses.push((Occur::MustNot, query));
                    }
                    index += 1;
                }
                other => {
                    if let Some(query) = self.expr(other) {
                        clauses.push((Occur::Must, query));
                    }
                    index += 1;
                }
            }
        }
        if clauses.is_empty() {
            return None;
        }
        if clauses.iter().all(|(occur, _)| *occur == Occur::MustNot) {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        Some(Box::new(BooleanQuery::new(clauses)))
    }

    /// The query for the words at the start of `run`, and how many words it used.
    fn words(&mut self, run: &[String]) -> (usize, Option<Box<dyn Query>>) {
        if let Some((length, others)) = self.vocabulary.match_at(run)
            && length > 1
        {
            let typed = run[..length].join(" ");
            let mut alternatives: Vec<Box<dyn Query>> = self.phrase(&typed).into_iter().collect();
            alternatives.extend(self.synonyms(&others));
            return (
                length,
                (!alternatives.is_empty()).then(|| boolean(Occur::Should, alternatives)),
            );
        }
        let word = &run[0];
        let plain = tokens(&mut self.plain, word);
        match plain.as_slice() {
            [] => (1, None),
            [token] => (1, Some(self.word(token))),
            // `e-books`, `title:foo`: several tokens in one word are read as a phrase.
            _ => (1, self.phrase(word)),
        }
    }

    /// One word (already lowercased, unstemmed): itself, its spellings, synonyms and near words.
    fn word(&mut self, token: &str) -> Box<dyn Query> {
        let mut alternatives = Vec::new();
        if let Some(query) = self.in_text_fields(token, 1.0) {
            alternatives.push(query);
        }
        let variants = spelling_variants(token);
        for variant in &variants {
            if let Some(query) = self.in_text_fields(variant, SPELLING_WEIGHT) {
                alternatives.push(query);
            }
        }
        let synonyms = self.vocabulary.match_at(&[token.to_owned()]);
        if let Some((_, others)) = &synonyms {
            alternatives.extend(self.synonyms(others));
        }
        // A word of the vocabulary is no typo, even when no offering uses it as written.
        let known = synonyms.is_some()
            || std::iter::once(token)
                .chain(variants.iter().map(String::as_str))
                .any(|w| self.document_frequency(w) > 0);
        if !known && !self.excluding {
            let near = self.near_words(token);
            if let Some(best) = near.first() {
                self.corrections.insert(token.to_owned(), best.clone());
            }
            for word in near {
                if let Some(query) = self.in_text_fields(&word, TYPO_WEIGHT) {
                    alternatives.push(query);
                }
            }
        }
        boolean(Occur::Should, alternatives)
    }

    fn synonyms(&mut self, others: &[Words]) -> Vec<Box<dyn Query>> {
        others
            .iter()
            .filter_map(|term| {
                let query = self.phrase(&term.join(" "))?;
                Some(Box::new(BoostQuery::new(query, SYNONYM_WEIGHT)) as Box<dyn Query>)
            })
            .collect()
    }

    /// A word's stem in every text field, with the fields' boosts times `weight`.
    fn in_text_fields(&mut self, word: &str, weight: f32) -> Option<Box<dyn Query>> {
        let stem = tokens(&mut self.stemmed, word).into_iter().next()?;
        Some(self.stem_in_text_fields(&stem, weight))
    }

    fn stem_in_text_fields(&self, stem: &str, weight: f32) -> Box<dyn Query> {
        let queries = self
            .fields
            .text
            .iter()
            .map(|(field, boost)| {
                let term = TermQuery::new(
                    Term::from_field_text(*field, stem),
                    IndexRecordOption::WithFreqs,
                );
                Box::new(BoostQuery::new(Box::new(term), boost * weight)) as Box<dyn Query>
            })
            .collect();
        boolean(Occur::Should, queries)
    }

    /// Words in order, in any text field.
    fn phrase(&mut self, text: &str) -> Option<Box<dyn Query>> {
        let stems = tokens(&mut self.stemmed, text);
        match stems.len() {
            0 => None,
            1 => Some(self.stem_in_text_fields(&stems[0], 1.0)),
            _ => {
                let queries = self
                    .fields
                    .text
                    .iter()
                    .map(|(field, boost)| {
                        let terms = stems
                            .iter()
                            .map(|stem| Term::from_field_text(*field, stem))
                            .collect();
                        Box::new(BoostQuery::new(Box::new(PhraseQuery::new(terms)), *boost))
                            as Box<dyn Query>
                    })
                    .collect();
                Some(boolean(Occur::Should, queries))
            }
        }
    }

    fn document_frequency(&self, word: &str) -> u64 {
        self.searcher
            .doc_freq(&Term::from_field_text(self.fields.words, word))
            .unwrap_or(0)
    }

    /// Words the index knows within edit distance 1 (2 for words of eight letters or more), the
    /// closest and then the most frequent first. Words under five letters are left alone: too
    /// many short words are one edit apart.
    pub fn near_words(&self, word: &str) -> Vec<String> {
        let length = word.chars().count();
        if !(5..=40).contains(&length) {
            return Vec::new();
        }
        let distance = if length >= 8 { 2 } else { 1 };
        let fuzzy = FuzzyTermQuery::new(
            Term::from_field_text(self.fields.words, word),
            distance,
            true,
        );
        let mut found: HashMap<String, u64> = HashMap::new();
        for segment in self.searcher.segment_readers() {
            let Ok(automaton) = fuzzy.automaton() else {
                return Vec::new();
            };
            let Ok(inverted) = segment.inverted_index(self.fields.words) else {
                continue;
            };
            let Ok(mut stream) = inverted.terms().search(automaton).into_stream() else {
                continue;
            };
            while stream.advance() {
                if let Ok(text) = std::str::from_utf8(stream.key()) {
                    *found.entry(text.to_owned()).or_default() +=
                        u64::from(stream.value().doc_freq);
                }
            }
        }
        let mut ranked: Vec<(usize, u64, String)> = found
            .into_iter()
            .filter(|(candidate, _)| candidate != word)
            .map(|(candidate, frequency)| {
                (
                    strsim::damerau_levenshtein(word, &candidate),
                    frequency,
                    candidate,
                )
            })
            .collect();
        ranked.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        ranked
            .into_iter()
            .take(TYPO_ALTERNATIVES)
            .map(|(_, _, word)| word)
            .collect()
    }
}
