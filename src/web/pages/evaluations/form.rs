//! `/evaluate/{token}`: the participant's form. No account: the link's unguessable token is the
//! key, and the form carries a double-submit token (the sign-in form's pattern) so another site
//! cannot post it from a participant's browser. A single-use link answers once; the shared link
//! is limited per offering, and answers in a burst are flagged for administrators.

use super::{Notice, choices, offering_of_link};
use crate::catalog::{Audience, Offering};
use crate::participant_evaluations::{Answer, MAX_TEXT, OutcomeRating, email_address};
use crate::store::{LinkKind, NewFollowup, StoreError};
use crate::web::accounts::{self, field};
use crate::web::pages::{asset_version, render};
use crate::web::{AppState, PageError, see_other};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, route, web};
use askama::Template;

/// A choice among radio buttons or options: (value, label, chosen).
type Choice = (String, String, bool);

/// One question answered with radio buttons.
struct Question {
    /// The form field's name, also the fieldset's id for the error summary's link.
    name: String,
    legend: String,
    choices: Vec<Choice>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "evaluation_form.html")]
struct FormPage {
    asset_version: &'static str,
    token: String,
    csrf: String,
    title: String,
    /// (field name, message), in the form's order.
    errors: Vec<(String, String)>,
    ratings: Vec<Question>,
    outcomes: Vec<Question>,
    /// "Would you recommend it?" (a list, so the template includes it as it does the others).
    closing: Vec<Question>,
    roles: Vec<Choice>,
    role_error: Option<String>,
    different: String,
    different_error: Option<String>,
    max_text: usize,
    email: String,
    email_error: Option<String>,
}

const SCALE: [&str; 5] = ["1 (poor)", "2", "3", "4", "5 (excellent)"];

fn scale(name: &str, legend: &str, optional: bool, form: &[(String, String)]) -> Question {
    let chosen = field(form, name);
    let mut choices: Vec<Choice> = SCALE
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let value = (i + 1).to_string();
            let checked = chosen == value;
            (value, (*label).to_owned(), checked)
        })
        .collect();
    if optional {
        choices.push((
            String::new(),
            "I'd rather not say".into(),
            chosen.is_empty(),
        ));
    }
    Question {
        name: name.to_owned(),
        legend: legend.to_owned(),
        choices,
        error: None,
    }
}

fn outcome_field(index: usize) -> String {
    format!("outcome-{index}")
}

impl FormPage {
    /// The form for the offering with the values of `form` and the problems `errors` names.
    fn new(
        state: &AppState,
        token: &str,
        offering: &Offering,
        form: &[(String, String)],
        errors: Vec<(String, String)>,
    ) -> (Self, actix_web::cookie::Cookie<'static>) {
        let (csrf, cookie) = accounts::evaluation_token(state);
        let error_of = |name: &str| {
            errors
                .iter()
                .find(|(field, _)| field == name)
                .map(|(_, message)| message.clone())
        };
        let mut ratings = vec![
            scale("overall", "Overall, how would you rate it?", false, form),
            scale(
                "relevance",
                "How relevant was it to your work?",
                false,
                form,
            ),
        ];
        if !offering.instructors.is_empty() {
            ratings.push(scale(
                "instructor",
                "How would you rate the instructor?",
                true,
                form,
            ));
        }
        for question in &mut ratings {
            question.error = error_of(&question.name);
        }
        let outcomes = offering
            .learning_outcomes
            .iter()
            .enumerate()
            .map(|(i, outcome)| {
                let name = outcome_field(i);
                let chosen = field(form, &name);
                Question {
                    error: error_of(&name),
                    legend: format!("I can now: {outcome}"),
                    choices: choices::<OutcomeRating>(chosen),
                    name,
                }
            })
            .collect();
        let recommend_chosen = field(form, "recommend");
        let recommend = Question {
            name: "recommend".into(),
            legend: "Would you recommend it to a colleague?".into(),
            choices: [("yes", "Yes"), ("no", "No")]
                .iter()
                .map(|(v, l)| ((*v).to_owned(), (*l).to_owned(), recommend_chosen == *v))
                .collect(),
            error: error_of("recommend"),
        };
        let role = field(form, "role");
        let page = FormPage {
            asset_version: asset_version(),
            token: token.to_owned(),
            csrf,
            title: offering.title.clone(),
            ratings,
            outcomes,
            closing: vec![recommend],
            roles: choices::<Audience>(role),
            role_error: error_of("role"),
            different: field(form, "different").to_owned(),
            different_error: error_of("different"),
            max_text: MAX_TEXT,
            email: field(form, "email").to_owned(),
            email_error: error_of("email"),
            errors,
        };
        (page, cookie)
    }
}

