//! The ways in: the home page, providers, and the competency frameworks as trees with counts.

use super::evaluations::SummaryView;
use super::{
    ResultItem, asset_version, provider_names, render, run_search, search_url, with_store,
};
use crate::catalog::{Framework, Provider, ProviderKind};
use crate::participant_evaluations::Summary;
use crate::search::{SearchRequest, SearchResults, Sort};
use crate::web::{AppState, PageError};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, route, web};
use askama::Template;
use std::collections::HashMap;

/// Counts of one facet of a search, by value.
fn counts(results: &SearchResults, facet: &str) -> HashMap<String, u64> {
    results
        .facets
        .get(facet)
        .into_iter()
        .flatten()
        .map(|v| (v.value.clone(), v.count))
        .collect()
}

/// (label, search link, count) for every value of a facet.
fn ways(results: &SearchResults, facet: &str, depth: Option<usize>) -> Vec<(String, String, u64)> {
    results
        .facets
        .get(facet)
        .into_iter()
        .flatten()
        .filter(|v| depth.is_none() || v.depth == depth)
        .map(|v| {
            let link = if facet == "competency" {
                format!("/competencies/{}", v.value)
            } else {
                search_url(&[(facet.to_owned(), v.value.clone())])
            };
            (v.label.clone(), link, v.count)
        })
        .collect()
}

