//! The command line: clap parses it into a `Command`, which runs against the library.

mod followups;
mod report;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use clearinghouse::search::{SearchError, SearchIndex};
use clearinghouse::store::{Role, Store};
use clearinghouse::web::{self, AppState};
use clearinghouse::{bundle, seed};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The CE Clearinghouse: continuing-education offerings for library staff, searchable by topic,
/// competency, format, date, place, cost and credits.
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Cli {
    /// The SQLite database file (created when missing).
    #[arg(
        long,
        global = true,
        env = "CLEARINGHOUSE_DB",
        default_value = "clearinghouse.db"
    )]
    pub db: PathBuf,
    /// The folder holding the search index.
    #[arg(
        long,
        global = true,
        env = "CLEARINGHOUSE_INDEX",
        default_value = "index"
    )]
    pub index: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Runs the web server (loading the seed into an empty database first).
    Serve {
        /// Address and port to listen on.
        #[arg(long, env = "CLEARINGHOUSE_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Mark cookies Secure: set this when the site is served over HTTPS (by a proxy in front).
        #[arg(long, env = "CLEARINGHOUSE_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Seconds the search index may stay behind the database (e.g. on a full disk) before
        /// `/healthz` answers 503.
        #[arg(long, env = "CLEARINGHOUSE_MAX_INDEX_LAG", default_value_t = 60)]
        max_index_lag: u64,
        /// How many submissions one provider may have waiting for review at once.
        #[arg(long, env = "CLEARINGHOUSE_MAX_PENDING", default_value_t = clearinghouse::store::DEFAULT_MAX_PENDING)]
        max_pending: usize,
        /// Send the participants' follow-ups through this SMTP server when due:
        /// `smtp://[user:password@]host[:port]` (plain SMTP, e.g. a local relay; no TLS).
        /// Without it, `clearinghouse followups export` gives them for a mail merge.
        #[arg(long, env = "CLEARINGHOUSE_SMTP_URL", requires = "mail_from")]
        smtp_url: Option<String>,
        /// The sender of the follow-ups, e.g. "CE Clearinghouse <ce@example.org>".
        #[arg(long, env = "CLEARINGHOUSE_MAIL_FROM", requires = "smtp_url")]
        mail_from: Option<String>,
        /// Days after an answer its follow-up is due (60). For trying the mail out and for
        /// tests, which cannot wait two months: 0 makes it due at once.
        #[arg(long, env = "CLEARINGHOUSE_FOLLOWUP_AFTER_DAYS", default_value_t = clearinghouse::participant_evaluations::FOLLOWUP_AFTER_DAYS, hide = true)]
        followup_after_days: u32,
        /// Seconds between two looks at the follow-up queue (60); tests shorten it.
        #[arg(
            long,
            env = "CLEARINGHOUSE_FOLLOWUP_INTERVAL",
            default_value_t = 60,
            hide = true
        )]
        followup_interval: u64,
    },
    /// Validates a bundle folder, then adds or updates all of it in one transaction.
    Import {
        /// Folder holding competencies.json, providers.json and offerings.json (or .jsonl).
        bundle_dir: PathBuf,
    },
    /// Writes the published catalog as a bundle folder.
    Export {
        /// Folder to write (created when missing; its bundle files are replaced).
        out_dir: PathBuf,
    },
    /// Rebuilds the search index in a new generation and switches to it; a running server
    /// keeps answering from the old one until the switch, then serves the new one.
    Reindex,
    /// Writes a consistent copy of the database to FILE (users, submissions and the audit log
    /// included), safe while the server runs and writes.
    Backup {
        /// The backup file to write (replaced only once the copy is complete).
        file: PathBuf,
    },
    /// Replaces the database with a backup made by `backup`, then rebuilds the search index
    /// from it.
    Restore {
        /// The backup file to restore.
        file: PathBuf,
    },
    /// Compares the database and the search index (counts, ids, revisions); exits 1 when they
    /// disagree.
    Check,
    /// Manages accounts: administrators and provider users.
    #[command(subcommand)]
    User(UserCommand),
    /// Moderates submissions from the command line.
    #[command(subcommand)]
    Review(ReviewCommand),
    /// Writes a synthetic bundle of N offerings over the seed's frameworks and providers, for
    /// trying the catalog at scale (the same bundle for the same --seed).
    Generate {
        /// How many offerings.
        #[arg(long)]
        offerings: usize,
        /// Seed of the random choices.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Folder to write.
        out_dir: PathBuf,
    },
    /// The participants' follow-ups, for a mail merge when the server sends no mail.
    #[command(subcommand)]
    Followups(followups::Command),
    /// Writes a report (coverage, places, trends, demand) as CSV or JSON on standard output, or
    /// stores today's coverage figures (`snapshot`, monthly from cron) for the trends report.
    Report(report::Options),
    /// Measures search quality on the seed: runs a judged query set and prints nDCG@10, MRR,
    /// recall@20 and the zero-result rate per query, per kind and overall, beside a plain BM25
    /// baseline. Works in a temporary folder; --db and --index are not used.
    Evaluate {
        /// Folder of judged query files (*.json).
        #[arg(default_value = "tests/relevance")]
        judged_dir: PathBuf,
        /// Instead of the figures, show the ranking of these queries (by id) beside their
        /// judgments.
        #[arg(long)]
        show: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Creates an account; asks for the password on the terminal, or reads it from standard input.
    Add {
        #[arg(long)]
        email: String,
        /// admin or provider.
        #[arg(long)]
        role: Role,
        /// The provider a provider user belongs to.
        #[arg(long)]
        provider: Option<String>,
        /// Read the password from the first line of standard input (for scripts).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Lists the accounts.
    List,
    /// Disables an account: it can no longer sign in.
    Disable {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// The pending submissions, oldest first: one a line, its id, provider and title; then the
    /// organisations that applied to join, one a line: `application`, provider id, name and
    /// the applicants' addresses.
    List,
    /// Publishes a submission.
    Approve { id: i64 },
    /// Rejects a submission with a reason the provider sees.
    Reject {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    /// Asks the provider for changes, with a note they see; they resubmit through the form.
    Return {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    /// Decides an organisation's application to join: its accounts are enabled, or it is
    /// removed.
    Application {
        provider: String,
        #[arg(value_parser = ["approve", "decline"])]
        decision: String,
    },
}

impl Cli {
    pub fn run(self) -> Result<()> {
        match self.command {
            Command::Serve {
                bind,
                secure_cookies,
                max_index_lag,
                max_pending,
                smtp_url,
                mail_from,
                followup_after_days,
                followup_interval,
            } => serve(
                &self.db,
                &self.index,
                &bind,
                secure_cookies,
                Limits {
                    max_index_lag: Duration::from_secs(max_index_lag),
                    max_pending,
                },
                Mail {
                    mailer: match (smtp_url, mail_from) {
                        (Some(url), Some(from)) => {
                            Some(clearinghouse::followups::Mailer::new(&url, &from)?)
                        }
                        _ => None,
                    },
                    after_days: followup_after_days,
                    interval: Duration::from_secs(followup_interval.max(1)),
                },
            ),
            Command::Import { bundle_dir } => import(&self.db, &self.index, &bundle_dir),
            Command::Export { out_dir } => export(&self.db, &out_dir),
            Command::Reindex => reindex(&self.db, &self.index),
            Command::Check => check(&self.db, &self.index),
            Command::Backup { file } => backup(&self.db, &file),
            Command::Restore { file } => restore(&self.db, &self.index, &file),
            Command::User(command) => user(&self.db, command),
            Command::Review(command) => review(&self.db, &self.index, command),
            Command::Generate {
                offerings,
                seed,
                out_dir,
            } => generate(offerings, seed, &out_dir),
            Command::Evaluate { judged_dir, show } => evaluate(&judged_dir, &show),
            Command::Report(options) => report::run(&self.db, &self.index, &options),
            Command::Followups(command) => followups::run(&self.db, &command),
        }
    }
}

fn open_store(db: &Path) -> Result<Store> {
    Store::open(db).with_context(|| format!("cannot open the database {}", db.display()))
}

fn progress_bar(length: usize, message: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(length as u64);
    if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message);
    bar
}

fn import(db: &Path, index: &Path, dir: &Path) -> Result<()> {
    let started = std::time::Instant::now();
    let bundle = bundle::StreamedBundle::open(dir)
        .with_context(|| format!("cannot import {}", dir.display()))?;
    let store = open_store(db)?;
    let bar = progress_bar(0, "importing");
    let summary = store.import_streamed(&bundle, &|done, total| {
        if done % 256 == 0 || done == total {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    });
    bar.finish_and_clear();
    let summary =
        summary.with_context(|| format!("cannot import {}; nothing was changed", dir.display()))?;
    let stored = started.elapsed().as_secs_f64();
    let offerings = summary.offerings.total();
    catch_up_if_free(&store, index);
    let took = started.elapsed().as_secs_f64();
    println!(
        "imported {} in {took:.1} s ({:.0} offerings a second; {stored:.1} s to check and store, \
         {:.1} s to index)\n{summary}",
        dir.display(),
        offerings as f64 / took.max(0.001),
        took - stored,
    );
    Ok(())
}

/// Brings the index up to date when no server holds it; a running server catches up by itself.
fn catch_up_if_free(store: &Store, index: &Path) {
    match SearchIndex::open(index, seed::vocabulary()).and_then(|index| index.catch_up(store)) {
        Ok(count) => tracing::debug!(count, "search index caught up"),
        Err(SearchError::Busy) => tracing::debug!("a server holds the index; it will catch up"),
        Err(error) => eprintln!(
            "warning: the search index was not updated ({error}); run `clearinghouse reindex`"
        ),
    }
}

fn reindex(db: &Path, index: &Path) -> Result<()> {
    let store = open_store(db)?;
    let bar = progress_bar(0, "indexing");
    let started = std::time::Instant::now();
    let name = SearchIndex::reindex(index, &store, &|done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    });
    let indexed = bar.length().unwrap_or_default();
    bar.finish_and_clear();
    let name = name.with_context(|| format!("cannot rebuild the index in {}", index.display()))?;
    let took = started.elapsed().as_secs_f64();
    println!(
        "reindexed {indexed} offerings in {took:.1} s ({:.0} a second) into {}/{name} and switched to it",
        indexed as f64 / took.max(0.001),
        index.display()
    );
    Ok(())
}

fn backup(db: &Path, file: &Path) -> Result<()> {
    let store = open_store(db)?;
    store
        .backup_to(file)
        .with_context(|| format!("cannot back up to {}", file.display()))?;
    println!("backed up {} to {}", db.display(), file.display());
    Ok(())
}

fn restore(db: &Path, index: &Path, file: &Path) -> Result<()> {
    clearinghouse::store::restore(db, file).with_context(|| {
        format!(
            "cannot restore {}; the database is unchanged",
            file.display()
        )
    })?;
    println!("restored {} from {}", db.display(), file.display());
    // The index may hold revisions the backup never reached: build it again from what it holds.
    reindex(db, index)
}

/// What the command line does is recorded under this name in the audit log.
const COMMAND_LINE: &str = "command line";

fn read_password(from_stdin: bool) -> Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        return Ok(line.trim_end_matches(['\n', '\r']).to_owned());
    }
    if !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "no terminal to ask for the password on: pass --password-stdin and pipe it in"
        );
    }
    let first = rpassword::prompt_password("Password: ")?;
    let second = rpassword::prompt_password("Again: ")?;
    anyhow::ensure!(first == second, "the two passwords differ");
    Ok(first)
}

