//! Bar charts drawn on the server as SVG for the dashboard, with no script: columns for a
//! series over time (stacked when there are several), horizontal bars for categories. Each
//! is drawn from a table that the page shows right after it: a chart is never alone. The
//! colours are classes of the style sheet (`serie-0`, `serie-1`), never inline styles.

use std::fmt::Write;

use super::escape;
use super::labels::number_label;

/// Width of every chart, in SVG units (it scales to the page).
const WIDTH: f64 = 480.0;
/// Labels under the columns, at most.
const MAX_COLUMN_LABELS: usize = 8;
/// Characters of a category label kept.
const MAX_LABEL_CHARS: usize = 40;

/// What a chart shows.
pub struct Bars {
    /// Prefix of the ids of its title and description.
    pub id: String,
    /// Its title, read by assistive technologies with the description.
    pub title: String,
    /// One label per bar.
    pub labels: Vec<String>,
    /// Name and values (one per bar) of each series, stacked in this order.
    pub series: Vec<(String, Vec<u64>)>,
    /// Horizontal bars (categories) rather than columns (time).
    pub horizontal: bool,
}

impl Bars {
    /// The chart as an `<svg>` element.
    pub fn svg(&self) -> String {
        let names: Vec<&str> = self.series.iter().map(|(name, _)| name.as_str()).collect();
        let description = format!(
            "{} de {} : {}. Les valeurs sont dans le tableau qui suit.",
            if self.horizontal {
                "Barres horizontales"
            } else if self.series.len() > 1 {
                "Colonnes empilées"
            } else {
                "Colonnes"
            },
            self.labels.len(),
            names.join(", ")
        );
        let (height, body) = if self.horizontal {
            self.horizontal_bars()
        } else {
            self.columns()
        };
        let id = escape(&self.id);
        format!(
            "<svg class=\"graphique\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" \
             aria-labelledby=\"{id}-titre {id}-desc\" xmlns=\"http://www.w3.org/2000/svg\">\
             <title id=\"{id}-titre\">{}</title><desc id=\"{id}-desc\">{}</desc>{body}</svg>",
            escape(&self.title),
            escape(&description)
        )
    }

    /// The sum of the series at bar `i`.
    fn stack(&self, i: usize) -> u64 {
        self.series
            .iter()
            .map(|(_, values)| values.get(i).copied().unwrap_or(0))
            .sum()
    }

    fn columns(&self) -> (f64, String) {
        let (left, right, top, bottom, height) = (72.0, 8.0, 12.0, 36.0, 240.0);
        let (plot_width, plot_height) = (WIDTH - left - right, height - top - bottom);
        let top_value = nice_ceiling(
            (0..self.labels.len())
                .map(|i| self.stack(i))
                .max()
                .unwrap_or(0),
        );
        let y = |value: f64| top + plot_height * (1.0 - value / top_value as f64);
        let mut out = String::new();
        for tick in [0, top_value / 2, top_value] {
            let at = y(tick as f64);
            let _ = write!(
                out,
                "<line class=\"grille\" x1=\"{left}\" x2=\"{}\" y1=\"{at:.1}\" y2=\"{at:.1}\"/>\
                 <text class=\"axe\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                WIDTH - right,
                left - 6.0,
                at + 5.0,
                axis_label(tick)
            );
        }
        let count = self.labels.len().max(1);
        let step = plot_width / count as f64;
        let every = count.div_ceil(MAX_COLUMN_LABELS);
        for (i, label) in self.labels.iter().enumerate() {
            let x = left + step * i as f64 + step * 0.15;
            let mut base = 0u64;
            for (k, (name, values)) in self.series.iter().enumerate() {
                let value = values.get(i).copied().unwrap_or(0);
                if value > 0 {
                    let (low, high) = (y(base as f64), y((base + value) as f64));
                    let _ = write!(
                        out,
                        "<rect class=\"serie-{k}\" x=\"{x:.1}\" y=\"{high:.1}\" width=\"{:.1}\" \
                         height=\"{:.1}\"><title>{} : {} {}</title></rect>",
                        step * 0.7,
                        low - high,
                        escape(label),
                        number_label(value as usize),
                        escape(&name.to_lowercase())
                    );
                }
                base += value;
            }
            if i % every == 0 {
                // Every other label gives way on narrow screens, where the text grows.
                let class = if (i / every) % 2 == 1 {
                    "axe secondaire"
                } else {
                    "axe"
                };
                let _ = write!(
                    out,
                    "<text class=\"{class}\" x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                    x + step * 0.35,
                    height - bottom + 24.0,
                    escape(label)
                );
            }
        }
        (height, out)
    }