fn show(
    state: &AppState,
    status: StatusCode,
    token: &str,
    offering: &Offering,
    form: &[(String, String)],
    errors: Vec<(String, String)>,
) -> HttpResponse {
    let (page, cookie) = FormPage::new(state, token, offering, form, errors);
    let mut response = render(status, &page);
    let _ = response.add_cookie(&cookie);
    response
}

/// A 1–5 rating from the form, or the problem with it.
fn rating(form: &[(String, String)], name: &str, label: &str) -> Result<Option<u8>, String> {
    let value = field(form, name).trim();
    if value.is_empty() {
        return Ok(None);
    }
    match value.parse::<u8>() {
        Ok(n @ 1..=5) => Ok(Some(n)),
        _ => Err(format!("{label}: choose a rating from 1 to 5")),
    }
}

/// The address left for the follow-up, if any, or the problem with it (named by its field).
pub(super) fn read_email(form: &[(String, String)]) -> Result<Option<String>, (String, String)> {
    let text = field(form, "email").trim();
    if text.is_empty() {
        return Ok(None);
    }
    email_address(text).map(Some).map_err(|message| {
        (
            "email".to_owned(),
            format!("E-mail address for the follow-up: {message}"),
        )
    })
}

/// The answer the form gives, or every problem with it, each naming its field.
pub(super) fn read_answer(
    form: &[(String, String)],
    offering: &Offering,
) -> Result<Answer, Vec<(String, String)>> {
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut required = |name: &str, label: &str| match rating(form, name, label) {
        Ok(Some(n)) => n,
        Ok(None) => {
            errors.push((name.into(), format!("{label}: choose a rating from 1 to 5")));
            0
        }
        Err(message) => {
            errors.push((name.into(), message));
            0
        }
    };
    let overall = required("overall", "Overall rating");
    let relevance = required("relevance", "Relevance to your work");
    let instructor = rating(form, "instructor", "Instructor").unwrap_or_else(|message| {
        errors.push(("instructor".into(), message));
        None
    });
    let mut outcomes = Vec::new();
    for (i, outcome) in offering.learning_outcomes.iter().enumerate() {
        let name = outcome_field(i);
        match field(form, &name).parse::<OutcomeRating>() {
            Ok(rating) => outcomes.push((outcome.clone(), rating)),
            Err(_) => errors.push((name, format!("“{outcome}”: choose not, partly or fully"))),
        }
    }
    let recommend = match field(form, "recommend") {
        "yes" => true,
        "no" => false,
        _ => {
            errors.push((
                "recommend".into(),
                "Would you recommend it: choose yes or no".into(),
            ));
            false
        }
    };
    let role = field(form, "role").parse::<Audience>().map_err(|_| {
        errors.push(("role".into(), "Your role: choose one from the list".into()));
    });
    let different = field(form, "different").trim().to_owned();
    if different.chars().count() > MAX_TEXT {
        errors.push((
            "different".into(),
            format!("What you will do differently: at most {MAX_TEXT} characters"),
        ));
    }
    match role {
        Ok(role) if errors.is_empty() => Ok(Answer {
            overall,
            relevance,
            instructor,
            recommend,
            role,
            outcomes,
            different,
        }),
        _ => Err(errors),
    }
}

#[route("/evaluate/thanks", method = "GET", method = "HEAD")]
pub async fn thanks() -> HttpResponse {
    Notice::new(
        "Thank you",
        "Your answer is saved. The provider reads every answer; the catalog shows a summary once five people have answered.",
    )
    .render(StatusCode::OK)
}

