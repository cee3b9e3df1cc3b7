//! Sending the follow-ups of participants' evaluations (#15) by SMTP with lettre: a background
//! thread of `serve --smtp-url` takes the follow-ups that are due from the store's queue, mails
//! each its private link, and marks it sent (which deletes the address). A mail that fails stays
//! queued and is tried again later, with growing waits, and each failure is logged: the queue is
//! never lost. Without SMTP, `clearinghouse followups export` gives the same list for a mail
//! merge (`Store::export_followups`).
//!
//! Only plain SMTP is built in (no TLS, to keep the binary small): point `--smtp-url` at a relay
//! on the same host or network (`smtp://localhost:25`), which forwards over TLS.

use crate::store::{DueFollowup, Store, StoreError};
use chrono::{DateTime, Utc};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};
use std::time::Duration;

/// How many follow-ups one round of the sender takes at most.
const BATCH: usize = 100;
/// The longest wait before a failed mail is tried again.
const LONGEST_RETRY: Duration = Duration::from_secs(6 * 3600);

/// A problem with the mail settings, named for the command line.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("--smtp-url: {0}")]
    Url(String),
    #[error("--mail-from: {0}")]
    From(String),
    #[error("the mail could not be made: {0}")]
    Message(String),
    #[error("the SMTP server did not take the mail: {0}")]
    Send(String),
}

/// Where and as whom follow-ups are sent.
#[derive(Clone)]
pub struct Mailer {
    transport: SmtpTransport,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

impl Mailer {
    /// A mailer for `smtp://[user:password@]host[:port]` (port 25 unless given), sending as
    /// `from` (`Name <address>` or an address).
    pub fn new(url: &str, from: &str) -> Result<Self, MailError> {
        let parsed = url::Url::parse(url).map_err(|e| MailError::Url(format!("`{url}`: {e}")))?;
        match parsed.scheme() {
            "smtp" => {}
            "smtps" => {
                return Err(MailError::Url(
                    "smtps:// (TLS) is not built in: use a relay reached by smtp://host:port"
                        .into(),
                ));
            }
            other => {
                return Err(MailError::Url(format!(
                    "`{other}:` is not smtp: write smtp://host:port"
                )));
            }
        }
        let host = parsed
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| MailError::Url(format!("`{url}` names no host")))?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let mut builder = SmtpTransport::builder_dangerous(host)
            .port(parsed.port().unwrap_or(25))
            .timeout(Some(Duration::from_secs(30)));
        if !parsed.username().is_empty() {
            let decode = |s: &str| {
                percent_decode(s)
                    .ok_or_else(|| MailError::Url("a user or password is not UTF-8".into()))
            };
            builder = builder.credentials(Credentials::new(
                decode(parsed.username())?,
                decode(parsed.password().unwrap_or_default())?,
            ));
        }
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| MailError::From(format!("`{from}` is not an e-mail address: {e}")))?;
        Ok(Mailer {
            transport: builder.build(),
            from,
        })
    }

    /// The follow-up's mail: to its address, with its private link.
    pub fn message(&self, followup: &DueFollowup) -> Result<Message, MailError> {
        let to = followup
            .email
            .parse::<Mailbox>()
            .map_err(|e| MailError::Message(format!("the address: {e}")))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(format!(
                "Did you apply it? A follow-up on “{}”",
                one_line(&followup.offering_title)
            ))
            .body(body(followup))
            .map_err(|e| MailError::Message(e.to_string()))
    }

    /// Sends one follow-up.
    pub fn send(&self, followup: &DueFollowup) -> Result<(), MailError> {
        let message = self.message(followup)?;
        self.transport
            .send(&message)
            .map(|_| ())
            .map_err(|e| MailError::Send(e.to_string()))
    }
}

fn percent_decode(text: &str) -> Option<String> {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
}

