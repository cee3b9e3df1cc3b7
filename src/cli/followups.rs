//! `clearinghouse followups export`: the participants' follow-ups that are due, as CSV for a mail
//! merge, when the server sends no mail itself (no `--smtp-url`). Exporting deletes the exported
//! addresses in the same transaction: each follow-up goes out once, and no address is kept
//! after. The list is written before the transaction commits, so a list that could not be
//! written deletes nothing.

use anyhow::{Context, Result, anyhow};
use chrono::NaiveDate;
use clearinghouse::formats::table::neutralise;
use clearinghouse::store::{DueFollowup, StoreError};
use std::io::Write;
use std::path::Path;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Prints the follow-ups due by a day as CSV (email, offering_title, link) for a mail merge,
    /// and DELETES the printed addresses from the database in the same transaction: keep the
    /// output, it cannot be made again. Each link opens that participant's follow-up form once.
    /// Addresses whose follow-up is past its last day (90 days after the answer) are deleted
    /// unexported.
    Export {
        /// Export the follow-ups due on or before this day (YYYY-MM-DD; default today).
        #[arg(long)]
        due_by: Option<String>,
    },
}

/// Why the list could not be written (so nothing was deleted).
#[derive(Debug, thiserror::Error)]
enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the list: {0}")]
    Write(String),
}

fn rows(due: &[DueFollowup]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["email", "offering_title", "link"])?;
    for followup in due {
        writer.write_record([
            neutralise(followup.email.clone()),
            neutralise(followup.offering_title.clone()),
            followup.link.clone(),
        ])?;
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

pub fn run(db: &Path, command: &Command) -> Result<()> {
    let Command::Export { due_by } = command;
    let today = chrono::Utc::now().date_naive();
    let due_by = match due_by {
        None => today,
        Some(text) => NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map_err(|_| anyhow!("--due-by: `{text}` is not a day (YYYY-MM-DD)"))?,
    };
    let store = super::open_store(db)?;
    let exported = store
        .export_followups(due_by, today, |due| {
            let text = rows(due).map_err(|e| ExportError::Write(e.to_string()))?;
            let mut out = std::io::stdout().lock();
            out.write_all(&text)
                .and_then(|()| out.flush())
                .map_err(|e| ExportError::Write(e.to_string()))
        })
        .context("no follow-up was exported and no address deleted")?;
    eprintln!(
        "exported {exported} follow-up{} due by {due_by}; their addresses are deleted",
        if exported == 1 { "" } else { "s" }
    );
    Ok(())
}
