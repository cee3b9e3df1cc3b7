//! Validation: every rule of the schema, and the ones a schema cannot say (references resolve, end is
//! not before start, offsets agree with the time zone), reported all at once, each naming its field.

use super::{CompetencyRef, Frameworks, Offering, Provider, When, is_slug};
use chrono::{Offset, TimeZone};
use chrono_tz::Tz;
use std::collections::HashSet;
use std::fmt;

/// One problem with one field, e.g. `competencies[2]: unknown competency lssc:foo`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// What references may point at: what the catalog holds plus what arrives with it.
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub providers: HashSet<String>,
    pub competencies: HashSet<CompetencyRef>,
    pub offerings: HashSet<String>,
}

impl Known {
    /// Adds every competency of these frameworks.
    pub fn add_frameworks(&mut self, frameworks: &Frameworks) {
        for framework in &frameworks.frameworks {
            for flat in framework.flatten() {
                self.competencies.insert(CompetencyRef {
                    framework: framework.id.clone(),
                    code: flat.competency.code.clone(),
                });
            }
        }
    }
}

/// Collects errors for one item.
#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    fn length(&mut self, field: &str, value: &str, min: usize, max: usize) {
        let count = value.chars().count();
        if value.trim().chars().count() < min {
            self.add(field, format!("must be at least {min} characters"));
        } else if count > max {
            self.add(
                field,
                format!("must be at most {max} characters (it has {count})"),
            );
        }
    }

    fn optional_length(&mut self, field: &str, value: Option<&str>, max: usize) {
        if let Some(value) = value {
            self.length(field, value, 0, max);
        }
    }

    fn country(&mut self, field: &str, code: &str) {
        if code.len() != 2 || isocountry::CountryCode::for_alpha2(code).is_err() {
            self.add(
                field,
                format!("`{code}` is not an ISO 3166-1 alpha-2 country code (e.g. US, CA)"),
            );
        }
    }

    fn web_address(&mut self, field: &str, value: &str) {
        match url::Url::parse(value) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {}
            Ok(_) => self.add(field, format!("`{value}` must be an http or https address")),
            Err(_) => self.add(field, format!("`{value}` is not a web address (https://…)")),
        }
    }

    fn slug(&mut self, field: &str, value: &str, max: usize) {
        if !is_slug(value, 2, max) {
            self.add(
                field,
                format!(
                    "`{value}` must be 2 to {max} lowercase letters, digits or hyphens, \
                     starting with a letter or digit"
                ),
            );
        }
    }

    fn unique<'a>(&mut self, field: &str, values: impl IntoIterator<Item = &'a str>) -> bool {
        let mut seen = HashSet::new();
        let mut ok = true;
        for (index, value) in values.into_iter().enumerate() {
            if !seen.insert(value) {
                self.add(
                    format!("{field}[{index}]"),
                    format!("`{value}` is listed twice"),
                );
                ok = false;
            }
        }
        ok
    }

    fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

/// Checks an offering against the schema and the catalog's references.
pub fn validate_offering(offering: &Offering, known: &Known) -> Result<(), Vec<FieldError>> {
    let mut errors = Errors::default();
    errors.slug("id", &offering.id, 100);
    errors.length("title", &offering.title, 3, 200);
    errors.length("description", &offering.description, 20, 20000);
    check_provider_reference(&mut errors, offering, known);
    if offering.audiences.is_empty() {
        errors.add("audiences", "choose at least one audience");
    }
    errors.unique("audiences", offering.audiences.iter().map(|a| a.as_str()));
    check_competencies(&mut errors, offering, known);
    check_schedule(&mut errors, offering);
    check_place_and_price(&mut errors, offering);
    for (index, outcome) in offering.learning_outcomes.iter().enumerate() {
        errors.length(&format!("learning_outcomes[{index}]"), outcome, 3, 500);
    }
    for (index, instructor) in offering.instructors.iter().enumerate() {
        errors.length(&format!("instructors[{index}]"), instructor, 2, 200);
    }
    if let Some(url) = &offering.url {
        errors.web_address("url", url);
    }
    if let Some(language) = &offering.language {
        check_language(&mut errors, language);
    }
    check_series_and_prerequisites(&mut errors, offering, known);
    errors.unique(
        "certifications",
        offering.certifications.iter().map(String::as_str),
    );
    for (index, certification) in offering.certifications.iter().enumerate() {
        let ok = (2..=32).contains(&certification.len())
            && certification
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ok {
            errors.add(
                format!("certifications[{index}]"),
                format!("`{certification}` must be 2 to 32 lowercase letters, digits or hyphens"),
            );
        }
    }
    errors.optional_length("accessibility", offering.accessibility.as_deref(), 2000);
    errors.finish()
}

