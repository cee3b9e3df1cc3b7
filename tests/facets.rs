//! Facet counts are honest: for random filter combinations (with "when" buckets, dates and the
//! free flag), every facet value's count equals what an SQL count over the database gives for the
//! same filters with that facet's own filter replaced by the value (the other filters stay), and
//! the total equals the SQL count of all filters. The rounds cover both ways of counting: by intersecting bitmaps
//! (matches are a large share of the catalog) and by visiting the matches (a small share).
//! With words, a value's count is what choosing it finds. A program may ask for only some facets
//! (`facets=`).

mod common;

use common::Catalog;
use rusqlite::Connection;
use serde_json::Value;
use std::collections::BTreeMap;

type Filters = BTreeMap<String, Vec<String>>;

/// The SQL condition of one filter: any of its values.
fn condition(dimension: &str, values: &[String], params: &mut Vec<String>) -> String {
    let mut placeholders = || {
        values
            .iter()
            .map(|value| {
                params.push(value.clone());
                format!("?{}", params.len())
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    match dimension {
        "format" | "level" | "provider" => format!("o.{dimension} IN ({})", placeholders()),
        "provider_kind" => format!("p.kind IN ({})", placeholders()),
        "language" => format!("coalesce(o.language, 'en') IN ({})", placeholders()),
        // Where an offering takes place (online ones nowhere), a US or Canadian region by
        // its code however the record spells it.
        "country" => format!("o.country IN ({})", placeholders()),
        "region" => format!("{} IN ({})", region_code(), placeholders()),
        "audience" => format!(
            "EXISTS (SELECT 1 FROM offering_audiences a WHERE a.offering_id = o.id AND a.audience IN ({}))",
            placeholders()
        ),
        "certification" => format!(
            "EXISTS (SELECT 1 FROM offering_certifications c WHERE c.offering_id = o.id AND c.certification IN ({}))",
            placeholders()
        ),
        "competency" => {
            let alternatives: Vec<String> = values
                .iter()
                .map(|value| match value.split_once(':') {
                    Some((framework, code)) => {
                        params.push(framework.to_owned());
                        let f = params.len();
                        params.push(code.to_owned());
                        let c = params.len();
                        format!(
                            "EXISTS (WITH RECURSIVE tree(code) AS (SELECT ?{c} UNION \
                               SELECT k.code FROM competencies k JOIN tree ON k.parent_code = tree.code AND k.framework = ?{f}) \
                             SELECT 1 FROM offering_competencies oc WHERE oc.offering_id = o.id \
                               AND oc.framework = ?{f} AND oc.code IN (SELECT code FROM tree))"
                        )
                    }
                    None => {
                        params.push(value.clone());
                        format!(
                            "EXISTS (SELECT 1 FROM offering_competencies oc WHERE oc.offering_id = o.id AND oc.framework = ?{})",
                            params.len()
                        )
                    }
                })
                .collect();
            format!("({})", alternatives.join(" OR "))
        }
        other => panic!("no SQL for {other}"),
    }
}

/// The SQL of an offering's region as the index holds it: a US or Canadian region's code
/// (`Ontario` → `ON`), any other region as written.
fn region_code() -> String {
    let cases: String = clearinghouse::geo::regions::REGIONS
        .iter()
        .map(|region| {
            format!(
                "WHEN o.country = '{}' AND lower(o.region) IN (lower('{}'), lower('{}')) THEN '{}' ",
                region.country, region.code, region.name, region.code
            )
        })
        .collect();
    format!("(CASE {cases}ELSE o.region END)")
}

/// The "when" buckets, as the API names them.
const WHEN: [&str; 5] = ["week", "month", "quarter", "later", "self_paced"];

/// What the random rounds vary besides the facet filters.
#[derive(Debug, Clone, Default)]
struct Others {
    /// "when" buckets chosen (none: no such filter).
    when: Vec<&'static str>,
    free: bool,
    /// Running on or after this day (`from`).
    from: Option<chrono::NaiveDate>,
    /// Starting on or before this day (`to`).
    to: Option<chrono::NaiveDate>,
}

/// The Unix time of a day's first second, UTC.
fn midnight(day: chrono::NaiveDate) -> i64 {
    day.and_time(chrono::NaiveTime::MIN).and_utc().timestamp()
}

/// The SQL condition of the "when" buckets at `now` (seconds): a dated offering not yet ended
/// that starts within 7, 30 or 91 days, or later; a self-paced one.
fn when_condition(buckets: &[&str], now: i64) -> String {
    let day = 24 * 60 * 60;
    let dated = format!("o.starts_at IS NOT NULL AND o.ends_at IS NOT NULL AND o.ends_at >= {now}");
    let alternatives: Vec<String> = buckets
        .iter()
        .map(|bucket| match *bucket {
            "week" => format!("({dated} AND o.starts_at < {})", now + 7 * day),
            "month" => format!("({dated} AND o.starts_at < {})", now + 30 * day),
            "quarter" => format!("({dated} AND o.starts_at < {})", now + 91 * day),
            "later" => format!("({dated} AND o.starts_at >= {})", now + 91 * day),
            "self_paced" => "o.format = 'online_self_paced'".to_owned(),
            other => panic!("no bucket {other}"),
        })
        .collect();
    format!("({})", alternatives.join(" OR "))
}

fn sql_count(connection: &Connection, filters: &Filters, others: &Others, now: i64) -> u64 {
    let mut params = Vec::new();
    let mut conditions = vec!["o.status = 'published'".to_owned()];
    for (dimension, values) in filters {
        conditions.push(condition(dimension, values, &mut params));
    }
    if !others.when.is_empty() {
        conditions.push(when_condition(&others.when, now));
    }
    if others.free {
        conditions.push("o.cost_amount = 0".to_owned());
    }
    if let Some(from) = others.from {
        conditions.push(format!("o.ends_at >= {}", midnight(from)));
    }
    if let Some(to) = others.to {
        conditions.push(format!(
            "o.starts_at < {}",
            midnight(to.succ_opt().unwrap())
        ));
    }
    let sql = format!(
        "SELECT count(*) FROM offerings o JOIN providers p ON p.id = o.provider WHERE {}",
        conditions.join(" AND ")
    );
    connection
        .query_row(&sql, rusqlite::params_from_iter(params.iter()), |row| {
            row.get::<_, i64>(0)
        })
        .unwrap() as u64
}

fn query_string(filters: &Filters, others: &Others) -> String {
    let mut pairs = vec!["include_past=true".to_owned(), "per_page=1".to_owned()];
    for (dimension, values) in filters {
        for value in values {
            pairs.push(format!(
                "{dimension}={}",
                url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>()
            ));
        }
    }
    pairs.extend(others.when.iter().map(|bucket| format!("when={bucket}")));
    if others.free {
        pairs.push("free=true".into());
    }
    pairs.extend(others.from.map(|day| format!("from={day}")));
    pairs.extend(others.to.map(|day| format!("to={day}")));
    pairs.join("&")
}

/// A random day of the seed's years, or none.
fn maybe_day(rng: &mut fastrand::Rng) -> Option<chrono::NaiveDate> {
    let first = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    (rng.u8(..3) == 0).then(|| first + chrono::Days::new(rng.u64(0..3 * 365)))
}

#[test]
fn facet_counts_equal_sql_counts_on_random_filters() {
    let catalog = Catalog::new();
    let server = catalog.serve();
    let connection = Connection::open(catalog.db()).unwrap();
    let (_, body) = server.get("/api/v1/search?include_past=true&per_page=1");
    let everything: Value = serde_json::from_str(&body).unwrap();
    let dimensions: Vec<String> = everything["facets"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| *k != "when")
        .cloned()
        .collect();
    let values_of = |facets: &Value, dimension: &str| -> Vec<String> {
        facets[dimension]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["value"].as_str().unwrap().to_owned())
            .collect()
    };

    let everything_total = everything["total"].as_u64().unwrap();
    // Rounds by the way their counts are taken (`facets::SHARE`): few matches visited, many
    // intersected as bitmaps, all but a few counted as what all hold less what those hold.
    let (mut by_visits, mut by_bitmaps, mut all_but) = (0, 0, 0);
    // Counts checked with a "when" filter chosen.
    let mut with_dates = 0;
    let mut rng = fastrand::Rng::with_seed(20261127);
    for round in 0..100 {
        let mut filters = Filters::new();
        for _ in 0..rng.usize(0..4) {
            let dimension = &dimensions[rng.usize(..dimensions.len())];
            let all = values_of(&everything["facets"], dimension);
            let chosen: Vec<String> = (0..rng.usize(1..3))
                .map(|_| all[rng.usize(..all.len())].clone())
                .collect();
            let mut chosen = chosen;
            chosen.sort();
            chosen.dedup();
            filters.insert(dimension.clone(), chosen);
        }
        let mut when: Vec<&str> = WHEN.into_iter().filter(|_| rng.u8(..4) == 0).collect();
        if rng.bool() {
            when.clear();
        }
        let others = Others {
            when,
            free: rng.u8(..4) == 0,
            from: maybe_day(&mut rng),
            to: maybe_day(&mut rng),
        };
        let before = chrono::Utc::now().timestamp();
        let (status, body) = server.get(&format!(
            "/api/v1/search?{}",
            query_string(&filters, &others)
        ));
        assert_eq!(status, 200, "{body}");
        let now = chrono::Utc::now().timestamp();
        // An offering changing "when" bucket during the request would make either count right.
        if now != before
            && sql_count(&connection, &filters, &others, before)
                != sql_count(&connection, &filters, &others, now)
        {
            continue;
        }
        let results: Value = serde_json::from_str(&body).unwrap();
        let total = results["total"].as_u64().unwrap();
        assert_eq!(
            total,
            sql_count(&connection, &filters, &others, now),
            "round {round}: total for {filters:?} {others:?}"
        );
        if total * 4 <= everything_total {
            by_visits += 1;
        } else if (everything_total - total) * 4 <= everything_total {
            all_but += 1;
        } else {
            by_bitmaps += 1;
        }

        for dimension in &dimensions {
            let listed: BTreeMap<String, u64> = results["facets"][dimension]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| {
                    (
                        v["value"].as_str().unwrap().to_owned(),
                        v["count"].as_u64().unwrap(),
                    )
                })
                .collect();
            for value in values_of(&everything["facets"], dimension) {
                let mut with_value = filters.clone();
                with_value.insert(dimension.clone(), vec![value.clone()]);
                let expected = sql_count(&connection, &with_value, &others, now);
                let shown = listed.get(&value).copied().unwrap_or(0);
                assert_eq!(
                    shown, expected,
                    "round {round}: {dimension}={value} under {filters:?} {others:?}"
                );
            }
        }
        for bucket in WHEN {
            let with_bucket = Others {
                when: vec![bucket],
                ..others.clone()
            };
            let expected = sql_count(&connection, &filters, &with_bucket, now);
            let mut shown = results["facets"]["when"].as_array().unwrap().iter();
            let shown = shown.find(|v| v["value"] == bucket);
            assert_eq!(
                shown.map_or(0, |v| v["count"].as_u64().unwrap()),
                expected,
                "round {round}: when={bucket} under {filters:?} {others:?}"
            );
            with_dates += u64::from(!others.when.is_empty());
        }
    }
    assert!(with_dates >= 100, "{with_dates}");
    assert!(
        by_visits >= 5 && by_bitmaps >= 5 && all_but >= 5,
        "{by_visits} {by_bitmaps} {all_but}"
    );
}

/// The facets of `results` as dimension → value → count.
fn listed(results: &Value) -> BTreeMap<String, BTreeMap<String, u64>> {
    let facets = results["facets"].as_object().unwrap();
    facets
        .iter()
        .map(|(dimension, values)| {
            let values = values.as_array().unwrap().iter().map(|v| {
                let value = v["value"].as_str().unwrap().to_owned();
                (value, v["count"].as_u64().unwrap())
            });
            (dimension.clone(), values.collect())
        })
        .collect()
}

/// With words, the counts of the active filters' own facets are taken in the search's own pass
/// (`search/sideways.rs`): each value's count must be the total a searcher gets by choosing it,
/// alone in its filter, the other filters kept. Random words and filters, in the relevance
/// order and another. In relevance order, fewer than ten results are widened with related
/// offerings (`search/related.rs`), which the facets count apart, so only searches and counts
/// of ten or more are checked there.
#[test]
fn with_words_a_facet_value_counts_what_choosing_it_finds() {
    let catalog = Catalog::new();
    let server = catalog.serve();
    let search = |query: &str| -> Value {
        let (status, body) = server.get(&format!("/api/v1/search?per_page=1&{query}"));
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    };
    let encode = |value: &str| -> String {
        url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
    };
    let words = [
        "library",
        "cataloging",
        "reference",
        "children",
        "leadership",
    ];
    let mut rng = fastrand::Rng::with_seed(20261130);
    let mut checked = 0;
    for round in 0..24 {
        let word = words[rng.usize(..words.len())];
        let order = if round % 2 == 0 { "" } else { "&sort=start" };
        let base = format!("q={word}{order}&include_past=true");
        let facets = listed(&search(&base));
        // One to three filters, with values the word's results hold.
        let mut filters: BTreeMap<String, String> = BTreeMap::new();
        for _ in 0..rng.usize(1..4) {
            let dimensions: Vec<&String> = facets.keys().collect();
            let dimension = dimensions[rng.usize(..dimensions.len())];
            let values: Vec<&String> = facets[dimension].keys().collect();
            if !values.is_empty() {
                let value = values[rng.usize(..values.len())];
                filters.insert(dimension.clone(), value.clone());
            }
        }
        let with = |filters: &BTreeMap<String, String>| -> String {
            let pairs = filters.iter().map(|(d, v)| format!("&{d}={}", encode(v)));
            format!("{base}{}", pairs.collect::<String>())
        };
        let results = search(&with(&filters));
        if order.is_empty() && results["total"].as_u64().unwrap() < 10 {
            continue;
        }
        let shown = listed(&results);
        for dimension in filters.keys() {
            for (value, count) in shown[dimension].iter().take(4) {
                if order.is_empty() && *count < 10 {
                    continue;
                }
                let mut chosen = filters.clone();
                chosen.insert(dimension.clone(), value.clone());
                let total = search(&with(&chosen))["total"].as_u64().unwrap();
                assert_eq!(
                    total,
                    *count,
                    "round {round}: {dimension}={value} shown under {}",
                    with(&filters)
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 30, "only {checked} values checked");
}

#[test]
fn a_program_asks_for_the_facets_it_shows() {
    let catalog = Catalog::new();
    let server = catalog.serve();
    let answer = |query: &str| -> (u16, Value) {
        let (status, body) = server.get(&format!("/api/v1/search?q=library&{query}"));
        (status, serde_json::from_str(&body).unwrap())
    };
    let (_, every) = answer("format=online_live");
    let (status, two) = answer("format=online_live&facets=format,when");
    assert_eq!(status, 200);
    let names: Vec<&String> = two["facets"].as_object().unwrap().keys().collect();
    assert_eq!(names, ["format", "when"]);
    assert_eq!(two["facets"]["format"], every["facets"]["format"]);
    assert_eq!(two["facets"]["when"], every["facets"]["when"]);
    assert_eq!(two["total"], every["total"]);

    let (_, none) = answer("facets=none");
    assert_eq!(none["facets"], serde_json::json!({}));
    assert!(none["total"].as_u64().unwrap() > 0);

    let (status, refused) = answer("facets=format,colour");
    assert_eq!(status, 400);
    assert_eq!(refused["error"]["parameter"], "facets");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`colour` is not a facet"),
        "{refused}"
    );
}
