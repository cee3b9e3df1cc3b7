//! `/search`: the same parameters as `/api/v1/search`, so every result page is a shareable URL.

use super::{ResultItem, asset_version, provider_names, render, run_search, search_url};
use crate::geo::Radius;
use crate::search::{
    DIMENSIONS, Dimension, FacetValue, ParameterError, SearchRequest, SearchResults, Sort,
};
use crate::web::{AppState, PageError, views};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, route, web};
use askama::Template;

/// Where the page puts facets (the rest of the dimensions' table follows in its own order);
/// `when` is a facet the index computes from dates rather than a dimension.
const PAGE_ORDER: [&str; 11] = [
    "format",
    "when",
    "audience",
    "level",
    "competency",
    "provider_kind",
    "provider",
    "certification",
    "country",
    "region",
    "language",
];

/// Every facet in the page's order, with its heading.
fn groups() -> Vec<(&'static str, &'static str)> {
    let listed = PAGE_ORDER.iter().copied();
    let others = DIMENSIONS
        .iter()
        .map(|spec| spec.name)
        .filter(|name| !PAGE_ORDER.contains(name));
    listed
        .chain(others)
        .map(|name| {
            (
                name,
                Dimension::named(name).map_or("When", |d| d.spec().heading),
            )
        })
        .collect()
}

pub struct FacetOption {
    pub value: String,
    pub label: String,
    pub count: u64,
    pub checked: bool,
    pub depth: usize,
}

pub struct FacetSection {
    /// A heading for a foldable part (a competency framework); none for a plain list.
    pub title: Option<String>,
    pub count: u64,
    pub open: bool,
    pub options: Vec<FacetOption>,
}

pub struct FacetGroup {
    pub name: &'static str,
    pub title: &'static str,
    pub sections: Vec<FacetSection>,
    /// A link listing every value, when some are left out.
    pub show_all: Option<String>,
}

