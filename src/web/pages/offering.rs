//! `/offerings/{id}`: everything the schema holds about one offering, laid out for reading, with
//! schema.org JSON-LD (a Course with its CourseInstance) for search engines and calendars.

use super::{asset_version, render};
use crate::catalog::{CompetencyRef, Format, Offering, OfferingStatus, Provider};
use crate::search::SearchRequest;
use crate::web::{AppState, PageError, views};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, route, web};
use askama::Template;
use serde_json::{Value, json};

#[derive(Template)]
#[template(path = "offering.html")]
pub struct OfferingPage {
    pub asset_version: &'static str,
    pub o: Offering,
    pub provider_name: String,
    pub level: String,
    pub audiences: String,
    pub facts: views::Facts,
    pub language: String,
    pub paragraphs: Vec<String>,
    /// (label, link)
    pub competencies: Vec<(String, String)>,
    pub series_title: String,
    /// (id, title, is this one)
    pub series: Vec<(String, String, bool)>,
    /// (id, title)
    pub prerequisites: Vec<(String, String)>,
    pub certifications: Vec<String>,
    /// Already escaped for a script element.
    pub json_ld: String,
    /// Its last session is over: the page says so and offers no registration.
    pub ended: bool,
    /// What participants' evaluations add up to, from `PUBLIC_MIN_RESPONSES` answers up (no
    /// free text: that is for the provider and administrators).
    pub evaluation: Option<super::evaluations::SummaryView>,
    /// Prerequisites, this offering and what comes next, drawn (none when it stands alone).
    pub path: Option<super::prerequisite_path::PathDrawing>,
    /// How many learners plan it, from `PUBLIC_MIN_LEARNERS` up; none below.
    pub planned_by: Option<i64>,
    /// Certifications with rules in the catalog that approve it: (id, name).
    pub pathways: Vec<(String, String)>,
}

/// What the page needs from the store, read in one blocking call.
struct Loaded {
    offering: Offering,
    provider: Option<Provider>,
    series: Vec<(String, String, i64)>,
    prerequisites: Vec<(String, String)>,
    frameworks: crate::catalog::Frameworks,
    evaluation: Option<crate::participant_evaluations::Summary>,
    path: Option<super::prerequisite_path::PathDrawing>,
    planned_by: Option<i64>,
    pathways: Vec<(String, String)>,
}

/// What the catalog holds under an offering's address.
enum Found {
    Published(Box<Loaded>),
    /// Once published, since taken out by its provider or an administrator.
    Withdrawn(Box<Offering>),
    Missing,
}

fn load(state: &AppState, id: &str) -> Result<Found, crate::store::StoreError> {
    let store = &state.store;
    let Some(stored) = store.offering(id)? else {
        return Ok(Found::Missing);
    };
    match stored.status {
        OfferingStatus::Published => {}
        OfferingStatus::Withdrawn => return Ok(Found::Withdrawn(Box::new(stored.offering))),
        _ => return Ok(Found::Missing),
    }
    let offering = stored.offering;
    let provider = store.provider(&offering.provider)?;
    let series = match &offering.series {
        Some(series) => store.series(&series.id)?,
        None => Vec::new(),
    };
    let mut prerequisites = Vec::new();
    for id in &offering.prerequisites {
        if let Some(found) = store.published_offering(id)? {
            prerequisites.push((found.offering.id, found.offering.title));
        }
    }
    let path = prerequisite_path(store, &offering)?;
    let planned = store.planned_count(&offering.id)?;
    let planned_by = (planned >= super::learners::PUBLIC_MIN_LEARNERS).then_some(planned);
    let pathways = store
        .certifications()?
        .into_iter()
        .filter(|c| {
            c.requirements
                .iter()
                .any(|r| r.approved_offerings.contains(&offering.id))
        })
        .map(|c| (c.id, c.name))
        .collect();
    let responses = store.evaluation_responses(&offering.id)?;
    let evaluation = crate::participant_evaluations::Summary::public_of_responses(&responses);
    Ok(Found::Published(Box::new(Loaded {
        path,
        planned_by,
        pathways,
        evaluation,
        offering,
        provider,
        series,
        prerequisites,
        frameworks: store.frameworks()?,
    })))
}

