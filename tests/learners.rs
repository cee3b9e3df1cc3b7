//! Learners (#16), over real HTTP against the real binary and a real SQLite file: joining, the
//! record (plan, completions with proofs, CE entered by hand, totals, transcript, CSV, the
//! plan's calendar feed), the LSSC pathway from 0 to 6 of 6 sets with its plan, privacy on
//! every `/me` route, deleting an account down to its last row, series pages and the
//! prerequisite path, and the learners' count shown only from five.

mod common;

use common::web::{
    PASSWORD, Part, add_pla_editor, agent, get, hidden, multipart, post, sign_in, sign_in_to,
};
use common::{Catalog, Server};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use ureq::Agent;

/// Approved for LSSC: Foundations (required), Communication (required), Technology (required);
/// electives: readers' advisory, cataloging, reference, collection management.
const FLS: &str = "webjunction-customer-service-foundations-self-paced";
const COM: &str = "unt-coi-de-escalation-difficult-patrons-houston-2027";
const TEC: &str = "webjunction-helping-patrons-with-everyday-technology";
const ARA: &str = "cla-readers-advisory-genre-fiction";
const CAT: &str = "ia-sl-cataloging-basics-for-small-libraries";
const RIS: &str = "rusa-reference-interview-core-skills";
const CM: &str = "sjsu-ischool-crew-weeding-self-paced";
/// A dated offering (2027-04-08) and the three parts of a series with prerequisites.
const DATED: &str = "pla-de-escalation-public-service-desk-las-vegas";
const ADMIN: &str = "admin@example.org";
const SERIES: &str = "amigos-lssc-cataloging-essentials-2027";
const PART_1: &str = "amigos-cataloging-essentials-1-marc-copy-cataloging";
const PART_2: &str = "amigos-cataloging-essentials-2-rda-description";
const PART_3: &str = "amigos-cataloging-essentials-3-subjects-classification";

fn site() -> (Catalog, Server) {
    let catalog = common::seeded_catalog();
    add_pla_editor(&catalog);
    let server = catalog.serve();
    (catalog, server)
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Sends the `/join` form as a new visitor: status and page.
fn send_join(server: &Server, email: &str, password: &str) -> (u16, String) {
    let visitor = agent();
    let (_, _, page) = get(&visitor, server, "/join");
    let csrf = hidden(&page, "csrf");
    let (status, _, page) = post(
        &visitor,
        server,
        "/join",
        &[("email", email), ("password", password), ("csrf", &csrf)],
    );
    (status, page)
}

/// Joins as `email` through `/join`, then signs in through `/login`: an agent on `/me`.
fn join(server: &Server, email: &str) -> Agent {
    let (status, page) = send_join(server, email, PASSWORD);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Your account is ready"), "{page}");
    let (learner, location) = sign_in_to(server, email);
    assert_eq!(location, "/me", "signing in {email}");
    learner
}

/// The CSRF token of the learner's session, from `/me`.
fn csrf_of(learner: &Agent, server: &Server) -> String {
    let (status, _, page) = get(learner, server, "/me");
    assert_eq!(status, 200, "{page}");
    hidden(&page, "csrf")
}

/// Marks a catalog offering complete on `day`, with an optional proof.
fn complete(
    learner: &Agent,
    server: &Server,
    offering: &str,
    day: &str,
    proof: Option<&[u8]>,
) -> (u16, String, String) {
    let csrf = csrf_of(learner, server);
    let mut parts = vec![
        Part::Field("csrf", &csrf),
        Part::Field("offering", offering),
        Part::Field("completed_on", day),
    ];
    if let Some(bytes) = proof {
        parts.push(Part::File("proof", "certificate.pdf", bytes));
    }
    multipart(learner, server, "/me/completions", &parts)
}

fn completed(learner: &Agent, server: &Server, offering: &str, day: &str) {
    let (status, location, body) = complete(learner, server, offering, day, None);
    assert_eq!(
        (status, location.as_str()),
        (303, "/me?done=completed"),
        "{body}"
    );
}

fn save(learner: &Agent, server: &Server, offering: &str) {
    let (status, _, page) = get(learner, server, &format!("/me/plan/add/{offering}"));
    assert_eq!(status, 200, "{page}");
    let csrf = hidden(&page, "csrf");
    let (status, location, _) = post(
        learner,
        server,
        "/me/plan",
        &[("csrf", &csrf), ("offering", offering)],
    );
    assert_eq!((status, location.as_str()), (303, "/me?done=saved"));
}

/// The value of `attribute` in the first tag after `marker`.
fn attribute_after(page: &str, marker: &str, attribute: &str) -> String {
    let at = page
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in the page"));
    let start = page[..at].rfind('<').unwrap();
    common::web::attribute(&page[start..at + page[at..].find('>').unwrap()], attribute)
        .unwrap_or_else(|| panic!("no {attribute} at {marker}"))
}

/// (met, needed) as the pathway page says.
fn progress(learner: &Agent, server: &Server) -> (usize, usize, String) {
    let (status, _, page) = get(learner, server, "/me/pathways/lssc");
    assert_eq!(status, 200, "{page}");
    let met = attribute_after(&page, "id=\"progress\"", "data-met")
        .parse()
        .unwrap();
    let needed = attribute_after(&page, "id=\"progress\"", "data-needed")
        .parse()
        .unwrap();
    (met, needed, page)
}

/// The status of a requirement's row (`met`, `open`, `not-needed`).
fn status_of(page: &str, code: &str) -> String {
    attribute_after(page, &format!("id=\"req-lssc-{code}\""), "data-status")
}

/// The inside of the element that starts at `marker`, up to `end`.
fn section<'a>(page: &'a str, marker: &str, end: &str) -> &'a str {
    let Some(at) = page.find(marker) else {
        return "";
    };
    &page[at..at + page[at..].find(end).unwrap()]
}

