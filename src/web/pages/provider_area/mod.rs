//! `/provider`: a provider's offerings and submissions, the form for a new offering or an edit,
//! and the organisation's profile. The form's fields are specified in `form_spec`, mapped to and
//! from an offering in `form_values` (dates and times by `form_dates`), read in the form's own
//! words by `form_check` and laid out for the template in `form_view`; this module holds the
//! handlers. Every problem, the form's and the catalog's, shows in one round next to its field
//! and in a summary at the top, and every entered value is kept.

mod form_check;
mod form_dates;
mod form_spec;
mod form_values;
mod form_view;
mod withdrawal;

use super::{asset_version, render, with_store};
use crate::catalog::{FieldError, Offering, OfferingStatus, Provider};
use crate::participant_evaluations::Summary;
use crate::store::{
    Role, StoreError, StoredOffering, Submission, SubmissionStatus, can_undo_withdrawal,
};
use crate::web::accounts::{self, Session, field};
use crate::web::{AppState, PageError, see_other};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, route, web};
use askama::Template;
pub use form_spec::field_label;
use form_values::FormValues;
use form_view::{ShownGroup, SummaryLine};
use std::collections::HashSet;
pub use withdrawal::{confirm_withdrawal, undo_withdrawal, withdraw};

/// One submission in the provider's list.
struct SubmissionRow {
    offering_id: String,
    title: String,
    kind: String,
    status: String,
    /// The administrator's reason for a rejection, or the changes they ask for.
    note: String,
    /// Whether the administrator asks for changes and nothing newer has been sent since: the
    /// row then links to the form.
    changes_requested: bool,
}

/// The provider's submissions, newest first, as rows.
fn submission_rows(submissions: Vec<Submission>) -> Vec<SubmissionRow> {
    let mut seen = HashSet::new();
    submissions
        .into_iter()
        .map(|submission| {
            let newest = seen.insert(submission.offering.id.clone());
            SubmissionRow {
                changes_requested: newest && submission.status == SubmissionStatus::Returned,
                offering_id: submission.offering.id,
                title: submission.offering.title,
                kind: submission.kind.label().to_owned(),
                status: submission.status.label().to_owned(),
                note: submission.reason.unwrap_or_default(),
            }
        })
        .collect()
}

/// One offering in the provider's list.
struct OfferingRow {
    id: String,
    title: String,
    /// The status's label: the template links and offers withdrawal when it is "Published".
    status: String,
    /// Withdrawn recently enough to be put back.
    can_undo: bool,
}

impl OfferingRow {
    /// A new offering whose submission came back for changes says so rather than "Pending".
    fn new(stored: StoredOffering, submissions: &[SubmissionRow]) -> Self {
        let returned = submissions
            .iter()
            .any(|s| s.changes_requested && s.offering_id == stored.offering.id);
        let status = match stored.status {
            OfferingStatus::Pending if returned => SubmissionStatus::Returned.label(),
            status => status.label(),
        };
        OfferingRow {
            can_undo: can_undo_withdrawal(&stored, chrono::Utc::now()),
            id: stored.offering.id,
            title: stored.offering.title,
            status: status.to_owned(),
        }
    }
}

#[derive(Template)]
#[template(path = "provider_home.html")]
struct ProviderHome {
    asset_version: &'static str,
    provider_name: String,
    email: String,
    csrf: String,
    notice: Option<String>,
    submissions: Vec<SubmissionRow>,
    offerings: Vec<OfferingRow>,
    /// What participants said of all its offerings together (each offering's outcomes are on
    /// its own evaluation page; here they are pooled in one line).
    evaluation: Option<super::evaluations::SummaryView>,
    /// Results over time: answers and the mean overall rating by month.
    months: super::evaluations::MonthsView,
}

/// What the page says after a form sent the provider back to it (`?done=`).
fn notice(done: &str) -> Option<String> {
    match done {
        "submitted" => Some("Submitted: an administrator will review it.".into()),
        "withdrawn" => {
            Some("Withdrawn: it has left the catalog. You can undo this for a day, below.".into())
        }
        "restored" => Some("Withdrawal undone: it is back in the catalog.".into()),
        "profile" => Some("Your organisation's profile is saved.".into()),
        _ => None,
    }
}

