//! The form's own reading of what was entered, before the catalog's rules: required fields,
//! numbers, choices and the dates, each problem in the form's words ("enter a number, such as 25
//! or 0 for free"). It hands on values the table's row code can always read, with a stand-in
//! where a value is missing or unreadable, so that the catalog's validation still looks at
//! everything else and the provider sees every problem in one round.

use super::form_dates::{self, DateProblem};
use super::form_spec::{FieldKind, FormField, Vocabulary, fields};
use super::form_values::{FormValues, MOMENTS};
use crate::catalog::{FieldError, Format, Level, When};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// What the form read: values by column, ready for `FormValues::to_offering`, and the problems.
pub struct Checked {
    pub values: FormValues,
    pub problems: Vec<FieldError>,
}

/// Reads `entered`. A `new` offering may not start before `now`; an edit of one that has
/// started may keep its start.
pub fn check(entered: &FormValues, new: bool, now: DateTime<Utc>) -> Checked {
    let mut checked = Checked {
        values: entered.clone(),
        problems: Vec::new(),
    };
    for field in fields() {
        checked.field(field);
    }
    checked.schedule(entered, new, now);
    checked.prices();
    checked.stand_in("format", Format::OnlineSelfPaced.as_str());
    checked.stand_in("level", Level::Introductory.as_str());
    checked
}

/// Whether a value is one of a fixed vocabulary's (any known zone: an edit keeps its own).
fn is_choice(vocabulary: Vocabulary, value: &str) -> bool {
    match vocabulary {
        Vocabulary::TimeZone => value.parse::<Tz>().is_ok(),
        _ => vocabulary.fixed().iter().any(|(known, _)| *known == value),
    }
}

impl Checked {
    fn add(&mut self, field: &str, message: impl Into<String>) {
        let message = message.into();
        let repeated = self
            .problems
            .iter()
            .any(|p| p.field == field && p.message == message);
        if !repeated {
            self.problems.push(FieldError {
                field: field.to_owned(),
                message,
            });
        }
    }

    fn has_problem(&self, field: &str) -> bool {
        self.problems.iter().any(|p| p.field == field)
    }

    /// One field's own rules: present when required, a number that is one, a listed choice.
    fn field(&mut self, field: &FormField) {
        let value = self.values.get(field.name).trim().to_owned();
        if value.is_empty() {
            if field.required {
                self.add(field.name, field.missing);
            }
            return;
        }
        match field.kind {
            FieldKind::Number if !value.parse::<f64>().is_ok_and(f64::is_finite) => {
                self.add(field.name, field.invalid);
                self.values.set(field.name, String::new());
            }
            FieldKind::Select(vocabulary) if !is_choice(vocabulary, &value) => {
                self.add(field.name, "choose one from the list");
                self.values.set(field.name, String::new());
            }
            FieldKind::Checkboxes(Vocabulary::Audience) => {
                let (listed, unlisted): (Vec<&str>, Vec<&str>) = value
                    .split(';')
                    .partition(|v| is_choice(Vocabulary::Audience, v));
                if !unlisted.is_empty() {
                    self.add(field.name, "choose from the list");
                    self.values.set(field.name, listed.join(";"));
                }
            }
            _ => {}
        }
    }

    /// The dates and times joined into the start and end columns; a start required unless
    /// self-paced, and not in the past for a new offering.
    fn schedule(&mut self, entered: &FormValues, new: bool, now: DateTime<Utc>) {
        let zone = entered.get("timezone").trim().parse::<Tz>().ok();
        for column in MOMENTS {
            let date = entered.get(&format!("{column}_date"));
            let time = entered.get(&format!("{column}_time"));
            let joined = form_dates::join(date, time, zone).unwrap_or_else(|problem| {
                match problem {
                    // A zone that is no zone has been reported already.
                    DateProblem::NoZone if self.has_problem("timezone") => {}
                    DateProblem::NoZone => self.add("timezone", problem.message()),
                    _ => self.add(column, problem.message()),
                }
                // The day alone, when it reads, stands in so the catalog can still check the
                // order of start and end.
                form_dates::join(date, "", None).ok().flatten()
            });
            self.values.set(column, joined.unwrap_or_default());
        }
        let start = self.values.get("start").to_owned();
        let self_paced = entered.get("format") == Format::OnlineSelfPaced.as_str();
        if start.is_empty() && !self_paced && !self.has_problem("start") {
            self.add(
                "start",
                "enter the date it starts (only self-paced courses have none)",
            );
        }
        let started = When::parse(&start).is_ok_and(|when| when.latest(zone) < now);
        if new && started && !self.has_problem("start") {
            self.add("start", "the start is in the past; enter a date to come");
        }
    }

