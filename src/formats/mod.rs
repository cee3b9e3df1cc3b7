//! The catalog in other standard formats, so offerings reach the calendars, feed readers and
//! spreadsheets library staff already use: iCalendar (RFC 5545), Atom (RFC 4287) and CSV
//! (RFC 4180). Pure conversions: no SQL, tantivy or HTTP.

pub mod atom;
pub mod calendar;
pub mod table;
