//! Faults an operator meets: a full index disk. Nothing acknowledged is lost, the site keeps
//! answering from what the index last committed, and `/healthz` says how far behind it is.

mod common;

use common::disk::SmallDisk;
use common::{Catalog, Server, within};
use serde_json::Value;
use std::time::Duration;

/// A generated bundle of `count` offerings (new ids over the seed's providers).
fn generated(catalog: &Catalog, count: usize) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    catalog.run_ok(&[
        "generate",
        "--offerings",
        &count.to_string(),
        out.path().to_str().unwrap(),
    ]);
    out
}

fn health(server: &Server) -> (u16, Value) {
    let (status, body) = server.get("/healthz");
    (status, serde_json::from_str(&body).unwrap())
}

/// Every published offering, past ones too, as the search finds them.
fn searchable(server: &Server) -> u64 {
    let (status, body) = server.get("/api/v1/search?include_past=true");
    assert_eq!(status, 200, "{body}");
    serde_json::from_str::<Value>(&body).unwrap()["total"]
        .as_u64()
        .unwrap()
}

fn waits_until_behind(server: &Server) {
    within(Duration::from_secs(30), "a 503 from /healthz", || {
        let (status, body) = health(server);
        status == 503 && body["status"] == "behind" && body["revisions_behind"].as_i64() > Some(0)
    });
}

fn waits_until_current(server: &Server) {
    within(Duration::from_secs(60), "the index catching up", || {
        let (status, body) = health(server);
        status == 200 && body["revisions_behind"] == 0
    });
}

#[test]
fn a_full_index_disk_delays_search_but_loses_nothing() {
    let catalog = Catalog::new();
    let Some(disk) = SmallDisk::mount(&catalog.index(), 48) else {
        return;
    };
    let bundle = generated(&catalog, 300);
    let server = catalog.start_serving(&["--max-index-lag", "2"]);
    waits_until_current(&server);
    let before = searchable(&server);

    disk.fill();
    catalog.import(bundle.path());
    waits_until_behind(&server);
    assert_eq!(
        searchable(&server),
        before,
        "searches answer from the last commit"
    );

    disk.free();
    waits_until_current(&server);
    assert_eq!(searchable(&server), before + 300);
    drop(server);
    let check = catalog.run_ok(&["check"]);
    assert!(check.contains("agrees"), "{check}");
}

#[test]
fn serve_starts_on_a_full_index_disk_and_catches_up_when_space_returns() {
    let catalog = Catalog::new();
    let Some(disk) = SmallDisk::mount(&catalog.index(), 48) else {
        return;
    };
    catalog.import(&common::seed_dir());
    let bundle = generated(&catalog, 200);
    disk.fill();
    // The import is kept; only the index could not follow.
    catalog.import(bundle.path());

    let server = catalog.start_serving(&["--max-index-lag", "1"]);
    let seed = searchable(&server);
    assert!(seed > 0, "the last good generation serves");
    waits_until_behind(&server);

    disk.free();
    waits_until_current(&server);
    assert_eq!(searchable(&server), seed + 200);
}
