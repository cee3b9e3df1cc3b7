//! What a search asks and what it answers, as plain values: the HTML pages and the JSON API read
//! the same `SearchRequest` from the same parameters and render the same `SearchResults`.

use super::dimension::{DIMENSIONS, Dimension, MAX_FILTER_VALUES};
use crate::catalog::Offering;
use crate::geo::{self, Place, Radius};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

crate::catalog::string_enum! {
    /// The order of results.
    Sort {
        Relevance = "relevance": "Best match",
        Start = "start": "Soonest start",
        Newest = "newest": "Newest added",
        Credits = "credits": "Most credits",
        Cost = "cost": "Lowest cost",
        Nearest = "nearest": "Nearest first",
        Rating = "rating": "Best rated",
    }
}

crate::catalog::string_enum! {
    /// The "when" facet: when an offering starts, seen from today.
    WhenBucket {
        Week = "week": "Starting this week",
        Month = "month": "Starting this month",
        Quarter = "quarter": "Within three months",
        Later = "later": "Later",
        SelfPaced = "self_paced": "Self-paced, any time",
    }
}

/// A search, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    pub query: String,
    /// Chosen values per dimension (`format` → [`online_live`, `hybrid`]): OR within, AND across.
    pub filters: BTreeMap<&'static str, Vec<String>>,
    pub when: Vec<WhenBucket>,
    pub free: bool,
    pub has_credits: bool,
    /// Only offerings participants have rated (from 5 answers: before that no rating is public).
    pub rated: bool,
    /// In contact hours (1 CEU = 10).
    pub credits_min: Option<f64>,
    /// Free, or at most this in `currency` (never converted from another).
    pub cost_max: Option<f64>,
    /// More than this in `currency` (so never free): with `cost_max`, a band of prices.
    pub cost_over: Option<f64>,
    /// The currency costs are compared in (three capital letters); `None`: US dollars.
    pub currency: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub include_past: bool,
    /// Only offerings taking place within a radius of a place (`near`, `within`).
    pub near: Option<Near>,
    /// `None`: relevance with a query, soonest start without.
    pub sort: Option<Sort>,
    pub page: usize,
    pub per_page: usize,
    /// The facets to count (`facets`, API only); `None`: every one.
    pub facets: Option<Vec<&'static str>>,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            query: String::new(),
            filters: BTreeMap::new(),
            when: Vec::new(),
            free: false,
            has_credits: false,
            rated: false,
            credits_min: None,
            cost_max: None,
            cost_over: None,
            currency: None,
            from: None,
            to: None,
            include_past: false,
            near: None,
            sort: None,
            page: 1,
            per_page: 20,
            facets: None,
        }
    }
}

/// A place to search near, and how far from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Near {
    /// As the searcher typed it, for the form and for links that keep it.
    pub text: String,
    pub place: &'static Place,
    pub radius: Radius,
}

/// A parameter that could not be read: which one, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{parameter}: {message}")]
pub struct ParameterError {
    pub parameter: String,
    pub message: String,
    /// Values that would be understood, most likely first (known places like an unknown one).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<String>,
}

fn bad(parameter: &str, message: impl Into<String>) -> ParameterError {
    ParameterError {
        parameter: parameter.to_owned(),
        message: message.into(),
        suggestions: Vec::new(),
    }
}

/// The longest place name `near` takes.
const MAX_PLACE_CHARS: usize = 200;
/// The longest query: a question in full, with room to spare.
const MAX_QUERY_CHARS: usize = 1000;

/// The place `near` names, or an error with known places of similar names.
fn place(text: &str) -> Result<&'static Place, ParameterError> {
    if text.chars().count() > MAX_PLACE_CHARS {
        return Err(bad(
            "near",
            format!("is longer than {MAX_PLACE_CHARS} characters"),
        ));
    }
    geo::lookup(text).map_err(|unknown| ParameterError {
        parameter: "near".to_owned(),
        message: format!(
            "no place called `{text}` is known in the US or Canada (`suggestions` lists known \
             places with similar names)"
        ),
        suggestions: unknown.suggestions,
    })
}

/// Where parameters come from: a form (lenient about empty fields) or a program (exact).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Input {
    Form,
    Query,
}

