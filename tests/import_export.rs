//! `import` and `export` on a real database file: the seed loads, a second import changes nothing,
//! an export imports back to the same catalog, and a bad bundle is refused whole with every problem
//! named.

mod common;

use common::{Catalog, numbers_as_floats, read_json, seed_copy, seed_dir, write_json};
use serde_json::{Value, json};
use std::path::Path;

fn offerings_by_id(dir: &Path) -> Vec<Value> {
    let mut offerings = numbers_as_floats(&read_json(&dir.join("offerings.json")))
        .as_array()
        .unwrap()
        .clone();
    offerings.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    offerings
}

fn providers_by_id(dir: &Path) -> Vec<Value> {
    let mut providers = read_json(&dir.join("providers.json"))
        .as_array()
        .unwrap()
        .clone();
    providers.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    providers
}

/// The counts line of an import summary, e.g. "offerings:    312 created, 0 updated, 0 unchanged".
fn summary_line<'a>(output: &'a str, kind: &str) -> &'a str {
    output
        .lines()
        .find(|line| line.starts_with(kind))
        .unwrap_or_else(|| panic!("no {kind} line in {output}"))
}

#[test]
fn the_seed_imports_and_a_second_import_changes_nothing() {
    let catalog = Catalog::new();
    let seed_offerings = offerings_by_id(&seed_dir()).len();

    let first = catalog.import(&seed_dir());
    assert!(
        summary_line(&first, "offerings")
            .contains(&format!("{seed_offerings} created, 0 updated, 0 unchanged"))
    );
    let after_first = catalog.export();

    let second = catalog.import(&seed_dir());
    assert!(
        summary_line(&second, "offerings")
            .contains(&format!("0 created, 0 updated, {seed_offerings} unchanged")),
        "{second}"
    );
    assert!(
        summary_line(&second, "providers").contains("0 created, 0 updated"),
        "{second}"
    );
    assert!(
        summary_line(&second, "competencies").contains("0 created, 0 updated"),
        "{second}"
    );
    let after_second = catalog.export();
    for file in ["competencies.json", "providers.json", "offerings.json"] {
        assert_eq!(
            read_json(&after_first.path().join(file)),
            read_json(&after_second.path().join(file)),
            "{file}"
        );
    }
}

#[test]
fn an_export_imports_back_to_the_same_catalog_field_by_field() {
    let original = Catalog::new();
    original.import(&seed_dir());
    let exported = original.export();

    // What went in comes out: every seed offering, provider and framework, every field.
    assert_eq!(
        offerings_by_id(exported.path()),
        offerings_by_id(&seed_dir())
    );
    assert_eq!(
        providers_by_id(exported.path()),
        providers_by_id(&seed_dir())
    );
    assert_eq!(
        read_json(&exported.path().join("competencies.json")),
        read_json(&seed_dir().join("competencies.json"))
    );
    // Certifications and their rules (#16), the optional fourth file, byte for byte.
    assert_eq!(
        std::fs::read_to_string(exported.path().join("certifications.json")).unwrap(),
        std::fs::read_to_string(seed_dir().join("certifications.json")).unwrap()
    );

    let copy = Catalog::new();
    copy.import(exported.path());
    let exported_again = copy.export();
    for file in [
        "competencies.json",
        "providers.json",
        "offerings.json",
        "certifications.json",
    ] {
        assert_eq!(
            read_json(&exported.path().join(file)),
            read_json(&exported_again.path().join(file)),
            "{file} differs after the round trip"
        );
    }
}

#[test]
fn an_update_in_a_bundle_is_counted_and_kept() {
    let catalog = Catalog::new();
    catalog.import(&seed_dir());
    let bundle = seed_copy();
    let path = bundle.path().join("offerings.json");
    let mut offerings = read_json(&path);
    let id = offerings[0]["id"].as_str().unwrap().to_owned();
    offerings[0]["title"] = json!("Readers' Advisory for Reluctant Teen Readers, Revised");
    write_json(&path, &offerings);

    let output = catalog.import(bundle.path());
    assert!(
        summary_line(&output, "offerings").contains("0 created, 1 updated"),
        "{output}"
    );
    let exported = offerings_by_id(catalog.export().path());
    let updated = exported.iter().find(|o| o["id"] == id.as_str()).unwrap();
    assert_eq!(
        updated["title"],
        "Readers' Advisory for Reluctant Teen Readers, Revised"
    );
}

