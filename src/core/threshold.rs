//! The personal pain threshold: the load the runner's knee has tolerated, and the load that
//! provoked it, learned from their own runs and pain log (DOMAIN.md §6).
//!
//! "Keep your mileage below the pain threshold" becomes four numbers: weekly distance, longest
//! run, weekly descent and descent per run. A week (or run) is evidence only when pain was
//! logged for it; it *tolerated* its load when every rating stayed within the ceiling and the
//! next morning did not rise, and *provoked* pain otherwise. The tolerated level is a
//! recency-weighted high quantile of the tolerated loads (recent weeks count more, because
//! tolerance changes as the knee heals or flares); the provoking level is the lowest load that
//! was followed by pain. Each estimate carries its evidence, a confidence and a plain note, and
//! with too little data it says so instead of guessing.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;

use crate::core::load::{local_date, shift, week_start_of, weekly_summaries, LoadSettings};
use crate::core::zone::{by_date, morning_rise, score, PainSettings};
use crate::model::{Activity, PainEntry, PainWhen};

/// The most weeks an estimate looks back, whatever the settings say (ten years).
const MAX_LOOKBACK_WEEKS: u32 = 520;

/// How much an estimate can be trusted, from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    None,
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::None => "none",
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// What followed a week or a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every rating within the ceiling and no next-morning rise.
    Tolerated,
    /// A rating above the ceiling, or a next-morning rise.
    Provoked,
}

/// One week or run behind an estimate. The field names are a stable JSON interface.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// The week's first day, for weekly estimates; `null` for runs.
    pub week_start: Option<NaiveDate>,
    /// The run, for per-run estimates; `null` for weeks.
    pub activity_id: Option<i64>,
    /// The run's local day, or the week's first day.
    pub date: NaiveDate,
    /// The load in metres (distance or descent).
    pub load_m: f64,
    /// The highest rating that followed, 0-10.
    pub pain: u8,
    /// Whether a next-morning rating rose over the level of the day before.
    pub morning_rise: bool,
    pub outcome: Outcome,
    /// The recency weight, 1 for this week, halving every `half_life_weeks`.
    pub weight: f64,
}

/// One dimension of the threshold. The field names are a stable JSON interface.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// The highest load the knee recently tolerated, in metres; `null` with too little data.
    pub tolerated_m: Option<f64>,
    /// The lowest load that was followed by pain above the ceiling or a morning rise.
    pub provoking_m: Option<f64>,
    pub confidence: Confidence,
    /// Whether the tolerated level lies below the provoking one, as it should when this
    /// dimension explains the pain.
    pub consistent: bool,
    /// Newest first.
    pub evidence: Vec<Evidence>,
    /// What the numbers mean, in plain words.
    pub note: String,
}

/// The four dimensions of DOMAIN.md §6. The field names are a stable JSON interface.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Thresholds {
    pub weekly_distance_m: Estimate,
    pub longest_run_m: Estimate,
    pub weekly_descent_m: Estimate,
    pub run_descent_m: Estimate,
}

/// How a dimension's numbers are written.
#[derive(Debug, Clone, Copy)]
enum Unit {
    Km,
    M,
}

/// A distance or height in metres, written the way the runner reads it (`35.0 km`, `600 m`).
pub(crate) fn km(metres: f64) -> String {
    format!("{:.1} km", metres / 1000.0)
}

fn show(unit: Unit, metres: f64) -> String {
    match unit {
        Unit::Km => km(metres),
        Unit::M => format!("{metres:.0} m"),
    }
}

/// What one dimension is called and how much evidence it needs.
struct Dimension {
    label: &'static str,
    item: &'static str,
    unit: Unit,
    min: (u32, u32, u32),
}

/// The pain that followed one run or week.
#[derive(Debug, Clone, Copy, Default)]
struct Followed {
    max: Option<u8>,
    rise: bool,
}

impl Followed {
    fn add(&mut self, score: u8, rise: bool) {
        self.max = Some(self.max.map_or(score, |m| m.max(score)));
        self.rise |= rise;
    }

