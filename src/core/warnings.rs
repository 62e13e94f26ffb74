//! Warnings: which rules of DOMAIN.md §4 fire for a runner's history, what the knee says
//! (DOMAIN.md §5), and which records are left out as implausible — each with the numbers that
//! triggered it, typed, so that `render` writes the words in the runner's units.
//!
//! Each warning says how much weight it deserves. Single-run distance spikes are the primary,
//! evidence-backed load signal (Frandsen et al. 2025), and the runner's own pain is the other
//! primary signal; weekly ramps, the acute:chronic ratio and monotony are context, because the
//! same study found no association for ACWR or week-to-week ratios, a 10%-rule programme did not
//! prevent injuries (Buist et al. 2008) and ACWR adjustments have no proven preventive effect
//! (Impellizzeri et al. 2020). Descent spikes use the distance bands on descent: knee-relevant,
//! but untested, so also context.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::core::load::{shift, week_start_of, LoadSeries, LoadSettings};
use crate::core::plausibility::Flagged;
use crate::core::ramp::RampRule;
use crate::core::spikes::{spikes, RunSpike, SpikeBand, SpikeMetric};
use crate::core::zone::{Referral, Zone, ZoneAssessment, ZoneReason};
use crate::model::Activity;

/// Rounding slack, in percent or ratio units, for thresholds that are "more than" a value.
const SLACK: f64 = 1e-9;

/// The stable identifiers of the warning rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    SingleRunSpike,
    DescentSpike,
    WeeklyRamp,
    WeeklyDescentRamp,
    Acwr,
    Monotony,
    KneePain,
    ImplausibleRecord,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::SingleRunSpike => "single_run_spike",
            Rule::DescentSpike => "descent_spike",
            Rule::WeeklyRamp => "weekly_ramp",
            Rule::WeeklyDescentRamp => "weekly_descent_ramp",
            Rule::Acwr => "acwr",
            Rule::Monotony => "monotony",
            Rule::KneePain => "knee_pain",
            Rule::ImplausibleRecord => "implausible_record",
        }
    }
}

/// How strongly a warning asks for action, from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Caution,
    High,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Caution => "caution",
            Severity::High => "high",
        }
    }
}

/// How much weight the rule behind a warning deserves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// Associated with injury in a large prospective study, or the runner's own pain.
    Primary,
    /// Worth knowing, but not shown to predict or prevent injury.
    Context,
}

/// A run whose distance or descent spiked against the longest (or hilliest) run of the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpikeDetail {
    pub metric: SpikeMetric,
    pub value_m: f64,
    /// The longest (or hilliest) run of the window; `None` after a layoff.
    pub reference_m: Option<f64>,
    pub change_pct: f64,
    /// The reference raised to the configured minimum, and the change against it.
    pub judged_against_m: f64,
    pub judged_change_pct: f64,
    pub band: SpikeBand,
    pub hazard_ratio: f64,
    pub window_days: u32,
    /// The next runs should stay at or under this: the small band's edge over the reference,
    /// or the plan's tighter cap ([`within_plan`]).
    pub next_cap_m: f64,
    /// `next_cap_m` is the plan's cap for the days ahead (0: the plan has no running).
    pub plan_cap: bool,
}

/// Which load a weekly ramp is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RampMetric {
    Distance,
    Descent,
}

/// A week that rose more than the ramp threshold over the week before or the four before.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RampDetail {
    pub metric: RampMetric,
    pub week_start: NaiveDate,
    pub week_m: f64,
    pub previous_week_m: f64,
    pub ramp_pct: Option<f64>,
    pub mean_4wk_m: Option<f64>,
    pub ramp_vs_4wk_pct: Option<f64>,
    /// Smaller references are raised to this before judging.
    pub floor_m: f64,
    /// The week is still under way.
    pub partial: bool,
    /// Next week should stay at or under this: the week's own figure, or the plan's tighter
    /// one for next week ([`within_plan`]).
    pub next_week_cap_m: f64,
    /// `next_week_cap_m` is the plan's.
    pub plan_cap: bool,
}

/// Where the acute:chronic ratios stand, when outside the comfortable band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AcwrLevel {
    Low,
    Caution,
    High,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AcwrDetail {
    pub level: AcwrLevel,
    pub uncoupled: Option<f64>,
    pub ewma: Option<f64>,
    pub acute_m: f64,
    pub chronic_weekly_m: f64,
    /// The band edge that was crossed.
    pub edge: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonotonyDetail {
    pub monotony: f64,
    pub strain: f64,
    pub threshold: f64,
    pub week_m: f64,
}

/// What the knee says today.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KneeDetail {
    pub zone: Zone,
    pub reasons: Vec<ZoneReason>,
    pub referral: Option<Referral>,
}

/// The typed content of a warning; `render` turns it into the message, source and advice.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Detail {
    Spike(SpikeDetail),
    Ramp(RampDetail),
    Acwr(AcwrDetail),
    Monotony(MonotonyDetail),
    Knee(KneeDetail),
    Implausible(Flagged),
}

