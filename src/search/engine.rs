//! Running a search: the words are scored one at a time into arrays (`scored_words`), which
//! also tell how many of them to require when the words find few offerings; a query without
//! words to score so (a phrase, `OR`) and the filters run as tantivy queries. The active
//! filters' own facet counts come from the same pass when there are words (`sideways`), else
//! from a look with each left out; results are sorted (words matched first, then relevance,
//! reordered by competency feedback), paged, told which words they lack, and their descriptions
//! cut to the passage that matched best. A query that finds nothing is searched corrected
//! (`correction`).

use super::answers::Answers;
use super::compile::{Compiled, Compiler};
use super::facets::{Counts, FacetCache, FacetCounter};
use super::filters::{Source, filters};
use super::generation::Generation;
use super::labels::Labels;
use super::limiter::Segments;
use super::plan::Plan;
use super::request::{FacetValue, Hit, Near, SearchRequest, SearchResults, Sort, WhenBucket};
use super::scored_words::{ScoredWords, WordsPass, holds};
use super::sideways::{Narrowing, Sideways};
use super::top_keys::{LeastScore, SegmentOrder, SortKey, TopKeys};
use super::{
    DIMENSIONS, Dimension, SearchError, SearchIndex, feedback, language, query, related, rescore,
    tiers,
};
use crate::catalog::Offering;
use crate::geo::{Point, Unit};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use tantivy::collector::{Collector, Count, DocSetCollector, TopDocs};
use tantivy::columnar::Column;
use tantivy::query::{AllQuery, BooleanQuery, EnableScoring, Occur, Query, Weight};
use tantivy::schema::Value;
use tantivy::snippet::{Snippet, SnippetGenerator, collapse_overlapped_ranges};
use tantivy::{DocAddress, DocId, Executor, Score, Searcher, SegmentReader, TantivyDocument};

/// When the words find fewer offerings than this, one word fewer is required (down to one), so
/// that a short topic or a natural question lists what a cataloguer would, not one or two.
const ENOUGH: usize = 10;
/// Characters of a snippet.
const SNIPPET_LENGTH: usize = 240;
/// Offerings starting within this many days get a small boost in relevance order.
const SOON_DAYS: f64 = 180.0;
const SOON_BOOST: f64 = 0.15;

impl SearchIndex {
    /// Answers a search from the serving generation; `now` decides what is past and upcoming.
    pub fn search(
        &self,
        request: &SearchRequest,
        now: DateTime<Utc>,
    ) -> Result<SearchResults, SearchError> {
        let generation = self.live.load_full();
        let labels = self.labels.load_full();
        let searcher = generation.reader.searcher();
        let kept = Answers::key(
            &generation.name,
            searcher.generation().generation_id(),
            request,
            now,
        );
        if let Some(results) = kept.as_ref().and_then(|key| self.answers.get(key)) {
            return Ok(results);
        }
        let results = {
            let _turn = self.searching.turn();
            self.answer(&searcher, &generation, &labels, request, now)?
        };
        if let Some(key) = kept {
            self.answers.keep(key, &results);
        }
        Ok(results)
    }

    fn answer(
        &self,
        searcher: &Searcher,
        generation: &Generation,
        labels: &Labels,
        request: &SearchRequest,
        now: DateTime<Utc>,
    ) -> Result<SearchResults, SearchError> {
        let mut found = self.find(searcher, generation, request, now, true)?;
        // Nothing at all, even with words left out: search the corrected query instead, if that
        // finds something (as a web search does).
        let mut corrected_query = None;
        if found.total == 0
            && let Some(corrected) = self.corrected_query(searcher, generation, &request.query)
        {
            let retry = SearchRequest {
                query: corrected.clone(),
                ..request.clone()
            };
            let again = self.find(searcher, generation, &retry, now, true)?;
            if again.total > 0 {
                found = again;
                corrected_query = Some(corrected);
            }
        }

        let snippets = found
            .compiled
            .highlight
            .as_ref()
            .and_then(|query| snippet_generator(searcher, &**query, generation.fields.text));
        let addresses: Vec<DocAddress> = found.top.iter().map(|(_, address)| *address).collect();
        let scored = request.effective_sort() == Sort::Relevance && found.text.is_some();
        let widened = found.related > 0;
        let plan = found.compiled.plan.as_ref();
        let missing = match (plan, &found.scored) {
            (Some(plan), Some(scored)) => lacking(plan, scored, &addresses, widened),
            _ => MissingWords::new(searcher, plan, widened)?.of_each(searcher, &addresses)?,
        };
        let ratings = Ratings::new(searcher);
        // One list of missing words for each hit, in order (`lacking`, `of_each`).
        let page = found.top.iter().zip(missing);
        // Each hit reads its offering from the store and makes its snippet, apart from the
        // others: spread like the segments. Each hit's own error is kept (the map's is
        // tantivy's) and the first one returned once all are made.
        let hits = self.searching.executor().map(
            |((key, address), missing)| {
                let hit = hit(
                    searcher,
                    generation,
                    *address,
                    scored.then_some(key.0 as f32),
                    snippets.as_ref(),
                    &ratings,
                )
                .and_then(|mut hit| {
                    if let Some(near) = &request.near {
                        set_distance(&mut hit, searcher, generation, *address, near)?;
                    }
                    hit.missing_words = missing;
                    Ok(hit)
                });
                Ok(hit)
            },
            page,
        )?;
        let hits = hits.into_iter().collect::<Result<Vec<_>, SearchError>>()?;

        let counts = facet_counts(
            searcher,
            &generation.facets,
            found.counts.take().unwrap_or_default(),
            found.text.as_deref(),
            &found.filters,
            request,
            now,
        )?;
        let facets = facet_values(request, &counts, labels);
        let suggestion = match corrected_query {
            Some(_) => None,
            None => self.checked_suggestion(searcher, generation, request, now, &found)?,
        };
        Ok(SearchResults {
            total: found.total,
            page: request.page,
            per_page: request.per_page,
            hits,
            facets,
            suggestion,
            corrected_query,
            related: found.related,
        })
    }

