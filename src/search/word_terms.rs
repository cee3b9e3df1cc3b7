//! A word's query run one term at a time, when it is a plain sum of terms (most words: the
//! stem in the text and in the concepts, and the word exactly as typed).
//!
//! Why: tantivy runs such a query as a union, which merges its terms' postings document by
//! document through a window of buckets; for a word in most offerings ("library") that merge
//! was a quarter of the search. Here each term's postings are read a block at a time and their
//! BM25 scores added into an array in one tight loop, and the word's documents are then read
//! from the array in order. The sum for each document is the union's: the same terms' scores,
//! from the same weights, added in the same order. (The same idea through boxed scorers, a call
//! through a box per document and term, cost more than the union: the unboxed loop pays.)

use super::doc_bits::DocBits;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::{
    Bm25Weight, BooleanQuery, BoostQuery, DisjunctionMaxQuery, EnableScoring, Occur, Query,
    TermQuery, Weight,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, Score, Searcher, SegmentReader, Term};

/// A sum of terms' BM25 scores, each times its weight: `BooleanQuery` of boosted `TermQuery`s
/// to tantivy, terms to the words' pass (`scored_words`).
#[derive(Clone, Debug)]
pub struct TermSum {
    terms: Vec<(Term, IndexRecordOption, Score)>,
}

impl TermSum {
    /// `terms`: each with what its postings record and its weight.
    pub fn new(terms: Vec<(Term, IndexRecordOption, Score)>) -> Self {
        TermSum { terms }
    }

    /// The same sum, times `weight`: what `BoostQuery` would make of it, term by term.
    pub fn times(mut self, weight: Score) -> Self {
        for (_, _, own) in &mut self.terms {
            *own *= weight;
        }
        self
    }

    fn as_union(&self) -> BooleanQuery {
        let clauses = self.terms.iter().map(|(term, options, weight)| {
            let query: Box<dyn Query> = Box::new(TermQuery::new(term.clone(), *options));
            let query: Box<dyn Query> = if *weight == 1.0 {
                query
            } else {
                Box::new(BoostQuery::new(query, *weight))
            };
            (Occur::Should, query)
        });
        BooleanQuery::new(clauses.collect())
    }
}

impl Query for TermSum {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        self.as_union().weight(scoring)
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (term, _, _) in &self.terms {
            visitor(term, false);
        }
    }
}

/// The best of several sums (a word, its spelling variants, its synonyms), as tantivy's
/// `DisjunctionMaxQuery` scores them: the greatest sum, and `tie_breaker` times the others.
#[derive(Clone, Debug)]
pub struct BestOfSums {
    sums: Vec<TermSum>,
    tie_breaker: Score,
}

impl BestOfSums {
    pub fn new(sums: Vec<TermSum>, tie_breaker: Score) -> Self {
        BestOfSums { sums, tie_breaker }
    }
}

impl Query for BestOfSums {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let sums = self
            .sums
            .iter()
            .map(|sum| Box::new(sum.clone()) as Box<dyn Query>);
        DisjunctionMaxQuery::with_tie_breaker(sums.collect(), self.tie_breaker).weight(scoring)
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.sums.iter().for_each(|sum| sum.query_terms(visitor));
    }
}

/// A sum's terms, each with its weight as `TermQuery` weighs it and `BoostQuery` boosts it.
type SumWeights = Vec<(Term, IndexRecordOption, Bm25Weight)>;

/// A word's weights: its terms' own when it is a `TermSum` or a `BestOfSums`, else the whole
/// query's.
pub enum WordWeight {
    Sum(SumWeights),
    BestOf(Vec<SumWeights>, Score),
    Whole(Box<dyn Weight>),
}

/// Arrays reused from word to word within a segment: each sum's, then (for the best of sums)
/// the greatest sum and the total of them so far, and the documents any sum matched.
pub struct Scratch {
    sums: Sums,
    best: Vec<Score>,
    total: Vec<Score>,
    any: DocBits,
}

/// One sum of terms per document, and the documents it holds.
struct Sums {
    sums: Vec<Score>,
    documents: DocBits,
}

impl Scratch {
    /// Whether every array is zero, as each word leaves them (checked in debug builds).
    pub fn is_clear(&self) -> bool {
        let zero = |scores: &[Score]| scores.iter().all(|&score| score == 0.0);
        zero(&self.sums.sums)
            && self.sums.documents.len() == 0
            && zero(&self.best)
            && zero(&self.total)
            && self.any.len() == 0
    }

    pub fn new(documents: usize) -> Self {
        Scratch {
            sums: Sums {
                sums: vec![0.0; documents],
                documents: DocBits::new(documents),
            },
            // Made when a word first needs them.
            best: Vec::new(),
            total: Vec::new(),
            any: DocBits::new(documents),
        }
    }
}

