//! `clearinghouse report KIND`: the reports of `/reports` as CSV or JSON on standard output, and
//! `report snapshot`, which stores today's coverage figures (run it monthly from cron) so that the
//! trends report can show how coverage changed. It reads the index a server may be serving, so
//! it runs beside one.

use anyhow::{Context, Result};
use clearinghouse::reports::{ReportError, Window, coverage, demand, places, trends};
use clearinghouse::search::SearchIndex;
use clearinghouse::seed;
use std::path::Path;

/// What `report` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    Coverage,
    Places,
    Trends,
    /// Every search, as administrators see it (not only the public summary).
    Demand,
    /// Stores today's coverage figures (the window's "All" column) in the database.
    Snapshot,
}

/// How a report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shape {
    Csv,
    Json,
}

/// What the command line gave.
#[derive(Debug, clap::Args)]
pub struct Options {
    pub kind: Kind,
    /// 3m, 6m, 12m (default), 24m or past-year.
    #[arg(long)]
    pub window: Option<String>,
    /// The first day (YYYY-MM-DD), with --to, instead of --window.
    #[arg(long)]
    pub from: Option<String>,
    /// The last day (YYYY-MM-DD), with --from.
    #[arg(long)]
    pub to: Option<String>,
    /// Coverage: only this framework.
    #[arg(long)]
    pub framework: Option<String>,
    /// Coverage: the columns (format, level, audience, region, language, cost, credits).
    #[arg(long)]
    pub by: Option<String>,
    #[arg(long, value_enum, default_value_t = Shape::Csv)]
    pub format: Shape,
}

/// Runs `report` and prints what it made.
pub fn run(db: &Path, index: &Path, options: &Options) -> Result<()> {
    let store = super::open_store(db)?;
    let now = chrono::Utc::now();
    let window = Window::read(
        options.window.as_deref(),
        options.from.as_deref(),
        options.to.as_deref(),
        now.date_naive(),
    )
    .map_err(explain)?;
    let search = || {
        SearchIndex::open_read_only(index, seed::vocabulary())
            .with_context(|| format!("cannot read the search index {}", index.display()))
    };
    let text = match options.kind {
        Kind::Coverage => {
            let frameworks = store.frameworks()?;
            let ask = coverage::Ask::new(
                window,
                options.by.as_deref(),
                options.framework.as_deref(),
                &frameworks,
            )
            .map_err(explain)?;
            let report = coverage::coverage(&search()?, &frameworks, &ask, now).map_err(explain)?;
            write(options.format, &report, coverage::to_csv)?
        }
        Kind::Places => {
            let report = places::places(&search()?, &window, now).map_err(explain)?;
            write(options.format, &report, places::to_csv)?
        }
        Kind::Trends => {
            let report = trends::trends(&search()?, &store, &window, now).map_err(explain)?;
            write(options.format, &report, trends::to_csv)?
        }
        Kind::Demand => {
            let report =
                demand::demand(&store, &window, false, now.date_naive()).map_err(explain)?;
            write(options.format, &report, demand::to_csv)?
        }
        Kind::Snapshot => {
            let frameworks = store.frameworks()?;
            let rows =
                coverage::snapshot_rows(&search()?, &frameworks, &window, now).map_err(explain)?;
            store.save_snapshot(now.date_naive(), &rows)?;
            format!(
                "stored a snapshot of coverage for {} ({} competencies and frameworks, {})\n",
                now.date_naive(),
                rows.len(),
                window.label.to_lowercase()
            )
        }
    };
    print!("{text}");
    Ok(())
}

fn write<T: serde::Serialize>(
    shape: Shape,
    report: &T,
    csv: impl FnOnce(&T) -> String,
) -> Result<String> {
    Ok(match shape {
        Shape::Csv => csv(report),
        Shape::Json => serde_json::to_string_pretty(report)? + "\n",
    })
}

/// A report's error for the command line: a bad option is named as an option.
fn explain(error: ReportError) -> anyhow::Error {
    match error {
        ReportError::BadParameter(error) => {
            anyhow::anyhow!("--{}: {}", error.parameter, error.message)
        }
        other => anyhow::Error::new(other),
    }
}
