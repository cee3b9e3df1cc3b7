//! The catalog in other formats, read back by independent parsers: iCalendar (the `ical` crate),
//! Atom (`feed-rs`), CSV (Python's csv module), JSON-LD (as JSON), and a search exported as a
//! bundle that imports into an empty catalog unchanged.

mod common;

use common::{Catalog, Server, read_json, seed_copy, write_json};
use serde_json::Value;
use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Stdio};

/// An event's properties: name → (value, parameters).
type Event = HashMap<String, (String, Vec<(String, Vec<String>)>)>;

fn parse_events(text: &str) -> Vec<Event> {
    let mut calendars = ical::IcalParser::new(text.as_bytes());
    let calendar = calendars.next().expect("one calendar").expect("it parses");
    assert!(calendars.next().is_none());
    let has = |name: &str| calendar.properties.iter().any(|p| p.name == name);
    assert!(
        has("VERSION") && has("PRODID"),
        "a calendar names its version and producer"
    );
    calendar
        .events
        .into_iter()
        .map(|event| {
            event
                .properties
                .into_iter()
                .map(|p| {
                    (
                        p.name,
                        (p.value.unwrap_or_default(), p.params.unwrap_or_default()),
                    )
                })
                .collect()
        })
        .collect()
}

fn offering(server: &Server, id: &str) -> Value {
    serde_json::from_str(&server.get(&format!("/api/v1/offerings/{id}")).1).unwrap()
}

