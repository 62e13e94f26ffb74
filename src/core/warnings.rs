//! Load warnings: which rules of DOMAIN.md §4 fire for a runner's history, in plain words, with
//! the numbers that triggered them, the study behind each rule and what to do about the knee.
//!
//! Each warning says how much weight it deserves. Single-run distance spikes are the primary,
//! evidence-backed signal (Frandsen et al. 2025); weekly ramps, the acute:chronic ratio and
//! monotony are context, because the same study found no association for ACWR or week-to-week
//! ratios, a 10%-rule programme did not prevent injuries (Buist et al. 2008) and ACWR
//! adjustments have no proven preventive effect (Impellizzeri et al. 2020). Descent spikes use the
//! distance bands on descent: knee-relevant, but untested, so also context.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::core::load::{shift, week_start_of, LoadSeries, LoadSettings};
use crate::core::spikes::{spikes, RunSpike, SpikeBand, SpikeMetric};
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
    /// Associated with injury in a large prospective study.
    Primary,
    /// Worth knowing, but not shown to predict or prevent injury.
    Context,
}

/// One warning; the field names are a stable JSON interface.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    pub rule: Rule,
    pub severity: Severity,
    /// The local day the warning is about: the run's day, a week's last day (or today), or the
    /// day a ratio crossed its band.
    pub date: NaiveDate,
    /// The run the warning is about, when it is about one run (`null` otherwise).
    pub activity_id: Option<i64>,
    pub message: String,
    pub evidence: Evidence,
    pub source: String,
    pub advice: String,
    /// The numbers that triggered the warning (metres, percent, ratios).
    pub values: BTreeMap<String, f64>,
}

/// The warnings that hold today — spikes of the runs in the last 7 days, ramps of the current
/// and the previous week, ACWR and monotony at today — or, with `since`, every warning raised
/// from `since` to `today`: every spike, every week's ramp, each ACWR episode (days in a row
/// outside the band) on the day it began and on the day it escalated to high, and each monotony
/// episode on the day it began (an episode already under way on `since` is raised on `since`). Activities after
/// `today` are ignored. Sorted by date, then from the most severe.
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
        Some(first) => {
            // The level an ACWR episode (a run of days outside the band) has been raised at.
            let (mut episode, mut monotony_before) = (None, false);
            let mut day = first;
            while day <= today {
                let level = acwr_level(&series, day);
                let raise = match (episode, level) {
                    (_, None) => false,
                    (None, Some(_)) => true,
                    (Some(before), Some(now)) => {
                        now != before
                            && (now == AcwrLevel::High
                                || now == AcwrLevel::Low
                                || before == AcwrLevel::Low)
                    }
                };
                if raise {
                    if let Some(now) = level {
                        out.push(acwr_warning(&series, day, now));
                    }
                    episode = level;
                } else if level.is_none() {
                    episode = None;
                }
                let monotony = monotony_warning(&series, day);
                let holds = monotony.is_some();
                if holds && !monotony_before {
                    out.extend(monotony);
                }
                monotony_before = holds;
                day = shift(day, 1);
            }
        }
    }
    sort(&mut out);
    out
}

/// The spike warnings raised by the activities in `ids` (for example, the runs just imported),
/// each judged against the whole history before it.
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

fn sort(warnings: &mut [Warning]) {
    warnings.sort_by(|a, b| {
        a.date
            .cmp(&b.date)
            .then(b.severity.cmp(&a.severity))
            .then(a.rule.cmp(&b.rule))
            .then(a.activity_id.cmp(&b.activity_id))
    });
}

fn km(metres: f64) -> String {
    format!("{:.1} km", metres / 1000.0)
}

fn metres(value: f64) -> String {
    format!("{value:.0} m")
}

fn values<const N: usize>(pairs: [(&str, f64); N]) -> BTreeMap<String, f64> {
    pairs
        .into_iter()
        .filter(|(_, v)| v.is_finite())
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

/// The band names and hazard ratios as Frandsen et al. 2025 report them.
fn study_band(band: SpikeBand) -> &'static str {
    match band {
        SpikeBand::From10To30 => "10-30%",
        SpikeBand::From30To100 => "30-100%",
        SpikeBand::Over100 => "more than 100%",
        SpikeBand::NoReference | SpikeBand::UpTo10 => "up to 10%",
    }
}

