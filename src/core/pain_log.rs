//! The knee-pain log as the core reads it: ratings in order, by day, the level a day started
//! from, the meaningful next-morning rise, and which run each rating belongs to.
//!
//! A next-morning "increase" counts only when it is meaningful (DOMAIN.md §5, Farrar et al.
//! 2001): the morning is above the pre-run level *and* either above the ceiling or at least
//! `morning_rise` points (2 by default) above it, so 0 -> 1 is not a flare.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};

use crate::core::load::shift;
use crate::core::zone::PainSettings;
use crate::model::{Activity, PainEntry, PainWhen};

/// A rating on the 0-10 scale, whatever was stored.
pub(crate) fn score(entry: &PainEntry) -> u8 {
    entry.score.min(10)
}

/// Ratings felt while running or within the hour after it.
pub(crate) fn is_running_pain(when: PainWhen) -> bool {
    matches!(when, PainWhen::During | PainWhen::After)
}

/// Ratings of the knee at rest: the morning and the day's rating.
pub(crate) fn is_resting(when: PainWhen) -> bool {
    matches!(when, PainWhen::Morning | PainWhen::Daily)
}

/// The ratings up to a day, in the order they were felt.
pub(crate) struct PainLog<'a> {
    entries: Vec<&'a PainEntry>,
    /// The index range of each day's ratings in `entries`.
    days: BTreeMap<NaiveDate, (usize, usize)>,
}

impl<'a> PainLog<'a> {
    /// The ratings dated at most `today`.
    pub(crate) fn new(pain: &'a [PainEntry], today: NaiveDate) -> PainLog<'a> {
        let mut entries: Vec<&PainEntry> = pain.iter().filter(|e| e.date <= today).collect();
        entries.sort_by_key(|e| (e.date, e.at, e.id));
        let mut days: BTreeMap<NaiveDate, (usize, usize)> = BTreeMap::new();
        for (i, e) in entries.iter().enumerate() {
            days.entry(e.date).or_insert((i, i)).1 = i + 1;
        }
        PainLog { entries, days }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(crate) fn all(&self) -> &[&'a PainEntry] {
        &self.entries
    }

    pub(crate) fn latest(&self) -> Option<&'a PainEntry> {
        self.entries.last().copied()
    }

    /// The ratings of the days `from..=to`, in order.
    pub(crate) fn between(&self, from: NaiveDate, to: NaiveDate) -> &[&'a PainEntry] {
        if from > to {
            return &[];
        }
        let start = self.days.range(from..=to).next().map(|(_, r)| r.0);
        let end = self.days.range(from..=to).next_back().map(|(_, r)| r.1);
        match (start, end) {
            (Some(a), Some(b)) => &self.entries[a..b],
            _ => &[],
        }
    }

    pub(crate) fn on(&self, day: NaiveDate) -> &[&'a PainEntry] {
        self.between(day, day)
    }

    /// The level a day started from: its lowest morning or daily rating, else its lowest
    /// rating at all; `None` when nothing was logged that day.
    pub(crate) fn resting_level(&self, day: NaiveDate) -> Option<u8> {
        let entries = self.on(day);
        let resting = entries
            .iter()
            .filter(|e| is_resting(e.when))
            .map(|e| score(e))
            .min();
        resting.or_else(|| entries.iter().map(|e| score(e)).min())
    }

    /// The last rating before `day`: the level a run or a week started from.
    pub(crate) fn last_before(&self, day: NaiveDate) -> Option<u8> {
        let i = self.entries.partition_point(|e| e.date < day);
        i.checked_sub(1).map(|i| score(self.entries[i]))
    }

    /// The meaningful rise of a next-morning rating over the level of `run_day`, as
    /// `(level before, morning score)`.
    pub(crate) fn morning_rise(
        &self,
        entry: &PainEntry,
        run_day: NaiveDate,
        settings: &PainSettings,
    ) -> Option<(u8, u8)> {
        if entry.when != PainWhen::Morning {
            return None;
        }
        let base = self.resting_level(run_day)?;
        let now = score(entry);
        let rise = now.checked_sub(base).filter(|r| *r > 0)?;
        (now > settings.ceiling || rise >= settings.morning_rise.max(1)).then_some((base, now))
    }
}

/// The pain that followed one run.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Followed {
    /// The highest rating that belongs to the run (during, after, the next morning).
    pub max: Option<u8>,
    /// The highest rating during or after it.
    pub running_max: Option<u8>,
    /// A meaningful next-morning rise.
    pub rise: bool,
    pub swelling: bool,
}

impl Followed {
    pub(crate) fn add(&mut self, entry: &PainEntry, rise: bool) {
        let s = score(entry);
        self.max = Some(self.max.map_or(s, |m| m.max(s)));
        if is_running_pain(entry.when) {
            self.running_max = Some(self.running_max.map_or(s, |m| m.max(s)));
        }
        self.rise |= rise;
        self.swelling |= entry.swelling;
    }