#[test]
fn calendars_carry_the_right_moments_days_and_stable_uids() {
    let catalog = Catalog::new();
    let server = catalog.serve();
    // A webinar set in Chicago at 2 PM in January is 20:00 UTC.
    let all = read_json(&common::seed_dir().join("offerings.json"));
    let webinar = all
        .as_array()
        .unwrap()
        .iter()
        .find(|o| {
            o["timezone"] == "America/Chicago"
                && o["start"].as_str().is_some_and(|s| s.contains('T'))
        })
        .expect("the seed has a timed offering in Chicago");
    let id = webinar["id"].as_str().unwrap();
    let (status, text) = server.get(&format!("/offerings/{id}.ics"));
    assert_eq!(status, 200);
    let found = parse_events(&text);
    assert_eq!(found.len(), 1);
    let event = &found[0];
    let start = chrono::DateTime::parse_from_rfc3339(webinar["start"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    assert_eq!(
        event["DTSTART"].0,
        start.format("%Y%m%dT%H%M%SZ").to_string()
    );
    assert_eq!(event["UID"].0, format!("{id}@ce-clearinghouse"));
    assert_eq!(
        event["SUMMARY"].0.replace("\\,", ",").replace("\\;", ";"),
        webinar["title"].as_str().unwrap()
    );

    // A multi-day conference is whole days, ending the day after its last.
    let (_, text) = server.get("/search.ics?format=conference&include_past=true");
    let conferences = parse_events(&text);
    assert!(!conferences.is_empty());
    let day = conferences
        .iter()
        .find(|e| {
            e["DTSTART"]
                .1
                .iter()
                .any(|(k, v)| k == "VALUE" && v == &["DATE"])
        })
        .unwrap();
    assert_eq!(day["DTSTART"].0.len(), 8);
    assert!(day["DTEND"].0 > day["DTSTART"].0);

    // A search's calendar holds its scheduled results; self-paced ones have no date to show.
    let (_, text) =
        server.get("/search.ics?format=online_self_paced&format=online_live&include_past=true");
    let (_, json) = server.get(
        "/api/v1/search?format=online_self_paced&format=online_live&include_past=true&per_page=100",
    );
    let json: Value = serde_json::from_str(&json).unwrap();
    let dated = json["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h.get("start").is_some())
        .count();
    assert_eq!(parse_events(&text).len(), dated);

    // An edit keeps the UID and raises the SEQUENCE.
    let before = parse_events(&server.get(&format!("/offerings/{id}.ics")).1);
    let bundle = seed_copy();
    let path = bundle.path().join("offerings.json");
    let mut offerings = read_json(&path);
    for o in offerings.as_array_mut().unwrap() {
        if o["id"] == id {
            o["title"] = Value::from("Renamed webinar for the calendar test");
        }
    }
    write_json(&path, &offerings);
    catalog.import(bundle.path());
    std::thread::sleep(std::time::Duration::from_millis(500));
    let after = parse_events(&server.get(&format!("/offerings/{id}.ics")).1);
    assert_eq!(after[0]["UID"].0, before[0]["UID"].0);
    assert!(
        after[0]["SEQUENCE"].0.parse::<u64>().unwrap()
            > before[0]["SEQUENCE"].0.parse::<u64>().unwrap()
    );
    assert_eq!(server.get("/offerings/no-such-thing.ics").0, 404);
}

/// The first offering of the seed with a start, edited by `change` and imported into a new
/// catalog, which is served.
fn serve_with_edited_offering(change: impl Fn(&mut Value)) -> (Catalog, Server, String) {
    let bundle = seed_copy();
    let path = bundle.path().join("offerings.json");
    let mut offerings = read_json(&path);
    let edited = offerings
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|o| o.get("start").is_some())
        .unwrap();
    change(edited);
    let id = edited["id"].as_str().unwrap().to_owned();
    write_json(&path, &offerings);
    let catalog = Catalog::new();
    catalog.import(bundle.path());
    let server = catalog.serve();
    (catalog, server, id)
}

/// The content lines of a calendar, unfolded, after checking that every line ends in CR LF and
/// holds at most 75 octets.
fn content_lines(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.strip_suffix("\r\n").unwrap().split("\r\n").collect();
    for line in &lines {
        assert!(!line.contains(['\r', '\n']), "a bare line break: {line:?}");
        assert!(
            line.len() <= 75,
            "an unfolded line of {}: {line}",
            line.len()
        );
    }
    text.replace("\r\n ", "")
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn calendar_text_is_escaped_and_folded_as_rfc_5545_says() {
    let description = "Line one\r\nline two\rline three; with, commas \\ and a backslash. \
                       A long tail so the line folds: catalogación, bibliothèque, 图书馆 图书馆 图书馆.";
    let (_catalog, server, id) = serve_with_edited_offering(|o| {
        o["description"] = Value::from(description);
    });
    let (status, text) = server.get(&format!("/offerings/{id}.ics"));
    assert_eq!(status, 200);
    let lines = content_lines(&text);
    let written = lines
        .iter()
        .find_map(|l| l.strip_prefix("DESCRIPTION:"))
        .unwrap();
    assert!(
        written.starts_with(
            "Line one\\nline two\\nline three\\; with\\, commas \\\\ and a backslash."
        ),
        "{written}"
    );
    let parsed = parse_events(&text);
    assert!(parsed[0]["DESCRIPTION"].0.contains("图书馆 图书馆 图书馆"));

    // A search's words name its calendar; a line break among them starts no property.
    let (status, text) = server.get("/search.ics?q=budget%0D%0AX-INJECTED:1%0Dmore");
    assert_eq!(status, 200);
    let lines = content_lines(&text);
    assert!(!lines.iter().any(|l| l.starts_with("X-INJECTED")), "{text}");
    assert!(
        lines
            .contains(&"NAME;VALUE=TEXT:CE Clearinghouse: budget\\nX-INJECTED:1\\nmore".to_owned()),
        "{text}"
    );
}

#[test]
fn the_atom_feed_parses_and_lists_the_newest_matches() {
    let catalog = Catalog::new();
    let server = catalog.serve();
    let (status, body) = server.get("/search.atom?q=teen");
    assert_eq!(status, 200);
    let feed = feed_rs::parser::parse(body.as_bytes()).expect("the feed parses");
    let (_, json) = server.get("/api/v1/search?q=teen&per_page=50");
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        feed.entries.len() as u64,
        json["total"].as_u64().unwrap().min(50)
    );
    let titles: Vec<String> = feed
        .entries
        .iter()
        .map(|e| e.title.as_ref().unwrap().content.clone())
        .collect();
    for hit in json["hits"].as_array().unwrap() {
        assert!(
            titles.contains(&hit["title"].as_str().unwrap().to_owned()),
            "{}",
            hit["title"]
        );
    }
    // Newest first: in the order of the same search sorted by newest, whatever relevance says.
    let (_, newest) = server.get("/api/v1/search?q=teen&per_page=50&sort=newest");
    let newest: Value = serde_json::from_str(&newest).unwrap();
    let newest: Vec<&str> = newest["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, newest);
    let published: Vec<_> = feed.entries.iter().map(|e| e.published.unwrap()).collect();
    assert!(
        published.windows(2).all(|pair| pair[0] >= pair[1]),
        "{published:?}"
    );
    let entry = &feed.entries[0];
    assert!(entry.links[0].href.contains("/offerings/"));
    assert!(entry.id.starts_with("tag:ce-clearinghouse,2026:offering:"));
    // An offering added later leads the feed (the catalog's times are to the second).
    let second = chrono::Utc::now().timestamp();
    while chrono::Utc::now().timestamp() == second {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let bundle = seed_copy();
    let path = bundle.path().join("offerings.json");
    let mut offerings = read_json(&path);
    let mut added = offerings[0].clone();
    added["id"] = Value::from("teen-zine-workshop-added-later");
    added["title"] = Value::from("Teen Zine Workshop, Added Later");
    offerings.as_array_mut().unwrap().push(added);
    write_json(&path, &offerings);
    catalog.import(bundle.path());
    common::eventually("the added offering in search", || {
        server.total("q=%22teen+zine+workshop%22") == 1
    });
    let (_, body) = server.get("/search.atom?q=teen");
    let feed = feed_rs::parser::parse(body.as_bytes()).expect("the feed parses");
    assert_eq!(
        feed.entries[0].title.as_ref().unwrap().content,
        "Teen Zine Workshop, Added Later"
    );

    // The search page links to its feed.
    let (_, page) = server.get("/search?q=teen");
    assert!(
        page.contains(
            "rel=\"alternate\" type=\"application/atom+xml\" href=\"/search.atom?q=teen\""
        )
    );
}

#[test]
fn the_csv_parses_with_python_and_has_the_template_columns() {
    let catalog = Catalog::new();
    let server = catalog.serve();
    let (status, body) = server.get("/search.csv?q=storytime&include_past=true");
    assert_eq!(status, 200);
    let mut python = Command::new("python3")
        .args([
            "-c",
            "import csv, json, sys; print(json.dumps(list(csv.reader(sys.stdin, strict=True))))",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    python
        .stdin
        .take()
        .unwrap()
        .write_all(body.as_bytes())
        .unwrap();
    let output = python.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "Python's csv module rejects the file"
    );
    let rows: Vec<Vec<String>> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(rows[0], clearinghouse::formats::table::COLUMNS);
    let (_, json) = server.get("/api/v1/search?q=storytime&include_past=true&per_page=100");
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(rows.len() - 1, json["total"].as_u64().unwrap() as usize);
    let first = offering(&server, &rows[1][0]);
    assert_eq!(rows[1][1], first["title"].as_str().unwrap());
    assert_eq!(
        rows[1][2],
        first["description"].as_str().unwrap(),
        "line breaks survive inside a cell"
    );
}

#[test]
fn an_offering_page_embeds_json_ld_a_course_with_its_instance() {
    let catalog = Catalog::new();
    let server = catalog.serve();
    let id = "yalsa-ya-readers-advisory-boot-camp-seattle";
    let (_, page) = server.get(&format!("/offerings/{id}"));
    let json = page
        .split("<script type=\"application/ld+json\">")
        .nth(1)
        .unwrap()
        .split("</script>")
        .next()
        .unwrap();
    let data: Value = serde_json::from_str(json).expect("the JSON-LD parses");
    let offering = offering(&server, id);
    assert_eq!(data["@context"], "https://schema.org");
    assert_eq!(data["@type"], "Course");
    assert_eq!(data["name"], offering["title"]);
    assert_eq!(data["hasCourseInstance"]["courseMode"], "onsite");
    assert_eq!(data["hasCourseInstance"]["startDate"], offering["start"]);
    assert_eq!(
        data["hasCourseInstance"]["location"]["address"]["addressLocality"],
        offering["location"]["city"]
    );
    assert_eq!(data["offers"]["price"], offering["cost"]["amount"]);
    assert_eq!(
        data["offers"]["priceCurrency"],
        offering["cost"]["currency"]
    );
    assert_eq!(
        data["provider"]["name"],
        "Young Adult Library Services Association"
    );
}

#[test]
fn a_search_exported_as_a_bundle_imports_into_an_empty_catalog_unchanged() {
    let catalog = Catalog::new();
    let server = catalog.serve();
    // Parts of a series name earlier parts as prerequisites: they come along.
    let (status, body) = server.get("/api/v1/export?q=bibframe&include_past=true");
    assert_eq!(status, 200);
    let bundle: Value = serde_json::from_str(&body).unwrap();
    let offerings = bundle["offerings"].as_array().unwrap();
    assert!(!offerings.is_empty());
    let folder = tempfile::tempdir().unwrap();
    write_json(
        &folder.path().join("competencies.json"),
        &serde_json::json!({"frameworks": bundle["frameworks"]}),
    );
    write_json(&folder.path().join("providers.json"), &bundle["providers"]);
    write_json(&folder.path().join("offerings.json"), &bundle["offerings"]);

    let empty = Catalog::new();
    empty.import(folder.path());
    let exported = empty.export();
    assert_eq!(
        common::numbers_as_floats(&read_json(&exported.path().join("offerings.json"))),
        common::numbers_as_floats(&bundle["offerings"])
    );
    assert_eq!(
        read_json(&exported.path().join("providers.json")),
        bundle["providers"]
    );
    let (status, _) = server.get("/api/v1/export?format=webinar");
    assert_eq!(status, 400);
}

#[test]
fn providers_competencies_and_discovery_files_answer() {
    let catalog = Catalog::new();
    let server = catalog.serve();
    let providers: Value = serde_json::from_str(&server.get("/api/v1/providers").1).unwrap();
    assert!(providers.as_array().unwrap().len() >= 30);
    let pla: Value = serde_json::from_str(&server.get("/api/v1/providers/ala-pla").1).unwrap();
    assert_eq!(pla["kind"], "association_division");
    assert_eq!(server.get("/api/v1/providers/nobody").0, 404);
    let trees: Value = serde_json::from_str(&server.get("/api/v1/competencies").1).unwrap();
    let ala = trees["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "ala-core")
        .unwrap();
    let area = ala["competencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "5")
        .unwrap();
    let (_, search) = server.get("/api/v1/search?competency=ala-core:5&per_page=1");
    let search: Value = serde_json::from_str(&search).unwrap();
    assert_eq!(
        area["count"], search["total"],
        "a tree count is the count of its search"
    );

    let (_, opensearch) = server.get("/opensearch.xml");
    assert!(opensearch.contains("/search?q={searchTerms}"));
    let (_, home) = server.get("/");
    assert!(home.contains("rel=\"search\" type=\"application/opensearchdescription+xml\""));
    let (_, robots) = server.get("/robots.txt");
    assert!(robots.contains("Sitemap: http://"));
    let (_, sitemap) = server.get("/sitemap.xml");
    let everything: Value =
        serde_json::from_str(&server.get("/api/v1/search?include_past=true&per_page=1").1).unwrap();
    assert_eq!(
        sitemap.matches("/offerings/").count() as u64,
        everything["total"].as_u64().unwrap()
    );
}

#[test]
fn the_openapi_document_describes_every_api_route_and_the_api_page_shows_it() {
    let catalog = Catalog::new();
    let server = catalog.serve();
    let (status, body) = server.get("/api/openapi.json");
    assert_eq!(status, 200);
    let document: Value = serde_json::from_str(&body).unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths: Vec<&str> = document["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for path in [
        "/api/v1/search",
        "/api/v1/offerings/{id}",
        "/api/v1/offerings/{id}/evaluation",
        "/api/v1/providers",
        "/api/v1/providers/{id}",
        "/api/v1/competencies",
        "/api/v1/export",
    ] {
        assert!(paths.contains(&path), "{path} is not documented");
    }
    let parameters: Vec<&str> = document["paths"]["/api/v1/search"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for name in [
        "q",
        "format",
        "competency",
        "from",
        "to",
        "include_past",
        "sort",
        "page",
        "per_page",
    ] {
        assert!(parameters.contains(&name), "{name} is not documented");
    }
    let (status, page) = server.get("/api");
    assert_eq!(status, 200);
    assert!(page.contains("GET /api/v1/search") && page.contains("per_page"));
}