pub struct PageLink {
    pub label: String,
    pub url: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    pub asset_version: &'static str,
    pub query: String,
    pub total_text: String,
    /// A page past the last: the last page's number and address.
    pub past_the_end: Option<(usize, String)>,
    pub results: Vec<ResultItem>,
    pub first_number: usize,
    pub facets: Vec<FacetGroup>,
    pub chips: Vec<(String, String)>,
    pub clear_url: String,
    pub past_url: String,
    pub pages: Vec<PageLink>,
    pub suggestion: Option<(String, String)>,
    /// When the query as typed found nothing: the corrected query shown instead, and its URL.
    pub corrected: Option<(String, String)>,
    /// Whether even the best result lacks some of the words.
    pub some_words_missing: bool,
    /// Offerings on related topics follow the few that match (shown on the first page only).
    pub related_added: bool,
    pub sort_options: Vec<(&'static str, &'static str, bool)>,
    pub free: bool,
    pub has_credits: bool,
    pub rated: bool,
    pub include_past: bool,
    pub from: String,
    pub to: String,
    pub credits_min: String,
    pub cost_max: String,
    pub cost_over: String,
    /// The currency costs are compared in, and the choices offered: (code, selected).
    pub currencies: Vec<(&'static str, bool)>,
    /// Said when costs are compared or ordered: amounts in other currencies are not converted.
    pub currency_note: Option<String>,
    /// The place searched near, as typed.
    pub near: String,
    /// The radius choices: (value, label, selected).
    pub within_options: Vec<(String, String, bool)>,
    /// `?…` of this search without paging, for its feed, calendar and spreadsheet.
    pub formats_query: String,
}

#[route("/search", method = "GET", method = "HEAD")]
pub async fn search_page(
    state: web::Data<AppState>,
    http: actix_web::HttpRequest,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let pairs = query.into_inner();
    let request = SearchRequest::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|error| with_links(error, &pairs))?;
    // Facets the reader asked to see in full (`more=provider`); the API has no need of it.
    let expanded: Vec<String> = pairs
        .iter()
        .filter(|(name, value)| name == "more" && groups().iter().any(|(group, _)| group == value))
        .map(|(_, value)| value.clone())
        .collect();
    let providers = provider_names(&state).await?;
    let results = run_search(&state, request.clone()).await?;
    // For the demand report; a HEAD (a link checker) asks nothing.
    if http.method() == actix_web::http::Method::GET {
        let today = chrono::Utc::now().date_naive();
        state.searches.record(&request, &results, today);
    }
    let page = SearchPage {
        asset_version: asset_version(),
        query: request.query.clone(),
        total_text: match results.total {
            0 => "No offerings found".to_owned(),
            n => views::count(n, "offering", "offerings"),
        },
        results: results
            .hits
            .iter()
            .map(|hit| {
                let item = ResultItem::new(hit, &providers);
                match &request.near {
                    Some(near) => item.with_distance(hit, near.radius.unit),
                    None => item,
                }
            })
            .collect(),
        first_number: (request.page - 1) * request.per_page + 1,
        facets: facet_groups(&request, &results, &expanded),
        chips: chips(&request, &results),
        clear_url: search_url(&if request.query.is_empty() {
            vec![]
        } else {
            vec![("q".into(), request.query.clone())]
        }),
        past_url: {
            let mut with_past = request.clone();
            with_past.include_past = true;
            search_url(&with_past.to_pairs())
        },
        pages: pages(&request, results.total),
        past_the_end: (results.hits.is_empty() && results.total > 0).then(|| {
            let last = last_page(&request, results.total);
            (last, page_url(&request, last))
        }),
        suggestion: results.suggestion.as_ref().map(|text| {
            let mut corrected = request.clone();
            corrected.query = text.clone();
            corrected.page = 1;
            (text.clone(), search_url(&corrected.to_pairs()))
        }),
        corrected: results.corrected_query.as_ref().map(|text| {
            let mut corrected = request.clone();
            corrected.query = text.clone();
            corrected.page = 1;
            (text.clone(), search_url(&corrected.to_pairs()))
        }),
        related_added: results.related > 0 && request.page == 1,
        some_words_missing: results
            .hits
            .first()
            .is_some_and(|hit| request.page == 1 && !hit.missing_words.is_empty()),
        sort_options: Sort::ALL
            .iter()
            .filter(|&&sort| sort != Sort::Nearest || request.near.is_some())
            .map(|&sort| {
                (
                    sort.as_str(),
                    sort.label(),
                    sort == request.effective_sort(),
                )
            })
            .collect(),
        free: request.free,
        has_credits: request.has_credits,
        rated: request.rated,
        include_past: request.include_past,
        from: request.from.map(|d| d.to_string()).unwrap_or_default(),
        to: request.to.map(|d| d.to_string()).unwrap_or_default(),
        // The feed, calendar and spreadsheet hold what the page shows: a corrected query's
        // offerings when the words as typed found none.
        formats_query: {
            let mut shown = request.clone();
            if let Some(corrected) = &results.corrected_query {
                shown.query = corrected.clone();
            }
            search_url(&shown.to_pairs())
                .trim_start_matches("/search")
                .to_owned()
        },
        cost_max: request.cost_max.map(|c| c.to_string()).unwrap_or_default(),
        cost_over: request.cost_over.map(|c| c.to_string()).unwrap_or_default(),
        currencies: OFFERED_CURRENCIES
            .iter()
            .map(|&code| (code, code == request.currency()))
            .collect(),
        currency_note: currency_note(&request),
        credits_min: request
            .credits_min
            .map(|c| c.to_string())
            .unwrap_or_default(),
        near: request
            .near
            .as_ref()
            .map(|near| near.text.clone())
            .unwrap_or_default(),
        within_options: within_options(request.near.as_ref().map(|near| near.radius)),
    };
    Ok(render(StatusCode::OK, &page))
}

/// A search error with values that would be understood (places like an unknown one) offers
/// each as a link to the same search with that value instead.
fn with_links(error: ParameterError, pairs: &[(String, String)]) -> PageError {
    if error.suggestions.is_empty() {
        return PageError::BadParameter(error);
    }
    let links = error
        .suggestions
        .iter()
        .map(|suggestion| {
            let label = crate::geo::lookup(suggestion)
                .map_or_else(|_| suggestion.clone(), |place| place.label());
            let mut changed: Vec<(String, String)> = pairs
                .iter()
                .filter(|(name, _)| *name != error.parameter && name != "page")
                .cloned()
                .collect();
            changed.push((error.parameter.clone(), suggestion.clone()));
            (label, search_url(&changed))
        })
        .collect();
    let given = pairs
        .iter()
        .find(|(name, _)| *name == error.parameter)
        .map_or("", |(_, value)| value.trim());
    let (heading, message) = if error.parameter == "near" {
        (
            "That place is not known".to_owned(),
            format!("No place called “{given}” is known in the US or Canada."),
        )
    } else {
        (
            "That search could not be read".to_owned(),
            format!("The {} parameter: {}", error.parameter, error.message),
        )
    };
    PageError::BadSearch {
        heading,
        message,
        links,
    }
}

