//! The use counts on disk, in a folder beside the index (never inside it: a rebuild swaps
//! the index folder and a restore replaces its files, and neither may take the counts
//! with it). Two small JSON files, written by the flusher at most a minute apart:
//!
//! - `days.jsonl`: one line per finished day, appended once when the day is over, never
//!   rewritten (a line torn by a crash is cut off at the next start, the day still being in
//!   `today.json`);
//! - `today.json`: the current day so far, replaced atomically (written beside, synced,
//!   renamed), so that a kill at any moment leaves the previous or the new version whole.
//!
//! Neither file holds anything but counts per day, and, when the server keeps them, the
//! texts that [`super::zero_results::K`] distinct clients searched in vain that day. A
//! damaged file never stops the server: it is set aside under a `.damaged-<time>` name, the
//! log says so, and counting goes on from nothing.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::calendar::Day;
use super::usage::DayCounts;
use super::zero_results::ZeroResult;
use crate::model::Date;

/// The finished days, one JSON object per line.
pub const DAYS_FILE: &str = "days.jsonl";
/// The current day, one JSON object.
pub const TODAY_FILE: &str = "today.json";

/// What was counted on one day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayRecord {
    pub counts: DayCounts,
    /// Searches without results typed by enough distinct clients (see
    /// [`super::zero_results`]).
    pub zero_results: Vec<ZeroResult>,
}

impl DayRecord {
    fn is_empty(&self) -> bool {
        self.counts.is_empty() && self.zero_results.is_empty()
    }
}

/// Every day counted, in order.
pub type History = BTreeMap<Day, DayRecord>;

/// One day as a line of the files.
#[derive(Serialize, Deserialize)]
struct Line {
    day: String,
    #[serde(flatten)]
    counts: DayCounts,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    zero_results: Vec<ZeroResult>,
}

impl Line {
    fn new(day: Day, record: &DayRecord) -> Line {
        Line {
            day: day.date().to_string(),
            counts: record.counts.clone(),
            zero_results: record.zero_results.clone(),
        }
    }

    fn read(text: &str) -> Result<(Day, DayRecord), String> {
        let line: Line = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let date = line.day.parse::<Date>().map_err(|e| e.to_string())?;
        Ok((
            Day::of(date),
            DayRecord {
                counts: line.counts,
                zero_results: line.zero_results,
            },
        ))
    }

    fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Why the counts could not be written.
#[derive(Debug, thiserror::Error)]
#[error("writing the use counts in {path}: {source}")]
pub struct StoreError {
    path: PathBuf,
    source: io::Error,
}

/// The folder of the use counts, and what it holds.
#[derive(Debug)]
pub struct UsageStore {
    dir: PathBuf,
    /// The last day appended to [`DAYS_FILE`].
    last_closed: Option<Day>,
    /// What [`TODAY_FILE`] holds.
    today_written: Option<(Day, DayRecord)>,
}

impl UsageStore {
    /// The store in `dir` (created at the first save) and the days it holds. Damaged files
    /// are set aside and logged: the server starts counting afresh, never refuses to start.
    pub fn open(dir: &Path) -> (UsageStore, History) {
        let mut history = History::new();
        let days_path = dir.join(DAYS_FILE);
        match read_days(&days_path) {
            Ok(days) => history = days,
            Err(Damage::Io(error)) if error.kind() == io::ErrorKind::NotFound => {}
            Err(damage) => set_aside(&days_path, &damage),
        }
        let last_closed = history.keys().next_back().copied();
        let today_path = dir.join(TODAY_FILE);
        let mut today_written = None;
        match std::fs::read_to_string(&today_path) {
            Ok(text) => match Line::read(text.trim_end()) {
                Ok((day, record)) => {
                    if last_closed.is_none_or(|closed| day > closed) {
                        history.insert(day, record.clone());
                    }
                    today_written = Some((day, record));
                }
                Err(reason) => set_aside(&today_path, &Damage::Content(reason)),
            },
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => set_aside(&today_path, &Damage::Io(error)),
        }
        let store = UsageStore {
            dir: dir.to_path_buf(),
            last_closed,
            today_written,
        };
        (store, history)
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Appends the days of `history` before `today` not written yet, then writes `today`'s
    /// record if it changed.
    pub fn save(&mut self, history: &History, today: Day) -> Result<(), StoreError> {
        let closing: Vec<(&Day, &DayRecord)> = history
            .range(..today)
            .filter(|(day, record)| {
                self.last_closed.is_none_or(|closed| **day > closed) && !record.is_empty()
            })
            .collect();
        let (record, changed) = match history.get(&today) {
            Some(record) => (
                Some(record),
                self.today_written
                    .as_ref()
                    .is_none_or(|(day, written)| *day != today || written != record),
            ),
            None => (None, false),
        };
        if closing.is_empty() && !changed {
            return Ok(());
        }
        let error = |path: &Path| {
            let path = path.to_path_buf();
            move |source| StoreError { path, source }
        };
        std::fs::create_dir_all(&self.dir).map_err(error(&self.dir))?;
        if let Some((last, _)) = closing.last() {
            let path = self.dir.join(DAYS_FILE);
            let mut lines = String::new();
            for (day, record) in &closing {
                lines.push_str(&Line::new(**day, record).to_json());
                lines.push('\n');
            }
            append(&path, lines.as_bytes()).map_err(error(&path))?;
            self.last_closed = Some(**last);
        }
        if let (Some(record), true) = (record, changed) {
            let path = self.dir.join(TODAY_FILE);
            let text = Line::new(today, record).to_json() + "\n";
            replace(&path, text.as_bytes()).map_err(error(&path))?;
            self.today_written = Some((today, record.clone()));
        }
        Ok(())
    }
}

/// What is wrong with a file of counts.
#[derive(Debug)]
enum Damage {
    Io(io::Error),
    Content(String),
}

impl std::fmt::Display for Damage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Damage::Io(error) => write!(f, "{error}"),
            Damage::Content(reason) => f.write_str(reason),
        }
    }
}

