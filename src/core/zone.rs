//! Today's pain zone: green, amber or red, from the runner's recent knee-pain log (DOMAIN.md §5).
//!
//! The zone is the 24-hour pain response turned into a traffic light: it decides whether next
//! week's load may go up, must hold or drop, or stops. The rules combine symptom-guided running
//! for patellofemoral pain (Esculier et al. 2018: pain at most 2/10 during running, no increase
//! the next morning) with the pain-monitoring model (Silbernagel et al. 2007: up to 5/10 is
//! acceptable, pain must settle by the next morning and must not rise week to week). Every
//! reason is a plain sentence with the rating and the date behind it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::core::load::{local_date, shift};
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
    /// A next-morning rating at least this many points above the pre-run or previous-day level
    /// counts as a flare (Esculier et al. 2018: no increase the next morning; Silbernagel et al.
    /// 2007: pain must settle by the next morning).
    pub morning_rise: u8,
    /// How many days of ratings, ending today, make up today's state (kneeguard's choice: 7).
    pub recent_days: u32,
    /// Consecutive 7-day windows whose highest rating must keep rising for the red zone, the
    /// last one above green (Silbernagel et al. 2007: pain must not rise week to week;
    /// kneeguard's choice: 3 windows, that is two rises in a row).
    pub rising_weeks: u32,
    /// How many weeks back the threshold estimate looks (kneeguard's choice: 26, half a year).
    pub lookback_weeks: u32,
    /// Half-life in weeks of the recency weight of threshold evidence: a week this old counts
    /// half as much as this week (kneeguard's choice: 4; DOMAIN.md §6: tolerance changes as the
    /// knee heals or flares).
    pub half_life_weeks: f64,
    /// The recency-weighted quantile of tolerated loads reported as the tolerated level
    /// (kneeguard's choice: 0.9, high but robust to a single old outlier).
    pub tolerated_quantile: f64,
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
            morning_rise: 1,
            recent_days: 7,
            rising_weeks: 3,
            lookback_weeks: 26,
            half_life_weeks: 4.0,
            tolerated_quantile: 0.9,
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

/// Today's zone with the reasons behind it. The field names are a stable JSON interface.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZoneAssessment {
    pub zone: Zone,
    /// The latest rating up to today, if any.
    pub latest: Option<LatestPain>,
    /// Plain sentences, the most serious first.
    pub reasons: Vec<String>,
    /// Swelling, or red pain: see a physiotherapist or sports doctor.
    pub see_professional: bool,
    pub data: PainData,
}

/// A rating on the 0-10 scale, whatever was stored.
pub(crate) fn score(entry: &PainEntry) -> u8 {
    entry.score.min(10)
}

/// Words for when a rating was felt, for sentences such as "pain 4/10 during the run".
pub(crate) fn when_words(when: PainWhen) -> &'static str {
    match when {
        PainWhen::During => "during the run",
        PainWhen::After => "after the run",
        PainWhen::Morning => "the next morning",
        PainWhen::Daily => "as the day's rating",
    }
}

/// Ratings grouped by their local day, each day's in log order.
pub(crate) fn by_date(pain: &[PainEntry]) -> BTreeMap<NaiveDate, Vec<&PainEntry>> {
    let mut map: BTreeMap<NaiveDate, Vec<&PainEntry>> = BTreeMap::new();
    for entry in pain {
        map.entry(entry.date).or_default().push(entry);
    }
    for entries in map.values_mut() {
        entries.sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
    }
    map
}

/// The level a next-morning rating is compared with: the lowest morning or daily rating of
/// `day` (the level before that day's run), else the lowest rating of `day` at all; `None` when
/// nothing was logged that day.
pub(crate) fn baseline(
    by_date: &BTreeMap<NaiveDate, Vec<&PainEntry>>,
    day: NaiveDate,
) -> Option<u8> {
    let entries = by_date.get(&day)?;
    let resting = entries
        .iter()
        .filter(|e| matches!(e.when, PainWhen::Morning | PainWhen::Daily))
        .map(|e| score(e))
        .min();
    resting.or_else(|| entries.iter().map(|e| score(e)).min())
}

/// The rise of a next-morning rating over the level of the day before (`run_day`), when it is
/// at least `settings.morning_rise` points: `Some((baseline, rise))`.
pub(crate) fn morning_rise(
    entry: &PainEntry,
    by_date: &BTreeMap<NaiveDate, Vec<&PainEntry>>,
    run_day: NaiveDate,
    settings: &PainSettings,
) -> Option<(u8, u8)> {
    if entry.when != PainWhen::Morning {
        return None;
    }
    let base = baseline(by_date, run_day)?;
    let now = score(entry);
    let rise = now.checked_sub(base)?;
    (rise >= settings.morning_rise.max(1)).then_some((base, rise))
}

