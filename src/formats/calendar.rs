//! iCalendar (RFC 5545): one VEVENT per scheduled offering. Moments are written in UTC, which every
//! calendar converts to its reader's zone; whole days are DATE values, ending the day after. The
//! UID is the offering's id, so an edited offering replaces itself in a subscribed calendar, and
//! SEQUENCE is its revision, which grows with every edit.
//!
//! Text is escaped by the `icalendar` crate; it escapes only line feeds, so carriage returns are
//! turned into line feeds first (`text`), and the calendar's name, a property it does not know as
//! text, is marked TEXT so that it is escaped too: a search's words must not start a property of
//! their own. Lines are folded at 75 octets, never inside a UTF-8 character, by `fold`.

use crate::catalog::When;
use crate::store::StoredOffering;
use chrono::{DateTime, Duration, Utc};
use icalendar::{Calendar, Component, Event, EventLike, Property};

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
        .append_property(text_property("NAME", name))
        .append_property(text_property("X-WR-CALNAME", name));
    for entry in entries {
        if let Some(event) = event(entry) {
            calendar.push(event);
        }
    }
    fold(&calendar.done().to_string())
}

/// The longest content line RFC 5545 allows, in octets, line break excluded.
const LINE_OCTETS: usize = 75;

/// Folds every content line at 75 octets without splitting a character. The crate folds too, but
/// lets the last piece of a long line reach 76 octets (it does not count the space that starts a
/// continuation), so its lines are unfolded and folded again. Unfolding is exact: escaped text
/// holds no line breaks of its own.
fn fold(calendar: &str) -> String {
    let mut out = String::with_capacity(calendar.len() + calendar.len() / 24);
    for line in calendar.replace("\r\n ", "").split_terminator("\r\n") {
        let mut used = 0;
        for character in line.chars() {
            if used + character.len_utf8() > LINE_OCTETS {
                out.push_str("\r\n ");
                used = 1;
            }
            out.push(character);
            used += character.len_utf8();
        }
        out.push_str("\r\n");
    }
    out
}

/// RFC 5545 has one line break in TEXT, `\n`: a CR LF or a lone CR becomes a line feed, which
/// the crate then escapes.
fn text(value: &str) -> String {
    value.replace("\r\n", "\n").replace('\r', "\n")
}

/// A property whose value is escaped as TEXT whatever its name.
fn text_property(name: &str, value: &str) -> Property {
    let mut property = Property::new(name, text(value));
    property.add_parameter("VALUE", "TEXT");
    property
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
        .summary(&text(&offering.title))
        .description(&text(&format!(
            "{}\n\n{} · {}\nOffered by {}\n{}",
            offering.description,
            offering.format.label(),
            offering.level.label(),
            entry.provider_name,
            entry.page_url
        )))
        .url(offering.url.as_deref().unwrap_or(&entry.page_url))
        .location(&text(&entry.place));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let value = format!("DESCRIPTION:{}", "图书馆 catalogación ".repeat(20));
        let folded = fold(&format!("BEGIN:VCALENDAR\r\n{value}\r\nEND:VCALENDAR\r\n"));
        for line in folded.split_terminator("\r\n") {
            assert!(line.len() <= LINE_OCTETS, "{} octets: {line}", line.len());
        }
        assert!(folded.contains(&format!("\r\n{}", &value[..LINE_OCTETS])));
        assert_eq!(
            folded.replace("\r\n ", ""),
            format!("BEGIN:VCALENDAR\r\n{value}\r\nEND:VCALENDAR\r\n")
        );
    }

    #[test]
    fn carriage_returns_become_the_one_line_break_of_text() {
        assert_eq!(text("a\r\nb\rc\nd"), "a\nb\nc\nd");
    }
}
