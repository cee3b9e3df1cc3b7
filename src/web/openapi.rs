//! The OpenAPI 3.1 document of the JSON API, generated from the code (utoipa): the handlers' own
//! annotations, the catalog's types and the parameters below. Served at `/api/openapi.json`, and
//! as a page for people at `/api`.

use crate::catalog::{
    Audience, Competency, Cost, CreditUnit, Credits, Format, Framework, Frameworks, Level,
    Location, Offering, Provider, ProviderKind, Series,
};
use crate::search::{FacetValue, Hit, SearchResults};
use crate::web::errors::{ErrorBody, ErrorDetail};
use serde::Serialize;
use utoipa::{IntoParams, OpenApi, ToSchema};

/// The "when" filter's values.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[expect(
    dead_code,
    reason = "documents the parameter's values; the search module parses them"
)]
pub enum WhenValue {
    Week,
    Month,
    Quarter,
    Later,
    SelfPaced,
}

/// The orders results can come in.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[expect(
    dead_code,
    reason = "documents the parameter's values; the search module parses them"
)]
pub enum SortValue {
    Relevance,
    Start,
    Newest,
    Credits,
    Cost,
    /// Nearest to the place of `near` first; only with `near`.
    Nearest,
    /// Best rated by participants first (mean overall rating, then how many answered); offerings
    /// without a public rating (fewer than 5 answers) last.
    Rating,
}

/// The parameters of a search, shared by `/api/v1/search`, `/api/v1/export` and the pages.
/// Filters are repeatable: several values of one filter widen the result, different filters
/// narrow it.
#[derive(IntoParams)]
#[into_params(parameter_in = Query, style = Form)]
#[expect(
    dead_code,
    reason = "documents the parameters; SearchRequest::from_pairs reads them"
)]
pub struct SearchParameters {
    /// Words to find: all must match; `"a phrase"`, `-word`, `OR` and parentheses work.
    #[param(max_length = 1000)]
    q: Option<String>,
    #[param(explode)]
    format: Option<Vec<Format>>,
    #[param(explode)]
    audience: Option<Vec<Audience>>,
    #[param(explode)]
    level: Option<Vec<Level>>,
    /// `FRAMEWORK:CODE` (any level of the tree, e.g. `ala-core:5A`) or a whole `FRAMEWORK`.
    #[param(explode, inline, value_type = Option<Vec<String>>, pattern = r"^[a-z0-9-]+(:[A-Za-z0-9.-]+)?$", max_length = 64, max_items = 10)]
    competency: Option<Vec<String>>,
    /// Provider ids.
    #[param(explode, value_type = Option<Vec<String>>, max_length = 64, max_items = 10)]
    provider: Option<Vec<String>>,
    #[param(explode)]
    provider_kind: Option<Vec<ProviderKind>>,
    /// Where it takes place (online offerings take place nowhere): a US state or Canadian
    /// province by its postal code (`IL`, `ON`; its name, `Illinois`, is read as the code), or
    /// another country's region as written.
    #[param(explode, value_type = Option<Vec<String>>, max_length = 64, max_items = 10)]
    region: Option<Vec<String>>,
    /// The country where it takes place, ISO 3166-1 alpha-2 (online offerings have none).
    #[param(explode, value_type = Option<Vec<String>>, max_length = 64, max_items = 10)]
    country: Option<Vec<String>>,
    /// Certification programs (`cpla`, `lssc`, …).
    #[param(explode, value_type = Option<Vec<String>>, max_length = 64, max_items = 10)]
    certification: Option<Vec<String>>,
    /// BCP 47 language tags; `en` when an offering names none.
    #[param(explode, value_type = Option<Vec<String>>, max_length = 64, max_items = 10)]
    language: Option<Vec<String>>,
    /// When it starts, seen from today.
    #[param(explode)]
    when: Option<Vec<WhenValue>>,
    /// Only offerings whose stated cost is 0.
    free: Option<bool>,
    /// Only offerings that give CE credit.
    has_credits: Option<bool>,
    /// Only offerings rated by participants: those with 5 evaluation answers or more (below
    /// that no rating is public).
    rated: Option<bool>,
    /// At least this many contact hours (1 CEU = 10 contact hours).
    #[param(minimum = 0)]
    credits_min: Option<f64>,
    /// Only offerings that are free or cost at most this much in `currency`. Amounts in other
    /// currencies are not converted: those offerings are left out.
    #[param(minimum = 0)]
    cost_max: Option<f64>,
    /// Only offerings that cost more than this much in `currency` (so none that is free); with
    /// `cost_max`, a band of prices (`cost_over=50&cost_max=200`). Other currencies are not
    /// converted: those offerings are left out.
    #[param(minimum = 0)]
    cost_over: Option<f64>,
    /// The currency of `cost_max` and of the `cost` order (which lists free offerings, then
    /// this currency from the lowest, then each other currency in turn); default USD.
    #[param(value_type = Option<String>, pattern = "^[A-Za-z]{3}$")]
    currency: Option<String>,
    /// Running on or after this day.
    #[param(value_type = Option<String>, format = Date)]
    from: Option<String>,
    /// Starting on or before this day (not before `from`).
    #[param(value_type = Option<String>, format = Date)]
    to: Option<String>,
    /// Include offerings that have ended.
    include_past: Option<bool>,
    /// Only offerings taking place within `within` of this place in the US or Canada: a city,
    /// `City, ST` or `City, Province name` (`Chicago`, `Chicago, IL`, `Springfield, Illinois`,
    /// `Toronto, ON`; case and accents do not matter; a name several places share means the
    /// most populous). Online offerings, and those in cities the gazetteer does not know, are
    /// near nothing. Each hit then carries `distance_km` and `distance_miles`. A place that is
    /// not known answers 400 with `suggestions`: up to 5 known places of similar names.
    #[param(min_length = 1, max_length = 200)]
    near: Option<String>,
    /// How far from `near`: a number and `mi` or `km` (`50mi`, `80km`), above 0 and up to
    /// 3,106 mi (5,000 km). Default `50mi`; without `near` it changes nothing.
    #[param(value_type = Option<String>, pattern = r"^ *[0-9]+(\.[0-9]+)? *([mM][iI]|[kK][mM]) *$")]
    within: Option<String>,
    /// Default: relevance with words, soonest start without. `nearest` needs `near`.
    sort: Option<SortValue>,
    #[param(minimum = 1, maximum = 10000)]
    page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<u32>,
    /// `/api/v1/search` only: the facets to count, by name and separated by commas
    /// (`facets=format,level`), or `none`; default every one. Each facet costs a little time,
    /// so a program that shows two asks for two; facets not asked for are absent from `facets`.
    #[param(value_type = Option<String>, pattern = r"^(none|(format|audience|level|competency|provider|provider_kind|region|country|certification|language|when)(,(format|audience|level|competency|provider|provider_kind|region|country|certification|language|when))*)$")]
    facets: Option<String>,
}