/// The radii the form offers, with the one in use (any the URL gave) selected.
fn within_options(current: Option<Radius>) -> Vec<(String, String, bool)> {
    let current = current.unwrap_or_default();
    let mut radii: Vec<Radius> = [10.0, 25.0, 50.0, 100.0, 250.0]
        .into_iter()
        .map(|amount| Radius {
            amount,
            unit: crate::geo::Unit::Miles,
        })
        .collect();
    if !radii.contains(&current) {
        radii.push(current);
    }
    radii
        .into_iter()
        .map(|radius| {
            (
                radius.to_param(),
                format!("within {} {}", radius.amount, radius.unit.suffix()),
                radius == current,
            )
        })
        .collect()
}

fn option(value: &FacetValue) -> FacetOption {
    FacetOption {
        value: value.value.clone(),
        label: value.label.clone(),
        count: value.count,
        checked: value.selected,
        depth: value.depth.unwrap_or(0),
    }
}

/// Values a facet lists before "Show all": a page stays light however many values there are.
const SHORT_LIST: usize = 10;

fn facet_groups(
    request: &SearchRequest,
    results: &SearchResults,
    expanded: &[String],
) -> Vec<FacetGroup> {
    groups()
        .iter()
        .filter_map(|(name, title)| {
            let values = results.facets.get(*name)?;
            if values.is_empty() {
                return None;
            }
            let everything = expanded.iter().any(|e| e == name);
            let (sections, hidden) = if *name == "competency" {
                competency_sections(values, everything)
            } else {
                let mut options: Vec<FacetOption> = values.iter().map(option).collect();
                let hidden = if everything { 0 } else { shorten(&mut options) };
                (
                    vec![FacetSection {
                        title: None,
                        count: 0,
                        open: true,
                        options,
                    }],
                    hidden,
                )
            };
            let show_all = (hidden > 0).then(|| {
                let mut pairs = request.to_pairs();
                pairs.extend(expanded.iter().map(|e| ("more".to_owned(), e.clone())));
                pairs.push(("more".to_owned(), (*name).to_owned()));
                search_url(&pairs)
            });
            Some(FacetGroup {
                name,
                title,
                sections,
                show_all,
            })
        })
        .collect()
}

/// Keeps the most frequent values and every chosen one; returns how many were left out.
fn shorten(options: &mut Vec<FacetOption>) -> usize {
    let before = options.len();
    let mut kept = 0;
    options.retain(|option| {
        kept += 1;
        kept <= SHORT_LIST || option.checked
    });
    before - options.len()
}

/// The competency tree, one foldable section per framework (depth 0 starts a framework).
/// Sub-competences show under a chosen area, or all of them on asking; returns how many are
/// left out.
fn competency_sections(values: &[FacetValue], everything: bool) -> (Vec<FacetSection>, usize) {
    let mut sections: Vec<FacetSection> = Vec::new();
    let mut area_chosen = false;
    let mut hidden = 0;
    for value in values {
        let option = option(value);
        if option.depth <= 1 {
            area_chosen = option.checked;
        }
        if option.depth >= 2 && !(everything || area_chosen || option.checked) {
            hidden += 1;
            continue;
        }
        if option.depth == 0 || sections.is_empty() {
            sections.push(FacetSection {
                title: Some(value.label.clone()),
                count: value.count,
                open: false,
                options: Vec::new(),
            });
        }
        let section = sections.last_mut().expect("a section was just ensured");
        section.open |= option.checked;
        let label = if option.depth == 0 {
            format!("Any in {}", option.label)
        } else {
            option.label.clone()
        };
        section.options.push(FacetOption { label, ..option });
    }
    (sections, hidden)
}

