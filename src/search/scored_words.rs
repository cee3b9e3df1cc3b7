//! The words of a search scored one at a time into arrays (term-at-a-time), where tantivy would
//! run them as one union intersected with the filters (document-at-a-time).
//!
//! Why: for a search of words, the union of every word's scorers was merged document by document,
//! each match seeked in every filter, and before that another union counted how many offerings
//! match enough of the words (to decide how many to require). Each word's own scorer, run alone
//! over a segment, writes its score and its bit (this word matched) into per-document arrays; how
//! many words to require is then read from the arrays, and the pass that feeds the page's
//! collectors walks only the documents a word touched, testing the filters, the exclusions and
//! the optional parts on each. The scores and matches are those of `Plan::query`: a document
//! matches when it has every strict part, enough words and no exclusion, and scores the sum of
//! what it matches.

use super::doc_bits::DocBits;
use super::facet_filters::FacetFilter;
use super::limiter::Segments;
use super::plan::{Plan, Unit};
use super::tiers::TIER;
use super::word_terms::{Scratch, WordWeight};
use std::sync::Mutex;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{EnableScoring, Occur, Query, Scorer, Weight};
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentReader};

/// The most words a plan may have to be scored here: one bit each in a `u32` (a query reads
/// at most 32 tokens, so only a plan widened past that would have more).
const MAX_WORDS: usize = 32;

/// What a plan's words and strict parts score in each document of each segment.
pub struct ScoredWords {
    segments: Vec<SegmentScores>,
    /// How many strict parts a match must have.
    strict: u8,
    /// How many words the plan has.
    words: usize,
}

/// One segment's arrays, indexed by document. Only the documents in `touched` hold anything
/// but zero: that is what lets the arrays be cleared in the time of the matches and kept for the
/// next search (`SPARE`).
struct SegmentScores {
    /// The sum of what its words, strict parts and common words score.
    score: Vec<Score>,
    /// Which of the words it matches, one bit each (a search has at most `MAX_WORDS`).
    words: Vec<u32>,
    /// How many of the strict parts it matches (empty until a search with strict parts).
    strict: Vec<u8>,
    /// The documents any word or strict part matches.
    touched: DocBits,
    /// The words' own arrays while they are scored, kept with the rest.
    scratch: Scratch,
}

/// Segments' arrays from finished searches, for the next, which clears them where they were
/// touched as it takes them: on the thread that scores that segment (`Limiter::executor`),
/// rather than on the search's own once its page is made. Each search allocated and
/// zeroed a segment's arrays anew, about 20 bytes an offering, though it writes only where a
/// word matches: zeroing them was 2% of the server's time under the 253 searches with words
/// (`perf`). A few are kept, the newest; a segment merged away leaves its size unmatched, and
/// it is pushed out by newer ones. Searches run one per core (`limiter.rs`), so a few suffice:
/// at a million offerings, two searches' arrays are about 40 MB.
static SPARE: Mutex<Vec<SegmentScores>> = Mutex::new(Vec::new());
/// How many segments' arrays `SPARE` keeps.
const SPARE_KEPT: usize = 16;
/// Arrays of a segment where more than one document in this many was touched are zeroed whole.
const WHOLE_CLEAR: usize = 8;

impl Drop for ScoredWords {
    fn drop(&mut self) {
        std::mem::take(&mut self.segments)
            .into_iter()
            .for_each(SegmentScores::give_back);
    }
}

