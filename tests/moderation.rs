//! Accounts and moderation on a real database: users from the command line with argon2id
//! passwords; submissions that wait for review, are approved or rejected from the command line,
//! and reach search within a second once published; nothing submitted twice or lost, even when
//! 20 providers submit 200 offerings at once.

mod common;

use clearinghouse::catalog::Offering;
use clearinghouse::store::{Role, Store, StoreError, SubmissionKind};
use common::{Catalog, within_a_second};
use std::time::Duration;

fn seeded() -> Catalog {
    let catalog = Catalog::new();
    catalog.import(&common::seed_dir());
    catalog
}

fn new_offering(id: &str, provider: &str, title: &str) -> Offering {
    serde_json::from_value(serde_json::json!({
        "id": id, "title": title, "provider": provider,
        "description": "A hands-on session on shelving, signage and wayfinding for small branches.",
        "format": "online_live", "audiences": ["support_staff"], "level": "introductory",
        "start": "2027-09-14T15:00:00-05:00", "end": "2027-09-14T16:00:00-05:00", "timezone": "America/Chicago",
        "competencies": ["lssc:FLS.3"]
    }))
    .unwrap()
}

#[test]
fn accounts_are_made_listed_and_disabled_from_the_command_line() {
    let catalog = seeded();
    let made = catalog.add_user(
        &[
            "--email",
            "editor@pla.example.org",
            "--role",
            "provider",
            "--provider",
            "ala-pla",
        ],
        "correct horse battery",
    );
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let admin = catalog.add_user(
        &["--email", "admin@example.org", "--role", "admin"],
        "another long secret",
    );
    assert!(admin.status.success());

    for (args, password, complaint) in [
        (
            vec!["--email", "x@example.org", "--role", "provider"],
            "long enough password",
            "--provider",
        ),
        (
            vec![
                "--email",
                "y@example.org",
                "--role",
                "provider",
                "--provider",
                "nobody",
            ],
            "long enough password",
            "unknown provider",
        ),
        (
            vec!["--email", "z@example.org", "--role", "admin"],
            "short",
            "at least 12",
        ),
        (
            vec!["--email", "editor@pla.example.org", "--role", "admin"],
            "long enough password",
            "exists already",
        ),
        (
            vec!["--email", "not-an-address", "--role", "admin"],
            "long enough password",
            "not an email",
        ),
    ] {
        let output = catalog.add_user(&args, password);
        assert!(!output.status.success());
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(complaint),
            "{complaint}"
        );
    }

    let list = catalog.run_ok(&["user", "list"]);
    assert!(
        list.contains("editor@pla.example.org\tprovider\tala-pla\tactive"),
        "{list}"
    );
    assert!(
        list.contains("admin@example.org\tadmin\t-\tactive"),
        "{list}"
    );

    let store = Store::open(&catalog.db()).unwrap();
    let hash: String = rusqlite::Connection::open(catalog.db())
        .unwrap()
        .query_row(
            "SELECT password_hash FROM users WHERE email = 'admin@example.org'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let user = store
        .authenticate("editor@pla.example.org", "correct horse battery")
        .unwrap()
        .expect("signs in");
    assert_eq!(
        (user.role, user.provider.as_deref()),
        (Role::Provider, Some("ala-pla"))
    );
    assert!(
        store
            .authenticate("editor@pla.example.org", "wrong horse battery")
            .unwrap()
            .is_none()
    );

    catalog.run_ok(&["user", "disable", "--email", "editor@pla.example.org"]);
    assert!(
        store
            .authenticate("editor@pla.example.org", "correct horse battery")
            .unwrap()
            .is_none()
    );
    assert!(
        catalog
            .run_ok(&["user", "list"])
            .contains("editor@pla.example.org\tprovider\tala-pla\tdisabled")
    );
}