/// Whether a name is one of the search's parameters.
fn is_parameter(name: &str) -> bool {
    Dimension::named(name).is_some()
        || matches!(
            name,
            "q" | "free"
                | "has_credits"
                | "rated"
                | "include_past"
                | "credits_min"
                | "cost_max"
                | "cost_over"
                | "currency"
                | "from"
                | "to"
                | "sort"
                | "when"
                | "page"
                | "per_page"
                | "facets"
                | "near"
                | "within"
        )
}

fn boolean(parameter: &str, value: &str, input: Input) -> Result<bool, ParameterError> {
    match (value, input) {
        ("true", _) => Ok(true),
        ("false", _) => Ok(false),
        ("1" | "on" | "yes", Input::Form) => Ok(true),
        ("0" | "off" | "no", Input::Form) => Ok(false),
        _ => Err(bad(parameter, format!("`{value}` is not true or false"))),
    }
}

/// A currency code, in capitals.
fn currency(parameter: &str, value: &str) -> Result<String, ParameterError> {
    if value.len() == 3 && value.bytes().all(|byte| byte.is_ascii_alphabetic()) {
        Ok(value.to_ascii_uppercase())
    } else {
        Err(bad(
            parameter,
            format!("`{value}` is not a three-letter currency code such as USD or CAD"),
        ))
    }
}

fn date(parameter: &str, value: &str) -> Result<NaiveDate, ParameterError> {
    let well_formed =
        value.len() == 10 && value.as_bytes()[4] == b'-' && value.as_bytes()[7] == b'-';
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .filter(|_| well_formed)
        .ok_or_else(|| bad(parameter, format!("`{value}` is not a date (YYYY-MM-DD)")))
}

