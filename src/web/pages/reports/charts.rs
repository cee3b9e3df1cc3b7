//! Charts drawn on the server as inline SVG: the geometry is computed here and the templates write
//! it out (askama escapes every label), so a chart needs no JavaScript and prints. Each chart is
//! shown with a caption and a table of the same numbers; colours only repeat what the table and
//! the labels say.

/// A stacked bar chart: one bar a period, one segment a series.
pub struct BarChart {
    pub width: u32,
    pub height: u32,
    /// The plot's bottom (the baseline's y).
    pub baseline: u32,
    pub bars: Vec<Bar>,
    /// Horizontal guide lines: (y, value).
    pub ticks: Vec<(u32, u64)>,
    /// The series in order: (label, class index for its colour).
    pub series: Vec<(String, usize)>,
}

pub struct Bar {
    pub label: String,
    pub x: u32,
    pub width: u32,
    /// Where the label's middle sits.
    pub middle: u32,
    pub total: u64,
    pub segments: Vec<Segment>,
}

pub struct Segment {
    pub y: u32,
    pub height: u32,
    /// The colour: `series-{class}`.
    pub class: usize,
    /// Said on hover and to assistive technology: "2027-01, Hybrid: 4".
    pub title: String,
}

const PLOT_HEIGHT: u32 = 180;
const TOP: u32 = 10;
const LEFT: u32 = 40;
const BAR_STEP: u32 = 34;

impl BarChart {
    /// A chart of `bars`, each (label, values of each series in `series` order).
    pub fn new(series: &[String], bars: &[(String, Vec<u64>)]) -> BarChart {
        let max = bars
            .iter()
            .map(|(_, values)| values.iter().sum::<u64>())
            .max()
            .unwrap_or(0)
            .max(1);
        let scale = |value: u64| (value * u64::from(PLOT_HEIGHT) / max) as u32;
        let baseline = TOP + PLOT_HEIGHT;
        let bars = bars
            .iter()
            .enumerate()
            .map(|(i, (label, values))| {
                let x = LEFT + i as u32 * BAR_STEP + 4;
                let mut top = baseline;
                let mut below = 0;
                let segments = values
                    .iter()
                    .enumerate()
                    .filter(|(_, value)| **value > 0)
                    .map(|(class, value)| {
                        below += value;
                        let y = baseline - scale(below);
                        let segment = Segment {
                            y,
                            height: top - y,
                            class,
                            title: format!("{label}, {}: {value}", series[class]),
                        };
                        top = y;
                        segment
                    })
                    .collect();
                Bar {
                    label: label.clone(),
                    x,
                    width: BAR_STEP - 8,
                    middle: x + (BAR_STEP - 8) / 2,
                    total: values.iter().sum(),
                    segments,
                }
            })
            .collect::<Vec<_>>();
        let ticks = [0, max / 2, max]
            .into_iter()
            .map(|value| (baseline - scale(value), value))
            .collect();
        BarChart {
            width: LEFT + bars.len() as u32 * BAR_STEP + 10,
            height: baseline + 40,
            baseline,
            bars,
            ticks,
            series: series
                .iter()
                .enumerate()
                .map(|(i, label)| (label.clone(), i))
                .collect(),
        }
    }
}

/// How strongly a map square is shaded: `none` (0), `one`, `few` (2–4) or `many`.
pub fn shade(count: u64) -> &'static str {
    match count {
        0 => "none",
        1 => "one",
        2..=4 => "few",
        _ => "many",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_stack_to_their_totals_within_the_plot() {
        let series = vec!["a".to_owned(), "b".to_owned()];
        let chart = BarChart::new(
            &series,
            &[("m1".into(), vec![2, 2]), ("m2".into(), vec![0, 1])],
        );
        let first = &chart.bars[0];
        assert_eq!(first.total, 4);
        assert_eq!(first.segments[1].y, TOP);
        let heights: u32 = first.segments.iter().map(|s| s.height).sum();
        assert_eq!(heights, PLOT_HEIGHT);
        assert_eq!(chart.bars[1].segments.len(), 1);
        assert_eq!(chart.bars[1].segments[0].title, "m2, b: 1");
    }
}
