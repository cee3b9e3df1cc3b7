//! How catalog values read on a page: dates in the offering's own time zone, places, prices and
//! credits, as plain strings the templates print (askama escapes them).

use crate::catalog::{CreditUnit, Offering, When};
use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;

/// What a result list, an offering's page and the review queue each say of an offering: when,
/// in which format, where, at what cost and for which credits.
#[derive(Debug, Clone)]
pub struct Facts {
    pub schedule: String,
    /// The start as an instant, for `<time datetime>` and the reader's-own-zone script.
    pub start_instant: Option<String>,
    /// The offering's IANA time zone, or empty.
    pub zone: String,
    pub format: String,
    pub place: String,
    pub cost: String,
    pub credits: String,
}

impl Facts {
    pub fn of(offering: &Offering) -> Self {
        Facts {
            schedule: schedule(offering),
            start_instant: start_instant(offering),
            zone: offering.timezone.clone().unwrap_or_default(),
            format: offering.format.label().to_owned(),
            place: place(offering),
            cost: cost(offering),
            credits: credits(offering),
        }
    }
}

/// A number of things, however a page holds it (templates pass references).
pub trait Count {
    fn is_one(&self) -> bool;
}

macro_rules! count_for {
    ($($number:ty),+) => { $(impl Count for $number { fn is_one(&self) -> bool { *self == 1 } })+ };
}
count_for!(usize, u64, u32);

impl<N: Count> Count for &N {
    fn is_one(&self) -> bool {
        (**self).is_one()
    }
}

/// "1 offering", "3 offerings": a count and its noun, singular or plural.
pub fn count<N: Count + std::fmt::Display>(n: N, one: &str, many: &str) -> String {
    format!("{n} {}", noun(&n, one, many))
}

/// The noun for a count of `n`: `one` for 1, `many` otherwise (0 offerings, 2 offerings).
pub fn noun<'a>(n: impl Count, one: &'a str, many: &'a str) -> &'a str {
    if n.is_one() { one } else { many }
}

/// A day as every page writes it: "Mar 5, 2027".
pub fn day(date: chrono::NaiveDate) -> String {
    date.format("%b %-d, %Y").to_string()
}

/// A day given as `YYYY-MM-DD`, written as `day` does; anything else as it is.
pub fn day_text(text: &str) -> String {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_or_else(|_| text.to_owned(), day)
}

/// A moment recorded by the catalog (RFC 3339, UTC), for administrators' lists:
/// "Mar 5, 2027, 2:05 PM UTC".
pub fn recorded(text: &str) -> String {
    match DateTime::parse_from_rfc3339(text) {
        Ok(moment) => {
            let utc = moment.with_timezone(&chrono::Utc);
            format!("{}, {} UTC", day(utc.date_naive()), utc.format("%-I:%M %p"))
        }
        Err(_) => text.to_owned(),
    }
}

/// The schedule of an offering for people: "Tue, Jan 12, 2027, 2:00 PM – 3:30 PM CST".
pub fn schedule(offering: &Offering) -> String {
    let zone = offering.zone();
    let (start, end) = (offering.start_when(), offering.end_when());
    match (start, end) {
        (None, _) => "Self-paced: start any time".to_owned(),
        (Some(start), None) => format_when(start, zone),
        (Some(When::Moment(start)), Some(When::Moment(end)))
            if local(start, zone).date_naive() == local(end, zone).date_naive() =>
        {
            format!(
                "{} – {}",
                format_when(When::Moment(start), zone),
                time_only(end, zone)
            )
        }
        (Some(start), Some(end))
            if start == end || (start.day() == end.day() && matches!(start, When::Day(_))) =>
        {
            format_when(start, zone)
        }
        (Some(start), Some(end)) => {
            format!("{} – {}", format_when(start, zone), format_when(end, zone))
        }
    }
}

fn local(moment: DateTime<FixedOffset>, zone: Option<Tz>) -> DateTime<FixedOffset> {
    match zone {
        Some(zone) => moment.with_timezone(&zone).fixed_offset(),
        None => moment,
    }
}

fn zone_name(moment: DateTime<FixedOffset>, zone: Option<Tz>) -> String {
    match zone {
        Some(zone) => moment.with_timezone(&zone).format("%Z").to_string(),
        None => format!("UTC{}", moment.format("%:z")),
    }
}

