//! actix-web: the HTTP face of the catalog. Routes are thin; they turn requests into calls on the
//! store and the search index (blocking work inside `web::block`) and render the answer.

mod errors;
mod routes;

pub use errors::ApiError;

use crate::search::SearchIndex;
use crate::store::Store;
use actix_web::{App, HttpServer, dev::Server, middleware, web};
use std::net::TcpListener;
use std::sync::Arc;

/// What every handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    pub index: Arc<SearchIndex>,
}

/// Binds the server to `listener` and returns it, ready to be awaited.
pub fn start(listener: TcpListener, state: AppState) -> std::io::Result<Server> {
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(web::QueryConfig::default().error_handler(|error, _| {
                ApiError::BadParameter {
                    parameter: "query string".into(),
                    message: error.to_string(),
                }
                .into()
            }))
            .wrap(middleware::Compress::default())
            .wrap(middleware::Logger::new("%r %s %Dms").log_target("clearinghouse::http"))
            .configure(routes::configure)
    })
    .listen(listener)?
    .run();
    Ok(server)
}
