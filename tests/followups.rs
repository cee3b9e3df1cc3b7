//! Follow-ups on impact (#15), end to end: a participant leaves an address with an evaluation;
//! the real server mails the follow-up through a real SMTP server (aiosmtpd, started here, which
//! writes each message it takes to a Maildir), deletes the address, and the follow-up's answer is
//! stored once; without SMTP, `followups export` gives the list and deletes the addresses.
//!
//! The SMTP tests need Python's `aiosmtpd` (`pip install aiosmtpd`; `.ci/run` installs it).
//! Without it they pass without running and print `SKIPPED:`, unless
//! `CLEARINGHOUSE_SMTP_TESTS=required` (as in CI), where they fail.
//!
//! Two months cannot pass in a test: the server is started with `--followup-after-days 0`
//! (follow-ups due on the day of the answer) and `--followup-interval 1` (the queue looked at
//! every second); the export is asked for `--due-by` a day 60 days on.

mod common;

use common::web::{PLA_EDITOR, add_pla_editor, agent, get, hidden, post, sign_in};
use common::{Catalog, Server};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use ureq::Agent;

/// A PLA offering with four learning outcomes and two instructors.
const OFFERING: &str = "pla-de-escalation-public-service-desk-las-vegas";
const OUTCOMES: usize = 4;
const READER: &str = "reader+followup@example.org";

