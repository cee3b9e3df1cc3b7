//! The routes, one file per concern: the JSON API and health here, the pages in `web::pages`.

mod api;
mod health;

use crate::web::{assets, pages};
use actix_web::web;

pub fn configure(config: &mut web::ServiceConfig) {
    config
        .service(health::healthz)
        .service(api::search)
        .service(api::offering)
        .service(assets::style)
        .service(assets::script)
        .service(pages::home_page)
        .service(pages::search_page)
        .service(pages::offering_page)
        .service(pages::providers_page)
        .service(pages::provider_page)
        .service(pages::competencies_page)
        .service(pages::competency_framework_page)
        .service(pages::competency_page);
}
