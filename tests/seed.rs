//! The seed is what a new user sees first: it must be valid against the shared schemas, its
//! references must resolve, and it must be as rich as the foundation issue asks.

mod common;

use common::{read_json, seed_dir};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

/// The project's copy of the shared schemas (`schema/`), so the tests run on a lone checkout.
fn schema(name: &str) -> Value {
    read_json(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("schema")
            .join(name),
    )
}

#[test]
fn the_schema_copy_matches_the_shared_contract_when_it_is_beside_us() {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/schema");
    if !shared.exists() {
        return; // a lone checkout: nothing to compare with
    }
    for name in [
        "competencies.schema.json",
        "provider.schema.json",
        "offering.schema.json",
    ] {
        assert_eq!(
            schema(name),
            read_json(&shared.join(name)),
            "schema/{name} drifted from shared/schema"
        );
    }
}

fn assert_valid(schema_name: &str, instance: &Value, what: &str) {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema(schema_name))
        .expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{what} at {}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

fn seed(file: &str) -> Value {
    read_json(&seed_dir().join(file))
}

#[test]
fn every_seed_file_validates_against_the_shared_schemas() {
    assert_valid(
        "competencies.schema.json",
        &seed("competencies.json"),
        "competencies.json",
    );
    for provider in seed("providers.json").as_array().unwrap() {
        assert_valid(
            "provider.schema.json",
            provider,
            &format!("provider {}", provider["id"]),
        );
    }
    for offering in seed("offerings.json").as_array().unwrap() {
        assert_valid(
            "offering.schema.json",
            offering,
            &format!("offering {}", offering["id"]),
        );
    }
    assert_valid(
        "certifications.schema.json",
        &seed("certifications.json"),
        "certifications.json",
    );
}

#[test]
fn the_seed_passes_the_catalog_s_own_validation() {
    let bundle = clearinghouse::seed::bundle().expect("the compiled-in seed parses");
    bundle
        .validate(&Default::default())
        .expect("the seed validates with its references resolved");
}

#[test]
fn the_seed_is_as_rich_as_a_new_user_deserves() {
    let providers = seed("providers.json");
    let providers = providers.as_array().unwrap();
    assert!(providers.len() >= 30, "{} providers", providers.len());
    let kinds: HashSet<&str> = providers
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "association_division",
        "chapter",
        "state_library",
        "library_school",
        "consortium",
        "vendor",
    ] {
        assert!(kinds.contains(kind), "no provider of kind {kind}");
    }

    let offerings = seed("offerings.json");
    let offerings = offerings.as_array().unwrap();
    assert!(offerings.len() >= 300, "{} offerings", offerings.len());
    let values = |field: &str| -> HashSet<String> {
        offerings
            .iter()
            .flat_map(|o| match &o[field] {
                Value::Array(items) => items
                    .iter()
                    .map(|v| v.as_str().unwrap_or_default().to_owned())
                    .collect(),
                Value::String(s) => vec![s.clone()],
                _ => vec![],
            })
            .collect()
    };
    assert_eq!(values("format").len(), 5, "every format");
    assert_eq!(values("audiences").len(), 6, "every audience");
    assert_eq!(values("level").len(), 3, "every level");
    let frameworks: HashSet<String> = values("competencies")
        .iter()
        .map(|c| c.split(':').next().unwrap().to_owned())
        .collect();
    assert_eq!(frameworks.len(), 3, "every framework: {frameworks:?}");
    assert!(values("certifications").len() >= 3);

    let cities: HashSet<&str> = offerings
        .iter()
        .filter_map(|o| o["location"]["city"].as_str())
        .collect();
    assert!(cities.len() >= 40, "{} cities", cities.len());
    let years: HashMap<&str, usize> = offerings.iter().filter_map(|o| o["start"].as_str()).fold(
        HashMap::new(),
        |mut years, start| {
            *years.entry(&start[..4]).or_default() += 1;
            years
        },
    );
    for year in ["2026", "2027", "2028"] {
        assert!(
            years.get(year).copied().unwrap_or(0) >= 10,
            "few offerings in {year}: {years:?}"
        );
    }
    assert!(
        offerings.iter().any(|o| o["cost"]["amount"] == 0),
        "some are free"
    );
    for field in ["series", "prerequisites"] {
        let with = offerings.iter().filter(|o| o.get(field).is_some()).count();
        assert!(with >= 10, "only {with} offerings with {field}");
    }
}
