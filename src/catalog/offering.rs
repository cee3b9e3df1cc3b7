//! An offering as the schema describes it: a course, webinar, workshop or conference.

use super::When;
use super::enums::string_enum;
use serde::{Deserialize, Serialize};

string_enum! {
    /// How an offering is delivered.
    Format {
        InPerson = "in_person": "In person",
        OnlineLive = "online_live": "Online, live",
        OnlineSelfPaced = "online_self_paced": "Online, self-paced",
        Hybrid = "hybrid": "Hybrid",
        Conference = "conference": "Conference",
    }
}

impl Format {
    /// In-person, hybrid and conference offerings happen somewhere.
    pub fn needs_location(self) -> bool {
        matches!(self, Format::InPerson | Format::Hybrid | Format::Conference)
    }

    /// Everything but self-paced courses runs on a schedule.
    pub fn is_scheduled(self) -> bool {
        self != Format::OnlineSelfPaced
    }
}

string_enum! {
    /// Who an offering is for.
    Audience {
        Librarians = "librarians": "Librarians",
        SupportStaff = "support_staff": "Support staff",
        Trustees = "trustees": "Trustees",
        Administrators = "administrators": "Administrators",
        SchoolLibraryStaff = "school_library_staff": "School library staff",
        LibraryEducators = "library_educators": "Library educators",
    }
}

string_enum! {
    /// How much the learner is expected to know already.
    Level {
        Introductory = "introductory": "Introductory",
        Intermediate = "intermediate": "Intermediate",
        Advanced = "advanced": "Advanced",
    }
}

string_enum! {
    /// The unit credits are counted in.
    CreditUnit {
        Ceu = "ceu": "CEU",
        ContactHours = "contact_hours": "contact hours",
    }
}

string_enum! {
    /// Where an offering stands in moderation. Only `published` ones are searchable and exported.
    OfferingStatus {
        Pending = "pending": "Pending review",
        Published = "published": "Published",
        Rejected = "rejected": "Rejected",
        Withdrawn = "withdrawn": "Withdrawn",
    }
}

/// Where an in-person, hybrid or conference offering takes place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Location {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub venue: Option<String>,
    pub city: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
}

/// Writes whole numbers without a fraction (`25`, not `25.0`), as people write prices and hours.
fn whole_if_integral<S: serde::Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        serializer.serialize_i64(*value as i64)
    } else {
        serializer.serialize_f64(*value)
    }
}

/// The price of a standard registration; an amount of 0 means free.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Cost {
    #[serde(serialize_with = "whole_if_integral")]
    pub amount: f64,
    /// ISO 4217.
    pub currency: String,
}

/// Continuing-education credit earned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credits {
    #[serde(serialize_with = "whole_if_integral")]
    pub amount: f64,
    pub unit: CreditUnit,
}

impl Credits {
    /// Credits in contact hours (1 CEU = 10 contact hours), so offerings compare on one scale.
    pub fn contact_hours(&self) -> f64 {
        match self.unit {
            CreditUnit::Ceu => self.amount * 10.0,
            CreditUnit::ContactHours => self.amount,
        }
    }
}

/// Membership of a sequenced series: this offering is part `position` of series `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Series {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub position: i64,
}

/// One continuing-education offering, field for field as `offering.schema.json` has it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Offering {
    pub id: String,
    pub title: String,
    pub description: String,
    pub provider: String,
    pub format: Format,
    pub audiences: Vec<Audience>,
    pub level: Level,
    /// Each as `FRAMEWORK:CODE`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub competencies: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_deadline: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Cost>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits: Option<Credits>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub learning_outcomes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instructors: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<Series>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prerequisites: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certifications: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accessibility: Option<String>,
}

impl Offering {
    /// The language tag, `en` when none is given.
    pub fn language_or_default(&self) -> &str {
        self.language.as_deref().unwrap_or("en")
    }

    /// Its IANA time zone, when one is given and known.
    pub fn zone(&self) -> Option<chrono_tz::Tz> {
        self.timezone.as_deref().and_then(|name| name.parse().ok())
    }

    /// Its start, when given and well formed (validation reports the rest).
    pub fn start_when(&self) -> Option<When> {
        self.start
            .as_deref()
            .and_then(|text| When::parse(text).ok())
    }

    /// Its end, when given and well formed.
    pub fn end_when(&self) -> Option<When> {
        self.end.as_deref().and_then(|text| When::parse(text).ok())
    }

    /// The first and last instants it covers, in Unix seconds: a day counts from midnight to
    /// midnight in the offering's time zone (UTC when none is given); no end means it ends as it
    /// starts.
    pub fn instants(&self) -> (Option<i64>, Option<i64>) {
        let zone = self.zone();
        let start = self.start_when();
        let end = self.end_when().or(start);
        (
            start.map(|when| when.earliest(zone).timestamp()),
            end.map(|when| when.latest(zone).timestamp()),
        )
    }

    /// True when a cost is stated and it is zero.
    pub fn is_free(&self) -> bool {
        self.cost.as_ref().is_some_and(|cost| cost.amount == 0.0)
    }
}