    /// The ids of every offering a search finds, without paging, sorted.
    pub fn matching_ids(
        &self,
        request: &SearchRequest,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>, SearchError> {
        let generation = self.live.load_full();
        let searcher = generation.reader.searcher();
        let _turn = self.searching.turn();
        let found = self.find(&searcher, &generation, request, now, false)?;
        let query = combine(found.text.as_deref(), &found.filters, None);
        let mut ids = Vec::new();
        for address in searcher.search(&*query, &tantivy::collector::DocSetCollector)? {
            let doc: TantivyDocument = searcher.doc(address)?;
            if let Some(id) = doc.get_first(generation.fields.id).and_then(|v| v.as_str()) {
                ids.push(id.to_owned());
            }
        }
        ids.sort();
        Ok(ids)
    }

    /// Compiles and runs a search: the page of results (when `page` is set) and the total. When
    /// the words find few offerings, or the search finds none, fewer words are required.
    pub(super) fn find(
        &self,
        searcher: &Searcher,
        generation: &Generation,
        request: &SearchRequest,
        now: DateTime<Utc>,
        page: bool,
    ) -> Result<Found, SearchError> {
        let expr = query::parse(&request.query);
        let mut compiled = Compiler::new(searcher, &generation.fields, &self.vocabulary)?
            .in_language(language::asked_for(&request.query))
            .compile(expr.as_ref());
        let filters = filters(&generation.fields, &generation.facets, request, now);
        let sort = request.effective_sort();
        let origin = request.near.as_ref().map(|near| near.place.point);
        let keyed = (
            now,
            origin,
            super::cost::currency_number(request.currency()),
        );
        let offset = (request.page - 1) * request.per_page;
        // A page's search also counts the facets, in the same pass over the matches: those its
        // filters do not narrow here, its filters' own in `page_search`.
        let shared =
            page.then(|| shared_counter(searcher, &generation.facets, request, &filters, now));
        let executor = self.searching.executor();
        let mut scored = scored_words((searcher, executor), compiled.plan.as_ref())?;
        let mut minimum = compiled.plan.as_ref().map_or(0, |plan| plan.required);
        if let Some(scored) = &scored {
            minimum = scored.minimum(searcher, minimum, ENOUGH);
        }
        // Offerings related to the few the words find, once they are known (`related.rs`), and
        // how many the words found.
        let mut related: Option<Box<dyn Query>> = None;
        let mut found_by_words = 0;
        let widens = sort == Sort::Relevance
            && compiled
                .plan
                .as_ref()
                .is_some_and(|plan| plan.strict.is_empty());
        loop {
            let text = compiled.plan.as_ref().map(|plan| {
                let words = plan.query(minimum);
                match &related {
                    Some(related) => related::widen(words, related.box_clone()),
                    None => words,
                }
            });
            let matcher = match (&compiled.plan, &scored) {
                (Some(plan), Some(scored)) => Text::Words(WordsPass {
                    scored,
                    plan,
                    minimum,
                    related: related.as_deref(),
                }),
                _ => text.as_deref().map_or(Text::Nothing, Text::Query),
            };
            let run_page = |limit: usize, offset: usize| {
                let key = sort_key(sort, keyed, generation.facets.clone());
                let top = TopKeys::new(limit, offset, key, least_score(sort));
                page_search(
                    (searcher, executor),
                    &matcher,
                    &filters,
                    (&generation.facets, request, now),
                    (Count, top, shared.clone()),
                )
            };
            let (total, top, counts) = if page && sort == Sort::Relevance && text.is_some() {
                // The first candidates get their proximity and related topics and are
                // reordered by feedback, then the page is cut.
                let depth = feedback::DEPTH.max(offset + request.per_page);
                let (total, mut candidates, counts) = run_page(depth + rescore::WINDOW, 0)?;
                if let Some(plan) = &compiled.plan
                    && !plan.rescoring().is_empty()
                {
                    let scale = |key: &SortKey| 1.0 + soon(-key.1 as i64, now.timestamp());
                    let segments = (searcher, executor);
                    rescore::add_score(segments, plan.rescoring(), &mut candidates, scale)?;
                }
                candidates.truncate(depth);
                feedback::rerank(searcher, &mut candidates)?;
                let page = candidates
                    .into_iter()
                    .skip(offset)
                    .take(request.per_page)
                    .collect();
                (total, page, counts)
            } else if page {
                run_page(request.per_page, offset)?
            } else {
                (
                    matcher.search((searcher, executor), &filters, |_| true, &Count)?,
                    Vec::new(),
                    None,
                )
            };
            if widens && related.is_none() && (1..related::FEW).contains(&total) {
                let mut found: Vec<DocAddress> = matcher
                    .search((searcher, executor), &filters, |_| true, &DocSetCollector)?
                    .into_iter()
                    .collect();
                found.sort();
                related = related::query(searcher, &generation.fields, &found)?;
                if related.is_some() {
                    found_by_words = total;
                    continue;
                }
            }
            // With the filters, relax further only rather than show an empty page: fewer words,
            // then the common words too.
            if total == 0
                && minimum <= 1
                && let Some(plan) = compiled.plan.as_mut()
                && plan.widen()
            {
                scored = scored_words((searcher, executor), compiled.plan.as_ref())?;
                continue;
            }
            if total > 0 || minimum <= 1 {
                return Ok(Found {
                    scored,
                    related: if related.is_some() {
                        total - found_by_words
                    } else {
                        0
                    },
                    compiled,
                    text,
                    filters,
                    total,
                    top,
                    counts,
                });
            }
            minimum -= 1;
        }
    }

    /// One published offering from the index, by id.
    pub fn offering(&self, id: &str) -> Result<Option<Offering>, SearchError> {
        let generation = self.live.load_full();
        let searcher = generation.reader.searcher();
        let term = tantivy::Term::from_field_text(generation.fields.id, id);
        let query = tantivy::query::TermQuery::new(term, tantivy::schema::IndexRecordOption::Basic);
        let found = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        match found.first() {
            Some((_, address)) => Ok(source(&searcher, &generation, *address)?),
            None => Ok(None),
        }
    }
}

/// A search run: what the query compiled to, the text query as run (with as many words required
/// as found something), the filters, the total and the page.
pub(super) struct Found {
    pub(super) compiled: Compiled,
    /// The plan's words as scored, when they were (`scored_words`).
    pub(super) scored: Option<ScoredWords>,
    pub(super) text: Option<Box<dyn Query>>,
    pub(super) filters: Vec<(Source, Box<dyn Query>)>,
    pub(super) total: usize,
    pub(super) top: Vec<(SortKey, DocAddress)>,
    /// For a page: the counts of the facets its filters do not narrow.
    pub(super) counts: Option<Counts>,
    /// How many of `total` are offerings related to the few the words found (`related.rs`).
    pub(super) related: usize,
}

/// The words each result lacks (`MissingWords`), read from the bits of the words each
/// offering matched (`scored_words`).
fn lacking(
    plan: &Plan,
    scored: &ScoredWords,
    addresses: &[DocAddress],
    widened: bool,
) -> Vec<Vec<String>> {
    if !shows_missing(plan, widened) {
        return vec![Vec::new(); addresses.len()];
    }
    let lacks = |matched: u32| {
        let units = plan.words.iter().enumerate();
        units
            .filter(|(at, _)| matched & (1 << at) == 0)
            .map(|(_, unit)| unit.text.clone())
            .collect()
    };
    addresses
        .iter()
        .map(|address| lacks(scored.words_of(*address)))
        .collect()
}

/// For a query of one word, no result lacks it, unless related offerings were added.
fn shows_missing(plan: &Plan, widened: bool) -> bool {
    plan.words.len() > 1 || widened
}

/// Which of a query's meaningful words a result lacks, shown as "Missing: …": asked of each
/// result when its words were not scored into arrays (`lacking`).
struct MissingWords {
    words: Vec<(String, Box<dyn Weight>)>,
}

impl MissingWords {
    fn new(searcher: &Searcher, plan: Option<&Plan>, widened: bool) -> Result<Self, SearchError> {
        let mut words = Vec::new();
        if let Some(plan) = plan.filter(|plan| shows_missing(plan, widened)) {
            for unit in &plan.words {
                let weight = unit
                    .query
                    .weight(EnableScoring::disabled_from_searcher(searcher))?;
                words.push((unit.text.clone(), weight));
            }
        }
        Ok(MissingWords { words })
    }

