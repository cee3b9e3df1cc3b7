//! `backup` while writes flow, and `restore`: every write acknowledged before a backup starts is
//! in the restored catalog, and a file that is not a backup is refused with the catalog unchanged.

mod common;

use common::Catalog;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const PASSWORD: &str = "a long enough password";

fn accounts(catalog: &Catalog) -> String {
    catalog.run_ok(&["user", "list"])
}

#[test]
fn a_backup_taken_under_writes_holds_every_acknowledged_write() {
    let catalog = Catalog::new();
    let _server = catalog.serve();
    let acknowledged = Mutex::new(Vec::<String>::new());
    let stop = AtomicBool::new(false);
    let backups = tempfile::tempdir().unwrap();
    std::thread::scope(|scope| {
        for writer in 0..2 {
            let (catalog, acknowledged, stop) = (&catalog, &acknowledged, &stop);
            scope.spawn(move || {
                for n in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let email = format!("writer{writer}-{n}@example.org");
                    let added = catalog.add_user(&["--email", &email, "--role", "admin"], PASSWORD);
                    if added.status.success() {
                        acknowledged.lock().unwrap().push(email);
                    }
                }
            });
        }
        for round in 0..3 {
            std::thread::sleep(Duration::from_millis(700));
            let before = acknowledged.lock().unwrap().clone();
            let file = backups.path().join(format!("backup-{round}.db"));
            catalog.run_ok(&["backup", file.to_str().unwrap()]);

            let restored = Catalog::new();
            restored.run_ok(&["restore", file.to_str().unwrap()]);
            let listed = accounts(&restored);
            for email in &before {
                assert!(
                    listed.contains(email.as_str()),
                    "{email} is missing from backup {round}"
                );
            }
            let check = restored.run_ok(&["check"]);
            assert!(check.contains("agrees"), "{check}");
        }
        stop.store(true, Ordering::Relaxed);
    });
    assert!(
        acknowledged.lock().unwrap().len() >= 6,
        "the writers wrote while the backups ran"
    );
}

#[test]
fn restore_refuses_a_file_that_is_not_a_backup_and_changes_nothing() {
    let catalog = Catalog::new();
    catalog.import(&common::seed_dir());
    catalog.add_user(
        &["--email", "keep@example.org", "--role", "admin"],
        PASSWORD,
    );
    let not_a_backup = catalog.dir.path().join("notes.db");
    std::fs::write(&not_a_backup, "these are notes, not a database").unwrap();

    let output = catalog.run(&["restore", not_a_backup.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("the database is unchanged"), "{stderr}");
    assert!(accounts(&catalog).contains("keep@example.org"));
}
