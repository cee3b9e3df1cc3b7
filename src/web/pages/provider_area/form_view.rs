//! The offering form as shown: the specification's fields with their values, choices and
//! problems, the competency frameworks as trees, and a summary of the problems at the top
//! linking to each field. Problems are worded after the field's label ("Cost: enter a number…")
//! in the summary and on their own beside the field.

use super::form_spec::{FieldKind, FormField, GROUPS, Vocabulary, anchor, label};
use super::form_values::FormValues;
use crate::catalog::{FieldError, Framework, Frameworks};
use std::collections::HashMap;

/// One choice of a select or checkbox field.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub chosen: bool,
}

/// One competency in a framework's tree, in document order. The template nests lists by
/// `nests` (a list of its children opens inside it) and `closes` (how many lists end after it).
#[derive(Debug, Clone)]
pub struct TreeItem {
    pub value: String,
    pub label: String,
    pub chosen: bool,
    pub nests: bool,
    pub closes: usize,
}

/// One competency framework: a fieldset of its tree, folded unless something in it is chosen
/// or the field has a problem.
#[derive(Debug, Clone)]
pub struct ShownFramework {
    pub id: String,
    pub name: String,
    pub open: bool,
    pub chosen: usize,
    pub items: Vec<TreeItem>,
}

