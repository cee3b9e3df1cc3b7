//! Library vocabulary applied when a query is read: synonym and abbreviation groups from
//! `seed/synonyms.txt` (YA, teen and young adult; ILS and integrated library system), British
//! spellings matched to American ones by their regular endings (cataloguing, behaviour,
//! organisation), and the function words a searcher need not find ("how do I", "para", "des").

use super::fields::{analyse, plain_analyzer, stemmed_analyzer};
use super::related_topics::{self, RelatedTopics};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;
use tantivy::tokenizer::TextAnalyzer;

/// A term as a sequence of normalised words.
pub type Words = Vec<String>;

/// One term of a group. An ambiguous term (written `~ya` in the file) is a short form that is also
/// an ordinary word somewhere (Spanish *ya*, English *ill*): typed, it means its group, but the
/// group's other terms never expand to it.
#[derive(Debug, Clone, PartialEq)]
struct Term {
    /// The words as written, for searching.
    words: Words,
    /// Their stems, for recognising the term in a query whatever its inflection.
    stems: Words,
    ambiguous: bool,
}

/// Synonym groups, looked up by any of their terms.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    groups: Vec<Vec<Term>>,
    by_term: HashMap<Words, usize>,
    /// Every word of every term, as written (stems would join "reding" to Spanish "redes").
    words: HashSet<String>,
    longest: usize,
    related: RelatedTopics,
}

/// Words of the catalog's languages that carry no topic: English, Spanish and French function
/// words (NLTK's lists), the words people use to ask for any CE at all, and the verbs that carry
/// a question rather than its topic ("how do I *make* …", "should we *let* …").
static FUNCTION_WORDS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let asking_for_ce = "course courses class classes training trainings session sessions \
        offering offerings curso cursos formation formations want need needs looking find get \
        getting anything something good best please let make makes making show use using start \
        started starting know help helping better way ways tips someone";
    ["en", "es", "fr"]
        .into_iter()
        .flat_map(stop_words::get)
        .copied()
        .chain(asking_for_ce.split_whitespace())
        .map(normalise)
        .filter(|word| !word.is_empty())
        .collect()
});

/// A word as the index's plain analyzer reads it: lowercased, folded to ASCII, with only its
/// letters and digits ("Español" → "espanol", "e-book" → "ebook").
pub fn normalise(word: &str) -> String {
    tokens(word).concat()
}

thread_local! {
    /// The index's analyzers, built once per thread: queries read words one at a time.
    static ANALYZERS: RefCell<(TextAnalyzer, TextAnalyzer)> =
        RefCell::new((plain_analyzer(), stemmed_analyzer()));
}

/// One word's stem, as the index's stemmed analyzer gives it.
pub fn stem(word: &str) -> String {
    ANALYZERS.with(|analyzers| analyse(&mut analyzers.borrow_mut().1, word).concat())
}

/// The words of a text as the index's plain analyzer splits them.
pub fn tokens(text: &str) -> Vec<String> {
    ANALYZERS.with(|analyzers| analyse(&mut analyzers.borrow_mut().0, text))
}

impl Vocabulary {
    /// Reads groups, one a line, terms separated by commas; `#` starts a comment line.
    pub fn parse(text: &str) -> Self {
        let mut vocabulary = Vocabulary::default();
        for line in text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
        {
            let group: Vec<Term> = line.split(',').filter_map(read_term).collect();
            if group.len() < 2 {
                continue;
            }
            let index = vocabulary.groups.len();
            for term in &group {
                vocabulary.longest = vocabulary.longest.max(term.stems.len());
                vocabulary.words.extend(term.words.iter().cloned());
                vocabulary
                    .by_term
                    .entry(term.stems.clone())
                    .or_insert(index);
            }
            vocabulary.groups.push(group);
        }
        // Then each term spelled the other way (British or American), for the groups that do
        // not list it: "programme evaluation" is "program evaluation". Real terms come first.
        for (index, group) in vocabulary.groups.iter().enumerate() {
            for term in group {
                for stems in spelled_otherwise(&term.words) {
                    vocabulary.by_term.entry(stems).or_insert(index);
                }
            }
        }
        vocabulary
    }