/// The windows of the reports.
#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "documents the parameter's values; reports::Window reads them"
)]
pub enum WindowValue {
    #[schema(rename = "3m")]
    Next3,
    #[schema(rename = "6m")]
    Next6,
    #[schema(rename = "12m")]
    Next12,
    #[schema(rename = "24m")]
    Next24,
    #[schema(rename = "past-year")]
    PastYear,
}

/// How a report is sent.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[expect(
    dead_code,
    reason = "documents the parameter's values; the reports' routes read them"
)]
pub enum ReportFormat {
    Json,
    Csv,
}

/// The columns of the coverage report.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[expect(
    dead_code,
    reason = "documents the parameter's values; reports::coverage reads them"
)]
pub enum CoverageColumns {
    Format,
    Level,
    Audience,
    Region,
    Language,
    Cost,
    Credits,
}

/// The parameters every report takes.
#[derive(IntoParams)]
#[into_params(parameter_in = Query, style = Form)]
#[expect(
    dead_code,
    reason = "documents the parameters; the reports' routes read them"
)]
pub struct ReportParameters {
    /// The dates the report covers, from today (default `12m`, the next 12 months). The demand
    /// report covers as many months back.
    window: Option<WindowValue>,
    /// With `to`, instead of `window`: the first day (both must be given, `to` not before it).
    #[param(value_type = Option<String>, format = Date)]
    from: Option<String>,
    /// With `from`: the last day.
    #[param(value_type = Option<String>, format = Date)]
    to: Option<String>,
    /// `json` (default) or `csv`.
    format: Option<ReportFormat>,
}

/// The parameters of the coverage report alone.
#[derive(IntoParams)]
#[into_params(parameter_in = Query, style = Form)]
#[expect(
    dead_code,
    reason = "documents the parameters; reports::coverage reads them"
)]
pub struct CoverageParameters {
    /// The dimension across the columns (default `format`).
    by: Option<CoverageColumns>,
    /// Only this framework (an id from `/api/v1/competencies`).
    #[param(value_type = Option<String>, pattern = "^[a-z0-9-]+$")]
    framework: Option<String>,
}

/// A bundle in one object: the matching offerings and everything they reference.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportBundle {
    pub frameworks: Vec<Framework>,
    pub providers: Vec<Provider>,
    pub offerings: Vec<Offering>,
}

/// A framework with how many upcoming offerings build each of its competencies.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountedFramework {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub count: u64,
    pub competencies: Vec<CountedCompetency>,
}

