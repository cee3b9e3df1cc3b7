//! `/admin`: the review queue, oldest first, each submission shown as it would be published
//! (with what an edit changes), to approve or reject with a reason; and the audit log.

use super::edit_diff::{self, Change};
use super::{asset_version, render, with_store};
use crate::catalog::Offering;
use crate::store::{AuditEntry, Duplicate, Role, StoreError, Submission, SubmissionKind};
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
    /// What an edit changes, field by field.
    pub changes: Vec<Change>,
    /// What the administrator should look at before approving.
    pub warnings: Vec<&'static str>,
    /// Offerings it may duplicate: (id, title).
    pub duplicates: Vec<(String, String)>,
}

impl QueueItem {
    fn new(
        submission: &Submission,
        current: Option<&Offering>,
        duplicates: Vec<Duplicate>,
    ) -> Self {
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
            changes: match (current, submission.kind) {
                (Some(current), SubmissionKind::Edit) => edit_diff::changes(current, o),
                _ => Vec::new(),
            },
            warnings: warnings(o),
        }
    }
}

/// What a submission may get wrong that validation lets through.
fn warnings(offering: &Offering) -> Vec<&'static str> {
    let timed = |moment: &Option<String>| moment.as_deref().is_some_and(|m| m.contains('T'));
    let mut warnings = Vec::new();
    if (timed(&offering.start) || timed(&offering.end)) && offering.timezone.is_none() {
        warnings.push(
            "It starts at a time of day but names no time zone: readers see the UTC offset, \
             not the local time, and the clock change is not followed.",
        );
    }
    warnings
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
    /// Offerings whose shared evaluation link took answers in bursts: (id, title, how many).
    evaluation_bursts: Vec<(String, String, usize)>,
    /// How participants' follow-ups stand (no address is shown).
    followups: crate::store::FollowupQueue,
}

#[route("/admin", method = "GET", method = "HEAD")]
pub async fn admin_home(
    state: web::Data<AppState>,
    request: HttpRequest,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let session = accounts::require(&state, &request, Role::Admin).await?;
    let (applications, users, evaluation_bursts, followups) = with_store(&state, |store| {
        Ok((
            store.applications()?,
            store.users()?,
            store.evaluation_bursts()?,
            store.followup_queue(chrono::Utc::now().date_naive())?,
        ))
    })
    .await?;
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
            QueueItem::new(&submission, current.as_ref(), duplicates)
        })
        .collect();
    let notice = match field(&query, "done") {
        "approved" => Some("Approved: it is published and searchable.".to_owned()),
        "rejected" => Some("Rejected: the provider sees your reason.".to_owned()),
        "returned" => Some("Changes requested: the provider sees your note.".to_owned()),
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
        evaluation_bursts,
        followups,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "admin_submission.html")]
struct SubmissionPage {
    asset_version: &'static str,
    csrf: String,
    item: QueueItem,
}

/// `GET /admin/offerings/{id}`: the offering's submission that waits for review, on a page of
/// its own (where a possible duplicate in the queue links, published or not); a published
/// offering with nothing pending is its public page.
#[route("/admin/offerings/{id}", method = "GET", method = "HEAD")]
pub async fn offering_under_review(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let session = accounts::require(&state, &request, Role::Admin).await?;
    let id = id.into_inner();
    let lookup = id.clone();
    let found = with_store(&state, move |store| {
        let Some(submission) = store.pending_submission_of(&lookup)? else {
            return Ok(None);
        };
        let current = store.published_by_ids(std::slice::from_ref(&lookup))?.pop();
        let duplicates = submission.duplicates.clone().unwrap_or_default();
        Ok(Some((submission, current.map(|c| c.offering), duplicates)))
    })
    .await?;
    let Some((submission, current, duplicates)) = found else {
        return Ok(see_other(&format!("/offerings/{id}")).finish());
    };
    let page = SubmissionPage {
        asset_version: asset_version(),
        csrf: session.csrf.clone(),
        item: QueueItem::new(&submission, current.as_ref(), duplicates),
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
