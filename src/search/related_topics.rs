//! Related topics, the thesaurus's other relation (`seed/related.txt`): topics a librarian
//! searching one would welcome courses on ("intellectual freedom": book challenges, censorship),
//! as ISO 25964's associative and hierarchical relations. Unlike synonyms they never make an
//! offering match; among the best candidates, those on a related topic score a little more.

use super::vocabulary::{Vocabulary, Words, stem, tokens};
use std::collections::{BTreeSet, HashMap};

/// Related topics, looked up by any term of a topic.
#[derive(Debug, Clone, Default)]
pub struct RelatedTopics {
    /// Each topic's terms as written: a synonym group's terms, or a term of its own.
    terms: Vec<Vec<Words>>,
    /// Topic by the stems of any of its terms.
    by_stems: HashMap<Words, usize>,
    related: Vec<BTreeSet<usize>>,
    longest: usize,
}

/// A topic found in a query: the words it was typed as and the terms of its related topics.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub typed: Words,
    pub related: Vec<Words>,
}

impl RelatedTopics {
    /// Reads lines `topic: related, related`; `#` starts a comment line. A term of a synonym
    /// group stands for its whole group. The relation goes both ways.
    pub fn parse(text: &str, vocabulary: &Vocabulary) -> Self {
        let mut topics = RelatedTopics::default();
        let keys = vocabulary.keys_by_group();
        for line in text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
        {
            let Some((head, others)) = line.split_once(':') else {
                continue;
            };
            let Some(head) = topics.topic(head, vocabulary, &keys) else {
                continue;
            };
            for other in others.split(',') {
                if let Some(other) = topics.topic(other, vocabulary, &keys)
                    && other != head
                {
                    topics.related[head].insert(other);
                    topics.related[other].insert(head);
                }
            }
        }
        topics
    }

    /// The topic a term names, added when new (`keys`: the vocabulary's, by group).
    fn topic(
        &mut self,
        text: &str,
        vocabulary: &Vocabulary,
        keys: &HashMap<usize, Vec<Words>>,
    ) -> Option<usize> {
        let words = tokens(text);
        if words.is_empty() {
            return None;
        }
        let stems: Words = words.iter().map(|word| stem(word)).collect();
        if let Some(&topic) = self.by_stems.get(&stems) {
            return Some(topic);
        }
        let (keys, terms) = match vocabulary.group_of(&stems) {
            Some(group) => (
                keys.get(&group).cloned().unwrap_or_default(),
                vocabulary.group_terms(group),
            ),
            None => (vec![stems], vec![words]),
        };
        let topic = self.terms.len();
        for key in keys {
            self.longest = self.longest.max(key.len());
            self.by_stems.entry(key).or_insert(topic);
        }
        self.terms.push(terms);
        self.related.push(BTreeSet::new());
        Some(topic)
    }

    /// The topics of a run of words (as typed, one word each) that have related topics, each
    /// with those related topics' terms, leaving out topics the words themselves name.
    pub fn in_words(&self, words: &[String]) -> Vec<Found> {
        let stems: Words = words.iter().map(|word| stem(word)).collect();
        let mut typed = Vec::new();
        let mut position = 0;
        while position < stems.len() {
            let most = self.longest.min(stems.len() - position);
            let found = (1..=most).rev().find_map(|length| {
                let topic = self.by_stems.get(&stems[position..position + length])?;
                Some((length, *topic))
            });
            match found {
                Some((length, topic)) => {
                    typed.push((words[position..position + length].to_vec(), topic));
                    position += length;
                }
                None => position += 1,
            }
        }
        let named: BTreeSet<usize> = typed.iter().map(|(_, topic)| *topic).collect();
        typed
            .into_iter()
            .filter_map(|(typed, topic)| {
                let related: Vec<Words> = self.related[topic]
                    .difference(&named)
                    .flat_map(|other| self.terms[*other].iter().cloned())
                    .collect();
                (!related.is_empty()).then_some(Found { typed, related })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Words {
        text.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn a_topic_finds_its_related_topics_both_ways_with_their_synonyms() {
        let vocabulary = Vocabulary::parse("censorship, censoring\nreference desk, enquiry desk\n");
        let topics = RelatedTopics::parse(
            "# c\nintellectual freedom: censorship, book challenges\nreference desk: reference interview\n",
            &vocabulary,
        );
        let found = topics.in_words(&words("intellectual freedom for teens"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].typed, words("intellectual freedom"));
        assert!(found[0].related.contains(&words("censoring")));
        assert!(found[0].related.contains(&words("book challenges")));
        let back = topics.in_words(&words("Censorship"));
        assert_eq!(back[0].related, vec![words("intellectual freedom")]);
        let british = topics.in_words(&words("enquiry desk skills"));
        assert_eq!(british[0].related, vec![words("reference interview")]);
    }

    #[test]
    fn every_line_of_the_shipped_file_relates_a_topic_to_others() {
        let vocabulary = Vocabulary::parse(include_str!("../../seed/synonyms.txt"));
        let text = include_str!("../../seed/related.txt");
        for line in text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
        {
            let (head, others) = line.split_once(':').unwrap_or_else(|| panic!("{line}"));
            assert!(!tokens(head).is_empty(), "{line}");
            assert!(
                others.split(',').all(|term| !tokens(term).is_empty()),
                "{line}"
            );
        }
        let topics = RelatedTopics::parse(text, &vocabulary);
        assert!(topics.related.iter().filter(|r| !r.is_empty()).count() > 100);
    }

    #[test]
    fn a_related_topic_typed_too_is_not_added() {
        let vocabulary = Vocabulary::default();
        let topics = RelatedTopics::parse("intellectual freedom: censorship\n", &vocabulary);
        assert!(
            topics
                .in_words(&words("intellectual freedom censorship"))
                .is_empty()
        );
        assert!(topics.in_words(&words("budgets")).is_empty());
    }
}
