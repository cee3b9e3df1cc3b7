//! Participants' evaluations of offerings (issue #15): what one participant answers, and the
//! aggregates an offering's answers add up to. Pure values and arithmetic, no SQL or HTTP, so
//! the statistics are unit-tested here. (Not to be confused with `evaluation`, which measures
//! the search's relevance.)
//!
//! Privacy: public pages and the API show an offering's summary only from
//! `PUBLIC_MIN_RESPONSES` answers up, and never the free text, which only the offering's
//! provider and the administrators read.

use crate::catalog::Audience;
use serde::Serialize;

/// Fewer answers than this are too few to publish: one person's answer could be singled out.
pub const PUBLIC_MIN_RESPONSES: usize = 5;

/// The longest "what will you do differently" answer kept, in characters.
pub const MAX_TEXT: usize = 2_000;

crate::catalog::string_enum! {
    /// How far a participant says they reached one learning outcome ("I can now …").
    OutcomeRating {
        Not = "not": "Not",
        Partly = "partly": "Partly",
        Fully = "fully": "Fully",
    }
}

crate::catalog::string_enum! {
    /// At the follow-up, 60–90 days on: did the participant apply what they learned?
    Applied {
        Yes = "yes": "Yes",
        Partly = "partly": "Partly",
        No = "no": "No",
    }
}

/// A follow-up is due this many days after the answer, unless the server is told otherwise.
pub const FOLLOWUP_AFTER_DAYS: u32 = 60;
/// …and is sent at the latest this many days after it is due (90 days after the answer); past
/// that the address is deleted unsent.
pub const FOLLOWUP_WINDOW_DAYS: u32 = 30;
/// The longest e-mail address taken (RFC 5321's path limit).
pub const MAX_EMAIL: usize = 254;

/// An e-mail address as the form gives it: trimmed and checked, or what is wrong with it.
pub fn email_address(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.chars().count() > MAX_EMAIL {
        return Err(format!("at most {MAX_EMAIL} characters"));
    }
    text.parse::<lettre::Address>()
        .map(|_| text.to_owned())
        .map_err(|_| format!("“{text}” is not an e-mail address (like name@example.org)"))
}

/// The days a follow-up of an answer given on `day` is due on and lapses after.
pub fn followup_days(
    day: chrono::NaiveDate,
    after_days: u32,
) -> (chrono::NaiveDate, chrono::NaiveDate) {
    let due = day + chrono::Days::new(u64::from(after_days));
    (
        due,
        due + chrono::Days::new(u64::from(FOLLOWUP_WINDOW_DAYS)),
    )
}

/// The answer to a follow-up.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowupAnswer {
    pub applied: Applied,
    /// "What changed for your users?" (may be empty).
    pub changed: String,
}

/// One participant's answer, as the form gives it and the store keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// Overall rating, 1–5.
    pub overall: u8,
    /// Relevance to the respondent's work, 1–5.
    pub relevance: u8,
    /// The instructor, 1–5, when the participant rated them.
    pub instructor: Option<u8>,
    pub recommend: bool,
    pub role: Audience,
    /// Each learning outcome of the offering as it was when answered, with its self-rating.
    pub outcomes: Vec<(String, OutcomeRating)>,
    /// "What will you do differently?" (may be empty).
    pub different: String,
}

/// An answer as stored, with what the store adds.
#[derive(Debug, Clone)]
pub struct Response {
    pub id: i64,
    /// The day it came, YYYY-MM-DD (UTC): no time of day is kept.
    pub day: String,
    pub answer: Answer,
    /// An administrator hid its free text as abusive: only administrators see it, marked.
    pub hidden: bool,
    /// It came through the shared link while answers came faster than a room answers.
    pub burst: bool,
    /// Its follow-up's answer, once given.
    pub followup: Option<FollowupAnswer>,
}

/// A rating scale's answers: how many, how they spread, their mean and its uncertainty.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RatingSummary {
    /// How many answers rated it.
    pub count: usize,
    /// How many gave 1, 2, 3, 4 and 5.
    pub distribution: Vec<usize>,
    pub mean: f64,
    /// The 95% confidence interval of the mean (within 1–5).
    pub mean_low: f64,
    pub mean_high: f64,
}

/// How far participants say they reached one learning outcome.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OutcomeSummary {
    pub outcome: String,
    /// How many rated it.
    pub answers: usize,
    /// The share (0–1) who say they reached it fully.
    pub fully: f64,
    /// The share (0–1) who say they reached it partly.
    pub partly: f64,
}