fn time_only(moment: DateTime<FixedOffset>, zone: Option<Tz>) -> String {
    format!(
        "{} {}",
        local(moment, zone).format("%-I:%M %p"),
        zone_name(moment, zone)
    )
}

fn format_when(when: When, zone: Option<Tz>) -> String {
    match when {
        When::Day(day) => day.format("%a, %b %-d, %Y").to_string(),
        When::Moment(moment) => {
            format!(
                "{}, {}",
                local(moment, zone).format("%a, %b %-d, %Y"),
                time_only(moment, zone)
            )
        }
    }
}

/// The machine-readable start, for `<time datetime>` and the reader's-own-zone script.
pub fn start_instant(offering: &Offering) -> Option<String> {
    match offering.start_when()? {
        When::Moment(moment) => Some(moment.to_rfc3339()),
        When::Day(day) => Some(day.to_string()),
    }
}

/// Where: "Venue, City, Region, Country" or "Online", the region spelt out ("Illinois").
pub fn place(offering: &Offering) -> String {
    match &offering.location {
        Some(location) => {
            let country = isocountry::CountryCode::for_alpha2(&location.country)
                .map(|c| c.name().to_owned())
                .unwrap_or_else(|_| location.country.clone());
            let country = if location.country == "US" {
                None
            } else {
                Some(country)
            };
            [
                location.venue.clone(),
                Some(location.city.clone()),
                location
                    .region
                    .as_deref()
                    .map(|region| crate::geo::regions::label_in(region, &location.country)),
                country,
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ")
        }
        None => "Online".to_owned(),
    }
}

/// Where a provider is based, for people: "Illinois, United States of America", "Ontario,
/// Canada"; whichever of the two is given.
pub fn region_and_country(region: Option<&str>, country: Option<&str>) -> String {
    let region = region.map(|region| crate::geo::regions::label_in(region, country.unwrap_or("")));
    let country = country.map(|code| {
        isocountry::CountryCode::for_alpha2(code)
            .map_or_else(|_| code.to_owned(), |c| c.name().to_owned())
    });
    [region, country]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ")
}

/// "Free", "USD 125", or "Cost not stated".
pub fn cost(offering: &Offering) -> String {
    match &offering.cost {
        Some(cost) if cost.amount == 0.0 => "Free".to_owned(),
        Some(cost) => format!("{} {}", cost.currency, amount(cost.amount)),
        None => "Cost not stated".to_owned(),
    }
}

/// "6 contact hours", "0.6 CEU", or empty.
pub fn credits(offering: &Offering) -> String {
    match &offering.credits {
        Some(credits) => {
            let unit = match credits.unit {
                CreditUnit::Ceu => "CEU",
                CreditUnit::ContactHours if credits.amount == 1.0 => "contact hour",
                CreditUnit::ContactHours => "contact hours",
            };
            format!("{} {unit}", amount(credits.amount))
        }
        None => String::new(),
    }
}

fn amount(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}").trim_end_matches('0').to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offering(start: Option<&str>, end: Option<&str>, zone: Option<&str>) -> Offering {
        serde_json::from_value(serde_json::json!({
            "id": "x1", "title": "Test", "description": "A description long enough.", "provider": "p1",
            "format": "online_live", "audiences": ["librarians"], "level": "introductory",
            "start": start, "end": end, "timezone": zone
        }))
        .unwrap()
    }

    #[test]
    fn schedules_read_naturally_in_their_own_zone() {
        let webinar = offering(
            Some("2027-01-12T14:00:00-06:00"),
            Some("2027-01-12T15:30:00-06:00"),
            Some("America/Chicago"),
        );
        assert_eq!(
            schedule(&webinar),
            "Tue, Jan 12, 2027, 2:00 PM CST – 3:30 PM CST"
        );
        let conference = offering(Some("2027-04-13"), Some("2027-04-16"), None);
        assert_eq!(
            schedule(&conference),
            "Tue, Apr 13, 2027 – Fri, Apr 16, 2027"
        );
        assert_eq!(
            schedule(&offering(None, None, None)),
            "Self-paced: start any time"
        );
        assert_eq!(amount(1.5), "1.5");
        assert_eq!(amount(295.0), "295");
    }
}
