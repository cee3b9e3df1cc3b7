//! Participants' evaluations (issue #15), over real HTTP against the real binary and a real
//! SQLite file: answering through the shared link and single-use links, the public summary's
//! threshold, providers kept to their own answers, inert markup, concurrency, bad input, bursts.

mod common;

use common::web::{PLA_EDITOR, add_pla_editor, add_user, agent, get, hidden, post, sign_in};
use common::{Catalog, Server};
use serde_json::Value;
use std::sync::{Arc, Barrier};
use ureq::Agent;

/// A PLA offering with four learning outcomes and two instructors.
const OFFERING: &str = "pla-de-escalation-public-service-desk-las-vegas";
const OUTCOMES: usize = 4;
/// An editor of another provider (ALA Core).
const CORE_EDITOR: &str = "editor@core.example.org";
const ADMIN: &str = "admin@example.org";

/// The seed, served, with editors of two providers and an administrator.
fn site() -> (Catalog, Server) {
    let catalog = common::seeded_catalog();
    add_pla_editor(&catalog);
    add_user(
        &catalog,
        &[
            "--email",
            CORE_EDITOR,
            "--role",
            "provider",
            "--provider",
            "ala-core",
        ],
    );
    add_user(&catalog, &["--email", ADMIN, "--role", "admin"]);
    let server = catalog.serve();
    (catalog, server)
}

fn results_path() -> String {
    format!("/provider/offerings/{OFFERING}/evaluation")
}

/// `/evaluate/TOKEN` out of a full link.
fn path_of(link: &str) -> String {
    let start = link.find("/evaluate/").expect("an evaluation link");
    link[start..].trim().to_owned()
}

/// The shared link's path, as the provider's page shows it.
fn shared_link(provider: &Agent, server: &Server) -> String {
    let (status, _, page) = get(provider, server, &results_path());
    assert_eq!(status, 200, "{page}");
    let marker = "class=\"evaluation-url\">";
    let start = page.find(marker).expect("the link is shown") + marker.len();
    path_of(page[start..].split('<').next().unwrap())
}

/// `count` single-use links, downloaded as CSV by the provider.
fn single_use_links(provider: &Agent, server: &Server, count: usize) -> Vec<String> {
    let (_, _, page) = get(provider, server, &results_path());
    let csrf = hidden(&page, "csrf");
    let count = count.to_string();
    let (status, _, csv) = post(
        provider,
        server,
        &format!("{}/links", results_path()),
        &[("csrf", &csrf), ("count", &count)],
    );
    assert_eq!(status, 200, "{csv}");
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("link"));
    lines.map(path_of).collect()
}

