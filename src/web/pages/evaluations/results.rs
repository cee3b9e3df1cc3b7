//! An offering's evaluation for its provider (`/provider/offerings/{id}/evaluation`: the shared
//! link and its QR code, rotating it, single-use links as CSV, the results and a CSV of every
//! answer) and for administrators (`/admin/offerings/{id}/evaluation`, where an abusive text can
//! be hidden). A provider reaches only its own offerings (another's are 404, as in the rest of
//! the provider area); free texts are never shown on public pages.

use super::{SummaryView, qr, site};
use crate::catalog::Offering;
use crate::participant_evaluations::{Response, Summary};
use crate::store::{MAX_BATCH, Role};
use crate::web::accounts::{self, field};
use crate::web::pages::provider_area::{own_offering_posted, own_offering_shown};
use crate::web::pages::{asset_version, render, with_store};
use crate::web::{AppState, PageError, see_other};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, route, web};
use askama::Template;

/// One free-text answer as the results list it.
struct TextRow {
    id: i64,
    day: String,
    role: &'static str,
    text: String,
    hidden: bool,
}

/// The free texts the reader may see: a provider never sees a text an administrator hid.
fn texts(responses: &[Response], admin: bool) -> Vec<TextRow> {
    responses
        .iter()
        .filter(|r| !r.answer.different.is_empty() && (admin || !r.hidden))
        .map(|r| TextRow {
            id: r.id,
            day: r.day.clone(),
            role: r.answer.role.label(),
            text: r.answer.different.clone(),
            hidden: r.hidden,
        })
        .collect()
}

/// The shared link, for the provider only.
struct SharedLink {
    url: String,
    /// Inline SVG we drew from the link: no one's text is in it.
    qr_svg: String,
}

#[derive(Template)]
#[template(path = "evaluation_results.html")]
struct ResultsPage {
    asset_version: &'static str,
    admin: bool,
    csrf: String,
    offering_id: String,
    title: String,
    notice: Option<&'static str>,
    link: Option<SharedLink>,
    max_batch: usize,
    summary: Option<SummaryView>,
    flagged: usize,
    texts: Vec<TextRow>,
    /// Results over time: answers and the mean overall rating by month.
    months: super::MonthsView,
}

impl ResultsPage {
    fn new(offering: &Offering, responses: &[Response], admin: bool, csrf: String) -> Self {
        ResultsPage {
            asset_version: asset_version(),
            admin,
            csrf,
            offering_id: offering.id.clone(),
            title: offering.title.clone(),
            notice: None,
            link: None,
            max_batch: MAX_BATCH,
            summary: Summary::of_responses(responses).map(|s| SummaryView::of(&s)),
            flagged: responses.iter().filter(|r| r.burst).count(),
            texts: texts(responses, admin),
            months: super::MonthsView::of(responses),
        }
    }
}

fn notice(query: &[(String, String)]) -> Option<&'static str> {
    match field(query, "done") {
        "rotated" => {
            Some("A new link is made: the old one answers no more. Print the new QR code.")
        }
        "hidden" => Some("The text is hidden: the provider no longer sees it."),
        _ => None,
    }
}

async fn responses_of(state: &AppState, id: &str) -> Result<Vec<Response>, PageError> {
    let id = id.to_owned();
    with_store(state, move |store| store.evaluation_responses(&id)).await
}

#[route("/provider/offerings/{id}/evaluation", method = "GET", method = "HEAD")]
pub async fn provider_results(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<String>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let (session, offering) = own_offering_shown(&state, &request, &id).await?;
    let lookup = offering.id.clone();
    let token = with_store(&state, move |store| store.shared_evaluation_token(&lookup)).await?;
    let responses = responses_of(&state, &offering.id).await?;
    let url = format!("{}/evaluate/{token}", site(&request));
    let mut page = ResultsPage::new(&offering, &responses, false, session.csrf.clone());
    page.notice = notice(&query);
    page.link = Some(SharedLink {
        qr_svg: qr::svg_of(&url),
        url,
    });
    Ok(render(StatusCode::OK, &page))
}

#[route("/provider/offerings/{id}/evaluation/rotate", method = "POST")]
pub async fn rotate_link(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let (session, offering) = own_offering_posted(&state, &request, &id, &form).await?;
    let (lookup, actor) = (offering.id.clone(), session.user.email.clone());
    with_store(&state, move |store| {
        store.rotate_evaluation_token(&lookup, &actor)
    })
    .await?;
    Ok(see_other(&format!(
        "/provider/offerings/{}/evaluation?done=rotated",
        offering.id
    ))
    .finish())
}

