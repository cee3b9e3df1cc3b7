//! Faults an operator meets: a full index disk, a killed reindex, two reindexes at once.
//! Nothing acknowledged is lost, the site keeps answering from what the index last committed,
//! `/healthz` says how far behind it is, and reindex cleans up after itself.

mod common;

use common::disk::{SmallDisk, fill_with};
use common::{Catalog, Server, within};
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

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
    let bundle = catalog.generated(300);
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
    let bundle = catalog.generated(200);
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

/// A generation folder as a killed reindex leaves it: written, never pointed to.
fn debris(catalog: &Catalog) -> PathBuf {
    let folder = catalog.index().join("gen-19990101T000000.000000-1");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("segment.idx"), vec![0u8; 1 << 20]).unwrap();
    folder
}

fn generations(catalog: &Catalog) -> usize {
    std::fs::read_dir(catalog.index())
        .unwrap()
        .flatten()
        .filter(|entry| entry.file_name().to_string_lossy().starts_with("gen-"))
        .count()
}

fn agrees(catalog: &Catalog) {
    let check = catalog.run_ok(&["check"]);
    assert!(check.contains("agrees"), "{check}");
}

#[test]
fn reindex_and_serve_remove_what_a_killed_reindex_left() {
    let catalog = Catalog::new();
    catalog.import(&common::seed_dir());
    let left = debris(&catalog);
    catalog.run_ok(&["reindex"]);
    assert!(!left.exists(), "reindex removes a partial generation");

    let left = debris(&catalog);
    let _server = catalog.serve();
    assert!(!left.exists(), "serve removes a partial generation");
}

#[test]
fn on_a_full_disk_reindex_first_makes_room_then_says_when_there_is_none() {
    let catalog = Catalog::new();
    let Some(disk) = SmallDisk::mount(&catalog.index(), 16) else {
        return;
    };
    catalog.import(&common::seed_dir());
    // A reindex killed on a full disk: its partial generation took the last byte.
    let left = debris(&catalog);
    fill_with(&left.join("segment.store"));
    catalog.run_ok(&["reindex"]);
    assert!(!left.exists());
    agrees(&catalog);

    disk.fill();
    let output = catalog.run(&["reindex"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("not enough free space"), "{stderr}");
    assert_eq!(generations(&catalog), 1, "nothing half-built is left");
    agrees(&catalog);
}

#[test]
fn a_second_reindex_at_once_says_one_is_running() {
    let catalog = Catalog::new();
    catalog.import(catalog.generated(3000).path());
    let reindex = || {
        catalog
            .command()
            .arg("reindex")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (first, second) = (reindex(), reindex());
    let outputs = [first, second].map(|child| child.wait_with_output().unwrap());
    let succeeded = outputs.iter().filter(|o| o.status.success()).count();
    for output in outputs.iter().filter(|o| !o.status.success()) {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("another reindex is building"), "{stderr}");
    }
    assert_eq!(succeeded, 1);
    agrees(&catalog);
}

#[test]
fn check_while_a_server_catches_up_waits_for_it_instead_of_reporting_a_difference() {
    let catalog = Catalog::new();
    let bundle = catalog.generated(3000);
    let _server = catalog.serve();
    // The import commits, then the server indexes its 3,000 offerings: check runs meanwhile.
    catalog.import(bundle.path());
    let output = catalog.run(&["check"]);
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn sigterm_gives_a_request_in_flight_five_seconds_not_thirty() {
    use std::io::Write;
    let catalog = Catalog::new();
    let mut server = catalog.serve();
    // A sign-in form whose body arrives a byte at a time: in flight until the server gives up.
    let address = server.base.trim_start_matches("http://").to_owned();
    let mut slow = std::net::TcpStream::connect(&address).unwrap();
    write!(
        slow,
        "POST /login HTTP/1.1\r\nHost: {address}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\n"
    )
    .unwrap();
    let trickle = std::thread::spawn(move || {
        for _ in 0..400 {
            if slow.write_all(b"a").is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    std::thread::sleep(Duration::from_millis(500));
    let took = server.terminate();
    assert!(
        took < Duration::from_secs(15),
        "the server took {took:?} to stop"
    );
    drop(trickle);
}
