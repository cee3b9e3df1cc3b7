//! The interchange format of `shared/schema`: a folder with `competencies.json`, `providers.json` and
//! `offerings.json` (or `offerings.jsonl`), and optionally `certifications.json`. Reading reports every problem it finds, each with its
//! file, item and line, so an administrator fixes a bundle in one pass rather than one error a run.

use crate::catalog::{
    Certification, Certifications, FieldError, Frameworks, Known, Offering, Provider,
    validate_frameworks, validate_offering, validate_provider,
};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use std::collections::HashSet;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

mod split;
mod stream;
pub use stream::{ItemsError, OfferingsFile, RawItem, id_of};

pub const COMPETENCIES_FILE: &str = "competencies.json";
pub const PROVIDERS_FILE: &str = "providers.json";
pub const OFFERINGS_FILE: &str = "offerings.json";
pub const OFFERINGS_LINES_FILE: &str = "offerings.jsonl";
/// Optional: certifications and their rules (`certifications.schema.json`).
pub const CERTIFICATIONS_FILE: &str = "certifications.json";

/// A whole bundle, parsed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bundle {
    pub frameworks: Frameworks,
    pub providers: Vec<Provider>,
    pub offerings: Vec<Offering>,
    /// The file the offerings came from, for naming it in problems; empty for a bundle built in memory.
    pub offerings_file: &'static str,
    /// Certifications and their rules; the file is optional, and written only when some exist.
    pub certifications: Vec<Certification>,
}

