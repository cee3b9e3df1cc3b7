//! `/login` and `/logout`.

use super::{asset_version, render, with_store};
use crate::web::accounts::{self, field};
use crate::web::throttle;
use crate::web::{AppState, PageError, see_other};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, route, web};
use askama::Template;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    asset_version: &'static str,
    csrf: String,
    email: String,
    error: Option<String>,
}

fn login_form(
    state: &AppState,
    status: StatusCode,
    email: &str,
    error: Option<String>,
) -> HttpResponse {
    let (csrf, cookie) = accounts::login_token(state);
    let mut response = render(
        status,
        &LoginPage {
            asset_version: asset_version(),
            csrf,
            email: email.to_owned(),
            error,
        },
    );
    let _ = response.add_cookie(&cookie);
    response
}

#[route("/login", method = "GET", method = "HEAD")]
pub async fn login_page(state: web::Data<AppState>) -> HttpResponse {
    login_form(&state, StatusCode::OK, "", None)
}

#[route("/login", method = "POST")]
pub async fn login(
    state: web::Data<AppState>,
    request: HttpRequest,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    if !accounts::login_token_ok(&state, &request, &form) {
        return Err(PageError::Forbidden(
            "This form has expired. Reload the page and sign in again.".into(),
        ));
    }
    let email = field(&form, "email").trim().to_owned();
    let client = throttle::client_of(&request);
    state.throttle.sign_in(client, &email).map_err(|wait| {
        PageError::throttled(
            "Too many sign-in attempts from here or for this account.",
            wait,
        )
    })?;
    let (lookup, password) = (email.clone(), field(&form, "password").to_owned());
    let user = with_store(&state, move |store| store.authenticate(&lookup, &password)).await?;
    if let Some(user) = user {
        return accounts::sign_in(&state, user).await;
    }
    let (tried, from) = (email.clone(), client.to_string());
    with_store(&state, move |store| {
        store.record_failed_sign_in(&tried, &from)
    })
    .await?;
    // One message for an unknown address, a wrong password and a disabled or pending account.
    Ok(login_form(
        &state,
        StatusCode::UNAUTHORIZED,
        &email,
        Some("That email and password do not match an active account.".into()),
    ))
}

#[route("/logout", method = "POST")]
pub async fn logout(
    state: web::Data<AppState>,
    request: HttpRequest,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let Some(session) = accounts::session(&state, &request).await? else {
        return Ok(see_other("/").finish());
    };
    accounts::check_csrf(&session, &form)?;
    accounts::sign_out(&state, session).await
}
