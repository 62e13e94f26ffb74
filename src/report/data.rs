//! The values behind the report's charts, gathered from the core in one pass: the weeks, every
//! run against its spike window's reference, every pain rating, and the day's guidance.
//!
//! Everything here is pure: it takes the history, the settings and `today`, and returns plain
//! data that the charts draw and `report --format json` prints (metric, like all JSON).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::core::guidance::{guidance, Guidance, GuidanceSettings};
use crate::core::load::{local_date, week_start_of, weekly_summaries, LoadSettings, WeekSummary};
use crate::core::plausibility::trusted;
use crate::core::spikes::{descent_spikes, run_spikes, RunSpike, SpikeBand};
use crate::model::{Activity, PainEntry, PainWhen};
use crate::settings::Config;

/// Everything the report shows. The field names are a stable JSON interface.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportData {
    pub today: NaiveDate,
    /// The first day the charts cover (a week's first day).
    pub from: NaiveDate,
    /// One entry per local week from `from` to the week of `today`, oldest first.
    pub weeks: Vec<ReportWeek>,
    /// Every run from `from` to `today`, by start.
    pub runs: Vec<ReportRun>,
    /// Every pain rating from `from` to `today`, in the order they were felt.
    pub pain: Vec<PainPoint>,
    /// The day's guidance, as `status` and `plan` give it (their JSON shapes).
    #[serde(serialize_with = "crate::render::views::serialize_guidance")]
    pub guidance: Guidance,
    pub rules: Rules,
}

/// A week's load with the pain logged in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportWeek {
    #[serde(flatten)]
    pub load: WeekSummary,
    /// The highest rating dated in the week, 0-10; `null` when none was logged.
    pub highest_pain: Option<u8>,
    /// How many ratings are dated in the week.
    pub ratings: u32,
    /// Whether swelling was logged in the week.
    pub swelling: bool,
}

/// One run against the longest run (and the largest descent of a run) of the spike window before
/// it (`Rules::spike_window_days`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportRun {
    pub activity_id: i64,
    pub start: DateTime<Utc>,
    /// The local day of the run.
    pub date: NaiveDate,
    pub name: Option<String>,
    pub distance_m: f64,
    pub descent_m: Option<f64>,
    /// The longest run of the spike window before; `null` when there was none.
    pub reference_m: Option<f64>,
    /// The band of the run against `reference_m`.
    pub band: SpikeBand,
    /// The band `check` warns about (judged against the reference raised to its minimum);
    /// `null` when the run is no spike.
    pub spike: Option<SpikeBand>,
    /// The largest descent of one run in the spike window before; `null` when there was none.
    pub descent_reference_m: Option<f64>,
    /// The descent band `check` warns about; `null` when the run is no descent spike.
    pub descent_spike: Option<SpikeBand>,
    /// The highest rating during or within an hour after the run.
    pub pain_after: Option<u8>,
    /// The next morning's highest rating.
    pub pain_morning: Option<u8>,
}

/// One pain rating.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PainPoint {
    pub date: NaiveDate,
    pub at: DateTime<Utc>,
    pub when: PainWhen,
    pub score: u8,
    pub swelling: bool,
    pub activity_id: Option<i64>,
}

/// The settings the charts draw as bands and lines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rules {
    /// The acceptable pain during or after a run, 0-10.
    pub ceiling: u8,
    pub green_max: u8,
    pub amber_max: u8,
    /// The single-run bands as factors of the spike window's longest run (1.1, 1.3, 2.0 by
    /// default).
    pub spike_factors: [f64; 3],
    /// The days before a run whose longest run it is judged against (30 by default).
    pub spike_window_days: u32,
    pub acwr_low: f64,
    pub acwr_caution: f64,
    pub acwr_high: f64,
}

/// The report's values for the last `weeks` weeks up to `today`, never starting before the week
/// of the first activity or rating, planned distances in steps of `step_m`. Activities and
/// ratings after `today` are ignored, and so are the records the guidance leaves out as
/// implausible.
pub fn gather(
    activities: &[Activity],
    pain: &[PainEntry],
    config: &Config,
    step_m: f64,
    today: NaiveDate,
    weeks: usize,
) -> ReportData {
    let load = &config.load;
    let settings = GuidanceSettings {
        load,
        pain: &config.pain,
        plan: &config.plan,
        step_m,
    };
    let guidance = guidance(activities, pain, &settings, today);
    let trusted = trusted(activities, &guidance.flagged);
    let activities = &trusted[..];
    let from = first_week(activities, pain, load, today, weeks);
    let count = ((week_start_of(today, load.week_start) - from).num_days() / 7 + 1) as usize;
    let points: Vec<PainPoint> = ratings(pain, from, today);
    let weeks = with_pain(
        weekly_summaries(activities, load, today, count),
        pain,
        today,
    );
    ReportData {
        today,
        from,
        weeks,
        runs: runs(activities, &points, load, from, today),
        pain: points,
        guidance,
        rules: rules(config),
    }
}

