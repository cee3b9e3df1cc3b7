//! A start or end as the schema allows it: a whole day (`2027-03-10`) or a moment with its UTC offset
//! (`2027-03-10T14:00:00-05:00`). Both stay in the form the provider wrote, since a day is not a
//! moment and a reader wants to see the offering's own local time.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use std::fmt;

/// A day or a moment with offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Day(NaiveDate),
    Moment(DateTime<FixedOffset>),
}

impl When {
    /// Parses `YYYY-MM-DD` or an RFC 3339 date-time with offset.
    pub fn parse(text: &str) -> Result<Self, String> {
        if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
            && text.len() == 10
        {
            return Ok(When::Day(day));
        }
        DateTime::parse_from_rfc3339(text)
            .map(When::Moment)
            .map_err(|_| {
                format!(
                    "`{text}` is not a date (YYYY-MM-DD) or an RFC 3339 date-time with offset \
                 (2027-03-10T14:00:00-05:00)"
                )
            })
    }

    /// The calendar day it falls on, in its own offset.
    pub fn day(&self) -> NaiveDate {
        match self {
            When::Day(day) => *day,
            When::Moment(moment) => moment.date_naive(),
        }
    }

    /// The first instant it covers: midnight of a day in `zone` (UTC when none is given).
    pub fn earliest(&self, zone: Option<Tz>) -> DateTime<Utc> {
        match self {
            When::Day(day) => start_of_day(*day, zone),
            When::Moment(moment) => moment.with_timezone(&Utc),
        }
    }

    /// The last instant it covers: the end of a day in `zone` (UTC when none is given).
    pub fn latest(&self, zone: Option<Tz>) -> DateTime<Utc> {
        match self {
            When::Day(day) => match day.succ_opt() {
                Some(next) => start_of_day(next, zone) - chrono::Duration::seconds(1),
                None => start_of_day(*day, zone),
            },
            When::Moment(moment) => moment.with_timezone(&Utc),
        }
    }
}

fn start_of_day(day: NaiveDate, zone: Option<Tz>) -> DateTime<Utc> {
    let midnight = day.and_time(NaiveTime::MIN);
    zone.and_then(|tz| tz.from_local_datetime(&midnight).earliest())
        .map(|local| local.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            When::Day(day) => write!(f, "{}", day.format("%Y-%m-%d")),
            When::Moment(moment) => write!(f, "{}", moment.to_rfc3339()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_days_and_moments() {
        assert!(matches!(When::parse("2027-03-10"), Ok(When::Day(_))));
        let moment = When::parse("2027-03-10T14:00:00-05:00").unwrap();
        assert_eq!(moment.to_string(), "2027-03-10T14:00:00-05:00");
        assert!(When::parse("2027-3-10").is_err());
        assert!(
            When::parse("2027-03-10T14:00:00").is_err(),
            "an offset is required"
        );
        assert!(When::parse("next tuesday").is_err());
    }

    #[test]
    fn a_day_covers_the_whole_day_in_its_zone() {
        let day = When::parse("2027-01-15").unwrap();
        let chicago: Tz = "America/Chicago".parse().unwrap();
        assert_eq!(
            day.earliest(Some(chicago)).to_rfc3339(),
            "2027-01-15T06:00:00+00:00"
        );
        assert_eq!(day.latest(None).to_rfc3339(), "2027-01-15T23:59:59+00:00");
    }
}
