//! Whether a document is out of date today, for the API and the page alike: its last
//! current day is stored with it (`model::freshness`), today is the day in France.

use crate::indicators::calendar::Day;
use crate::model::freshness::is_stale;

/// Whether a document current until `stale_after` (`YYYY-MM-DD`, as stored) is out of date
/// today; never without that day.
pub fn stale_today(stale_after: Option<&str>) -> bool {
    let last = stale_after.and_then(|day| day.parse().ok());
    is_stale(last, Day::today().date())
}
