//! The JSON API under `/api/v1/`: a contract other programs rely on.

use crate::catalog::OfferingStatus;
use crate::search::SearchRequest;
use crate::web::{ApiError, AppState};
use actix_web::{HttpResponse, route, web};

/// `GET /api/v1/search`: the parameters of `SearchRequest`; answers `SearchResults`.
#[route("/api/v1/search", method = "GET", method = "HEAD")]
pub async fn search(
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let pairs = query.into_inner();
    let request = SearchRequest::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    let index = state.index.clone();
    let results = web::block(move || index.search(&request, chrono::Utc::now()))
        .await?
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(results))
}

/// `GET /api/v1/offerings/{id}`: one published offering in the bundle format.
#[route("/api/v1/offerings/{id}", method = "GET", method = "HEAD")]
pub async fn offering(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let store = state.store.clone();
    let lookup = id.clone();
    let stored = web::block(move || store.offering(&lookup))
        .await?
        .map_err(ApiError::internal)?;
    match stored {
        Some(stored) if stored.status == OfferingStatus::Published => {
            Ok(HttpResponse::Ok().json(stored.offering))
        }
        _ => Err(ApiError::NotFound(format!("offering {id}"))),
    }
}