    /// The vocabulary the catalog ships with (`seed/synonyms.txt`, `seed/related.txt`), read
    /// once: the index's phrase tokens (`phrases.rs`) and every search use it.
    pub fn shipped() -> &'static Vocabulary {
        static SHIPPED: LazyLock<Vocabulary> = LazyLock::new(|| {
            Vocabulary::parse(include_str!("../../seed/synonyms.txt"))
                .with_related(include_str!("../../seed/related.txt"))
        });
        &SHIPPED
    }

    /// The stems of every way a term is recognised.
    pub fn term_stems(&self) -> impl Iterator<Item = &Words> {
        self.by_term.keys()
    }

    /// Adds the related topics of `seed/related.txt` (`related_topics.rs`).
    pub fn with_related(mut self, text: &str) -> Self {
        self.related = RelatedTopics::parse(text, &self);
        self
    }

    /// The topics named in a run of words (as typed, one word each) and their related topics.
    pub fn related_topics(&self, words: &[String]) -> Vec<related_topics::Found> {
        self.related.in_words(words)
    }

    /// The group a term (as stems) belongs to.
    pub fn group_of(&self, stems: &[String]) -> Option<usize> {
        self.by_term.get(stems).copied()
    }

    /// Every way each group's terms are recognised (their stems, and spelled the other way), by
    /// group.
    pub fn keys_by_group(&self) -> HashMap<usize, Vec<Words>> {
        let mut keys: HashMap<usize, Vec<Words>> = HashMap::new();
        for (key, group) in &self.by_term {
            keys.entry(*group).or_default().push(key.clone());
        }
        keys
    }

    /// A group's terms as written, but the ambiguous ones (never searched for unless typed).
    pub fn group_terms(&self, group: usize) -> Vec<Words> {
        self.groups[group]
            .iter()
            .filter(|term| !term.ambiguous)
            .map(|term| term.words.clone())
            .collect()
    }

    /// The longest synonym term starting at `words[0]` (words as typed, one word each): how many
    /// words it spans and the group's other terms (but the ambiguous ones).
    pub fn match_at(&self, words: &[String]) -> Option<(usize, Vec<Words>)> {
        let most = self.longest.min(words.len());
        let stems: Words = words[..most].iter().map(|w| stem(w)).collect();
        (1..=most).rev().find_map(|length| {
            let key = &stems[..length];
            let group = &self.groups[*self.by_term.get(key)?];
            Some((
                length,
                group
                    .iter()
                    .filter(|term| term.stems != key && !term.ambiguous)
                    .map(|term| term.words.clone())
                    .collect(),
            ))
        })
    }

    /// The vocabulary's one-word terms within `distance` edits of a word, the closest first: a
    /// misspelled abbreviation or term ("deescalaton") is corrected even where no offering spells
    /// it that way.
    pub fn near(&self, word: &str, distance: usize) -> Vec<String> {
        let mut found: Vec<(usize, &str)> = self
            .groups
            .iter()
            .flatten()
            .filter(|term| term.words.len() == 1 && term.words[0].chars().count() >= 4)
            .map(|term| {
                (
                    strsim::damerau_levenshtein(word, &term.words[0]),
                    term.words[0].as_str(),
                )
            })
            .filter(|(edits, _)| (1..=distance).contains(edits))
            .collect();
        found.sort();
        found.dedup();
        found.into_iter().map(|(_, word)| word.to_owned()).collect()
    }

    /// Whether the vocabulary has a term of this one word.
    pub fn knows(&self, word: &str) -> bool {
        self.by_term.contains_key(std::slice::from_ref(&stem(word)))
    }

    /// Whether some term of the vocabulary, of one word or several, has this word: such a word
    /// is no typo even where no offering uses it ("ligne" of "formation en ligne").
    pub fn has_word(&self, word: &str) -> bool {
        self.words.contains(&normalise(word))
    }

    /// Whether a word carries no topic of its own: a function word of English, Spanish or French,
    /// or a word for asking for CE at all ("course", "training"). A word the library vocabulary
    /// knows is never one (French *ai* is AI, Spanish *ya* is YA).
    pub fn is_function_word(&self, word: &str) -> bool {
        let word = normalise(word);
        FUNCTION_WORDS.contains(&word) && !self.knows(&word)
    }

    /// Terms that appear in more than one group: only the first group is used for them.
    pub fn repeated_terms(&self) -> Vec<String> {
        let mut seen: HashMap<&Words, usize> = HashMap::new();
        let mut repeated = Vec::new();
        for (index, group) in self.groups.iter().enumerate() {
            for term in group {
                if let Some(first) = seen.insert(&term.stems, index)
                    && first != index
                {
                    repeated.push(term.words.join(" "));
                }
            }
        }
        repeated
    }
}

fn read_term(text: &str) -> Option<Term> {
    let text = text.trim();
    let (ambiguous, text) = match text.strip_prefix('~') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let words: Words = tokens(text);
    let stems = words.iter().map(|word| stem(word)).collect();
    (!words.is_empty()).then_some(Term {
        words,
        stems,
        ambiguous,
    })
}

/// A term's stems with one of its words spelled the other way, for each word that may be.
fn spelled_otherwise(words: &[String]) -> Vec<Words> {
    let stems: Words = words.iter().map(|word| stem(word)).collect();
    let mut found = Vec::new();
    for (at, word) in words.iter().enumerate() {
        for variant in spelling_variants(word) {
            let mut other = stems.clone();
            other[at] = stem(&variant);
            if other != stems {
                found.push(other);
            }
        }
    }
    found
}

