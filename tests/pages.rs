//! The pages over real HTTP: every kind answers with the right status, markup typed by providers
//! or searchers stays inert text on every page, and a search page is light.

mod common;

use common::{Catalog, read_json, seed_copy, write_json};
use serde_json::json;

const SCRIPT: &str = "<script>alert('x')</script>";
const IMAGE: &str = "\"><img src=x onerror=alert(1)>";

fn hostile_catalog() -> Catalog {
    let bundle = seed_copy();
    let providers_path = bundle.path().join("providers.json");
    let mut providers = read_json(&providers_path);
    providers.as_array_mut().unwrap().push(json!({
        "id": "hostile-provider", "name": format!("Evil {SCRIPT} Library"), "kind": "vendor",
        "description": format!("We sell {IMAGE} things."), "country": "US", "region": "IL"
    }));
    write_json(&providers_path, &providers);
    let offerings_path = bundle.path().join("offerings.json");
    let mut offerings = read_json(&offerings_path);
    offerings.as_array_mut().unwrap().push(json!({
        "id": "hostile-offering",
        "title": format!("Workshop {SCRIPT}"),
        "description": format!("A description with {IMAGE} and {SCRIPT} inside it.\n\nSecond paragraph </script><script>alert(2)</script>."),
        "provider": "hostile-provider",
        "format": "in_person",
        "audiences": ["librarians"],
        "level": "introductory",
        "competencies": ["ala-core:5C"],
        "start": "2027-05-05",
        "location": {"venue": IMAGE, "city": format!("City {SCRIPT}"), "region": "IL", "country": "US"},
        "learning_outcomes": [format!("Learn {SCRIPT}")],
        "instructors": [format!("Dr. {IMAGE}")],
        "accessibility": SCRIPT,
        "series": {"id": "hostile-series", "title": format!("Series {SCRIPT}"), "position": 1},
        "url": "https://example.org/?q=<script>"
    }));
    write_json(&offerings_path, &offerings);
    let catalog = Catalog::new();
    catalog.import(bundle.path());
    catalog
}

#[test]
fn markup_from_providers_and_searchers_is_inert_on_every_page() {
    let catalog = hostile_catalog();
    let server = catalog.serve();
    let query = url::form_urlencoded::byte_serialize(format!("workshop {SCRIPT}").as_bytes())
        .collect::<String>();
    for (path, expected) in [
        ("/".to_owned(), 200),
        ("/search?q=workshop".to_owned(), 200),
        (format!("/search?q={query}"), 200),
        ("/search?provider=hostile-provider".to_owned(), 200),
        ("/offerings/hostile-offering".to_owned(), 200),
        ("/providers".to_owned(), 200),
        ("/providers/hostile-provider".to_owned(), 200),
        ("/competencies/ala-core/5C".to_owned(), 200),
        // The words as an offering id: no such offering, and the 404 page must stay inert too.
        (format!("/offerings/{query}"), 404),
    ] {
        let (status, body) = server.get(&path);
        assert_eq!(status, expected, "{path}");
        assert!(!body.contains(SCRIPT), "{path} carries a live script");
        assert!(!body.contains("<img src=x"), "{path} carries a live image");
        assert!(
            !body.contains("<script>alert"),
            "{path} carries a live script"
        );
        // Only our own two script elements: the app script and, on an offering, its JSON-LD.
        assert!(body.matches("<script").count() <= 2, "{path}");
    }
    let (_, page) = server.get("/offerings/hostile-offering");
    let title = page
        .split("<h1")
        .nth(1)
        .unwrap_or_default()
        .split("</h1>")
        .next()
        .unwrap_or_default();
    assert!(
        title.contains("Workshop &#60;script&#62;") || title.contains("Workshop &lt;script&gt;"),
        "{title}"
    );
    assert!(page.contains("application/ld+json"));
    let (_, api) = server.get("/api/v1/search?q=workshop&provider=hostile-provider");
    let api: serde_json::Value = serde_json::from_str(&api).unwrap();
    assert_eq!(
        api["hits"][0]["title"],
        format!("Workshop {SCRIPT}"),
        "the API returns the text as given"
    );
    assert!(
        !api["hits"][0]["snippet"].as_str().unwrap().contains("<img"),
        "snippets are escaped"
    );
}

