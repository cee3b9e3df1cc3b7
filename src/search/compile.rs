//! Turns a parsed query into a plan (`plan.rs`) of tantivy queries built from analysed terms.
//!
//! Plain words degrade gracefully (Meilisearch's matching strategy, Elasticsearch's
//! `minimum_should_match` and common-terms cutoff): function words ("how do I", "para", "des")
//! and words in most offerings ("library") need not match unless they are all there is; of the
//! others, offerings matching every one rank first, then those missing one, and so on. Explicit
//! syntax stays strict: `"phrases"`, `-word`, `OR` and parentheses.
//!
//! Each word matches its stem in the offering's own words (`text`, weighted by part as BM25F)
//! and, more weakly, in the words of what it is linked to (`concepts`), with a bonus for the word
//! exactly as typed; its other spellings (British or American); the synonyms of the vocabulary,
//! scored by what the typed words are worth; and, when neither the index nor the vocabulary knows
//! it, the nearest words they do know, boosted lower so exact matches rank first. The best of these
//! counts (a disjunction max), so a word matched twice over is not counted twice. Neighbouring
//! words found near each other score more, and so do offerings taught in the language the query
//! asks for; among the best candidates, so do offerings on a topic related to one typed.

use super::fields::{Fields, PLAIN, STEMMED, analyse};
use super::phrases::SHIPPED;
use super::plan::{Plan, Unit, required_words};
use super::query::Expr;
use super::rescore::Group;
use super::tiers::Counted;
use super::vocabulary::{Vocabulary, Words, spelling_variants};
use super::word_terms::{BestOfSums, TermSum};
use std::collections::{BTreeSet, HashMap};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, FuzzyTermQuery,
    Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, Term};

/// Weights of the ways a word can match, relative to the word itself.
const SPELLING_WEIGHT: f32 = 0.9;
const SYNONYM_WEIGHT: f32 = 0.7;
/// A related topic found in the offering's text, relative to the typed words.
const RELATED_WEIGHT: f32 = 0.3;
/// A term of several words found with its words apart rather than in order.
const WORDS_APART_WEIGHT: f32 = 0.5;
const TYPO_WEIGHT: f32 = 0.25;
/// A word found only among what an offering is linked to counts for less than in its own text.
const CONCEPT_WEIGHT: f32 = 0.7;
/// Of a word's ways of matching, the best counts, and the others add this share.
const TIE_BREAKER: f32 = 0.1;
/// A word found as typed, not only by its stem, adds this much.
const EXACT_WEIGHT: f32 = 1.0;
/// Two neighbouring words within this many positions of each other score as near.
const PROXIMITY_SLOP: u32 = 3;
const PROXIMITY_WEIGHT: f32 = 0.5;
/// Three or more words found together, in order, as typed.
const PHRASE_WEIGHT: f32 = 1.0;
/// What an offering taught in the language the query asks for gains, beyond counting as one
/// more word matched: a searcher typing in French means offerings taught in French first, even
/// those that say it in other words.
const LANGUAGE_BOOST: f32 = 8.0;
/// Typo alternatives tried per word, the most frequent first.
const TYPO_ALTERNATIVES: usize = 6;
/// A word in more than this share of offerings says little about a topic ("library",
/// "services"): like a function word it only adds to the score, unless such words are all there
/// is (Elasticsearch's common terms cutoff).
const COMMON_SHARE: f64 = 0.15;

/// What compiling a query found out besides the query itself.
#[derive(Debug, Default)]
pub struct Compiled {
    /// `None` when the query holds nothing that restricts (every offering matches).
    pub plan: Option<Plan>,
    /// Words the index does not know, with the best-known word near each.
    pub corrections: HashMap<String, String>,
    /// Every stem the query looks for, as terms of `text`, for the snippet of the description.
    pub highlight: Option<Box<dyn Query>>,
}

pub struct Compiler<'a> {
    searcher: &'a Searcher,
    fields: &'a Fields,
    vocabulary: &'a Vocabulary,
    plain: TextAnalyzer,
    stemmed: TextAnalyzer,
    corrections: HashMap<String, String>,
    highlight: BTreeSet<String>,
    /// The catalog language the query is typed in, when not English.
    language: Option<&'static str>,
    /// Inside an exclusion: typos are not guessed at (excluding a guess would hide good results)
    /// and nothing is highlighted.
    excluding: bool,
}