/// One warning. Its JSON form (the documented fields `rule`, `severity`, `date`, `activity_id`,
/// `message`, `evidence`, `source`, `advice`, `values`, plus `code` and `detail`) is written by
/// `render`.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    pub rule: Rule,
    pub severity: Severity,
    /// The local day the warning is about: the run's day, a week's last day (or today), or the
    /// day a ratio crossed its band.
    pub date: NaiveDate,
    /// The run the warning is about, when it is about one run.
    pub activity_id: Option<i64>,
    pub evidence: Evidence,
    pub detail: Detail,
    /// The numbers that triggered the warning (metres, percent, ratios).
    pub values: BTreeMap<String, f64>,
}

/// What the plan allows in the days ahead: the most a warning's advice may say.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanLimits {
    /// The longest run planned from today on (0: no running planned).
    pub run_m: f64,
    /// The largest descent budget of one of those runs; `None` when one of them has none.
    pub run_descent_m: Option<f64>,
    /// The plan's weeks: their first day, running distance and descent (this week's with what
    /// is done). A ramp warning about a week is held to the plan of the week after it.
    pub weeks: [(NaiveDate, f64, f64); 2],
}

/// Brings the advice of the load warnings within what the plan allows, so that `check` never
/// advises more than `plan` plans (DOMAIN.md §7: the same state, the same numbers). The plan
/// is the tighter of the two when the knee or a threshold holds it back.
pub fn within_plan<'w>(warnings: impl IntoIterator<Item = &'w mut Warning>, limits: &PlanLimits) {
    let tighten = |cap: &mut f64, by_plan: &mut bool, limit: f64| {
        if limit < *cap {
            *cap = limit.max(0.0);
            *by_plan = true;
        }
    };
    for w in warnings {
        match &mut w.detail {
            Detail::Spike(s) => {
                let limit = match s.metric {
                    SpikeMetric::Distance => Some(limits.run_m),
                    // Descent stays out when no run is planned.
                    SpikeMetric::Descent if limits.run_m <= 0.0 => Some(0.0),
                    SpikeMetric::Descent => limits.run_descent_m,
                };
                if let Some(limit) = limit {
                    tighten(&mut s.next_cap_m, &mut s.plan_cap, limit);
                }
            }
            Detail::Ramp(r) => {
                let after = shift(r.week_start, 7);
                let Some(&(_, distance, descent)) =
                    limits.weeks.iter().find(|(start, ..)| *start == after)
                else {
                    continue;
                };
                let limit = match r.metric {
                    RampMetric::Distance => distance,
                    RampMetric::Descent => descent,
                };
                tighten(&mut r.next_week_cap_m, &mut r.plan_cap, limit);
            }
            _ => {}
        }
    }
}

/// The load warnings that hold today — spikes of the runs in the last 7 days, ramps of the
/// current and the previous week, ACWR and monotony at today — or, with `since`, every warning
/// raised from `since` to `today`: every spike, every week's ramp, each ACWR episode (days in a
/// row outside the band) on the day it began and on the day it escalated to high, and each
/// monotony episode on the day it began (an episode already under way on `since` is raised on
/// `since`). Activities after `today` are ignored. Sorted by date, then from the most severe.
pub fn check(
    activities: &[Activity],
    settings: &LoadSettings,
    today: NaiveDate,
    since: Option<NaiveDate>,
) -> Vec<Warning> {
    let since = since.map(|day| day.min(today));
    let from = since.unwrap_or(shift(today, -6));
    let series = LoadSeries::new(activities, settings, today, from);
    let mut out = Vec::new();

    for metric in [SpikeMetric::Distance, SpikeMetric::Descent] {
        out.extend(
            spikes(activities, settings, metric, Some(today))
                .iter()
                .filter(|spike| spike.date >= from)
                .filter_map(|spike| spike_warning(spike, settings)),
        );
    }

    let current = week_start_of(today, settings.week_start);
    let mut week = match since {
        Some(day) => week_start_of(day, settings.week_start),
        None => shift(current, -7),
    };
    while week <= current {
        out.extend(ramp_warnings(&series, week));
        week = shift(week, 7);
    }

    match since {
        None => {
            out.extend(acwr_level(&series, today).map(|level| acwr_warning(&series, today, level)));
            out.extend(monotony_warning(&series, today));
        }
        Some(first) => out.extend(episodes(&series, first, today)),
    }
    sort(&mut out);
    out
}

/// The ACWR and monotony episodes from `first` to `today`.
fn episodes(series: &LoadSeries, first: NaiveDate, today: NaiveDate) -> Vec<Warning> {
    let mut out = Vec::new();
    // The level an ACWR episode (a run of days outside the band) has been raised at.
    let (mut episode, mut monotony_before) = (None, false);
    let mut day = first;
    while day <= today {
        let level = acwr_level(series, day);
        let raise = match (episode, level) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(before), Some(now)) => {
                now != before
                    && (now == AcwrLevel::High || now == AcwrLevel::Low || before == AcwrLevel::Low)
            }
        };
        if raise {
            if let Some(now) = level {
                out.push(acwr_warning(series, day, now));
            }
            episode = level;
        } else if level.is_none() {
            episode = None;
        }
        let monotony = monotony_warning(series, day);
        let holds = monotony.is_some();
        if holds && !monotony_before {
            out.extend(monotony);
        }
        monotony_before = holds;
        day = shift(day, 1);
    }
    out
}