    /// Tolerated when pain stayed within the ceiling with no morning rise; provoked when the
    /// morning rose, or pain went above the ceiling *and* above `baseline`, the last rating
    /// before the run or week. Pain above the ceiling that was already there going in (the
    /// tail of an earlier flare) was not caused by this load: no evidence either way.
    fn outcome(&self, settings: &PainSettings, baseline: Option<u8>) -> Option<Outcome> {
        let max = self.max?;
        if self.rise || (max > settings.ceiling && baseline.is_none_or(|b| max > b)) {
            Some(Outcome::Provoked)
        } else if max <= settings.ceiling {
            Some(Outcome::Tolerated)
        } else {
            None
        }
    }
}

struct Run {
    id: i64,
    date: NaiveDate,
    distance_m: f64,
    descent_m: Option<f64>,
}

/// The tolerated and provoking levels of the four dimensions, from the weeks and runs of the
/// last `lookback_weeks` up to `today` that have pain logs.
///
/// Pain belongs to a run through `PainEntry.activity_id` when it names a run, else by date:
/// during and after to that day's last run, morning to the previous day's last run. A week's
/// pain is the highest rating that belongs to it: ratings of its days and of its runs (so the
/// morning after its last run counts, even on the next week's first day). Weeks without runs
/// are not evidence: their pain says nothing about running load.
pub fn estimate(
    activities: &[Activity],
    pain: &[PainEntry],
    pain_settings: &PainSettings,
    load_settings: &LoadSettings,
    today: NaiveDate,
) -> Thresholds {
    let weeks_back = pain_settings.lookback_weeks.clamp(1, MAX_LOOKBACK_WEEKS);
    let summaries = weekly_summaries(activities, load_settings, today, weeks_back as usize);
    let this_week = week_start_of(today, load_settings.week_start);
    let first = summaries.first().map_or(this_week, |w| w.week_start);

    let mut runs: Vec<(chrono::DateTime<chrono::Utc>, Run)> = activities
        .iter()
        .filter(|a| a.sport.is_run())
        .filter_map(|a| {
            let date = local_date(a)?;
            (date >= first && date <= today).then(|| {
                let run = Run {
                    id: a.id,
                    date,
                    distance_m: clean(a.distance_m),
                    descent_m: a.descent_m.filter(|d| d.is_finite()).map(|d| d.max(0.0)),
                };
                (a.start.unwrap_or_default(), run)
            })
        })
        .collect();
    runs.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.id.cmp(&b.1.id)));
    let runs: Vec<Run> = runs.into_iter().map(|(_, r)| r).collect();
    let run_index: HashMap<i64, usize> = runs.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    let not_runs: HashSet<i64> = activities
        .iter()
        .filter(|a| !a.sport.is_run())
        .map(|a| a.id)
        .collect();
    let mut last_run_of_day: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    for (i, run) in runs.iter().enumerate() {
        last_run_of_day.insert(run.date, i);
    }

    let known: Vec<PainEntry> = pain.iter().filter(|e| e.date <= today).cloned().collect();
    let dates = by_date(&known);
    // The last rating before a day: the level a run or week started from.
    let mut chronological: Vec<(NaiveDate, chrono::DateTime<chrono::Utc>, u8)> =
        known.iter().map(|e| (e.date, e.at, score(e))).collect();
    chronological.sort();
    let baseline_before = |day: NaiveDate| -> Option<u8> {
        let i = chronological.partition_point(|(d, _, _)| *d < day);
        i.checked_sub(1).map(|i| chronological[i].2)
    };
    let mut run_pain = vec![Followed::default(); runs.len()];
    let mut week_pain = vec![Followed::default(); summaries.len()];
    let mut descent_weeks = vec![false; summaries.len()];
    let week_index = |day: NaiveDate| -> Option<usize> {
        let offset = (week_start_of(day, load_settings.week_start) - first).num_days();
        (offset >= 0 && offset / 7 < summaries.len() as i64).then_some((offset / 7) as usize)
    };
    for run in &runs {
        if let (Some(w), Some(_)) = (week_index(run.date), run.descent_m) {
            descent_weeks[w] = true;
        }
    }
    for entry in known.iter().filter(|e| e.date >= first) {
        let named = entry.activity_id.and_then(|id| run_index.get(&id).copied());
        let linked = match (named, entry.activity_id) {
            (Some(i), _) => Some(i),
            (None, Some(id)) if not_runs.contains(&id) => None,
            _ => match entry.when {
                PainWhen::During | PainWhen::After => last_run_of_day.get(&entry.date).copied(),
                PainWhen::Morning => last_run_of_day.get(&shift(entry.date, -1)).copied(),
                PainWhen::Daily => None,
            },
        };
        let run_day = linked.map_or(shift(entry.date, -1), |i| runs[i].date);
        let rise = morning_rise(entry, &dates, run_day, pain_settings).is_some();
        let s = score(entry);
        if let Some(i) = linked {
            run_pain[i].add(s, rise);
        }
        let day = linked.map_or(entry.date, |i| runs[i].date);
        if let Some(w) = week_index(day) {
            week_pain[w].add(s, rise);
        }
    }

    let half_life = pain_settings.half_life_weeks;
    let weight = |age_days: i64| -> f64 {
        if half_life.is_finite() && half_life > 0.0 {
            0.5f64.powf(age_days.max(0) as f64 / 7.0 / half_life)
        } else {
            1.0
        }
    };

    let mut weekly_distance = Vec::new();
    let mut weekly_descent = Vec::new();
    for (w, week) in summaries.iter().enumerate().rev() {
        let Some(outcome) = week_pain[w].outcome(pain_settings, baseline_before(week.week_start))
        else {
            continue;
        };
        if week.runs == 0 {
            continue;
        }
        let item = Evidence {
            week_start: Some(week.week_start),
            activity_id: None,
            date: week.week_start,
            load_m: week.distance_m,
            pain: week_pain[w].max.unwrap_or(0),
            morning_rise: week_pain[w].rise,
            outcome,
            weight: weight((this_week - week.week_start).num_days()),
        };
        if descent_weeks[w] {
            weekly_descent.push(Evidence {
                load_m: week.descent_m,
                ..item.clone()
            });
        }
        weekly_distance.push(item);
    }
    let mut longest = Vec::new();
    let mut run_descent = Vec::new();
    for (i, run) in runs.iter().enumerate().rev() {
        let Some(outcome) = run_pain[i].outcome(pain_settings, baseline_before(run.date)) else {
            continue;
        };
        let item = Evidence {
            week_start: None,
            activity_id: Some(run.id),
            date: run.date,
            load_m: run.distance_m,
            pain: run_pain[i].max.unwrap_or(0),
            morning_rise: run_pain[i].rise,
            outcome,
            weight: weight((today - run.date).num_days()),
        };
        if let Some(descent) = run.descent_m {
            run_descent.push(Evidence {
                load_m: descent,
                ..item.clone()
            });
        }
        longest.push(item);
    }

    let weeks = (
        pain_settings.min_weeks_low,
        pain_settings.min_weeks_medium,
        pain_settings.min_weeks_high,
    );
    let runs_min = (
        pain_settings.min_runs_low,
        pain_settings.min_runs_medium,
        pain_settings.min_runs_high,
    );
    let s = pain_settings;
    Thresholds {
        weekly_distance_m: summarize(
            weekly_distance,
            &Dimension {
                label: "weekly distance",
                item: "week",
                unit: Unit::Km,
                min: weeks,
            },
            s,
        ),
        longest_run_m: summarize(
            longest,
            &Dimension {
                label: "longest run",
                item: "run",
                unit: Unit::Km,
                min: runs_min,
            },
            s,
        ),
        weekly_descent_m: summarize(
            weekly_descent,
            &Dimension {
                label: "weekly descent",
                item: "week",
                unit: Unit::M,
                min: weeks,
            },
            s,
        ),
        run_descent_m: summarize(
            run_descent,
            &Dimension {
                label: "descent per run",
                item: "run",
                unit: Unit::M,
                min: runs_min,
            },
            s,
        ),
    }
}