#[test]
fn a_submission_waits_for_review_then_reaches_search_and_edits_and_withdrawals_follow() {
    let catalog = seeded();
    let server = catalog.serve();
    let store = Store::open(&catalog.db()).unwrap();

    let offering = new_offering(
        "pla-wayfinding-basics-2027",
        "ala-pla",
        "Wayfinding Basics for Small Branches",
    );
    let submission = store
        .submit(
            &offering,
            "ala-pla",
            "editor@pla.example.org",
            Some("form-1"),
        )
        .unwrap();
    let listed = catalog.run_ok(&["review", "list"]);
    assert!(
        listed.contains(&format!(
            "{}\tala-pla\tWayfinding Basics for Small Branches",
            submission.id
        )),
        "{listed}"
    );
    // Search follows a write within a second: after one, a pending offering would be there.
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(
        server.total("q=%22wayfinding%22"),
        0,
        "a pending offering is not searchable"
    );
    assert_eq!(
        server.get("/api/v1/offerings/pla-wayfinding-basics-2027").0,
        404
    );

    catalog.run_ok(&["review", "approve", &submission.id.to_string()]);
    within_a_second("the approved offering in search", || {
        server.total("q=%22wayfinding%22") == 1
    });
    assert!(catalog.run_ok(&["review", "list"]).trim().is_empty());

    // An edit goes through review; the published version stays until then.
    let mut edited = offering.clone();
    edited.title = "Wayfinding for Small Branches: the Zephyrine Edition".into();
    let edit = store
        .submit(&edited, "ala-pla", "editor@pla.example.org", Some("form-2"))
        .unwrap();
    assert_eq!(edit.kind, SubmissionKind::Edit);
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(server.total("q=%22zephyrine%22"), 0);
    let rejected = catalog.run(&[
        "review",
        "reject",
        &edit.id.to_string(),
        "--reason",
        "Add the venue's accessibility notes",
    ]);
    assert!(rejected.status.success());
    assert_eq!(
        server.total("q=%22wayfinding%22"),
        1,
        "a rejected edit leaves the published version"
    );
    let again = store
        .submit(&edited, "ala-pla", "editor@pla.example.org", Some("form-3"))
        .unwrap();
    catalog.run_ok(&["review", "approve", &again.id.to_string()]);
    within_a_second("the approved edit in search", || {
        server.total("q=%22zephyrine%22") == 1
    });

    // Deciding twice, or on nothing, is refused with a clear message.
    let twice = catalog.run(&["review", "approve", &again.id.to_string()]);
    assert!(String::from_utf8_lossy(&twice.stderr).contains("approved already"));
    assert!(
        !catalog
            .run(&["review", "approve", "999999"])
            .status
            .success()
    );
    assert!(
        String::from_utf8_lossy(
            &catalog
                .run(&["review", "reject", "1", "--reason", " "])
                .stderr
        )
        .contains("reason")
    );

    store
        .withdraw(
            "pla-wayfinding-basics-2027",
            Some("ala-pla"),
            "editor@pla.example.org",
        )
        .unwrap();
    within_a_second("the withdrawn offering leaving search", || {
        server.total("q=%22wayfinding%22") == 0
    });

    let log = store.audit_log(20).unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    for action in ["submitted", "approved", "rejected", "withdrew"] {
        assert!(
            actions.contains(&action),
            "{action} is not in the audit log: {actions:?}"
        );
    }
}