    /// The words each result lacks, in the order of `addresses`. One scorer per word and
    /// segment walks the results of that segment in document order.
    fn of_each(
        &self,
        searcher: &Searcher,
        addresses: &[DocAddress],
    ) -> Result<Vec<Vec<String>>, SearchError> {
        let mut missing = vec![Vec::new(); addresses.len()];
        let mut order: Vec<usize> = (0..addresses.len()).collect();
        order.sort_by_key(|&at| (addresses[at].segment_ord, addresses[at].doc_id));
        for (text, weight) in &self.words {
            let mut scorer: Option<(u32, Box<dyn tantivy::query::Scorer>)> = None;
            for &at in &order {
                let DocAddress {
                    segment_ord,
                    doc_id,
                } = addresses[at];
                if scorer
                    .as_ref()
                    .is_none_or(|(segment, _)| *segment != segment_ord)
                {
                    let reader = searcher.segment_reader(segment_ord);
                    scorer = Some((segment_ord, weight.scorer(reader, 1.0)?));
                }
                let Some((_, scorer)) = scorer.as_mut() else {
                    continue;
                };
                if !holds(&mut **scorer, doc_id) {
                    missing[at].push(text.clone());
                }
            }
        }
        Ok(missing)
    }
}

/// Scores the plan's words into arrays, when it has words (`scored_words`).
fn scored_words(
    segments: Segments<'_>,
    plan: Option<&Plan>,
) -> tantivy::Result<Option<ScoredWords>> {
    match plan.filter(|plan| !plan.words.is_empty()) {
        Some(plan) => ScoredWords::of(segments, plan),
        None => Ok(None),
    }
}

/// What a search's matches are found by: the words scored into arrays (`scored_words`), the
/// text query when it has no words to score so (a phrase, `OR`), or the filters alone.
enum Text<'a> {
    Words(WordsPass<'a>),
    Query(&'a dyn Query),
    Nothing,
}

impl Text<'_> {
    /// Runs the search with the filters `keep` keeps, feeding `collector`.
    fn search<C: Collector>(
        &self,
        (searcher, executor): Segments<'_>,
        filters: &[(Source, Box<dyn Query>)],
        keep: impl Fn(Source) -> bool,
        collector: &C,
    ) -> tantivy::Result<C::Fruit> {
        match self {
            Text::Words(pass) => {
                let kept: Vec<&dyn Query> = filters
                    .iter()
                    .filter(|(source, _)| keep(*source))
                    .map(|(_, filter)| &**filter)
                    .collect();
                pass.search((searcher, executor), &kept, collector)
            }
            Text::Query(text) => {
                let query = combine_where(Some(*text), filters, keep);
                search_with(searcher, executor, &*query, collector)
            }
            Text::Nothing => {
                let query = combine_where(None, filters, keep);
                search_with(searcher, executor, &*query, collector)
            }
        }
    }
}

/// `Searcher::search` on `executor`'s threads.
fn search_with<C: Collector>(
    searcher: &Searcher,
    executor: &Executor,
    query: &dyn Query,
    collector: &C,
) -> tantivy::Result<C::Fruit> {
    let scoring = if collector.requires_scoring() {
        EnableScoring::enabled_from_searcher(searcher)
    } else {
        EnableScoring::disabled_from_searcher(searcher)
    };
    searcher.search_with_executor(query, collector, executor, scoring)
}

/// The fruit of a page's pass: the total, the page's candidates, and the facet counts.
type PageFruit = (usize, Vec<(SortKey, DocAddress)>, Option<Counts>);

/// Runs a page's search. With words, it runs once over what the words and the filters without
/// a facet match, and counts there the facets of the active filters too (`sideways`), added to
/// the page's counts; without, the filters lead, and their facets are left to `facet_counts`.
fn page_search<C>(
    segments: Segments<'_>,
    text: &Text<'_>,
    filters: &[(Source, Box<dyn Query>)],
    (cache, request, now): (&FacetCache, &SearchRequest, DateTime<Utc>),
    collector: C,
) -> tantivy::Result<PageFruit>
where
    C: Collector<Fruit = PageFruit>,
{
    let active = active_sources(filters);
    if matches!(text, Text::Nothing) || active.is_empty() {
        return text.search(segments, filters, |_| true, &collector);
    }
    let narrowings = active
        .into_iter()
        .map(|source| {
            let narrowing = match source {
                Source::Dimension(dimension) => {
                    let values = request.filters.get(dimension).map(Vec::as_slice);
                    Narrowing::Dimension(dimension, values.unwrap_or_default())
                }
                _ => Narrowing::When(&request.when),
            };
            let counter = asked(request, &source).then(|| own_counter(cache, source, now));
            (narrowing, counter)
        })
        .collect();
    let sideways = Sideways::new(collector, (cache, now), narrowings);
    let ((total, top, counts), own) = text.search(
        segments,
        filters,
        |source| source == Source::Other,
        &sideways,
    )?;
    let counts = counts.map(|mut counts| {
        counts.extend(own);
        counts
    });
    Ok((total, top, counts))
}

/// The text query and every filter but `leave_out`, as one query.
fn combine(
    text: Option<&dyn Query>,
    filters: &[(Source, Box<dyn Query>)],
    leave_out: Option<Source>,
) -> Box<dyn Query> {
    combine_where(text, filters, |source| Some(source) != leave_out)
}

/// The text query and the filters `keep` keeps, as one query.
fn combine_where(
    text: Option<&dyn Query>,
    filters: &[(Source, Box<dyn Query>)],
    keep: impl Fn(Source) -> bool,
) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if let Some(text) = text {
        clauses.push((Occur::Must, text.box_clone()));
    }
    for (source, filter) in filters {
        if keep(*source) {
            clauses.push((Occur::Must, filter.box_clone()));
        }
    }
    if clauses.is_empty() {
        Box::new(AllQuery)
    } else {
        Box::new(BooleanQuery::new(clauses))
    }
}

