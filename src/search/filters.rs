//! Filters as tantivy queries. Within one filter the chosen values widen the result (OR); different
//! filters narrow it (AND). Each filter can be left out on its own, which is how every facet's
//! counts reflect all the other filters but not its own.

use super::facet_filters::FacetFilter;
use super::facets::FacetCache;
use super::fields::Fields;
use super::request::{Near, SearchRequest, WhenBucket};
use chrono::{DateTime, NaiveTime, Utc};
use std::ops::Bound;
use std::sync::Arc;
use tantivy::Term;
use tantivy::query::doc_predicate_query::{DocPredicateQuery, FunctionPredicate};
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::IndexRecordOption;

/// Which filter a clause comes from, so a facet can drop its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Dimension(&'static str),
    When,
    Other,
}

/// How many days ahead the week, month and quarter buckets reach.
pub const BUCKET_DAYS: [i64; 3] = [7, 30, 91];

fn term(field: tantivy::schema::Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

fn i64_range(field: tantivy::schema::Field, low: Bound<i64>, high: Bound<i64>) -> Box<dyn Query> {
    let map = |bound: Bound<i64>| match bound {
        Bound::Included(v) => Bound::Included(Term::from_field_i64(field, v)),
        Bound::Excluded(v) => Bound::Excluded(Term::from_field_i64(field, v)),
        Bound::Unbounded => Bound::Unbounded,
    };
    Box::new(RangeQuery::new(map(low), map(high)))
}

fn f64_at_least(field: tantivy::schema::Field, low: Bound<f64>) -> Box<dyn Query> {
    let low = match low {
        Bound::Included(v) => Bound::Included(Term::from_field_f64(field, v)),
        Bound::Excluded(v) => Bound::Excluded(Term::from_field_f64(field, v)),
        Bound::Unbounded => Bound::Unbounded,
    };
    Box::new(RangeQuery::new(low, Bound::Unbounded))
}

fn f64_between(field: tantivy::schema::Field, (low, high): (f64, f64)) -> Box<dyn Query> {
    Box::new(RangeQuery::new(
        Bound::Included(Term::from_field_f64(field, low)),
        Bound::Included(Term::from_field_f64(field, high)),
    ))
}

/// Offerings taking place within the radius: a latitude and longitude box from the index
/// narrows the candidates cheaply (it leads the intersection), then each candidate's exact
/// great-circle distance from its fast fields decides. Offerings without a point never match.
fn near(fields: &Fields, near: &Near) -> Box<dyn Query> {
    let origin = near.place.point;
    // A hair over the radius, so a place exactly on it is not lost to rounding.
    let km = near.radius.km() * (1.0 + 1e-9);
    let (lat, lon) = origin.bounding_box(km);
    let mut clauses = vec![f64_between(fields.lat, lat)];
    if let Some(lon) = lon {
        clauses.push(f64_between(fields.lon, lon));
    }
    let exact = FunctionPredicate::from(move |segment: &tantivy::SegmentReader| {
        let fast = segment.fast_fields();
        let (lat, lon) = (fast.f64("lat")?, fast.f64("lon")?);
        Ok(
            move |doc: tantivy::DocId| match (lat.first(doc), lon.first(doc)) {
                (Some(lat), Some(lon)) => origin.distance_km(crate::geo::Point { lat, lon }) <= km,
                _ => false,
            },
        )
    });
    clauses.push(Box::new(DocPredicateQuery::from(exact)));
    all(clauses)
}

fn any(queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        queries.into_iter().map(|q| (Occur::Should, q)).collect(),
    ))
}

fn all(queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        queries.into_iter().map(|q| (Occur::Must, q)).collect(),
    ))
}