/// A warning for a run whose spike reaches an alert band.
fn spike_warning(spike: &RunSpike, settings: &LoadSettings) -> Option<Warning> {
    let alert = spike.alert?;
    let reference = spike.reference_m?;
    let against = spike.judged_against_m.unwrap_or(reference);
    let change = spike.change_pct?;
    let severity = if alert == SpikeBand::From10To30 {
        Severity::Caution
    } else {
        Severity::High
    };
    let hazard = alert.hazard_ratio().unwrap_or(1.0);
    let window = settings.spike_window_days;
    let cap = against * (1.0 + settings.spike_low_pct / 100.0);
    let judged_pct = (spike.value_m / against - 1.0) * 100.0;
    let (rule, evidence, mut message, source, advice, value_key) = match spike.metric {
        SpikeMetric::Distance => (
            Rule::SingleRunSpike,
            Evidence::Primary,
            format!(
                "This run ({}) was {change:.0}% longer than your longest run of the previous \
                 {window} days ({}).",
                km(spike.value_m),
                km(reference)
            ),
            format!(
                "Frandsen et al. 2025, BJSM 59:1203 (5,205 runners): HR {hazard:.2} for a run \
                 {} longer than the longest of the previous 30 days",
                study_band(alert)
            ),
            format!(
                "Keep the next runs at or below {} and flat; see how the knee feels tomorrow \
                 morning.",
                km(cap)
            ),
            "distance_m",
        ),
        SpikeMetric::Descent => (
            Rule::DescentSpike,
            Evidence::Context,
            format!(
                "This run descended {}, {change:.0}% more than the most descent of one run in \
                 the previous {window} days ({}). This is context: downhill running loads the \
                 kneecap, but descent spikes have not been studied as an injury signal.",
                metres(spike.value_m),
                metres(reference)
            ),
            format!(
                "The bands of Frandsen et al. 2025, BJSM 59:1203 (HR {hazard:.2} for a {} \
                 distance spike) applied to descent; downhill running raises patellofemoral load",
                study_band(alert)
            ),
            format!(
                "Keep the next runs to at most {} of descent, prefer flat routes and walk steep \
                 downhills; see how the knee feels tomorrow morning.",
                metres(cap)
            ),
            "descent_m",
        ),
    };
    if against > reference {
        let unit = match spike.metric {
            SpikeMetric::Distance => km(against),
            SpikeMetric::Descent => metres(against),
        };
        message.push_str(&format!(
            " Short references are raised to {unit} before judging: {judged_pct:.0}% more than \
             that."
        ));
    }
    Some(Warning {
        rule,
        severity,
        date: spike.date,
        activity_id: Some(spike.activity_id),
        message,
        evidence,
        source,
        advice,
        values: values([
            (value_key, spike.value_m),
            ("reference_m", reference),
            ("change_pct", change),
            ("judged_against_m", against),
            ("judged_change_pct", judged_pct),
            ("hazard_ratio", hazard),
        ]),
    })
}

