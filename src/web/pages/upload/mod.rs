//! `/provider/upload`: many offerings at once from a JSON, JSON Lines or CSV file. Every row is
//! checked and every problem reported by line; nothing is stored unless every row is valid.
//! Rows without an id get one from their title, as the form does; rows that change published
//! offerings are shown with their changes and wait for the provider to confirm them; the same
//! file sent again while its rows wait for review stores nothing.

mod file;

use super::edit_diff::{self, Change};
use super::{asset_version, render, with_store};
use crate::catalog::{Offering, slugify};
use crate::formats::table;
use crate::store::{Role, Store, StoreError, Uploaded};
use crate::web::accounts::{self, Session};
use crate::web::{AppState, PageError, views};
use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, route, web};
use askama::Template;
use file::{Problems, Rows, UploadForm};
use std::collections::HashSet;

/// A row that changes a published offering, shown before it is submitted.
pub struct EditRow {
    pub place: String,
    pub title: String,
    pub changes: Vec<Change>,
}

/// The file, sent back by the confirmation page.
pub struct Resend {
    pub name: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "upload.html")]
struct UploadPage {
    asset_version: &'static str,
    csrf: String,
    summary: Option<String>,
    /// (place, problems)
    rows: Problems,
    edits: Vec<EditRow>,
    resend: Option<Resend>,
}

/// What an upload came to.
enum Outcome {
    Problems(Problems),
    /// Rows that edit published offerings, not confirmed yet.
    Confirm(Vec<EditRow>),
    Stored(Uploaded),
}

fn page(
    session: &Session,
    status: StatusCode,
    summary: Option<String>,
    rows: Problems,
) -> HttpResponse {
    render(
        status,
        &UploadPage {
            asset_version: asset_version(),
            csrf: session.csrf.clone(),
            summary,
            rows,
            edits: Vec::new(),
            resend: None,
        },
    )
}

#[route("/provider/upload", method = "GET", method = "HEAD")]
pub async fn upload_form(
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let session = accounts::require(&state, &request, Role::Provider).await?;
    Ok(page(&session, StatusCode::OK, None, Vec::new()))
}

#[route("/provider/upload/template.csv", method = "GET", method = "HEAD")]
pub async fn template() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8; header=present")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"offerings-template.csv\"",
        ))
        .body(table::template())
}

#[route("/provider/upload", method = "POST")]
pub async fn upload(
    state: web::Data<AppState>,
    request: HttpRequest,
    payload: Multipart,
) -> Result<HttpResponse, PageError> {
    let session = accounts::require(&state, &request, Role::Provider).await?;
    let form = file::read_form(payload).await?;
    accounts::check_csrf(&session, &[("csrf".to_owned(), form.csrf.clone())])?;
    let provider = session.user.provider.clone().unwrap_or_default();
    let rows = match readable_rows(&form) {
        Ok(rows) => rows,
        Err((summary, problems)) => {
            return Ok(page(
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(summary),
                problems,
            ));
        }
    };
    let key = form.key(&provider);
    let (actor, confirmed) = (session.user.email.clone(), form.edits_confirmed);
    let outcome = match with_store(&state, move |store| {
        check_and_submit(store, rows, &provider, &actor, &key, confirmed)
    })
    .await
    {
        Err(PageError::Conflict(message)) => {
            let summary = format!("Nothing was stored: {}.", message.trim_end_matches('.'));
            return Ok(page(
                &session,
                StatusCode::CONFLICT,
                Some(summary),
                Vec::new(),
            ));
        }
        other => other?,
    };
    Ok(answer(&session, &form, outcome))
}

/// The rows of the form's file; or a summary and the problems of the rows that cannot be read.
fn readable_rows(form: &UploadForm) -> Result<Rows, (String, Problems)> {
    let rows = file::parse(&form.name, &form.text).map_err(|problems| {
        let summary = format!(
            "{} could not be read; nothing was stored.",
            views::count(problems.len(), "row", "rows")
        );
        (summary, problems)
    })?;
    if rows.offerings.is_empty() {
        return Err(("The file holds no offerings.".into(), Vec::new()));
    }
    if let Some(index) = rows
        .offerings
        .iter()
        .position(|o| o.id == table::EXAMPLE_ID)
    {
        let problem = "this is the template's example row: replace it with an offering of yours, or delete it";
        return Err((
            "The file still holds the template's example; nothing was stored.".into(),
            vec![(rows.places[index].clone(), vec![problem.into()])],
        ));
    }
    Ok(rows)
}

