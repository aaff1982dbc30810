//! Dates: one type, [`Date`], a day that exists in the calendar, and the readers that make
//! one from the ways documents write dates.
//!
//! Every reader goes through [`Date::new`], which checks the month (1–12), the day within
//! the month (leap years included) and the year (1–9999): an invalid date reads as `None`,
//! never as a wrong date. [`Date::from_iso`] reads the ISO dates and datetimes of office
//! metadata, DILA fiches and data exports; [`DateFormat`] the strftime-like patterns
//! (`%d/%m/%Y`) that documentalists write in a source mapping and that ROME releases use.

use std::fmt;
use std::str::FromStr;

/// A day of the Gregorian calendar, shown as ISO 8601 `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// The date, if it exists: year 1–9999, month 1–12, a day of that month.
    pub fn new(year: u32, month: u32, day: u32) -> Option<Date> {
        let leap =
            (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        if !(1..=9999).contains(&year) || !(1..=days_in_month).contains(&day) {
            return None;
        }
        Some(Date {
            year: u16::try_from(year).ok()?,
            month: u8::try_from(month).ok()?,
            day: u8::try_from(day).ok()?,
        })
    }

    /// Reads an ISO 8601 date or datetime (`2025-11-13`, `2025-11-13T10:00:00Z`,
    /// `2025-11-13 08:00`), surrounding blanks ignored.
    pub fn from_iso(value: &str) -> Option<Date> {
        let value = value.trim();
        let date = value.get(..10)?;
        let rest = value.get(10..)?;
        if !(rest.is_empty() || rest.starts_with(['T', 't', ' '])) {
            return None;
        }
        let bytes = date.as_bytes();
        if bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
            return None;
        }
        Date::new(
            digits(date.get(..4)?)?,
            digits(date.get(5..7)?)?,
            digits(date.get(8..10)?)?,
        )
    }

    pub fn year(self) -> u32 {
        u32::from(self.year)
    }

    pub fn month(self) -> u32 {
        u32::from(self.month)
    }

    pub fn day(self) -> u32 {
        u32::from(self.day)
    }

    /// `2025-09-18` → 20250918: a number that sorts like the dates.
    pub fn key(self) -> i64 {
        i64::from(self.year) * 10_000 + i64::from(self.month) * 100 + i64::from(self.day)
    }

    /// Days since 1970-01-01 (negative before), of the proleptic Gregorian calendar (Howard
    /// Hinnant's `days_from_civil`).
    pub fn day_number(self) -> i32 {
        let month = i64::from(self.month);
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5
            + i64::from(self.day)
            - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        // Years 1-9999 are within ±3 million days of 1970: always an i32.
        i32::try_from(era * 146_097 + day_of_era - 719_468).unwrap_or(i32::MAX)
    }

    /// The date of a day number ([`Date::day_number`]); `None` outside the years 1–9999
    /// (Howard Hinnant's `civil_from_days`).
    pub fn from_day_number(days: i32) -> Option<Date> {
        let z = i64::from(days) + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z - era * 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let mp = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Date::new(
            u32::try_from(year).ok()?,
            u32::try_from(month).ok()?,
            u32::try_from(day).ok()?,
        )
    }

    /// The date `days` days later, or the last date (9999-12-31) when that is past it.
    pub fn plus_days(self, days: u32) -> Date {
        let later = i32::try_from(days)
            .ok()
            .and_then(|days| self.day_number().checked_add(days))
            .and_then(Date::from_day_number);
        later.unwrap_or(Date {
            year: 9999,
            month: 12,
            day: 31,
        })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Why a text is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a date of the form YYYY-MM-DD")]
pub struct NotADate(pub String);

impl FromStr for Date {
    type Err = NotADate;

    /// Exactly `YYYY-MM-DD`, a day that exists.
    fn from_str(text: &str) -> Result<Date, NotADate> {
        let date = (text.len() == 10).then(|| Date::from_iso(text)).flatten();
        date.ok_or_else(|| NotADate(text.to_string()))
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// One element of a [`DateFormat`].
#[derive(Debug, Clone, PartialEq)]
enum DatePart {
    /// `%d`: day of the month, one or two digits.
    Day,
    /// `%m`: month number, one or two digits.
    Month,
    /// `%Y`: four-digit year.
    Year,
    /// `%y`: two-digit year, 69–99 being 1969–1999 and 00–68 being 2000–2068 (as POSIX).
    ShortYear,
    /// Any other character, matched as is (`%%` is a literal `%`).
    Literal(char),
}

/// A date pattern using the strftime subset `%d %m %Y %y %%`, e.g. `%d/%m/%Y`.
#[derive(Debug, Clone, PartialEq)]
pub struct DateFormat {
    parts: Vec<DatePart>,
}

impl DateFormat {
    /// Compiles a pattern; it must hold a day, a month and a year, and no other directive.
    pub fn parse(pattern: &str) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                parts.push(DatePart::Literal(c));
                continue;
            }
            parts.push(match chars.next() {
                Some('d') => DatePart::Day,
                Some('m') => DatePart::Month,
                Some('Y') => DatePart::Year,
                Some('y') => DatePart::ShortYear,
                Some('%') => DatePart::Literal('%'),
                Some(other) => {
                    return Err(format!(
                        "date format `{pattern}`: unsupported directive %{other} (use %d %m %Y %y)"
                    ))
                }
                None => return Err(format!("date format `{pattern}` ends with a lone %")),
            });
        }
        let count = |wanted: &[DatePart]| parts.iter().filter(|p| wanted.contains(p)).count();
        if count(&[DatePart::Day]) != 1
            || count(&[DatePart::Month]) != 1
            || count(&[DatePart::Year, DatePart::ShortYear]) != 1
        {
            return Err(format!(
                "date format `{pattern}` needs exactly one %d, one %m and one %Y or %y"
            ));
        }
        Ok(DateFormat { parts })
    }

    /// Reads `value` with this pattern. Text after the date is accepted only if it starts
    /// with a space or `T` (a time of day).
    pub fn read(&self, value: &str) -> Option<Date> {
        let mut rest = value.trim();
        let (mut year, mut month, mut day) = (0, 0, 0);
        for part in &self.parts {
            match part {
                DatePart::Day => (day, rest) = leading_number(rest, 1, 2)?,
                DatePart::Month => (month, rest) = leading_number(rest, 1, 2)?,
                DatePart::Year => (year, rest) = leading_number(rest, 4, 4)?,
                DatePart::ShortYear => {
                    let (short, after) = leading_number(rest, 2, 2)?;
                    year = if short >= 69 {
                        1900 + short
                    } else {
                        2000 + short
                    };
                    rest = after;
                }
                DatePart::Literal(expected) => rest = rest.strip_prefix(*expected)?,
            }
        }
        if !(rest.is_empty() || rest.starts_with([' ', 'T'])) {
            return None;
        }
        Date::new(year, month, day)
    }
}