impl ScoredWords {
    /// Scores each of the plan's words (each a tier, as `Plan::query` counts them) and strict
    /// parts over every segment; `None` for a plan of more words than `MAX_WORDS`.
    /// The segments are scored on `executor`'s threads.
    pub fn of((searcher, executor): Segments<'_>, plan: &Plan) -> tantivy::Result<Option<Self>> {
        if plan.words.len() > MAX_WORDS {
            return Ok(None);
        }
        let scoring = EnableScoring::enabled_from_searcher(searcher);
        let weights = |units: &[Unit]| {
            units
                .iter()
                .map(|unit| WordWeight::of(&*unit.query, searcher))
                .collect::<tantivy::Result<Vec<_>>>()
        };
        let words = weights(&plan.words)?;
        let common = weights(&plan.common)?;
        let strict = plan
            .strict
            .iter()
            .filter(|(occur, _)| *occur == Occur::Must)
            .map(|(_, query)| query.weight(scoring))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let segments = executor.map(
            |reader| SegmentScores::of(reader, &words, &common, &strict),
            searcher.segment_readers().iter(),
        )?;
        Ok(Some(ScoredWords {
            segments,
            strict: u8::try_from(strict.len()).unwrap_or(u8::MAX),
            words: words.len(),
        }))
    }

    /// Which of the plan's words (by position) an offering matches: one bit each.
    pub fn words_of(&self, address: DocAddress) -> u32 {
        self.segments
            .get(address.segment_ord as usize)
            .and_then(|scores| scores.words.get(address.doc_id as usize))
            .copied()
            .unwrap_or(0)
    }

    /// How many words to require: the most, up to `required`, that `enough` offerings match
    /// (with every strict part), else one. Exclusions and filters are left out, so that they
    /// only ever narrow.
    pub fn minimum(&self, searcher: &Searcher, required: usize, enough: usize) -> usize {
        if required <= 1 {
            return required;
        }
        // How many offerings match exactly so many words.
        let mut matching = vec![0usize; self.words + 1];
        for (reader, scores) in searcher.segment_readers().iter().zip(&self.segments) {
            let alive = reader.alive_bitset();
            for doc in scores.touched.documents() {
                if scores.has_strict(doc, self.strict)
                    && alive.is_none_or(|alive| alive.is_alive(doc))
                {
                    let words = scores.words[doc as usize].count_ones() as usize;
                    matching[words.min(self.words)] += 1;
                }
            }
        }
        let mut minimum = required;
        while minimum > 1 && matching[minimum..].iter().sum::<usize>() < enough {
            minimum -= 1;
        }
        minimum
    }
}

impl SegmentScores {
    fn of(
        reader: &SegmentReader,
        words: &[WordWeight],
        common: &[WordWeight],
        strict: &[Box<dyn Weight>],
    ) -> tantivy::Result<Self> {
        let mut scores = SegmentScores::zeroed(reader.max_doc() as usize, !strict.is_empty());
        let mut rest = words.iter().enumerate();
        if let Some(first) = words.first()
            && first.add_sum_into(reader, &mut scores.score, &mut scores.touched)?
        {
            rest.next();
            // Its tier and bit, as below: nothing else has touched a document yet.
            for doc in scores.touched.documents() {
                scores.score[doc as usize] += TIER;
                scores.words[doc as usize] = 1;
            }
        }
        for (index, weight) in rest {
            let bit = 1 << index;
            // Each word scores a tier more (`tiers::Counted`), added here rather than by
            // wrapping its scorer: a word's own loop runs without a call through a box for
            // each document.
            weight.for_each(reader, &mut scores.scratch, |doc, score| {
                let at = doc as usize;
                scores.score[at] += score + TIER;
                scores.words[at] |= bit;
                scores.touched.insert(doc);
            })?;
        }
        for weight in strict {
            weight.for_each(reader, &mut |doc, score| {
                let at = doc as usize;
                scores.score[at] += score;
                scores.strict[at] = scores.strict[at].saturating_add(1);
                scores.touched.insert(doc);
            })?;
        }
        // Common words only add to the score of a match. Read term by term too (asked of each
        // candidate, a common word's union was half of a search that had one), and scored only
        // where a word or strict part matched: elsewhere nothing matches that they could add to.
        let (touched, score) = (&scores.touched, &mut scores.score);
        for weight in common {
            weight.for_each_kept(
                reader,
                &mut scores.scratch,
                |doc| touched.contains(doc),
                |doc, common| score[doc as usize] += common,
            )?;
        }
        Ok(scores)
    }

