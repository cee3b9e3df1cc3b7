//! The offering form as shown: the specification's fields with their values, choices and
//! problems, and a summary of the problems at the top linking to each field.

use super::form_spec::{FieldKind, FormField, GROUPS, Vocabulary, anchor};
use super::form_values::FormValues;
use crate::catalog::{FieldError, Frameworks};
use std::collections::HashMap;

/// One choice of a select or checkbox field.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub chosen: bool,
    /// Depth in a tree of competencies (0 at the top and for flat lists), for indenting.
    pub depth: usize,
}

/// One field as shown.
pub struct ShownField {
    pub name: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub kind: FieldKind,
    pub required: bool,
    pub value: String,
    pub choices: Vec<Choice>,
    /// The first problem with this field.
    pub error: Option<String>,
}

pub struct ShownGroup {
    pub title: &'static str,
    pub fields: Vec<ShownField>,
}

/// One line of the summary: a problem and the field it links to.
pub struct SummaryLine {
    pub anchor: &'static str,
    pub message: String,
}

/// Every competency of every framework, in tree order, as unchosen choices.
pub fn competency_choices(frameworks: &Frameworks) -> Vec<Choice> {
    let mut choices = Vec::new();
    for framework in &frameworks.frameworks {
        let mut depths: HashMap<&str, usize> = HashMap::new();
        for flat in framework.flatten() {
            let depth = flat
                .parent
                .and_then(|parent| depths.get(parent))
                .map_or(0, |d| d + 1);
            depths.insert(&flat.competency.code, depth);
            let code = &flat.competency.code;
            choices.push(Choice {
                value: format!("{}:{code}", framework.id),
                label: format!("{code} {} ({})", flat.competency.title, framework.id),
                chosen: false,
                depth,
            });
        }
    }
    choices
}

/// The choices of a field (none for a field that is no choice), those in `value` (`;`-joined)
/// chosen.
fn choices(kind: FieldKind, value: &str, competencies: &[Choice]) -> Vec<Choice> {
    let listed = match kind.vocabulary() {
        None => Vec::new(),
        Some(Vocabulary::Competencies) => competencies.to_vec(),
        Some(vocabulary) => vocabulary
            .fixed()
            .into_iter()
            .map(|(value, label)| Choice {
                value: value.to_owned(),
                label: label.to_owned(),
                chosen: false,
                depth: 0,
            })
            .collect(),
    };
    let chosen: Vec<&str> = value.split(';').collect();
    listed
        .into_iter()
        .map(|choice| Choice {
            chosen: chosen.contains(&choice.value.as_str()),
            ..choice
        })
        .collect()
}

fn shown(
    field: &FormField,
    values: &FormValues,
    errors: &[FieldError],
    competencies: &[Choice],
) -> ShownField {
    let value = values.get(field.name).to_owned();
    ShownField {
        name: field.name,
        label: field.label,
        help: field.help,
        kind: field.kind,
        required: field.required,
        choices: choices(field.kind, &value, competencies),
        value,
        error: errors
            .iter()
            .find(|e| field.shows(&e.field))
            .map(|e| e.message.clone()),
    }
}

/// Every group with its fields as shown.
pub fn groups(
    values: &FormValues,
    errors: &[FieldError],
    competencies: &[Choice],
) -> Vec<ShownGroup> {
    GROUPS
        .iter()
        .map(|group| ShownGroup {
            title: group.title,
            fields: group
                .fields
                .iter()
                .map(|field| shown(field, values, errors, competencies))
                .collect(),
        })
        .collect()
}

/// The summary at the top, one line a problem.
pub fn summary(errors: &[FieldError]) -> Vec<SummaryLine> {
    errors
        .iter()
        .map(|e| SummaryLine {
            anchor: anchor(&e.field),
            message: e.to_string(),
        })
        .collect()
}