impl WordWeight {
    pub fn of(query: &dyn Query, searcher: &Searcher) -> tantivy::Result<Self> {
        let weights = |sum: &TermSum| -> tantivy::Result<SumWeights> {
            let weights = sum.terms.iter().map(|(term, options, weight)| {
                let bm25 = Bm25Weight::for_terms(searcher, std::slice::from_ref(term))?;
                Ok((term.clone(), *options, bm25.boost_by(*weight)))
            });
            weights.collect()
        };
        if let Some(sum) = query.downcast_ref::<TermSum>() {
            return Ok(WordWeight::Sum(weights(sum)?));
        }
        if let Some(best_of) = query.downcast_ref::<BestOfSums>() {
            let sums = best_of.sums.iter().map(weights);
            let sums = sums.collect::<tantivy::Result<_>>()?;
            return Ok(WordWeight::BestOf(sums, best_of.tie_breaker));
        }
        let scoring = EnableScoring::enabled_from_searcher(searcher);
        Ok(WordWeight::Whole(query.weight(scoring)?))
    }

    /// Calls `add` with each document the word matches in a segment, in order, and its score.
    pub fn for_each(
        &self,
        reader: &SegmentReader,
        scratch: &mut Scratch,
        add: impl FnMut(DocId, Score),
    ) -> tantivy::Result<()> {
        self.for_each_kept(reader, scratch, |_| true, add)
    }

    /// For a word that is a plain sum of terms, adds its score in each document it matches to
    /// `scores` and the document to `documents`, straight from its postings, and says so; any
    /// other word is left to `for_each`. Why: the first word of a search has nothing to add to
    /// yet, so its sums need no array of their own to be read back from (1% of the work of the
    /// load harness's searches with words; a best of sums, as "library" is, still has one).
    pub fn add_sum_into(
        &self,
        reader: &SegmentReader,
        scores: &mut [Score],
        documents: &mut DocBits,
    ) -> tantivy::Result<bool> {
        let WordWeight::Sum(terms) = self else {
            return Ok(false);
        };
        for term in terms {
            add_term(reader, term, |_| true, scores, documents)?;
        }
        Ok(true)
    }

    /// As `for_each`, for the documents `keep` keeps only: a term's postings are still read,
    /// but a document left out costs a bit's test rather than a score.
    pub fn for_each_kept(
        &self,
        reader: &SegmentReader,
        scratch: &mut Scratch,
        keep: impl Fn(DocId) -> bool + Copy,
        mut add: impl FnMut(DocId, Score),
    ) -> tantivy::Result<()> {
        match self {
            WordWeight::Whole(weight) => weight.for_each(reader, &mut |doc, score| {
                if keep(doc) {
                    add(doc, score)
                }
            }),
            WordWeight::Sum(terms) => {
                scratch.sums.add_terms(reader, terms, keep)?;
                scratch.sums.take(add);
                Ok(())
            }
            WordWeight::BestOf(sums, tie_breaker) => {
                let documents = scratch.sums.sums.len();
                scratch.best.resize(documents, 0.0);
                scratch.total.resize(documents, 0.0);
                let mut sums = sums.iter();
                // The first sum is the best so far wherever it matches, and the total: added
                // straight into `best`, `total` left at zero (read as `best`) until another sum
                // adds to it. Why: a word in nearly every offering ("library") spent a pass over
                // all of them copying its first sum from one array to two.
                for term in sums.next().into_iter().flatten() {
                    add_term(reader, term, keep, &mut scratch.best, &mut scratch.any)?;
                }
                for terms in sums {
                    scratch.sums.add_terms(reader, terms, keep)?;
                    scratch.any.add(&scratch.sums.documents);
                    let (best, total) = (&mut scratch.best, &mut scratch.total);
                    scratch.sums.take(|doc, sum| {
                        let at = doc as usize;
                        total[at] = total_so_far(total[at], best[at]) + sum;
                        best[at] = Score::max(sum, best[at]);
                    });
                }
                for doc in scratch.any.documents() {
                    let at = doc as usize;
                    let best = std::mem::take(&mut scratch.best[at]);
                    let total = total_so_far(std::mem::take(&mut scratch.total[at]), best);
                    add(doc, best + (total - best) * tie_breaker);
                }
                scratch.any.clear();
                Ok(())
            }
        }
    }
}

/// A best of sums' total so far in a document: `total`, or, while only the first sum has added
/// to it (scores are never negative, so a total of zero says so), the first sum, kept in `best`.
fn total_so_far(total: Score, best: Score) -> Score {
    if total == 0.0 { best } else { total }
}

impl Sums {
    /// Adds each of a sum's terms, in order, to the documents `keep` keeps.
    fn add_terms(
        &mut self,
        reader: &SegmentReader,
        terms: &SumWeights,
        keep: impl Fn(DocId) -> bool + Copy,
    ) -> tantivy::Result<()> {
        terms
            .iter()
            .try_for_each(|term| add_term(reader, term, keep, &mut self.sums, &mut self.documents))
    }

    /// Hands each summed document to `add`, in order, leaving the arrays clear.
    fn take(&mut self, mut add: impl FnMut(DocId, Score)) {
        for doc in self.documents.documents() {
            add(doc, std::mem::take(&mut self.sums[doc as usize]));
        }
        self.documents.clear();
    }
}

