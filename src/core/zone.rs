//! Today's pain zone — green, amber or red — from the runner's knee-pain log (DOMAIN.md §5), and
//! the referral advice that stays until the knee is logged settled.
//!
//! The zone is the 24-hour pain response turned into a traffic light: it decides whether the
//! days ahead may progress, must hold or cut, or stop running. The rules combine symptom-guided
//! running for patellofemoral pain (Esculier et al. 2018: pain at most 2/10 during running, no
//! increase the next morning) with the pain-monitoring model (Silbernagel et al. 2007: up to
//! 5/10 is acceptable, pain must settle by the next morning and must not rise week to week).
//! Red does not end when its rating leaves the window: it lasts until a calm rating (green, no
//! swelling) on a later day says the knee settled. Reasons are typed; `render` writes them.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::core::load::shift;
use crate::core::pain_log::{is_running_pain, link, not_runs, run_refs, score, PainLog};
use crate::model::{Activity, PainEntry, PainWhen};

/// The pain rules' thresholds and windows. Every field can be changed in the config file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PainSettings {
    /// The acceptable pain during or within an hour after running, 0-10 (Esculier et al. 2018,
    /// BJSM 52:659: at most 2/10; set 5 for the tendon-style model of Silbernagel et al. 2007).
    pub ceiling: u8,
    /// The highest rating of the green zone (DOMAIN.md §5: green 0-2).
    pub green_max: u8,
    /// The highest rating of the amber zone; above it is red (DOMAIN.md §5: amber 3-5).
    pub amber_max: u8,
    /// A next-morning rating above the pre-run level counts as a flare when it is above the
    /// ceiling or at least this many points higher (DOMAIN.md §5; Farrar et al. 2001: changes
    /// under about 2 points on the 0-10 scale are not reliably told apart).
    pub morning_rise: u8,
    /// How many days of ratings, ending today, make up today's state (kneeguard's choice: 7).
    pub recent_days: u32,
    /// Consecutive 7-day windows whose highest rating must keep rising for the red zone, the
    /// last one above green (Silbernagel et al. 2007: pain must not rise week to week;
    /// kneeguard's choice: 3 windows, that is two rises in a row).
    pub rising_weeks: u32,
    /// Amber this many 7-day windows in a row brings the advice to see a professional
    /// (DOMAIN.md §5: amber week after week despite strength work, 3-4 weeks).
    pub persisting_weeks: u32,
    /// How many weeks back the threshold estimate looks (kneeguard's choice: 26, half a year).
    pub lookback_weeks: u32,
    /// Half-life in weeks of the recency weight of threshold evidence: a week this old counts
    /// half as much as this week (kneeguard's choice: 4; DOMAIN.md §6: recent evidence counts
    /// more than old).
    pub half_life_weeks: f64,
    /// The recency-weighted quantile of tolerated weeks reported as the tolerated weekly level
    /// (kneeguard's choice: 0.9, high but robust to a single old outlier). The per-run levels
    /// are the longest tolerated run and descent (DOMAIN.md §6: each run's own response).
    pub tolerated_quantile: f64,
    /// Plans stay this many percent below the load that provoked pain (DOMAIN.md §6: below the
    /// threshold with a margin; kneeguard's choice: 10%).
    pub threshold_margin_pct: f64,
    /// After this many pain-free weeks (or runs) at the cap, the cap is re-tested just above
    /// (DOMAIN.md §6: a provoking level fades as the knee heals; kneeguard's choice: 3).
    pub retest_after: u32,
    /// How far above the cap a re-test goes, in percent (DOMAIN.md §6: about 5%).
    pub retest_step_pct: f64,
    /// Weeks with pain logs needed for any weekly threshold, at low confidence (kneeguard's
    /// choice: 3). Fewer and the threshold is reported as unknown.
    pub min_weeks_low: u32,
    /// Weeks with pain logs needed for medium confidence (kneeguard's choice: 6).
    pub min_weeks_medium: u32,
    /// Weeks with pain logs needed for high confidence (kneeguard's choice: 10).
    pub min_weeks_high: u32,
    /// Runs with pain logs needed for any per-run threshold, at low confidence (kneeguard's
    /// choice: 4).
    pub min_runs_low: u32,
    /// Runs with pain logs needed for medium confidence (kneeguard's choice: 10).
    pub min_runs_medium: u32,
    /// Runs with pain logs needed for high confidence (kneeguard's choice: 20).
    pub min_runs_high: u32,
}

impl Default for PainSettings {
    fn default() -> Self {
        PainSettings {
            ceiling: 2,
            green_max: 2,
            amber_max: 5,
            morning_rise: 2,
            recent_days: 7,
            rising_weeks: 3,
            persisting_weeks: 4,
            lookback_weeks: 26,
            half_life_weeks: 4.0,
            tolerated_quantile: 0.9,
            threshold_margin_pct: 10.0,
            retest_after: 3,
            retest_step_pct: 5.0,
            min_weeks_low: 3,
            min_weeks_medium: 6,
            min_weeks_high: 10,
            min_runs_low: 4,
            min_runs_medium: 10,
            min_runs_high: 20,
        }
    }
}

/// The traffic light, from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Zone {
    Green,
    Amber,
    Red,
}