/// The prerequisites of `offering` (and theirs, a few steps back) and what names it as one.
fn prerequisite_path(
    store: &crate::store::Store,
    offering: &Offering,
) -> Result<Option<super::prerequisite_path::PathDrawing>, crate::store::StoreError> {
    let mut prerequisites = std::collections::HashMap::new();
    let mut titles = std::collections::HashMap::new();
    let mut wanted = offering.prerequisites.clone();
    prerequisites.insert(offering.id.clone(), offering.prerequisites.clone());
    for _ in 0..4 {
        if wanted.is_empty() {
            break;
        }
        let found = store.published_by_ids(&wanted)?;
        wanted.clear();
        for stored in found {
            let o = stored.offering;
            wanted.extend(
                o.prerequisites
                    .iter()
                    .filter(|p| !titles.contains_key(*p))
                    .cloned(),
            );
            prerequisites.insert(o.id.clone(), o.prerequisites.clone());
            titles.insert(o.id.clone(), o.title);
        }
    }
    let next = store.offerings_requiring(&offering.id)?;
    Ok(super::prerequisite_path::draw(
        (&offering.id, &offering.title),
        &prerequisites,
        &titles,
        &next,
    ))
}

#[route("/offerings/{id}", method = "GET", method = "HEAD")]
pub async fn offering_page(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let state = state.into_inner();
    let lookup = id.clone();
    let loading = state.clone();
    match web::block(move || load(&loading, &lookup)).await?? {
        Found::Published(loaded) => Ok(render(StatusCode::OK, &page(*loaded))),
        Found::Withdrawn(offering) => withdrawn(&state, *offering).await,
        Found::Missing => Err(PageError::NotFound(format!(
            "There is no published offering “{id}”."
        ))),
    }
}

#[derive(Template)]
#[template(path = "withdrawn.html")]
struct WithdrawnPage {
    asset_version: &'static str,
    title: String,
    /// Upcoming offerings found by its title: (id, title, when).
    similar: Vec<(String, String, String)>,
    search_link: String,
}

/// A withdrawn offering's address: 410 Gone, saying so, with similar upcoming offerings rather
/// than a bare "not found" for a link a librarian saved.
async fn withdrawn(state: &AppState, offering: Offering) -> Result<HttpResponse, PageError> {
    let request = SearchRequest {
        query: offering.title.clone(),
        per_page: SIMILAR,
        ..SearchRequest::default()
    };
    let results = super::run_search(state, request).await?;
    let similar = results
        .hits
        .into_iter()
        .filter(|hit| hit.offering.id != offering.id)
        .map(|hit| {
            let when = views::schedule(&hit.offering);
            (hit.offering.id, hit.offering.title, when)
        })
        .collect();
    let page = WithdrawnPage {
        asset_version: asset_version(),
        search_link: super::search_url(&[("q".to_owned(), offering.title.clone())]),
        title: offering.title,
        similar,
    };
    Ok(render(StatusCode::GONE, &page))
}

/// How many similar offerings a withdrawn one's page suggests.
const SIMILAR: usize = 5;

fn competency_label(
    frameworks: &crate::catalog::Frameworks,
    text: &str,
) -> Option<(String, String)> {
    let reference = CompetencyRef::parse(text).ok()?;
    let framework = frameworks
        .frameworks
        .iter()
        .find(|f| f.id == reference.framework)?;
    let flat = framework
        .flatten()
        .into_iter()
        .find(|flat| flat.competency.code == reference.code)?;
    Some((
        format!(
            "{} {} ({})",
            flat.competency.code, flat.competency.title, framework.name
        ),
        format!("/competencies/{}/{}", reference.framework, reference.code),
    ))
}