    /// Arrays for a segment of `documents`, all zero: kept ones when `SPARE` has some.
    fn zeroed(documents: usize, strict: bool) -> Self {
        let spare = SPARE.lock().ok().and_then(|mut spare| {
            let at = spare.iter().rposition(|s| s.score.len() == documents)?;
            Some(spare.remove(at))
        });
        let mut scores = spare
            .map(SegmentScores::cleared)
            .unwrap_or_else(|| SegmentScores {
                score: vec![0.0; documents],
                words: vec![0; documents],
                // Most searches have no strict part: no array to clear then.
                strict: Vec::new(),
                touched: DocBits::new(documents),
                scratch: Scratch::new(documents),
            });
        if strict && scores.strict.is_empty() {
            scores.strict = vec![0; documents];
        }
        scores
    }

    /// Keeps the arrays in `SPARE`, as the search left them. Only a whole `ScoredWords` gives
    /// its arrays back: a segment whose scoring failed part way is dropped, whatever it holds.
    fn give_back(self) {
        if let Ok(mut spare) = SPARE.lock() {
            if spare.len() == SPARE_KEPT {
                spare.remove(0);
            }
            spare.push(self);
        }
    }

    /// Zeroes what a search wrote: the touched documents' entries.
    fn cleared(mut self) -> Self {
        // Where most documents were touched (a common word), zeroing whole arrays is quicker
        // than finding each touched one.
        if self.touched.len() * WHOLE_CLEAR > self.score.len() {
            self.score.fill(0.0);
            self.words.fill(0);
            self.strict.fill(0);
        } else {
            for doc in self.touched.documents() {
                let at = doc as usize;
                self.score[at] = 0.0;
                self.words[at] = 0;
                if let Some(strict) = self.strict.get_mut(at) {
                    *strict = 0;
                }
            }
        }
        self.touched.clear();
        debug_assert!(
            self.is_clear(),
            "a search wrote outside the documents it touched"
        );
        self
    }

    /// Whether every array is zero (checked in debug builds, which the tests run).
    fn is_clear(&self) -> bool {
        self.score.iter().all(|&score| score == 0.0)
            && self.words.iter().all(|&words| words == 0)
            && self.strict.iter().all(|&strict| strict == 0)
            && self.touched.len() == 0
            && self.scratch.is_clear()
    }

    /// Whether `doc` matches every strict part.
    fn has_strict(&self, doc: DocId, strict: u8) -> bool {
        strict == 0 || self.strict[doc as usize] == strict
    }
}

/// One pass over the scored words: what `Plan::query(minimum)` matches, or the `related`
/// offerings when set (`related::widen`), among what every filter holds.
pub struct WordsPass<'a> {
    pub scored: &'a ScoredWords,
    pub plan: &'a Plan,
    pub minimum: usize,
    pub related: Option<&'a dyn Query>,
}

/// The weights a pass reads for each candidate.
struct PassWeights {
    filters: Vec<Box<dyn Weight>>,
    /// The filters read from the bits the facets keep (`facet_filters`).
    from_facets: Vec<FacetFilter>,
    excluded: Vec<Box<dyn Weight>>,
    /// The optional parts: they only add to the score of a match.
    optional: Vec<Box<dyn Weight>>,
    related: Option<Box<dyn Weight>>,
}

