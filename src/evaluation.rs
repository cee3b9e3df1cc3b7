//! Search quality, measured: a judged query set (`tests/relevance/*.json`: queries as library staff
//! type them, each with graded judgments of the seed's offerings) is run against the seed, and
//! nDCG@10, MRR, recall@20 and the zero-result rate are reported per query, per kind of query
//! and overall, beside the same figures for a plain BM25-OR baseline over the same index.
//!
//! Grades: 2 exactly what was asked, 1 relevant, unlisted 0. Every query is searched as of
//! `EVALUATION_DAY`, before the seed's first offering, so no judged offering is past and the
//! figures do not drift with the calendar.

use crate::bundle::BundleError;
use crate::search::{ParameterError, SearchError, SearchIndex, SearchRequest};
use crate::seed;
use crate::store::{Store, StoreError};
use chrono::{DateTime, TimeZone, Utc};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// How many results are ranked and read.
const DEPTH: usize = 20;

/// The day every judged query is searched on.
pub fn evaluation_day() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0)
        .single()
        .expect("a valid date")
}

/// One judged query.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JudgedQuery {
    pub id: String,
    pub query: String,
    /// Filters as API parameters (`format=in_person&level=introductory`), or empty.
    #[serde(default)]
    pub filters: String,
    pub kind: String,
    /// Offering id → grade (1 relevant, 2 exactly what was asked); unlisted offerings are 0.
    pub judgments: BTreeMap<String, u8>,
}

/// Why an evaluation could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EvaluationError {
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("query {id}: {source}")]
    Filters { id: String, source: ParameterError },
    #[error("the compiled-in seed: {0}")]
    Seed(#[from] BundleError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// The figures of one ranking for one query.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Figures {
    pub ndcg_at_10: f64,
    pub reciprocal_rank: f64,
    pub recall_at_20: f64,
    /// 1 when the search found nothing, else 0 (averaged: the zero-result rate).
    pub zero_results: f64,
}

impl Figures {
    /// Scores a ranking of offering ids against the judgments.
    pub fn of(ranked: &[String], judgments: &BTreeMap<String, u8>) -> Figures {
        let grade = |id: &String| judgments.get(id).copied().unwrap_or(0);
        let gain = |grade: u8| f64::from((1u32 << grade) - 1);
        let discount = |rank: usize| (rank as f64 + 2.0).log2();
        let dcg: f64 = ranked
            .iter()
            .take(10)
            .enumerate()
            .map(|(rank, id)| gain(grade(id)) / discount(rank))
            .sum();
        let mut ideal: Vec<u8> = judgments.values().copied().collect();
        ideal.sort_unstable_by(|a, b| b.cmp(a));
        let ideal_dcg: f64 = ideal
            .iter()
            .take(10)
            .enumerate()
            .map(|(rank, grade)| gain(*grade) / discount(rank))
            .sum();
        let relevant = judgments.values().filter(|grade| **grade > 0).count();
        let found = ranked.iter().take(DEPTH).filter(|id| grade(id) > 0).count();
        Figures {
            ndcg_at_10: if ideal_dcg > 0.0 {
                dcg / ideal_dcg
            } else {
                0.0
            },
            reciprocal_rank: ranked
                .iter()
                .take(DEPTH)
                .position(|id| grade(id) > 0)
                .map_or(0.0, |rank| 1.0 / (rank as f64 + 1.0)),
            recall_at_20: if relevant > 0 {
                found as f64 / relevant as f64
            } else {
                0.0
            },
            zero_results: if ranked.is_empty() { 1.0 } else { 0.0 },
        }
    }

    fn mean<'a>(all: impl Iterator<Item = &'a Figures>) -> Figures {
        let mut sum = Figures::default();
        let mut count = 0.0;
        for figures in all {
            sum.ndcg_at_10 += figures.ndcg_at_10;
            sum.reciprocal_rank += figures.reciprocal_rank;
            sum.recall_at_20 += figures.recall_at_20;
            sum.zero_results += figures.zero_results;
            count += 1.0;
        }
        if count > 0.0 {
            sum.ndcg_at_10 /= count;
            sum.reciprocal_rank /= count;
            sum.recall_at_20 /= count;
            sum.zero_results /= count;
        }
        sum
    }
}

