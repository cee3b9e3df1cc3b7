//! Providers submit and administrators moderate, over real HTTP with real cookies: sign-in with
//! CSRF and throttling, the offering form with errors by field and values kept, one submission
//! per form however often it is sent, approval into search, an edit through review with its
//! changes shown, withdrawal, and no one acting where they do not belong.

mod common;

use common::web::{
    PASSWORD, PLA_EDITOR, add_pla_editor, add_user, agent, confirm_upload, get, hidden, post,
    sign_in, upload,
};
use common::{Catalog, Server, eventually, within_a_second};
use std::time::Duration;
use ureq::Agent;

const HOSTILE: &str = "<script>alert('x')</script>";

fn offering_form<'a>(
    csrf: &'a str,
    key: &'a str,
    title: &'a str,
    description: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("idempotency_key", key),
        ("title", title),
        ("description", description),
        ("format", "online_live"),
        ("level", "introductory"),
        ("audiences", "support_staff"),
        ("audiences", "librarians"),
        ("competencies", "lssc:FLS.3"),
        ("start_date", "2027-10-05"),
        ("start_time", "14:00"),
        ("end_date", "2027-10-05"),
        ("end_time", "15:00"),
        ("timezone", "America/Chicago"),
        ("cost.amount", "0"),
        ("cost.currency", "USD"),
        ("instructors", HOSTILE),
        (
            "learning_outcomes",
            "Plan a shelf reading routine\nTrain volunteers to read shelves",
        ),
        ("url", "https://www.ala.org/pla/shelf-reading"),
    ]
}

const PROVIDER: &str = PLA_EDITOR;
const ADMIN: &str = "admin@example.org";
const TITLE: &str = "Shelf Reading Routines That Stick";
const DESCRIPTION: &str =
    "How to keep collections in order with short daily shelf-reading routines.";
/// Quoted, the title's words find this offering alone (unquoted, offerings matching most of them
/// would be listed too).
const TITLE_QUERY: &str = "q=%22shelf+reading+routines%22";
/// The id the form gives an offering titled `TITLE`.
const OFFERING_ID: &str = "shelf-reading-routines-that-stick";

/// The seed, served, with a provider account for ala-pla and an administrator.
fn site() -> (Catalog, Server) {
    let catalog = common::seeded_catalog();
    add_pla_editor(&catalog);
    add_user(&catalog, &["--email", ADMIN, "--role", "admin"]);
    let server = catalog.serve();
    (catalog, server)
}

/// The CSRF token and idempotency key of a fresh form at `path`.
fn fresh_form(agent: &Agent, server: &Server, path: &str) -> (String, String) {
    let (status, _, page) = get(agent, server, path);
    assert_eq!(status, 200, "{path}");
    (hidden(&page, "csrf"), hidden(&page, "idempotency_key"))
}

/// Sends a new offering form with this title; it must be accepted.
fn submit(provider: &Agent, server: &Server, title: &str) {
    let (csrf, key) = fresh_form(provider, server, "/provider/offerings/new");
    let form = offering_form(&csrf, &key, title, DESCRIPTION);
    let (status, location, _) = post(provider, server, "/provider/offerings/new", &form);
    assert_eq!(
        (status, location.as_str()),
        (303, "/provider?done=submitted")
    );
}

/// The ids of the submissions waiting for review.
fn pending(catalog: &Catalog) -> Vec<String> {
    catalog
        .run_ok(&["review", "list"])
        .lines()
        .map(|line| line.split('\t').next().unwrap().to_owned())
        .collect()
}

/// Submits `TITLE` and approves it from the command line; returns once search has it.
fn publish(catalog: &Catalog, server: &Server, provider: &Agent) {
    submit(provider, server, TITLE);
    let ids = pending(catalog);
    assert_eq!(ids.len(), 1, "{ids:?}");
    catalog.run_ok(&["review", "approve", &ids[0]]);
    eventually("the published offering in search", || {
        server.total(TITLE_QUERY) == 1
    });
}

/// The site, with the provider signed in.
fn signed_in() -> (Catalog, Server, Agent) {
    let (catalog, server) = site();
    let provider = sign_in(&server, PROVIDER);
    (catalog, server, provider)
}

/// A site where the provider, signed in, has published the offering `TITLE`.
fn published() -> (Catalog, Server, Agent) {
    let (catalog, server, provider) = signed_in();
    publish(&catalog, &server, &provider);
    (catalog, server, provider)
}

/// The administrator's review queue and its CSRF token.
fn queue(admin: &Agent, server: &Server) -> (String, String) {
    let (status, _, queue) = get(admin, server, "/admin");
    assert_eq!(status, 200);
    let csrf = hidden(&queue, "csrf");
    (queue, csrf)
}

#[test]
fn visitors_not_signed_in_are_sent_to_sign_in() {
    let (_catalog, server) = site();
    for path in ["/provider", "/provider/offerings/new", "/admin"] {
        let (status, location, _) = get(&agent(), &server, path);
        assert!((300..400).contains(&status), "{path}: {status}");
        assert_eq!(location, "/login", "{path}");
    }
}

#[test]
fn a_sign_in_without_its_form_token_is_refused() {
    let (_catalog, server) = site();
    let visitor = agent();
    get(&visitor, &server, "/login");
    let (status, _, _) = post(
        &visitor,
        &server,
        "/login",
        &[("email", PROVIDER), ("password", PASSWORD)],
    );
    assert_eq!(status, 403);
    assert_eq!(
        get(&visitor, &server, "/provider").1,
        "/login",
        "still not signed in"
    );
}

#[test]
fn a_provider_cannot_reach_the_administrators_pages() {
    let (_catalog, server, provider) = signed_in();
    for path in ["/admin", "/admin/audit"] {
        assert_eq!(get(&provider, &server, path).0, 403, "{path}");
    }
}

#[test]
fn an_invalid_offering_form_names_each_field_at_fault_and_keeps_every_value() {
    let (catalog, server, provider) = signed_in();
    let (csrf, key) = fresh_form(&provider, &server, "/provider/offerings/new");
    let mut bad = offering_form(&csrf, &key, "No", "Too short");
    bad.retain(|(name, _)| !name.starts_with("start"));
    let (status, _, page) = post(&provider, &server, "/provider/offerings/new", &bad);
    assert_eq!(status, 422);
    for message in [
        "Title: must be at least 3 characters",
        "Description: must be at least 20 characters",
        "Start: enter the date it starts",
    ] {
        assert!(page.contains(message), "{message}");
    }
    assert!(
        page.contains("Train volunteers to read shelves"),
        "entered values are kept"
    );
    assert!(
        page.contains("value=\"support_staff\" checked"),
        "chosen boxes stay chosen"
    );
    assert!(!page.contains(HOSTILE), "markup is shown as text");
    assert!(pending(&catalog).is_empty(), "nothing stored");
}

