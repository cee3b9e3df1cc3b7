//! "Near a place": city words find what is held there, `near` and `within` keep what takes place
//! within a radius of a known place (nearest first on asking, each hit with its distance), an
//! unknown place or a bad radius is a 400 that says what would work, and a region describes where
//! an offering takes place, spelt out for people.

mod common;

use common::{Seeded, hits, seeded};
use serde_json::Value;
use std::collections::BTreeSet;

/// The seed's in-person offering in Chicago (Core's BIBFRAME lab at UIC).
const CHICAGO_LAB: &str = "core-marc-to-bibframe-3-hands-on-lab";
/// The seed's conference in Toronto (the OLA Super Conference).
const TORONTO: &str = "ola-super-conference-2027";

fn ids(results: &Value) -> Vec<String> {
    hits(results)
        .iter()
        .map(|hit| hit["id"].as_str().unwrap().to_owned())
        .collect()
}

fn all_ids(seeded: &Seeded, query: &str) -> BTreeSet<String> {
    ids(&seeded.search(&format!("{query}&include_past=true&per_page=100")))
        .into_iter()
        .collect()
}

#[test]
fn a_city_word_finds_what_is_held_there() {
    let seeded = seeded();
    let found = ids(&seeded.search("q=chicago&include_past=true&per_page=100"));
    assert!(found.iter().any(|id| id == CHICAGO_LAB), "{found:?}");
    let (in_toronto, in_ontario) = (
        ids(&seeded.search("q=toronto&include_past=true")),
        ids(&seeded.search("q=ontario&include_past=true&per_page=100")),
    );
    assert!(in_toronto.iter().any(|id| id == TORONTO), "{in_toronto:?}");
    assert!(in_ontario.iter().any(|id| id == TORONTO), "{in_ontario:?}");
}

#[test]
fn near_a_place_keeps_what_takes_place_within_the_radius_nearest_first() {
    let seeded = seeded();
    let results = seeded
        .search("near=Chicago,%20IL&within=150mi&sort=nearest&include_past=true&per_page=100");
    let found = hits(&results);
    let found_ids = ids(&results);
    assert!(
        found_ids.iter().any(|id| id == CHICAGO_LAB),
        "{found_ids:?}"
    );
    // Milwaukee (about 80 mi) and Peoria (about 130 mi) are in; Toronto and every online one out.
    for id in [
        "alsc-national-institute-2028-milwaukee",
        "ila-annual-conference-2027",
    ] {
        assert!(
            found_ids.iter().any(|found| found == id),
            "{id}: {found_ids:?}"
        );
    }
    assert!(!found_ids.iter().any(|id| id == TORONTO));
    let mut last = 0.0;
    for hit in found {
        assert!(hit["location"].is_object(), "online: {}", hit["id"]);
        let miles = hit["distance_miles"].as_f64().expect("distance_miles");
        let km = hit["distance_km"].as_f64().expect("distance_km");
        assert!(miles <= 150.0, "{}: {miles}", hit["id"]);
        assert!(
            (km / 1.609_344 - miles).abs() < 0.2,
            "{km} km is not {miles} mi"
        );
        assert!(miles >= last, "not nearest first: {miles} after {last}");
        last = miles;
    }
    assert_eq!(found[0]["distance_miles"].as_f64(), Some(0.0));
    // Without `near`, no distances.
    let plain = seeded.search("q=chicago&include_past=true");
    assert!(
        hits(&plain)
            .iter()
            .all(|hit| hit.get("distance_km").is_none())
    );
}

#[test]
fn kilometres_and_miles_reach_as_far() {
    let seeded = seeded();
    for (miles, km) in [("50mi", "80km"), ("150mi", "241km"), ("1000mi", "1610km")] {
        let by_miles = all_ids(&seeded, &format!("near=chicago%20il&within={miles}"));
        let by_km = all_ids(&seeded, &format!("near=chicago%20il&within={km}"));
        assert!(!by_miles.is_empty());
        assert_eq!(by_miles, by_km, "{miles} vs {km}");
    }
    // The default is 50 miles; a wider radius finds more.
    assert_eq!(
        all_ids(&seeded, "near=Chicago"),
        all_ids(&seeded, "near=Chicago&within=50mi")
    );
    let wide = all_ids(&seeded, "near=Chicago&within=1000mi");
    assert!(wide.contains(TORONTO));
    assert!(wide.len() > all_ids(&seeded, "near=Chicago&within=150mi").len());
}