/// A competency with how many upcoming offerings build it or a finer one within it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountedCompetency {
    pub code: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub count: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(no_recursion)]
    pub children: Vec<CountedCompetency>,
}

/// The frameworks' trees with counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompetencyTrees {
    pub frameworks: Vec<CountedFramework>,
}

/// What `/healthz` says. The database's figures are absent when it cannot be read.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`; `behind` when the index has lagged for too long; `unavailable` without a database.
    pub status: String,
    /// The catalog revision the searches answer from.
    pub index_revision: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_revision: Option<i64>,
    /// Revisions written to the database but not yet searchable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revisions_behind: Option<i64>,
    /// For how long the index has failed to catch up (0 while it keeps up).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds_behind: Option<f64>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "CE Clearinghouse API",
        description = "Continuing-education offerings for library staff, searchable and in the open bundle format.",
        version = "1.0.0"
    ),
    paths(
        super::routes::api::search,
        super::routes::api::offering,
        super::routes::api::offering_evaluation,
        super::routes::api::provider_evaluation,
        super::routes::api::framework_evaluation,
        super::routes::api::competency_evaluation_route,
        super::routes::api::provider_list,
        super::routes::api::provider,
        super::routes::api::competency_trees,
        super::routes::formats::export,
        super::routes::health::healthz,
        super::routes::reports::coverage_report,
        super::routes::reports::places_report,
        super::routes::reports::trends_report,
        super::routes::reports::demand_report,
    ),
    components(schemas(
        Offering,
        Provider,
        ProviderKind,
        Format,
        Audience,
        Level,
        CreditUnit,
        Location,
        Cost,
        Credits,
        Series,
        Frameworks,
        Framework,
        Competency,
        SearchResults,
        Hit,
        FacetValue,
        ErrorBody,
        ErrorDetail,
        ExportBundle,
        CompetencyTrees,
        CountedFramework,
        CountedCompetency,
        Health,
        WhenValue,
        SortValue,
        WindowValue,
        ReportFormat,
        CoverageColumns,
        crate::reports::Window,
        crate::reports::Cell,
        crate::reports::coverage::Coverage,
        crate::reports::coverage::Column,
        crate::reports::coverage::Row,
        crate::reports::places::Places,
        crate::reports::places::Place,
        crate::reports::trends::Trends,
        crate::reports::trends::Month,
        crate::reports::trends::Share,
        crate::reports::trends::Change,
        crate::reports::demand::Demand,
        crate::reports::demand::AskedSearch,
        super::routes::api::OfferingEvaluation,
        super::routes::api::GroupEvaluation,
        crate::participant_evaluations::Summary,
        crate::participant_evaluations::RatingSummary,
        crate::participant_evaluations::OutcomeSummary,
        crate::participant_evaluations::AppliedSummary
    ))
)]
pub struct ApiDoc;

/// The document as JSON.
///
/// A hit is an offering plus `score`, `snippet`, `missing_words` and, near a place, its
/// distance. utoipa writes that as `allOf`, which the
/// offering's `additionalProperties: false` (it denies unknown fields) makes unsatisfiable, so
/// the hit's schema is written out: the offering's own generated schema with those fields added.
pub fn document() -> serde_json::Value {
    let mut document = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    let schemas = &mut document["components"]["schemas"];
    let mut hit = schemas["Offering"].clone();
    hit["description"] =
        "One result: the offering in the bundle format, its score and a highlighted snippet."
            .into();
    hit["properties"]["score"] = serde_json::json!({"type": ["number", "null"], "description": "How well it matches the words, when relevance to some words orders the results; null when another order does (or there are no words)"});
    hit["properties"]["snippet"] = serde_json::json!({"type": "string", "description": "HTML: the description's best passage, escaped, with matched words in <b>"});
    hit["properties"]["missing_words"] = serde_json::json!({
        "type": "array",
        "items": {"type": "string"},
        "description": "The searcher's words (as typed) this offering does not match. Function words (\"how\", \"the\", \"para\") and words in most offerings need not match; of the others, offerings matching all come first, then those missing one, and so on. Absent when the offering matches every word."
    });
    for (unit, name) in [("km", "kilometres"), ("miles", "miles")] {
        hit["properties"][format!("distance_{unit}")] = serde_json::json!({
            "type": "number",
            "minimum": 0,
            "description": format!("With `near`: how far from that place this offering takes place, in {name}, to 0.1. Absent without `near`.")
        });
    }
    hit["properties"]["rating"] = serde_json::json!({
        "type": "number",
        "minimum": 1,
        "maximum": 5,
        "description": "Participants' mean overall rating (1 to 5, to 0.01), once 5 or more have answered its evaluation; absent before."
    });
    hit["properties"]["rating_count"] = serde_json::json!({
        "type": "integer",
        "minimum": 5,
        "description": "How many participants `rating` is of; absent without `rating`."
    });
    if let Some(required) = hit["required"].as_array_mut() {
        required.extend(["score".into(), "snippet".into()]);
    }
    schemas["Hit"] = hit;
    document
}