/// A complete answer: overall rating `overall`, every outcome reached fully, and `different`.
fn complete(overall: &str, different: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = [
        ("overall", overall),
        ("relevance", "4"),
        ("instructor", "5"),
        ("recommend", "yes"),
        ("role", "librarians"),
        ("different", different),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for i in 0..OUTCOMES {
        fields.push((format!("outcome-{i}"), "fully".to_owned()));
    }
    fields
}

/// Sends `fields` (with the form's own CSRF token) through the form at `path`, as a participant
/// with a browser of their own: (status, location, body).
fn answer(server: &Server, path: &str, fields: &[(String, String)]) -> (u16, String, String) {
    let participant = agent();
    let (status, _, page) = get(&participant, server, path);
    assert_eq!(status, 200, "the form at {path}: {page}");
    send(&participant, server, path, &hidden(&page, "csrf"), fields)
}

fn send(
    participant: &Agent,
    server: &Server,
    path: &str,
    csrf: &str,
    fields: &[(String, String)],
) -> (u16, String, String) {
    let mut form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    form.push(("csrf", csrf));
    post(participant, server, path, &form)
}

fn accepted(outcome: (u16, String, String)) {
    assert_eq!(
        (outcome.0, outcome.1.as_str()),
        (303, "/evaluate/thanks"),
        "{}",
        outcome.2
    );
}

/// The provider's CSV of every answer: its data rows.
fn exported_rows(provider: &Agent, server: &Server) -> Vec<String> {
    let (status, _, csv) = get(
        provider,
        server,
        &format!("{}/responses.csv", results_path()),
    );
    assert_eq!(status, 200, "{csv}");
    csv.lines().skip(1).map(str::to_owned).collect()
}

#[test]
fn a_participant_answers_and_a_single_use_link_answers_once() {
    let (_catalog, server) = site();
    let provider = sign_in(&server, PLA_EDITOR);
    let links = single_use_links(&provider, &server, 2);
    assert_eq!(links.len(), 2);

    let (status, _, form) = get(&agent(), &server, &links[0]);
    assert_eq!(status, 200);
    assert!(
        form.contains("Recognize early signs of escalation"),
        "its own outcomes"
    );
    assert!(form.contains("<legend>"), "questions are grouped");
    accepted(answer(&server, &links[0], &complete("5", "Use the script")));

    // The same link again: a clear "already answered", by GET and by POST.
    let (status, _, page) = get(&agent(), &server, &links[0]);
    assert_eq!(status, 410);
    assert!(page.contains("Already answered"), "{page}");
    let participant = agent();
    let (_, _, other_form) = get(&participant, &server, &links[1]);
    let csrf = hidden(&other_form, "csrf");
    let again = send(&participant, &server, &links[0], &csrf, &complete("1", ""));
    assert_eq!(again.0, 410, "{}", again.2);

    // The other link and the shared one still answer.
    accepted(answer(&server, &links[1], &complete("4", "")));
    let shared = shared_link(&provider, &server);
    accepted(answer(&server, &shared, &complete("3", "")));
    let rows = exported_rows(&provider, &server);
    assert_eq!(rows.len(), 3, "{rows:#?}");
    assert!(rows.iter().any(|row| row.contains("Use the script")));
    let (_, _, results) = get(&provider, &server, &results_path());
    assert!(results.contains("3 participants answered"), "{results}");
    assert!(results.contains("<svg"), "the QR code is inline");
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    assert!(
        results.contains(&format!(
            "<th scope=\"row\">{month}</th><td>3</td><td>4.0</td>"
        )),
        "results over time: {results}"
    );
    let (_, _, home) = get(&provider, &server, "/provider");
    assert!(home.contains("What participants said of your offerings"));
    assert!(home.contains("3 participants answered"), "{home}");
}

#[test]
fn an_evaluation_form_still_sends_after_the_sign_in_form_is_opened() {
    let (_catalog, server) = site();
    let provider = sign_in(&server, PLA_EDITOR);
    let link = &single_use_links(&provider, &server, 1)[0];
    let participant = agent();
    let (_, _, form) = get(&participant, &server, link);
    // Another tab: the sign-in form, which sets its own anti-forgery cookie.
    let (status, _, _) = get(&participant, &server, "/login");
    assert_eq!(status, 200);
    accepted(send(
        &participant,
        &server,
        link,
        &hidden(&form, "csrf"),
        &complete("4", "Try the script"),
    ));
}

#[test]
fn the_offering_page_shows_the_summary_from_the_fifth_answer() {
    let (_catalog, server) = site();
    let provider = sign_in(&server, PLA_EDITOR);
    let shared = shared_link(&provider, &server);
    let page = |server: &Server| server.get(&format!("/offerings/{OFFERING}")).1;
    let api = |server: &Server| -> Value {
        let (status, body) = server.get(&format!("/api/v1/offerings/{OFFERING}/evaluation"));
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    };
    for n in 1..=4 {
        accepted(answer(
            &server,
            &shared,
            &complete("4", "a private thought"),
        ));
        assert!(
            !page(&server).contains("What participants said"),
            "after {n} answers"
        );
        assert!(api(&server)["summary"].is_null(), "after {n} answers");
    }
    // A reader's cached copy of the page is not current once an answer changes what it shows.
    let tag = ureq::get(&server.url(&format!("/offerings/{OFFERING}")))
        .call()
        .unwrap()
        .headers()
        .get("etag")
        .expect("an ETag")
        .to_str()
        .unwrap()
        .to_owned();
    accepted(answer(
        &server,
        &shared,
        &complete("5", "a private thought"),
    ));
    let revalidated = agent()
        .get(&server.url(&format!("/offerings/{OFFERING}")))
        .header("If-None-Match", &tag)
        .call()
        .unwrap();
    assert_eq!(revalidated.status(), 200, "not 304: the summary is new");
    let shown = page(&server);
    assert!(shown.contains("What participants said"), "{shown}");
    assert!(shown.contains("5 participants answered"));
    assert!(shown.contains("4.2 out of 5"), "the mean of 4, 4, 4, 4, 5");
    assert!(
        !shown.contains("a private thought"),
        "free text stays private"
    );
    let summary = &api(&server)["summary"];
    assert_eq!(summary["responses"], 5);
    assert_eq!(
        summary["overall"]["distribution"],
        serde_json::json!([0, 0, 0, 4, 1])
    );
    assert_eq!(summary["outcomes"].as_array().unwrap().len(), OUTCOMES);
    assert_eq!(
        server
            .get("/api/v1/offerings/no-such-offering/evaluation")
            .0,
        404
    );
}

#[test]
fn a_provider_cannot_see_another_providers_answers() {
    let (_catalog, server) = site();
    let provider = sign_in(&server, PLA_EDITOR);
    let shared = shared_link(&provider, &server);
    accepted(answer(
        &server,
        &shared,
        &complete("2", "only PLA may read this"),
    ));

    let other = sign_in(&server, CORE_EDITOR);
    for path in [results_path(), format!("{}/responses.csv", results_path())] {
        let (status, _, body) = get(&other, &server, &path);
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains("only PLA may read this"));
    }
    let (_, _, own) = get(&other, &server, "/provider");
    let csrf = hidden(&own, "csrf");
    for action in ["rotate", "links"] {
        let path = format!("{}/{action}", results_path());
        let (status, _, _) = post(&other, &server, &path, &[("csrf", &csrf), ("count", "3")]);
        assert_eq!(status, 404, "{path}");
    }
    // Signed out, the pages ask to sign in.
    let (status, location, _) = get(&agent(), &server, &results_path());
    assert_eq!((status, location.as_str()), (303, "/login"));
    // The owner still reads it.
    assert!(exported_rows(&provider, &server)[0].contains("only PLA may read this"));
}

