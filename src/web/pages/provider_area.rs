//! `/provider`: a provider's offerings and submissions, and the form for a new offering or an
//! edit. Fields are named after the schema's (`title`, `location.city`, …); every error shows
//! next to its field and in a summary at the top, and every entered value is kept.

use super::{asset_version, render, with_store};
use crate::catalog::{Audience, CreditUnit, FieldError, Format, Level, Offering, Provider};
use crate::formats::table;
use crate::store::{Role, StoreError};
use crate::web::accounts::{self, Session, field};
use crate::web::{AppState, PageError};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, route, web};
use askama::Template;

#[derive(Template)]
#[template(path = "provider_home.html")]
struct ProviderHome {
    asset_version: &'static str,
    provider_name: String,
    email: String,
    csrf: String,
    notice: Option<String>,
    /// (title, kind, status, reason)
    submissions: Vec<(String, String, String, String)>,
    /// (id, title, status)
    offerings: Vec<(String, String, String)>,
}

#[route("/provider", method = "GET", method = "HEAD")]
pub async fn provider_home(
    state: web::Data<AppState>,
    request: HttpRequest,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let session = accounts::require(&state, &request, Role::Provider).await?;
    let provider = session.user.provider.clone().unwrap_or_default();
    let store = state.store.clone();
    let (offerings, submissions, name) = web::block(move || -> Result<_, StoreError> {
        let name = store
            .providers()?
            .into_iter()
            .find(|p| p.id == provider)
            .map_or(provider.clone(), |p| p.name);
        Ok((
            store.offerings_of(&provider)?,
            store.submissions_of(&provider)?,
            name,
        ))
    })
    .await?
    .map_err(PageError::from)?;
    let page = ProviderHome {
        asset_version: asset_version(),
        provider_name: name,
        email: session.user.email.clone(),
        csrf: session.csrf.clone(),
        notice: match field(&query, "done") {
            "submitted" => Some("Submitted: an administrator will review it.".into()),
            "withdrawn" => Some("Withdrawn: it has left the catalog.".into()),
            "profile" => Some("Your organisation's profile is saved.".into()),
            _ => None,
        },
        submissions: submissions
            .into_iter()
            .map(|s| {
                (
                    s.offering.title,
                    s.kind,
                    s.status,
                    s.reason.unwrap_or_default(),
                )
            })
            .collect(),
        offerings: offerings
            .into_iter()
            .map(|s| (s.offering.id, s.offering.title, s.status.label().to_owned()))
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

/// One field of the form.
pub struct FormField {
    pub name: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    /// An input type (`text`, `url`, `number`, `date`), or `textarea`, `select`, `checkboxes`.
    pub kind: &'static str,
    pub required: bool,
    pub value: String,
    /// (value, label, chosen, depth in a tree)
    pub options: Vec<(String, String, bool, usize)>,
    pub error: Option<String>,
}

pub struct FieldGroup {
    pub title: &'static str,
    pub fields: Vec<FormField>,
}

#[derive(Template)]
#[template(path = "offering_form.html")]
struct OfferingForm {
    asset_version: &'static str,
    heading: String,
    action: String,
    csrf: String,
    idempotency_key: String,
    groups: Vec<FieldGroup>,
    /// (field, message) for the summary.
    errors: Vec<(String, String)>,
    /// Offerings this one may duplicate: (id, title), for the provider to confirm it is distinct.
    duplicates: Vec<(String, String)>,
}

/// The form's fields: (group, name, label, help, kind, required).
const FIELDS: &[(&str, &str, &str, &str, &str, bool)] = &[
    (
        "What it is",
        "title",
        "Title",
        "3 to 200 characters.",
        "text",
        true,
    ),
    (
        "What it is",
        "description",
        "Description",
        "Plain text, at least 20 characters; a blank line starts a paragraph.",
        "textarea",
        true,
    ),
    ("What it is", "format", "Format", "", "select", true),
    ("What it is", "level", "Level", "", "select", true),
    (
        "What it is",
        "audiences",
        "Audiences",
        "Who it is for: choose at least one.",
        "checkboxes",
        true,
    ),
    (
        "What it is",
        "competencies",
        "Competencies it builds",
        "From the three frameworks.",
        "checkboxes",
        false,
    ),
    (
        "What it is",
        "learning_outcomes",
        "Learning outcomes",
        "One a line, each beginning with a verb.",
        "textarea",
        false,
    ),
    (
        "What it is",
        "instructors",
        "Instructors",
        "One a line.",
        "textarea",
        false,
    ),
    (
        "When",
        "start",
        "Start",
        "A day (2027-03-10) or a date-time with offset (2027-03-10T14:00:00-06:00). Required unless self-paced.",
        "text",
        false,
    ),
    (
        "When",
        "end",
        "End",
        "Same forms as the start; not before it.",
        "text",
        false,
    ),
    (
        "When",
        "timezone",
        "Time zone",
        "IANA name, e.g. America/Chicago; offsets must agree with it.",
        "text",
        false,
    ),
    (
        "When",
        "registration_deadline",
        "Registration deadline",
        "",
        "date",
        false,
    ),
    (
        "Where",
        "location.venue",
        "Venue",
        "For in-person, hybrid and conference offerings.",
        "text",
        false,
    ),
    ("Where", "location.city", "City", "", "text", false),
    (
        "Where",
        "location.region",
        "State, province or region",
        "",
        "text",
        false,
    ),
    (
        "Where",
        "location.country",
        "Country",
        "Two letters, e.g. US, CA.",
        "text",
        false,
    ),
    (
        "Cost and credit",
        "cost.amount",
        "Cost",
        "0 for free; leave empty if not stated.",
        "number",
        false,
    ),
    (
        "Cost and credit",
        "cost.currency",
        "Currency",
        "Three letters, e.g. USD.",
        "text",
        false,
    ),
    (
        "Cost and credit",
        "credits.amount",
        "Credits",
        "",
        "number",
        false,
    ),
    (
        "Cost and credit",
        "credits.unit",
        "Credit unit",
        "",
        "select",
        false,
    ),
    (
        "Cost and credit",
        "certifications",
        "Counts toward certifications",
        "Codes separated by ;, e.g. cpla;lssc.",
        "text",
        false,
    ),
    (
        "More",
        "url",
        "Registration page",
        "An http or https address.",
        "url",
        false,
    ),
    (
        "More",
        "language",
        "Language",
        "A language tag; leave empty for English.",
        "text",
        false,
    ),
    (
        "More",
        "series.id",
        "Series id",
        "When this is part of a series.",
        "text",
        false,
    ),
    ("More", "series.title", "Series title", "", "text", false),
    (
        "More",
        "series.position",
        "Part number",
        "",
        "number",
        false,
    ),
    (
        "More",
        "prerequisites",
        "Prerequisites",
        "Ids of offerings to take first, separated by ;.",
        "text",
        false,
    ),
    (
        "More",
        "accessibility",
        "Accessibility",
        "Captioning, materials formats, venue access.",
        "textarea",
        false,
    ),
    (
        "More",
        "id",
        "Id",
        "Leave empty to derive it from the title.",
        "text",
        false,
    ),
];

/// The form's values as they would appear in a CSV row (lists joined as the table expects).
fn values_of(offering: Option<&Offering>) -> Vec<(String, String)> {
    let Some(offering) = offering else {
        return Vec::new();
    };
    table::cells(offering)
        .into_iter()
        .map(|(column, value)| (column.to_owned(), value))
        .collect()
}

/// A submitted form's values, with multiple choices joined by `;`.
fn form_values(form: &[(String, String)]) -> Vec<(String, String)> {
    let mut values: Vec<(String, String)> = Vec::new();
    for (name, value) in form {
        match values.iter_mut().find(|(n, _)| n == name) {
            Some((_, existing)) if matches!(name.as_str(), "audiences" | "competencies") => {
                existing.push(';');
                existing.push_str(value);
            }
            Some(_) => {}
            None => values.push((name.clone(), value.clone())),
        }
    }
    values
}

/// The choices of a select or checkbox field: (value, label, chosen, depth in a tree).
fn options(
    name: &str,
    value: &str,
    competencies: &[(String, String, usize)],
) -> Vec<(String, String, bool, usize)> {
    let chosen: Vec<&str> = value.split(';').collect();
    let flat = |values: Vec<(&str, &str)>| {
        values
            .into_iter()
            .map(|(v, l)| (v.to_owned(), l.to_owned(), 0))
            .collect()
    };
    let list: Vec<(String, String, usize)> = match name {
        "format" => flat(
            Format::ALL
                .iter()
                .map(|v| (v.as_str(), v.label()))
                .collect(),
        ),
        "level" => flat(Level::ALL.iter().map(|v| (v.as_str(), v.label())).collect()),
        "audiences" => flat(
            Audience::ALL
                .iter()
                .map(|v| (v.as_str(), v.label()))
                .collect(),
        ),
        "credits.unit" => flat(
            CreditUnit::ALL
                .iter()
                .map(|v| (v.as_str(), v.label()))
                .collect(),
        ),
        "competencies" => competencies.to_vec(),
        _ => Vec::new(),
    };
    list.into_iter()
        .map(|(v, l, depth)| {
            let on = chosen.contains(&v.as_str());
            (v, l, on, depth)
        })
        .collect()
}

fn build_form(
    values: &[(String, String)],
    errors: &[FieldError],
    competencies: &[(String, String, usize)],
) -> (Vec<FieldGroup>, Vec<(String, String)>) {
    let mut groups: Vec<FieldGroup> = Vec::new();
    for (group, name, label, help, kind, required) in FIELDS {
        let value = values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let error = errors
            .iter()
            .filter(|e| {
                e.field == *name
                    || e.field.starts_with(&format!("{name}["))
                    || (e.field == "location" && name.starts_with("location."))
            })
            .map(|e| e.message.clone())
            .next();
        let field = FormField {
            name,
            label,
            help,
            kind,
            required: *required,
            options: options(name, &value, competencies),
            value,
            error,
        };
        match groups.last_mut() {
            Some(last) if last.title == *group => last.fields.push(field),
            _ => groups.push(FieldGroup {
                title: group,
                fields: vec![field],
            }),
        }
    }
    let summary = errors
        .iter()
        .map(|e| {
            let anchor = FIELDS
                .iter()
                .map(|f| f.1)
                .find(|n| e.field == *n || e.field.starts_with(&format!("{n}[")))
                .unwrap_or("title");
            (anchor.to_owned(), e.to_string())
        })
        .collect();
    (groups, summary)
}

/// Every competency of every framework, in tree order: (value, label, depth).
async fn competency_options(state: &AppState) -> Result<Vec<(String, String, usize)>, PageError> {
    let frameworks = with_store(state, move |store| store.frameworks()).await?;
    let mut options = Vec::new();
    for framework in &frameworks.frameworks {
        let mut depths: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for flat in framework.flatten() {
            let depth = flat
                .parent
                .and_then(|parent| depths.get(parent))
                .map_or(0, |d| d + 1);
            depths.insert(&flat.competency.code, depth);
            let label = format!(
                "{} {} ({})",
                flat.competency.code, flat.competency.title, framework.id
            );
            options.push((
                format!("{}:{}", framework.id, flat.competency.code),
                label,
                depth,
            ));
        }
    }
    Ok(options)
}

/// What the form shows besides its values.
#[derive(Default)]
struct Findings<'a> {
    errors: &'a [FieldError],
    duplicates: Vec<(String, String)>,
}

async fn form_page(
    state: &AppState,
    session: &Session,
    offering_id: Option<&str>,
    values: &[(String, String)],
    findings: Findings<'_>,
    idempotency_key: String,
) -> Result<HttpResponse, PageError> {
    let errors = findings.errors;
    let competencies = competency_options(state).await?;
    let (groups, summary) = build_form(values, errors, &competencies);
    let page = OfferingForm {
        asset_version: asset_version(),
        heading: if offering_id.is_some() {
            "Edit an offering".into()
        } else {
            "Submit a new offering".into()
        },
        action: match offering_id {
            Some(id) => format!("/provider/offerings/{id}/edit"),
            None => "/provider/offerings/new".into(),
        },
        csrf: session.csrf.clone(),
        idempotency_key,
        groups,
        errors: summary,
        duplicates: findings.duplicates,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(status, &page))
}

#[route("/provider/offerings/new", method = "GET", method = "HEAD")]
pub async fn new_offering_form(
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let session = accounts::require(&state, &request, Role::Provider).await?;
    form_page(
        &state,
        &session,
        None,
        &[],
        Findings::default(),
        crate::store::random_token(),
    )
    .await
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

#[route("/provider/offerings/{id}/edit", method = "GET", method = "HEAD")]
pub async fn edit_offering_form(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let session = accounts::require(&state, &request, Role::Provider).await?;
    let offering = own_offering(&state, &session, &id).await?;
    form_page(
        &state,
        &session,
        Some(&id),
        &values_of(Some(&offering)),
        Findings::default(),
        crate::store::random_token(),
    )
    .await
}

async fn submit(
    state: &AppState,
    session: &Session,
    form: &[(String, String)],
    fixed_id: Option<String>,
) -> Result<HttpResponse, PageError> {
    accounts::check_csrf(session, form)?;
    // The same form sent again (a double click, a reload): it was stored once already.
    let key = field(form, "idempotency_key").to_owned();
    if !key.is_empty() {
        let lookup = key.clone();
        if with_store(state, move |store| store.submission_by_key(&lookup))
            .await?
            .is_some()
        {
            return Ok(HttpResponse::SeeOther()
                .insert_header(("Location", "/provider?done=submitted"))
                .finish());
        }
    }
    let provider = session.user.provider.clone().unwrap_or_default();
    let mut values = form_values(form);
    values.retain(|(name, _)| name != "csrf");
    let set = |values: &mut Vec<(String, String)>, name: &str, value: String| {
        values.retain(|(n, _)| n != name);
        values.push((name.to_owned(), value));
    };
    set(&mut values, "provider", provider.clone());
    let store = state.store.clone();
    let id = match fixed_id.clone() {
        Some(id) => id,
        None if !field(form, "id").trim().is_empty() => field(form, "id").trim().to_owned(),
        None => {
            // Derived from the title, made unique in the catalog.
            let base = crate::catalog::slugify(field(form, "title"), 60);
            let lookup = store.clone();
            web::block(move || -> Result<String, StoreError> {
                let mut candidate = base.clone();
                let mut n = 2;
                while lookup.offering(&candidate)?.is_some() {
                    candidate = format!("{base}-{n}");
                    n += 1;
                }
                Ok(candidate)
            })
            .await?
            .map_err(PageError::from)?
        }
    };
    set(&mut values, "id", id.clone());
    let cell = |name: &str| {
        values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let offering = match table::from_cells(&cell) {
        Ok(offering) => offering,
        Err(problems) => {
            let errors: Vec<FieldError> = problems
                .into_iter()
                .map(|(field, message)| FieldError { field, message })
                .collect();
            return form_page(
                state,
                session,
                fixed_id.as_deref(),
                &values,
                Findings {
                    errors: &errors,
                    ..Findings::default()
                },
                field(form, "idempotency_key").to_owned(),
            )
            .await;
        }
    };
    if field(form, "confirm_distinct") != "yes" {
        let candidate = offering.clone();
        let duplicates =
            with_store(state, move |store| store.possible_duplicates(&candidate)).await?;
        if !duplicates.is_empty() {
            let findings = Findings {
                duplicates,
                ..Findings::default()
            };
            return form_page(state, session, fixed_id.as_deref(), &values, findings, key).await;
        }
    }
    let actor = session.user.email.clone();
    let submitted = {
        let key = key.clone();
        web::block(move || {
            store.submit(
                &offering,
                &provider,
                &actor,
                (!key.is_empty()).then_some(key.as_str()),
            )
        })
        .await?
    };
    match submitted {
        Ok(_) => Ok(HttpResponse::SeeOther()
            .insert_header(("Location", "/provider?done=submitted"))
            .finish()),
        Err(StoreError::InvalidOffering(errors)) => {
            let findings = Findings {
                errors: &errors,
                ..Findings::default()
            };
            form_page(state, session, fixed_id.as_deref(), &values, findings, key).await
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
    let session = accounts::require(&state, &request, Role::Provider).await?;
    accounts::check_csrf(&session, &form)?;
    own_offering(&state, &session, &id).await?;
    submit(&state, &session, &form, Some(id.into_inner())).await
}

#[route("/provider/offerings/{id}/withdraw", method = "POST")]
pub async fn withdraw(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let session = accounts::require(&state, &request, Role::Provider).await?;
    accounts::check_csrf(&session, &form)?;
    let offering = own_offering(&state, &session, &id).await?;
    let (provider, actor) = (session.user.provider.clone(), session.user.email.clone());
    with_store(&state, move |store| {
        store.withdraw(&offering.id, provider.as_deref(), &actor)
    })
    .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", "/provider?done=withdrawn"))
        .finish())
}

#[derive(Template)]
#[template(path = "provider_profile.html")]
struct ProfilePage {
    asset_version: &'static str,
    csrf: String,
    errors: Vec<(String, String)>,
    name: String,
    description: String,
    website: String,
    email: String,
    region: String,
    country: String,
}

impl ProfilePage {
    fn new(session: &Session, provider: &Provider, errors: Vec<(String, String)>) -> Self {
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
    let all = with_store(state, |store| store.providers()).await?;
    all.into_iter()
        .find(|p| p.id == id)
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

#[route("/provider/profile", method = "POST")]
pub async fn save_profile(
    state: web::Data<AppState>,
    request: HttpRequest,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let session = accounts::require(&state, &request, Role::Provider).await?;
    accounts::check_csrf(&session, &form)?;
    let current = own_provider(&state, &session).await?;
    let optional =
        |name: &str| Some(field(&form, name).trim().to_owned()).filter(|v| !v.is_empty());
    let updated = Provider {
        name: field(&form, "name").trim().to_owned(),
        description: optional("description"),
        website: optional("website"),
        email: optional("email"),
        region: optional("region"),
        country: optional("country"),
        ..current
    };
    let store = state.store.clone();
    let (candidate, actor) = (updated.clone(), session.user.email.clone());
    match web::block(move || store.update_provider(&candidate, &actor)).await? {
        Ok(()) => Ok(HttpResponse::SeeOther()
            .insert_header(("Location", "/provider?done=profile"))
            .finish()),
        Err(StoreError::InvalidOffering(errors)) => {
            let errors = errors.into_iter().map(|e| (e.field, e.message)).collect();
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ProfilePage::new(&session, &updated, errors),
            ))
        }
        Err(error) => Err(error.into()),
    }
}
