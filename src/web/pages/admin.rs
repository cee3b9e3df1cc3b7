//! `/admin`: the review queue, oldest first, each submission shown as it would be published
//! (with what an edit changes), to approve or reject with a reason; and the audit log.

use super::{asset_version, render, with_store};
use crate::catalog::Offering;
use crate::store::{AuditEntry, Role, StoreError, SubmissionKind};
use crate::web::accounts::{self, field};
use crate::web::errors::Blocked;
use crate::web::{AppState, PageError, blocking, see_other, views};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, route, web};
use askama::Template;
use std::collections::HashMap;

/// Submissions shown on one page of the queue: the page stays quick however long the queue is.
const QUEUE_PAGE: usize = 50;

pub struct QueueItem {
    pub id: i64,
    pub title: String,
    pub kind: &'static str,
    pub provider: String,
    pub submitted_at: String,
    pub facts: views::Facts,
    pub description: String,
    /// (field, now, proposed) for an edit.
    pub changes: Vec<(String, String, String)>,
    /// Offerings it may duplicate: (id, title).
    pub duplicates: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    asset_version: &'static str,
    email: String,
    csrf: String,
    notice: Option<String>,
    items: Vec<QueueItem>,
    /// How many submissions wait in all, and which page of them this is.
    pending: usize,
    page: usize,
    pages: usize,
    /// The queue position of the page's first item.
    first: usize,
    /// (provider id, name, kind, website, users)
    applications: Vec<(String, String, String, String, String)>,
    accounts: Vec<crate::store::User>,
}

