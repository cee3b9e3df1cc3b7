//! In a real browser (headless Chromium driven over WebDriver): search, filter, page, open an
//! offering and follow a competency link, and run axe-core's WCAG 2.1 AA rules on every kind of
//! page, failing on any violation.
//!
//! Needs `chromium`, `chromedriver` and axe-core (`npm install --prefix target/axe axe-core@4`);
//! `.ci/run` installs them. Where they are missing the test passes without running and prints a
//! `SKIPPED:` line that a plain `cargo test` shows, unless `CLEARINGHOUSE_BROWSER_TESTS=required`
//! (as in CI), where it fails.

mod common;

use common::{Catalog, Server};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn axe_source() -> Option<String> {
    let path = std::env::var_os("AXE_CORE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("target/axe/node_modules/axe-core/axe.min.js")
        });
    std::fs::read_to_string(path).ok()
}

fn tools_present() -> Option<String> {
    let missing: Vec<&str> = ["chromium", "chromedriver"]
        .into_iter()
        .filter(|tool| Command::new(tool).arg("--version").output().is_err())
        .collect();
    let axe = axe_source();
    if missing.is_empty() && axe.is_some() {
        return axe;
    }
    let message = format!(
        "browser tests need chromium, chromedriver and axe-core (missing: {missing:?}, axe-core: {})",
        axe.is_some()
    );
    if std::env::var("CLEARINGHOUSE_BROWSER_TESTS").as_deref() == Ok("required") {
        panic!("{message}");
    }
    common::say_skipped(&format!(
        "{message}; the browser test passes without running"
    ));
    None
}