/// Adds a term's score to each document of its postings that `keep` keeps, a block at a time,
/// as tantivy's `TermScorer` scores it: the field's norms (or 1 where it keeps none), the
/// frequency (1 where its postings keep none).
fn add_term(
    reader: &SegmentReader,
    (term, options, bm25): &(Term, IndexRecordOption, Bm25Weight),
    keep: impl Fn(DocId) -> bool,
    scores: &mut [Score],
    documents: &mut DocBits,
) -> tantivy::Result<()> {
    let Some(mut postings) = reader
        .inverted_index(term.field())?
        .read_block_postings(term, *options)?
    else {
        return Ok(());
    };
    let norms = reader.fieldnorms_readers().get_field(term.field())?;
    let norms = norms.unwrap_or_else(|| FieldNormReader::constant(reader.max_doc(), 1));
    loop {
        let docs = postings.docs();
        if docs.is_empty() {
            return Ok(());
        }
        for (at, &doc) in docs.iter().enumerate() {
            if !keep(doc) {
                continue;
            }
            scores[doc as usize] += bm25.score(norms.fieldnorm_id(doc), postings.freq(at));
            documents.insert(doc);
        }
        postings.advance();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::schema::{STRING, Schema, TEXT};
    use tantivy::{Index, doc};

    /// A sum of weighted terms run term by term, and the best of two sums, find the documents
    /// and the scores that tantivy's union and disjunction of the same give them, across
    /// blocks of postings (300 documents), with a term of no frequencies and a term no
    /// document has.
    #[test]
    fn term_by_term_a_word_scores_what_its_union_does() {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let exact = schema.add_text_field("exact", STRING);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer(15_000_000).unwrap();
        let mut rng = fastrand::Rng::with_seed(20261130);
        for _ in 0..300 {
            let words: Vec<&str> = (0..rng.usize(0..12))
                .map(|_| ["library", "card", "catalog"][rng.usize(..3)])
                .collect();
            let exactly = ["library", "other"][rng.usize(..2)];
            writer
                .add_document(doc!(text => words.join(" "), exact => exactly))
                .unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let term = |field, word: &str| Term::from_field_text(field, word);
        let sum = TermSum::new(vec![
            (term(text, "library"), IndexRecordOption::WithFreqs, 1.0),
            (term(exact, "library"), IndexRecordOption::Basic, 1.7),
            (term(text, "card"), IndexRecordOption::WithFreqs, 0.4),
            (term(text, "absent"), IndexRecordOption::WithFreqs, 1.0),
        ]);
        let variant = TermSum::new(vec![
            (term(text, "catalog"), IndexRecordOption::WithFreqs, 1.0),
            (term(exact, "other"), IndexRecordOption::Basic, 1.0),
        ]);
        let best_of = BestOfSums::new(vec![sum.clone(), variant.times(0.6)], 0.1);
        for query in [&sum as &dyn Query, &best_of] {
            let weight = WordWeight::of(query, &searcher).unwrap();
            assert!(!matches!(weight, WordWeight::Whole(_)));
            let reader = searcher.segment_reader(0);
            let mut scratch = Scratch::new(reader.max_doc() as usize);
            let mut found = Vec::new();
            weight
                .for_each(reader, &mut scratch, |doc, score| found.push((doc, score)))
                .unwrap();
            let mut expected: Vec<(DocId, Score)> = searcher
                .search(query, &TopDocs::with_limit(1000).order_by_score())
                .unwrap()
                .into_iter()
                .map(|(score, address)| (address.doc_id, score))
                .collect();
            expected.sort_by_key(|(doc, _)| *doc);
            assert!(expected.len() > 200, "{}", expected.len());
            assert_eq!(found.len(), expected.len());
            for ((doc, score), (expected_doc, expected_score)) in found.iter().zip(&expected) {
                assert_eq!(doc, expected_doc);
                assert!(
                    (score - expected_score).abs() < 1e-5,
                    "{score} {expected_score}"
                );
            }
            // The scratch arrays are left clear for the next word.
            let clear = |sums: &[Score]| sums.iter().all(|sum| *sum == 0.0);
            assert!(clear(&scratch.sums.sums) && clear(&scratch.best) && clear(&scratch.total));
            assert!(scratch.sums.documents.len() == 0 && scratch.any.len() == 0);
            // Kept to some documents, the same scores for those alone.
            let kept: Vec<bool> = (0..reader.max_doc()).map(|_| rng.bool()).collect();
            let mut found_kept = Vec::new();
            let keep = |doc: DocId| kept[doc as usize];
            weight
                .for_each_kept(reader, &mut scratch, keep, |doc, score| {
                    found_kept.push((doc, score))
                })
                .unwrap();
            found.retain(|(doc, _)| keep(*doc));
            assert!(found.len() > 50, "{}", found.len());
            assert_eq!(found_kept, found);
        }
    }
}