/// One problem in a bundle: which file, which item, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// e.g. `item 4 (id pla-budgeting), line 120`; none for a problem with the whole file.
    pub item: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.item {
            Some(item) => write!(f, "{}: {}: {}", self.file, item, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Why a bundle could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the bundle has {} problem(s):\n{}", .0.len(), list(.0))]
    Invalid(Vec<Problem>),
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text of a bundle's files, wherever they come from (a folder, or the seed compiled in).
#[derive(Debug, Default)]
pub struct BundleText {
    pub competencies: Option<String>,
    pub providers: Option<String>,
    pub certifications: Option<String>,
    /// The file name (`offerings.json` or `offerings.jsonl`) and its text.
    pub offerings: Option<(&'static str, String)>,
}

impl BundleText {
    /// Reads the files of a bundle folder.
    pub fn from_dir(dir: &Path) -> Result<Self, BundleError> {
        let mut text = BundleText::head_from_dir(dir)?;
        text.offerings = match OfferingsFile::in_dir(dir) {
            Some(file) => Some((file.name, read_text(&file.path)?.unwrap_or_default())),
            None => None,
        };
        Ok(text)
    }

    /// Reads the competencies and providers of a bundle folder, leaving its offerings file on
    /// disk (`OfferingsFile`); refuses a folder that holds both offerings files.
    fn head_from_dir(dir: &Path) -> Result<Self, BundleError> {
        if !dir.is_dir() {
            let source = std::io::Error::new(std::io::ErrorKind::NotFound, "not a folder");
            return Err(BundleError::Io {
                path: dir.to_owned(),
                source,
            });
        }
        if dir.join(OFFERINGS_FILE).is_file() && dir.join(OFFERINGS_LINES_FILE).is_file() {
            return Err(BundleError::Invalid(vec![Problem {
                file: OFFERINGS_FILE.into(),
                item: None,
                message: format!(
                    "the bundle holds both {OFFERINGS_FILE} and {OFFERINGS_LINES_FILE}; keep one"
                ),
            }]));
        }
        Ok(BundleText {
            competencies: read_text(&dir.join(COMPETENCIES_FILE))?,
            providers: read_text(&dir.join(PROVIDERS_FILE))?,
            certifications: read_text(&dir.join(CERTIFICATIONS_FILE))?,
            offerings: None,
        })
    }

    /// Parses the files; every syntax or shape problem is reported, not just the first.
    pub fn parse(&self) -> Result<Bundle, BundleError> {
        let parsed = self.parse_all();
        if parsed.problems.is_empty() {
            Ok(parsed.bundle)
        } else {
            Err(BundleError::Invalid(parsed.problems))
        }
    }

    /// Parses what can be parsed and keeps the problems, so that validation can still look at
    /// every item that did parse and all problems are reported in one go.
    pub fn parse_all(&self) -> Parsed {
        let mut parsed = self.parse_head();
        let offerings_file = self
            .offerings
            .as_ref()
            .map_or(OFFERINGS_FILE, |(name, _)| *name);
        let (problems, unparsed_ids) = (&mut parsed.problems, &mut parsed.unparsed_ids);
        let offerings = match &self.offerings {
            Some((name, text)) if *name == OFFERINGS_LINES_FILE => {
                parse_lines(name, text, problems, unparsed_ids)
            }
            Some((name, text)) => parse_array(name, text, problems, unparsed_ids),
            None => {
                problems.push(missing_offerings());
                Vec::new()
            }
        };
        parsed.bundle.offerings = offerings;
        parsed.bundle.offerings_file = offerings_file;
        parsed
    }

    /// Parses the competencies and providers only (the offerings may be read as a stream).
    fn parse_head(&self) -> Parsed {
        let mut problems = Vec::new();
        let mut unparsed_ids = Vec::new();
        let frameworks = match &self.competencies {
            Some(text) => parse_whole::<Frameworks>(COMPETENCIES_FILE, text, &mut problems)
                .unwrap_or_default(),
            None => Frameworks::default(),
        };
        let providers = match &self.providers {
            Some(text) => parse_array(PROVIDERS_FILE, text, &mut problems, &mut unparsed_ids),
            None => Vec::new(),
        };
        let certifications = match &self.certifications {
            Some(text) => {
                parse_whole::<Certifications>(CERTIFICATIONS_FILE, text, &mut problems)
                    .unwrap_or_default()
                    .certifications
            }
            None => Vec::new(),
        };
        Parsed {
            bundle: Bundle {
                frameworks,
                providers,
                offerings: Vec::new(),
                offerings_file: OFFERINGS_FILE,
                certifications,
            },
            problems,
            unparsed_ids,
        }
    }
}

/// The problem of a bundle without an offerings file.
fn missing_offerings() -> Problem {
    Problem {
        file: OFFERINGS_FILE.into(),
        item: None,
        message: format!("missing: a bundle needs {OFFERINGS_FILE} or {OFFERINGS_LINES_FILE}"),
    }
}

/// A bundle as far as it parsed.
#[derive(Debug, Default)]
pub struct Parsed {
    pub bundle: Bundle,
    /// Syntax and shape problems, each with file, item and line.
    pub problems: Vec<Problem>,
    /// Ids of items that did not parse: references to them are not reported as broken.
    pub unparsed_ids: Vec<String>,
}

/// Reads a bundle folder and parses what it can.
pub fn read_dir(dir: &Path) -> Result<Parsed, BundleError> {
    Ok(BundleText::from_dir(dir)?.parse_all())
}

/// A bundle folder opened for a large import: competencies and providers parsed (they are
/// small), the offerings file left on disk to be read an item at a time.
#[derive(Debug)]
pub struct StreamedBundle {
    /// The frameworks and providers, with their problems; no offerings.
    pub head: Parsed,
    pub offerings: OfferingsFile,
}

impl StreamedBundle {
    /// Opens the bundle in `dir`; a folder without an offerings file is refused.
    pub fn open(dir: &Path) -> Result<Self, BundleError> {
        let mut head = BundleText::head_from_dir(dir)?.parse_head();
        let offerings = OfferingsFile::in_dir(dir)
            .ok_or_else(|| BundleError::Invalid(vec![missing_offerings()]))?;
        head.bundle.offerings_file = offerings.name;
        Ok(StreamedBundle { head, offerings })
    }
}

/// A file's text, none when it does not exist.
fn read_text(path: &Path) -> Result<Option<String>, BundleError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(BundleError::Io {
            path: path.to_owned(),
            source,
        }),
    }
}

impl RawItem {
    /// The item parsed, or its problem named by file, position, id and line.
    pub fn parse<T: DeserializeOwned>(&self, file: &str) -> Result<T, Problem> {
        deserialize_at(&self.text, self.line).map_err(|message| Problem {
            file: file.into(),
            item: Some(item_label(self.index, &self.text, self.line)),
            message,
        })
    }
}

/// `serde_json`'s message without its own position, which is relative to the item.
fn message_of(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(cut) => text[..cut].to_owned(),
        None => text,
    }
}

