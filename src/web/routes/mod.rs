//! The routes, one file per concern: the JSON API and health here, the pages in `web::pages`.

pub(crate) mod api;
mod discovery;
pub(crate) mod formats;
pub(crate) mod health;
pub(crate) mod reports;

use crate::web::{assets, pages};
use actix_web::web;

pub fn configure(config: &mut web::ServiceConfig) {
    config
        .service(health::healthz)
        .service(api::search)
        .service(api::offering)
        .service(api::provider_list)
        .service(api::provider)
        .service(api::competency_trees)
        .service(formats::export)
        .service(formats::offering_calendar)
        .service(formats::search_calendar)
        .service(formats::search_feed)
        .service(formats::search_table)
        .service(discovery::opensearch)
        .service(discovery::robots)
        .service(discovery::sitemap)
        .service(discovery::openapi_document)
        .service(discovery::api_page)
        .service(assets::style)
        .service(assets::reports_style)
        .service(assets::script)
        .service(assets::form_script)
        .service(pages::sign_in::login_page)
        .service(pages::sign_in::login)
        .service(pages::sign_in::logout)
        .service(pages::register::register_page)
        .service(pages::register::register)
        .service(pages::admin::decide_application)
        .service(pages::admin::disable_user)
        .service(pages::provider_area::provider_home)
        .service(pages::provider_area::new_offering_form)
        .service(pages::provider_area::submit_new)
        .service(pages::provider_area::edit_offering_form)
        .service(pages::provider_area::submit_edit)
        .service(pages::provider_area::withdraw)
        .service(pages::provider_area::confirm_withdrawal)
        .service(pages::provider_area::undo_withdrawal)
        .service(pages::provider_area::profile_form)
        .service(pages::provider_area::save_profile)
        .service(pages::upload::upload_form)
        .service(pages::upload::upload)
        .service(pages::upload::template)
        .service(pages::admin::admin_home)
        .service(pages::admin::decide_submission)
        .service(pages::admin::offering_under_review)
        .service(pages::admin::audit_page)
        .service(pages::home_page)
        .service(pages::search_page)
        .service(pages::offering_page)
        .service(pages::providers_page)
        .service(pages::provider_page)
        .service(pages::competencies_page)
        .service(pages::competency_framework_page)
        .service(pages::competency_page)
        .service(pages::reports::reports_page)
        .service(pages::reports::coverage_page)
        .service(pages::reports::places_page)
        .service(pages::reports::trends_page)
        .service(pages::reports::demand_page)
        .service(reports::coverage_report)
        .service(reports::places_report)
        .service(reports::trends_report)
        .service(reports::demand_report);
}
