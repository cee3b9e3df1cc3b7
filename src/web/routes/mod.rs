//! The routes, one file per concern.

mod api;
mod health;

use actix_web::web;

pub fn configure(config: &mut web::ServiceConfig) {
    config
        .service(health::healthz)
        .service(api::search)
        .service(api::offering);
}