#[test]
fn an_offering_form_without_its_token_changes_nothing() {
    let (catalog, server, provider) = signed_in();
    let (_, key) = fresh_form(&provider, &server, "/provider/offerings/new");
    let mut forged = offering_form("", &key, TITLE, DESCRIPTION);
    forged.retain(|(name, _)| *name != "csrf");
    assert_eq!(
        post(&provider, &server, "/provider/offerings/new", &forged).0,
        403
    );
    assert!(pending(&catalog).is_empty(), "nothing stored");
}

#[test]
fn a_form_sent_twice_is_one_submission_that_waits_for_review_out_of_search() {
    let (catalog, server, provider) = signed_in();
    let (csrf, key) = fresh_form(&provider, &server, "/provider/offerings/new");
    let form = offering_form(&csrf, &key, TITLE, DESCRIPTION);
    for _ in 0..2 {
        let (status, location, _) = post(&provider, &server, "/provider/offerings/new", &form);
        assert_eq!(
            (status, location.as_str()),
            (303, "/provider?done=submitted")
        );
    }
    let listed = catalog.run_ok(&["review", "list"]);
    assert_eq!(listed.lines().count(), 1, "{listed}");
    assert!(listed.contains(TITLE), "{listed}");
    let (_, _, home) = get(&provider, &server, "/provider");
    let in_the_catalog = home.split("id=\"offerings\"").nth(1).unwrap();
    let row = in_the_catalog
        .split("<tr")
        .find(|row| row.contains(TITLE))
        .expect("the provider's page lists the offering");
    assert!(row.contains("<td>Pending review</td>"), "{row}");
    let submitted = home.split("id=\"offerings\"").next().unwrap();
    let submission = submitted
        .split("<tr")
        .find(|row| row.contains(TITLE))
        .expect("the provider's page lists the submission");
    assert!(
        submission.contains("<td>New offering</td><td>Pending review</td>"),
        "the submission's kind and status in words: {submission}"
    );
    // Search follows a write within a second: after one, a pending offering would be there.
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(server.total(TITLE_QUERY), 0, "pending is not searchable");
}

#[test]
fn a_providers_pages_are_never_cached() {
    let (_catalog, server, provider) = signed_in();
    for path in ["/provider", "/provider/offerings/new", "/provider/profile"] {
        let response = provider.get(&server.url(path)).call().unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            response.headers().get("cache-control").unwrap(),
            "no-store",
            "{path}"
        );
        assert!(response.headers().get("etag").is_none(), "{path}");
    }
}

#[test]
fn an_administrator_approves_from_the_queue_and_search_has_it_within_a_second() {
    let (catalog, server, provider) = signed_in();
    submit(&provider, &server, TITLE);
    let admin = sign_in(&server, ADMIN);
    let (queue, admin_csrf) = queue(&admin, &server);
    assert!(queue.contains(TITLE));
    let id = pending(&catalog).pop().unwrap();
    let approve = format!("/admin/submissions/{id}/approve");
    assert_eq!(
        post(&admin, &server, &approve, &[]).0,
        403,
        "no token, no decision"
    );
    assert_eq!(
        pending(&catalog),
        std::slice::from_ref(&id),
        "still waiting"
    );
    let (status, location, _) = post(&admin, &server, &approve, &[("csrf", &admin_csrf)]);
    assert_eq!((status, location.as_str()), (303, "/admin?done=approved"));
    within_a_second("the approved offering in search", || {
        server.total(TITLE_QUERY) == 1
    });
}

#[test]
fn an_edit_waits_for_review_with_its_changes_shown_and_search_has_it_within_a_second() {
    let (catalog, server, provider) = published();
    let edit_path = format!("/provider/offerings/{OFFERING_ID}/edit");
    let (status, _, edit_page) = get(&provider, &server, &edit_path);
    assert_eq!(status, 200);
    assert!(
        edit_page.contains(&format!("value=\"{TITLE}\"")),
        "the form holds the offering"
    );
    let (csrf, edit_key) = (
        hidden(&edit_page, "csrf"),
        hidden(&edit_page, "idempotency_key"),
    );
    let renamed = offering_form(
        &csrf,
        &edit_key,
        "Shelf Reading Routines, the Quillwort Method",
        DESCRIPTION,
    );
    assert_eq!(post(&provider, &server, &edit_path, &renamed).0, 303);
    // Search follows a write within a second: after one, a pending edit would be there.
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(
        server.total("q=%22quillwort%22"),
        0,
        "the edit waits for review"
    );
    assert_eq!(server.total(TITLE_QUERY), 1, "the published version stays");

    let admin = sign_in(&server, ADMIN);
    let (queue, admin_csrf) = queue(&admin, &server);
    assert!(queue.contains("What the edit changes") && queue.contains("the Quillwort Method"));
    let edit_id = pending(&catalog).pop().unwrap();
    let (status, location, _) = post(
        &admin,
        &server,
        &format!("/admin/submissions/{edit_id}/approve"),
        &[("csrf", &admin_csrf)],
    );
    assert_eq!((status, location.as_str()), (303, "/admin?done=approved"));
    within_a_second("the approved edit in search", || {
        server.total("q=%22quillwort%22") == 1
    });
}

#[test]
fn a_possible_duplicate_is_shown_before_anything_is_stored_and_flagged_once_confirmed() {
    let (catalog, server, provider) = published();
    // The same registration page as the published offering.
    let (csrf, key) = fresh_form(&provider, &server, "/provider/offerings/new");
    let mut twin = offering_form(&csrf, &key, "Shelf Reading for Volunteers", DESCRIPTION);
    let (status, _, warning) = post(&provider, &server, "/provider/offerings/new", &twin);
    assert_eq!(status, 200);
    assert!(
        warning.contains("This may already be in the catalog") && warning.contains(OFFERING_ID),
        "the duplicate is named"
    );
    assert!(
        pending(&catalog).is_empty(),
        "nothing stored before confirming"
    );
    twin.push(("confirm_distinct", "yes"));
    assert_eq!(
        post(&provider, &server, "/provider/offerings/new", &twin).0,
        303
    );
    assert_eq!(pending(&catalog).len(), 1);
    let admin = sign_in(&server, ADMIN);
    let (queue, _) = queue(&admin, &server);
    assert!(
        queue.contains("Possible duplicate of"),
        "the queue flags it"
    );
}