/// The plain words at the start of `parts`, up to the first other part.
fn word_run(parts: &[Expr]) -> Vec<&str> {
    parts
        .iter()
        .map_while(|part| match part {
            Expr::Word(word) => Some(word.as_str()),
            _ => None,
        })
        .collect()
}

fn boolean(occur: Occur, queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        queries.into_iter().map(|query| (occur, query)).collect(),
    ))
}

fn boost(query: Box<dyn Query>, weight: f32) -> Box<dyn Query> {
    if weight == 1.0 {
        return query;
    }
    // A sum of terms stays one (`word_terms`), its terms weighted as the boost would.
    match query.downcast::<TermSum>() {
        Ok(sum) => Box::new(sum.times(weight)),
        Err(query) => Box::new(BoostQuery::new(query, weight)),
    }
}

/// The best of a word's ways of matching, and a little of the others.
fn best_of(alternatives: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if alternatives.len() == 1 {
        return alternatives.into_iter().next().expect("one alternative");
    }
    if alternatives.iter().all(|query| query.is::<TermSum>()) {
        // Sums of terms, run term by term in the words' pass (`word_terms`).
        let sums = alternatives
            .into_iter()
            .filter_map(|query| query.downcast::<TermSum>().ok())
            .map(|sum| *sum);
        return Box::new(BestOfSums::new(sums.collect(), TIE_BREAKER));
    }
    Box::new(DisjunctionMaxQuery::with_tie_breaker(
        alternatives,
        TIE_BREAKER,
    ))
}

/// A word of the query as it was typed, and the index's tokens for it.
struct Typed {
    text: String,
    tokens: Vec<String>,
}