fn check_provider_reference(errors: &mut Errors, offering: &Offering, known: &Known) {
    if !is_slug(&offering.provider, 2, 64) {
        errors.slug("provider", &offering.provider, 64);
    } else if !known.providers.contains(&offering.provider) {
        errors.add(
            "provider",
            format!("unknown provider {}", offering.provider),
        );
    }
}

fn check_competencies(errors: &mut Errors, offering: &Offering, known: &Known) {
    errors.unique(
        "competencies",
        offering.competencies.iter().map(String::as_str),
    );
    for (index, text) in offering.competencies.iter().enumerate() {
        let field = format!("competencies[{index}]");
        match CompetencyRef::parse(text) {
            Ok(reference) if known.competencies.contains(&reference) => {}
            Ok(_) => errors.add(field, format!("unknown competency {text}")),
            Err(message) => errors.add(field, message),
        }
    }
}

fn check_schedule(errors: &mut Errors, offering: &Offering) {
    let zone = match offering
        .timezone
        .as_deref()
        .map(|name| (name, name.parse::<Tz>()))
    {
        Some((_, Ok(zone))) => Some(zone),
        Some((name, Err(_))) => {
            errors.add(
                "timezone",
                format!("`{name}` is not an IANA time zone (e.g. America/Chicago)"),
            );
            None
        }
        None => None,
    };
    let mut parse = |field: &str, text: Option<&String>| {
        let when = When::parse(text?)
            .map_err(|message| errors.add(field, message))
            .ok()?;
        if let (When::Moment(moment), Some(zone)) = (when, zone) {
            let expected = zone.offset_from_utc_datetime(&moment.naive_utc()).fix();
            if expected != *moment.offset() {
                errors.add(
                    field,
                    format!(
                        "offset {} does not match {} on that date ({})",
                        moment.offset(),
                        zone.name(),
                        expected
                    ),
                );
            }
        }
        Some(when)
    };
    let start = parse("start", offering.start.as_ref());
    let end = parse("end", offering.end.as_ref());
    if offering.format.is_scheduled() && offering.start.is_none() {
        errors.add(
            "start",
            format!(
                "a start is required for {} offerings",
                offering.format.label().to_lowercase()
            ),
        );
    }
    if offering.end.is_some() && offering.start.is_none() {
        errors.add("start", "an offering with an end needs a start");
    }
    if let (Some(start), Some(end)) = (start, end)
        && start.earliest(zone) > end.latest(zone)
    {
        errors.add("start", "must not be after end");
    }
    if let Some(deadline) = &offering.registration_deadline {
        match When::parse(deadline) {
            Ok(When::Day(day)) => {
                let last_day = end.or(start).map(|when| when.day());
                if last_day.is_some_and(|last| day > last) {
                    errors.add(
                        "registration_deadline",
                        "must not be after the offering ends",
                    );
                }
            }
            _ => errors.add(
                "registration_deadline",
                format!("`{deadline}` is not a date (YYYY-MM-DD)"),
            ),
        }
    }
}