/// The first week the report covers: `weeks` weeks back from the week of `today`, or the week
/// of the first activity or rating when that is later.
fn first_week(
    activities: &[Activity],
    pain: &[PainEntry],
    load: &LoadSettings,
    today: NaiveDate,
    weeks: usize,
) -> NaiveDate {
    let this_week = week_start_of(today, load.week_start);
    let weeks = weeks.clamp(1, crate::core::load::MAX_WEEKS) as i64;
    let earliest = this_week
        .checked_sub_signed(chrono::Duration::days(7 * (weeks - 1)))
        .unwrap_or(this_week);
    let first_record = activities
        .iter()
        .filter_map(local_date)
        .chain(pain.iter().map(|p| p.date))
        .filter(|d| *d <= today)
        .min();
    first_record
        .map(|d| week_start_of(d, load.week_start).max(earliest))
        .unwrap_or(this_week)
}

fn ratings(pain: &[PainEntry], from: NaiveDate, today: NaiveDate) -> Vec<PainPoint> {
    let mut out: Vec<PainPoint> = pain
        .iter()
        .filter(|e| e.date >= from && e.date <= today)
        .map(|e| PainPoint {
            date: e.date,
            at: e.at,
            when: e.when,
            score: e.score.min(10),
            swelling: e.swelling,
            activity_id: e.activity_id,
        })
        .collect();
    out.sort_by(|a, b| a.date.cmp(&b.date).then(a.at.cmp(&b.at)));
    out
}

/// Each of consecutive `weeks` with the ratings dated in it up to `today`: the highest, how
/// many, and whether one noted swelling.
pub fn with_pain(weeks: Vec<WeekSummary>, pain: &[PainEntry], today: NaiveDate) -> Vec<ReportWeek> {
    let mut out: Vec<ReportWeek> = weeks
        .into_iter()
        .map(|load| ReportWeek {
            load,
            highest_pain: None,
            ratings: 0,
            swelling: false,
        })
        .collect();
    let Some(first) = out.first().map(|w| w.load.week_start) else {
        return out;
    };
    for entry in pain.iter().filter(|e| e.date <= today) {
        let offset = (entry.date - first).num_days();
        let Some(week) = usize::try_from(offset / 7)
            .ok()
            .filter(|_| offset >= 0)
            .and_then(|i| out.get_mut(i))
        else {
            continue;
        };
        let score = entry.score.min(10);
        week.highest_pain = Some(week.highest_pain.map_or(score, |s| s.max(score)));
        week.ratings += 1;
        week.swelling |= entry.swelling;
    }
    out
}

/// Every run from `from` to `today` with its spike bands and the pain that followed it.
fn runs(
    activities: &[Activity],
    pain: &[PainPoint],
    load: &LoadSettings,
    from: NaiveDate,
    today: NaiveDate,
) -> Vec<ReportRun> {
    let by_id: HashMap<i64, &Activity> = activities.iter().map(|a| (a.id, a)).collect();
    let descent: HashMap<i64, RunSpike> = descent_spikes(activities, load)
        .into_iter()
        .map(|s| (s.activity_id, s))
        .collect();
    let mut runs: Vec<ReportRun> = run_spikes(activities, load)
        .into_iter()
        .filter(|s| s.date >= from && s.date <= today)
        .map(|s| {
            let d = descent.get(&s.activity_id);
            ReportRun {
                activity_id: s.activity_id,
                start: s.start,
                date: s.date,
                name: by_id.get(&s.activity_id).and_then(|a| a.name.clone()),
                distance_m: s.value_m,
                descent_m: d.map(|d| d.value_m),
                reference_m: s.reference_m,
                band: s.band,
                spike: s.alert,
                descent_reference_m: d.and_then(|d| d.reference_m),
                descent_spike: d.and_then(|d| d.alert),
                pain_after: None,
                pain_morning: None,
            }
        })
        .collect();
    link_pain(&mut runs, pain);
    runs
}

/// Gives each run the pain that followed it: a rating that names the run belongs to it; one that
/// names no activity belongs, when felt during or after, to that day's last run, and when felt
/// the next morning, to the previous day's last run.
fn link_pain(runs: &mut [ReportRun], pain: &[PainPoint]) {
    let index: HashMap<i64, usize> = runs
        .iter()
        .enumerate()
        .map(|(i, r)| (r.activity_id, i))
        .collect();
    let mut last_of_day: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    for (i, run) in runs.iter().enumerate() {
        last_of_day.insert(run.date, i);
    }
    for p in pain {
        let run = match p.activity_id {
            Some(id) => index.get(&id).copied(),
            None => match p.when {
                PainWhen::During | PainWhen::After => last_of_day.get(&p.date).copied(),
                PainWhen::Morning => p.date.pred_opt().and_then(|d| last_of_day.get(&d).copied()),
                PainWhen::Daily => None,
            },
        };
        let Some(run) = run.map(|i| &mut runs[i]) else {
            continue;
        };
        let slot = match p.when {
            PainWhen::During | PainWhen::After => &mut run.pain_after,
            PainWhen::Morning => &mut run.pain_morning,
            PainWhen::Daily => continue,
        };
        *slot = Some(slot.map_or(p.score, |s| s.max(p.score)));
    }
}

