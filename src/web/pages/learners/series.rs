//! `/series/{id}`: a sequenced series' parts in order, each with its dates and prerequisites.

use super::{asset_version, render, with_store};
use crate::web::{AppState, PageError, views};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, route, web};
use askama::Template;

struct Part {
    position: i64,
    id: String,
    title: String,
    facts: views::Facts,
    /// (id, title) of the offerings to take first.
    prerequisites: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "series.html")]
struct SeriesPage {
    asset_version: &'static str,
    title: String,
    provider: String,
    parts: Vec<Part>,
}

#[route("/series/{id}", method = "GET", method = "HEAD")]
pub async fn series_page(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let lookup = id.clone();
    let (parts, names) = with_store(&state, move |store| {
        let listed = store.series(&lookup)?;
        let ids: Vec<String> = listed.iter().map(|(id, _, _)| id.clone()).collect();
        let offerings = store.published_by_ids(&ids)?;
        let mut wanted: Vec<String> = offerings
            .iter()
            .flat_map(|s| s.offering.prerequisites.iter().cloned())
            .collect();
        wanted.sort();
        wanted.dedup();
        let names: std::collections::HashMap<String, String> = store
            .published_by_ids(&wanted)?
            .into_iter()
            .map(|s| (s.offering.id, s.offering.title))
            .collect();
        Ok((offerings, names))
    })
    .await?;
    let Some(first) = parts.first() else {
        return Err(PageError::NotFound(format!("There is no series “{id}”.")));
    };
    let title = first
        .offering
        .series
        .as_ref()
        .and_then(|s| s.title.clone())
        .unwrap_or_else(|| id.clone());
    let provider_id = first.offering.provider.clone();
    let provider = with_store(&state, move |store| store.provider(&provider_id))
        .await?
        .map(|p| p.name)
        .unwrap_or_default();
    let page = SeriesPage {
        asset_version: asset_version(),
        title,
        provider,
        parts: parts
            .iter()
            .map(|s| Part {
                position: s.offering.series.as_ref().map_or(0, |x| x.position),
                id: s.offering.id.clone(),
                title: s.offering.title.clone(),
                facts: views::Facts::of(&s.offering),
                prerequisites: s
                    .offering
                    .prerequisites
                    .iter()
                    .map(|p| {
                        (
                            p.clone(),
                            names.get(p).cloned().unwrap_or_else(|| p.clone()),
                        )
                    })
                    .collect(),
            })
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}
