//! Geography: in-person, hybrid and conference offerings in the window by US state (and district
//! and territory) and Canadian province or territory, each a square of a tile-grid map laid out
//! roughly as on a map, with no map data beyond the table below. One search: its region facet.

use super::{Cell, ReportError, Window, count, facet_count};
use crate::geo::regions::by_code;
use crate::search::SearchIndex;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// The formats that take place somewhere.
pub const PLACED: [&str; 3] = ["in_person", "hybrid", "conference"];

/// Where each region's square sits: (code, column, row). Canada above, the US below (Alaska and
/// Hawaii at the left, the territories along the bottom), as tile-grid maps usually have them.
pub const TILES: [(&str, u8, u8); 69] = [
    ("YT", 1, 0),
    ("NT", 2, 0),
    ("NU", 3, 0),
    ("BC", 1, 1),
    ("AB", 2, 1),
    ("SK", 3, 1),
    ("MB", 4, 1),
    ("ON", 5, 1),
    ("QC", 6, 1),
    ("NL", 7, 1),
    ("NB", 7, 2),
    ("PE", 8, 2),
    ("NS", 9, 2),
    ("AK", 0, 4),
    ("ME", 10, 4),
    ("VT", 9, 5),
    ("NH", 10, 5),
    ("WA", 0, 6),
    ("ID", 1, 6),
    ("MT", 2, 6),
    ("ND", 3, 6),
    ("MN", 4, 6),
    ("IL", 5, 6),
    ("WI", 6, 6),
    ("MI", 7, 6),
    ("NY", 8, 6),
    ("RI", 9, 6),
    ("MA", 10, 6),
    ("OR", 0, 7),
    ("NV", 1, 7),
    ("WY", 2, 7),
    ("SD", 3, 7),
    ("IA", 4, 7),
    ("IN", 5, 7),
    ("OH", 6, 7),
    ("PA", 7, 7),
    ("NJ", 8, 7),
    ("CT", 9, 7),
    ("CA", 0, 8),
    ("UT", 1, 8),
    ("CO", 2, 8),
    ("NE", 3, 8),
    ("MO", 4, 8),
    ("KY", 5, 8),
    ("WV", 6, 8),
    ("VA", 7, 8),
    ("MD", 8, 8),
    ("DE", 9, 8),
    ("AZ", 1, 9),
    ("NM", 2, 9),
    ("KS", 3, 9),
    ("AR", 4, 9),
    ("TN", 5, 9),
    ("NC", 6, 9),
    ("SC", 7, 9),
    ("DC", 8, 9),
    ("OK", 3, 10),
    ("LA", 4, 10),
    ("MS", 5, 10),
    ("AL", 6, 10),
    ("GA", 7, 10),
    ("HI", 0, 11),
    ("TX", 3, 11),
    ("FL", 8, 11),
    ("PR", 10, 11),
    ("VI", 11, 11),
    ("GU", 0, 12),
    ("MP", 1, 12),
    ("AS", 2, 12),
];

/// Columns and rows of the grid.
pub const GRID: (u8, u8) = (12, 13);

/// One region: its offerings in the window and its square.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Place {
    pub code: String,
    pub name: String,
    /// `US` or `CA`.
    pub country: String,
    pub offerings: Cell,
    pub column: u8,
    pub row: u8,
}

/// The geography report.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Places {
    pub window: Window,
    /// The formats counted.
    pub formats: Vec<String>,
    /// In-person, hybrid and conference offerings in the window, wherever they are.
    pub total: Cell,
    /// Every US and Canadian region, in the order of `TILES` (Canada first).
    pub regions: Vec<Place>,
}

/// Builds the report from one search.
pub fn places(
    index: &SearchIndex,
    window: &Window,
    now: DateTime<Utc>,
) -> Result<Places, ReportError> {
    let mut request = window.request();
    request
        .filters
        .insert("format", PLACED.iter().map(|f| (*f).to_owned()).collect());
    let found = count(index, &request, Some(&["region"]), now)?;
    let regions = TILES
        .iter()
        .filter_map(|(code, column, row)| {
            let region = by_code(code)?;
            let mut here = request.clone();
            here.filters.insert("region", vec![(*code).to_owned()]);
            Some(Place {
                code: (*code).to_owned(),
                name: region.name.to_owned(),
                country: region.country.to_owned(),
                offerings: Cell::new(facet_count(&found, "region", code), &here),
                column: *column,
                row: *row,
            })
        })
        .collect();
    Ok(Places {
        window: window.clone(),
        formats: PLACED.iter().map(|f| (*f).to_owned()).collect(),
        total: Cell::new(found.total as u64, &request),
        regions,
    })
}

/// The report as CSV: one line a region.
pub fn to_csv(report: &Places) -> String {
    let rows = report.regions.iter().map(|place| {
        vec![
            place.code.clone(),
            place.name.clone(),
            place.country.clone(),
            place.offerings.count.to_string(),
        ]
    });
    super::csv(&["region", "name", "country", "offerings"], rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::regions::REGIONS;

    #[test]
    fn every_region_has_one_square_and_no_two_share_one() {
        for region in REGIONS {
            assert_eq!(
                TILES
                    .iter()
                    .filter(|(code, ..)| *code == region.code)
                    .count(),
                1,
                "{}",
                region.code
            );
        }
        let mut squares: Vec<(u8, u8)> = TILES.iter().map(|(_, c, r)| (*c, *r)).collect();
        squares.sort();
        squares.dedup();
        assert_eq!(squares.len(), TILES.len());
        assert!(TILES.iter().all(|(_, c, r)| *c < GRID.0 && *r < GRID.1));
    }
}