/// The local days whose activities [`warnings_for`] needs to judge runs dated `first..=last`:
/// those days and the spike window before them, two days wider on each side for the time-zone
/// offsets. A run's window counts 24-hour days back from its start, and a run that started
/// earlier can carry a later local date (in a zone further east). With only these activities,
/// the warnings are the ones the whole history gives.
pub fn spike_context(
    first: NaiveDate,
    last: NaiveDate,
    settings: &LoadSettings,
) -> (NaiveDate, NaiveDate) {
    const ZONES: u64 = 2;
    let back = chrono::Days::new(u64::from(settings.spike_window_days) + ZONES);
    (
        first.checked_sub_days(back).unwrap_or(NaiveDate::MIN),
        last.checked_add_days(chrono::Days::new(ZONES))
            .unwrap_or(NaiveDate::MAX),
    )
}

/// The spike warnings raised by the activities in `ids` (for example, the runs just imported),
/// each judged against the history before it (all of it, or the days of [`spike_context`]).
pub fn warnings_for(activities: &[Activity], settings: &LoadSettings, ids: &[i64]) -> Vec<Warning> {
    let mut out: Vec<Warning> = [SpikeMetric::Distance, SpikeMetric::Descent]
        .into_iter()
        .flat_map(|metric| spikes(activities, settings, metric, None))
        .filter(|spike| ids.contains(&spike.activity_id))
        .filter_map(|spike| spike_warning(&spike, settings))
        .collect();
    sort(&mut out);
    out
}

/// The knee's warning today: amber is a caution, red or swelling high (DOMAIN.md §5). The pain
/// is the runner's own signal, so it is primary.
pub fn knee_warning(zone: &ZoneAssessment, today: NaiveDate) -> Option<Warning> {
    let severity = match zone.zone {
        Zone::Green if zone.referral.is_some() => Severity::Caution,
        Zone::Green => return None,
        Zone::Amber => Severity::Caution,
        Zone::Red => Severity::High,
    };
    let latest = zone.latest.as_ref().map(|l| l.date);
    Some(Warning {
        rule: Rule::KneePain,
        severity,
        date: latest.unwrap_or(today).min(today),
        activity_id: None,
        evidence: Evidence::Primary,
        values: values([(
            "latest_pain",
            zone.latest
                .as_ref()
                .map_or(f64::NAN, |l| f64::from(l.score)),
        )]),
        detail: Detail::Knee(KneeDetail {
            zone: zone.zone,
            reasons: zone.reasons.clone(),
            referral: zone.referral.clone(),
        }),
    })
}

/// One caution per record left out of every estimate as implausible.
pub fn implausible_warnings(flagged: &[Flagged], today: NaiveDate) -> Vec<Warning> {
    flagged
        .iter()
        .map(|f| Warning {
            rule: Rule::ImplausibleRecord,
            severity: Severity::Caution,
            date: f.date.unwrap_or(today).min(today),
            activity_id: Some(f.activity_id),
            evidence: Evidence::Context,
            values: values([("distance_m", f.distance_m), ("moving_s", f.moving_s)]),
            detail: Detail::Implausible(f.clone()),
        })
        .collect()
}

pub(crate) fn sort(warnings: &mut [Warning]) {
    warnings.sort_by(|a, b| {
        a.date
            .cmp(&b.date)
            .then(b.severity.cmp(&a.severity))
            .then(a.rule.cmp(&b.rule))
            .then(a.activity_id.cmp(&b.activity_id))
    });
}

