//! `GET /healthz`: 200 while the server can search and its index keeps up with the database;
//! 503 when the database cannot be reached or the index has been behind for too long.

use crate::web::AppState;
use crate::web::openapi::Health;
use actix_web::{HttpResponse, route, web};

#[utoipa::path(
    get,
    path = "/healthz",
    summary = "Health",
    responses(
        (status = 200, description = "The server can search, and its index keeps up", body = Health),
        (status = 503, description = "The catalog cannot be reached, or the search index has been behind the database for longer than the server allows (`status` is `behind`)", body = Health),
    )
)]
#[route("/healthz", method = "GET", method = "HEAD")]
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let limit = state.max_index_lag;
    let state = state.into_inner();
    let index = state.index.clone();
    let database = web::block(move || state.store.revision()).await;
    let index_revision = index.revision();
    let database_revision = match database {
        Ok(Ok(revision)) => revision,
        Ok(Err(error)) => return unavailable(index_revision, &error),
        Err(error) => return unavailable(index_revision, &error),
    };
    let lag = index.lag(database_revision);
    let behind = lag.behind_for > limit;
    let health = Health {
        status: if behind { "behind" } else { "ok" }.into(),
        index_revision,
        database_revision: Some(database_revision),
        revisions_behind: Some(lag.revisions),
        seconds_behind: Some(lag.behind_for.as_secs_f64()),
    };
    if behind {
        HttpResponse::ServiceUnavailable().json(health)
    } else {
        HttpResponse::Ok().json(health)
    }
}

fn unavailable(index_revision: i64, error: &dyn std::fmt::Display) -> HttpResponse {
    tracing::error!(%error, "health check: the database cannot be read");
    HttpResponse::ServiceUnavailable().json(Health {
        status: "unavailable".into(),
        index_revision,
        database_revision: None,
        revisions_behind: None,
        seconds_behind: None,
    })
}
