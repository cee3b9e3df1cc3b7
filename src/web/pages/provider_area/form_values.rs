//! The form's values and an offering, both ways. The form's field names are the CSV table's
//! columns, so the table's own row code does the work: `table::cells` gives an offering's values
//! and `table::from_cells` reads values back into an offering, with the same rules (lists of
//! codes joined by `;`, sentences one a line) as a bulk upload. The one difference: a start or
//! end is entered as a date and a time (`start_date`, `start_time`), split by `form_dates`.

use super::form_dates;
use crate::catalog::{FieldError, Offering};
use crate::formats::table;

/// Fields whose checkboxes send one value each; the table joins them with `;`.
const MULTIPLE: &[&str] = &["audiences", "competencies", "certifications"];

/// The columns the form enters as a date and a time.
pub const MOMENTS: &[&str] = &["start", "end"];

/// A form's values by field name, as entered (kept untrimmed, to show them back unchanged).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormValues(Vec<(String, String)>);

impl FormValues {
    /// An offering's values, to edit it.
    pub fn of_offering(offering: &Offering) -> Self {
        let mut values = FormValues::default();
        for (column, value) in table::cells(offering) {
            if MOMENTS.contains(&column) {
                let (date, time) = form_dates::split(&value);
                values.set(&format!("{column}_date"), date);
                values.set(&format!("{column}_time"), time);
            } else {
                values.set(column, value);
            }
        }
        values
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

    /// Sets a field: one the provider does not choose (the provider, a derived id), or one read
    /// from what was entered.
    pub fn set(&mut self, name: &str, value: String) {
        self.0.retain(|(n, _)| n != name);
        self.0.push((name.to_owned(), value));
    }

    /// The offering these values describe (by column: a start, not its date and time), or the
    /// problems of its shape by field (a number that is not one, a missing format), in the
    /// table's words; `form_check` reads the form first, so what it hands on has none.
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
    fn an_offering_is_shown_with_its_start_and_end_as_date_and_time() {
        let offering = crate::seed::bundle()
            .unwrap()
            .offerings
            .into_iter()
            .find(|o| o.id == "pla-budgeting-for-branch-managers-2027")
            .unwrap();
        let values = FormValues::of_offering(&offering);
        assert_eq!(values.get("start_date"), "2027-02-02");
        assert_eq!(values.get("start_time"), "14:00");
        assert_eq!(values.get("end_time"), "15:30");
        assert_eq!(values.get("timezone"), "America/New_York");
        assert_eq!(
            values.get("start"),
            "",
            "the column itself is not a field of the form"
        );
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
