//! What the integration tests share: the real binary, a temporary catalog (database and index
//! folder), and a running server on a free port that is stopped when the test ends.
#![allow(dead_code)] // each test binary uses its own part of these helpers

pub mod disk;
pub mod web;

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use tempfile::TempDir;

/// A catalog of its own: a database file and an index folder in a temporary folder.
pub struct Catalog {
    pub dir: TempDir,
}

impl Catalog {
    pub fn new() -> Self {
        Catalog {
            dir: tempfile::tempdir().expect("a temporary folder"),
        }
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("catalog.db")
    }

    pub fn index(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    /// The binary with this catalog's `--db` and `--index`.
    pub fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_clearinghouse"));
        command
            .arg("--db")
            .arg(self.db())
            .arg("--index")
            .arg(self.index());
        command
            .env_remove("CLEARINGHOUSE_DB")
            .env_remove("CLEARINGHOUSE_INDEX")
            .env("RUST_LOG", "warn");
        command
    }

    /// Runs the binary with `args` and returns what it did.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("the binary runs")
    }

    /// Runs the binary and insists it succeeds; returns its standard output.
    pub fn run_ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "{args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// `user add --password-stdin ARGS`, with `password` on standard input.
    pub fn add_user(&self, args: &[&str], password: &str) -> Output {
        let mut child = self
            .command()
            .args(["user", "add", "--password-stdin"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{password}\n").as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    pub fn import(&self, bundle: &Path) -> String {
        self.run_ok(&["import", bundle.to_str().unwrap()])
    }

    /// A generated bundle of `count` offerings (new ids over the seed's providers).
    pub fn generated(&self, count: usize) -> TempDir {
        let out = tempfile::tempdir().unwrap();
        self.run_ok(&[
            "generate",
            "--offerings",
            &count.to_string(),
            out.path().to_str().unwrap(),
        ]);
        out
    }

    /// Exports the catalog into a new folder and returns it.
    pub fn export(&self) -> TempDir {
        let out = tempfile::tempdir().unwrap();
        self.run_ok(&["export", out.path().to_str().unwrap()]);
        out
    }

    /// Starts `serve` on a free port and waits until it is healthy.
    pub fn serve(&self) -> Server {
        self.serve_with(&[])
    }

    /// Starts `serve` with more options (`--secure-cookies`) and waits until it is healthy.
    pub fn serve_with(&self, options: &[&str]) -> Server {
        let server = self.start_serving(options);
        server.wait_until_healthy();
        server
    }

    /// Starts `serve OPTIONS` on a free port and returns once it listens, healthy or not.
    pub fn start_serving(&self, options: &[&str]) -> Server {
        let mut child = self
            .command()
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(options)
            .env_remove("CLEARINGHOUSE_BIND")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("serve starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let base = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(address) = line.strip_prefix("listening on ") {
                        break address.to_owned();
                    }
                }
                _ => {
                    let status = child.wait();
                    panic!("serve ended before listening: {status:?}");
                }
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, base }
    }
}

/// The seed folder of the project.
pub fn seed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seed")
}

/// A copy of the seed in a temporary folder, for tests that break it on purpose.
pub fn seed_copy() -> TempDir {
    let copy = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(seed_dir()).unwrap() {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|ext| ext == "json") {
            std::fs::copy(entry.path(), copy.path().join(entry.file_name())).unwrap();
        }
    }
    copy
}