#[route("/provider", method = "GET", method = "HEAD")]
pub async fn provider_home(
    state: web::Data<AppState>,
    request: HttpRequest,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let session = accounts::require(&state, &request, Role::Provider).await?;
    let provider = session.user.provider.clone().unwrap_or_default();
    let (offerings, submissions, name, answers) = with_store(&state, move |store| {
        let name = store
            .provider(&provider)?
            .map_or(provider.clone(), |p| p.name);
        Ok((
            store.offerings_of(&provider)?,
            store.submissions_of(&provider)?,
            name,
            store.evaluation_responses_of_provider(&provider)?,
        ))
    })
    .await?;
    let evaluation = Summary::of_responses(&answers)
        .map(|summary| super::evaluations::SummaryView::of_many(&summary));
    let months = super::evaluations::MonthsView::of(&answers);
    let submissions = submission_rows(submissions);
    let page = ProviderHome {
        asset_version: asset_version(),
        provider_name: name,
        email: session.user.email.clone(),
        csrf: session.csrf.clone(),
        notice: notice(field(&query, "done")),
        evaluation,
        months,
        offerings: offerings
            .into_iter()
            .map(|stored| OfferingRow::new(stored, &submissions))
            .collect(),
        submissions,
    };
    Ok(render(StatusCode::OK, &page))
}

/// An offering the new one may duplicate, for the provider to confirm it is distinct.
struct PossibleDuplicate {
    id: String,
    title: String,
}

#[derive(Template)]
#[template(path = "offering_form.html")]
struct OfferingForm {
    asset_version: &'static str,
    heading: String,
    action: String,
    csrf: String,
    idempotency_key: String,
    groups: Vec<ShownGroup>,
    errors: Vec<SummaryLine>,
    duplicates: Vec<PossibleDuplicate>,
}

/// The offering form for one provider: a new offering (no id) or an edit of `offering_id`.
struct FormContext<'a> {
    state: &'a AppState,
    session: &'a Session,
    offering_id: Option<&'a str>,
    /// Sent back with the form, so the same form sent twice is stored once.
    idempotency_key: String,
}

impl FormContext<'_> {
    /// The form with `values`, the problems found by field (then 422) and the offerings it may
    /// duplicate, (id, title).
    async fn show(
        &self,
        values: &FormValues,
        errors: &[FieldError],
        duplicates: Vec<(String, String)>,
    ) -> Result<HttpResponse, PageError> {
        let frameworks = with_store(self.state, move |store| store.frameworks()).await?;
        let page = OfferingForm {
            asset_version: asset_version(),
            heading: match self.offering_id {
                Some(_) => "Edit an offering".into(),
                None => "Submit a new offering".into(),
            },
            action: match self.offering_id {
                Some(id) => format!("/provider/offerings/{id}/edit"),
                None => "/provider/offerings/new".into(),
            },
            csrf: self.session.csrf.clone(),
            idempotency_key: self.idempotency_key.clone(),
            groups: form_view::groups(values, errors, &frameworks),
            errors: form_view::summary(errors),
            duplicates: duplicates
                .into_iter()
                .map(|(id, title)| PossibleDuplicate { id, title })
                .collect(),
        };
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        Ok(render(status, &page))
    }
}

#[route("/provider/offerings/new", method = "GET", method = "HEAD")]
pub async fn new_offering_form(
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let session = accounts::require(&state, &request, Role::Provider).await?;
    let context = FormContext {
        state: &state,
        session: &session,
        offering_id: None,
        idempotency_key: crate::store::random_token(),
    };
    context.show(&FormValues::default(), &[], Vec::new()).await
}

/// The provider's own offering, or 404 (another provider's offerings do not exist for them).
async fn own_offering(
    state: &AppState,
    session: &Session,
    id: &str,
) -> Result<Offering, PageError> {
    let lookup = id.to_owned();
    let stored = with_store(state, move |store| store.offering(&lookup)).await?;
    match stored {
        Some(stored) if Some(&stored.offering.provider) == session.user.provider.as_ref() => {
            Ok(stored.offering)
        }
        _ => Err(PageError::NotFound(format!("You have no offering “{id}”."))),
    }
}

/// For a provider's POST about one of their offerings: the session, once the form's token is
/// checked, and the offering.
pub(crate) async fn own_offering_posted(
    state: &AppState,
    request: &HttpRequest,
    id: &str,
    form: &[(String, String)],
) -> Result<(Session, Offering), PageError> {
    let session = accounts::require(state, request, Role::Provider).await?;
    accounts::check_csrf(&session, form)?;
    let offering = own_offering(state, &session, id).await?;
    Ok((session, offering))
}

