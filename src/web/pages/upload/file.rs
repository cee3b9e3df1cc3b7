//! Reading an upload: the multipart form (a file, or the text a confirmation page sends back)
//! and its rows, each with where it stands in the file ("line 7" of a CSV, "row 3" of JSON), so
//! every problem names a place the provider can find.

use crate::bundle::{BundleText, OFFERINGS_FILE, OFFERINGS_LINES_FILE};
use crate::catalog::Offering;
use crate::formats::table;
use crate::web::PageError;
use actix_multipart::Multipart;
use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};

/// The largest file accepted.
const MAX_UPLOAD: usize = 5 * 1024 * 1024;

/// What the upload form sent.
pub struct UploadForm {
    /// The file's name: `.csv` reads as CSV, anything else by its first character.
    pub name: String,
    pub text: String,
    pub csrf: String,
    /// Sent by the confirmation page: rows that edit published offerings may be submitted.
    pub edits_confirmed: bool,
}

impl UploadForm {
    /// Sums up the file and who sent it: the same file from the same provider has the same key.
    pub fn key(&self, provider: &str) -> String {
        let digest = Sha256::new()
            .chain_update(provider.as_bytes())
            .chain_update([0])
            .chain_update(self.text.replace("\r\n", "\n").as_bytes())
            .finalize();
        let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
        format!("upload:{hex}")
    }
}

fn unreadable(error: impl std::fmt::Display) -> PageError {
    PageError::Forbidden(format!("the upload could not be read: {error}"))
}

/// The form's fields: `file` (or `content` and `name`, from the confirmation page), `csrf` and
/// `confirm_edits`.
pub async fn read_form(mut payload: Multipart) -> Result<UploadForm, PageError> {
    let (mut name, mut bytes, mut csrf, mut confirmed) =
        (String::new(), Vec::new(), Vec::new(), Vec::new());
    while let Some(mut part) = payload.try_next().await.map_err(unreadable)? {
        let field = part.name().unwrap_or_default().to_owned();
        if field == "file" {
            name = part
                .content_disposition()
                .and_then(|d| d.get_filename())
                .unwrap_or_default()
                .to_owned();
        }
        let mut name_field = Vec::new();
        while let Some(chunk) = part.try_next().await.map_err(unreadable)? {
            let target = match field.as_str() {
                "file" | "content" => &mut bytes,
                "csrf" => &mut csrf,
                "confirm_edits" => &mut confirmed,
                "name" => &mut name_field,
                _ => continue,
            };
            target.extend_from_slice(&chunk);
            if target.len() > MAX_UPLOAD {
                return Err(PageError::TooLarge(
                    "The file is larger than 5 MB: split it into smaller uploads.".into(),
                ));
            }
        }
        if field == "name" {
            name = String::from_utf8_lossy(&name_field).into_owned();
        }
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| PageError::Unprocessable("The file is not UTF-8 text.".into()))?;
    Ok(UploadForm {
        name,
        text,
        csrf: String::from_utf8_lossy(&csrf).into_owned(),
        edits_confirmed: confirmed == b"yes",
    })
}

/// The rows of a file and where each stands in it.
#[derive(Default)]
pub struct Rows {
    pub offerings: Vec<Offering>,
    /// "line 7" or "row 3", by row.
    pub places: Vec<String>,
}

impl Rows {
    /// Where the row at `position` (from 1) stands in the file.
    pub fn place(&self, position: usize) -> String {
        position
            .checked_sub(1)
            .and_then(|index| self.places.get(index))
            .cloned()
            .unwrap_or_else(|| format!("row {position}"))
    }
}

/// Problems by place: (place, messages).
pub type Problems = Vec<(String, Vec<String>)>;

/// The rows of an upload, or the problems of every row that could not be read.
pub fn parse(name: &str, text: &str) -> Result<Rows, Problems> {
    let trimmed = text.trim_start();
    if name.ends_with(".csv") || !(trimmed.starts_with('[') || trimmed.starts_with('{')) {
        return parse_csv(text);
    }
    let file = if trimmed.starts_with('[') {
        OFFERINGS_FILE
    } else {
        OFFERINGS_LINES_FILE
    };
    let parsed = BundleText {
        offerings: Some((file, text.to_owned())),
        ..BundleText::default()
    }
    .parse_all();
    if !parsed.problems.is_empty() {
        return Err(parsed
            .problems
            .into_iter()
            .map(|p| (p.item.unwrap_or_else(|| "file".into()), vec![p.message]))
            .collect());
    }
    let places = (1..=parsed.bundle.offerings.len())
        .map(|row| format!("row {row}"))
        .collect();
    Ok(Rows {
        offerings: parsed.bundle.offerings,
        places,
    })
}

fn parse_csv(text: &str) -> Result<Rows, Problems> {
    match table::read_with_lines(text) {
        Ok(rows) => Ok(Rows {
            places: rows
                .iter()
                .map(|(line, _)| format!("line {line}"))
                .collect(),
            offerings: rows.into_iter().map(|(_, offering)| offering).collect(),
        }),
        Err(problems) => {
            // One entry a line, with each of its problems.
            let mut by_line: Problems = Vec::new();
            for problem in problems {
                let place = format!("line {}", problem.line);
                let message = match problem.column.is_empty() {
                    true => problem.message,
                    false => format!("{}: {}", problem.column, problem.message),
                };
                match by_line.last_mut() {
                    Some((last, messages)) if *last == place => messages.push(message),
                    _ => by_line.push((place, vec![message])),
                }
            }
            Err(by_line)
        }
    }
}
