//! `/reports/demand`: what searchers ask for and do not find. Administrators see every search;
//! everyone else the public summary (only what at least `PUBLIC_MIN_DAYS` days asked).

use super::{Choice, Params, asset_version, render, run, window_choices, window_query};
use crate::reports::demand::{Demand, demand};
use crate::store::Role;
use crate::web::{AppState, PageError, accounts};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, route, web};
use askama::Template;

#[derive(Template)]
#[template(path = "reports_demand.html")]
struct DemandPage {
    asset_version: &'static str,
    windows: Vec<Choice>,
    demand: Demand,
    keep: String,
}

/// `/reports/demand?window=`.
#[route("/reports/demand", method = "GET", method = "HEAD")]
pub async fn demand_page(
    state: web::Data<AppState>,
    request: HttpRequest,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let window = Params::read(&query).window()?;
    let session = accounts::session(&state, &request).await?;
    let public = session.is_none_or(|s| s.user.role != Role::Admin);
    let asked = window.clone();
    let report = run(&state, move |store, _| {
        demand(store, &asked, public, chrono::Utc::now().date_naive())
    })
    .await?;
    let page = DemandPage {
        asset_version: asset_version(),
        // The demand report looks back as far as the other reports look ahead.
        windows: window_choices(&window)
            .into_iter()
            .map(|(value, label, chosen)| (value, label.replace("Next", "Last"), chosen))
            .collect(),
        demand: report,
        keep: window_query(&window),
    };
    Ok(render(StatusCode::OK, &page))
}