/// The weekly ramp warnings of the week starting at `week`: distance and descent, each against
/// the previous week and against the mean of the four weeks before.
fn ramp_warnings(series: &LoadSeries, week: NaiveDate) -> Vec<Warning> {
    let settings = series.settings();
    let threshold = settings.weekly_ramp_pct;
    let date = series.evaluation_day(week);
    let now = series.week_totals(week);
    let before = series.week_totals(shift(week, -7));
    let mean = series.four_week_mean(week);
    let partial = date < shift(week, 6);
    // A small reference week is raised to the floor (as single-run references are), so that a
    // jump from a little to a lot is still judged, while 3 km to 5 km is not.
    let ramp = |now: f64, before: f64, floor: f64| {
        (before > 0.0)
            .then(|| (now / before.max(floor) - 1.0) * 100.0)
            .filter(|pct| *pct > threshold + SLACK)
    };
    let mut out = Vec::new();
    let context = "This is context, not a proven injury signal: Frandsen et al. 2025 found no \
                   association for week-to-week ratios, and a 10%-rule programme did not prevent \
                   injuries (Buist et al. 2008).";
    let so_far = if partial { " so far" } else { "" };

    let checks = [
        (
            Rule::WeeklyRamp,
            now.distance_m,
            before.distance_m,
            mean.map(|(d, _)| d),
            settings.ramp_min_reference_m,
        ),
        (
            Rule::WeeklyDescentRamp,
            now.descent_m,
            before.descent_m,
            mean.map(|(_, d)| d),
            settings.descent_ramp_min_reference_m,
        ),
    ];
    for (rule, now, before, mean, floor) in checks {
        let vs_week = ramp(now, before, floor);
        let vs_mean = mean.and_then(|mean| ramp(now, mean, floor));
        if vs_week.is_none() && vs_mean.is_none() {
            continue;
        }
        let (show, what) = match rule {
            Rule::WeeklyRamp => (km as fn(f64) -> String, "Running distance"),
            _ => (metres as fn(f64) -> String, "Running descent"),
        };
        let mut parts = Vec::new();
        let raised = |reference: f64| {
            if reference < floor {
                format!(
                    "{}, judged against at least {}",
                    show(reference),
                    show(floor)
                )
            } else {
                show(reference)
            }
        };
        if let Some(pct) = vs_week {
            parts.push(format!(
                "{pct:.0}% more than the week before ({})",
                raised(before)
            ));
        }
        if let (Some(pct), Some(mean)) = (vs_mean, mean) {
            parts.push(format!(
                "{pct:.0}% more than the mean of the four weeks before ({})",
                raised(mean)
            ));
        }
        let message = format!(
            "{what} in the week of {week} is {}{so_far}: {}. {context}",
            show(now),
            parts.join(" and ")
        );
        let (source, advice) = match rule {
            Rule::WeeklyRamp => (
                "Nielsen et al. 2014 (874 novice runners): more than 30% over two weeks, HR 1.59 \
                 for distance-related injuries including patellofemoral pain; not confirmed by \
                 Frandsen et al. 2025"
                    .to_string(),
                "Hold next week at or below this week's distance rather than adding more, keep \
                 every run within 10% of your recent longest, and let the knee's next-morning \
                 response decide."
                    .to_string(),
            ),
            _ => (
                "The weekly ramp of Nielsen et al. 2014 (more than 30% over two weeks) applied to \
                 descent; downhill running raises patellofemoral load"
                    .to_string(),
                "Move some runs to flat routes or the treadmill next week and walk steep \
                 downhills; keep next week's descent at or below this week's."
                    .to_string(),
            ),
        };
        out.push(Warning {
            rule,
            severity: Severity::Caution,
            date,
            activity_id: None,
            message,
            evidence: Evidence::Context,
            source,
            advice,
            values: values([
                ("week_m", now),
                ("previous_week_m", before),
                ("ramp_pct", vs_week.unwrap_or(f64::NAN)),
                ("mean_4wk_m", mean.unwrap_or(f64::NAN)),
                ("ramp_vs_4wk_pct", vs_mean.unwrap_or(f64::NAN)),
                ("partial_week", if partial { 1.0 } else { 0.0 }),
            ]),
        });
    }
    out
}

