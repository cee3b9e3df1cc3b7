//! Conditional requests: pages, feeds and API answers carry an ETag derived from what they are
//! made of (the revision of the catalog the index holds, the hour, since "upcoming" moves with the
//! clock, the version of the site's assets, and the newest participant's evaluation answer, which
//! offering pages summarise), and a matching `If-None-Match` gets 304.

use crate::web::AppState;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};

/// The tag of everything the catalog shows right now.
fn current_tag(state: &AppState) -> String {
    let hour = chrono::Utc::now().format("%Y%m%d%H");
    format!(
        "W/\"{}-{hour}-{}-{}-{}\"",
        state.index.revision(),
        super::assets::VERSION.as_str(),
        state
            .newest_evaluation
            .load(std::sync::atomic::Ordering::Relaxed),
        state
            .learner_changes
            .load(std::sync::atomic::Ordering::Relaxed)
    )
}

fn matches(request: &ServiceRequest, tag: &str) -> bool {
    request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .split(',')
                .any(|candidate| candidate.trim() == tag || candidate.trim() == "*")
        })
}

/// Whether a path is one of the private areas or under one, matched by whole segments:
/// `/provider/upload` is private, `/providers` (the public list) is not.
fn is_personal(path: &str) -> bool {
    // An evaluation form holds a token of its own and says whether its link is used: never cached.
    ["/provider", "/admin", "/login", "/evaluate", "/me", "/join"]
        .iter()
        .any(|area| {
            path.strip_prefix(area)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
}

/// Answers 304 when the client's copy is current; tags fresh 200 answers otherwise.
pub async fn conditional(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    // Pages of a signed-in account depend on who asks and on submissions the revision does not
    // count: they are never cached.
    let personal = is_personal(request.path());
    let cacheable = matches!(*request.method(), Method::GET | Method::HEAD)
        && !personal
        && !request.path().starts_with("/static/")
        && request.path() != "/healthz";
    let tag = match request.app_data::<web::Data<AppState>>() {
        Some(state) if cacheable => current_tag(state),
        _ => {
            let mut response = next.call(request).await?;
            if personal {
                response.headers_mut().insert(
                    header::CACHE_CONTROL,
                    header::HeaderValue::from_static("no-store"),
                );
            }
            return Ok(response.map_into_left_body());
        }
    };
    if matches(&request, &tag) {
        let response = HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .finish();
        return Ok(request.into_response(response).map_into_right_body());
    }
    let mut response = next.call(request).await?;
    if response.status().is_success() {
        let headers = response.headers_mut();
        if let Ok(value) = header::HeaderValue::from_str(&tag) {
            headers.insert(header::ETAG, value);
        }
        headers.insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-cache"),
        );
    }
    Ok(response.map_into_left_body())
}

#[cfg(test)]
mod tests {
    use super::is_personal;

    #[test]
    fn private_areas_are_matched_by_whole_segments() {
        for path in [
            "/provider",
            "/provider/upload",
            "/admin",
            "/admin/audit",
            "/login",
            "/evaluate/0123abcd",
            "/me",
            "/me/plan.ics",
            "/join",
        ] {
            assert!(is_personal(path), "{path}");
        }
        for path in [
            "/providers",
            "/providers/ala-pla",
            "/administration",
            "/logins",
            "/media",
        ] {
            assert!(!is_personal(path), "{path}");
        }
    }
}
