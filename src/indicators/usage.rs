//! Use of the service, counted per day and by entry (web pages or API) on the hot path
//! without a lock: each count is an atomic add into the slot of the day's parity, and the
//! flusher takes the slots' counts every minute (a slot is reused two days later, long after
//! it was taken). Only counts exist here: never the words searched, never an address.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::calendar::Day;
use crate::model::Facet;
use crate::search::SearchRequest;

/// Kinds of documents counted apart; documents of further kinds count as [`OTHER_KIND`].
const KIND_SLOTS: usize = 64;
/// The kind under which documents of kinds past the 64 counted apart are counted.
pub const OTHER_KIND: &str = "autre";

/// Names of the counters, as stored and exported.
pub mod counter {
    /// Result pages answered (first and later pages).
    pub const SEARCHES: &str = "searches";
    /// First pages that found at least one document.
    pub const WITH_RESULTS: &str = "with_results";
    /// First pages that found nothing.
    pub const WITHOUT_RESULTS: &str = "without_results";
    /// First pages answered with a "did you mean".
    pub const RESPELLED: &str = "respelled";
    /// Documents opened (their page or their API resource).
    pub const OPENED: &str = "opened";
    /// Prefix of the first pages filtered by a facet: `filter:type`.
    pub const FILTER: &str = "filter:";
    /// Prefix of the documents opened of a kind: `opened:fiche-metier`.
    pub const OPENED_KIND: &str = "opened:";
}

/// Where a request came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Entry {
    /// The web pages.
    Web,
    /// The JSON API.
    Api,
}

impl Entry {
    /// Both entries, in display order.
    pub const ALL: [Entry; 2] = [Entry::Web, Entry::Api];

    /// The entry of a request to `path`.
    pub fn of_path(path: &str) -> Entry {
        if path.starts_with("/api/") {
            Entry::Api
        } else {
            Entry::Web
        }
    }

    /// Its name in stored and exported counts.
    pub fn name(self) -> &'static str {
        match self {
            Entry::Web => "web",
            Entry::Api => "api",
        }
    }

    /// Its French label.
    pub fn label(self) -> &'static str {
        match self {
            Entry::Web => "pages web",
            Entry::Api => "API",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One entry's counts of one day: counter name ([`counter`]) to count; zeros are left out.
pub type Counts = BTreeMap<String, u64>;

/// The counts of one day, by entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCounts {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub web: Counts,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub api: Counts,
}

impl DayCounts {
    /// The counts of `entry`.
    pub fn of(&self, entry: Entry) -> &Counts {
        match entry {
            Entry::Web => &self.web,
            Entry::Api => &self.api,
        }
    }

    fn of_mut(&mut self, entry: Entry) -> &mut Counts {
        match entry {
            Entry::Web => &mut self.web,
            Entry::Api => &mut self.api,
        }
    }

    /// The count of `name` for `entry`.
    pub fn get(&self, entry: Entry, name: &str) -> u64 {
        self.of(entry).get(name).copied().unwrap_or(0)
    }

    /// Adds `count` to `name` for `entry`.
    pub fn add(&mut self, entry: Entry, name: &str, count: u64) {
        if count > 0 {
            let counts = self.of_mut(entry);
            match counts.get_mut(name) {
                Some(total) => *total = total.saturating_add(count),
                None => {
                    counts.insert(name.to_string(), count);
                }
            }
        }
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &DayCounts) {
        for entry in Entry::ALL {
            for (name, count) in other.of(entry) {
                self.add(entry, name, *count);
            }
        }
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.web.is_empty() && self.api.is_empty()
    }
}

/// The counters of one entry in one day slot.
struct EntryCounters {
    searches: AtomicU64,
    with_results: AtomicU64,
    without_results: AtomicU64,
    respelled: AtomicU64,
    /// By facet, in [`Facet::ALL`] order.
    filtered_by: [AtomicU64; Facet::COUNT],
    opened: AtomicU64,
    /// By slot of [`Usage::kinds`], then one for the kinds past them.
    opened_by_kind: [AtomicU64; KIND_SLOTS + 1],
}

