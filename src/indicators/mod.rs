//! The steering committee's indicators, the "tableau de bord" that the SPO agreement asks
//! each coordination to keep: what the corpus covers and how the service is used, over
//! time.
//!
//! - coverage, read from the committed index once per commit ([`coverage`]);
//! - use, counted per day and by entry without a lock on the hot path ([`usage`]), kept in
//!   memory and written beside the index at most a minute apart ([`store`]): counts only,
//!   never the words searched, never an address;
//! - optionally, the searches without results that at least five distinct clients typed in
//!   a day ([`zero_results`]);
//! - the tables of a period ([`period`]) that the web page and the exports show ([`report`],
//!   [`table`]), with French days ([`calendar`]).

pub mod calendar;
pub mod coverage;
pub mod period;
pub mod report;
pub mod store;
pub mod table;
pub mod usage;
pub mod zero_results;

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::search::{Engine, SearchRequest};
pub use calendar::Day;
use coverage::{CoverageCache, CoverageError};
use period::Period;
use report::{Report, ReportOptions};
use store::{History, StoreError, UsageStore};
pub use usage::Entry;
use usage::Usage;
use zero_results::ZeroResults;

/// Longest time between two writes of the use counts: a kill loses at most this much.
pub const MAX_FLUSH_INTERVAL: Duration = Duration::from_secs(60);

/// Settings of the indicators.
#[derive(Debug, Clone)]
pub struct IndicatorOptions {
    /// Folder of the use counts; `None`: counted in memory only (tests).
    pub dir: Option<PathBuf>,
    /// Time between two writes of the counts, at most [`MAX_FLUSH_INTERVAL`].
    pub flush_interval: Duration,
    /// Keep the searches without results that [`zero_results::K`] distinct clients typed in
    /// a day.
    pub zero_results: bool,
    /// The dashboard and its exports need the admin token.
    pub private: bool,
}

impl Default for IndicatorOptions {
    fn default() -> Self {
        IndicatorOptions {
            dir: None,
            flush_interval: MAX_FLUSH_INTERVAL,
            zero_results: false,
            private: false,
        }
    }
}

/// The folder of the use counts of the index folder `index`: `<index>.usage`, beside it, so
/// that rebuilding, swapping or restoring the index never touches them.
pub fn usage_dir_beside(index: &Path) -> PathBuf {
    let name = index.file_name().map_or_else(
        || "index".into(),
        |name| name.to_string_lossy().into_owned(),
    );
    index.with_file_name(format!("{name}.usage"))
}

/// Who made a request, as far as the indicators need to know: the entry, and for the
/// optional texts without results only, the client's address (an IPv4 address or an IPv6
/// /64), which is never stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub entry: Entry,
    pub client: Option<IpAddr>,
}

/// The counts taken from the hot path, by day, and where they are written.
struct Kept {
    history: History,
    store: Option<UsageStore>,
}

/// The indicators of a running service.
pub struct Indicators {
    options: IndicatorOptions,
    usage: Usage,
    zero_results: Option<ZeroResults>,
    kept: Mutex<Kept>,
    coverage: CoverageCache,
}

impl Indicators {
    /// Indicators with these settings, continuing the counts kept in their folder.
    pub fn new(options: IndicatorOptions) -> Indicators {
        let (store, history) = match &options.dir {
            Some(dir) => {
                let (store, history) = UsageStore::open(dir);
                (Some(store), history)
            }
            None => (None, History::new()),
        };
        Indicators {
            zero_results: options.zero_results.then(ZeroResults::default),
            options,
            usage: Usage::default(),
            kept: Mutex::new(Kept { history, store }),
            coverage: CoverageCache::default(),
        }
    }

    /// The settings.
    pub fn options(&self) -> &IndicatorOptions {
        &self.options
    }

    /// Counts one page of results, and its text if it found nothing and texts are kept.
    pub fn record_search(
        &self,
        caller: Caller,
        request: &SearchRequest,
        total: usize,
        respelled: bool,
    ) {
        let today = Day::today();
        self.usage
            .record_search(today, caller.entry, request, total, respelled);
        if let (Some(zero), Some(client), 0, 0) =
            (&self.zero_results, caller.client, total, request.offset)
        {
            zero.record(today, &request.query, client);
        }
    }