#[test]
fn every_kind_of_page_answers_with_the_right_status() {
    let catalog = Catalog::new();
    let server = catalog.serve();
    for (path, expected) in [
        ("/", 200),
        ("/search", 200),
        (
            "/search?q=teen&format=online_live&audience=librarians&sort=start&page=1",
            200,
        ),
        (
            "/offerings/yalsa-ya-readers-advisory-boot-camp-seattle",
            200,
        ),
        ("/providers", 200),
        ("/providers/ala-pla", 200),
        ("/competencies", 200),
        ("/competencies/lssc", 200),
        ("/competencies/ala-core/5", 200),
        ("/competencies/ala-core/5C", 200),
        ("/offerings/no-such-offering", 404),
        ("/providers/no-such-provider", 404),
        ("/competencies/no-such-framework", 404),
        ("/competencies/ala-core/99Z", 404),
        ("/nothing/here", 404),
        ("/search?format=webinar", 400),
        ("/search?page=0", 400),
        ("/static/style.css", 200),
        ("/static/app.js", 200),
    ] {
        let (status, body) = server.get(path);
        assert_eq!(status, expected, "{path}");
        if path.starts_with("/static") {
            continue;
        }
        assert!(
            body.contains("<main id=\"main\""),
            "{path} is a page in the site's style"
        );
        assert!(body.contains("class=\"skip\""), "{path} has a skip link");
    }
    let head = ureq::head(&server.url("/search?q=teen"))
        .call()
        .expect("HEAD answers");
    assert_eq!(head.status(), 200, "HEAD works like GET");
    let (_, bad) = server.get("/search?format=webinar");
    assert!(
        bad.contains("The format parameter: unknown value `webinar`"),
        "the error names the parameter and its value: {bad}"
    );
}

#[test]
fn a_search_page_is_light() {
    let catalog = Catalog::new();
    let server = catalog.serve();
    let (_, page) = server.get("/search?q=library&per_page=20");
    let (_, style) = server.get("/static/style.css");
    let (_, script) = server.get("/static/app.js");
    let weight = page.len() + style.len() + script.len();
    assert!(
        weight < 50_000,
        "a search page weighs {weight} bytes before images"
    );
}

