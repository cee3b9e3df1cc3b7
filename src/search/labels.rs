//! Human labels for facet values: provider names, competency titles in tree order, country and
//! language names. Refreshed from the catalog at each catch-up.

use super::dimension::{Dimension, Values};
pub(super) use crate::catalog::certification_name;
use crate::catalog::{Frameworks, Provider};
use std::collections::HashMap;

/// Labels of the values a facet can show.
#[derive(Debug, Clone, Default)]
pub struct Labels {
    pub providers: HashMap<String, String>,
    /// Competency facet values (`ala-core`, `ala-core:5`, `ala-core:5A`) in tree order, with their
    /// label and depth (0 for a framework).
    pub competencies: Vec<(String, String, usize)>,
}

impl Labels {
    pub fn new(providers: &[Provider], frameworks: &Frameworks) -> Self {
        let mut competencies = Vec::new();
        for framework in &frameworks.frameworks {
            competencies.push((framework.id.clone(), framework.name.clone(), 0));
            let mut depths: HashMap<&str, usize> = HashMap::new();
            for flat in framework.flatten() {
                let depth = flat.parent.and_then(|p| depths.get(p)).map_or(1, |d| d + 1);
                depths.insert(&flat.competency.code, depth);
                let value = format!("{}:{}", framework.id, flat.competency.code);
                competencies.push((
                    value,
                    format!("{} {}", flat.competency.code, flat.competency.title),
                    depth,
                ));
            }
        }
        Labels {
            providers: providers
                .iter()
                .map(|p| (p.id.clone(), p.name.clone()))
                .collect(),
            competencies,
        }
    }

    /// The label of a value of a dimension (or of `when`): from the dimension's vocabulary, or
    /// from the catalog for providers and competencies; the value itself when none is known.
    pub fn label(&self, dimension: &str, value: &str) -> String {
        let known = match Dimension::named(dimension) {
            Some(named) => match named.spec().values {
                Values::Catalog => self.providers.get(value).cloned(),
                Values::Competency => self
                    .competencies
                    .iter()
                    .find(|(v, _, _)| v == value)
                    .map(|(_, label, _)| label.clone()),
                _ => named.fixed_label(value),
            },
            None => value
                .parse::<super::request::WhenBucket>()
                .ok()
                .map(|b| b.label().to_owned()),
        };
        known.unwrap_or_else(|| value.to_owned())
    }
}

/// A language tag as people read it ("Spanish (español)"), or the tag itself.
pub fn language_label(tag: &str) -> String {
    language_name(tag).map_or_else(|| tag.to_owned(), str::to_owned)
}

/// A certification code as people read it, or the code itself.
pub fn certification_label(code: &str) -> String {
    certification_name(code).map_or_else(|| code.to_owned(), str::to_owned)
}

pub(super) fn language_name(tag: &str) -> Option<&'static str> {
    Some(match tag.split('-').next()? {
        "en" => "English",
        "es" => "Spanish (español)",
        "fr" => "French (français)",
        "de" => "German (Deutsch)",
        "zh" => "Chinese (中文)",
        "pt" => "Portuguese (português)",
        "ar" => "Arabic (العربية)",
        "vi" => "Vietnamese (Tiếng Việt)",
        "ko" => "Korean (한국어)",
        _ => return None,
    })
}