/// A title on one line, for a subject.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Words on lines of at most 72 characters (a longer word stands alone).
fn wrapped(text: &str) -> String {
    let mut lines: Vec<String> = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().expect("one line at least");
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > 72 {
            lines.push(word.to_owned());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines.join("\n")
}

/// The follow-up mail's text: plain, with the link on a line of its own.
pub fn body(followup: &DueFollowup) -> String {
    format!(
        "{}\n\n{}\n\n{}\n\n{}\n",
        wrapped(&format!(
            "Some weeks ago you answered an evaluation of \"{}\" and left this address for one \
             follow-up. Did you apply what you learned? What changed for your users? Two \
             questions, a minute:",
            one_line(&followup.offering_title)
        )),
        followup.link,
        wrapped(
            "The link is yours alone and takes one answer. Your address has now been deleted \
             from the catalog: this is the only mail you will get from it."
        ),
        wrapped("CE Clearinghouse"),
    )
}

/// What one round of sending did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub failed: usize,
}

/// Sends every follow-up due at `now`, one batch; a failed mail is retried after `retry`.
pub fn send_due(
    store: &Store,
    mailer: &Mailer,
    now: DateTime<Utc>,
    retry: Duration,
) -> Result<Round, StoreError> {
    let mut round = Round::default();
    for followup in store.claim_due_followups(now.date_naive(), now, BATCH)? {
        match mailer.send(&followup) {
            Ok(()) => {
                store.followup_sent(followup.id)?;
                round.sent += 1;
            }
            Err(error) => {
                let retry_after = now + chrono::Duration::from_std(retry).unwrap_or_default();
                tracing::warn!(followup = followup.id, %error, %retry_after, "a follow-up mail failed; it stays queued");
                store.followup_failed(followup.id, &error.to_string(), retry_after)?;
                round.failed += 1;
            }
        }
    }
    Ok(round)
}

/// Sends due follow-ups every `interval` in a background thread, for as long as the process
/// runs. A failed mail is tried again after `interval`, then twice as long after each round that
/// failed (up to 6 hours). Without a mailer it only clears the addresses past their last day.
pub fn spawn_sender(store: Store, mailer: Option<Mailer>, interval: Duration) {
    std::thread::spawn(move || {
        let first_retry = interval;
        let mut retry = first_retry;
        loop {
            let now = Utc::now();
            let outcome = match &mailer {
                Some(mailer) => send_due(&store, mailer, now, retry),
                // Lapsing only: nothing is claimed as of the day before anything is due.
                None => store
                    .claim_due_followups(now.date_naive(), now, 0)
                    .map(|_| Round::default()),
            };
            match outcome {
                Ok(round) if round.sent + round.failed > 0 => {
                    tracing::info!(sent = round.sent, failed = round.failed, "follow-ups");
                    retry = if round.failed > 0 {
                        (retry * 2).min(LONGEST_RETRY)
                    } else {
                        first_retry
                    };
                }
                Ok(_) => {}
                Err(error) => tracing::error!(%error, "the follow-up queue could not be read"),
            }
            std::thread::sleep(interval);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due() -> DueFollowup {
        DueFollowup {
            id: 1,
            email: "reader@example.org".into(),
            offering_title: "Storytime\nBasics".into(),
            link: "http://127.0.0.1:1/followup/abc".into(),
        }
    }

    #[test]
    fn settings_name_what_is_wrong() {
        assert!(Mailer::new("smtp://127.0.0.1:2525", "Clearinghouse <ce@example.org>").is_ok());
        let error = Mailer::new("smtps://mail.example.org", "ce@example.org").unwrap_err();
        assert!(error.to_string().starts_with("--smtp-url:"), "{error}");
        let error = Mailer::new("http://mail.example.org", "ce@example.org").unwrap_err();
        assert!(error.to_string().starts_with("--smtp-url:"), "{error}");
        let error = Mailer::new("smtp://127.0.0.1:25", "not an address").unwrap_err();
        assert!(error.to_string().starts_with("--mail-from:"), "{error}");
    }

    #[test]
    fn the_mail_carries_the_link_and_a_one_line_subject() {
        let mailer = Mailer::new("smtp://127.0.0.1:2525", "ce@example.org").unwrap();
        let message = mailer.message(&due()).unwrap();
        let text = String::from_utf8(message.formatted()).unwrap();
        assert!(text.contains("To: reader@example.org"), "{text}");
        assert!(body(&due()).contains("\nhttp://127.0.0.1:1/followup/abc\n"));
        assert!(!one_line("a\r\nb").contains('\n'));
    }
}
