//! What an edit changes, field by field and in words, for the review queue: the form's labels,
//! vocabulary labels rather than codes ("Online, live", not `online_live`), and lists compared
//! as sets, so reordering audiences is no change and what was added or removed is marked.

use super::provider_area::field_label;
use crate::catalog::Offering;
use crate::formats::table;

/// One field an edit changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The field as the form names it ("Registration page").
    pub field: &'static str,
    pub now: String,
    pub proposed: String,
}

/// Columns whose cells hold several values: compared as sets.
const SETS: &[(&str, char)] = &[
    ("audiences", ';'),
    ("competencies", ';'),
    ("prerequisites", ';'),
    ("certifications", ';'),
    ("learning_outcomes", '\n'),
    ("instructors", '\n'),
];

/// The fields that differ between the published offering and the proposed one, in form order.
pub fn changes(now: &Offering, proposed: &Offering) -> Vec<Change> {
    table::cells(now)
        .into_iter()
        .zip(table::cells(proposed))
        .filter_map(|((column, before), (_, after))| change(column, &before, &after))
        .collect()
}

fn change(column: &'static str, before: &str, after: &str) -> Option<Change> {
    let field = field_label(column).unwrap_or(column);
    match SETS.iter().find(|(name, _)| *name == column) {
        Some(&(_, separator)) => set_change(column, field, before, after, separator),
        None => (before != after).then(|| Change {
            field,
            now: words(column, before),
            proposed: words(column, after),
        }),
    }
}

/// A list's change: each side in words, with what the edit removes and adds marked.
fn set_change(
    column: &str,
    field: &'static str,
    before: &str,
    after: &str,
    separator: char,
) -> Option<Change> {
    let items = |cell: &str| -> Vec<String> {
        cell.split(separator)
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| words(column, item))
            .collect()
    };
    let (before, after) = (items(before), items(after));
    let mark = |list: &[String], other: &[String], note: &str| -> String {
        if list.is_empty() {
            return NONE.to_owned();
        }
        list.iter()
            .map(|item| match other.contains(item) {
                true => item.clone(),
                false => format!("{item} ({note})"),
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let changed = before.iter().any(|item| !after.contains(item))
        || after.iter().any(|item| !before.contains(item));
    changed.then(|| Change {
        field,
        now: mark(&before, &after, "removed"),
        proposed: mark(&after, &before, "added"),
    })
}

const NONE: &str = "(none)";

/// A cell as people read it: a vocabulary's label for its code, "(none)" for nothing.
fn words(column: &str, cell: &str) -> String {
    if cell.is_empty() {
        return NONE.to_owned();
    }
    table::coded(column)
        .and_then(|vocabulary| (vocabulary.label_of)(cell))
        .map_or_else(|| cell.to_owned(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Audience, Format};

    fn offering() -> Offering {
        serde_json::from_value(serde_json::json!({
            "id": "x", "title": "Shelf Reading", "provider": "p",
            "description": "A description long enough to pass.",
            "format": "in_person", "audiences": ["librarians", "support_staff"],
            "level": "introductory", "competencies": ["ala-core:5A"],
            "start": "2027-03-10"
        }))
        .unwrap()
    }

    #[test]
    fn reordered_lists_are_no_change_and_codes_read_as_words() {
        let now = offering();
        let mut proposed = offering();
        proposed.audiences.reverse();
        assert!(changes(&now, &proposed).is_empty());
        proposed.format = Format::OnlineLive;
        proposed.audiences = vec![Audience::SupportStaff, Audience::Trustees];
        assert_eq!(
            changes(&now, &proposed),
            vec![
                Change {
                    field: "Format",
                    now: "In person".into(),
                    proposed: "Online, live".into(),
                },
                Change {
                    field: "Audiences",
                    now: "Librarians (removed); Support staff".into(),
                    proposed: "Support staff; Trustees (added)".into(),
                },
            ]
        );
    }
}
