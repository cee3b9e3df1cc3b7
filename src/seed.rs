//! The seed bundle, compiled into the binary so that `serve` on an empty database shows a full
//! catalog from any folder.

use crate::bundle::{
    Bundle, BundleError, BundleText, CERTIFICATIONS_FILE, COMPETENCIES_FILE, OFFERINGS_FILE,
    OFFERINGS_LINES_FILE, PROVIDERS_FILE,
};
use include_dir::{Dir, include_dir};

static SEED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/seed");

fn text(name: &str) -> Option<String> {
    SEED.get_file(name)
        .and_then(|file| file.contents_utf8())
        .map(str::to_owned)
}

/// The seed as a parsed bundle.
pub fn bundle() -> Result<Bundle, BundleError> {
    let offerings = text(OFFERINGS_FILE)
        .map(|text| (OFFERINGS_FILE, text))
        .or_else(|| text(OFFERINGS_LINES_FILE).map(|text| (OFFERINGS_LINES_FILE, text)));
    BundleText {
        competencies: text(COMPETENCIES_FILE),
        providers: text(PROVIDERS_FILE),
        certifications: text(CERTIFICATIONS_FILE),
        offerings,
    }
    .parse()
}

/// The library vocabulary (synonyms and abbreviations) search applies to queries.
pub fn vocabulary() -> crate::search::Vocabulary {
    crate::search::Vocabulary::shipped().clone()
}