/// Every `data-offering` in a part of a page, in order, with the tag it is in.
fn tagged(part: &str) -> Vec<(String, String)> {
    part.match_indices("data-offering=\"")
        .map(|(at, _)| {
            let start = part[..at].rfind('<').unwrap();
            let tag = &part[start..at + part[at..].find('>').unwrap()];
            (
                common::web::attribute(tag, "data-offering").unwrap(),
                tag.to_owned(),
            )
        })
        .collect()
}

/// The seed's LSSC approvals: requirement code → approved offering ids.
fn approvals() -> HashMap<String, Vec<String>> {
    approvals_of("lssc")
}

/// A certification's approvals in the seed: requirement code → approved offering ids.
fn approvals_of(certification: &str) -> HashMap<String, Vec<String>> {
    let certifications = common::read_json(&common::seed_dir().join("certifications.json"));
    let lssc = certifications["certifications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == certification)
        .unwrap()
        .clone();
    lssc["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let code = r["competency"]
                .as_str()
                .unwrap()
                .split_once(':')
                .unwrap()
                .1
                .to_owned();
            let ids = r["approved_offerings"]
                .as_array()
                .map(|a| a.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
                .unwrap_or_default();
            (code, ids)
        })
        .collect()
}

/// The seed's offerings by id.
fn seed_offerings() -> HashMap<String, Value> {
    let offerings = common::read_json(&common::seed_dir().join("offerings.json"));
    offerings
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["id"].as_str().unwrap().to_owned(), o.clone()))
        .collect()
}

/// The plan that fits must list only approved upcoming offerings (or prerequisites of one),
/// prerequisites before what needs them, dated ones never overlapping, in date order; and each
/// open requirement's upcoming list only offerings approved for it that can still be taken.
fn assert_feasible_plan(page: &str) {
    assert_feasible_plan_of("lssc", page)
}