impl EntryCounters {
    fn new() -> EntryCounters {
        EntryCounters {
            searches: AtomicU64::new(0),
            with_results: AtomicU64::new(0),
            without_results: AtomicU64::new(0),
            respelled: AtomicU64::new(0),
            filtered_by: std::array::from_fn(|_| AtomicU64::new(0)),
            opened: AtomicU64::new(0),
            opened_by_kind: std::array::from_fn(|_| AtomicU64::new(0)),
        }
    }
}

/// Counters of every entry for the days of one parity.
struct DaySlot {
    entries: [EntryCounters; Entry::ALL.len()],
}

/// The use counts not yet taken by the flusher, in two day slots.
pub struct Usage {
    slots: [DaySlot; 2],
    /// The kinds of documents met so far, each given a slot of `opened_by_kind` once: the
    /// values of the index's kind facet, not anything a client sends.
    kinds: [OnceLock<Box<str>>; KIND_SLOTS],
}

impl Default for Usage {
    fn default() -> Self {
        Usage {
            slots: std::array::from_fn(|_| DaySlot {
                entries: std::array::from_fn(|_| EntryCounters::new()),
            }),
            kinds: std::array::from_fn(|_| OnceLock::new()),
        }
    }
}

/// Adds one.
fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

impl Usage {
    fn counters(&self, day: Day, entry: Entry) -> &EntryCounters {
        &self.slots[day.parity()].entries[entry.index()]
    }

    /// Counts one page of results answered on `day`: the first page by what it found, its
    /// "did you mean" and the facets it was filtered by; later pages only as pages.
    pub fn record_search(
        &self,
        day: Day,
        entry: Entry,
        request: &SearchRequest,
        total: usize,
        respelled: bool,
    ) {
        let counters = self.counters(day, entry);
        bump(&counters.searches);
        if request.offset > 0 {
            return;
        }
        bump(if total > 0 {
            &counters.with_results
        } else {
            &counters.without_results
        });
        if respelled {
            bump(&counters.respelled);
        }
        for facet in Facet::ALL {
            if request.filters.iter().any(|filter| filter.facet == facet) {
                bump(&counters.filtered_by[facet.index()]);
            }
        }
    }

    /// Counts one document of kind `kind` opened on `day`.
    pub fn record_document(&self, day: Day, entry: Entry, kind: &str) {
        let counters = self.counters(day, entry);
        bump(&counters.opened);
        bump(&counters.opened_by_kind[self.kind_slot(kind)]);
    }

    /// The slot of `kind`, given it the first time it is met (the last slot once all are
    /// taken).
    fn kind_slot(&self, kind: &str) -> usize {
        for (slot, name) in self.kinds.iter().enumerate() {
            match name.get() {
                Some(name) if **name == *kind => return slot,
                Some(_) => continue,
                None => {
                    // Another thread may take this slot first, for its own kind.
                    let _ = name.set(kind.into());
                    if name.get().is_some_and(|name| **name == *kind) {
                        return slot;
                    }
                }
            }
        }
        KIND_SLOTS
    }

    /// Takes the counts made since the last call: those of `today`, and of the day before
    /// (counted before midnight and not taken yet).
    pub fn take(&self, today: Day) -> [(Day, DayCounts); 2] {
        [today.plus(-1), today].map(|day| (day, self.take_slot(day)))
    }

