//! The dashboard's exports, `GET /api/v1/indicators`: every table of a period as JSON, or
//! one table as JSON or CSV (for a spreadsheet). The same report as the web page
//! `/tableau-de-bord`, public unless the server makes the dashboard private.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::ErrorBody;
use crate::indicators::report::Report;
use crate::indicators::table::Table;
use crate::model::Date;
use crate::server::error::{ApiError, ApiQuery};
use crate::server::indicators::IndicatorsQuery;
use crate::server::AppState;

/// Format of the export.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// The tables as JSON.
    #[default]
    Json,
    /// One table as CSV: UTF-8 with a byte-order mark, `;` between fields, decimal commas.
    Csv,
}

/// Parameters of `GET /api/v1/indicators`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IndicatorsParams {
    /// First day of the period, `YYYY-MM-DD`; by default the first day of the month eleven
    /// months before `to`. Periods of up to 62 days are counted by day, longer ones by month.
    #[param(example = "2025-04-01")]
    pub from: Option<String>,
    /// Last day of the period, `YYYY-MM-DD`; by default today. At most ten years after `from`.
    #[param(example = "2026-03-31")]
    pub to: Option<String>,
    /// Documents dated more than this many years ago count as old (1 to 100).
    #[param(minimum = 1, maximum = 100, default = 5)]
    pub older_than: Option<u32>,
    /// Only this table, by its id (`recherches`, `reseau-type`, `fraicheur`...); required
    /// for CSV.
    #[param(example = "recherches")]
    pub table: Option<String>,
    /// `json` (default) or `csv`.
    #[serde(default)]
    #[param(inline)]
    pub format: ExportFormat,
}

impl IndicatorsParams {
    fn query(&self) -> Result<IndicatorsQuery, ApiError> {
        let date = |name: &str, value: &Option<String>| {
            value
                .as_deref()
                .map(|text| {
                    text.parse::<Date>()
                        .map_err(|error| ApiError::BadParameter(format!("{name}: {error}")))
                })
                .transpose()
        };
        Ok(IndicatorsQuery {
            from: date("from", &self.from)?,
            to: date("to", &self.to)?,
            older_than: self.older_than,
        })
    }
}

/// The period of a report.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PeriodBody {
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, `YYYY-MM-DD`.
    pub to: String,
    /// `day` or `month`: the step of the tables of use.
    pub step: String,
}

/// A column of a table.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ColumnBody {
    /// Its key in each row.
    pub key: String,
    /// Its heading (French, or a code of the index for the columns of a cross table).
    pub label: String,
}

/// One table of the dashboard.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TableBody {
    #[schema(example = "recherches")]
    pub id: String,
    /// `use` (of the service over the period) or `coverage` (of the index now).
    pub topic: String,
    /// French title.
    pub title: String,
    /// What it counts.
    pub description: String,
    pub columns: Vec<ColumnBody>,
    /// One object per row, keyed by column key: strings (codes, `YYYY-MM` or `YYYY-MM-DD`
    /// periods, text), integers (counts), numbers (percentages) or null (a percentage of
    /// nothing).
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<serde_json::Map<String, serde_json::Value>>,
}

impl From<&Table> for TableBody {
    fn from(table: &Table) -> TableBody {
        TableBody {
            id: table.id.clone(),
            topic: table.topic.name().to_string(),
            title: table.title.clone(),
            description: table.description.clone(),
            columns: table
                .columns
                .iter()
                .map(|column| ColumnBody {
                    key: column.key.clone(),
                    label: column.heading.raw(),
                })
                .collect(),
            rows: table
                .rows
                .iter()
                .map(|row| {
                    table
                        .columns
                        .iter()
                        .zip(row)
                        .map(|(column, cell)| (column.key.clone(), cell.json()))
                        .collect()
                })
                .collect(),
        }
    }
}

/// The dashboard of a period: its use and the coverage of the index.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IndicatorsBody {
    pub period: PeriodBody,
    /// Documents in the index.
    pub documents: u64,
    /// Documents dated more than this many years ago count as old.
    pub older_than: u32,
    pub tables: Vec<TableBody>,
}

impl IndicatorsBody {
    fn new<'a>(report: &Report, tables: impl Iterator<Item = &'a Table>) -> IndicatorsBody {
        let period = &report.period;
        IndicatorsBody {
            period: PeriodBody {
                from: period.first.date().to_string(),
                to: period.last.date().to_string(),
                step: period.step.name().to_string(),
            },
            documents: report.documents,
            older_than: report.options.older_than,
            tables: tables.map(TableBody::from).collect(),
        }
    }
}

/// The steering committee's indicators: use and coverage, every table or one.
///
/// Use of the service per day or month (searches with and without results, "did you mean",
/// filters, documents opened, by web pages or API: counts only, never the words searched),
/// and the coverage of the index (documents by network and kind, by every facet, by year of
/// their date, freshness per source, PDFs without text, failures). The same tables as the
/// page `/tableau-de-bord`. Public unless the server makes the dashboard private (then the
/// admin token is required, as `Authorization: Bearer`).
#[utoipa::path(
    get,
    path = "/api/v1/indicators",
    tag = "indicators",
    params(IndicatorsParams),
    responses(
        (status = 200, description = "The tables (JSON), or one table (CSV)",
            content((IndicatorsBody = "application/json"), (String = "text/csv"))),
        (status = 400, description = "Invalid parameter, unknown table, or CSV without a table",
            body = ErrorBody),
        (status = 401, description = "The dashboard is private and the admin token is missing or wrong",
            body = ErrorBody),
        (status = 503, description = "The index is not ready yet", body = ErrorBody),
    )
)]
pub async fn indicators(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(params): ApiQuery<IndicatorsParams>,
) -> Result<Response, ApiError> {
    state.check_dashboard_access(&headers)?;
    let report = state.indicators_report(params.query()?).await?;
    let table = match params.table.as_deref() {
        Some(id) => Some(report.table(id).ok_or_else(|| {
            let known: Vec<&str> = report.tables.iter().map(|t| t.id.as_str()).collect();
            ApiError::BadParameter(format!(
                "no table {id:?}; the tables are {}",
                known.join(", ")
            ))
        })?),
        None => None,
    };
    match (params.format, table) {
        (ExportFormat::Json, None) => {
            Ok(Json(IndicatorsBody::new(&report, report.tables.iter())).into_response())
        }
        (ExportFormat::Json, Some(table)) => {
            Ok(Json(IndicatorsBody::new(&report, std::iter::once(table))).into_response())
        }
        (ExportFormat::Csv, Some(table)) => Ok(csv(&report, table)),
        (ExportFormat::Csv, None) => Err(ApiError::BadParameter(
            "format=csv exports one table: add table=<id>".into(),
        )),
    }
}

/// `table` as a CSV download named after it and the period.
fn csv(report: &Report, table: &Table) -> Response {
    let name = format!(
        "attachment; filename=\"{}_{}_{}.csv\"",
        table.id,
        report.period.first.date(),
        report.period.last.date()
    );
    let disposition =
        HeaderValue::from_str(&name).unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        table.to_csv(),
    )
        .into_response()
}
