//! Errors a request can meet, and the answer each gives: a user's mistake is a 4xx naming what
//! was wrong; an internal fault is a 5xx with a log line and no details on the page.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    #[error("{parameter}: {message}")]
    BadParameter {
        parameter: String,
        message: String,
        suggestions: Vec<String>,
    },
    #[error("not found: {0}")]
    NotFound(String),
    #[error("internal error: {0}")]
    Internal(String),
    #[error("unavailable: {0}")]
    Unavailable(String),
}

/// What `Retry-After` says when the database is busy or failing.
const RETRY_AFTER_SECONDS: u32 = 5;

/// Why store work run by `web::blocking` failed: the store's error, or the blocking pool's.
#[derive(Debug)]
pub enum Blocked {
    Store(crate::store::StoreError),
    Pool(actix_web::error::BlockingError),
}

impl From<Blocked> for ApiError {
    fn from(error: Blocked) -> Self {
        match error {
            Blocked::Store(error) => error.into(),
            Blocked::Pool(error) => error.into(),
        }
    }
}

impl From<Blocked> for PageError {
    fn from(error: Blocked) -> Self {
        match error {
            Blocked::Store(error) => error.into(),
            Blocked::Pool(error) => error.into(),
        }
    }
}

/// A search failure: the store's are answered as store failures, the index's as a logged 500.
impl From<crate::search::SearchError> for ApiError {
    fn from(error: crate::search::SearchError) -> Self {
        match error {
            crate::search::SearchError::Store(error) => error.into(),
            error => ApiError::internal(error),
        }
    }
}

impl From<crate::search::SearchError> for PageError {
    fn from(error: crate::search::SearchError) -> Self {
        match error {
            crate::search::SearchError::Store(error) => error.into(),
            error => PageError::internal(error),
        }
    }
}

/// A store failure: a busy or failing database is a logged 503, anything else a logged 500.
impl From<crate::store::StoreError> for ApiError {
    fn from(error: crate::store::StoreError) -> Self {
        match error {
            crate::store::StoreError::NotFound(what) => ApiError::NotFound(what),
            error if error.is_unavailable() => {
                tracing::error!(%error, "the database is unavailable");
                ApiError::Unavailable(error.to_string())
            }
            error => ApiError::internal(error),
        }
    }
}

impl ApiError {
    /// Logs an internal fault and hides its details from the client.
    pub fn internal(error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "request failed");
        ApiError::Internal(error.to_string())
    }
}

impl From<crate::search::ParameterError> for ApiError {
    fn from(error: crate::search::ParameterError) -> Self {
        ApiError::BadParameter {
            parameter: error.parameter,
            message: error.message,
            suggestions: error.suggestions,
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        ApiError::internal(error)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadParameter { .. } => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let error = match self {
            ApiError::BadParameter {
                parameter,
                message,
                suggestions,
            } => ErrorDetail {
                parameter: Some(parameter.clone()),
                message: message.clone(),
                suggestions: suggestions.clone(),
            },
            ApiError::NotFound(what) => ErrorDetail::plain(format!("not found: {what}")),
            ApiError::Internal(_) => ErrorDetail::plain(
                "something went wrong on our side; it has been logged".to_owned(),
            ),
            ApiError::Unavailable(_) => ErrorDetail::plain(format!(
                "the catalog cannot answer just now; try again in {RETRY_AFTER_SECONDS} seconds"
            )),
        };
        let mut response = HttpResponse::build(self.status_code());
        if let ApiError::Unavailable(_) = self {
            response.insert_header((actix_web::http::header::RETRY_AFTER, RETRY_AFTER_SECONDS));
        }
        response.json(ErrorBody { error })
    }
}

/// The body of every API error.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong, and with which parameter when one was at fault.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    pub message: String,
    /// Values of the parameter that would be understood, most likely first (for `near`: known
    /// places with names like the one given, as `City, ST`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<String>,
}

impl ErrorDetail {
    /// A message about no parameter in particular.
    pub fn plain(message: String) -> Self {
        ErrorDetail {
            parameter: None,
            message,
            suggestions: Vec::new(),
        }
    }
}

/// Errors of the HTML pages: the same causes, answered with a page in the site's style.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PageError {
    #[error("{0}")]
    BadParameter(#[from] crate::search::ParameterError),
    /// A search parameter with values that would be understood, each offered as a link:
    /// (label, URL).
    #[error("{message}")]
    BadSearch {
        heading: String,
        message: String,
        links: Vec<(String, String)>,
    },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("sign in first")]
    SignIn,
    /// Too many attempts: the message says when to try again, as `Retry-After` does.
    #[error("{message}")]
    TooManyAttempts {
        message: String,
        retry_after: super::throttle::Throttled,
    },
    #[error("{0}")]
    TooLarge(String),
    /// Sound, but not possible in the catalog's present state (already decided, queue full).
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unprocessable(String),
    /// What was asked is not valid (the messages name the fields).
    #[error("{0}")]
    Invalid(String),
    #[error("internal error")]
    Internal,
    /// The database is busy or failing: try again shortly (`Retry-After`).
    #[error("unavailable")]
    Unavailable,
}