fn assert_feasible_plan_of(certification: &str, page: &str) {
    let approvals = approvals_of(certification);
    let approved: HashSet<&String> = approvals.values().flatten().collect();
    let offerings = seed_offerings();
    let today = today().to_string();
    let plan = tagged(section(page, "<ol id=\"plan\">", "</ol>"));
    // Approved offerings and their prerequisites, and theirs.
    let mut allowed: HashSet<String> = approved.iter().map(|a| a.to_string()).collect();
    let mut wanted: Vec<String> = allowed.iter().cloned().collect();
    while let Some(id) = wanted.pop() {
        for p in offerings[id.as_str()]["prerequisites"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if allowed.insert(p.as_str().unwrap().to_owned()) {
                wanted.push(p.as_str().unwrap().to_owned());
            }
        }
    }
    let mut seen: Vec<(String, String, String, bool)> = Vec::new();
    for (id, tag) in &plan {
        let from = common::web::attribute(tag, "data-from").unwrap();
        let to = common::web::attribute(tag, "data-to").unwrap();
        let self_paced = common::web::attribute(tag, "data-self-paced").unwrap() == "true";
        assert!(from >= today, "{id} starts {from}, before today");
        assert!(
            allowed.contains(id),
            "{id} is neither approved nor a prerequisite of one"
        );
        for prerequisite in offerings[id.as_str()]["prerequisites"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let prerequisite = prerequisite.as_str().unwrap();
            // (These tests' learners never complete a prerequisite of what is planned, so each
            // must be planned first.)
            let before = seen.iter().find(|s| s.0 == prerequisite);
            let (_, _, before_to, _) = before.unwrap_or_else(|| {
                panic!("{id} is planned without its prerequisite {prerequisite}")
            });
            assert!(*before_to < from, "{prerequisite} does not end before {id}");
        }
        if let Some(last) = seen.last() {
            assert!(last.1 <= from, "the plan is not in date order at {id}");
        }
        if !self_paced {
            for other in seen.iter().filter(|s| !s.3) {
                assert!(other.2 < from || to < other.1, "{id} overlaps {}", other.0);
            }
        }
        seen.push((id.clone(), from, to, self_paced));
    }
    for (code, ids) in &approvals {
        let marker = format!("id=\"req-{certification}-{code}\"");
        let row = section(page, &marker, "</tr>");
        if attribute_after(page, &marker, "data-status") == "met" {
            continue;
        }
        for (id, _) in tagged(row) {
            assert!(
                ids.contains(&id),
                "{id} is listed for {code} but not approved for it"
            );
            let offering = &offerings[id.as_str()];
            let self_paced = offering["format"] == "online_self_paced";
            let start = offering["start"].as_str().unwrap_or("");
            assert!(
                self_paced || start[..10] >= *today,
                "{id} is past but listed as upcoming"
            );
        }
    }
}

#[test]
fn a_learner_joins_saves_completes_and_the_lssc_pathway_goes_from_0_to_6_of_6() {
    let (_catalog, server) = site();
    let learner = join(&server, "learner@library.example.org");
    let today = today().to_string();

    let (met, needed, page) = progress(&learner, &server);
    assert_eq!((met, needed), (0, 6));
    assert!(
        !tagged(section(&page, "<ol id=\"plan\">", "</ol>")).is_empty(),
        "a plan is offered"
    );
    assert_feasible_plan(&page);
    assert!(
        page.contains("id=\"finish\""),
        "the plan says when it would be complete"
    );

    // Saved to the plan, shown on /me; completing takes it off the plan.
    save(&learner, &server, FLS);
    let (_, _, me) = get(&learner, &server, "/me");
    assert!(section(&me, "id=\"plan\"", "</ul>").contains(FLS), "{me}");
    completed(&learner, &server, FLS, &today);
    let (_, _, me) = get(&learner, &server, "/me");
    assert!(!section(&me, "id=\"plan\"", "</ul>").contains(FLS));
    assert!(section(&me, "id=\"completions\"", "</table>").contains(FLS));

    let (met, _, page) = progress(&learner, &server);
    assert_eq!(met, 1);
    assert_eq!(status_of(&page, "FLS"), "met");
    assert_eq!(attribute_after(&page, "data-met-by", "data-met-by"), FLS);
    assert_feasible_plan(&page);

    for (offering, expected) in [(COM, 2), (TEC, 3), (ARA, 4), (CAT, 5)] {
        completed(&learner, &server, offering, &today);
        let (met, _, page) = progress(&learner, &server);
        assert_eq!(met, expected, "after {offering}");
        assert_feasible_plan(&page);
    }
    // With five met, one elective is still open, and the plan proposes one elective only.
    let (_, _, page) = progress(&learner, &server);
    let plan = tagged(section(&page, "<ol id=\"plan\">", "</ol>"));
    let meets = plan.iter().filter(|(id, _)| {
        approvals()
            .iter()
            .any(|(code, ids)| !["FLS", "COM", "TEC"].contains(&code.as_str()) && ids.contains(id))
    });
    assert_eq!(
        meets.count(),
        1,
        "one more elective is needed, not more: {plan:?}"
    );

    completed(&learner, &server, RIS, &today);
    let (met, needed, page) = progress(&learner, &server);
    assert_eq!((met, needed), (6, 6));
    assert!(page.contains("every requirement is met"));
    assert!(!page.contains("<ol id=\"plan\">"), "nothing more to plan");
    // The other electives are not needed any more.
    assert_eq!(status_of(&page, "YS"), "not-needed");

    // A fourth elective is recorded and shown, but six of six stays six of six.
    completed(&learner, &server, CM, &today);
    let (met, needed, page) = progress(&learner, &server);
    assert_eq!((met, needed), (6, 6));
    assert_eq!(status_of(&page, "CM"), "met");
}