/// The relevance boost of an offering starting at `start` (seconds), seen at `now`: up to
/// `SOON_BOOST` for one starting now, falling to none at `SOON_DAYS`.
fn soon(start: i64, now: i64) -> f64 {
    if !boosted(start, now) {
        return 0.0;
    }
    let days = (start - now) as f64 / 86_400.0;
    SOON_BOOST * (1.0 - days / SOON_DAYS)
}

/// Whether `soon` boosts an offering starting at `start` at all: it starts within `SOON_DAYS`
/// (asked of most matches of a broad search, so without a division).
fn boosted(start: i64, now: i64) -> bool {
    const SOON_SECONDS: i64 = SOON_DAYS as i64 * 86_400;
    (0..SOON_SECONDS).contains(&start.saturating_sub(now))
}

/// Builds the per-segment sort key function for an order (primary, then sooner start, then
/// the tie-break); `origin` is the place of a search near one (the nearest-first order's).
fn sort_key(
    sort: Sort,
    (now, origin, currency): (DateTime<Utc>, Option<Point>, u64),
    cache: Arc<FacetCache>,
) -> impl Fn(&SegmentReader) -> SegmentOrder + Send + Sync + 'static {
    let now = now.timestamp();
    move |segment: &SegmentReader| {
        // A page's facet counter has built them already (and fails the search if it can't).
        let facets = cache.of(segment).ok();
        let primary = primary_key(sort, segment, now, origin, currency);
        let starts = facets.clone();
        SegmentOrder {
            key: Box::new(move |doc: DocId, score: Score| {
                let (start, tiebreak) = facets
                    .as_ref()
                    .map_or((i64::MAX, 0), |f| (f.start_sort(doc), f.tiebreak(doc)));
                (primary(doc, score, start), -(start as f64), tiebreak)
            }),
            // Only relevance is boosted, by a start soon; other orders have no floor to use it.
            boosted: Box::new(move |doc: DocId| {
                starts
                    .as_ref()
                    .is_none_or(|f| boosted(f.start_sort(doc), now))
            }),
        }
    }
}

