//! The filter dimensions in one table. Each is an API parameter, a raw string field of the index
//! with the same name, and a facet with a heading; its kind of values says how a value is
//! checked, ordered and labelled. Every layer reads this table: the request parser, the schema,
//! the facet counts and labels, and the search page. A new dimension is one row here plus the
//! values an offering gives it (`fields::add_dimensions`); see docs/ARCHITECTURE.md.

use crate::catalog::{Audience, ClosedVocabulary, CompetencyRef, Format, Level, ProviderKind};

/// A filter dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dimension {
    Format,
    Audience,
    Level,
    Competency,
    Provider,
    ProviderKind,
    Region,
    Country,
    Certification,
    Language,
}

/// What a dimension's values are.
#[derive(Debug, Clone, Copy)]
pub enum Values {
    /// A vocabulary of the schema: only its values, shown in its order, with its labels.
    Closed {
        all: fn() -> Vec<&'static str>,
        label: fn(&str) -> Option<&'static str>,
    },
    /// Competency references: `FRAMEWORK:CODE`, or `FRAMEWORK` for a whole framework.
    Competency,
    /// Ids of the catalog (providers): any bounded text, labelled from the catalog.
    Catalog,
    /// Codes with a known name when there is one (countries, languages, certifications).
    Coded(fn(&str) -> Option<String>),
    /// Regions: US and Canadian ones by postal code (`IL`, named "Illinois"; a request may
    /// name them either way), others as free text.
    Region,
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub dimension: Dimension,
    /// The API parameter and the index field.
    pub name: &'static str,
    /// The facet's heading on the search page.
    pub heading: &'static str,
    pub values: Values,
}

const fn closed<T: ClosedVocabulary>() -> Values {
    Values::Closed {
        all: T::values,
        label: T::label_of,
    }
}

/// The table, in the order the index schema lists the fields.
pub const DIMENSIONS: [Spec; 10] = [
    spec(Dimension::Format, "format", "Format", closed::<Format>()),
    spec(
        Dimension::Audience,
        "audience",
        "Audience",
        closed::<Audience>(),
    ),
    spec(Dimension::Level, "level", "Level", closed::<Level>()),
    spec(
        Dimension::Competency,
        "competency",
        "Competencies it builds",
        Values::Competency,
    ),
    spec(Dimension::Provider, "provider", "Provider", Values::Catalog),
    spec(
        Dimension::ProviderKind,
        "provider_kind",
        "Kind of provider",
        closed::<ProviderKind>(),
    ),
    spec(
        Dimension::Region,
        "region",
        "State or region",
        Values::Region,
    ),
    spec(
        Dimension::Country,
        "country",
        "Country",
        Values::Coded(country_name),
    ),
    spec(
        Dimension::Certification,
        "certification",
        "Counts toward a certification",
        Values::Coded(|code| super::labels::certification_name(code).map(str::to_owned)),
    ),
    spec(
        Dimension::Language,
        "language",
        "Language",
        Values::Coded(|tag| super::labels::language_name(tag).map(str::to_owned)),
    ),
];

const fn spec(
    dimension: Dimension,
    name: &'static str,
    heading: &'static str,
    values: Values,
) -> Spec {
    Spec {
        dimension,
        name,
        heading,
        values,
    }
}

fn country_name(code: &str) -> Option<String> {
    isocountry::CountryCode::for_alpha2(code)
        .ok()
        .map(|country| country.name().to_owned())
}

/// The longest value a dimension takes (a provider's id has at most 64 characters).
const MAX_VALUE_CHARS: usize = 64;
/// The most values one filter takes: more than any real search names, and few enough that the
/// longest request the API document allows stays within the 64 KB a URL may have (a longer one
/// is refused before the application sees it, with an empty 400).
pub const MAX_FILTER_VALUES: usize = 10;

