//! Dates written as text, normalised to ISO 8601 `YYYY-MM-DD`.
//!
//! Two readers: [`iso_date`] for the ISO dates and datetimes found in office metadata and
//! data exports, and [`DateFormat`] for the strftime-like patterns (`%d/%m/%Y`) that
//! documentalists write in a source mapping. Dates are validated (month 1–12, day within the
//! month, leap years); an invalid date reads as `None`, never as a wrong date.

/// Reads an ISO 8601 date or datetime (`2025-11-13`, `2025-11-13T10:00:00Z`) as `YYYY-MM-DD`.
pub(crate) fn iso_date(value: &str) -> Option<String> {
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
    let year = digits(date.get(..4)?)?;
    let month = digits(date.get(5..7)?)?;
    let day = digits(date.get(8..10)?)?;
    validated(year, month, day)
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
pub(crate) struct DateFormat {
    parts: Vec<DatePart>,
}

impl DateFormat {
    /// Compiles a pattern; it must hold a day, a month and a year, and no other directive.
    pub(crate) fn parse(pattern: &str) -> Result<Self, String> {
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

    /// Reads `value` with this pattern as `YYYY-MM-DD`. Text after the date is accepted only
    /// if it starts with a space or `T` (a time of day).
    pub(crate) fn read(&self, value: &str) -> Option<String> {
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
        validated(year, month, day)
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

/// Formats a date after checking that it exists.
fn validated(year: u32, month: u32, day: u32) -> Option<String> {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
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
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_and_datetimes_keep_their_day() {
        assert_eq!(iso_date("2025-11-13").as_deref(), Some("2025-11-13"));
        assert_eq!(
            iso_date(" 2024-02-29T10:15:00Z ").as_deref(),
            Some("2024-02-29")
        );
        assert_eq!(iso_date("2024-03-01 08:00").as_deref(), Some("2024-03-01"));
        for bad in [
            "",
            "2023-02-29",
            "2025-13-01",
            "2025-00-10",
            "2025-1-13",
            "13/11/2025",
            "2025-11-13x",
            "20é5-11-13",
            "0000-01-01",
        ] {
            assert_eq!(iso_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn patterns_read_french_and_short_dates() {
        let french = DateFormat::parse("%d/%m/%Y").unwrap();
        assert_eq!(french.read("13/11/2025").as_deref(), Some("2025-11-13"));
        assert_eq!(french.read("1/2/2024").as_deref(), Some("2024-02-01"));
        assert_eq!(
            french.read("13/11/2025 14:02").as_deref(),
            Some("2025-11-13")
        );
        for bad in [
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
        assert_eq!(short.read("991231").as_deref(), Some("1999-12-31"));
        assert_eq!(short.read("250101").as_deref(), Some("2025-01-01"));
        let percent = DateFormat::parse("%Y%%%m%%%d").unwrap();
        assert_eq!(percent.read("2025%11%13").as_deref(), Some("2025-11-13"));
    }

    #[test]
    fn bad_patterns_are_explained() {
        for bad in ["%d/%m", "%d/%m/%Y/%y", "%d %B %Y", "%d/%m/%Y%", ""] {
            let error = DateFormat::parse(bad).unwrap_err();
            assert!(error.contains("date format"), "{bad:?}: {error}");
        }
    }
}
