//! Signing in and out, sessions and CSRF. The session cookie is signed, HttpOnly and
//! SameSite=Lax (Secure when the site is served over HTTPS); every state-changing form carries
//! the session's CSRF token, and a POST without it changes nothing and answers 403. Sign-ins are
//! limited per client and per account (see `throttle`).

use crate::store::{Role, User};
use crate::web::{AppState, PageError};
use actix_web::cookie::{Cookie, CookieJar, Key, SameSite};
use actix_web::{HttpRequest, HttpResponse};

const SESSION_COOKIE: &str = "session";
const LOGIN_COOKIE: &str = "login_csrf";
/// The participant's evaluation form has a double-submit cookie of its own: opening the
/// sign-in form in another tab, or signing in (which removes the sign-in form's cookie), leaves
/// an evaluation being written still sendable.
const EVALUATION_COOKIE: &str = "evaluation_csrf";

/// How cookies are made: signed with the catalog's key, Secure when served over HTTPS.
#[derive(Clone)]
pub struct CookieSettings {
    pub key: Key,
    pub secure: bool,
}

impl std::fmt::Debug for CookieSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CookieSettings")
            .field("secure", &self.secure)
            .finish_non_exhaustive()
    }
}

/// A signed-in user and the CSRF token of their session.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf: String,
    token: String,
}

fn signed_value(request: &HttpRequest, settings: &CookieSettings, name: &str) -> Option<String> {
    let mut jar = CookieJar::new();
    jar.add_original(request.cookie(name)?);
    jar.signed(&settings.key)
        .get(name)
        .map(|cookie| cookie.value().to_owned())
}

/// A signed cookie: HttpOnly, SameSite=Lax, for the whole site.
pub fn make_cookie(
    settings: &CookieSettings,
    name: &'static str,
    value: String,
) -> Cookie<'static> {
    let cookie = Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(settings.secure)
        .finish();
    let mut jar = CookieJar::new();
    jar.signed_mut(&settings.key).add(cookie);
    jar.delta()
        .next()
        .cloned()
        .expect("the jar holds the cookie just added")
}

fn removal(name: &'static str) -> Cookie<'static> {
    let mut cookie = Cookie::build(name, "").path("/").finish();
    cookie.make_removal();
    cookie
}

/// The session of this request, if it is signed in.
pub async fn session(
    state: &AppState,
    request: &HttpRequest,
) -> Result<Option<Session>, PageError> {
    let Some(token) = signed_value(request, &state.cookies, SESSION_COOKIE) else {
        return Ok(None);
    };
    let store = state.store.clone();
    let lookup = token.clone();
    let found = actix_web::web::block(move || store.session(&lookup))
        .await?
        .map_err(PageError::from)?;
    Ok(found.map(|(user, csrf)| Session { user, csrf, token }))
}

/// The session, which must belong to a user of `role`: anonymous visitors are sent to sign in,
/// others are refused.
pub async fn require(
    state: &AppState,
    request: &HttpRequest,
    role: Role,
) -> Result<Session, PageError> {
    match session(state, request).await? {
        Some(session) if session.user.role == role => Ok(session),
        Some(_) => Err(PageError::Forbidden(
            "This page is not for your account.".into(),
        )),
        None => Err(PageError::SignIn),
    }
}

/// The value of one field of a submitted form.
pub fn field<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// Refuses a form whose CSRF token is not the session's.
pub fn check_csrf(session: &Session, form: &[(String, String)]) -> Result<(), PageError> {
    if !session.csrf.is_empty() && field(form, "csrf") == session.csrf {
        Ok(())
    } else {
        Err(PageError::Forbidden(
            "This form has expired or did not come from this site. Reload the page and try again."
                .into(),
        ))
    }
}

/// A fresh token for the sign-in form, with the cookie that pairs with it.
pub fn login_token(state: &AppState) -> (String, Cookie<'static>) {
    double_submit_token(state, LOGIN_COOKIE)
}

/// Whether a sign-in form's token matches its cookie (double submit: no session exists yet).
pub fn login_token_ok(state: &AppState, request: &HttpRequest, form: &[(String, String)]) -> bool {
    double_submit_ok(state, request, form, LOGIN_COOKIE)
}

/// A fresh token for a participant's evaluation form, with the cookie that pairs with it.
pub fn evaluation_token(state: &AppState) -> (String, Cookie<'static>) {
    double_submit_token(state, EVALUATION_COOKIE)
}

/// Whether an evaluation form's token matches its cookie (participants have no session).
pub fn evaluation_token_ok(
    state: &AppState,
    request: &HttpRequest,
    form: &[(String, String)],
) -> bool {
    double_submit_ok(state, request, form, EVALUATION_COOKIE)
}

fn double_submit_token(state: &AppState, cookie: &'static str) -> (String, Cookie<'static>) {
    let token = crate::store::random_token();
    let cookie = make_cookie(&state.cookies, cookie, token.clone());
    (token, cookie)
}

fn double_submit_ok(
    state: &AppState,
    request: &HttpRequest,
    form: &[(String, String)],
    cookie: &'static str,
) -> bool {
    let submitted = field(form, "csrf");
    !submitted.is_empty()
        && signed_value(request, &state.cookies, cookie).as_deref() == Some(submitted)
}

/// Signs a user in: a new session and its cookie, then on to their pages.
pub async fn sign_in(state: &AppState, user: User) -> Result<HttpResponse, PageError> {
    let store = state.store.clone();
    let signed_in = user.clone();
    let token = actix_web::web::block(move || store.start_session(&signed_in))
        .await?
        .map_err(PageError::from)?;
    let home = match user.role {
        Role::Admin => "/admin",
        Role::Provider => "/provider",
        Role::Learner => "/me",
    };
    Ok(super::see_other(home)
        .cookie(make_cookie(&state.cookies, SESSION_COOKIE, token))
        .cookie(removal(LOGIN_COOKIE))
        .finish())
}

/// A cookie that removes the session cookie (after an account is deleted).
pub fn removal_of_session() -> Cookie<'static> {
    removal(SESSION_COOKIE)
}

/// Signs out: the session is deleted, so its cookie is worthless even if kept.
pub async fn sign_out(state: &AppState, session: Session) -> Result<HttpResponse, PageError> {
    let store = state.store.clone();
    actix_web::web::block(move || store.end_session(&session.token))
        .await?
        .map_err(PageError::from)?;
    Ok(super::see_other("/")
        .cookie(removal(SESSION_COOKIE))
        .finish())
}