impl Dimension {
    /// The dimension a parameter or field is named after.
    pub fn named(name: &str) -> Option<Dimension> {
        DIMENSIONS
            .iter()
            .find(|spec| spec.name == name)
            .map(|spec| spec.dimension)
    }

    pub fn spec(self) -> &'static Spec {
        DIMENSIONS
            .iter()
            .find(|spec| spec.dimension == self)
            .expect("every dimension has a row in the table")
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// Whether the API takes an empty value as "not set" (open values: ids, codes, text).
    pub fn may_be_empty(self) -> bool {
        !matches!(
            self.spec().values,
            Values::Closed { .. } | Values::Competency
        )
    }

    /// The values in the schema's order, for a closed vocabulary.
    pub fn closed_values(self) -> Option<Vec<&'static str>> {
        match self.spec().values {
            Values::Closed { all, .. } => Some(all()),
            _ => None,
        }
    }

    /// Checks a value a request gives this dimension; the message says what is wrong.
    pub fn check(self, value: &str) -> Result<(), String> {
        if value.chars().count() > MAX_VALUE_CHARS {
            return Err(format!("is longer than {MAX_VALUE_CHARS} characters"));
        }
        match self.spec().values {
            Values::Closed { all, .. } if !all().contains(&value) => Err(format!(
                "unknown value `{value}`, expected one of: {}",
                all().join(", ")
            )),
            Values::Competency if value.contains(':') => CompetencyRef::parse(value).map(|_| ()),
            Values::Competency if !is_framework_id(value) => {
                Err(format!("`{value}` is not FRAMEWORK:CODE or FRAMEWORK"))
            }
            _ => Ok(()),
        }
    }

    /// The label of a value that needs no catalog data (closed vocabularies and known codes).
    pub fn fixed_label(self, value: &str) -> Option<String> {
        match self.spec().values {
            Values::Closed { label, .. } => label(value).map(str::to_owned),
            Values::Coded(name) => name(value),
            Values::Region => crate::geo::regions::by_code(value).map(|r| r.name.to_owned()),
            Values::Competency | Values::Catalog => None,
        }
    }

    /// The value a request means, as the index holds it: a US or Canadian region named in
    /// full or in lowercase ("Illinois", "il") is its code; every other value is as given.
    pub fn canonical(self, value: &str) -> String {
        match self.spec().values {
            Values::Region => crate::geo::regions::find(value)
                .map_or_else(|| value.to_owned(), |region| region.code.to_owned()),
            _ => value.to_owned(),
        }
    }
}

/// A whole framework's id, as a competency filter may name it.
fn is_framework_id(value: &str) -> bool {
    !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dimension_has_one_row_and_a_unique_name() {
        for spec in &DIMENSIONS {
            assert_eq!(spec.dimension.spec().name, spec.name);
            assert_eq!(Dimension::named(spec.name), Some(spec.dimension));
        }
        let mut names: Vec<_> = DIMENSIONS.iter().map(|spec| spec.name).collect();
        names.dedup();
        assert_eq!(names.len(), DIMENSIONS.len());
    }

    #[test]
    fn closed_values_are_checked_and_labelled() {
        assert!(Dimension::Format.check("hybrid").is_ok());
        assert!(
            Dimension::Format
                .check("webinar")
                .unwrap_err()
                .contains("hybrid")
        );
        assert_eq!(
            Dimension::Format.fixed_label("hybrid").as_deref(),
            Some("Hybrid")
        );
        assert!(Dimension::Competency.check("lssc").is_ok());
        assert!(Dimension::Competency.check("LSSC!").is_err());
        assert_eq!(
            Dimension::Country.fixed_label("CA").as_deref(),
            Some("Canada")
        );
        assert_eq!(
            Dimension::Region.fixed_label("BC").as_deref(),
            Some("British Columbia")
        );
        assert_eq!(Dimension::Region.canonical("Ontario"), "ON");
        assert_eq!(Dimension::Region.canonical("England"), "England");
    }
}
