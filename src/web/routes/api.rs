//! The JSON API under `/api/v1/`: a contract other programs rely on.

use crate::catalog::{Competency, Offering, Provider};
use crate::search::SearchRequest;
use crate::search::SearchResults;
use crate::web::errors::ErrorBody;
use crate::web::openapi::{CompetencyTrees, CountedCompetency, CountedFramework, SearchParameters};
use crate::web::{ApiError, AppState, blocking};
use actix_web::{HttpResponse, route, web};
use std::collections::HashMap;

/// `GET /api/v1/search`: the parameters of `SearchRequest`; answers `SearchResults`.
#[utoipa::path(
    get,
    path = "/api/v1/search",
    summary = "Search offerings",
    description = "A page of the offerings matching words and filters, with the counts of every facet (each reflecting the other active filters but not its own) and a spelling suggestion. Not every word has to match: function words need not, and when few offerings match every meaningful word, those matching most of them follow, each hit naming the words it lacks in `missing_words`. When the query as typed finds nothing, the results are those of a corrected query, named in `corrected_query`. When the words find fewer than ten offerings, offerings on related topics follow them (counted in `related`), each naming the words it lacks.",
    params(SearchParameters),
    responses(
        (status = 200, description = "The results", body = SearchResults),
        (status = 400, description = "A parameter's value could not be read; the body names it", body = ErrorBody),
    )
)]
#[route("/api/v1/search", method = "GET", method = "HEAD")]
pub async fn search(
    state: web::Data<AppState>,
    http: actix_web::HttpRequest,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let pairs = query.into_inner();
    let request = SearchRequest::from_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    let index = state.index.clone();
    let asked = request.clone();
    let results = web::block(move || index.search(&asked, chrono::Utc::now()))
        .await?
        .map_err(ApiError::from)?;
    // For the demand report; a HEAD asks nothing.
    if http.method() == actix_web::http::Method::GET {
        let today = chrono::Utc::now().date_naive();
        state.searches.record(&request, &results, today);
    }
    Ok(HttpResponse::Ok().json(results))
}

/// `GET /api/v1/offerings/{id}`: one published offering in the bundle format.
#[utoipa::path(
    get,
    path = "/api/v1/offerings/{id}",
    summary = "One offering",
    params(("id" = String, Path, description = "The offering's id")),
    responses(
        (status = 200, description = "The offering in the bundle format", body = Offering),
        (status = 404, description = "No published offering has this id", body = ErrorBody),
    )
)]
#[route("/api/v1/offerings/{id}", method = "GET", method = "HEAD")]
pub async fn offering(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let lookup = id.clone();
    let published = blocking(&state, move |store| store.published_offering(&lookup)).await?;
    json_or_404(published.map(|stored| stored.offering), || {
        format!("offering {id}")
    })
}

/// What participants' evaluations of one offering add up to.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct OfferingEvaluation {
    pub offering: String,
    /// Answers needed before a summary is published (fewer could single a participant out).
    pub minimum_responses: usize,
    /// The summary; null while fewer than `minimum_responses` participants have answered (how
    /// many have is not said either).
    pub summary: Option<crate::participant_evaluations::Summary>,
}

/// `GET /api/v1/offerings/{id}/evaluation`: the public summary of its participants' answers.
#[utoipa::path(
    get,
    path = "/api/v1/offerings/{id}/evaluation",
    summary = "What participants said of one offering",
    description = "The aggregates of participants' evaluations of a published offering: number of answers, rating distributions with means and 95% confidence intervals, the share reaching each learning outcome, the share who would recommend it. Only from `minimum_responses` (5) answers up; below that `summary` is null. Free-text answers are never published.",
    params(("id" = String, Path, description = "The offering's id")),
    responses(
        (status = 200, description = "The summary, or null below the threshold", body = OfferingEvaluation),
        (status = 404, description = "No published offering has this id", body = ErrorBody),
    )
)]
#[route("/api/v1/offerings/{id}/evaluation", method = "GET", method = "HEAD")]
pub async fn offering_evaluation(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let lookup = id.clone();
    let found = blocking(&state, move |store| {
        let Some(stored) = store.published_offering(&lookup)? else {
            return Ok(None);
        };
        let responses = store.evaluation_responses(&stored.offering.id)?;
        Ok(Some(OfferingEvaluation {
            offering: stored.offering.id,
            minimum_responses: crate::participant_evaluations::PUBLIC_MIN_RESPONSES,
            summary: crate::participant_evaluations::Summary::public_of_responses(&responses),
        }))
    })
    .await?;
    json_or_404(found, || format!("offering {id}"))
}