    /// Counts one document of kind `kind` opened.
    pub fn record_document(&self, entry: Entry, kind: &str) {
        self.usage.record_document(Day::today(), entry, kind);
    }

    /// Moves what the hot path counted into the history.
    fn collect(&self, today: Day, kept: &mut Kept) {
        for (day, counts) in self.usage.take(today) {
            if !counts.is_empty() {
                kept.history.entry(day).or_default().counts.merge(&counts);
            }
        }
        for (day, frequent) in self.zero_results.iter().flat_map(ZeroResults::frequent) {
            if !frequent.is_empty() {
                let record = kept.history.entry(day).or_default();
                zero_results::merge(&mut record.zero_results, &frequent);
            }
        }
    }

    /// Writes the counts to their folder (nothing without one).
    pub fn flush(&self) -> Result<(), StoreError> {
        let today = Day::today();
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        self.collect(today, &mut kept);
        let Kept { history, store } = &mut *kept;
        match store {
            Some(store) => store.save(history, today),
            None => Ok(()),
        }
    }

    /// The dashboard of `period` for the commit `engine` serves.
    pub fn report(
        &self,
        engine: &Engine,
        period: Period,
        older_than: u32,
    ) -> Result<Report, CoverageError> {
        let coverage = self.coverage.get(engine)?;
        let today = Day::today();
        let options = ReportOptions {
            older_than,
            today,
            zero_results: self.zero_results.is_some(),
        };
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        self.collect(today, &mut kept);
        Ok(Report::new(&kept.history, &coverage, period, options))
    }

    /// Writes the counts every [`IndicatorOptions::flush_interval`] on a thread of their
    /// own, until the returned handle is dropped, which writes them a last time.
    pub fn start_flushing(self: &Arc<Self>) -> Flusher {
        let (stop, stopped) = mpsc::channel::<()>();
        let interval = self.options.flush_interval.min(MAX_FLUSH_INTERVAL);
        let indicators = self.clone();
        let thread = std::thread::Builder::new()
            .name("usage-flusher".into())
            .spawn(move || loop {
                let last = !matches!(
                    stopped.recv_timeout(interval),
                    Err(RecvTimeoutError::Timeout)
                );
                if let Err(error) = indicators.flush() {
                    tracing::error!(%error, "the use counts could not be written; kept in memory");
                }
                if last {
                    break;
                }
            })
            .map_err(|error| tracing::error!(%error, "the use counts will not be written"))
            .ok();
        Flusher {
            stop: Some(stop),
            thread,
        }
    }
}

/// The thread writing the use counts; dropping it writes them a last time and waits.
pub struct Flusher {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Flusher {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counts_live_beside_the_index_folder() {
        assert_eq!(
            usage_dir_beside(Path::new("/var/lib/spo/index")),
            Path::new("/var/lib/spo/index.usage")
        );
        assert_eq!(
            usage_dir_beside(Path::new("index/")),
            Path::new("index.usage")
        );
    }

    #[test]
    fn counts_survive_a_flush_and_a_new_start_and_dropping_the_flusher_writes() {
        let dir = tempfile::tempdir().unwrap();
        let options = IndicatorOptions {
            dir: Some(dir.path().join("index.usage")),
            flush_interval: Duration::from_secs(60),
            ..IndicatorOptions::default()
        };
        let indicators = Arc::new(Indicators::new(options.clone()));
        let flusher = indicators.start_flushing();
        indicators.record_document(Entry::Web, "guide");
        indicators.record_document(Entry::Api, "guide");
        drop(flusher);
        let again = Indicators::new(options);
        again.record_document(Entry::Web, "guide");
        again.flush().unwrap();
        let kept = again.kept.lock().unwrap();
        let today = kept.history.get(&Day::today()).unwrap();
        assert_eq!(today.counts.get(Entry::Web, usage::counter::OPENED), 2);
        assert_eq!(today.counts.get(Entry::Api, usage::counter::OPENED), 1);
    }
}
