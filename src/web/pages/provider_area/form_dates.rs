//! The form's start and end as people enter them: a date, a time if it has one, and a time zone
//! picked from a list. They become the schema's day (`2027-03-10`) or moment with the offset its
//! zone has on that date (`2027-03-10T14:00:00-06:00`, daylight saving included), and split back
//! for an edit. Only the form splits them: the CSV table and the bundle keep the schema's forms.

use crate::catalog::When;
use chrono::{NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;

/// The time zones the form offers, (IANA name, label): those of the United States and Canada,
/// east to west. A stored offering's other zone is offered too, so an edit keeps it.
pub const ZONES: &[(&str, &str)] = &[
    ("America/St_Johns", "Newfoundland (St. John's)"),
    ("America/Halifax", "Atlantic (Halifax)"),
    (
        "America/Puerto_Rico",
        "Atlantic, no daylight saving (Puerto Rico)",
    ),
    ("America/New_York", "Eastern (New York)"),
    ("America/Toronto", "Eastern (Toronto)"),
    ("America/Chicago", "Central (Chicago)"),
    ("America/Winnipeg", "Central (Winnipeg)"),
    ("America/Regina", "Central, no daylight saving (Regina)"),
    ("America/Denver", "Mountain (Denver)"),
    ("America/Edmonton", "Mountain (Edmonton)"),
    ("America/Phoenix", "Mountain, no daylight saving (Phoenix)"),
    ("America/Los_Angeles", "Pacific (Los Angeles)"),
    ("America/Vancouver", "Pacific (Vancouver)"),
    ("America/Anchorage", "Alaska (Anchorage)"),
    ("Pacific/Honolulu", "Hawaii (Honolulu)"),
];

/// Why a date and time could not be read, in the form's words (after the field's label).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateProblem {
    /// A time without a date.
    NoDate,
    BadDate,
    BadTime,
    /// A time, but no zone to give it an offset.
    NoZone,
    /// A local time the clocks skip (spring forward), e.g. 02:30 on the second Sunday of March.
    Skipped {
        time: String,
        date: String,
        zone: String,
    },
}

impl DateProblem {
    pub fn message(&self) -> String {
        match self {
            DateProblem::NoDate => "enter the date as well as the time".into(),
            DateProblem::BadDate => "enter a date, such as 2027-03-10".into(),
            DateProblem::BadTime => "enter a time, such as 14:00".into(),
            DateProblem::NoZone => "choose the time zone of the times entered".into(),
            DateProblem::Skipped { time, date, zone } => format!(
                "{time} does not exist on {date} in {zone}: the clocks skip that hour for \
                 daylight saving; choose another time"
            ),
        }
    }
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    // Browsers send YYYY-MM-DD; one without a date picker lets people type, so be exact.
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|_| text.len() == 10)
}