/// Reads the finished days; a last line torn by a crash (no end of line) is cut off.
fn read_days(path: &Path) -> Result<History, Damage> {
    let bytes = std::fs::read(path).map_err(Damage::Io)?;
    let whole = match bytes.iter().rposition(|b| *b == b'\n') {
        Some(end) => end + 1,
        None => 0,
    };
    if whole < bytes.len() {
        tracing::warn!(
            path = %path.display(),
            "the last line of the use counts was torn by a crash: cut off (its day is in {TODAY_FILE})"
        );
        let file = OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(Damage::Io)?;
        file.set_len(whole as u64).map_err(Damage::Io)?;
        file.sync_all().map_err(Damage::Io)?;
    }
    let text = std::str::from_utf8(&bytes[..whole])
        .map_err(|_| Damage::Content("not UTF-8 text".into()))?;
    let mut history = History::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (day, record) = Line::read(line)
            .map_err(|reason| Damage::Content(format!("line {}: {reason}", number + 1)))?;
        history.insert(day, record);
    }
    Ok(history)
}

/// Renames a damaged file out of the way, keeping it for inspection, and says so.
fn set_aside(path: &Path, damage: &Damage) {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let name = path
        .file_name()
        .map_or_else(|| "counts".into(), |n| n.to_string_lossy().into_owned());
    let kept = path.with_file_name(format!("{name}.damaged-{stamp}"));
    match std::fs::rename(path, &kept) {
        Ok(()) => tracing::error!(
            path = %path.display(),
            kept = %kept.display(),
            %damage,
            "the use counts file is damaged: kept aside, counting starts afresh"
        ),
        Err(error) => tracing::error!(
            path = %path.display(),
            %damage,
            %error,
            "the use counts file is damaged and could not be set aside: counting starts afresh"
        ),
    }
}

/// Appends `bytes` to `path` and syncs it.
fn append(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new().create(true).append(true).open(path)?;
    file.write_all(bytes)?;
    file.sync_data()
}

