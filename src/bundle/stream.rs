//! Reading a large offerings file an item at a time: a bundle of a million offerings is read
//! through a buffer, each item kept only while it is checked and written, so an import needs
//! the memory of one batch rather than of the whole file.

use super::split::{self, SplitError};
use super::{BundleError, OFFERINGS_FILE, OFFERINGS_LINES_FILE, Problem, message_of};
use serde::Deserialize;
use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::cell::Cell;
use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// The offerings file of a bundle folder, left on disk to be read as a stream.
#[derive(Debug, Clone)]
pub struct OfferingsFile {
    pub path: PathBuf,
    /// `offerings.json` (one array) or `offerings.jsonl` (one item a line).
    pub name: &'static str,
}

/// One item of the file as written, with its place in it.
#[derive(Debug)]
pub struct RawItem {
    /// 0-based position in the file.
    pub index: usize,
    /// 1-based line on which it starts.
    pub line: usize,
    pub text: String,
}

/// Why reading the items stopped.
#[derive(Debug)]
pub enum ItemsError<E> {
    /// The file could not be read, or is not JSON (arrays only: each line of JSON Lines is an
    /// item of its own, and a broken one is that item's problem).
    Unreadable(BundleError),
    /// The caller stopped with this error.
    Stopped(E),
}

impl OfferingsFile {
    /// The offerings file of `dir`, when it has one.
    pub fn in_dir(dir: &Path) -> Option<OfferingsFile> {
        [OFFERINGS_FILE, OFFERINGS_LINES_FILE]
            .into_iter()
            .map(|name| OfferingsFile {
                path: dir.join(name),
                name,
            })
            .find(|file| file.path.is_file())
    }

    /// Calls `each` with every item, in the file's order.
    pub fn each_item<E>(
        &self,
        mut each: impl FnMut(RawItem) -> Result<(), E>,
    ) -> Result<(), ItemsError<E>> {
        self.read(Lines::Counted, &mut each)
    }

    /// `each_item` for a reading that names no item's line (each `line` is 0): an array's
    /// elements are cut apart by `split` and each read by serde_json from memory, in half the
    /// time of its reader. A syntax error still has its line.
    pub fn each_item_unnumbered<E>(
        &self,
        mut each: impl FnMut(RawItem) -> Result<(), E>,
    ) -> Result<(), ItemsError<E>> {
        self.read(Lines::Uncounted, &mut each)
    }

    fn read<E>(
        &self,
        lines: Lines,
        each: &mut dyn FnMut(RawItem) -> Result<(), E>,
    ) -> Result<(), ItemsError<E>> {
        let reader = self.open()?;
        match lines {
            _ if self.name == OFFERINGS_LINES_FILE => self.each_line(reader, each),
            Lines::Counted => {
                let newlines = Rc::new(Cell::new(0));
                let counted = CountNewlines {
                    inner: reader,
                    newlines: newlines.clone(),
                };
                self.each_element(counted, Some(newlines), each)
            }
            Lines::Uncounted => self.each_split_element(reader, each),
        }
    }

    /// The elements of an array cut apart by `split`, each read by serde_json from its text;
    /// when that finds the file is not a JSON array, serde_json reads it again for its message.
    fn each_split_element<E>(
        &self,
        reader: impl BufRead,
        each: &mut dyn FnMut(RawItem) -> Result<(), E>,
    ) -> Result<(), ItemsError<E>> {
        let mut index = 0;
        let split = split::each_element(reader, |text| {
            let line = 0;
            each(RawItem { index, line, text })?;
            index += 1;
            Ok(())
        });
        match split {
            Ok(()) => Ok(()),
            Err(SplitError::Stopped(error)) => Err(ItemsError::Stopped(error)),
            Err(SplitError::Io(source)) => Err(self.io(source)),
            Err(SplitError::NotAnArray) => {
                self.each_element(self.open()?, None, &mut |_| Ok(()))?;
                // serde_json read it whole: the file changed since, or the two disagree.
                Err(ItemsError::Unreadable(BundleError::Invalid(vec![
                    Problem {
                        file: self.name.into(),
                        item: None,
                        message: "the file changed while it was read, or is not an array of \
                              offerings; try the import again"
                            .into(),
                    },
                ])))
            }
        }
    }

