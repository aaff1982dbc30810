//! The dashboard's tables for a period: use (searches, what they found, filters, documents
//! opened, by entry) by day or month (`use_tables`), and the coverage of the committed index
//! (`coverage_tables`). The web page and both exports show this one [`Report`].

mod coverage_tables;
mod use_tables;

use super::calendar::Day;
use super::coverage::Coverage;
use super::period::Period;
use super::store::History;
use super::table::Table;
use super::usage::{DayCounts, Entry};

/// Age in years past which a document counts as old, when none is asked for.
pub const DEFAULT_OLDER_THAN: u32 = 5;

/// What the report shows besides the period.
#[derive(Debug, Clone, Copy)]
pub struct ReportOptions {
    /// Documents dated more than this many years ago count as old.
    pub older_than: u32,
    /// Today, for the age of documents.
    pub today: Day,
    /// Whether searches without results are kept (the table is shown only then).
    pub zero_results: bool,
}

/// The dashboard for a period.
#[derive(Debug, Clone)]
pub struct Report {
    pub period: Period,
    pub options: ReportOptions,
    /// Documents in the index.
    pub documents: u64,
    pub tables: Vec<Table>,
}

impl Report {
    /// The report of `history` and `coverage` over `period`.
    pub fn new(
        history: &History,
        coverage: &Coverage,
        period: Period,
        options: ReportOptions,
    ) -> Report {
        let days = |first: Day, last: Day| {
            let mut total = DayCounts::default();
            for (_, record) in history.range(first..=last) {
                total.merge(&record.counts);
            }
            total
        };
        let steps: Vec<(String, DayCounts)> = period
            .steps()
            .into_iter()
            .map(|(first, last, name)| (name, days(first, last)))
            .collect();
        let whole = days(period.first, period.last);
        let mut tables = vec![
            use_tables::searches(&steps, period.step),
            use_tables::opened(&steps, period.step),
            use_tables::by_entry(&whole),
            use_tables::filters(&whole),
            use_tables::opened_kinds(&whole),
        ];
        if options.zero_results {
            tables.push(use_tables::zero_result_texts(history, &period));
        }
        tables.push(coverage_tables::network_kind(coverage));
        tables.extend(coverage_tables::facets(coverage));
        tables.push(coverage_tables::years(coverage));
        tables.push(coverage_tables::freshness(coverage, &options));
        tables.push(coverage_tables::pdf_without_text(coverage));
        tables.push(coverage_tables::failures(coverage));
        Report {
            period,
            options,
            documents: coverage.documents,
            tables,
        }
    }

    /// The table named `id`.
    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables.iter().find(|table| table.id == id)
    }
}

fn total(counts: &DayCounts, name: &str) -> u64 {
    Entry::ALL.iter().map(|e| counts.get(*e, name)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::store::DayRecord;
    use crate::indicators::table::Cell;
    use crate::indicators::usage::counter;
    use crate::model::Facet;

    fn day(text: &str) -> Day {
        Day::of(text.parse().unwrap())
    }

    #[test]
    fn use_tables_sum_the_days_of_each_step() {
        let mut history = History::new();
        let mut add = |text: &str, entry, name: &str, n| {
            let record: &mut DayRecord = history.entry(day(text)).or_default();
            record.counts.add(entry, name, n);
        };
        add("2026-02-28", Entry::Web, counter::WITH_RESULTS, 3);
        add("2026-03-01", Entry::Web, counter::WITH_RESULTS, 2);
        add("2026-03-02", Entry::Api, counter::WITHOUT_RESULTS, 5);
        add("2026-03-02", Entry::Api, "filter:type", 4);
        add("2026-03-02", Entry::Web, "opened:fiche-metier", 1);
        add("2026-03-02", Entry::Api, "opened:guide", 2);
        add("2026-04-01", Entry::Web, counter::WITH_RESULTS, 100);
        let period = Period::new(
            "2026-01-01".parse().ok(),
            "2026-03-31".parse().ok(),
            day("2026-04-02"),
        )
        .unwrap();
        let options = ReportOptions {
            older_than: 5,
            today: day("2026-04-02"),
            zero_results: false,
        };
        let report = Report::new(&history, &Coverage::default(), period, options);
        let searches = report.table("recherches").unwrap();
        assert_eq!(
            searches.rows[1][..4],
            [
                Cell::Period("2026-02".into()),
                Cell::Count(3),
                Cell::Count(0),
                Cell::Percent(Some(0.0))
            ]
        );
        assert_eq!(
            searches.rows[2][..4],
            [
                Cell::Period("2026-03".into()),
                Cell::Count(2),
                Cell::Count(5),
                Cell::percent(5, 7)
            ]
        );
        let filters = report.table("filtres").unwrap();
        let kind = filters
            .rows
            .iter()
            .find(|r| r[0] == Cell::Text("Type de document".into()));
        assert_eq!(
            kind.unwrap()[1..],
            [Cell::Count(0), Cell::Count(4), Cell::Count(4)]
        );
        assert_eq!(filters.rows.len(), Facet::COUNT, "every facet, used or not");
        let kinds = report.table("types-consultes").unwrap();
        assert_eq!(
            kinds.rows[0][0],
            Cell::Code(Facet::Kind, "guide".into()),
            "most opened first"
        );
        assert!(
            report.table("sans-resultat").is_none(),
            "only when they are kept"
        );
    }
}