impl WordsPass<'_> {
    /// Feeds every match, with its score, to `collector`, as `Searcher::search` would.
    pub fn search<C: Collector>(
        &self,
        (searcher, executor): Segments<'_>,
        filters: &[&dyn Query],
        collector: &C,
    ) -> tantivy::Result<C::Fruit> {
        let weights = self.weights(searcher, filters)?;
        let segments = searcher.segment_readers().iter().zip(&self.scored.segments);
        let fruits = executor.map(
            |(ord, (reader, scores))| {
                let mut child = collector.for_segment(ord as u32, reader)?;
                self.collect_segment(reader, scores, &weights, &mut child)?;
                Ok(child.harvest())
            },
            segments.enumerate(),
        )?;
        collector.merge_fruits(fruits)
    }

    fn weights(&self, searcher: &Searcher, filters: &[&dyn Query]) -> tantivy::Result<PassWeights> {
        let scoring = EnableScoring::enabled_from_searcher(searcher);
        let unscored = EnableScoring::disabled_from_searcher(searcher);
        let excluded = self
            .plan
            .strict
            .iter()
            .filter(|(occur, _)| *occur == Occur::MustNot)
            .map(|(_, query)| query.weight(unscored));
        let optional = self.plan.optional.iter().map(|query| query.weight(scoring));
        Ok(PassWeights {
            filters: filters
                .iter()
                .filter(|filter| !filter.is::<FacetFilter>())
                .map(|filter| filter.weight(unscored))
                .collect::<tantivy::Result<_>>()?,
            from_facets: filters
                .iter()
                .filter_map(|filter| filter.downcast_ref::<FacetFilter>())
                .cloned()
                .collect(),
            excluded: excluded.collect::<tantivy::Result<_>>()?,
            optional: optional.collect::<tantivy::Result<_>>()?,
            related: self
                .related
                .map(|related| related.weight(scoring))
                .transpose()?,
        })
    }

    fn collect_segment<S: SegmentCollector>(
        &self,
        reader: &SegmentReader,
        scores: &SegmentScores,
        weights: &PassWeights,
        child: &mut S,
    ) -> tantivy::Result<()> {
        let scorers = |weights: &[Box<dyn Weight>]| {
            weights
                .iter()
                .map(|weight| weight.scorer(reader, 1.0))
                .collect::<tantivy::Result<Vec<_>>>()
        };
        let mut excluded = scorers(&weights.excluded)?;
        let mut optional = scorers(&weights.optional)?;
        let related = weights
            .related
            .as_ref()
            .map(|weight| RelatedScores::of(reader, &**weight))
            .transpose()?;
        let mut candidates = match &related {
            Some(related) => scores.touched.union(&related.touched),
            None => scores.touched.clone(),
        };
        for filter in &weights.from_facets {
            candidates.keep_only(&*filter.bits(reader)?);
        }
        let mut filters = narrow(&mut candidates, scorers(&weights.filters)?);
        let minimum = self.minimum.clamp(1, self.scored.words.max(1));
        let alive = reader.alive_bitset();
        let text_matches = |doc: DocId, excluded: &mut [Box<dyn Scorer>]| {
            let at = doc as usize;
            scores.words[at].count_ones() as usize >= minimum
                && scores.has_strict(doc, self.scored.strict)
                && !excluded.iter_mut().any(|scorer| holds(&mut **scorer, doc))
        };
        let mut collect = |doc: DocId| {
            if alive.is_some_and(|alive| !alive.is_alive(doc)) {
                return;
            }
            let text = text_matches(doc, &mut excluded);
            let related = related.as_ref().and_then(|related| related.score(doc));
            if !(text || related.is_some())
                || !filters.iter_mut().all(|scorer| holds(&mut **scorer, doc))
            {
                return;
            }
            let mut score = related.unwrap_or(0.0);
            if text {
                score += scores.score[doc as usize];
                for scorer in &mut optional {
                    if holds(&mut **scorer, doc) {
                        score += scorer.score();
                    }
                }
            }
            child.collect(doc, score);
        };
        candidates.documents().for_each(&mut collect);
        Ok(())
    }
}

/// Reading a filter into bits costs a few instructions per document it holds; asking it of a
/// candidate (a seek) some tens.
const SEEK_COST: usize = 8;

