//! Places: the regions of the US and Canada, a gazetteer of their cities and towns shipped in the
//! binary, and distances. Pure functions over compiled-in data: no SQL, no tantivy, no HTTP.
//!
//! - `regions`: state and province codes ↔ names;
//! - `gazetteer`: what a searcher types, and where an offering is, as a place with a point;
//! - `distance`: great-circle distance, bounding boxes, radii as people write them.

pub mod distance;
pub mod gazetteer;
pub mod regions;

pub use distance::{Point, Radius, Unit};
pub use gazetteer::{Place, Unknown, locate, lookup};

use icu_normalizer::DecomposingNormalizerBorrowed;

/// A name as the gazetteer compares it: lowercase, without accents, punctuation as spaces (an
/// apostrophe dropped), words separated by one space.
pub fn fold(text: &str) -> String {
    // ASCII has nothing to decompose; indexing folds every offering's city.
    let decomposed = if text.is_ascii() {
        std::borrow::Cow::Borrowed(text)
    } else {
        DecomposingNormalizerBorrowed::new_nfd().normalize(text)
    };
    let plain: String = decomposed
        .chars()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c) && !matches!(c, '\'' | '’'))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    plain.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A folded place name with its abbreviations spelt out ("saint paul" for "St. Paul"). Apart
/// from `fold`, because "MT" is also Montana.
fn spell_out(folded: &str) -> String {
    folded
        .split(' ')
        .map(|word| match word {
            "st" => "saint",
            "ste" => "sainte",
            "mt" => "mount",
            "ft" => "fort",
            word => word,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_fold_to_one_form() {
        assert_eq!(super::fold("  Montréal "), "montreal");
        assert_eq!(super::fold("St. John's"), "st johns");
        assert_eq!(super::spell_out(&super::fold("St. John's")), "saint johns");
        assert_eq!(super::fold("Saint-Jérôme"), "saint jerome");
        assert_eq!(super::spell_out("mt vernon"), "mount vernon");
    }
}
