//! The tables of the dashboard: one model that the web page, the JSON export and the CSV
//! export all show, so that they cannot disagree. A cell keeps its raw value (a code, an ISO
//! date, an integer); how it reads in French is the page's business.

use std::fmt::Write;

use crate::model::Facet;

/// A cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Plain text, shown as it is.
    Text(String),
    /// A value of a facet of the index (`france-travail` of the network, `13` of the
    /// territory), shown with its French label.
    Code(Facet, String),
    /// A month (`2026-03`) or a day (`2026-03-14`).
    Period(String),
    /// A number of documents, searches...
    Count(u64),
    /// A percentage, rounded to one decimal; none when its whole is zero.
    Percent(Option<f64>),
}

impl Cell {
    /// `part` of `whole` as a percentage.
    pub fn percent(part: u64, whole: u64) -> Cell {
        Cell::Percent((whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0))
    }

    /// The raw value, as the CSV export writes it (a percentage with a decimal comma).
    pub fn raw(&self) -> String {
        match self {
            Cell::Text(text) | Cell::Code(_, text) | Cell::Period(text) => text.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Percent(Some(p)) => format!("{p:.1}").replace('.', ","),
            Cell::Percent(None) => String::new(),
        }
    }

    /// The value in JSON: a string, an integer, a number or null.
    pub fn json(&self) -> serde_json::Value {
        match self {
            Cell::Text(text) | Cell::Code(_, text) | Cell::Period(text) => text.clone().into(),
            Cell::Count(n) => (*n).into(),
            Cell::Percent(Some(p)) => (*p).into(),
            Cell::Percent(None) => serde_json::Value::Null,
        }
    }

    /// The count, for charts.
    pub fn count(&self) -> Option<u64> {
        match self {
            Cell::Count(n) => Some(*n),
            _ => None,
        }
    }
}

/// A column: its key in the JSON export, and its heading (plain text, or a code shown with
/// its label, for the columns of a cross table).
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub key: String,
    pub heading: Cell,
}

impl Column {
    /// A column with a plain-text heading.
    pub fn new(key: &str, heading: &str) -> Column {
        Column {
            key: key.to_string(),
            heading: Cell::Text(heading.to_string()),
        }
    }
}

/// How a table is drawn, when it is: bars of some of its count columns, one bar (or stack of
/// bars) per row, labelled by the first column.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// The columns drawn, stacked in this order.
    pub series: Vec<usize>,
    /// Horizontal bars (categories) rather than columns (time).
    pub horizontal: bool,
}

/// What a table is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// How the service was used over the period.
    Use,
    /// What the index covers now.
    Coverage,
}

impl Topic {
    /// Its name in exports.
    pub fn name(self) -> &'static str {
        match self {
            Topic::Use => "use",
            Topic::Coverage => "coverage",
        }
    }
}

/// One table of the dashboard.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Its name in links and exports (`recherches`).
    pub id: String,
    pub topic: Topic,
    /// Its French title.
    pub title: String,
    /// What it counts, in a sentence.
    pub description: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    pub chart: Option<Chart>,
}

impl Table {
    /// The table as CSV for a spreadsheet in French: UTF-8 with a byte-order mark, `;`
    /// between fields, decimal commas, CRLF line ends, quotes where needed (RFC 4180).
    pub fn to_csv(&self) -> String {
        let mut out = String::from("\u{feff}");
        let headings: Vec<String> = self.columns.iter().map(|c| c.heading.raw()).collect();
        write_record(&mut out, &headings);
        for row in &self.rows {
            let cells: Vec<String> = row.iter().map(Cell::raw).collect();
            write_record(&mut out, &cells);
        }
        out
    }
}

fn write_record(out: &mut String, fields: &[String]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        if field.contains([';', '"', '\n', '\r']) {
            let _ = write!(out, "\"{}\"", field.replace('"', "\"\""));
        } else {
            out.push_str(field);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_is_what_a_french_spreadsheet_opens() {
        let table = Table {
            id: "t".into(),
            topic: Topic::Coverage,
            title: "T".into(),
            description: String::new(),
            columns: vec![
                Column::new("source", "Source"),
                Column::new("n", "Documents ; total"),
            ],
            rows: vec![
                vec![Cell::Code(Facet::Source, "rome".into()), Cell::Count(1584)],
                vec![
                    Cell::Text("dit \"ceci\"\nsur deux lignes".into()),
                    Cell::percent(1, 8),
                ],
            ],
            chart: None,
        };
        assert_eq!(
            table.to_csv(),
            "\u{feff}Source;\"Documents ; total\"\r\nrome;1584\r\n\"dit \"\"ceci\"\"\nsur deux lignes\";12,5\r\n"
        );
    }

    #[test]
    fn percentages_round_to_one_decimal_and_need_a_whole() {
        assert_eq!(Cell::percent(1, 3), Cell::Percent(Some(33.3)));
        assert_eq!(Cell::percent(2, 3).raw(), "66,7");
        assert_eq!(Cell::percent(0, 0).raw(), "");
        assert_eq!(Cell::percent(0, 0).json(), serde_json::Value::Null);
        assert_eq!(Cell::Count(7).json(), serde_json::json!(7));
    }
}