impl SearchRequest {
    /// Reads a request from a form's pairs (the pages): a form sends every field, filled or
    /// not, so empty values mean "not set" and spaces around values are dropped. Unknown
    /// parameters are ignored; a bad value of a known one is an error naming it.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, ParameterError> {
        Self::read(pairs, Input::Form)
    }

    /// Reads a request from a program's pairs (the JSON API), exactly as documented: an empty
    /// value where a number, date, flag or code belongs is an error.
    pub fn from_query<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, ParameterError> {
        Self::read(pairs, Input::Query)
    }

    fn read<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
        input: Input,
    ) -> Result<Self, ParameterError> {
        let mut request = SearchRequest::default();
        let mut near = None;
        let mut radius = Radius::default();
        // How many values each filter was given, empty and repeated ones too (as the API
        // document's `maxItems` counts them).
        let mut given: BTreeMap<&str, usize> = BTreeMap::new();
        for (name, raw) in pairs {
            let value = if input == Input::Form {
                raw.trim()
            } else {
                raw
            };
            if input == Input::Query && Dimension::named(name).is_some() {
                let count = given.entry(name).or_default();
                *count += 1;
                if *count > MAX_FILTER_VALUES {
                    return Err(bad(
                        name,
                        format!("takes at most {MAX_FILTER_VALUES} values"),
                    ));
                }
            }
            let free_text =
                name == "q" || Dimension::named(name).is_some_and(Dimension::may_be_empty);
            if value.is_empty() && !free_text && input == Input::Query && is_parameter(name) {
                return Err(bad(name, "must not be empty"));
            }
            if value.is_empty() && name != "q" {
                continue;
            }
            match name {
                "q" if input == Input::Query && value.chars().count() > MAX_QUERY_CHARS => {
                    return Err(bad(
                        name,
                        format!("is longer than {MAX_QUERY_CHARS} characters"),
                    ));
                }
                // A page's form reads the first ones.
                "q" => request.query = value.chars().take(MAX_QUERY_CHARS).collect(),
                "free" => request.free = boolean(name, value, input)?,
                "has_credits" => request.has_credits = boolean(name, value, input)?,
                "rated" => request.rated = boolean(name, value, input)?,
                "include_past" => request.include_past = boolean(name, value, input)?,
                "credits_min" => match value.parse::<f64>() {
                    Ok(number) if number.is_finite() && number >= 0.0 => {
                        request.credits_min = Some(number)
                    }
                    _ => {
                        return Err(bad(
                            name,
                            format!("`{value}` is not a number of contact hours (0 or more)"),
                        ));
                    }
                },
                "cost_max" => request.cost_max = Some(amount(name, value)?),
                "cost_over" => request.cost_over = Some(amount(name, value)?),
                // The default is left out, so links and chips stay as short as the search.
                "currency" => {
                    let code = currency(name, value)?;
                    request.currency = (code != super::cost::DEFAULT_CURRENCY).then_some(code);
                }
                "from" => request.from = Some(date(name, value)?),
                "to" => request.to = Some(date(name, value)?),
                "sort" => request.sort = Some(value.parse().map_err(|message| bad(name, message))?),
                "when" => request
                    .when
                    .push(value.parse().map_err(|message| bad(name, message))?),
                "near" => near = Some(value.to_owned()),
                "within" => radius = Radius::parse(value).map_err(|message| bad(name, message))?,
                "page" => request.page = number_in(name, value, 1, 10_000)?,
                "per_page" => request.per_page = number_in(name, value, 1, 100)?,
                // A page always shows every facet; a program may ask for fewer, or none.
                "facets" if input == Input::Query => {
                    let chosen = request.facets.get_or_insert_with(Vec::new);
                    for facet in facet_names(value)? {
                        if !chosen.contains(&facet) {
                            chosen.push(facet);
                        }
                    }
                }
                _ => {
                    if let Some(spec) = DIMENSIONS.iter().find(|spec| spec.name == name) {
                        spec.dimension
                            .check(value)
                            .map_err(|message| bad(name, message))?;
                        let value = spec.dimension.canonical(value);
                        let values = request.filters.entry(spec.name).or_default();
                        // A page's form keeps the first ones; a program is told (above).
                        if !values.contains(&value) && values.len() < MAX_FILTER_VALUES {
                            values.push(value);
                        }
                    }
                }
            }
        }
        if let Some(text) = near {
            request.near = Some(Near {
                place: place(&text)?,
                text,
                radius,
            });
        }
        if request.sort == Some(Sort::Nearest) && request.near.is_none() {
            // A form whose place was cleared keeps its old order in the menu: fall back.
            if input == Input::Form {
                request.sort = None;
            } else {
                return Err(bad(
                    "sort",
                    "`nearest` needs a place: give `near` too (e.g. near=Chicago, IL)",
                ));
            }
        }
        Ok(request)
    }

    /// The currency costs are compared in.
    pub fn currency(&self) -> &str {
        self.currency
            .as_deref()
            .unwrap_or(super::cost::DEFAULT_CURRENCY)
    }

    /// The order actually used.
    pub fn effective_sort(&self) -> Sort {
        self.sort.unwrap_or(if self.query.trim().is_empty() {
            Sort::Start
        } else {
            Sort::Relevance
        })
    }

    /// Whether the answer counts this facet (a dimension's name, or `when`).
    pub fn counts_facet(&self, name: &str) -> bool {
        self.facets
            .as_ref()
            .is_none_or(|chosen| chosen.contains(&name))
    }

    /// The request as query-string pairs (the inverse of `from_pairs`), for links that change
    /// one thing and keep the rest.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        if !self.query.is_empty() {
            pairs.push(("q".into(), self.query.clone()));
        }
        for (dimension, values) in &self.filters {
            pairs.extend(
                values
                    .iter()
                    .map(|value| ((*dimension).to_owned(), value.clone())),
            );
        }
        pairs.extend(
            self.when
                .iter()
                .map(|bucket| ("when".to_owned(), bucket.as_str().to_owned())),
        );
        for (flag, name) in [
            (self.free, "free"),
            (self.has_credits, "has_credits"),
            (self.rated, "rated"),
            (self.include_past, "include_past"),
        ] {
            if flag {
                pairs.push((name.into(), "true".into()));
            }
        }
        if let Some(credits) = self.credits_min {
            pairs.push(("credits_min".into(), credits.to_string()));
        }
        if let Some(cost) = self.cost_max {
            pairs.push(("cost_max".into(), cost.to_string()));
        }
        if let Some(cost) = self.cost_over {
            pairs.push(("cost_over".into(), cost.to_string()));
        }
        if let Some(currency) = &self.currency {
            pairs.push(("currency".into(), currency.clone()));
        }
        if let Some(from) = self.from {
            pairs.push(("from".into(), from.to_string()));
        }
        if let Some(to) = self.to {
            pairs.push(("to".into(), to.to_string()));
        }
        if let Some(near) = &self.near {
            pairs.push(("near".into(), near.text.clone()));
            pairs.push(("within".into(), near.radius.to_param()));
        }
        if let Some(sort) = self.sort {
            let value = serde_json::to_value(sort)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            pairs.push(("sort".into(), value));
        }
        if self.per_page != 20 {
            pairs.push(("per_page".into(), self.per_page.to_string()));
        }
        if let Some(facets) = &self.facets {
            let list = if facets.is_empty() {
                NO_FACETS.to_owned()
            } else {
                facets.join(",")
            };
            pairs.push(("facets".into(), list));
        }
        pairs
    }
}