pub fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The same JSON with every number as a float: `25` and `25.0` are the same number.
pub fn numbers_as_floats(value: &Value) -> Value {
    match value {
        Value::Number(n) => n.as_f64().map(Value::from).unwrap_or(Value::Null),
        Value::Array(items) => Value::Array(items.iter().map(numbers_as_floats).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), numbers_as_floats(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Says a test was skipped where a plain `cargo test` shows it: written to the standard error
/// itself, which the test harness does not capture (it captures `eprintln!`, and shows it only
/// when the test fails).
pub fn say_skipped(message: &str) {
    let _ = writeln!(std::io::stderr(), "SKIPPED: {message}");
}

pub fn write_json(path: &Path, value: &Value) {
    std::fs::write(path, serde_json::to_string_pretty(value).unwrap()).unwrap();
}

/// A running `clearinghouse serve`, killed when dropped.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn wait_until_healthy(&self) {
        for _ in 0..200 {
            if let Ok(response) = ureq::get(&self.url("/healthz")).call()
                && response.status() == 200
            {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("the server never became healthy");
    }

    /// GET a path; any status comes back as a response, not an error.
    pub fn get(&self, path: &str) -> (u16, String) {
        let mut response = ureq::get(&self.url(path))
            .config()
            .http_status_as_error(false)
            .build()
            .call()
            .expect("the server answers");
        let status = response.status().as_u16();
        (
            status,
            response.body_mut().read_to_string().unwrap_or_default(),
        )
    }
}

impl Server {
    /// How many offerings (past ones too) a search finds for its words as typed, through the
    /// JSON API: when those find nothing and the answer is a corrected query's, none. Quote a
    /// word to count only the offerings that have it: a word in fewer than ten is followed by
    /// related offerings.
    pub fn total(&self, query: &str) -> u64 {
        let (_, body) = self.get(&format!("/api/v1/search?{query}&include_past=true"));
        let results: Value = serde_json::from_str(&body).unwrap();
        if !results["corrected_query"].is_null() {
            return 0;
        }
        results["total"].as_u64().unwrap()
    }
}

/// A server of its own on a copy of a seeded catalog built once per test binary: the server is
/// stopped when the test ends (fields drop in order: the server before its folder).
pub struct Seeded {
    pub server: Server,
    _catalog: Catalog,
}

pub fn seeded() -> Seeded {
    let catalog = seeded_catalog();
    Seeded {
        server: catalog.serve(),
        _catalog: catalog,
    }
}

/// A catalog of its own holding the seed, copied from a template imported once per test binary.
pub fn seeded_catalog() -> Catalog {
    // Built once per run in cargo's folder for test files, which outlives no test run.
    static TEMPLATE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let template = TEMPLATE.get_or_init(|| {
        let catalog = Catalog::new();
        catalog.import(&seed_dir());
        let folder = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let name = format!("seeded-{}.db", std::process::id());
        // Templates of test binaries that have ended are removed; those of binaries still
        // running (another worktree may share this folder) are theirs to use.
        for old in std::fs::read_dir(folder).into_iter().flatten().flatten() {
            let file = old.file_name().to_string_lossy().into_owned();
            let Some(rest) = file
                .strip_prefix("seeded-")
                .or_else(|| file.strip_prefix("relevance-"))
            else {
                continue;
            };
            let running = rest
                .split('.')
                .next()
                .and_then(|pid| pid.parse::<u32>().ok())
                .is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
            if !running {
                let _ = std::fs::remove_file(old.path());
            }
        }
        let path = folder.join(name);
        std::fs::copy(catalog.db(), &path).unwrap();
        path
    });
    let catalog = Catalog::new();
    std::fs::copy(template, catalog.db()).unwrap();
    catalog
}

impl Seeded {
    /// The JSON answer of `/api/v1/search?{query}`, which must be 200.
    pub fn search(&self, query: &str) -> Value {
        let (status, body) = self.server.get(&format!("/api/v1/search?{query}"));
        assert_eq!(status, 200, "{query}: {body}");
        serde_json::from_str(&body).unwrap()
    }
}

/// The hits of a search's JSON answer.
pub fn hits(results: &Value) -> &Vec<Value> {
    results["hits"].as_array().unwrap()
}

/// Everything a reader sees of an offering in a hit, lowercased.
pub fn text_of(hit: &Value) -> String {
    let mut text = format!("{} {} ", hit["title"], hit["description"]);
    for outcome in hit["learning_outcomes"].as_array().into_iter().flatten() {
        text.push_str(outcome.as_str().unwrap_or_default());
    }
    text.to_lowercase()
}

/// Waits up to five seconds for `check` to hold, for what has no promised delay.
pub fn eventually(what: &str, check: impl FnMut() -> bool) {
    within(std::time::Duration::from_secs(5), what, check)
}

/// Waits up to one second for `check` to hold: the README promises that a write to the database
/// shows in search within a second.
pub fn within_a_second(what: &str, check: impl FnMut() -> bool) {
    within(std::time::Duration::from_secs(1), what, check)
}

/// Waits up to `limit` for `check` to hold.
pub fn within(limit: std::time::Duration, what: &str, mut check: impl FnMut() -> bool) {
    let started = std::time::Instant::now();
    while !check() {
        assert!(
            started.elapsed() < limit,
            "{what} did not happen within {limit:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

impl Server {
    /// Sends SIGTERM and returns how long the server took to exit.
    pub fn terminate(&mut self) -> std::time::Duration {
        let started = std::time::Instant::now();
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success());
        self.child.wait().expect("the server exits");
        started.elapsed()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
