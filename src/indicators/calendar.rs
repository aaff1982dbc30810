//! Days as the committee counts them: calendar days in France (Europe/Paris, whose offset
//! is UTC+1, and UTC+2 from the last Sunday of March to the last Sunday of October at
//! 01:00 UTC, the European rule since 1996), numbered from 1970-01-01 so that periods are
//! ranges of integers.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::model::Date;

const SECONDS_PER_DAY: i64 = 86_400;

/// A calendar day in France.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(i32);

impl Day {
    /// Today in France.
    pub fn today() -> Day {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs());
        Day::at(i64::try_from(now).unwrap_or(i64::MAX))
    }

    /// The day in France at `unix` seconds since the epoch (UTC).
    pub fn at(unix: i64) -> Day {
        let local = unix.saturating_add(paris_offset(unix));
        Day(i32::try_from(local.div_euclid(SECONDS_PER_DAY)).unwrap_or(i32::MAX))
    }

    /// The day of `date`.
    pub fn of(date: Date) -> Day {
        Day(date.day_number())
    }

    /// Its date (days outside the years 1–9999 read as their nearest bound).
    pub fn date(self) -> Date {
        Date::from_day_number(self.0)
            .or_else(|| {
                if self.0 < 0 {
                    Date::new(1, 1, 1)
                } else {
                    Date::new(9999, 12, 31)
                }
            })
            .unwrap_or_else(|| unreachable!("1-01-01 and 9999-12-31 exist"))
    }

    /// The day `days` later (earlier when negative).
    pub fn plus(self, days: i32) -> Day {
        Day(self.0.saturating_add(days))
    }

    /// Days from `self` to `later`.
    pub fn until(self, later: Day) -> i32 {
        later.0.saturating_sub(self.0)
    }

    /// The first day of its month.
    pub fn month_start(self) -> Day {
        let date = self.date();
        Day::of(Date::new(date.year(), date.month(), 1).unwrap_or(date))
    }

    /// The first day of the month `months` months after its own (before when negative).
    pub fn add_months(self, months: i32) -> Day {
        let date = self.date();
        let index = i64::from(date.year()) * 12 + i64::from(date.month()) - 1 + i64::from(months);
        let (year, month) = (index.div_euclid(12), index.rem_euclid(12) + 1);
        let year = u32::try_from(year.clamp(1, 9999)).unwrap_or(1);
        Day::of(Date::new(year, month as u32, 1).unwrap_or(date))
    }

    /// Its parity, which of two alternating slots it uses.
    pub fn parity(self) -> usize {
        self.0.rem_euclid(2) as usize
    }
}

/// Offset of French legal time from UTC at `unix`, in seconds.
fn paris_offset(unix: i64) -> i64 {
    let day = Day(i32::try_from(unix.div_euclid(SECONDS_PER_DAY)).unwrap_or(i32::MAX));
    let year = day.date().year();
    let change = |month| last_sunday(year, month) * SECONDS_PER_DAY + 3_600;
    if (change(3)..change(10)).contains(&unix) {
        7_200
    } else {
        3_600
    }
}

/// The day number of the last Sunday of `month` (March or October: 31 days) of `year`.
fn last_sunday(year: u32, month: u32) -> i64 {
    let last = Date::new(year, month, 31).map_or(0, |date| i64::from(date.day_number()));
    // 1970-01-01 was a Thursday: weekday 4 when Sunday is 0.
    last - (last + 4).rem_euclid(7)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        text.parse().expect("a date")
    }

    /// Seconds since the epoch of a UTC time.
    fn utc(day: &str, hour: i64, minute: i64) -> i64 {
        i64::from(Day::of(date(day)).0) * SECONDS_PER_DAY + hour * 3_600 + minute * 60
    }

    #[test]
    fn days_and_dates_round_trip() {
        assert_eq!(Day::of(date("1970-01-01")), Day(0));
        assert_eq!(Day::of(date("2000-03-01")), Day(11_017));
        for text in [
            "1970-01-01",
            "2024-02-29",
            "2025-12-31",
            "1969-12-31",
            "0001-01-01",
        ] {
            assert_eq!(Day::of(date(text)).date(), date(text), "{text}");
        }
        let day = Day::of(date("2025-01-31"));
        assert_eq!(day.plus(29).date(), date("2025-03-01"));
        assert_eq!(day.until(day.plus(29)), 29);
        assert_eq!(day.month_start().date(), date("2025-01-01"));
        assert_eq!(day.add_months(1).date(), date("2025-02-01"));
        assert_eq!(day.add_months(-13).date(), date("2023-12-01"));
        assert_eq!(day.add_months(11).date(), date("2025-12-01"));
    }

    #[test]
    fn the_day_changes_at_midnight_in_france_summer_and_winter() {
        // Winter (UTC+1): 23:30 UTC on 14 January is 00:30 on the 15th in France.
        assert_eq!(
            Day::at(utc("2026-01-14", 22, 59)).date(),
            date("2026-01-14")
        );
        assert_eq!(Day::at(utc("2026-01-14", 23, 0)).date(), date("2026-01-15"));
        // Summer (UTC+2): midnight in France is 22:00 UTC.
        assert_eq!(
            Day::at(utc("2026-07-14", 21, 59)).date(),
            date("2026-07-14")
        );
        assert_eq!(Day::at(utc("2026-07-14", 22, 0)).date(), date("2026-07-15"));
    }

    #[test]
    fn summer_time_starts_and_ends_on_the_last_sundays_at_one_utc() {
        // 2026: 29 March and 25 October are the last Sundays.
        assert_eq!(paris_offset(utc("2026-03-29", 0, 59)), 3_600);
        assert_eq!(paris_offset(utc("2026-03-29", 1, 0)), 7_200);
        assert_eq!(paris_offset(utc("2026-10-25", 0, 59)), 7_200);
        assert_eq!(paris_offset(utc("2026-10-25", 1, 0)), 3_600);
        // 2024: 31 March and 27 October.
        assert_eq!(paris_offset(utc("2024-03-31", 1, 0)), 7_200);
        assert_eq!(paris_offset(utc("2024-03-30", 12, 0)), 3_600);
        assert_eq!(paris_offset(utc("2024-10-27", 1, 0)), 3_600);
    }
}
