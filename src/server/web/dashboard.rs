//! The steering committee's dashboard, `/tableau-de-bord`: the use of the service over a
//! period and the coverage of the index, each table in French with its CSV and JSON
//! exports, and for some a chart drawn on the server just before it. Works without
//! JavaScript; public unless the server makes it private (then the browser asks for the
//! admin token as a password).

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;

use super::chart::Bars;
use super::html_response;
use super::labels::{date_label, facet_value_label, month_label, number_label};
use crate::indicators::period::{Period, Step};
use crate::indicators::report::{Report, DEFAULT_OLDER_THAN};
use crate::indicators::table::{Cell, Table, Topic};
use crate::indicators::Day;
use crate::model::Date;
use crate::server::error::{parse_query, ApiError};
use crate::server::indicators::IndicatorsQuery;
use crate::server::AppState;

/// Path of the page.
pub const PATH: &str = "/tableau-de-bord";

const SHORT_MONTHS: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
];

/// The page's query string: `du`, `au` (`YYYY-MM-DD`, empty for the default) and
/// `anciennete` (years).
#[derive(Debug, Default, Deserialize)]
struct DashboardParams {
    #[serde(default)]
    du: String,
    #[serde(default)]
    au: String,
    #[serde(default)]
    anciennete: String,
}

impl DashboardParams {
    fn query(&self) -> Result<IndicatorsQuery, ApiError> {
        let date = |text: &str| {
            let text = text.trim();
            (!text.is_empty())
                .then(|| text.parse::<Date>())
                .transpose()
                .map_err(|error| ApiError::BadParameter(error.to_string()))
        };
        let older_than = self.anciennete.trim();
        Ok(IndicatorsQuery {
            from: date(&self.du)?,
            to: date(&self.au)?,
            older_than: (!older_than.is_empty())
                .then(|| older_than.parse::<u32>())
                .transpose()
                .map_err(|_| ApiError::BadParameter(format!("anciennete: {older_than:?}")))?,
        })
    }
}

/// A cell as shown: its French text, its raw value (as exported), and whether it is a
/// number (aligned right).
pub struct CellView {
    pub text: String,
    pub raw: String,
    pub number: bool,
}

impl CellView {
    fn new(cell: &Cell) -> CellView {
        let text = match cell {
            Cell::Text(text) => text.clone(),
            Cell::Code(facet, value) => facet_value_label(facet.alias(), value),
            Cell::Period(period) => period_label(period),
            Cell::Count(n) => number_label(*n as usize),
            Cell::Percent(Some(p)) => format!("{} %", format!("{p:.1}").replace('.', ",")),
            Cell::Percent(None) => "–".into(),
        };
        CellView {
            text,
            raw: cell.raw(),
            number: matches!(cell, Cell::Count(_) | Cell::Percent(_)),
        }
    }
}

/// A chart and its legend (series class and name).
pub struct ChartView {
    pub svg: String,
    pub legend: Vec<(usize, String)>,
}

/// A table as shown, with its chart and its exports.
pub struct TableView {
    pub id: String,
    pub title: String,
    pub description: String,
    pub headings: Vec<CellView>,
    pub rows: Vec<Vec<CellView>>,
    pub chart: Option<ChartView>,
    pub csv_url: String,
    pub json_url: String,
}

impl TableView {
    fn new(table: &Table, exports: &str) -> TableView {
        let chart = table
            .chart
            .as_ref()
            .filter(|_| !table.rows.is_empty())
            .map(|chart| {
                let series: Vec<(String, Vec<u64>)> = chart
                    .series
                    .iter()
                    .map(|&column| {
                        let name = table
                            .columns
                            .get(column)
                            .map_or_else(String::new, |c| c.heading.raw());
                        let values = table
                            .rows
                            .iter()
                            .map(|row| row.get(column).and_then(Cell::count).unwrap_or(0))
                            .collect();
                        (name, values)
                    })
                    .collect();
                let labels = table
                    .rows
                    .iter()
                    .map(|row| row.first().map_or_else(String::new, short_label))
                    .collect();
                let legend = if series.len() > 1 {
                    series
                        .iter()
                        .enumerate()
                        .map(|(k, (name, _))| (k, name.clone()))
                        .collect()
                } else {
                    Vec::new()
                };
                let bars = Bars {
                    id: format!("graphique-{}", table.id),
                    title: table.title.clone(),
                    labels,
                    series,
                    horizontal: chart.horizontal,
                };
                ChartView {
                    svg: bars.svg(),
                    legend,
                }
            });
        let export = |format: &str| {
            format!(
                "/api/v1/indicators?{exports}&table={}&format={format}",
                table.id
            )
        };
        TableView {
            id: table.id.clone(),
            title: table.title.clone(),
            description: table.description.clone(),
            headings: table
                .columns
                .iter()
                .map(|c| CellView::new(&c.heading))
                .collect(),
            rows: table
                .rows
                .iter()
                .map(|row| row.iter().map(CellView::new).collect())
                .collect(),
            chart,
            csv_url: export("csv"),
            json_url: export("json"),
        }
    }
}

/// A ready-made period.
pub struct Preset {
    pub label: String,
    pub url: String,
    pub current: bool,
}

/// The dashboard page.
#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    /// The period in words.
    period: String,
    /// The first and last days, for the form (`YYYY-MM-DD`).
    du: String,
    au: String,
    older_than: u32,
    presets: Vec<Preset>,
    documents: String,
    /// Every table as JSON.
    export_url: String,
    use_tables: Vec<TableView>,
    coverage_tables: Vec<TableView>,
}

