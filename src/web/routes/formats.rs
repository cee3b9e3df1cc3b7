//! A search or an offering in other formats: iCalendar, Atom, CSV, and a whole bundle through the
//! API. Every search format takes the parameters of `/search`.

use crate::formats::calendar::CalendarEntry;
use crate::formats::{atom, calendar, table};
use crate::search::{SearchRequest, Sort};
use crate::store::StoredOffering;
use crate::web::{ApiError, AppState, views};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, route, web};
use std::collections::HashMap;

/// How many offerings a calendar or spreadsheet of a search holds at most.
const FULL_LIST: usize = 2000;
/// How many of the newest offerings a feed holds.
const FEED_LENGTH: usize = 50;

/// The site's address as the client reached it, for absolute links.
pub(crate) fn base(request: &HttpRequest) -> String {
    let info = request.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

/// Runs a search without paging and reads the offerings it found, with provider names.
async fn found(
    state: &AppState,
    mut request: SearchRequest,
    limit: usize,
) -> Result<(Vec<StoredOffering>, HashMap<String, String>), ApiError> {
    request.page = 1;
    request.per_page = limit;
    let state = state.clone();
    web::block(move || -> Result<_, ApiError> {
        let results = state.index.search(&request, chrono::Utc::now())?;
        let ids: Vec<String> = results
            .hits
            .into_iter()
            .map(|hit| hit.offering.id)
            .collect();
        let offerings = state.store.published_by_ids(&ids)?;
        let providers = state.store.providers()?;
        Ok((
            offerings,
            providers.into_iter().map(|p| (p.id, p.name)).collect(),
        ))
    })
    .await?
}

pub(crate) fn entries<'a>(
    base: &str,
    offerings: &'a [StoredOffering],
    providers: &'a HashMap<String, String>,
) -> Vec<CalendarEntry<'a>> {
    offerings
        .iter()
        .map(|stored| CalendarEntry {
            stored,
            provider_name: providers
                .get(&stored.offering.provider)
                .map_or(stored.offering.provider.as_str(), String::as_str),
            page_url: format!("{base}/offerings/{}", stored.offering.id),
            place: views::place(&stored.offering),
        })
        .collect()
}

fn request_of(query: &[(String, String)]) -> Result<SearchRequest, ApiError> {
    Ok(SearchRequest::from_pairs(
        query.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    )?)
}

fn file(content_type: &str, name: &str, body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{name}\""),
        ))
        .body(body)
}

/// A title for a search's calendar or feed.
fn title_of(request: &SearchRequest) -> String {
    if request.query.trim().is_empty() {
        "CE Clearinghouse: offerings".to_owned()
    } else {
        format!("CE Clearinghouse: {}", request.query.trim())
    }
}

#[route("/offerings/{id}.ics", method = "GET", method = "HEAD")]
pub async fn offering_calendar(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let store = state.store.clone();
    let lookup = vec![id.clone()];
    let (offerings, providers) = web::block(move || -> Result<_, ApiError> {
        let offerings = store.published_by_ids(&lookup)?;
        let providers = store.providers()?;
        Ok((
            offerings,
            providers
                .into_iter()
                .map(|p| (p.id, p.name))
                .collect::<HashMap<_, _>>(),
        ))
    })
    .await??;
    let Some(stored) = offerings.first() else {
        return Err(ApiError::NotFound(format!("offering {id}")));
    };
    let entries = entries(&base(&request), &offerings, &providers);
    Ok(file(
        "text/calendar; charset=utf-8",
        &format!("{id}.ics"),
        calendar::calendar(&stored.offering.title, &entries),
    ))
}

#[route("/search.ics", method = "GET", method = "HEAD")]
pub async fn search_calendar(
    state: web::Data<AppState>,
    request: HttpRequest,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let search = request_of(&query)?;
    let title = title_of(&search);
    let (offerings, providers) = found(&state, search, FULL_LIST).await?;
    let entries = entries(&base(&request), &offerings, &providers);
    Ok(file(
        "text/calendar; charset=utf-8",
        "search.ics",
        calendar::calendar(&title, &entries),
    ))
}

#[route("/search.atom", method = "GET", method = "HEAD")]
pub async fn search_feed(
    state: web::Data<AppState>,
    request: HttpRequest,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let mut search = request_of(&query)?;
    search.sort = Some(search.sort.unwrap_or(Sort::Newest));
    let base = base(&request);
    let title = title_of(&search);
    let query_string = request.query_string().to_owned();
    let page_url = format!("{base}/search?{query_string}");
    let self_url = format!("{base}/search.atom?{query_string}");
    let (offerings, providers) = found(&state, search, FEED_LENGTH).await?;
    let entries = entries(&base, &offerings, &providers);
    Ok(file(
        "application/atom+xml; charset=utf-8",
        "search.atom",
        atom::feed(&title, &self_url, &page_url, &entries),
    ))
}

#[route("/search.csv", method = "GET", method = "HEAD")]
pub async fn search_table(
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let search = request_of(&query)?;
    let (offerings, _) = found(&state, search, FULL_LIST).await?;
    let rows: Vec<_> = offerings.iter().map(|stored| &stored.offering).collect();
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8; header=present")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"offerings.csv\"",
        ))
        .body(table::write(&rows)))
}

/// `GET /api/v1/export`: the offerings a search finds (no paging) and everything they reference,
/// as one bundle object that imports into an empty catalog unchanged.
#[utoipa::path(
    get,
    path = "/api/v1/export",
    summary = "Export a search as a bundle",
    description = "Every offering the search finds (no paging; `page`, `per_page` and `sort` are ignored), with the prerequisites they name, their providers and the frameworks of their competencies: the bundle's three files in one object.",
    params(crate::web::openapi::SearchParameters),
    responses(
        (status = 200, description = "The bundle", body = crate::web::openapi::ExportBundle),
        (status = 400, description = "A parameter's value could not be read; the body names it", body = crate::web::errors::ErrorBody),
    )
)]
#[route("/api/v1/export", method = "GET", method = "HEAD")]
pub async fn export(
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let search = SearchRequest::from_query(query.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    let state = state.into_inner();
    let bundle = web::block(move || -> Result<_, ApiError> {
        let ids = state.index.matching_ids(&search, chrono::Utc::now())?;
        Ok(state.store.export_selection(&ids)?)
    })
    .await??;
    Ok(HttpResponse::Ok().json(crate::web::openapi::ExportBundle {
        frameworks: bundle.frameworks.frameworks,
        providers: bundle.providers,
        offerings: bundle.offerings,
    }))
}
