//! CSV (RFC 4180): one row an offering, one column a field of the bundle format, named as the
//! schema names it (`location.city`, `cost.amount`). Lists of codes are separated by `;`; lists of
//! sentences (learning outcomes, instructors) by line breaks inside the quoted cell. The same
//! columns are the bulk-upload template, so a download can be edited and uploaded back.
//!
//! A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a
//! formula, so a title such as `=HYPERLINK(…)` could act on the reader's machine. As OWASP
//! recommends, such a cell is written with a single quote before it, which spreadsheets read as
//! "this is text"; reading takes that quote off again, so our own files upload back exactly. Every
//! column is treated alike, numbers too: ours are never negative, and a quoted number still reads.

use crate::catalog::{
    Audience, ClosedVocabulary, Cost, CreditUnit, Credits, Format, Level, Location, Offering,
    Series,
};

/// The columns, in order.
pub const COLUMNS: &[&str] = &[
    "id",
    "title",
    "description",
    "provider",
    "format",
    "audiences",
    "level",
    "competencies",
    "start",
    "end",
    "timezone",
    "registration_deadline",
    "location.venue",
    "location.city",
    "location.region",
    "location.country",
    "cost.amount",
    "cost.currency",
    "credits.amount",
    "credits.unit",
    "learning_outcomes",
    "instructors",
    "url",
    "language",
    "series.id",
    "series.title",
    "series.position",
    "prerequisites",
    "certifications",
    "accessibility",
];

fn number(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        value.to_string()
    }
}

fn row(offering: &Offering) -> Vec<String> {
    let o = offering;
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let location = o.location.as_ref();
    vec![
        o.id.clone(),
        o.title.clone(),
        o.description.clone(),
        o.provider.clone(),
        o.format.as_str().to_owned(),
        o.audiences
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>()
            .join(";"),
        o.level.as_str().to_owned(),
        o.competencies.join(";"),
        text(&o.start),
        text(&o.end),
        text(&o.timezone),
        text(&o.registration_deadline),
        location.and_then(|l| l.venue.clone()).unwrap_or_default(),
        location.map(|l| l.city.clone()).unwrap_or_default(),
        location.and_then(|l| l.region.clone()).unwrap_or_default(),
        location.map(|l| l.country.clone()).unwrap_or_default(),
        o.cost
            .as_ref()
            .map(|c| number(c.amount))
            .unwrap_or_default(),
        o.cost
            .as_ref()
            .map(|c| c.currency.clone())
            .unwrap_or_default(),
        o.credits
            .as_ref()
            .map(|c| number(c.amount))
            .unwrap_or_default(),
        o.credits
            .as_ref()
            .map(|c| c.unit.as_str().to_owned())
            .unwrap_or_default(),
        o.learning_outcomes.join("\n"),
        o.instructors.join("\n"),
        text(&o.url),
        text(&o.language),
        o.series.as_ref().map(|s| s.id.clone()).unwrap_or_default(),
        o.series
            .as_ref()
            .and_then(|s| s.title.clone())
            .unwrap_or_default(),
        o.series
            .as_ref()
            .map(|s| s.position.to_string())
            .unwrap_or_default(),
        o.prerequisites.join(";"),
        o.certifications.join(";"),
        text(&o.accessibility),
    ]
}

/// An offering's values by column, as they read (not yet made safe for a spreadsheet).
pub fn cells(offering: &Offering) -> Vec<(&'static str, String)> {
    COLUMNS.iter().copied().zip(row(offering)).collect()
}

/// What makes a spreadsheet read a cell as a formula.
const FORMULA_STARTS: &[char] = &['=', '+', '-', '@', '\t', '\r'];

/// Whether a cell, past any quotes it starts with, starts like a formula. Counting cells that
/// already start with quotes keeps writing and reading exact inverses: `'=x` is written `''=x`
/// and read back as `'=x`, while `'Tis` is left alone both ways.
fn starts_like_formula(cell: &str) -> bool {
    cell.trim_start_matches('\'').starts_with(FORMULA_STARTS)
}

/// A cell a spreadsheet will show as text, never run.
pub fn neutralise(cell: String) -> String {
    if starts_like_formula(&cell) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// A cell as it was before `neutralise`.
fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if starts_like_formula(rest) => rest,
        _ => cell,
    }
}