    /// A cost needs its currency and credits their unit: asked for here in the form's words.
    fn prices(&mut self) {
        if !self.values.get("cost.amount").trim().is_empty()
            && self.values.get("cost.currency").trim().is_empty()
        {
            self.add("cost.currency", "enter the currency, such as USD");
        }
        if !self.values.get("credits.amount").trim().is_empty()
            && self.values.get("credits.unit").trim().is_empty()
        {
            self.add("credits.unit", "choose what the credits are counted in");
            self.values.set("credits.amount", String::new());
        }
    }

    /// A value that lets the table read the rest when this required choice is missing (its
    /// problem is reported already).
    fn stand_in(&mut self, name: &str, value: &str) {
        if self.values.get(name).trim().is_empty() {
            self.values.set(name, value.to_owned());
        }
    }
}

/// The field a problem is about, without the item (`competencies[2]` → `competencies`).
fn base(field: &str) -> &str {
    field.split('[').next().unwrap_or(field)
}

/// The form's problems and then the catalog's, without the catalog's about a field the form has
/// reported already (its stand-in is no value of the provider's), nor about a derived id (a
/// problem of the title it came from).
pub fn merge(
    mut problems: Vec<FieldError>,
    catalog: Vec<FieldError>,
    derived_id: bool,
) -> Vec<FieldError> {
    let reported: Vec<String> = problems.iter().map(|p| base(&p.field).to_owned()).collect();
    problems.extend(catalog.into_iter().filter(|problem| {
        let field = base(&problem.field);
        let derived = derived_id && field == "id";
        !derived && !reported.iter().any(|r| r == field)
    }));
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entered(form: &[(&str, &str)]) -> FormValues {
        let pairs: Vec<(String, String)> = form
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        FormValues::submitted(&pairs)
    }

    fn now() -> DateTime<Utc> {
        "2026-11-29T12:00:00Z".parse().unwrap()
    }

    fn fields_at_fault(checked: &Checked) -> Vec<&str> {
        checked.problems.iter().map(|p| p.field.as_str()).collect()
    }

    #[test]
    fn an_empty_form_asks_for_every_required_field_and_still_reads() {
        let checked = check(&FormValues::default(), true, now());
        assert_eq!(
            fields_at_fault(&checked),
            [
                "title",
                "description",
                "format",
                "level",
                "audiences",
                "start"
            ]
        );
        assert!(checked.values.to_offering().is_ok(), "stand-ins read");
    }

    #[test]
    fn a_bad_number_is_named_in_words_and_left_out() {
        let checked = check(
            &entered(&[("cost.amount", "abc"), ("cost.currency", "USD")]),
            true,
            now(),
        );
        let cost = checked
            .problems
            .iter()
            .find(|p| p.field == "cost.amount")
            .unwrap();
        assert_eq!(cost.message, "enter a number, such as 25 or 0 for free");
        assert_eq!(checked.values.to_offering().unwrap().cost, None);
    }

    #[test]
    fn dates_and_times_are_joined_in_the_zone() {
        let checked = check(
            &entered(&[
                ("format", "online_live"),
                ("start_date", "2027-07-10"),
                ("start_time", "14:00"),
                ("end_date", "2027-07-10"),
                ("timezone", "America/Chicago"),
            ]),
            true,
            now(),
        );
        assert_eq!(checked.values.get("start"), "2027-07-10T14:00:00-05:00");
        assert_eq!(checked.values.get("end"), "2027-07-10");
        assert!(!fields_at_fault(&checked).contains(&"start"));
    }

    #[test]
    fn a_time_without_a_zone_and_a_past_start_are_refused() {
        let timed = check(
            &entered(&[("start_date", "2027-07-10"), ("start_time", "14:00")]),
            true,
            now(),
        );
        assert!(fields_at_fault(&timed).contains(&"timezone"));
        assert_eq!(timed.values.get("start"), "2027-07-10", "the day stands in");
        let past = entered(&[("start_date", "2026-11-28")]);
        assert!(fields_at_fault(&check(&past, true, now())).contains(&"start"));
        assert!(!fields_at_fault(&check(&past, false, now())).contains(&"start"));
        let today = entered(&[("start_date", "2026-11-29")]);
        assert!(!fields_at_fault(&check(&today, true, now())).contains(&"start"));
    }

    #[test]
    fn every_seed_offering_goes_through_the_form_unchanged() {
        for offering in crate::seed::bundle().unwrap().offerings {
            let checked = check(&FormValues::of_offering(&offering), false, now());
            assert_eq!(checked.problems, [], "{}", offering.id);
            assert_eq!(checked.values.to_offering(), Ok(offering));
        }
    }

    #[test]
    fn the_catalog_is_not_heard_on_what_the_form_reported() {
        let problem = |field: &str, message: &str| FieldError {
            field: field.into(),
            message: message.into(),
        };
        let merged = merge(
            vec![problem("audiences", "choose at least one audience")],
            vec![
                problem("audiences", "choose at least one audience"),
                problem("id", "`` must be 2 to 100 lowercase letters"),
                problem("url", "`x` is not a web address"),
            ],
            true,
        );
        let fields: Vec<&str> = merged.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["audiences", "url"]);
    }
}