/// CPLA from nothing: its plan needs prerequisites (the buildings intensive needs the budget
/// course, the director pathway's personnel part its first two parts) whose dates overlap one
/// another, so a plan that fits must choose around them.
#[test]
fn the_cpla_plan_takes_prerequisites_first_and_never_overlaps() {
    let (_catalog, server) = site();
    let learner = join(&server, "director@library.example.org");
    let (status, _, page) = get(&learner, &server, "/me/pathways/cpla");
    assert_eq!(status, 200);
    assert_eq!(
        attribute_after(&page, "id=\"progress\"", "data-needed"),
        "7"
    );
    let plan = tagged(section(&page, "<ol id=\"plan\">", "</ol>"));
    assert!(plan.len() >= 7, "{plan:?}");
    assert_feasible_plan_of("cpla", &page);
    assert!(!page.contains("Not plannable now"), "{page}");
}

#[test]
fn completions_older_than_the_time_limit_do_not_count_and_set_no_deadline() {
    let (_catalog, server) = site();
    let learner = join(&server, "returning@library.example.org");
    let long_ago = (today() - chrono::Duration::days(5 * 366)).to_string();
    completed(&learner, &server, FLS, &long_ago);
    let (met, _, page) = progress(&learner, &server);
    assert_eq!(met, 0, "five years ago is beyond LSSC's four");
    assert!(page.contains("No longer counted"), "{page}");
    assert_eq!(status_of(&page, "FLS"), "open");
    assert!(!page.contains("id=\"deadline\""));

    // One that counts starts the clock: everything by four years from it.
    let recent = (today() - chrono::Duration::days(30)).to_string();
    completed(&learner, &server, COM, &recent);
    let (met, _, page) = progress(&learner, &server);
    assert_eq!(met, 1);
    let deadline = section(&page, "id=\"deadline\">", "</span>")
        .trim_start_matches("id=\"deadline\">")
        .to_owned();
    let expected = (today() - chrono::Duration::days(30))
        .checked_add_months(chrono::Months::new(48))
        .unwrap()
        .to_string();
    assert_eq!(deadline, expected);
    for (_, tag) in tagged(section(&page, "<ol id=\"plan\">", "</ol>")) {
        let to = common::web::attribute(&tag, "data-to").unwrap();
        assert!(to <= deadline, "{tag} ends after the deadline");
    }
}

/// A minimal PDF: what matters is its first bytes.
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

