//! The form's values and an offering, both ways. The form's field names are the CSV table's
//! columns, so the table's own row code does the work: `table::cells` gives an offering's values
//! and `table::from_cells` reads values back into an offering, with the same rules (lists of
//! codes joined by `;`, sentences one a line) as a bulk upload.

use crate::catalog::{FieldError, Offering};
use crate::formats::table;

/// Fields whose checkboxes send one value each; the table joins them with `;`.
const MULTIPLE: &[&str] = &["audiences", "competencies"];

/// A form's values by field name, as entered (kept untrimmed, to show them back unchanged).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormValues(Vec<(String, String)>);

impl FormValues {
    /// An offering's values, to edit it.
    pub fn of_offering(offering: &Offering) -> Self {
        FormValues(
            table::cells(offering)
                .into_iter()
                .map(|(column, value)| (column.to_owned(), value))
                .collect(),
        )
    }

    /// A submitted form's values: the first of each name, except that the checkboxes of a
    /// multiple choice are joined by `;`.
    pub fn submitted(form: &[(String, String)]) -> Self {
        let mut values = FormValues::default();
        for (name, value) in form {
            match values.0.iter_mut().find(|(n, _)| n == name) {
                Some((_, joined)) if MULTIPLE.contains(&name.as_str()) => {
                    joined.push(';');
                    joined.push_str(value);
                }
                Some(_) => {}
                None => values.0.push((name.clone(), value.clone())),
            }
        }
        values
    }

    /// The value of a field, as entered; empty when it was not sent.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, value)| value.as_str())
    }

    /// Sets a field the provider does not choose (the provider, a derived id).
    pub fn set(&mut self, name: &str, value: String) {
        self.0.retain(|(n, _)| n != name);
        self.0.push((name.to_owned(), value));
    }

    /// The offering these values describe, or the problems of its shape by field (a number that
    /// is not one, a missing format); the store checks the rest when it is submitted.
    pub fn to_offering(&self) -> Result<Offering, Vec<FieldError>> {
        table::from_cells(&|name| self.get(name).trim().to_owned()).map_err(|problems| {
            problems
                .into_iter()
                .map(|(field, message)| FieldError { field, message })
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::FormValues;

    fn pairs(form: &[(&str, &str)]) -> Vec<(String, String)> {
        form.iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn checkboxes_are_joined_and_other_repeats_ignored() {
        let values = FormValues::submitted(&pairs(&[
            ("audiences", "librarians"),
            ("title", "First"),
            ("audiences", "trustees"),
            ("title", "Second"),
        ]));
        assert_eq!(values.get("audiences"), "librarians;trustees");
        assert_eq!(values.get("title"), "First");
        assert_eq!(values.get("level"), "");
    }

    #[test]
    fn an_offering_goes_through_the_form_unchanged() {
        let offering = crate::seed::bundle().unwrap().offerings.remove(0);
        let values = FormValues::of_offering(&offering);
        assert_eq!(values.to_offering(), Ok(offering));
    }

    #[test]
    fn shape_problems_name_their_field() {
        let mut values = FormValues::submitted(&pairs(&[("cost.amount", "ten")]));
        values.set("format", String::new());
        let fields: Vec<String> = values
            .to_offering()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert!(fields.contains(&"cost.amount".to_owned()), "{fields:?}");
        assert!(fields.contains(&"format".to_owned()), "{fields:?}");
    }
}