impl Zone {
    pub fn as_str(self) -> &'static str {
        match self {
            Zone::Green => "green",
            Zone::Amber => "amber",
            Zone::Red => "red",
        }
    }
}

/// Whether any pain has been logged at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PainData {
    None,
    Some,
}

/// The latest rating, as shown next to the zone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LatestPain {
    pub score: u8,
    pub when: PainWhen,
    pub date: NaiveDate,
    pub swelling: bool,
}

/// Why the zone is what it is, with the ratings behind it; `render` writes the words.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ZoneReason {
    /// Nothing logged yet.
    NoPainLogged,
    /// Swelling was logged and the knee has not been logged settled since.
    Swelling { date: NaiveDate },
    /// A rating above the amber band.
    RedPain {
        score: u8,
        when: PainWhen,
        date: NaiveDate,
        amber_max: u8,
    },
    /// The highest rating of consecutive weeks kept rising.
    Rising { maxima: Vec<u8> },
    /// Red earlier, and no calm rating since.
    NotSettled { since: NaiveDate },
    /// Pain during or after a run above the ceiling.
    AboveCeiling {
        score: u8,
        when: PainWhen,
        date: NaiveDate,
        ceiling: u8,
    },
    /// A rating in the amber band; `acceptable` when it is within the ceiling and nothing else
    /// of the window goes above it (hold, do not cut).
    AmberPain {
        score: u8,
        when: PainWhen,
        date: NaiveDate,
        green_max: u8,
        amber_max: u8,
        acceptable: bool,
    },
    /// The knee did not settle overnight.
    MorningRise {
        score: u8,
        date: NaiveDate,
        before: u8,
        run_m: Option<f64>,
    },
    /// Red earlier in the window, and every rating since the red day in green: the knee was
    /// logged settled and the walk-run ladder has begun.
    SettledAfterRed {
        red: NaiveDate,
        settled: NaiveDate,
        max: u8,
        green_max: u8,
        ceiling: u8,
    },
    /// Every recent rating in green.
    Quiet {
        max: u8,
        days: u32,
        green_max: u8,
        ceiling: u8,
    },
    /// Nothing logged in the window.
    NoRecentPain { days: u32, last: NaiveDate },
}

/// An amber episode: when the pain arose and the runs that hurt.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AmberEpisode {
    /// The day the pain arose: the load of the days up to it is the load under which it
    /// arose. Above the ceiling, the first amber rating of the recent window, so that each
    /// week is cut below the load the pain still answers to; within the ceiling, the first
    /// rating of the unbroken spell of such pain (no 7 days without one, nothing above the
    /// ceiling, nothing red), so that holding stays at the load it began at rather than
    /// following the plan's own weeks down.
    pub arose: NaiveDate,
    /// When the pain was there: the first rating of that day that signalled it, or for a
    /// morning rating, before the day's first run. A run of the day that started later came
    /// after the pain, not before it.
    pub arose_at: DateTime<Utc>,
    /// The runs that were followed by amber pain (or the last run before it): within the
    /// ceiling, those of the spell's first 7 days.
    pub hurt_runs: Vec<i64>,
    /// Every amber rating within the ceiling and no meaningful morning rise: hold the load,
    /// do not cut it (DOMAIN.md §5, the tendon-style model).
    pub acceptable: bool,
}

/// Why the runner should see a physiotherapist or sports doctor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralCause {
    Swelling,
    RedPain,
    Rising,
    PersistingAmber,
}

/// The advice to see a professional, which holds until the knee is logged settled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Referral {
    pub cause: ReferralCause,
    /// The day of the latest event behind it.
    pub since: NaiveDate,
    /// For persisting amber: the 7-day windows in a row.
    pub weeks: Option<u32>,
}

/// Today's zone with the reasons behind it. The field names are a stable JSON interface.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZoneAssessment {
    pub zone: Zone,
    /// The latest rating up to today, if any.
    pub latest: Option<LatestPain>,
    /// The most serious first.
    pub reasons: Vec<ZoneReason>,
    /// See a physiotherapist or sports doctor.
    pub see_professional: bool,
    pub data: PainData,
    /// Red since this day and not yet settled: no running until a calm rating.
    pub red_since: Option<NaiveDate>,
    pub amber: Option<AmberEpisode>,
    pub referral: Option<Referral>,
}

/// The latest red event: its day and the instant of the rating behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RedEvent {
    pub date: NaiveDate,
    pub at: DateTime<Utc>,
    pub cause: ReferralCause,
}

/// What the pain log says about the knee's red state, shared by the zone and the walk-run
/// ladder.
pub(crate) struct KneeHistory {
    /// The latest red event in the lookback.
    pub red: Option<RedEvent>,
    /// The first calm rating after it, if any: where the ladder may start.
    pub settled: Option<(NaiveDate, DateTime<Utc>)>,
}

/// What makes a rating red, if anything does: swelling, or pain above amber.
fn red_cause(entry: &PainEntry, settings: &PainSettings) -> Option<ReferralCause> {
    if entry.swelling {
        Some(ReferralCause::Swelling)
    } else if score(entry) > settings.amber_max {
        Some(ReferralCause::RedPain)
    } else {
        None
    }
}

/// Whether `entry` says the knee is calm: a rating in green without swelling.
fn calm(entry: &PainEntry, settings: &PainSettings) -> bool {
    score(entry) <= settings.green_max && !entry.swelling
}

