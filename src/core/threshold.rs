//! The personal pain threshold: where pain starts, learned from the runner's own runs and pain
//! log in four dimensions — weekly distance, longest run, weekly descent, descent of one run
//! (DOMAIN.md §6).
//!
//! A week or a run is evidence when pain was logged for it. It *tolerated* its load when every
//! rating stayed within the ceiling, the next morning did not rise meaningfully and nothing
//! swelled; it *provoked* pain when pain went above the ceiling and above where it stood before,
//! or the morning rose. The **threshold** is the lowest load that provoked pain and has not been
//! tolerated since (a flare fades once the knee takes that load again); plans stay below it with
//! a margin, and after `retest_after` pain-free weeks (or runs) at that cap it is re-tested about
//! 5% higher. The **tolerated** level is evidence of safety, not a ceiling. A dimension where
//! fewer than half of the loads at or above its threshold provoked pain (or whose threshold is
//! no load at all) does not explain the pain and does not bind. Weekly figures come from complete weeks only; each run is judged on its own response.

use crate::core::clean;
use chrono::NaiveDate;
use serde::Serialize;

use crate::core::load::{shift, week_start_of, weekly_summaries, LoadSettings};
use crate::core::pain_log::{link, not_runs, run_refs, Followed, PainLog};
use crate::core::zone::PainSettings;
use crate::model::{Activity, PainEntry};

/// The most weeks an estimate looks back, whatever the settings say (ten years).
const MAX_LOOKBACK_WEEKS: u32 = 520;

/// Among the loads at or above the threshold, at least this share must have provoked pain for
/// the dimension to explain the pain (kneeguard's choice: half).
const EXPLAINS_SHARE: f64 = 0.5;

/// A load counts as "at the cap" for a re-test from this share of the cap up.
const AT_CAP: f64 = 0.9;

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
    /// Every rating within the ceiling, no meaningful morning rise, no swelling.
    Tolerated,
    /// Pain above the ceiling (and above where it started), a morning rise, or swelling.
    Provoked,
}

/// The four dimensions of DOMAIN.md §6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    WeeklyDistance,
    LongestRun,
    WeeklyDescent,
    RunDescent,
}

impl Dimension {
    /// Distances (km or mi) rather than heights (m or ft).
    pub fn is_distance(self) -> bool {
        matches!(self, Dimension::WeeklyDistance | Dimension::LongestRun)
    }

    /// Judged per week rather than per run.
    pub fn is_weekly(self) -> bool {
        matches!(self, Dimension::WeeklyDistance | Dimension::WeeklyDescent)
    }
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
    /// Whether a next-morning rating rose meaningfully.
    pub morning_rise: bool,
    pub outcome: Outcome,
    /// The recency weight, 1 for this week, halving every `half_life_weeks`.
    pub weight: f64,
    /// For provoked items: still a limit (false once a later tolerated load reached it).
    pub active: bool,
}

/// What an estimate says, with its numbers; `render` writes the words.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum EstimateStatus {
    /// No week or run with pain logs in the lookback.
    NoEvidence { lookback_weeks: u32 },
    /// Too few items for a level.
    TooLittle { items: u32, needed: u32 },
    /// The knee has tolerated every load: no threshold above the runner yet.
    NothingProvoked {
        tolerated_m: Option<f64>,
        items: u32,
    },
    /// Pain starts at `provoking_m`; plans stay at or under `cap_m`.
    Binding {
        tolerated_m: Option<f64>,
        provoking_m: f64,
        cap_m: f64,
        /// Re-tests passed since the flare (each about 5% above the cap before).
        retests: u32,
        items: u32,
    },
    /// Painful and painless loads overlap: this dimension does not explain the pain.
    NotExplained {
        tolerated_m: Option<f64>,
        provoking_m: f64,
        items: u32,
    },
    /// An earlier flare at `provoking_m` has been tolerated since.
    Faded {
        provoking_m: f64,
        date: NaiveDate,
        tolerated_m: Option<f64>,
        items: u32,
    },
}

/// One dimension of the threshold. The field names are a stable JSON interface.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    pub dimension: Dimension,
    /// The highest load the knee recently tolerated, in metres (evidence, not a limit).
    pub tolerated_m: Option<f64>,
    /// Where pain starts: the lowest load that provoked pain and has not been tolerated since.
    pub provoking_m: Option<f64>,
    /// The limit plans keep to, when this dimension binds.
    pub cap_m: Option<f64>,
    pub confidence: Confidence,
    /// Whether this dimension explains the pain: at least half of the loads at or above the
    /// threshold provoked it.
    pub consistent: bool,
    /// Newest first.
    pub evidence: Vec<Evidence>,
    pub status: EstimateStatus,
}