#[test]
fn markup_in_every_text_field_is_shown_as_text_on_the_providers_and_administrators_pages() {
    let (_catalog, server, provider) = signed_in();
    let (csrf, key) = fresh_form(&provider, &server, "/provider/offerings/new");
    let title = format!("Workshop {HOSTILE}");
    let description = format!("A description with {HOSTILE} in it, long enough.");
    let mut hostile = offering_form(&csrf, &key, &title, &description);
    hostile.retain(|(name, _)| !matches!(*name, "url" | "format"));
    hostile.extend([
        ("format", "in_person"),
        ("location.venue", HOSTILE),
        ("location.city", "Peoria <b>x</b>"),
        ("location.country", "US"),
        ("accessibility", HOSTILE),
        ("id", "hostile-workshop"),
    ]);
    assert_eq!(
        post(&provider, &server, "/provider/offerings/new", &hostile).0,
        303
    );
    let admin = sign_in(&server, ADMIN);
    for (who, path) in [
        (&provider, "/provider"),
        (&admin, "/admin"),
        (&provider, "/provider/offerings/hostile-workshop/edit"),
    ] {
        let (status, _, page) = get(who, &server, path);
        assert_eq!(status, 200, "{path}");
        assert!(
            page.contains("Workshop &#60;script&#62;") || page.contains("Workshop &lt;script&gt;"),
            "{path} shows it as text"
        );
        assert!(
            !page.contains(HOSTILE) && !page.contains("<b>x</b>"),
            "{path} carries live markup"
        );
    }
}

#[test]
fn no_provider_edits_or_withdraws_another_providers_offering() {
    let (_catalog, server, provider) = signed_in();
    let csrf = home_token(&provider, &server);
    let theirs = "yalsa-ya-readers-advisory-boot-camp-seattle";
    let edit = format!("/provider/offerings/{theirs}/edit");
    assert_eq!(get(&provider, &server, &edit).0, 404);
    let withdraw = format!("/provider/offerings/{theirs}/withdraw");
    assert_eq!(
        post(&provider, &server, &withdraw, &[("csrf", &csrf)]).0,
        404
    );
    assert_eq!(
        server.get(&format!("/offerings/{theirs}")).0,
        200,
        "still published"
    );
}

#[test]
fn withdrawing_takes_an_offering_out_of_search_within_a_second() {
    let (_catalog, server, provider) = published();
    let csrf = home_token(&provider, &server);
    let (status, _, _) = post(
        &provider,
        &server,
        &format!("/provider/offerings/{OFFERING_ID}/withdraw"),
        &[("csrf", &csrf)],
    );
    assert_eq!(status, 303);
    within_a_second("the withdrawn offering leaving search", || {
        server.total(TITLE_QUERY) == 0
    });
}

#[test]
fn sign_ins_submissions_approvals_and_withdrawals_are_in_the_audit_log() {
    let (_catalog, server, provider) = published();
    let csrf = home_token(&provider, &server);
    let withdraw = format!("/provider/offerings/{OFFERING_ID}/withdraw");
    assert_eq!(
        post(&provider, &server, &withdraw, &[("csrf", &csrf)]).0,
        303
    );
    let admin = sign_in(&server, ADMIN);
    let (status, _, audit) = get(&admin, &server, "/admin/audit");
    assert_eq!(status, 200);
    for action in ["signed in", "submitted", "approved", "withdrew"] {
        assert!(
            audit.contains(&format!("<td>{action}</td>")),
            "{action} is not in the audit log"
        );
    }
}

#[test]
fn a_provider_keeps_its_own_profile_and_a_bad_address_is_named() {
    let (_catalog, server, provider) = signed_in();
    let (status, _, profile) = get(&provider, &server, "/provider/profile");
    assert_eq!(status, 200);
    assert!(profile.contains("value=\"Public Library Association\""));
    let csrf = hidden(&profile, "csrf");
    let bad = [
        ("csrf", csrf.as_str()),
        ("name", "Public Library Association"),
        ("website", "ftp://pla.example.org"),
    ];
    let (status, _, page) = post(&provider, &server, "/provider/profile", &bad);
    assert_eq!(status, 422);
    assert!(
        page.contains("website: `ftp://pla.example.org` must be an http or https address"),
        "the field at fault is named: {page}"
    );
    let good = [
        ("csrf", csrf.as_str()),
        ("name", "Public Library Association (PLA)"),
        ("website", "https://www.ala.org/pla"),
    ];
    assert_eq!(post(&provider, &server, "/provider/profile", &good).0, 303);
    assert!(
        server
            .get("/providers/ala-pla")
            .1
            .contains("Public Library Association (PLA)")
    );
}

#[test]
fn signing_out_ends_the_session() {
    let (_catalog, server, provider) = signed_in();
    let csrf = home_token(&provider, &server);
    assert_eq!(
        post(&provider, &server, "/logout", &[("csrf", &csrf)]).0,
        303
    );
    assert_eq!(get(&provider, &server, "/provider").1, "/login");
}

#[test]
fn repeated_failed_sign_ins_are_throttled() {
    let catalog = Catalog::new();
    catalog.import(&common::seed_dir());
    add_user(
        &catalog,
        &["--email", "admin@example.org", "--role", "admin"],
    );
    let server = catalog.serve();
    let agent = agent();
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let (_, _, page) = get(&agent, &server, "/login");
        let csrf = hidden(&page, "csrf");
        statuses.push(
            post(
                &agent,
                &server,
                "/login",
                &[
                    ("email", "admin@example.org"),
                    ("password", "wrong password!"),
                    ("csrf", &csrf),
                ],
            )
            .0,
        );
    }
    assert_eq!(&statuses[..5], &[401; 5]);
    assert_eq!(statuses[6], 429);
}