#[test]
fn markup_in_answers_is_inert_everywhere() {
    let (_catalog, server) = site();
    let provider = sign_in(&server, PLA_EDITOR);
    let shared = shared_link(&provider, &server);
    let markup = "<script>alert('x')</script><img src=x onerror=alert(1)>";
    for _ in 0..5 {
        accepted(answer(&server, &shared, &complete("5", markup)));
    }
    // askama writes `<` and `>` as numeric references.
    let escaped = "&#60;script&#62;alert(";
    let admin = sign_in(&server, ADMIN);
    let (_, _, provider_page) = get(&provider, &server, &results_path());
    let admin_path = format!("/admin/offerings/{OFFERING}/evaluation");
    let (_, _, admin_page) = get(&admin, &server, &admin_path);
    for (name, page) in [("provider", &provider_page), ("admin", &admin_page)] {
        assert!(!page.contains("<script>alert"), "{name}: {page}");
        assert!(!page.contains("<img src=x"), "{name}");
        assert!(page.contains(escaped), "{name}: the text is shown, escaped");
    }
    // A form sent back with a mistake shows what was typed, escaped.
    let mut wrong = complete("9", markup);
    wrong.retain(|(k, _)| k != "role");
    let (status, _, page) = answer(&server, &shared, &wrong);
    assert_eq!(status, 422);
    assert!(!page.contains("<script>alert") && page.contains(escaped));
    // The public page has no free text at all; the CSV is a download, not a page.
    let (_, offering_page) = server.get(&format!("/offerings/{OFFERING}"));
    assert!(!offering_page.contains("alert("));
    let csv = ureq_head_type(
        &provider,
        &server,
        &format!("{}/responses.csv", results_path()),
    );
    assert!(csv.starts_with("text/csv"), "{csv}");
}