/// Deserializes `text` (which starts on line `first_line` of its file) and names the failing path.
fn deserialize_at<T: DeserializeOwned>(text: &str, first_line: usize) -> Result<T, String> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.inner();
        let line = first_line + inner.line().saturating_sub(1);
        let at = if path == "." {
            String::new()
        } else {
            format!("{path}: ")
        };
        format!(
            "{at}{} (line {line}, column {})",
            message_of(inner),
            inner.column()
        )
    })
}

fn parse_whole<T: DeserializeOwned>(
    file: &str,
    text: &str,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    deserialize_at(text, 1)
        .map_err(|message| {
            problems.push(Problem {
                file: file.into(),
                item: None,
                message,
            })
        })
        .ok()
}

/// Line numbers of slices of one text, asked for in order: each count goes on from where the last
/// one stopped, so numbering every item of a file reads the file once (counting from the start
/// for each item made a large JSON array quadratic).
struct LineCounter<'a> {
    whole: &'a str,
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(whole: &'a str) -> Self {
        LineCounter {
            whole,
            offset: 0,
            line: 1,
        }
    }

    /// The 1-based line on which `part`, a slice of the whole text, starts.
    fn line_of(&mut self, part: &str) -> usize {
        let offset = (part.as_ptr() as usize)
            .saturating_sub(self.whole.as_ptr() as usize)
            .min(self.whole.len());
        if offset < self.offset {
            *self = LineCounter::new(self.whole);
        }
        let between = &self.whole.as_bytes()[self.offset..offset];
        self.line += between.iter().filter(|&&byte| byte == b'\n').count();
        self.offset = offset;
        self.line
    }
}

/// The id of an item that may not parse as a whole.
fn raw_id(raw: &str) -> Option<String> {
    let value = serde_json::from_str::<serde_json::Value>(raw).ok()?;
    value.get("id")?.as_str().map(str::to_owned)
}

/// How an item is named in a problem: its position, its id when it has one, its line.
fn item_label(index: usize, raw: &str, line: usize) -> String {
    match raw_id(raw) {
        Some(id) => format!("item {} (id {id}), line {line}", index + 1),
        None => format!("item {}, line {line}", index + 1),
    }
}

fn parse_array<T: DeserializeOwned>(
    file: &str,
    text: &str,
    problems: &mut Vec<Problem>,
    unparsed_ids: &mut Vec<String>,
) -> Vec<T> {
    let items: Vec<&RawValue> = match serde_json::from_str(text) {
        Ok(items) => items,
        Err(error) => {
            let message = format!(
                "{} (line {}, column {})",
                message_of(&error),
                error.line(),
                error.column()
            );
            problems.push(Problem {
                file: file.into(),
                item: None,
                message,
            });
            return Vec::new();
        }
    };
    let mut parsed = Vec::with_capacity(items.len());
    let mut lines = LineCounter::new(text);
    for (index, raw) in items.iter().enumerate() {
        let line = lines.line_of(raw.get());
        match deserialize_at(raw.get(), line) {
            Ok(item) => parsed.push(item),
            Err(message) => {
                unparsed_ids.extend(raw_id(raw.get()));
                problems.push(Problem {
                    file: file.into(),
                    item: Some(item_label(index, raw.get(), line)),
                    message,
                });
            }
        }
    }
    parsed
}

fn parse_lines<T: DeserializeOwned>(
    file: &str,
    text: &str,
    problems: &mut Vec<Problem>,
    unparsed_ids: &mut Vec<String>,
) -> Vec<T> {
    let mut parsed = Vec::new();
    let lines = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty());
    for (index, (number, line)) in lines.enumerate() {
        match deserialize_at(line, number + 1) {
            Ok(item) => parsed.push(item),
            Err(message) => {
                unparsed_ids.extend(raw_id(line));
                problems.push(Problem {
                    file: file.into(),
                    item: Some(item_label(index, line, number + 1)),
                    message,
                });
            }
        }
    }
    parsed
}