#[test]
fn every_me_route_refuses_other_learners_providers_and_anonymous_visitors() {
    let catalog = common::seeded_catalog();
    add_pla_editor(&catalog);
    common::web::add_user(&catalog, &["--email", ADMIN, "--role", "admin"]);
    let server = catalog.serve();
    let owner = join(&server, "owner@library.example.org");
    let secret_title = "Owner private workshop on zines";
    save(&owner, &server, DATED);
    let (status, _, body) = complete(&owner, &server, FLS, &today().to_string(), Some(PDF));
    assert_eq!(status, 303, "{body}");
    let csrf = csrf_of(&owner, &server);
    let (status, _, body) = multipart(
        &owner,
        &server,
        "/me/completions",
        &[
            Part::Field("csrf", &csrf),
            Part::Field("title", secret_title),
            Part::Field("provider", "A zine collective"),
            Part::Field("completed_on", "2026-01-15"),
        ],
    );
    assert_eq!(status, 303, "{body}");
    let (_, _, me) = get(&owner, &server, "/me");
    let completion = attribute_after(&me, "data-completion=", "data-completion");
    let calendar =
        common::web::unescape(&attribute_after(&me, "href=\"/me/plan.ics?token=", "href"));

    let other = join(&server, "other@library.example.org");
    let provider = sign_in(&server, common::web::PLA_EDITOR);
    let admin = sign_in(&server, ADMIN);
    let anonymous = agent();
    let other_csrf = csrf_of(&other, &server);
    let (_, _, provider_page) = get(&provider, &server, "/provider");
    let provider_csrf = hidden(&provider_page, "csrf");

    let proof = format!("/me/completions/{completion}/proof");
    let delete_one = format!("/me/completions/{completion}/delete");
    let reads = [
        "/me",
        "/me/transcript",
        "/me/transcript.csv",
        "/me/pathways/lssc",
        "/me/delete",
        &format!("/me/plan/add/{DATED}"),
        &proof,
    ];
    for path in reads {
        let (status, location, _) = get(&anonymous, &server, path);
        assert_eq!(
            (status, location.as_str()),
            (303, "/login"),
            "anonymous {path}"
        );
        let (status, _, _) = get(&provider, &server, path);
        assert_eq!(status, 403, "provider {path}");
        let (status, _, _) = get(&admin, &server, path);
        assert_eq!(status, 403, "administrator {path}");
        let (status, _, body) = get(&other, &server, path);
        assert!(
            !body.contains(secret_title) && !body.contains(FLS)
                || path.starts_with("/me/pathways")
                || path.starts_with("/me/plan/add"),
            "another learner sees the owner's record at {path}"
        );
        if path == proof {
            assert_eq!(status, 404, "another learner's proof");
        }
    }
    // The pathway page of another learner shows their own progress, not the owner's.
    let (_, _, page) = get(&other, &server, "/me/pathways/lssc");
    assert_eq!(attribute_after(&page, "id=\"progress\"", "data-met"), "0");

    let writes: [(&str, Vec<(&str, &str)>); 3] = [
        ("/me/plan", vec![("offering", DATED), ("remove", "yes")]),
        (&delete_one, vec![]),
        ("/me/delete", vec![("confirm", "yes")]),
    ];
    for (path, fields) in &writes {
        let mut with = fields.clone();
        with.push(("csrf", &provider_csrf));
        let (status, _, _) = post(&provider, &server, path, &with);
        assert_eq!(status, 403, "provider POST {path}");
        let (status, location, _) = post(&anonymous, &server, path, fields);
        assert_eq!(
            (status, location.as_str()),
            (303, "/login"),
            "anonymous POST {path}"
        );
        let mut with = fields.clone();
        with.push(("csrf", &other_csrf));
        let (status, _, _) = post(&other, &server, path, &with);
        if *path == delete_one {
            assert_eq!(
                status, 404,
                "another learner deletes the owner's completion"
            );
        } else if *path == "/me/delete" {
            assert_eq!(status, 303, "the other learner deletes their own account");
        }
    }
    // The completion form: a provider is refused, an anonymous visitor sent to sign in.
    for (who, expected) in [(&provider, 403), (&anonymous, 303)] {
        let (status, _, _) = multipart(
            who,
            &server,
            "/me/completions",
            &[
                Part::Field("csrf", &provider_csrf),
                Part::Field("offering", FLS),
                Part::Field("completed_on", "2026-01-01"),
            ],
        );
        assert_eq!(status, expected);
    }
    // The owner's record is intact: plan, both completions, the proof.
    let (_, _, me) = get(&owner, &server, "/me");
    assert!(
        section(&me, "id=\"plan\"", "</ul>").contains(DATED),
        "the plan was changed by others"
    );
    assert!(me.contains(secret_title));
    let (status, _, _) = get(&owner, &server, &proof);
    assert_eq!(status, 200);

    // The calendar feed: only its token opens it; the token shows that learner's plan alone.
    let (status, _, feed) = get(&anonymous, &server, &calendar);
    assert_eq!(status, 200);
    assert!(feed.contains(DATED));
    for wrong in [
        "/me/plan.ics",
        "/me/plan.ics?token=00",
        &format!("/me/plan.ics?token={}", "a".repeat(64)),
    ] {
        let (status, _, _) = get(&owner, &server, wrong);
        assert_eq!(status, 404, "{wrong}");
    }
    // Providers never see who planned their offerings.
    let (_, _, provider_home) = get(&provider, &server, "/provider");
    assert!(!provider_home.contains("owner@library.example.org"));
    drop(catalog);
}

/// Every table with a `user_id` column, and how many of its rows belong to `user`.
fn rows_of(db: &std::path::Path, user: i64) -> Vec<(String, i64)> {
    let connection = rusqlite::Connection::open(db).unwrap();
    let tables: Vec<String> = connection
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut counts = Vec::new();
    for table in tables {
        let has_user: bool = connection
            .query_row(
                &format!(
                    "SELECT count(*) > 0 FROM pragma_table_info('{table}') WHERE name = 'user_id'"
                ),
                [],
                |row| row.get(0),
            )
            .unwrap();
        if has_user {
            let count: i64 = connection
                .query_row(
                    &format!("SELECT count(*) FROM {table} WHERE user_id = ?1"),
                    [user],
                    |row| row.get(0),
                )
                .unwrap();
            counts.push((table, count));
        }
    }
    counts
}