/// `GET /tableau-de-bord`.
pub async fn dashboard(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    state.check_dashboard_access(&headers)?;
    let params: DashboardParams = parse_query(query.as_deref())?;
    let report = state.indicators_report(params.query()?).await?;
    html_response(&page(&report, Day::today()))
}

fn page(report: &Report, today: Day) -> DashboardPage {
    let period = &report.period;
    let (first, last) = (period.first.date(), period.last.date());
    let older_than = report.options.older_than;
    let exports = format!("from={first}&to={last}&older_than={older_than}");
    let tables = |topic: Topic| {
        report
            .tables
            .iter()
            .filter(|table| table.topic == topic)
            .map(|table| TableView::new(table, &exports))
            .collect()
    };
    DashboardPage {
        period: format!(
            "du {} au {}, {}",
            date_label(&first.to_string()),
            date_label(&last.to_string()),
            match period.step {
                Step::Day => "jour par jour",
                Step::Month => "mois par mois",
            }
        ),
        du: first.to_string(),
        au: last.to_string(),
        older_than,
        presets: presets(today, (period.first, period.last), older_than),
        documents: number_label(report.documents as usize),
        export_url: format!("/api/v1/indicators?{exports}"),
        use_tables: tables(Topic::Use),
        coverage_tables: tables(Topic::Coverage),
    }
}

/// The usual periods: the last twelve months (the default), the last 30 days, last year
/// and this year.
fn presets(today: Day, shown: (Day, Day), older_than: u32) -> Vec<Preset> {
    let year = today.date().year();
    let january = |year| Day::of(Date::new(year, 1, 1).unwrap_or(today.date()));
    let default = Period::new(None, None, today).ok();
    let periods = [
        (
            "Les 12 derniers mois".to_string(),
            default.map_or(today, |p| p.first),
            today,
            true,
        ),
        (
            "Les 30 derniers jours".to_string(),
            today.plus(-29),
            today,
            false,
        ),
        (
            format!("L’année {}", year - 1),
            january(year - 1),
            january(year).plus(-1),
            false,
        ),
        (
            format!("L’année {year}, jusqu’à aujourd’hui"),
            january(year),
            today,
            false,
        ),
    ];
    let age = if older_than == DEFAULT_OLDER_THAN {
        String::new()
    } else {
        format!("&anciennete={older_than}")
    };
    periods
        .into_iter()
        .map(|(label, first, last, is_default)| Preset {
            label,
            url: if is_default && age.is_empty() {
                PATH.to_string()
            } else if is_default {
                format!("{PATH}?{}", &age[1..])
            } else {
                format!("{PATH}?du={}&au={}{age}", first.date(), last.date())
            },
            current: (first, last) == shown,
        })
        .collect()
}

/// `2026-03` → `mars 2026`; `2026-03-14` → `14 mars 2026`; anything else as it is.
fn period_label(period: &str) -> String {
    match month_of(period) {
        Some((year, month)) => month_label(year, month as u32),
        None => date_label(period),
    }
}

/// The short label of a chart's bar: `mars 26`, `14/03`, or the text.
fn short_label(cell: &Cell) -> String {
    match cell {
        Cell::Period(period) => {
            if let Some((year, month)) = month_of(period) {
                return format!("{} {:02}", SHORT_MONTHS[month - 1], year % 100);
            }
            match period.parse::<Date>() {
                Ok(date) => format!("{:02}/{:02}", date.day(), date.month()),
                Err(_) => period.clone(),
            }
        }
        other => CellView::new(other).text,
    }
}

/// The year and month (1–12) of `YYYY-MM`.
fn month_of(text: &str) -> Option<(u32, usize)> {
    let (year, month) = text.split_once('-')?;
    if year.len() != 4 || month.len() != 2 {
        return None;
    }
    let month: usize = month.parse().ok()?;
    ((1..=12).contains(&month)).then_some((year.parse().ok()?, month))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Facet;

    #[test]
    fn periods_read_the_french_way() {
        assert_eq!(period_label("2026-03"), "mars 2026");
        assert_eq!(period_label("2026-03-01"), "1er mars 2026");
        assert_eq!(period_label("2024"), "2024");
        assert_eq!(short_label(&Cell::Period("2025-12".into())), "déc. 25");
        assert_eq!(short_label(&Cell::Period("2026-03-14".into())), "14/03");
        assert_eq!(
            short_label(&Cell::Code(Facet::Kind, "fiche-metier".into())),
            "Fiche métier"
        );
        assert_eq!(CellView::new(&Cell::Percent(Some(12.5))).text, "12,5 %");
        assert_eq!(
            CellView::new(&Cell::Code(Facet::Territory, "13".into())).text,
            "Bouches-du-Rhône (13)"
        );
        assert_eq!(CellView::new(&Cell::Count(12345)).text, "12\u{202f}345");
    }

    #[test]
    fn presets_mark_the_period_shown() {
        let today = Day::of("2026-03-14".parse().unwrap());
        let default = Period::new(None, None, today).unwrap();
        let presets = presets(today, (default.first, default.last), DEFAULT_OLDER_THAN);
        let urls: Vec<&str> = presets.iter().map(|p| p.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "/tableau-de-bord",
                "/tableau-de-bord?du=2026-02-13&au=2026-03-14",
                "/tableau-de-bord?du=2025-01-01&au=2025-12-31",
                "/tableau-de-bord?du=2026-01-01&au=2026-03-14",
            ]
        );
        assert!(presets[0].current && !presets[1].current);
        let older = super::presets(today, (default.first, default.last), 3);
        assert_eq!(older[0].url, "/tableau-de-bord?anciennete=3");
        assert!(older[1].url.ends_with("&anciennete=3"));
    }
}