    /// One row per category: its label on a line of its own (long labels stay whole on
    /// narrow screens), then its bar and its total.
    fn horizontal_bars(&self) -> (f64, String) {
        let (row, bar, value_room) = (52.0, 18.0, 72.0);
        let height = row * self.labels.len().max(1) as f64;
        let widest = (0..self.labels.len())
            .map(|i| self.stack(i))
            .max()
            .unwrap_or(0)
            .max(1);
        let scale = (WIDTH - value_room) / widest as f64;
        let mut out = String::new();
        for (i, label) in self.labels.iter().enumerate() {
            let top = row * i as f64;
            let bar_top = top + 26.0;
            let mut x = 0.0;
            for (k, (name, values)) in self.series.iter().enumerate() {
                let value = values.get(i).copied().unwrap_or(0);
                if value > 0 {
                    let width = value as f64 * scale;
                    let _ = write!(
                        out,
                        "<rect class=\"serie-{k}\" x=\"{x:.1}\" y=\"{bar_top:.1}\" \
                         width=\"{width:.1}\" height=\"{bar}\"><title>{} : {} {}</title></rect>",
                        escape(label),
                        number_label(value as usize),
                        escape(&name.to_lowercase())
                    );
                    x += width;
                }
            }
            let short: String = if label.chars().count() > MAX_LABEL_CHARS {
                label
                    .chars()
                    .take(MAX_LABEL_CHARS - 1)
                    .chain(['…'])
                    .collect()
            } else {
                label.clone()
            };
            let _ = write!(
                out,
                "<text class=\"axe\" x=\"0\" y=\"{:.1}\">{}</text>\
                 <text class=\"axe\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                top + 18.0,
                escape(&short),
                x + 6.0,
                bar_top + bar - 3.0,
                number_label(self.stack(i) as usize)
            );
        }
        (height, out)
    }
}

/// The smallest of 2, 4, 6, 8 or 10 times a power of ten that is at least `value`: round,
/// and its half (the middle tick) is a whole number.
fn nice_ceiling(value: u64) -> u64 {
    let mut power = 1u64;
    loop {
        for factor in [2, 4, 6, 8, 10] {
            let nice = factor * power;
            if nice >= value {
                return nice;
            }
        }
        power = power.saturating_mul(10);
    }
}

/// A tick of the vertical axis, short: `8 000`, `40 k`, `2 M`.
fn axis_label(value: u64) -> String {
    match value {
        0..=99_999 => number_label(value as usize),
        100_000..=999_999 => format!("{} k", value / 1_000),
        _ => format!("{} M", value as f64 / 1e6).replace('.', ","),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(horizontal: bool) -> Bars {
        Bars {
            id: "g-test".into(),
            title: "Recherches <par mois>".into(),
            labels: vec!["janv.".into(), "févr.".into(), "mars".into()],
            series: vec![
                ("Avec résultats".into(), vec![30, 0, 12]),
                ("Sans résultat".into(), vec![10, 0, 3]),
            ],
            horizontal,
        }
    }

    #[test]
    fn columns_stack_their_series_and_name_themselves() {
        let svg = chart(false).svg();
        assert!(svg.starts_with("<svg class=\"graphique\""), "{svg}");
        assert!(svg.contains("role=\"img\" aria-labelledby=\"g-test-titre g-test-desc\""));
        assert!(svg.contains("<title id=\"g-test-titre\">Recherches &lt;par mois&gt;</title>"));
        assert!(svg.contains("Colonnes empilées de 3 : Avec résultats, Sans résultat."));
        assert_eq!(
            svg.matches("<rect class=\"serie-0\"").count(),
            2,
            "no bar for zero"
        );
        assert_eq!(svg.matches("<rect class=\"serie-1\"").count(), 2);
        assert!(svg.contains("<title>janv. : 30 avec résultats</title>"));
        // The scale goes to 40, the tallest stack: ticks 0, 20, 40.
        for tick in [">0</text>", ">20</text>", ">40</text>"] {
            assert!(svg.contains(tick), "{tick}");
        }
        assert!(!svg.contains("style="), "colours come from the style sheet");
    }

    #[test]
    fn horizontal_bars_show_their_totals_and_shortened_labels() {
        let mut bars = chart(true);
        bars.labels[0] = "Un libellé beaucoup trop long pour tenir sur une ligne".into();
        let svg = bars.svg();
        assert!(svg.contains("Barres horizontales de 3"));
        assert!(
            svg.contains(">Un libellé beaucoup trop long pour teni…</text>"),
            "{svg}"
        );
        assert!(svg.contains(">40</text>") && svg.contains(">15</text>"));
    }

    #[test]
    fn scales_end_on_round_numbers() {
        let cases = [
            (0, 2),
            (1, 2),
            (3, 4),
            (7, 8),
            (9, 10),
            (41, 60),
            (101, 200),
            (5_000, 6_000),
        ];
        for (value, nice) in cases {
            assert_eq!(nice_ceiling(value), nice, "{value}");
        }
        assert_eq!(axis_label(40_000), "40\u{202f}000");
        assert_eq!(axis_label(400_000), "400 k");
        assert_eq!(axis_label(2_000_000), "2 M");
        assert_eq!(axis_label(2_500_000), "2,5 M");
    }
}
