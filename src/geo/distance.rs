//! Points on the Earth, the great-circle distance between them, and a radius as people write it
//! (`50mi`, `80km`).

/// A point in degrees (WGS 84, as GeoNames gives them).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub lat: f64,
    pub lon: f64,
}

/// The mean radius of the Earth, in kilometres (the haversine formula's sphere).
const EARTH_KM: f64 = 6371.0088;
/// Kilometres in a statute mile.
pub const KM_PER_MILE: f64 = 1.609_344;

impl Point {
    /// The great-circle distance in kilometres (haversine; within 0.5% of the ellipsoid, which
    /// is far finer than "near").
    pub fn distance_km(self, other: Point) -> f64 {
        let (lat1, lat2) = (self.lat.to_radians(), other.lat.to_radians());
        let half_dlat = (lat2 - lat1) / 2.0;
        let half_dlon = (other.lon - self.lon).to_radians() / 2.0;
        let a = half_dlat.sin().powi(2) + lat1.cos() * lat2.cos() * half_dlon.sin().powi(2);
        2.0 * EARTH_KM * a.sqrt().min(1.0).asin()
    }

    /// A latitude and longitude range holding every point within `km`: a cheap first cut before
    /// the exact distance. Longitudes are `None` when the box would wrap round the date line or a
    /// pole (then only the latitude narrows).
    pub fn bounding_box(self, km: f64) -> ((f64, f64), Option<(f64, f64)>) {
        let dlat = (km / EARTH_KM).to_degrees();
        let lat = (self.lat - dlat, self.lat + dlat);
        let cos = self.lat.to_radians().cos();
        let lon = (lat.0 > -89.0 && lat.1 < 89.0 && cos > 0.0)
            .then(|| ((km / EARTH_KM) / cos).to_degrees())
            .map(|dlon| (self.lon - dlon, self.lon + dlon))
            .filter(|(low, high)| *low >= -180.0 && *high <= 180.0);
        (lat, lon)
    }
}

/// A unit of distance people choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Miles,
    Kilometres,
}

impl Unit {
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::Miles => "mi",
            Unit::Kilometres => "km",
        }
    }

    /// A distance in kilometres, in this unit.
    pub fn from_km(self, km: f64) -> f64 {
        match self {
            Unit::Miles => km / KM_PER_MILE,
            Unit::Kilometres => km,
        }
    }
}

/// How far from a place a search reaches, as given (`50mi`) and in kilometres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Radius {
    pub amount: f64,
    pub unit: Unit,
}

/// The widest radius: across most of the continent, beyond which "near" means nothing.
const MAX_KM: f64 = 5000.0;

impl Default for Radius {
    fn default() -> Self {
        Radius {
            amount: 50.0,
            unit: Unit::Miles,
        }
    }
}

impl Radius {
    /// Reads `50mi`, `50 mi`, `80km` or `12.5km`; the message says what is wrong.
    pub fn parse(text: &str) -> Result<Radius, String> {
        let lower = text.trim().to_ascii_lowercase();
        let (number, unit) = if let Some(number) = lower.strip_suffix("mi") {
            (number, Unit::Miles)
        } else if let Some(number) = lower.strip_suffix("km") {
            (number, Unit::Kilometres)
        } else {
            return Err(format!(
                "`{text}` is not a distance: write a number and mi or km, e.g. 50mi or 80km"
            ));
        };
        let amount = number.trim().parse::<f64>().ok().filter(|n| n.is_finite());
        let radius = amount.map(|amount| Radius { amount, unit });
        match radius {
            Some(radius) if radius.amount > 0.0 && radius.km() <= MAX_KM => Ok(radius),
            _ => Err(format!(
                "`{text}` must be a distance above 0 and up to {} mi ({MAX_KM} km), e.g. 50mi",
                (MAX_KM / KM_PER_MILE).floor()
            )),
        }
    }

    pub fn km(self) -> f64 {
        match self.unit {
            Unit::Miles => self.amount * KM_PER_MILE,
            Unit::Kilometres => self.amount,
        }
    }

    /// As written in a URL: `50mi`.
    pub fn to_param(self) -> String {
        format!("{}{}", self.amount, self.unit.suffix())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHICAGO: Point = Point {
        lat: 41.85,
        lon: -87.65,
    };

    #[test]
    fn distances_are_great_circles() {
        let toronto = Point {
            lat: 43.7064,
            lon: -79.3986,
        };
        let km = CHICAGO.distance_km(toronto);
        assert!((km - 705.0).abs() < 10.0, "{km}");
        assert_eq!(CHICAGO.distance_km(CHICAGO), 0.0);
    }

    #[test]
    fn the_box_holds_the_circle() {
        let ((south, north), lon) = CHICAGO.bounding_box(80.0);
        let (west, east) = lon.unwrap();
        for point in [
            Point {
                lat: north - 1e-6,
                lon: CHICAGO.lon,
            },
            Point {
                lat: CHICAGO.lat,
                lon: east - 1e-6,
            },
            Point {
                lat: south + 1e-6,
                lon: west + 1e-6,
            },
        ] {
            assert!(CHICAGO.distance_km(point) > 79.0);
        }
        assert!(
            Point {
                lat: 89.9,
                lon: 0.0
            }
            .bounding_box(100.0)
            .1
            .is_none()
        );
    }

    #[test]
    fn radii_read_as_people_write_them() {
        assert_eq!(Radius::parse("50mi").unwrap().unit, Unit::Miles);
        assert!((Radius::parse("80 KM").unwrap().km() - 80.0).abs() < 1e-9);
        assert!((Radius::parse("50mi").unwrap().km() - 80.47).abs() < 0.01);
        for bad in ["50", "mi", "-5mi", "0km", "NaNmi", "99999km", "fifty miles"] {
            assert!(Radius::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Radius::default().to_param(), "50mi");
    }
}
