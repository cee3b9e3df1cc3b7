//! The CE Clearinghouse: a searchable catalog of continuing-education offerings for library staff,
//! linked to the competencies they build and the providers who run them.
//!
//! The layers, each in its own module, and what each may not know of:
//! `catalog` (the domain; no SQL, tantivy or HTTP), `bundle` (the interchange format),
//! `store` (SQLite, the source of truth), `web` (actix-web) and `cli` (the command line).
#![forbid(unsafe_code)]
#![warn(rust_2018_idioms)]

pub mod bundle;
pub mod catalog;
pub mod evaluation;
pub mod formats;
pub mod generate;
pub mod search;
pub mod seed;
pub mod store;
pub mod web;
