//! The states, districts and territories of the United States and the provinces and territories
//! of Canada: the postal code the catalog stores and sends (`IL`, `ON`) and the name people read
//! ("Illinois", "Ontario"). The codes of the two countries do not collide, so a code alone names
//! one region.

use std::sync::LazyLock;

/// One region of the US or Canada.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub code: &'static str,
    pub name: &'static str,
    /// ISO 3166-1 alpha-2 of the country it belongs to.
    pub country: &'static str,
}

const fn us(code: &'static str, name: &'static str) -> Region {
    Region {
        code,
        name,
        country: "US",
    }
}

const fn ca(code: &'static str, name: &'static str) -> Region {
    Region {
        code,
        name,
        country: "CA",
    }
}

/// Every region, US first, each country's in alphabetical order of code.
pub const REGIONS: &[Region] = &[
    us("AK", "Alaska"),
    us("AL", "Alabama"),
    us("AR", "Arkansas"),
    us("AS", "American Samoa"),
    us("AZ", "Arizona"),
    us("CA", "California"),
    us("CO", "Colorado"),
    us("CT", "Connecticut"),
    us("DC", "District of Columbia"),
    us("DE", "Delaware"),
    us("FL", "Florida"),
    us("GA", "Georgia"),
    us("GU", "Guam"),
    us("HI", "Hawaii"),
    us("IA", "Iowa"),
    us("ID", "Idaho"),
    us("IL", "Illinois"),
    us("IN", "Indiana"),
    us("KS", "Kansas"),
    us("KY", "Kentucky"),
    us("LA", "Louisiana"),
    us("MA", "Massachusetts"),
    us("MD", "Maryland"),
    us("ME", "Maine"),
    us("MI", "Michigan"),
    us("MN", "Minnesota"),
    us("MO", "Missouri"),
    us("MP", "Northern Mariana Islands"),
    us("MS", "Mississippi"),
    us("MT", "Montana"),
    us("NC", "North Carolina"),
    us("ND", "North Dakota"),
    us("NE", "Nebraska"),
    us("NH", "New Hampshire"),
    us("NJ", "New Jersey"),
    us("NM", "New Mexico"),
    us("NV", "Nevada"),
    us("NY", "New York"),
    us("OH", "Ohio"),
    us("OK", "Oklahoma"),
    us("OR", "Oregon"),
    us("PA", "Pennsylvania"),
    us("PR", "Puerto Rico"),
    us("RI", "Rhode Island"),
    us("SC", "South Carolina"),
    us("SD", "South Dakota"),
    us("TN", "Tennessee"),
    us("TX", "Texas"),
    us("UT", "Utah"),
    us("VA", "Virginia"),
    us("VI", "U.S. Virgin Islands"),
    us("VT", "Vermont"),
    us("WA", "Washington"),
    us("WI", "Wisconsin"),
    us("WV", "West Virginia"),
    us("WY", "Wyoming"),
    ca("AB", "Alberta"),
    ca("BC", "British Columbia"),
    ca("MB", "Manitoba"),
    ca("NB", "New Brunswick"),
    ca("NL", "Newfoundland and Labrador"),
    ca("NS", "Nova Scotia"),
    ca("NT", "Northwest Territories"),
    ca("NU", "Nunavut"),
    ca("ON", "Ontario"),
    ca("PE", "Prince Edward Island"),
    ca("QC", "Quebec"),
    ca("SK", "Saskatchewan"),
    ca("YT", "Yukon"),
];

/// The region with this code, exactly as stored (`IL`, not `il`).
pub fn by_code(code: &str) -> Option<&'static Region> {
    REGIONS.iter().find(|region| region.code == code)
}

/// The region a person or a record names: its code in any case ("il"), or its name in any case
/// and with or without accents ("illinois", "Québec").
pub fn find(text: &str) -> Option<&'static Region> {
    // Records mostly give the code: found without folding (indexing looks regions up several
    // times an offering, and folding every name each time was a tenth of a reindex).
    let code = text.trim();
    if let Some(region) = REGIONS.iter().find(|r| code.eq_ignore_ascii_case(r.code)) {
        return Some(region);
    }
    let folded = super::fold(text);
    REGIONS
        .iter()
        .zip(FOLDED_NAMES.iter())
        .find(|(region, name)| folded.eq_ignore_ascii_case(region.code) || folded == **name)
        .map(|(region, _)| region)
}

/// Each region's name folded (`super::fold`), in the order of `REGIONS`.
static FOLDED_NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
    REGIONS
        .iter()
        .map(|region| super::fold(region.name))
        .collect()
});

/// The US territories GeoNames and ISO 3166 give country codes of their own; the catalog files
/// them as regions of the US.
pub fn territory(country: &str) -> Option<&'static Region> {
    match country {
        "AS" | "GU" | "MP" | "PR" | "VI" => by_code(country),
        _ => None,
    }
}

/// The code of a region a record names, when it is a US or Canadian region of `country`;
/// otherwise the text as written (regions elsewhere are free text).
pub fn canonical(text: &str, country: &str) -> String {
    match find(text) {
        Some(region) if region.country == country => region.code.to_owned(),
        _ => text.to_owned(),
    }
}

/// How a region reads for people: "Illinois" for `IL`; anything unknown as written.
pub fn label(text: &str) -> String {
    by_code(text).map_or_else(|| text.to_owned(), |region| region.name.to_owned())
}

/// How a record's region of `country` reads for people: "Illinois" for `IL` in the US,
/// "Ontario" for `ON` or "Ontario" in Canada; a region of elsewhere as written (Western
/// Australia's `WA` is not Washington).
pub fn label_in(text: &str, country: &str) -> String {
    match find(text) {
        Some(region) if region.country == country => region.name.to_owned(),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_found_either_way() {
        for region in REGIONS {
            assert_eq!(
                REGIONS.iter().filter(|r| r.code == region.code).count(),
                1,
                "{}",
                region.code
            );
            assert_eq!(find(region.name), Some(region));
            assert_eq!(find(&region.code.to_lowercase()), Some(region));
        }
        assert_eq!(REGIONS.len(), 51 + 5 + 13);
    }

    #[test]
    fn records_are_read_as_codes_and_shown_as_names() {
        assert_eq!(canonical("Ontario", "CA"), "ON");
        assert_eq!(canonical("il", "US"), "IL");
        assert_eq!(canonical("New South Wales", "AU"), "New South Wales");
        assert_eq!(label("BC"), "British Columbia");
        assert_eq!(label("England"), "England");
        assert_eq!(label_in("il", "US"), "Illinois");
        assert_eq!(label_in("WA", "AU"), "WA");
        assert_eq!(find("Québec").map(|r| r.code), Some("QC"));
    }
}