/// What an offering's answers add up to.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Summary {
    pub responses: usize,
    pub overall: RatingSummary,
    pub relevance: RatingSummary,
    /// Absent when no one rated the instructor.
    pub instructor: Option<RatingSummary>,
    /// The share (0–1) who would recommend it.
    pub recommend: f64,
    /// In the order of the offering's outcomes as they were answered.
    pub outcomes: Vec<OutcomeSummary>,
    /// Every outcome rating together (`outcome` is "All learning outcomes"): the one line a
    /// summary of many offerings, each with outcomes of its own, shows. Absent without outcomes.
    pub all_outcomes: Option<OutcomeSummary>,
    /// What participants said at the follow-up 60–90 days on; absent when none answered it (and
    /// in a public summary, while fewer than `PUBLIC_MIN_RESPONSES` answered it).
    pub applied: Option<AppliedSummary>,
}

/// What participants said at the follow-up: did they apply it?
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AppliedSummary {
    /// How many answered the follow-up.
    pub answers: usize,
    /// The share (0–1) who applied it.
    pub yes: f64,
    /// The share (0–1) who applied it in part.
    pub partly: f64,
    /// The share (0–1) who did not.
    pub no: f64,
}

impl AppliedSummary {
    /// The shares of these follow-up answers; `None` without any.
    pub fn of<'a>(answers: impl IntoIterator<Item = &'a FollowupAnswer>) -> Option<Self> {
        let mut counts = [0usize; 3];
        for answer in answers {
            counts[answer.applied as usize] += 1;
        }
        let total: usize = counts.iter().sum();
        (total > 0).then(|| AppliedSummary {
            answers: total,
            yes: counts[Applied::Yes as usize] as f64 / total as f64,
            partly: counts[Applied::Partly as usize] as f64 / total as f64,
            no: counts[Applied::No as usize] as f64 / total as f64,
        })
    }
}

impl Summary {
    /// The summary of these answers; `None` when there are none.
    pub fn of<'a>(answers: impl IntoIterator<Item = &'a Answer>) -> Option<Self> {
        let answers: Vec<&Answer> = answers.into_iter().collect();
        if answers.is_empty() {
            return None;
        }
        let ratings = |pick: fn(&Answer) -> Option<u8>| -> Vec<u8> {
            answers.iter().filter_map(|&a| pick(a)).collect()
        };
        let recommending = answers.iter().filter(|a| a.recommend).count();
        Some(Summary {
            responses: answers.len(),
            overall: rating_summary(&ratings(|a| Some(a.overall)))?,
            relevance: rating_summary(&ratings(|a| Some(a.relevance)))?,
            instructor: rating_summary(&ratings(|a| a.instructor)),
            recommend: recommending as f64 / answers.len() as f64,
            outcomes: outcome_summaries(&answers),
            all_outcomes: all_outcomes(&answers),
            applied: None,
        })
    }

    /// The summary of stored answers, with their follow-ups'; `None` when there are none.
    pub fn of_responses<'a>(responses: impl IntoIterator<Item = &'a Response>) -> Option<Self> {
        let responses: Vec<&Response> = responses.into_iter().collect();
        let mut summary = Summary::of(responses.iter().map(|r| &r.answer))?;
        summary.applied = AppliedSummary::of(responses.iter().filter_map(|r| r.followup.as_ref()));
        Some(summary)
    }

    /// The summary of stored answers the public may see: only from `PUBLIC_MIN_RESPONSES`
    /// answers up, and the follow-ups' shares only from as many follow-up answers up.
    pub fn public_of_responses<'a>(
        responses: impl IntoIterator<Item = &'a Response>,
    ) -> Option<Self> {
        let mut summary = Summary::of_responses(responses)
            .filter(|summary| summary.responses >= PUBLIC_MIN_RESPONSES)?;
        summary.applied = summary
            .applied
            .filter(|applied| applied.answers >= PUBLIC_MIN_RESPONSES);
        Some(summary)
    }

    /// The summary the public may see: only from `PUBLIC_MIN_RESPONSES` answers up.
    pub fn public<'a>(answers: impl IntoIterator<Item = &'a Answer>) -> Option<Self> {
        Summary::of(answers).filter(|summary| summary.responses >= PUBLIC_MIN_RESPONSES)
    }
}

/// One month's answers, for results over time.
#[derive(Debug, Clone, PartialEq)]
pub struct Month {
    /// YYYY-MM
    pub month: String,
    pub responses: usize,
    /// The mean overall rating that month.
    pub overall: f64,
}