/// The primary key of the relevance order: words matched, then relevance with its boost.
fn relevance_key(score: Score, start: i64, now: i64) -> f64 {
    let (words, relevance) = tiers::split(score);
    f64::from(words) * f64::from(tiers::TIER) + f64::from(relevance) * (1.0 + soon(start, now))
}

/// For the relevance order, the least score a match needs to reach a key's primary part
/// (`primary_key`): below it, even the greatest boost of a start soon (`boosted`) or, for a match
/// starting later, none, leaves it short. Other orders have no such floor.
fn least_score(sort: Sort) -> Option<LeastScore> {
    fn relevance(key: f64, boosted: bool) -> Score {
        let tier = f64::from(tiers::TIER);
        let words = (key / tier).floor().max(0.0) * tier;
        let boost = if boosted { SOON_BOOST } else { 0.0 };
        let least = words + (key - words) / (1.0 + boost);
        // Rounded down, so that no score reaching the key falls below it.
        (least as Score).next_down()
    }
    (sort == Sort::Relevance).then_some(relevance as LeastScore)
}

/// The primary part of an order's sort key, from a document, its score and its start; it
/// opens only the columns the order reads.
fn primary_key(
    sort: Sort,
    segment: &SegmentReader,
    now: i64,
    origin: Option<Point>,
    currency: u64,
) -> Box<dyn Fn(DocId, Score, i64) -> f64> {
    let fast = segment.fast_fields();
    match sort {
        // Words matched first, then relevance with its boost.
        Sort::Relevance => Box::new(move |_, score, start| relevance_key(score, start, now)),
        Sort::Start => Box::new(|_, _, start| -(start as f64)),
        Sort::Newest => {
            let added = fast.i64("added").ok();
            Box::new(move |doc, _, _| added.as_ref().and_then(|c| c.first(doc)).unwrap_or(0) as f64)
        }
        Sort::Credits => {
            let credits = fast.f64("credits").ok();
            Box::new(move |doc, _, _| credits.as_ref().and_then(|c| c.first(doc)).unwrap_or(-1.0))
        }
        // The mean rating to two decimals first; of equal means, the one more answers agree
        // on. Unrated offerings (no public rating) come last.
        Sort::Rating => {
            let rating = fast.f64("rating").ok();
            let rating_count = fast.u64("rating_count").ok();
            Box::new(
                move |doc, _, _| match rating.as_ref().and_then(|c| c.first(doc)) {
                    Some(mean) => {
                        let count = rating_count
                            .as_ref()
                            .and_then(|c| c.first(doc))
                            .unwrap_or(0);
                        (mean * 100.0).round() * 1e7 + count.min(9_999_999) as f64
                    }
                    None => -1.0,
                },
            )
        }
        Sort::Cost => {
            let cost = fast.f64("cost").ok();
            let cost_currency = fast.u64("currency").ok();
            Box::new(move |doc, _, _| {
                super::cost::lowest_first(
                    cost.as_ref().and_then(|c| c.first(doc)),
                    cost_currency.as_ref().and_then(|c| c.first(doc)),
                    currency,
                )
            })
        }
        Sort::Nearest => {
            let (lat, lon) = (fast.f64("lat").ok(), fast.f64("lon").ok());
            Box::new(move |doc, _, _| {
                let at = lat.as_ref().and_then(|c| c.first(doc));
                let point = at.zip(lon.as_ref().and_then(|c| c.first(doc)));
                match (origin, point) {
                    (Some(origin), Some((lat, lon))) => -origin.distance_km(Point { lat, lon }),
                    _ => f64::MIN,
                }
            })
        }
    }
}