fn check_place_and_price(errors: &mut Errors, offering: &Offering) {
    match &offering.location {
        Some(location) => {
            errors.optional_length("location.venue", location.venue.as_deref(), 200);
            errors.length("location.city", &location.city, 1, 100);
            errors.optional_length("location.region", location.region.as_deref(), 100);
            errors.country("location.country", &location.country);
        }
        None if offering.format.needs_location() => errors.add(
            "location",
            format!(
                "{} offerings need a location (city and country)",
                offering.format.label().to_lowercase()
            ),
        ),
        None => {}
    }
    if let Some(cost) = &offering.cost {
        if !(cost.amount.is_finite() && cost.amount >= 0.0) {
            errors.add("cost.amount", "must be 0 (free) or more");
        }
        if iso_currency::Currency::from_code(&cost.currency).is_none() {
            errors.add(
                "cost.currency",
                format!(
                    "`{}` is not an ISO 4217 currency code (e.g. USD)",
                    cost.currency
                ),
            );
        }
    }
    if let Some(credits) = &offering.credits
        && !(credits.amount.is_finite() && credits.amount > 0.0)
    {
        errors.add("credits.amount", "must be more than 0");
    }
}

fn check_language(errors: &mut Errors, language: &str) {
    let mut parts = language.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_lowercase()));
    let rest_ok =
        parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if !(primary_ok && rest_ok && language_tags::LanguageTag::parse(language).is_ok()) {
        errors.add(
            "language",
            format!("`{language}` is not a BCP 47 language tag (e.g. en, es, fr-CA)"),
        );
    }
}

fn check_series_and_prerequisites(errors: &mut Errors, offering: &Offering, known: &Known) {
    if let Some(series) = &offering.series {
        errors.slug("series.id", &series.id, 100);
        errors.optional_length("series.title", series.title.as_deref(), 200);
        if series.position < 1 {
            errors.add("series.position", "must be 1 or more");
        }
    }
    errors.unique(
        "prerequisites",
        offering.prerequisites.iter().map(String::as_str),
    );
    for (index, prerequisite) in offering.prerequisites.iter().enumerate() {
        let field = format!("prerequisites[{index}]");
        if *prerequisite == offering.id {
            errors.add(field, "an offering cannot be its own prerequisite");
        } else if !known.offerings.contains(prerequisite) {
            errors.add(field, format!("unknown offering {prerequisite}"));
        }
    }
}

/// Checks a provider against the schema.
pub fn validate_provider(provider: &Provider) -> Result<(), Vec<FieldError>> {
    let mut errors = Errors::default();
    errors.slug("id", &provider.id, 64);
    errors.length("name", &provider.name, 2, 200);
    errors.optional_length("description", provider.description.as_deref(), 5000);
    if let Some(website) = &provider.website {
        errors.web_address("website", website);
    }
    if let Some(email) = &provider.email {
        let ok = email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }) && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && email.matches('@').count() == 1;
        if !ok {
            errors.add("email", format!("`{email}` is not an email address"));
        }
    }
    errors.optional_length("region", provider.region.as_deref(), 100);
    if let Some(country) = &provider.country {
        errors.country("country", country);
    }
    errors.finish()
}

