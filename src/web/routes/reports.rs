//! The reports as data: `/api/v1/reports/{coverage,places,trends,demand}`, JSON by default or
//! CSV with `format=csv`. The same parameters as the pages; demand is the public summary (the API
//! has no sessions; administrators use the page or `clearinghouse report demand`).

use crate::reports::{self, ReportError, coverage, demand, places, trends};
use crate::web::errors::ErrorBody;
use crate::web::pages::reports::{Params, run};
use crate::web::{ApiError, AppState};
use actix_web::http::header;
use actix_web::{HttpResponse, route, web};
use serde::Serialize;

/// How a report is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Json,
    Csv,
}

fn shape(params: &Params) -> Result<Shape, ReportError> {
    match params.format.as_deref() {
        None | Some("json") => Ok(Shape::Json),
        Some("csv") => Ok(Shape::Csv),
        Some(other) => Err(reports::bad(
            "format",
            format!("unknown format `{other}`, expected csv or json"),
        )),
    }
}

/// The report as asked: JSON, or CSV (`csv` of the report) as a file named `name.csv`.
fn answer<T: Serialize>(
    shape: Shape,
    name: &str,
    report: &T,
    csv: impl FnOnce(&T) -> String,
) -> HttpResponse {
    match shape {
        Shape::Json => HttpResponse::Ok().json(report),
        Shape::Csv => HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}.csv\""),
            ))
            .body(csv(report)),
    }
}

/// Reads the parameters every report takes: the window and the format.
fn read(query: &[(String, String)]) -> Result<(Params, reports::Window, Shape), ApiError> {
    let params = Params::read_exact(query)?;
    let window = params.window()?;
    let shape = shape(&params)?;
    Ok((params, window, shape))
}

#[utoipa::path(
    get,
    path = "/api/v1/reports/coverage",
    summary = "Coverage of competencies",
    description = "Every competency of every framework (or of `framework`), in tree order, against the values of one dimension (`by`): each cell the number of offerings in the window building that competency with that value, and the search page listing exactly those offerings (the same parameters give the same `total` from `/api/v1/search`). `cost` and `credits` columns are cumulative (free; free or up to $50; free or up to $200 / any credits; 3 contact hours or more; 1 CEU or more).",
    params(crate::web::openapi::ReportParameters, crate::web::openapi::CoverageParameters),
    responses(
        (status = 200, description = "The report", content(
            (coverage::Coverage = "application/json"),
            (String = "text/csv")
        )),
        (status = 400, description = "A parameter's value could not be read; the body names it", body = ErrorBody),
    )
)]
#[route("/api/v1/reports/coverage", method = "GET", method = "HEAD")]
pub async fn coverage_report(
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let (params, window, shape) = read(&query)?;
    let report = run(&state, move |store, index| {
        let frameworks = store.frameworks()?;
        let ask = coverage::Ask::new(
            window,
            params.by.as_deref(),
            params.framework.as_deref(),
            &frameworks,
        )?;
        coverage::coverage(index, &frameworks, &ask, chrono::Utc::now())
    })
    .await?;
    Ok(answer(shape, "coverage", &report, coverage::to_csv))
}

#[utoipa::path(
    get,
    path = "/api/v1/reports/places",
    summary = "Where CE takes place",
    description = "In-person, hybrid and conference offerings in the window by US state (district and territory) and Canadian province or territory, each with its square on a tile-grid map (`column`, `row`) and the search listing its offerings.",
    params(crate::web::openapi::ReportParameters),
    responses(
        (status = 200, description = "The report", content(
            (places::Places = "application/json"),
            (String = "text/csv")
        )),
        (status = 400, description = "A parameter's value could not be read; the body names it", body = ErrorBody),
    )
)]
#[route("/api/v1/reports/places", method = "GET", method = "HEAD")]
pub async fn places_report(
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let (_, window, shape) = read(&query)?;
    let report = run(&state, move |_, index| {
        places::places(index, &window, chrono::Utc::now())
    })
    .await?;
    Ok(answer(shape, "places", &report, places::to_csv))
}

#[utoipa::path(
    get,
    path = "/api/v1/reports/trends",
    summary = "Trends in CE",
    description = "Offerings taking place each month of the window by format and by kind of provider (each count with its search), the shares online, in person, hybrid and free, median cost (US dollars) and credits (contact hours), published offerings added each month over the past year, and the competencies whose coverage changed between the last two snapshots. The CSV holds the months.",
    params(crate::web::openapi::ReportParameters),
    responses(
        (status = 200, description = "The report", content(
            (trends::Trends = "application/json"),
            (String = "text/csv")
        )),
        (status = 400, description = "A parameter's value could not be read; the body names it", body = ErrorBody),
    )
)]
#[route("/api/v1/reports/trends", method = "GET", method = "HEAD")]
pub async fn trends_report(
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let (_, window, shape) = read(&query)?;
    let report = run(&state, move |store, index| {
        trends::trends(index, store, &window, chrono::Utc::now())
    })
    .await?;
    Ok(answer(shape, "trends", &report, trends::to_csv))
}

#[utoipa::path(
    get,
    path = "/api/v1/reports/demand",
    summary = "Unmet demand (public summary)",
    description = "What searchers asked over as many months back from today as the window spans (a past window: its own dates): the most asked searches, those whose last answer held fewer than 3 offerings, and searches by filters alone that found nothing. Only searches asked on at least 5 different days are listed. Searches are kept 400 days, without address, account or cookie.",
    params(crate::web::openapi::ReportParameters),
    responses(
        (status = 200, description = "The report", content(
            (demand::Demand = "application/json"),
            (String = "text/csv")
        )),
        (status = 400, description = "A parameter's value could not be read; the body names it", body = ErrorBody),
    )
)]
#[route("/api/v1/reports/demand", method = "GET", method = "HEAD")]
pub async fn demand_report(
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let (_, window, shape) = read(&query)?;
    let report = run(&state, move |store, _| {
        demand::demand(store, &window, true, chrono::Utc::now().date_naive())
    })
    .await?;
    Ok(answer(shape, "demand", &report, demand::to_csv))
}