fn source(
    searcher: &Searcher,
    generation: &Generation,
    address: DocAddress,
) -> Result<Option<Offering>, SearchError> {
    Ok(super::fields::stored_offering(
        searcher,
        &generation.fields,
        address,
    )?)
}

/// What `SnippetGenerator::create` makes, but reading the text with the plain stemmed analyzer:
/// `text`'s own adds tokens for terms of several words (`phrases.rs`) whose spans overlap their
/// words', which the fragments cannot follow. The terms to show are stems either way.
fn snippet_generator(
    searcher: &Searcher,
    query: &dyn tantivy::query::Query,
    field: tantivy::schema::Field,
) -> Option<SnippetGenerator> {
    let mut terms = std::collections::BTreeSet::new();
    query.query_terms(&mut |term, _| {
        if term.field() == field {
            terms.insert(term.clone());
        }
    });
    let mut weights = std::collections::BTreeMap::new();
    for term in terms {
        let frequency = searcher.doc_freq(&term).ok()?;
        if let Some(text) = term.value().as_str()
            && frequency > 0
        {
            // Rarer words weigh more in choosing the fragment, as tantivy's own generator does.
            weights.insert(text.to_owned(), 1.0 / (1.0 + frequency as f32));
        }
    }
    Some(SnippetGenerator::new(
        weights,
        super::fields::stemmed_analyzer(),
        field,
        SNIPPET_LENGTH,
    ))
}

fn hit(
    searcher: &Searcher,
    generation: &Generation,
    address: DocAddress,
    score: Option<f32>,
    snippets: Option<&SnippetGenerator>,
    ratings: &Ratings,
) -> Result<Hit, SearchError> {
    let offering = source(searcher, generation, address)?.ok_or_else(|| {
        tantivy::TantivyError::InternalError("an indexed offering has no readable source".into())
    })?;
    let snippet = snippets
        .map(|generator| generator.snippet(&offering.description))
        .filter(|snippet| !snippet.highlighted().is_empty())
        .map(|snippet| snippet_html(&snippet))
        .unwrap_or_else(|| escape(&opening(&offering.description)));
    let (rating, rating_count) = ratings.of(searcher, address);
    Ok(Hit {
        offering,
        score,
        snippet,
        missing_words: Vec::new(),
        distance_km: None,
        distance_miles: None,
        rating,
        rating_count,
    })
}

/// The page's public ratings (only public ratings are indexed), from each segment's fast fields,
/// opened once for the page: opened for each hit, they were a sixth of making it.
struct Ratings {
    columns: Vec<std::sync::OnceLock<RatingColumns>>,
}

type RatingColumns = Option<(Column<f64>, Column<u64>)>;

impl Ratings {
    fn new(searcher: &Searcher) -> Self {
        let segments = searcher.segment_readers().len();
        Ratings {
            columns: (0..segments).map(|_| std::sync::OnceLock::new()).collect(),
        }
    }

    /// An offering's mean rating (to two decimals) and how many gave it.
    fn of(&self, searcher: &Searcher, address: DocAddress) -> (Option<f64>, Option<u64>) {
        let Some(columns) = self.columns.get(address.segment_ord as usize) else {
            return (None, None);
        };
        let columns = columns.get_or_init(|| {
            let fast = searcher.segment_reader(address.segment_ord).fast_fields();
            Some((fast.f64("rating").ok()?, fast.u64("rating_count").ok()?))
        });
        let Some((rating, count)) = columns else {
            return (None, None);
        };
        match rating.first(address.doc_id) {
            Some(mean) => (
                Some((mean * 100.0).round() / 100.0),
                count.first(address.doc_id),
            ),
            None => (None, None),
        }
    }
}