/// The offerings as CSV, with a header row.
pub fn write(offerings: &[&Offering]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail; a failed row would only be one left out.
    let _ = writer.write_record(COLUMNS);
    for offering in offerings {
        let _ = writer.write_record(row(offering).into_iter().map(neutralise));
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The id of the template's example row: a file that still holds it is refused, so the example
/// is never submitted by mistake.
pub const EXAMPLE_ID: &str = "example-row-replace-or-delete";

/// The bulk-upload template: the header and one example row that shows each column's form.
pub fn template() -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(COLUMNS);
    let example = [
        ("id", EXAMPLE_ID),
        ("title", "Example: Weeding the Picture Book Collection"),
        (
            "description",
            "Replace this row with one of yours, or delete it. A description of at least 20 \
             characters; a blank line starts a paragraph.",
        ),
        ("format", "in_person"),
        ("audiences", "librarians;support_staff"),
        ("level", "introductory"),
        ("competencies", "ala-core:5A"),
        ("start", "2027-10-05T09:00:00-05:00"),
        ("end", "2027-10-05T16:00:00-05:00"),
        ("timezone", "America/Chicago"),
        ("registration_deadline", "2027-09-28"),
        ("location.venue", "Central Library, Room 2"),
        ("location.city", "Springfield"),
        ("location.region", "IL"),
        ("location.country", "US"),
        ("cost.amount", "45"),
        ("cost.currency", "USD"),
        ("credits.amount", "6"),
        ("credits.unit", "contact_hours"),
        (
            "learning_outcomes",
            "Apply weeding criteria to picture books\nPlan a yearly weeding cycle",
        ),
        ("instructors", "A. Librarian"),
        ("url", "https://example.org/register"),
        ("language", "en"),
    ];
    let cell = |column: &str| {
        example
            .iter()
            .find(|(name, _)| *name == column)
            .map_or("", |(_, value)| value)
    };
    let _ = writer.write_record(COLUMNS.iter().map(|column| cell(column)));
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// A column whose cells are codes of a closed vocabulary: its codes and how each reads.
pub struct Coded {
    pub codes: fn() -> Vec<&'static str>,
    pub label_of: fn(&str) -> Option<&'static str>,
}

/// The vocabulary of a column of codes, if it has one.
pub fn coded(column: &str) -> Option<Coded> {
    fn of<T: ClosedVocabulary>() -> Option<Coded> {
        Some(Coded {
            codes: T::values,
            label_of: T::label_of,
        })
    }
    match column {
        "format" => of::<Format>(),
        "level" => of::<Level>(),
        "audiences" => of::<Audience>(),
        "credits.unit" => of::<CreditUnit>(),
        _ => None,
    }
}

/// A cell of a column with a closed vocabulary, as codes: a label ("Trustees", "online, live")
/// reads as its code, whatever its case; anything else is left for validation to name.
fn as_codes(column: &str, cell: &str) -> String {
    let Some(vocabulary) = coded(column) else {
        return cell.to_owned();
    };
    let code = |value: &str| -> String {
        (vocabulary.codes)()
            .into_iter()
            .find(|code| {
                code.eq_ignore_ascii_case(value)
                    || (vocabulary.label_of)(code).is_some_and(|l| l.eq_ignore_ascii_case(value))
            })
            .map_or_else(|| value.to_owned(), str::to_owned)
    };
    match column {
        "audiences" => cell
            .split(';')
            .map(|value| code(value.trim()))
            .collect::<Vec<_>>()
            .join(";"),
        _ => code(cell),
    }
}

/// A problem with one row: its line, the column and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub line: u64,
    pub column: String,
    pub message: String,
}

/// Reads offerings from CSV with the header of `COLUMNS` (in any order; missing optional columns
/// are empty). Every problem of every row is reported; values are checked by the catalog's own
/// validation afterwards.
pub fn read(text: &str) -> Result<Vec<Offering>, Vec<RowProblem>> {
    read_with_lines(text).map(|rows| rows.into_iter().map(|(_, offering)| offering).collect())
}

/// `read`, with the line each offering starts on (a quoted cell may span lines).
pub fn read_with_lines(text: &str) -> Result<Vec<(u64, Offering)>, Vec<RowProblem>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let mut problems = Vec::new();
    let header: Vec<String> = match reader.headers() {
        Ok(header) => header.iter().map(|h| h.trim().to_owned()).collect(),
        Err(error) => {
            return Err(vec![RowProblem {
                line: 1,
                column: String::new(),
                message: error.to_string(),
            }]);
        }
    };
    for name in &header {
        if !COLUMNS.contains(&name.as_str()) {
            problems.push(RowProblem {
                line: 1,
                column: name.clone(),
                message: "unknown column".into(),
            });
        }
    }
    let mut offerings = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line());
                problems.push(RowProblem {
                    line,
                    column: String::new(),
                    message: error.to_string(),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let cell = |name: &str| -> String {
            header
                .iter()
                .position(|h| h == name)
                .and_then(|i| record.get(i))
                .map(restore)
                .map(|value| as_codes(name, value.trim()))
                .unwrap_or_default()
        };
        match from_cells(&cell) {
            Ok(offering) => offerings.push((line, offering)),
            Err(found) => problems.extend(found.into_iter().map(|(column, message)| RowProblem {
                line,
                column,
                message,
            })),
        }
    }
    if problems.is_empty() {
        Ok(offerings)
    } else {
        Err(problems)
    }
}

fn optional(value: String) -> Option<String> {
    (!value.is_empty()).then_some(value)
}

