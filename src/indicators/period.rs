//! The period the dashboard shows: French days from a first to a last, counted day by day
//! when short, month by month otherwise.

use super::calendar::Day;
use crate::model::Date;

/// Months shown when no period is asked for.
pub const DEFAULT_MONTHS: i32 = 12;
/// Longest period, in days (ten years).
pub const MAX_DAYS: i32 = 3_660;
/// Periods up to this many days are shown day by day, longer ones month by month.
pub const DAILY_UP_TO: i32 = 62;
/// Why a period cannot be shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("the period ends ({to}) before it starts ({from})")]
    Reversed { from: Date, to: Date },
    #[error("the period is longer than {MAX_DAYS} days")]
    TooLong,
}

/// The step of the use tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Day,
    Month,
}

impl Step {
    /// Its name in exports.
    pub fn name(self) -> &'static str {
        match self {
            Step::Day => "day",
            Step::Month => "month",
        }
    }
}

/// The days shown, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub first: Day,
    pub last: Day,
    pub step: Step,
}

impl Period {
    /// From `from` to `to`; by default the last [`DEFAULT_MONTHS`] months up to `today`
    /// (this month included).
    pub fn new(from: Option<Date>, to: Option<Date>, today: Day) -> Result<Period, PeriodError> {
        let last = to.map_or(today, Day::of);
        let first = from.map_or_else(
            || last.month_start().add_months(1 - DEFAULT_MONTHS),
            Day::of,
        );
        if last < first {
            return Err(PeriodError::Reversed {
                from: first.date(),
                to: last.date(),
            });
        }
        let span = first.until(last) + 1;
        if span > MAX_DAYS {
            return Err(PeriodError::TooLong);
        }
        let step = if span <= DAILY_UP_TO {
            Step::Day
        } else {
            Step::Month
        };
        Ok(Period { first, last, step })
    }

    /// Its steps: first and last day (within the period) and name (`2026-03`, `2026-03-14`).
    pub fn steps(&self) -> Vec<(Day, Day, String)> {
        let mut steps = Vec::new();
        let mut start = self.first;
        while start <= self.last {
            let (end, name) = match self.step {
                Step::Day => (start, start.date().to_string()),
                Step::Month => {
                    let date = start.date();
                    let end = start.month_start().add_months(1).plus(-1).min(self.last);
                    (end, format!("{:04}-{:02}", date.year(), date.month()))
                }
            };
            steps.push((start, end, name));
            start = end.plus(1);
        }
        steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Day {
        Day::of(text.parse().unwrap())
    }

    #[test]
    fn the_default_period_is_twelve_months_by_month() {
        let period = Period::new(None, None, day("2026-03-14")).unwrap();
        assert_eq!(
            (period.first, period.last),
            (day("2025-04-01"), day("2026-03-14"))
        );
        assert_eq!(period.step, Step::Month);
        let steps = period.steps();
        assert_eq!(steps.len(), 12);
        assert_eq!(
            steps[0],
            (day("2025-04-01"), day("2025-04-30"), "2025-04".into())
        );
        assert_eq!(
            steps[11],
            (day("2026-03-01"), day("2026-03-14"), "2026-03".into())
        );
    }

    #[test]
    fn short_periods_go_by_day_and_bad_ones_are_refused() {
        let (from, to) = ("2026-02-27".parse().ok(), "2026-03-02".parse().ok());
        let period = Period::new(from, to, day("2026-03-14")).unwrap();
        assert_eq!(period.step, Step::Day);
        let names: Vec<String> = period.steps().into_iter().map(|(_, _, n)| n).collect();
        assert_eq!(
            names,
            ["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"]
        );
        assert!(matches!(
            Period::new(to, from, day("2026-03-14")),
            Err(PeriodError::Reversed { .. })
        ));
        assert_eq!(
            Period::new("2000-01-01".parse().ok(), None, day("2026-03-14")),
            Err(PeriodError::TooLong)
        );
    }
}
