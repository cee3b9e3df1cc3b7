//! The stylesheet and scripts, compiled into the binary and served with long cache lifetimes: their
//! URLs carry a version derived from their content.

use actix_web::http::header;
use actix_web::{HttpResponse, route};
use std::sync::LazyLock;

const STYLE: &str = include_str!("../../templates/static/style.css");
const SCRIPT: &str = include_str!("../../templates/static/app.js");
/// The reports' own stylesheet: only their pages load it, so a search page stays light.
const REPORTS_STYLE: &str = include_str!("../../templates/static/reports.css");
/// The offering form's own script (the competency filter): only its page loads it.
const FORM_SCRIPT: &str = include_str!("../../templates/static/offering_form.js");

/// A short hash of the files: it changes when any does.
pub static VERSION: LazyLock<String> = LazyLock::new(|| {
    let hash = format!("{STYLE}{SCRIPT}{FORM_SCRIPT}{REPORTS_STYLE}")
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
    format!("{:08x}", hash as u32)
});

fn asset(content_type: &str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(body)
}

#[route("/static/style.css", method = "GET", method = "HEAD")]
pub async fn style() -> HttpResponse {
    asset("text/css; charset=utf-8", STYLE)
}

#[route("/static/reports.css", method = "GET", method = "HEAD")]
pub async fn reports_style() -> HttpResponse {
    asset("text/css; charset=utf-8", REPORTS_STYLE)
}

#[route("/static/app.js", method = "GET", method = "HEAD")]
pub async fn script() -> HttpResponse {
    asset("text/javascript; charset=utf-8", SCRIPT)
}

#[route("/static/offering_form.js", method = "GET", method = "HEAD")]
pub async fn form_script() -> HttpResponse {
    asset("text/javascript; charset=utf-8", FORM_SCRIPT)
}