fn user_id(db: &std::path::Path, email: &str) -> Option<i64> {
    let connection = rusqlite::Connection::open(db).unwrap();
    connection
        .query_row("SELECT id FROM users WHERE email = ?1", [email], |row| {
            row.get(0)
        })
        .ok()
}

#[test]
fn deleting_the_account_removes_every_row_that_was_mine() {
    let (catalog, server) = site();
    let email = "leaving@library.example.org";
    let leaving = join(&server, email);
    let staying = join(&server, "staying@library.example.org");
    for learner in [&leaving, &staying] {
        save(learner, &server, DATED);
        let (status, _, body) = complete(learner, &server, FLS, "2026-02-01", Some(PDF));
        assert_eq!(status, 303, "{body}");
    }
    let mine = user_id(&catalog.db(), email).unwrap();
    let theirs = user_id(&catalog.db(), "staying@library.example.org").unwrap();
    let before = rows_of(&catalog.db(), mine);
    for table in [
        "learner_plans",
        "learner_completions",
        "learner_proofs",
        "learner_calendar_tokens",
        "sessions",
    ] {
        assert!(
            before.iter().any(|(t, n)| t == table && *n > 0),
            "{table} should hold a row of the learner before: {before:?}"
        );
    }

    let (status, _, page) = get(&leaving, &server, "/me/delete");
    assert_eq!(status, 200);
    let csrf = hidden(&page, "csrf");
    let (status, location, _) = post(
        &leaving,
        &server,
        "/me/delete",
        &[("csrf", &csrf), ("confirm", "yes")],
    );
    assert_eq!((status, location.as_str()), (303, "/"));

    let after = rows_of(&catalog.db(), mine);
    assert!(
        after.iter().all(|(_, n)| *n == 0),
        "rows left behind: {after:?}"
    );
    assert_eq!(user_id(&catalog.db(), email), None, "the account is gone");
    let connection = rusqlite::Connection::open(catalog.db()).unwrap();
    let audit: i64 = connection
        .query_row(
            "SELECT count(*) FROM audit_log WHERE actor = ?1 OR subject = ?1 OR detail = ?1",
            [email],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(audit, 0, "the audit log still names the learner");
    // The other learner keeps everything.
    let kept = rows_of(&catalog.db(), theirs);
    assert!(kept.iter().filter(|(_, n)| *n > 0).count() >= 4, "{kept:?}");
    // The old session opens nothing.
    let (status, location, _) = get(&leaving, &server, "/me");
    assert_eq!((status, location.as_str()), (303, "/login"));
}

#[test]
fn bad_input_is_a_4xx_naming_the_field_and_a_pdf_proof_comes_back_whole() {
    let (catalog, server) = site();
    let learner = join(&server, "careful@library.example.org");
    let today = today().to_string();
    let tomorrow = (chrono::Utc::now().date_naive() + chrono::Duration::days(1)).to_string();

    let gif: &[u8] = b"GIF89a\x01\x00\x01\x00";
    let (status, _, body) = complete(&learner, &server, FLS, &today, Some(gif));
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("proof"), "{body}");

    let big = [PDF, &vec![b'x'; 5 * 1024 * 1024 + 1][..]].concat();
    let (status, _, body) = complete(&learner, &server, FLS, &today, Some(&big));
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("proof"), "{body}");

    let (status, _, body) = complete(&learner, &server, FLS, &tomorrow, None);
    assert_eq!(status, 422);
    assert!(body.contains("completed_on"), "{body}");
    let (status, _, body) = complete(&learner, &server, FLS, "last tuesday", None);
    assert_eq!(status, 422);
    assert!(body.contains("completed_on"), "{body}");
    let (status, _, body) = complete(&learner, &server, "no-such-offering", &today, None);
    assert_eq!(status, 422);
    assert!(body.contains("offering"), "{body}");
    // An offering still in review is not public: it cannot be recorded (which would show its
    // title), as if it did not exist.
    rusqlite::Connection::open(catalog.db())
        .unwrap()
        .execute(
            "UPDATE offerings SET status = 'pending' WHERE id = ?1",
            [CM],
        )
        .unwrap();
    let (status, _, body) = complete(&learner, &server, CM, &today, None);
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains("offering") && !body.contains("Weeding"),
        "{body}"
    );

    let csrf = csrf_of(&learner, &server);
    let (status, _, body) = multipart(
        &learner,
        &server,
        "/me/completions",
        &[
            Part::Field("csrf", &csrf),
            Part::Field("title", ""),
            Part::Field("provider", "Someone"),
            Part::Field("completed_on", &today),
            Part::Field("credits_amount", "lots"),
            Part::Field("credits_unit", "ceu"),
            Part::Field("competencies", "lssc:NOPE"),
        ],
    );
    assert_eq!(status, 422);
    for field in ["title", "credits_amount"] {
        assert!(body.contains(field), "{field}: {body}");
    }
    let (status, _, body) = multipart(
        &learner,
        &server,
        "/me/completions",
        &[
            Part::Field("csrf", &csrf),
            Part::Field("title", "A real course"),
            Part::Field("provider", "Someone"),
            Part::Field("completed_on", &today),
            Part::Field("competencies", "lssc:NOPE"),
        ],
    );
    assert_eq!(status, 422);
    assert!(body.contains("competencies"), "{body}");
    // Without the session's token nothing happens.
    let (status, _, _) = multipart(
        &learner,
        &server,
        "/me/completions",
        &[
            Part::Field("csrf", "forged"),
            Part::Field("offering", FLS),
            Part::Field("completed_on", &today),
        ],
    );
    assert_eq!(status, 403);
    let (_, _, me) = get(&learner, &server, "/me");
    assert!(
        !me.contains("data-completion="),
        "nothing was recorded by bad forms"
    );

    // Joining: each field named.
    let (status, page) = send_join(&server, "someone@library.example.org", "short");
    assert_eq!(status, 422);
    assert!(page.contains("password:"), "{page}");
    let (status, page) = send_join(&server, "not an address", PASSWORD);
    assert_eq!(status, 422);
    assert!(page.contains("email:"), "{page}");

    // A good PDF is kept and given back byte for byte, to its owner.
    let (status, _, body) = complete(&learner, &server, FLS, &today, Some(PDF));
    assert_eq!(status, 303, "{body}");
    let (_, _, me) = get(&learner, &server, "/me");
    let completion = attribute_after(&me, "data-completion=", "data-completion");
    let mut response = learner
        .get(&server.url(&format!("/me/completions/{completion}/proof")))
        .call()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers().get("content-type").unwrap(),
        "application/pdf"
    );
    let bytes = response.body_mut().read_to_vec().unwrap();
    assert_eq!(bytes, PDF);
}