/// aiosmtpd listening on a port of its own, writing what it takes into a Maildir.
struct SmtpSink {
    child: Child,
    port: u16,
    maildir: tempfile::TempDir,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Whether aiosmtpd is there; when not, fails under `CLEARINGHOUSE_SMTP_TESTS=required`.
fn aiosmtpd_available() -> bool {
    let found = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !found {
        let message = "the SMTP tests need Python's aiosmtpd (pip install aiosmtpd)";
        if std::env::var("CLEARINGHOUSE_SMTP_TESTS").as_deref() == Ok("required") {
            panic!("{message}");
        }
        common::say_skipped(&format!("{message}; the test passes without running"));
    }
    found
}

impl SmtpSink {
    /// Starts aiosmtpd on `port` and waits until it takes connections.
    fn start_on(port: u16, maildir: tempfile::TempDir) -> Self {
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            // A folder that does not exist yet: the handler makes it a Maildir.
            .arg(maildir.path().join("mail"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs");
        common::within(Duration::from_secs(15), "aiosmtpd to listen", || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        SmtpSink {
            child,
            port,
            maildir,
        }
    }

    fn start() -> Self {
        Self::start_on(free_port(), tempfile::tempdir().unwrap())
    }

    /// The messages it has taken, as text with quoted-printable undone.
    fn messages(&self) -> Vec<String> {
        messages_in(&self.maildir.path().join("mail").join("new"))
    }
}

fn messages_in(folder: &Path) -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|file| unquote(&std::fs::read_to_string(file).unwrap()))
        .collect()
}

/// Undoes quoted-printable: soft line breaks and `=XX` bytes (the headers pass unchanged).
fn unquote(text: &str) -> String {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `/followup/TOKEN` out of a text.
fn followup_path(text: &str) -> String {
    let start = text.find("/followup/").expect("a follow-up link");
    text[start..start + "/followup/".len() + 64].to_owned()
}

/// The seed with a PLA editor, served with `options`.
fn site(options: &[&str]) -> (Catalog, Server) {
    let catalog = common::seeded_catalog();
    add_pla_editor(&catalog);
    let server = catalog.serve_with(options);
    (catalog, server)
}

fn mailing_site(port: u16) -> (Catalog, Server) {
    let url = format!("smtp://127.0.0.1:{port}");
    site(&[
        "--smtp-url",
        &url,
        "--mail-from",
        "CE Clearinghouse <ce@example.org>",
        "--followup-after-days",
        "0",
        "--followup-interval",
        "1",
    ])
}

/// A single-use link of the offering, downloaded as CSV by its provider.
fn single_use_link(provider: &Agent, server: &Server) -> String {
    let results = format!("/provider/offerings/{OFFERING}/evaluation");
    let (_, _, page) = get(provider, server, &results);
    let csrf = hidden(&page, "csrf");
    let (status, _, csv) = post(
        provider,
        server,
        &format!("{results}/links"),
        &[("csrf", &csrf), ("count", "1")],
    );
    assert_eq!(status, 200, "{csv}");
    let link = csv.lines().nth(1).expect("a link");
    link[link.find("/evaluate/").unwrap()..].trim().to_owned()
}

/// Answers the form at `path` as a participant, leaving `email`: (status, location, body).
fn answer(server: &Server, path: &str, email: &str) -> (u16, String, String) {
    let participant = agent();
    let (status, _, page) = get(&participant, server, path);
    assert_eq!(status, 200, "{page}");
    let csrf = hidden(&page, "csrf");
    let outcomes: Vec<String> = (0..OUTCOMES).map(|i| format!("outcome-{i}")).collect();
    let mut form: Vec<(&str, &str)> = vec![
        ("csrf", &csrf),
        ("overall", "4"),
        ("relevance", "4"),
        ("recommend", "yes"),
        ("role", "librarians"),
        ("different", ""),
        ("email", email),
    ];
    form.extend(outcomes.iter().map(|name| (name.as_str(), "fully")));
    post(&participant, server, path, &form)
}

fn accepted(outcome: (u16, String, String)) {
    assert_eq!(
        (outcome.0, outcome.1.as_str()),
        (303, "/evaluate/thanks"),
        "{}",
        outcome.2
    );
}

/// Answers the follow-up at `path`: (status, location, body).
fn answer_followup(
    server: &Server,
    path: &str,
    applied: &str,
    changed: &str,
) -> (u16, String, String) {
    let participant = agent();
    let (status, _, page) = get(&participant, server, path);
    if status != 200 {
        return (status, String::new(), page);
    }
    let csrf = hidden(&page, "csrf");
    post(
        &participant,
        server,
        path,
        &[("csrf", &csrf), ("applied", applied), ("changed", changed)],
    )
}

/// Runs one query on the catalog's database file.
fn query<T: rusqlite::types::FromSql>(catalog: &Catalog, sql: &str) -> T {
    let connection = rusqlite::Connection::open(catalog.db()).unwrap();
    connection.query_row(sql, [], |row| row.get(0)).unwrap()
}

/// How many stored values anywhere in the evaluation tables hold `text`.
fn stored_anywhere(catalog: &Catalog, text: &str) -> i64 {
    let connection = rusqlite::Connection::open(catalog.db()).unwrap();
    connection
        .query_row(
            "SELECT (SELECT count(*) FROM evaluation_followups \
                     WHERE instr(coalesce(email, '') || site || coalesce(changed, '') \
                                 || coalesce(last_error, ''), ?1) > 0) \
                  + (SELECT count(*) FROM evaluation_responses \
                     WHERE instr(different || outcomes || role, ?1) > 0)",
            [text],
            |row| row.get(0),
        )
        .unwrap()
}

/// Whether the database file (checkpointed) holds `text` anywhere, even in free space.
fn in_the_file(catalog: &Catalog, text: &str) -> bool {
    let connection = rusqlite::Connection::open(catalog.db()).unwrap();
    let busy: i64 = connection
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get(0))
        .unwrap();
    assert_eq!(busy, 0, "the checkpoint ran");
    let mut file = std::fs::read(catalog.db()).unwrap();
    file.extend(std::fs::read(catalog.db().with_extension("db-wal")).unwrap_or_default());
    file.windows(text.len()).any(|w| w == text.as_bytes())
}

#[test]
fn a_follow_up_is_mailed_once_its_address_deleted_and_its_answer_stored_once() {
    if !aiosmtpd_available() {
        return;
    }
    let sink = SmtpSink::start();
    let (catalog, server) = mailing_site(sink.port);
    let provider = sign_in(&server, PLA_EDITOR);
    accepted(answer(
        &server,
        &single_use_link(&provider, &server),
        READER,
    ));
    // An answer without an address asks for nothing.
    accepted(answer(&server, &single_use_link(&provider, &server), ""));

    common::within(Duration::from_secs(20), "the follow-up mail", || {
        !sink.messages().is_empty()
    });
    let message = &sink.messages()[0];
    assert!(message.contains(&format!("To: {READER}")), "{message}");
    assert!(message.contains("ce@example.org"), "{message}");
    assert!(message.contains("Did you apply"), "{message}");
    let link = followup_path(message);
    assert!(
        message.contains(&server.url(&link)),
        "the link leads to this site: {message}"
    );
    common::within(Duration::from_secs(5), "the address to go", || {
        stored_anywhere(&catalog, READER) == 0
    });
    assert_eq!(
        query::<i64>(
            &catalog,
            "SELECT count(*) FROM evaluation_followups WHERE sent_by = 'smtp' AND sent_at IS NOT NULL"
        ),
        1,
        "sent, and when is kept"
    );

    let (status, _, form) = get(&agent(), &server, &link);
    assert_eq!(status, 200);
    assert!(form.contains("De-escalation"), "names the offering: {form}");
    let done = answer_followup(
        &server,
        &link,
        "partly",
        "Fewer incidents <b>at</b> the desk",
    );
    assert_eq!(
        (done.0, done.1.as_str()),
        (303, "/followup/thanks"),
        "{}",
        done.2
    );
    // Once only: the form and a second answer both say so.
    let (status, _, page) = get(&agent(), &server, &link);
    assert_eq!(status, 410, "{page}");
    let participant = agent();
    let (_, _, other) = get(&participant, &server, "/login");
    let again = post(
        &participant,
        &server,
        &link,
        &[("csrf", &hidden(&other, "csrf")), ("applied", "no")],
    );
    assert_eq!(again.0, 410, "{}", again.2);
    let stored: (String, String, String) = {
        let connection = rusqlite::Connection::open(catalog.db()).unwrap();
        connection
            .query_row(
                "SELECT f.applied, f.changed, r.offering_id FROM evaluation_followups f \
                 JOIN evaluation_responses r ON r.id = f.response_id WHERE f.applied IS NOT NULL",
                [],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .unwrap()
    };
    assert_eq!(
        stored,
        (
            "partly".to_owned(),
            "Fewer incidents <b>at</b> the desk".to_owned(),
            OFFERING.to_owned()
        )
    );
    // The queue is looked at every second: no second mail comes.
    std::thread::sleep(Duration::from_millis(2_500));
    assert_eq!(sink.messages().len(), 1, "one follow-up, one mail");
}

#[test]
fn a_failed_mail_stays_queued_and_goes_out_once_the_server_answers() {
    if !aiosmtpd_available() {
        return;
    }
    // Nothing listens on the port yet.
    let port = free_port();
    let (catalog, server) = mailing_site(port);
    let provider = sign_in(&server, PLA_EDITOR);
    accepted(answer(
        &server,
        &single_use_link(&provider, &server),
        READER,
    ));
    common::within(Duration::from_secs(15), "a failed attempt", || {
        query::<i64>(
            &catalog,
            "SELECT count(*) FROM evaluation_followups WHERE attempts > 0 AND last_error IS NOT NULL",
        ) == 1
    });
    assert_eq!(
        stored_anywhere(&catalog, READER),
        1,
        "the address is kept to try again"
    );

    let sink = SmtpSink::start_on(port, tempfile::tempdir().unwrap());
    common::within(Duration::from_secs(30), "the retried mail", || {
        !sink.messages().is_empty()
    });
    assert!(sink.messages()[0].contains(&format!("To: {READER}")));
    common::within(Duration::from_secs(5), "the address to go", || {
        stored_anywhere(&catalog, READER) == 0
    });
}

#[test]
fn without_smtp_the_export_lists_due_follow_ups_once_and_deletes_their_addresses() {
    let (catalog, server) = site(&[]);
    let provider = sign_in(&server, PLA_EDITOR);
    accepted(answer(
        &server,
        &single_use_link(&provider, &server),
        READER,
    ));
    let today = chrono::Utc::now().date_naive();

    // Not due for 60 days: today's list is empty and the address stays.
    let output = catalog.run(&["followups", "export"]);
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "email,offering_title,link"
    );
    assert_eq!(stored_anywhere(&catalog, READER), 1);
    let day_59 = (today + chrono::Days::new(59)).to_string();
    let output = catalog.run(&["followups", "export", "--due-by", &day_59]);
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 1);

