//! The domain: offerings, providers, competency frameworks and their enums, in the field names of the
//! bundle format (`shared/schema`), with validation into field-level errors.
//!
//! Nothing here knows of SQL, tantivy or HTTP: the same types travel through import, export, the JSON
//! API and the forms, so every path into the catalog is checked by the same rules.

mod certification;
mod competency;
mod enums;
mod offering;
mod provider;
mod validate;
mod when;

pub use certification::{
    CERTIFICATIONS, Certification, Certifications, Requirement, RequirementKind, certification_name,
};
pub use competency::{Competency, CompetencyRef, FlatCompetency, Framework, Frameworks};
pub use enums::ClosedVocabulary;
pub(crate) use enums::string_enum;
pub use offering::{
    Audience, Cost, CreditUnit, Credits, Format, Level, Location, Offering, OfferingStatus, Series,
};
pub use provider::{Provider, ProviderKind};
pub use validate::{FieldError, Known, validate_frameworks, validate_offering, validate_provider};
pub use when::When;

/// Ids of offerings, providers and series: lowercase letters, digits and hyphens, starting with a
/// letter or digit, `min..=max` characters long.
pub(crate) fn is_slug(value: &str, min: usize, max: usize) -> bool {
    let mut chars = value.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    first_ok
        && (min..=max).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// An id from a name: its words lowercased and joined by hyphens, at most `max` characters.
pub fn slugify(text: &str, max: usize) -> String {
    let mut slug = String::new();
    for word in text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if slug.len() + word.len() + 1 > max {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word.to_ascii_lowercase());
    }
    slug
}