/// One sign-in attempt with a fresh form: the status, the Retry-After header (if any), the page,
/// and how long the POST took.
fn try_sign_in(
    server: &Server,
    email: &str,
    password: &str,
) -> (u16, Option<u64>, String, Duration) {
    let agent = agent();
    let (_, _, page) = get(&agent, server, "/login");
    let csrf = hidden(&page, "csrf");
    let started = std::time::Instant::now();
    let mut response = agent
        .post(&server.url("/login"))
        .send_form([("email", email), ("password", password), ("csrf", &csrf)])
        .unwrap();
    let took = started.elapsed();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|value| value.to_str().unwrap().parse().unwrap());
    (
        response.status().as_u16(),
        retry_after,
        response.body_mut().read_to_string().unwrap_or_default(),
        took,
    )
}

/// A catalog with an administrator, served.
fn served_with_admin() -> (Catalog, Server) {
    let catalog = Catalog::new();
    add_user(
        &catalog,
        &["--email", "admin@example.org", "--role", "admin"],
    );
    let server = catalog.serve();
    (catalog, server)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}

#[test]
fn a_failed_sign_in_for_an_unknown_address_does_the_same_work_as_for_a_known_one() {
    let (_catalog, server) = served_with_admin();
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for n in 0..5 {
        let (status, _, page, took) =
            try_sign_in(&server, "admin@example.org", "a wrong password!");
        assert_eq!(status, 401);
        known.push(took);
        let (status, _, other_page, took) = try_sign_in(
            &server,
            &format!("nobody{n}@example.org"),
            "a wrong password!",
        );
        assert_eq!(status, 401);
        unknown.push(took);
        let message =
            |page: &str| page.contains("That email and password do not match an active account.");
        assert!(
            message(&page) && message(&other_page),
            "the same message either way"
        );
    }
    // Generous on purpose: checking a password hash is what takes the time; without it an unknown
    // address failed some sixty times faster.
    let (known, unknown) = (median(known), median(unknown));
    assert!(unknown * 10 > known, "known {known:?}, unknown {unknown:?}");
}

#[test]
fn failed_sign_ins_across_many_accounts_from_one_client_are_throttled() {
    let (_catalog, server) = served_with_admin();
    // Thirty at once pass, then three a minute: once the thirty are spent, attempts come faster
    // than that however slow this machine is.
    let mut statuses = Vec::new();
    for n in 0..36 {
        let (status, retry_after, page, _) = try_sign_in(
            &server,
            &format!("user{n}@example.org"),
            "a wrong password!",
        );
        if status == 429 {
            let retry_after = retry_after.expect("a throttled answer says when to come back");
            assert!((1..=60).contains(&retry_after), "{retry_after}");
            assert!(page.contains("Too many sign-in attempts"), "{page}");
        }
        statuses.push(status);
    }
    assert!(statuses[..30].iter().all(|&s| s == 401), "{statuses:?}");
    assert!(statuses[30..].contains(&429), "{statuses:?}");
}

#[test]
fn an_attackers_wrong_passwords_hold_the_owner_back_seconds_not_minutes() {
    let (_catalog, server) = served_with_admin();
    for _ in 0..5 {
        assert_eq!(
            try_sign_in(&server, "admin@example.org", "a guess by someone else").0,
            401
        );
    }
    let (status, retry_after, _, _) = try_sign_in(&server, "admin@example.org", PASSWORD);
    if status == 429 {
        let wait = retry_after.expect("a throttled answer says when to come back");
        assert!(wait <= 15, "the owner is told to wait {wait} s");
        std::thread::sleep(Duration::from_secs(wait));
        assert_eq!(try_sign_in(&server, "admin@example.org", PASSWORD).0, 303);
    } else {
        assert_eq!(status, 303);
    }
}

#[test]
fn failed_sign_ins_are_written_to_the_audit_log_without_the_password() {
    let (_catalog, server) = served_with_admin();
    assert_eq!(
        try_sign_in(&server, "nobody@example.org", "guessed-password-123").0,
        401
    );
    let admin = sign_in(&server, "admin@example.org");
    let (status, _, log) = get(&admin, &server, "/admin/audit");
    assert_eq!(status, 200);
    let row = log
        .split("<tr>")
        .find(|row| row.contains("failed sign-in"))
        .expect("a row for the failed sign-in");
    assert!(
        row.contains("nobody@example.org") && row.contains("127.0.0.1"),
        "{row}"
    );
    assert!(!log.contains("guessed-password-123"));
}

#[test]
fn a_bulk_upload_stores_every_row_or_none_and_names_the_row_and_field_at_fault() {
    let catalog = Catalog::new();
    catalog.import(&common::seed_dir());
    add_pla_editor(&catalog);
    let server = catalog.serve();
    let provider = sign_in(&server, PROVIDER);
    let csrf = upload_token(&provider, &server);

    let header = "id,title,description,format,audiences,level,start,end,timezone,competencies";
    let row = |n: u32, end: &str| {
        format!(
            "pla-upload-{n},Upload Test Course {n},\"A course from a spreadsheet, number {n}, long enough.\",online_live,librarians;support_staff,introductory,\
             2027-12-0{n}T14:00:00-06:00,{end},America/Chicago,ala-core:5A"
        )
    };
    let bad = format!(
        "{header}\n{}\n{}\n{}\n",
        row(1, "2027-12-01T15:00:00-06:00"),
        row(2, "2027-12-01T15:00:00-06:00"),
        row(3, "2027-12-03T15:00:00-06:00")
    );
    let (status, report) = upload(&provider, &server, &csrf, "courses.csv", &bad);
    assert_eq!(status, 422);
    assert!(
        report.contains(">line 3<") && report.contains("start: must not be after end"),
        "{report}"
    );
    assert!(report.contains("nothing was stored"));
    assert!(
        catalog.run_ok(&["review", "list"]).trim().is_empty(),
        "nothing stored"
    );

    let good = format!(
        "{header}\n{}\n{}\n{}\n",
        row(1, "2027-12-01T15:00:00-06:00"),
        row(2, "2027-12-02T15:00:00-06:00"),
        row(3, "2027-12-03T15:00:00-06:00")
    );
    let (status, report) = upload(&provider, &server, &csrf, "courses.csv", &good);
    assert_eq!(status, 200, "{report}");
    assert!(report.contains("All 3 offerings were submitted"));
    assert_eq!(catalog.run_ok(&["review", "list"]).lines().count(), 3);

    let theirs = serde_json::json!({
        "id": "pla-upload-9", "title": "Someone else's", "description": "Submitted under another provider's name.",
        "provider": "ala-yalsa", "format": "online_self_paced", "audiences": ["librarians"], "level": "advanced"
    });
    let (status, report) = upload(
        &provider,
        &server,
        &csrf,
        "courses.jsonl",
        &format!("{theirs}\n"),
    );
    assert_eq!(status, 422);
    assert!(
        report.contains("provider: must be your own provider, ala-pla"),
        "{report}"
    );
    assert_eq!(
        upload(&provider, &server, "", "courses.csv", &good).0,
        403,
        "no token, no upload"
    );
}