fn values<const N: usize>(pairs: [(&str, f64); N]) -> BTreeMap<String, f64> {
    pairs
        .into_iter()
        .filter(|(_, v)| v.is_finite())
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

/// A warning for a run whose spike reaches an alert band.
fn spike_warning(spike: &RunSpike, settings: &LoadSettings) -> Option<Warning> {
    let alert = spike.alert?;
    let against = spike.judged_against_m?;
    let reference = spike.reference_m;
    let judged_pct = (spike.value_m / against - 1.0) * 100.0;
    let change = spike.change_pct.unwrap_or(judged_pct);
    let severity = if alert == SpikeBand::From10To30 {
        Severity::Caution
    } else {
        Severity::High
    };
    let hazard = alert.hazard_ratio().unwrap_or(1.0);
    let (rule, evidence, value_key) = match spike.metric {
        SpikeMetric::Distance => (Rule::SingleRunSpike, Evidence::Primary, "distance_m"),
        SpikeMetric::Descent => (Rule::DescentSpike, Evidence::Context, "descent_m"),
    };
    Some(Warning {
        rule,
        severity,
        date: spike.date,
        activity_id: Some(spike.activity_id),
        evidence,
        values: values([
            (value_key, spike.value_m),
            ("reference_m", reference.unwrap_or(f64::NAN)),
            ("change_pct", change),
            ("judged_against_m", against),
            ("judged_change_pct", judged_pct),
            ("hazard_ratio", hazard),
        ]),
        detail: Detail::Spike(SpikeDetail {
            metric: spike.metric,
            value_m: spike.value_m,
            reference_m: reference,
            change_pct: change,
            judged_against_m: against,
            judged_change_pct: judged_pct,
            band: alert,
            hazard_ratio: hazard,
            window_days: settings.spike_window_days,
            next_cap_m: against * (1.0 + settings.spike_low_pct / 100.0),
            plan_cap: false,
        }),
    })
}

/// The weekly ramp warnings of the week starting at `week`: distance and descent, each against
/// the previous week and against the mean of the four weeks before.
fn ramp_warnings(series: &LoadSeries, week: NaiveDate) -> Vec<Warning> {
    let settings = series.settings();
    let date = series.evaluation_day(week);
    let now = series.week_totals(week);
    let before = series.week_totals(shift(week, -7));
    let mean = series.four_week_mean(week);
    let partial = date < shift(week, 6);
    let checks = [
        (
            RampMetric::Distance,
            now.distance_m,
            before.distance_m,
            mean.map(|(d, _)| d),
            RampRule::distance(settings),
        ),
        (
            RampMetric::Descent,
            now.descent_m,
            before.descent_m,
            mean.map(|(_, d)| d),
            RampRule::descent(settings),
        ),
    ];
    let mut out = Vec::new();
    for (metric, now, before, mean, rule) in checks {
        let vs_week = rule.exceeded(now, before);
        let vs_mean = mean.and_then(|mean| rule.exceeded(now, mean));
        if vs_week.is_none() && vs_mean.is_none() {
            continue;
        }
        out.push(Warning {
            rule: match metric {
                RampMetric::Distance => Rule::WeeklyRamp,
                RampMetric::Descent => Rule::WeeklyDescentRamp,
            },
            severity: Severity::Caution,
            date,
            activity_id: None,
            evidence: Evidence::Context,
            values: values([
                ("week_m", now),
                ("previous_week_m", before),
                ("ramp_pct", vs_week.unwrap_or(f64::NAN)),
                ("mean_4wk_m", mean.unwrap_or(f64::NAN)),
                ("ramp_vs_4wk_pct", vs_mean.unwrap_or(f64::NAN)),
                ("partial_week", if partial { 1.0 } else { 0.0 }),
            ]),
            detail: Detail::Ramp(RampDetail {
                metric,
                week_start: week,
                week_m: now,
                previous_week_m: before,
                ramp_pct: vs_week,
                mean_4wk_m: mean,
                ramp_vs_4wk_pct: vs_mean,
                floor_m: rule.floor_m(),
                partial,
                next_week_cap_m: now,
                plan_cap: false,
            }),
        });
    }
    out
}

/// The ACWR level at `day`: the higher of the uncoupled and EWMA ratios decides caution and high,
/// "low" needs every available ratio low. `None` inside the band, without a ratio, or with a
/// chronic load below the configured minimum.
fn acwr_level(series: &LoadSeries, day: NaiveDate) -> Option<AcwrLevel> {
    let settings = series.settings();
    let uncoupled = series.acwr_uncoupled(day);
    let ewma = series.acwr_ewma(day);
    // The chronic load is always the mean week of the 21 days before the last 7: the EWMA's
    // chronic average includes this week's own runs, so after a break it would pass the minimum
    // on the very load it is meant to judge.
    let chronic_week = series.acute_chronic(day).1;
    if chronic_week < settings.acwr_min_chronic_weekly_m {
        return None;
    }
    let ratios: Vec<f64> = [uncoupled, ewma].into_iter().flatten().collect();
    let highest = ratios.iter().copied().fold(f64::NAN, f64::max);
    let lowest = ratios.iter().copied().fold(f64::NAN, f64::min);
    if highest > settings.acwr_high + SLACK {
        Some(AcwrLevel::High)
    } else if highest > settings.acwr_caution + SLACK {
        Some(AcwrLevel::Caution)
    } else if highest < settings.acwr_low - SLACK && lowest < settings.acwr_low - SLACK {
        Some(AcwrLevel::Low)
    } else {
        None
    }
}

fn acwr_warning(series: &LoadSeries, day: NaiveDate, level: AcwrLevel) -> Warning {
    let settings = series.settings();
    let uncoupled = series.acwr_uncoupled(day);
    let ewma = series.acwr_ewma(day);
    let (acute, chronic) = series.acute_chronic(day);
    let (severity, edge) = match level {
        AcwrLevel::High => (Severity::High, settings.acwr_high),
        AcwrLevel::Caution => (Severity::Caution, settings.acwr_caution),
        AcwrLevel::Low => (Severity::Info, settings.acwr_low),
    };
    Warning {
        rule: Rule::Acwr,
        severity,
        date: day,
        activity_id: None,
        evidence: Evidence::Context,
        values: values([
            ("acwr_uncoupled", uncoupled.unwrap_or(f64::NAN)),
            ("acwr_ewma", ewma.unwrap_or(f64::NAN)),
            ("acute_m", acute),
            ("chronic_weekly_m", chronic),
        ]),
        detail: Detail::Acwr(AcwrDetail {
            level,
            uncoupled,
            ewma,
            acute_m: acute,
            chronic_weekly_m: chronic,
            edge,
        }),
    }
}

/// The monotony warning at `day`, when the 7 days ending there are more monotonous than the
/// threshold. Always `info`: monotony describes the pattern of the week, not a spike.
fn monotony_warning(series: &LoadSeries, day: NaiveDate) -> Option<Warning> {
    let settings = series.settings();
    let (monotony, strain) = series.monotony(day)?;
    if monotony <= settings.monotony_threshold + SLACK {
        return None;
    }
    let week_m = series.distance(shift(day, -6), day);
    Some(Warning {
        rule: Rule::Monotony,
        severity: Severity::Info,
        date: day,
        activity_id: None,
        evidence: Evidence::Context,
        values: values([
            ("monotony", monotony),
            ("strain", strain),
            ("week_m", week_m),
        ]),
        detail: Detail::Monotony(MonotonyDetail {
            monotony,
            strain,
            threshold: settings.monotony_threshold,
            week_m,
        }),
    })
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::load::tests::{activity, day, run};
    use crate::model::Sport;
    use chrono::Duration;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_spike_context_gives_the_warnings_of_the_whole_history(
            runs in prop::collection::vec(
                // (day, hour, utc offset in quarter hours, km, new?)
                (0i64..70, 0u32..24, -48i32..=56, 1.0f64..30.0, any::<bool>()),
                1..40,
            ),
        ) {
            let settings = LoadSettings::default();
            let base = day(2026, 1, 1);
            let all: Vec<Activity> = runs
                .iter()
                .enumerate()
                .map(|(i, &(d, hh, q, km, _))| {
                    crate::core::load::tests::activity(
                        i as i64, Sport::Run, base + Duration::days(d), hh, 0, q * 900, km * 1000.0,
                    )
                })
                .collect();
            let new: Vec<&Activity> = all
                .iter()
                .zip(&runs)
                .filter(|(_, r)| r.4)
                .map(|(a, _)| a)
                .collect();
            let ids: Vec<i64> = new.iter().map(|a| a.id).collect();
            let dates = new.iter().filter_map(|a| crate::core::load::local_date(a));
            if let (Some(first), Some(last)) = (dates.clone().min(), dates.max()) {
                let (since, until) = spike_context(first, last, &settings);
                let context: Vec<Activity> = all
                    .iter()
                    .filter(|a| crate::core::load::local_date(a)
                        .is_some_and(|d| (since..=until).contains(&d)))
                    .cloned()
                    .collect();
                // Every new run is judged against the same reference, so it warns alike.
                let judged = |activities: &[Activity]| {
                    let mut spikes = crate::core::spikes::run_spikes(activities, &settings);
                    spikes.retain(|s| ids.contains(&s.activity_id));
                    spikes
                };
                prop_assert_eq!(judged(&context), judged(&all));
                prop_assert_eq!(
                    warnings_for(&context, &settings, &ids),
                    warnings_for(&all, &settings, &ids)
                );
            }
        }
    }

    fn rules(warnings: &[Warning]) -> Vec<(Rule, Severity, NaiveDate)> {
        warnings
            .iter()
            .map(|w| (w.rule, w.severity, w.date))
            .collect()
    }

    #[test]
    fn advice_is_brought_within_a_tighter_plan_and_left_alone_under_a_looser_one() {
        // A 14.2 km run after 10 and 8 km ones: a spike, a descent spike, and a ramp of the
        // week of 10 March over the week before.
        let today = day(2025, 3, 14);
        let mut first = run(1, day(2025, 3, 1), 10_000.0);
        first.descent_m = Some(50.0);
        let mut middle = run(2, day(2025, 3, 5), 8_000.0);
        middle.descent_m = Some(50.0);
        let mut last = run(3, day(2025, 3, 13), 14_200.0);
        last.descent_m = Some(150.0);
        let warnings = check(
            &[first, middle, last],
            &LoadSettings::default(),
            today,
            None,
        );
        let advised = |limits: &PlanLimits| {
            let mut w = warnings.clone();
            within_plan(&mut w, limits);
            w.iter()
                .filter_map(|w| match &w.detail {
                    Detail::Spike(s) => Some((w.rule, s.next_cap_m.round(), s.plan_cap)),
                    Detail::Ramp(r) => Some((w.rule, r.next_week_cap_m.round(), r.plan_cap)),
                    _ => None,
                })
                .collect::<Vec<_>>()
        };
        let (this, next) = (day(2025, 3, 10), day(2025, 3, 17));
        let loose = PlanLimits {
            run_m: 20_000.0,
            run_descent_m: None,
            weeks: [(this, 30_000.0, 900.0), (next, 30_000.0, 900.0)],
        };
        assert_eq!(
            advised(&loose),
            [
                (Rule::SingleRunSpike, 11_000.0, false),
                (Rule::DescentSpike, 55.0, false),
                (Rule::WeeklyRamp, 14_200.0, false)
            ]
        );
        // The ramp of this week is held to next week's plan, not to this week's.
        let amber = PlanLimits {
            run_m: 7_500.0,
            run_descent_m: Some(35.0),
            weeks: [(this, 1_000.0, 900.0), (next, 9_000.0, 900.0)],
        };
        assert_eq!(
            advised(&amber),
            [
                (Rule::SingleRunSpike, 7_500.0, true),
                (Rule::DescentSpike, 35.0, true),
                (Rule::WeeklyRamp, 9_000.0, true)
            ]
        );
        // No plan for the week after the ramp's: its advice stays the rule's.
        let elsewhere = PlanLimits {
            weeks: [(day(2025, 3, 3), 0.0, 0.0), (this, 0.0, 0.0)],
            ..amber
        };
        assert_eq!(advised(&elsewhere)[2], (Rule::WeeklyRamp, 14_200.0, false));
        let red = PlanLimits {
            run_m: 0.0,
            run_descent_m: Some(0.0),
            weeks: [(this, 0.0, 0.0), (next, 0.0, 0.0)],
        };
        assert_eq!(
            advised(&red),
            [
                (Rule::SingleRunSpike, 0.0, true),
                (Rule::DescentSpike, 0.0, true),
                (Rule::WeeklyRamp, 0.0, true)
            ]
        );
    }

    #[test]
    fn single_run_spike_message_and_json() {
        let today = day(2025, 3, 14);
        let mut first = run(1, day(2025, 3, 1), 10000.0);
        first.descent_m = Some(100.0);
        let mut second = run(2, day(2025, 3, 13), 14200.0);
        second.descent_m = Some(100.0);
        let warnings = check(&[first, second], &LoadSettings::default(), today, None);
        assert_eq!(warnings.len(), 1, "{warnings:#?}");
        let w = &warnings[0];
        assert_eq!(w.rule, Rule::SingleRunSpike);
        assert_eq!(w.severity, Severity::High);
        assert_eq!(w.evidence, Evidence::Primary);
        assert_eq!(w.activity_id, Some(2));
        assert_eq!(w.date, day(2025, 3, 13));
        let Detail::Spike(spike) = &w.detail else {
            panic!("{w:?}")
        };
        assert_eq!(spike.value_m, 14_200.0);
        assert_eq!(spike.reference_m, Some(10_000.0));
        assert!((spike.change_pct - 42.0).abs() < 1e-9);
        assert_eq!(spike.band, SpikeBand::From30To100);
        assert_eq!(spike.hazard_ratio, 1.52);
        assert!((spike.next_cap_m - 11_000.0).abs() < 1e-9);
        assert_eq!(w.values["reference_m"], 10_000.0);
    }

    #[test]
    fn spike_severity_cases() {
        // (reference km, run km, severity or none)
        let cases = [
            (10.0, 11.0, None),
            (10.0, 12.0, Some(Severity::Caution)),
            (10.0, 13.0, Some(Severity::Caution)),
            (10.0, 13.5, Some(Severity::High)),
            (10.0, 20.0, Some(Severity::High)),
            (10.0, 25.0, Some(Severity::High)),
            (2.0, 3.0, None),
        ];
        for (reference, distance, want) in cases {
            let mut a = run(1, day(2025, 3, 1), reference * 1000.0);
            a.descent_m = None;
            let mut b = run(2, day(2025, 3, 5), distance * 1000.0);
            b.descent_m = None;
            let got = warnings_for(&[a, b], &LoadSettings::default(), &[2]);
            assert_eq!(
                got.first().map(|w| w.severity),
                want,
                "{reference} {distance}"
            );
            assert!(got.iter().all(|w| w.rule == Rule::SingleRunSpike));
        }
    }

    #[test]
    fn descent_spike_is_context() {
        let mut a = run(1, day(2025, 3, 1), 10000.0);
        a.descent_m = Some(100.0);
        let mut b = run(2, day(2025, 3, 5), 10000.0);
        b.descent_m = Some(250.0);
        let got = warnings_for(&[a, b], &LoadSettings::default(), &[2]);
        assert_eq!(
            rules(&got),
            [(Rule::DescentSpike, Severity::High, day(2025, 3, 5))]
        );
        assert_eq!(got[0].evidence, Evidence::Context);
        let Detail::Spike(spike) = &got[0].detail else {
            panic!("{got:?}")
        };
        assert_eq!((spike.value_m, spike.reference_m), (250.0, Some(100.0)));
        assert!((spike.change_pct - 150.0).abs() < 1e-9);
        // Only the runs asked about: each id gets its own spikes and no other run's.
        let runs = got_runs();
        for id in [1, 2] {
            let got = warnings_for(&runs, &LoadSettings::default(), &[id]);
            assert!(!got.is_empty(), "run {id}");
            assert!(got.iter().all(|w| w.activity_id == Some(id)), "{got:?}");
        }
    }

    fn got_runs() -> Vec<Activity> {
        vec![
            run(1, day(2025, 3, 1), 5000.0),
            run(2, day(2025, 3, 2), 20000.0),
        ]
    }

    #[test]
    fn check_today_looks_back_seven_days_and_since_further() {
        let mut all = got_runs();
        for a in &mut all {
            a.descent_m = None;
        }
        let settings = LoadSettings::default();
        let late = check(&all, &settings, day(2025, 3, 20), None);
        assert!(late.iter().all(|w| w.rule != Rule::SingleRunSpike));
        let recent = check(&all, &settings, day(2025, 3, 8), None);
        assert!(recent.iter().any(|w| w.rule == Rule::SingleRunSpike));
        let since = check(&all, &settings, day(2025, 3, 20), Some(day(2025, 3, 1)));
        let spike = since
            .iter()
            .find(|w| w.rule == Rule::SingleRunSpike && w.activity_id == Some(2))
            .unwrap();
        assert_eq!(spike.date, day(2025, 3, 2));
        // Runs after today are ignored.
        assert!(check(&all, &settings, day(2025, 2, 28), None).is_empty());
    }

    #[test]
    fn weekly_ramp_cases() {
        // (last week km, this week km, rule fires); this week is complete on the Sunday.
        let cases = [
            (10.0, 13.0, false),
            (10.0, 13.5, true),
            // a small reference week is raised to 5 km: 3 -> 6 km is +20%, 4 -> 8 km is +60%
            (3.0, 6.0, false),
            (4.0, 8.0, true),
            (0.0, 20.0, false),
            (20.0, 10.0, false),
        ];
        let monday = day(2025, 3, 10);
        for (before, now, fires) in cases {
            // Several runs a week so that no single run spikes.
            let mut all = Vec::new();
            for (week, km) in [(-7i64, before), (0, now)] {
                for i in 0..4 {
                    let mut a = run(week * 10 + i, shift(monday, week + i), km * 250.0);
                    a.descent_m = None;
                    all.push(a);
                }
            }
            let got = check(&all, &LoadSettings::default(), day(2025, 3, 16), None);
            let ramps: Vec<&Warning> = got.iter().filter(|w| w.rule == Rule::WeeklyRamp).collect();
            assert_eq!(!ramps.is_empty(), fires, "{before} {now}: {got:#?}");
            if let Some(w) = ramps.first() {
                assert_eq!(w.severity, Severity::Caution);
                assert_eq!(w.evidence, Evidence::Context);
                assert_eq!(w.date, day(2025, 3, 16));
                let Detail::Ramp(ramp) = &w.detail else {
                    panic!("{w:?}")
                };
                assert_eq!(ramp.metric, RampMetric::Distance);
                assert!(!ramp.partial);
                assert_eq!(ramp.week_m, now * 1000.0);
            }
        }
    }

    fn steady(weeks: i64, km_a_week: f64, last: NaiveDate) -> Vec<Activity> {
        // Three runs a week (Monday, Wednesday, Friday) for `weeks` weeks before the week of
        // `last`.
        let monday = week_start_of(last, chrono::Weekday::Mon);
        (1..=weeks)
            .flat_map(|w| {
                (0..3).map(move |i| {
                    let mut a = run(
                        w * 10 + i,
                        shift(monday, -7 * w + 2 * i),
                        km_a_week * 1000.0 / 3.0,
                    );
                    a.descent_m = None;
                    a
                })
            })
            .collect()
    }

    #[test]
    fn acwr_cases() {
        // (this week's km over three runs, level)
        let today = day(2025, 3, 16);
        let cases = [
            (30.0, None),
            (39.0, None),
            (42.0, Some(Severity::Caution)),
            (60.0, Some(Severity::High)),
            (15.0, Some(Severity::Info)),
        ];
        for (km, want) in cases {
            let mut all = steady(6, 30.0, today);
            for i in 0..3 {
                let mut a = run(900 + i, shift(day(2025, 3, 10), 2 * i), km * 1000.0 / 3.0);
                a.descent_m = None;
                all.push(a);
            }
            let got = check(&all, &LoadSettings::default(), today, None);
            let acwr: Vec<Severity> = got
                .iter()
                .filter(|w| w.rule == Rule::Acwr)
                .map(|w| w.severity)
                .collect();
            assert_eq!(acwr.first().copied(), want, "{km}: {got:#?}");
        }
    }

    #[test]
    fn acwr_is_quiet_without_history_or_with_tiny_loads() {
        let today = day(2025, 3, 16);
        let all = [run(1, day(2025, 3, 14), 20000.0)];
        assert!(check(&all, &LoadSettings::default(), today, None)
            .iter()
            .all(|w| w.rule != Rule::Acwr));
        let tiny = steady(6, 3.0, today);
        let got = check(&tiny, &LoadSettings::default(), today, None);
        assert!(got.iter().all(|w| w.rule != Rule::Acwr), "{got:#?}");
    }

    #[test]
    fn acwr_is_quiet_on_the_first_week_back_after_a_break() {
        // Runs in early December, twelve weeks off, then three runs of 6 km: there is no
        // chronic load to compare with, so no ACWR warning (the EWMA's chronic average would
        // include this week's own runs).
        let today = day(2025, 3, 16);
        let mut all: Vec<Activity> = (0..3)
            .map(|i| run(i, shift(day(2024, 12, 2), 2 * i), 10_000.0))
            .collect();
        for i in 0..3 {
            all.push(run(10 + i, shift(day(2025, 3, 11), 2 * i), 6_000.0));
        }
        let got = check(&all, &LoadSettings::default(), today, None);
        assert!(got.iter().all(|w| w.rule != Rule::Acwr), "{got:#?}");
    }

    #[test]
    fn acwr_episodes_are_raised_once() {
        let today = day(2025, 3, 30);
        let mut all = steady(8, 30.0, day(2025, 3, 16));
        for i in 0..14 {
            let mut a = run(900 + i, shift(day(2025, 3, 10), i), 9000.0);
            a.descent_m = None;
            all.push(a);
        }
        let got = check(&all, &LoadSettings::default(), today, Some(day(2025, 2, 1)));
        let high: Vec<NaiveDate> = got
            .iter()
            .filter(|w| w.rule == Rule::Acwr && w.severity == Severity::High)
            .map(|w| w.date)
            .collect();
        assert_eq!(high.len(), 1, "{got:#?}");
    }

    #[test]
    fn monotony_cases() {
        // (distances of the 7 days ending today, fires)
        let cases: [([f64; 7], bool); 4] = [
            ([5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 0.0], true),
            ([5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0], false),
            ([5.0, 0.0, 5.0, 0.0, 5.0, 0.0, 10.0], false),
            ([6.0, 5.0, 6.0, 5.0, 6.0, 5.0, 6.0], true),
        ];
        let today = day(2025, 3, 16);
        for (kms, fires) in cases {
            let all: Vec<Activity> = kms
                .iter()
                .enumerate()
                .filter(|(_, km)| **km > 0.0)
                .map(|(i, km)| {
                    let mut a = run(i as i64, shift(today, i as i64 - 6), km * 1000.0);
                    a.descent_m = None;
                    a
                })
                .collect();
            let got = check(&all, &LoadSettings::default(), today, None);
            let monotony: Vec<&Warning> = got.iter().filter(|w| w.rule == Rule::Monotony).collect();
            assert_eq!(!monotony.is_empty(), fires, "{kms:?}");
            if let Some(w) = monotony.first() {
                assert_eq!(
                    (w.severity, w.evidence),
                    (Severity::Info, Evidence::Context)
                );
            }
        }
    }

    #[test]
    fn warnings_sort_by_date_then_severity() {
        let today = day(2025, 3, 16);
        let mut all = steady(6, 30.0, today);
        let mut big = run(100, day(2025, 3, 12), 25000.0);
        big.descent_m = Some(900.0);
        all.push(big);
        let mut prior = run(101, day(2025, 3, 4), 10000.0);
        prior.descent_m = Some(100.0);
        all.push(prior);
        let got = check(&all, &LoadSettings::default(), today, Some(day(2025, 3, 1)));
        assert!(!got.is_empty());
        for pair in got.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            assert!(a.date < b.date || (a.date == b.date && a.severity >= b.severity));
        }
    }

    #[test]
    fn the_knee_and_implausible_records_are_warnings_too() {
        use crate::core::zone::tests::pain;
        use crate::core::zone::{assess, PainSettings};
        use crate::model::PainWhen;
        let today = day(2025, 3, 16);
        let settings = PainSettings::default();
        let red = assess(&[pain(1, today, 7, PainWhen::After)], &[], &settings, today);
        let w = knee_warning(&red, today).unwrap();
        assert_eq!(
            (w.rule, w.severity, w.evidence),
            (Rule::KneePain, Severity::High, Evidence::Primary)
        );
        let amber = assess(&[pain(1, today, 4, PainWhen::After)], &[], &settings, today);
        assert_eq!(
            knee_warning(&amber, today).unwrap().severity,
            Severity::Caution
        );
        let green = assess(&[pain(1, today, 1, PainWhen::After)], &[], &settings, today);
        assert_eq!(knee_warning(&green, today), None);
        let mut typo = run(5, shift(today, -1), 200_000.0);
        typo.moving_s = 6.0 * 3600.0;
        let flagged = crate::core::plausibility::review(&[typo], today);
        let got = implausible_warnings(&flagged, today);
        assert_eq!(
            rules(&got),
            [(Rule::ImplausibleRecord, Severity::Caution, shift(today, -1))]
        );
        assert_eq!(got[0].activity_id, Some(5));
    }

    #[test]
    fn no_history_gives_no_warnings() {
        let settings = LoadSettings::default();
        assert!(check(&[], &settings, day(2025, 3, 16), None).is_empty());
        assert!(check(&[], &settings, day(2025, 3, 16), Some(day(2020, 1, 1))).is_empty());
        assert!(warnings_for(&[], &settings, &[1, 2]).is_empty());
    }

    #[test]
    fn ten_years_of_runs_raise_spike_warnings() {
        let start = day(2015, 1, 1);
        let all: Vec<Activity> = (0..4000)
            .map(|i| {
                let mut a = activity(
                    i,
                    Sport::Run,
                    shift(start, i * 10 / 11),
                    6,
                    30,
                    3600,
                    3000.0 + (i % 17) as f64 * 800.0,
                );
                a.descent_m = Some((i % 23) as f64 * 20.0);
                a
            })
            .collect();
        let got = check(&all, &LoadSettings::default(), day(2025, 1, 1), Some(start));
        assert!(got.iter().any(|w| w.rule == Rule::SingleRunSpike));
        assert!(got
            .iter()
            .all(|w| w.date >= start && w.date <= day(2025, 1, 1)));
    }

    proptest! {
        #[test]
        fn check_never_panics(
            runs in prop::collection::vec((0i64..400 * 24, 0.0f64..40000.0, 0usize..16), 0..50),
            today_offset in -10i64..420,
            since_offset in prop::option::of(-30i64..420),
        ) {
            let base = day(2024, 1, 1);
            let all: Vec<Activity> = runs
                .iter()
                .enumerate()
                .map(|(i, &(hours, distance, sport))| {
                    let mut a = run(i as i64, base, distance);
                    a.sport = Sport::ALL[sport];
                    a.start = a.start.map(|s| s + Duration::hours(hours));
                    a
                })
                .collect();
            let today = shift(base, today_offset);
            let since = since_offset.map(|d| shift(base, d));
            let got = check(&all, &LoadSettings::default(), today, since);
            for w in &got {
                prop_assert!(w.date <= today);
                prop_assert!(w.values.values().all(|v| v.is_finite()));
            }
        }
    }
}