    let day_60 = (today + chrono::Days::new(60)).to_string();
    let listed = catalog.run_ok(&["followups", "export", "--due-by", &day_60]);
    let mut rows = csv::Reader::from_reader(listed.as_bytes());
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "{listed}");
    assert_eq!(&rows[0][0], READER);
    assert!(rows[0][1].contains("De-escalation"), "{listed}");
    assert!(
        rows[0][2].starts_with(&server.url("/followup/")),
        "{listed}"
    );
    assert_eq!(stored_anywhere(&catalog, READER), 0, "exported, so deleted");
    assert_eq!(
        query::<String>(&catalog, "SELECT sent_by FROM evaluation_followups"),
        "export"
    );
    // Exported once only.
    let again = catalog.run_ok(&["followups", "export", "--due-by", &day_60]);
    assert_eq!(again.lines().count(), 1, "{again}");

    // The exported link works, once.
    let link = followup_path(&rows[0][2]);
    let done = answer_followup(&server, &link, "yes", "");
    assert_eq!(done.0, 303, "{}", done.2);
    assert_eq!(answer_followup(&server, &link, "no", "").0, 410);

    // A bad day is named, and changes nothing.
    let bad = catalog.run(&["followups", "export", "--due-by", "next week"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--due-by"));
}

#[test]
fn a_bad_address_is_named_kept_in_the_form_and_nothing_is_stored() {
    let (catalog, server) = site(&[]);
    let provider = sign_in(&server, PLA_EDITOR);
    let link = single_use_link(&provider, &server);
    let (status, _, page) = answer(&server, &link, "reader at example <script>");
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("E-mail address for the follow-up"), "{page}");
    assert!(
        page.contains("href=\"#email\""),
        "the summary links to the field"
    );
    assert!(
        page.contains("value=\"reader at example &#60;script&#62;\"")
            || page.contains("value=\"reader at example &lt;script&gt;\""),
        "kept, escaped: {page}"
    );
    assert_eq!(
        query::<i64>(&catalog, "SELECT count(*) FROM evaluation_responses"),
        0
    );
    // A follow-up link that does not exist is a 404, a malformed one too.
    assert_eq!(server.get(&format!("/followup/{}", "a".repeat(64))).0, 404);
    assert_eq!(server.get("/followup/not-a-token").0, 404);
}

#[test]
fn the_share_who_applied_it_is_public_from_five_follow_up_answers() {
    let (catalog, server) = site(&[]);
    let provider = sign_in(&server, PLA_EDITOR);
    for i in 0..5 {
        let address = format!("reader{i}@example.org");
        accepted(answer(
            &server,
            &single_use_link(&provider, &server),
            &address,
        ));
    }
    let day_60 = (chrono::Utc::now().date_naive() + chrono::Days::new(60)).to_string();
    let listed = catalog.run_ok(&["followups", "export", "--due-by", &day_60]);
    let links: Vec<String> = listed.lines().skip(1).map(followup_path).collect();
    assert_eq!(links.len(), 5, "{listed}");
    // Deleted from the file too, not only unreadable through SQL.
    for i in 0..5 {
        assert!(
            !in_the_file(&catalog, &format!("reader{i}@example.org")),
            "reader{i}'s address is overwritten in the database file"
        );
    }
    let applied = |server: &Server| -> serde_json::Value {
        let (status, body) = server.get(&format!("/api/v1/offerings/{OFFERING}/evaluation"));
        assert_eq!(status, 200, "{body}");
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["summary"]["applied"].clone()
    };
    for (link, said) in links.iter().zip(["yes", "yes", "partly", "no"]) {
        assert_eq!(answer_followup(&server, link, said, "").0, 303);
    }
    assert!(
        applied(&server).is_null(),
        "four follow-ups are too few to publish"
    );
    let (_, _, results) = get(
        &provider,
        &server,
        &format!("/provider/offerings/{OFFERING}/evaluation"),
    );
    assert!(
        results.contains("did they apply it? (4 answers)"),
        "the provider sees them at once: {results}"
    );
    assert_eq!(answer_followup(&server, &links[4], "yes", "").0, 303);
    common::within_a_second("the public share", || !applied(&server).is_null());
    let shares = applied(&server);
    assert_eq!(shares["answers"], 5);
    assert!(
        (shares["yes"].as_f64().unwrap() - 0.6).abs() < 1e-9,
        "{shares}"
    );
    assert!((shares["partly"].as_f64().unwrap() - 0.2).abs() < 1e-9);
    assert!((shares["no"].as_f64().unwrap() - 0.2).abs() < 1e-9);
    let (_, page) = server.get(&format!("/offerings/{OFFERING}"));
    assert!(page.contains("did they apply it? (5 answers)"), "{page}");
    let (_, pla) = server.get("/api/v1/providers/ala-pla/evaluation");
    assert!(pla.contains("\"applied\":{\"answers\":5"), "{pla}");
}