fn page(loaded: Loaded) -> OfferingPage {
    let Loaded {
        offering: o,
        provider,
        series,
        prerequisites,
        frameworks,
        evaluation,
        path,
        planned_by,
        pathways,
    } = loaded;
    let provider_name = provider
        .as_ref()
        .map_or_else(|| o.provider.clone(), |p| p.name.clone());
    let json_ld = script_safe(&json_ld(&o, provider.as_ref()));
    let now = chrono::Utc::now().timestamp();
    OfferingPage {
        asset_version: asset_version(),
        ended: o.instants().1.is_some_and(|end| end < now),
        provider_name,
        level: o.level.label().to_owned(),
        audiences: o
            .audiences
            .iter()
            .map(|a| a.label().to_lowercase())
            .collect::<Vec<_>>()
            .join(", "),
        facts: views::Facts::of(&o),
        language: crate::search::language_label(o.language_or_default()),
        paragraphs: o
            .description
            .split("\n\n")
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect(),
        competencies: o
            .competencies
            .iter()
            .filter_map(|c| competency_label(&frameworks, c))
            .collect(),
        series_title: o
            .series
            .as_ref()
            .map(|s| {
                format!(
                    "Part {} of the series {}",
                    s.position,
                    s.title.clone().unwrap_or_else(|| s.id.clone())
                )
            })
            .unwrap_or_default(),
        series: series
            .into_iter()
            .map(|(id, title, _)| {
                let this = id == o.id;
                (id, title, this)
            })
            .collect(),
        prerequisites,
        certifications: o
            .certifications
            .iter()
            .map(|c| crate::search::certification_label(c))
            .collect(),
        json_ld,
        evaluation: evaluation.as_ref().map(super::evaluations::SummaryView::of),
        path,
        planned_by,
        pathways,
        o,
    }
}

/// JSON that cannot end the script element it sits in.
fn script_safe(value: &Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// schema.org: a Course with one CourseInstance (mode, schedule, location, offers).
fn json_ld(o: &Offering, provider: Option<&Provider>) -> Value {
    let mode = match o.format {
        Format::InPerson | Format::Conference => "onsite",
        Format::Hybrid => "blended",
        Format::OnlineLive | Format::OnlineSelfPaced => "online",
    };
    let mut instance = json!({"@type": "CourseInstance", "courseMode": mode});
    if let Some(start) = &o.start {
        instance["startDate"] = json!(start);
    }
    if let Some(end) = &o.end {
        instance["endDate"] = json!(end);
    }
    instance["location"] = match &o.location {
        Some(location) => json!({
            "@type": "Place",
            "name": location.venue.clone().unwrap_or_else(|| location.city.clone()),
            "address": {"@type": "PostalAddress", "addressLocality": location.city, "addressRegion": location.region, "addressCountry": location.country}
        }),
        None => json!({"@type": "VirtualLocation", "url": o.url}),
    };
    if !o.instructors.is_empty() {
        instance["instructor"] = o
            .instructors
            .iter()
            .map(|name| json!({"@type": "Person", "name": name}))
            .collect();
    }
    let mut course = json!({
        "@context": "https://schema.org",
        "@type": "Course",
        "name": o.title,
        "description": o.description,
        "inLanguage": o.language_or_default(),
        "educationalLevel": o.level.label(),
        "hasCourseInstance": instance,
    });
    if let Some(provider) = provider {
        course["provider"] =
            json!({"@type": "Organization", "name": provider.name, "url": provider.website});
    }
    if let Some(cost) = &o.cost {
        course["offers"] = json!({"@type": "Offer", "price": serde_json::to_value(cost).map(|c| c["amount"].clone()).unwrap_or(Value::Null), "priceCurrency": cost.currency, "url": o.url, "category": if cost.amount == 0.0 { "Free" } else { "Paid" }});
    }
    if let Some(url) = &o.url {
        course["url"] = json!(url);
    }
    course
}