#[test]
fn answers_carry_an_etag_and_a_matching_request_gets_304_until_the_catalog_changes() {
    let catalog = Catalog::new();
    let server = catalog.serve();
    for path in [
        "/search?q=teen",
        "/api/v1/search?q=teen",
        "/search.atom?q=teen",
        "/offerings/yalsa-ya-readers-advisory-boot-camp-seattle",
    ] {
        let first = ureq::get(&server.url(path)).call().unwrap();
        let tag = first
            .headers()
            .get("etag")
            .expect("an ETag")
            .to_str()
            .unwrap()
            .to_owned();
        let again = ureq::get(&server.url(path))
            .header("If-None-Match", &tag)
            .config()
            .http_status_as_error(false)
            .build()
            .call()
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
    }
    let tag = |path: &str| {
        ureq::get(&server.url(path))
            .call()
            .unwrap()
            .headers()
            .get("etag")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned()
    };
    let before = tag("/search?q=teen");
    // An edit to the catalog changes every tag once the index has it.
    let bundle = seed_copy();
    let path = bundle.path().join("offerings.json");
    let mut offerings = read_json(&path);
    offerings[0]["title"] = json!("A changed title for the cache test");
    write_json(&path, &offerings);
    catalog.import(bundle.path());
    let started = std::time::Instant::now();
    while tag("/search?q=teen") == before {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "the tag never changed"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The value of a header of a GET answer (any status), if it has one.
fn header(server: &common::Server, path: &str, name: &str) -> Option<String> {
    let response = ureq::get(&server.url(path))
        .config()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .call()
        .unwrap();
    response
        .headers()
        .get(name)
        .map(|value| value.to_str().unwrap().to_owned())
}

#[test]
fn the_provider_list_is_cached_like_any_public_page_and_private_areas_are_not() {
    let catalog = Catalog::new();
    let server = catalog.serve();
    for path in ["/providers", "/providers/ala-pla"] {
        assert!(
            header(&server, path, "etag").is_some(),
            "{path} has no ETag"
        );
        assert_eq!(
            header(&server, path, "cache-control").as_deref(),
            Some("no-cache"),
            "{path}"
        );
    }
    for path in ["/provider", "/provider/upload", "/admin", "/login"] {
        assert_eq!(
            header(&server, path, "cache-control").as_deref(),
            Some("no-store"),
            "{path}"
        );
        assert!(header(&server, path, "etag").is_none(), "{path}");
    }
}

#[test]
fn hsts_is_sent_on_every_answer_only_when_served_over_https() {
    let catalog = Catalog::new();
    catalog.import(&common::seed_dir());
    let paths = [
        "/",
        "/search?q=teen",
        "/api/v1/search",
        "/login",
        "/no-such-page",
        "/static/style.css",
    ];
    let secure = catalog.serve_with(&["--secure-cookies"]);
    for path in paths {
        assert_eq!(
            header(&secure, path, "strict-transport-security").as_deref(),
            Some("max-age=31536000; includeSubDomains"),
            "{path}"
        );
    }
    drop(secure);
    let plain = catalog.serve();
    for path in paths {
        assert_eq!(
            header(&plain, path, "strict-transport-security"),
            None,
            "{path}"
        );
    }
}

/// The first hit of a JSON search.
fn first_hit(server: &common::Server, query: &str) -> serde_json::Value {
    let (status, body) = server.get(&format!("/api/v1/search?{query}&per_page=1"));
    assert_eq!(status, 200, "{body}");
    let results: serde_json::Value = serde_json::from_str(&body).unwrap();
    results["hits"][0].clone()
}

#[test]
fn a_past_offering_says_it_has_ended_and_offers_no_registration() {
    let catalog = common::seeded_catalog();
    let server = catalog.serve();
    let past = first_hit(&server, "include_past=true&to=2026-06-30&sort=start");
    let upcoming = first_hit(&server, "sort=start");
    assert!(past["url"].is_string() && upcoming["url"].is_string());

    let (status, page) = server.get(&format!("/offerings/{}", past["id"].as_str().unwrap()));
    assert_eq!(status, 200);
    assert!(page.contains("This offering has ended."), "{page}");
    assert!(!page.contains("Register or read more"));

    let (_, page) = server.get(&format!("/offerings/{}", upcoming["id"].as_str().unwrap()));
    assert!(!page.contains("This offering has ended."));
    assert!(page.contains("Register or read more"));
}

#[test]
fn a_withdrawn_offering_is_gone_with_similar_upcoming_ones_suggested() {
    let catalog = common::seeded_catalog();
    let server = catalog.serve();
    let hit = first_hit(&server, "q=cataloging");
    let (id, title) = (hit["id"].as_str().unwrap(), hit["title"].as_str().unwrap());
    let store = clearinghouse::store::Store::open(&catalog.db()).unwrap();
    store.withdraw(id, None, "test").unwrap();

    let (status, page) = server.get(&format!("/offerings/{id}"));
    assert_eq!(status, 410, "{page}");
    assert!(page.contains("This offering was withdrawn"), "{page}");
    let similar = page
        .split("Similar upcoming offerings")
        .nth(1)
        .expect("similar offerings are suggested");
    assert!(similar.contains("href=\"/offerings/"), "{similar}");
    assert!(!similar.contains(&format!("href=\"/offerings/{id}\"")));
    assert!(page.contains("Search for more like it"));
    let escaped_title = title
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;");
    assert!(
        page.contains(&escaped_title),
        "the page names what was withdrawn"
    );
}

#[test]
fn a_page_past_the_last_says_there_are_no_more_and_links_the_last() {
    let catalog = common::seeded_catalog();
    let server = catalog.serve();
    let (status, page) = server.get("/search?q=cataloging&page=500");
    assert_eq!(status, 200);
    assert!(page.contains("No more results"), "{page}");
    assert!(!page.contains("No offerings match"));
    let marker = "The results end on page ";
    let last: usize = page[page.find(marker).unwrap() + marker.len()..]
        .split('.')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let (_, last_page) = server.get(&format!("/search?q=cataloging&page={last}"));
    assert!(
        last_page.contains("class=\"result-list\""),
        "page {last} has results"
    );
}

#[test]
fn dates_read_one_way_and_counts_take_the_right_noun() {
    let site = common::seeded();
    let (_, page) = site.server.get("/search?from=2027-03-01&to=2027-04-30");
    assert!(
        page.contains("Running on or after Mar 1, 2027")
            && page.contains("Starting by Apr 30, 2027"),
        "the chips write days as the results do"
    );
    // The competency tree counts offerings, and some branch has just one.
    let (_, page) = site.server.get("/competencies");
    assert!(page.contains(">1<span class=\"visually-hidden\"> offering<"));
    assert!(!page.contains(">1<span class=\"visually-hidden\"> offerings<"));
}

#[test]
fn a_score_is_given_only_when_relevance_orders_the_results() {
    let site = common::seeded();
    assert!(first_hit(&site.server, "q=cataloging")["score"].is_f64());
    assert!(first_hit(&site.server, "q=cataloging&sort=start")["score"].is_null());
    assert!(first_hit(&site.server, "sort=start")["score"].is_null());
}

/// Every hit of a JSON search (up to 100).
fn all_hits(server: &common::Server, query: &str) -> Vec<serde_json::Value> {
    let (status, body) = server.get(&format!(
        "/api/v1/search?{query}&per_page=100&include_past=true"
    ));
    assert_eq!(status, 200, "{body}");
    let results: serde_json::Value = serde_json::from_str(&body).unwrap();
    results["hits"].as_array().unwrap().clone()
}

fn cost_of(hit: &serde_json::Value) -> (f64, &str) {
    (
        hit["cost"]["amount"].as_f64().unwrap(),
        hit["cost"]["currency"].as_str().unwrap(),
    )
}

#[test]
fn a_budget_compares_costs_in_one_currency_and_says_so() {
    let site = common::seeded();
    let within = all_hits(&site.server, "cost_max=50");
    assert!(!within.is_empty());
    for hit in &within {
        let (amount, currency) = cost_of(hit);
        assert!(
            amount == 0.0 || (currency == "USD" && amount <= 50.0),
            "{amount} {currency}"
        );
    }
    let canadian = all_hits(&site.server, "cost_max=500&currency=cad");
    assert!(canadian.iter().any(|hit| cost_of(hit).1 == "CAD"));
    assert!(
        canadian
            .iter()
            .all(|hit| cost_of(hit).0 == 0.0 || cost_of(hit).1 == "CAD")
    );
    let (status, body) = site
        .server
        .get("/api/v1/search?cost_max=50&currency=dollars");
    assert_eq!(status, 400);
    assert!(body.contains("\"parameter\":\"currency\""), "{body}");
    let (_, page) = site.server.get("/search?cost_max=50&currency=USD");
    assert!(page.contains("Costs at most 50 USD"));
    assert!(page.contains("amounts in other currencies are not converted"));
}

#[test]
fn a_price_band_keeps_only_what_costs_more_than_its_floor_and_at_most_its_ceiling() {
    let site = common::seeded();
    let band = all_hits(&site.server, "cost_over=50&cost_max=200");
    assert!(!band.is_empty());
    for hit in &band {
        let (amount, currency) = cost_of(hit);
        assert!(
            currency == "USD" && amount > 50.0 && amount <= 200.0,
            "{amount} {currency}"
        );
    }
    // The bands of the coverage report add up to every priced offering in dollars.
    let priced_usd = site.server.total("cost_over=0");
    let bands = [
        "cost_over=0&cost_max=50",
        "cost_over=50&cost_max=200",
        "cost_over=200",
    ]
    .map(|band| site.server.total(band));
    assert!(bands.iter().all(|&count| count > 0), "{bands:?}");
    assert_eq!(bands.iter().sum::<u64>(), priced_usd);
    let (status, body) = site.server.get("/api/v1/search?cost_over=-1");
    assert_eq!(status, 400);
    assert!(body.contains("\"parameter\":\"cost_over\""), "{body}");
    let (_, page) = site.server.get("/search?cost_over=50");
    assert!(page.contains("Costs more than 50 USD"), "the chip names it");
}

#[test]
fn the_lowest_cost_never_ranks_one_currency_beside_another_as_equal() {
    let site = common::seeded();
    let hits = all_hits(&site.server, "sort=cost&q=library");
    let priced: Vec<(f64, &str)> = hits
        .iter()
        .filter(|hit| hit["cost"].is_object())
        .map(cost_of)
        .collect();
    // Free first, then US dollars rising, then each other currency in a run of its own.
    let first_paid = priced.iter().position(|(amount, _)| *amount > 0.0).unwrap();
    assert!(
        priced[..first_paid]
            .iter()
            .all(|(amount, _)| *amount == 0.0)
    );
    let paid = &priced[first_paid..];
    let usd: Vec<f64> = paid
        .iter()
        .take_while(|(_, currency)| *currency == "USD")
        .map(|(amount, _)| *amount)
        .collect();
    assert!(usd.windows(2).all(|pair| pair[0] <= pair[1]), "{usd:?}");
    let mut runs: Vec<&str> = paid.iter().map(|(_, currency)| *currency).collect();
    runs.dedup();
    let mut distinct = runs.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(
        runs.len(),
        distinct.len(),
        "each currency in one run: {runs:?}"
    );
    let (_, page) = site.server.get("/search?sort=cost&q=library");
    assert!(page.contains("not converted or compared"));
}