/// One field as shown.
pub struct ShownField {
    pub name: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub kind: FieldKind,
    pub required: bool,
    /// The value as entered; a moment's date.
    pub value: String,
    /// A moment's time.
    pub time: String,
    pub choices: Vec<Choice>,
    /// The competency frameworks, for the competencies field.
    pub frameworks: Vec<ShownFramework>,
    /// The first problem with this field, as shown beside it.
    pub error: Option<String>,
    /// The ids of its help and its problem, for `aria-describedby` (empty when it has neither).
    pub described_by: String,
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

/// The frameworks' trees, the competencies in `chosen` (`;`-joined) ticked.
fn trees(frameworks: &Frameworks, chosen: &[&str], has_error: bool) -> Vec<ShownFramework> {
    frameworks
        .frameworks
        .iter()
        .map(|framework| {
            let items = tree(framework, chosen);
            let ticked = items.iter().filter(|item| item.chosen).count();
            ShownFramework {
                id: framework.id.clone(),
                name: framework.name.clone(),
                open: ticked > 0 || has_error,
                chosen: ticked,
                items,
            }
        })
        .collect()
}

/// One framework's competencies in tree order, with how the lists nest around each.
fn tree(framework: &Framework, chosen: &[&str]) -> Vec<TreeItem> {
    let mut depths: HashMap<&str, usize> = HashMap::new();
    let flat = framework.flatten();
    let levels: Vec<usize> = flat
        .iter()
        .map(|item| {
            let depth = item
                .parent
                .and_then(|parent| depths.get(parent))
                .map_or(0, |d| d + 1);
            depths.insert(&item.competency.code, depth);
            depth
        })
        .collect();
    flat.iter()
        .enumerate()
        .map(|(index, item)| {
            let value = format!("{}:{}", framework.id, item.competency.code);
            let next = levels.get(index + 1).copied().unwrap_or(0);
            TreeItem {
                chosen: chosen.contains(&value.as_str()),
                value,
                label: format!("{} {}", item.competency.code, item.competency.title),
                nests: next > levels[index],
                closes: levels[index].saturating_sub(next),
            }
        })
        .collect()
}

/// The choices of a field (none for a field that is no choice), those in `chosen` ticked. A
/// chosen value the list lacks (a stored offering's other zone or certification) is offered
/// too, so an edit keeps it.
fn choices(kind: FieldKind, chosen: &[&str]) -> Vec<Choice> {
    let Some(vocabulary) = kind.vocabulary() else {
        return Vec::new();
    };
    if vocabulary == Vocabulary::Competencies {
        return Vec::new();
    }
    let listed = vocabulary.fixed();
    let others = chosen
        .iter()
        .filter(|value| !value.is_empty() && !listed.iter().any(|(known, _)| known == *value))
        .map(|value| (*value, *value));
    listed
        .iter()
        .copied()
        .chain(others)
        .map(|(value, label)| Choice {
            value: value.to_owned(),
            label: label.to_owned(),
            chosen: chosen.contains(&value),
        })
        .collect()
}

/// A problem as shown beside its field, where the label is at hand: its first letter capital.
fn beside(message: &str) -> String {
    let mut chars = message.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

fn shown(
    field: &FormField,
    values: &FormValues,
    errors: &[FieldError],
    frameworks: &Frameworks,
) -> ShownField {
    let (value, time) = if field.kind.is_moment() {
        let part = |part: &str| values.get(&format!("{}_{part}", field.name)).to_owned();
        (part("date"), part("time"))
    } else {
        (values.get(field.name).to_owned(), String::new())
    };
    let error = errors
        .iter()
        .find(|e| field.shows(&e.field))
        .map(|e| beside(&e.message));
    let chosen: Vec<&str> = value.split(';').collect();
    let described_by = [
        (!field.help.is_empty()).then(|| format!("help-{}", field.name)),
        error.as_ref().map(|_| format!("error-{}", field.name)),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    ShownField {
        name: field.name,
        label: field.label,
        help: field.help,
        kind: field.kind,
        required: field.required,
        choices: choices(field.kind, &chosen),
        frameworks: if field.kind.is_tree() {
            trees(frameworks, &chosen, error.is_some())
        } else {
            Vec::new()
        },
        time,
        error,
        described_by,
        value,
    }
}

/// Every group with its fields as shown.
pub fn groups(
    values: &FormValues,
    errors: &[FieldError],
    frameworks: &Frameworks,
) -> Vec<ShownGroup> {
    GROUPS
        .iter()
        .map(|group| ShownGroup {
            title: group.title,
            fields: group
                .fields
                .iter()
                .map(|field| shown(field, values, errors, frameworks))
                .collect(),
        })
        .collect()
}

/// The summary at the top, one line a problem, each after its field's label.
pub fn summary(errors: &[FieldError]) -> Vec<SummaryLine> {
    errors
        .iter()
        .map(|e| SummaryLine {
            anchor: anchor(&e.field),
            message: format!("{}: {}", label(&e.field), e.message),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Competency;

    fn competency(code: &str, children: Vec<Competency>) -> Competency {
        Competency {
            code: code.into(),
            title: format!("Title {code}"),
            description: None,
            children,
        }
    }

    #[test]
    fn a_tree_says_where_its_lists_open_and_close() {
        let framework = Framework {
            id: "f".into(),
            name: "F".into(),
            publisher: None,
            url: None,
            competencies: vec![
                competency(
                    "1",
                    vec![competency("1.1", vec![competency("1.1.1", vec![])])],
                ),
                competency("2", vec![]),
            ],
        };
        let items = tree(&framework, &["f:1.1"]);
        let shape: Vec<(&str, bool, usize, bool)> = items
            .iter()
            .map(|i| (i.value.as_str(), i.nests, i.closes, i.chosen))
            .collect();
        assert_eq!(
            shape,
            [
                ("f:1", true, 0, false),
                ("f:1.1", true, 0, true),
                ("f:1.1.1", false, 2, false),
                ("f:2", false, 0, false),
            ]
        );
    }

    #[test]
    fn a_stored_value_the_list_lacks_is_still_offered() {
        let shown = choices(
            FieldKind::Checkboxes(Vocabulary::Certifications),
            &["cpla", "other-cert"],
        );
        let chosen: Vec<&str> = shown
            .iter()
            .filter(|c| c.chosen)
            .map(|c| c.value.as_str())
            .collect();
        assert_eq!(chosen, ["cpla", "other-cert"]);
        assert_eq!(
            shown[0].label,
            "Certified Public Library Administrator (CPLA)"
        );
    }

    #[test]
    fn problems_are_worded_after_their_label_and_beside_their_field() {
        let problem = FieldError {
            field: "cost.amount".into(),
            message: "enter a number, such as 25 or 0 for free".into(),
        };
        let lines = summary(std::slice::from_ref(&problem));
        assert_eq!(
            lines[0].message,
            "Cost: enter a number, such as 25 or 0 for free"
        );
        assert_eq!(
            beside(&problem.message),
            "Enter a number, such as 25 or 0 for free"
        );
    }
}