/// One route as the `/api` page shows it.
pub struct RouteView {
    pub method: String,
    pub path: String,
    pub summary: String,
    pub description: String,
    /// (name, where, what values, description)
    pub parameters: Vec<(String, String, String, String)>,
    /// (status, description)
    pub responses: Vec<(String, String)>,
}

/// What values a parameter's schema allows, in words.
fn values_of(schema: &serde_json::Value, components: &serde_json::Value) -> String {
    let schema = match schema.get("$ref").and_then(|r| r.as_str()) {
        Some(reference) => components
            .get(reference.rsplit('/').next().unwrap_or_default())
            .unwrap_or(schema),
        None => schema,
    };
    if let Some(items) = schema.get("items") {
        return format!("one or more of: {}", values_of(items, components));
    }
    if let Some(choices) = schema.get("enum").and_then(|e| e.as_array()) {
        return choices
            .iter()
            .filter_map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(", ");
    }
    let kind = match schema.get("type") {
        Some(serde_json::Value::Array(kinds)) => kinds
            .iter()
            .filter_map(|k| k.as_str())
            .find(|k| *k != "null")
            .unwrap_or("")
            .to_owned(),
        Some(kind) => kind.as_str().unwrap_or_default().to_owned(),
        None => String::new(),
    };
    match schema.get("format").and_then(|f| f.as_str()) {
        Some(format) => format!("{kind} ({format})"),
        None => kind,
    }
}

/// Every route of the document, for the page.
pub fn routes() -> Vec<RouteView> {
    let document = document();
    let components = &document["components"]["schemas"];
    let text = |value: &serde_json::Value| value.as_str().unwrap_or_default().to_owned();
    let mut routes = Vec::new();
    for (path, operations) in document["paths"].as_object().into_iter().flatten() {
        for (method, operation) in operations.as_object().into_iter().flatten() {
            let parameters = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    (
                        text(&p["name"]),
                        text(&p["in"]),
                        values_of(&p["schema"], components),
                        text(&p["description"]),
                    )
                })
                .collect();
            let responses = operation["responses"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(status, response)| (status.clone(), text(&response["description"])))
                .collect();
            routes.push(RouteView {
                method: method.to_uppercase(),
                path: path.clone(),
                summary: text(&operation["summary"]),
                description: text(&operation["description"]),
                parameters,
                responses,
            });
        }
    }
    routes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_schemas_list_the_wire_values() {
        let document = document();
        let values = |name: &str| -> Vec<String> {
            document["components"]["schemas"][name]["enum"]
                .as_array()
                .unwrap_or_else(|| panic!("{name} has no enum"))
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect()
        };
        let wire = |all: Vec<&str>| all.into_iter().map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(
            values("Format"),
            wire(Format::ALL.iter().map(|v| v.as_str()).collect())
        );
        assert_eq!(
            values("Audience"),
            wire(Audience::ALL.iter().map(|v| v.as_str()).collect())
        );
        assert_eq!(
            values("Level"),
            wire(Level::ALL.iter().map(|v| v.as_str()).collect())
        );
        assert_eq!(
            values("ProviderKind"),
            wire(ProviderKind::ALL.iter().map(|v| v.as_str()).collect())
        );
        assert_eq!(
            values("CreditUnit"),
            wire(CreditUnit::ALL.iter().map(|v| v.as_str()).collect())
        );
        assert_eq!(
            values("WhenValue"),
            wire(
                crate::search::WhenBucket::ALL
                    .iter()
                    .map(|v| v.as_str())
                    .collect()
            )
        );
    }

    #[test]
    fn the_facets_parameter_names_every_facet() {
        let document = document();
        let parameters = document["paths"]["/api/v1/search"]["get"]["parameters"]
            .as_array()
            .unwrap();
        let facets = parameters.iter().find(|p| p["name"] == "facets").unwrap();
        let pattern = facets["schema"]["pattern"].as_str().unwrap();
        let listed = pattern
            .split_once("(,(")
            .and_then(|(_, rest)| rest.split_once(')'))
            .map(|(names, _)| names.split('|').collect::<Vec<_>>())
            .unwrap();
        let names = crate::search::DIMENSIONS.iter().map(|spec| spec.name);
        assert_eq!(listed, names.chain(["when"]).collect::<Vec<_>>());
        assert!(pattern.starts_with(&format!("^(none|({})", listed.join("|"))));
    }
}
