//! The offering form's specification: its groups and fields, in the order they show. Each field
//! is named after its column in the CSV table (`title`, `location.city`, …), so a form's values
//! are read and written by the table's own row code.

use crate::catalog::{Audience, CreditUnit, Format, Level};

/// The vocabulary a select or checkbox field chooses from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vocabulary {
    Format,
    Level,
    Audience,
    CreditUnit,
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
            FieldKind::Date => "date",
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
}

impl FormField {
    /// Whether a problem reported for `field` (a schema path such as `audiences[1]`, or the
    /// whole `location`) belongs next to this field.
    pub fn shows(&self, field: &str) -> bool {
        self.owns(field) || (field == "location" && self.name.starts_with("location."))
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

/// Where the summary at the top links a problem with `field`: the field it names, or the title
/// (the top of the form) for problems of no one field.
pub fn anchor(field: &str) -> &'static str {
    GROUPS
        .iter()
        .flat_map(|group| group.fields)
        .find(|f| f.owns(field))
        .map_or("title", |f| f.name)
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
    }
}

impl FormField {
    const fn help(self, help: &'static str) -> Self {
        FormField { help, ..self }
    }

    const fn required(self) -> Self {
        FormField {
            required: true,
            ..self
        }
    }
}

/// The form, group by group.
pub const GROUPS: &[GroupSpec] = &[
    GroupSpec {
        title: "What it is",
        fields: &[
            field("title", "Title", FieldKind::Text)
                .required()
                .help("3 to 200 characters."),
            field("description", "Description", FieldKind::Textarea)
                .required()
                .help("Plain text, at least 20 characters; a blank line starts a paragraph."),
            field("format", "Format", FieldKind::Select(Vocabulary::Format)).required(),
            field("level", "Level", FieldKind::Select(Vocabulary::Level)).required(),
            field(
                "audiences",
                "Audiences",
                FieldKind::Checkboxes(Vocabulary::Audience),
            )
            .required()
            .help("Who it is for: choose at least one."),
            field(
                "competencies",
                "Competencies it builds",
                FieldKind::Checkboxes(Vocabulary::Competencies),
            )
            .help("From the three frameworks."),
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
            field("start", "Start", FieldKind::Text).help(concat!(
                "A day (2027-03-10) or a date-time with offset (2027-03-10T14:00:00-06:00). ",
                "Required unless self-paced."
            )),
            field("end", "End", FieldKind::Text).help("Same forms as the start; not before it."),
            field("timezone", "Time zone", FieldKind::Text)
                .help("IANA name, e.g. America/Chicago; offsets must agree with it."),
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
                .help("0 for free; leave empty if not stated."),
            field("cost.currency", "Currency", FieldKind::Text).help("Three letters, e.g. USD."),
            field("credits.amount", "Credits", FieldKind::Number),
            field(
                "credits.unit",
                "Credit unit",
                FieldKind::Select(Vocabulary::CreditUnit),
            ),
            field(
                "certifications",
                "Counts toward certifications",
                FieldKind::Text,
            )
            .help("Codes separated by ;, e.g. cpla;lssc."),
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
            field("series.position", "Part number", FieldKind::Number),
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
    use super::{GROUPS, anchor};
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
        assert_eq!(anchor("location"), "title");
        assert_eq!(anchor("ids"), "title");
    }
}