/// Gives the rows their provider and ids, checks them, and submits them unless they have
/// problems or edits the provider has not confirmed.
fn check_and_submit(
    store: &Store,
    mut rows: Rows,
    provider: &str,
    actor: &str,
    key: &str,
    edits_confirmed: bool,
) -> Result<Outcome, StoreError> {
    for offering in rows.offerings.iter_mut().filter(|o| o.provider.is_empty()) {
        // Rows may leave the provider out: it is the uploader's.
        offering.provider = provider.to_owned();
    }
    give_ids(store, &mut rows.offerings)?;
    let problems = store.check_upload(&rows.offerings, provider)?;
    if !problems.is_empty() {
        return Ok(Outcome::Problems(
            problems
                .into_iter()
                .map(|(row, errors)| {
                    let messages = errors.iter().map(ToString::to_string).collect();
                    (rows.place(row), messages)
                })
                .collect(),
        ));
    }
    if !edits_confirmed {
        let edits = edits_of_published(store, &rows)?;
        if !edits.is_empty() {
            return Ok(Outcome::Confirm(edits));
        }
    }
    match store.submit_upload(&rows.offerings, provider, actor, Some(key)) {
        Ok(uploaded) => Ok(Outcome::Stored(uploaded)),
        // A row refused for what it says; a fault of the database is not the row's.
        Err(StoreError::Batch(row, error)) if !error.is_unavailable() => Ok(Outcome::Problems(
            vec![(rows.place(row), vec![error.to_string()])],
        )),
        Err(error) => Err(error),
    }
}

/// Rows without an id take one made from their title, unused in the catalog and the file.
fn give_ids(store: &Store, offerings: &mut [Offering]) -> Result<(), StoreError> {
    let mut in_file: HashSet<String> = offerings
        .iter()
        .filter(|o| !o.id.is_empty())
        .map(|o| o.id.clone())
        .collect();
    for offering in offerings.iter_mut().filter(|o| o.id.is_empty()) {
        let base = slugify(&offering.title, 60);
        if base.is_empty() {
            continue; // No title either: validation names both.
        }
        offering.id = store.unused_offering_id_besides(&base, &in_file)?;
        in_file.insert(offering.id.clone());
    }
    Ok(())
}

/// The rows that change a published offering, with what they change.
fn edits_of_published(store: &Store, rows: &Rows) -> Result<Vec<EditRow>, StoreError> {
    let ids: Vec<String> = rows.offerings.iter().map(|o| o.id.clone()).collect();
    let published = store.published_by_ids(&ids)?;
    Ok(rows
        .offerings
        .iter()
        .zip(&rows.places)
        .filter_map(|(offering, place)| {
            let current = published.iter().find(|p| p.offering.id == offering.id)?;
            Some(EditRow {
                place: place.clone(),
                title: offering.title.clone(),
                changes: edit_diff::changes(&current.offering, offering),
            })
        })
        .collect())
}

fn answer(session: &Session, form: &UploadForm, outcome: Outcome) -> HttpResponse {
    match outcome {
        Outcome::Stored(Uploaded::Submitted(count)) => {
            let summary = format!(
                "All {} submitted for review.",
                views::count(count, "offering was", "offerings were")
            );
            page(session, StatusCode::OK, Some(summary), Vec::new())
        }
        Outcome::Stored(Uploaded::Waiting(count)) => {
            let summary = format!(
                "This file was uploaded already: its {} for review. Nothing new was stored.",
                views::count(count, "offering waits", "offerings wait")
            );
            page(session, StatusCode::OK, Some(summary), Vec::new())
        }
        Outcome::Problems(rows) => {
            let summary = format!(
                "{} problems; nothing was stored.",
                views::count(rows.len(), "row has", "rows have")
            );
            page(
                session,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(summary),
                rows,
            )
        }
        Outcome::Confirm(edits) => {
            let summary = format!(
                "{} already published: check the changes, then submit the file for review. \
                 Nothing is stored yet.",
                views::count(
                    edits.len(),
                    "row changes an offering",
                    "rows change offerings"
                )
            );
            render(
                StatusCode::OK,
                &UploadPage {
                    asset_version: asset_version(),
                    csrf: session.csrf.clone(),
                    summary: Some(summary),
                    rows: Vec::new(),
                    edits,
                    resend: Some(Resend {
                        name: form.name.clone(),
                        text: form.text.clone(),
                    }),
                },
            )
        }
    }
}
