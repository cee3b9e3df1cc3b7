//! Library vocabulary applied when a query is read: synonym and abbreviation groups from
//! `seed/synonyms.txt` (YA, teen and young adult; ILS and integrated library system), and British
//! spellings matched to American ones by their regular endings (cataloguing, behaviour, organisation).

use std::collections::HashMap;

/// A term as a sequence of normalised words.
pub type Words = Vec<String>;

/// Synonym groups, looked up by any of their terms.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    groups: Vec<Vec<Words>>,
    by_term: HashMap<Words, usize>,
    longest: usize,
}

/// Lowercases a word and keeps only its letters and digits, as the index's analyzer would split it.
pub fn normalise(word: &str) -> String {
    word.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
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
            let group: Vec<Words> = line
                .split(',')
                .map(|term| {
                    term.split_whitespace()
                        .map(normalise)
                        .filter(|w| !w.is_empty())
                        .collect::<Words>()
                })
                .filter(|words| !words.is_empty())
                .collect();
            if group.len() < 2 {
                continue;
            }
            let index = vocabulary.groups.len();
            for term in &group {
                vocabulary.longest = vocabulary.longest.max(term.len());
                vocabulary.by_term.entry(term.clone()).or_insert(index);
            }
            vocabulary.groups.push(group);
        }
        vocabulary
    }

    /// The longest synonym term starting at `words[0]`: how many words it spans and the group's
    /// other terms.
    pub fn match_at(&self, words: &[String]) -> Option<(usize, Vec<Words>)> {
        let most = self.longest.min(words.len());
        (1..=most).rev().find_map(|length| {
            let key: Words = words[..length].iter().map(|w| normalise(w)).collect();
            let group = &self.groups[*self.by_term.get(&key)?];
            Some((
                length,
                group.iter().filter(|term| **term != key).cloned().collect(),
            ))
        })
    }
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