impl Bundle {
    /// Checks every item and every reference; `catalog` holds what the catalog already has, which
    /// references may also point at. Returns every problem found.
    pub fn validate(&self, catalog: &Known) -> Result<(), BundleError> {
        let mut known = catalog.clone();
        known
            .offerings
            .extend(self.offerings.iter().map(|o| o.id.clone()));
        let (mut problems, known) = self.validate_head(known);
        let mut seen = HashSet::new();
        for (index, offering) in self.offerings.iter().enumerate() {
            let again = !seen.insert(offering.id.as_str());
            problems.extend(offering_problems(
                self.offerings_file(),
                index,
                offering,
                &known,
                again,
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(BundleError::Invalid(problems))
        }
    }

    /// Checks the frameworks and providers. Returns their problems and what references may
    /// point at: `known` with the bundle's competencies and providers added.
    pub fn validate_head(&self, mut known: Known) -> (Vec<Problem>, Known) {
        let mut problems: Vec<Problem> = validate_frameworks(&self.frameworks)
            .into_iter()
            .map(|(item, error)| Problem {
                file: COMPETENCIES_FILE.into(),
                item: Some(item),
                message: error.to_string(),
            })
            .collect();
        known.add_frameworks(&self.frameworks);
        known
            .providers
            .extend(self.providers.iter().map(|p| p.id.clone()));
        let mut seen = HashSet::new();
        for (index, provider) in self.providers.iter().enumerate() {
            let mut errors = validate_provider(provider).err().unwrap_or_default();
            if !seen.insert(provider.id.clone()) {
                errors.push(duplicate(&provider.id));
            }
            push_item_problems(&mut problems, PROVIDERS_FILE, index, &provider.id, errors);
        }
        let mut seen = HashSet::new();
        for (index, certification) in self.certifications.iter().enumerate() {
            let mut errors = certification.problems(&known);
            if !seen.insert(certification.id.clone()) {
                errors.push(duplicate(&certification.id));
            }
            push_item_problems(
                &mut problems,
                CERTIFICATIONS_FILE,
                index,
                &certification.id,
                errors,
            );
        }
        (problems, known)
    }

    fn offerings_file(&self) -> &'static str {
        if self.offerings_file.is_empty() {
            OFFERINGS_FILE
        } else {
            self.offerings_file
        }
    }

    /// Writes the bundle into `dir` (created if needed); each file is written whole, then renamed
    /// into place, so a reader never sees half a file.
    pub fn write_dir(&self, dir: &Path) -> Result<(), BundleError> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| BundleError::Io { path, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        write_json(&dir.join(COMPETENCIES_FILE), &self.frameworks)
            .map_err(io(&dir.join(COMPETENCIES_FILE)))?;
        write_json(&dir.join(PROVIDERS_FILE), &self.providers)
            .map_err(io(&dir.join(PROVIDERS_FILE)))?;
        write_json(&dir.join(OFFERINGS_FILE), &self.offerings)
            .map_err(io(&dir.join(OFFERINGS_FILE)))?;
        if !self.certifications.is_empty() {
            let certifications = Certifications {
                certifications: self.certifications.clone(),
            };
            write_json(&dir.join(CERTIFICATIONS_FILE), &certifications)
                .map_err(io(&dir.join(CERTIFICATIONS_FILE)))?;
        }
        Ok(())
    }
}

/// The problems of the offering at `index` of `file`: its own, its references (against
/// `known`), and, when its id came earlier in the file (`again`), that.
pub fn offering_problems(
    file: &str,
    index: usize,
    offering: &Offering,
    known: &Known,
    again: bool,
) -> Vec<Problem> {
    let mut errors = validate_offering(offering, known).err().unwrap_or_default();
    if again {
        errors.push(duplicate(&offering.id));
    }
    let mut problems = Vec::new();
    push_item_problems(&mut problems, file, index, &offering.id, errors);
    problems
}

fn duplicate(id: &str) -> FieldError {
    FieldError {
        field: "id".into(),
        message: format!("{id} appears more than once in this file"),
    }
}

fn push_item_problems(
    problems: &mut Vec<Problem>,
    file: &str,
    index: usize,
    id: &str,
    errors: Vec<FieldError>,
) {
    for error in errors {
        problems.push(Problem {
            file: file.into(),
            item: Some(format!("item {} (id {id})", index + 1)),
            message: error.to_string(),
        });
    }
}

fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    serde_json::to_writer_pretty(&mut file, value)?;
    file.write_all(b"\n")?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|error| error.error)?;
    Ok(())
}
