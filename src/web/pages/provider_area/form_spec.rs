//! The offering form's specification: its groups and fields, in the order they show, and what
//! the form says when one is missing or cannot be read. Each field is named after its column in
//! the CSV table (`title`, `location.city`, …), so a form's values are read and written by the
//! table's own row code; a start or end is entered as a date and a time (`start_date`,
//! `start_time`), which `form_dates` joins into the column.

use super::form_dates::ZONES;
use crate::catalog::{Audience, CERTIFICATIONS, CreditUnit, Format, Level};

/// The vocabulary a select or checkbox field chooses from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vocabulary {
    Format,
    Level,
    Audience,
    CreditUnit,
    /// The time zones of the United States and Canada.
    TimeZone,
    /// The certification programs the catalog knows.
    Certifications,
    /// Every competency of every framework, read from the store when the form is shown.
    Competencies,
}

impl Vocabulary {
    /// The fixed choices, (value, label); none for competencies, which the store holds.
    pub fn fixed(self) -> Vec<(&'static str, &'static str)> {
        match self {
            Vocabulary::Format => Format::ALL
                .iter()
                .map(|v| (v.as_str(), v.label()))
                .collect(),
            Vocabulary::Level => Level::ALL.iter().map(|v| (v.as_str(), v.label())).collect(),
            Vocabulary::Audience => Audience::ALL
                .iter()
                .map(|v| (v.as_str(), v.label()))
                .collect(),
            Vocabulary::CreditUnit => CreditUnit::ALL
                .iter()
                .map(|v| (v.as_str(), v.label()))
                .collect(),
            Vocabulary::TimeZone => ZONES.to_vec(),
            Vocabulary::Certifications => CERTIFICATIONS.to_vec(),
            Vocabulary::Competencies => Vec::new(),
        }
    }
}

/// How a field is entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Url,
    Number,
    Date,
    /// A date and, if it has one, a time: two inputs, `{name}_date` and `{name}_time`.
    Moment,
    Textarea,
    /// One choice from a drop-down list.
    Select(Vocabulary),
    /// Any number of choices, one checkbox each.
    Checkboxes(Vocabulary),
}

impl FieldKind {
    /// The `type` of an `<input>` (only inputs have one).
    pub fn input_type(&self) -> &'static str {
        match self {
            FieldKind::Url => "url",
            FieldKind::Number => "number",
            FieldKind::Date | FieldKind::Moment => "date",
            _ => "text",
        }
    }

    pub fn is_textarea(&self) -> bool {
        *self == FieldKind::Textarea
    }

    pub fn is_select(&self) -> bool {
        matches!(self, FieldKind::Select(_))
    }

    pub fn is_checkboxes(&self) -> bool {
        matches!(self, FieldKind::Checkboxes(_))
    }

    /// Whether its checkboxes are the competency frameworks' trees.
    pub fn is_tree(&self) -> bool {
        *self == FieldKind::Checkboxes(Vocabulary::Competencies)
    }

    pub fn is_moment(&self) -> bool {
        *self == FieldKind::Moment
    }

    /// What the field chooses from, if it is a choice.
    pub fn vocabulary(&self) -> Option<Vocabulary> {
        match self {
            FieldKind::Select(vocabulary) | FieldKind::Checkboxes(vocabulary) => Some(*vocabulary),
            _ => None,
        }
    }
}

/// One field of the form.
#[derive(Debug)]
pub struct FormField {
    /// The CSV column, which is also the form's field name.
    pub name: &'static str,
    pub label: &'static str,
    /// Shown under the label; empty for none.
    pub help: &'static str,
    pub kind: FieldKind,
    pub required: bool,
    /// What the form asks for when a required field is empty, after its label ("enter a title").
    pub missing: &'static str,
    /// What the form asks for when a value cannot be read (a number that is not one).
    pub invalid: &'static str,
}

impl FormField {
    /// Whether a problem reported for `field` (a schema path such as `audiences[1]`, or the
    /// whole `location`) belongs next to this field.
    pub fn shows(&self, field: &str) -> bool {
        owner(field).is_some_and(|owner| owner.name == self.name)
    }

    /// Whether `field` is this field or one item of it.
    fn owns(&self, field: &str) -> bool {
        field
            .strip_prefix(self.name)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('['))
    }
}

/// A titled group of fields, one `<fieldset>`.
#[derive(Debug)]
pub struct GroupSpec {
    pub title: &'static str,
    pub fields: &'static [FormField],
}

/// Every field, in order.
pub fn fields() -> impl Iterator<Item = &'static FormField> {
    GROUPS.iter().flat_map(|group| group.fields)
}

/// The field a problem with `field` belongs to: the one it names, or the city for a missing
/// location as a whole.
fn owner(field: &str) -> Option<&'static FormField> {
    let field = if field == "location" {
        "location.city"
    } else {
        field
    };
    fields().find(|f| f.owns(field))
}

/// Where the summary at the top links a problem with `field`: the field it names, or the title
/// (the top of the form) for problems of no one field.
pub fn anchor(field: &str) -> &'static str {
    owner(field).map_or("title", |f| f.name)
}

/// The label a problem with `field` is reported under: its field's, "Where" for the location
/// as a whole, or the schema's name for a field the form does not show.
pub fn label(field: &str) -> &str {
    match field {
        "location" => "Where",
        _ => owner(field).map_or(field, |f| f.label),
    }
}

/// The form's label for a column ("Registration page" for `url`), if the form has the field.
pub fn field_label(name: &str) -> Option<&'static str> {
    GROUPS
        .iter()
        .flat_map(|group| group.fields)
        .find(|field| field.name == name)
        .map(|field| field.label)
}