fn list(value: &str, separator: char) -> Vec<String> {
    value
        .split(separator)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

/// One row (or form) into an offering, reading each field by its column name; shape problems
/// are (column, message). Lists of codes are `;`-separated, lists of sentences one a line.
pub fn from_cells(cell: &dyn Fn(&str) -> String) -> Result<Offering, Vec<(String, String)>> {
    let mut problems = Vec::new();
    let mut parsed = |column: &str| -> Option<f64> {
        let value = cell(column);
        if value.is_empty() {
            return None;
        }
        value
            .parse()
            .map_err(|_| problems.push((column.to_owned(), format!("`{value}` is not a number"))))
            .ok()
    };
    let cost_amount = parsed("cost.amount");
    let credits_amount = parsed("credits.amount");
    let series_position = parsed("series.position");
    let mut enumerated = |column: &str, value: &str| -> Option<String> {
        if value.is_empty() {
            problems.push((column.to_owned(), "is required".to_owned()));
            None
        } else {
            Some(value.to_owned())
        }
    };
    let format = enumerated("format", &cell("format"));
    let level = enumerated("level", &cell("level"));
    let json = serde_json::json!({
        "id": cell("id"), "title": cell("title"), "description": cell("description"), "provider": cell("provider"),
        "format": format, "level": level, "audiences": list(&cell("audiences"), ';'),
    });
    let mut offering: Offering = match serde_path_to_error::deserialize(json) {
        Ok(offering) => offering,
        Err(error) => {
            // The path is the field (`format`, `audiences[1]`): name its column.
            let path = error.path().to_string();
            let column = path.split('[').next().unwrap_or(&path).to_owned();
            problems.push((column, error.into_inner().to_string()));
            return Err(problems);
        }
    };
    offering.competencies = list(&cell("competencies"), ';');
    offering.start = optional(cell("start"));
    offering.end = optional(cell("end"));
    offering.timezone = optional(cell("timezone"));
    offering.registration_deadline = optional(cell("registration_deadline"));
    let city = cell("location.city");
    let country = cell("location.country");
    if !city.is_empty() || !country.is_empty() {
        offering.location = Some(Location {
            venue: optional(cell("location.venue")),
            city,
            region: optional(cell("location.region")),
            country,
        });
    }
    if let Some(amount) = cost_amount {
        offering.cost = Some(Cost {
            amount,
            currency: cell("cost.currency"),
        });
    }
    if let Some(amount) = credits_amount {
        match cell("credits.unit").parse() {
            Ok(unit) => offering.credits = Some(Credits { amount, unit }),
            Err(message) => problems.push(("credits.unit".to_owned(), message)),
        }
    }
    offering.learning_outcomes = list(&cell("learning_outcomes"), '\n');
    offering.instructors = list(&cell("instructors"), '\n');
    offering.url = optional(cell("url"));
    offering.language = optional(cell("language"));
    if let Some(id) = optional(cell("series.id")) {
        offering.series = Some(Series {
            id,
            title: optional(cell("series.title")),
            position: series_position.unwrap_or(1.0) as i64,
        });
    }
    offering.prerequisites = list(&cell("prerequisites"), ';');
    offering.certifications = list(&cell("certifications"), ';');
    offering.accessibility = optional(cell("accessibility"));
    if problems.is_empty() {
        Ok(offering)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_reads_back_as_written() {
        let bundle = crate::seed::bundle().unwrap();
        let offerings: Vec<&Offering> = bundle.offerings.iter().collect();
        let text = write(&offerings);
        let read_back = read(&text).unwrap();
        assert_eq!(read_back.len(), offerings.len());
        for (original, read) in offerings.iter().zip(&read_back) {
            assert_eq!(*original, read, "{}", original.id);
        }
    }

    #[test]
    fn cells_that_start_like_formulas_are_quoted_and_read_back_exactly() {
        let cases = [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("+1", "'+1"),
            ("-2", "'-2"),
            ("\tTab", "'\tTab"),
            ("\rReturn", "'\rReturn"),
            ("'=quoted", "''=quoted"),
            ("'Tis the season", "'Tis the season"),
            ("Plain", "Plain"),
            ("", ""),
        ];
        for (cell, written) in cases {
            assert_eq!(neutralise(cell.to_owned()), written);
            assert_eq!(restore(written), cell);
        }
    }

    #[test]
    fn an_unknown_format_names_its_column() {
        let text = "id,title,description,provider,format,audiences,level\n\
                    a1,Title,A long enough description,p1,webinar,librarians,introductory\n";
        let problems = read(text).unwrap_err();
        assert_eq!(
            (problems[0].line, problems[0].column.as_str()),
            (2, "format")
        );
    }

    #[test]
    fn bad_rows_name_line_and_column() {
        let text = "id,title,description,provider,format,audiences,level,cost.amount\n\
                    a1,Title,A long enough description,p1,online_live,librarians,introductory,cheap\n";
        let problems = read(text).unwrap_err();
        assert_eq!(problems[0].line, 2);
        assert_eq!(problems[0].column, "cost.amount");
    }
}
