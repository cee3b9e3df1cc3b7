//! Participants' evaluations (issue #15): the participant's form (`form`), the provider's page
//! of an offering's evaluation link, QR code and results with its CSV exports (`results`), and
//! the administrators' view of the same results, where an abusive text can be hidden. The
//! aggregates are `participant_evaluations`; the links and answers `store::evaluations`.

mod followup;
mod form;
mod qr;
mod results;

pub use followup::{followup_form, followup_thanks, send_followup};
pub use form::{evaluation_form, send_answer, thanks};
pub use results::{
    admin_results, hide_text, provider_results, responses_csv, rotate_link, single_use_links,
};

use super::{asset_version, render, with_store};
use crate::catalog::{ClosedVocabulary, Offering};
use crate::store::EvaluationLink;
use crate::web::{AppState, PageError};
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

/// A page that only says something: thanks, or that a link has been answered.
#[derive(Template)]
#[template(path = "evaluation_notice.html")]
pub(super) struct Notice {
    asset_version: &'static str,
    heading: String,
    message: String,
}

impl Notice {
    fn new(heading: &str, message: &str) -> Self {
        Notice {
            asset_version: asset_version(),
            heading: heading.to_owned(),
            message: message.to_owned(),
        }
    }

    /// A single-use link that has been used: said plainly, not as an error of the reader's.
    fn answered() -> Self {
        Notice::new(
            "Already answered",
            "This evaluation link has been answered already: each personal link takes one answer. Thank you for taking part.",
        )
    }

    fn render(&self, status: StatusCode) -> HttpResponse {
        render(status, self)
    }
}