fn user(db: &Path, command: UserCommand) -> Result<()> {
    let store = open_store(db)?;
    match command {
        UserCommand::Add {
            email,
            role,
            provider,
            password_stdin,
        } => {
            let password = read_password(password_stdin)?;
            let user = store.add_user(&email, role, provider.as_deref(), &password)?;
            println!(
                "added {} ({}{})",
                user.email,
                user.role.as_str(),
                user.provider
                    .map(|p| format!(" of {p}"))
                    .unwrap_or_default()
            );
        }
        UserCommand::List => {
            // An organisation's first user waits, inactive, until its application is decided.
            let applicants: std::collections::HashSet<String> = store
                .applications()?
                .into_iter()
                .flat_map(|(_, users)| users)
                .collect();
            for user in store.users()? {
                let state = match (user.active, applicants.contains(&user.email)) {
                    (true, _) => "active",
                    (false, true) => "awaiting approval",
                    (false, false) => "disabled",
                };
                println!(
                    "{}\t{}\t{}\t{state}",
                    user.email,
                    user.role.as_str(),
                    user.provider.unwrap_or_else(|| "-".into())
                );
            }
        }
        UserCommand::Disable { email } => {
            store.disable_user(&email, COMMAND_LINE)?;
            println!("disabled {email}");
        }
    }
    Ok(())
}