/// The first calm rating on a day after `date`.
fn settled_after(
    log: &PainLog<'_>,
    date: NaiveDate,
    settings: &PainSettings,
) -> Option<(NaiveDate, DateTime<Utc>)> {
    log.all()
        .iter()
        .filter(|e| e.date > date)
        .find(|e| calm(e, settings))
        .map(|e| (e.date, e.at))
}

/// The highest rating of each of `windows` consecutive 7-day windows ending at `day`, oldest
/// first; `None` when one of them has no rating.
fn weekly_maxima(log: &PainLog<'_>, day: NaiveDate, windows: u32) -> Option<Vec<u8>> {
    let mut maxima = Vec::new();
    for w in (0..i64::from(windows)).rev() {
        let to = shift(day, -7 * w);
        maxima.push(
            log.between(shift(to, -6), to)
                .iter()
                .map(|e| score(e))
                .max()?,
        );
    }
    Some(maxima)
}

fn rising(log: &PainLog<'_>, day: NaiveDate, settings: &PainSettings) -> Option<Vec<u8>> {
    let maxima = weekly_maxima(log, day, settings.rising_weeks.max(2))?;
    let rises = maxima.windows(2).all(|pair| pair[1] > pair[0]);
    (rises && *maxima.last()? > settings.green_max).then_some(maxima)
}

impl KneeHistory {
    /// Scans the log back to `lookback_weeks` for the latest red event (a rating above amber,
    /// swelling, or pain rising week after week) and whether the knee settled since. A red
    /// rating from before the lookback that no calm rating followed still counts: red lasts
    /// until the knee is logged settled, however long ago it was.
    pub(crate) fn new(log: &PainLog<'_>, settings: &PainSettings, today: NaiveDate) -> Self {
        let from = shift(today, -7 * i64::from(settings.lookback_weeks.clamp(1, 520)));
        let red_in = |entries: &[&PainEntry]| {
            entries.iter().rev().find_map(|e| {
                red_cause(e, settings).map(|cause| RedEvent {
                    date: e.date,
                    at: e.at,
                    cause,
                })
            })
        };
        let mut red = red_in(log.between(from, today)).or_else(|| {
            red_in(log.between(NaiveDate::MIN, shift(from, -1)))
                .filter(|r| settled_after(log, r.date, settings).is_none_or(|(d, _)| d >= from))
        });
        // Rising pain is judged on the days with ratings since the last red rating.
        let mut day = red.map_or(from, |r| shift(r.date, 1)).max(from);
        while day <= today {
            // The event is the day the rising peak was logged, so that calm days after it
            // settle it even while the peak is still inside the window.
            let peak_today = |maxima: &Vec<u8>| {
                log.on(day).iter().map(|e| score(e)).max() == maxima.last().copied()
            };
            if rising(log, day, settings).is_some_and(|m| peak_today(&m)) {
                let at = log.on(day).last().map(|e| e.at).unwrap_or_default();
                red = Some(RedEvent {
                    date: day,
                    at,
                    cause: ReferralCause::Rising,
                });
            }
            day = shift(day, 1);
        }
        let settled = red.and_then(|r| settled_after(log, r.date, settings));
        KneeHistory { red, settled }
    }
}

/// One amber signal in the window: a rating above green or above the ceiling, or a meaningful
/// morning rise.
struct AmberSignal<'a> {
    entry: &'a PainEntry,
    reason: ZoneReason,
    acceptable: bool,
}

fn amber_signals<'a>(
    log: &PainLog<'a>,
    recent: &[&'a PainEntry],
    activities: &[Activity],
    settings: &PainSettings,
) -> Vec<AmberSignal<'a>> {
    let mut out = Vec::new();
    for &e in recent {
        let s = score(e);
        if let Some((before, now)) = log.morning_rise(e, shift(e.date, -1), settings) {
            let run_day = shift(e.date, -1);
            let run = activities
                .iter()
                .filter(|a| a.sport.is_run() && crate::core::load::local_date(a) == Some(run_day))
                .map(|a| a.distance_m)
                .fold(0.0, f64::max);
            out.push(AmberSignal {
                entry: e,
                reason: ZoneReason::MorningRise {
                    score: now,
                    date: e.date,
                    before,
                    run_m: (run > 0.0).then_some(run),
                },
                acceptable: false,
            });
        } else if is_running_pain(e.when) && s > settings.ceiling && s <= settings.amber_max {
            out.push(AmberSignal {
                entry: e,
                reason: ZoneReason::AboveCeiling {
                    score: s,
                    when: e.when,
                    date: e.date,
                    ceiling: settings.ceiling,
                },
                acceptable: false,
            });
        } else if s > settings.green_max && s <= settings.amber_max {
            let acceptable = s <= settings.ceiling;
            out.push(AmberSignal {
                entry: e,
                reason: ZoneReason::AmberPain {
                    score: s,
                    when: e.when,
                    date: e.date,
                    green_max: settings.green_max,
                    amber_max: settings.amber_max,
                    acceptable,
                },
                acceptable,
            });
        }
    }
    out
}