/// Today's zone from the ratings of the last `recent_days` days (DOMAIN.md §5). Ratings after
/// `today` are ignored; `activities` only name the run a rating followed.
pub fn assess(
    pain: &[PainEntry],
    activities: &[Activity],
    settings: &PainSettings,
    today: NaiveDate,
) -> ZoneAssessment {
    let known: Vec<PainEntry> = pain.iter().filter(|e| e.date <= today).cloned().collect();
    let latest = known
        .iter()
        .max_by(|a, b| {
            a.date
                .cmp(&b.date)
                .then(a.at.cmp(&b.at))
                .then(a.id.cmp(&b.id))
        })
        .map(|e| LatestPain {
            score: score(e),
            when: e.when,
            date: e.date,
            swelling: e.swelling,
        });
    if known.is_empty() {
        return ZoneAssessment {
            zone: Zone::Green,
            latest: None,
            reasons: vec![
                "no knee pain has been logged yet: log pain during, after and the morning after \
                 your runs so kneeguard can learn what your knee tolerates"
                    .to_string(),
            ],
            see_professional: false,
            data: PainData::None,
        };
    }
    let days = i64::from(settings.recent_days.max(1));
    let from = shift(today, 1 - days);
    let dates = by_date(&known);
    let recent: Vec<&PainEntry> = dates
        .range(from..=today)
        .flat_map(|(_, entries)| entries.iter().copied())
        .collect();

    let mut red: Vec<String> = Vec::new();
    let mut amber: Vec<String> = Vec::new();
    let mut swelling = false;

    if let Some(e) = recent.iter().rev().find(|e| e.swelling) {
        swelling = true;
        red.push(format!(
            "swelling logged on {}: a swollen knee needs a professional look",
            e.date
        ));
    }
    // The worst rating of the window decides the band; the ceiling and the morning rise can only
    // make it worse.
    if let Some(worst) = recent
        .iter()
        .max_by(|a, b| score(a).cmp(&score(b)).then(a.date.cmp(&b.date)))
    {
        let s = score(worst);
        let during = matches!(worst.when, PainWhen::During | PainWhen::After);
        if s > settings.amber_max {
            red.push(format!(
                "pain {s}/10 {} on {} is in the red zone (above {})",
                when_words(worst.when),
                worst.date,
                settings.amber_max
            ));
        } else if s > settings.green_max {
            if during && s > settings.ceiling {
                amber.push(format!(
                    "pain {s}/10 {} on {} is above your ceiling of {}",
                    when_words(worst.when),
                    worst.date,
                    settings.ceiling
                ));
            } else {
                amber.push(format!(
                    "pain {s}/10 {} on {} is in the amber zone ({}-{})",
                    when_words(worst.when),
                    worst.date,
                    settings.green_max + 1,
                    settings.amber_max
                ));
            }
        }
    }
    // A ceiling below the green band's top (e.g. 1) can make a green rating amber.
    if amber.is_empty() && red.is_empty() {
        if let Some(e) = recent.iter().rev().find(|e| {
            matches!(e.when, PainWhen::During | PainWhen::After) && score(e) > settings.ceiling
        }) {
            amber.push(format!(
                "pain {}/10 {} on {} is above your ceiling of {}",
                score(e),
                when_words(e.when),
                e.date,
                settings.ceiling
            ));
        }
    }
    for e in recent.iter().rev() {
        let run_day = shift(e.date, -1);
        if let Some((base, _)) = morning_rise(e, &dates, run_day, settings) {
            let run = activities
                .iter()
                .filter(|a| a.sport.is_run() && local_date(a) == Some(run_day))
                .map(|a| a.distance_m)
                .fold(0.0, f64::max);
            let after = if run > 0.0 {
                format!(" after your {:.1} km run", run / 1000.0)
            } else {
                String::new()
            };
            amber.push(format!(
                "pain rose to {}/10 the morning of {}{after}, from {}/10 the day before: the \
                 knee did not settle overnight",
                score(e),
                e.date,
                base
            ));
            break;
        }
    }
    if let Some(text) = rising(&dates, settings, today) {
        red.push(text);
    }

    let zone = if !red.is_empty() {
        Zone::Red
    } else if !amber.is_empty() {
        Zone::Amber
    } else {
        Zone::Green
    };
    let mut reasons = red;
    reasons.extend(amber);
    if zone == Zone::Green {
        match recent.iter().map(|e| score(e)).max() {
            Some(max) => reasons.push(format!(
                "pain at most {max}/10 in the last {days} days, within the green zone (0-{}) and \
                 your ceiling of {}",
                settings.green_max, settings.ceiling
            )),
            None => {
                let last = latest.as_ref().map(|l| l.date).unwrap_or(today);
                reasons.push(format!(
                    "no pain logged in the last {days} days (the latest rating is from {last}): \
                     assuming the knee is settled; keep logging pain after your runs"
                ));
            }
        }
    }
    ZoneAssessment {
        zone,
        latest,
        reasons,
        see_professional: swelling || zone == Zone::Red,
        data: PainData::Some,
    }
}

