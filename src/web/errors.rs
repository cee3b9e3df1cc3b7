//! Errors a request can meet, and the answer each gives: a user's mistake is a 4xx naming what
//! was wrong; an internal fault is a 5xx with a log line and no details on the page.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    #[error("{parameter}: {message}")]
    BadParameter { parameter: String, message: String },
    #[error("not found: {0}")]
    NotFound(String),
    #[error("internal error: {0}")]
    Internal(String),
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
        }
    }

    fn error_response(&self) -> HttpResponse {
        let error = match self {
            ApiError::BadParameter { parameter, message } => ErrorDetail {
                parameter: Some(parameter.clone()),
                message: message.clone(),
            },
            ApiError::NotFound(what) => ErrorDetail {
                parameter: None,
                message: format!("not found: {what}"),
            },
            ApiError::Internal(_) => ErrorDetail {
                parameter: None,
                message: "something went wrong on our side; it has been logged".to_owned(),
            },
        };
        HttpResponse::build(self.status_code()).json(ErrorBody { error })
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
}

/// Errors of the HTML pages: the same causes, answered with a page in the site's style.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PageError {
    #[error("{0}")]
    BadParameter(#[from] crate::search::ParameterError),
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
    #[error("{0}")]
    Unprocessable(String),
    #[error("internal error")]
    Internal,
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
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::BadParameter(_) => StatusCode::BAD_REQUEST,
            PageError::NotFound(_) => StatusCode::NOT_FOUND,
            PageError::Forbidden(_) => StatusCode::FORBIDDEN,
            PageError::SignIn => StatusCode::SEE_OTHER,
            PageError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            PageError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            PageError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            PageError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let PageError::SignIn = self {
            return HttpResponse::SeeOther()
                .insert_header(("Location", "/login"))
                .finish();
        }
        let (heading, message) = match self {
            PageError::BadParameter(error) => {
                ("That search could not be read".to_owned(), format!("The {} parameter: {}", error.parameter, error.message))
            }
            PageError::NotFound(message) => ("Page not found".to_owned(), message.clone()),
            PageError::Forbidden(message) => ("Not allowed".to_owned(), message.clone()),
            PageError::TooManyAttempts { message, .. } => ("Too many attempts".to_owned(), message.clone()),
            PageError::TooLarge(message) => ("Too large".to_owned(), message.clone()),
            PageError::Unprocessable(message) => ("That file cannot be read".to_owned(), message.clone()),
            PageError::SignIn => ("Sign in".to_owned(), "Sign in first.".to_owned()),
            PageError::Internal => (
                "Something went wrong".to_owned(),
                "Something went wrong on our side. It has been logged; please try again in a moment.".to_owned(),
            ),
        };
        let page = ErrorPage {
            asset_version: super::pages::asset_version(),
            heading,
            message,
        };
        let mut response = super::pages::render(self.status_code(), &page);
        if let PageError::TooManyAttempts { retry_after, .. } = self {
            response.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                retry_after.seconds().into(),
            );
        }
        response
    }
}
