//! The reports (#14) over real HTTP on a real catalog: every count is the total of the search it
//! links to; searches are recorded without who asked, and the public summary of demand hides what
//! fewer than 5 days asked; bad parameters are 400s naming them; the command line writes the same
//! reports and keeps snapshots.

mod common;

use common::{Catalog, eventually};
use rusqlite::Connection;
use serde_json::Value;

/// Every `{count, search}` object in a report, wherever it sits.
fn cells(value: &Value, found: &mut Vec<(u64, String)>) {
    match value {
        Value::Object(object) => {
            if let (Some(count), Some(search)) = (
                object.get("count").and_then(Value::as_u64),
                object.get("search").and_then(Value::as_str),
            ) {
                found.push((count, search.to_owned()));
            }
            object.values().for_each(|v| cells(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| cells(v, found)),
        _ => {}
    }
}

fn json(server: &common::Server, path: &str) -> Value {
    let (status, body) = server.get(path);
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

/// The total of the search a report's link names, through the JSON API.
fn total_of(server: &common::Server, link: &str) -> u64 {
    let query = link
        .strip_prefix("/search")
        .unwrap()
        .trim_start_matches('?');
    let results = json(server, &format!("/api/v1/search?{query}&per_page=1"));
    assert!(results["corrected_query"].is_null(), "{link}");
    results["total"].as_u64().unwrap()
}

#[test]
fn every_report_count_equals_the_total_of_the_search_it_links_to() {
    let catalog = Catalog::new();
    let server = catalog.serve();
    let mut rng = fastrand::Rng::with_seed(20261129);
    let windows = ["3m", "6m", "12m", "24m", "past-year"];
    let by = [
        "format", "level", "audience", "region", "language", "cost", "credits",
    ];
    let mut reports = Vec::new();
    for _ in 0..8 {
        let window = windows[rng.usize(..windows.len())];
        let dimension = by[rng.usize(..by.len())];
        reports.push(format!(
            "/api/v1/reports/coverage?window={window}&by={dimension}"
        ));
    }
    reports.push(
        "/api/v1/reports/coverage?from=2027-02-01&to=2027-04-30&by=level&framework=lssc".into(),
    );
    for window in ["3m", "24m", "past-year"] {
        reports.push(format!("/api/v1/reports/places?window={window}"));
        reports.push(format!("/api/v1/reports/trends?window={window}"));
    }
    let mut checked = (0, 0);
    for report in &reports {
        let mut found = Vec::new();
        cells(&json(&server, report), &mut found);
        assert!(found.len() > 5, "{report}: {} cells", found.len());
        // Some of each kind: gaps (0 and 1) and the rest.
        let (small, large): (Vec<_>, Vec<_>) = found.into_iter().partition(|(n, _)| *n < 2);
        for pool in [small, large] {
            for _ in 0..pool.len().min(6) {
                let (count, link) = &pool[rng.usize(..pool.len())];
                assert_eq!(
                    *count,
                    total_of(&server, link),
                    "{report}: the count of {link}"
                );
                if *count < 2 {
                    checked.0 += 1;
                } else {
                    checked.1 += 1;
                }
            }
        }
    }
    // The sample held both gaps and real counts.
    assert!(checked.0 > 10 && checked.1 > 10, "{checked:?}");
}

#[test]
fn coverage_lists_every_competency_of_every_framework_and_marks_gaps_in_words() {
    let catalog = Catalog::new();
    let server = catalog.serve();
    let report = json(&server, "/api/v1/reports/coverage");
    let competencies: i64 = Connection::open(catalog.db())
        .unwrap()
        .query_row(
            "SELECT (SELECT count(*) FROM competencies) + (SELECT count(*) FROM frameworks)",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(
        report["rows"].as_array().unwrap().len() as i64,
        competencies
    );
    let (status, page) = server.get("/reports/coverage");
    assert_eq!(status, 200);
    assert!(page.contains("<details class=\"framework\" open>"));
    assert!(page.contains("gap<span class=\"visually-hidden\">: no offering</span>"));
    assert!(page.contains("thin<span class=\"visually-hidden\">: only one offering</span>"));
    let (status, csv) = server.get("/api/v1/reports/coverage?by=cost&format=csv");
    assert_eq!(status, 200);
    assert!(csv.starts_with("competency,label,depth,all,free,under-50,50-200,over-200\n"));
}

#[test]
fn bad_parameters_are_400s_naming_them() {
    let catalog = Catalog::new();
    let server = catalog.serve();
    for (path, parameter) in [
        ("/api/v1/reports/coverage?window=5m", "window"),
        ("/api/v1/reports/coverage?framework=no-such", "framework"),
        ("/api/v1/reports/coverage?by=colour", "by"),
        ("/api/v1/reports/coverage?format=xml", "format"),
        ("/api/v1/reports/places?from=2027-01-01", "to"),
        ("/api/v1/reports/trends?from=2027-02-01&to=2027-01-01", "to"),
        ("/api/v1/reports/demand?window=forever", "window"),
        ("/api/v1/reports/places?from=soon&to=2027-01-01", "from"),
        ("/api/v1/reports/coverage?to=", "to"),
    ] {
        let (status, body) = server.get(path);
        assert_eq!(status, 400, "{path}: {body}");
        let error: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(error["error"]["parameter"], parameter, "{path}");
    }
    for (path, parameter) in [
        ("/reports?window=5m", "window"),
        ("/reports/coverage?framework=no-such", "framework"),
        ("/reports/coverage?by=colour", "by"),
        ("/reports/places?window=x", "window"),
        ("/reports/trends?to=2027-01-01", "from"),
        ("/reports/demand?window=x", "window"),
    ] {
        let (status, body) = server.get(path);
        assert_eq!(status, 400, "{path}");
        assert!(
            body.contains(&format!("The {parameter} parameter")),
            "{path}"
        );
    }
}

/// The search log's columns: nothing about who asked.
fn log_columns(db: &std::path::Path) -> Vec<String> {
    let connection = Connection::open(db).unwrap();
    let mut statement = connection
        .prepare("SELECT name FROM pragma_table_info('search_log') ORDER BY cid")
        .unwrap();
    statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn demand_cli(catalog: &Catalog) -> Value {
    serde_json::from_str(&catalog.run_ok(&["report", "demand", "--format", "json"])).unwrap()
}

fn listed(report: &Value, list: &str, words: &str, filters: &str) -> bool {
    report[list]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["words"] == words && s["filters"] == filters)
}

#[test]
fn searches_are_recorded_without_who_asked_and_what_found_nothing_is_reported() {
    let catalog = Catalog::new();
    let server = catalog.serve();
    // One through the page, one through the API; a second page is not a second search, nor
    // is a HEAD.
    ureq::head(&server.url("/search?q=headonly"))
        .call()
        .unwrap();
    server.get("/search?q=Zyzzyva+Quokka+Basketry");
    server.get("/search?q=zyzzyva%20quokka%20basketry!&page=2");
    server.get("/api/v1/search?competency=ala-core:1C&format=conference&free=true");
    server.get("/api/v1/search?q=library");
    let db = catalog.db();
    let rows = || -> i64 {
        Connection::open(&db)
            .unwrap()
            .query_row("SELECT count(*) FROM search_log", [], |row| row.get(0))
            .unwrap()
    };
    eventually("the searches are recorded", || rows() >= 3);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(rows(), 3);

    assert_eq!(
        log_columns(&catalog.db()),
        ["id", "day", "words", "filters", "total"]
    );
    let connection = Connection::open(catalog.db()).unwrap();
    let everything: Vec<String> = connection
        .prepare("SELECT day || ' ' || words || ' ' || filters FROM search_log")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for row in &everything {
        assert!(!row.contains("127.0.0.1"), "{row}");
    }

    let report = demand_cli(&catalog);
    assert!(
        listed(&report, "unmet", "zyzzyva quokka basketry", ""),
        "{report:#}"
    );
    assert!(listed(
        &report,
        "empty_combinations",
        "",
        "competency=ala-core%3A1C&format=conference&free=true"
    ));
    assert!(!listed(&report, "unmet", "library", ""));
    assert!(listed(&report, "most_asked", "library", ""));
    // The public summary shows none of them: each was asked on one day only.
    let public = json(&server, "/api/v1/reports/demand");
    assert_eq!(public["searches"], 3);
    for list in ["most_asked", "unmet", "empty_combinations"] {
        assert_eq!(public[list].as_array().unwrap().len(), 0, "{list}");
    }
}

#[test]
fn the_public_summary_shows_only_what_five_days_asked() {
    let catalog = Catalog::new();
    let server = catalog.serve();
    let connection = Connection::open(catalog.db()).unwrap();
    let today = chrono::Utc::now().date_naive();
    for (words, days, total) in [("rare topic", 4, 0), ("common topic", 5, 1)] {
        for day in 0..days {
            // Twice on each day: the count of days, not of searches, decides.
            for _ in 0..2 {
                connection
                    .execute(
                        "INSERT INTO search_log (day, words, filters, total) VALUES (?1, ?2, '', ?3)",
                        rusqlite::params![
                            (today - chrono::Duration::days(day * 3)).to_string(),
                            words,
                            total
                        ],
                    )
                    .unwrap();
            }
        }
    }
    let public = json(&server, "/api/v1/reports/demand");
    assert!(listed(&public, "unmet", "common topic", ""), "{public:#}");
    assert!(listed(&public, "most_asked", "common topic", ""));
    assert!(!listed(&public, "most_asked", "rare topic", ""));
    assert!(!listed(&public, "unmet", "rare topic", ""));
    let (_, page) = server.get("/reports/demand");
    assert!(page.contains("common topic") && !page.contains("rare topic"));
    let (_, brief) = server.get("/reports");
    assert!(brief.contains("common topic") && !brief.contains("rare topic"));

    // Administrators see everything, on the page and from the command line.
    common::web::add_user(
        &catalog,
        &["--email", "admin@example.org", "--role", "admin"],
    );
    let admin = common::web::sign_in(&server, "admin@example.org");
    let (status, _, page) = common::web::get(&admin, &server, "/reports/demand");
    assert_eq!(status, 200);
    assert!(page.contains("rare topic") && page.contains("common topic"));
    assert!(listed(&demand_cli(&catalog), "unmet", "rare topic", ""));
}

#[test]
fn the_command_line_writes_reports_and_keeps_snapshots_that_trends_compare() {
    let catalog = Catalog::new();
    drop(catalog.serve()); // loads the seed and builds the index
    let csv = catalog.run_ok(&["report", "places", "--window", "24m"]);
    assert!(csv.starts_with("region,name,country,offerings\n"));
    assert!(csv.contains("\nIL,Illinois,US,"));
    let coverage: Value = serde_json::from_str(&catalog.run_ok(&[
        "report",
        "coverage",
        "--framework",
        "cpla",
        "--by",
        "level",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(coverage["framework"], "cpla");
    assert_eq!(coverage["columns"].as_array().unwrap().len(), 3);
    let bad = catalog.run(&["report", "coverage", "--window", "5m"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--window"));

    catalog.run_ok(&["report", "snapshot"]);
    // Make the first snapshot a month older, with one competency's figure changed.
    let connection = Connection::open(catalog.db()).unwrap();
    connection
        .execute(
            "UPDATE coverage_snapshots SET taken_on = '2000-01-01', \
             offerings = offerings + 7 WHERE competency = 'cpla:BF'",
            [],
        )
        .unwrap();
    connection
        .execute("UPDATE coverage_snapshots SET taken_on = '2000-01-01'", [])
        .unwrap();
    catalog.run_ok(&["report", "snapshot"]);
    let trends: Value =
        serde_json::from_str(&catalog.run_ok(&["report", "trends", "--format", "json"])).unwrap();
    let today = chrono::Utc::now().date_naive().to_string();
    assert_eq!(
        trends["snapshots"],
        serde_json::json!(["2000-01-01", today])
    );
    let changes = trends["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["competency"], "cpla:BF");
    assert_eq!(
        changes[0]["before"].as_u64().unwrap(),
        changes[0]["after"].as_u64().unwrap() + 7
    );
}

#[test]
fn a_search_widened_with_related_offerings_is_logged_with_what_its_words_found() {
    let catalog = common::seeded_catalog();
    let server = catalog.serve();
    let results = json(&server, "/api/v1/search?q=wcag&include_past=true");
    let related = results["related"].as_u64().unwrap();
    assert!(related > 0, "{results}");
    let found_by_words = results["total"].as_u64().unwrap() - related;
    let logged = || -> Option<i64> {
        Connection::open(catalog.db())
            .unwrap()
            .query_row(
                "SELECT total FROM search_log WHERE words = 'wcag'",
                [],
                |row| row.get(0),
            )
            .ok()
    };
    eventually("the search is recorded", || logged().is_some());
    assert_eq!(logged(), Some(found_by_words as i64));
}
