//! The load test: searches, form submissions, uploads and approvals together against the release
//! server on a generated catalog, then a check that every acknowledged write is there.
//!
//! ```sh
//! cargo build --release
//! cargo run --release --example load_test -- [SECONDS] [OFFERINGS]   # default 60 and 20000
//! ```
//!
//! It also times `import` of the generated bundle as JSON and as JSON Lines. It prints the count,
//! errors, p50 and p99 of each kind of request, and exits 1 when any request failed, any
//! acknowledged write is missing, or the p99 of a kind of write is 500 ms or more.

use anyhow::{Context, Result, bail, ensure};
use clearinghouse::store::{Role, Store};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use ureq::Agent;

const PASSWORD: &str = "a long enough password";
const WRITE_P99_LIMIT: Duration = Duration::from_millis(500);
const SEARCHES: [&str; 12] = [
    "cataloging",
    "grant writing",
    "storytime",
    "how do I start a seed library",
    "board budget",
    "ILL",
    "teen services",
    "digital literacy",
    "weeding",
    "customer service",
    "leadership",
    "copyright",
];

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().map_or(Ok(60), |a| a.parse())?;
    let offerings: usize = args.next().map_or(Ok(20_000), |a| a.parse())?;
    let binary = PathBuf::from(
        std::env::var("CLEARINGHOUSE_BIN")
            .unwrap_or_else(|_| "target/release/clearinghouse".into()),
    );
    ensure!(
        binary.exists(),
        "no {}: run `cargo build --release` first",
        binary.display()
    );
    let folder = tempfile::tempdir()?;
    let catalog = Catalog {
        binary,
        db: folder.path().join("load.db"),
        index: folder.path().join("index"),
    };
    let bundle = folder.path().join("bundle");
    catalog.run(&[
        "generate",
        "--offerings",
        &offerings.to_string(),
        path(&bundle),
    ])?;
    time_imports(&catalog, &bundle, folder.path(), offerings)?;
    let providers = accounts(&catalog)?;
    let server = catalog.serve()?;
    println!(
        "load: {seconds} s of searches, submissions, uploads and approvals on {offerings} offerings"
    );
    let log = Log::default();
    run_load(&server, &providers, Duration::from_secs(seconds), &log);
    std::thread::sleep(Duration::from_secs(2));
    let missing = verify(&catalog, &server, &log)?;
    drop(server);
    report(&log, missing)
}

/// Times `import` of the bundle as JSON, then as JSON Lines into a second catalog.
fn time_imports(catalog: &Catalog, bundle: &Path, folder: &Path, offerings: usize) -> Result<()> {
    let started = Instant::now();
    let stored_json = catalog.output(&["import", path(bundle)])?;
    let json = started.elapsed();
    let lines_bundle = folder.join("bundle-lines");
    std::fs::create_dir_all(&lines_bundle)?;
    for file in ["competencies.json", "providers.json"] {
        std::fs::copy(bundle.join(file), lines_bundle.join(file))?;
    }
    let all: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(bundle.join("offerings.json"))?)?;
    let mut lines = std::fs::File::create(lines_bundle.join("offerings.jsonl"))?;
    for offering in &all {
        writeln!(lines, "{offering}")?;
    }
    let other = Catalog {
        binary: catalog.binary.clone(),
        db: folder.join("lines.db"),
        index: folder.join("lines-index"),
    };
    let started = Instant::now();
    let stored_lines = other.output(&["import", path(&lines_bundle)])?;
    let jsonl = started.elapsed();
    for (form, took, said) in [
        ("JSON", json, stored_json),
        ("JSON Lines", jsonl, stored_lines),
    ] {
        // The command's own line times reading and storing; the search index follows after.
        let stored = said
            .lines()
            .find(|l| l.starts_with("imported"))
            .unwrap_or_default();
        println!(
            "import as {form}: {stored}; with indexing {:.1} s ({:.0} a second)",
            took.as_secs_f64(),
            offerings as f64 / took.as_secs_f64()
        );
    }
    Ok(())
}

/// An administrator and an editor for each of three providers; returns the providers' ids.
fn accounts(catalog: &Catalog) -> Result<Vec<String>> {
    let store = Store::open(&catalog.db)?;
    store.add_user("admin@load.example.org", Role::Admin, None, PASSWORD)?;
    let providers: Vec<String> = store
        .providers()?
        .into_iter()
        .take(3)
        .map(|p| p.id)
        .collect();
    for provider in &providers {
        store.add_user(&editor(provider), Role::Provider, Some(provider), PASSWORD)?;
    }
    Ok(providers)
}