fn parse_time(text: &str) -> Option<NaiveTime> {
    // `type=time` sends 14:00, or 14:00:30 when seconds are shown.
    NaiveTime::parse_from_str(text, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M:%S"))
        .ok()
}

/// A date and an optional time in `zone` as the schema writes them: `None` when both are empty,
/// a day when there is no time, a moment with the zone's offset on that date otherwise. A time
/// that occurs twice (clocks falling back) is taken at its first occurrence.
pub fn join(date: &str, time: &str, zone: Option<Tz>) -> Result<Option<String>, DateProblem> {
    let (date, time) = (date.trim(), time.trim());
    if date.is_empty() {
        return if time.is_empty() {
            Ok(None)
        } else {
            Err(DateProblem::NoDate)
        };
    }
    let day = parse_date(date).ok_or(DateProblem::BadDate)?;
    if time.is_empty() {
        return Ok(Some(When::Day(day).to_string()));
    }
    let clock = parse_time(time).ok_or(DateProblem::BadTime)?;
    let zone = zone.ok_or(DateProblem::NoZone)?;
    let local = zone
        .from_local_datetime(&day.and_time(clock))
        .earliest()
        .ok_or_else(|| DateProblem::Skipped {
            time: clock.format("%H:%M").to_string(),
            date: date.to_owned(),
            zone: zone.name().to_owned(),
        })?;
    Ok(Some(When::Moment(local.fixed_offset()).to_string()))
}

/// A stored start or end as the form's (date, time): the time is the moment's own local time
/// (its offset agrees with the offering's zone), empty for a day.
pub fn split(stored: &str) -> (String, String) {
    match When::parse(stored) {
        Ok(When::Day(day)) => (day.format("%Y-%m-%d").to_string(), String::new()),
        Ok(When::Moment(moment)) => {
            let format = if moment.format("%S").to_string() == "00" {
                "%H:%M"
            } else {
                "%H:%M:%S"
            };
            (
                moment.format("%Y-%m-%d").to_string(),
                moment.format(format).to_string(),
            )
        }
        // Not the schema's form (it was checked when stored): shown as it is, to be corrected.
        Err(_) => (stored.to_owned(), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str) -> Option<Tz> {
        Some(name.parse().unwrap())
    }

    #[test]
    fn the_offset_is_the_zones_on_that_date() {
        let chicago = zone("America/Chicago");
        assert_eq!(
            join("2027-03-10", "14:00", chicago).unwrap().unwrap(),
            "2027-03-10T14:00:00-06:00"
        );
        assert_eq!(
            join("2027-07-10", "14:00", chicago).unwrap().unwrap(),
            "2027-07-10T14:00:00-05:00"
        );
        assert_eq!(
            join("2027-07-10", "09:30", zone("America/Phoenix"))
                .unwrap()
                .unwrap(),
            "2027-07-10T09:30:00-07:00"
        );
        assert_eq!(
            join("2027-01-10", "09:30", zone("America/St_Johns"))
                .unwrap()
                .unwrap(),
            "2027-01-10T09:30:00-03:30"
        );
    }

    #[test]
    fn a_date_alone_is_a_day_and_nothing_is_none() {
        assert_eq!(join("2027-03-10", "", None), Ok(Some("2027-03-10".into())));
        assert_eq!(join(" ", "", None), Ok(None));
    }

    #[test]
    fn what_cannot_be_read_says_why() {
        let chicago = zone("America/Chicago");
        assert_eq!(join("", "14:00", chicago), Err(DateProblem::NoDate));
        assert_eq!(join("10/03/2027", "", chicago), Err(DateProblem::BadDate));
        assert_eq!(join("2027-02-30", "", chicago), Err(DateProblem::BadDate));
        assert_eq!(
            join("2027-03-10", "2pm", chicago),
            Err(DateProblem::BadTime)
        );
        assert_eq!(join("2027-03-10", "14:00", None), Err(DateProblem::NoZone));
    }

    #[test]
    fn a_time_the_clocks_skip_is_refused_and_one_they_repeat_is_the_first() {
        // 2027-03-14: clocks in Chicago go from 02:00 to 03:00; 2027-11-07: 02:00 back to 01:00.
        let chicago = zone("America/Chicago");
        let skipped = join("2027-03-14", "02:30", chicago).unwrap_err();
        assert!(
            skipped
                .message()
                .contains("02:30 does not exist on 2027-03-14")
        );
        assert_eq!(
            join("2027-11-07", "01:30", chicago).unwrap().unwrap(),
            "2027-11-07T01:30:00-05:00"
        );
    }

    #[test]
    fn a_stored_start_splits_back_into_what_was_entered() {
        assert_eq!(
            split("2027-03-10T14:00:00-06:00"),
            ("2027-03-10".into(), "14:00".into())
        );
        assert_eq!(split("2027-03-10"), ("2027-03-10".into(), String::new()));
        assert_eq!(
            split("2027-03-10T14:00:30-06:00"),
            ("2027-03-10".into(), "14:00:30".into())
        );
        for (date, time) in [("2027-03-10", "14:00"), ("2027-07-01", "")] {
            let stored = join(date, time, zone("America/Chicago")).unwrap().unwrap();
            assert_eq!(split(&stored), (date.into(), time.into()));
        }
    }

    #[test]
    fn every_offered_zone_is_known() {
        for (name, _) in ZONES {
            assert!(name.parse::<Tz>().is_ok(), "{name}");
        }
    }
}