#[test]
fn ce_entered_by_hand_counts_in_the_totals_transcript_and_csv_escaped() {
    let (_catalog, server) = site();
    let learner = join(&server, "counting@library.example.org");
    let csrf = csrf_of(&learner, &server);
    let title = "<script>alert(1)</script> Zines & <b>bold</b>";
    let (status, _, body) = multipart(
        &learner,
        &server,
        "/me/completions",
        &[
            Part::Field("csrf", &csrf),
            Part::Field("title", title),
            Part::Field("provider", "=HYPERLINK(\"http://evil\")"),
            Part::Field("completed_on", "2025-06-01"),
            Part::Field("credits_amount", "0.6"),
            Part::Field("credits_unit", "ceu"),
            Part::Field("competencies", "lssc:TEC; ala-core:4"),
        ],
    );
    assert_eq!(status, 303, "{body}");
    completed(&learner, &server, TEC, "2026-03-01"); // 2 contact hours, lssc:TEC.2
    let (_, _, me) = get(&learner, &server, "/me");
    assert!(!me.contains("<script>alert(1)"), "user text is escaped");
    assert!(me.contains("&#60;script&#62;") || me.contains("&lt;script&gt;"));
    let by_year = section(&me, "id=\"by-year\"", "</table>");
    assert!(
        by_year.contains("<th scope=\"row\">2025</th><td>6</td><td>1</td>"),
        "{by_year}"
    );
    assert!(
        by_year.contains("<th scope=\"row\">2026</th><td>2</td><td>1</td>"),
        "{by_year}"
    );
    let by_competency = section(&me, "id=\"by-competency\"", "</table>");
    assert!(
        by_competency.contains("TEC Technology</th><td>6</td>"),
        "{by_competency}"
    );
    assert!(me.contains("8 contact hours in all"), "{me}");

    let (status, _, transcript) = get(&learner, &server, "/me/transcript");
    assert_eq!(status, 200);
    assert!(!transcript.contains("<script>alert(1)"));
    assert!(transcript.contains("(entered by hand)"));
    let (status, _, csv) = get(&learner, &server, "/me/transcript.csv");
    assert_eq!(status, 200);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    let by_hand = rows
        .iter()
        .find(|r| &r[1] == title)
        .expect("the title as typed");
    assert_eq!(
        &by_hand[2], "'=HYPERLINK(\"http://evil\")",
        "a formula is neutralised"
    );
    assert_eq!((&by_hand[4], &by_hand[5]), ("0.6", "ceu"));
}