/// A store failure a handler did not answer itself: the user's errors keep their meaning; a busy
/// or failing database is a logged 503; anything else a logged 500.
impl From<crate::store::StoreError> for PageError {
    fn from(error: crate::store::StoreError) -> Self {
        use crate::store::StoreError;
        match error {
            StoreError::NotFound(what) => PageError::NotFound(format!("There is no {what}.")),
            StoreError::InvalidOffering(errors) => PageError::Invalid(
                errors
                    .iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            StoreError::Forbidden(message) => PageError::Forbidden(message),
            StoreError::Conflict(message) => PageError::Conflict(message),
            full @ StoreError::QueueFull { .. } => PageError::Conflict(format!("{full}.")),
            error if error.is_unavailable() => {
                tracing::error!(%error, "the database is unavailable");
                PageError::Unavailable
            }
            error => PageError::internal(error),
        }
    }
}

impl PageError {
    /// Logs an internal fault; the page says only that something went wrong.
    pub fn internal(error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "page failed");
        PageError::Internal
    }
}

impl PageError {
    /// A refused attempt: `what` happened too often; the page and `Retry-After` say when to try
    /// again.
    pub fn throttled(what: &str, wait: super::throttle::Throttled) -> Self {
        PageError::TooManyAttempts {
            message: format!("{what} Try again {}.", wait.wait_phrase()),
            retry_after: wait,
        }
    }
}

impl From<actix_web::error::BlockingError> for PageError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        PageError::internal(error)
    }
}

#[derive(askama::Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub asset_version: &'static str,
    pub heading: String,
    pub message: String,
    /// "Did you mean" links: (label, URL).
    pub suggestions: Vec<(String, String)>,
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::BadParameter(_) | PageError::BadSearch { .. } => StatusCode::BAD_REQUEST,
            PageError::NotFound(_) => StatusCode::NOT_FOUND,
            PageError::Forbidden(_) => StatusCode::FORBIDDEN,
            PageError::SignIn => StatusCode::SEE_OTHER,
            PageError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            PageError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            PageError::Conflict(_) => StatusCode::CONFLICT,
            PageError::Unprocessable(_) | PageError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            PageError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            PageError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let PageError::SignIn = self {
            return super::see_other("/login").finish();
        }
        let (heading, message) = match self {
            PageError::BadParameter(error) => {
                ("That search could not be read".to_owned(), format!("The {} parameter: {}", error.parameter, error.message))
            }
            PageError::BadSearch { heading, message, .. } => (heading.clone(), message.clone()),
            PageError::NotFound(message) => ("Page not found".to_owned(), message.clone()),
            PageError::Forbidden(message) => ("Not allowed".to_owned(), message.clone()),
            PageError::TooManyAttempts { message, .. } => ("Too many attempts".to_owned(), message.clone()),
            PageError::TooLarge(message) => ("Too large".to_owned(), message.clone()),
            PageError::Conflict(message) => ("Not possible now".to_owned(), message.clone()),
            PageError::Unprocessable(message) => ("That file cannot be read".to_owned(), message.clone()),
            PageError::Invalid(message) => ("That cannot be done as it is".to_owned(), message.clone()),
            PageError::SignIn => ("Sign in".to_owned(), "Sign in first.".to_owned()),
            PageError::Unavailable => (
                "Busy for a moment".to_owned(),
                format!("The catalog cannot save or answer just now. Nothing was lost; please try again in {RETRY_AFTER_SECONDS} seconds."),
            ),
            PageError::Internal => (
                "Something went wrong".to_owned(),
                "Something went wrong on our side. It has been logged; please try again in a moment.".to_owned(),
            ),
        };
        let suggestions = match self {
            PageError::BadSearch { links, .. } => links.clone(),
            _ => Vec::new(),
        };
        let page = ErrorPage {
            asset_version: super::pages::asset_version(),
            heading,
            message,
            suggestions,
        };
        let mut response = super::pages::render(self.status_code(), &page);
        if let PageError::TooManyAttempts { retry_after, .. } = self {
            response.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                retry_after.seconds().into(),
            );
        }
        if let PageError::Unavailable = self {
            response.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                RETRY_AFTER_SECONDS.into(),
            );
        }
        response
    }
}