fn review(db: &Path, index: &Path, command: ReviewCommand) -> Result<()> {
    let store = open_store(db)?;
    match command {
        ReviewCommand::List => {
            for submission in store.pending_submissions()? {
                println!(
                    "{}\t{}\t{}",
                    submission.id, submission.offering.provider, submission.offering.title
                );
            }
            for (provider, users) in store.applications()? {
                println!(
                    "application\t{}\t{}\t{}",
                    provider.id,
                    provider.name,
                    users.join(", ")
                );
            }
        }
        ReviewCommand::Approve { id } => {
            let submission = store.approve(id, COMMAND_LINE)?;
            println!("approved {id}: {} is published", submission.offering.id);
            catch_up_if_free(&store, index);
        }
        ReviewCommand::Reject { id, reason } => {
            let submission = store.reject(id, &reason, COMMAND_LINE)?;
            println!("rejected {id}: {}", submission.offering.id);
            catch_up_if_free(&store, index);
        }
        ReviewCommand::Return { id, reason } => {
            let submission = store.return_for_changes(id, &reason, COMMAND_LINE)?;
            println!("asked for changes to {id}: {}", submission.offering.id);
        }
        ReviewCommand::Application { provider, decision } => {
            store.decide_application(&provider, decision == "approve", COMMAND_LINE)?;
            println!("application of {provider}: {decision}d");
            catch_up_if_free(&store, index);
        }
    }
    Ok(())
}

