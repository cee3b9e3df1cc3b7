//! `/certifications/{id}` (public: what a certification asks, and the offerings approved for
//! each set) and `/me/pathways/{id}` (the learner's progress toward it and a plan that fits,
//! computed by `pathways::evaluate`).

use super::{
    asset_version, competency_label, credits_text, hours, learner, render, today, with_store,
};
use crate::catalog::{Certification, Format, Offering, RequirementKind};
use crate::pathways::{Candidate, Done, Status};
use crate::store::{Store, StoreError};
use crate::web::{AppState, PageError, views};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, route, web};
use askama::Template;
use std::collections::HashMap;

/// The day of a bundle date or date-time (`2027-03-10`, `2027-03-10T14:00:00-06:00`): the
/// offering's own calendar day.
fn day_of(text: &Option<String>) -> Option<chrono::NaiveDate> {
    let text = text.as_deref()?;
    chrono::NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

fn candidate(offering: &Offering) -> Candidate {
    Candidate {
        id: offering.id.clone(),
        title: offering.title.clone(),
        start: day_of(&offering.start),
        end: day_of(&offering.end),
        self_paced: offering.format == Format::OnlineSelfPaced,
        cost: offering.cost.clone(),
        credits: offering.credits.clone(),
        prerequisites: offering.prerequisites.clone(),
    }
}

/// Every published offering approved for the certification, and their prerequisites (and
/// theirs), by id.
fn offerings_of(
    store: &Store,
    certification: &Certification,
) -> Result<HashMap<String, Offering>, StoreError> {
    let mut found: HashMap<String, Offering> = HashMap::new();
    let mut wanted: Vec<String> = certification
        .requirements
        .iter()
        .flat_map(|r| r.approved_offerings.iter().cloned())
        .collect();
    while !wanted.is_empty() {
        let batch = store.published_by_ids(&wanted)?;
        wanted.clear();
        for stored in batch {
            for prerequisite in &stored.offering.prerequisites {
                if !found.contains_key(prerequisite) {
                    wanted.push(prerequisite.clone());
                }
            }
            found.insert(stored.offering.id.clone(), stored.offering);
        }
        wanted.retain(|id| !found.contains_key(id));
        wanted.sort();
        wanted.dedup();
    }
    Ok(found)
}

async fn certification_of(state: &AppState, id: &str) -> Result<Certification, PageError> {
    let lookup = id.to_owned();
    with_store(state, move |store| store.certification(&lookup))
        .await?
        .ok_or_else(|| PageError::NotFound(format!("There is no certification “{id}”.")))
}

/// An approved offering as the pages list it.
struct Listed {
    id: String,
    title: String,
    facts: views::Facts,
}

/// The offerings of `ids` that `offerings` holds, as the pages list them.
fn listed(ids: &[String], offerings: &HashMap<String, Offering>) -> Vec<Listed> {
    ids.iter()
        .filter_map(|id| offerings.get(id))
        .map(|o| Listed {
            id: o.id.clone(),
            title: o.title.clone(),
            facts: views::Facts::of(o),
        })
        .collect()
}

struct RequirementView {
    label: String,
    anchor: String,
    required: bool,
    approved: Vec<Listed>,
}

#[derive(Template)]
#[template(path = "certification.html")]
struct CertificationPage {
    asset_version: &'static str,
    c: Certification,
    required: Vec<RequirementView>,
    electives: Vec<RequirementView>,
}

fn anchor(competency: &str) -> String {
    format!("req-{}", competency.replace([':', '.'], "-"))
}

#[route("/certifications/{id}", method = "GET", method = "HEAD")]
pub async fn certification_page(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let certification = certification_of(&state, &id).await?;
    let rules = certification.clone();
    let (offerings, frameworks) = with_store(&state, move |store| {
        Ok((offerings_of(store, &rules)?, store.frameworks()?))
    })
    .await?;
    let view = |kind: RequirementKind| {
        certification
            .requirements
            .iter()
            .filter(|r| r.kind == kind)
            .map(|r| RequirementView {
                label: competency_label(&frameworks, &r.competency),
                anchor: anchor(&r.competency),
                required: kind == RequirementKind::Required,
                approved: listed(&r.approved_offerings, &offerings),
            })
            .collect::<Vec<_>>()
    };
    let page = CertificationPage {
        asset_version: asset_version(),
        required: view(RequirementKind::Required),
        electives: view(RequirementKind::Elective),
        c: certification,
    };
    Ok(render(StatusCode::OK, &page))
}

/// One requirement on the learner's pathway page.
struct ProgressRow {
    label: String,
    anchor: String,
    required: bool,
    /// "met", "open" or "not-needed".
    status: &'static str,
    /// The completion that meets it: (offering id, title, day).
    met_by: Option<(String, String, String)>,
    /// Upcoming approved offerings, soonest first.
    upcoming: Vec<Listed>,
    planned: String,
}

/// One step of the plan that fits.
struct StepView {
    id: String,
    title: String,
    from: String,
    to: String,
    self_paced: bool,
    /// The set it meets, or empty for a prerequisite.
    meets: String,
    cost: String,
    credits: String,
}

#[derive(Template)]
#[template(path = "pathway.html")]
struct PathwayPage {
    asset_version: &'static str,
    c: Certification,
    met: usize,
    needed: usize,
    rows: Vec<ProgressRow>,
    steps: Vec<StepView>,
    finish: String,
    cost: String,
    plan_hours: String,
    unplannable: Vec<String>,
    /// (title, day)
    expired: Vec<(String, String)>,
    deadline: String,
    today: String,
}

#[route("/me/pathways/{id}", method = "GET", method = "HEAD")]
pub async fn pathway_page(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let session = learner(&state, &request).await?;
    let certification = certification_of(&state, &id).await?;
    let rules = certification.clone();
    let user = session.user.id;
    let (offerings, frameworks, completions) = with_store(&state, move |store| {
        Ok((
            offerings_of(store, &rules)?,
            store.frameworks()?,
            store.completions(user)?,
        ))
    })
    .await?;
    let done: Vec<Done> = completions
        .iter()
        .filter_map(|c| {
            Some(Done {
                completion: c.id,
                offering_id: c.offering_id.clone()?,
                completed_on: chrono::NaiveDate::parse_from_str(&c.completed_on, "%Y-%m-%d")
                    .ok()?,
            })
        })
        .collect();
    let titles: HashMap<String, String> = completions
        .iter()
        .filter_map(|c| Some((c.offering_id.clone()?, c.title.clone())))
        .collect();
    let candidates: HashMap<String, Candidate> = offerings
        .iter()
        .map(|(id, o)| (id.clone(), candidate(o)))
        .collect();
    let today = today();
    let progress = crate::pathways::evaluate(&certification, &done, &candidates, today);
    let title_of = |id: &str| {
        offerings
            .get(id)
            .map(|o| o.title.clone())
            .or_else(|| titles.get(id).cloned())
            .unwrap_or_else(|| id.to_owned())
    };
    let rows = progress
        .requirements
        .iter()
        .map(|r| {
            let (status, met_by, planned) = match &r.status {
                Status::Met(d) => (
                    "met",
                    Some((
                        d.offering_id.clone(),
                        title_of(&d.offering_id),
                        d.completed_on.to_string(),
                    )),
                    String::new(),
                ),
                Status::Open { planned } => ("open", None, planned.clone().unwrap_or_default()),
                Status::NotNeeded => ("not-needed", None, String::new()),
            };
            ProgressRow {
                label: competency_label(&frameworks, &r.competency),
                anchor: anchor(&r.competency),
                required: r.kind == RequirementKind::Required,
                status,
                met_by,
                upcoming: listed(&r.upcoming, &offerings),
                planned,
            }
        })
        .collect();
    let steps = progress
        .plan
        .steps
        .iter()
        .map(|s| {
            let offering = offerings.get(&s.offering_id);
            StepView {
                id: s.offering_id.clone(),
                title: title_of(&s.offering_id),
                from: s.from.to_string(),
                to: s.to.to_string(),
                self_paced: s.self_paced,
                meets: s
                    .requirement
                    .as_deref()
                    .map(|c| competency_label(&frameworks, c))
                    .unwrap_or_default(),
                cost: offering.map(views::cost).unwrap_or_default(),
                credits: offering
                    .map(|o| credits_text(&o.credits))
                    .unwrap_or_default(),
            }
        })
        .collect();
    let mut cost: Vec<String> = progress
        .plan
        .cost
        .iter()
        .map(|(currency, amount)| format!("{amount:.2} {currency}"))
        .collect();
    if progress.plan.cost_unknown > 0 {
        cost.push(format!(
            "and {} without a listed cost",
            progress.plan.cost_unknown
        ));
    }
    let page = PathwayPage {
        asset_version: asset_version(),
        met: progress.met,
        needed: progress.needed,
        rows,
        steps,
        finish: progress
            .plan
            .finish
            .map(|d| d.to_string())
            .unwrap_or_default(),
        cost: cost.join(" "),
        plan_hours: hours(progress.plan.contact_hours),
        unplannable: progress
            .plan
            .unplannable
            .iter()
            .map(|c| competency_label(&frameworks, c))
            .collect(),
        expired: progress
            .expired
            .iter()
            .map(|d| (title_of(&d.offering_id), d.completed_on.to_string()))
            .collect(),
        deadline: progress.deadline.map(|d| d.to_string()).unwrap_or_default(),
        today: today.to_string(),
        c: certification,
    };
    Ok(render(StatusCode::OK, &page))
}