/// Parses a string made only of ASCII digits.
fn digits(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Splits `min..=max` leading ASCII digits off `text` (as many as there are, up to `max`).
fn leading_number(text: &str, min: usize, max: usize) -> Option<(u32, &str)> {
    let length = text
        .bytes()
        .take(max)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if length < min {
        return None;
    }
    let (number, rest) = text.split_at_checked(length)?;
    Some((digits(number)?, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(text: &str) -> Option<String> {
        Date::from_iso(text).map(|date| date.to_string())
    }

    #[test]
    fn only_days_that_exist_are_dates() {
        assert_eq!(
            Date::new(2024, 2, 29).map(|d| d.to_string()).as_deref(),
            Some("2024-02-29")
        );
        for (year, month, day) in [
            (2025, 2, 31),
            (2023, 2, 29),
            (1900, 2, 29),
            (2025, 4, 31),
            (2025, 13, 1),
            (2025, 0, 10),
            (2025, 1, 0),
            (0, 1, 1),
            (10_000, 1, 1),
        ] {
            assert_eq!(Date::new(year, month, day), None, "{year}-{month}-{day}");
        }
        assert!(Date::new(2000, 2, 29).is_some(), "2000 is a leap year");
        assert_eq!(
            "2025-02-31".parse::<Date>(),
            Err(NotADate("2025-02-31".into()))
        );
        assert!(
            "2025-02-28T10:00".parse::<Date>().is_err(),
            "FromStr is strict"
        );
        assert_eq!("2025-09-18".parse::<Date>().map(Date::key), Ok(20250918));
        let (early, late) = (
            Date::new(2020, 1, 2).unwrap(),
            Date::new(2020, 11, 1).unwrap(),
        );
        assert!(early < late && early.key() < late.key());
    }

    #[test]
    fn day_numbers_count_days_from_1970_and_round_trip() {
        let date = |text: &str| text.parse::<Date>().expect("a date");
        assert_eq!(date("1970-01-01").day_number(), 0);
        assert_eq!(date("2000-03-01").day_number(), 11_017);
        assert_eq!(date("1969-12-31").day_number(), -1);
        for text in ["2024-02-29", "2025-12-31", "0001-01-01", "9999-12-31"] {
            let day = date(text).day_number();
            assert_eq!(Date::from_day_number(day), Some(date(text)), "{text}");
        }
        assert_eq!(
            Date::from_day_number(date("0001-01-01").day_number() - 1),
            None
        );
        assert_eq!(
            Date::from_day_number(date("9999-12-31").day_number() + 1),
            None
        );
        assert_eq!(date("2024-02-28").plus_days(1), date("2024-02-29"));
        assert_eq!(date("2019-11-24").plus_days(365), date("2020-11-23"));
        assert_eq!(date("9999-12-30").plus_days(5), date("9999-12-31"));
        assert_eq!(date("2020-01-01").plus_days(u32::MAX), date("9999-12-31"));
    }

    #[test]
    fn dates_deserialize_only_when_they_exist() {
        let date: Date = serde_json::from_str("\"2025-09-18\"").unwrap();
        assert_eq!(serde_json::to_string(&date).unwrap(), "\"2025-09-18\"");
        let error = serde_json::from_str::<Date>("\"2025-02-31\"").unwrap_err();
        assert!(error.to_string().contains("not a date"), "{error}");
    }

    #[test]
    fn iso_dates_and_datetimes_keep_their_day() {
        assert_eq!(iso("2025-11-13").as_deref(), Some("2025-11-13"));
        assert_eq!(iso(" 2024-02-29T10:15:00Z ").as_deref(), Some("2024-02-29"));
        assert_eq!(iso("2024-03-01 08:00").as_deref(), Some("2024-03-01"));
        for bad in [
            "",
            "2023-02-29",
            "2025-02-31",
            "2025-13-01",
            "2025-00-10",
            "2025-1-13",
            "13/11/2025",
            "2025-11-13x",
            "20é5-11-13",
            "0000-01-01",
        ] {
            assert_eq!(iso(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn patterns_read_french_and_short_dates() {
        let read = |format: &DateFormat, text: &str| format.read(text).map(|d| d.to_string());
        let french = DateFormat::parse("%d/%m/%Y").unwrap();
        assert_eq!(read(&french, "13/11/2025").as_deref(), Some("2025-11-13"));
        assert_eq!(read(&french, "1/2/2024").as_deref(), Some("2024-02-01"));
        assert_eq!(
            read(&french, "13/11/2025 14:02").as_deref(),
            Some("2025-11-13")
        );
        for bad in [
            "31/02/2025",
            "31/04/2025",
            "13-11-2025",
            "13/11/25",
            "13/11/2025abc",
            "",
            "//",
        ] {
            assert_eq!(french.read(bad), None, "{bad:?}");
        }
        let short = DateFormat::parse("%y%m%d").unwrap();
        assert_eq!(read(&short, "991231").as_deref(), Some("1999-12-31"));
        assert_eq!(read(&short, "250101").as_deref(), Some("2025-01-01"));
        let percent = DateFormat::parse("%Y%%%m%%%d").unwrap();
        assert_eq!(read(&percent, "2025%11%13").as_deref(), Some("2025-11-13"));
    }

    #[test]
    fn bad_patterns_are_explained() {
        for bad in ["%d/%m", "%d/%m/%Y/%y", "%d %B %Y", "%d/%m/%Y%", ""] {
            let error = DateFormat::parse(bad).unwrap_err();
            assert!(error.contains("date format"), "{bad:?}: {error}");
        }
    }
}