    fn take_slot(&self, day: Day) -> DayCounts {
        let mut counts = DayCounts::default();
        let take = |counter: &AtomicU64| counter.swap(0, Ordering::Relaxed);
        for entry in Entry::ALL {
            let counters = self.counters(day, entry);
            let mut add = |name: &str, count| counts.add(entry, name, count);
            add(counter::SEARCHES, take(&counters.searches));
            add(counter::WITH_RESULTS, take(&counters.with_results));
            add(counter::WITHOUT_RESULTS, take(&counters.without_results));
            add(counter::RESPELLED, take(&counters.respelled));
            for (facet, count) in Facet::ALL.iter().zip(&counters.filtered_by) {
                add(
                    &format!("{}{}", counter::FILTER, facet.alias()),
                    take(count),
                );
            }
            add(counter::OPENED, take(&counters.opened));
            for (slot, count) in counters.opened_by_kind.iter().enumerate() {
                let count = take(count);
                if count > 0 {
                    let kind = self.kinds.get(slot).and_then(OnceLock::get);
                    let kind = kind.map_or(OTHER_KIND, |kind| kind);
                    add(&format!("{}{kind}", counter::OPENED_KIND), count);
                }
            }
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Filter;

    fn search(filters: &[(Facet, &str)], offset: usize) -> SearchRequest {
        SearchRequest {
            query: "boulanger".into(),
            filters: filters.iter().map(|(f, v)| Filter::new(*f, *v)).collect(),
            offset,
            limit: 10,
            ..Default::default()
        }
    }

    #[test]
    fn searches_and_documents_are_counted_by_day_and_entry() {
        let usage = Usage::default();
        let day = Day::of("2026-03-14".parse().unwrap());
        let kinds = [(Facet::Kind, "fiche-metier"), (Facet::Kind, "dossier")];
        usage.record_search(day, Entry::Web, &search(&kinds, 0), 12, false);
        usage.record_search(day, Entry::Web, &search(&kinds, 10), 12, false);
        usage.record_search(day, Entry::Api, &search(&[], 0), 0, true);
        usage.record_document(day, Entry::Web, "fiche-metier");
        usage.record_document(day, Entry::Web, "fiche-metier");
        usage.record_document(day, Entry::Api, "dossier");
        let [(yesterday, before), (today, counts)] = usage.take(day);
        assert_eq!((yesterday, today), (day.plus(-1), day));
        assert!(before.is_empty());
        let web: Vec<(&str, u64)> = counts.web.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(
            web,
            [
                ("filter:type", 1),
                ("opened", 2),
                ("opened:fiche-metier", 2),
                ("searches", 2),
                ("with_results", 1),
            ]
        );
        assert_eq!(counts.get(Entry::Api, counter::WITHOUT_RESULTS), 1);
        assert_eq!(counts.get(Entry::Api, counter::RESPELLED), 1);
        assert_eq!(counts.get(Entry::Api, "opened:dossier"), 1);
        let text = serde_json::to_string(&counts).unwrap();
        assert!(!text.contains("boulanger"), "{text}");
        assert!(
            usage.take(day).iter().all(|(_, c)| c.is_empty()),
            "taken once"
        );
    }

    #[test]
    fn counts_made_before_midnight_go_to_their_own_day() {
        let usage = Usage::default();
        let monday = Day::of("2026-03-16".parse().unwrap());
        usage.record_document(monday, Entry::Web, "guide");
        usage.record_document(monday.plus(1), Entry::Web, "guide");
        usage.record_document(monday.plus(1), Entry::Web, "guide");
        let [(day, monday_counts), (next, tuesday_counts)] = usage.take(monday.plus(1));
        assert_eq!((day, next), (monday, monday.plus(1)));
        assert_eq!(monday_counts.get(Entry::Web, counter::OPENED), 1);
        assert_eq!(tuesday_counts.get(Entry::Web, counter::OPENED), 2);
    }

    #[test]
    fn kinds_past_the_slots_are_counted_together() {
        let usage = Usage::default();
        let day = Day::of("2026-03-14".parse().unwrap());
        for n in 0..KIND_SLOTS + 3 {
            usage.record_document(day, Entry::Api, &format!("kind-{n}"));
        }
        usage.record_document(day, Entry::Api, "kind-0");
        let [_, (_, counts)] = usage.take(day);
        assert_eq!(counts.get(Entry::Api, "opened:kind-0"), 2);
        assert_eq!(counts.get(Entry::Api, "opened:kind-63"), 1);
        assert_eq!(counts.get(Entry::Api, "opened:autre"), 3);
        assert_eq!(
            counts.get(Entry::Api, counter::OPENED),
            KIND_SLOTS as u64 + 4
        );
    }

    #[test]
    fn day_counts_merge_and_round_trip() {
        let mut a = DayCounts::default();
        a.add(Entry::Web, counter::SEARCHES, 3);
        a.add(Entry::Web, counter::OPENED, 0);
        let mut b = DayCounts::default();
        b.add(Entry::Web, counter::SEARCHES, 2);
        b.add(Entry::Api, counter::OPENED, 1);
        a.merge(&b);
        assert_eq!(a.get(Entry::Web, counter::SEARCHES), 5);
        assert_eq!(a.get(Entry::Api, counter::OPENED), 1);
        assert!(!a.web.contains_key(counter::OPENED), "zeros are left out");
        let text = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<DayCounts>(&text).unwrap(), a);
        assert_eq!(serde_json::to_string(&DayCounts::default()).unwrap(), "{}");
    }
}
