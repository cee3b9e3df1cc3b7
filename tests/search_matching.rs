//! Matching that degrades gracefully, as a searcher sees it over HTTP on the seed: questions typed
//! in full find offerings, offerings matching every meaningful word come before those missing
//! one, the page and the API say which words a result lacks, a language asked for is preferred,
//! and a query that finds nothing as typed shows its correction.

mod common;

use common::{hits, seeded, text_of};
use serde_json::Value;

fn missing(hit: &Value) -> Vec<String> {
    hit["missing_words"]
        .as_array()
        .map(|words| {
            words
                .iter()
                .map(|w| w.as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_question_typed_in_full_finds_what_it_asks_about() {
    let catalog = seeded();
    let results = catalog.search(
        "q=what+training+is+there+for+new+board+members+on+budgets&include_past=true&per_page=5",
    );
    assert!(results["total"].as_u64().unwrap() > 0, "{results}");
    let first = text_of(&hits(&results)[0]);
    assert!(first.contains("budget"), "{first}");
    assert!(
        first.contains("trustee") || first.contains("board"),
        "{first}"
    );
    // Function words are never reported missing.
    for hit in hits(&results) {
        for word in missing(hit) {
            assert!(
                !["what", "is", "there", "for", "on", "training"].contains(&word.as_str()),
                "{word}"
            );
        }
    }
}

#[test]
fn a_word_typed_twice_counts_once() {
    let catalog = seeded();
    let results = catalog.search(
        "q=how+do+i+answer+medical+questions+without+giving+medical+advice&include_past=true&per_page=50",
    );
    assert!(!hits(&results).is_empty(), "{results}");
    for hit in hits(&results) {
        let lacks = missing(hit);
        let medical = lacks.iter().filter(|word| *word == "medical").count();
        assert!(medical <= 1, "{}: {lacks:?}", hit["title"]);
    }
}

#[test]
fn offerings_matching_every_word_come_before_those_missing_some() {
    let catalog = seeded();
    let results =
        catalog.search("q=sensory+storytime+rural+outreach&include_past=true&per_page=50");
    let counts: Vec<usize> = hits(&results)
        .iter()
        .map(|hit| missing(hit).len())
        .collect();
    assert!(counts.len() > 3, "{results}");
    assert!(
        counts.windows(2).all(|pair| pair[0] <= pair[1]),
        "missing words by rank: {counts:?}"
    );
    assert!(counts.last() > counts.first(), "{counts:?}");
    // What is reported missing is what the searcher typed (a term of the vocabulary as a
    // whole), and really is missing.
    for hit in hits(&results) {
        for missing in missing(hit) {
            for word in missing.split(' ') {
                assert!(
                    ["sensory", "storytime", "rural", "outreach"].contains(&word),
                    "{missing}"
                );
            }
            assert!(
                !text_of(hit).contains(&missing),
                "{missing} in {}",
                hit["id"]
            );
        }
    }
}

#[test]
fn the_page_says_which_words_a_result_lacks() {
    let catalog = seeded();
    let (status, page) = catalog
        .server
        .get("/search?q=sensory+storytime+autistic+teens+rural&include_past=true");
    assert_eq!(status, 200);
    assert!(page.contains("class=\"missing\">Missing: <s>"), "{page}");
    assert!(
        page.contains("No offering matches every word"),
        "the page says not every word matched"
    );
    // A query every offering of which matches has no such notice.
    let (_, page) = catalog.server.get("/search?q=storytime&include_past=true");
    assert!(!page.contains("Missing:"));
    assert!(!page.contains("No offering matches every word"));
}

#[test]
fn a_language_asked_for_comes_first() {
    let catalog = seeded();
    let french = catalog.search("q=courses+in+French&include_past=true&per_page=3");
    assert!(!hits(&french).is_empty());
    for hit in hits(&french) {
        assert_eq!(hit["language"], "fr", "{}", hit["title"]);
    }
    // Typed in French: offerings taught in French rank with English ones that match one word
    // more ("online learning" for "formation en ligne"), and the first are French.
    let typed =
        catalog.search("q=formation+en+ligne+biblioth%C3%A8que&include_past=true&per_page=2");
    assert_eq!(hits(&typed).len(), 2);
    for hit in hits(&typed) {
        assert_eq!(hit["language"], "fr", "{}", hit["title"]);
    }
    // English offerings that mention Spanish (a bilingual helper, a Spanish-speaking
    // community) come after those taught in it.
    for query in ["q=courses+in+Spanish", "q=cursos+en+espa%C3%B1ol"] {
        let spanish = catalog.search(&format!("{query}&include_past=true&per_page=5"));
        assert_eq!(hits(&spanish).len(), 5);
        for hit in hits(&spanish) {
            assert_eq!(hit["language"], "es", "{query}: {}", hit["title"]);
        }
    }
}

#[test]
fn an_ambiguous_short_form_is_read_but_never_added() {
    let catalog = seeded();
    // Spanish *ya* ("already") is not teen services: "teen" does not find it.
    let teen = catalog.search("q=teen&include_past=true&per_page=100");
    assert!(
        hits(&teen)
            .iter()
            .all(|hit| hit["id"] != "uw-ischool-servicios-comunidades-hispanohablantes-2027"),
        "a Spanish description saying \"ya\" is not about teens"
    );
    // Typed, YA means teen services.
    let ya = catalog.search("q=YA&include_past=true&per_page=5");
    for hit in hits(&ya) {
        let text = text_of(hit);
        assert!(
            text.contains("teen") || text.contains("young adult") || text.contains("ya "),
            "{}",
            hit["title"]
        );
    }
}

#[test]
fn explicit_syntax_stays_strict() {
    let catalog = seeded();
    // Quoted, a phrase must match even though its words alone would relax.
    let phrase = catalog.search("q=%22sensory+storytime%22+rural&include_past=true&per_page=50");
    for hit in hits(&phrase) {
        assert!(text_of(hit).contains("sensory storytime"), "{}", hit["id"]);
    }
    // An exclusion holds whatever else relaxes.
    let without = catalog.search("q=storytime+rural+-sensory&include_past=true&per_page=100");
    assert!(!hits(&without).is_empty());
    for hit in hits(&without) {
        assert!(!text_of(hit).contains("sensory"), "{}", hit["id"]);
    }
    // Function words are all there is: they must match, so they find fewer than either alone.
    let total = |query: &str| catalog.server.total(query);
    assert!(total("q=how+to") <= total("q=how").min(total("q=to")));
    assert!(total("q=how+to") < total(""));
}

#[test]
fn a_query_that_finds_nothing_as_typed_shows_its_correction() {
    let catalog = seeded();
    let results = catalog.search("q=summerreading&include_past=true");
    assert_eq!(results["corrected_query"], "summer reading", "{results}");
    assert!(results["total"].as_u64().unwrap() > 0);
    assert!(text_of(&hits(&results)[0]).contains("summer reading"));
    let (_, page) = catalog
        .server
        .get("/search?q=summerreading&include_past=true");
    assert!(page.contains("Showing results for"), "{page}");
    // A query that finds something is never replaced.
    assert!(catalog.search("q=summer+reading&include_past=true")["corrected_query"].is_null());
}

#[test]
fn a_word_of_a_vocabulary_term_is_no_typo() {
    let catalog = seeded();
    // No offering says "formation", but the vocabulary's "formation en ligne" does: it is French,
    // not a misspelling of "information".
    let results = catalog.search("q=formation+en+ligne&include_past=true&per_page=50");
    assert!(results["suggestion"].is_null(), "{results}");
    let matched: Vec<&Value> = hits(&results)
        .iter()
        .filter(|hit| missing(hit).is_empty())
        .collect();
    assert!(!matched.is_empty(), "{results}");
    for hit in matched {
        let text = text_of(hit);
        assert!(
            ["online", "e-learning", "en ligne", "distance"]
                .iter()
                .any(|said| text.contains(said)),
            "matched as a typo of information: {}",
            hit["title"]
        );
    }
}

#[test]
fn a_word_in_few_offerings_is_followed_by_related_ones() {
    let catalog = seeded();
    let results = catalog.search("q=wcag&include_past=true&per_page=50");
    let found = hits(&results);
    let naming = found
        .iter()
        .take_while(|hit| missing(hit).is_empty())
        .count();
    assert!(
        (1..10).contains(&naming),
        "the seed names WCAG in a few offerings: {results}"
    );
    let related = &found[naming..];
    assert_eq!(results["related"], related.len(), "{results}");
    assert!(!related.is_empty(), "related offerings follow: {results}");
    for hit in related {
        assert_eq!(missing(hit), ["wcag"], "{}", hit["id"]);
        assert!(!text_of(hit).contains("wcag"), "{}", hit["id"]);
    }
    assert!(
        related.iter().any(|hit| text_of(hit).contains("accessib")),
        "an offering on accessibility that does not say WCAG is related: {results}"
    );
    // The total and the facets count the results shown: each offering has one format.
    let total = results["total"].as_u64().unwrap();
    assert_eq!(total as usize, found.len());
    let formats: u64 = results["facets"]["format"]
        .as_array()
        .unwrap()
        .iter()
        .map(|value| value["count"].as_u64().unwrap())
        .sum();
    assert_eq!(formats, total);
    let (status, page) = catalog.server.get("/search?q=wcag&include_past=true");
    assert_eq!(status, 200);
    assert!(
        page.contains("offerings on related topics follow"),
        "{page}"
    );
    // Quoted, the word is explicit syntax: only the offerings that name it.
    let quoted = catalog.search("q=%22wcag%22&include_past=true&per_page=50");
    assert_eq!(
        quoted["total"].as_u64().unwrap() as usize,
        naming,
        "{quoted}"
    );
    assert_eq!(quoted["related"], 0);
}