/// The four dimensions of DOMAIN.md §6. The field names are a stable JSON interface.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Thresholds {
    pub weekly_distance_m: Estimate,
    pub longest_run_m: Estimate,
    pub weekly_descent_m: Estimate,
    pub run_descent_m: Estimate,
}

impl Thresholds {
    pub fn all(&self) -> [&Estimate; 4] {
        [
            &self.weekly_distance_m,
            &self.longest_run_m,
            &self.weekly_descent_m,
            &self.run_descent_m,
        ]
    }
}

/// Tolerated when pain stayed within the ceiling with no morning rise or swelling; provoked when
/// the morning rose, the knee swelled, or pain went above the ceiling *and* above `baseline`, the
/// last rating before the run or week. Pain above the ceiling that was already there going in
/// (the tail of an earlier flare) was not caused by this load: no evidence either way.
fn outcome(f: &Followed, settings: &PainSettings, baseline: Option<u8>) -> Option<Outcome> {
    let max = f.max?;
    if f.rise || f.swelling || (max > settings.ceiling && baseline.is_none_or(|b| max > b)) {
        Some(Outcome::Provoked)
    } else if max <= settings.ceiling {
        Some(Outcome::Tolerated)
    } else {
        None
    }
}

/// The tolerated and provoking levels of the four dimensions, from the complete weeks and the
/// runs of the last `lookback_weeks` up to `today` that have pain logs.
///
/// A week's pain is the highest rating that belongs to it: ratings of its days and of its runs
/// (the morning after its last run counts, even on the next week's first day). Weeks without
/// runs are not evidence: their pain says nothing about running load.
pub fn estimate(
    activities: &[Activity],
    pain: &[PainEntry],
    pain_settings: &PainSettings,
    load_settings: &LoadSettings,
    today: NaiveDate,
) -> Thresholds {
    let weeks_back = pain_settings.lookback_weeks.clamp(1, MAX_LOOKBACK_WEEKS);
    let this_week = week_start_of(today, load_settings.week_start);
    // Complete weeks only: the week under way is not evidence yet.
    let summaries = weekly_summaries(
        activities,
        load_settings,
        shift(this_week, -1),
        weeks_back as usize,
    );
    let first = summaries.first().map_or(this_week, |w| w.week_start);
    let log = PainLog::new(pain, today);
    let runs: Vec<_> = run_refs(activities)
        .into_iter()
        .filter(|r| r.date >= first && r.date <= today)
        .collect();
    let links = link(&log, &runs, &not_runs(activities), pain_settings);
    let weight = |date: NaiveDate| -> f64 {
        let h = pain_settings.half_life_weeks;
        let age = (this_week - week_start_of(date, load_settings.week_start)).num_days();
        if h.is_finite() && h > 0.0 {
            0.5f64.powf(age.max(0) as f64 / 7.0 / h)
        } else {
            1.0
        }
    };
    let by_id: std::collections::HashMap<i64, &Activity> =
        activities.iter().map(|a| (a.id, a)).collect();

    // The pain of each complete week: its days' ratings and its runs' ratings.
    let week_index = |day: NaiveDate| -> Option<usize> {
        let offset = (week_start_of(day, load_settings.week_start) - first).num_days();
        (offset >= 0 && offset / 7 < summaries.len() as i64).then_some((offset / 7) as usize)
    };
    let mut week_pain = vec![Followed::default(); summaries.len()];
    for (entry, run) in log.all().iter().zip(&links.run_of) {
        let day = run.map_or(entry.date, |i| runs[i].date);
        if let Some(w) = week_index(day) {
            let rise = run.is_some_and(|i| {
                log.morning_rise(entry, runs[i].date, pain_settings)
                    .is_some()
            });
            week_pain[w].add(entry, rise);
        }
    }
    let mut descent_known = vec![false; summaries.len()];
    for r in &runs {
        if let (Some(w), Some(a)) = (week_index(r.date), by_id.get(&r.id)) {
            descent_known[w] |= a.descent_m.is_some_and(f64::is_finite);
        }
    }

    let mut weekly_distance = Vec::new();
    let mut weekly_descent = Vec::new();
    for (w, week) in summaries.iter().enumerate() {
        let Some(outcome) = outcome(
            &week_pain[w],
            pain_settings,
            log.last_before(week.week_start),
        ) else {
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
            weight: weight(week.week_start),
            active: false,
        };
        if descent_known[w] {
            weekly_descent.push(Evidence {
                load_m: week.descent_m,
                ..item.clone()
            });
        }
        weekly_distance.push(item);
    }
    let mut longest = Vec::new();
    let mut run_descent = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        let Some(outcome) = outcome(&links.followed[i], pain_settings, log.last_before(run.date))
        else {
            continue;
        };
        let Some(a) = by_id.get(&run.id) else {
            continue;
        };
        let item = Evidence {
            week_start: None,
            activity_id: Some(run.id),
            date: run.date,
            load_m: clean(a.distance_m),
            pain: links.followed[i].max.unwrap_or(0),
            morning_rise: links.followed[i].rise,
            outcome,
            weight: weight(run.date),
            active: false,
        };
        if let Some(descent) = a.descent_m.filter(|d| d.is_finite()) {
            run_descent.push(Evidence {
                load_m: descent.max(0.0),
                ..item.clone()
            });
        }
        longest.push(item);
    }
    let s = pain_settings;
    Thresholds {
        weekly_distance_m: summarize(Dimension::WeeklyDistance, weekly_distance, s),
        longest_run_m: summarize(Dimension::LongestRun, longest, s),
        weekly_descent_m: summarize(Dimension::WeeklyDescent, weekly_descent, s),
        run_descent_m: summarize(Dimension::RunDescent, run_descent, s),
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

/// Marks the provoked items a later tolerated load reached as no longer active; `items` is in
/// date order.
fn mark_active(items: &mut [Evidence]) {
    let mut best_later = f64::NEG_INFINITY;
    for item in items.iter_mut().rev() {
        match item.outcome {
            Outcome::Provoked => item.active = item.load_m > best_later,
            Outcome::Tolerated => best_later = best_later.max(item.load_m),
        }
    }
}

/// The cap after the re-tests passed since the latest active flare: `retest_after` tolerated
/// items at (about) the cap raise it by `retest_step_pct`.
fn retested_cap(items: &[Evidence], cap: f64, settings: &PainSettings) -> (f64, u32) {
    let since = items
        .iter()
        .rposition(|e| e.outcome == Outcome::Provoked && e.active)
        .map_or(0, |i| i + 1);
    let step = 1.0 + clean(settings.retest_step_pct) / 100.0;
    let needed = settings.retest_after.max(1);
    let (mut cap, mut count, mut retests) = (cap, 0, 0);
    for e in &items[since..] {
        if e.outcome == Outcome::Tolerated && e.load_m >= AT_CAP * cap {
            count += 1;
            if count >= needed {
                cap *= step;
                count = 0;
                retests += 1;
            }
        }
    }
    (cap, retests)
}

fn summarize(dimension: Dimension, mut items: Vec<Evidence>, settings: &PainSettings) -> Estimate {
    mark_active(&mut items);
    let n = items.len() as u32;
    let (low, medium, high) = if dimension.is_weekly() {
        (
            settings.min_weeks_low,
            settings.min_weeks_medium,
            settings.min_weeks_high,
        )
    } else {
        (
            settings.min_runs_low,
            settings.min_runs_medium,
            settings.min_runs_high,
        )
    };
    let enough = n >= low.max(1);
    let tolerated: Vec<(f64, f64)> = items
        .iter()
        .filter(|e| e.outcome == Outcome::Tolerated)
        .map(|e| (e.load_m, e.weight))
        .collect();
    let tolerated_m = if !enough {
        None
    } else if dimension.is_weekly() {
        weighted_quantile(&tolerated, settings.tolerated_quantile)
    } else {
        tolerated.iter().map(|(l, _)| *l).reduce(f64::max)
    };
    let lowest_provoked = |active_only: bool| {
        items
            .iter()
            .filter(|e| e.outcome == Outcome::Provoked && (e.active || !active_only))
            .map(|e| e.load_m)
            .reduce(f64::min)
    };
    // Where pain starts: the lowest active flare; without one, the lowest earlier flare decides
    // whether the dimension explains the pain (and has faded) or never did.
    let active = lowest_provoked(true);
    let provoking = active.or_else(|| lowest_provoked(false));
    // Pain after no load of this dimension at all (a flat week, say) says it is not this load.
    let explains = provoking.is_none_or(|p| {
        if p <= 0.0 {
            return false;
        }
        let above: Vec<&Evidence> = items.iter().filter(|e| e.load_m >= p).collect();
        let provoked = above
            .iter()
            .filter(|e| e.outcome == Outcome::Provoked)
            .count();
        provoked as f64 >= EXPLAINS_SHARE * above.len() as f64
    });
    let margin = 1.0 - clean(settings.threshold_margin_pct).min(90.0) / 100.0;
    let status = match (active, provoking) {
        (_, None) if n == 0 => EstimateStatus::NoEvidence {
            lookback_weeks: settings.lookback_weeks,
        },
        (_, None) if !enough => EstimateStatus::TooLittle {
            items: n,
            needed: low,
        },
        (_, None) => EstimateStatus::NothingProvoked {
            tolerated_m,
            items: n,
        },
        (_, Some(p)) if !explains => EstimateStatus::NotExplained {
            tolerated_m,
            provoking_m: p,
            items: n,
        },
        (Some(p), _) => {
            let (cap_m, retests) = retested_cap(&items, p * margin, settings);
            EstimateStatus::Binding {
                tolerated_m,
                provoking_m: p,
                cap_m,
                retests,
                items: n,
            }
        }
        (None, Some(p)) => EstimateStatus::Faded {
            provoking_m: p,
            date: items
                .iter()
                .rev()
                .find(|e| e.outcome == Outcome::Provoked && e.load_m == p)
                .map_or(NaiveDate::MIN, |e| e.date),
            tolerated_m,
            items: n,
        },
    };
    let cap_m = match status {
        EstimateStatus::Binding { cap_m, .. } => Some(cap_m),
        _ => None,
    };
    let mut confidence = match n {
        _ if !enough => Confidence::None,
        n if n >= high => Confidence::High,
        n if n >= medium => Confidence::Medium,
        _ => Confidence::Low,
    };
    if active.is_none() {
        confidence = confidence.min(Confidence::Medium);
    }
    if !explains {
        confidence = confidence.min(Confidence::Low);
    }
    items.reverse();
    Estimate {
        dimension,
        tolerated_m,
        provoking_m: if explains { active } else { provoking },
        cap_m,
        confidence,
        consistent: explains,
        evidence: items,
        status,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::core::load::tests::{day, run};
    use crate::core::zone::tests::pain;
    use crate::model::PainWhen;

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

    /// Six Monday weeks from 2026-10-12; today is Monday 2026-11-23, the day after week six, so
    /// all six are complete.
    pub(crate) fn six_weeks() -> Vec<NaiveDate> {
        (0..6).map(|w| shift(day(2026, 10, 12), 7 * w)).collect()
    }

    fn today() -> NaiveDate {
        day(2026, 11, 23)
    }

    fn thresholds(runs: &[Activity], ratings: &[PainEntry]) -> Thresholds {
        estimate(
            runs,
            ratings,
            &PainSettings::default(),
            &LoadSettings::default(),
            today(),
        )
    }

    fn code(status: &EstimateStatus) -> String {
        serde_json::to_value(status).unwrap()["code"]
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn the_threshold_is_where_pain_starts_and_the_plan_stays_below_it() {
        // Weeks of 20, 25, 30, 35, 40 and 30 km; pain 1/10 after every run except 4/10 after the
        // 40 km week's long run. Pain starts at 40 km; the cap is 10% below: 36 km. Tolerated is
        // the recency-weighted 0.9 quantile of the tolerated weeks (week ages 5..0, weights
        // 0.5^(age/4)): 20 -> 0.4204, 25 -> 0.9204, 30 -> 2.5150, 35 -> 3.2221 (the total);
        // 0.9 of it is 2.8999, first reached at 35 km.
        let w = six_weeks();
        let (runs, ratings) = history(&[
            (w[0], 20.0, 10.0, 1, 1),
            (w[1], 25.0, 10.0, 1, 1),
            (w[2], 30.0, 10.0, 1, 1),
            (w[3], 35.0, 10.0, 1, 1),
            (w[4], 40.0, 10.0, 1, 4),
            (w[5], 30.0, 10.0, 1, 1),
        ]);
        let t = thresholds(&runs, &ratings);
        let d = &t.weekly_distance_m;
        assert!(close(d.tolerated_m.unwrap(), 35_000.0), "{d:?}");
        assert!(close(d.provoking_m.unwrap(), 40_000.0));
        assert!(close(d.cap_m.unwrap(), 36_000.0));
        assert_eq!(d.confidence, Confidence::Medium);
        assert!(d.consistent);
        assert_eq!(d.evidence.len(), 6);
        assert_eq!(d.evidence[0].week_start, Some(w[5]));
        assert_eq!(d.evidence[1].outcome, Outcome::Provoked);
        assert!(d.evidence[1].active);
        assert_eq!(code(&d.status), "binding");
        // The longest run: each run is judged on its own response. The long runs are 8, 10,
        // 12, 14, 16 (provoked) and 12 km: the longest tolerated is 14 km, pain starts at 16.
        let l = &t.longest_run_m;
        assert!(close(l.tolerated_m.unwrap(), 14_000.0), "{l:?}");
        assert!(close(l.provoking_m.unwrap(), 16_000.0));
        assert!(close(l.cap_m.unwrap(), 14_400.0));
        assert_eq!(l.evidence.len(), 18);
    }

    #[test]
    fn a_pain_free_long_run_is_tolerated_whatever_the_other_runs_measure() {
        // Six runs a week: five of 10 km and a 24 km Sunday run, all pain-free.
        let mut runs = Vec::new();
        let mut ratings = Vec::new();
        for w in 0..6 {
            let monday = six_weeks()[w];
            for d in 0..6 {
                let km = if d == 5 { 24.0 } else { 10.0 };
                let id = (w * 10 + d) as i64;
                let date = shift(monday, d as i64 + 1);
                runs.push(run(id, date, km * 1000.0));
                ratings.push(pain(id, date, 0, PainWhen::After));
            }
        }
        let t = thresholds(&runs, &ratings);
        assert!(close(t.longest_run_m.tolerated_m.unwrap(), 24_000.0));
        assert_eq!(code(&t.longest_run_m.status), "nothing_provoked");
        assert_eq!(t.longest_run_m.cap_m, None);
        assert_eq!(t.weekly_distance_m.cap_m, None);
    }

    #[test]
    fn a_flare_fades_once_the_knee_takes_that_load_again() {
        // Pain at 30 km in week 2; then 26, 28 and 31 km pain-free: the 31 km week reached the
        // flare's load, so 30 km is history, not a limit.
        let w = six_weeks();
        let (runs, ratings) = history(&[
            (w[0], 24.0, 10.0, 1, 1),
            (w[1], 30.0, 10.0, 1, 4),
            (w[2], 26.0, 10.0, 1, 1),
            (w[3], 28.0, 10.0, 1, 1),
            (w[4], 31.0, 10.0, 1, 1),
        ]);
        let d = thresholds(&runs, &ratings).weekly_distance_m;
        assert_eq!(d.provoking_m, None, "{d:?}");
        assert_eq!(d.cap_m, None);
        assert_eq!(code(&d.status), "faded");
        assert!(d
            .evidence
            .iter()
            .any(|e| e.outcome == Outcome::Provoked && !e.active));
    }

    #[test]
    fn pain_free_weeks_at_the_cap_retest_it_five_percent_higher() {
        // Pain at 30 km (cap 27 km), then three pain-free weeks at 27 km: the cap moves to
        // 27 x 1.05 = 28.35 km.
        let w: Vec<NaiveDate> = (0..5).map(|k| shift(day(2026, 10, 19), 7 * k)).collect();
        let (runs, ratings) = history(&[
            (w[0], 24.0, 10.0, 1, 1),
            (w[1], 30.0, 10.0, 1, 4),
            (w[2], 27.0, 10.0, 1, 1),
            (w[3], 27.0, 10.0, 1, 1),
            (w[4], 27.0, 10.0, 1, 1),
        ]);
        let d = thresholds(&runs, &ratings).weekly_distance_m;
        assert!(close(d.cap_m.unwrap(), 28_350.0), "{d:?}");
        let EstimateStatus::Binding { retests, .. } = d.status else {
            panic!("{d:?}")
        };
        assert_eq!(retests, 1);
    }

    #[test]
    fn a_dimension_that_does_not_separate_pain_does_not_bind() {
        // Flat weeks: 30, 32, 34, 30 km with 20 m of descent per run (60 m a week), pain 1/10.
        // Hilly weeks (2nd and 4th): 24 km with 200 m per run (600 m a week), pain 4/10.
        // Descent separates (pain only from 600 m); distance does not (34 km tolerated, pain
        // at 24 km).
        let w = six_weeks();
        let (runs, ratings) = history(&[
            (w[0], 30.0, 20.0, 1, 1),
            (w[1], 24.0, 200.0, 4, 4),
            (w[2], 32.0, 20.0, 1, 1),
            (w[3], 24.0, 200.0, 4, 4),
            (w[4], 34.0, 20.0, 1, 1),
            (w[5], 30.0, 20.0, 1, 1),
        ]);
        let t = thresholds(&runs, &ratings);
        let descent = &t.weekly_descent_m;
        assert!(close(descent.provoking_m.unwrap(), 600.0), "{descent:?}");
        assert!(close(descent.cap_m.unwrap(), 540.0));
        assert!(descent.consistent);
        assert!(close(t.run_descent_m.provoking_m.unwrap(), 200.0));
        let distance = &t.weekly_distance_m;
        assert!(
            close(distance.provoking_m.unwrap(), 24_000.0),
            "{distance:?}"
        );
        assert!(!distance.consistent);
        assert_eq!(distance.cap_m, None);
        assert_eq!(distance.confidence, Confidence::Low);
        assert_eq!(code(&distance.status), "not_explained");
    }

    #[test]
    fn the_week_under_way_is_not_evidence() {
        // One Monday run of this week with pain: no weekly evidence at all.
        let runs = [run(1, today(), 8_000.0)];
        let ratings = [pain(1, today(), 4, PainWhen::After)];
        let t = thresholds(&runs, &ratings);
        assert!(t.weekly_distance_m.evidence.is_empty());
        assert_eq!(code(&t.weekly_distance_m.status), "no_evidence");
        assert_eq!(
            t.longest_run_m.evidence.len(),
            1,
            "the run itself is evidence"
        );
    }

    #[test]
    fn pain_carried_over_from_a_flare_is_not_blamed_on_the_next_weeks_load() {
        // A flare after the 40 km week (5/10 after its long run); the cut-back week of 12 km
        // still hurts (4 and 3, each below the 5 it started from): the tail of the flare, so
        // the 12 km week is no evidence either way.
        let w = six_weeks();
        let (runs, ratings) = history(&[
            (w[2], 30.0, 10.0, 1, 1),
            (w[3], 40.0, 10.0, 1, 5),
            (w[4], 12.0, 10.0, 4, 3),
            (w[5], 25.0, 10.0, 1, 1),
        ]);
        let d = thresholds(&runs, &ratings).weekly_distance_m;
        assert!(close(d.provoking_m.unwrap(), 40_000.0), "{d:?}");
        assert!(d.evidence.iter().all(|e| e.week_start != Some(w[4])));
        assert_eq!(d.evidence.len(), 3);
    }

    #[test]
    fn confidence_and_status_cases() {
        // (case, weeks as (km, pain after every run), tolerated km, provoking km, confidence,
        // status)
        type Case = (
            &'static str,
            Vec<(f64, u8)>,
            Option<f64>,
            Option<f64>,
            Confidence,
            &'static str,
        );
        let cases: Vec<Case> = vec![
            (
                "never provoked: a level, not yet a limit",
                vec![(20.0, 1); 6],
                Some(20.0),
                None,
                Confidence::Medium,
                "nothing_provoked",
            ),
            (
                "always provoked: the lowest load binds",
                vec![(20.0, 4); 4],
                None,
                Some(20.0),
                Confidence::None,
                "binding",
            ),
            (
                "two weeks: too little",
                vec![(20.0, 1), (24.0, 1)],
                None,
                None,
                Confidence::None,
                "too_little",
            ),
            (
                "little data, but pain at 28 km still binds",
                vec![(20.0, 1), (28.0, 3)],
                None,
                Some(28.0),
                Confidence::None,
                "binding",
            ),
        ];
        for (name, weeks, tolerated, provoking, confidence, status) in cases {
            let mondays = six_weeks();
            let first = mondays.len() - weeks.len();
            let spec: Vec<(NaiveDate, f64, f64, u8, u8)> = weeks
                .iter()
                .zip(&mondays[first..])
                .map(|(&(km, score), &monday)| (monday, km, 10.0, score, score))
                .collect();
            let (runs, ratings) = history(&spec);
            let d = thresholds(&runs, &ratings).weekly_distance_m;
            assert_eq!(d.tolerated_m, tolerated.map(|k| k * 1000.0), "{name}");
            assert_eq!(d.provoking_m, provoking.map(|k| k * 1000.0), "{name}");
            assert_eq!(d.confidence, confidence, "{name}");
            assert_eq!(code(&d.status), status, "{name}");
        }
    }

    #[test]
    fn morning_after_the_last_run_belongs_to_its_week() {
        // A Sunday run with a calm "after" rating and a 4/10 on Monday morning: the previous
        // week provoked pain.
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