/// Answers by the month they came, oldest first, from (day as YYYY-MM-DD, answer) pairs.
pub fn by_month<'a>(answers: impl IntoIterator<Item = (&'a str, &'a Answer)>) -> Vec<Month> {
    let mut months: std::collections::BTreeMap<&str, (usize, u32)> = Default::default();
    for (day, answer) in answers {
        let month = day.get(..7).unwrap_or(day);
        let entry = months.entry(month).or_default();
        entry.0 += 1;
        entry.1 += u32::from(answer.overall);
    }
    months
        .into_iter()
        .map(|(month, (responses, total))| Month {
            month: month.to_owned(),
            responses,
            overall: f64::from(total) / responses as f64,
        })
        .collect()
}

/// A scale's summary; `None` without ratings.
fn rating_summary(ratings: &[u8]) -> Option<RatingSummary> {
    if ratings.is_empty() {
        return None;
    }
    let mut distribution = vec![0usize; 5];
    for &rating in ratings {
        if (1..=5).contains(&rating) {
            distribution[usize::from(rating - 1)] += 1;
        }
    }
    let values: Vec<f64> = ratings.iter().map(|&r| f64::from(r)).collect();
    let (mean, low, high) = mean_with_interval(&values);
    Some(RatingSummary {
        count: ratings.len(),
        distribution,
        mean,
        mean_low: low,
        mean_high: high,
    })
}

/// The mean of ratings on the 1–5 scale with its 95% confidence interval.
///
/// Student's t with n − 1 degrees of freedom: answers are few (a room of 20 is typical), where
/// the normal approximation's 1.96 gives intervals too narrow; from 30 answers on, t and normal
/// differ by under 5%, so the normal value is used. Ratings are bounded, so the interval is
/// clipped to 1–5; one answer alone says nothing about the spread, so its interval is the whole
/// scale.
pub fn mean_with_interval(values: &[f64]) -> (f64, f64, f64) {
    let n = values.len();
    if n == 0 {
        return (0.0, 1.0, 5.0);
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    if n == 1 {
        return (mean, 1.0, 5.0);
    }
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let half = t_95(n - 1) * (variance / n as f64).sqrt();
    (mean, (mean - half).max(1.0), (mean + half).min(5.0))
}

/// The two-sided 95% critical value of Student's t for `df` degrees of freedom.
fn t_95(df: usize) -> f64 {
    const TABLE: [f64; 29] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045,
    ];
    match df {
        0 => f64::INFINITY,
        1..=29 => TABLE[df - 1],
        _ => 1.96,
    }
}

/// Each outcome's shares, in the order they first appear in the answers.
fn outcome_summaries(answers: &[&Answer]) -> Vec<OutcomeSummary> {
    let mut order: Vec<&str> = Vec::new();
    let mut counts: std::collections::HashMap<&str, [usize; 3]> = Default::default();
    for answer in answers {
        for (outcome, rating) in &answer.outcomes {
            let entry = counts.entry(outcome.as_str()).or_insert_with(|| {
                order.push(outcome.as_str());
                [0; 3]
            });
            entry[*rating as usize] += 1;
        }
    }
    order
        .into_iter()
        .map(|outcome| {
            let [_, partly, fully] = counts[outcome];
            let answers = counts[outcome].iter().sum::<usize>();
            OutcomeSummary {
                outcome: outcome.to_owned(),
                answers,
                fully: fully as f64 / answers as f64,
                partly: partly as f64 / answers as f64,
            }
        })
        .collect()
}

