//! Next week's plan: seven days of runs, cross-training, strength and rest that keep running load
//! below the runner's own pain threshold (DOMAIN.md §7).
//!
//! The plan follows today's pain zone. Green progresses gently and never past the tolerated
//! estimates; amber cuts volume below the tolerated level, swaps the longest and the hilliest
//! runs for cross-training of similar duration and keeps the remaining runs short, frequent and
//! flat; red stops running for the week and says to see a professional. Every run respects the
//! single-run rule (no run longer than 1.1x the longest run of the last 30 days, Frandsen et al.
//! 2025) and a descent budget. Every cap and swap is explained in `reasons`, so the runner can
//! see why the week looks the way it does.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::core::load::{local_date, shift, weekly_summaries, LoadSettings};
use crate::core::strength::{routine, Exercise, ROUTINE_MINUTES};
use crate::core::threshold::{estimate, km, Thresholds};
use crate::core::zone::{assess, PainSettings, Zone};
use crate::model::{Activity, PainEntry};

/// Said once in every plan.
pub const DISCLAIMER: &str = "kneeguard is not medical advice: it turns your own runs and pain \
    log into suggestions. If pain persists or rises, or the knee swells, see a physiotherapist \
    or sports doctor.";

/// How the planner lays out a week. Every field can be changed in the config file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlanSettings {
    /// Weekdays the runner can run (DOMAIN.md §7: respect the runner's available days;
    /// kneeguard's default: every day but Friday, the rest day).
    #[serde(with = "weekday_names::many")]
    pub available_days: Vec<Weekday>,
    /// Weekdays always kept free of training (DOMAIN.md §7: rest days stay rest days;
    /// kneeguard's default: Friday).
    #[serde(with = "weekday_names::many")]
    pub rest_days: Vec<Weekday>,
    /// The day of the long run (kneeguard's default: Sunday).
    #[serde(with = "weekday_names::one")]
    pub long_run_day: Weekday,
    /// Preferred cross-training, in order of preference, as sport names (DOMAIN.md §7: cycling,
    /// elliptical, pool running, swimming, rowing; kneeguard's default: elliptical, indoor ride,
    /// pool run).
    pub cross_training: Vec<String>,
    /// Strength days in a green week (kneeguard's choice: 2).
    pub strength_days: u32,
    /// Strength days in an amber or red week (DOMAIN.md §7: 2-3 strength days; kneeguard's
    /// choice: 3).
    pub amber_strength_days: u32,
    /// No planned run longer than this times the longest run of the 30 days before the week
    /// (Frandsen et al. 2025, BJSM 59:1203: runs more than 10% over it carry more injuries).
    pub max_long_run_factor: f64,
    /// The long run's largest share of the week's distance (DOMAIN.md §7: about a third).
    pub long_run_share: f64,
    /// Weekly progression in percent in a green week with a threshold estimate (kneeguard's
    /// choice: 10%; Buist et al. 2008 found the 10% rule alone prevents nothing, so the pain
    /// threshold caps it).
    pub green_progression_pct: f64,
    /// Volume cut in percent in an amber week, below the tolerated level (kneeguard's choice:
    /// 20%).
    pub amber_cut_pct: f64,
    /// The week's distance in kilometres for a runner with no recent runs (kneeguard's choice:
    /// 9 km, three runs of 3 km).
    pub default_start_km: f64,
    /// The longest run in kilometres when there is no run in the last 30 days to compare with
    /// (kneeguard's choice: 3 km).
    pub default_run_km: f64,
    /// Runs are not planned shorter than this, in kilometres, when fewer runs can carry the
    /// week (kneeguard's choice: 2 km).
    pub min_run_km: f64,
    /// A descent budget at or below this many metres per kilometre is a flat route (kneeguard's
    /// choice: 5 m/km; DOMAIN.md §5: avoid downhill and stairs until pain is at most 2/10).
    pub flat_descent_per_km: f64,
    /// The pace in seconds per kilometre used for durations when the runner has no recent runs
    /// with moving time (kneeguard's choice: 6:30/km).
    pub default_pace_s_per_km: f64,
    /// Cross-training sessions in a red week (kneeguard's choice: 3).
    pub red_cross_sessions: u32,
}

impl Default for PlanSettings {
    fn default() -> Self {
        PlanSettings {
            available_days: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Sat,
                Weekday::Sun,
            ],
            rest_days: vec![Weekday::Fri],
            long_run_day: Weekday::Sun,
            cross_training: vec![
                "elliptical".to_string(),
                "indoor_ride".to_string(),
                "pool_run".to_string(),
            ],
            strength_days: 2,
            amber_strength_days: 3,
            max_long_run_factor: 1.1,
            long_run_share: 1.0 / 3.0,
            green_progression_pct: 10.0,
            amber_cut_pct: 20.0,
            default_start_km: 9.0,
            default_run_km: 3.0,
            min_run_km: 2.0,
            flat_descent_per_km: 5.0,
            default_pace_s_per_km: 390.0,
            red_cross_sessions: 3,
        }
    }
}

/// Weekdays as lowercase English names (`monday`), like `LoadSettings::week_start`.
mod weekday_names {
    use chrono::Weekday;