/// Narrows the candidates by each filter that holds fewer documents than `SEEK_COST` times
/// their number, read into bits at once (a small filter, "free" or a rare value, then leads, as
/// in tantivy's intersection), and returns the others, to be asked of each candidate.
fn narrow(candidates: &mut DocBits, filters: Vec<Box<dyn Scorer>>) -> Vec<Box<dyn Scorer>> {
    let mut count = candidates.len();
    let mut asked = Vec::new();
    for mut filter in filters {
        if (filter.size_hint() as usize) < count.saturating_mul(SEEK_COST) {
            candidates.keep_only(&DocBits::of_docset(&mut *filter, candidates.capacity()));
            count = candidates.len();
        } else {
            asked.push(filter);
        }
    }
    asked
}

/// What the related offerings' query scores in one segment.
struct RelatedScores {
    score: Vec<Score>,
    touched: DocBits,
}

impl RelatedScores {
    fn of(reader: &SegmentReader, weight: &dyn Weight) -> tantivy::Result<Self> {
        let documents = reader.max_doc() as usize;
        let mut related = RelatedScores {
            score: vec![0.0; documents],
            touched: DocBits::new(documents),
        };
        weight.for_each(reader, &mut |doc, score| {
            related.score[doc as usize] += score;
            related.touched.insert(doc);
        })?;
        Ok(related)
    }

    fn score(&self, doc: DocId) -> Option<Score> {
        self.touched.contains(doc).then(|| self.score[doc as usize])
    }
}