/// Where the acute:chronic ratios stand, when outside the comfortable band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AcwrLevel {
    Low,
    Caution,
    High,
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
    let ratios = match (uncoupled, ewma) {
        (Some(u), Some(e)) => format!(
            "acute:chronic ratio {u:.2} (the last 7 days, {}, against a mean week of {} over the \
             21 days before; EWMA ratio {e:.2})",
            km(acute),
            km(chronic)
        ),
        (Some(u), None) => format!(
            "acute:chronic ratio {u:.2} (the last 7 days, {}, against a mean week of {} over the \
             21 days before)",
            km(acute),
            km(chronic)
        ),
        (None, Some(e)) => format!("EWMA acute:chronic ratio {e:.2}"),
        (None, None) => "no acute:chronic ratio".to_string(),
    };
    let context = "This is context: Frandsen et al. 2025 found no association between ACWR and \
                   injury, and adjusting it has no proven preventive effect (Impellizzeri et al. \
                   2020).";
    let (severity, message, advice) = match level {
        AcwrLevel::High | AcwrLevel::Caution => {
            let (severity, edge) = if level == AcwrLevel::High {
                (Severity::High, settings.acwr_high)
            } else {
                (Severity::Caution, settings.acwr_caution)
            };
            (
                severity,
                format!(
                    "Load rose quickly: {ratios}; {} above {edge:.1}. {context}",
                    if uncoupled.is_some() && ewma.is_some() {
                        "the higher ratio is"
                    } else {
                        "that is"
                    }
                ),
                "Ease the next days back toward your usual week with short, flat runs, and watch \
                 how the knee feels each morning."
                    .to_string(),
            )
        }
        AcwrLevel::Low => (
            Severity::Info,
            format!(
                "Load dropped: {ratios}, below {:.1}. {context}",
                settings.acwr_low
            ),
            "When you build back, start with short flat runs; a long run now is a spike against \
             a smaller recent longest run."
                .to_string(),
        ),
    };
    Warning {
        rule: Rule::Acwr,
        severity,
        date: day,
        activity_id: None,
        message,
        evidence: Evidence::Context,
        source: "Gabbett 2016 (bands 0.8 / 1.3 / 1.5); uncoupled ratio per Lolli et al. 2019; \
                 EWMA per Williams et al. 2017; no association in Frandsen et al. 2025"
            .to_string(),
        advice,
        values: values([
            ("acwr_uncoupled", uncoupled.unwrap_or(f64::NAN)),
            ("acwr_ewma", ewma.unwrap_or(f64::NAN)),
            ("acute_m", acute),
            ("chronic_weekly_m", chronic),
        ]),
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
    Some(Warning {
        rule: Rule::Monotony,
        severity: Severity::Info,
        date: day,
        activity_id: None,
        message: format!(
            "Training monotony {monotony:.1} over the last 7 days (strain {strain:.0}), above \
             {:.1}: the days carry very similar running loads with little rest. This is \
             context: it describes the pattern of the week, not a proven injury signal.",
            settings.monotony_threshold
        ),
        evidence: Evidence::Context,
        source: "Foster 2001: monotony (mean daily load / SD) above 2.0; strain = weekly load × \
                 monotony"
            .to_string(),
        advice: "Make one day a rest or cross-training day and vary the run lengths, some shorter \
                 and one longer."
            .to_string(),
        values: values([
            ("monotony", monotony),
            ("strain", strain),
            ("week_m", series.distance(shift(day, -6), day)),
        ]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::load::tests::{activity, day, run};
    use crate::model::Sport;
    use chrono::Duration;
    use proptest::prelude::*;

    fn rules(warnings: &[Warning]) -> Vec<(Rule, Severity, NaiveDate)> {
        warnings
            .iter()
            .map(|w| (w.rule, w.severity, w.date))
            .collect()
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
        assert_eq!(
            w.message,
            "This run (14.2 km) was 42% longer than your longest run of the previous 30 days \
             (10.0 km)."
        );
        assert_eq!(
            w.advice,
            "Keep the next runs at or below 11.0 km and flat; see how the knee feels tomorrow \
             morning."
        );
        assert!(w.source.contains("HR 1.52"), "{}", w.source);
        let json = serde_json::to_value(w).unwrap();
        assert_eq!(json["rule"], "single_run_spike");
        assert_eq!(json["severity"], "high");
        assert_eq!(json["evidence"], "primary");
        assert_eq!(json["date"], "2025-03-13");
        assert_eq!(json["values"]["reference_m"], 10000.0);
        let ramp_json = serde_json::to_value(Warning {
            activity_id: None,
            ..w.clone()
        })
        .unwrap();
        assert_eq!(ramp_json["activity_id"], serde_json::Value::Null);
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
        assert!(got[0]
            .message
            .starts_with("This run descended 250 m, 150% more"));
        assert!(warnings_for(&got_runs(), &LoadSettings::default(), &[]).is_empty());
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
            .find(|w| w.rule == Rule::SingleRunSpike)
            .unwrap();
        assert_eq!(spike.date, day(2025, 3, 2));
        // Runs after today are ignored.
        assert!(check(&all, &settings, day(2025, 3, 1), None).is_empty());
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
                assert!(w.message.contains("This is context"));
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
                prop_assert!(!w.message.is_empty());
            }
        }
    }
}
