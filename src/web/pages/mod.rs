//! Server-rendered pages: askama templates over the same `SearchResults` the JSON API serves.
//! Plain HTML forms and links, so everything works without JavaScript.

pub mod admin;
mod catalog_pages;
mod edit_diff;
pub mod evaluations;
pub mod learners;
mod offering;
mod prerequisite_path;
pub mod provider_area;
pub mod register;
pub mod reports;
mod search;
pub mod sign_in;
pub mod upload;

pub use catalog_pages::{
    competencies_page, competency_framework_page, competency_page, home_page, provider_page,
    providers_page,
};
pub use offering::offering_page;
pub use search::search_page;

use crate::catalog::Offering;
use crate::search::{Hit, SearchRequest, SearchResults};
use crate::web::views;
use crate::web::{AppState, PageError};
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use std::collections::HashMap;

/// Changes when the CSS or JS changes, so browsers may cache them for long.
pub fn asset_version() -> &'static str {
    super::assets::VERSION.as_str()
}

/// Renders a page with a status.
pub fn render(status: StatusCode, page: &impl Template) -> HttpResponse {
    match page.render() {
        Ok(html) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(html),
        Err(error) => {
            tracing::error!(%error, "a page failed to render");
            HttpResponse::InternalServerError()
                .content_type("text/plain; charset=utf-8")
                .body("Something went wrong on our side; it has been logged.")
        }
    }
}

/// One result as a list shows it.
#[derive(Debug, Clone)]
pub struct ResultItem {
    pub id: String,
    pub title: String,
    pub provider: String,
    pub facts: views::Facts,
    /// Escaped HTML with matched words in `<b>`.
    pub snippet: String,
    /// The searcher's words this offering lacks.
    pub missing_words: Vec<String>,
    /// In a search near a place: "12 mi away".
    pub distance: Option<String>,
    /// "4.2 out of 5 (12 participants)", once public.
    pub rating: Option<String>,
}

impl ResultItem {
    pub fn new(hit: &Hit, providers: &HashMap<String, String>) -> Self {
        let offering: &Offering = &hit.offering;
        ResultItem {
            id: offering.id.clone(),
            title: offering.title.clone(),
            provider: providers
                .get(&offering.provider)
                .cloned()
                .unwrap_or_else(|| offering.provider.clone()),
            facts: views::Facts::of(offering),
            snippet: hit.snippet.clone(),
            missing_words: hit.missing_words.clone(),
            distance: None,
            rating: hit
                .rating
                .zip(hit.rating_count)
                .map(|(mean, count)| format!("{mean:.1} out of 5 ({count} participants)")),
        }
    }

    /// The same, saying how far away it is in the unit the searcher chose.
    pub fn with_distance(mut self, hit: &Hit, unit: crate::geo::Unit) -> Self {
        self.distance = hit
            .distance_km
            .map(|km| format!("{:.0} {} away", unit.from_km(km), unit.suffix()));
        self
    }
}

/// Runs blocking store work off the async threads; a store failure is an internal error (logged,
/// and a plain error page for the reader).
pub async fn with_store<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&crate::store::Store) -> Result<T, crate::store::StoreError> + Send + 'static,
) -> Result<T, PageError> {
    Ok(crate::web::blocking(state, work).await?)
}

/// Provider names by id, for result lists.
pub async fn provider_names(state: &AppState) -> Result<HashMap<String, String>, PageError> {
    let providers = with_store(state, move |store| store.providers()).await?;
    Ok(providers.into_iter().map(|p| (p.id, p.name)).collect())
}

/// Runs a search off the async threads.
pub async fn run_search(
    state: &AppState,
    request: SearchRequest,
) -> Result<SearchResults, PageError> {
    let index = state.index.clone();
    web::block(move || index.search(&request, chrono::Utc::now()))
        .await?
        .map_err(PageError::from)
}

/// A search URL for these parameters.
pub fn search_url(pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return "/search".to_owned();
    }
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("/search?{query}")
}