    pub fn name(day: Weekday) -> &'static str {
        match day {
            Weekday::Mon => "monday",
            Weekday::Tue => "tuesday",
            Weekday::Wed => "wednesday",
            Weekday::Thu => "thursday",
            Weekday::Fri => "friday",
            Weekday::Sat => "saturday",
            Weekday::Sun => "sunday",
        }
    }

    fn parse(text: &str) -> Result<Weekday, String> {
        text.trim().parse::<Weekday>().map_err(|_| {
            format!(
                "unknown weekday `{text}`: use monday, tuesday, wednesday, thursday, friday, \
                 saturday or sunday"
            )
        })
    }

    pub mod one {
        use chrono::Weekday;
        use serde::{de::Error, Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(day: &Weekday, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.serialize_str(super::name(*day))
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Weekday, D::Error> {
            super::parse(&String::deserialize(d)?).map_err(D::Error::custom)
        }
    }

    pub mod many {
        use chrono::Weekday;
        use serde::{de::Error, ser::SerializeSeq, Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(
            days: &[Weekday],
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            let mut seq = serializer.serialize_seq(Some(days.len()))?;
            for day in days {
                seq.serialize_element(super::name(*day))?;
            }
            seq.end()
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Weekday>, D::Error> {
            Vec::<String>::deserialize(d)?
                .iter()
                .map(|text| super::parse(text).map_err(D::Error::custom))
                .collect()
        }
    }
}

/// What a day of the plan holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Run,
    Cross,
    Strength,
    Rest,
}

/// One day of the plan. The field names are a stable JSON interface.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanDay {
    pub date: NaiveDate,
    pub kind: DayKind,
    /// The run's distance in metres; `null` on other days.
    pub distance_m: Option<f64>,
    /// The run's descent budget in metres; `null` on other days.
    pub max_descent_m: Option<f64>,
    /// Duration: the run at the runner's recent pace, the cross-training session, or the
    /// strength routine; `null` on rest days.
    pub minutes: Option<u32>,
    /// The cross-training kind (a sport name such as `elliptical`); `null` on other days.
    pub activity: Option<String>,
    /// The strength routine, on strength days and on sessions that carry it.
    pub exercises: Vec<Exercise>,
    pub notes: Vec<String>,
}

impl PlanDay {
    fn rest(date: NaiveDate, note: &str) -> PlanDay {
        PlanDay {
            date,
            kind: DayKind::Rest,
            distance_m: None,
            max_descent_m: None,
            minutes: None,
            activity: None,
            exercises: Vec::new(),
            notes: vec![note.to_string()],
        }
    }
}

/// The week's totals. The field names are a stable JSON interface.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanTotals {
    pub run_distance_m: f64,
    /// The sum of the runs' descent budgets.
    pub descent_m: f64,
    pub cross_minutes: u32,
    /// Days that carry the strength routine.
    pub strength_days: u32,
}

/// Next week's plan. The field names are a stable JSON interface.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub week_start: NaiveDate,
    pub zone: Zone,
    /// Seven consecutive days from `week_start`.
    pub days: Vec<PlanDay>,
    pub totals: PlanTotals,
    pub thresholds: Thresholds,
    /// Every cap and swap, in plain words.
    pub reasons: Vec<String>,
    pub disclaimer: String,
    pub see_professional: bool,
}

/// Distances are planned in whole 100 m, rounded down so no cap is ever exceeded.
fn floor_100(metres: f64) -> f64 {
    if metres.is_finite() && metres > 0.0 {
        (metres / 100.0).floor() * 100.0
    } else {
        0.0
    }
}

/// Descent budgets in whole 5 m, rounded down.
fn floor_5(metres: f64) -> f64 {
    if metres.is_finite() && metres > 0.0 {
        (metres / 5.0).floor() * 5.0
    } else {
        0.0
    }
}

/// Minutes rounded to the nearest 5, at least 5.
fn round_minutes(minutes: f64) -> u32 {
    if !minutes.is_finite() || minutes <= 0.0 {
        return 5;
    }
    ((minutes / 5.0).round() * 5.0).clamp(5.0, 600.0) as u32
}

fn pace_words(s_per_km: f64) -> String {
    let s = s_per_km.round() as i64;
    format!("{}:{:02}/km", s / 60, s % 60)
}