#[test]
fn no_one_acts_where_they_do_not_belong_and_bad_offerings_are_refused_by_field() {
    let catalog = seeded();
    let store = Store::open(&catalog.db()).unwrap();
    // YALSA's offering, submitted by PLA as YALSA's, or as PLA's own to take it over.
    for named_provider in ["ala-yalsa", "ala-pla"] {
        let taken = new_offering(
            "yalsa-ya-readers-advisory-boot-camp-seattle",
            named_provider,
            "Taken over",
        );
        assert!(
            matches!(
                store.submit(&taken, "ala-pla", "someone", None),
                Err(StoreError::Forbidden(_))
            ),
            "naming {named_provider}"
        );
    }
    assert!(matches!(
        store.withdraw(
            "yalsa-ya-readers-advisory-boot-camp-seattle",
            Some("ala-pla"),
            "someone"
        ),
        Err(StoreError::Forbidden(_))
    ));
    let mut bad = new_offering("x", "ala-pla", "No");
    bad.end = Some("2027-09-13T16:00:00-05:00".into());
    match store.submit(&bad, "ala-pla", "someone", None) {
        Err(StoreError::InvalidOffering(errors)) => {
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert!(
                fields.contains(&"id") && fields.contains(&"title") && fields.contains(&"start"),
                "{fields:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        store.pending_submissions().unwrap().is_empty(),
        "nothing half-written"
    );
}

#[test]
fn two_hundred_submissions_from_twenty_providers_at_once_are_each_stored_once() {
    let catalog = seeded();
    let providers: Vec<String> = Store::open(&catalog.db())
        .unwrap()
        .providers()
        .unwrap()
        .into_iter()
        .take(20)
        .map(|p| p.id)
        .collect();
    let threads: Vec<_> = providers
        .iter()
        .cloned()
        .map(|provider| {
            let db = catalog.db();
            std::thread::spawn(move || {
                let store = Store::open(&db).unwrap();
                for n in 0..10 {
                    let offering = new_offering(
                        &format!("{provider}-load-{n}"),
                        &provider,
                        &format!("Load test {n}"),
                    );
                    let key = format!("{provider}-{n}");
                    // Every form is sent twice at the same moment, as by a double click.
                    let both = std::sync::Barrier::new(2);
                    let ids: Vec<i64> = std::thread::scope(|copies| {
                        let copies: Vec<_> = (0..2)
                            .map(|_| {
                                copies.spawn(|| {
                                    both.wait();
                                    store
                                        .submit(&offering, &provider, "load test", Some(&key))
                                        .unwrap()
                                        .id
                                })
                            })
                            .collect();
                        copies.into_iter().map(|c| c.join().unwrap()).collect()
                    });
                    assert_eq!(ids[0], ids[1]);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("no submission failed");
    }
    let pending = Store::open(&catalog.db())
        .unwrap()
        .pending_submissions()
        .unwrap();
    assert_eq!(pending.len(), 200);
    let mut ids: Vec<&str> = pending.iter().map(|s| s.offering.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 200);
}

#[test]
fn user_list_tells_an_applicant_awaiting_approval_from_a_disabled_account() {
    let catalog = seeded();
    let store = Store::open(&catalog.db()).unwrap();
    let applicant: clearinghouse::catalog::Provider = serde_json::from_value(serde_json::json!({
        "id": "river-county-library", "name": "River County Library", "kind": "consortium"
    }))
    .unwrap();
    store
        .register(
            &applicant,
            "director@river.example.org",
            "a long enough password",
        )
        .unwrap();
    catalog.add_user(
        &["--email", "gone@example.org", "--role", "admin"],
        "a long enough password",
    );
    catalog.run_ok(&["user", "disable", "--email", "gone@example.org"]);

    let listed = catalog.run_ok(&["user", "list"]);
    let line = |email: &str| {
        listed
            .lines()
            .find(|line| line.starts_with(email))
            .unwrap_or_else(|| panic!("{email} in {listed}"))
            .to_owned()
    };
    assert!(line("director@river.example.org").ends_with("awaiting approval"));
    assert!(line("gone@example.org").ends_with("disabled"));
}

#[test]
fn logs_written_to_a_file_or_pipe_carry_no_colour_codes() {
    let catalog = seeded();
    let output = catalog
        .command()
        .env("RUST_LOG", "clearinghouse=debug")
        .args(["import", common::seed_dir().to_str().unwrap()])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(log.contains("offerings counted"), "{log}");
    assert!(!log.contains('\u{1b}'), "no escape codes: {log:?}");
}