/// A unit read from a run of words, and whether it is a function word or a common one.
struct ReadUnit {
    unit: Unit,
    function: bool,
    common: bool,
    /// The stems of its words in order, for proximity: one for a plain word, several for a term
    /// of the vocabulary.
    stems: Vec<String>,
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
            highlight: BTreeSet::new(),
            language: None,
            excluding: false,
        })
    }

    /// Prefers offerings taught in the language the query is typed in.
    pub fn in_language(mut self, language: Option<&'static str>) -> Self {
        self.language = language;
        self
    }

    pub fn compile(mut self, expr: Option<&Expr>) -> Compiled {
        let plan = match expr {
            None => None,
            Some(Expr::And(parts)) => self.top_level(parts),
            Some(word @ Expr::Word(_)) => self.top_level(std::slice::from_ref(word)),
            Some(other) => self.expr(other).map(|query| Plan {
                strict: vec![(Occur::Must, query)],
                words: Vec::new(),
                common: Vec::new(),
                optional: Vec::new(),
                rescored: Vec::new(),
                required: 0,
            }),
        };
        let highlight = (!self.highlight.is_empty()).then(|| {
            // As terms of `text`, whose analyzer the snippet's description is read with; their
            // rarity there weighs the fragments.
            let text = self.fields.text;
            let terms = self
                .highlight
                .iter()
                .map(|stem| {
                    Box::new(TermQuery::new(
                        Term::from_field_text(text, stem),
                        IndexRecordOption::WithFreqs,
                    )) as Box<dyn Query>
                })
                .collect();
            boolean(Occur::Should, terms)
        });
        Compiled {
            plan,
            corrections: self.corrections,
            highlight,
        }
    }

    /// The query as typed at the top: plain words degrade gracefully, the rest is strict.
    fn top_level(&mut self, parts: &[Expr]) -> Option<Plan> {
        let mut strict = Vec::new();
        let mut read = Vec::new();
        let mut optional: Vec<Box<dyn Query>> = Vec::new();
        let mut rescored = Vec::new();
        let mut index = 0;
        while index < parts.len() {
            match &parts[index] {
                Expr::Word(_) => {
                    let run = word_run(&parts[index..]);
                    index += run.len();
                    let units = self.units(&run);
                    rescored.extend(self.proximity(&units));
                    rescored.extend(self.related_topics(&run));
                    read.extend(units);
                }
                Expr::Not(inner) => {
                    if let Some(query) = self.excluded(inner) {
                        strict.push((Occur::MustNot, query));
                    }
                    index += 1;
                }
                other => {
                    if let Some(query) = self.expr(other) {
                        strict.push((Occur::Must, query));
                    }
                    index += 1;
                }
            }
        }
        let restricts = strict.iter().any(|(occur, _)| *occur == Occur::Must);
        // Function words are required only when they are all there is; common words only when
        // they and function words are.
        let only_function = read.iter().all(|unit| unit.function) && !restricts;
        let only_common = read.iter().all(|unit| unit.function || unit.common) && !restricts;
        let mut words = Vec::new();
        let mut common = Vec::new();
        let mut seen = BTreeSet::new();
        for unit in read {
            // A word typed twice ("medical questions without medical advice") is one word.
            if !seen.insert(unit.unit.text.to_lowercase()) {
                continue;
            }
            if unit.function && !only_function {
                // Left out: in nearly every offering, they would cost a pass over them all and
                // say nothing of the topic.
                continue;
            } else if unit.common && !unit.function && !only_common {
                common.push(unit.unit);
            } else if !unit.function || only_function {
                words.push(unit.unit);
            }
        }
        if strict.is_empty() && words.is_empty() {
            return None;
        }
        if let Some(language) = self.language
            && let Some(field) = self.fields.dimensions.get("language")
        {
            let taught_in = TermQuery::new(
                Term::from_field_text(*field, language),
                IndexRecordOption::Basic,
            );
            let boosted = ConstScoreQuery::new(Box::new(taught_in), LANGUAGE_BOOST);
            optional.push(Box::new(Counted(Box::new(boosted))));
        }
        Some(Plan {
            strict,
            required: required_words(words.len()),
            words,
            common,
            optional,
            rescored,
        })
    }

    /// Reads a run of plain words into units: terms of the vocabulary (one or several words),
    /// words typed with inner punctuation (`e-books`: a phrase), and single words.
    fn units(&mut self, run: &[&str]) -> Vec<ReadUnit> {
        let typed: Vec<Typed> = run
            .iter()
            .map(|text| Typed {
                text: (*text).to_owned(),
                tokens: analyse(&mut self.plain, text),
            })
            .collect();
        // Each token with the index of the typed word it comes from.
        let flat: Vec<(usize, String)> = typed
            .iter()
            .enumerate()
            .flat_map(|(at, word)| word.tokens.iter().map(move |token| (at, token.clone())))
            .collect();
        let words: Vec<String> = flat.iter().map(|(_, token)| token.clone()).collect();
        let mut units = Vec::new();
        let mut position = 0;
        while position < flat.len() {
            let origin = flat[position].0;
            let typed_text = |from: usize, to: usize| {
                let mut texts: Vec<&str> = flat[from..to]
                    .iter()
                    .map(|(at, _)| typed[*at].text.as_str())
                    .collect();
                texts.dedup();
                texts.join(" ")
            };
            if let Some((length, others)) = self.vocabulary.match_at(&words[position..])
                && length > 1
            {
                let term = &words[position..position + length];
                let mut alternatives: Vec<Box<dyn Query>> =
                    self.phrase_of_tokens(term, true).into_iter().collect();
                // The term's words apart, as if the vocabulary did not know it.
                let apart: Vec<Box<dyn Query>> = term.iter().map(|word| self.word(word)).collect();
                let parts = (position..position + length)
                    .zip(&apart)
                    .filter(|(at, _)| !self.vocabulary.is_function_word(&words[*at]))
                    .map(|(at, query)| Unit {
                        text: typed_text(at, at + 1),
                        query: query.box_clone(),
                        parts: Vec::new(),
                    })
                    .collect();
                alternatives.push(boost(boolean(Occur::Must, apart), WORDS_APART_WEIGHT));
                alternatives.extend(self.synonyms(term, &others));
                let stems = term
                    .iter()
                    .flat_map(|word| analyse(&mut self.stemmed, word))
                    .collect();
                units.push(ReadUnit {
                    unit: Unit {
                        text: typed_text(position, position + length),
                        query: best_of(alternatives),
                        parts,
                    },
                    function: false,
                    common: false,
                    stems,
                });
                position += length;
                continue;
            }
            let word_tokens = typed[origin].tokens.len();
            if word_tokens > 1 && (position == 0 || flat[position - 1].0 != origin) {
                // `e-books`, `title:foo`: several tokens in one typed word are read as a phrase.
                let query = self.phrase_of_tokens(&words[position..position + word_tokens], true);
                if let Some(query) = query {
                    units.push(ReadUnit {
                        unit: Unit {
                            text: typed[origin].text.clone(),
                            query,
                            parts: Vec::new(),
                        },
                        function: false,
                        common: false,
                        stems: Vec::new(),
                    });
                }
                position += word_tokens;
                continue;
            }
            let token = &words[position];
            let stem = analyse(&mut self.stemmed, token).into_iter().next();
            units.push(ReadUnit {
                unit: Unit {
                    text: typed[origin].text.clone(),
                    query: self.word(token),
                    parts: Vec::new(),
                },
                function: self.vocabulary.is_function_word(token),
                common: stem.as_deref().is_some_and(|stem| self.is_common(stem)),
                stems: stem.into_iter().collect(),
            });
            position += 1;
        }
        units
    }

    /// Neighbouring meaningful words found near each other, in the offering's own text or its
    /// concepts, and the whole run of them in order (a provider's or a competency's name).
    fn proximity(&self, units: &[ReadUnit]) -> Vec<Group> {
        let stems: Vec<&[String]> = units
            .iter()
            .filter(|unit| !unit.function)
            .map(|unit| unit.stems.as_slice())
            .collect();
        // A term of several words meets its neighbours at its first and its last word.
        let mut queries: Vec<Box<dyn Query>> = stems
            .windows(2)
            .filter_map(|pair| {
                let pair = [pair[0].last()?.as_str(), pair[1].first()?.as_str()];
                Some(self.near(&pair, PROXIMITY_SLOP, PROXIMITY_WEIGHT))
            })
            .flatten()
            .collect();
        let known = stems.iter().all(|stems| !stems.is_empty());
        let whole: Vec<&str> = stems
            .iter()
            .flat_map(|stems| stems.iter().map(String::as_str))
            .collect();
        if known && stems.len() > 1 && whole.len() > 2 {
            queries.extend(self.near(&whole, 1, PHRASE_WEIGHT));
        }
        queries.into_iter().map(Group::one).collect()
    }

    /// Stems within `slop` positions of each other, in order: in the text, and in the concepts
    /// (the two scores add up).
    fn near(&self, stems: &[&str], slop: u32, weight: f32) -> [Box<dyn Query>; 2] {
        let phrase = |field: Field| -> Box<dyn Query> {
            let terms = stems
                .iter()
                .map(|stem| Term::from_field_text(field, stem))
                .collect();
            let mut phrase = PhraseQuery::new(terms);
            phrase.set_slop(slop);
            Box::new(phrase)
        };
        [
            boost(phrase(self.fields.text), weight),
            boost(phrase(self.fields.concepts), weight * CONCEPT_WEIGHT),
        ]
    }

    /// A query inside explicit syntax: strict, every word required.
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

    /// Every part must match (inside parentheses or an alternative).
    fn and(&mut self, parts: &[Expr]) -> Option<Box<dyn Query>> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut index = 0;
        while index < parts.len() {
            match &parts[index] {
                Expr::Word(_) => {
                    let run = word_run(&parts[index..]);
                    index += run.len();
                    for unit in self.units(&run) {
                        clauses.push((Occur::Must, unit.unit.query));
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

    /// One word (already lowercased, unstemmed): itself, its spellings, synonyms and near words.
    fn word(&mut self, token: &str) -> Box<dyn Query> {
        let mut alternatives = Vec::new();
        if let Some(query) = self.in_fields(token, 1.0) {
            alternatives.push(query);
        }
        let variants = spelling_variants(token);
        for variant in &variants {
            if let Some(query) = self.in_fields(variant, SPELLING_WEIGHT) {
                alternatives.push(query);
            }
        }
        let synonyms = self.vocabulary.match_at(&[token.to_owned()]);
        if let Some((_, others)) = &synonyms {
            alternatives.extend(self.synonyms(&[token.to_owned()], others));
        }
        // A word of the vocabulary is no typo, even when no offering uses it as written.
        let known = synonyms.is_some()
            || self.vocabulary.has_word(token)
            || std::iter::once(token)
                .chain(variants.iter().map(String::as_str))
                .any(|w| self.document_frequency(w) > 0);
        if !known && !self.excluding {
            alternatives.extend(self.typo_alternatives(token));
        }
        best_of(alternatives)
    }

    /// For a word neither the index nor the vocabulary knows: the vocabulary's terms near it
    /// (with their synonyms) and the index's words near it, weighted as typos.
    fn typo_alternatives(&mut self, token: &str) -> Vec<Box<dyn Query>> {
        let length = token.chars().count();
        let distance = if length >= 8 { 2 } else { 1 };
        let from_vocabulary = if length >= 5 {
            self.vocabulary.near(token, distance)
        } else {
            Vec::new()
        };
        let mut near = self.near_words(token);
        if from_vocabulary.is_empty() && near.is_empty() {
            // No word is a small edit away: the one that sounds like it, if any.
            near.extend(super::phonetic::sounds_like(
                self.searcher,
                self.fields.words,
                token,
            ));
        }
        let mut alternatives = Vec::new();
        if let Some(best) = from_vocabulary.first().or(near.first()) {
            self.corrections.insert(token.to_owned(), best.clone());
        }
        for term in from_vocabulary.iter().take(TYPO_ALTERNATIVES) {
            let mut meanings: Vec<Box<dyn Query>> = self.in_fields(term, 1.0).into_iter().collect();
            if let Some((_, others)) = self.vocabulary.match_at(std::slice::from_ref(term)) {
                meanings.extend(self.synonyms(std::slice::from_ref(term), &others));
            }
            alternatives.push(boost(best_of(meanings), TYPO_WEIGHT));
        }
        for word in near {
            if let Some(query) = self.in_fields(&word, TYPO_WEIGHT) {
                alternatives.push(query);
            }
        }
        alternatives
    }

    /// The other terms of a typed term's group, each scored by BM25 where it is written (in a
    /// title it counts more than deep in a description) but with the inverse document frequency
    /// of the typed words, as Lucene's synonym query blends statistics: a synonym made of rare
    /// words (a translation, an abbreviation) must not outrank the words the searcher typed, nor
    /// count for less than them because they are common ("resource description and access").
    fn synonyms(&mut self, typed: &[String], others: &[Words]) -> Vec<Box<dyn Query>> {
        let worth = self.worth(typed);
        let mut queries = Vec::new();
        for term in others {
            // In the offering's own text only: phrases over the concepts too doubled the
            // cost of a long group and changed no ranking.
            let stems = self.stems_of(&term.join(" "));
            let own = self.worth_of_stems(&stems);
            // A word is also searched among the concepts, a phrase in the text only.
            if stems.len() > 1 && self.nowhere_in_text(&stems) {
                // A scorer to build and read for nothing (many are translations).
                continue;
            }
            if let Some(query) = self.phrase_of_stems(stems, false)
                && own > 0.0
            {
                queries.push(boost(query, SYNONYM_WEIGHT * worth / own));
            }
        }
        queries
    }

    /// The topics the words name that have related topics (`related_topics.rs`): each a
    /// query of its related topics' terms in the offering's text, the best counting, weighted
    /// like synonyms by what the typed words are worth.
    fn related_topics(&mut self, run: &[&str]) -> Vec<Group> {
        let words: Vec<String> = run
            .iter()
            .flat_map(|word| analyse(&mut self.plain, word))
            .collect();
        let mut queries = Vec::new();
        for found in self.vocabulary.related_topics(&words) {
            let worth = self.worth(&found.typed);
            let terms: Vec<Box<dyn Query>> = found
                .related
                .iter()
                .filter_map(|term| {
                    let stems = self.stems_of(&term.join(" "));
                    if self.nowhere_in_text(&stems) {
                        return None;
                    }
                    let own = self.worth_of_stems(&stems);
                    let query = self.in_text(&stems)?;
                    (own > 0.0).then(|| boost(query, RELATED_WEIGHT * worth / own))
                })
                .collect();
            if !terms.is_empty() {
                queries.push(Group::best_of(terms, TIE_BREAKER));
            }
        }
        queries
    }

    /// The stems of a text's words.
    fn stems_of(&mut self, text: &str) -> Vec<String> {
        let plain = analyse(&mut self.plain, text);
        self.stems_of_tokens(&plain)
    }

    /// The stems of the plain analyzer's tokens.
    fn stems_of_tokens(&mut self, plain: &[String]) -> Vec<String> {
        plain
            .iter()
            .flat_map(|token| analyse(&mut self.stemmed, token))
            .collect()
    }

    /// What typed words are worth: the sum of their stems' inverse document frequencies.
    fn worth(&mut self, typed: &[String]) -> f32 {
        let stems = self.stems_of(&typed.join(" "));
        self.worth_of_stems(&stems)
    }

    fn worth_of_stems(&self, stems: &[String]) -> f32 {
        stems
            .iter()
            .map(|stem| self.inverse_document_frequency(stem))
            .sum()
    }

    /// Stems in order in the offering's own text, without highlighting them.
    fn in_text(&self, stems: &[String]) -> Option<Box<dyn Query>> {
        match stems {
            [] => None,
            [stem] => Some(Box::new(TermQuery::new(
                Term::from_field_text(self.fields.text, stem),
                IndexRecordOption::WithFreqs,
            ))),
            _ => Some(self.phrase_in_text(stems)),
        }
    }

    /// Whether no offering's own text can hold these stems in order: one of them is in none,
    /// or the vocabulary's term they make is.
    fn nowhere_in_text(&self, stems: &[String]) -> bool {
        let token = SHIPPED.token(stems).map(|token| {
            let term = Term::from_field_text(self.fields.text, &token);
            self.searcher.doc_freq(&term).unwrap_or(0)
        });
        token == Some(0) || stems.iter().any(|stem| self.stem_frequency(stem) == 0)
    }

    /// Two or more stems in order in the offering's own text. A term of the vocabulary is one
    /// token there (`phrases.rs`), scored as the phrase would be: the boost turns the rarity of
    /// the token into that of its words, as a phrase query weighs it.
    fn phrase_in_text(&self, stems: &[String]) -> Box<dyn Query> {
        if let Some(token) = SHIPPED.token(stems) {
            let term = Term::from_field_text(self.fields.text, &token);
            let frequency = self.searcher.doc_freq(&term).unwrap_or(0);
            let query = Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
            if frequency == 0 {
                // Matches nothing, at the cost of one look-up.
                return query;
            }
            let words = self.worth_of_stems(stems);
            return boost(query, words / self.inverse_frequency(frequency));
        }
        let terms = stems
            .iter()
            .map(|stem| Term::from_field_text(self.fields.text, stem))
            .collect();
        Box::new(PhraseQuery::new(terms))
    }

    /// How many offerings have a stem in their own text.
    fn stem_frequency(&self, stem: &str) -> u64 {
        self.searcher
            .doc_freq(&Term::from_field_text(self.fields.text, stem))
            .unwrap_or(0)
    }

    /// BM25's inverse document frequency of a stem in the offerings' own text.
    fn inverse_document_frequency(&self, stem: &str) -> f32 {
        self.inverse_frequency(self.stem_frequency(stem))
    }

    /// BM25's inverse document frequency of a term in `frequency` offerings.
    fn inverse_frequency(&self, frequency: u64) -> f32 {
        let offerings = self.searcher.num_docs() as f32;
        let frequency = frequency as f32;
        (1.0 + (offerings - frequency + 0.5) / (frequency + 0.5)).ln()
    }

    /// A word's stem in the offering's text and concepts, times `weight`; the word exactly as
    /// typed scores a little more, since stemming joins words apart in meaning ("digitization"
    /// and "digital" share the stem "digit").
    fn in_fields(&mut self, word: &str, weight: f32) -> Option<Box<dyn Query>> {
        let stem = analyse(&mut self.stemmed, word).into_iter().next()?;
        let exact = Term::from_field_text(self.fields.words, word);
        // One sum of the three terms: a union inside a union costs a second pass over the
        // same documents, for the same sum.
        let mut terms = self.stem_terms(&stem, weight);
        terms.push((exact, IndexRecordOption::Basic, weight * EXACT_WEIGHT));
        Some(Box::new(TermSum::new(terms)))
    }

    fn stem_in_fields(&mut self, stem: &str, weight: f32) -> Box<dyn Query> {
        Box::new(TermSum::new(self.stem_terms(stem, weight)))
    }

    /// A stem in the offering's text and, weighted less, in its concepts: scores to add up.
    fn stem_terms(&mut self, stem: &str, weight: f32) -> Vec<(Term, IndexRecordOption, f32)> {
        if !self.excluding {
            self.highlight.insert(stem.to_owned());
        }
        let term = |field: Field| Term::from_field_text(field, stem);
        vec![
            (term(self.fields.text), IndexRecordOption::WithFreqs, weight),
            (
                term(self.fields.concepts),
                IndexRecordOption::WithFreqs,
                weight * CONCEPT_WEIGHT,
            ),
        ]
    }

    /// Words in order, in the offering's text or its concepts.
    fn phrase(&mut self, text: &str) -> Option<Box<dyn Query>> {
        let plain = analyse(&mut self.plain, text);
        self.phrase_of_tokens(&plain, true)
    }

    /// Words in order, in the text (and, with `concepts`, in the concepts).
    fn phrase_of_tokens(&mut self, plain: &[String], concepts: bool) -> Option<Box<dyn Query>> {
        let stems = self.stems_of_tokens(plain);
        self.phrase_of_stems(stems, concepts)
    }

    /// The same, of the tokens' stems.
    fn phrase_of_stems(&mut self, stems: Vec<String>, concepts: bool) -> Option<Box<dyn Query>> {
        match stems.len() {
            0 => None,
            1 => Some(self.stem_in_fields(&stems[0], 1.0)),
            _ => {
                if !self.excluding {
                    self.highlight.extend(stems.iter().cloned());
                }
                let mut fields = vec![self.phrase_in_text(&stems)];
                if concepts {
                    let terms = stems
                        .iter()
                        .map(|stem| Term::from_field_text(self.fields.concepts, stem))
                        .collect();
                    let phrase = Box::new(PhraseQuery::new(terms));
                    fields.push(boost(phrase, CONCEPT_WEIGHT));
                }
                Some(boolean(Occur::Should, fields))
            }
        }
    }

    /// Whether a stem is in so many offerings' own text that it says little about a topic.
    fn is_common(&self, stem: &str) -> bool {
        let offerings = self.searcher.num_docs();
        offerings > 0 && self.stem_frequency(stem) as f64 > offerings as f64 * COMMON_SHARE
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
        near_words(self.searcher, self.fields.words, word, distance)
    }
}

/// Words of `field` within `distance` edits of `word`, the closest and then the most frequent
/// first.
pub fn near_words(searcher: &Searcher, field: Field, word: &str, distance: u8) -> Vec<String> {
    let fuzzy = FuzzyTermQuery::new(Term::from_field_text(field, word), distance, true);
    let mut found: HashMap<String, u64> = HashMap::new();
    for segment in searcher.segment_readers() {
        let Ok(automaton) = fuzzy.automaton() else {
            return Vec::new();
        };
        let Ok(inverted) = segment.inverted_index(field) else {
            continue;
        };
        let Ok(mut stream) = inverted.terms().search(automaton).into_stream() else {
            continue;
        };
        while stream.advance() {
            if let Ok(text) = std::str::from_utf8(stream.key()) {
                *found.entry(text.to_owned()).or_default() += u64::from(stream.value().doc_freq);
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