/// British endings and their American counterparts.
const SPELLINGS: &[(&str, &str)] = &[
    ("isation", "ization"),
    ("isations", "izations"),
    ("ise", "ize"),
    ("ised", "ized"),
    ("ises", "izes"),
    ("ising", "izing"),
    ("our", "or"),
    ("ours", "ors"),
    ("oured", "ored"),
    ("ouring", "oring"),
    ("ourite", "orite"),
    ("ourites", "orites"),
    ("tre", "ter"),
    ("tres", "ters"),
    ("logue", "log"),
    ("logues", "logs"),
    ("loguing", "loging"),
    ("gueing", "ging"),
    ("guing", "ging"),
    ("gued", "ged"),
    ("ogramme", "ogram"),
    ("ogrammes", "ograms"),
    ("ogramming", "ograming"),
    ("ence", "ense"),
    ("olment", "ollment"),
    ("eing", "ing"),
];

/// The other spelling of a word that may be written the British or the American way, if any.
pub fn spelling_variants(word: &str) -> Vec<String> {
    let word = normalise(word);
    if word.chars().count() < 5 {
        return Vec::new();
    }
    let mut variants = Vec::new();
    for (british, american) in SPELLINGS {
        for (from, to) in [(british, american), (american, british)] {
            if let Some(stem) = word.strip_suffix(from)
                && stem.len() >= 2
            {
                let variant = format!("{stem}{to}");
                if variant != word && !variants.contains(&variant) {
                    variants.push(variant);
                }
            }
        }
    }
    variants
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synonyms_match_the_longest_term() {
        let vocabulary =
            Vocabulary::parse("# c\nya, young adult, teen\nils, integrated library system\n");
        let words: Vec<String> = ["Integrated", "library", "system", "migration"]
            .map(String::from)
            .to_vec();
        let (length, others) = vocabulary.match_at(&words).unwrap();
        assert_eq!(length, 3);
        assert_eq!(others, vec![vec!["ils".to_string()]]);
        let (length, others) = vocabulary.match_at(&["YA".to_string()]).unwrap();
        assert_eq!(length, 1);
        assert_eq!(others.len(), 2);
        assert!(vocabulary.match_at(&["budget".to_string()]).is_none());
    }

    #[test]
    fn a_term_spelled_the_other_way_is_the_same_term() {
        let vocabulary = Vocabulary::parse("program evaluation, evaluating programs\n");
        let typed: Words = ["Programme", "evaluation"].map(String::from).to_vec();
        let (length, others) = vocabulary.match_at(&typed).unwrap();
        assert_eq!(length, 2);
        assert!(others.contains(&vec!["program".to_string(), "evaluation".to_string()]));
    }

    #[test]
    fn an_ambiguous_short_form_is_read_but_never_added() {
        let vocabulary = Vocabulary::parse("~ya, young adult, teen\n~ill, interlibrary loan\n");
        let (_, from_ya) = vocabulary.match_at(&["ya".to_string()]).unwrap();
        assert!(from_ya.contains(&vec!["teen".to_string()]));
        let (_, from_teen) = vocabulary.match_at(&["teen".to_string()]).unwrap();
        assert_eq!(
            from_teen,
            vec![vec!["young".to_string(), "adult".to_string()]]
        );
        let (_, from_loan) = vocabulary
            .match_at(&["interlibrary".to_string(), "loan".to_string()])
            .unwrap();
        assert!(from_loan.is_empty());
    }

    #[test]
    fn function_words_are_those_of_no_topic() {
        let vocabulary = Vocabulary::parse("ai, artificial intelligence\n");
        for word in [
            "how", "do", "I", "what", "is", "there", "para", "des", "training",
        ] {
            assert!(vocabulary.is_function_word(word), "{word}");
        }
        for word in ["budget", "seed", "library", "ai", "board"] {
            assert!(!vocabulary.is_function_word(word), "{word}");
        }
    }

    #[test]
    fn the_shipped_vocabulary_names_each_term_once() {
        let text = include_str!("../../seed/synonyms.txt");
        let vocabulary = Vocabulary::parse(text);
        assert_eq!(vocabulary.repeated_terms(), Vec::<String>::new());
    }

    #[test]
    fn british_and_american_spellings_meet() {
        for (british, american) in [
            ("cataloguing", "cataloging"),
            ("programme", "program"),
            ("behaviour", "behavior"),
            ("organisation", "organization"),
            ("centre", "center"),
            ("colour", "color"),
            ("licence", "license"),
        ] {
            assert!(
                spelling_variants(british).contains(&american.to_string()),
                "{british}"
            );
            assert!(
                spelling_variants(american).contains(&british.to_string()),
                "{american}"
            );
        }
    }
}