/// Whether a scorer matches `doc`, moving it there; the documents asked must increase.
pub fn holds(scorer: &mut dyn Scorer, doc: DocId) -> bool {
    // A scorer stands on its next match, which may already be past this document.
    let at = if scorer.doc() < doc {
        scorer.seek(doc)
    } else {
        scorer.doc()
    };
    at == doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::compile::Compiler;
    use crate::search::filters::filters;
    use crate::search::request::SearchRequest;
    use crate::search::{SearchIndex, Vocabulary, query};
    use crate::store::Store;
    use tantivy::Executor;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::BooleanQuery;

    /// The seed in a real database and index folder.
    fn seeded() -> (tempfile::TempDir, SearchIndex) {
        let folder = tempfile::tempdir().unwrap();
        let store = Store::open(&folder.path().join("catalog.db")).unwrap();
        let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seed");
        let parsed = crate::bundle::read_dir(&seed).unwrap();
        store.import(&parsed.bundle, &|| {}).unwrap();
        let index =
            SearchIndex::open(&folder.path().join("index"), Vocabulary::shipped().clone()).unwrap();
        index.catch_up(&store).unwrap();
        (folder, index)
    }

    type Found = (usize, Vec<(Score, DocAddress)>);

    /// For random words (common, misspelt, excluded, quoted) and filters, with every number of
    /// words required, the pass finds what tantivy's own query of the plan and the filters
    /// finds, scored the same (to the rounding of a sum taken in another order).
    #[test]
    fn the_words_pass_finds_and_scores_what_the_plans_query_does() {
        let (_folder, index) = seeded();
        let generation = index.live.load_full();
        let searcher = generation.reader.searcher();
        let now = chrono::Utc::now();
        let pieces = [
            "library",
            "cataloging",
            "catalogue",
            "reference",
            "children",
            "storytime",
            "leadership",
            "budget",
            "trustees",
            "digital",
            "preservaton",
            "-children",
            "-online",
            "\"reference interview\"",
            "what",
            "for",
            "linked",
            "data",
        ];
        let filter_choices = [
            vec![],
            vec![("format", "online_live")],
            vec![("level", "introductory"), ("include_past", "true")],
            vec![("when", "quarter")],
            vec![("free", "true"), ("include_past", "true")],
        ];
        let mut rng = fastrand::Rng::with_seed(20261130);
        let mut compared = 0;
        let executor = Executor::multi_thread(2, "test-segments-").unwrap();
        for _ in 0..60 {
            let words: Vec<&str> = (0..rng.usize(1..=4))
                .map(|_| pieces[rng.usize(..pieces.len())])
                .collect();
            let text = words.join(" ");
            let mut pairs = vec![("q", text.as_str())];
            pairs.extend(
                filter_choices[rng.usize(..filter_choices.len())]
                    .iter()
                    .copied(),
            );
            let request = SearchRequest::from_query(pairs).unwrap();
            let compiled = Compiler::new(&searcher, &generation.fields, &index.vocabulary)
                .unwrap()
                .compile(query::parse(&request.query).as_ref());
            let Some(plan) = compiled.plan.filter(|plan| !plan.words.is_empty()) else {
                continue;
            };
            let filters = filters(&generation.fields, &generation.facets, &request, now);
            let scored = ScoredWords::of((&searcher, &executor), &plan)
                .unwrap()
                .unwrap();
            let collector = (Count, TopDocs::with_limit(1000).order_by_score());
            for minimum in 1..=plan.words.len() {
                let mut clauses = vec![(Occur::Must, plan.query(minimum))];
                clauses.extend(filters.iter().map(|(_, f)| (Occur::Must, f.box_clone())));
                let expected: Found = searcher
                    .search(&BooleanQuery::new(clauses), &collector)
                    .unwrap();
                let pass = WordsPass {
                    scored: &scored,
                    plan: &plan,
                    minimum,
                    related: None,
                };
                let kept: Vec<&dyn Query> = filters.iter().map(|(_, f)| &**f).collect();
                let found: Found = pass
                    .search((&searcher, &executor), &kept, &collector)
                    .unwrap();
                assert_eq!(found.0, expected.0, "{text} {minimum}");
                let by_address = |found: &Found| {
                    let mut listed: Vec<(DocAddress, Score)> =
                        found.1.iter().map(|(score, at)| (*at, *score)).collect();
                    listed.sort_by_key(|(at, _)| *at);
                    listed
                };
                let (found, expected) = (by_address(&found), by_address(&expected));
                assert_eq!(found.len(), expected.len(), "{text} {minimum}");
                for ((at, score), (expected_at, expected_score)) in found.iter().zip(&expected) {
                    assert_eq!(at, expected_at, "{text} {minimum}");
                    let error = (score - expected_score).abs() / expected_score.abs().max(1.0);
                    assert!(error < 1e-5, "{text} {minimum}: {score} {expected_score}");
                }
                compared += 1;
            }
        }
        assert!(compared > 40, "{compared}");
    }

    /// A search spread over the cores (alone) answers exactly what it answers on one thread
    /// (beside another search): the same total, hits in the same order with the same scores,
    /// snippets and missing words, and the same facet counts. The seed's index has two
    /// segments.
    #[test]
    fn a_search_spread_over_the_cores_answers_what_one_thread_does() {
        let (_folder, index) = seeded();
        assert!(index.live.load().reader.searcher().segment_readers().len() > 1);
        let now = chrono::Utc::now();
        let queries: [&[(&str, &str)]; 6] = [
            &[("q", "library")],
            &[("q", "reference interview skills")],
            &[
                ("q", "cataloging digital -children"),
                ("format", "online_live"),
            ],
            &[("q", "leadership budget trustees"), ("sort", "start")],
            &[("q", "\"linked data\" metadata"), ("include_past", "true")],
            &[
                ("q", "storytime"),
                ("level", "introductory"),
                ("per_page", "5"),
            ],
        ];
        for pairs in queries {
            let request = SearchRequest::from_query(pairs.iter().copied()).unwrap();
            let spread = index.search(&request, now).unwrap();
            let one_thread = {
                let _another = index.searching.turn();
                index.search(&request, now).unwrap()
            };
            assert!(spread.total > 0, "{pairs:?}");
            assert_eq!(
                serde_json::to_value(&spread).unwrap(),
                serde_json::to_value(&one_thread).unwrap(),
                "{pairs:?}"
            );
        }
    }
}