/// For a provider's page about one of their offerings: the session and the offering.
pub(crate) async fn own_offering_shown(
    state: &AppState,
    request: &HttpRequest,
    id: &str,
) -> Result<(Session, Offering), PageError> {
    let session = accounts::require(state, request, Role::Provider).await?;
    let offering = own_offering(state, &session, id).await?;
    Ok((session, offering))
}

#[route("/provider/offerings/{id}/edit", method = "GET", method = "HEAD")]
pub async fn edit_offering_form(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let (session, offering) = own_offering_shown(&state, &request, &id).await?;
    let context = FormContext {
        state: &state,
        session: &session,
        offering_id: Some(&id),
        idempotency_key: crate::store::random_token(),
    };
    context
        .show(&FormValues::of_offering(&offering), &[], Vec::new())
        .await
}

/// Back to the provider's page, saying what was done.
fn back_home(done: &str) -> HttpResponse {
    see_other(&format!("/provider?done={done}")).finish()
}

/// Whether a form with this idempotency key was stored already (a double click, a reload).
async fn already_submitted(state: &AppState, key: &str) -> Result<bool, PageError> {
    if key.is_empty() {
        return Ok(false);
    }
    let lookup = key.to_owned();
    let found = with_store(state, move |store| store.submission_by_key(&lookup)).await?;
    Ok(found.is_some())
}

/// A new offering's id: the one entered, or one derived from the title that no offering has.
async fn new_id(state: &AppState, values: &FormValues) -> Result<String, PageError> {
    let entered = values.get("id").trim();
    if !entered.is_empty() {
        return Ok(entered.to_owned());
    }
    let base = crate::catalog::slugify(values.get("title"), 60);
    with_store(state, move |store| store.unused_offering_id(&base)).await
}

/// Offerings in the catalog this one may duplicate, (id, title): shown to the provider unless
/// they confirmed it is distinct, and kept with the submission for the reviewer either way.
async fn possible_duplicates(
    state: &AppState,
    offering: &Offering,
) -> Result<Vec<(String, String)>, PageError> {
    let candidate = offering.clone();
    with_store(state, move |store| store.possible_duplicates(&candidate)).await
}

/// Where an offering's id comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Id {
    /// An edit's: the offering's own.
    Fixed,
    /// A new offering's, as the provider entered it.
    Entered,
    /// A new offering's, made from its title.
    Derived,
}

/// The offering the form describes, or every problem with it: the form's own (a missing title,
/// a cost that is no number, a start in the past) and the catalog's (references, lengths, the
/// order of start and end), in one round.
async fn read_offering(
    state: &AppState,
    values: &FormValues,
    id: Id,
    provider: &str,
) -> Result<Result<Offering, Vec<FieldError>>, PageError> {
    let new = id != Id::Fixed;
    let checked = form_check::check(values, new, chrono::Utc::now());
    let offering = match checked.values.to_offering() {
        Ok(offering) => offering,
        // The form's reading leaves the table nothing to refuse; should it, say what it says.
        Err(shape) => return Ok(Err(form_check::merge(checked.problems, shape, false))),
    };
    let (candidate, owner) = (offering.clone(), provider.to_owned());
    let catalog = with_store(state, move |store| store.check_offering(&candidate, &owner)).await?;
    let problems = form_check::merge(checked.problems, catalog, id == Id::Derived);
    Ok(if problems.is_empty() {
        Ok(offering)
    } else {
        Err(problems)
    })
}

