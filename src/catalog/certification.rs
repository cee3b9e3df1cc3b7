//! The certification programs offerings count toward, by code as the bundle writes them
//! (`cpla`). The schema leaves the codes open, so an import may bring others; these are the ones
//! the catalog names, and the ones the provider's form offers as choices.

/// Every known certification, (code, name as people read it), in the order forms list them.
pub const CERTIFICATIONS: &[(&str, &str)] = &[
    ("cpla", "Certified Public Library Administrator (CPLA)"),
    ("lssc", "Library Support Staff Certification (LSSC)"),
    ("archives-da", "Digital Archives Specialist (DAS)"),
    (
        "school-librarian-renewal",
        "School librarian certificate renewal",
    ),
    (
        "state-public-librarian-cert",
        "State public librarian certification",
    ),
];

/// The name of a known certification.
pub fn certification_name(code: &str) -> Option<&'static str> {
    CERTIFICATIONS
        .iter()
        .find(|(known, _)| *known == code)
        .map(|(_, name)| *name)
}
