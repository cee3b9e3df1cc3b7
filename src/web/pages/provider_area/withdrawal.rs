//! Withdrawing an offering: a page that asks first (no script needed), the withdrawal itself,
//! and putting it back within a day (`UNDO_WITHDRAWAL`) for a provider who withdrew by mistake.

use super::{back_home, own_offering_posted, own_offering_shown};
use crate::web::pages::{asset_version, render, with_store};
use crate::web::{AppState, PageError};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, route, web};
use askama::Template;

#[derive(Template)]
#[template(path = "withdraw_confirm.html")]
struct ConfirmWithdrawal {
    asset_version: &'static str,
    csrf: String,
    id: String,
    title: String,
}

/// `GET /provider/offerings/{id}/withdraw`: what withdrawing does, and a button to do it.
#[route("/provider/offerings/{id}/withdraw", method = "GET", method = "HEAD")]
pub async fn confirm_withdrawal(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let (session, offering) = own_offering_shown(&state, &request, &id).await?;
    let page = ConfirmWithdrawal {
        asset_version: asset_version(),
        csrf: session.csrf.clone(),
        id: offering.id,
        title: offering.title,
    };
    Ok(render(StatusCode::OK, &page))
}

#[route("/provider/offerings/{id}/withdraw", method = "POST")]
pub async fn withdraw(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let (session, offering) = own_offering_posted(&state, &request, &id, &form).await?;
    let (provider, actor) = (session.user.provider, session.user.email);
    with_store(&state, move |store| {
        store.withdraw(&offering.id, provider.as_deref(), &actor)
    })
    .await?;
    Ok(back_home("withdrawn"))
}

/// `POST /provider/offerings/{id}/undo-withdrawal`: published again if withdrawn within a day;
/// a 409 that says to submit it again otherwise.
#[route("/provider/offerings/{id}/undo-withdrawal", method = "POST")]
pub async fn undo_withdrawal(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let (session, offering) = own_offering_posted(&state, &request, &id, &form).await?;
    let (provider, actor) = (session.user.provider, session.user.email);
    let now = chrono::Utc::now();
    with_store(&state, move |store| {
        store.undo_withdrawal(&offering.id, provider.as_deref(), &actor, now)
    })
    .await?;
    Ok(back_home("restored"))
}