#[test]
fn an_unknown_place_or_a_bad_radius_is_a_400_that_says_what_would_work() {
    let seeded = seeded();
    let (status, body) = seeded.server.get("/api/v1/search?near=Chicgo,%20IL");
    assert_eq!(status, 400, "{body}");
    let error: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(error["error"]["parameter"], "near");
    let suggestions = error["error"]["suggestions"].as_array().unwrap();
    assert!((1..=5).contains(&suggestions.len()), "{suggestions:?}");
    assert_eq!(suggestions[0], "Chicago, IL");

    for (query, parameter) in [
        ("near=Chicago&within=far", "within"),
        ("near=Chicago&within=50", "within"),
        ("near=Chicago&within=-5km", "within"),
        ("near=", "near"),
        ("sort=nearest", "sort"),
    ] {
        let (status, body) = seeded.server.get(&format!("/api/v1/search?{query}"));
        assert_eq!(status, 400, "{query}: {body}");
        let error: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(error["error"]["parameter"], parameter, "{query}");
    }

    // The page offers the suggestions as links that keep the rest of the search.
    let (status, page) = seeded.server.get("/search?q=cataloging&near=Chicgo");
    assert_eq!(status, 400);
    assert!(page.contains("No place called “Chicgo” is known"), "{page}");
    assert!(page.contains("Did you mean"), "{page}");
    assert!(
        page.contains("href=\"/search?q=cataloging&#38;near=Chicago%2C+IL\""),
        "{page}"
    );
    assert!(page.contains(">Chicago, Illinois</a>"), "{page}");
}

#[test]
fn a_region_is_where_an_offering_takes_place() {
    let seeded = seeded();
    let results = seeded.search("region=IL&include_past=true&per_page=100");
    assert!(!hits(&results).is_empty());
    for hit in hits(&results) {
        assert_eq!(hit["location"]["region"], "IL", "{}", hit["id"]);
    }
    // Online offerings of Illinois providers (the Illinois Library Association's trustee
    // academy) take place nowhere.
    let found = ids(&results);
    assert!(
        !found
            .iter()
            .any(|id| id == "ila-trustee-academy-1-roles-responsibilities-2027")
    );
    let online = seeded.search("format=online_live&format=online_self_paced&include_past=true");
    assert!(online["facets"]["region"].as_array().unwrap().is_empty());
    assert!(online["facets"]["country"].as_array().unwrap().is_empty());
    // A province named in full or by code is one value, labelled in full.
    let ontario = all_ids(&seeded, "region=ON");
    assert!(ontario.contains(TORONTO));
    assert_eq!(ontario, all_ids(&seeded, "region=Ontario"));
    let everything = seeded.search("include_past=true&per_page=1");
    let regions = everything["facets"]["region"].as_array().unwrap();
    let label = |value: &str| {
        regions
            .iter()
            .find(|v| v["value"] == value)
            .map(|v| v["label"].as_str().unwrap().to_owned())
    };
    assert_eq!(label("IL").as_deref(), Some("Illinois"));
    assert_eq!(label("ON").as_deref(), Some("Ontario"));
    assert_eq!(label("Ontario"), None);
}

#[test]
fn pages_spell_regions_out_and_say_how_far() {
    let seeded = seeded();
    let (status, page) = seeded.server.get(&format!("/offerings/{CHICAGO_LAB}"));
    assert_eq!(status, 200);
    assert!(page.contains("Chicago, Illinois"), "{page}");
    assert!(!page.contains("Chicago, IL"), "{page}");

    let (status, page) = seeded
        .server
        .get("/search?near=Chicago%2C+IL&within=150mi&sort=nearest&include_past=true&region=IL");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("0 mi away"), "{page}");
    assert!(
        page.contains("Within 150 mi of Chicago, Illinois"),
        "the chip: {page}"
    );
    assert!(
        page.contains("State or region: Illinois"),
        "the chip: {page}"
    );
    assert!(!page.contains(", IL<"), "{page}");
    // Kilometres when the searcher chose them.
    let (_, page) = seeded
        .server
        .get("/search?near=Chicago&within=241km&include_past=true&sort=nearest");
    assert!(page.contains("0 km away"), "{page}");
    assert!(page.contains("<option value=\"241km\" selected>"), "{page}");

    let (_, provider) = seeded.server.get("/providers/ila-il");
    assert!(provider.contains("Illinois"), "{provider}");
}