/// What participants' evaluations of many offerings add up to: a provider's, or those building
/// a competency.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct GroupEvaluation {
    /// What the answers are about: a provider's id, a competency as `FRAMEWORK:CODE`, or a
    /// whole framework's id.
    pub of: String,
    /// Answers needed before a summary is published (fewer could single a participant out).
    pub minimum_responses: usize,
    /// The summary of all their answers together (`outcomes` lists every learning outcome
    /// answered, `all_outcomes` pools them); null while fewer than `minimum_responses`
    /// participants have answered.
    pub summary: Option<crate::participant_evaluations::Summary>,
}

fn group_evaluation(
    of: String,
    responses: &[crate::participant_evaluations::Response],
) -> GroupEvaluation {
    GroupEvaluation {
        of,
        minimum_responses: crate::participant_evaluations::PUBLIC_MIN_RESPONSES,
        summary: crate::participant_evaluations::Summary::public_of_responses(responses),
    }
}

/// `GET /api/v1/providers/{id}/evaluation`: the public summary of all its offerings' answers.
#[utoipa::path(
    get,
    path = "/api/v1/providers/{id}/evaluation",
    summary = "What participants said of one provider's offerings",
    description = "The aggregates of participants' evaluations of all of a provider's offerings together: number of answers, rating distributions with means and 95% confidence intervals, the share reaching the learning outcomes, the share who would recommend them, and at the follow-up 60–90 days on, the share who applied what they learned (from 5 follow-up answers). Only from `minimum_responses` (5) answers up; below that `summary` is null.",
    params(("id" = String, Path, description = "The provider's id")),
    responses(
        (status = 200, description = "The summary, or null below the threshold", body = GroupEvaluation),
        (status = 404, description = "No provider has this id", body = ErrorBody),
    )
)]
#[route("/api/v1/providers/{id}/evaluation", method = "GET", method = "HEAD")]
pub async fn provider_evaluation(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let lookup = id.clone();
    let found = blocking(&state, move |store| {
        let Some(found) = store.provider(&lookup)? else {
            return Ok(None);
        };
        let responses = store.evaluation_responses_of_provider(&found.id)?;
        Ok(Some(group_evaluation(found.id, &responses)))
    })
    .await?;
    json_or_404(found, || format!("provider {id}"))
}

/// The public summary of the answers about offerings building a competency (or a framework).
async fn competency_evaluation(
    state: &AppState,
    framework: String,
    code: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let of = match &code {
        Some(code) => format!("{framework}:{code}"),
        None => framework.clone(),
    };
    let missing = of.clone();
    let found = blocking(state, move |store| {
        let frameworks = store.frameworks()?;
        let known = frameworks.frameworks.iter().any(|f| {
            f.id == framework
                && code
                    .as_ref()
                    .is_none_or(|code| f.flatten().iter().any(|flat| &flat.competency.code == code))
        });
        if !known {
            return Ok(None);
        }
        let responses = store.evaluation_responses_of_competency(&framework, code.as_deref())?;
        Ok(Some(group_evaluation(of, &responses)))
    })
    .await?;
    json_or_404(found, || format!("competency {missing}"))
}

/// `GET /api/v1/competencies/{framework}/evaluation`: a whole framework's.
#[utoipa::path(
    get,
    path = "/api/v1/competencies/{framework}/evaluation",
    summary = "What participants said of the offerings building a framework's competencies",
    description = "As `/api/v1/competencies/{framework}/{code}/evaluation`, for every published offering linked to any competency of the framework.",
    params(("framework" = String, Path, description = "The framework's id")),
    responses(
        (status = 200, description = "The summary, or null below the threshold", body = GroupEvaluation),
        (status = 404, description = "No framework has this id", body = ErrorBody),
    )
)]
#[route(
    "/api/v1/competencies/{framework}/evaluation",
    method = "GET",
    method = "HEAD"
)]
pub async fn framework_evaluation(
    state: web::Data<AppState>,
    framework: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    competency_evaluation(&state, framework.into_inner(), None).await
}

