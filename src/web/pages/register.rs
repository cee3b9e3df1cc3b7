//! `/register`: an organisation applies to be a provider, with its first user; both wait for an
//! administrator, who approves or declines on `/admin`. The answer is the same whether or not the
//! address has an account already, so the form cannot tell anyone which addresses do; applications
//! are limited per client (see `throttle`).

use super::{asset_version, render};
use crate::catalog::{Provider, ProviderKind, slugify};
use crate::store::StoreError;
use crate::web::accounts::{self, field};
use crate::web::throttle;
use crate::web::{AppState, PageError};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, route, web};
use askama::Template;

#[derive(Template, Default)]
#[template(path = "register.html")]
struct RegisterPage {
    asset_version: &'static str,
    csrf: String,
    done: bool,
    errors: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str, bool)>,
    name: String,
    website: String,
    email: String,
    region: String,
    country: String,
    description: String,
    user_email: String,
}

fn form(
    state: &AppState,
    status: StatusCode,
    values: &[(String, String)],
    errors: Vec<(String, String)>,
    done: bool,
) -> HttpResponse {
    let (csrf, cookie) = accounts::login_token(state);
    let kind = field(values, "kind");
    let page = RegisterPage {
        asset_version: asset_version(),
        csrf,
        done,
        errors,
        kinds: ProviderKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label(), k.as_str() == kind))
            .collect(),
        name: field(values, "name").to_owned(),
        website: field(values, "website").to_owned(),
        email: field(values, "email").to_owned(),
        region: field(values, "region").to_owned(),
        country: field(values, "country").to_owned(),
        description: field(values, "description").to_owned(),
        user_email: field(values, "user_email").to_owned(),
    };
    let mut response = render(status, &page);
    let _ = response.add_cookie(&cookie);
    response
}

#[route("/register", method = "GET", method = "HEAD")]
pub async fn register_page(state: web::Data<AppState>) -> HttpResponse {
    form(&state, StatusCode::OK, &[], Vec::new(), false)
}

#[route("/register", method = "POST")]
pub async fn register(
    state: web::Data<AppState>,
    request: HttpRequest,
    values: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    if !accounts::login_token_ok(&state, &request, &values) {
        return Err(PageError::Forbidden(
            "This form has expired. Reload the page and apply again.".into(),
        ));
    }
    state
        .throttle
        .register(throttle::client_of(&request))
        .map_err(|wait| PageError::throttled("Too many applications from your network.", wait))?;
    let optional =
        |name: &str| Some(field(&values, name).trim().to_owned()).filter(|v| !v.is_empty());
    let kind = field(&values, "kind").parse::<ProviderKind>();
    let name = field(&values, "name").trim().to_owned();
    let provider = Provider {
        id: slugify(&name, 64),
        name,
        kind: kind.clone().unwrap_or(ProviderKind::Other),
        description: optional("description"),
        website: optional("website"),
        email: optional("email"),
        region: optional("region"),
        country: optional("country"),
    };
    let mut errors: Vec<(String, String)> = Vec::new();
    if let Err(message) = kind {
        errors.push(("kind".into(), message));
    }
    if provider.id.len() < 2 {
        errors.push((
            "name".into(),
            "must hold at least two letters or digits".into(),
        ));
    }
    if errors.is_empty() {
        let store = state.store.clone();
        let (email, password) = (
            field(&values, "user_email").to_owned(),
            field(&values, "password").to_owned(),
        );
        match web::block(move || store.register(&provider, &email, &password)).await? {
            Ok(()) => return Ok(form(&state, StatusCode::OK, &[], Vec::new(), true)),
            Err(StoreError::InvalidOffering(found)) => {
                errors.extend(found.into_iter().map(|e| (e.field, e.message)))
            }
            Err(error) => return Err(error.into()),
        }
    }
    Ok(form(
        &state,
        StatusCode::UNPROCESSABLE_ENTITY,
        &values,
        errors,
        false,
    ))
}
