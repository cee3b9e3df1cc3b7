//! `/provider/upload`: many offerings at once from a JSON, JSON Lines or CSV file. Every row is
//! checked and reported; nothing is stored unless every row is valid.

use super::{asset_version, render};
use crate::bundle::{BundleText, OFFERINGS_FILE, OFFERINGS_LINES_FILE};
use crate::catalog::Offering;
use crate::formats::table;
use crate::store::{Role, StoreError};
use crate::web::accounts::{self, Session};
use crate::web::{AppState, PageError, views};
use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, route, web};
use askama::Template;
use futures_util::TryStreamExt;

/// Problems by row: (row, messages).
type RowProblems = Vec<(usize, Vec<String>)>;

/// The largest file accepted.
const MAX_UPLOAD: usize = 5 * 1024 * 1024;

#[derive(Template)]
#[template(path = "upload.html")]
struct UploadPage {
    asset_version: &'static str,
    csrf: String,
    summary: Option<String>,
    /// (row, problems)
    rows: Vec<(String, Vec<String>)>,
}

fn page(
    session: &Session,
    status: StatusCode,
    summary: Option<String>,
    rows: Vec<(String, Vec<String>)>,
) -> HttpResponse {
    render(
        status,
        &UploadPage {
            asset_version: asset_version(),
            csrf: session.csrf.clone(),
            summary,
            rows,
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
        .body(table::write(&[]))
}

/// The file's name and text, and the form's CSRF token.
async fn read_form(mut payload: Multipart) -> Result<(String, String, String), PageError> {
    let (mut name, mut bytes, mut csrf) = (String::new(), Vec::new(), Vec::new());
    while let Some(mut part) = payload
        .try_next()
        .await
        .map_err(|e| PageError::Forbidden(format!("the upload could not be read: {e}")))?
    {
        let field = part.name().unwrap_or_default().to_owned();
        if field == "file" {
            name = part
                .content_disposition()
                .and_then(|d| d.get_filename())
                .unwrap_or_default()
                .to_owned();
        }
        while let Some(chunk) = part
            .try_next()
            .await
            .map_err(|e| PageError::Forbidden(format!("the upload could not be read: {e}")))?
        {
            let target = if field == "file" {
                &mut bytes
            } else if field == "csrf" {
                &mut csrf
            } else {
                continue;
            };
            target.extend_from_slice(&chunk);
            if target.len() > MAX_UPLOAD {
                return Err(PageError::TooLarge(
                    "The file is larger than 5 MB: split it into smaller uploads.".into(),
                ));
            }
        }
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| PageError::Unprocessable("The file is not UTF-8 text.".into()))?;
    Ok((name, text, String::from_utf8_lossy(&csrf).into_owned()))
}

/// The rows of an upload, or the problems of those that could not be read.
fn parse(name: &str, text: &str, provider: &str) -> (Vec<Offering>, Vec<(String, Vec<String>)>) {
    let trimmed = text.trim_start();
    if name.ends_with(".csv") || !(trimmed.starts_with('[') || trimmed.starts_with('{')) {
        return match table::read(text) {
            Ok(mut offerings) => {
                // Rows may leave the provider out: it is the uploader's.
                for offering in offerings.iter_mut().filter(|o| o.provider.is_empty()) {
                    offering.provider = provider.to_owned();
                }
                (offerings, Vec::new())
            }
            Err(problems) => (
                Vec::new(),
                problems
                    .into_iter()
                    .map(|p| {
                        (
                            format!("line {}", p.line),
                            vec![format!("{}: {}", p.column, p.message)],
                        )
                    })
                    .collect(),
            ),
        };
    }
    let file = if trimmed.starts_with('[') {
        OFFERINGS_FILE
    } else {
        OFFERINGS_LINES_FILE
    };
    let parsed = BundleText {
        offerings: Some((file, text.to_owned())),
        ..BundleText::default()
    }
    .parse_all();
    let problems = parsed
        .problems
        .into_iter()
        .map(|p| (p.item.unwrap_or_else(|| "file".into()), vec![p.message]))
        .collect();
    (parsed.bundle.offerings, problems)
}

#[route("/provider/upload", method = "POST")]
pub async fn upload(
    state: web::Data<AppState>,
    request: HttpRequest,
    payload: Multipart,
) -> Result<HttpResponse, PageError> {
    let session = accounts::require(&state, &request, Role::Provider).await?;
    let (name, text, csrf) = read_form(payload).await?;
    accounts::check_csrf(&session, &[("csrf".to_owned(), csrf)])?;
    let provider = session.user.provider.clone().unwrap_or_default();
    let (offerings, unreadable) = parse(&name, &text, &provider);
    if !unreadable.is_empty() {
        let summary = format!(
            "{} row(s) could not be read; nothing was stored.",
            unreadable.len()
        );
        return Ok(page(
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(summary),
            unreadable,
        ));
    }
    if offerings.is_empty() {
        return Ok(page(
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("The file holds no offerings.".into()),
            Vec::new(),
        ));
    }
    let store = state.store.clone();
    let actor = session.user.email.clone();
    let result = web::block(
        move || -> Result<Result<usize, RowProblems>, crate::store::StoreError> {
            let problems = store.check_upload(&offerings, &provider)?;
            if !problems.is_empty() {
                return Ok(Err(problems
                    .into_iter()
                    .map(|(row, errors)| (row, errors.iter().map(|e| e.to_string()).collect()))
                    .collect()));
            }
            match store.submit_all(&offerings, &provider, &actor) {
                Ok(count) => Ok(Ok(count)),
                // A row refused for what it says; a fault of the database is not the row's.
                Err(StoreError::Batch(row, error)) if !error.is_unavailable() => {
                    Ok(Err(vec![(row, vec![error.to_string()])]))
                }
                Err(error) => Err(error),
            }
        },
    )
    .await?;
    let result = match result {
        Err(full @ StoreError::QueueFull { .. }) => {
            let message = full.to_string();
            return Ok(page(
                &session,
                StatusCode::CONFLICT,
                Some(format!("Nothing was stored: {message}.")),
                Vec::new(),
            ));
        }
        other => other?,
    };
    match result {
        Ok(count) => Ok(page(
            &session,
            StatusCode::OK,
            Some(format!("All {count} offerings were submitted for review.")),
            Vec::new(),
        )),
        Err(rows) => {
            let summary = format!(
                "{} problems; nothing was stored.",
                views::count(rows.len(), "row has", "rows have")
            );
            let rows = rows
                .into_iter()
                .map(|(row, problems)| (format!("row {row}"), problems))
                .collect();
            Ok(page(
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(summary),
                rows,
            ))
        }
    }
}