#[route("/evaluate/{token}", method = "GET", method = "HEAD")]
pub async fn evaluation_form(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let (link, offering) = offering_of_link(&state, &token).await?;
    if link.answered {
        return Ok(Notice::answered().render(StatusCode::GONE));
    }
    Ok(show(
        &state,
        StatusCode::OK,
        &token,
        &offering,
        &[],
        Vec::new(),
    ))
}

#[route("/evaluate/{token}", method = "POST")]
pub async fn send_answer(
    state: web::Data<AppState>,
    request: HttpRequest,
    token: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let token = token.into_inner();
    let (link, offering) = offering_of_link(&state, &token).await?;
    if link.answered {
        return Ok(Notice::answered().render(StatusCode::GONE));
    }
    if !accounts::evaluation_token_ok(&state, &request, &form) {
        return Err(PageError::Forbidden(
            "This form has expired. Reload the page and answer again.".into(),
        ));
    }
    let (answer, email) = match (read_answer(&form, &offering), read_email(&form)) {
        (Ok(answer), Ok(email)) => (answer, email),
        (answer, email) => {
            let mut errors = answer.err().unwrap_or_default();
            errors.extend(email.err());
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(show(&state, status, &token, &offering, &form, errors));
        }
    };
    let followup = email.map(|email| NewFollowup {
        email,
        site: super::site(&request),
        after_days: state.followup_after_days,
    });
    let burst = match link.kind {
        LinkKind::Shared => state
            .throttle
            .shared_evaluation(&offering.id)
            .map_err(|wait| {
                PageError::throttled("Very many answers are arriving for this offering.", wait)
            })?,
        LinkKind::SingleUse => false,
    };
    let store = state.store.clone();
    match web::block(move || store.answer_evaluation(&token, &answer, burst, followup.as_ref()))
        .await?
    {
        Ok(id) => {
            // Public pages summarising answers change: their ETags must too.
            state
                .newest_evaluation
                .fetch_max(id, std::sync::atomic::Ordering::Relaxed);
            Ok(see_other("/evaluate/thanks").finish())
        }
        Err(StoreError::Conflict(_)) => Ok(Notice::answered().render(StatusCode::GONE)),
        Err(error) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offering() -> Offering {
        serde_json::from_value(serde_json::json!({
            "id": "shelf-reading-2027", "title": "Shelf Reading Routines",
            "description": "Short daily routines that keep a collection in order.",
            "provider": "ala-pla", "format": "online_live",
            "audiences": ["support_staff"], "level": "introductory",
            "learning_outcomes": ["Read a shelf", "Train a page"]
        }))
        .unwrap()
    }

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_complete_form_is_an_answer_with_the_offerings_own_outcomes() {
        let given = form(&[
            ("overall", "5"),
            ("relevance", "3"),
            ("outcome-0", "fully"),
            ("outcome-1", "partly"),
            ("recommend", "no"),
            ("role", "support_staff"),
            ("different", "  Shelf-read daily  "),
        ]);
        let read = read_answer(&given, &offering()).unwrap();
        assert_eq!(
            (read.overall, read.relevance, read.instructor),
            (5, 3, None)
        );
        assert_eq!(
            read.outcomes,
            vec![
                ("Read a shelf".to_owned(), OutcomeRating::Fully),
                ("Train a page".to_owned(), OutcomeRating::Partly)
            ]
        );
        assert!(!read.recommend);
        assert_eq!(read.different, "Shelf-read daily");
    }

    #[test]
    fn a_follow_up_address_is_optional_and_checked() {
        assert_eq!(read_email(&form(&[("email", "  ")])), Ok(None));
        assert_eq!(
            read_email(&form(&[("email", " reader@example.org ")])),
            Ok(Some("reader@example.org".to_owned()))
        );
        let (name, message) = read_email(&form(&[("email", "reader at example")])).unwrap_err();
        assert_eq!(name, "email");
        assert!(
            message.starts_with("E-mail address for the follow-up"),
            "{message}"
        );
    }

    #[test]
    fn every_problem_names_its_field() {
        let given = form(&[
            ("overall", "6"),
            ("instructor", "0"),
            ("outcome-0", "maybe"),
        ]);
        let problems = read_answer(&given, &offering()).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            [
                "overall",
                "relevance",
                "instructor",
                "outcome-0",
                "outcome-1",
                "recommend",
                "role"
            ]
        );
    }
}