#[test]
fn titles_that_look_like_formulas_are_quoted_in_csv_and_upload_back_exactly() {
    let titles = [
        "=HYPERLINK(\"https://evil.example/\",\"Click for credits\")",
        "@SUM(1+1) budgeting workshop",
        "+ Advanced cataloging",
        "-5 ways to run a book club",
    ];
    let bundle = common::seed_copy();
    let path = bundle.path().join("offerings.json");
    let mut offerings = common::read_json(&path);
    let mut titled = std::collections::HashMap::new();
    for (offering, title) in offerings
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .filter(|o| o["provider"] == "ala-pla")
        .zip(titles)
    {
        offering["title"] = serde_json::Value::from(title);
        titled.insert(offering["id"].as_str().unwrap().to_owned(), title);
    }
    common::write_json(&path, &offerings);
    let catalog = Catalog::new();
    catalog.import(bundle.path());
    add_pla_editor(&catalog);
    let server = catalog.serve();

    let (status, exported) = server.get("/search.csv?provider=ala-pla&include_past=true");
    assert_eq!(status, 200);
    let mut reader = csv::Reader::from_reader(exported.as_bytes());
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader
        .records()
        .map(Result::unwrap)
        .filter(|row| titled.contains_key(&row[0]))
        .collect();
    assert_eq!(rows.len(), titles.len());
    for row in &rows {
        assert_eq!(
            &row[1],
            format!("'{}", titled[&row[0]]),
            "a spreadsheet would run it"
        );
    }

    // The exported rows, uploaded back as they are, submit the titles as they were.
    let mut upload_file = csv::Writer::from_writer(Vec::new());
    upload_file.write_record(&header).unwrap();
    for row in &rows {
        upload_file.write_record(row).unwrap();
    }
    let upload_file = String::from_utf8(upload_file.into_inner().unwrap()).unwrap();
    let provider = sign_in(&server, PROVIDER);
    let csrf = upload_token(&provider, &server);
    let (status, report) = upload(&provider, &server, &csrf, "offerings.csv", &upload_file);
    assert_eq!(status, 200, "{report}");
    assert!(
        report.contains("Nothing is stored yet"),
        "edits wait to be confirmed"
    );
    let (status, report) = confirm_upload(&provider, &server, &csrf, "offerings.csv", &upload_file);
    assert_eq!(status, 200, "{report}");
    let queued = catalog.run_ok(&["review", "list"]);
    let mut submitted: Vec<&str> = queued
        .lines()
        .map(|line| line.rsplit('\t').next().unwrap())
        .collect();
    submitted.sort_unstable();
    let mut expected = titles.to_vec();
    expected.sort_unstable();
    assert_eq!(submitted, expected);
}

#[test]
fn an_organisation_applies_and_can_sign_in_once_approved() {
    let catalog = Catalog::new();
    catalog.import(&common::seed_dir());
    add_user(
        &catalog,
        &["--email", "admin@example.org", "--role", "admin"],
    );
    let server = catalog.serve();
    let visitor = agent();
    // Each wrong answer names its field and keeps the values.
    for (password, website, message) in [
        (
            "short",
            "https://prairie.example.org",
            "password: the password must be at least 12 characters",
        ),
        (
            PASSWORD,
            "ftp://prairie.example.org",
            "website: `ftp://prairie.example.org` must be an http or https address",
        ),
    ] {
        let (_, _, page) = get(&visitor, &server, "/register");
        let csrf = hidden(&page, "csrf");
        let form = [
            ("csrf", csrf.as_str()),
            ("name", "Prairie Library Cooperative"),
            ("kind", "consortium"),
            ("website", website),
            ("country", "US"),
            ("user_email", "training@prairie.example.org"),
            ("password", password),
        ];
        let (status, _, page) = post(&visitor, &server, "/register", &form);
        assert_eq!(status, 422);
        assert!(page.contains(message), "{message}: {page}");
        assert!(
            page.contains("value=\"Prairie Library Cooperative\""),
            "values are kept"
        );
    }
    let (_, _, page) = get(&visitor, &server, "/register");
    let csrf = hidden(&page, "csrf");
    let form = vec![
        ("csrf", csrf.as_str()),
        ("name", "Prairie Library Cooperative"),
        ("kind", "consortium"),
        ("website", "https://prairie.example.org"),
        ("country", "US"),
        ("user_email", "training@prairie.example.org"),
        ("password", PASSWORD),
    ];
    let (status, _, page) = post(&visitor, &server, "/register", &form);
    assert_eq!(status, 200);
    assert!(page.contains("An administrator will review your application"));

    // Until approved, the organisation is not listed and its user cannot sign in.
    assert!(
        !server
            .get("/providers")
            .1
            .contains("Prairie Library Cooperative")
    );
    let (_, _, login) = get(&visitor, &server, "/login");
    let token = hidden(&login, "csrf");
    let attempt = [
        ("email", "training@prairie.example.org"),
        ("password", PASSWORD),
        ("csrf", token.as_str()),
    ];
    assert_eq!(post(&visitor, &server, "/login", &attempt).0, 401);

    let admin = sign_in(&server, "admin@example.org");
    let (_, _, queue) = get(&admin, &server, "/admin");
    assert!(
        queue.contains("Prairie Library Cooperative")
            && queue.contains("training@prairie.example.org")
    );
    let admin_csrf = hidden(&queue, "csrf");
    let decision = [("csrf", admin_csrf.as_str()), ("decision", "approve")];
    assert_eq!(
        post(
            &admin,
            &server,
            "/admin/applications/prairie-library-cooperative",
            &decision
        )
        .0,
        303
    );
    assert!(
        server
            .get("/providers")
            .1
            .contains("Prairie Library Cooperative")
    );
    let provider = sign_in(&server, "training@prairie.example.org");
    assert!(
        get(&provider, &server, "/provider")
            .2
            .contains("Prairie Library Cooperative")
    );
}