#[test]
fn the_plan_is_a_calendar_feed_behind_a_private_token() {
    let (_catalog, server) = site();
    let learner = join(&server, "calendar@library.example.org");
    save(&learner, &server, DATED);
    save(&learner, &server, PART_1);
    let (_, _, me) = get(&learner, &server, "/me");
    let link = common::web::unescape(&attribute_after(&me, "href=\"/me/plan.ics?token=", "href"));
    let (status, _, feed) = get(&agent(), &server, &link);
    assert_eq!(status, 200, "{feed}");
    let calendar = ical::IcalParser::new(feed.as_bytes())
        .next()
        .unwrap()
        .unwrap();
    let uids: HashSet<String> = calendar
        .events
        .iter()
        .flat_map(|e| {
            e.properties
                .iter()
                .filter(|p| p.name == "UID")
                .filter_map(|p| p.value.clone())
        })
        .collect();
    assert_eq!(uids.len(), 2, "{feed}");
    assert!(
        uids.iter().any(|u| u.contains(DATED)) && uids.iter().any(|u| u.contains(PART_1)),
        "{uids:?}"
    );
    // Taking one off the plan takes it out of the feed.
    let csrf = csrf_of(&learner, &server);
    post(
        &learner,
        &server,
        "/me/plan",
        &[("csrf", &csrf), ("offering", DATED), ("remove", "yes")],
    );
    let (_, _, feed) = get(&agent(), &server, &link);
    assert!(!feed.contains(DATED) && feed.contains(PART_1));
}

#[test]
fn a_series_page_lists_its_parts_in_order_and_the_offering_page_draws_the_path() {
    let (_catalog, server) = site();
    let (status, _, page) = get(&agent(), &server, &format!("/series/{SERIES}"));
    assert_eq!(status, 200, "{page}");
    let parts: Vec<String> = tagged(section(&page, "id=\"parts\"", "</ol>"))
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(parts, [PART_1, PART_2, PART_3]);
    let (status, _, _) = get(&agent(), &server, "/series/no-such-series");
    assert_eq!(status, 404);

    let (status, _, page) = get(&agent(), &server, &format!("/offerings/{PART_3}"));
    assert_eq!(status, 200);
    let drawing = section(&page, "<svg id=\"prerequisite-path\"", "</svg>");
    let linked: Vec<String> = tagged(drawing).into_iter().map(|(id, _)| id).collect();
    assert_eq!(
        linked,
        [PART_1, PART_2],
        "the path runs part 1 → part 2 → this"
    );
    assert!(drawing.contains("class=\"this\""));
    assert!(page.contains(&format!("href=\"/series/{SERIES}\"")));

    // After part 1 is complete, the record says what comes next.
    let learner = join(&server, "series@library.example.org");
    completed(&learner, &server, PART_1, &today().to_string());
    let (_, _, me) = get(&learner, &server, "/me");
    let row = section(&me, "data-completion=", "</tr>");
    let next = section(row, "class=\"next\"", "</td>");
    assert!(next.contains(&format!("/offerings/{PART_2}")), "{row}");
}

#[test]
fn how_many_learners_plan_an_offering_shows_from_five() {
    let (_catalog, server) = site();
    let path = format!("/offerings/{DATED}");
    for n in 1..=5 {
        let learner = join(&server, &format!("planner{n}@library.example.org"));
        save(&learner, &server, DATED);
        let (_, _, page) = get(&agent(), &server, &path);
        if n < 5 {
            assert!(!page.contains("id=\"planned-by\""), "shown with {n}");
        } else {
            assert!(page.contains("5 learners plan this"), "not shown with 5");
        }
    }
}

#[test]
fn a_certification_page_explains_its_rules_and_approved_offerings() {
    let (_catalog, server) = site();
    let (status, _, page) = get(&agent(), &server, "/certifications/lssc");
    assert_eq!(status, 200);
    assert!(page.contains("3 of the 8 electives"), "{page}");
    assert!(page.contains("All within 4 years"));
    assert!(page.contains(&format!("/offerings/{FLS}")));
    let (status, _, page) = get(&agent(), &server, "/certifications/cpla");
    assert_eq!(status, 200);
    assert!(page.contains("3 of the 5 electives") && page.contains("All within 5 years"));
    let (status, _, _) = get(&agent(), &server, "/certifications/nope");
    assert_eq!(status, 404);
}
