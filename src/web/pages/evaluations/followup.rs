//! `/followup/{token}`: the follow-up on impact, 60–90 days after an evaluation, reached only by
//! the private link in its one mail (or mail merge). Two questions, Kirkpatrick's *behaviour* and
//! *results*: did you apply it (yes, partly, no), and what changed for your users. The answer is
//! stored once, against the original response. Like the evaluation form: no account, and the
//! form's own double-submit token.

use super::{Notice, choices, token_shaped};
use crate::participant_evaluations::{Applied, FollowupAnswer, MAX_TEXT};
use crate::store::{FollowupLink, StoreError};
use crate::web::accounts::{self, field};
use crate::web::pages::{asset_version, render, with_store};
use crate::web::{AppState, PageError, see_other};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, route, web};
use askama::Template;

#[derive(Template)]
#[template(path = "followup_form.html")]
struct FollowupPage {
    asset_version: &'static str,
    token: String,
    csrf: String,
    title: String,
    /// (field name, message), in the form's order.
    errors: Vec<(String, String)>,
    /// (value, label, chosen)
    applied: Vec<(String, String, bool)>,
    applied_error: Option<String>,
    changed: String,
    changed_error: Option<String>,
    max_text: usize,
}

fn show(
    state: &AppState,
    status: StatusCode,
    token: &str,
    link: &FollowupLink,
    form: &[(String, String)],
    errors: Vec<(String, String)>,
) -> HttpResponse {
    let (csrf, cookie) = accounts::evaluation_token(state);
    let error_of = |name: &str| {
        errors
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, message)| message.clone())
    };
    let chosen = field(form, "applied");
    let page = FollowupPage {
        asset_version: asset_version(),
        token: token.to_owned(),
        csrf,
        title: link.offering_title.clone(),
        applied: choices::<Applied>(chosen),
        applied_error: error_of("applied"),
        changed: field(form, "changed").to_owned(),
        changed_error: error_of("changed"),
        max_text: MAX_TEXT,
        errors,
    };
    let mut response = render(status, &page);
    let _ = response.add_cookie(&cookie);
    response
}

/// The follow-up's answer, or every problem with it, each naming its field.
fn read(form: &[(String, String)]) -> Result<FollowupAnswer, Vec<(String, String)>> {
    let mut errors = Vec::new();
    let applied = field(form, "applied").parse::<Applied>().map_err(|_| {
        errors.push((
            "applied".to_owned(),
            "Did you apply it: choose yes, partly or no".to_owned(),
        ));
    });
    let changed = field(form, "changed").trim().to_owned();
    if changed.chars().count() > MAX_TEXT {
        errors.push((
            "changed".to_owned(),
            format!("What changed for your users: at most {MAX_TEXT} characters"),
        ));
    }
    match applied {
        Ok(applied) if errors.is_empty() => Ok(FollowupAnswer { applied, changed }),
        _ => Err(errors),
    }
}

fn answered() -> Notice {
    Notice::new(
        "Already answered",
        "This follow-up has been answered already: it takes one answer. Thank you.",
    )
}

/// The follow-up of a token; 404 for any token no follow-up has.
async fn link_of(state: &AppState, token: &str) -> Result<FollowupLink, PageError> {
    let missing = || PageError::NotFound("This follow-up link does not exist.".into());
    if !token_shaped(token) {
        return Err(missing());
    }
    let lookup = token.to_owned();
    with_store(state, move |store| store.followup_link(&lookup))
        .await?
        .ok_or_else(missing)
}

#[route("/followup/thanks", method = "GET", method = "HEAD")]
pub async fn followup_thanks() -> HttpResponse {
    Notice::new(
        "Thank you",
        "Your follow-up is saved with your earlier answer. The catalog shows only shares of many answers, never your words.",
    )
    .render(StatusCode::OK)
}

#[route("/followup/{token}", method = "GET", method = "HEAD")]
pub async fn followup_form(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let link = link_of(&state, &token).await?;
    if link.answered {
        return Ok(answered().render(StatusCode::GONE));
    }
    Ok(show(&state, StatusCode::OK, &token, &link, &[], Vec::new()))
}

#[route("/followup/{token}", method = "POST")]
pub async fn send_followup(
    state: web::Data<AppState>,
    request: HttpRequest,
    token: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let token = token.into_inner();
    let link = link_of(&state, &token).await?;
    if link.answered {
        return Ok(answered().render(StatusCode::GONE));
    }
    if !accounts::evaluation_token_ok(&state, &request, &form) {
        return Err(PageError::Forbidden(
            "This form has expired. Reload the page and answer again.".into(),
        ));
    }
    let answer = match read(&form) {
        Ok(answer) => answer,
        Err(errors) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(show(&state, status, &token, &link, &form, errors));
        }
    };
    let store = state.store.clone();
    match web::block(move || store.answer_followup(&token, &answer)).await? {
        // The offering took a new revision: pages' ETags change once the index has it.
        Ok(()) => Ok(see_other("/followup/thanks").finish()),
        Err(StoreError::Conflict(_)) => Ok(answered().render(StatusCode::GONE)),
        Err(error) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn an_answer_needs_applied_and_names_each_problem() {
        let read_ok = read(&form(&[
            ("applied", "partly"),
            ("changed", " Shorter queues "),
        ]))
        .unwrap();
        assert_eq!(read_ok.applied, Applied::Partly);
        assert_eq!(read_ok.changed, "Shorter queues");
        let long = "x".repeat(MAX_TEXT + 1);
        let problems = read(&form(&[("applied", "maybe"), ("changed", &long)])).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["applied", "changed"]);
    }
}
