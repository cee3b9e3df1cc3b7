//! The CE Clearinghouse: a searchable catalog of continuing-education offerings for library staff,
//! linked to the competencies they build and the providers who run them.
//!
//! The layers, each in its own module, and what each may not know of: `catalog` (the domain; no
//! SQL, tantivy or HTTP), `bundle` (the interchange format), `store` (SQLite, the source of
//! truth), `search` (the tantivy index, derived from the store), `formats` (iCalendar, Atom and
//! CSV), `web` (actix-web) and `cli` (the command line). docs/ARCHITECTURE.md explains how they
//! hold together and where to add a filter, a page or a report.
#![forbid(unsafe_code)]
#![warn(rust_2018_idioms)]

pub mod bundle;
pub mod catalog;
pub mod evaluation;
pub mod followups;
pub mod formats;
pub mod generate;
pub mod geo;
pub mod participant_evaluations;
pub mod pathways;
pub mod reports;
pub mod search;
pub mod seed;
pub mod store;
pub mod web;
