//! A JSON array's elements cut apart by their quotes and brackets, each then checked by
//! serde_json on its own text.
//!
//! Why: serde_json reads a stream a byte at a time through its reader, and keeping each
//! element's text (`RawValue`) on that path was a reading of 1.2 s for 100,000 offerings, done
//! twice by an import. Cut apart here, each element is read by serde_json from its text in
//! memory, the fast path. The file is valid JSON exactly when this accepts it: the brackets,
//! commas and whitespace between elements are checked here, and each element by serde_json.
//! Where it is not, the caller reads it again with serde_json alone for its own message (line
//! and column).

use serde::de::IgnoredAny;
use std::io::BufRead;

/// Why an array could not be read here.
#[derive(Debug)]
pub enum SplitError<E> {
    Io(std::io::Error),
    /// The text is not a JSON array of valid elements.
    NotAnArray,
    /// The caller stopped with this error.
    Stopped(E),
}

/// Where the reading stands outside an element.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Between {
    /// Before the opening bracket.
    Start,
    /// After it: an element or the closing bracket.
    First,
    /// After an element: a comma or the closing bracket.
    AfterElement,
    /// After a comma: an element.
    AfterComma,
    /// After the closing bracket: only whitespace.
    End,
}

/// An element being read: its bytes so far, and where in its strings and brackets it is.
#[derive(Default)]
struct Element {
    bytes: Vec<u8>,
    depth: u32,
    in_string: bool,
    escaped: bool,
}

/// What a byte of an element does to it.
enum Step {
    Continue,
    /// It closed the element: the byte is part of it.
    ClosedWith,
    /// The element ended before it (a scalar's end): the byte is read outside.
    EndedBefore,
}

impl Element {
    fn step(&mut self, byte: u8) -> Step {
        if self.in_string {
            match byte {
                _ if self.escaped => self.escaped = false,
                b'\\' => self.escaped = true,
                b'"' => {
                    self.in_string = false;
                    if self.depth == 0 {
                        return Step::ClosedWith;
                    }
                }
                _ => {}
            }
            return Step::Continue;
        }
        match byte {
            b'"' => self.in_string = true,
            b'{' | b'[' => self.depth += 1,
            b'}' | b']' if self.depth > 0 => {
                self.depth -= 1;
                if self.depth == 0 {
                    return Step::ClosedWith;
                }
            }
            b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r' if self.depth == 0 => {
                return Step::EndedBefore;
            }
            _ => {}
        }
        Step::Continue
    }
}

fn is_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

/// Calls `each` with the text of every element of the array `reader` holds, in order, once
/// serde_json has found it valid.
pub fn each_element<E>(
    mut reader: impl BufRead,
    mut each: impl FnMut(String) -> Result<(), E>,
) -> Result<(), SplitError<E>> {
    let mut between = Between::Start;
    let mut element: Option<Element> = None;
    loop {
        let buffer = reader.fill_buf().map_err(SplitError::Io)?;
        if buffer.is_empty() {
            break;
        }
        let length = buffer.len();
        let mut at = 0;
        while at < length {
            if let Some(open) = &mut element {
                // Through the element: copied a run at a time, not a byte at a time.
                let from = at;
                let mut ended = None;
                while at < length {
                    if open.in_string && !open.escaped {
                        // Most of an offering is text: skip to the quote or backslash that
                        // can end it.
                        match memchr::memchr2(b'"', b'\\', &buffer[at..]) {
                            Some(skip) => at += skip,
                            None => {
                                at = length;
                                break;
                            }
                        }
                    }
                    match open.step(buffer[at]) {
                        Step::Continue => at += 1,
                        Step::ClosedWith => {
                            at += 1;
                            ended = Some(at);
                            break;
                        }
                        Step::EndedBefore => {
                            ended = Some(at);
                            break;
                        }
                    }
                }
                open.bytes
                    .extend_from_slice(&buffer[from..ended.unwrap_or(at)]);
                if ended.is_some() {
                    let done = element.take().unwrap_or_default();
                    hand_on(done.bytes, &mut each)?;
                    between = Between::AfterElement;
                }
                continue;
            }
            let byte = buffer[at];
            between = match (between, byte) {
                (_, byte) if is_whitespace(byte) => between,
                (Between::Start, b'[') => Between::First,
                (Between::First | Between::AfterElement, b']') => Between::End,
                (Between::AfterElement, b',') => Between::AfterComma,
                (Between::First | Between::AfterComma, _) => {
                    element = Some(Element::default());
                    // The element's first byte is read with the rest of it.
                    continue;
                }
                _ => return Err(SplitError::NotAnArray),
            };
            at += 1;
        }
        reader.consume(length);
    }
    match (between, element) {
        (Between::End, None) => Ok(()),
        // An element still open at the end, or no closing bracket: the array is unfinished.
        _ => Err(SplitError::NotAnArray),
    }
}