/// Sends an application from a fresh visitor: its status and page, with the form's token blanked
/// so two pages can be compared.
fn apply(server: &Server, organisation: &str, email: &str) -> (u16, String) {
    let visitor = agent();
    let (_, _, page) = get(&visitor, server, "/register");
    let csrf = hidden(&page, "csrf");
    let form = [
        ("csrf", csrf.as_str()),
        ("name", organisation),
        ("kind", "consortium"),
        ("country", "US"),
        ("user_email", email),
        ("password", "another long enough password"),
    ];
    let (status, _, page) = post(&visitor, server, "/register", &form);
    match page.contains("name=\"csrf\"") {
        true => (status, page.replace(&hidden(&page, "csrf"), "")),
        false => (status, page),
    }
}

#[test]
fn applying_with_an_address_that_has_an_account_answers_as_for_a_new_one() {
    let (catalog, server) = served_with_admin();
    let fresh = apply(
        &server,
        "Lakeside Library Consortium",
        "training@lakeside.example.org",
    );
    let taken = apply(&server, "Hillside Library Consortium", "admin@example.org");
    assert_eq!(fresh.0, 200, "{}", fresh.1);
    assert!(
        fresh
            .1
            .contains("An administrator will review your application")
    );
    assert_eq!(
        taken, fresh,
        "the same answer whether or not the address has an account"
    );

    // No second account, and the owner's password is still theirs.
    let users = catalog.run_ok(&["user", "list"]);
    assert_eq!(users.matches("admin@example.org").count(), 1, "{users}");
    sign_in(&server, "admin@example.org");
}

#[test]
fn many_applications_from_one_client_are_throttled() {
    let (_catalog, server) = served_with_admin();
    // Ten at once pass, then one a minute.
    let statuses: Vec<u16> = (0..13)
        .map(|n| {
            apply(
                &server,
                &format!("Consortium number {n}"),
                &format!("training{n}@example.org"),
            )
            .0
        })
        .collect();
    assert!(statuses[..10].iter().all(|&s| s == 200), "{statuses:?}");
    assert!(statuses[10..].contains(&429), "{statuses:?}");
}

#[test]
fn two_hundred_forms_sent_at_once_by_twenty_providers_are_each_stored_once() {
    let catalog = Catalog::new();
    catalog.import(&common::seed_dir());
    let providers: Vec<String> = read_provider_ids().into_iter().take(20).collect();
    for provider in &providers {
        add_user(
            &catalog,
            &[
                "--email",
                &format!("editor@{provider}.example.org"),
                "--role",
                "provider",
                "--provider",
                provider,
            ],
        );
    }
    let server = catalog.serve();
    std::thread::scope(|scope| {
        for provider in &providers {
            let server = &server;
            scope.spawn(move || {
                let agent = sign_in(server, &format!("editor@{provider}.example.org"));
                for n in 0..10 {
                    let (_, _, page) = get(&agent, server, "/provider/offerings/new");
                    let (csrf, key) = (hidden(&page, "csrf"), hidden(&page, "idempotency_key"));
                    let title = format!("Concurrent course {n} from {provider}");
                    let mut form = offering_form(
                        &csrf,
                        &key,
                        &title,
                        "Sent at the same time as many others, twice.",
                    );
                    // A different day each: the same provider, day and a similar title would
                    // rightly be shown as a possible duplicate first.
                    let day = format!("2027-10-{:02}", n + 1);
                    form.retain(|(name, _)| !matches!(*name, "url" | "start_date" | "end_date"));
                    form.push(("start_date", &day));
                    form.push(("end_date", &day));
                    // Each form is sent twice at the same moment, as by a double click: at
                    // least one copy is taken (what the other is told is checked by
                    // `both_copies_of_a_double_clicked_form_are_told_it_was_submitted`).
                    let answers = send_twice_at_once(&agent, server, &form);
                    assert!(
                        answers.iter().any(|answer| answer == &submitted()),
                        "{answers:?}"
                    );
                }
            });
        }
    });
    let listed = catalog.run_ok(&["review", "list"]);
    let mut titles: Vec<&str> = listed
        .lines()
        .map(|line| line.rsplit('\t').next().unwrap())
        .collect();
    assert_eq!(titles.len(), 200, "every form stored");
    titles.sort();
    titles.dedup();
    assert_eq!(titles.len(), 200, "none stored twice");
}

fn submitted() -> (u16, String) {
    (303, "/provider?done=submitted".to_owned())
}

/// Sends a form twice at the same moment, as a double click does: each copy's status and
/// `Location`.
fn send_twice_at_once(agent: &Agent, server: &Server, form: &[(&str, &str)]) -> Vec<(u16, String)> {
    let both = std::sync::Barrier::new(2);
    std::thread::scope(|copies| {
        let copies: Vec<_> = (0..2)
            .map(|_| {
                copies.spawn(|| {
                    both.wait();
                    let (status, location, _) =
                        post(agent, server, "/provider/offerings/new", form);
                    (status, location)
                })
            })
            .collect();
        copies.into_iter().map(|c| c.join().unwrap()).collect()
    })
}

#[test]
fn both_copies_of_a_double_clicked_form_are_told_it_was_submitted() {
    let (catalog, server, provider) = signed_in();
    for n in 0..10 {
        let (csrf, key) = fresh_form(&provider, &server, "/provider/offerings/new");
        let title = format!("Double-clicked course number {n}");
        let mut form = offering_form(&csrf, &key, &title, DESCRIPTION);
        let day = format!("2027-10-{:02}", n + 1);
        form.retain(|(name, _)| !matches!(*name, "url" | "start_date" | "end_date"));
        form.push(("start_date", &day));
        form.push(("end_date", &day));
        let answers = send_twice_at_once(&provider, &server, &form);
        assert_eq!(answers, [submitted(), submitted()], "{title}");
    }
    assert_eq!(pending(&catalog).len(), 10, "each stored once");
}