    /// The file, read through a buffer of 1 MiB.
    fn open<E>(&self) -> Result<BufReader<std::fs::File>, ItemsError<E>> {
        let file = std::fs::File::open(&self.path).map_err(|source| self.io(source))?;
        Ok(BufReader::with_capacity(1 << 20, file))
    }

    fn io<E>(&self, source: std::io::Error) -> ItemsError<E> {
        ItemsError::Unreadable(BundleError::Io {
            path: self.path.clone(),
            source,
        })
    }

    fn each_line<E>(
        &self,
        reader: impl BufRead,
        each: &mut dyn FnMut(RawItem) -> Result<(), E>,
    ) -> Result<(), ItemsError<E>> {
        let mut index = 0;
        for (number, line) in reader.lines().enumerate() {
            let text = line.map_err(|source| self.io(source))?;
            if text.trim().is_empty() {
                continue;
            }
            let item = RawItem {
                index,
                line: number + 1,
                text,
            };
            each(item).map_err(ItemsError::Stopped)?;
            index += 1;
        }
        Ok(())
    }

    fn each_element<E>(
        &self,
        reader: impl Read,
        newlines: Option<Rc<Cell<usize>>>,
        each: &mut dyn FnMut(RawItem) -> Result<(), E>,
    ) -> Result<(), ItemsError<E>> {
        let mut stopped = None;
        let elements = Elements {
            newlines,
            each,
            stopped: &mut stopped,
        };
        let mut deserializer = serde_json::Deserializer::from_reader(reader);
        let read = serde::Deserializer::deserialize_seq(&mut deserializer, elements)
            .and_then(|()| deserializer.end());
        match (read, stopped) {
            (_, Some(error)) => Err(ItemsError::Stopped(error)),
            (Ok(()), None) => Ok(()),
            (Err(error), None) if error.is_io() => Err(self.io(error.into())),
            (Err(error), None) => Err(ItemsError::Unreadable(BundleError::Invalid(vec![
                Problem {
                    file: self.name.into(),
                    item: None,
                    message: format!(
                        "{} (line {}, column {})",
                        message_of(&error),
                        error.line(),
                        error.column()
                    ),
                },
            ]))),
        }
    }
}

/// Whether items are numbered by the line they start on.
#[derive(Clone, Copy)]
enum Lines {
    Counted,
    Uncounted,
}

/// A reader that counts the newlines read through it. serde_json reads a byte at a time, so
/// when it asks for an item the count is where that item starts.
struct CountNewlines<R> {
    inner: R,
    newlines: Rc<Cell<usize>>,
}

impl<R: Read> Read for CountNewlines<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buffer)?;
        let newlines = buffer[..read].iter().filter(|&&byte| byte == b'\n').count();
        self.newlines.set(self.newlines.get() + newlines);
        Ok(read)
    }
}

/// Visits the top-level array, handing each element on as it is read.
struct Elements<'a, E> {
    /// Newlines read so far, when counted.
    newlines: Option<Rc<Cell<usize>>>,
    each: &'a mut dyn FnMut(RawItem) -> Result<(), E>,
    stopped: &'a mut Option<E>,
}

impl<'de, E> Visitor<'de> for Elements<'_, E> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an array of offerings")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut sequence: A) -> Result<(), A::Error> {
        let mut index = 0;
        let seed = || LineAndText(self.newlines.clone());
        while let Some((line, text)) = sequence.next_element_seed(seed())? {
            if let Err(error) = (self.each)(RawItem { index, line, text }) {
                *self.stopped = Some(error);
                return Err(serde::de::Error::custom("stopped"));
            }
            index += 1;
        }
        Ok(())
    }
}

/// One element's text and the line it starts on (0 when lines are not counted): serde_json has
/// read the element's first byte (and every newline before it) when it calls this.
struct LineAndText(Option<Rc<Cell<usize>>>);

impl<'de> DeserializeSeed<'de> for LineAndText {
    type Value = (usize, String);

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        let line = self.0.map_or(0, |newlines| newlines.get() + 1);
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        Ok((line, Box::<str>::from(raw).into_string()))
    }
}

/// The id of an item, read without building the rest of it; none when it has no string id.
pub fn id_of(text: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct JustTheId {
        id: Option<String>,
    }
    serde_json::from_str::<JustTheId>(text).ok()?.id
}