fn generate(count: usize, random_seed: u64, dir: &Path) -> Result<()> {
    let base = seed::bundle().context("the compiled-in seed is invalid")?;
    let bundle = clearinghouse::generate::synthetic(&base, count, random_seed);
    bundle
        .write_dir(dir)
        .with_context(|| format!("cannot write {}", dir.display()))?;
    println!("wrote {count} synthetic offerings to {}", dir.display());
    Ok(())
}

fn evaluate(judged_dir: &Path, show: &[String]) -> Result<()> {
    use clearinghouse::evaluation;
    let queries = evaluation::read_judged(judged_dir)?;
    let folder = tempfile::tempdir().context("cannot make a temporary folder")?;
    let index = evaluation::seeded_index(folder.path())?;
    if !show.is_empty() {
        for query in queries.iter().filter(|q| show.contains(&q.id)) {
            print!("{}", evaluation::explain(&index, query)?);
        }
        return Ok(());
    }
    let report = evaluation::evaluate(&index, &queries)?;
    print!("{report}");
    let zero = report.zero_result_queries();
    if !zero.is_empty() {
        println!("found nothing: {}", zero.join(", "));
    }
    Ok(())
}

/// How long `check` waits for a server's catch-up to reach the revision it read.
const CHECK_PATIENCE: Duration = Duration::from_secs(15);