/// The site's own address as the reader reached it, for links handed to participants.
fn site(request: &actix_web::HttpRequest) -> String {
    let info = request.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

/// Whether a path segment can be a token at all: 64 hex digits, as `random_token` makes them.
/// A vocabulary's values as radio buttons: (value, label, whether it is the one `chosen`).
fn choices<V: ClosedVocabulary>(chosen: &str) -> Vec<(String, String, bool)> {
    V::values()
        .into_iter()
        .map(|value| {
            let label = V::label_of(value).unwrap_or(value);
            (value.to_owned(), label.to_owned(), value == chosen)
        })
        .collect()
}

fn token_shaped(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The live link of a token and its offering; 404 for any token no live link has.
async fn offering_of_link(
    state: &AppState,
    token: &str,
) -> Result<(EvaluationLink, Offering), PageError> {
    let missing =
        || PageError::NotFound("This evaluation link does not exist or has been replaced.".into());
    if !token_shaped(token) {
        return Err(missing());
    }
    let lookup = token.to_owned();
    let found = with_store(state, move |store| {
        let Some(link) = store.evaluation_link(&lookup)? else {
            return Ok(None);
        };
        let offering = store.offering(&link.offering_id)?;
        Ok(offering.map(|stored| (link, stored.offering)))
    })
    .await?;
    found.ok_or_else(missing)
}

/// One rating scale of a summary, worded for a page.
pub struct ScaleView {
    pub label: &'static str,
    pub count: usize,
    /// "4.2"
    pub mean: String,
    /// "3.8 to 4.6"
    pub interval: String,
    /// (rating, answers, share as "40%")
    pub distribution: Vec<(usize, usize, String)>,
}

/// One learning outcome of a summary, worded for a page.
pub struct OutcomeView {
    pub outcome: String,
    pub answers: usize,
    pub fully: String,
    pub partly: String,
}

/// What the follow-ups say, worded for a page.
pub struct AppliedView {
    pub answers: usize,
    pub yes: String,
    pub partly: String,
    pub no: String,
}

/// A summary as the offering page and the results pages show it (no free text in it).
pub struct SummaryView {
    pub responses: usize,
    pub scales: Vec<ScaleView>,
    pub recommend: String,
    pub outcomes: Vec<OutcomeView>,
    pub applied: Option<AppliedView>,
}

fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

impl ScaleView {
    fn of(label: &'static str, rating: &crate::participant_evaluations::RatingSummary) -> Self {
        ScaleView {
            label,
            count: rating.count,
            mean: format!("{:.1}", rating.mean),
            interval: format!("{:.1} to {:.1}", rating.mean_low, rating.mean_high),
            distribution: rating
                .distribution
                .iter()
                .enumerate()
                .map(|(i, &n)| (i + 1, n, percent(n as f64 / rating.count.max(1) as f64)))
                .collect(),
        }
    }
}

impl SummaryView {
    pub fn of(summary: &crate::participant_evaluations::Summary) -> Self {
        let mut scales = vec![
            ScaleView::of("Overall", &summary.overall),
            ScaleView::of("Relevance to their work", &summary.relevance),
        ];
        if let Some(instructor) = &summary.instructor {
            scales.push(ScaleView::of("Instructor", instructor));
        }
        let outcome = |o: &crate::participant_evaluations::OutcomeSummary| OutcomeView {
            outcome: o.outcome.clone(),
            answers: o.answers,
            fully: percent(o.fully),
            partly: percent(o.partly),
        };
        SummaryView {
            responses: summary.responses,
            scales,
            recommend: percent(summary.recommend),
            outcomes: summary.outcomes.iter().map(outcome).collect(),
            applied: summary.applied.as_ref().map(|a| AppliedView {
                answers: a.answers,
                yes: percent(a.yes),
                partly: percent(a.partly),
                no: percent(a.no),
            }),
        }
    }

    /// The summary of many offerings' answers: each offering has outcomes of its own, so the
    /// outcomes are shown pooled, as one line.
    pub fn of_many(summary: &crate::participant_evaluations::Summary) -> Self {
        let mut view = SummaryView::of(summary);
        view.outcomes = SummaryView::of(&crate::participant_evaluations::Summary {
            outcomes: summary.all_outcomes.iter().cloned().collect(),
            ..summary.clone()
        })
        .outcomes;
        view
    }
}

/// Results over time, as a table and a small bar chart drawn on the server (no script): answers
/// and the mean overall rating by month, oldest first.
pub struct MonthsView {
    /// (month YYYY-MM, answers, mean overall rating as "4.2", bar height in the chart, bar x)
    pub rows: Vec<MonthRow>,
    /// The chart's width in its own units.
    pub width: usize,
    /// The most answers in one month (the chart's scale).
    pub most: usize,
}

pub struct MonthRow {
    pub month: String,
    pub responses: usize,
    pub overall: String,
    /// The bar of answers: from the chart's top (`y`) to its baseline, at `x`.
    pub x: usize,
    pub y: usize,
    pub height: usize,
    /// The mean rating's dot, on a 1–5 scale drawn over the same height.
    pub dot_y: usize,
}

/// The chart's drawing height and a bar's width, in its own units.
const CHART_HEIGHT: usize = 100;
const BAR: usize = 24;

impl MonthsView {
    pub fn of(responses: &[crate::participant_evaluations::Response]) -> Self {
        let months = crate::participant_evaluations::by_month(
            responses.iter().map(|r| (r.day.as_str(), &r.answer)),
        );
        let most = months.iter().map(|m| m.responses).max().unwrap_or(0).max(1);
        let rows = months
            .into_iter()
            .enumerate()
            .map(|(i, m)| {
                let height = m.responses * CHART_HEIGHT / most;
                MonthRow {
                    x: i * (BAR + 8) + 4,
                    y: CHART_HEIGHT - height,
                    height,
                    dot_y: CHART_HEIGHT - ((m.overall - 1.0) / 4.0 * CHART_HEIGHT as f64) as usize,
                    overall: format!("{:.1}", m.overall),
                    month: m.month,
                    responses: m.responses,
                }
            })
            .collect::<Vec<_>>();
        MonthsView {
            width: rows.len() * (BAR + 8) + 8,
            rows,
            most,
        }
    }
}