/// Checks frameworks: ids and codes well formed, codes unique within their framework.
pub fn validate_frameworks(frameworks: &Frameworks) -> Vec<(String, FieldError)> {
    let mut problems = Vec::new();
    let mut framework_ids = HashSet::new();
    for (index, framework) in frameworks.frameworks.iter().enumerate() {
        let item = format!("frameworks[{index}] ({})", framework.id);
        let mut errors = Errors::default();
        let id_ok = !framework.id.is_empty()
            && framework
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !id_ok {
            errors.add(
                "id",
                format!(
                    "`{}` must be lowercase letters, digits or hyphens",
                    framework.id
                ),
            );
        }
        if !framework_ids.insert(framework.id.as_str()) {
            errors.add("id", format!("framework {} is listed twice", framework.id));
        }
        errors.length("name", &framework.name, 1, 200);
        if let Some(url) = &framework.url {
            errors.web_address("url", url);
        }
        let mut codes = HashSet::new();
        for flat in framework.flatten() {
            let code = &flat.competency.code;
            let code_ok = !code.is_empty()
                && code
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
            if !code_ok {
                errors.add(
                    format!("competency {code}"),
                    "code must be letters, digits, dots or hyphens",
                );
            }
            if !codes.insert(code.as_str()) {
                errors.add(
                    format!("competency {code}"),
                    "code is used twice in this framework",
                );
            }
            errors.length(
                &format!("competency {code}.title"),
                &flat.competency.title,
                1,
                300,
            );
        }
        problems.extend(errors.0.into_iter().map(|error| (item.clone(), error)));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// A valid online workshop of ala-pla; each test changes what it checks.
    fn workshop() -> Value {
        json!({
            "id": "shelf-reading-2027", "title": "Shelf Reading Routines",
            "description": "Short daily routines that keep a collection in order.",
            "provider": "ala-pla", "format": "online_live",
            "audiences": ["support_staff", "librarians"], "level": "introductory",
            "competencies": ["lssc:FLS.3"],
            "start": "2027-10-05T14:00:00-05:00", "end": "2027-10-05T15:00:00-05:00",
            "timezone": "America/Chicago",
            "url": "https://www.ala.org/pla/shelf-reading"
        })
    }

    fn known() -> Known {
        Known {
            providers: ["ala-pla".to_owned()].into(),
            competencies: [CompetencyRef::parse("lssc:FLS.3").unwrap()].into(),
            offerings: ["shelving-basics".to_owned()].into(),
        }
    }

    /// The errors for the workshop after `change`, each as `field: message`.
    fn errors_after(change: impl FnOnce(&mut Value)) -> Vec<String> {
        let mut value = workshop();
        change(&mut value);
        let offering: Offering = serde_json::from_value(value).unwrap();
        match validate_offering(&offering, &known()) {
            Ok(()) => Vec::new(),
            Err(errors) => errors.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn a_valid_offering_has_no_errors() {
        assert_eq!(errors_after(|_| {}), Vec::<String>::new());
    }

    #[test]
    fn every_problem_is_reported_at_once_each_naming_its_field() {
        let errors = errors_after(|o| {
            o["id"] = json!("Not A Slug");
            o["title"] = json!("No");
            o["description"] = json!("Too short");
            o["audiences"] = json!([]);
        });
        assert_eq!(
            errors,
            [
                "id: `Not A Slug` must be 2 to 100 lowercase letters, digits or hyphens, \
                 starting with a letter or digit",
                "title: must be at least 3 characters",
                "description: must be at least 20 characters",
                "audiences: choose at least one audience",
            ]
        );
    }

    #[test]
    fn a_length_counts_characters_and_a_blank_value_is_too_short() {
        assert_eq!(
            errors_after(|o| o["title"] = json!("Été")),
            Vec::<String>::new()
        );
        assert_eq!(
            errors_after(|o| o["title"] = json!("     ")),
            ["title: must be at least 3 characters"]
        );
        assert_eq!(
            errors_after(|o| o["title"] = json!("é".repeat(201))),
            ["title: must be at most 200 characters (it has 201)"]
        );
    }

    #[test]
    fn references_must_resolve() {
        assert_eq!(
            errors_after(|o| o["provider"] = json!("ala-yalsa")),
            ["provider: unknown provider ala-yalsa"]
        );
        assert_eq!(
            errors_after(|o| o["competencies"] = json!(["lssc:FLS.3", "lssc:NOPE"])),
            ["competencies[1]: unknown competency lssc:NOPE"]
        );
        assert_eq!(
            errors_after(|o| o["prerequisites"] = json!(["shelving-basics", "nothing-here"])),
            ["prerequisites[1]: unknown offering nothing-here"]
        );
        assert_eq!(
            errors_after(|o| o["prerequisites"] = json!(["shelf-reading-2027"])),
            ["prerequisites[0]: an offering cannot be its own prerequisite"]
        );
    }

    #[test]
    fn a_value_listed_twice_is_named_by_its_position() {
        assert_eq!(
            errors_after(|o| o["audiences"] = json!(["librarians", "support_staff", "librarians"])),
            ["audiences[2]: `librarians` is listed twice"]
        );
    }

    #[test]
    fn an_offering_must_not_end_before_it_starts_nor_end_without_a_start() {
        assert_eq!(
            errors_after(|o| o["end"] = json!("2027-10-04T15:00:00-05:00")),
            ["start: must not be after end"]
        );
        let one_day = errors_after(|o| {
            o["start"] = json!("2027-10-05");
            o["end"] = json!("2027-10-05");
        });
        assert_eq!(one_day, Vec::<String>::new(), "a day may end on itself");
        let errors = errors_after(|o| {
            o["format"] = json!("online_self_paced");
            o.as_object_mut().unwrap().remove("start");
        });
        assert_eq!(errors, ["start: an offering with an end needs a start"]);
    }

    #[test]
    fn scheduled_formats_need_a_start_and_self_paced_ones_do_not() {
        let without_start = |format: &'static str| {
            errors_after(move |o| {
                o["format"] = json!(format);
                let fields = o.as_object_mut().unwrap();
                fields.remove("start");
                fields.remove("end");
            })
        };
        assert_eq!(
            without_start("online_live"),
            ["start: a start is required for online, live offerings"]
        );
        assert_eq!(without_start("online_self_paced"), Vec::<String>::new());
    }

    #[test]
    fn an_offset_must_be_the_time_zones_on_that_date() {
        // Chicago is five hours behind UTC in October (daylight time), six in January.
        assert_eq!(
            errors_after(|o| o["start"] = json!("2027-10-05T14:00:00-06:00")),
            ["start: offset -06:00 does not match America/Chicago on that date (-05:00)"]
        );
        let winter = errors_after(|o| {
            o["start"] = json!("2027-01-05T14:00:00-06:00");
            o["end"] = json!("2027-01-05T15:00:00-06:00");
        });
        assert_eq!(winter, Vec::<String>::new());
        assert_eq!(
            errors_after(|o| o["timezone"] = json!("Mars/Olympus")),
            ["timezone: `Mars/Olympus` is not an IANA time zone (e.g. America/Chicago)"]
        );
    }

    #[test]
    fn a_registration_deadline_is_a_day_no_later_than_the_end() {
        assert_eq!(
            errors_after(|o| o["registration_deadline"] = json!("2027-10-01")),
            Vec::<String>::new()
        );
        assert_eq!(
            errors_after(|o| o["registration_deadline"] = json!("2027-10-06")),
            ["registration_deadline: must not be after the offering ends"]
        );
        assert_eq!(
            errors_after(|o| o["registration_deadline"] = json!("soon")),
            ["registration_deadline: `soon` is not a date (YYYY-MM-DD)"]
        );
    }

    #[test]
    fn in_person_offerings_need_a_place_with_a_real_country() {
        assert_eq!(
            errors_after(|o| o["format"] = json!("in_person")),
            ["location: in person offerings need a location (city and country)"]
        );
        let errors = errors_after(|o| {
            o["format"] = json!("in_person");
            o["location"] = json!({"city": "Peoria", "country": "XX"});
        });
        assert_eq!(
            errors,
            ["location.country: `XX` is not an ISO 3166-1 alpha-2 country code (e.g. US, CA)"]
        );
    }

    #[test]
    fn costs_and_credits_are_checked() {
        let errors = errors_after(|o| {
            o["cost"] = json!({"amount": -1, "currency": "ZZZ"});
            o["credits"] = json!({"amount": 0, "unit": "contact_hours"});
        });
        assert_eq!(
            errors,
            [
                "cost.amount: must be 0 (free) or more",
                "cost.currency: `ZZZ` is not an ISO 4217 currency code (e.g. USD)",
                "credits.amount: must be more than 0",
            ]
        );
        assert_eq!(
            errors_after(|o| o["cost"] = json!({"amount": 0, "currency": "USD"})),
            Vec::<String>::new()
        );
    }

    #[test]
    fn web_addresses_must_be_http_or_https() {
        assert_eq!(
            errors_after(|o| o["url"] = json!("ftp://www.ala.org/")),
            ["url: `ftp://www.ala.org/` must be an http or https address"]
        );
        assert_eq!(
            errors_after(|o| o["url"] = json!("www.ala.org")),
            ["url: `www.ala.org` is not a web address (https://…)"]
        );
    }

    #[test]
    fn a_language_is_a_bcp_47_tag() {
        assert_eq!(
            errors_after(|o| o["language"] = json!("fr-CA")),
            Vec::<String>::new()
        );
        for bad in ["French", "EN", "e"] {
            assert_eq!(
                errors_after(|o| o["language"] = json!(bad)),
                [format!(
                    "language: `{bad}` is not a BCP 47 language tag (e.g. en, es, fr-CA)"
                )]
            );
        }
    }

    #[test]
    fn certifications_are_unique_slugs() {
        assert_eq!(
            errors_after(|o| o["certifications"] = json!(["cpls", "cpls", "Not OK"])),
            [
                "certifications[1]: `cpls` is listed twice",
                "certifications[2]: `Not OK` must be 2 to 32 lowercase letters, digits or hyphens",
            ]
        );
    }

    fn provider(change: impl FnOnce(&mut Value)) -> Vec<String> {
        let mut value = json!({
            "id": "prairie-library-cooperative", "name": "Prairie Library Cooperative",
            "kind": "consortium", "website": "https://prairie.example.org",
            "email": "training@prairie.example.org", "country": "US"
        });
        change(&mut value);
        let provider: Provider = serde_json::from_value(value).unwrap();
        match validate_provider(&provider) {
            Ok(()) => Vec::new(),
            Err(errors) => errors.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn a_provider_is_checked_field_by_field() {
        assert_eq!(provider(|_| {}), Vec::<String>::new());
        let errors = provider(|p| {
            p["website"] = json!("ftp://prairie.example.org");
            p["email"] = json!("training@prairie");
            p["country"] = json!("USA");
        });
        assert_eq!(
            errors,
            [
                "website: `ftp://prairie.example.org` must be an http or https address",
                "email: `training@prairie` is not an email address",
                "country: `USA` is not an ISO 3166-1 alpha-2 country code (e.g. US, CA)",
            ]
        );
        for bad in [
            "@example.org",
            "a@b@example.org",
            "a b@example.org",
            "a@.example.org",
        ] {
            assert_eq!(
                provider(|p| p["email"] = json!(bad)),
                [format!("email: `{bad}` is not an email address")]
            );
        }
    }

    #[test]
    fn a_framework_uses_each_code_once_and_is_listed_once() {
        let frameworks: Frameworks = serde_json::from_value(json!({"frameworks": [
            {"id": "lssc", "name": "LSSC", "competencies": [
                {"code": "FLS", "title": "Foundations", "children": [
                    {"code": "FLS.1", "title": "One"}, {"code": "FLS.1", "title": "Again"}
                ]}
            ]},
            {"id": "lssc", "name": "LSSC again", "competencies": []}
        ]}))
        .unwrap();
        let problems: Vec<String> = validate_frameworks(&frameworks)
            .into_iter()
            .map(|(item, error)| format!("{item} {error}"))
            .collect();
        assert_eq!(
            problems,
            [
                "frameworks[0] (lssc) competency FLS.1: code is used twice in this framework",
                "frameworks[1] (lssc) id: framework lssc is listed twice",
            ]
        );
    }
}