fn request(filters: &[(&'static str, &str)], sort: Sort, per_page: usize) -> SearchRequest {
    let mut request = SearchRequest {
        sort: Some(sort),
        per_page,
        ..SearchRequest::default()
    };
    for (name, value) in filters {
        request
            .filters
            .entry(name)
            .or_default()
            .push((*value).to_owned());
    }
    request
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub asset_version: &'static str,
    pub offering_count: usize,
    pub provider_count: usize,
    pub frameworks: Vec<(String, String, u64)>,
    pub formats: Vec<(String, String, u64)>,
    pub audiences: Vec<(String, String, u64)>,
    pub soon: Vec<ResultItem>,
    pub newest: Vec<ResultItem>,
}

#[route("/", method = "GET", method = "HEAD")]
pub async fn home_page(state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let names = provider_names(&state).await?;
    let soon = run_search(&state, request(&[], Sort::Start, 5)).await?;
    let newest = run_search(&state, request(&[], Sort::Newest, 5)).await?;
    let page = HomePage {
        asset_version: asset_version(),
        offering_count: soon.total,
        provider_count: names.len(),
        frameworks: ways(&soon, "competency", Some(0)),
        formats: ways(&soon, "format", None),
        audiences: ways(&soon, "audience", None),
        soon: soon
            .hits
            .iter()
            .map(|hit| ResultItem::new(hit, &names))
            .collect(),
        newest: newest
            .hits
            .iter()
            .map(|hit| ResultItem::new(hit, &names))
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

/// Providers of one kind: (kind value, kind label, [(id, name, upcoming count)]).
pub type ProviderGroup = (&'static str, &'static str, Vec<(String, String, u64)>);

#[derive(Template)]
#[template(path = "providers.html")]
pub struct ProvidersPage {
    pub asset_version: &'static str,
    pub groups: Vec<ProviderGroup>,
}

#[route("/providers", method = "GET", method = "HEAD")]
pub async fn providers_page(state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let all = with_store(&state, |store| store.providers()).await?;
    let results = run_search(&state, request(&[], Sort::Start, 1)).await?;
    let upcoming = counts(&results, "provider");
    let groups = ProviderKind::ALL
        .iter()
        .map(|kind| {
            let mut members: Vec<(String, String, u64)> = all
                .iter()
                .filter(|p| p.kind == *kind)
                .map(|p| {
                    (
                        p.id.clone(),
                        p.name.clone(),
                        upcoming.get(&p.id).copied().unwrap_or(0),
                    )
                })
                .collect();
            members.sort_by(|a, b| a.1.cmp(&b.1));
            (kind.as_str(), kind.label(), members)
        })
        .filter(|(_, _, members)| !members.is_empty())
        .collect();
    Ok(render(
        StatusCode::OK,
        &ProvidersPage {
            asset_version: asset_version(),
            groups,
        },
    ))
}

#[derive(Template)]
#[template(path = "provider.html")]
pub struct ProviderPage {
    pub asset_version: &'static str,
    pub provider: Provider,
    pub kind: &'static str,
    pub place: String,
    pub total: usize,
    pub results: Vec<ResultItem>,
    pub all_url: String,
    pub past_url: String,
    /// What participants said of its offerings together, from `PUBLIC_MIN_RESPONSES` up.
    pub evaluation: Option<super::evaluations::SummaryView>,
}

#[route("/providers/{id}", method = "GET", method = "HEAD")]
pub async fn provider_page(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let lookup = id.clone();
    let Some(provider) = with_store(&state, move |store| store.provider(&lookup)).await? else {
        return Err(PageError::NotFound(format!("There is no provider “{id}”.")));
    };
    // Every result is this provider's.
    let names = HashMap::from([(provider.id.clone(), provider.name.clone())]);
    let results = run_search(&state, request(&[("provider", &id)], Sort::Start, 20)).await?;
    let lookup = provider.id.clone();
    let evaluation = with_store(&state, move |store| {
        store.evaluation_responses_of_provider(&lookup)
    })
    .await?;
    let evaluation = Summary::public_of_responses(&evaluation).map(|s| SummaryView::of_many(&s));
    let page = ProviderPage {
        evaluation,
        asset_version: asset_version(),
        kind: provider.kind.label(),
        place: crate::web::views::region_and_country(
            provider.region.as_deref(),
            provider.country.as_deref(),
        ),
        total: results.total,
        results: results
            .hits
            .iter()
            .map(|hit| ResultItem::new(hit, &names))
            .collect(),
        all_url: search_url(&[("provider".into(), id.clone())]),
        past_url: search_url(&[
            ("provider".into(), id.clone()),
            ("include_past".into(), "true".into()),
        ]),
        provider,
    };
    Ok(render(StatusCode::OK, &page))
}

pub struct FrameworkView {
    pub id: String,
    pub name: String,
    pub publisher: Option<String>,
    pub count: u64,
    pub nodes: Vec<TreeNode>,
}

pub struct TreeNode {
    pub label: String,
    pub url: String,
    pub count: u64,
    pub depth: usize,
}

#[derive(Template)]
#[template(path = "competencies.html")]
pub struct CompetenciesPage {
    pub asset_version: &'static str,
    pub frameworks: Vec<FrameworkView>,
}

fn tree(framework: &Framework, counts: &HashMap<String, u64>) -> Vec<TreeNode> {
    let mut depths: HashMap<&str, usize> = HashMap::new();
    framework
        .flatten()
        .into_iter()
        .map(|flat| {
            let depth = flat.parent.and_then(|p| depths.get(p)).map_or(0, |d| d + 1);
            depths.insert(&flat.competency.code, depth);
            let value = format!("{}:{}", framework.id, flat.competency.code);
            TreeNode {
                label: format!("{} {}", flat.competency.code, flat.competency.title),
                url: format!("/competencies/{}/{}", framework.id, flat.competency.code),
                count: counts.get(&value).copied().unwrap_or(0),
                depth,
            }
        })
        .collect()
}

#[route("/competencies", method = "GET", method = "HEAD")]
pub async fn competencies_page(state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let frameworks = with_store(&state, |store| store.frameworks()).await?;
    let results = run_search(&state, request(&[], Sort::Start, 1)).await?;
    let counts = counts(&results, "competency");
    let frameworks = frameworks
        .frameworks
        .iter()
        .map(|framework| FrameworkView {
            id: framework.id.clone(),
            name: framework.name.clone(),
            publisher: framework.publisher.clone(),
            count: counts.get(&framework.id).copied().unwrap_or(0),
            nodes: tree(framework, &counts),
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &CompetenciesPage {
            asset_version: asset_version(),
            frameworks,
        },
    ))
}

#[derive(Template)]
#[template(path = "competency.html")]
pub struct CompetencyPage {
    pub asset_version: &'static str,
    pub heading: String,
    pub description: Option<String>,
    /// (label, link)
    pub breadcrumbs: Vec<(String, String)>,
    /// (label, link, count)
    pub children: Vec<(String, String, u64)>,
    pub total: usize,
    pub results: Vec<ResultItem>,
    pub all_url: String,
    /// What participants said of the offerings building it, from `PUBLIC_MIN_RESPONSES` up.
    pub evaluation: Option<super::evaluations::SummaryView>,
}

#[route("/competencies/{framework}", method = "GET", method = "HEAD")]
pub async fn competency_framework_page(
    state: web::Data<AppState>,
    framework: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    render_competency(&state, framework.into_inner(), None).await
}

#[route("/competencies/{framework}/{code}", method = "GET", method = "HEAD")]
pub async fn competency_page(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (framework, code) = path.into_inner();
    render_competency(&state, framework, Some(code)).await
}

async fn render_competency(
    state: &AppState,
    framework_id: String,
    code: Option<String>,
) -> Result<HttpResponse, PageError> {
    let frameworks = with_store(state, |store| store.frameworks()).await?;
    let not_found =
        || PageError::NotFound("There is no such competency in the catalog's frameworks.".into());
    let framework = frameworks
        .frameworks
        .iter()
        .find(|f| f.id == framework_id)
        .ok_or_else(not_found)?;
    let flat = framework.flatten();
    let (value, heading, description, children, breadcrumbs) = match &code {
        None => {
            let top: Vec<_> = flat.iter().filter(|f| f.parent.is_none()).collect();
            (
                framework.id.clone(),
                framework.name.clone(),
                framework.publisher.clone(),
                top,
                Vec::new(),
            )
        }
        Some(code) => {
            let this = flat
                .iter()
                .find(|f| &f.competency.code == code)
                .ok_or_else(not_found)?;
            let children: Vec<_> = flat
                .iter()
                .filter(|f| f.parent == Some(code.as_str()))
                .collect();
            let mut crumbs = vec![(
                framework.name.clone(),
                format!("/competencies/{}", framework.id),
            )];
            if let Some(parent) = this
                .parent
                .and_then(|p| flat.iter().find(|f| f.competency.code == p))
            {
                crumbs.push((
                    format!("{} {}", parent.competency.code, parent.competency.title),
                    format!("/competencies/{}/{}", framework.id, parent.competency.code),
                ));
            }
            let heading = format!("{} {}", this.competency.code, this.competency.title);
            (
                format!("{}:{}", framework.id, code),
                heading,
                this.competency.description.clone(),
                children,
                crumbs,
            )
        }
    };
    let names = provider_names(state).await?;
    let results = run_search(state, request(&[("competency", &value)], Sort::Start, 20)).await?;
    let (lookup, within) = (framework.id.clone(), code.clone());
    let evaluation = with_store(state, move |store| {
        store.evaluation_responses_of_competency(&lookup, within.as_deref())
    })
    .await?;
    let evaluation = Summary::public_of_responses(&evaluation).map(|s| SummaryView::of_many(&s));
    let everything = run_search(state, request(&[], Sort::Start, 1)).await?;
    let counts = counts(&everything, "competency");
    let page = CompetencyPage {
        asset_version: asset_version(),
        heading,
        description,
        breadcrumbs,
        children: children
            .iter()
            .map(|child| {
                let value = format!("{}:{}", framework.id, child.competency.code);
                (
                    format!("{} {}", child.competency.code, child.competency.title),
                    format!("/competencies/{}/{}", framework.id, child.competency.code),
                    counts.get(&value).copied().unwrap_or(0),
                )
            })
            .collect(),
        total: results.total,
        results: results
            .hits
            .iter()
            .map(|hit| ResultItem::new(hit, &names))
            .collect(),
        all_url: search_url(&[("competency".into(), value)]),
        evaluation,
    };
    Ok(render(StatusCode::OK, &page))
}