/// `GET /api/v1/competencies/{framework}/{code}/evaluation`: one competency's.
#[utoipa::path(
    get,
    path = "/api/v1/competencies/{framework}/{code}/evaluation",
    summary = "What participants said of the offerings building one competency",
    description = "The aggregates of participants' evaluations of every published offering linked to the competency or to a finer one within it (as a search for the competency finds them), together: as for a provider. Only from `minimum_responses` (5) answers up; below that `summary` is null.",
    params(
        ("framework" = String, Path, description = "The framework's id"),
        ("code" = String, Path, description = "The competency's code in the framework"),
    ),
    responses(
        (status = 200, description = "The summary, or null below the threshold", body = GroupEvaluation),
        (status = 404, description = "The framework has no such competency", body = ErrorBody),
    )
)]
#[route(
    "/api/v1/competencies/{framework}/{code}/evaluation",
    method = "GET",
    method = "HEAD"
)]
pub async fn competency_evaluation_route(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (framework, code) = path.into_inner();
    competency_evaluation(&state, framework, Some(code)).await
}

/// `GET /api/v1/providers`: every provider, in the bundle format.
#[utoipa::path(
    get,
    path = "/api/v1/providers",
    summary = "All providers",
    responses((status = 200, description = "Every provider, by id", body = Vec<Provider>))
)]
#[route("/api/v1/providers", method = "GET", method = "HEAD")]
pub async fn provider_list(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let all: Vec<Provider> = blocking(&state, |store| store.providers()).await?;
    Ok(HttpResponse::Ok().json(all))
}

/// `GET /api/v1/providers/{id}`: one provider (404 if none).
#[utoipa::path(
    get,
    path = "/api/v1/providers/{id}",
    summary = "One provider",
    params(("id" = String, Path, description = "The provider's id")),
    responses(
        (status = 200, description = "The provider in the bundle format", body = Provider),
        (status = 404, description = "No provider has this id", body = ErrorBody),
    )
)]
#[route("/api/v1/providers/{id}", method = "GET", method = "HEAD")]
pub async fn provider(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let lookup = id.clone();
    let provider = blocking(&state, move |store| store.provider(&lookup)).await?;
    json_or_404(provider, || format!("provider {id}"))
}

/// `found` as JSON, or a 404 that names what was `missing`.
fn json_or_404<T: serde::Serialize>(
    found: Option<T>,
    missing: impl FnOnce() -> String,
) -> Result<HttpResponse, ApiError> {
    match found {
        Some(value) => Ok(HttpResponse::Ok().json(value)),
        None => Err(ApiError::NotFound(missing())),
    }
}

fn counted(
    framework: &str,
    competency: &Competency,
    counts: &HashMap<String, u64>,
) -> CountedCompetency {
    CountedCompetency {
        code: competency.code.clone(),
        title: competency.title.clone(),
        description: competency.description.clone(),
        count: counts
            .get(&format!("{framework}:{}", competency.code))
            .copied()
            .unwrap_or(0),
        children: competency
            .children
            .iter()
            .map(|child| counted(framework, child, counts))
            .collect(),
    }
}

/// `GET /api/v1/competencies`: the frameworks' trees, each competency with its count of upcoming
/// offerings.
#[utoipa::path(
    get,
    path = "/api/v1/competencies",
    summary = "Competency frameworks with counts",
    responses((status = 200, description = "Each framework's tree; counts are of upcoming offerings, including those linked to finer competencies", body = CompetencyTrees))
)]
#[route("/api/v1/competencies", method = "GET", method = "HEAD")]
pub async fn competency_trees(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let (frameworks, results) = web::block(move || -> Result<_, ApiError> {
        let frameworks = state.store.frameworks()?;
        let request = SearchRequest {
            per_page: 1,
            ..SearchRequest::default()
        };
        let results = state.index.search(&request, chrono::Utc::now())?;
        Ok((frameworks, results))
    })
    .await??;
    let counts: HashMap<String, u64> = results
        .facets
        .get("competency")
        .into_iter()
        .flatten()
        .map(|v| (v.value.clone(), v.count))
        .collect();
    let frameworks = frameworks
        .frameworks
        .into_iter()
        .map(|framework| CountedFramework {
            count: counts.get(&framework.id).copied().unwrap_or(0),
            competencies: framework
                .competencies
                .iter()
                .map(|c| counted(&framework.id, c, &counts))
                .collect(),
            id: framework.id,
            name: framework.name,
            publisher: framework.publisher,
            url: framework.url,
        })
        .collect();
    Ok(HttpResponse::Ok().json(CompetencyTrees { frameworks }))
}