/// Imports a broken copy of the seed into a catalog that already holds the seed, and checks that
/// it fails, names every expected problem, and leaves the catalog as it was.
fn assert_refused(break_bundle: impl FnOnce(&Path), expected: &[&str]) {
    let catalog = Catalog::new();
    catalog.import(&seed_dir());
    let before = catalog.export();

    let bundle = seed_copy();
    break_bundle(bundle.path());
    let output = catalog.run(&["import", bundle.path().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "the import should fail; stderr: {stderr}"
    );
    for text in expected {
        assert!(stderr.contains(text), "expected {text:?} in:\n{stderr}");
    }
    assert!(
        stderr.contains("nothing was changed") || stderr.contains("cannot import"),
        "{stderr}"
    );

    let after = catalog.export();
    for file in ["competencies.json", "providers.json", "offerings.json"] {
        assert_eq!(
            read_json(&before.path().join(file)),
            read_json(&after.path().join(file)),
            "{file} changed"
        );
    }
}

fn edit_offerings(dir: &Path, edit: impl FnOnce(&mut Vec<Value>)) {
    let path = dir.join("offerings.json");
    let mut offerings: Vec<Value> = serde_json::from_value(read_json(&path)).unwrap();
    edit(&mut offerings);
    write_json(&path, &Value::Array(offerings));
}

#[test]
fn invalid_json_is_refused_with_its_line_and_column() {
    assert_refused(
        |dir| {
            std::fs::write(
                dir.join("providers.json"),
                "[\n  {\"id\": \"x\",\n  \"name\": }\n]",
            )
            .unwrap()
        },
        &["providers.json", "line 3, column 11"],
    );
    // The offerings file is read as a stream, its elements cut apart before serde_json reads
    // each (`bundle/split.rs`); a broken one is still named by serde_json's line and column.
    assert_refused(
        |dir| {
            let offerings = "[\n  {\"id\": \"x\",\n  \"title\": }\n]";
            std::fs::write(dir.join("offerings.json"), offerings).unwrap()
        },
        &["offerings.json", "line 3, column 12"],
    );
}

#[test]
fn an_unknown_field_is_refused_naming_item_and_field() {
    assert_refused(
        |dir| {
            edit_offerings(dir, |offerings| {
                offerings[0]["colour"] = json!("blue");
                offerings[5]["location"] =
                    json!({"city": "Peoria", "country": "US", "zip": "61602"});
            })
        },
        &[
            "offerings.json: item 1 (id ",
            "unknown field `colour`",
            "item 6 (id ",
            "location.zip: unknown field `zip`",
        ],
    );
}

#[test]
fn broken_references_are_all_refused() {
    assert_refused(
        |dir| {
            edit_offerings(dir, |offerings| {
                offerings[1]["provider"] = json!("nobody-at-all");
                offerings[2]["competencies"] = json!(["ala-core:5", "lssc:foo"]);
                offerings[3]["prerequisites"] = json!(["no-such-offering"]);
            })
        },
        &[
            "item 2 (id ",
            "provider: unknown provider nobody-at-all",
            "item 3 (id ",
            "competencies[1]: unknown competency lssc:foo",
            "item 4 (id ",
            "prerequisites[0]: unknown offering no-such-offering",
        ],
    );
}

#[test]
fn bad_values_are_all_refused_each_with_its_field() {
    assert_refused(
        |dir| {
            edit_offerings(dir, |offerings| {
                let scheduled = offerings
                    .iter()
                    .position(|o| o["format"] == "in_person")
                    .unwrap();
                let offering = &mut offerings[scheduled];
                offering["start"] = json!("2027-05-02");
                offering["end"] = json!("2027-05-01");
                offering.as_object_mut().unwrap().remove("timezone");
                offering["cost"] = json!({"amount": 40, "currency": "XYZ"});
                offering["url"] = json!("ftp://example.org/course");
                offering["location"] = json!({"city": "Paris", "country": "ZZ"});
                offerings[7]["format"] = json!("webinar");
            })
        },
        &[
            "start: must not be after end",
            "cost.currency: `XYZ` is not an ISO 4217 currency code",
            "url: `ftp://example.org/course` must be an http or https address",
            "location.country: `ZZ` is not an ISO 3166-1 alpha-2 country code",
            "item 8 (id ",
            "format: unknown variant `webinar`",
        ],
    );
}

#[test]
fn a_missing_location_and_start_are_refused() {
    assert_refused(
        |dir| {
            edit_offerings(dir, |offerings| {
                let index = offerings
                    .iter()
                    .position(|o| o["format"] == "conference")
                    .unwrap();
                let offering = offerings[index].as_object_mut().unwrap();
                offering.remove("location");
                offering.remove("start");
                offering.remove("end");
            })
        },
        &[
            "location: conference offerings need a location",
            "start: a start is required for conference offerings",
        ],
    );
}

#[test]
fn an_offset_that_disagrees_with_the_time_zone_is_refused() {
    assert_refused(
        |dir| {
            edit_offerings(dir, |offerings| {
                let offering = &mut offerings[0];
                offering["format"] = json!("online_live");
                offering["start"] = json!("2027-01-12T14:00:00-05:00");
                offering["end"] = json!("2027-01-12T15:00:00-05:00");
                offering["timezone"] = json!("America/Chicago");
            })
        },
        &["start: offset -05:00 does not match America/Chicago on that date (-06:00)"],
    );
}

#[test]
fn an_empty_folder_is_not_a_bundle() {
    let catalog = Catalog::new();
    let empty = tempfile::tempdir().unwrap();
    let output = catalog.run(&["import", empty.path().to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("a bundle needs offerings.json or offerings.jsonl")
    );
    let missing = catalog.run(&["import", "/no/such/folder"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/no/such/folder"));
}

#[test]
fn a_json_lines_bundle_imports_and_names_its_bad_lines() {
    let catalog = Catalog::new();
    let bundle = seed_copy();
    let offerings: Vec<Value> =
        serde_json::from_value(read_json(&bundle.path().join("offerings.json"))).unwrap();
    std::fs::remove_file(bundle.path().join("offerings.json")).unwrap();
    let mut lines: Vec<String> = offerings.iter().map(|o| o.to_string()).collect();
    lines[4] = lines[4].replacen('{', "{\"bogus\": 1, ", 1);
    std::fs::write(bundle.path().join("offerings.jsonl"), lines.join("\n")).unwrap();

    let output = catalog.run(&["import", bundle.path().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("offerings.jsonl: item 5 (id "), "{stderr}");
    assert!(stderr.contains("line 5"), "{stderr}");

    lines[4] = offerings[4].to_string();
    std::fs::write(bundle.path().join("offerings.jsonl"), lines.join("\n")).unwrap();
    let output = catalog.import(bundle.path());
    assert!(
        output.contains(&format!("{} created", offerings.len())),
        "{output}"
    );
}

#[test]
fn generate_writes_a_valid_bundle_the_same_for_the_same_seed() {
    let catalog = Catalog::new();
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    for dir in [&first, &second] {
        catalog.run_ok(&[
            "generate",
            "--offerings",
            "400",
            "--seed",
            "7",
            dir.path().to_str().unwrap(),
        ]);
    }
    let offerings = read_json(&first.path().join("offerings.json"));
    assert_eq!(offerings.as_array().unwrap().len(), 400);
    assert_eq!(offerings, read_json(&second.path().join("offerings.json")));
    let output = catalog.import(first.path());
    assert!(
        summary_line(&output, "offerings").contains("400 created"),
        "{output}"
    );
}

#[test]
fn a_prerequisite_later_in_the_file_is_known() {
    let catalog = Catalog::new();
    let bundle = seed_copy();
    let mut count = 0;
    edit_offerings(bundle.path(), |offerings| {
        offerings.reverse();
        count = offerings.len();
        let position = |id: &Value| offerings.iter().position(|o| o["id"] == *id);
        let forward = offerings.iter().enumerate().any(|(at, offering)| {
            offering["prerequisites"]
                .as_array()
                .is_some_and(|list| list.iter().any(|id| position(id) > Some(at)))
        });
        assert!(forward, "the reversed seed names a prerequisite further on");
    });
    let output = catalog.import(bundle.path());
    assert!(
        summary_line(&output, "offerings").contains(&format!("{count} created")),
        "{output}"
    );
}

#[test]
fn a_bad_item_after_thousands_of_good_ones_leaves_the_catalog_as_it_was() {
    let catalog = Catalog::new();
    let bundle = catalog.generated(2500);
    let mut id = String::new();
    edit_offerings(bundle.path(), |offerings| {
        offerings[2199]["format"] = json!("carrier pigeon");
        id = offerings[2199]["id"].as_str().unwrap().to_owned();
    });
    let output = catalog.run(&["import", bundle.path().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    let named = format!("offerings.json: item 2200 (id {id}), line ");
    let at = stderr.find(&named).map(|at| at + named.len());
    let line: usize = at
        .and_then(|at| {
            let digits: String = stderr[at..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(line > 0, "{stderr}");
    // The line named is where the item begins: the first id after it is the item's.
    let text = std::fs::read_to_string(bundle.path().join("offerings.json")).unwrap();
    let from_line: String = text.lines().skip(line - 1).collect::<Vec<_>>().join("\n");
    assert!(from_line.trim_start().starts_with('{'), "line {line}");
    let first_id = from_line.split("\"id\":").nth(1).unwrap_or_default();
    assert!(
        first_id.trim_start().starts_with(&format!("\"{id}\"")),
        "line {line} begins another item"
    );
    assert!(
        stderr.contains("format: unknown variant `carrier pigeon`"),
        "{stderr}"
    );
    assert!(offerings_by_id(catalog.export().path()).is_empty());
}

#[test]
fn a_thousand_problems_are_listed_and_the_rest_counted() {
    let catalog = Catalog::new();
    let bundle = catalog.generated(1200);
    edit_offerings(bundle.path(), |offerings| {
        for offering in offerings.iter_mut() {
            offering["level"] = json!("expert-ish");
        }
    });
    let output = catalog.run(&["import", bundle.path().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("offerings.json: item 1000 ("), "{stderr}");
    assert!(!stderr.contains("offerings.json: item 1001 ("), "{stderr}");
    assert!(
        stderr.contains("offerings.json: and 200 more problems, not listed"),
        "{stderr}"
    );
}

#[test]
fn an_id_twice_in_the_file_is_refused_at_its_second_item() {
    let catalog = Catalog::new();
    let bundle = seed_copy();
    let mut id = String::new();
    edit_offerings(bundle.path(), |offerings| {
        id = offerings[0]["id"].as_str().unwrap().to_owned();
        offerings[9]["id"] = json!(id);
    });
    let output = catalog.run(&["import", bundle.path().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains(&format!(
            "offerings.json: item 10 (id {id}): id: {id} appears more than once in this file"
        )),
        "{stderr}"
    );
    // The first item with the id is not at fault (certifications.json may name the id the
    // edit took away, which is a problem of its own).
    assert!(!stderr.contains("offerings.json: item 1 ("), "{stderr}");
}

#[test]
fn a_certification_naming_an_unknown_offering_or_competency_is_refused() {
    let catalog = Catalog::new();
    let bundle = seed_copy();
    let path = bundle.path().join("certifications.json");
    let mut certifications = read_json(&path);
    certifications["certifications"][0]["requirements"][0]["approved_offerings"] =
        json!(["no-such-offering"]);
    certifications["certifications"][1]["requirements"][0]["competency"] = json!("cpla:NOPE");
    certifications["certifications"][1]["electives_to_choose"] = json!(9);
    common::write_json(&path, &certifications);
    let output = catalog.run(&["import", bundle.path().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    for expected in [
        "certifications.json: item 1 (id lssc): requirements[0].approved_offerings: `no-such-offering` is not a known offering",
        "certifications.json: item 2 (id cpla): requirements[0].competency: `cpla:NOPE` is not a known competency",
        "certifications.json: item 2 (id cpla): electives_to_choose: is 9 but there are only 5 electives",
    ] {
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    }
}

/// The binary with a database at `db` and the index beside it.
fn with_database(db: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_clearinghouse"))
        .arg("--db")
        .arg(db)
        .arg("--index")
        .arg(db.with_extension("index"))
        .args(args)
        .env_remove("CLEARINGHOUSE_DB")
        .env_remove("CLEARINGHOUSE_INDEX")
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs")
}

/// An administrator's database in a folder not made yet is made there, as the index folder is.
/// A database that cannot be opened (here a path that is a folder) is refused with SQLite's
/// reason and its path, not after the connection pool's 30 s of retries as "timed out".
#[test]
fn a_database_folder_is_made_and_a_database_that_cannot_open_is_named() {
    let folder = tempfile::tempdir().unwrap();
    let seed = seed_dir();
    let nested = folder.path().join("new").join("place").join("catalog.db");
    let output = with_database(&nested, &["import", seed.to_str().unwrap()]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(nested.is_file());

    let not_a_file = folder.path().join("a-folder.db");
    std::fs::create_dir(&not_a_file).unwrap();
    let output = with_database(&not_a_file, &["import", seed.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("a-folder.db"), "{stderr}");
    assert!(stderr.contains("unable to open database file"), "{stderr}");
    assert!(!stderr.contains("timed out"), "{stderr}");
}