/// A new offering or an edit (`fixed_id`) from the form: stored for review, or the form again
/// with its problems or possible duplicates.
async fn submit(
    state: &AppState,
    session: &Session,
    form: &[(String, String)],
    fixed_id: Option<String>,
) -> Result<HttpResponse, PageError> {
    accounts::check_csrf(session, form)?;
    let key = field(form, "idempotency_key").to_owned();
    if already_submitted(state, &key).await? {
        return Ok(back_home("submitted"));
    }
    let provider = session.user.provider.clone().unwrap_or_default();
    let mut values = FormValues::submitted(form);
    values.set("provider", provider.clone());
    let origin = match (&fixed_id, values.get("id").trim().is_empty()) {
        (Some(_), _) => Id::Fixed,
        (None, false) => Id::Entered,
        (None, true) => Id::Derived,
    };
    // Shown again as entered: a derived id is not the provider's to see or keep.
    let entered = values.clone();
    let id = match &fixed_id {
        Some(id) => id.clone(),
        None => new_id(state, &values).await?,
    };
    values.set("id", id);
    let context = FormContext {
        state,
        session,
        offering_id: fixed_id.as_deref(),
        idempotency_key: key.clone(),
    };
    let offering = match read_offering(state, &values, origin, &provider).await? {
        Ok(offering) => offering,
        Err(errors) => return context.show(&entered, &errors, Vec::new()).await,
    };
    let duplicates = possible_duplicates(state, &offering).await?;
    if !duplicates.is_empty() && field(form, "confirm_distinct") != "yes" {
        // The same form sent twice at once: the duplicate may be its twin, stored (with this
        // key, in the same transaction) since the first look.
        if already_submitted(state, &key).await? {
            return Ok(back_home("submitted"));
        }
        return context.show(&entered, &[], duplicates).await;
    }
    let (store, actor) = (state.store.clone(), session.user.email.clone());
    let submitted = web::block(move || {
        let key = (!key.is_empty()).then_some(key.as_str());
        store.submit(&offering, &provider, &actor, key)
    })
    .await?;
    match submitted {
        Ok(_) => Ok(back_home("submitted")),
        Err(StoreError::InvalidOffering(errors)) => {
            context.show(&entered, &errors, Vec::new()).await
        }
        Err(error) => Err(error.into()),
    }
}

#[route("/provider/offerings/new", method = "POST")]
pub async fn submit_new(
    state: web::Data<AppState>,
    request: HttpRequest,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let session = accounts::require(&state, &request, Role::Provider).await?;
    submit(&state, &session, &form, None).await
}

#[route("/provider/offerings/{id}/edit", method = "POST")]
pub async fn submit_edit(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let (session, offering) = own_offering_posted(&state, &request, &id, &form).await?;
    submit(&state, &session, &form, Some(offering.id)).await
}

#[derive(Template)]
#[template(path = "provider_profile.html")]
struct ProfilePage {
    asset_version: &'static str,
    csrf: String,
    errors: Vec<FieldError>,
    name: String,
    description: String,
    website: String,
    email: String,
    region: String,
    country: String,
}

impl ProfilePage {
    fn new(session: &Session, provider: &Provider, errors: Vec<FieldError>) -> Self {
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        ProfilePage {
            asset_version: asset_version(),
            csrf: session.csrf.clone(),
            errors,
            name: provider.name.clone(),
            description: text(&provider.description),
            website: text(&provider.website),
            email: text(&provider.email),
            region: text(&provider.region),
            country: text(&provider.country),
        }
    }
}

/// The signed-in provider's own organisation.
async fn own_provider(state: &AppState, session: &Session) -> Result<Provider, PageError> {
    let id = session.user.provider.clone().unwrap_or_default();
    with_store(state, move |store| store.provider(&id))
        .await?
        .ok_or_else(|| PageError::NotFound("Your organisation is not listed.".into()))
}

#[route("/provider/profile", method = "GET", method = "HEAD")]
pub async fn profile_form(
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let session = accounts::require(&state, &request, Role::Provider).await?;
    let provider = own_provider(&state, &session).await?;
    Ok(render(
        StatusCode::OK,
        &ProfilePage::new(&session, &provider, Vec::new()),
    ))
}

/// The profile as entered, over the provider's current one (its id and kind stay).
fn entered_profile(form: &[(String, String)], current: Provider) -> Provider {
    let optional = |name: &str| Some(field(form, name).trim().to_owned()).filter(|v| !v.is_empty());
    Provider {
        name: field(form, "name").trim().to_owned(),
        description: optional("description"),
        website: optional("website"),
        email: optional("email"),
        region: optional("region"),
        country: optional("country"),
        ..current
    }
}

#[route("/provider/profile", method = "POST")]
pub async fn save_profile(
    state: web::Data<AppState>,
    request: HttpRequest,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let session = accounts::require(&state, &request, Role::Provider).await?;
    accounts::check_csrf(&session, &form)?;
    let current = own_provider(&state, &session).await?;
    let updated = entered_profile(&form, current);
    let store = state.store.clone();
    let (candidate, actor) = (updated.clone(), session.user.email.clone());
    match web::block(move || store.update_provider(&candidate, &actor)).await? {
        Ok(()) => Ok(back_home("profile")),
        Err(StoreError::InvalidOffering(errors)) => Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ProfilePage::new(&session, &updated, errors),
        )),
        Err(error) => Err(error.into()),
    }
}