fn day_name(date: NaiveDate) -> String {
    let name = weekday_names::name(date.weekday());
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// Circular distance in days between two weekday positions.
fn apart(a: usize, b: usize) -> usize {
    let d = a.abs_diff(b) % 7;
    d.min(7 - d)
}

/// Picks `count` of `candidates` (fewer if there are not enough) so that, together with the
/// days already `taken`, the closest two are as far apart as possible, then the days are as
/// spread as possible overall, earliest first on ties. A week has at most 128 subsets to try.
fn spread(candidates: &[usize], taken: &[usize], count: usize) -> Vec<usize> {
    let pool: Vec<usize> = candidates
        .iter()
        .copied()
        .filter(|c| !taken.contains(c))
        .take(7)
        .collect();
    let count = count.min(pool.len());
    if count == 0 {
        return Vec::new();
    }
    let mut best: Option<(usize, usize, std::cmp::Reverse<Vec<usize>>)> = None;
    for mask in 0u32..(1 << pool.len()) {
        if mask.count_ones() as usize != count {
            continue;
        }
        let chosen: Vec<usize> = (0..pool.len())
            .filter(|b| mask & (1 << b) != 0)
            .map(|b| pool[b])
            .collect();
        let all: Vec<usize> = chosen.iter().chain(taken).copied().collect();
        let mut nearest = 7;
        let mut total = 0;
        for (i, &a) in all.iter().enumerate() {
            for &b in &all[i + 1..] {
                nearest = nearest.min(apart(a, b));
                total += apart(a, b);
            }
        }
        let key = (nearest, total, std::cmp::Reverse(chosen));
        if best.as_ref().is_none_or(|k| key > *k) {
            best = Some(key);
        }
    }
    best.map(|(_, _, chosen)| chosen.0).unwrap_or_default()
}

/// One run of the runner's history.
struct PastRun {
    date: NaiveDate,
    distance_m: f64,
    descent_m: Option<f64>,
    moving_s: f64,
}

/// Next week's plan (DOMAIN.md §7) for the seven days from `week_start`, from the runs and pain
/// logged up to `today` (and before `week_start`).
pub fn plan_week(
    activities: &[Activity],
    pain: &[PainEntry],
    settings: &PlanSettings,
    pain_settings: &PainSettings,
    load_settings: &LoadSettings,
    today: NaiveDate,
    week_start: NaiveDate,
) -> Plan {
    let until = today.min(shift(week_start, -1));
    let assessment = assess(pain, activities, pain_settings, until);
    let thresholds = estimate(activities, pain, pain_settings, load_settings, until);
    let zone = assessment.zone;
    let mut reasons = vec![format!("{} zone", zone.as_str())];
    reasons.extend(assessment.reasons.iter().cloned());

    // The runner's recent history, before the planned week.
    let past: Vec<PastRun> = activities
        .iter()
        .filter(|a| a.sport.is_run())
        .filter_map(|a| {
            let date = local_date(a)?;
            (date <= until && date >= shift(until, -60)).then(|| PastRun {
                date,
                distance_m: clean(a.distance_m),
                descent_m: a.descent_m.filter(|d| d.is_finite()).map(|d| d.max(0.0)),
                moving_s: clean(a.moving_s),
            })
        })
        .collect();
    let weeks = weekly_summaries(activities, load_settings, until, 4);
    let last_week = weeks.last().map_or(0.0, |w| w.distance_m);
    let mean_week = weeks.iter().map(|w| w.distance_m).sum::<f64>() / 4.0;
    let base = last_week.max(mean_week);
    let habit = weeks.iter().map(|w| w.runs as usize).max().unwrap_or(0);
    let recent_weekly_descent = weeks.iter().map(|w| w.descent_m).fold(0.0, f64::max);
    let window_start = shift(week_start, -30);
    let in_window = || past.iter().filter(|r| r.date >= window_start);
    let longest30 = in_window()
        .map(|r| r.distance_m)
        .fold(0.0, f64::max)
        .max(0.0);
    let descent30 = in_window().filter_map(|r| r.descent_m).reduce(f64::max);
    let paced: Vec<&PastRun> = past
        .iter()
        .filter(|r| r.distance_m > 0.0 && r.moving_s > 0.0)
        .collect();
    let pace = {
        let distance: f64 = paced.iter().map(|r| r.distance_m).sum();
        let moving: f64 = paced.iter().map(|r| r.moving_s).sum();
        let measured = moving / distance * 1000.0;
        if distance > 0.0 && measured.is_finite() {
            measured.clamp(180.0, 1200.0)
        } else {
            settings.default_pace_s_per_km.clamp(180.0, 1200.0)
        }
    };
    let minutes_for = |metres: f64| round_minutes(metres / 1000.0 * pace / 60.0);

    let tolerated = thresholds.weekly_distance_m.tolerated_m;
    let provoking = thresholds.weekly_distance_m.provoking_m;
    let default_start = positive(settings.default_start_km) * 1000.0;
    let progression = positive(settings.green_progression_pct) / 100.0;
    let cut = positive(settings.amber_cut_pct).min(100.0) / 100.0;
    let has_history = base > 0.0;

    // The week's running distance.
    let mut target = match zone {
        Zone::Red => 0.0,
        Zone::Green if !has_history => {
            reasons.push(format!(
                "no runs in the last 4 weeks: a conservative start of {} for the week",
                km(default_start)
            ));
            default_start
        }
        Zone::Green if tolerated.is_some() => {
            let t = base * (1.0 + progression);
            reasons.push(format!(
                "weekly distance up to {}: {:.0}% over your recent level of {}",
                km(t),
                progression * 100.0,
                km(base)
            ));
            t
        }
        Zone::Green => {
            reasons.push(format!(
                "too little pain data for a personal threshold ({}): holding your recent level \
                 of {} instead of progressing",
                thresholds.weekly_distance_m.note,
                km(base)
            ));
            base
        }
        Zone::Amber => {
            let from = if has_history { base } else { default_start };
            let held = tolerated.map_or(from, |t| from.min(t));
            let t = held * (1.0 - cut);
            reasons.push(match tolerated {
                Some(tol) => format!(
                    "amber: weekly distance cut by {:.0}% to {}, below the {} your knee has \
                     tolerated (recent level {})",
                    cut * 100.0,
                    km(t),
                    km(tol),
                    km(from)
                ),
                None => format!(
                    "amber: weekly distance cut by {:.0}% from your recent level of {} to {} \
                     (too little pain data for a personal threshold)",
                    cut * 100.0,
                    km(from),
                    km(t)
                ),
            });
            t
        }
    };
    if let Some(t) = tolerated {
        if target > t {
            target = t;
            reasons.push(match provoking {
                Some(p) => format!(
                    "weekly distance capped at {}: the most your knee has tolerated recently \
                     (pain followed {})",
                    km(t),
                    km(p)
                ),
                None => format!(
                    "weekly distance capped at {}: the most your knee has tolerated recently",
                    km(t)
                ),
            });
        }
    }

    // The single-run cap.
    let factor = positive(settings.max_long_run_factor);
    let mut run_cap = if longest30 > 0.0 {
        longest30 * factor
    } else {
        positive(settings.default_run_km) * 1000.0
    };
    let mut cap_reason = if longest30 > 0.0 {
        format!(
            "long run capped at {}: {:.1} x your longest run in the last 30 days ({})",
            km(floor_100(run_cap)),
            factor,
            km(longest30)
        )
    } else {
        format!(
            "no run in the last 30 days: runs capped at {} to start again gently",
            km(run_cap)
        )
    };
    if let Some(t) = thresholds.longest_run_m.tolerated_m {
        if t < run_cap {
            run_cap = t;
            cap_reason = format!(
                "long run capped at {}: the longest run your knee has tolerated recently",
                km(t)
            );
        }
    }

    // The descent budgets.
    let flat = positive(settings.flat_descent_per_km);
    let descent_t = &thresholds.weekly_descent_m;
    let run_descent_t = &thresholds.run_descent_m;
    let weekly_descent_budget = descent_t.tolerated_m.or_else(|| {
        (recent_weekly_descent > 0.0).then_some(recent_weekly_descent * (1.0 + progression))
    });
    let spike_descent = descent30
        .unwrap_or(0.0)
        .max(load_settings.descent_spike_min_reference_m)
        * factor;
    let run_descent_cap = run_descent_t
        .tolerated_m
        .map_or(spike_descent, |t| t.min(spike_descent));
    if descent30.is_none() && run_descent_t.tolerated_m.is_none() && zone != Zone::Red {
        reasons.push(format!(
            "no run of the last 30 days has a known descent, so each run's descent budget is \
             the starting floor of {:.0} m ({:.0} m x {factor:.1}); import runs with altitude \
             (or add `--descent`) and it will follow your own history",
            spike_descent, load_settings.descent_spike_min_reference_m
        ));
    }

    let rest_day = |date: NaiveDate| settings.rest_days.contains(&date.weekday());
    let dates: Vec<NaiveDate> = (0..7).map(|i| shift(week_start, i)).collect();
    let free: Vec<usize> = (0..7).filter(|&i| !rest_day(dates[i])).collect();
    let candidates: Vec<usize> = free
        .iter()
        .copied()
        .filter(|&i| settings.available_days.contains(&dates[i].weekday()))
        .collect();
    let long_idx = candidates
        .iter()
        .copied()
        .find(|&i| dates[i].weekday() == settings.long_run_day)
        .or_else(|| candidates.last().copied());
    let strength_wanted = match zone {
        Zone::Green => settings.strength_days,
        _ => settings.strength_days.max(settings.amber_strength_days),
    } as usize;
    let mut cross_kinds = settings
        .cross_training
        .iter()
        .filter(|k| !k.trim().is_empty())
        .cycle();
    let mut next_cross = || {
        cross_kinds
            .next()
            .cloned()
            .unwrap_or_else(|| "elliptical".to_string())
    };

    let mut days: Vec<Option<PlanDay>> = vec![None; 7];
    let min_run = positive(settings.min_run_km) * 1000.0;
    let mut run_distances: Vec<(usize, f64)> = Vec::new();

    match zone {
        Zone::Red => {
            reasons.push(
                "red: no running this week; keep moving with cross-training and strength work, \
                 only as far as it stays pain-free"
                    .to_string(),
            );
            let recent = past.iter().filter(|r| r.date >= shift(until, -28));
            let (n, sum) = recent.fold((0usize, 0.0), |(n, s), r| (n + 1, s + r.distance_m));
            let minutes = if n > 0 {
                minutes_for(sum / n as f64).clamp(20, 60)
            } else {
                30
            };
            let sessions = spread(&free, &[], settings.red_cross_sessions as usize);
            for i in sessions {
                days[i] = Some(cross_day(
                    dates[i],
                    next_cross(),
                    minutes,
                    "easy, pain-free",
                ));
            }
        }
        Zone::Amber => {
            // Swap the longest and the hilliest recent runs for cross-training.
            let recent: Vec<&PastRun> = past
                .iter()
                .filter(|r| r.date >= shift(week_start, -14))
                .collect();
            let longest = recent
                .iter()
                .copied()
                .max_by(|a, b| a.distance_m.total_cmp(&b.distance_m));
            let hilliest = recent
                .iter()
                .copied()
                .filter(|r| {
                    r.descent_m
                        .is_some_and(|d| d > flat * r.distance_m / 1000.0 && d > 0.0)
                })
                .max_by(|a, b| {
                    a.descent_m
                        .unwrap_or(0.0)
                        .total_cmp(&b.descent_m.unwrap_or(0.0))
                });
            let mut taken: Vec<usize> = Vec::new();
            if let Some(i) = long_idx {
                let (minutes, what) = match longest {
                    Some(r) => (
                        minutes_for(r.distance_m),
                        format!("your longest recent run ({})", km(r.distance_m)),
                    ),
                    None => (
                        minutes_for(target * positive(settings.long_run_share)),
                        "the long run".to_string(),
                    ),
                };
                let kind = next_cross();
                reasons.push(format!(
                    "{}: {what} replaced with {minutes} min of {kind}, a similar duration at \
                     your pace of {}",
                    day_name(dates[i]),
                    pace_words(pace)
                ));
                days[i] = Some(cross_day(dates[i], kind, minutes, "replaces the long run"));
                taken.push(i);
            }
            if let Some(h) = hilliest
                .filter(|h| longest.is_none_or(|l| !std::ptr::eq(*h, l)) || long_idx.is_none())
            {
                let same_day = free
                    .iter()
                    .copied()
                    .find(|&i| dates[i].weekday() == h.date.weekday() && !taken.contains(&i));
                let slot = same_day.or_else(|| {
                    let left: Vec<usize> = free
                        .iter()
                        .copied()
                        .filter(|i| !taken.contains(i))
                        .collect();
                    spread(&left, &taken, 1).first().copied()
                });
                if let Some(i) = slot {
                    let minutes = minutes_for(h.distance_m);
                    let kind = next_cross();
                    reasons.push(format!(
                        "{}: your hilliest recent run ({}, {:.0} m of descent on {}) replaced \
                         with {minutes} min of {kind}",
                        day_name(dates[i]),
                        km(h.distance_m),
                        h.descent_m.unwrap_or(0.0),
                        h.date
                    ));
                    days[i] = Some(cross_day(
                        dates[i],
                        kind,
                        minutes,
                        "replaces the hilliest run",
                    ));
                    taken.push(i);
                }
            }
            let left: Vec<usize> = candidates
                .iter()
                .copied()
                .filter(|i| !taken.contains(i))
                .collect();
            let room = if left.len() >= 3 {
                left.len() - 1
            } else {
                left.len()
            };
            let mut n = (habit.max(2) + 1).min(room).min(5);
            while n > 1 && target / n as f64 + 1e-9 < min_run {
                n -= 1;
            }
            if target > 0.0 && n > 0 {
                let each = (target / n as f64).min(run_cap);
                let chosen = spread(&left, &taken, n);
                for &i in &chosen {
                    run_distances.push((i, floor_100(each)));
                }
                reasons.push(format!(
                    "amber: {} shorter runs of about {} instead of a long run",
                    chosen.len(),
                    km(floor_100(each))
                ));
                if each < target / n as f64 {
                    reasons.push(cap_reason.clone());
                }
            }
        }
        Zone::Green => {
            if let (Some(long), true) = (long_idx, target > 0.0) {
                let room = candidates
                    .len()
                    .min(free.len().saturating_sub(strength_wanted).max(1));
                let mut n = habit.max(3).min(room).max(1);
                while n > 1 && target / n as f64 + 1e-9 < min_run {
                    n -= 1;
                }
                let share = positive(settings.long_run_share).min(1.0);
                let layout = |n: usize| -> (f64, f64) {
                    let long = if n >= 3 {
                        target * share
                    } else {
                        target / n as f64
                    };
                    let long = long.min(run_cap);
                    let other = if n > 1 {
                        ((target - long) / (n - 1) as f64).min(long).min(run_cap)
                    } else {
                        0.0
                    };
                    (long, other)
                };
                let (mut long_m, mut other_m) = layout(n);
                while n < room && long_m + other_m * (n - 1) as f64 + 100.0 < target {
                    n += 1;
                    (long_m, other_m) = layout(n);
                }
                let wanted_long = if n >= 3 {
                    target * share
                } else {
                    target / n as f64
                };
                if wanted_long > run_cap {
                    reasons.push(cap_reason.clone());
                }
                let planned = long_m + other_m * (n - 1) as f64;
                if planned + 100.0 < target {
                    reasons.push(format!(
                        "weekly distance {} instead of {}: {n} runs fit your available days \
                         under the single-run cap",
                        km(planned),
                        km(target)
                    ));
                }
                run_distances.push((long, floor_100(long_m)));
                let others: Vec<usize> =
                    candidates.iter().copied().filter(|&i| i != long).collect();
                for i in spread(&others, &[long], n - 1) {
                    run_distances.push((i, floor_100(other_m)));
                }
            }
        }
    }
    if zone != Zone::Red && candidates.is_empty() {
        reasons.push("no running days are available in your settings".to_string());
    }

    // Runs with their descent budgets.
    run_distances.retain(|(_, d)| *d > 0.0);
    let planned_total: f64 = run_distances.iter().map(|(_, d)| d).sum();
    let mut descent_bound = false;
    for &(i, distance) in &run_distances {
        let mut budget = run_descent_cap;
        if let Some(week) = weekly_descent_budget {
            budget = budget.min(week * distance / planned_total.max(1.0));
        }
        if zone == Zone::Amber {
            budget = budget.min(flat * distance / 1000.0);
        }
        let budget = floor_5(budget);
        let flat_route = budget <= flat * distance / 1000.0 + 1e-9;
        descent_bound |= flat_route;
        let mut notes = Vec::new();
        if Some(i) == long_idx && zone == Zone::Green {
            notes.push("long run, easy pace".to_string());
        } else {
            notes.push("easy pace".to_string());
        }
        if flat_route {
            notes.push("flat route".to_string());
            notes.push("avoid downhill and stairs".to_string());
        } else {
            notes.push(format!("at most {budget:.0} m of descent"));
        }
        notes.push(format!(
            "stop or walk if pain goes above {}/10",
            pain_settings.ceiling
        ));
        days[i] = Some(PlanDay {
            date: dates[i],
            kind: DayKind::Run,
            distance_m: Some(distance),
            max_descent_m: Some(budget),
            minutes: Some(minutes_for(distance)),
            activity: None,
            exercises: Vec::new(),
            notes,
        });
    }
    if !run_distances.is_empty() {
        if let (Some(t), Some(p)) = (descent_t.tolerated_m, descent_t.provoking_m) {
            reasons.push(format!(
                "descent kept within {:.0} m for the week: your knee tolerated about {t:.0} m a \
                 week, pain followed {p:.0} m",
                weekly_descent_budget.unwrap_or(t)
            ));
        }
        if let Some(t) = run_descent_t.tolerated_m.filter(|t| *t < spike_descent) {
            reasons.push(format!(
                "at most {t:.0} m of descent per run: the most your knee has tolerated in one run"
            ));
        }
        if descent_bound {
            reasons.push(format!(
                "flat routes (at most {flat:.0} m of descent per km): avoid downhill and stairs \
                 until pain stays at or below 2/10"
            ));
        }
    }

    // Strength: free days first, then on top of cross-training, then on the shortest runs.
    let open: Vec<usize> = free
        .iter()
        .copied()
        .filter(|&i| days[i].is_none())
        .collect();
    let strength = spread(&open, &[], strength_wanted);
    for &i in &strength {
        days[i] = Some(PlanDay {
            date: dates[i],
            kind: DayKind::Strength,
            distance_m: None,
            max_descent_m: None,
            minutes: Some(ROUTINE_MINUTES),
            activity: None,
            exercises: routine(),
            notes: vec!["hip, core and quad strength, then 5-10 minutes of stretching".to_string()],
        });
    }
    let mut missing = strength_wanted.saturating_sub(strength.len());
    if missing > 0 {
        let mut hosts: Vec<usize> = (0..7)
            .filter(|&i| matches!(&days[i], Some(d) if d.kind == DayKind::Cross))
            .collect();
        let mut runs: Vec<(usize, f64)> = run_distances.clone();
        runs.sort_by(|a, b| a.1.total_cmp(&b.1));
        hosts.extend(runs.into_iter().map(|(i, _)| i));
        for i in hosts.into_iter().take(missing) {
            if let Some(day) = days[i].as_mut() {
                day.exercises = routine();
                day.notes
                    .push("strength routine after the session".to_string());
                missing -= 1;
            }
        }
    }
    if strength_wanted > 0 {
        reasons.push(format!(
            "{strength_wanted} strength days: hip, core and quad work helps patellofemoral pain \
             (Lack et al. 2015)"
        ));
    }
    if missing > 0 {
        reasons.push(format!(
            "only {} strength days fit the week",
            strength_wanted - missing
        ));
    }

    let days: Vec<PlanDay> = days
        .into_iter()
        .enumerate()
        .map(|(i, day)| {
            day.unwrap_or_else(|| {
                if rest_day(dates[i]) {
                    PlanDay::rest(dates[i], "rest day")
                } else {
                    PlanDay::rest(dates[i], "easy day: rest or a walk")
                }
            })
        })
        .collect();
    let see_professional = assessment.see_professional;
    if see_professional {
        reasons.push(
            "see a physiotherapist or sports doctor about the knee before running again"
                .to_string(),
        );
    }
    let totals = PlanTotals {
        run_distance_m: days
            .iter()
            .filter_map(|d| d.distance_m)
            .fold(0.0, |a, b| a + b),
        descent_m: days
            .iter()
            .filter_map(|d| d.max_descent_m)
            .fold(0.0, |a, b| a + b),
        cross_minutes: days
            .iter()
            .filter(|d| d.kind == DayKind::Cross)
            .filter_map(|d| d.minutes)
            .sum(),
        strength_days: days.iter().filter(|d| !d.exercises.is_empty()).count() as u32,
    };
    Plan {
        week_start,
        zone,
        days,
        totals,
        thresholds,
        reasons,
        disclaimer: DISCLAIMER.to_string(),
        see_professional,
    }
}

fn cross_day(date: NaiveDate, activity: String, minutes: u32, note: &str) -> PlanDay {
    PlanDay {
        date,
        kind: DayKind::Cross,
        distance_m: None,
        max_descent_m: None,
        minutes: Some(minutes),
        activity: Some(activity),
        exercises: Vec::new(),
        notes: vec![note.to_string()],
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

/// A setting as a usable non-negative number (zero for nonsense).
fn positive(value: f64) -> f64 {
    clean(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::load::tests::{activity, day, run};
    use crate::core::threshold::tests::{history, six_weeks};
    use crate::core::zone::tests::pain;
    use crate::model::{PainWhen, Sport};
    use proptest::prelude::*;

    const TODAY: (i32, u32, u32) = (2026, 11, 22);

    fn today() -> NaiveDate {
        day(TODAY.0, TODAY.1, TODAY.2)
    }

    fn next_monday() -> NaiveDate {
        day(2026, 11, 23)
    }

    fn plan_for(activities: &[Activity], ratings: &[PainEntry]) -> Plan {
        plan_week(
            activities,
            ratings,
            &PlanSettings::default(),
            &PainSettings::default(),
            &LoadSettings::default(),
            today(),
            next_monday(),
        )
    }

    /// One row of the scenario table.
    struct Scenario {
        name: &'static str,
        /// Weeks ending with this one: (km, descent per run in m, pain after each run, pain
        /// after the long run), three runs a week (see `threshold::tests::week`).
        weeks: Vec<(f64, f64, u8, u8)>,
        /// Extra runs: (days before today, km, descent in m).
        runs: Vec<(i64, f64, f64)>,
        /// Extra ratings: (days before today, score, when, swelling).
        ratings: Vec<(i64, u8, PainWhen, bool)>,
        zone: Zone,
        /// Lowest and highest planned running distance in km.
        run_km: (f64, f64),
        /// Fewest cross-training days.
        cross_days: usize,
        /// Fewest and most strength days.
        strength: (u32, u32),
        see_professional: bool,
        /// Every run is a flat route.
        flat: bool,
        /// Words that some reason must contain.
        reason: &'static str,
    }

    fn scenarios() -> Vec<Scenario> {
        vec![
            Scenario {
                // Tolerated 28 km (the 0.9 weighted quantile of 20, 25, 22, 28, 24, 26);
                // recent level max(26, mean of 22, 28, 24, 26 = 25) = 26 km, +10% = 28.6 km,
                // capped at 28 km: three runs of 9.3 km.
                name: "steady green weeks progress gently, never past the threshold",
                weeks: vec![
                    (20.0, 60.0, 1, 1),
                    (25.0, 60.0, 1, 1),
                    (22.0, 60.0, 0, 1),
                    (28.0, 60.0, 1, 1),
                    (24.0, 60.0, 1, 0),
                    (26.0, 60.0, 1, 1),
                ],
                runs: vec![],
                ratings: vec![],
                zone: Zone::Green,
                run_km: (26.0, 28.0),
                cross_days: 0,
                strength: (2, 2),
                see_professional: false,
                flat: false,
                reason: "weekly distance capped at 28.0 km",
            },
            Scenario {
                // Five weeks at 20 km tolerated, then 30 km plus a 6 km hilly run (36 km) with
                // 4/10 after today's 12 km long run: amber. Tolerated 20 km, cut by 20% = 16 km.
                name: "a spike followed by amber pain cuts volume and swaps runs",
                weeks: vec![
                    (20.0, 30.0, 1, 1),
                    (20.0, 30.0, 1, 1),
                    (20.0, 30.0, 1, 1),
                    (20.0, 30.0, 1, 1),
                    (20.0, 30.0, 1, 1),
                    (30.0, 30.0, 1, 4),
                ],
                runs: vec![(4, 6.0, 250.0)],
                ratings: vec![],
                zone: Zone::Amber,
                run_km: (12.0, 16.0),
                cross_days: 2,
                strength: (2, 3),
                see_professional: false,
                flat: true,
                reason: "below the 20.0 km your knee has tolerated",
            },
            Scenario {
                name: "red pain stops running",
                weeks: vec![
                    (20.0, 30.0, 1, 1),
                    (20.0, 30.0, 1, 1),
                    (20.0, 30.0, 1, 1),
                    (20.0, 30.0, 1, 7),
                ],
                runs: vec![],
                ratings: vec![],
                zone: Zone::Red,
                run_km: (0.0, 0.0),
                cross_days: 3,
                strength: (3, 3),
                see_professional: true,
                flat: true,
                reason: "physiotherapist or sports doctor",
            },
            Scenario {
                name: "swelling stops running even with little pain",
                weeks: vec![(20.0, 30.0, 1, 1), (20.0, 30.0, 1, 1)],
                runs: vec![],
                ratings: vec![(1, 1, PainWhen::Daily, true)],
                zone: Zone::Red,
                run_km: (0.0, 0.0),
                cross_days: 3,
                strength: (3, 3),
                see_professional: true,
                flat: true,
                reason: "swelling logged on 2026-11-21",
            },
            Scenario {
                // The hand-worked descent example: 60 m a week tolerated, 600 m provoked.
                name: "pain after hilly weeks only: the descent threshold binds",
                weeks: vec![
                    (30.0, 20.0, 1, 1),
                    (24.0, 200.0, 4, 4),
                    (32.0, 20.0, 1, 1),
                    (24.0, 200.0, 4, 4),
                    (34.0, 20.0, 1, 1),
                    (30.0, 20.0, 1, 1),
                ],
                runs: vec![],
                ratings: vec![],
                zone: Zone::Green,
                run_km: (30.0, 34.0),
                cross_days: 0,
                strength: (2, 2),
                see_professional: false,
                flat: true,
                reason: "descent kept within 60 m for the week",
            },
            Scenario {
                name: "too little data: a conservative plan that says so",
                weeks: vec![(15.0, 30.0, 0, 0), (15.0, 30.0, 0, 0)],
                runs: vec![],
                ratings: vec![],
                zone: Zone::Green,
                run_km: (14.0, 15.0),
                cross_days: 0,
                strength: (2, 2),
                see_professional: false,
                flat: false,
                reason: "too little pain data for a personal threshold",
            },
            Scenario {
                name: "no history at all: three short runs",
                weeks: vec![],
                runs: vec![],
                ratings: vec![],
                zone: Zone::Green,
                run_km: (9.0, 9.0),
                cross_days: 0,
                strength: (2, 2),
                see_professional: false,
                flat: false,
                reason: "a conservative start of 9.0 km",
            },
        ]
    }

    fn build(s: &Scenario) -> (Vec<Activity>, Vec<PainEntry>) {
        let mondays = six_weeks();
        let first = mondays.len() - s.weeks.len();
        let spec: Vec<(NaiveDate, f64, f64, u8, u8)> = s
            .weeks
            .iter()
            .zip(&mondays[first..])
            .map(|(&(km, descent, after, long), &monday)| (monday, km, descent, after, long))
            .collect();
        let (mut runs, mut ratings) = history(&spec);
        for (k, &(back, km, descent)) in s.runs.iter().enumerate() {
            let date = shift(today(), -back);
            let mut r = activity(100 + k as i64, Sport::TrailRun, date, 18, 0, 0, km * 1000.0);
            r.descent_m = Some(descent);
            runs.push(r);
            ratings.push(pain(100 + k as i64, date, 1, PainWhen::After));
        }
        for (k, &(back, score, when, swelling)) in s.ratings.iter().enumerate() {
            let mut e = pain(200 + k as i64, shift(today(), -back), score, when);
            e.swelling = swelling;
            ratings.push(e);
        }
        (runs, ratings)
    }

    #[test]
    fn scenario_table() {
        for s in scenarios() {
            let (runs, ratings) = build(&s);
            let plan = plan_for(&runs, &ratings);
            let name = s.name;
            let km = plan.totals.run_distance_m / 1000.0;
            assert_eq!(plan.zone, s.zone, "{name}: {:#?}", plan.reasons);
            assert!(
                km >= s.run_km.0 - 1e-9 && km <= s.run_km.1 + 1e-9,
                "{name}: {km} km, {:#?}",
                plan.reasons
            );
            let cross = plan
                .days
                .iter()
                .filter(|d| d.kind == DayKind::Cross)
                .count();
            assert!(cross >= s.cross_days, "{name}: {cross} cross days");
            let strength = plan.totals.strength_days;
            assert!(
                strength >= s.strength.0 && strength <= s.strength.1,
                "{name}: {strength} strength days"
            );
            assert_eq!(plan.see_professional, s.see_professional, "{name}");
            let runs_days: Vec<&PlanDay> = plan
                .days
                .iter()
                .filter(|d| d.kind == DayKind::Run)
                .collect();
            if s.flat {
                for d in &runs_days {
                    assert!(d.notes.iter().any(|n| n == "flat route"), "{name}: {d:?}");
                    assert!(d.notes.iter().any(|n| n == "avoid downhill and stairs"));
                }
            }
            assert!(
                plan.reasons.iter().any(|r| r.contains(s.reason)),
                "{name}: {:#?}",
                plan.reasons
            );
            let friday = plan.days.iter().find(|d| d.date.weekday() == Weekday::Fri);
            assert_eq!(friday.map(|d| d.kind), Some(DayKind::Rest), "{name}");
            if let Some(t) = plan.thresholds.weekly_distance_m.tolerated_m {
                assert!(plan.totals.run_distance_m <= t, "{name}");
            }
        }
    }

    #[test]
    fn amber_swaps_the_longest_and_the_hilliest_runs() {
        let s = &scenarios()[1];
        let (runs, ratings) = build(s);
        let plan = plan_for(&runs, &ratings);
        let sunday = &plan.days[6];
        assert_eq!(sunday.kind, DayKind::Cross);
        // The 12 km long run at 6:00/km is 72 minutes, rounded to 70.
        assert_eq!(sunday.minutes, Some(70), "{:#?}", plan.reasons);
        let wednesday = &plan.days[2];
        assert_eq!(wednesday.kind, DayKind::Cross);
        assert!(plan
            .reasons
            .iter()
            .any(|r| r.contains("hilliest recent run (6.0 km, 250 m of descent")));
        for d in plan.days.iter().filter(|d| d.kind == DayKind::Run) {
            assert!(d.distance_m.unwrap() <= 6000.0);
            assert!(d.max_descent_m.unwrap() <= 5.0 * d.distance_m.unwrap() / 1000.0);
        }
    }

    #[test]
    fn long_run_capped_by_the_longest_run_of_the_last_30_days() {
        // Six runs a week (about 42.5 km) with daily ratings only, so no per-run threshold:
        // the long run (a third of the week, 14.2 km) is capped at 1.1 x 10 km = 11.0 km.
        let mut runs = Vec::new();
        let mut ratings = Vec::new();
        for d in 0..42 {
            let date = shift(today(), -d);
            if d % 7 == 3 {
                continue;
            }
            let distance = if d % 7 == 0 { 10_000.0 } else { 6_500.0 };
            runs.push(run(d, date, distance));
            ratings.push(pain(d, date, 1, PainWhen::Daily));
        }
        let plan = plan_for(&runs, &ratings);
        assert_eq!(plan.zone, Zone::Green);
        assert_eq!(plan.thresholds.longest_run_m.tolerated_m, None);
        let longest = plan
            .days
            .iter()
            .filter_map(|d| d.distance_m)
            .fold(0.0, f64::max);
        assert!(longest <= 11_000.0, "{longest}");
        assert!(
            plan.reasons.iter().any(|r| r.contains(
                "long run capped at 11.0 km: 1.1 x your longest run in the last 30 days (10.0 km)"
            )),
            "{:#?}",
            plan.reasons
        );
    }

    #[test]
    fn plan_json_has_the_stable_shape() {
        let s = &scenarios()[1];
        let (runs, ratings) = build(s);
        let plan = plan_for(&runs, &ratings);
        let json = serde_json::to_value(&plan).unwrap();
        let mut keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "days",
                "disclaimer",
                "reasons",
                "see_professional",
                "thresholds",
                "totals",
                "week_start",
                "zone"
            ]
        );
        assert_eq!(json["week_start"], "2026-11-23");
        assert_eq!(json["zone"], "amber");
        let day = &json["days"][0];
        let mut day_keys: Vec<&String> = day.as_object().unwrap().keys().collect();
        day_keys.sort();
        assert_eq!(
            day_keys,
            [
                "activity",
                "date",
                "distance_m",
                "exercises",
                "kind",
                "max_descent_m",
                "minutes",
                "notes"
            ]
        );
        assert_eq!(json["days"][6]["kind"], "cross");
        assert!(json["days"][6]["distance_m"].is_null());
        assert!(json["days"][6]["activity"].is_string());
        let totals = &json["totals"];
        for key in [
            "run_distance_m",
            "descent_m",
            "cross_minutes",
            "strength_days",
        ] {
            assert!(!totals[key].is_null(), "{key}");
        }
        for key in [
            "weekly_distance_m",
            "longest_run_m",
            "weekly_descent_m",
            "run_descent_m",
        ] {
            let estimate = &json["thresholds"][key];
            assert!(estimate["confidence"].is_string(), "{key}");
            assert!(estimate["evidence"].is_array(), "{key}");
        }
        assert_eq!(
            json["thresholds"]["weekly_distance_m"]["tolerated_m"],
            20000.0
        );
        assert!(json["disclaimer"]
            .as_str()
            .unwrap()
            .starts_with("kneeguard is not medical advice"));
    }

    #[test]
    fn settings_round_trip_with_weekday_names() {
        let settings = PlanSettings::default();
        let json = serde_json::to_value(&settings).unwrap();
        assert_eq!(json["rest_days"][0], "friday");
        assert_eq!(json["long_run_day"], "sunday");
        assert_eq!(json["available_days"].as_array().unwrap().len(), 6);
        let back: PlanSettings = serde_json::from_value(json).unwrap();
        assert_eq!(back, settings);
        let partial: PlanSettings =
            serde_json::from_str(r#"{"rest_days": ["Monday", "thu"], "long_run_day": "sat"}"#)
                .unwrap();
        assert_eq!(partial.rest_days, vec![Weekday::Mon, Weekday::Thu]);
        assert_eq!(partial.long_run_day, Weekday::Sat);
        assert!(serde_json::from_str::<PlanSettings>(r#"{"rest_days": ["someday"]}"#).is_err());
        assert!(serde_json::from_str::<PlanSettings>(r#"{"restdays": []}"#).is_err());
    }

    #[test]
    fn ten_years_of_daily_runs_and_pain() {
        let start = shift(today(), -3650);
        let mut runs = Vec::new();
        let mut ratings = Vec::new();
        for d in 0..3650 {
            let date = shift(start, d);
            runs.push(run(d, date, 5_000.0 + (d % 9) as f64 * 1_000.0));
            ratings.push(pain(d, date, (d % 4) as u8, PainWhen::After));
        }
        let plan = plan_for(&runs, &ratings);
        assert_eq!(plan.days.len(), 7);
    }

    fn weekdays_of(mask: u8) -> Vec<Weekday> {
        (0..7u8)
            .filter(|i| mask & (1 << i) != 0)
            .map(|i| Weekday::try_from(i).unwrap())
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn plans_keep_their_promises(
            runs in prop::collection::vec(
                (0i64..120, 0.0f64..25_000.0, prop::option::of(0.0f64..800.0), 150.0f64..600.0),
                0..60,
            ),
            ratings in prop::collection::vec(
                (0i64..125, 0u8..=10, 0usize..4, prop::bool::weighted(0.05), any::<bool>()),
                0..60,
            ),
            after_today in 1i64..10,
            available in any::<u8>(),
            rest in prop::sample::select(vec![0u8, 0b1_0000, 0b100_0001, 0b11]),
        ) {
            let base = day(2026, 6, 1);
            let today = shift(base, 120);
            let week_start = shift(today, after_today);
            let activities: Vec<Activity> = runs
                .iter()
                .enumerate()
                .map(|(i, &(d, distance, descent, pace))| {
                    let mut a = run(i as i64, shift(base, d), distance.round());
                    a.descent_m = descent;
                    a.moving_s = distance / 1000.0 * pace;
                    a
                })
                .collect();
            let whens = [PainWhen::During, PainWhen::After, PainWhen::Morning, PainWhen::Daily];
            let entries: Vec<PainEntry> = ratings
                .iter()
                .enumerate()
                .map(|(i, &(d, score, when, swelling, linked))| {
                    let mut e = pain(i as i64, shift(base, d), score, whens[when]);
                    e.swelling = swelling;
                    if linked && !activities.is_empty() {
                        e.activity_id = Some((i % activities.len()) as i64);
                    }
                    e
                })
                .collect();
            let settings = PlanSettings {
                available_days: weekdays_of(available),
                rest_days: weekdays_of(rest),
                ..PlanSettings::default()
            };
            let plan = plan_week(
                &activities,
                &entries,
                &settings,
                &PainSettings::default(),
                &LoadSettings::default(),
                today,
                week_start,
            );

            prop_assert_eq!(plan.days.len(), 7);
            for (i, d) in plan.days.iter().enumerate() {
                prop_assert_eq!(d.date, shift(week_start, i as i64));
            }
            let until = today.min(shift(week_start, -1));
            let longest30 = activities
                .iter()
                .filter(|a| {
                    let date = local_date(a).unwrap();
                    date >= shift(week_start, -30) && date <= until
                })
                .map(|a| a.distance_m)
                .fold(0.0, f64::max);
            let cap = if longest30 > 0.0 { 1.1 * longest30 } else { 3000.0 };
            for d in &plan.days {
                if let Some(distance) = d.distance_m {
                    prop_assert!(distance <= cap + 1e-6, "{} > {}", distance, cap);
                    prop_assert_eq!(d.kind, DayKind::Run);
                }
                if settings.rest_days.contains(&d.date.weekday()) {
                    prop_assert_eq!(d.kind, DayKind::Rest);
                }
            }
            let total: f64 = plan.days.iter().filter_map(|d| d.distance_m).sum();
            prop_assert!((total - plan.totals.run_distance_m).abs() < 1e-6);
            if let Some(t) = plan.thresholds.weekly_distance_m.tolerated_m {
                prop_assert!(total <= t + 1e-6, "{} > tolerated {}", total, t);
            }
            if plan.zone == Zone::Red {
                prop_assert_eq!(total, 0.0);
                prop_assert!(plan.days.iter().all(|d| d.kind != DayKind::Run));
                prop_assert!(plan.see_professional);
            }
        }

        #[test]
        fn nothing_panics_on_odd_input(
            distance in prop::num::f64::ANY,
            descent in prop::option::of(prop::num::f64::ANY),
            score in any::<u8>(),
            offset in -200_000i64..200_000,
        ) {
            let mut a = run(1, day(2026, 11, 10), 0.0);
            a.distance_m = distance;
            a.descent_m = descent;
            a.moving_s = distance;
            let e = pain(1, shift(today(), offset / 1000), score, PainWhen::Morning);
            let plan = plan_for(&[a], &[e]);
            prop_assert_eq!(plan.days.len(), 7);
        }
    }
}
