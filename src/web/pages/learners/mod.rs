//! Learners (#16): joining (`/join`), the learner's own record (`/me`: the plan, what they
//! completed with proofs, CE entered by hand, totals), deleting the account, and the pages
//! around it: `pathway` (a certification's page and the learner's progress toward it),
//! `record` (transcript, CSV, proofs, the plan's calendar feed) and `series`.
//!
//! Every `/me` route takes the signed-in learner from the session (`accounts::require` with
//! `Role::Learner`): other learners, providers and administrators get 403, anonymous visitors
//! are sent to sign in, and every query names the session's own user id, never one from the
//! request. The calendar feed, read by calendar programs that hold no cookie, takes a private
//! token instead. Forms carry the session's CSRF token.

mod pathway;
mod record;
mod series;

pub use pathway::{certification_page, pathway_page};
pub use record::{plan_calendar, proof_file, transcript_csv, transcript_page};
pub use series::series_page;

use super::{asset_version, render, with_store};
use crate::catalog::{CompetencyRef, CreditUnit, Credits, Offering};
use crate::store::{Completion, NewCompletion, Proof, Role, StoreError};
use crate::web::accounts::{self, Session, field};
use crate::web::{AppState, PageError, see_other, throttle, views};
use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, route, web};
use askama::Template;
use futures_util::TryStreamExt;

/// The largest proof accepted.
pub const MAX_PROOF: usize = 5 * 1024 * 1024;
/// The largest plain field of the completion form.
const MAX_FIELD: usize = 16 * 1024;
/// The plain fields of the completion form together, at most.
const MAX_FORM_TEXT: usize = 256 * 1024;
/// Aggregates about learners (how many plan an offering) are shown from this many up.
pub const PUBLIC_MIN_LEARNERS: i64 = 5;

/// The signed-in learner, or the refusal every `/me` route gives anyone else.
async fn learner(state: &AppState, request: &HttpRequest) -> Result<Session, PageError> {
    accounts::require(state, request, Role::Learner).await
}

/// Today, as the record and the plans count days.
pub(crate) fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

#[derive(Template)]
#[template(path = "join.html")]
struct JoinPage {
    asset_version: &'static str,
    csrf: String,
    email: String,
    errors: Vec<(String, String)>,
    done: bool,
}

fn join_form(
    state: &AppState,
    status: StatusCode,
    email: &str,
    errors: Vec<(String, String)>,
    done: bool,
) -> HttpResponse {
    let (csrf, cookie) = accounts::login_token(state);
    let page = JoinPage {
        asset_version: asset_version(),
        csrf,
        email: email.to_owned(),
        errors,
        done,
    };
    let mut response = render(status, &page);
    let _ = response.add_cookie(&cookie);
    response
}

#[route("/join", method = "GET", method = "HEAD")]
pub async fn join_page(state: web::Data<AppState>) -> HttpResponse {
    join_form(&state, StatusCode::OK, "", Vec::new(), false)
}

/// Makes a learner account. The answer is the same whether or not the address had an account
/// ("your account is ready: sign in"), so the form does not tell which addresses have one;
/// joins are limited per client as applications are.
#[route("/join", method = "POST")]
pub async fn join(
    state: web::Data<AppState>,
    request: HttpRequest,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    if !accounts::login_token_ok(&state, &request, &form) {
        return Err(PageError::Forbidden(
            "This form has expired. Reload the page and join again.".into(),
        ));
    }
    state
        .throttle
        .register(throttle::client_of(&request))
        .map_err(|wait| PageError::throttled("Too many new accounts from your network.", wait))?;
    let email = field(&form, "email").trim().to_owned();
    let password = field(&form, "password").to_owned();
    let lookup = email.clone();
    let store = state.store.clone();
    match web::block(move || store.join(&lookup, &password)).await? {
        Ok(_) => Ok(join_form(&state, StatusCode::OK, "", Vec::new(), true)),
        Err(StoreError::InvalidOffering(errors)) => Ok(join_form(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            &email,
            errors.into_iter().map(|e| (e.field, e.message)).collect(),
            false,
        )),
        Err(error) => Err(error.into()),
    }
}

/// An offering of the plan as `/me` lists it.
struct PlanRow {
    id: String,
    title: String,
    facts: views::Facts,
}

