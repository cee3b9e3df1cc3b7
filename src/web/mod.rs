//! actix-web: the HTTP face of the catalog. Routes are thin; they turn requests into calls on the
//! store and the search index (blocking work inside `web::block`) and render the answer.

mod accounts;
mod assets;
mod caching;
pub(crate) mod errors;
mod openapi;
mod pages;
mod routes;
mod throttle;
mod views;

pub use errors::{ApiError, PageError};

use crate::search::SearchIndex;
use crate::store::Store;
use actix_web::{App, HttpResponse, HttpResponseBuilder, HttpServer, dev::Server, middleware, web};
use std::net::TcpListener;
use std::sync::Arc;

/// On SIGTERM or SIGINT, how long requests in flight may take to finish before the server stops.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// How long the index may lag unless the server is told otherwise.
const DEFAULT_MAX_INDEX_LAG: std::time::Duration = std::time::Duration::from_secs(60);

/// What every handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    pub index: Arc<SearchIndex>,
    pub cookies: accounts::CookieSettings,
    pub throttle: Arc<throttle::Throttle>,
    /// How long the search index may stay behind the database before `/healthz` answers 503.
    pub max_index_lag: std::time::Duration,
    /// Records searches for the demand report, off the request's path.
    pub searches: crate::reports::demand::Recorder,
    /// The id of the newest participant's evaluation answer: public pages show summaries of
    /// answers the catalog's revision does not count, so their ETags carry it too.
    pub newest_evaluation: Arc<std::sync::atomic::AtomicI64>,
    /// Moves on whenever a learner's plan changes: offering pages say how many learners plan
    /// them (from `PUBLIC_MIN_LEARNERS`), a count the catalog's revision does not follow, so
    /// their ETags carry this too. It starts from the clock, so a restart never reuses a tag.
    pub learner_changes: Arc<std::sync::atomic::AtomicI64>,
    /// Days after an answer its follow-up is due (`FOLLOWUP_AFTER_DAYS`; tests shorten it).
    pub followup_after_days: u32,
}

impl AppState {
    /// The state of a server on this catalog; `secure_cookies` when it is served over HTTPS.
    pub fn new(
        store: Store,
        index: Arc<SearchIndex>,
        secure_cookies: bool,
    ) -> Result<Self, crate::store::StoreError> {
        let key = actix_web::cookie::Key::derive_from(&store.cookie_key()?);
        let newest_evaluation = Arc::new(store.newest_evaluation_answer()?.into());
        Ok(AppState {
            learner_changes: Arc::new(chrono::Utc::now().timestamp_millis().into()),
            newest_evaluation,
            index,
            cookies: accounts::CookieSettings {
                key,
                secure: secure_cookies,
            },
            throttle: Arc::new(throttle::Throttle::default()),
            max_index_lag: DEFAULT_MAX_INDEX_LAG,
            searches: crate::reports::demand::Recorder::start(store.clone()),
            followup_after_days: crate::participant_evaluations::FOLLOWUP_AFTER_DAYS,
            store,
        })
    }

    /// Notes that a learner's plan or record changed (see `learner_changes`).
    pub fn learners_changed(&self) {
        self.learner_changes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Follow-ups due `days` after the answer instead of `FOLLOWUP_AFTER_DAYS`.
    pub fn with_followup_after_days(self, days: u32) -> Self {
        AppState {
            followup_after_days: days,
            ..self
        }
    }

    pub fn with_max_index_lag(self, max_index_lag: std::time::Duration) -> Self {
        AppState {
            max_index_lag,
            ..self
        }
    }
}

/// Runs store work off the async threads. Its error converts with `?` into the handler's own
/// (`PageError` or `ApiError`), which answers it: a user's error keeps its status, a busy
/// database is a 503, anything else a logged 500.
pub async fn blocking<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&Store) -> Result<T, crate::store::StoreError> + Send + 'static,
) -> Result<T, errors::Blocked> {
    let store = state.store.clone();
    match web::block(move || work(&store)).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(errors::Blocked::Store(error)),
        Err(error) => Err(errors::Blocked::Pool(error)),
    }
}

/// A redirect after a POST (or to the sign-in page): the browser GETs `location`.
pub fn see_other(location: &str) -> HttpResponseBuilder {
    let mut response = HttpResponse::SeeOther();
    response.insert_header((actix_web::http::header::LOCATION, location));
    response
}

/// Binds the server to `listener` and returns it, ready to be awaited.
pub fn start(listener: TcpListener, state: AppState) -> std::io::Result<Server> {
    let https = state.cookies.secure;
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(web::QueryConfig::default().error_handler(|error, _| {
                ApiError::BadParameter {
                    parameter: "query string".into(),
                    message: error.to_string(),
                    suggestions: Vec::new(),
                }
                .into()
            }))
            .wrap(middleware::from_fn(caching::conditional))
            .wrap(security_headers(https))
            .wrap(middleware::Compress::default())
            .wrap(middleware::Logger::new("%r %s %Dms").log_target("clearinghouse::http"))
            .configure(routes::configure)
            .default_service(web::to(not_found))
    })
    .shutdown_timeout(SHUTDOWN_GRACE.as_secs())
    .listen(listener)?
    .run();
    Ok(server)
}

/// Headers on every answer: no inline script, no framing, no type sniffing, no referrer leaks;
/// and when the site is served over HTTPS (`--secure-cookies`), HSTS, so browsers never come back
/// over plain HTTP, where the Secure cookie would not be sent and a man in the middle could answer.
fn security_headers(https: bool) -> middleware::DefaultHeaders {
    let headers = if https {
        middleware::DefaultHeaders::new().add((
            "Strict-Transport-Security",
            "max-age=31536000; includeSubDomains",
        ))
    } else {
        middleware::DefaultHeaders::new()
    };
    headers
        .add((
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "strict-origin-when-cross-origin"))
        .add(("X-Frame-Options", "DENY"))
}

async fn not_found(request: actix_web::HttpRequest) -> actix_web::HttpResponse {
    use actix_web::ResponseError;
    use actix_web::http::Method;
    // Every route answers GET and HEAD only.
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return actix_web::HttpResponse::MethodNotAllowed()
            .insert_header((actix_web::http::header::ALLOW, "GET, HEAD"))
            .json(errors::ErrorBody {
                error: errors::ErrorDetail::plain(format!(
                    "{} is not allowed here",
                    request.method()
                )),
            });
    }
    if request.path().starts_with("/api/") {
        ApiError::NotFound(request.path().to_owned()).error_response()
    } else {
        PageError::NotFound("There is no page at this address. Try a search instead.".to_owned())
            .error_response()
    }
}
