//! The searches that found nothing and that at least [`K`] distinct clients typed in one
//! day: the committee's best signal of what the corpus lacks. Off unless the server is
//! started with it.
//!
//! A text is kept only in memory during its day, with the set of clients who typed it, each
//! client as a hash of its address (an IPv4 address or an IPv6 /64) salted by 32 random bytes
//! drawn for the day and never written: the hashes cannot be reversed or linked from one
//! day to the next, and they vanish at midnight with the salt. Only the texts that reached
//! [`K`] distinct clients leave memory, with their number of clients: what is stored can
//! say that some text was typed by at least five people on a day, never who typed it.
//!
//! Texts are normalised (NFKC, folded to lower case without accents, blanks collapsed)
//! before counting, so that "Métier Boulanger" and "metier  boulanger" are one text; texts
//! longer than [`MAX_CHARS`], or holding an `@` or a run of [`MAX_DIGITS`] digits (an e-mail
//! address, a phone or file number), are never counted.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::calendar::Day;
use crate::analysis;

/// Distinct clients a text needs in a day to be kept. Five is the smallest group in which
/// an individual is customarily considered hidden in published statistics, and more than
/// a counsellor and the person they help, or one family, would make by themselves.
pub const K: usize = 5;
/// Texts kept per day, most clients first.
pub const TOP: usize = 20;
/// Longest text counted, in characters.
pub const MAX_CHARS: usize = 80;
/// Digits in a row that make a text never counted.
pub const MAX_DIGITS: usize = 6;
/// Distinct texts remembered in a day; new ones are ignored past it.
const MAX_TEXTS: usize = 20_000;
/// Distinct clients remembered per text.
const MAX_CLIENTS: usize = 10_000;

/// A text that found nothing, and the distinct clients who typed it on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZeroResult {
    /// The normalised text.
    pub text: String,
    /// Distinct clients who typed it that day; always at least [`K`].
    pub clients: u64,
}

/// One day's texts and the salted hashes of their clients.
struct Tally {
    day: Day,
    salt: [u8; 32],
    texts: HashMap<String, HashSet<u64>>,
}

impl Tally {
    /// A tally for `day` with a fresh salt, or `None` if the system has no randomness.
    fn new(day: Day) -> Option<Tally> {
        let mut salt = [0u8; 32];
        match getrandom::fill(&mut salt) {
            Ok(()) => Some(Tally {
                day,
                salt,
                texts: HashMap::new(),
            }),
            Err(error) => {
                tracing::error!(%error, "no randomness for the day's salt: texts not counted");
                None
            }
        }
    }

    fn client(&self, address: IpAddr) -> u64 {
        let mut hasher = Sha256::new();
        hasher.update(self.salt);
        match address {
            IpAddr::V4(v4) => hasher.update(v4.octets()),
            IpAddr::V6(v6) => hasher.update(v6.octets()),
        }
        let digest = hasher.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_le_bytes(first)
    }

    /// The texts of at least [`K`] clients, most clients first, at most [`TOP`].
    fn frequent(&self) -> Vec<ZeroResult> {
        let mut frequent: Vec<ZeroResult> = self
            .texts
            .iter()
            .filter(|(_, clients)| clients.len() >= K)
            .map(|(text, clients)| ZeroResult {
                text: text.clone(),
                clients: clients.len() as u64,
            })
            .collect();
        frequent.sort_by(|a, b| b.clients.cmp(&a.clients).then_with(|| a.text.cmp(&b.text)));
        frequent.truncate(TOP);
        frequent
    }
}

#[derive(Default)]
struct State {
    current: Option<Tally>,
    /// The frequent texts of the day before the current one, until the flusher takes them.
    finished: Option<(Day, Vec<ZeroResult>)>,
}

/// The texts of searches without results, counted per day by distinct client.
#[derive(Default)]
pub struct ZeroResults {
    state: Mutex<State>,
}

impl ZeroResults {
    /// Counts that the client at `client` (an IPv4 address or an IPv6 /64 network) typed
    /// `text` on `day` and found nothing. Only searches without results come here.
    pub fn record(&self, day: Day, text: &str, client: IpAddr) {
        let Some(text) = normalise(text) else {
            return;
        };
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.current.as_ref().is_none_or(|tally| tally.day != day) {
            if let Some(old) = state.current.take() {
                state.finished = Some((old.day, old.frequent()));
            }
            state.current = Tally::new(day);
        }
        let Some(tally) = state.current.as_mut() else {
            return;
        };
        let client = tally.client(client);
        if !tally.texts.contains_key(&text) && tally.texts.len() >= MAX_TEXTS {
            return;
        }
        let clients = tally.texts.entry(text).or_default();
        if clients.len() < MAX_CLIENTS {
            clients.insert(client);
        }
    }