fn editor(provider: &str) -> String {
    format!("editor@{provider}.example.org")
}

/// What the load did: each request's kind, time and whether it succeeded, and the writes acknowledged.
#[derive(Default)]
struct Log {
    timings: Mutex<Vec<(&'static str, Duration)>>,
    errors: Mutex<Vec<String>>,
    /// Offering ids a form or an upload was acknowledged for.
    submitted: Mutex<Vec<String>>,
    approved: Mutex<usize>,
}

impl Log {
    fn record(&self, kind: &'static str, started: Instant, outcome: Result<(), String>) {
        self.timings.lock().unwrap().push((kind, started.elapsed()));
        if let Err(error) = outcome {
            self.errors.lock().unwrap().push(format!("{kind}: {error}"));
        }
    }
}

fn run_load(server: &Server, providers: &[String], length: Duration, log: &Log) {
    let deadline = Instant::now() + length;
    std::thread::scope(|scope| {
        for worker in 0..3 {
            scope.spawn(move || search(server, worker, deadline, log));
        }
        for provider in &providers[..2] {
            scope.spawn(move || submit_forms(server, provider, deadline, log));
        }
        scope.spawn(move || upload(server, &providers[2], deadline, log));
        scope.spawn(move || approve(server, deadline, log));
    });
}

fn search(server: &Server, worker: usize, deadline: Instant, log: &Log) {
    let agent = agent();
    let mut n = worker;
    while Instant::now() < deadline {
        let words = SEARCHES[n % SEARCHES.len()];
        n += 1;
        let started = Instant::now();
        let answer = agent
            .get(&server.url("/api/v1/search"))
            .query("q", words)
            .call();
        log.record("search", started, expect(answer, 200));
    }
}

fn submit_forms(server: &Server, provider: &str, deadline: Instant, log: &Log) {
    let Ok((agent, csrf)) = sign_in(server, &editor(provider), "/provider/offerings/new") else {
        log.errors
            .lock()
            .unwrap()
            .push(format!("{provider} could not sign in"));
        return;
    };
    let mut n = 0;
    while Instant::now() < deadline {
        n += 1;
        let id = format!("load-{provider}-{n}");
        let title = format!("Load test session {n} of {provider}");
        let day = format!("2027-{:02}-{:02}", 1 + n % 12, 1 + n % 28);
        let form = [
            ("csrf", csrf.as_str()),
            ("idempotency_key", id.as_str()),
            ("id", id.as_str()),
            ("title", title.as_str()),
            (
                "description",
                "A session submitted by the load test to measure writes.",
            ),
            ("format", "online_live"),
            ("level", "introductory"),
            ("audiences", "support_staff"),
            ("competencies", "lssc:FLS.3"),
            ("start_date", day.as_str()),
            ("start_time", "14:00"),
            ("end_date", day.as_str()),
            ("end_time", "15:00"),
            ("timezone", "America/Phoenix"),
            ("confirm_distinct", "yes"),
        ];
        let started = Instant::now();
        let answer = agent
            .post(&server.url("/provider/offerings/new"))
            .send_form(form);
        let outcome = expect(answer, 303);
        if outcome.is_ok() {
            log.submitted.lock().unwrap().push(id);
        }
        log.record("submit form", started, outcome);
    }
}

fn upload(server: &Server, provider: &str, deadline: Instant, log: &Log) {
    let Ok((agent, csrf)) = sign_in(server, &editor(provider), "/provider/upload") else {
        log.errors
            .lock()
            .unwrap()
            .push(format!("{provider} could not sign in"));
        return;
    };
    let mut batch = 0;
    while Instant::now() < deadline {
        batch += 1;
        let ids: Vec<String> = (0..50).map(|k| format!("upload-{batch}-{k}")).collect();
        let rows: Vec<String> = ids
            .iter()
            .enumerate()
            .map(|(k, id)| {
                let start = format!(
                    "2027-06-{:02}T{:02}:00:00-07:00",
                    1 + batch % 28,
                    8 + k % 10
                );
                let end = start.replace(":00:00-07", ":45:00-07");
                serde_json::json!({
                    "id": id, "title": format!("Uploaded session {id}"), "provider": provider,
                    "description": "A session uploaded in bulk by the load test.",
                    "format": "online_live", "audiences": ["librarians"], "level": "intermediate",
                    "start": start, "end": end,
                    "timezone": "America/Phoenix", "competencies": ["lssc:FLS.3"]
                })
                .to_string()
            })
            .collect();
        let boundary = "----load-test-boundary";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"rows.jsonl\"\r\n\
             Content-Type: text/plain\r\n\r\n{}\r\n--{boundary}--\r\n",
            rows.join("\n")
        );
        let started = Instant::now();
        let answer = agent
            .post(&server.url("/provider/upload"))
            .header(
                "Content-Type",
                &format!("multipart/form-data; boundary={boundary}"),
            )
            .send(body.as_bytes());
        let outcome = expect(answer, 200);
        if outcome.is_ok() {
            log.submitted.lock().unwrap().extend(ids);
        }
        log.record("upload 50 rows", started, outcome);
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn approve(server: &Server, deadline: Instant, log: &Log) {
    let Ok((agent, csrf)) = sign_in(server, "admin@load.example.org", "/admin") else {
        log.errors
            .lock()
            .unwrap()
            .push("the administrator could not sign in".into());
        return;
    };
    while Instant::now() < deadline {
        let started = Instant::now();
        let page = agent
            .get(&server.url("/admin"))
            .call()
            .map_err(|e| e.to_string())
            .and_then(|mut r| r.body_mut().read_to_string().map_err(|e| e.to_string()));
        let page = match page {
            Ok(page) => {
                log.record("review queue page", started, Ok(()));
                page
            }
            Err(error) => {
                log.record("review queue page", started, Err(error));
                continue;
            }
        };
        let Some(id) = first_pending(&page) else {
            std::thread::sleep(Duration::from_millis(200));
            continue;
        };
        let started = Instant::now();
        let answer = agent
            .post(&server.url(&format!("/admin/submissions/{id}/approve")))
            .send_form([("csrf", csrf.as_str())]);
        let outcome = expect(answer, 303);
        if outcome.is_ok() {
            *log.approved.lock().unwrap() += 1;
        }
        log.record("approve", started, outcome);
    }
}

fn first_pending(page: &str) -> Option<String> {
    let marker = "action=\"/admin/submissions/";
    let start = page.find(marker)? + marker.len();
    Some(page[start..].split('/').next()?.to_owned())
}

/// After the load: every acknowledged submission is stored, as many are approved as were
/// acknowledged, and the index agrees with the database. Returns what is missing.
fn verify(catalog: &Catalog, server: &Server, log: &Log) -> Result<Vec<String>> {
    let store = Store::open(&catalog.db)?;
    let mut stored = std::collections::HashSet::new();
    for provider in store.providers()? {
        for offering in store.offerings_of(&provider.id)? {
            stored.insert(offering.offering.id);
        }
    }
    let mut missing: Vec<String> = log
        .submitted
        .lock()
        .unwrap()
        .iter()
        .filter(|id| !stored.contains(*id))
        .map(|id| format!("submitted {id} is not stored"))
        .collect();
    let connection = rusqlite::Connection::open(&catalog.db)?;
    let approved: usize = connection.query_row(
        "SELECT count(*) FROM submissions WHERE status = 'approved'",
        [],
        |row| row.get::<_, i64>(0),
    )? as usize;
    let acknowledged = *log.approved.lock().unwrap();
    if approved != acknowledged {
        missing.push(format!(
            "{acknowledged} approvals acknowledged, {approved} stored"
        ));
    }
    let health = agent()
        .get(&server.url("/healthz"))
        .call()
        .map(|r| r.status().as_u16());
    if health.ok() != Some(200) {
        missing.push("the index has not caught up".into());
    }
    let check = catalog.output(&["check"])?;
    if !check.contains("agrees") {
        missing.push(format!("check: {check}"));
    }
    Ok(missing)
}

fn report(log: &Log, missing: Vec<String>) -> Result<()> {
    let timings = log.timings.lock().unwrap();
    let mut kinds: Vec<&str> = timings.iter().map(|(kind, _)| *kind).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let mut slow_writes = Vec::new();
    println!(
        "{:<20} {:>7} {:>9} {:>9} {:>9}",
        "request", "count", "p50 ms", "p99 ms", "max ms"
    );
    for kind in kinds {
        let mut times: Vec<Duration> = timings
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, t)| *t)
            .collect();
        times.sort_unstable();
        let at = |share: f64| times[((times.len() - 1) as f64 * share).round() as usize];
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{kind:<20} {:>7} {:>9.1} {:>9.1} {:>9.1}",
            times.len(),
            ms(at(0.5)),
            ms(at(0.99)),
            ms(at(1.0))
        );
        let write = kind != "search" && kind != "review queue page";
        if write && at(0.99) >= WRITE_P99_LIMIT {
            slow_writes.push(kind);
        }
    }
    let errors = log.errors.lock().unwrap();
    println!(
        "acknowledged: {} offerings submitted, {} approved; errors: {}; missing after: {}",
        log.submitted.lock().unwrap().len(),
        log.approved.lock().unwrap(),
        errors.len(),
        missing.len()
    );
    for line in errors.iter().take(10).chain(missing.iter().take(10)) {
        println!("  {line}");
    }
    if !errors.is_empty() || !missing.is_empty() || !slow_writes.is_empty() {
        bail!("the load test failed (slow writes: {slow_writes:?})");
    }
    println!("ok: no errors, every acknowledged write present, p99 of writes under 500 ms");
    Ok(())
}