/// One query's outcome: ours and the baseline's.
#[derive(Debug, Clone)]
pub struct QueryOutcome {
    pub query: JudgedQuery,
    pub ours: Figures,
    pub baseline: Figures,
}

/// The whole evaluation.
#[derive(Debug, Clone)]
pub struct Report {
    pub outcomes: Vec<QueryOutcome>,
}

impl Report {
    /// Mean figures over every query: (ours, baseline).
    pub fn overall(&self) -> (Figures, Figures) {
        (
            Figures::mean(self.outcomes.iter().map(|o| &o.ours)),
            Figures::mean(self.outcomes.iter().map(|o| &o.baseline)),
        )
    }

    /// Mean figures per kind of query: kind → (count, ours, baseline).
    pub fn by_kind(&self) -> BTreeMap<&str, (usize, Figures, Figures)> {
        let mut kinds: BTreeMap<&str, Vec<&QueryOutcome>> = BTreeMap::new();
        for outcome in &self.outcomes {
            kinds.entry(&outcome.query.kind).or_default().push(outcome);
        }
        kinds
            .into_iter()
            .map(|(kind, outcomes)| {
                let ours = Figures::mean(outcomes.iter().map(|o| &o.ours));
                let baseline = Figures::mean(outcomes.iter().map(|o| &o.baseline));
                (kind, (outcomes.len(), ours, baseline))
            })
            .collect()
    }

    /// The queries that found nothing.
    pub fn zero_result_queries(&self) -> Vec<&str> {
        self.outcomes
            .iter()
            .filter(|o| o.ours.zero_results > 0.0)
            .map(|o| o.query.id.as_str())
            .collect()
    }
}

fn row(f: &mut fmt::Formatter<'_>, name: &str, ours: &Figures, base: &Figures) -> fmt::Result {
    writeln!(
        f,
        "{name:<44} {:>6.3} {:>6.3}  {:>6.3} {:>6.3}  {:>6.3} {:>6.3}  {:>5.2} {:>5.2}",
        ours.ndcg_at_10,
        base.ndcg_at_10,
        ours.reciprocal_rank,
        base.reciprocal_rank,
        ours.recall_at_20,
        base.recall_at_20,
        ours.zero_results,
        base.zero_results
    )
}

fn header(f: &mut fmt::Formatter<'_>, first: &str) -> fmt::Result {
    writeln!(
        f,
        "{first:<44} {:>13}  {:>13}  {:>13}  {:>11}\n{:<44} {:>6} {:>6}  {:>6} {:>6}  {:>6} {:>6}  {:>5} {:>5}",
        "nDCG@10",
        "MRR",
        "recall@20",
        "zero",
        "",
        "ours",
        "bm25",
        "ours",
        "bm25",
        "ours",
        "bm25",
        "ours",
        "bm25"
    )
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        header(f, "query")?;
        for outcome in &self.outcomes {
            let name = format!("{} ({})", outcome.query.id, outcome.query.kind);
            row(f, &name, &outcome.ours, &outcome.baseline)?;
        }
        writeln!(f)?;
        header(f, "kind")?;
        for (kind, (count, ours, baseline)) in self.by_kind() {
            row(f, &format!("{kind} ({count})"), &ours, &baseline)?;
        }
        let (ours, baseline) = self.overall();
        row(
            f,
            &format!("all ({} queries)", self.outcomes.len()),
            &ours,
            &baseline,
        )
    }
}

/// Reads every `*.json` file of a folder as a list of judged queries, in file-name order.
pub fn read_judged(folder: &Path) -> Result<Vec<JudgedQuery>, EvaluationError> {
    let unreadable = |source| EvaluationError::Read {
        path: folder.to_owned(),
        source,
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(folder)
        .map_err(unreadable)?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    let mut queries = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).map_err(|source| EvaluationError::Read {
            path: path.clone(),
            source,
        })?;
        let parsed: Vec<JudgedQuery> = serde_json::from_str(&text)
            .map_err(|source| EvaluationError::Parse { path, source })?;
        queries.extend(parsed);
    }
    Ok(queries)
}

/// A catalog of the seed in `folder` (a database and an index), ready to search.
pub fn seeded_index(folder: &Path) -> Result<SearchIndex, EvaluationError> {
    let store = Store::open(&folder.join("evaluation.db"))?;
    store.import(&seed::bundle()?, &|| {})?;
    let index =
        SearchIndex::open(&folder.join("index"), seed::vocabulary())?.with_baseline_fields();
    index.catch_up(&store)?;
    Ok(index)
}