const fn field(name: &'static str, label: &'static str, kind: FieldKind) -> FormField {
    FormField {
        name,
        label,
        help: "",
        kind,
        required: false,
        missing: "",
        invalid: "",
    }
}

impl FormField {
    const fn help(self, help: &'static str) -> Self {
        FormField { help, ..self }
    }

    /// A required field, and what to ask for when it is empty.
    const fn required(self, missing: &'static str) -> Self {
        FormField {
            required: true,
            missing,
            ..self
        }
    }

    /// What to ask for when its value cannot be read.
    const fn invalid(self, invalid: &'static str) -> Self {
        FormField { invalid, ..self }
    }
}

/// The form, group by group.
pub const GROUPS: &[GroupSpec] = &[
    GroupSpec {
        title: "What it is",
        fields: &[
            field("title", "Title", FieldKind::Text)
                .required("enter a title")
                .help("3 to 200 characters."),
            field("description", "Description", FieldKind::Textarea)
                .required("enter a description")
                .help("Plain text, at least 20 characters; a blank line starts a paragraph."),
            field("format", "Format", FieldKind::Select(Vocabulary::Format))
                .required("choose how it is delivered"),
            field("level", "Level", FieldKind::Select(Vocabulary::Level))
                .required("choose a level"),
            field(
                "audiences",
                "Audiences",
                FieldKind::Checkboxes(Vocabulary::Audience),
            )
            .required("choose at least one audience")
            .help("Who it is for: choose at least one."),
            field(
                "competencies",
                "Competencies it builds",
                FieldKind::Checkboxes(Vocabulary::Competencies),
            )
            .help("From the three frameworks: open one to choose, or filter by a word."),
            field(
                "learning_outcomes",
                "Learning outcomes",
                FieldKind::Textarea,
            )
            .help("One a line, each beginning with a verb."),
            field("instructors", "Instructors", FieldKind::Textarea).help("One a line."),
        ],
    },
    GroupSpec {
        title: "When",
        fields: &[
            field("start", "Start", FieldKind::Moment)
                .help("Required unless self-paced. A date alone means it runs all day."),
            field("end", "End", FieldKind::Moment).help("Not before the start."),
            field(
                "timezone",
                "Time zone",
                FieldKind::Select(Vocabulary::TimeZone),
            )
            .help("Where the times are local; needed when a time is given."),
            field(
                "registration_deadline",
                "Registration deadline",
                FieldKind::Date,
            ),
        ],
    },
    GroupSpec {
        title: "Where",
        fields: &[
            field("location.venue", "Venue", FieldKind::Text)
                .help("For in-person, hybrid and conference offerings."),
            field("location.city", "City", FieldKind::Text),
            field(
                "location.region",
                "State, province or region",
                FieldKind::Text,
            ),
            field("location.country", "Country", FieldKind::Text).help("Two letters, e.g. US, CA."),
        ],
    },
    GroupSpec {
        title: "Cost and credit",
        fields: &[
            field("cost.amount", "Cost", FieldKind::Number)
                .help("0 for free; leave empty if not stated.")
                .invalid("enter a number, such as 25 or 0 for free"),
            field("cost.currency", "Currency", FieldKind::Text).help("Three letters, e.g. USD."),
            field("credits.amount", "Credits", FieldKind::Number)
                .invalid("enter a number, such as 1.5"),
            field(
                "credits.unit",
                "Credit unit",
                FieldKind::Select(Vocabulary::CreditUnit),
            ),
            field(
                "certifications",
                "Counts toward certifications",
                FieldKind::Checkboxes(Vocabulary::Certifications),
            ),
        ],
    },
    GroupSpec {
        title: "More",
        fields: &[
            field("url", "Registration page", FieldKind::Url).help("An http or https address."),
            field("language", "Language", FieldKind::Text)
                .help("A language tag; leave empty for English."),
            field("series.id", "Series id", FieldKind::Text).help("When this is part of a series."),
            field("series.title", "Series title", FieldKind::Text),
            field("series.position", "Part number", FieldKind::Number)
                .invalid("enter a whole number, such as 2"),
            field("prerequisites", "Prerequisites", FieldKind::Text)
                .help("Ids of offerings to take first, separated by ;."),
            field("accessibility", "Accessibility", FieldKind::Textarea)
                .help("Captioning, materials formats, venue access."),
            field("id", "Id", FieldKind::Text).help("Leave empty to derive it from the title."),
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::{GROUPS, anchor, label};
    use crate::formats::table::COLUMNS;

    #[test]
    fn every_field_is_a_column_of_the_table() {
        for field in GROUPS.iter().flat_map(|group| group.fields) {
            assert!(COLUMNS.contains(&field.name), "{} is no column", field.name);
        }
    }

    #[test]
    fn problems_link_to_their_field_or_the_top() {
        assert_eq!(anchor("audiences[1]"), "audiences");
        assert_eq!(anchor("location.city"), "location.city");
        assert_eq!(anchor("location"), "location.city");
        assert_eq!(anchor("ids"), "title");
    }

    #[test]
    fn problems_are_reported_under_their_fields_label() {
        assert_eq!(label("cost.amount"), "Cost");
        assert_eq!(label("competencies[2]"), "Competencies it builds");
        assert_eq!(label("location"), "Where");
        assert_eq!(label("provider"), "provider");
    }

    #[test]
    fn required_fields_say_what_to_enter_and_numbers_what_they_take() {
        for field in GROUPS.iter().flat_map(|group| group.fields) {
            assert_eq!(field.required, !field.missing.is_empty(), "{}", field.name);
            let number = field.kind == super::FieldKind::Number;
            assert_eq!(number, !field.invalid.is_empty(), "{}", field.name);
        }
    }
}
