//! The learner's record to take elsewhere: a printable transcript (`/me/transcript`), the same
//! as CSV (`/me/transcript.csv`), a completion's proof (`/me/completions/{id}/proof`), and the
//! plan as an iCalendar feed (`/me/plan.ics?token=…`, for calendar programs, which send no
//! cookie: the private token stands in for the session, and opens that learner's plan only).

use super::{
    asset_version, competency_label, credits_text, hours, learner, record_lines, render, with_store,
};
use crate::web::accounts::field;
use crate::web::{AppState, PageError};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, route, web};
use askama::Template;
use std::collections::HashMap;

struct Line {
    completed_on: String,
    title: String,
    provider: String,
    credits: String,
    competencies: String,
    catalog: bool,
}

#[derive(Template)]
#[template(path = "transcript.html")]
struct TranscriptPage {
    asset_version: &'static str,
    email: String,
    printed: String,
    lines: Vec<Line>,
    by_year: Vec<(i32, String, usize)>,
    total_hours: String,
}

async fn lines_of(
    state: &AppState,
    user: i64,
) -> Result<(Vec<crate::store::Completion>, Vec<Line>), PageError> {
    let (completions, frameworks) = with_store(state, move |store| {
        Ok((store.completions(user)?, store.frameworks()?))
    })
    .await?;
    let lines = completions
        .iter()
        .map(|c| Line {
            completed_on: c.completed_on.clone(),
            title: c.title.clone(),
            provider: c.provider.clone(),
            credits: credits_text(&c.credits),
            competencies: c
                .competencies
                .iter()
                .map(|code| competency_label(&frameworks, code))
                .collect::<Vec<_>>()
                .join("; "),
            catalog: c.offering_id.is_some(),
        })
        .collect();
    Ok((completions, lines))
}

#[route("/me/transcript", method = "GET", method = "HEAD")]
pub async fn transcript_page(
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let session = learner(&state, &request).await?;
    let (completions, lines) = lines_of(&state, session.user.id).await?;
    let totals = crate::pathways::totals(&record_lines(&completions));
    let page = TranscriptPage {
        asset_version: asset_version(),
        email: session.user.email,
        printed: super::today().to_string(),
        lines,
        by_year: totals
            .by_year
            .iter()
            .map(|(y, h, n)| (*y, hours(*h), *n))
            .collect(),
        total_hours: hours(totals.contact_hours),
    };
    Ok(render(StatusCode::OK, &page))
}

#[route("/me/transcript.csv", method = "GET", method = "HEAD")]
pub async fn transcript_csv(
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let session = learner(&state, &request).await?;
    let (completions, lines) = lines_of(&state, session.user.id).await?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record([
        "completed_on",
        "title",
        "provider",
        "offering",
        "credits.amount",
        "credits.unit",
        "competencies",
    ]);
    for (completion, line) in completions.iter().zip(&lines) {
        let row = [
            line.completed_on.clone(),
            line.title.clone(),
            line.provider.clone(),
            completion.offering_id.clone().unwrap_or_default(),
            completion
                .credits
                .as_ref()
                .map(|c| c.amount.to_string())
                .unwrap_or_default(),
            completion
                .credits
                .as_ref()
                .map(|c| c.unit.as_str().to_owned())
                .unwrap_or_default(),
            completion.competencies.join(";"),
        ];
        // Writing to memory cannot fail; a cell a spreadsheet would run as a formula is
        // neutralised as the search CSV's are.
        let _ = writer.write_record(row.into_iter().map(crate::formats::table::neutralise));
    }
    let body = String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default();
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8; header=present")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"ce-transcript.csv\"",
        ))
        .body(body))
}

#[route("/me/completions/{id}/proof", method = "GET", method = "HEAD")]
pub async fn proof_file(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let session = learner(&state, &request).await?;
    let missing = || PageError::NotFound("There is no such proof in your record.".into());
    let id: i64 = id.parse().map_err(|_| missing())?;
    let user = session.user.id;
    let (content_type, name, bytes) = with_store(&state, move |store| store.proof(user, id))
        .await?
        .ok_or_else(missing)?;
    let name = if name.is_empty() {
        format!("proof-{id}")
    } else {
        name
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(bytes))
}

/// The plan as a calendar. The token is the only key: a wrong or missing one answers 404 (the
/// same for both, so the feed's address tells nothing), a session counts for nothing here.
#[route("/me/plan.ics", method = "GET", method = "HEAD")]
pub async fn plan_calendar(
    state: web::Data<AppState>,
    request: HttpRequest,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let token = field(&query, "token").to_owned();
    let unknown = || PageError::NotFound("There is no calendar at this address.".into());
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(unknown());
    }
    let (plan, providers) = with_store(&state, move |store| {
        let Some(user) = store.calendar_owner(&token)? else {
            return Ok((Vec::new(), None));
        };
        let providers: HashMap<String, String> = store
            .providers()?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();
        Ok((store.plan(user)?, Some(providers)))
    })
    .await?;
    let Some(providers) = providers else {
        return Err(unknown());
    };
    let stored: Vec<crate::store::StoredOffering> = plan.into_iter().map(|p| p.stored).collect();
    let base = crate::web::routes::formats::base(&request);
    let entries = crate::web::routes::formats::entries(&base, &stored, &providers);
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "inline; filename=\"my-ce-plan.ics\"",
        ))
        .body(crate::formats::calendar::calendar("My CE plan", &entries)))
}
