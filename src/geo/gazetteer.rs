//! The places of the US and Canada the catalog knows (GeoNames' places of 1,000 people or more,
//! `data/gazetteer.tsv`, built by `scripts/build-gazetteer`), compiled into the binary and read
//! once, on first use: what a searcher types ("Chicago", "chicago il", "Toronto, ON",
//! "Springfield, Illinois") and where an offering takes place both become a place with a point.

use super::distance::Point;
use super::regions::{self, Region};
use super::{fold, spell_out};
use std::collections::HashMap;
use std::sync::LazyLock;

static TABLE: &str = include_str!("../../data/gazetteer.tsv");
static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(|| Gazetteer::parse(TABLE));

/// How many similar places an unknown name is answered with.
const SUGGESTIONS: usize = 5;

/// A known place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Place {
    pub name: &'static str,
    pub region: &'static Region,
    pub point: Point,
    pub population: u32,
}

impl Place {
    /// How a search names it: "Chicago, IL" (it reads back as this place).
    pub fn key(&self) -> String {
        format!("{}, {}", self.name, self.region.code)
    }

    /// How it reads for people: "Chicago, Illinois".
    pub fn label(&self) -> String {
        format!("{}, {}", self.name, self.region.name)
    }
}

/// A place a searcher named that is not known, with known places of similar names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    /// Each as `Place::key`, most similar first.
    pub suggestions: Vec<String>,
}

struct Gazetteer {
    places: Vec<Place>,
    /// Folded name → the places of that name, most populous first.
    by_name: HashMap<String, Vec<usize>>,
}

impl Gazetteer {
    /// Reads the table; a malformed line (none are shipped) is skipped rather than fatal.
    fn parse(table: &'static str) -> Gazetteer {
        let places: Vec<Place> = table
            .lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(parse_line)
            .collect();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (at, place) in places.iter().enumerate() {
            by_name
                .entry(spell_out(&fold(place.name)))
                .or_default()
                .push(at);
        }
        for ids in by_name.values_mut() {
            ids.sort_by_key(|&at| (std::cmp::Reverse(places[at].population), at));
        }
        Gazetteer { places, by_name }
    }

    /// The places of a (folded) name, most populous first.
    fn named(&self, folded: &str) -> impl Iterator<Item = &Place> {
        self.by_name
            .get(&spell_out(folded))
            .into_iter()
            .flatten()
            .map(|&at| &self.places[at])
    }

    /// Known places whose names look like `folded`, the most similar first, each name once
    /// (its most populous place, or its place in `region` when there is one).
    fn similar(&self, folded: &str, region: Option<&Region>) -> Vec<String> {
        let folded = spell_out(folded);
        let mut scored: Vec<(f64, &Place)> = self
            .by_name
            .keys()
            .filter_map(|name| {
                let in_region = region.and_then(|r| self.named(name).find(|p| p.region == r));
                let best = in_region.or_else(|| self.named(name).next())?;
                Some((strsim::jaro_winkler(&folded, name), best))
            })
            .collect();
        scored.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then(b.1.population.cmp(&a.1.population))
                .then(a.1.name.cmp(b.1.name))
        });
        // One place under two names ("New York", "New York City") is suggested once.
        let mut chosen: Vec<&Place> = Vec::new();
        for (_, place) in scored {
            if chosen.len() == SUGGESTIONS {
                break;
            }
            if !chosen
                .iter()
                .any(|c| c.region == place.region && c.point == place.point)
            {
                chosen.push(place);
            }
        }
        chosen.iter().map(|place| place.key()).collect()
    }
}

fn parse_line(line: &'static str) -> Option<Place> {
    let mut cells = line.split('\t');
    let name = cells.next()?;
    let region = regions::by_code(cells.next()?)?;
    let _country = cells.next()?;
    let lat = cells.next()?.parse().ok()?;
    let lon = cells.next()?.parse().ok()?;
    let population = cells.next()?.parse().ok()?;
    Some(Place {
        name,
        region,
        point: Point { lat, lon },
        population,
    })
}

/// Names of the two countries as people add them ("Toronto, Canada").
fn country_named(folded: &str) -> Option<&'static str> {
    match folded {
        "us" | "usa" | "u s" | "u s a" | "united states" | "united states of america" => Some("US"),
        "canada" => Some("CA"),
        _ => None,
    }
}

/// What qualifies a name: a region, or a country, or both.
#[derive(Default, Clone, Copy)]
struct Within {
    region: Option<&'static Region>,
    country: Option<&'static str>,
}

impl Within {
    fn admits(self, place: &Place) -> bool {
        self.region.is_none_or(|r| r == place.region)
            && self.country.is_none_or(|c| c == place.region.country)
    }
}

/// The place a searcher means: "Chicago", "Chicago, IL", "chicago il", "Toronto, ON",
/// "Springfield, Illinois", "Toronto, Canada". A bare name shared by several places means the most
/// populous. Case, accents and "St."/"Saint" do not matter.
pub fn lookup(text: &str) -> Result<&'static Place, Unknown> {
    let gazetteer = &*GAZETTEER;
    let mut parts = text.split(',').map(fold).filter(|part| !part.is_empty());
    let name = parts.next().unwrap_or_default();
    let qualifiers: Vec<String> = parts.collect();
    let mut readings: Vec<(String, Within)> = Vec::new();
    if qualifiers.is_empty() {
        readings.push((name.clone(), Within::default()));
        readings.extend(trailing_qualifier(&name));
    } else if let Some(within) = qualified(&qualifiers) {
        readings.push((name.clone(), within));
    }
    for (name, within) in &readings {
        if let Some(place) = gazetteer.named(name).find(|p| within.admits(p)) {
            return Ok(place);
        }
    }
    let region = readings.iter().find_map(|(_, within)| within.region);
    let name = readings.last().map_or(name, |(name, _)| name.clone());
    Err(Unknown {
        suggestions: gazetteer.similar(&name, region),
    })
}