/// The fields that differ between the published offering and the proposed one.
fn changes(now: &Offering, proposed: &Offering) -> Vec<(String, String, String)> {
    let (now, proposed) = (
        serde_json::to_value(now).unwrap_or_default(),
        serde_json::to_value(proposed).unwrap_or_default(),
    );
    let mut names: Vec<&String> = now
        .as_object()
        .into_iter()
        .flatten()
        .chain(proposed.as_object().into_iter().flatten())
        .map(|(k, _)| k)
        .collect();
    names.sort();
    names.dedup();
    let show = |value: Option<&serde_json::Value>| match value {
        Some(serde_json::Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
        None => "(none)".to_owned(),
    };
    names
        .into_iter()
        .filter(|name| now.get(name.as_str()) != proposed.get(name.as_str()))
        .map(|name| {
            (
                name.clone(),
                show(now.get(name.as_str())),
                show(proposed.get(name.as_str())),
            )
        })
        .collect()
}

#[route("/admin", method = "GET", method = "HEAD")]
pub async fn admin_home(
    state: web::Data<AppState>,
    request: HttpRequest,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let session = accounts::require(&state, &request, Role::Admin).await?;
    let (applications, users) =
        with_store(&state, |store| Ok((store.applications()?, store.users()?))).await?;
    let applications = applications
        .into_iter()
        .map(|(p, users)| {
            (
                p.id,
                p.name,
                p.kind.label().to_owned(),
                p.website.unwrap_or_default(),
                users_line(&users),
            )
        })
        .collect();
    let page = field(&query, "page").parse::<usize>().unwrap_or(1).max(1);
    let offset = (page - 1).saturating_mul(QUEUE_PAGE);
    let (queue, pending) = with_store(&state, move |store| {
        let (submissions, pending) = store.pending_page(offset, QUEUE_PAGE)?;
        // The published versions, one query for the page: what an edit's changes are shown against.
        let ids: Vec<String> = submissions.iter().map(|s| s.offering.id.clone()).collect();
        let published: HashMap<String, Offering> = store
            .published_by_ids(&ids)?
            .into_iter()
            .map(|stored| (stored.offering.id.clone(), stored.offering))
            .collect();
        let mut queue = Vec::new();
        for submission in submissions {
            let current = published.get(&submission.offering.id).cloned();
            let duplicates = match &submission.duplicates {
                Some(found) => found.clone(),
                // Submitted before duplicates were kept.
                None => store.possible_duplicates(&submission.offering)?,
            };
            queue.push((submission, current, duplicates));
        }
        Ok((queue, pending))
    })
    .await?;
    let items = queue
        .into_iter()
        .map(|(submission, current, duplicates)| {
            let o = &submission.offering;
            QueueItem {
                id: submission.id,
                title: o.title.clone(),
                kind: if submission.kind == SubmissionKind::Edit {
                    "An edit"
                } else {
                    "A new offering"
                },
                provider: o.provider.clone(),
                submitted_at: submission.submitted_at.clone(),
                facts: views::Facts::of(o),
                description: o.description.clone(),
                duplicates,
                changes: match (&current, submission.kind) {
                    (Some(current), SubmissionKind::Edit) => changes(current, o),
                    _ => Vec::new(),
                },
            }
        })
        .collect();
    let notice = match field(&query, "done") {
        "approved" => Some("Approved: it is published and searchable.".to_owned()),
        "rejected" => Some("Rejected: the provider sees your reason.".to_owned()),
        "returned" => Some("Returned for changes: the provider sees your reason.".to_owned()),
        "application" => Some("The application is decided.".to_owned()),
        "disabled" => Some("The account is disabled.".to_owned()),
        _ => None,
    };
    let page = AdminPage {
        asset_version: asset_version(),
        email: session.user.email.clone(),
        csrf: session.csrf.clone(),
        notice,
        items,
        pending,
        page,
        pages: pending.div_ceil(QUEUE_PAGE),
        first: offset + 1,
        applications,
        accounts: users,
    };
    Ok(render(StatusCode::OK, &page))
}

crate::catalog::string_enum! {
    /// What an administrator decides about a submission: the last segment of the form's
    /// address, and (as its label) the word the queue's notice uses once done.
    Decision {
        Approve = "approve": "approved",
        Reject = "reject": "rejected",
        Return = "return": "returned",
    }
}

/// `POST /admin/submissions/{id}/{approve|reject|return}`, with a `reason` for the last two.
#[route("/admin/submissions/{id}/{decision}", method = "POST")]
pub async fn decide_submission(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<(i64, String)>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let (id, decision) = path.into_inner();
    let decision: Decision = decision
        .parse()
        .map_err(|_| PageError::NotFound(format!("There is no decision “{decision}”.")))?;
    let session = accounts::require(&state, &request, Role::Admin).await?;
    accounts::check_csrf(&session, &form)?;
    let (actor, reason) = (
        session.user.email.clone(),
        field(&form, "reason").to_owned(),
    );
    with_store(&state, move |store| match decision {
        Decision::Approve => store.approve(id, &actor),
        Decision::Reject => store.reject(id, &reason, &actor),
        Decision::Return => store.return_for_changes(id, &reason, &actor),
    })
    .await?;
    Ok(done(decision.label()))
}

/// Back to the queue, whose notice says what was `done`.
fn done(done: &str) -> HttpResponse {
    see_other(&format!("/admin?done={done}")).finish()
}

/// `POST /admin/applications/{provider}`: `decision=approve` or `decline`.
#[route("/admin/applications/{provider}", method = "POST")]
pub async fn decide_application(
    state: web::Data<AppState>,
    request: HttpRequest,
    provider: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let session = accounts::require(&state, &request, Role::Admin).await?;
    accounts::check_csrf(&session, &form)?;
    let approve = field(&form, "decision") == "approve";
    let actor = session.user.email.clone();
    with_store(&state, move |store| {
        store.decide_application(&provider, approve, &actor)
    })
    .await?;
    Ok(done("application"))
}

/// `POST /admin/users/disable`: an account can no longer sign in.
#[route("/admin/users/disable", method = "POST")]
pub async fn disable_user(
    state: web::Data<AppState>,
    request: HttpRequest,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let session = accounts::require(&state, &request, Role::Admin).await?;
    accounts::check_csrf(&session, &form)?;
    let email = field(&form, "email").to_owned();
    if email.eq_ignore_ascii_case(&session.user.email) {
        return Err(PageError::Forbidden(
            "You cannot disable your own account.".into(),
        ));
    }
    let actor = session.user.email.clone();
    match blocking(&state, move |store| store.disable_user(&email, &actor)).await {
        Ok(()) => Ok(done("disabled")),
        Err(Blocked::Store(StoreError::Account(message))) => Err(PageError::NotFound(message)),
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    asset_version: &'static str,
    entries: Vec<AuditEntry>,
}

#[route("/admin/audit", method = "GET", method = "HEAD")]
pub async fn audit_page(
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse, PageError> {
    accounts::require(&state, &request, Role::Admin).await?;
    let entries = with_store(&state, move |store| store.audit_log(500)).await?;
    Ok(render(
        StatusCode::OK,
        &AuditPage {
            asset_version: asset_version(),
            entries,
        },
    ))
}

/// An application's users; none when the address given had an account already (the applicant was
/// answered as anyone else, so the form reveals no accounts; the audit log names the address).
fn users_line(users: &[String]) -> String {
    if users.is_empty() {
        "none (the address given has an account already: see the audit log)".to_owned()
    } else {
        users.join(", ")
    }
}
