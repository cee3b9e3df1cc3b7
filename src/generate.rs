//! Synthetic catalogs for trying the clearinghouse at scale: `clearinghouse generate --offerings N`
//! writes a valid bundle of N offerings over the seed's frameworks and providers, the same for the
//! same `--seed`.

use crate::bundle::{Bundle, OFFERINGS_FILE};
use crate::catalog::{
    Audience, Cost, CreditUnit, Credits, Format, Level, Location, Offering, Series,
};
use chrono::{Duration, NaiveDate};

/// Subjects, each with the competencies it builds.
const TOPICS: &[(&str, &[&str])] = &[
    (
        "Readers' Advisory for Adult Fiction",
        &["ala-core:5C", "lssc:ARA"],
    ),
    (
        "Teen Services and Young Adult Programming",
        &["lssc:YS.2", "ala-core:5F"],
    ),
    ("Early Literacy Storytime", &["lssc:YS.1", "ala-core:7B"]),
    ("RDA Cataloging Essentials", &["ala-core:3B", "lssc:CAT.1"]),
    ("MARC to BIBFRAME Transition", &["ala-core:3C", "lssc:CAT"]),
    (
        "Integrated Library System Migration",
        &["ala-core:4A", "cpla:TM"],
    ),
    ("Library Budgeting and Finance", &["cpla:BF", "ala-core:8A"]),
    (
        "Grant Writing for Small Libraries",
        &["cpla:FR", "ala-core:8D"],
    ),
    (
        "Strategic Planning for Library Boards",
        &["ala-core:8A", "cpla:PN"],
    ),
    ("Supervising Library Staff", &["lssc:SM.1", "ala-core:8B"]),
    (
        "De-escalation and Difficult Patron Behavior",
        &["lssc:COM.3", "lssc:FLS.3"],
    ),
    (
        "Information Literacy Instruction",
        &["ala-core:5D", "lssc:TU"],
    ),
    (
        "Open Educational Resources",
        &["ala-core:2B", "ala-core:7D"],
    ),
    ("Copyright and Fair Use", &["ala-core:1G"]),
    (
        "Patron Privacy and Data Security",
        &["lssc:TEC.3", "ala-core:1G"],
    ),
    ("Digital Preservation Basics", &["ala-core:2C"]),
    ("Weeding with CREW", &["lssc:CM.2", "ala-core:2B"]),
    ("Reference Interview Skills", &["lssc:RIS.1", "ala-core:5A"]),
    ("Interlibrary Loan and Resource Sharing", &["lssc:ACC.2"]),
    (
        "Makerspaces and Hands-on Learning",
        &["ala-core:4D", "lssc:TEC.2"],
    ),
    ("Serving Diverse Communities", &["cpla:SDP", "ala-core:5F"]),
    ("Library Marketing on a Shoestring", &["cpla:MKT"]),
    ("Planning a Library Building Renovation", &["cpla:BLD"]),
    (
        "Evaluating AI Tools for Library Work",
        &["ala-core:4C", "ala-core:4D"],
    ),
    ("Data Literacy for Librarians", &["ala-core:6A"]),
    ("Advocacy with Local Officials", &["ala-core:1H", "cpla:PN"]),
    (
        "Accessibility and Universal Design",
        &["ala-core:5F", "ala-core:4B"],
    ),
    (
        "Customer Service at the Circulation Desk",
        &["lssc:ACC.1", "lssc:FLS.3"],
    ),
    ("Trustee Essentials", &["ala-core:1E", "cpla:CI"]),
    ("E-resources Licensing", &["ala-core:2B", "lssc:CM.1"]),
];

const FORMS: &[&str] = &[
    "Workshop",
    "Webinar",
    "Course",
    "Institute",
    "Bootcamp",
    "Masterclass",
    "Clinic",
    "Seminar",
];
const CITIES: &[(&str, &str, &str)] = &[
    ("Chicago", "IL", "US"),
    ("Austin", "TX", "US"),
    ("Denver", "CO", "US"),
    ("Columbus", "OH", "US"),
    ("Des Moines", "IA", "US"),
    ("Raleigh", "NC", "US"),
    ("Olympia", "WA", "US"),
    ("Albany", "NY", "US"),
    ("Sacramento", "CA", "US"),
    ("Lansing", "MI", "US"),
    ("Toronto", "Ontario", "CA"),
    ("Vancouver", "British Columbia", "CA"),
];
const NAMES: &[&str] = &[
    "Alvarez",
    "Chen",
    "Okafor",
    "Nguyen",
    "Patel",
    "Johansson",
    "Brooks",
    "Haddad",
    "Kim",
    "Moreau",
];
const FIRST: &[&str] = &[
    "Maria", "David", "Amara", "Linh", "Priya", "Erik", "Tanya", "Omar", "Grace", "Louis",
];