/// "chicago il", "springfield new york", "toronto canada": the last one to three words as a
/// region or a country, the rest as the name.
fn trailing_qualifier(folded: &str) -> Vec<(String, Within)> {
    let words: Vec<&str> = folded.split(' ').collect();
    (1..=3.min(words.len().saturating_sub(1)))
        .filter_map(|count| {
            let (name, tail) = words.split_at(words.len() - count);
            let tail = tail.join(" ");
            let within = qualified(std::slice::from_ref(&tail))?;
            Some((name.join(" "), within))
        })
        .collect()
}

/// Reads "IL", "Illinois", "Canada" or "ON, Canada" after a name; `None` when one of them is
/// neither a region nor a country.
fn qualified(qualifiers: &[String]) -> Option<Within> {
    let mut within = Within::default();
    for qualifier in qualifiers {
        if let Some(region) = regions::find(qualifier).filter(|_| within.region.is_none()) {
            within.region = Some(region);
        } else if let Some(country) = country_named(qualifier) {
            within.country = Some(country);
        } else {
            return None;
        }
    }
    Some(within)
}

/// Where an offering takes place, from its stored location: its city among the places of its
/// country (a US territory may be given as the country), within its region when the region is
/// a known one. `None` outside the US and Canada and for cities not in the gazetteer.
pub fn locate(city: &str, region: Option<&str>, country: &str) -> Option<&'static Place> {
    let (country, region) = match regions::territory(country) {
        Some(territory) => ("US", Some(territory)),
        None => (
            country,
            region
                .and_then(regions::find)
                .filter(|r| r.country == country),
        ),
    };
    let country = match country {
        "US" => "US",
        "CA" => "CA",
        _ => return None,
    };
    let within = Within {
        region,
        country: Some(country),
    };
    GAZETTEER.named(&fold(city)).find(|p| within.admits(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> String {
        lookup(text)
            .map(Place::key)
            .unwrap_or_else(|u| format!("{u:?}"))
    }

    #[test]
    fn places_are_found_however_they_are_typed() {
        for (typed, expected) in [
            ("Chicago", "Chicago, IL"),
            ("Chicago, IL", "Chicago, IL"),
            ("chicago il", "Chicago, IL"),
            ("  CHICAGO ,  illinois ", "Chicago, IL"),
            ("Toronto, ON", "Toronto, ON"),
            ("Toronto, Canada", "Toronto, ON"),
            ("Springfield, Illinois", "Springfield, IL"),
            ("springfield massachusetts", "Springfield, MA"),
            ("Montreal", "Montréal, QC"),
            ("St. Paul, MN", "Saint Paul, MN"),
            ("San José, CA", "San Jose, CA"),
            ("New York", "New York, NY"),
            ("Portland, ME", "Portland, ME"),
        ] {
            assert_eq!(key(typed), expected, "{typed}");
        }
        // The most populous of several: Springfield, MO (169,000) over Springfield, IL.
        assert_eq!(lookup("Springfield").unwrap().region.code, "MO");
    }

    #[test]
    fn unknown_places_come_with_similar_ones() {
        let unknown = lookup("Chicgo").unwrap_err();
        assert_eq!(unknown.suggestions.len(), SUGGESTIONS);
        assert_eq!(unknown.suggestions[0], "Chicago, IL");
        let elsewhere = lookup("Chicago, ON").unwrap_err();
        assert!(elsewhere.suggestions.contains(&"Chicago, IL".to_owned()));
        assert_eq!(lookup("").unwrap_err().suggestions.len(), SUGGESTIONS);
        assert!(lookup("Toronto, Narnia").is_err());
        let new_york = lookup("New Yrok").unwrap_err().suggestions;
        assert!(
            new_york.contains(&"New York, NY".to_owned()),
            "{new_york:?}"
        );
        assert!(!new_york.contains(&"New York City, NY".to_owned()));
    }

    #[test]
    fn offerings_are_located_from_their_records() {
        let located = |city, region, country| locate(city, region, country).map(Place::key);
        assert_eq!(
            located("Chicago", Some("IL"), "US").as_deref(),
            Some("Chicago, IL")
        );
        assert_eq!(
            located("Sudbury", Some("Ontario"), "CA").as_deref(),
            Some("Sudbury, ON")
        );
        assert_eq!(
            located("Portland", Some("ME"), "US").as_deref(),
            Some("Portland, ME")
        );
        assert_eq!(
            located("San Juan", None, "PR").as_deref(),
            Some("San Juan, PR")
        );
        assert_eq!(located("London", Some("England"), "GB"), None);
        assert_eq!(located("Atlantis", Some("IL"), "US"), None);
        // A misspelt region does not stop a city being found in its country.
        assert!(located("Chicago", Some("Ilinois"), "US").is_some());
    }
}