/// A finite, non-negative figure, or zero.
fn clean(value: f64) -> f64 {
    if value.is_finite() && value > 0.0 {
        value
    } else {
        0.0
    }
}

/// The smallest load whose cumulative recency weight, from the lowest load up, reaches `q` of
/// the total: a weighted quantile that recent items pull toward themselves.
fn weighted_quantile(items: &[(f64, f64)], q: f64) -> Option<f64> {
    let mut sorted: Vec<(f64, f64)> = items.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = sorted.iter().map(|(_, w)| w).sum();
    let first = sorted.first()?.0;
    if total <= 0.0 {
        return sorted.last().map(|(v, _)| *v).or(Some(first));
    }
    let q = if q.is_finite() {
        q.clamp(0.0, 1.0)
    } else {
        0.9
    };
    let target = q * total - 1e-9;
    let mut cum = 0.0;
    for (value, w) in &sorted {
        cum += w;
        if cum >= target {
            return Some(*value);
        }
    }
    sorted.last().map(|(v, _)| *v)
}

fn summarize(evidence: Vec<Evidence>, dim: &Dimension, settings: &PainSettings) -> Estimate {
    let n = evidence.len() as u32;
    let tolerated: Vec<(f64, f64)> = evidence
        .iter()
        .filter(|e| e.outcome == Outcome::Tolerated)
        .map(|e| (e.load_m, e.weight))
        .collect();
    let provoked: Vec<&Evidence> = evidence
        .iter()
        .filter(|e| e.outcome == Outcome::Provoked)
        .collect();
    let provoking = provoked.iter().map(|e| e.load_m).reduce(f64::min);
    let (low, medium, high) = dim.min;
    let enough = n >= low.max(1);
    let tolerated_m = if enough {
        weighted_quantile(&tolerated, settings.tolerated_quantile)
    } else {
        None
    };
    let consistent = match (tolerated_m, provoking) {
        (Some(t), Some(p)) => t < p,
        _ => true,
    };
    let mut confidence = match tolerated_m {
        None => Confidence::None,
        Some(_) if n >= high => Confidence::High,
        Some(_) if n >= medium => Confidence::Medium,
        Some(_) => Confidence::Low,
    };
    if provoking.is_none() {
        confidence = confidence.min(Confidence::Medium);
    }
    if !consistent {
        confidence = confidence.min(Confidence::Low);
    }
    let items = if n == 1 {
        dim.item.to_string()
    } else {
        format!("{}s", dim.item)
    };
    let unit = dim.unit;
    let note = match (tolerated_m, provoking) {
        _ if n == 0 => format!(
            "{}: no {} with pain logs in the last {} weeks, so no threshold yet; log pain \
             during, after and the morning after your runs",
            dim.label, dim.item, settings.lookback_weeks
        ),
        _ if !enough => format!(
            "{}: only {n} {items} with pain logs ({low} needed), too little data for a threshold \
             yet",
            dim.label
        ),
        (None, Some(p)) => format!(
            "{}: pain followed all {n} {items} with pain logs, down to {}; no tolerated level yet",
            dim.label,
            show(unit, p)
        ),
        (Some(t), None) => format!(
            "{}: your knee tolerated about {} ({n} {items} with pain logs, recent ones counting \
             more); nothing has provoked pain yet, so the real threshold may be higher",
            dim.label,
            show(unit, t)
        ),
        (Some(t), Some(p)) if consistent => format!(
            "{}: your knee tolerated about {} ({n} {items} with pain logs, recent ones counting \
             more); pain followed {}",
            dim.label,
            show(unit, t),
            show(unit, p)
        ),
        (Some(t), Some(p)) => format!(
            "{}: your knee tolerated {}, yet pain followed only {}: {} does not explain your \
             pain well, another load (such as descent) may",
            dim.label,
            show(unit, t),
            show(unit, p),
            dim.label
        ),
        (None, None) => format!("{}: no tolerated level yet", dim.label),
    };
    Estimate {
        tolerated_m,
        provoking_m: provoking,
        confidence,
        consistent,
        evidence,
        note,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::core::load::tests::{day, run};
    use crate::core::zone::tests::pain;

    /// Three runs in the week starting `monday` (Tuesday 30%, Thursday 30%, Sunday 40% of
    /// `km`), each with `descent_m` of descent, and an "after" rating of `after` for each run
    /// (the Sunday long run gets `long_after`). Ids start at `id`.
    pub(crate) fn week(
        id: i64,
        monday: NaiveDate,
        km: f64,
        descent_m: f64,
        after: u8,
        long_after: u8,
    ) -> (Vec<Activity>, Vec<PainEntry>) {
        let parts = [(1, 0.3, after), (3, 0.3, after), (6, 0.4, long_after)];
        let mut runs = Vec::new();
        let mut ratings = Vec::new();
        for (k, (offset, share, score)) in parts.into_iter().enumerate() {
            let date = shift(monday, offset);
            let mut r = run(id + k as i64, date, km * 1000.0 * share);
            r.descent_m = Some(descent_m);
            r.moving_s = km * 1000.0 * share * 0.36;
            runs.push(r);
            ratings.push(pain(id + k as i64, date, score, PainWhen::After));
        }
        (runs, ratings)
    }

    pub(crate) fn history(
        weeks: &[(NaiveDate, f64, f64, u8, u8)],
    ) -> (Vec<Activity>, Vec<PainEntry>) {
        let mut all = Vec::new();
        let mut ratings = Vec::new();
        for (i, &(monday, km, descent, after, long_after)) in weeks.iter().enumerate() {
            let (r, p) = week(10 * i as i64 + 1, monday, km, descent, after, long_after);
            all.extend(r);
            ratings.extend(p);
        }
        (all, ratings)
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    /// Six Monday weeks from 2026-10-12; today is Sunday 2026-11-22, the last day of week six.
    pub(crate) fn six_weeks() -> Vec<NaiveDate> {
        (0..6).map(|w| shift(day(2026, 10, 12), 7 * w)).collect()
    }

    #[test]
    fn pain_carried_over_from_a_flare_is_not_blamed_on_the_next_weeks_load() {
        // A flare after the 40 km week (5/10 after its long run); the cut-back week of 12 km
        // still hurts (4 and 3, each below the 5 it started from): that pain is the tail of the
        // flare, so the 12 km week is no evidence either way. The provoking level stays 40 km.
        let w = six_weeks();
        let (runs, ratings) = history(&[
            (w[2], 30.0, 10.0, 1, 1),
            (w[3], 40.0, 10.0, 1, 5),
            (w[4], 12.0, 10.0, 4, 3),
            (w[5], 25.0, 10.0, 1, 1),
        ]);
        let t = estimate(
            &runs,
            &ratings,
            &PainSettings::default(),
            &LoadSettings::default(),
            day(2026, 11, 22),
        );
        let d = &t.weekly_distance_m;
        assert!(close(d.provoking_m.unwrap(), 40_000.0), "{d:?}");
        assert!(
            d.evidence.iter().all(|e| e.week_start != Some(w[4])),
            "{d:?}"
        );
        assert_eq!(d.evidence.len(), 3);
        // Had the cut-back week's pain risen above where it started, it would count.
        let (runs, ratings) = history(&[
            (w[2], 30.0, 10.0, 1, 1),
            (w[3], 40.0, 10.0, 1, 3),
            (w[4], 12.0, 10.0, 4, 4),
        ]);
        let t = estimate(
            &runs,
            &ratings,
            &PainSettings::default(),
            &LoadSettings::default(),
            day(2026, 11, 22),
        );
        assert!(
            close(t.weekly_distance_m.provoking_m.unwrap(), 12_000.0),
            "{:?}",
            t.weekly_distance_m
        );
    }

    #[test]
    fn weekly_distance_threshold_by_hand() {
        // Weeks of 20, 25, 30, 35, 40 and 30 km; pain 1/10 after every run except 4/10 after the
        // 40 km week's long run. Today is the last day of the sixth week, so week ages are 5..0
        // and the recency weights 0.5^(age/4) are:
        //   20 km: 0.4204, 25 km: 0.5000, 30 km: 0.5946, 35 km: 0.7071, 40 km: 0.8409 (provoked),
        //   30 km: 1.0000.
        // Tolerated loads sorted with cumulative weight: 20 -> 0.4204, 25 -> 0.9204,
        // 30 -> 2.5150 (0.5946 + 1.0), 35 -> 3.2221 (the total). 0.9 x 3.2221 = 2.8999, first
        // reached at 35 km: tolerated 35 km. The lowest provoked week is 40 km. Six weeks of
        // evidence is medium confidence, and 35 < 40 is consistent.
        let w = six_weeks();
        let (runs, ratings) = history(&[
            (w[0], 20.0, 10.0, 1, 1),
            (w[1], 25.0, 10.0, 1, 1),
            (w[2], 30.0, 10.0, 1, 1),
            (w[3], 35.0, 10.0, 1, 1),
            (w[4], 40.0, 10.0, 1, 4),
            (w[5], 30.0, 10.0, 1, 1),
        ]);
        let t = estimate(
            &runs,
            &ratings,
            &PainSettings::default(),
            &LoadSettings::default(),
            day(2026, 11, 22),
        );
        let d = &t.weekly_distance_m;
        assert!(close(d.tolerated_m.unwrap(), 35_000.0), "{d:?}");
        assert!(close(d.provoking_m.unwrap(), 40_000.0));
        assert_eq!(d.confidence, Confidence::Medium);
        assert!(d.consistent);
        assert_eq!(d.evidence.len(), 6);
        assert_eq!(d.evidence[0].week_start, Some(w[5]));
        assert_eq!(d.evidence[1].outcome, Outcome::Provoked);
        assert_eq!(d.evidence[1].pain, 4);
        assert!(close(d.evidence[1].weight, 0.5f64.powf(0.25)));
        assert!(d.note.contains("tolerated about 35.0 km"), "{}", d.note);
        assert!(d.note.contains("pain followed 40.0 km"));

        // The longest run: runs are 30/30/40% of their week, so the long runs are 8, 10, 12, 14,
        // 16 (provoked) and 12 km. 17 runs tolerated; the 0.9 quantile is the smallest run with
        // at most 10% of the tolerated weight above it. Above 12 km there is only the 14 km run
        // (14 days old, weight 0.7071) out of a total weight of about 10.58 (0.1 of it is 1.058), so the tolerated
        // longest run is 12 km; pain followed 16 km.
        let l = &t.longest_run_m;
        assert!(close(l.tolerated_m.unwrap(), 12_000.0), "{l:?}");
        assert!(close(l.provoking_m.unwrap(), 16_000.0));
        assert_eq!(l.evidence.len(), 18);
        assert_eq!(l.confidence, Confidence::Medium);
    }

    #[test]
    fn descent_binds_when_hilly_weeks_hurt_and_flat_ones_do_not() {
        // Flat weeks: 30, 32, 34, 30 km with 20 m of descent per run (60 m a week), pain 1/10.
        // Hilly weeks (2nd and 4th): 24 km with 200 m per run (600 m a week), pain 4/10.
        // Weekly descent: tolerated {60 x 4} -> 60 m; provoked {600, 600} -> 600 m; 60 < 600 is
        // consistent. Per run: tolerated 20 m, provoking 200 m.
        // Weekly distance: tolerated loads 30 (weights 0.4204 + 1.0), 32 (0.5946), 34 (0.8409):
        // total 2.8559, 0.9 of it is 2.5703, reached only at 34 km; but pain followed 24 km
        // weeks, so distance is inconsistent (34 >= 24) and its confidence is capped at low.
        let w = six_weeks();
        let (runs, ratings) = history(&[
            (w[0], 30.0, 20.0, 1, 1),
            (w[1], 24.0, 200.0, 4, 4),
            (w[2], 32.0, 20.0, 1, 1),
            (w[3], 24.0, 200.0, 4, 4),
            (w[4], 34.0, 20.0, 1, 1),
            (w[5], 30.0, 20.0, 1, 1),
        ]);
        let t = estimate(
            &runs,
            &ratings,
            &PainSettings::default(),
            &LoadSettings::default(),
            day(2026, 11, 22),
        );
        let descent = &t.weekly_descent_m;
        assert!(close(descent.tolerated_m.unwrap(), 60.0), "{descent:?}");
        assert!(close(descent.provoking_m.unwrap(), 600.0));
        assert!(descent.consistent);
        assert_eq!(descent.confidence, Confidence::Medium);
        let per_run = &t.run_descent_m;
        assert!(close(per_run.tolerated_m.unwrap(), 20.0));
        assert!(close(per_run.provoking_m.unwrap(), 200.0));
        let distance = &t.weekly_distance_m;
        assert!(
            close(distance.tolerated_m.unwrap(), 34_000.0),
            "{distance:?}"
        );
        assert!(close(distance.provoking_m.unwrap(), 24_000.0));
        assert!(!distance.consistent);
        assert_eq!(distance.confidence, Confidence::Low);
        assert!(
            distance.note.contains("does not explain"),
            "{}",
            distance.note
        );
    }

    #[test]
    fn confidence_cases() {
        // (case, weeks as (km, pain after every run), tolerated km, provoking km, confidence)
        type Case = (
            &'static str,
            Vec<(f64, u8)>,
            Option<f64>,
            Option<f64>,
            Confidence,
        );
        let cases: Vec<Case> = vec![
            (
                "never provoked: a level, not yet a limit",
                vec![(20.0, 1); 6],
                Some(20.0),
                None,
                Confidence::Medium,
            ),
            (
                "always provoked: no tolerated level",
                vec![(20.0, 4); 4],
                None,
                Some(20.0),
                Confidence::None,
            ),
            (
                "three weeks: low",
                vec![(20.0, 1), (24.0, 1), (28.0, 3)],
                Some(24.0),
                Some(28.0),
                Confidence::Low,
            ),
        ];
        for (name, weeks, tolerated, provoking, confidence) in cases {
            let mondays = six_weeks();
            let first = mondays.len() - weeks.len();
            let spec: Vec<(NaiveDate, f64, f64, u8, u8)> = weeks
                .iter()
                .zip(&mondays[first..])
                .map(|(&(km, score), &monday)| (monday, km, 10.0, score, score))
                .collect();
            let (runs, ratings) = history(&spec);
            let t = estimate(
                &runs,
                &ratings,
                &PainSettings::default(),
                &LoadSettings::default(),
                day(2026, 11, 22),
            );
            let d = &t.weekly_distance_m;
            assert_eq!(d.tolerated_m, tolerated.map(|k| k * 1000.0), "{name}");
            assert_eq!(d.provoking_m, provoking.map(|k| k * 1000.0), "{name}");
            assert_eq!(d.confidence, confidence, "{name}: {}", d.note);
        }
    }

    #[test]
    fn too_little_data_says_so() {
        let w = six_weeks();
        let (runs, ratings) = history(&[(w[4], 20.0, 10.0, 1, 1), (w[5], 22.0, 10.0, 1, 1)]);
        let settings = PainSettings::default();
        let load = LoadSettings::default();
        let t = estimate(&runs, &ratings, &settings, &load, day(2026, 11, 22));
        assert_eq!(t.weekly_distance_m.tolerated_m, None);
        assert_eq!(t.weekly_distance_m.confidence, Confidence::None);
        assert!(t.weekly_distance_m.note.contains("only 2 weeks"));
        let none = estimate(&runs, &[], &settings, &load, day(2026, 11, 22));
        assert_eq!(none.weekly_distance_m.tolerated_m, None);
        assert!(none.weekly_distance_m.evidence.is_empty());
        assert!(none
            .weekly_distance_m
            .note
            .contains("no week with pain logs"));
        let empty = estimate(&[], &[], &settings, &load, day(2026, 11, 22));
        assert_eq!(empty.run_descent_m.confidence, Confidence::None);
    }

    /// A rating as (day offset from the run, score, when, names the run).
    type Rating = (i64, u8, PainWhen, bool);

    #[test]
    fn pain_links_to_runs() {
        // (case, ratings as (day offset from the run, score, when, names the run), run outcome)
        let monday = day(2026, 11, 16);
        let cases: Vec<(&str, Vec<Rating>, Option<Outcome>)> = vec![
            (
                "after, same day",
                vec![(0, 1, PainWhen::After, false)],
                Some(Outcome::Tolerated),
            ),
            (
                "during, above",
                vec![(0, 3, PainWhen::During, false)],
                Some(Outcome::Provoked),
            ),
            (
                "morning rise",
                vec![
                    (0, 1, PainWhen::After, false),
                    (1, 2, PainWhen::Morning, false),
                ],
                Some(Outcome::Provoked),
            ),
            (
                "morning steady",
                vec![
                    (0, 2, PainWhen::After, false),
                    (1, 2, PainWhen::Morning, false),
                ],
                Some(Outcome::Tolerated),
            ),
            ("daily only", vec![(0, 4, PainWhen::Daily, false)], None),
            ("another day", vec![(2, 4, PainWhen::After, false)], None),
            (
                "named run, logged a day late",
                vec![(1, 5, PainWhen::After, true)],
                Some(Outcome::Provoked),
            ),
        ];
        for (name, ratings, want) in cases {
            let r = run(7, shift(monday, 1), 8000.0);
            let entries: Vec<PainEntry> = ratings
                .iter()
                .enumerate()
                .map(|(i, &(offset, s, when, named))| {
                    let mut e = pain(i as i64, shift(monday, 1 + offset), s, when);
                    e.activity_id = named.then_some(7);
                    e
                })
                .collect();
            let settings = PainSettings {
                min_runs_low: 1,
                ..PainSettings::default()
            };
            let t = estimate(
                &[r],
                &entries,
                &settings,
                &LoadSettings::default(),
                day(2026, 11, 22),
            );
            let got = t.longest_run_m.evidence.first().map(|e| e.outcome);
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn morning_after_the_last_run_belongs_to_its_week() {
        // A Sunday run with a calm "after" rating and a 4/10 on Monday morning: the previous
        // week provoked pain, the new week has no evidence.
        let sunday = day(2026, 11, 15);
        let runs = [run(1, sunday, 10_000.0)];
        let ratings = [
            pain(1, sunday, 1, PainWhen::After),
            pain(2, shift(sunday, 1), 4, PainWhen::Morning),
        ];
        let t = estimate(
            &runs,
            &ratings,
            &PainSettings::default(),
            &LoadSettings::default(),
            day(2026, 11, 18),
        );
        let weeks = &t.weekly_distance_m.evidence;
        assert_eq!(weeks.len(), 1);
        assert_eq!(weeks[0].week_start, Some(day(2026, 11, 9)));
        assert_eq!(weeks[0].outcome, Outcome::Provoked);
        assert!(weeks[0].morning_rise);
    }

    /// A load and its weight.
    type Weighted = (f64, f64);

    #[test]
    fn weighted_quantile_cases() {
        let cases: [(&[Weighted], f64, Option<f64>); 5] = [
            (&[], 0.9, None),
            (&[(5.0, 1.0)], 0.9, Some(5.0)),
            (
                &[(1.0, 1.0), (2.0, 1.0), (3.0, 1.0), (4.0, 1.0)],
                0.5,
                Some(2.0),
            ),
            (&[(1.0, 9.0), (10.0, 1.0)], 0.9, Some(1.0)),
            (&[(1.0, 1.0), (10.0, 9.0)], 0.5, Some(10.0)),
        ];
        for (items, q, want) in cases {
            assert_eq!(weighted_quantile(items, q), want, "{items:?} {q}");
        }
    }
}
