//! iCalendar (RFC 5545): one VEVENT per scheduled offering. Moments are written in UTC, which every
//! calendar converts to its reader's zone; whole days are DATE values, ending the day after. The
//! UID is the offering's id, so an edited offering replaces itself in a subscribed calendar, and
//! SEQUENCE is its revision, which grows with every edit.

use crate::catalog::When;
use crate::store::StoredOffering;
use chrono::{DateTime, Duration, Utc};
use icalendar::{Calendar, Component, Event, EventLike};

/// What a calendar needs to say about one offering beyond the offering itself.
#[derive(Debug)]
pub struct CalendarEntry<'a> {
    pub stored: &'a StoredOffering,
    pub provider_name: &'a str,
    /// Where the offering's page is.
    pub page_url: String,
    /// How its place reads ("Online" or the address).
    pub place: String,
}

/// A calendar of the scheduled entries (self-paced offerings without a start are left out).
pub fn calendar(name: &str, entries: &[CalendarEntry<'_>]) -> String {
    let mut calendar = Calendar::empty();
    calendar
        .append_property(("VERSION", "2.0"))
        .append_property(("PRODID", "-//CE Clearinghouse//Offerings//EN"))
        .append_property(("CALSCALE", "GREGORIAN"))
        .name(name);
    for entry in entries {
        if let Some(event) = event(entry) {
            calendar.push(event);
        }
    }
    calendar.done().to_string()
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|_| Utc::now())
}

fn event(entry: &CalendarEntry<'_>) -> Option<Event> {
    let offering = &entry.stored.offering;
    let start = offering.start_when()?;
    let end = offering.end_when();
    let mut event = Event::new();
    event
        .uid(&format!("{}@ce-clearinghouse", offering.id))
        .timestamp(utc(&entry.stored.updated_at))
        .sequence(u32::try_from(entry.stored.revision).unwrap_or(u32::MAX))
        .summary(&offering.title)
        .description(&format!(
            "{}\n\n{} · {}\nOffered by {}\n{}",
            offering.description,
            offering.format.label(),
            offering.level.label(),
            entry.provider_name,
            entry.page_url
        ))
        .url(offering.url.as_deref().unwrap_or(&entry.page_url))
        .location(&entry.place);
    match (start, end) {
        (When::Moment(start), end) => {
            event.starts(start.with_timezone(&Utc));
            if let Some(end) = end {
                match end {
                    When::Moment(end) => event.ends(end.with_timezone(&Utc)),
                    When::Day(day) => event.ends(day + Duration::days(1)),
                };
            }
        }
        (When::Day(first), end) => {
            let last = end.map_or(first, |end| end.day());
            event.all_day(first).ends(last + Duration::days(1));
        }
    }
    Some(event.done())
}

/// The schedule as one line of plain text (used by feeds): the start, in the offering's zone.
pub fn schedule_line(offering: &crate::catalog::Offering) -> String {
    match offering.start_when() {
        Some(When::Moment(moment)) => match offering.zone() {
            Some(zone) => moment
                .with_timezone(&zone)
                .format("%a, %b %-d, %Y, %-I:%M %p %Z")
                .to_string(),
            None => moment
                .format("%a, %b %-d, %Y, %-I:%M %p UTC%:z")
                .to_string(),
        },
        Some(When::Day(day)) => day.format("%a, %b %-d, %Y").to_string(),
        None => "Self-paced".to_owned(),
    }
}