/// Checks an element's text with serde_json and hands it on.
fn hand_on<E>(
    bytes: Vec<u8>,
    each: &mut impl FnMut(String) -> Result<(), E>,
) -> Result<(), SplitError<E>> {
    let text = String::from_utf8(bytes).map_err(|_| SplitError::NotAnArray)?;
    if serde_json::from_str::<IgnoredAny>(&text).is_err() {
        return Err(SplitError::NotAnArray);
    }
    each(text).map_err(SplitError::Stopped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::value::RawValue;
    use std::io::BufReader;

    /// The elements as read here, through a buffer of `capacity` bytes.
    fn split(text: &str, capacity: usize) -> Option<Vec<String>> {
        let reader = BufReader::with_capacity(capacity, text.as_bytes());
        let mut elements = Vec::new();
        let read = each_element(reader, |element| {
            elements.push(element);
            Ok::<_, ()>(())
        });
        read.ok().map(|()| elements)
    }

    /// The elements as serde_json reads them.
    fn serde_elements(text: &str) -> Option<Vec<String>> {
        let elements: Vec<Box<RawValue>> = serde_json::from_str(text).ok()?;
        Some(elements.iter().map(|raw| raw.get().to_owned()).collect())
    }

    #[test]
    fn valid_arrays_split_as_serde_json_reads_them_at_any_buffer_size() {
        let arrays = [
            "[]",
            " \n[ ] \n",
            r#"[{"id":"a","title":"Storytime [for] {toddlers}"},{"id":"b"}]"#,
            "[\n  {\"id\": \"a\\\"quoted\\\\\", \"list\": [1, [2, {}], \"]\"]},\n  {\"id\": \"b\"}\n]\n",
            r#"[1, -2.5e3, true, null, "a string, with a comma", [], {}, "é ünïcode"]"#,
            "[\"\\\\\",\"\\\\\\\"\"]",
            "[\t{\"a\":{\"b\":{\"c\":[]}}}\r\n,\r\n7]",
        ];
        for text in arrays {
            let expected = serde_elements(text).expect("the test's arrays are valid");
            for capacity in [1, 2, 3, 7, 64, 1 << 16] {
                assert_eq!(
                    split(text, capacity),
                    Some(expected.clone()),
                    "{text:?} at {capacity}"
                );
            }
        }
    }

    #[test]
    fn what_serde_json_refuses_is_refused() {
        let broken = [
            "",
            "{}",
            "[",
            "[{\"id\":\"a\"}",
            "[{\"id\":\"a\"},]",
            "[,{\"id\":\"a\"}]",
            "[{\"id\":\"a\"} {\"id\":\"b\"}]",
            "[{\"id\":\"a\"}] x",
            "[{\"id\":\"a\"]}",
            "[{\"id\":tru}]",
            "[{\"id\":\"a\",}]",
            "[1 2]",
            "[12",
            "[\"open string]",
            "[{\"id\":\"a\"}]]",
        ];
        for text in broken {
            assert!(
                serde_elements(text).is_none(),
                "serde_json accepts {text:?}"
            );
            for capacity in [1, 5, 1 << 16] {
                assert_eq!(split(text, capacity), None, "{text:?} at {capacity}");
            }
        }
    }

    #[test]
    fn text_that_is_not_utf8_is_refused() {
        let bytes: &[u8] = b"[{\"id\":\"\xff\"}]";
        let read = each_element(bytes, |_| Ok::<_, ()>(()));
        assert!(matches!(read, Err(SplitError::NotAnArray)));
    }

    #[test]
    fn the_caller_stopping_stops_the_reading() {
        let mut seen = 0;
        let read = each_element(&b"[1, 2, 3]"[..], |_| {
            seen += 1;
            if seen == 2 { Err("enough") } else { Ok(()) }
        });
        assert!(matches!(read, Err(SplitError::Stopped("enough"))));
        assert_eq!(seen, 2);
    }
}
