//! The language a query asks for: one it names ("courses in Spanish", "en français"), or the one
//! it is typed in when that is clearly Spanish or French ("heure du conte" is a French storytime
//! before a Spanish one). Such a query prefers offerings taught in that language. English is
//! the catalog's default and needs no preference.

use super::labels::language_label;
use super::vocabulary::tokens;
use whatlang::{Detector, Lang};

/// Languages other than English that offerings are taught in, by tag.
const LANGUAGES: &[&str] = &["es", "fr", "de", "zh", "pt", "ar", "vi", "ko"];

/// The language a query asks for, as the catalog's tag.
pub fn asked_for(text: &str) -> Option<&'static str> {
    named(text).or_else(|| typed_in(text))
}

/// A language whose name (in English or in itself) is one of the query's words.
fn named(text: &str) -> Option<&'static str> {
    let words = tokens(text);
    LANGUAGES.iter().copied().find(|tag| {
        tokens(&language_label(tag))
            .iter()
            .any(|name| words.contains(name))
    })
}

/// The catalog's language tag of a query typed in Spanish or French, if the words say so.
fn typed_in(text: &str) -> Option<&'static str> {
    let detector = Detector::with_allowlist(vec![Lang::Eng, Lang::Spa, Lang::Fra]);
    let info = detector.detect(text)?;
    if info.confidence() < MIN_CONFIDENCE {
        return None;
    }
    match info.lang() {
        Lang::Spa => Some("es"),
        Lang::Fra => Some("fr"),
        _ => None,
    }
}

/// Below this confidence a short query's language is a guess.
const MIN_CONFIDENCE: f64 = 0.35;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanish_and_french_queries_are_recognised_and_english_ones_ask_for_nothing() {
        assert_eq!(asked_for("búsqueda en bases de datos"), Some("es"));
        assert_eq!(asked_for("formation en ligne bibliothèque"), Some("fr"));
        assert_eq!(asked_for("littératie numérique secondaire"), Some("fr"));
        for english in [
            "patron privacy",
            "grant writing",
            "storytime",
            "programme evaluation",
        ] {
            assert_eq!(asked_for(english), None, "{english}");
        }
    }

    #[test]
    fn a_named_language_is_asked_for() {
        assert_eq!(asked_for("courses in Spanish"), Some("es"));
        assert_eq!(asked_for("cursos en español"), Some("es"));
        assert_eq!(asked_for("french language workshops"), Some("fr"));
        assert_eq!(asked_for("ateliers en français"), Some("fr"));
    }
}