/// Every filter of a request as a scoreless query, tagged with where it comes from.
pub fn filters(
    fields: &Fields,
    facets: &Arc<FacetCache>,
    request: &SearchRequest,
    now: DateTime<Utc>,
) -> Vec<(Source, Box<dyn Query>)> {
    let mut clauses: Vec<(Source, Box<dyn Query>)> = Vec::new();
    for (dimension, values) in &request.filters {
        let field = fields.dimensions[dimension];
        clauses.push((
            Source::Dimension(dimension),
            any(values.iter().map(|v| term(field, v)).collect()),
        ));
    }
    if request.free {
        clauses.push((
            Source::Other,
            Box::new(TermQuery::new(
                Term::from_field_bool(fields.free, true),
                IndexRecordOption::Basic,
            )),
        ));
    }
    if request.has_credits {
        clauses.push((
            Source::Other,
            f64_at_least(fields.credits, Bound::Excluded(0.0)),
        ));
    }
    if request.rated {
        // Only public ratings are indexed, all 1 or more.
        clauses.push((
            Source::Other,
            f64_at_least(fields.rating, Bound::Included(1.0)),
        ));
    }
    if let Some(minimum) = request.credits_min {
        clauses.push((
            Source::Other,
            f64_at_least(fields.credits, Bound::Included(minimum)),
        ));
    }
    if let Some(max) = request.cost_max {
        let currency = request.currency();
        clauses.push((Source::Other, super::cost::at_most(fields, max, currency)));
    }
    if let Some(over) = request.cost_over {
        let currency = request.currency();
        clauses.push((
            Source::Other,
            super::cost::more_than(fields, over, currency),
        ));
    }
    if let Some(from) = request.from {
        let from = from.and_time(NaiveTime::MIN).and_utc().timestamp();
        clauses.push((
            Source::Other,
            i64_range(fields.ends_at, Bound::Included(from), Bound::Unbounded),
        ));
    }
    if let Some(to) = request.to {
        let after = to
            .succ_opt()
            .unwrap_or(to)
            .and_time(NaiveTime::MIN)
            .and_utc()
            .timestamp();
        clauses.push((
            Source::Other,
            i64_range(fields.starts_at, Bound::Unbounded, Bound::Excluded(after)),
        ));
    }
    if let Some(place) = &request.near {
        clauses.push((Source::Other, near(fields, place)));
    }
    let mut scoreless: Vec<(Source, Box<dyn Query>)> = clauses
        .into_iter()
        .map(|(source, query)| {
            (
                source,
                Box::new(ConstScoreQuery::new(query, 0.0)) as Box<dyn Query>,
            )
        })
        .collect();
    // Scoreless already, and left unwrapped so that the words' pass finds them and reads their
    // bits (`scored_words`).
    let now = now.timestamp();
    if !request.when.is_empty() {
        let when = FacetFilter::when(facets.clone(), now, &request.when);
        scoreless.push((Source::When, Box::new(when)));
    }
    if !request.include_past {
        let not_over = FacetFilter::not_over(facets.clone(), now);
        scoreless.push((Source::Other, Box::new(not_over)));
    }
    scoreless
}

/// The bucket a document falls in, from its fast-field values (for counting the "when" facet).
pub fn buckets_of(
    format_is_self_paced: bool,
    starts_at: Option<i64>,
    ends_at: Option<i64>,
    now: i64,
    limits: [i64; 3],
) -> impl Iterator<Item = WhenBucket> {
    let dated = match (starts_at, ends_at) {
        (Some(start), Some(end)) if end >= now => Some(start),
        _ => None,
    };
    let [week, month, quarter] = limits;
    // At most one of each, in a fixed array: this runs for every document a search counts.
    let mut buckets = [None; 4];
    if let Some(start) = dated {
        buckets[0] = (start < week).then_some(WhenBucket::Week);
        buckets[1] = (start < month).then_some(WhenBucket::Month);
        buckets[2] = Some(if start < quarter {
            WhenBucket::Quarter
        } else {
            WhenBucket::Later
        });
    }
    buckets[3] = format_is_self_paced.then_some(WhenBucket::SelfPaced);
    buckets.into_iter().flatten()
}
