//! The review queue at scale and writes under pressure: the queue shows 50 a page with the
//! duplicates found when each was submitted; a provider cannot bury it (a limit on pending
//! submissions, said plainly); and a database that is full or held by another writer is a 503
//! with Retry-After, never a 500 or a row's error.

mod common;

use clearinghouse::catalog::Offering;
use clearinghouse::store::{Store, StoreError};
use common::disk::SmallDisk;
use common::web::{PLA_EDITOR, add_pla_editor, add_user, get, hidden, post, sign_in, upload};
use common::{Catalog, Server};
use ureq::Agent;

const PROVIDER: &str = "ala-pla";
const EDITOR: &str = PLA_EDITOR;

fn offering(n: usize) -> Offering {
    serde_json::from_value(serde_json::json!({
        "id": format!("queue-{n}"), "title": format!("Queue test session number {n}"),
        "provider": PROVIDER,
        "description": "A hands-on session on shelving, signage and wayfinding for small branches.",
        "format": "online_live", "audiences": ["support_staff"], "level": "introductory",
        "start": "2027-09-14T15:00:00-05:00", "end": "2027-09-14T16:00:00-05:00",
        "timezone": "America/Chicago", "competencies": ["lssc:FLS.3"]
    }))
    .unwrap()
}

/// The same rows as a JSON Lines upload.
fn jsonl(offerings: &[Offering]) -> String {
    offerings
        .iter()
        .map(|o| serde_json::to_string(o).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A seeded catalog with an administrator and an editor of `PROVIDER`.
fn catalog_with_accounts(catalog: &Catalog) {
    catalog.import(&common::seed_dir());
    add_user(
        catalog,
        &["--email", "admin@example.org", "--role", "admin"],
    );
    add_pla_editor(catalog);
}

fn upload_page(server: &Server) -> (Agent, String) {
    let editor = sign_in(server, EDITOR);
    let (_, _, page) = get(&editor, server, "/provider/upload");
    let csrf = hidden(&page, "csrf");
    (editor, csrf)
}

fn articles(page: &str) -> usize {
    page.matches("<article").count()
}

#[test]
fn the_queue_shows_fifty_a_page_with_the_duplicates_found_at_submission() {
    let catalog = Catalog::new();
    catalog_with_accounts(&catalog);
    let store = Store::open(&catalog.db()).unwrap();
    let published = store
        .offerings_of(PROVIDER)
        .unwrap()
        .into_iter()
        .find(|stored| stored.offering.url.is_some())
        .unwrap()
        .offering;
    let mut offerings: Vec<Offering> = (0..120).map(offering).collect();
    offerings[0].url = published.url.clone();
    store.submit_all(&offerings, PROVIDER, EDITOR).unwrap();
    let first = &store.pending_page(0, 1).unwrap().0[0];
    assert_eq!(
        first.duplicates,
        Some(vec![(published.id.clone(), published.title.clone())]),
        "found once, when it was submitted, and kept"
    );

    let server = catalog.serve();
    let admin = sign_in(&server, "admin@example.org");
    let (status, _, page) = get(&admin, &server, "/admin");
    assert_eq!(status, 200);
    assert!(page.contains("120 submissions wait for review"), "{page}");
    assert!(page.contains("page 1 of 3"));
    assert_eq!(articles(&page), 50);
    assert!(page.contains(&format!("href=\"/admin/offerings/{}\"", published.id)));
    assert_eq!(
        articles(&page),
        page.matches("Possible duplicate").count() + 49,
        "numbered sessions are not duplicates of each other"
    );
    assert!(page.contains("href=\"/admin?page=2\" rel=\"next\""));

    let (_, _, last) = get(&admin, &server, "/admin?page=3");
    assert_eq!(articles(&last), 20);
    assert!(last.contains("Queue test session number 119"));
    let (status, _, beyond) = get(&admin, &server, "/admin?page=4");
    assert_eq!(status, 200);
    assert!(beyond.contains("There is no page 4"), "{beyond}");
}

#[test]
fn a_provider_cannot_bury_the_queue() {
    let catalog = Catalog::new();
    catalog_with_accounts(&catalog);
    let server = catalog.serve_with(&["--max-pending", "5"]);
    let (editor, csrf) = upload_page(&server);
    let six: Vec<Offering> = (0..6).map(offering).collect();

    let (status, page) = upload(&editor, &server, &csrf, "six.jsonl", &jsonl(&six));
    assert_eq!(status, 409, "{page}");
    assert!(page.contains("at most 5 may wait at once"), "{page}");
    let store = Store::open(&catalog.db()).unwrap();
    assert!(
        store.pending_submissions().unwrap().is_empty(),
        "nothing stored"
    );

    let (status, page) = upload(&editor, &server, &csrf, "five.jsonl", &jsonl(&six[..5]));
    assert_eq!(status, 200, "{page}");
    let limited = Store::open(&catalog.db()).unwrap().with_max_pending(5);
    match limited.submit(&six[5], PROVIDER, EDITOR, None) {
        Err(StoreError::QueueFull {
            pending: 5,
            limit: 5,
        }) => {}
        other => panic!("a sixth is refused, not {other:?}"),
    }
}

#[test]
fn a_full_database_disk_is_a_503_not_the_rows_fault() {
    let catalog = Catalog::new();
    let Some(disk) = SmallDisk::mount(catalog.dir.path(), 64) else {
        return;
    };
    catalog_with_accounts(&catalog);
    let server = catalog.serve();
    let (editor, csrf) = upload_page(&server);
    let rows: Vec<Offering> = (0..3).map(offering).collect();

    disk.fill();
    let (status, page) = upload(&editor, &server, &csrf, "rows.jsonl", &jsonl(&rows));
    assert_eq!(status, 503, "{page}");
    assert!(page.contains("Nothing was lost"), "{page}");
    assert!(
        !page.contains("row "),
        "not reported as a row's problem: {page}"
    );

    disk.free();
    let (status, page) = upload(&editor, &server, &csrf, "rows.jsonl", &jsonl(&rows));
    assert_eq!(status, 200, "{page}");
}

#[test]
fn a_form_that_waits_too_long_for_the_write_lock_is_a_503_with_retry_after() {
    let catalog = Catalog::new();
    catalog_with_accounts(&catalog);
    let server = catalog.serve();
    let admin = sign_in(&server, "admin@example.org");
    let (_, _, page) = get(&admin, &server, "/admin");
    let csrf = hidden(&page, "csrf");

    // Another program holds the write lock longer than the server waits for it.
    let holder = rusqlite::Connection::open(catalog.db()).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let mut response = admin
        .post(&server.url("/admin/users/disable"))
        .send_form([("csrf", csrf.as_str()), ("email", EDITOR)])
        .unwrap();
    assert_eq!(response.status().as_u16(), 503);
    assert!(response.headers().get("retry-after").is_some());
    let body = response.body_mut().read_to_string().unwrap();
    assert!(body.contains("try again"), "{body}");
    holder.execute_batch("ROLLBACK").unwrap();

    let (status, _, _) = post(
        &admin,
        &server,
        "/admin/users/disable",
        &[("csrf", &csrf), ("email", EDITOR)],
    );
    assert_eq!(status, 303, "once the lock is free, the same form works");
}