/// The content type of a page.
fn ureq_head_type(agent: &Agent, server: &Server, path: &str) -> String {
    let response = agent.get(&server.url(path)).call().unwrap();
    response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[test]
fn an_administrator_hides_an_abusive_text_and_sees_bursts() {
    let (_catalog, server) = site();
    let provider = sign_in(&server, PLA_EDITOR);
    let shared = shared_link(&provider, &server);
    // More answers at once than a room gives: past 40, they are flagged.
    for n in 0..45 {
        let text = if n == 0 { "an abusive remark" } else { "" };
        accepted(answer(&server, &shared, &complete("1", text)));
    }
    let admin = sign_in(&server, ADMIN);
    let (_, _, queue) = get(&admin, &server, "/admin");
    assert!(queue.contains("Evaluation answers in bursts"), "{queue}");
    assert!(
        queue.contains(&format!("/admin/offerings/{OFFERING}/evaluation")),
        "the offering is listed"
    );
    assert!(queue.contains("5 answers flagged"), "{queue}");

    let admin_path = format!("/admin/offerings/{OFFERING}/evaluation");
    let (_, _, page) = get(&admin, &server, &admin_path);
    let marker = "action=\"/admin/evaluation-answers/";
    let start = page.find(marker).expect("a hide button") + marker.len();
    let id = page[start..].split('/').next().unwrap().to_owned();
    let csrf = hidden(&page, "csrf");
    let hide = format!("/admin/evaluation-answers/{id}/hide");
    assert_eq!(post(&admin, &server, &hide, &[]).0, 403, "CSRF checked");
    let (status, location, _) = post(&admin, &server, &hide, &[("csrf", &csrf)]);
    assert_eq!(
        (status, location.as_str()),
        (303, format!("{admin_path}?done=hidden").as_str())
    );
    let (_, _, provider_page) = get(&provider, &server, &results_path());
    assert!(!provider_page.contains("an abusive remark"));
    assert!(
        !exported_rows(&provider, &server)
            .iter()
            .any(|r| r.contains("an abusive remark"))
    );
    let (_, _, audit) = get(&admin, &server, "/admin/audit");
    assert!(audit.contains("hid the text of"), "{audit}");
}

#[test]
fn two_hundred_concurrent_answers_are_each_stored_once() {
    let (_catalog, server) = site();
    let provider = sign_in(&server, PLA_EDITOR);
    let links = single_use_links(&provider, &server, 200);
    assert_eq!(links.len(), 200);
    let server = Arc::new(server);
    let ready = Arc::new(Barrier::new(links.len()));
    let threads: Vec<_> = links
        .into_iter()
        .enumerate()
        .map(|(n, link)| {
            let (server, ready) = (server.clone(), ready.clone());
            std::thread::spawn(move || {
                let participant = agent();
                let (status, _, page) = get(&participant, &server, &link);
                assert_eq!(status, 200);
                let csrf = hidden(&page, "csrf");
                let fields = complete("4", &format!("answer number {n}"));
                ready.wait(); // all 200 send at once
                let first = send(&participant, &server, &link, &csrf, &fields);
                let second = send(&participant, &server, &link, &csrf, &fields);
                (first.0, first.1, second.0)
            })
        })
        .collect();
    for thread in threads {
        let (first, location, second) = thread.join().unwrap();
        assert_eq!((first, location.as_str()), (303, "/evaluate/thanks"));
        assert_eq!(second, 410, "a single-use link answers once");
    }
    let rows = exported_rows(&provider, &server);
    assert_eq!(rows.len(), 200);
    for n in 0..200 {
        let text = format!("answer number {n},");
        assert_eq!(
            rows.iter().filter(|row| row.contains(&text)).count(),
            1,
            "{text}"
        );
    }
}

#[test]
fn bad_input_is_a_4xx_naming_the_field_and_unknown_tokens_are_404() {
    let (_catalog, server) = site();
    let provider = sign_in(&server, PLA_EDITOR);
    let shared = shared_link(&provider, &server);

    let mut wrong = complete("9", "kept as typed");
    wrong.retain(|(k, _)| k != "role" && k != "outcome-2");
    let (status, _, page) = answer(&server, &shared, &wrong);
    assert_eq!(status, 422);
    for named in [
        "Overall rating",
        "Your role",
        "Decide when a situation requires",
    ] {
        assert!(page.contains(named), "{named}: {page}");
    }
    assert!(
        page.contains("href=\"#overall\""),
        "the summary links to the field"
    );
    assert!(page.contains("kept as typed"));
    let long = "x".repeat(2_001);
    let (status, _, page) = answer(&server, &shared, &complete("3", &long));
    assert_eq!(status, 422);
    assert!(page.contains("What you will do differently"));

    // Without the form's token nothing is stored.
    let participant = agent();
    let (status, _, _) = send(&participant, &server, &shared, "", &complete("3", ""));
    assert_eq!(status, 403);

    let unknown = format!("/evaluate/{}", "ab".repeat(32));
    for path in [
        unknown.as_str(),
        "/evaluate/not-a-token",
        "/evaluate/%3Cscript%3E",
    ] {
        assert_eq!(get(&agent(), &server, path).0, 404, "{path}");
        assert_eq!(
            post(&agent(), &server, path, &[("overall", "3")]).0,
            404,
            "{path}"
        );
    }

    // A rotated shared link answers no more; the new one does.
    let (_, _, page) = get(&provider, &server, &results_path());
    let csrf = hidden(&page, "csrf");
    let rotate = format!("{}/rotate", results_path());
    let (status, _, _) = post(&provider, &server, &rotate, &[("csrf", &csrf)]);
    assert_eq!(status, 303);
    assert_eq!(get(&agent(), &server, &shared).0, 404);
    let renewed = shared_link(&provider, &server);
    assert_ne!(renewed, shared);
    accepted(answer(&server, &renewed, &complete("3", "")));

    // Asking for no links, or too many, names the field.
    for count in ["0", "1001", "many"] {
        let path = format!("{}/links", results_path());
        let (status, _, page) = post(
            &provider,
            &server,
            &path,
            &[("csrf", &csrf), ("count", count)],
        );
        assert_eq!(status, 422, "{count}");
        assert!(page.contains("count"), "{page}");
    }
    assert_eq!(exported_rows(&provider, &server).len(), 1);
}

/// Another PLA offering (self-paced, three learning outcomes).
const OTHER: &str = "pla-digital-navigators-self-paced";

/// The shared link of one of PLA's offerings, as its evaluation page shows it.
fn shared_link_of(provider: &Agent, server: &Server, offering: &str) -> String {
    let (status, _, page) = get(
        provider,
        server,
        &format!("/provider/offerings/{offering}/evaluation"),
    );
    assert_eq!(status, 200, "{page}");
    let marker = "class=\"evaluation-url\">";
    let start = page.find(marker).expect("the link is shown") + marker.len();
    path_of(page[start..].split('<').next().unwrap())
}

/// The ids a search through the API finds, in its order.
fn found_ids(server: &Server, query: &str) -> Vec<String> {
    let (status, body) = server.get(&format!("/api/v1/search?{query}"));
    assert_eq!(status, 200, "{body}");
    let results: Value = serde_json::from_str(&body).unwrap();
    results["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn search_sorts_by_rating_and_filters_to_offerings_rated_by_five_or_more() {
    let (_catalog, server) = site();
    let provider = sign_in(&server, PLA_EDITOR);
    let first = shared_link_of(&provider, &server, OFFERING);
    let second = shared_link_of(&provider, &server, OTHER);
    let rated = |server: &Server| found_ids(server, "rated=true&include_past=true&per_page=100");
    for _ in 0..4 {
        accepted(answer(&server, &first, &complete("3", "")));
        accepted(answer(&server, &second, &complete("5", "")));
    }
    // The fifth answer makes the first offering's rating public, and search learns it; the
    // other, with four, is still not rated (the index is caught up past its answers).
    accepted(answer(&server, &first, &complete("3", "")));
    common::within_a_second("the first rated offering", || rated(&server) == [OFFERING]);
    accepted(answer(&server, &second, &complete("5", "")));
    common::within_a_second("both rated", || rated(&server).len() == 2);
    assert_eq!(
        found_ids(&server, "rated=true&sort=rating&include_past=true"),
        [OTHER, OFFERING],
        "5.0 before 3.0"
    );
    let all = found_ids(&server, "sort=rating&include_past=true&per_page=100");
    assert_eq!(&all[..2], [OTHER, OFFERING], "rated first, then the rest");
    assert!(all.len() > 2, "the unrated ones follow: {all:?}");
    // Each hit says its rating, once public.
    let (_, body) = server.get("/api/v1/search?sort=rating&include_past=true&per_page=3");
    let hits: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (&hits["hits"][0]["rating"], &hits["hits"][0]["rating_count"]),
        (&Value::from(5.0), &Value::from(5))
    );
    assert_eq!(hits["hits"][1]["rating"], 3.0);
    assert!(
        hits["hits"][2].get("rating").is_none(),
        "unrated: {}",
        hits["hits"][2]
    );

    // The search page has the control and keeps it.
    let (status, page) = server.get("/search?rated=true&sort=rating");
    assert_eq!(status, 200);
    assert!(
        page.contains(r#"id="rated" name="rated" value="true" checked"#),
        "{page}"
    );
    assert!(page.contains("Rated by participants"));
    assert!(page.contains("5.0 out of 5 (5 participants)"), "{page}");
    assert!(
        page.contains(r#"<option value="rating" selected>"#),
        "{page}"
    );
    assert!(
        page.find("Digital Navigator").unwrap_or(usize::MAX)
            < page.find("De-escalation").unwrap_or(0),
        "best rated first on the page too"
    );

    // A bad value is named.
    let (status, body) = server.get("/api/v1/search?rated=maybe");
    assert_eq!(status, 400, "{body}");
    let error: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(error["error"]["parameter"], "rated");
}

/// The public summary of a group's answers through the API (`null` below five).
fn group_summary(server: &Server, path: &str) -> Value {
    let (status, body) = server.get(path);
    assert_eq!(status, 200, "{path}: {body}");
    let value: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(value["minimum_responses"], 5);
    value["summary"].clone()
}

#[test]
fn providers_and_competencies_show_their_offerings_answers_together_from_the_fifth() {
    let (_catalog, server) = site();
    let provider = sign_in(&server, PLA_EDITOR);
    let first = shared_link_of(&provider, &server, OFFERING);
    let second = shared_link_of(&provider, &server, OTHER);
    // Three answers about one offering and two about another: five for PLA, though neither
    // offering has five.
    for _ in 0..3 {
        accepted(answer(&server, &first, &complete("4", "")));
    }
    accepted(answer(&server, &second, &complete("2", "")));
    let groups = [
        "/api/v1/providers/ala-pla/evaluation",
        "/api/v1/competencies/lssc/COM.3/evaluation",
        "/api/v1/competencies/lssc/COM/evaluation",
        "/api/v1/competencies/lssc/evaluation",
    ];
    for path in groups {
        assert!(group_summary(&server, path).is_null(), "{path} at four");
    }
    assert!(
        !server
            .get("/providers/ala-pla")
            .1
            .contains("What participants said")
    );
    accepted(answer(&server, &second, &complete("2", "")));

    let pla = group_summary(&server, groups[0]);
    assert_eq!(pla["responses"], 5, "{pla}");
    assert_eq!(
        pla["overall"]["distribution"],
        serde_json::json!([0, 2, 0, 3, 0])
    );
    assert!((pla["overall"]["mean"].as_f64().unwrap() - 3.2).abs() < 1e-9);
    assert!(pla["overall"]["mean_low"].as_f64().unwrap() < 3.2);
    assert_eq!(pla["all_outcomes"]["fully"], 1.0);
    assert_eq!(pla["all_outcomes"]["answers"], 3 * 4 + 2 * 3);
    // Only the first offering builds COM.3 (within COM, within the LSSC framework): three.
    assert!(group_summary(&server, groups[1]).is_null());
    assert!(group_summary(&server, groups[2]).is_null());
    // The LSSC framework: both offerings build some of its competencies.
    assert_eq!(group_summary(&server, groups[3])["responses"], 5);

    let (status, page) = server.get("/providers/ala-pla");
    assert_eq!(status, 200);
    assert!(page.contains("What participants said"), "{page}");
    assert!(page.contains("5 participants answered"), "{page}");
    assert!(page.contains("3.2 out of 5"), "{page}");
    assert!(page.contains("All learning outcomes"), "pooled: {page}");
    let (_, page) = server.get("/competencies/lssc");
    assert!(page.contains("5 participants answered"), "{page}");
    let (_, page) = server.get("/competencies/lssc/COM.3");
    assert!(!page.contains("What participants said"), "three only");

    // The dashboard shows the same, with results over time.
    let (_, _, home) = get(&provider, &server, "/provider");
    assert!(home.contains("5 participants answered"), "{home}");
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    assert!(
        home.contains(&format!(
            "<th scope=\"row\">{month}</th><td>5</td><td>3.2</td>"
        )),
        "results over time: {home}"
    );
    assert!(home.contains("<svg viewBox"), "a chart: {home}");

    // Two more about the first offering: COM.3 has five, and so has COM, the area it is in.
    for _ in 0..2 {
        accepted(answer(&server, &first, &complete("5", "")));
    }
    assert_eq!(group_summary(&server, groups[1])["responses"], 5);
    assert_eq!(
        group_summary(&server, groups[2])["responses"],
        5,
        "within COM"
    );
    assert_eq!(group_summary(&server, groups[0])["responses"], 7);

    for missing in [
        "/api/v1/providers/no-such-provider/evaluation",
        "/api/v1/competencies/lssc/NOPE/evaluation",
        "/api/v1/competencies/nope/evaluation",
    ] {
        assert_eq!(server.get(missing).0, 404, "{missing}");
    }
}