fn read_provider_ids() -> Vec<String> {
    let providers = common::read_json(&common::seed_dir().join("providers.json"));
    providers
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn asking_for_changes_shows_the_provider_the_note_and_a_way_back_to_the_form() {
    let (catalog, server, provider) = signed_in();
    submit(&provider, &server, TITLE);
    let admin = sign_in(&server, ADMIN);
    let (_, admin_csrf) = queue(&admin, &server);
    let id = pending(&catalog).pop().unwrap();
    let note = "Please add the accessibility details of the venue.";
    let (status, location, _) = post(
        &admin,
        &server,
        &format!("/admin/submissions/{id}/return"),
        &[("csrf", &admin_csrf), ("reason", note)],
    );
    assert_eq!((status, location.as_str()), (303, "/admin?done=returned"));

    let (_, _, home) = get(&provider, &server, "/provider");
    assert!(home.contains("<td>Changes requested</td>"), "{home}");
    assert!(home.contains(note));
    assert!(home.contains(&format!(
        "href=\"/provider/offerings/{OFFERING_ID}/edit\">Make the changes"
    )));
    let catalog_rows = home.split("id=\"offerings\"").nth(1).unwrap();
    assert!(
        catalog_rows.contains("<td>Changes requested</td>"),
        "the offering itself says so, not 'Pending review'"
    );
    let (_, _, audit) = get(&admin, &server, "/admin/audit");
    assert!(audit.contains("<td>requested changes</td>"), "{audit}");
    let today = chrono::Utc::now().format("%b %-d, %Y").to_string();
    assert!(
        audit.contains(&format!("<td>{today}, ")),
        "days read as on every page"
    );
}

#[test]
fn an_edit_is_shown_field_by_field_in_words_with_lists_compared_as_sets() {
    let (catalog, server, provider) = published();
    let edit_path = format!("/provider/offerings/{OFFERING_ID}/edit");
    let (csrf, key) = fresh_form(&provider, &server, &edit_path);
    let mut edit = offering_form(&csrf, &key, TITLE, DESCRIPTION);
    // The same audiences in another order, and another level.
    edit.retain(|(name, _)| *name != "audiences" && *name != "level");
    edit.extend([
        ("audiences", "librarians"),
        ("audiences", "support_staff"),
        ("level", "advanced"),
    ]);
    assert_eq!(post(&provider, &server, &edit_path, &edit).0, 303);
    assert_eq!(pending(&catalog).len(), 1);
    let admin = sign_in(&server, ADMIN);
    let (queue, _) = queue(&admin, &server);
    assert!(
        queue.contains("<th scope=\"row\">Level</th><td>Introductory</td><td>Advanced</td>"),
        "{queue}"
    );
    assert!(
        !queue.contains("<th scope=\"row\">Audiences</th>"),
        "reordering is no change"
    );
}

#[test]
fn alike_rows_of_one_upload_are_flagged_and_the_flag_opens_the_other_submission() {
    let (_catalog, server, provider) = signed_in();
    let csrf = upload_token(&provider, &server);
    let header = "id,title,description,format,audiences,level,start,end,competencies";
    let row = |id: &str| {
        format!(
            "{id},Weeding the Picture Books,\"How to weed a picture book collection, step by step.\",\
             online_live,librarians,introductory,2027-11-02,2027-11-02,ala-core:5A"
        )
    };
    let file = format!(
        "{header}\n{}\n{}\n",
        row("pla-weeding-a"),
        row("pla-weeding-b")
    );
    let (status, report) = upload(&provider, &server, &csrf, "twins.csv", &file);
    assert_eq!(status, 200, "{report}");

    let admin = sign_in(&server, ADMIN);
    let (queue, _) = queue(&admin, &server);
    assert!(
        queue.contains("Possible duplicate of: <a href=\"/admin/offerings/pla-weeding-a\">"),
        "the second row names the first: {queue}"
    );
    let (status, _, other) = get(&admin, &server, "/admin/offerings/pla-weeding-a");
    assert_eq!(status, 200, "the pending twin opens, though unpublished");
    assert!(other.contains("Weeding the Picture Books") && other.contains("Approve"));
}

#[test]
fn the_queue_warns_of_a_timed_start_without_a_time_zone() {
    let (_catalog, server, provider) = signed_in();
    let csrf = upload_token(&provider, &server);
    let file = "id,title,description,format,audiences,level,start,competencies\n\
        pla-zoneless,Zoneless Webinar,A webinar on reference interviews for new staff members.,\
        online_live,librarians,introductory,2027-11-02T14:00:00-06:00,ala-core:5A\n";
    let (status, report) = upload(&provider, &server, &csrf, "zoneless.csv", file);
    assert_eq!(status, 200, "{report}");
    let admin = sign_in(&server, ADMIN);
    let (queue, _) = queue(&admin, &server);
    assert!(queue.contains("names no time zone"), "{queue}");
}

#[test]
fn review_list_shows_organisations_waiting_to_join() {
    let (catalog, server) = served_with_admin();
    let (status, page) = apply(
        &server,
        "Lakeside Library Consortium",
        "training@lakeside.example.org",
    );
    assert_eq!(status, 200, "{page}");
    let listed = catalog.run_ok(&["review", "list"]);
    let line = listed
        .lines()
        .find(|line| line.starts_with("application\t"))
        .unwrap_or_else(|| panic!("no application listed: {listed}"));
    assert!(
        line.contains("Lakeside Library Consortium")
            && line.contains("training@lakeside.example.org"),
        "{line}"
    );
    let provider = line.split('\t').nth(1).unwrap();
    catalog.run_ok(&["review", "application", provider, "approve"]);
    assert!(
        !catalog
            .run_ok(&["review", "list"])
            .contains("application\t")
    );
}

#[test]
fn withdrawing_asks_first_and_can_be_undone_for_a_day() {
    let (catalog, server, provider) = published();
    let path = format!("/provider/offerings/{OFFERING_ID}/withdraw");
    let undo = format!("/provider/offerings/{OFFERING_ID}/undo-withdrawal");
    let (_, _, home) = get(&provider, &server, "/provider");
    assert!(
        home.contains(&format!("<a href=\"{path}\">Withdraw")),
        "withdrawing starts with a page that asks"
    );
    let (status, _, confirm) = get(&provider, &server, &path);
    assert_eq!(status, 200);
    assert!(confirm.contains(TITLE) && confirm.contains("you can undo this"));
    assert_eq!(server.total(TITLE_QUERY), 1, "asking withdraws nothing");

    let csrf = hidden(&confirm, "csrf");
    assert_eq!(post(&provider, &server, &path, &[("csrf", &csrf)]).0, 303);
    within_a_second("the withdrawn offering leaving search", || {
        server.total(TITLE_QUERY) == 0
    });
    let (_, _, home) = get(&provider, &server, "/provider");
    assert!(home.contains(&format!("action=\"{undo}\"")), "{home}");
    let (status, location, _) = post(&provider, &server, &undo, &[("csrf", &csrf)]);
    assert_eq!(
        (status, location.as_str()),
        (303, "/provider?done=restored")
    );
    within_a_second("the offering back in search", || {
        server.total(TITLE_QUERY) == 1
    });

    // Withdrawn again, and two days pass: too late to undo.
    assert_eq!(post(&provider, &server, &path, &[("csrf", &csrf)]).0, 303);
    rusqlite::Connection::open(catalog.db())
        .unwrap()
        .execute(
            "UPDATE offerings SET updated_at = '2020-01-01T00:00:00Z' WHERE id = ?1",
            [OFFERING_ID],
        )
        .unwrap();
    let (status, _, page) = post(&provider, &server, &undo, &[("csrf", &csrf)]);
    assert_eq!(status, 409, "{page}");
    assert!(page.contains("submit it again"));
    let (_, _, home) = get(&provider, &server, "/provider");
    assert!(!home.contains(&format!("action=\"{undo}\"")));
}

/// The provider home's form token.
fn home_token(provider: &Agent, server: &Server) -> String {
    let (_, _, home) = get(provider, server, "/provider");
    hidden(&home, "csrf")
}

/// The upload page's form token, for a provider signed in.
fn upload_token(provider: &Agent, server: &Server) -> String {
    let (_, _, page) = get(provider, server, "/provider/upload");
    hidden(&page, "csrf")
}

#[test]
fn the_upload_template_shows_each_column_by_example_and_is_refused_as_it_is() {
    let (catalog, server, provider) = signed_in();
    let (status, _, template) = get(&provider, &server, "/provider/upload/template.csv");
    assert_eq!(status, 200);
    let mut lines = template.lines();
    assert_eq!(
        lines.next().unwrap(),
        clearinghouse::formats::table::COLUMNS.join(",")
    );
    let example = lines.next().expect("an example row");
    assert!(example.contains("America/Chicago") && example.contains("contact_hours"));
    let csrf = upload_token(&provider, &server);
    let (status, report) = upload(&provider, &server, &csrf, "template.csv", &template);
    assert_eq!(status, 422, "{report}");
    assert!(
        report.contains("line 2") && report.contains("example row"),
        "{report}"
    );
    // The example is otherwise a valid offering: with its id changed it is accepted.
    let own = template.replace("example-row-replace-or-delete", "pla-weeding-picture-books");
    let (status, report) = upload(&provider, &server, &csrf, "mine.csv", &own);
    assert_eq!(status, 200, "{report}");
    assert_eq!(pending(&catalog).len(), 1);
}

#[test]
fn an_upload_reads_labels_as_codes_makes_ids_from_titles_and_names_each_bad_line() {
    let (catalog, server, provider) = signed_in();
    let csrf = upload_token(&provider, &server);
    let header = "title,description,format,audiences,level,start,competencies";
    let good = format!(
        "{header}\nReaders' Advisory Basics,\"Matching readers with books they will enjoy, step by step.\",\
         \"Online, live\",Trustees;support staff,Introductory,2027-11-02,ala-core:5A\n\
         Readers' Advisory Basics,\"The same course on another day, for the evening shift.\",\
         online_live,librarians,introductory,2027-11-09,ala-core:5A\n"
    );
    let (status, report) = upload(&provider, &server, &csrf, "labels.csv", &good);
    assert_eq!(status, 200, "{report}");
    let stored = clearinghouse::store::Store::open(&catalog.db()).unwrap();
    let first = stored
        .offering("readers-advisory-basics")
        .unwrap()
        .expect("an id from the title");
    assert_eq!(first.offering.format.as_str(), "online_live");
    assert_eq!(first.offering.audiences.len(), 2);
    assert!(
        stored
            .offering("readers-advisory-basics-2")
            .unwrap()
            .is_some(),
        "ids unique in the file"
    );

    let bad = format!(
        "{header}\nOne,\"A description that is long enough to pass.\",webinar,librarians,introductory,2027-11-02,ala-core:5A\n\
         Two,\"A description that is long enough to pass.\",online_live,librarians,introductory,2027-11-02,ala-core:5A\n\
         Three,\"A description that is long enough to pass.\",online_live,patrons,introductory,2027-11-02,ala-core:5A\n"
    );
    let (status, report) = upload(&provider, &server, &csrf, "bad.csv", &bad);
    assert_eq!(status, 422, "{report}");
    assert!(report.contains("2 rows could not be read"), "{report}");
    assert!(
        report.contains(">line 2<") && report.contains(">line 4<"),
        "{report}"
    );
    assert!(!report.contains(">line 3<"), "{report}");
    assert!(
        report.contains("in_person"),
        "the accepted values are named: {report}"
    );
}

#[test]
fn the_same_file_uploaded_twice_is_stored_once() {
    let (catalog, server, provider) = signed_in();
    let csrf = upload_token(&provider, &server);
    let file = "id,title,description,format,audiences,level,start,competencies\n\
        pla-twice,Twice Sent,A course whose file was sent twice by mistake.,online_live,librarians,introductory,2027-11-02,ala-core:5A\n";
    assert_eq!(upload(&provider, &server, &csrf, "a.csv", file).0, 200);
    let (status, report) = upload(&provider, &server, &csrf, "a.csv", file);
    assert_eq!(status, 200, "{report}");
    assert!(
        report.contains("This file was uploaded already"),
        "{report}"
    );
    assert_eq!(pending(&catalog).len(), 1);
}

#[test]
fn an_upload_that_changes_a_published_offering_shows_the_change_and_waits_for_confirmation() {
    let (catalog, server, provider) = published();
    let csrf = upload_token(&provider, &server);
    let file = format!(
        "id,title,description,format,audiences,level,start,competencies\n\
         {OFFERING_ID},{TITLE},\"{DESCRIPTION}\",online_live,librarians;support_staff,advanced,2027-10-05,lssc:FLS.3\n"
    );
    let (status, report) = upload(&provider, &server, &csrf, "edit.csv", &file);
    assert_eq!(status, 200, "{report}");
    assert!(report.contains("Nothing is stored yet"), "{report}");
    assert!(
        report.contains("<th scope=\"row\">Level</th><td>Introductory</td><td>Advanced</td>"),
        "{report}"
    );
    assert!(
        pending(&catalog).is_empty(),
        "nothing stored before confirming"
    );
    let (status, report) = confirm_upload(&provider, &server, &csrf, "edit.csv", &file);
    assert_eq!(status, 200, "{report}");
    assert_eq!(pending(&catalog).len(), 1);
}
