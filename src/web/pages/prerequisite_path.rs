//! The small path on an offering's page (#16): what to take first (its prerequisites, and
//! theirs), the offering itself, and what comes next (offerings that name it as a
//! prerequisite), drawn left to right as SVG the template writes from the geometry here. Every
//! box is a link; no script.

use std::collections::{HashMap, HashSet};

/// Columns of the path at most (prerequisites of prerequisites … are cut there).
const MAX_DEPTH: usize = 4;
const BOX_WIDTH: i64 = 190;
const BOX_HEIGHT: i64 = 46;
const COLUMN_GAP: i64 = 40;
const ROW_GAP: i64 = 14;
/// Characters of a title a box shows (the whole title is the link's tooltip and name).
const LABEL_CHARS: usize = 26;

/// One box.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub id: String,
    pub title: String,
    /// The first line and the second of the shortened title.
    pub lines: (String, String),
    pub x: i64,
    pub y: i64,
    pub this: bool,
}

/// One arrow, from the right edge of a box to the left edge of another.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub x1: i64,
    pub y1: i64,
    pub x2: i64,
    pub y2: i64,
}

/// The drawing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PathDrawing {
    pub width: i64,
    pub height: i64,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    pub box_width: i64,
    pub box_height: i64,
}

fn lines(title: &str) -> (String, String) {
    let mut first = String::new();
    let mut second = String::new();
    for word in title.split_whitespace() {
        let target =
            if first.chars().count() + word.chars().count() < LABEL_CHARS && second.is_empty() {
                &mut first
            } else {
                &mut second
            };
        if !target.is_empty() {
            target.push(' ');
        }
        target.push_str(word);
    }
    if second.chars().count() > LABEL_CHARS {
        second = second.chars().take(LABEL_CHARS - 1).collect::<String>() + "…";
    }
    (first, second)
}

/// The path of `this`: `prerequisites` maps an offering's id to the ids it needs first (those
/// known), `titles` names them, `next` lists what names `this` as a prerequisite. None when
/// there is nothing before or after it.
pub fn draw(
    this: (&str, &str),
    prerequisites: &HashMap<String, Vec<String>>,
    titles: &HashMap<String, String>,
    next: &[(String, String)],
) -> Option<PathDrawing> {
    // Columns going back: 0 is this offering, 1 its prerequisites, 2 theirs …
    let mut columns: Vec<Vec<String>> = vec![vec![this.0.to_owned()]];
    let mut placed: HashSet<String> = HashSet::from([this.0.to_owned()]);
    let mut edges_by_id: Vec<(String, String)> = Vec::new();
    while columns.len() <= MAX_DEPTH {
        let mut column = Vec::new();
        for id in columns.last().into_iter().flatten() {
            for before in prerequisites.get(id).into_iter().flatten() {
                if !titles.contains_key(before) {
                    continue;
                }
                edges_by_id.push((before.clone(), id.clone()));
                if placed.insert(before.clone()) {
                    column.push(before.clone());
                }
            }
        }
        if column.is_empty() {
            break;
        }
        columns.push(column);
    }
    if columns.len() == 1 && next.is_empty() {
        return None;
    }
    columns.reverse();
    let after: Vec<String> = next
        .iter()
        .filter(|(id, _)| placed.insert(id.clone()))
        .map(|(id, _)| id.clone())
        .collect();
    for id in &after {
        edges_by_id.push((this.0.to_owned(), id.clone()));
    }
    if !after.is_empty() {
        columns.push(after);
    }
    let tallest = columns.iter().map(Vec::len).max().unwrap_or(1) as i64;
    let height = tallest * BOX_HEIGHT + (tallest - 1) * ROW_GAP + 4;
    let mut position: HashMap<String, (i64, i64)> = HashMap::new();
    let mut nodes = Vec::new();
    for (c, column) in columns.iter().enumerate() {
        let x = 2 + c as i64 * (BOX_WIDTH + COLUMN_GAP);
        let used = column.len() as i64 * BOX_HEIGHT + (column.len() as i64 - 1) * ROW_GAP;
        let top = 2 + (height - 4 - used) / 2;
        for (r, id) in column.iter().enumerate() {
            let y = top + r as i64 * (BOX_HEIGHT + ROW_GAP);
            position.insert(id.clone(), (x, y));
            let title = if id == this.0 {
                this.1.to_owned()
            } else {
                titles
                    .get(id)
                    .cloned()
                    .or_else(|| next.iter().find(|(n, _)| n == id).map(|(_, t)| t.clone()))
                    .unwrap_or_else(|| id.clone())
            };
            nodes.push(Node {
                lines: lines(&title),
                title,
                id: id.clone(),
                x,
                y,
                this: id == this.0,
            });
        }
    }
    let edges = edges_by_id
        .iter()
        .filter_map(|(from, to)| {
            let (x1, y1) = position.get(from)?;
            let (x2, y2) = position.get(to)?;
            Some(Edge {
                x1: x1 + BOX_WIDTH,
                y1: y1 + BOX_HEIGHT / 2,
                x2: x2 - 4,
                y2: y2 + BOX_HEIGHT / 2,
            })
        })
        .collect();
    Some(PathDrawing {
        width: columns.len() as i64 * (BOX_WIDTH + COLUMN_GAP) - COLUMN_GAP + 4,
        height,
        nodes,
        edges,
        box_width: BOX_WIDTH,
        box_height: BOX_HEIGHT,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_of_prerequisites_runs_left_to_right_to_this_and_what_comes_next() {
        let prerequisites = HashMap::from([
            ("c".to_owned(), vec!["b".to_owned()]),
            ("b".to_owned(), vec!["a".to_owned()]),
        ]);
        let titles: HashMap<String, String> = ["a", "b", "c"]
            .iter()
            .map(|t| (t.to_string(), format!("Part {t}")))
            .collect();
        let next = vec![("d".to_owned(), "Part d".to_owned())];
        let drawing = draw(("c", "Part c"), &prerequisites, &titles, &next).unwrap();
        let xs: Vec<(String, i64)> = drawing.nodes.iter().map(|n| (n.id.clone(), n.x)).collect();
        assert!(xs.windows(2).all(|w| w[0].1 < w[1].1), "{xs:?}");
        assert_eq!(
            xs.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(),
            ["a", "b", "c", "d"]
        );
        assert_eq!(drawing.edges.len(), 3);
        assert!(drawing.nodes.iter().filter(|n| n.this).count() == 1);
    }

    #[test]
    fn nothing_before_or_after_draws_nothing() {
        assert_eq!(
            draw(("x", "X"), &HashMap::new(), &HashMap::new(), &[]),
            None
        );
    }

    #[test]
    fn long_titles_are_shortened_on_two_lines() {
        let (first, second) = lines(
            "From MARC to BIBFRAME, Part 1: Linked Data Foundations for Catalogers and everyone else",
        );
        assert!(first.chars().count() <= LABEL_CHARS);
        assert!(second.chars().count() <= LABEL_CHARS);
        assert!(second.ends_with('…'));
    }
}