/// Every outcome rating of these answers pooled into one line.
fn all_outcomes(answers: &[&Answer]) -> Option<OutcomeSummary> {
    let mut counts = [0usize; 3];
    for answer in answers {
        for (_, rating) in &answer.outcomes {
            counts[*rating as usize] += 1;
        }
    }
    let total: usize = counts.iter().sum();
    (total > 0).then(|| OutcomeSummary {
        outcome: "All learning outcomes".into(),
        answers: total,
        fully: counts[OutcomeRating::Fully as usize] as f64 / total as f64,
        partly: counts[OutcomeRating::Partly as usize] as f64 / total as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(overall: u8, outcome: OutcomeRating) -> Answer {
        Answer {
            overall,
            relevance: 4,
            instructor: None,
            recommend: overall >= 4,
            role: Audience::Librarians,
            outcomes: vec![("Plan a storytime".into(), outcome)],
            different: String::new(),
        }
    }

    #[test]
    fn a_summary_counts_spreads_and_shares() {
        let answers = [
            answer(5, OutcomeRating::Fully),
            answer(4, OutcomeRating::Partly),
            answer(3, OutcomeRating::Fully),
            answer(5, OutcomeRating::Not),
        ];
        let summary = Summary::of(&answers).unwrap();
        assert_eq!(summary.responses, 4);
        assert_eq!(summary.overall.distribution, [0, 0, 1, 1, 2]);
        assert!((summary.overall.mean - 4.25).abs() < 1e-9);
        assert!(summary.overall.mean_low < 4.25 && summary.overall.mean_high <= 5.0);
        assert_eq!(summary.instructor, None);
        assert!((summary.recommend - 0.75).abs() < 1e-9);
        assert_eq!(summary.outcomes.len(), 1);
        assert!((summary.outcomes[0].fully - 0.5).abs() < 1e-9);
        assert!((summary.outcomes[0].partly - 0.25).abs() < 1e-9);
    }

    #[test]
    fn the_interval_uses_t_and_stays_on_the_scale() {
        // 1, 2, 3, 4, 5: mean 3, sd √2.5, t(4) = 2.776 → 3 ± 1.963.
        let (mean, low, high) = mean_with_interval(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert!((mean - 3.0).abs() < 1e-9);
        assert!((low - 1.037).abs() < 1e-3, "{low}");
        assert!((high - 4.963).abs() < 1e-3, "{high}");
        assert_eq!(mean_with_interval(&[4.0]), (4.0, 1.0, 5.0));
        let (_, low, high) = mean_with_interval(&[5.0, 5.0, 5.0]);
        assert_eq!((low, high), (5.0, 5.0));
    }

    #[test]
    fn answers_are_counted_by_month_oldest_first() {
        let (a, b) = (
            answer(5, OutcomeRating::Fully),
            answer(2, OutcomeRating::Not),
        );
        let months = by_month([("2027-03-02", &a), ("2027-02-28", &b), ("2027-03-30", &b)]);
        let shown: Vec<(&str, usize, f64)> = months
            .iter()
            .map(|m| (m.month.as_str(), m.responses, m.overall))
            .collect();
        assert_eq!(shown, [("2027-02", 1, 2.0), ("2027-03", 2, 3.5)]);
    }

    #[test]
    fn follow_ups_add_up_to_shares_public_from_five() {
        let response = |id: i64, applied: Option<Applied>| Response {
            id,
            day: "2027-03-01".into(),
            answer: answer(4, OutcomeRating::Partly),
            hidden: false,
            burst: false,
            followup: applied.map(|applied| FollowupAnswer {
                applied,
                changed: String::new(),
            }),
        };
        let mut responses: Vec<Response> =
            [Applied::Yes, Applied::Yes, Applied::Partly, Applied::No]
                .into_iter()
                .enumerate()
                .map(|(i, a)| response(i as i64, Some(a)))
                .collect();
        responses.push(response(9, None));
        let summary = Summary::of_responses(&responses).unwrap();
        let applied = summary.applied.unwrap();
        assert_eq!(applied.answers, 4);
        assert!((applied.yes - 0.5).abs() < 1e-9 && (applied.no - 0.25).abs() < 1e-9);
        let public = Summary::public_of_responses(&responses).unwrap();
        assert_eq!(public.responses, 5);
        assert_eq!(public.applied, None, "four follow-ups are too few");
        let all = public.all_outcomes.unwrap();
        assert_eq!((all.answers, all.partly), (5, 1.0));
    }

    #[test]
    fn a_follow_up_is_due_60_days_on_and_lapses_30_days_later() {
        let day = chrono::NaiveDate::from_ymd_opt(2027, 1, 15).unwrap();
        let (due, last) = followup_days(day, FOLLOWUP_AFTER_DAYS);
        assert_eq!(due.to_string(), "2027-03-16");
        assert_eq!(last.to_string(), "2027-04-15");
        assert_eq!(
            email_address(" a.reader@example.org "),
            Ok("a.reader@example.org".into())
        );
        assert!(email_address("a reader").is_err());
        assert!(email_address(&format!("{}@example.org", "a".repeat(250))).is_err());
    }

    #[test]
    fn the_public_sees_nothing_below_five_answers() {
        let four = vec![answer(5, OutcomeRating::Fully); 4];
        assert!(Summary::of(&four).is_some());
        assert!(Summary::public(&four).is_none());
        let five = vec![answer(5, OutcomeRating::Fully); 5];
        assert_eq!(Summary::public(&five).unwrap().responses, 5);
    }
}