/// The `facets` value that asks for none.
const NO_FACETS: &str = "none";

/// The facets a `facets` value names: names separated by commas, or `none`.
fn facet_names(value: &str) -> Result<Vec<&'static str>, ParameterError> {
    if value == NO_FACETS {
        return Ok(Vec::new());
    }
    let known = || DIMENSIONS.iter().map(|spec| spec.name).chain(["when"]);
    value
        .split(',')
        .map(|name| {
            known().find(|known| *known == name).ok_or_else(|| {
                let names: Vec<&str> = known().collect();
                bad(
                    "facets",
                    format!(
                        "`{name}` is not a facet; name some of {}, separated by commas, or `{NO_FACETS}`",
                        names.join(", ")
                    ),
                )
            })
        })
        .collect()
}

/// An amount of money: a number, 0 or more.
fn amount(parameter: &str, value: &str) -> Result<f64, ParameterError> {
    match value.parse::<f64>() {
        Ok(number) if number.is_finite() && number >= 0.0 => Ok(number),
        _ => Err(bad(
            parameter,
            format!("`{value}` is not an amount (0 or more)"),
        )),
    }
}

fn number_in(
    parameter: &str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<usize, ParameterError> {
    match value.parse::<usize>() {
        Ok(number) if (min..=max).contains(&number) => Ok(number),
        _ => Err(bad(
            parameter,
            format!("`{value}` must be a whole number from {min} to {max}"),
        )),
    }
}

/// One value of one facet, with how many results choosing it would give.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FacetValue {
    pub value: String,
    pub label: String,
    pub count: u64,
    pub selected: bool,
    /// For the competency tree: how deep the value sits (0 for a framework).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub depth: Option<usize>,
}

/// One result: the offering in the bundle format, its score and a highlighted snippet.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Hit {
    #[serde(flatten)]
    pub offering: Offering,
    /// How well it matches the words: only when sorted by relevance to some words (`null` when
    /// sorted otherwise, where no score orders the list).
    pub score: Option<f32>,
    /// HTML: the description's best passage, escaped, with matched words in `<b>`.
    pub snippet: String,
    /// The searcher's words this offering does not match, when not every word had to ("Missing:").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_words: Vec<String>,
    /// With `near`: how far it takes place from that place, in kilometres (to 0.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
    /// The same in miles (to 0.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_miles: Option<f64>,
    /// Participants' mean overall rating (1–5), once 5 or more have answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating: Option<f64>,
    /// How many participants that rating is of.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating_count: Option<u64>,
}