/// The currencies the search form offers for a maximum cost (the API takes any code).
const OFFERED_CURRENCIES: [&str; 2] = ["USD", "CAD"];

/// What a searcher must know when costs are compared or ordered: nothing is converted.
fn currency_note(request: &SearchRequest) -> Option<String> {
    let currency = request.currency();
    if request.cost_max.is_some() || request.cost_over.is_some() {
        Some(format!(
            "Costs are compared in {currency} only: free offerings and those priced in {currency} \
             are shown; amounts in other currencies are not converted, so those are left out."
        ))
    } else if request.effective_sort() == Sort::Cost {
        Some(format!(
            "Lowest cost lists free offerings first, then those priced in {currency}, then each \
             other currency in turn: amounts in different currencies are not converted or \
             compared."
        ))
    } else {
        None
    }
}

/// Active filters as removable chips: (label, URL without it).
fn chips(request: &SearchRequest, results: &SearchResults) -> Vec<(String, String)> {
    let pairs = request.to_pairs();
    let label_of = |name: &str, value: &str| -> String {
        results
            .facets
            .get(name)
            .and_then(|values| values.iter().find(|v| v.value == value))
            .map(|v| v.label.clone())
            .unwrap_or_else(|| value.to_owned())
    };
    let title_of = |name: &str| {
        groups()
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| t)
    };
    pairs
        .iter()
        .enumerate()
        .filter(|(_, (name, _))| !matches!(name.as_str(), "q" | "sort" | "per_page" | "within"))
        .map(|(index, (name, value))| {
            let label = match (name.as_str(), title_of(name)) {
                (_, Some(title)) => format!("{title}: {}", label_of(name, value)),
                ("free", _) => "Free only".to_owned(),
                ("has_credits", _) => "Offers CE credit".to_owned(),
                ("rated", _) => "Rated by participants".to_owned(),
                ("include_past", _) => "Including past offerings".to_owned(),
                ("credits_min", _) => format!("At least {value} contact hours"),
                ("cost_max", _) => format!("Costs at most {value} {}", request.currency()),
                ("cost_over", _) => format!("Costs more than {value} {}", request.currency()),
                ("currency", _) => format!("Costs in {value}"),
                ("from", _) => format!("Running on or after {}", views::day_text(value)),
                ("to", _) => format!("Starting by {}", views::day_text(value)),
                ("near", _) => match &request.near {
                    Some(near) => format!(
                        "Within {} {} of {}",
                        near.radius.amount,
                        near.radius.unit.suffix(),
                        near.place.label()
                    ),
                    None => format!("Near {value}"),
                },
                _ => format!("{name}: {value}"),
            };
            let rest: Vec<(String, String)> = pairs
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != index)
                .map(|(_, pair)| pair.clone())
                .collect();
            (label, search_url(&rest))
        })
        .collect()
}

fn last_page(request: &SearchRequest, total: usize) -> usize {
    total.div_ceil(request.per_page).clamp(1, 10_000)
}

/// The address of one page of this search's results.
fn page_url(request: &SearchRequest, page: usize) -> String {
    let mut pairs = request.to_pairs();
    if page > 1 {
        pairs.push(("page".into(), page.to_string()));
    }
    search_url(&pairs)
}

/// Previous, a window of page numbers with the first and last, Next.
fn pages(request: &SearchRequest, total: usize) -> Vec<PageLink> {
    let last = last_page(request, total);
    let current = request.page;
    let url = |page: usize| page_url(request, page);
    let mut links = Vec::new();
    if current > 1 {
        links.push(PageLink {
            label: "Previous".into(),
            url: url(current - 1),
            current: false,
        });
    }
    let mut numbers: Vec<usize> = vec![1, last];
    numbers.extend(current.saturating_sub(2).max(1)..=(current + 2).min(last));
    numbers.sort_unstable();
    numbers.dedup();
    for page in numbers {
        links.push(PageLink {
            label: page.to_string(),
            url: url(page),
            current: page == current,
        });
    }
    if current < last {
        links.push(PageLink {
            label: "Next".into(),
            url: url(current + 1),
            current: false,
        });
    }
    links
}