    /// The texts of at least [`K`] clients of each day still in memory: the current day
    /// and, once, the day before it.
    pub fn frequent(&self) -> Vec<(Day, Vec<ZeroResult>)> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let mut days: Vec<(Day, Vec<ZeroResult>)> = state.finished.take().into_iter().collect();
        if let Some(tally) = &state.current {
            days.push((tally.day, tally.frequent()));
        }
        days
    }
}

/// The form in which a text is counted, or `None` for a text never counted.
pub fn normalise(text: &str) -> Option<String> {
    let normalized = analysis::normalize(text);
    let words: Vec<String> = normalized.split_whitespace().map(analysis::fold).collect();
    let text = words.join(" ");
    let mut digits = 0;
    for c in text.chars() {
        digits = if c.is_ascii_digit() { digits + 1 } else { 0 };
        if digits >= MAX_DIGITS || c == '@' {
            return None;
        }
    }
    let length = text.chars().count();
    (length > 0 && length <= MAX_CHARS).then_some(text)
}

/// `kept` with each text of `more` added, its clients the larger of the two counts (a
/// restart draws a new salt, so the same clients cannot be recognised across it).
pub fn merge(kept: &mut Vec<ZeroResult>, more: &[ZeroResult]) {
    for result in more {
        match kept.iter_mut().find(|k| k.text == result.text) {
            Some(k) => k.clients = k.clients.max(result.clients),
            None => kept.push(result.clone()),
        }
    }
    kept.sort_by(|a, b| b.clients.cmp(&a.clients).then_with(|| a.text.cmp(&b.text)));
    kept.truncate(TOP);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(n: u8) -> IpAddr {
        IpAddr::from([192, 0, 2, n])
    }

    #[test]
    fn a_text_is_kept_only_once_k_distinct_clients_typed_it() {
        let zero = ZeroResults::default();
        let day = Day::of("2026-03-14".parse().unwrap());
        for n in 0..K as u8 - 1 {
            zero.record(day, "Luthier Marseille", client(n));
            zero.record(day, "luthier  marseille", client(n));
        }
        for _ in 0..20 {
            zero.record(day, "ORTHOPTISTE", client(200));
        }
        let [(kept_day, kept)] = zero.frequent().try_into().unwrap();
        assert_eq!(kept_day, day);
        assert!(
            kept.is_empty(),
            "four clients, or one client many times: {kept:?}"
        );
        zero.record(day, "LUTHIER Marseille", client(K as u8));
        let [(_, kept)] = zero.frequent().try_into().unwrap();
        assert_eq!(
            kept,
            [ZeroResult {
                text: "luthier marseille".into(),
                clients: K as u64
            }]
        );
    }

    #[test]
    fn a_new_day_starts_afresh_and_hands_over_the_last_one() {
        let zero = ZeroResults::default();
        let day = Day::of("2026-03-14".parse().unwrap());
        for n in 0..K as u8 {
            zero.record(day, "luthier", client(n));
        }
        for n in 0..K as u8 - 1 {
            zero.record(day.plus(1), "luthier", client(n));
        }
        let days = zero.frequent();
        assert_eq!(days.len(), 2);
        assert_eq!((days[0].0, days[0].1.len()), (day, 1));
        assert_eq!((days[1].0, days[1].1.len()), (day.plus(1), 0));
        assert_eq!(
            zero.frequent().len(),
            1,
            "the finished day is handed over once"
        );
    }

    #[test]
    fn texts_are_folded_and_personal_looking_ones_never_counted() {
        assert_eq!(
            normalise("  Métier   BOULANGÈRE "),
            Some("metier boulangere".into())
        );
        assert_eq!(normalise("ﬁche métier"), Some("fiche metier".into()));
        assert_eq!(normalise("cap 2025"), Some("cap 2025".into()));
        for never in [
            "",
            "   ",
            "jean.dupont@example.org",
            "appeler 0612345678",
            "dossier 123456",
            &"mot ".repeat(30),
        ] {
            assert_eq!(normalise(never), None, "{never:?}");
        }
    }

    #[test]
    fn salts_differ_so_hashes_cannot_be_linked_across_days() {
        let day = Day::of("2026-03-14".parse().unwrap());
        let (a, b) = (Tally::new(day).unwrap(), Tally::new(day).unwrap());
        assert_ne!(a.salt, b.salt);
        assert_ne!(a.client(client(1)), b.client(client(1)));
        assert_eq!(a.client(client(1)), a.client(client(1)));
    }

    #[test]
    fn merging_keeps_the_larger_count_of_a_text() {
        let mut kept = vec![ZeroResult {
            text: "luthier".into(),
            clients: 7,
        }];
        merge(
            &mut kept,
            &[
                ZeroResult {
                    text: "luthier".into(),
                    clients: 5,
                },
                ZeroResult {
                    text: "orthoptiste".into(),
                    clients: 9,
                },
            ],
        );
        let texts: Vec<(&str, u64)> = kept.iter().map(|r| (r.text.as_str(), r.clients)).collect();
        assert_eq!(texts, [("orthoptiste", 9), ("luthier", 7)]);
    }
}