/// Whether the 7 days ending at `day` hold an amber (or worse) signal.
fn amber_window(log: &PainLog<'_>, day: NaiveDate, settings: &PainSettings) -> bool {
    log.between(shift(day, -6), day).iter().any(|e| {
        let s = score(e);
        s > settings.green_max
            || (is_running_pain(e.when) && s > settings.ceiling)
            || log.morning_rise(e, shift(e.date, -1), settings).is_some()
    })
}

/// The latest day at which amber had held `persisting_weeks` weeks in a row: every 7-day
/// window of those weeks holds an amber signal.
fn persisting_amber(
    log: &PainLog<'_>,
    settings: &PainSettings,
    today: NaiveDate,
) -> Option<NaiveDate> {
    let weeks = i64::from(settings.persisting_weeks.max(1));
    let from = shift(today, -7 * i64::from(settings.lookback_weeks.clamp(1, 520)));
    let mut day = today;
    while day >= from {
        // Every 7-day window of those weeks holds a signal: no calm week in between.
        if (0..7 * weeks - 6).all(|d| amber_window(log, shift(day, -d), settings)) {
            return Some(day);
        }
        day = shift(day, -1);
    }
    None
}

/// Today's zone from the ratings of the last `recent_days` days and the red state before them
/// (DOMAIN.md §5). Ratings after `today` are ignored; `activities` name the runs ratings
/// followed.
pub fn assess(
    pain: &[PainEntry],
    activities: &[Activity],
    settings: &PainSettings,
    today: NaiveDate,
) -> ZoneAssessment {
    let log = PainLog::new(pain, today);
    let latest = log.latest().map(|e| LatestPain {
        score: score(e),
        when: e.when,
        date: e.date,
        swelling: e.swelling,
    });
    if log.is_empty() {
        return ZoneAssessment {
            zone: Zone::Green,
            latest: None,
            reasons: vec![ZoneReason::NoPainLogged],
            see_professional: false,
            data: PainData::None,
            red_since: None,
            amber: None,
            referral: None,
        };
    }
    let days = settings.recent_days.max(1);
    let recent = log.between(shift(today, 1 - i64::from(days)), today);
    let knee = KneeHistory::new(&log, settings, today);
    let red_since = knee.red.filter(|_| knee.settled.is_none()).map(|r| r.date);

    let mut red = Vec::new();
    if let Some(r) = knee.red.filter(|_| red_since.is_some()) {
        match r.cause {
            ReferralCause::Swelling => red.push(ZoneReason::Swelling { date: r.date }),
            ReferralCause::Rising => {
                if let Some(maxima) = rising(&log, r.date, settings) {
                    red.push(ZoneReason::Rising { maxima });
                }
            }
            _ => {}
        }
    }
    // Once the knee is logged settled, an earlier red rating in the window no longer makes today
    // red: the walk-run ladder has begun.
    if let Some(worst) = recent
        .iter()
        .filter(|e| red_since.is_some() && score(e) > settings.amber_max)
        .max_by(|a, b| score(a).cmp(&score(b)).then(a.date.cmp(&b.date)))
    {
        red.push(ZoneReason::RedPain {
            score: score(worst),
            when: worst.when,
            date: worst.date,
            amber_max: settings.amber_max,
        });
    }
    if let (Some(since), true) = (red_since, red.is_empty()) {
        red.push(ZoneReason::NotSettled { since });
    }
    let signals = amber_signals(&log, recent, activities, settings);
    let lookback = shift(today, -7 * i64::from(settings.lookback_weeks.clamp(1, 520)));
    let floor = knee
        .red
        .map_or(lookback, |r| lookback.max(shift(r.date, 1)));
    let amber =
        (!signals.is_empty()).then(|| amber_episode(&log, &signals, activities, settings, floor));
    let zone = if !red.is_empty() {
        Zone::Red
    } else if amber.is_some() {
        Zone::Amber
    } else {
        Zone::Green
    };
    let mut reasons = red;
    // The worst amber signals first, one per kind.
    let mut seen = HashSet::new();
    let mut ordered: Vec<&AmberSignal> = signals.iter().collect();
    ordered.sort_by(|a, b| {
        score(b.entry)
            .cmp(&score(a.entry))
            .then(b.entry.date.cmp(&a.entry.date))
    });
    // A rating within the ceiling holds the load only when every signal does: beside a morning
    // rise or pain above the ceiling the episode cuts, and its reason says no more than amber.
    let holds = amber.as_ref().is_some_and(|a| a.acceptable);
    for s in ordered {
        if seen.insert(std::mem::discriminant(&s.reason)) {
            let mut reason = s.reason.clone();
            if let ZoneReason::AmberPain { acceptable, .. } = &mut reason {
                *acceptable &= holds;
            }
            reasons.push(reason);
        }
    }
    if zone == Zone::Green {
        let last = latest.as_ref().map_or(today, |l| l.date);
        reasons.push(green_reason(recent, &knee, settings, days, today, last));
    }
    let referral = referral(&log, &knee, settings, today);
    ZoneAssessment {
        zone,
        latest,
        reasons,
        see_professional: referral.is_some(),
        data: PainData::Some,
        red_since,
        amber: amber.filter(|_| zone == Zone::Amber),
        referral,
    }
}

