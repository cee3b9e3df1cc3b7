//! Search holds up: hostile queries and parameters never get a 5xx, bad parameter values get a 400
//! naming the parameter, and searches keep answering while a reindex runs and switches.

mod common;

use common::Catalog;
use serde_json::Value;

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[test]
fn hostile_queries_never_fail() {
    let catalog = Catalog::new();
    let server = catalog.serve();
    let long = "library ".repeat(1300);
    let nested = format!("{}budget{}", "(".repeat(5000), ")".repeat(5000));
    let hostile = [
        "\"unbalanced quote",
        "a:(^",
        "- *",
        "OR OR OR",
        "AND",
        "-",
        "\"\"",
        "((()))",
        "title:budget description:[* TO *]",
        "budget^1000000",
        "~~~ ??? *** ::: \\\\",
        "\u{0}\u{1}\u{7f}\u{1b}[31m",
        "<script>alert(1)</script>",
        "'; DROP TABLE offerings; --",
        "é€𝄞 中文 العربية",
        long.as_str(),
        nested.as_str(),
        "-budget -grant -teen",
        "NOT NOT NOT",
        "\"a\" \"b\" -\"c\" (d OR -e)",
    ];
    for query in hostile {
        let (status, body) = server.get(&format!("/api/v1/search?q={}", encode(query)));
        if query.chars().count() > 1000 {
            // Too long for a program (the API document says so): a 400 naming `q`. The page
            // reads its first 1,000 characters, so the query language still meets them.
            assert_eq!(status, 400, "query {query:?} answered {status}: {body}");
            let json: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(json["error"]["parameter"], "q");
            let (status, page) = server.get(&format!("/search?q={}", encode(query)));
            assert_eq!(
                status, 200,
                "the page for {query:?} answered {status}: {page}"
            );
            continue;
        }
        assert_eq!(status, 200, "query {query:?} answered {status}: {body}");
        let json: Value = serde_json::from_str(&body).unwrap();
        assert!(json["total"].is_u64(), "{query:?}");
    }
}

#[test]
fn bad_parameters_answer_400_naming_the_parameter() {
    let catalog = Catalog::new();
    let server = catalog.serve();
    for (query, parameter) in [
        ("format=webinar", "format"),
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("page=-1", "page"),
        ("from=2027-13-01", "from"),
        ("to=soon", "to"),
        ("sort=popular", "sort"),
        ("credits_min=lots", "credits_min"),
        ("audience=everyone", "audience"),
        ("free=perhaps", "free"),
        ("from=", "from"),
        ("free=", "free"),
        ("format=", "format"),
    ] {
        let (status, body) = server.get(&format!("/api/v1/search?{query}"));
        assert_eq!(status, 400, "{query}: {body}");
        let json: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["error"]["parameter"], parameter, "{query}: {body}");
    }
    let (status, _) = server.get("/api/v1/offerings/no-such-offering");
    assert_eq!(status, 404);
}

#[test]
fn searches_keep_answering_while_a_reindex_switches() {
    let catalog = Catalog::new();
    let server = catalog.serve();
    let total = server.total("per_page=1");
    assert!(total > 0);

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let searcher = {
        let stop = stop.clone();
        let base = server.base.clone();
        std::thread::spawn(move || {
            let mut done = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) || done < 20 {
                let url = format!("{base}/api/v1/search?q=library&per_page=5");
                let mut response = ureq::get(&url)
                    .call()
                    .expect("search answers during the reindex");
                let json: Value =
                    serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap();
                assert!(
                    json["total"].as_u64().unwrap() > 0,
                    "a search during the reindex found nothing"
                );
                done += 1;
            }
            done
        })
    };
    for _ in 0..2 {
        catalog.run_ok(&["reindex"]);
    }
    // Give the server time to notice the switch, then check it serves the new generation.
    std::thread::sleep(std::time::Duration::from_millis(800));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let searches = searcher.join().expect("no search failed");
    assert!(searches >= 20);

    assert_eq!(server.total("per_page=1"), total);
    catalog.run_ok(&["check"]);
}

#[test]
fn a_killed_reindex_leaves_search_working() {
    let catalog = Catalog::new();
    catalog.import(&common::seed_dir());
    catalog.run_ok(&["reindex"]);
    let mut child = catalog.command().arg("reindex").spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(30));
    let _ = child.kill();
    let _ = child.wait();
    let server = catalog.serve();
    assert!(server.total("q=library") > 0);
}

#[test]
fn an_import_while_serving_shows_in_search_within_a_second() {
    let catalog = Catalog::new();
    let server = catalog.serve();
    let bundle = common::seed_copy();
    let path = bundle.path().join("offerings.json");
    let mut offerings = common::read_json(&path);
    offerings[0]["title"] = serde_json::json!("Quillwort Cataloguing Clinic");
    common::write_json(&path, &offerings);
    catalog.import(bundle.path());

    common::within_a_second("the edit reaching search", || {
        server.total("q=%22quillwort%22") == 1
    });
    // Shortly after, the index agrees with the database.
    std::thread::sleep(std::time::Duration::from_millis(300));
    catalog.run_ok(&["check"]);
}