async fn start_browser() -> (Driver, Client) {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver = Driver(
        Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let profile = tempfile::tempdir().unwrap().keep();
    let capabilities = json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                     "--window-size=1280,1000", format!("--user-data-dir={}", profile.display())]
        }
    });
    let started = Instant::now();
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let mut builder = ClientBuilder::new(connector);
        builder.capabilities(capabilities.as_object().unwrap().clone());
        match builder.connect(&format!("http://127.0.0.1:{port}")).await {
            Ok(client) => return (driver, client),
            Err(error) if started.elapsed() > Duration::from_secs(20) => {
                panic!("no browser session: {error}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// Ends a browser test that audited its pages: the browser closes, then every violation found
/// is reported at once.
async fn close_with_no_violations(client: Client, problems: Vec<String>) {
    client.close().await.unwrap();
    assert!(
        problems.is_empty(),
        "accessibility violations:\n{}",
        problems.join("\n")
    );
}

/// Runs axe-core's WCAG 2.1 A and AA rules on the current page; returns the violations.
async fn violations(client: &Client, axe: &str) -> Vec<String> {
    client.execute(axe, vec![]).await.expect("axe-core loads");
    let script = "const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
           .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
           .catch(e => done(['axe failed: ' + e]));";
    let result: Value = client
        .execute_async(script, vec![])
        .await
        .expect("axe-core runs");
    result
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn wait_for(client: &Client, css: &str) {
    client.wait().for_element(Locator::Css(css)).await.unwrap();
}

/// Waits for a navigation to reach an address containing `part` (an element the page before
/// also had would not tell the two pages apart).
async fn wait_for_address(client: &Client, part: &str) {
    for _ in 0..200 {
        if client.current_url().await.unwrap().as_str().contains(part) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the browser never reached an address with {part}");
}

/// Signs in through the sign-in page and waits for the signed-in page.
async fn sign_in(client: &Client, server: &Server, email: &str) {
    client.goto(&server.url("/login")).await.unwrap();
    type_into(client, "#email", email).await;
    type_into(client, "#password", common::web::PASSWORD).await;
    click(client, "form.account button[type=submit]").await;
    wait_for(client, "form[action='/logout']").await;
}

async fn type_into(client: &Client, css: &str, text: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

async fn heading(client: &Client) -> String {
    client
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// A PLA offering's evaluation page for its provider (its link, QR code and results).
const EVALUATION_RESULTS: &str =
    "/provider/offerings/pla-de-escalation-public-service-desk-las-vegas/evaluation";
/// The offering those pages are about.
const EVALUATED: &str = "pla-de-escalation-public-service-desk-las-vegas";

/// Five answers to `EVALUATED`'s evaluation through its shared link, over HTTP as participants
/// send them (the PLA editor's account must exist).
fn five_evaluations(server: &Server) {
    use common::web::{agent, get, hidden, post, sign_in};
    let editor = sign_in(server, "editor@pla.example.org");
    let (_, _, page) = get(&editor, server, EVALUATION_RESULTS);
    let start = page.find("/evaluate/").expect("the shared link");
    let link = page[start..].split('"').next().unwrap().to_owned();
    for overall in ["5", "4", "4", "3", "5"] {
        let participant = agent();
        let (_, _, form) = get(&participant, server, &link);
        let csrf = hidden(&form, "csrf");
        let mut fields = vec![
            ("csrf", csrf.as_str()),
            ("overall", overall),
            ("relevance", "4"),
            ("recommend", "yes"),
            ("role", "librarians"),
            ("different", "Practise the script"),
        ];
        let outcomes: Vec<String> = (0..4).map(|i| format!("outcome-{i}")).collect();
        fields.extend(outcomes.iter().map(|name| (name.as_str(), "partly")));
        let (status, _, _) = post(&participant, server, &link, &fields);
        assert_eq!(status, 303, "an answer is taken");
    }
}

/// A follow-up's link: a participant answers `EVALUATED`'s evaluation leaving an address, and
/// the follow-ups are exported as for a mail merge (due in 60 days, so asked for by then).
fn a_followup_link(catalog: &Catalog, server: &Server) -> String {
    use common::web::{agent, get, hidden, post, sign_in};
    let editor = sign_in(server, "editor@pla.example.org");
    let (_, _, page) = get(&editor, server, EVALUATION_RESULTS);
    let start = page.find("/evaluate/").expect("the shared link");
    let link = page[start..].split('"').next().unwrap().to_owned();
    let participant = agent();
    let (_, _, form) = get(&participant, server, &link);
    let csrf = hidden(&form, "csrf");
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("overall", "4"),
        ("relevance", "4"),
        ("recommend", "yes"),
        ("role", "librarians"),
        ("email", "reader@example.org"),
    ];
    let outcomes: Vec<String> = (0..4).map(|i| format!("outcome-{i}")).collect();
    fields.extend(outcomes.iter().map(|name| (name.as_str(), "fully")));
    let (status, _, _) = post(&participant, server, &link, &fields);
    assert_eq!(status, 303, "an answer is taken");
    let due = (chrono::Utc::now().date_naive() + chrono::Days::new(60)).to_string();
    let listed = catalog.run_ok(&["followups", "export", "--due-by", &due]);
    let start = listed.find("/followup/").expect("a follow-up link");
    listed[start..start + "/followup/".len() + 64].to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_librarian_searches_filters_pages_and_reads_with_no_accessibility_violations() {
    let Some(axe) = tools_present() else { return };
    let catalog = Catalog::new();
    let server = catalog.serve();
    let (_driver, client) = start_browser().await;
    let mut problems = Vec::new();
    let mut audit = |page: String, found: Vec<String>| {
        problems.extend(found.into_iter().map(|v| format!("{page}: {v}")))
    };

    // Home: search for a topic.
    client.goto(&server.url("/")).await.unwrap();
    audit("home".into(), violations(&client, &axe).await);
    let search_box = client.find(Locator::Id("q")).await.unwrap();
    search_box.send_keys("storytime").await.unwrap();
    click(&client, "form.search button[type=submit]").await;
    // The search page's own heading: the home page has a result list too (what starts soon),
    // so waiting for one could return before the search page arrives.
    wait_for(&client, "#results-heading").await;
    wait_for_address(&client, "q=storytime").await;
    audit("search".into(), violations(&client, &axe).await);

    // Filter: ticking a format box applies it (and the page says so in a chip).
    let checkbox = client
        .find(Locator::Css("input[name=format]"))
        .await
        .unwrap();
    let value = checkbox.attr("value").await.unwrap().unwrap();
    checkbox.click().await.unwrap();
    wait_for(&client, ".chips").await;
    wait_for_address(&client, &format!("format={value}")).await;
    audit(
        "search with a filter".into(),
        violations(&client, &axe).await,
    );

    // Near a place: type a city in the form's "Near" field, apply, and each result says how far
    // away it is; nearest first is then on offer.
    client
        .goto(&server.url("/search?include_past=true"))
        .await
        .unwrap();
    let near = client.find(Locator::Id("near")).await.unwrap();
    near.send_keys("Chicago, IL").await.unwrap();
    click(&client, "button.apply").await;
    wait_for_address(&client, "near=Chicago").await;
    wait_for(&client, ".result .distance").await;
    let distances = client
        .find_all(Locator::Css(".result .distance"))
        .await
        .unwrap();
    assert!(!distances.is_empty());
    for distance in distances {
        let text = distance.text().await.unwrap();
        assert!(text.ends_with(" mi away"), "{text}");
    }
    client
        .find(Locator::Css("#sort option[value=nearest]"))
        .await
        .expect("nearest first is offered once a place is given");
    audit(
        "search near a place".into(),
        violations(&client, &axe).await,
    );

    // Page: a browse of everything has a second page.
    client
        .goto(&server.url("/search?per_page=10"))
        .await
        .unwrap();
    click(&client, "a[rel=next]").await;
    wait_for_address(&client, "page=2").await;
    wait_for(&client, "a[aria-current=page]").await;
    let current = client
        .find(Locator::Css("a[aria-current=page]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(current, "2");

    // Open an offering, then follow one of its competencies.
    let first = client.find(Locator::Css(".result h3 a")).await.unwrap();
    let title = first.text().await.unwrap();
    first.click().await.unwrap();
    wait_for(&client, "article.offering").await;
    assert_eq!(heading(&client).await, title);
    audit("offering".into(), violations(&client, &axe).await);
    client
        .goto(&server.url("/offerings/yalsa-ya-readers-advisory-boot-camp-seattle"))
        .await
        .unwrap();
    let competency = client
        .find(Locator::Css("section[aria-labelledby=competencies] a"))
        .await
        .unwrap();
    let label = competency.text().await.unwrap();
    competency.click().await.unwrap();
    wait_for_address(&client, "/competencies/").await;
    wait_for(&client, ".breadcrumb").await;
    assert!(
        label.starts_with(&heading(&client).await),
        "{label} vs {}",
        heading(&client).await
    );
    audit("competency".into(), violations(&client, &axe).await);

    for (name, path) in [
        ("providers", "/providers"),
        ("provider", "/providers/ala-pla"),
        ("competencies", "/competencies"),
        ("empty search", "/search?q=zzzzqqq"),
        ("unknown place", "/search?near=Chicgo"),
        ("not found", "/no/such/page"),
        ("api", "/api"),
        ("sign in", "/login"),
        ("register", "/register"),
        ("reports", "/reports"),
        ("coverage report", "/reports/coverage"),
        (
            "coverage by region",
            "/reports/coverage?by=region&window=24m",
        ),
        ("places report", "/reports/places"),
        ("trends report", "/reports/trends"),
        ("demand report", "/reports/demand"),
    ] {
        client.goto(&server.url(path)).await.unwrap();
        audit(name.into(), violations(&client, &axe).await);
    }
    // The signed-in pages: a provider's dashboard, the offering form (also with its errors shown),
    // the upload page; the administrator's queue, accounts and audit log.
    for (email, role) in [
        ("editor@pla.example.org", "provider"),
        ("admin@example.org", "admin"),
    ] {
        let provider = if role == "provider" {
            vec!["--provider", "ala-pla"]
        } else {
            Vec::new()
        };
        let args: Vec<&str> = ["--email", email, "--role", role]
            .into_iter()
            .chain(provider)
            .collect();
        assert!(
            catalog
                .add_user(&args, "a long enough password")
                .status
                .success()
        );
    }
    // Five participants answer through the shared link, so the offering page and the results
    // pages show a summary (its tables and distributions are audited too).
    five_evaluations(&server);
    client
        .goto(&server.url(&format!("/offerings/{EVALUATED}")))
        .await
        .unwrap();
    wait_for(&client, "section[aria-labelledby=evaluation]").await;
    audit(
        "offering with evaluations".into(),
        violations(&client, &axe).await,
    );
    // The aggregates of many offerings, the rating sort and filter, and the follow-up form
    // (also with its errors shown).
    for (name, path) in [
        ("provider with evaluations", "/providers/ala-pla"),
        ("competency with evaluations", "/competencies/lssc"),
        (
            "search rated by participants",
            "/search?rated=true&sort=rating",
        ),
    ] {
        client.goto(&server.url(path)).await.unwrap();
        audit(name.into(), violations(&client, &axe).await);
    }
    client
        .goto(&server.url(&a_followup_link(&catalog, &server)))
        .await
        .unwrap();
    wait_for(&client, "form.evaluation-form").await;
    audit("follow-up form".into(), violations(&client, &axe).await);
    click(&client, "form.evaluation-form button[type=submit]").await;
    wait_for(&client, ".error-summary").await;
    audit(
        "follow-up form with errors".into(),
        violations(&client, &axe).await,
    );
    for (email, pages) in [
        (
            "editor@pla.example.org",
            vec![
                "/provider",
                "/provider/offerings/new",
                "/provider/upload",
                EVALUATION_RESULTS,
            ],
        ),
        (
            "admin@example.org",
            vec![
                "/admin",
                "/admin/audit",
                "/reports/demand",
                "/admin/offerings/pla-de-escalation-public-service-desk-las-vegas/evaluation",
            ],
        ),
    ] {
        sign_in(&client, &server, email).await;
        for path in pages {
            client.goto(&server.url(path)).await.unwrap();
            audit(path.into(), violations(&client, &axe).await);
        }
        if email.starts_with("editor") {
            client
                .goto(&server.url("/provider/offerings/new"))
                .await
                .unwrap();
            click(&client, "form.offering-form button[type=submit]").await;
            wait_for(&client, ".error-summary").await;
            audit(
                "the offering form with errors".into(),
                violations(&client, &axe).await,
            );
            // A participant's evaluation form, through the link the provider's page gives, also
            // with its errors shown.
            client.goto(&server.url(EVALUATION_RESULTS)).await.unwrap();
            let link = client
                .find(Locator::Css("a.evaluation-url"))
                .await
                .unwrap()
                .attr("href")
                .await
                .unwrap()
                .unwrap();
            client.goto(&link).await.unwrap();
            wait_for(&client, "form.evaluation-form").await;
            audit("evaluation form".into(), violations(&client, &axe).await);
            click(&client, "form.evaluation-form button[type=submit]").await;
            wait_for(&client, ".error-summary").await;
            audit(
                "evaluation form with errors".into(),
                violations(&client, &axe).await,
            );
        }
        let home = if email.starts_with("editor") {
            "/provider"
        } else {
            "/admin"
        };
        client.goto(&server.url(home)).await.unwrap();
        click(&client, "form[action='/logout'] button").await;
        wait_for(&client, "form.search").await;
    }

    // A phone 320 px wide: nothing runs off the side of the page.
    fits_a_phone(
        &client,
        &server,
        &[
            "/",
            "/search?q=library",
            "/offerings/yalsa-ya-readers-advisory-boot-camp-seattle",
            "/competencies",
            "/reports",
        ],
    )
    .await;
    close_with_no_violations(client, problems).await;
}

/// In a window 320 px wide (a phone), nothing on any of `paths` runs off the side of the page
/// (tables scroll on their own); a failure names the first elements that do.
async fn fits_a_phone(client: &Client, server: &Server, paths: &[&str]) {
    client.set_window_size(320, 800).await.unwrap();
    for path in paths {
        client.goto(&server.url(path)).await.unwrap();
        let widths: Value = client
            .execute("return [document.documentElement.scrollWidth, document.documentElement.clientWidth];", vec![])
            .await
            .unwrap();
        let (scroll, width) = (widths[0].as_i64().unwrap(), widths[1].as_i64().unwrap());
        assert!(width <= 330, "the window is {width} px wide, not a phone's");
        if scroll > width {
            let wide: Value = client
                .execute("return [...document.querySelectorAll('body *')].filter(e => !e.closest('table') && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id);", vec![])
                .await
                .unwrap();
            panic!("{path} is {scroll} px wide in a {width} px window: {wide}");
        }
    }
}

/// Sets an input's value as a person would with its picker (typing into a date or time input
/// depends on the browser's locale), and tells the page it changed.
async fn pick(client: &Client, css: &str, value: &str) {
    let script = "const input = document.querySelector(arguments[0]);
        input.value = arguments[1];
        input.dispatchEvent(new Event('input', {bubbles: true}));
        input.dispatchEvent(new Event('change', {bubbles: true}));
        return input.value;";
    let set = client
        .execute(script, vec![json!(css), json!(value)])
        .await
        .unwrap();
    assert_eq!(set, json!(value), "{css} takes {value}");
}

/// Whether the element is hidden, by itself or by an ancestor (`hidden`, a closed `<details>`).
async fn shown(client: &Client, css: &str) -> bool {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .is_displayed()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_provider_submits_an_offering_with_dates_a_competency_and_a_certification() {
    let Some(axe) = tools_present() else { return };
    let catalog = common::seeded_catalog();
    common::web::add_pla_editor(&catalog);
    let server = catalog.serve();
    let (_driver, client) = start_browser().await;
    sign_in(&client, &server, common::web::PLA_EDITOR).await;
    client
        .goto(&server.url("/provider/offerings/new"))
        .await
        .unwrap();
    let found = violations(&client, &axe).await;
    assert!(found.is_empty(), "the new offering form: {found:#?}");

    let title = "A browser-entered course on branch budgets";
    type_into(&client, "#input-title", title).await;
    type_into(
        &client,
        "#input-description",
        "Reading and defending a branch budget, entered through a real browser.",
    )
    .await;
    let select = |css: &'static str, value: &'static str| {
        let client = client.clone();
        async move {
            let element = client.find(Locator::Css(css)).await.unwrap();
            element.select_by_value(value).await.unwrap();
        }
    };
    select("#input-format", "online_live").await;
    select("#input-level", "intermediate").await;
    click(&client, "input[name=audiences][value=librarians]").await;
    pick(&client, "#input-start_date", "2027-03-10").await;
    pick(&client, "#input-start_time", "14:00").await;
    pick(&client, "#input-end_date", "2027-03-10").await;
    pick(&client, "#input-end_time", "15:30").await;
    select("#input-timezone", "America/Chicago").await;

    // The trees start folded; the filter keeps what matches and opens its frameworks.
    assert!(!shown(&client, "input[value='cpla:BF']").await, "folded");
    type_into(&client, "#competency-filter", "budget").await;
    assert!(
        shown(&client, "input[value='cpla:BF']").await,
        "a match shows"
    );
    assert!(
        shown(&client, "input[value='ala-core:8A']").await,
        "and in other frameworks"
    );
    assert!(
        !shown(&client, "input[value='ala-core:1']").await,
        "the rest is hidden"
    );
    click(&client, "input[value='cpla:BF']").await;
    click(&client, "input[name=certifications][value=cpla]").await;
    let found = violations(&client, &axe).await;
    assert!(found.is_empty(), "the filled form: {found:#?}");

    click(&client, "form.offering-form button[type=submit]").await;
    wait_for_address(&client, "/provider?done=submitted").await;
    let listed = client.source().await.unwrap();
    assert!(listed.contains(title), "the submission is listed");
    client.close().await.unwrap();
    let pending = catalog.run_ok(&["review", "list"]);
    assert!(pending.contains(title), "{pending}");
}

/// A learner (#16) joins, saves offerings to a plan and marks them complete through the pages,
/// and follows the LSSC pathway: every learner page passes axe-core and fits a phone. With
/// `CLEARINGHOUSE_PATHWAY_SCREENSHOT=docs/pathway.png` it also photographs the pathway page for
/// the README.
#[tokio::test(flavor = "multi_thread")]
async fn a_learner_joins_records_ce_and_follows_a_pathway_with_no_accessibility_violations() {
    let Some(axe) = tools_present() else { return };
    let catalog = common::seeded_catalog();
    let server = catalog.serve();
    let (_driver, client) = start_browser().await;
    let mut problems = Vec::new();
    let mut audit = |page: String, found: Vec<String>| {
        problems.extend(found.into_iter().map(|v| format!("{page}: {v}")))
    };
    let email = "reader@library.example.org";

    client.goto(&server.url("/join")).await.unwrap();
    audit("join".into(), violations(&client, &axe).await);
    type_into(&client, "#input-email", email).await;
    type_into(&client, "#input-password", "short").await;
    // The browser's own check (minlength) would stop a short password; the server's is audited.
    client
        .execute(
            "document.querySelector('#input-password').removeAttribute('minlength')",
            vec![],
        )
        .await
        .unwrap();
    click(&client, "form.offering-form button[type=submit]").await;
    wait_for(&client, ".error-summary").await;
    audit("join with errors".into(), violations(&client, &axe).await);
    client.goto(&server.url("/join")).await.unwrap();
    type_into(&client, "#input-email", email).await;
    type_into(&client, "#input-password", common::web::PASSWORD).await;
    click(&client, "form.offering-form button[type=submit]").await;
    wait_for(&client, "p.notice").await;
    sign_in(&client, &server, email).await;
    wait_for_address(&client, "/me").await;
    audit("an empty record".into(), violations(&client, &axe).await);

    // Save four approved offerings and a dated one, then mark the four complete.
    for offering in [
        "webjunction-customer-service-foundations-self-paced",
        "unt-coi-de-escalation-difficult-patrons-houston-2027",
        "webjunction-helping-patrons-with-everyday-technology",
        "cla-readers-advisory-genre-fiction",
        "pla-de-escalation-public-service-desk-las-vegas",
    ] {
        client
            .goto(&server.url(&format!("/me/plan/add/{offering}")))
            .await
            .unwrap();
        click(&client, "main form button[type=submit]").await;
        wait_for_address(&client, "done=saved").await;
    }
    audit(
        "a record with a plan".into(),
        violations(&client, &axe).await,
    );
    for offering in [
        "webjunction-customer-service-foundations-self-paced",
        "unt-coi-de-escalation-difficult-patrons-houston-2027",
        "webjunction-helping-patrons-with-everyday-technology",
        "cla-readers-advisory-genre-fiction",
    ] {
        client.goto(&server.url("/me")).await.unwrap();
        let button =
            format!("#plan li[data-offering='{offering}'] form[action='/me/completions'] button");
        click(&client, &button).await;
        wait_for_address(&client, "done=completed").await;
    }
    audit(
        "a record with completions".into(),
        violations(&client, &axe).await,
    );

    client.goto(&server.url("/me/pathways/lssc")).await.unwrap();
    let progress = client
        .find(Locator::Id("progress"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    if !progress.starts_with("4 of 6 sets") {
        client.goto(&server.url("/me")).await.unwrap();
        panic!("{progress}: {}", client.source().await.unwrap());
    }
    audit("pathway".into(), violations(&client, &axe).await);
    if let Ok(path) = std::env::var("CLEARINGHOUSE_PATHWAY_SCREENSHOT") {
        client.set_window_size(1280, 1500).await.unwrap();
        let png = client.screenshot().await.unwrap();
        std::fs::write(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path), png).unwrap();
        client.set_window_size(1280, 1000).await.unwrap();
    }
    for (name, path) in [
        ("certification", "/certifications/lssc"),
        ("series", "/series/amigos-lssc-cataloging-essentials-2027"),
        (
            "offering with a prerequisite path",
            "/offerings/amigos-cataloging-essentials-3-subjects-classification",
        ),
        ("transcript", "/me/transcript"),
        ("delete account", "/me/delete"),
        (
            "save to plan",
            "/me/plan/add/amigos-cataloging-essentials-1-marc-copy-cataloging",
        ),
    ] {
        client.goto(&server.url(path)).await.unwrap();
        audit(name.into(), violations(&client, &axe).await);
    }

    fits_a_phone(
        &client,
        &server,
        &[
            "/join",
            "/me",
            "/me/pathways/lssc",
            "/certifications/lssc",
            "/series/amigos-lssc-cataloging-essentials-2027",
            "/me/transcript",
        ],
    )
    .await;
    close_with_no_violations(client, problems).await;
}