fn pick<'a, T>(rng: &mut fastrand::Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(..items.len())]
}

/// A bundle of `count` synthetic offerings over `base`'s frameworks and providers.
pub fn synthetic(base: &Bundle, count: usize, seed: u64) -> Bundle {
    let mut rng = fastrand::Rng::with_seed(seed);
    let first_day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
    let offerings = (0..count)
        .map(|n| offering(&mut rng, base, n, first_day))
        .collect();
    Bundle {
        frameworks: base.frameworks.clone(),
        providers: base.providers.clone(),
        offerings,
        offerings_file: OFFERINGS_FILE,
        certifications: Vec::new(),
    }
}

fn offering(rng: &mut fastrand::Rng, base: &Bundle, n: usize, first_day: NaiveDate) -> Offering {
    let (topic, competencies) = pick(rng, TOPICS);
    let form = pick(rng, FORMS);
    let format = *pick(rng, Format::ALL);
    let level = *pick(rng, Level::ALL);
    let provider = pick(rng, &base.providers);
    let mut audiences = vec![*pick(rng, Audience::ALL)];
    let second = *pick(rng, Audience::ALL);
    if second != audiences[0] {
        audiences.push(second);
    }
    let start = first_day + Duration::days(rng.i64(0..730));
    let (start, end) = if format.is_scheduled() {
        let days = if matches!(format, Format::Conference) {
            rng.i64(1..4)
        } else {
            0
        };
        (
            Some(start.to_string()),
            Some((start + Duration::days(days)).to_string()),
        )
    } else {
        (None, None)
    };
    let location = format.needs_location().then(|| {
        let (city, region, country) = *pick(rng, CITIES);
        Location {
            venue: Some(format!("{city} Public Library")),
            city: city.into(),
            region: Some(region.into()),
            country: country.into(),
        }
    });
    let currency = if location.as_ref().is_some_and(|l| l.country == "CA") {
        "CAD"
    } else {
        "USD"
    };
    let instructor = format!("{} {}", pick(rng, FIRST), pick(rng, NAMES));
    Offering {
        id: format!("synthetic-{n:06}"),
        title: format!("{topic} {form} {}", n % 97 + 1),
        description: format!(
            "A {} {} on {} for {}. Participants work through real cases from their own libraries and leave \
             with a plan they can use the next week.\n\nOffered by {}; led by {instructor}.",
            level.label().to_lowercase(),
            form.to_lowercase(),
            topic.to_lowercase(),
            audiences
                .iter()
                .map(|a| a.label().to_lowercase())
                .collect::<Vec<_>>()
                .join(" and "),
            provider.name
        ),
        provider: provider.id.clone(),
        format,
        audiences,
        level,
        competencies: competencies.iter().map(|c| (*c).to_owned()).collect(),
        start,
        end,
        timezone: None,
        registration_deadline: None,
        location,
        cost: (rng.u8(..10) > 0).then(|| Cost {
            amount: (rng.u32(0..40) * 25) as f64,
            currency: currency.into(),
        }),
        credits: (rng.bool()).then(|| Credits {
            amount: (rng.u32(1..13) as f64) * 0.5,
            unit: CreditUnit::ContactHours,
        }),
        learning_outcomes: vec![format!(
            "Apply the essentials of {} in daily work",
            topic.to_lowercase()
        )],
        instructors: vec![instructor],
        url: Some(format!("https://example.org/ce/synthetic-{n:06}")),
        language: None,
        series: n.is_multiple_of(50).then(|| Series {
            id: format!("synthetic-series-{}", n / 50),
            title: None,
            position: 1,
        }),
        prerequisites: Vec::new(),
        certifications: if competencies.iter().any(|c| c.starts_with("cpla")) {
            vec!["cpla".into()]
        } else {
            Vec::new()
        },
        accessibility: None,
    }
}