fn rules(config: &Config) -> Rules {
    let load = &config.load;
    let factor = |pct: f64| 1.0 + pct / 100.0;
    Rules {
        ceiling: config.pain.ceiling,
        green_max: config.pain.green_max,
        amber_max: config.pain.amber_max,
        spike_factors: [
            factor(load.spike_low_pct),
            factor(load.spike_mid_pct),
            factor(load.spike_high_pct),
        ],
        spike_window_days: load.spike_window_days,
        acwr_low: load.acwr_low,
        acwr_caution: load.acwr_caution,
        acwr_high: load.acwr_high,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::load::tests::{day, run};
    use chrono::TimeZone;

    fn rating(id: i64, date: NaiveDate, hour: u32, when: PainWhen, score: u8) -> PainEntry {
        PainEntry {
            id,
            at: Utc.from_utc_datetime(&date.and_hms_opt(hour, 0, 0).unwrap()),
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

    #[test]
    fn each_run_gets_the_pain_after_it_and_the_next_morning() {
        // Two runs on Monday, one on Wednesday.
        let runs = [
            run(1, day(2026, 11, 2), 5000.0),
            run(2, day(2026, 11, 2), 3000.0),
            run(3, day(2026, 11, 4), 8000.0),
        ];
        let mut named = rating(14, day(2026, 11, 2), 9, PainWhen::After, 4);
        named.activity_id = Some(1);
        let pain = [
            rating(10, day(2026, 11, 2), 18, PainWhen::After, 2),
            rating(11, day(2026, 11, 2), 19, PainWhen::During, 3),
            rating(12, day(2026, 11, 3), 7, PainWhen::Morning, 1),
            rating(13, day(2026, 11, 4), 20, PainWhen::Daily, 6),
            named,
            rating(15, day(2026, 11, 5), 7, PainWhen::Morning, 0),
        ];
        let config = Config::default();
        let data = gather(&runs, &pain, &config, 500.0, day(2026, 11, 8), 4);
        let by_id = |id| data.runs.iter().find(|r| r.activity_id == id).unwrap();
        // Unnamed ratings belong to the day's last run (the 07:00 runs tie: the later id).
        assert_eq!(by_id(1).pain_after, Some(4), "the rating that names it");
        assert_eq!(
            by_id(2).pain_after,
            Some(3),
            "the highest of during and after"
        );
        assert_eq!(by_id(2).pain_morning, Some(1));
        assert_eq!(by_id(3).pain_after, None, "a daily rating follows no run");
        assert_eq!(by_id(3).pain_morning, Some(0));
        assert_eq!(data.pain.len(), 6);
    }

    #[test]
    fn weeks_carry_their_highest_rating_and_the_report_starts_at_the_first_record() {
        let runs = [
            run(1, day(2026, 10, 21), 5000.0),
            run(2, day(2026, 11, 3), 6000.0),
        ];
        let mut swollen = rating(3, day(2026, 11, 4), 7, PainWhen::Morning, 5);
        swollen.swelling = true;
        let pain = [
            rating(1, day(2026, 10, 21), 9, PainWhen::After, 2),
            rating(2, day(2026, 11, 3), 9, PainWhen::After, 1),
            swollen,
            // After today: not shown.
            rating(4, day(2026, 11, 9), 9, PainWhen::Daily, 9),
        ];
        let data = gather(
            &runs,
            &pain,
            &Config::default(),
            500.0,
            day(2026, 11, 5),
            26,
        );
        assert_eq!(
            data.from,
            day(2026, 10, 19),
            "the week of the first run, not 26 weeks back"
        );
        let weeks: Vec<(NaiveDate, Option<u8>, u32, bool)> = data
            .weeks
            .iter()
            .map(|w| (w.load.week_start, w.highest_pain, w.ratings, w.swelling))
            .collect();
        assert_eq!(
            weeks,
            vec![
                (day(2026, 10, 19), Some(2), 1, false),
                (day(2026, 10, 26), None, 0, false),
                (day(2026, 11, 2), Some(5), 2, true),
            ]
        );
        assert!(data.weeks[2].load.partial);
        assert_eq!(data.pain.len(), 3);
        // Fewer weeks asked than the history holds: the last ones.
        let short = gather(&runs, &pain, &Config::default(), 500.0, day(2026, 11, 5), 2);
        assert_eq!(short.from, day(2026, 10, 26));
        assert_eq!(short.weeks.len(), 2);
        assert_eq!(short.runs.len(), 1);
    }

    #[test]
    fn the_bands_follow_the_settings() {
        let mut config = Config::default();
        config.load.spike_low_pct = 20.0;
        let data = gather(&[], &[], &config, 500.0, day(2026, 11, 5), 4);
        assert_eq!(data.rules.spike_factors, [1.2, 1.3, 2.0]);
        assert_eq!(data.weeks.len(), 1, "no record: only this week");
        assert!(data.runs.is_empty());
    }
}