/// A sentence when the highest rating of consecutive 7-day windows ending today kept rising,
/// the last one above green.
fn rising(
    dates: &BTreeMap<NaiveDate, Vec<&PainEntry>>,
    settings: &PainSettings,
    today: NaiveDate,
) -> Option<String> {
    let windows = settings.rising_weeks.max(2) as i64;
    let mut maxima = Vec::new();
    for w in 0..windows {
        let to = shift(today, -7 * w);
        let from = shift(to, -6);
        let max = dates
            .range(from..=to)
            .flat_map(|(_, entries)| entries.iter())
            .map(|e| score(e))
            .max()?;
        maxima.push(max);
    }
    maxima.reverse();
    let rises = maxima.windows(2).all(|pair| pair[1] > pair[0]);
    let last = *maxima.last()?;
    (rises && last > settings.green_max).then(|| {
        let list: Vec<String> = maxima.iter().map(|m| format!("{m}/10")).collect();
        format!(
            "pain has risen week after week ({}): pain must not rise from week to week",
            list.join(", then ")
        )
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::core::load::tests::day;
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

    #[test]
    fn settings_round_trip_and_reject_unknown_fields() {
        let settings = PainSettings::default();
        let json = serde_json::to_value(&settings).unwrap();
        assert_eq!(json["ceiling"], 2);
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
        assert!(got.reasons[0].contains("no knee pain has been logged"));
        let json = serde_json::to_value(&got).unwrap();
        assert_eq!(json["zone"], "green");
        assert_eq!(json["data"], "none");
        assert!(json["latest"].is_null());
    }

    #[test]
    fn zone_cases() {
        let today = day(2026, 11, 22);
        let d = |back: i64| shift(today, -back);
        // (case, ratings as (days back, score, when, swelling), zone, see professional, text)
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
                "green zone",
            ),
            (
                "above the ceiling during a run",
                vec![(2, 4, PainWhen::During, false)],
                Zone::Amber,
                false,
                "pain 4/10 during the run on 2026-11-20 is above your ceiling of 2",
            ),
            (
                "amber morning",
                vec![(3, 3, PainWhen::Morning, false)],
                Zone::Amber,
                false,
                "amber zone (3-5)",
            ),
            (
                "morning rise within green",
                vec![
                    (2, 1, PainWhen::After, false),
                    (1, 2, PainWhen::Morning, false),
                ],
                Zone::Amber,
                false,
                "did not settle overnight",
            ),
            (
                "morning at the same level",
                vec![
                    (2, 2, PainWhen::After, false),
                    (1, 2, PainWhen::Morning, false),
                ],
                Zone::Green,
                false,
                "green zone",
            ),
            (
                "red pain",
                vec![(1, 7, PainWhen::After, false)],
                Zone::Red,
                true,
                "red zone",
            ),
            (
                "swelling with low pain",
                vec![(1, 1, PainWhen::Daily, true)],
                Zone::Red,
                true,
                "swelling logged on 2026-11-21",
            ),
            (
                "old red pain is outside the window",
                vec![
                    (10, 8, PainWhen::After, false),
                    (2, 1, PainWhen::After, false),
                ],
                Zone::Green,
                false,
                "green zone",
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
                "risen week after week (1/10, then 2/10, then 3/10)",
            ),
            (
                "nothing recent",
                vec![(20, 4, PainWhen::After, false)],
                Zone::Green,
                false,
                "no pain logged in the last 7 days",
            ),
            (
                "future ratings are ignored",
                vec![(-3, 9, PainWhen::After, false)],
                Zone::Green,
                false,
                "no knee pain has been logged",
            ),
        ];
        let settings = PainSettings::default();
        for (name, ratings, zone, professional, text) in cases {
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
            assert_eq!(got.see_professional, professional, "{name}");
            assert!(
                got.reasons.iter().any(|r| r.contains(text)),
                "{name}: {:?}",
                got.reasons
            );
        }
    }

    #[test]
    fn tendon_model_ceiling_of_five() {
        let settings = PainSettings {
            ceiling: 5,
            ..PainSettings::default()
        };
        let today = day(2026, 11, 22);
        let got = assess(
            &[pain(1, today, 4, PainWhen::During)],
            &[],
            &settings,
            today,
        );
        assert_eq!(got.zone, Zone::Amber);
        assert!(got.reasons[0].contains("amber zone"), "{:?}", got.reasons);
        assert_eq!(got.latest.unwrap().score, 4);
    }
}