/// Why a green day is green: the ratings of the window, or, when the window holds a red day
/// the knee has settled from, the ratings since that day (the red one is not "within green").
fn green_reason(
    recent: &[&PainEntry],
    knee: &KneeHistory,
    settings: &PainSettings,
    days: u32,
    today: NaiveDate,
    last: NaiveDate,
) -> ZoneReason {
    let window_start = shift(today, 1 - i64::from(days));
    let settled_red = knee
        .red
        .zip(knee.settled)
        .filter(|(red, _)| red.date >= window_start);
    let since = settled_red.map_or(window_start, |(red, _)| shift(red.date, 1));
    let max = recent
        .iter()
        .filter(|e| e.date >= since)
        .map(|e| score(e))
        .max();
    match (settled_red, max) {
        (Some((red, (settled, _))), Some(max)) => ZoneReason::SettledAfterRed {
            red: red.date,
            settled,
            max,
            green_max: settings.green_max,
            ceiling: settings.ceiling,
        },
        (None, Some(max)) => ZoneReason::Quiet {
            max,
            days,
            green_max: settings.green_max,
            ceiling: settings.ceiling,
        },
        (_, None) => ZoneReason::NoRecentPain { days, last },
    }
}

/// The first day of the spell of pain within the ceiling that reaches `first`: earlier
/// acceptable signals, each within 6 days of the next, back to a gap of a week, a signal
/// above the ceiling, or the start of `earlier` (`signals` in date order).
fn spell_start(earlier: &[AmberSignal<'_>], first: NaiveDate) -> NaiveDate {
    let mut start = first;
    for s in earlier.iter().rev() {
        if !s.acceptable || (start - s.entry.date).num_days() > 6 {
            break;
        }
        start = s.entry.date;
    }
    start
}

/// The episode behind today's amber signals; within the ceiling it reaches back over the
/// spell's earlier signals, not before `floor` (the lookback, the day after the last red).
fn amber_episode(
    log: &PainLog<'_>,
    recent: &[AmberSignal<'_>],
    activities: &[Activity],
    settings: &PainSettings,
    floor: NaiveDate,
) -> AmberEpisode {
    let first = recent
        .iter()
        .map(|s| s.entry.date)
        .min()
        .expect("an amber episode has a signal");
    let acceptable = recent.iter().all(|s| s.acceptable);
    let earlier = if acceptable {
        amber_signals(
            log,
            log.between(floor, shift(first, -1)),
            activities,
            settings,
        )
    } else {
        Vec::new()
    };
    let arose = spell_start(&earlier, first);
    let signals: Vec<&AmberSignal<'_>> = earlier
        .iter()
        .chain(recent)
        .filter(|s| s.entry.date >= arose && (!acceptable || s.entry.date <= shift(arose, 6)))
        .collect();
    let runs = run_refs(activities);
    let links = link(log, &runs, &not_runs(activities), settings);
    let position = |entry: &PainEntry| log.all().iter().position(|e| std::ptr::eq(*e, entry));
    let mut hurt: Vec<i64> = signals
        .iter()
        .filter_map(|s| position(s.entry).and_then(|i| links.run_of[i]))
        .map(|i| runs[i].id)
        .collect();
    if hurt.is_empty() {
        // Pain logged on a rest day: the last run of the week before it hurt.
        let last = signals.iter().map(|s| s.entry.date).max().unwrap_or(arose);
        hurt.extend(
            runs.iter()
                .rev()
                .find(|r| r.date <= last && r.date >= shift(arose, -6))
                .map(|r| r.id),
        );
    }
    hurt.sort_unstable();
    hurt.dedup();
    let first = signals
        .iter()
        .filter(|s| s.entry.date == arose)
        .map(|s| s.entry)
        .min_by_key(|e| e.at)
        .expect("the day the pain arose has its signal");
    // A morning rating comes before the day's runs, whatever the clock says (a rating and a
    // run logged by date alone share an instant).
    let first_run = activities
        .iter()
        .filter(|a| a.sport.is_run() && crate::core::load::local_date(a) == Some(arose))
        .filter_map(|a| a.start)
        .min();
    let arose_at = match (first.when, first_run) {
        (PainWhen::Morning, Some(run)) => first.at.min(run - chrono::Duration::seconds(1)),
        _ => first.at,
    };
    AmberEpisode {
        arose,
        arose_at,
        hurt_runs: hurt,
        acceptable,
    }
}

/// The advice to see a professional: after red, swelling, rising pain or persisting amber,
/// until a calm rating after the latest such event.
fn referral(
    log: &PainLog<'_>,
    knee: &KneeHistory,
    settings: &PainSettings,
    today: NaiveDate,
) -> Option<Referral> {
    let red = knee
        .red
        .filter(|_| knee.settled.is_none())
        .map(|r| Referral {
            cause: r.cause,
            since: r.date,
            weeks: None,
        });
    let amber = persisting_amber(log, settings, today)
        .filter(|day| settled_after(log, *day, settings).is_none())
        .map(|day| Referral {
            cause: ReferralCause::PersistingAmber,
            since: day,
            weeks: Some(settings.persisting_weeks.max(1)),
        });
    match (red, amber) {
        (Some(r), Some(a)) => Some(if a.since > r.since { a } else { r }),
        (r, a) => r.or(a),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::core::load::tests::{day, run};
    use chrono::{NaiveTime, TimeZone, Utc};

    /// A rating on `date` at a time of day that follows `when`.
    pub(crate) fn pain(id: i64, date: NaiveDate, score: u8, when: PainWhen) -> PainEntry {
        let hour = match when {
            PainWhen::Morning => 7,
            PainWhen::During => 8,
            PainWhen::After => 9,
            PainWhen::Daily => 20,
        };
        let at =
            Utc.from_utc_datetime(&date.and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap()));
        PainEntry {
            id,
            at,
            utc_offset_s: 0,
            date,
            score,
            when,
            side: None,
            swelling: false,
            note: None,
            activity_id: None,
        }
    }

    fn code(r: &ZoneReason) -> String {
        serde_json::to_value(r).unwrap()["code"]
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn settings_round_trip_and_reject_unknown_fields() {
        let settings = PainSettings::default();
        let json = serde_json::to_value(&settings).unwrap();
        assert_eq!(json["ceiling"], 2);
        assert_eq!(json["morning_rise"], 2);
        let back: PainSettings = serde_json::from_value(json).unwrap();
        assert_eq!(back, settings);
        let partial: PainSettings = serde_json::from_str(r#"{"ceiling": 5}"#).unwrap();
        assert_eq!(partial.ceiling, 5);
        assert_eq!(partial.amber_max, 5);
        assert!(serde_json::from_str::<PainSettings>(r#"{"cieling": 5}"#).is_err());
    }

    #[test]
    fn no_pain_logged_is_green_and_says_so() {
        let got = assess(&[], &[], &PainSettings::default(), day(2026, 11, 22));
        assert_eq!(got.zone, Zone::Green);
        assert_eq!(got.data, PainData::None);
        assert_eq!(got.reasons, vec![ZoneReason::NoPainLogged]);
        let json = serde_json::to_value(&got).unwrap();
        assert_eq!(json["zone"], "green");
        assert_eq!(json["data"], "none");
        assert!(json["latest"].is_null());
    }

    #[test]
    fn zone_cases() {
        let today = day(2026, 11, 22);
        let d = |back: i64| shift(today, -back);
        // (case, ratings as (days back, score, when, swelling), zone, see professional, first
        // reason's code)
        type Case = (
            &'static str,
            Vec<(i64, u8, PainWhen, bool)>,
            Zone,
            bool,
            &'static str,
        );
        let cases: Vec<Case> = vec![
            (
                "low pain",
                vec![
                    (1, 1, PainWhen::After, false),
                    (0, 2, PainWhen::Daily, false),
                ],
                Zone::Green,
                false,
                "quiet",
            ),
            (
                "above the ceiling during a run",
                vec![(2, 4, PainWhen::During, false)],
                Zone::Amber,
                false,
                "above_ceiling",
            ),
            (
                "amber morning",
                vec![(3, 3, PainWhen::Morning, false)],
                Zone::Amber,
                false,
                "amber_pain",
            ),
            (
                "a meaningful morning rise within green",
                vec![
                    (2, 0, PainWhen::After, false),
                    (1, 2, PainWhen::Morning, false),
                ],
                Zone::Amber,
                false,
                "morning_rise",
            ),
            (
                "0 -> 1 the next morning is no flare",
                vec![
                    (2, 0, PainWhen::After, false),
                    (1, 1, PainWhen::Morning, false),
                ],
                Zone::Green,
                false,
                "quiet",
            ),
            (
                "red pain",
                vec![(1, 7, PainWhen::After, false)],
                Zone::Red,
                true,
                "red_pain",
            ),
            (
                "swelling with low pain",
                vec![(1, 1, PainWhen::Daily, true)],
                Zone::Red,
                true,
                "swelling",
            ),
            (
                "old red pain, settled since",
                vec![
                    (10, 8, PainWhen::After, false),
                    (8, 1, PainWhen::Morning, false),
                    (2, 1, PainWhen::After, false),
                ],
                Zone::Green,
                false,
                "quiet",
            ),
            (
                "old red pain, a later green rating after a run settles it too",
                vec![
                    (10, 8, PainWhen::After, false),
                    (2, 1, PainWhen::After, false),
                ],
                Zone::Green,
                false,
                "quiet",
            ),
            (
                "red pain this week, settled the next day",
                vec![
                    (2, 6, PainWhen::After, false),
                    (1, 1, PainWhen::Daily, false),
                ],
                Zone::Green,
                false,
                "settled_after_red",
            ),
            (
                "old red pain never settled",
                vec![
                    (10, 8, PainWhen::After, false),
                    (9, 4, PainWhen::Daily, false),
                ],
                Zone::Red,
                true,
                "not_settled",
            ),
            (
                "old swelling, never logged gone",
                vec![(12, 2, PainWhen::Daily, true)],
                Zone::Red,
                true,
                "swelling",
            ),
            (
                "rising week after week",
                vec![
                    (15, 1, PainWhen::Daily, false),
                    (8, 2, PainWhen::Daily, false),
                    (1, 3, PainWhen::Daily, false),
                ],
                Zone::Red,
                true,
                "rising",
            ),
            (
                "nothing recent",
                vec![(20, 4, PainWhen::After, false)],
                Zone::Green,
                false,
                "no_recent_pain",
            ),
            (
                "future ratings are ignored",
                vec![(-3, 9, PainWhen::After, false)],
                Zone::Green,
                false,
                "no_pain_logged",
            ),
        ];
        let settings = PainSettings::default();
        for (name, ratings, zone, professional, first) in cases {
            let entries: Vec<PainEntry> = ratings
                .iter()
                .enumerate()
                .map(|(i, &(back, s, when, swelling))| {
                    let mut e = pain(i as i64, d(back), s, when);
                    e.swelling = swelling;
                    e
                })
                .collect();
            let got = assess(&entries, &[], &settings, today);
            assert_eq!(got.zone, zone, "{name}: {:?}", got.reasons);
            assert_eq!(
                got.see_professional, professional,
                "{name}: {:?}",
                got.referral
            );
            assert_eq!(code(&got.reasons[0]), first, "{name}: {:?}", got.reasons);
        }
    }

    #[test]
    fn a_green_day_after_red_speaks_of_the_ratings_since_the_red_day() {
        let today = day(2026, 6, 24);
        let ratings = [
            pain(1, day(2026, 6, 20), 1, PainWhen::After),
            pain(2, day(2026, 6, 22), 6, PainWhen::After),
            pain(3, day(2026, 6, 23), 1, PainWhen::Daily),
            pain(4, day(2026, 6, 24), 2, PainWhen::Morning),
        ];
        let got = assess(&ratings, &[], &PainSettings::default(), today);
        assert_eq!(got.zone, Zone::Green);
        assert_eq!(
            got.reasons,
            vec![ZoneReason::SettledAfterRed {
                red: day(2026, 6, 22),
                settled: day(2026, 6, 23),
                max: 2,
                green_max: 2,
                ceiling: 2,
            }]
        );
        assert_eq!(
            crate::render::words::zone_reason(&got.reasons[0], crate::settings::Units::Km),
            "back from the red zone of 2026-06-22: the knee settled on 2026-06-23, and pain \
             since is at most 2/10, within the green zone (0-2) and your ceiling of 2"
        );
        // Once the red day has left the window, the window's ratings speak again.
        let later = assess(&ratings, &[], &PainSettings::default(), day(2026, 6, 29));
        assert_eq!(code(&later.reasons[0]), "quiet", "{:?}", later.reasons);
    }

    #[test]
    fn red_from_before_the_lookback_lasts_until_a_calm_rating_settles_it() {
        let settings = PainSettings::default();
        let today = day(2026, 11, 22);
        let back = |days: i64| shift(today, -days);
        // Red 30 weeks ago (the lookback is 26), and nothing logged since.
        let red = pain(1, back(210), 7, PainWhen::After);
        let got = assess(std::slice::from_ref(&red), &[], &settings, today);
        assert_eq!(got.zone, Zone::Red, "{:?}", got.reasons);
        assert!(got.see_professional);
        assert_eq!(code(&got.reasons[0]), "not_settled", "{:?}", got.reasons);
        assert_eq!(got.red_since, Some(back(210)));
        // Amber ratings since do not settle it either.
        let amber = pain(2, back(200), 4, PainWhen::Daily);
        let got = assess(&[red.clone(), amber.clone()], &[], &settings, today);
        assert_eq!(got.zone, Zone::Red, "{:?}", got.reasons);
        // A calm rating before the lookback settled it: nothing of it is left.
        let calm = pain(3, back(195), 1, PainWhen::Daily);
        let got = assess(&[red.clone(), amber, calm], &[], &settings, today);
        assert_eq!(
            (got.zone, got.red_since),
            (Zone::Green, None),
            "{:?}",
            got.reasons
        );
        // A calm rating today settles it: the ladder starts from there.
        let today_calm = pain(4, today, 0, PainWhen::Daily);
        let ratings = [red, today_calm];
        let got = assess(&ratings, &[], &settings, today);
        assert_eq!(
            (got.zone, got.red_since),
            (Zone::Green, None),
            "{:?}",
            got.reasons
        );
        let knee = KneeHistory::new(&PainLog::new(&ratings, today), &settings, today);
        let red = knee.red.map(|r| (r.date, r.cause));
        assert_eq!(red, Some((back(210), ReferralCause::RedPain)));
        assert_eq!(knee.settled.map(|s| s.0), Some(today));
    }

    #[test]
    fn a_rating_within_the_ceiling_does_not_say_hold_beside_one_that_cuts() {
        // 3/10 after a run, within a ceiling of 5, and the next morning's 1 -> 4 rise: the
        // episode cuts, and the 3/10 reason says amber without "hold the load".
        let settings = PainSettings {
            ceiling: 5,
            ..PainSettings::default()
        };
        let today = day(2026, 11, 22);
        let runs = [
            run(1, shift(today, -2), 6_000.0),
            run(2, shift(today, -1), 5_000.0),
        ];
        let ratings = [
            pain(1, shift(today, -2), 3, PainWhen::After),
            pain(2, shift(today, -1), 1, PainWhen::After),
            pain(3, today, 4, PainWhen::Morning),
        ];
        let got = assess(&ratings, &runs, &settings, today);
        assert!(!got.amber.unwrap().acceptable);
        let amber_pain: Vec<bool> = got
            .reasons
            .iter()
            .filter_map(|r| match r {
                ZoneReason::AmberPain { acceptable, .. } => Some(*acceptable),
                _ => None,
            })
            .collect();
        assert_eq!(amber_pain, [false]);
        assert!(got
            .reasons
            .iter()
            .any(|r| matches!(r, ZoneReason::MorningRise { .. })));
    }

    #[test]
    fn pain_within_the_ceiling_is_held_from_where_its_spell_began() {
        let today = day(2026, 11, 22);
        let within = |ceiling| PainSettings {
            ceiling,
            ..PainSettings::default()
        };
        let on = |days: &[(i64, u8)]| -> (Vec<Activity>, Vec<PainEntry>) {
            let runs = days
                .iter()
                .enumerate()
                .map(|(i, (d, _))| run(i as i64 + 1, shift(today, *d), 8_000.0))
                .collect();
            let ratings = days
                .iter()
                .enumerate()
                .map(|(i, (d, score))| {
                    pain(i as i64 + 1, shift(today, *d), *score, PainWhen::After)
                })
                .collect();
            (runs, ratings)
        };
        let episode = |days: &[(i64, u8)], settings: &PainSettings| {
            let (runs, ratings) = on(days);
            let amber = assess(&ratings, &runs, settings, today).amber.unwrap();
            (
                (amber.arose - today).num_days(),
                amber.hurt_runs,
                amber.acceptable,
            )
        };
        // Every few days 3/10 within a ceiling of 5: the spell began 19 days ago, and the runs
        // that hurt are those of its first week (the plan's later, shorter runs are not).
        let spell = [(-19, 3), (-14, 3), (-9, 3), (-4, 3), (-1, 3)];
        assert_eq!(episode(&spell, &within(5)), (-19, vec![1, 2], true));
        // Above a ceiling of 2 the same pain cuts below the load of the recent window.
        assert_eq!(episode(&spell, &within(2)), (-4, vec![4, 5], false));
        // Seven days without pain above green end a spell.
        let broken = [(-19, 3), (-11, 3), (-6, 3), (-1, 3)];
        assert_eq!(episode(&broken, &within(5)), (-11, vec![2, 3], true));
        // So does pain above the ceiling, and a red day.
        let above = [(-14, 5), (-9, 3), (-4, 3), (-1, 3)];
        assert_eq!(episode(&above, &within(4)), (-9, vec![2, 3], true));
        let red = [(-15, 3), (-14, 7), (-13, 0), (-10, 3), (-5, 3), (-1, 3)];
        assert_eq!(episode(&red, &within(5)), (-10, vec![4, 5], true));
    }

    #[test]
    fn tendon_model_holds_stable_pain_within_a_ceiling_of_five() {
        let settings = PainSettings {
            ceiling: 5,
            ..PainSettings::default()
        };
        let today = day(2026, 11, 22);
        let runs = [run(9, shift(today, -1), 6_000.0)];
        let ratings = [
            pain(1, shift(today, -1), 3, PainWhen::After),
            pain(2, today, 3, PainWhen::Morning),
        ];
        let got = assess(&ratings, &runs, &settings, today);
        assert_eq!(got.zone, Zone::Amber);
        let amber = got.amber.unwrap();
        assert!(amber.acceptable, "stable pain within the ceiling holds");
        assert_eq!(amber.hurt_runs, vec![9]);
        assert_eq!(amber.arose, shift(today, -1));
        // The same pain above a ceiling of 2 cuts.
        let got = assess(&ratings, &runs, &PainSettings::default(), today);
        assert!(!got.amber.unwrap().acceptable);
    }

    #[test]
    fn persisting_amber_refers_until_the_knee_settles() {
        let today = day(2026, 11, 22);
        let settings = PainSettings {
            ceiling: 5,
            ..PainSettings::default()
        };
        let mut ratings: Vec<PainEntry> = (0..30)
            .step_by(2)
            .map(|back| pain(back, shift(today, -back), 3, PainWhen::After))
            .collect();
        let got = assess(&ratings, &[], &settings, today);
        assert_eq!(got.zone, Zone::Amber);
        let referral = got.referral.unwrap();
        assert_eq!(referral.cause, ReferralCause::PersistingAmber);
        assert_eq!(referral.weeks, Some(4));
        // Three weeks of amber: not yet.
        let short: Vec<PainEntry> = ratings
            .iter()
            .filter(|e| e.date > shift(today, -20))
            .cloned()
            .collect();
        assert!(!assess(&short, &[], &settings, today).see_professional);
        // A week of calm mornings after it settles the advice.
        for back in 1..=8 {
            ratings.push(pain(100 + back, shift(today, back), 1, PainWhen::Morning));
        }
        assert!(!assess(&ratings, &[], &settings, shift(today, 8)).see_professional);
    }

    #[test]
    fn a_calm_week_between_amber_ratings_is_no_persisting_amber() {
        // 3/10 once a week for three weeks, nine calm days, then 3/10 today: four 7-day windows
        // a week apart each hold a rating, but the nine days in between were calm.
        let today = day(2026, 11, 22);
        let settings = PainSettings {
            ceiling: 5,
            ..PainSettings::default()
        };
        let mut ratings: Vec<PainEntry> = [24, 17, 10, 0]
            .iter()
            .map(|back| pain(*back, shift(today, -back), 3, PainWhen::After))
            .collect();
        ratings
            .extend((1..=9).map(|back| pain(100 + back, shift(today, -back), 1, PainWhen::After)));
        let got = assess(&ratings, &[], &settings, today);
        assert_eq!(got.zone, Zone::Amber);
        assert_eq!(got.referral, None);
    }
}
