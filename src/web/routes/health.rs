//! `GET /healthz`: 200 once the server can search.

use crate::web::AppState;
use actix_web::{HttpResponse, route, web};

#[utoipa::path(
    get,
    path = "/healthz",
    summary = "Health",
    responses(
        (status = 200, description = "The server can search", body = crate::web::openapi::Health),
        (status = 503, description = "The catalog cannot be reached"),
    )
)]
#[route("/healthz", method = "GET", method = "HEAD")]
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let state = state.into_inner();
    let checked = web::block(move || -> Result<(i64, i64), String> {
        let database = state.store.revision().map_err(|e| e.to_string())?;
        Ok((database, state.index.revision()))
    })
    .await;
    match checked {
        Ok(Ok((database, index))) => HttpResponse::Ok().json(serde_json::json!({
            "status": "ok", "database_revision": database, "index_revision": index
        })),
        _ => HttpResponse::ServiceUnavailable().json(serde_json::json!({"status": "unavailable"})),
    }
}