/// The request a judged query makes: its words and filters, the first page of `DEPTH`.
fn request(query: &JudgedQuery) -> Result<SearchRequest, EvaluationError> {
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.filters.as_bytes())
        .into_owned()
        .collect();
    pairs.push(("q".into(), query.query.clone()));
    pairs.push(("per_page".into(), DEPTH.to_string()));
    pairs.push(("include_past".into(), "true".into()));
    SearchRequest::from_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).map_err(
        |source| EvaluationError::Filters {
            id: query.id.clone(),
            source,
        },
    )
}

/// Runs every judged query against an index, with our search and with the baseline.
pub fn evaluate(index: &SearchIndex, queries: &[JudgedQuery]) -> Result<Report, EvaluationError> {
    let now = evaluation_day();
    let mut outcomes = Vec::new();
    for query in queries {
        let request = request(query)?;
        let ours: Vec<String> = index
            .search(&request, now)?
            .hits
            .into_iter()
            .map(|hit| hit.offering.id)
            .collect();
        let baseline = index.baseline_ids(&request, now, DEPTH)?;
        outcomes.push(QueryOutcome {
            ours: Figures::of(&ours, &query.judgments),
            baseline: Figures::of(&baseline, &query.judgments),
            query: query.clone(),
        });
    }
    Ok(Report { outcomes })
}

/// One query's ranking beside its judgments, for finding out why it scores as it does: each
/// result with its grade and the words it lacks, then the judged offerings it did not rank.
pub fn explain(index: &SearchIndex, query: &JudgedQuery) -> Result<String, EvaluationError> {
    use std::fmt::Write;
    let results = index.search(&request(query)?, evaluation_day())?;
    let mut out = format!(
        "{} ({}): {:?} {} — {} found{}\n",
        query.id,
        query.kind,
        query.query,
        query.filters,
        results.total,
        results
            .corrected_query
            .as_ref()
            .map(|c| format!(", showing {c:?}"))
            .unwrap_or_default()
    );
    let grade = |id: &str| query.judgments.get(id).copied().unwrap_or(0);
    for (rank, hit) in results.hits.iter().enumerate() {
        let id = &hit.offering.id;
        let _ = writeln!(
            out,
            "  {:>2}. [{}] {:>9.2} {} — {}{}",
            rank + 1,
            grade(id),
            hit.score.unwrap_or_default(),
            id,
            hit.offering.title,
            if hit.missing_words.is_empty() {
                String::new()
            } else {
                format!("  (missing: {})", hit.missing_words.join(", "))
            }
        );
    }
    for (id, judged) in &query.judgments {
        if !results.hits.iter().any(|hit| &hit.offering.id == id) {
            let _ = writeln!(out, "  not ranked: [{judged}] {id}");
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(pairs: &[(&str, u8)]) -> BTreeMap<String, u8> {
        pairs.iter().map(|(id, g)| (id.to_string(), *g)).collect()
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|id| id.to_string()).collect()
    }

    #[test]
    fn a_perfect_ranking_scores_one_and_an_empty_one_zero() {
        let judgments = judged(&[("a", 2), ("b", 1)]);
        let perfect = Figures::of(&ids(&["a", "b", "x"]), &judgments);
        assert!((perfect.ndcg_at_10 - 1.0).abs() < 1e-9);
        assert_eq!(perfect.reciprocal_rank, 1.0);
        assert_eq!(perfect.recall_at_20, 1.0);
        assert_eq!(perfect.zero_results, 0.0);
        let empty = Figures::of(&[], &judgments);
        assert_eq!(empty.ndcg_at_10, 0.0);
        assert_eq!(empty.zero_results, 1.0);
    }

    #[test]
    fn a_worse_order_scores_lower() {
        let judgments = judged(&[("a", 2), ("b", 1)]);
        let swapped = Figures::of(&ids(&["b", "a"]), &judgments);
        let late = Figures::of(&ids(&["x", "y", "a"]), &judgments);
        assert!(swapped.ndcg_at_10 < 1.0 && swapped.ndcg_at_10 > late.ndcg_at_10);
        assert!((late.reciprocal_rank - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(late.recall_at_20, 0.5);
    }
}