/// The answer to a `SearchRequest`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SearchResults {
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub hits: Vec<Hit>,
    pub facets: BTreeMap<String, Vec<FacetValue>>,
    /// A corrected query that finds something, when some words look misspelled ("Did you mean").
    pub suggestion: Option<String>,
    /// When the query as typed found nothing: the corrected query these results are for.
    pub corrected_query: Option<String>,
    /// How many of `total` are offerings on related topics, added because the words found fewer
    /// than ten (those best sharing the words that characterise the ones found). They follow the
    /// others, each naming in `missing_words` the words it lacks. Usually 0.
    pub related: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_takes_at_most_ten_values() {
        let providers: Vec<String> = (0..11).map(|n| format!("provider-{n}")).collect();
        let pairs = |count: usize| -> Vec<(&str, &str)> {
            providers[..count]
                .iter()
                .map(|id| ("provider", id.as_str()))
                .collect()
        };
        assert!(SearchRequest::from_query(pairs(10)).is_ok());
        let error = SearchRequest::from_query(pairs(11)).unwrap_err();
        assert_eq!(error.parameter, "provider");
        assert!(error.message.contains("at most 10"), "{}", error.message);
        // A program's values count as given, repeated or empty; a page's form keeps the first.
        let mut twice = pairs(10);
        twice.push(("provider", ""));
        assert!(SearchRequest::from_query(twice.clone()).is_err());
        let form = SearchRequest::from_pairs(pairs(11)).unwrap();
        assert_eq!(form.filters["provider"].len(), 10);
    }

    #[test]
    fn a_query_of_more_than_a_thousand_characters_is_refused_to_a_program() {
        let long = "word ".repeat(201);
        let error = SearchRequest::from_query([("q", long.as_str())]).unwrap_err();
        assert_eq!(error.parameter, "q");
        let form = SearchRequest::from_pairs([("q", long.as_str())]).unwrap();
        assert_eq!(form.query.chars().count(), 1000);
        let competency = format!("ala-core:{}", "A".repeat(60));
        let error = SearchRequest::from_query([("competency", competency.as_str())]).unwrap_err();
        assert_eq!(error.parameter, "competency");
    }

    #[test]
    fn parameters_read_and_write_back() {
        let pairs = [
            ("q", "teen services"),
            ("format", "online_live"),
            ("format", "hybrid"),
            ("competency", "ala-core:5A"),
            ("free", "true"),
            ("from", "2027-01-01"),
            ("sort", "credits"),
            ("page", "2"),
            ("when", "month"),
            ("utm_source", "ignored"),
        ];
        let request = SearchRequest::from_pairs(pairs).unwrap();
        assert_eq!(request.filters["format"], vec!["online_live", "hybrid"]);
        assert_eq!(request.effective_sort(), Sort::Credits);
        assert_eq!(request.page, 2);
        let again: Vec<(String, String)> = request.to_pairs();
        let reread =
            SearchRequest::from_pairs(again.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap();
        assert_eq!(reread.filters, request.filters);
        assert_eq!(reread.when, request.when);
    }

    #[test]
    fn bad_values_name_their_parameter() {
        for (name, value) in [
            ("format", "webinar"),
            ("per_page", "500"),
            ("page", "0"),
            ("from", "tomorrow"),
            ("sort", "random"),
            ("credits_min", "-1"),
            ("competency", "ala core"),
            ("free", "maybe"),
            ("within", "50"),
            ("within", "far"),
            ("near", "Narnia"),
        ] {
            let error = SearchRequest::from_pairs([(name, value)]).unwrap_err();
            assert_eq!(error.parameter, name, "{value}");
        }
        let nearest = SearchRequest::from_query([("sort", "nearest")]).unwrap_err();
        assert_eq!(nearest.parameter, "sort");
        assert!(nearest.message.contains("near"));
        // A form whose place was cleared falls back to the usual order.
        assert_eq!(
            SearchRequest::from_pairs([("sort", "nearest"), ("near", "")])
                .unwrap()
                .sort,
            None
        );
    }

    #[test]
    fn a_place_is_read_with_its_radius_and_suggestions() {
        let request =
            SearchRequest::from_query([("near", "chicago il"), ("within", "80km")]).unwrap();
        let near = request.near.as_ref().unwrap();
        assert_eq!(near.place.key(), "Chicago, IL");
        assert!((near.radius.km() - 80.0).abs() < 1e-9);
        let again = request.to_pairs();
        let reread =
            SearchRequest::from_query(again.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap();
        assert_eq!(reread.near, request.near);
        let unknown = SearchRequest::from_query([("near", "Chicgo")]).unwrap_err();
        assert_eq!(unknown.parameter, "near");
        assert!(unknown.suggestions.contains(&"Chicago, IL".to_owned()));
        assert!(unknown.message.contains("Chicgo"));
        let region = SearchRequest::from_query([("region", "Illinois")]).unwrap();
        assert_eq!(region.filters["region"], vec!["IL"]);
    }
}