/// A completion as `/me` lists it.
struct CompletionRow {
    id: i64,
    offering_id: String,
    title: String,
    provider: String,
    completed_on: String,
    credits: String,
    proof: bool,
    next: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "me.html")]
struct MePage {
    asset_version: &'static str,
    csrf: String,
    email: String,
    notice: String,
    plan: Vec<PlanRow>,
    completions: Vec<CompletionRow>,
    /// (year, contact hours, completions)
    by_year: Vec<(i32, String, usize)>,
    /// (label, contact hours, completions)
    by_competency: Vec<(String, String, usize)>,
    total_hours: String,
    /// (id, name)
    certifications: Vec<(String, String)>,
    calendar_path: String,
    today: String,
    units: Vec<(&'static str, &'static str)>,
}

/// Contact hours as the record shows them.
pub(crate) fn hours(value: f64) -> String {
    let text = format!("{value:.1}");
    text.strip_suffix(".0").map(str::to_owned).unwrap_or(text)
}

pub(crate) fn credits_text(credits: &Option<Credits>) -> String {
    match credits {
        Some(c) => format!("{} {}", hours(c.amount), c.unit.label()),
        None => String::new(),
    }
}

/// A competency's name as a reader knows it ("LSSC: Technology"), or its code.
pub(crate) fn competency_label(frameworks: &crate::catalog::Frameworks, code: &str) -> String {
    let Ok(reference) = CompetencyRef::parse(code) else {
        return code.to_owned();
    };
    frameworks
        .frameworks
        .iter()
        .find(|f| f.id == reference.framework)
        .and_then(|framework| {
            framework
                .flatten()
                .into_iter()
                .find(|flat| flat.competency.code == reference.code)
                .map(|flat| format!("{} {}", reference.code, flat.competency.title))
        })
        .unwrap_or_else(|| code.to_owned())
}

/// The record's lines for the totals.
pub(crate) fn record_lines(completions: &[Completion]) -> Vec<crate::pathways::RecordLine> {
    completions
        .iter()
        .filter_map(|c| {
            Some(crate::pathways::RecordLine {
                completed_on: chrono::NaiveDate::parse_from_str(&c.completed_on, "%Y-%m-%d")
                    .ok()?,
                credits: c.credits.clone(),
                competencies: c.competencies.clone(),
            })
        })
        .collect()
}

/// What comes next after a completed offering: the next part of its series, and published
/// offerings that name it as a prerequisite.
fn next_after(
    store: &crate::store::Store,
    offering: &Offering,
) -> Result<Vec<(String, String)>, StoreError> {
    let mut next = Vec::new();
    if let Some(series) = &offering.series {
        let parts = store.series(&series.id)?;
        if let Some((id, title, _)) = parts
            .into_iter()
            .find(|(_, _, position)| *position > series.position)
        {
            next.push((id, title));
        }
    }
    for (id, title) in store.offerings_requiring(&offering.id)? {
        if !next.iter().any(|(known, _)| *known == id) {
            next.push((id, title));
        }
    }
    Ok(next)
}