fn expect(
    answer: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    status: u16,
) -> Result<(), String> {
    match answer {
        Ok(mut response) if response.status().as_u16() == status => {
            let _ = response.body_mut().read_to_vec();
            Ok(())
        }
        Ok(mut response) => {
            let body = response.body_mut().read_to_string().unwrap_or_default();
            Err(format!("{} {}", response.status(), what_went_wrong(&body)))
        }
        Err(error) => Err(error.to_string()),
    }
}

/// The page's first error message, without its markup.
fn what_went_wrong(page: &str) -> String {
    let from = page.find("class=\"error").unwrap_or(0);
    let mut text = String::new();
    let mut in_tag = false;
    for c in page[from..].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
        if text.len() > 160 {
            break;
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn agent() -> Agent {
    Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

/// Signs in through the form and returns the agent and the CSRF token of the page at `then`.
fn sign_in(server: &Server, email: &str, then: &str) -> Result<(Agent, String), String> {
    let agent = agent();
    let page = |path: &str| -> Result<String, String> {
        agent
            .get(&server.url(path))
            .call()
            .map_err(|e| e.to_string())?
            .body_mut()
            .read_to_string()
            .map_err(|e| e.to_string())
    };
    let login = page("/login")?;
    let answer = agent.post(&server.url("/login")).send_form([
        ("email", email),
        ("password", PASSWORD),
        ("csrf", &hidden(&login, "csrf")),
    ]);
    expect(answer, 303)?;
    let csrf = hidden(&page(then)?, "csrf");
    Ok((agent, csrf))
}

fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    page.find(&marker)
        .map(|at| {
            page[at + marker.len()..]
                .split('"')
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .unwrap_or_default()
}

fn path(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temporary path")
}

/// The release binary on a database and index of its own.
struct Catalog {
    binary: PathBuf,
    db: PathBuf,
    index: PathBuf,
}

impl Catalog {
    fn command(&self) -> Command {
        let mut command = Command::new(&self.binary);
        command
            .arg("--db")
            .arg(&self.db)
            .arg("--index")
            .arg(&self.index);
        command.env("RUST_LOG", "warn");
        command
    }

    fn output(&self, args: &[&str]) -> Result<String> {
        let output = self.command().args(args).output()?;
        Ok(String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr))
    }

    fn run(&self, args: &[&str]) -> Result<()> {
        let output = self.command().args(args).output()?;
        ensure!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Ok(())
    }

    fn serve(&self) -> Result<Server> {
        let mut child = self
            .command()
            .args(["serve", "--bind", "127.0.0.1:0", "--max-pending", "1000000"])
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout = child.stdout.take().context("no standard output")?;
        let mut lines = BufReader::new(stdout).lines();
        let base = loop {
            let line = lines.next().context("serve stopped before listening")??;
            if let Some(address) = line.strip_prefix("listening on ") {
                break address.to_owned();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Ok(Server { child, base })
    }
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