/// A hit's distance from the place searched near, from the point stored in its document.
fn set_distance(
    hit: &mut Hit,
    searcher: &Searcher,
    generation: &Generation,
    address: DocAddress,
    near: &Near,
) -> Result<(), SearchError> {
    let doc: TantivyDocument = searcher.doc(address)?;
    let coordinate = |field| doc.get_first(field).and_then(|v| v.as_f64());
    let fields = &generation.fields;
    if let (Some(lat), Some(lon)) = (coordinate(fields.lat), coordinate(fields.lon)) {
        let km = near.place.point.distance_km(Point { lat, lon });
        let tenth = |value: f64| (value * 10.0).round() / 10.0;
        hit.distance_km = Some(tenth(km));
        hit.distance_miles = Some(tenth(Unit::Miles.from_km(km)));
    }
    Ok(())
}

/// The first sentences of a description, cut at a word near the snippet length.
fn opening(text: &str) -> String {
    let first = text.split("\n\n").next().unwrap_or(text);
    if first.chars().count() <= SNIPPET_LENGTH {
        return first.to_owned();
    }
    let cut: String = first.chars().take(SNIPPET_LENGTH).collect();
    match cut.rfind(' ') {
        Some(space) => format!("{}…", &cut[..space]),
        None => format!("{cut}…"),
    }
}

/// A snippet as HTML, its words in `<b>`: what tantivy's `to_html` writes, with `escape_into`
/// (tantivy's escaping writes a character at a time through a writer: 1.6% of the work of the
/// load harness's searches with words).
fn snippet_html(snippet: &Snippet) -> String {
    let fragment = snippet.fragment();
    let mut html = String::with_capacity(fragment.len() + 32);
    let mut from = 0;
    for words in collapse_overlapped_ranges(snippet.highlighted()) {
        escape_into(&mut html, &fragment[from..words.start]);
        html.push_str("<b>");
        escape_into(&mut html, &fragment[words.clone()]);
        html.push_str("</b>");
        from = words.end;
    }
    escape_into(&mut html, &fragment[from..]);
    html
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

/// Appends `text` with HTML's special characters as entities, copying the runs between them
/// whole (they are ASCII, so never inside a character of several bytes).
fn escape_into(out: &mut String, text: &str) {
    let mut from = 0;
    for (at, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#x27;",
            _ => continue,
        };
        out.push_str(&text[from..at]);
        out.push_str(entity);
        from = at + 1;
    }
    out.push_str(&text[from..]);
}

/// Counts for every facet: dimensions without an active filter share one pass over the full
/// result; each active filter gets a pass of its own with itself left out.
/// The filters that narrow a facet dimension (or "when").
fn active_sources(filters: &[(Source, Box<dyn Query>)]) -> Vec<Source> {
    filters
        .iter()
        .map(|(source, _)| *source)
        .filter(|s| *s != Source::Other)
        .collect()
}

/// The counter of the facets that no active filter narrows: the search's own matches count
/// them. Forgets the facet indexes of segments a merge has replaced.
fn shared_counter<'a>(
    searcher: &Searcher,
    cache: &'a FacetCache,
    request: &SearchRequest,
    filters: &[(Source, Box<dyn Query>)],
    now: DateTime<Utc>,
) -> FacetCounter<'a> {
    let live: Vec<_> = searcher
        .segment_readers()
        .iter()
        .map(|segment| segment.segment_id())
        .collect();
    cache.keep_only(&live);
    let active = active_sources(filters);
    FacetCounter {
        cache,
        dimensions: DIMENSIONS
            .iter()
            .map(|spec| spec.name)
            .filter(|d| !active.contains(&Source::Dimension(d)) && request.counts_facet(d))
            .collect(),
        when: !active.contains(&Source::When) && request.counts_facet("when"),
        now,
    }
}

/// Every facet's counts: those no filter narrows, counted with the search (`shared`), then one
/// pass for each narrowing filter, over what the other filters let through.
fn facet_counts(
    searcher: &Searcher,
    cache: &FacetCache,
    shared: Counts,
    text: Option<&dyn Query>,
    filters: &[(Source, Box<dyn Query>)],
    request: &SearchRequest,
    now: DateTime<Utc>,
) -> Result<Counts, SearchError> {
    let mut counts = shared;
    for source in active_sources(filters) {
        // Counted already in the search's own pass (`page_search`), or not asked for.
        if counts.contains_key(source_name(source)) || !asked(request, &source) {
            continue;
        }
        let counter = own_counter(cache, source, now);
        counts.extend(searcher.search(&*combine(text, filters, Some(source)), &counter)?);
    }
    Ok(counts)
}

/// The facet a filter narrows.
fn source_name(source: Source) -> &'static str {
    match source {
        Source::Dimension(dimension) => dimension,
        _ => "when",
    }
}

/// Whether the request asks for the counts of the filter's own facet.
fn asked(request: &SearchRequest, source: &Source) -> bool {
    request.counts_facet(source_name(*source))
}