    /// The pain stayed within the ceiling, the morning did not rise and nothing swelled.
    pub(crate) fn within(&self, settings: &PainSettings) -> bool {
        self.max.is_some_and(|m| m <= settings.ceiling) && !self.rise && !self.swelling
    }
}

/// One run, as far as linking pain goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RunRef {
    pub id: i64,
    pub date: NaiveDate,
    pub start: DateTime<Utc>,
}

/// The runs of `activities` with a local date, in start order.
pub(crate) fn run_refs(activities: &[Activity]) -> Vec<RunRef> {
    let mut runs: Vec<RunRef> = activities
        .iter()
        .filter(|a| a.sport.is_run())
        .filter_map(|a| {
            Some(RunRef {
                id: a.id,
                date: crate::core::load::local_date(a)?,
                start: a.start?,
            })
        })
        .collect();
    runs.sort_by_key(|r| (r.start, r.id));
    runs
}

/// Which run each rating belongs to, and the pain that followed each run.
pub(crate) struct Links {
    /// Per run of `runs`, in the same order.
    pub followed: Vec<Followed>,
    /// Per rating of the log (by position in `PainLog::all`), the index of its run.
    pub run_of: Vec<Option<usize>>,
}

/// Links ratings to runs: a rating that names a run belongs to it (one that names another kind
/// of activity to none); otherwise during and after belong to that day's last run, a morning
/// rating to the previous day's last run, a daily rating to none.
pub(crate) fn link(
    log: &PainLog<'_>,
    runs: &[RunRef],
    not_runs: &HashSet<i64>,
    settings: &PainSettings,
) -> Links {
    let index: HashMap<i64, usize> = runs.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    let mut last_of_day: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    for (i, r) in runs.iter().enumerate() {
        last_of_day.insert(r.date, i);
    }
    let mut followed = vec![Followed::default(); runs.len()];
    let mut run_of = Vec::with_capacity(log.all().len());
    for entry in log.all() {
        let linked = match entry.activity_id {
            Some(id) if index.contains_key(&id) => index.get(&id).copied(),
            Some(id) if not_runs.contains(&id) => None,
            _ => match entry.when {
                PainWhen::During | PainWhen::After => last_of_day.get(&entry.date).copied(),
                PainWhen::Morning => last_of_day.get(&shift(entry.date, -1)).copied(),
                PainWhen::Daily => None,
            },
        };
        if let Some(i) = linked {
            let rise = log.morning_rise(entry, runs[i].date, settings).is_some();
            followed[i].add(entry, rise);
        }
        run_of.push(linked);
    }
    Links { followed, run_of }
}

/// The ids of the activities that are not runs (a rating naming one belongs to no run).
pub(crate) fn not_runs(activities: &[Activity]) -> HashSet<i64> {
    activities
        .iter()
        .filter(|a| !a.sport.is_run())
        .map(|a| a.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::load::tests::{day, run};
    use crate::core::zone::tests::pain;

    #[test]
    fn a_morning_rise_counts_only_when_it_is_meaningful() {
        let settings = PainSettings::default();
        let monday = day(2026, 11, 16);
        // (after the run, next morning, counts)
        let cases = [
            (0, 1, false), // 0 -> 1: within what a person cannot tell apart
            (1, 2, false),
            (0, 2, true), // two points
            (2, 3, true), // above the ceiling of 2
            (3, 3, false),
            (4, 2, false),
        ];
        for (after, morning, want) in cases {
            let entries = [
                pain(1, monday, after, PainWhen::After),
                pain(2, shift(monday, 1), morning, PainWhen::Morning),
            ];
            let log = PainLog::new(&entries, shift(monday, 1));
            let got = log.morning_rise(&entries[1], monday, &settings).is_some();
            assert_eq!(got, want, "{after} -> {morning}");
        }
    }

    #[test]
    fn ratings_link_to_their_runs() {
        let monday = day(2026, 11, 16);
        let runs = [run(1, monday, 8_000.0), run(2, shift(monday, 2), 6_000.0)];
        let refs = run_refs(&runs);
        let mut named = pain(4, shift(monday, 3), 5, PainWhen::After);
        named.activity_id = Some(1);
        let entries = [
            pain(1, monday, 1, PainWhen::After),
            pain(2, shift(monday, 1), 3, PainWhen::Morning),
            pain(3, shift(monday, 1), 4, PainWhen::Daily),
            named,
        ];
        let log = PainLog::new(&entries, shift(monday, 5));
        let links = link(&log, &refs, &HashSet::new(), &PainSettings::default());
        assert_eq!(links.run_of, vec![Some(0), Some(0), None, Some(0)]);
        assert_eq!(links.followed[0].max, Some(5));
        assert_eq!(links.followed[0].running_max, Some(5));
        assert!(links.followed[0].rise, "1 -> 3 the next morning");
        assert_eq!(links.followed[1], Followed::default());
        assert_eq!(log.between(shift(monday, 1), shift(monday, 1)).len(), 2);
        assert_eq!(log.last_before(shift(monday, 1)), Some(1));
        assert_eq!(log.resting_level(shift(monday, 1)), Some(3));
    }
}