#[route("/me", method = "GET", method = "HEAD")]
pub async fn me_page(
    state: web::Data<AppState>,
    request: HttpRequest,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let session = learner(&state, &request).await?;
    let user = session.user.id;
    let (plan, completions, frameworks, certifications, token, next) =
        with_store(&state, move |store| {
            let completions = store.completions(user)?;
            let mut next = std::collections::HashMap::new();
            for completion in &completions {
                if let Some(id) = &completion.offering_id
                    && let Some(stored) = store.offering(id)?
                {
                    next.insert(completion.id, next_after(store, &stored.offering)?);
                }
            }
            Ok((
                store.plan(user)?,
                completions,
                store.frameworks()?,
                store.certifications()?,
                store.calendar_token(user)?,
                next,
            ))
        })
        .await?;
    let totals = crate::pathways::totals(&record_lines(&completions));
    let completed: std::collections::HashSet<String> = completions
        .iter()
        .filter_map(|c| c.offering_id.clone())
        .collect();
    let page = MePage {
        asset_version: asset_version(),
        csrf: session.csrf.clone(),
        email: session.user.email.clone(),
        notice: notice(&query),
        plan: plan
            .into_iter()
            .filter(|p| !completed.contains(&p.stored.offering.id))
            .map(|p| PlanRow {
                id: p.stored.offering.id.clone(),
                title: p.stored.offering.title.clone(),
                facts: views::Facts::of(&p.stored.offering),
            })
            .collect(),
        completions: completions
            .iter()
            .map(|c| CompletionRow {
                id: c.id,
                offering_id: c.offering_id.clone().unwrap_or_default(),
                title: c.title.clone(),
                provider: c.provider.clone(),
                completed_on: c.completed_on.clone(),
                credits: credits_text(&c.credits),
                proof: c.proof.is_some(),
                next: next.get(&c.id).cloned().unwrap_or_default(),
            })
            .collect(),
        by_year: totals
            .by_year
            .iter()
            .map(|(y, h, n)| (*y, hours(*h), *n))
            .collect(),
        by_competency: totals
            .by_competency
            .iter()
            .map(|(c, h, n)| (competency_label(&frameworks, c), hours(*h), *n))
            .collect(),
        total_hours: hours(totals.contact_hours),
        certifications: certifications.into_iter().map(|c| (c.id, c.name)).collect(),
        calendar_path: format!("/me/plan.ics?token={token}"),
        today: today().format("%Y-%m-%d").to_string(),
        units: CreditUnit::ALL
            .iter()
            .map(|u| (u.as_str(), u.label()))
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

/// What the last action did, said on the page it leads back to.
fn notice(query: &[(String, String)]) -> String {
    match field(query, "done") {
        "saved" => "Saved to your plan.",
        "removed" => "Taken off your plan.",
        "completed" => "Added to your record.",
        "deleted" => "Taken out of your record.",
        _ => "",
    }
    .to_owned()
}

#[derive(Template)]
#[template(path = "me_confirm.html")]
struct ConfirmPage {
    asset_version: &'static str,
    csrf: String,
    heading: String,
    message: String,
    action: String,
    /// Hidden fields: (name, value).
    fields: Vec<(String, String)>,
    button: String,
}

/// `GET /me/plan/add/{id}`: the offering page's "Save to my plan" link leads here (the
/// offering page is the same for everyone, so it cannot carry a session's CSRF token).
#[route("/me/plan/add/{id}", method = "GET", method = "HEAD")]
pub async fn confirm_save(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let session = learner(&state, &request).await?;
    let id = id.into_inner();
    let lookup = id.clone();
    let offering = with_store(&state, move |store| store.published_by_ids(&[lookup]))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| PageError::NotFound(format!("There is no published offering “{id}”.")))?
        .offering;
    let page = ConfirmPage {
        asset_version: asset_version(),
        csrf: session.csrf,
        heading: "Save to your plan".into(),
        message: format!("Save “{}” to your plan?", offering.title),
        action: "/me/plan".into(),
        fields: vec![("offering".into(), offering.id)],
        button: "Save to my plan".into(),
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /me/plan`: `offering` saved to the plan, or with `remove`, taken off it.
#[route("/me/plan", method = "POST")]
pub async fn change_plan(
    state: web::Data<AppState>,
    request: HttpRequest,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let session = learner(&state, &request).await?;
    accounts::check_csrf(&session, &form)?;
    let offering = field(&form, "offering").trim().to_owned();
    if offering.is_empty() {
        return Err(PageError::Invalid("offering: choose an offering".into()));
    }
    let remove = !field(&form, "remove").is_empty();
    let user = session.user.id;
    with_store(&state, move |store| {
        if remove {
            store.plan_remove(user, &offering)
        } else {
            store.plan_add(user, &offering)
        }
    })
    .await?;
    state.learners_changed();
    Ok(see_other(if remove {
        "/me?done=removed"
    } else {
        "/me?done=saved"
    })
    .finish())
}

/// The completion form as sent: its fields and the proof's bytes.
struct CompletionForm {
    fields: Vec<(String, String)>,
    proof: Option<(String, Vec<u8>)>,
}

fn unreadable(error: impl std::fmt::Display) -> PageError {
    PageError::Invalid(format!("the form could not be read: {error}"))
}

async fn read_completion_form(mut payload: Multipart) -> Result<CompletionForm, PageError> {
    let mut fields = Vec::new();
    let mut proof = None;
    let mut total = 0;
    while let Some(mut part) = payload.try_next().await.map_err(unreadable)? {
        let name = part.name().unwrap_or_default().to_owned();
        let file_name = part
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_owned);
        let limit = if name == "proof" {
            MAX_PROOF
        } else {
            MAX_FIELD
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = part.try_next().await.map_err(unreadable)? {
            bytes.extend_from_slice(&chunk);
            total += chunk.len();
            if total > MAX_PROOF + MAX_FORM_TEXT {
                return Err(PageError::TooLarge(
                    "The form is larger than a proof of 5 MB and its fields.".into(),
                ));
            }
            if bytes.len() > limit {
                return Err(PageError::TooLarge(if name == "proof" {
                    "proof: the file is larger than 5 MB; send a smaller scan or a PDF.".into()
                } else {
                    format!("{name}: too long")
                }));
            }
        }
        if name == "proof" {
            if !bytes.is_empty() {
                proof = Some((file_name.unwrap_or_default(), bytes));
            }
        } else {
            fields.push((name, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    Ok(CompletionForm { fields, proof })
}

/// The type of a proof by its first bytes: PDF, PNG or JPEG, whatever its name says.
pub fn proof_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

/// Checks the completion form into a `NewCompletion`: every problem at once, each naming its
/// field.
fn completion_of(
    form: CompletionForm,
    today: chrono::NaiveDate,
) -> Result<NewCompletion, Vec<String>> {
    let fields = &form.fields;
    let mut problems = Vec::new();
    let offering = field(fields, "offering").trim();
    let title = field(fields, "title").trim();
    let provider = field(fields, "provider").trim();
    if offering.is_empty() {
        if title.chars().count() < 3 || title.chars().count() > 200 {
            problems.push("title: say what you took, in 3 to 200 characters".to_owned());
        }
        if provider.is_empty() || provider.chars().count() > 200 {
            problems.push("provider: say who offered it, in at most 200 characters".to_owned());
        }
    }
    let completed_on =
        match chrono::NaiveDate::parse_from_str(field(fields, "completed_on").trim(), "%Y-%m-%d") {
            Ok(day) if day > today => {
                problems.push("completed_on: a completion cannot be in the future".to_owned());
                None
            }
            Ok(day) if chrono::Datelike::year(&day) < 1950 => {
                problems
                    .push("completed_on: give the day you completed it, as YYYY-MM-DD".to_owned());
                None
            }
            Ok(day) => Some(day),
            Err(_) => {
                problems
                    .push("completed_on: give the day you completed it, as YYYY-MM-DD".to_owned());
                None
            }
        };
    let amount = field(fields, "credits_amount").trim();
    let credits = if amount.is_empty() {
        None
    } else {
        match (
            amount.parse::<f64>(),
            field(fields, "credits_unit").parse::<CreditUnit>(),
        ) {
            (Ok(amount), Ok(unit)) if amount.is_finite() && (0.0..=1000.0).contains(&amount) => {
                Some(Credits { amount, unit })
            }
            (Ok(_), Ok(_)) | (Err(_), _) => {
                problems.push("credits_amount: a number from 0 to 1000".to_owned());
                None
            }
            (_, Err(_)) => {
                problems.push("credits_unit: contact hours or CEU".to_owned());
                None
            }
        }
    };
    let mut competencies = Vec::new();
    if offering.is_empty() {
        for code in field(fields, "competencies")
            .split([';', ',', '\n'])
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            match CompetencyRef::parse(code) {
                Ok(reference) => competencies.push(reference.to_string()),
                Err(message) => problems.push(format!("competencies: {message}")),
            }
        }
    }
    let proof = match form.proof {
        None => None,
        Some((name, bytes)) => match proof_type(&bytes) {
            Some(content_type) => Some(Proof {
                content_type,
                file_name: name
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
                    .take(100)
                    .collect(),
                bytes,
            }),
            None => {
                problems.push(
                    "proof: the file must be a PDF, PNG or JPEG (checked by its content)"
                        .to_owned(),
                );
                None
            }
        },
    };
    match (problems.is_empty(), completed_on) {
        (true, Some(completed_on)) => Ok(NewCompletion {
            offering_id: Some(offering.to_owned()).filter(|o| !o.is_empty()),
            title: title.to_owned(),
            provider: provider.to_owned(),
            completed_on,
            credits,
            competencies,
            proof,
        }),
        _ => Err(problems),
    }
}

/// `POST /me/completions` (multipart, for the proof): a catalog offering completed (`offering`)
/// or CE taken elsewhere (`title`, `provider`), with `completed_on`, optional credits, and an
/// optional `proof`.
#[route("/me/completions", method = "POST")]
pub async fn add_completion(
    state: web::Data<AppState>,
    request: HttpRequest,
    payload: Multipart,
) -> Result<HttpResponse, PageError> {
    let session = learner(&state, &request).await?;
    let form = read_completion_form(payload).await?;
    accounts::check_csrf(&session, &form.fields)?;
    let completion = completion_of(form, today()).map_err(|p| PageError::Invalid(p.join("; ")))?;
    let user = session.user.id;
    with_store(&state, move |store| {
        let public = |id: &str| -> Result<bool, StoreError> {
            Ok(store.offering(id)?.is_some_and(|s| {
                matches!(
                    s.status,
                    crate::catalog::OfferingStatus::Published
                        | crate::catalog::OfferingStatus::Withdrawn
                )
            }))
        };
        if let Some(id) = &completion.offering_id
            && !public(id)?
        {
            return Err(StoreError::InvalidOffering(vec![
                crate::catalog::FieldError {
                    field: "offering".into(),
                    message: format!("there is no offering “{id}”"),
                },
            ]));
        }
        if !completion.competencies.is_empty() {
            let known = store.frameworks()?;
            let mut all = crate::catalog::Known::default();
            all.add_frameworks(&known);
            for code in &completion.competencies {
                let known = CompetencyRef::parse(code).is_ok_and(|c| all.competencies.contains(&c));
                if !known {
                    return Err(StoreError::InvalidOffering(vec![
                        crate::catalog::FieldError {
                            field: "competencies".into(),
                            message: format!("`{code}` is not a known competency"),
                        },
                    ]));
                }
            }
        }
        store.complete(user, &completion)
    })
    .await?;
    state.learners_changed();
    Ok(see_other("/me?done=completed").finish())
}

/// `POST /me/completions/{id}/delete`: one of the learner's completions taken out.
#[route("/me/completions/{id}/delete", method = "POST")]
pub async fn delete_completion(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let session = learner(&state, &request).await?;
    accounts::check_csrf(&session, &form)?;
    let id: i64 = id
        .parse()
        .map_err(|_| PageError::NotFound("There is no such completion in your record.".into()))?;
    let user = session.user.id;
    with_store(&state, move |store| store.delete_completion(user, id)).await?;
    Ok(see_other("/me?done=deleted").finish())
}

/// `GET /me/delete`: asks before deleting the account.
#[route("/me/delete", method = "GET", method = "HEAD")]
pub async fn confirm_delete(
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let session = learner(&state, &request).await?;
    let page = ConfirmPage {
        asset_version: asset_version(),
        csrf: session.csrf,
        heading: "Delete your account".into(),
        message: "This deletes your account, your plan, every completion and proof in your record, and your calendar link, at once and for good. Download your transcript first if you want to keep it.".into(),
        action: "/me/delete".into(),
        fields: vec![("confirm".into(), "yes".into())],
        button: "Delete my account and record".into(),
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /me/delete` with `confirm=yes`: the account and everything in it deleted.
#[route("/me/delete", method = "POST")]
pub async fn delete_account(
    state: web::Data<AppState>,
    request: HttpRequest,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let session = learner(&state, &request).await?;
    accounts::check_csrf(&session, &form)?;
    if field(&form, "confirm") != "yes" {
        return Err(PageError::Invalid(
            "confirm: tick the box to delete your account".into(),
        ));
    }
    let user = session.user.clone();
    with_store(&state, move |store| store.delete_learner(&user)).await?;
    state.learners_changed();
    Ok(see_other("/")
        .cookie(accounts::removal_of_session())
        .finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proofs_are_known_by_their_content() {
        assert_eq!(proof_type(b"%PDF-1.7\n..."), Some("application/pdf"));
        assert_eq!(
            proof_type(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0]),
            Some("image/png")
        );
        assert_eq!(proof_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(proof_type(b"<html>%PDF-"), None);
        assert_eq!(proof_type(b"GIF89a"), None);
    }
}