/// The counter of the facet a filter narrows.
fn own_counter(cache: &FacetCache, source: Source, now: DateTime<Utc>) -> FacetCounter<'_> {
    FacetCounter {
        cache,
        dimensions: match source {
            Source::Dimension(dimension) => vec![dimension],
            _ => Vec::new(),
        },
        when: !matches!(source, Source::Dimension(_)),
        now,
    }
}

/// The values of a closed vocabulary, in the schema's order.
fn vocabulary_order(dimension: &str) -> Option<Vec<&'static str>> {
    match dimension {
        "when" => Some(WhenBucket::ALL.iter().map(|v| v.as_str()).collect()),
        name => Dimension::named(name)?.closed_values(),
    }
}

fn facet_values(
    request: &SearchRequest,
    counts: &Counts,
    labels: &Labels,
) -> BTreeMap<String, Vec<FacetValue>> {
    let empty = HashMap::new();
    let mut facets = BTreeMap::new();
    let names = DIMENSIONS.iter().map(|spec| spec.name);
    for dimension in names.chain(std::iter::once("when")) {
        if !request.counts_facet(dimension) {
            continue;
        }
        let counted = counts.get(dimension).unwrap_or(&empty);
        let selected: Vec<String> = if dimension == "when" {
            request.when.iter().map(|b| b.as_str().to_owned()).collect()
        } else {
            request.filters.get(dimension).cloned().unwrap_or_default()
        };
        let value = |value: &str, depth: Option<usize>| FacetValue {
            value: value.to_owned(),
            label: labels.label(dimension, value),
            count: counted.get(value).copied().unwrap_or(0),
            selected: selected.iter().any(|s| s == value),
            depth,
        };
        let mut values: Vec<FacetValue> = if let Some(order) = vocabulary_order(dimension) {
            order.into_iter().map(|v| value(v, None)).collect()
        } else if dimension == "competency" {
            labels
                .competencies
                .iter()
                .map(|(v, _, depth)| value(v, Some(*depth)))
                .collect()
        } else {
            let mut values: Vec<FacetValue> = counted.keys().map(|v| value(v, None)).collect();
            values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
            values
        };
        for chosen in &selected {
            if !values.iter().any(|v| &v.value == chosen) {
                values.push(value(chosen, None));
            }
        }
        values.retain(|v| v.count > 0 || v.selected);
        facets.insert(dimension.to_owned(), values);
    }
    facets
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever its words, relevance and start, a match scores at least the least score of its
    /// own key: the floor of `TopKeys` never leaves out a match that reaches the best.
    #[test]
    fn no_match_scores_below_the_least_score_of_its_own_key() {
        let least = least_score(Sort::Relevance).unwrap();
        let mut rng = fastrand::Rng::with_seed(20261130);
        let now = 1_800_000_000;
        for _ in 0..100_000 {
            let words = rng.u32(0..4) as Score * tiers::TIER;
            let score = words + rng.f32() * 60.0;
            let start = now + rng.i64(-10..200) * 86_400 + rng.i64(-5..5);
            let key = relevance_key(score, start, now);
            assert!(least(key, true) <= score, "{score} {start}");
            // A match its start does not boost reaches its key from its score alone.
            assert_eq!(boosted(start, now), soon(start, now) > 0.0, "{start}");
            if !boosted(start, now) {
                assert!(least(key, false) <= score, "{score} {start}");
            }
        }
        // And both are close: a match far below them could not have reached the key.
        let key = relevance_key(tiers::TIER + 10.0, now, now);
        assert!(
            least(key, true) > tiers::TIER + 9.99,
            "{}",
            least(key, true)
        );
        let key = relevance_key(tiers::TIER + 10.0, now - 1, now);
        assert!(
            least(key, false) > tiers::TIER + 9.99,
            "{}",
            least(key, false)
        );
    }

    /// A snippet's HTML is what tantivy's own `to_html` writes: words in `<b>`, every special
    /// character escaped, text of several bytes a character kept whole.
    #[test]
    fn a_snippet_is_written_as_tantivys_html() {
        let weights: BTreeMap<String, Score> = [("librari", 1.0), ("teen", 0.5), ("r", 0.2)]
            .into_iter()
            .map(|(word, weight)| (word.to_owned(), weight))
            .collect();
        let field = tantivy::schema::Field::from_field_id(0);
        let analyzer = super::super::fields::stemmed_analyzer();
        let generator = SnippetGenerator::new(weights, analyzer, field, SNIPPET_LENGTH);
        let texts = [
            "Libraries & \"teens\" <code> it's R&D: libraries' teen programs",
            "Bibliothèques & libraries — ‹teens› «r» '<b>' \"&amp;\"",
            "No word of the search here, but <tags> & quotes \" '",
            "library",
        ];
        let mut highlighted = 0;
        for text in texts {
            let snippet = generator.snippet(text);
            highlighted += usize::from(!snippet.highlighted().is_empty());
            assert_eq!(snippet_html(&snippet), snippet.to_html(), "{text}");
        }
        assert!(highlighted >= 3, "{highlighted}");
        assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#x27;");
    }
}
