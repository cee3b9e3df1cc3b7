//! `/reports/places`: the tile-grid map of in-person CE by state and province, and its table.

use super::charts::shade;
use super::{Choice, Params, asset_version, render, run, window_choices, window_query};
use crate::reports::places::{GRID, Places, places};
use crate::reports::{Cell, Window};
use crate::web::{AppState, PageError};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, route, web};
use askama::Template;

/// The side of a square and the room between squares, in SVG units.
const SQUARE: u32 = 44;
const STEP: u32 = 48;

/// One square of the map.
pub struct Tile {
    pub x: u32,
    pub y: u32,
    /// Where the code and the count are written.
    pub middle: u32,
    pub code_y: u32,
    pub count_y: u32,
    pub code: String,
    pub name: String,
    pub country: &'static str,
    pub offerings: Cell,
    /// `none`, `one`, `few` or `many`.
    pub shade: &'static str,
}

/// The map and what the table beside it lists.
pub struct MapView {
    pub width: u32,
    pub height: u32,
    pub side: u32,
    pub tiles: Vec<Tile>,
    pub total: Cell,
    /// Regions with no offering, and with one.
    pub none: usize,
    pub one: usize,
}

impl MapView {
    pub fn new(report: &Places) -> MapView {
        let tiles: Vec<Tile> = report
            .regions
            .iter()
            .map(|place| {
                let (x, y) = (u32::from(place.column) * STEP, u32::from(place.row) * STEP);
                Tile {
                    x,
                    y,
                    middle: x + SQUARE / 2,
                    code_y: y + 18,
                    count_y: y + 36,
                    code: place.code.clone(),
                    name: place.name.clone(),
                    country: if place.country == "CA" {
                        "Canada"
                    } else {
                        "United States"
                    },
                    offerings: place.offerings.clone(),
                    shade: shade(place.offerings.count),
                }
            })
            .collect();
        MapView {
            width: u32::from(GRID.0) * STEP,
            height: u32::from(GRID.1) * STEP,
            side: SQUARE,
            none: tiles.iter().filter(|t| t.offerings.count == 0).count(),
            one: tiles.iter().filter(|t| t.offerings.count == 1).count(),
            tiles,
            total: report.total.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "reports_places.html")]
struct PlacesPage {
    asset_version: &'static str,
    window: Window,
    windows: Vec<Choice>,
    places: MapView,
    keep: String,
}

/// `/reports/places?window=`.
#[route("/reports/places", method = "GET", method = "HEAD")]
pub async fn places_page(
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let window = Params::read(&query).window()?;
    let asked = window.clone();
    let report = run(&state, move |_, index| {
        places(index, &asked, chrono::Utc::now())
    })
    .await?;
    let page = PlacesPage {
        asset_version: asset_version(),
        windows: window_choices(&window),
        places: MapView::new(&report),
        keep: window_query(&window),
        window,
    };
    Ok(render(StatusCode::OK, &page))
}
