//! `serve` on an empty database loads the seed and answers `/healthz`.

mod common;

use common::{Catalog, read_json, seed_dir};

#[test]
fn serve_on_an_empty_database_loads_the_seed_and_is_healthy() {
    let catalog = Catalog::new();
    let server = catalog.serve();
    let (status, body) = server.get("/healthz");
    assert_eq!(status, 200, "{body}");
    drop(server);

    let exported = catalog.export();
    let seed = read_json(&seed_dir().join("offerings.json"));
    let exported = read_json(&exported.path().join("offerings.json"));
    assert_eq!(
        exported.as_array().unwrap().len(),
        seed.as_array().unwrap().len()
    );
}

#[test]
fn serve_keeps_an_existing_catalog_as_it_is() {
    let catalog = Catalog::new();
    catalog.import(&seed_dir());
    let before = catalog.export();
    let server = catalog.serve();
    drop(server);
    let after = catalog.export();
    assert_eq!(
        read_json(&before.path().join("offerings.json")),
        read_json(&after.path().join("offerings.json"))
    );
}