fn check(db: &Path, index: &Path) -> Result<()> {
    let store = open_store(db)?;
    let started = std::time::Instant::now();
    let differences = loop {
        // Opened afresh each time: a serving process commits to the index as it catches up.
        let search = SearchIndex::open_read_only(index, seed::vocabulary())?;
        let differences = search.compare(&store)?;
        let behind = differences.database_revision > differences.index_revision;
        if differences.agree() || !behind || started.elapsed() > CHECK_PATIENCE {
            break differences;
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    println!(
        "database: {} published offerings at revision {}\nindex:    {} offerings at revision {}",
        differences.database_count,
        differences.database_revision,
        differences.index_count,
        differences.index_revision
    );
    if differences.agree() {
        println!("the index agrees with the database");
        return Ok(());
    }
    let behind = differences.database_revision - differences.index_revision;
    if behind > 0 && SearchIndex::is_served(index) {
        println!("the index is behind by {behind} revisions and a server is catching it up");
        return Ok(());
    }
    for id in &differences.missing_from_index {
        println!("missing from the index: {id}");
    }
    for id in &differences.not_published {
        println!("in the index but not published: {id}");
    }
    for (id, database, indexed) in &differences.stale {
        println!(
            "stale in the index: {id} (database revision {database}, index revision {indexed})"
        );
    }
    anyhow::bail!("the index disagrees with the database; `clearinghouse reindex` rebuilds it")
}

fn export(db: &Path, dir: &Path) -> Result<()> {
    let store = open_store(db)?;
    let bundle = store.export()?;
    bundle
        .write_dir(dir)
        .with_context(|| format!("cannot export to {}", dir.display()))?;
    println!(
        "exported {} offerings, {} providers and {} frameworks to {}",
        bundle.offerings.len(),
        bundle.providers.len(),
        bundle.frameworks.frameworks.len(),
        dir.display()
    );
    Ok(())
}

/// What `serve` allows before it says no.
struct Limits {
    max_index_lag: Duration,
    max_pending: usize,
}

/// How the server sends participants' follow-ups.
struct Mail {
    mailer: Option<clearinghouse::followups::Mailer>,
    after_days: u32,
    interval: Duration,
}

fn serve(
    db: &Path,
    index: &Path,
    bind: &str,
    secure_cookies: bool,
    limits: Limits,
    mail: Mail,
) -> Result<()> {
    let store = open_store(db)?.with_max_pending(limits.max_pending);
    if store.is_empty()? {
        let seed = seed::bundle().context("the compiled-in seed is invalid")?;
        let summary = store
            .import(&seed, &|| {})
            .context("cannot load the seed")?;
        tracing::info!(
            offerings = summary.offerings.created,
            "empty catalog: loaded the seed"
        );
    }
    let search = SearchIndex::open(index, seed::vocabulary())
        .with_context(|| format!("cannot open the search index in {}", index.display()))?;
    // A catch-up that fails (a full disk) must not keep the site down: serve what the index
    // last committed while the background loop retries; `/healthz` reports the lag.
    match search.catch_up(&store) {
        Ok(caught_up) => tracing::info!(offerings = caught_up, "search index caught up"),
        Err(error) => {
            tracing::error!(%error, "search index catch-up failed; serving the last commit and retrying")
        }
    }
    let index = Arc::new(search);
    keep_index_current(store.clone(), index.clone());
    if mail.mailer.is_none() {
        tracing::info!("no --smtp-url: follow-ups wait for `clearinghouse followups export`");
    }
    clearinghouse::followups::spawn_sender(store.clone(), mail.mailer, mail.interval);
    let listener = TcpListener::bind(bind).with_context(|| format!("cannot listen on {bind}"))?;
    let address = listener.local_addr()?;
    // Tests and scripts read this line to learn the port when binding to port 0.
    println!("listening on http://{address}");
    actix_web::rt::System::new().block_on(async move {
        let state = AppState::new(store, index, secure_cookies)?
            .with_max_index_lag(limits.max_index_lag)
            .with_followup_after_days(mail.after_days);
        web::start(listener, state)?
            .await
            .context("the server stopped with an error")
    })
}

/// How often the server looks for writes to index and for a reindexed generation.
const CATCH_UP_INTERVAL: Duration = Duration::from_millis(200);
/// The longest wait between retries of a failing catch-up.
const CATCH_UP_MAX_BACKOFF: Duration = Duration::from_secs(10);

/// Catches the index up with the database and follows reindex switches, in the background.
/// A failing catch-up is retried, waiting twice as long each time up to a limit, and logged at
/// each retry: the store keeps every write, so the index agrees again once the cause is gone.
fn keep_index_current(store: Store, index: Arc<SearchIndex>) {
    std::thread::spawn(move || {
        let mut wait = CATCH_UP_INTERVAL;
        loop {
            std::thread::sleep(wait);
            match index.refresh(&store) {
                Ok(()) if wait > CATCH_UP_INTERVAL => {
                    tracing::info!("search index catch-up recovered");
                    wait = CATCH_UP_INTERVAL;
                }
                Ok(()) => {}
                Err(error) => {
                    wait = (wait * 2).min(CATCH_UP_MAX_BACKOFF);
                    tracing::error!(%error, retry_in = ?wait, "search index catch-up failed");
                }
            }
        }
    });
}