#[test]
fn check_names_what_differs_and_fails() {
    let catalog = Catalog::new();
    catalog.import(&common::seed_dir());
    catalog.run_ok(&["check"]);
    // Change the database behind the index's back: one offering withdrawn, one edited.
    let connection = rusqlite::Connection::open(catalog.db()).unwrap();
    let ids: Vec<String> = connection
        .prepare("SELECT id FROM offerings ORDER BY id LIMIT 2")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    connection
        .execute(
            "UPDATE offerings SET status = 'withdrawn' WHERE id = ?1",
            [&ids[0]],
        )
        .unwrap();
    connection
        .execute(
            "UPDATE offerings SET revision = revision + 1000 WHERE id = ?1",
            [&ids[1]],
        )
        .unwrap();
    drop(connection);

    let output = catalog.run(&["check"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success());
    assert!(
        stdout.contains(&format!("in the index but not published: {}", ids[0])),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("stale in the index: {}", ids[1])),
        "{stdout}"
    );

    catalog.run_ok(&["reindex"]);
    catalog.run_ok(&["check"]);
}

#[test]
fn an_index_built_the_old_way_is_rebuilt_when_served() {
    let catalog = Catalog::new();
    catalog.import(&common::seed_dir());
    let current = std::fs::read_to_string(catalog.index().join("CURRENT")).unwrap();
    // As an index written before certification names were indexed would say.
    std::fs::write(catalog.index().join(current.trim()).join("indexed-as"), "1").unwrap();
    let check = catalog.run(&["check"]);
    assert!(
        !check.status.success(),
        "check says the index must be rebuilt"
    );
    assert!(String::from_utf8_lossy(&check.stderr).contains("reindex"));

    let server = catalog.serve();
    common::eventually("the rebuilt index serving", || {
        server.total("certification=cpla") > 0 && server.total("q=cpla") > 0
    });
    catalog.run_ok(&["check"]);
}

#[test]
fn a_certifications_name_or_abbreviation_finds_what_its_filter_finds() {
    let site = common::seeded();
    for (code, words) in [
        ("cpla", "cpla"),
        ("lssc", "library+support+staff+certification"),
    ] {
        let (_, body) = site
            .server
            .get(&format!("/api/v1/search?certification={code}&per_page=100"));
        let filtered: Value = serde_json::from_str(&body).unwrap();
        let (_, body) = site
            .server
            .get(&format!("/api/v1/search?q={words}&per_page=100"));
        let searched: Value = serde_json::from_str(&body).unwrap();
        let found: Vec<&str> = searched["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|hit| hit["id"].as_str().unwrap())
            .collect();
        let certified = filtered["hits"].as_array().unwrap();
        assert!(!certified.is_empty(), "{code}");
        for hit in certified {
            let id = hit["id"].as_str().unwrap();
            assert!(found.contains(&id), "q={words} misses {id}");
        }
    }
}

#[test]
fn a_search_without_words_shows_a_new_offering_within_a_second() {
    let catalog = Catalog::new();
    let server = catalog.serve();
    let browse = "format=conference&level=advanced";
    let before = server.total(browse);
    assert_eq!(server.total(browse), before, "the same answer twice");
    let bundle = common::seed_copy();
    let path = bundle.path().join("offerings.json");
    let mut offerings = common::read_json(&path);
    let mut added = offerings[0].clone();
    added["id"] = serde_json::json!("quillwort-advanced-conference");
    added["format"] = serde_json::json!("conference");
    added["level"] = serde_json::json!("advanced");
    added["location"] = serde_json::json!({"city": "Chicago", "region": "IL", "country": "US"});
    offerings.as_array_mut().unwrap().push(added);
    common::write_json(&path, &offerings);
    catalog.import(bundle.path());
    common::within_a_second("the new offering in a search without words", || {
        server.total(browse) == before + 1
    });
}

#[test]
fn a_search_without_words_answers_from_the_new_generation_after_a_reindex() {
    let catalog = Catalog::new();
    catalog.import(&common::seed_dir());
    let server = catalog.serve();
    let browse = "format=conference";
    let before = server.total(browse);
    assert!(before > 0);
    // Withdrawn behind the index's back (no revision, so no catch-up): only a reindex sees it.
    let connection = rusqlite::Connection::open(catalog.db()).unwrap();
    connection
        .execute(
            "UPDATE offerings SET status = 'withdrawn' \
             WHERE id = (SELECT id FROM offerings WHERE format = 'conference' ORDER BY id LIMIT 1)",
            [],
        )
        .unwrap();
    drop(connection);
    catalog.run_ok(&["reindex"]);
    common::within_a_second("the reindexed generation's answer", || {
        server.total(browse) == before - 1
    });
}