/// Replaces `path` by a file holding `bytes`, atomically: written and synced beside it, then
/// renamed over it, and the folder synced.
fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let temporary = path.with_extension("json.tmp");
    let mut file = File::create(&temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)?;
    if let Some(dir) = path.parent() {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::usage::{counter, Entry};

    fn day(text: &str) -> Day {
        Day::of(text.parse().unwrap())
    }

    fn record(searches: u64) -> DayRecord {
        let mut counts = DayCounts::default();
        counts.add(Entry::Web, counter::SEARCHES, searches);
        DayRecord {
            counts,
            zero_results: Vec::new(),
        }
    }

    fn files(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn days_are_appended_once_and_today_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let usage = dir.path().join("index.usage");
        let (mut store, history) = UsageStore::open(&usage);
        assert!(history.is_empty());
        assert!(
            !usage.exists(),
            "nothing written before there is something to write"
        );
        let mut history = History::new();
        history.insert(day("2026-03-14"), record(3));
        store.save(&history, day("2026-03-14")).unwrap();
        assert_eq!(files(&usage), [TODAY_FILE]);
        history.insert(day("2026-03-14"), record(5));
        history.insert(day("2026-03-15"), record(1));
        store.save(&history, day("2026-03-15")).unwrap();
        store.save(&history, day("2026-03-15")).unwrap();
        let days = std::fs::read_to_string(usage.join(DAYS_FILE)).unwrap();
        assert_eq!(days, "{\"day\":\"2026-03-14\",\"web\":{\"searches\":5}}\n");
        let today = std::fs::read_to_string(usage.join(TODAY_FILE)).unwrap();
        assert_eq!(today, "{\"day\":\"2026-03-15\",\"web\":{\"searches\":1}}\n");

        let (_, reopened) = UsageStore::open(&usage);
        assert_eq!(reopened, history);
    }

    #[test]
    fn a_torn_last_line_is_cut_and_its_day_comes_back_from_today() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(DAYS_FILE),
            "{\"day\":\"2026-03-13\",\"web\":{\"searches\":2}}\n{\"day\":\"2026-03-14\",\"web\":{\"sea",
        )
        .unwrap();
        std::fs::write(
            dir.path().join(TODAY_FILE),
            "{\"day\":\"2026-03-14\",\"web\":{\"searches\":7}}\n",
        )
        .unwrap();
        let (mut store, history) = UsageStore::open(dir.path());
        assert_eq!(history.get(&day("2026-03-13")), Some(&record(2)));
        assert_eq!(history.get(&day("2026-03-14")), Some(&record(7)));
        store.save(&history, day("2026-03-15")).unwrap();
        let (_, reopened) = UsageStore::open(dir.path());
        assert_eq!(reopened, history);
        assert_eq!(files(dir.path()), [DAYS_FILE, TODAY_FILE]);
    }

    #[test]
    fn damaged_files_are_kept_aside_and_counting_starts_afresh() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(DAYS_FILE), "{\"day\":\"2026-02-31\"}\n").unwrap();
        std::fs::write(dir.path().join(TODAY_FILE), "\u{0}\u{1}garbage").unwrap();
        let (mut store, history) = UsageStore::open(dir.path());
        assert!(history.is_empty());
        let names = files(dir.path());
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(names.iter().all(|n| n.contains(".damaged-")), "{names:?}");
        let mut history = History::new();
        history.insert(day("2026-03-14"), record(1));
        store.save(&history, day("2026-03-14")).unwrap();
        assert_eq!(UsageStore::open(dir.path()).1, history);
    }

    #[test]
    fn a_day_already_closed_is_not_read_twice_from_today() {
        let dir = tempfile::tempdir().unwrap();
        // A crash after the day was appended and before today.json was replaced.
        std::fs::write(
            dir.path().join(DAYS_FILE),
            "{\"day\":\"2026-03-14\",\"web\":{\"searches\":5}}\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join(TODAY_FILE),
            "{\"day\":\"2026-03-14\",\"web\":{\"searches\":4}}\n",
        )
        .unwrap();
        let (_, history) = UsageStore::open(dir.path());
        assert_eq!(history.len(), 1);
        assert_eq!(history.get(&day("2026-03-14")), Some(&record(5)));
    }

    /// A year of busy days, every counter of both entries set, stays small.
    #[test]
    fn a_year_of_counts_is_small() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _) = UsageStore::open(dir.path());
        let first = day("2025-01-01");
        let mut history = History::new();
        for n in 0..365 {
            let mut counts = DayCounts::default();
            for entry in Entry::ALL {
                for name in [
                    counter::SEARCHES,
                    counter::WITH_RESULTS,
                    counter::WITHOUT_RESULTS,
                    counter::RESPELLED,
                    counter::OPENED,
                ] {
                    counts.add(entry, name, 123_456);
                }
                for facet in crate::model::Facet::ALL {
                    counts.add(
                        entry,
                        &format!("{}{}", counter::FILTER, facet.alias()),
                        12_345,
                    );
                }
                for kind in [
                    "fiche-metier",
                    "fiche-droits",
                    "question-reponse",
                    "formation",
                ] {
                    counts.add(entry, &format!("{}{kind}", counter::OPENED_KIND), 12_345);
                }
            }
            history.insert(
                first.plus(n),
                DayRecord {
                    counts,
                    zero_results: Vec::new(),
                },
            );
        }
        store.save(&history, first.plus(365)).unwrap();
        let size = std::fs::metadata(dir.path().join(DAYS_FILE)).unwrap().len();
        println!("a year of counts: {size} bytes");
        assert!(size < 400 * 1024, "{size} bytes");
    }
}
