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

const fn field(name: &'static str, label: &'static str, kind: FieldKind) -> FormField {
    FormField {
        name,
        label,
        help: "",
        kind,
        required: false,
    }
}

/// The form, group by group.
pub const GROUPS: &[GroupSpec] = &[
    GroupSpec {
        title: "What it is",
        fields: &[
            FormField {
                help: "3 to 200 characters.",
                required: true,
                ..field("title", "Title", FieldKind::Text)
            },
            FormField {
                help: "Plain text, at least 20 characters; a blank line starts a paragraph.",
                required: true,
                ..field("description", "Description", FieldKind::Textarea)
            },
            FormField {
                required: true,
                ..field("format", "Format", FieldKind::Select(Vocabulary::Format))
            },
            FormField {
                required: true,
                ..field("level", "Level", FieldKind::Select(Vocabulary::Level))
            },
            FormField {
                help: "Who it is for: choose at least one.",
                required: true,
                ..field(
                    "audiences",
                    "Audiences",
                    FieldKind::Checkboxes(Vocabulary::Audience),
                )
            },
            FormField {
                help: "From the three frameworks.",
                ..field(
                    "competencies",
                    "Competencies it builds",
                    FieldKind::Checkboxes(Vocabulary::Competencies),
                )
            },
            FormField {
                help: "One a line, each beginning with a verb.",
                ..field(
                    "learning_outcomes",
                    "Learning outcomes",
                    FieldKind::Textarea,
                )
            },
            FormField {
                help: "One a line.",
                ..field("instructors", "Instructors", FieldKind::Textarea)
            },
        ],
    },
    GroupSpec {
        title: "When",
        fields: &[
            FormField {
                help: "A day (2027-03-10) or a date-time with offset (2027-03-10T14:00:00-06:00). Required unless self-paced.",
                ..field("start", "Start", FieldKind::Text)
            },
            FormField {
                help: "Same forms as the start; not before it.",
                ..field("end", "End", FieldKind::Text)
            },
            FormField {
                help: "IANA name, e.g. America/Chicago; offsets must agree with it.",
                ..field("timezone", "Time zone", FieldKind::Text)
            },
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
            FormField {
                help: "For in-person, hybrid and conference offerings.",
                ..field("location.venue", "Venue", FieldKind::Text)
            },
            field("location.city", "City", FieldKind::Text),
            field(
                "location.region",
                "State, province or region",
                FieldKind::Text,
            ),
            FormField {
                help: "Two letters, e.g. US, CA.",
                ..field("location.country", "Country", FieldKind::Text)
            },
        ],
    },
    GroupSpec {
        title: "Cost and credit",
        fields: &[
            FormField {
                help: "0 for free; leave empty if not stated.",
                ..field("cost.amount", "Cost", FieldKind::Number)
            },
            FormField {
                help: "Three letters, e.g. USD.",
                ..field("cost.currency", "Currency", FieldKind::Text)
            },
            field("credits.amount", "Credits", FieldKind::Number),
            field(
                "credits.unit",
                "Credit unit",
                FieldKind::Select(Vocabulary::CreditUnit),
            ),
            FormField {
                help: "Codes separated by ;, e.g. cpla;lssc.",
                ..field(
                    "certifications",
                    "Counts toward certifications",
                    FieldKind::Text,
                )
            },
        ],
    },
    GroupSpec {
        title: "More",
        fields: &[
            FormField {
                help: "An http or https address.",
                ..field("url", "Registration page", FieldKind::Url)
            },
            FormField {
                help: "A language tag; leave empty for English.",
                ..field("language", "Language", FieldKind::Text)
            },
            FormField {
                help: "When this is part of a series.",
                ..field("series.id", "Series id", FieldKind::Text)
            },
            field("series.title", "Series title", FieldKind::Text),
            field("series.position", "Part number", FieldKind::Number),
            FormField {
                help: "Ids of offerings to take first, separated by ;.",
                ..field("prerequisites", "Prerequisites", FieldKind::Text)
            },
            FormField {
                help: "Captioning, materials formats, venue access.",
                ..field("accessibility", "Accessibility", FieldKind::Textarea)
            },
            FormField {
                help: "Leave empty to derive it from the title.",
                ..field("id", "Id", FieldKind::Text)
            },
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