/// CSV for a spreadsheet or a mail merge, as a download named `name`.
fn csv_download(name: &str, rows: Vec<Vec<String>>) -> HttpResponse {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        // Writing to memory cannot fail; a failed row would only be one left out.
        let _ = writer.write_record(row.into_iter().map(crate::formats::table::neutralise));
    }
    let body = String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default();
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8; header=present")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(body)
}

/// `POST …/evaluation/links` with `count`: that many single-use links, as CSV. They are shown
/// this once: only their hashes are kept.
#[route("/provider/offerings/{id}/evaluation/links", method = "POST")]
pub async fn single_use_links(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let (session, offering) = own_offering_posted(&state, &request, &id, &form).await?;
    let count = match field(&form, "count").trim().parse::<usize>() {
        Ok(n @ 1..=MAX_BATCH) => n,
        _ => {
            return Err(PageError::Invalid(format!(
                "count: how many links, a whole number from 1 to {MAX_BATCH}"
            )));
        }
    };
    let (lookup, actor) = (offering.id.clone(), session.user.email.clone());
    let tokens = with_store(&state, move |store| {
        store.single_use_evaluation_tokens(&lookup, count, &actor)
    })
    .await?;
    let base = site(&request);
    let rows = std::iter::once(vec!["link".to_owned()])
        .chain(
            tokens
                .into_iter()
                .map(|t| vec![format!("{base}/evaluate/{t}")]),
        )
        .collect();
    Ok(csv_download(
        &format!("{}-evaluation-links.csv", offering.id),
        rows,
    ))
}

/// Every answer as CSV rows with a header: one column per learning outcome answered.
fn response_rows(responses: &[Response]) -> Vec<Vec<String>> {
    let mut outcomes: Vec<&str> = Vec::new();
    for response in responses {
        for (outcome, _) in &response.answer.outcomes {
            if !outcomes.contains(&outcome.as_str()) {
                outcomes.push(outcome);
            }
        }
    }
    let mut header: Vec<String> = [
        "day",
        "overall",
        "relevance",
        "instructor",
        "recommend",
        "role",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    header.extend(outcomes.iter().map(|o| format!("I can now: {o}")));
    header.extend([
        "what I will do differently".to_owned(),
        "came in a burst".to_owned(),
    ]);
    let yes_no = |b: bool| String::from(if b { "yes" } else { "no" });
    let rows = responses.iter().map(|r| {
        let a = &r.answer;
        let mut row = vec![
            r.day.clone(),
            a.overall.to_string(),
            a.relevance.to_string(),
            a.instructor.map(|n| n.to_string()).unwrap_or_default(),
            yes_no(a.recommend),
            a.role.as_str().to_owned(),
        ];
        row.extend(outcomes.iter().map(|o| {
            a.outcomes
                .iter()
                .find(|(text, _)| text == o)
                .map(|(_, rating)| rating.as_str().to_owned())
                .unwrap_or_default()
        }));
        row.push(if r.hidden {
            "(hidden by an administrator)".to_owned()
        } else {
            a.different.clone()
        });
        row.push(yes_no(r.burst));
        row
    });
    std::iter::once(header).chain(rows).collect()
}

#[route(
    "/provider/offerings/{id}/evaluation/responses.csv",
    method = "GET",
    method = "HEAD"
)]
pub async fn responses_csv(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let (_, offering) = own_offering_shown(&state, &request, &id).await?;
    let responses = responses_of(&state, &offering.id).await?;
    Ok(csv_download(
        &format!("{}-evaluations.csv", offering.id),
        response_rows(&responses),
    ))
}

#[route("/admin/offerings/{id}/evaluation", method = "GET", method = "HEAD")]
pub async fn admin_results(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<String>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let session = accounts::require(&state, &request, Role::Admin).await?;
    let id = id.into_inner();
    let lookup = id.clone();
    let offering = with_store(&state, move |store| store.offering(&lookup))
        .await?
        .ok_or_else(|| PageError::NotFound(format!("There is no offering “{id}”.")))?
        .offering;
    let responses = responses_of(&state, &offering.id).await?;
    let mut page = ResultsPage::new(&offering, &responses, true, session.csrf.clone());
    page.notice = notice(&query);
    Ok(render(StatusCode::OK, &page))
}

/// `POST /admin/evaluation-answers/{id}/hide`: the answer's free text is hidden (audited).
#[route("/admin/evaluation-answers/{id}/hide", method = "POST")]
pub async fn hide_text(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let session = accounts::require(&state, &request, Role::Admin).await?;
    accounts::check_csrf(&session, &form)?;
    let (id, actor) = (id.into_inner(), session.user.email.clone());
    let offering = with_store(&state, move |store| store.hide_evaluation_text(id, &actor)).await?;
    let back = format!(
        "/admin/offerings/{}/evaluation?done=hidden",
        url::form_urlencoded::byte_serialize(offering.as_bytes()).collect::<String>()
    );
    Ok(see_other(&back).finish())
}
