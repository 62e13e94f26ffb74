//! Weekly running load: local training weeks, their totals, week-to-week ramps, the
//! acute:chronic workload ratio (uncoupled and EWMA) and Foster's monotony and strain.
//!
//! Everything is computed from one daily series built in a single pass over the activities, so
//! the cost grows linearly with the length of the history. Days are local calendar days (the day
//! where the run happened, from its own UTC offset), which keeps weeks right across time zones
//! and daylight-saving changes. The thresholds live in [`LoadSettings`], each with its source
//! (DOMAIN.md §4).

use crate::core::clean;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::model::{Activity, Category};

/// Activities whose local date falls before this day are ignored as bad data.
const EARLIEST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(day) => day,
    None => panic!("1900-01-01 is a valid date"),
};

/// The most weeks [`weekly_summaries`] returns, about 190 years.
pub const MAX_WEEKS: usize = 10_000;

/// A week under way shows its ACWR and monotony once this many of its days have passed.
const PARTIAL_WEEK_MIN_DAYS: i64 = 3;

/// Below this, a standard deviation or a chronic load counts as zero.
const TINY: f64 = 1e-9;

/// The longest spike window a config may set: a year.
pub const MAX_SPIKE_WINDOW_DAYS: u32 = 365;

/// Thresholds and windows of the load rules. Every field has a default from DOMAIN.md §4 and can
/// be changed in the config file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoadSettings {
    /// First day of the training week (DOMAIN.md §2: a local calendar week, Monday by default).
    #[serde(with = "weekday_names::one")]
    pub week_start: Weekday,
    /// Upper edge of the smallest single-run spike band, in percent (Frandsen et al. 2025,
    /// BJSM 59:1203: above 10% and up to 30%, HR 1.64).
    pub spike_low_pct: f64,
    /// Upper edge of the middle spike band, in percent (Frandsen et al. 2025: above 30% and up to
    /// 100%, HR 1.52).
    pub spike_mid_pct: f64,
    /// Upper edge of the largest bounded spike band, in percent (Frandsen et al. 2025: above 100%,
    /// HR 2.28).
    pub spike_high_pct: f64,
    /// How far back the single-run reference looks, in days of 24 hours (Frandsen et al. 2025:
    /// the longest run of the preceding 30 days); 1 to [`MAX_SPIKE_WINDOW_DAYS`].
    pub spike_window_days: u32,
    /// Smallest reference distance in metres: a shorter longest run is raised to this before a
    /// run is judged, so a 3 km run after a 2 km jog is not flagged while a 10 km run after it
    /// still is. kneeguard's own choice (3 km), not from a study.
    pub spike_min_reference_m: f64,
    /// Smallest reference descent in metres for the single-run descent spike, applied the same
    /// way (kneeguard's choice: 50 m; GPS noise alone can add that much on a flat route).
    pub descent_spike_min_reference_m: f64,
    /// Weekly ramp threshold in percent, against the previous week and against the mean of the
    /// previous four weeks (Nielsen et al. 2014, 874 novices: more than 30% over two weeks,
    /// HR 1.59 for distance-related injuries including patellofemoral pain).
    pub weekly_ramp_pct: f64,
    /// Smallest reference week in metres for the weekly ramp: a smaller week is raised to this
    /// before the ramp is judged (kneeguard's choice: 5 km; going from 3 to 5 km a week is not a
    /// ramp worth a warning, from 3 to 12 km is).
    pub ramp_min_reference_m: f64,
    /// Smallest reference week in metres of descent for the weekly descent ramp, applied the
    /// same way (kneeguard's choice: 200 m).
    pub descent_ramp_min_reference_m: f64,
    /// Acute:chronic ratio below which load counts as dropped (Gabbett 2016: below 0.8).
    pub acwr_low: f64,
    /// Acute:chronic ratio above which load calls for caution (Gabbett 2016: above 1.3).
    pub acwr_caution: f64,
    /// Acute:chronic ratio above which load counts as high (Gabbett 2016: above 1.5).
    pub acwr_high: f64,
    /// Smallest chronic load, as a mean week in metres, for an ACWR warning (kneeguard's choice:
    /// 5 km; ratios of tiny loads are noise).
    pub acwr_min_chronic_weekly_m: f64,
    /// Span in days of the acute exponentially weighted average (Williams et al. 2017: N = 7,
    /// lambda = 2 / (N + 1)).
    pub ewma_acute_days: u32,
    /// Span in days of the chronic exponentially weighted average (Williams et al. 2017: N = 28).
    pub ewma_chronic_days: u32,
    /// Training monotony above which the week is flagged (Foster 2001: above 2.0).
    pub monotony_threshold: f64,
}

impl Default for LoadSettings {
    fn default() -> Self {
        LoadSettings {
            week_start: Weekday::Mon,
            spike_low_pct: 10.0,
            spike_mid_pct: 30.0,
            spike_high_pct: 100.0,
            spike_window_days: 30,
            spike_min_reference_m: 3000.0,
            descent_spike_min_reference_m: 50.0,
            weekly_ramp_pct: 30.0,
            ramp_min_reference_m: 5000.0,
            descent_ramp_min_reference_m: 200.0,
            acwr_low: 0.8,
            acwr_caution: 1.3,
            acwr_high: 1.5,
            acwr_min_chronic_weekly_m: 5000.0,
            ewma_acute_days: 7,
            ewma_chronic_days: 28,
            monotony_threshold: 2.0,
        }
    }
}

/// Weekdays as lowercase English names (`monday`) in the config; any spelling chrono accepts is
/// read back.
pub(crate) mod weekday_names {
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

/// One local training week. Distances and heights in metres, times in seconds; the field names
/// are a stable JSON interface.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekSummary {
    /// First local day of the week.
    pub week_start: NaiveDate,
    /// Number of runs.
    pub runs: u32,
    pub distance_m: f64,
    pub moving_s: f64,
    pub longest_run_m: f64,
    /// Ascent of the runs (runs without a figure count as zero).
    pub ascent_m: f64,
    /// Descent of the runs (runs without a figure count as zero).
    pub descent_m: f64,
    /// Metres of descent per kilometre, over the runs whose descent is known; `null` when no
    /// run of the week has a known descent.
    pub descent_per_km: Option<f64>,
    /// Moving minutes of cross-training.
    pub cross_minutes: f64,
    pub strength_sessions: u32,
    /// Change of distance against the previous week in percent; `null` when that week had none,
    /// and for the week under way until it is above it.
    pub ramp_pct: Option<f64>,
    /// Change of distance against the mean of the previous four weeks in percent; `null` when
    /// the history does not cover those four weeks or their mean is zero, and for the week under
    /// way until it is above it.
    pub ramp_vs_4wk_pct: Option<f64>,
    /// Last 7 days against the mean week of the 21 days before, at the week's last day (or
    /// today for the current week, once three of its days have passed); `null` without chronic
    /// load or 28 days of history.
    pub acwr_uncoupled: Option<f64>,
    /// Acute (7-day) over chronic (28-day) exponentially weighted daily distance, at the same
    /// day; `null` without chronic load or 28 days of history.
    pub acwr_ewma: Option<f64>,
    /// Foster's monotony over the 7 days ending at the same day; `null` when the days are all
    /// equal (no spread).
    pub monotony: Option<f64>,
    /// Kilometres in those 7 days times the monotony.
    pub strain: Option<f64>,
    /// The week contains today, so it is still under way.
    pub partial: bool,
}

/// The calendar day where an activity happened: its start shifted by its own UTC offset.
/// `None` without a start time.
pub fn local_date(activity: &Activity) -> Option<NaiveDate> {
    let start = activity.start?;
    let local = start.checked_add_signed(Duration::seconds(i64::from(activity.utc_offset_s)))?;
    Some(local.date_naive())
}

/// The first day of the training week that contains `date`.
pub fn week_start_of(date: NaiveDate, week_start: Weekday) -> NaiveDate {
    let back = (7 + date.weekday().num_days_from_monday() - week_start.num_days_from_monday()) % 7;
    shift(date, -i64::from(back))
}

/// `date` moved by `days`, saturating at the ends of the calendar.
pub(crate) fn shift(date: NaiveDate, days: i64) -> NaiveDate {
    date.checked_add_signed(Duration::days(days))
        .unwrap_or(if days < 0 {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        })
}

/// The last `weeks` local weeks ending with the week that contains `today`, oldest first, weeks
/// without activities included. Activities after `today` or without a start are ignored; at
/// most [`MAX_WEEKS`] weeks are returned.
pub fn weekly_summaries(
    activities: &[Activity],
    settings: &LoadSettings,
    today: NaiveDate,
    weeks: usize,
) -> Vec<WeekSummary> {
    let weeks = weeks.min(MAX_WEEKS);
    if weeks == 0 {
        return Vec::new();
    }
    let last = week_start_of(today, settings.week_start);
    let first = shift(last, -7 * (weeks as i64 - 1));
    let series = LoadSeries::new(activities, settings, today, first);
    (0..weeks)
        .map(|i| series.week_summary(shift(first, 7 * i as i64)))
        .collect()
}

/// What one local day holds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Totals {
    pub runs: u32,
    pub distance_m: f64,
    pub moving_s: f64,
    pub longest_run_m: f64,
    pub ascent_m: f64,
    pub descent_m: f64,
    /// Distance of the runs whose descent is known (the denominator of descent per km).
    pub descent_known_distance_m: f64,
    pub cross_s: f64,
    pub strength: u32,
}

impl Totals {
    fn add(&mut self, other: &Totals) {
        self.runs += other.runs;
        self.distance_m += other.distance_m;
        self.moving_s += other.moving_s;
        self.longest_run_m = self.longest_run_m.max(other.longest_run_m);
        self.ascent_m += other.ascent_m;
        self.descent_m += other.descent_m;
        self.descent_known_distance_m += other.descent_known_distance_m;
        self.cross_s += other.cross_s;
        self.strength += other.strength;
    }
}

/// How many days before the first day asked about the series starts: enough for the slower
/// moving average to forget what came before (a day that far back weighs (1 - 2/(n+1))^(20(n+1))
/// < e^-40 of one today), so that a history of decades costs what one of two years does.
fn warm_up_days(settings: &LoadSettings) -> i64 {
    let span = settings
        .ewma_acute_days
        .max(settings.ewma_chronic_days)
        .max(1);
    20 * (i64::from(span) + 1)
}

/// The daily series behind every weekly and daily load figure, from a week-aligned origin to
/// `today`. Days outside it read as empty.
pub(crate) struct LoadSeries {
    settings: LoadSettings,
    origin: NaiveDate,
    today: NaiveDate,
    /// The local date of the earliest counted activity of any kind: where the history begins.
    first_day: Option<NaiveDate>,
    days: Vec<Totals>,
    /// `cum_distance[i]` is the running distance of the days before index `i`.
    cum_distance: Vec<f64>,
    cum_descent: Vec<f64>,
    ewma_acute: Vec<f64>,
    ewma_chronic: Vec<f64>,
}

impl LoadSeries {
    /// Builds the series for questions about days from `from` to `today`; it reaches far enough
    /// back for the previous weeks and the 28-day chronic window of `from`.
    pub(crate) fn new(
        activities: &[Activity],
        settings: &LoadSettings,
        today: NaiveDate,
        from: NaiveDate,
    ) -> LoadSeries {
        let dated: Vec<(NaiveDate, &Activity)> = activities
            .iter()
            .filter_map(|a| local_date(a).map(|d| (d, a)))
            .filter(|(d, _)| *d >= EARLIEST_DAY && *d <= today)
            .collect();
        let first_day = dated.iter().map(|(d, _)| *d).min();
        let earliest = first_day
            .map_or(from, |d| d.min(from))
            .max(shift(from, -warm_up_days(settings)))
            .min(today);
        let origin = shift(week_start_of(earliest, settings.week_start), -35);
        let len = (today - origin).num_days().max(0) as usize + 1;
        let mut days = vec![Totals::default(); len];
        for (date, activity) in dated.into_iter().filter(|(d, _)| *d >= origin) {
            let day = &mut days[(date - origin).num_days() as usize];
            match activity.sport.category() {
                Category::Run => {
                    let distance = clean(activity.distance_m);
                    day.runs += 1;
                    day.distance_m += distance;
                    day.moving_s += clean(activity.moving_s);
                    day.longest_run_m = day.longest_run_m.max(distance);
                    day.ascent_m += activity.ascent_m.map_or(0.0, clean);
                    if let Some(descent) = activity.descent_m {
                        day.descent_m += clean(descent);
                        day.descent_known_distance_m += distance;
                    }
                }
                Category::Cross => day.cross_s += clean(activity.moving_s),
                Category::Strength => day.strength += 1,
                Category::Other => {}
            }
        }
        let mut cum_distance = Vec::with_capacity(len + 1);
        let mut cum_descent = Vec::with_capacity(len + 1);
        let (mut distance, mut descent) = (0.0, 0.0);
        cum_distance.push(0.0);
        cum_descent.push(0.0);
        for day in &days {
            distance += day.distance_m;
            descent += day.descent_m;
            cum_distance.push(distance);
            cum_descent.push(descent);
        }
        let ewma = |span: u32| {
            let lambda = 2.0 / (f64::from(span.max(1)) + 1.0);
            let mut level = 0.0;
            days.iter()
                .map(|day| {
                    level = lambda * day.distance_m + (1.0 - lambda) * level;
                    level
                })
                .collect::<Vec<f64>>()
        };
        let ewma_acute = ewma(settings.ewma_acute_days);
        let ewma_chronic = ewma(settings.ewma_chronic_days);
        LoadSeries {
            settings: settings.clone(),
            origin,
            today,
            first_day,
            days,
            cum_distance,
            cum_descent,
            ewma_acute,
            ewma_chronic,
        }
    }

    pub(crate) fn settings(&self) -> &LoadSettings {
        &self.settings
    }

    /// Index of `day` in the series, clamped to `0..=len` (so ranges outside read as empty).
    fn clamp_index(&self, day: NaiveDate) -> usize {
        let offset = (day - self.origin).num_days();
        offset.clamp(0, self.days.len() as i64) as usize
    }

    fn index(&self, day: NaiveDate) -> Option<usize> {
        let offset = (day - self.origin).num_days();
        (offset >= 0 && (offset as usize) < self.days.len()).then_some(offset as usize)
    }

    /// Whether the history reaches back to `day`.
    fn covers(&self, day: NaiveDate) -> bool {
        self.first_day.is_some_and(|first| first <= day)
    }

    /// Running distance of the days `from..=to`.
    pub(crate) fn distance(&self, from: NaiveDate, to: NaiveDate) -> f64 {
        let (a, b) = (self.clamp_index(from), self.clamp_index(shift(to, 1)));
        if b <= a {
            0.0
        } else {
            self.cum_distance[b] - self.cum_distance[a]
        }
    }

    /// Running descent of the days `from..=to`.
    pub(crate) fn descent(&self, from: NaiveDate, to: NaiveDate) -> f64 {
        let (a, b) = (self.clamp_index(from), self.clamp_index(shift(to, 1)));
        if b <= a {
            0.0
        } else {
            self.cum_descent[b] - self.cum_descent[a]
        }
    }

    /// Everything of the seven days of the week starting at `start`.
    pub(crate) fn week_totals(&self, start: NaiveDate) -> Totals {
        let (a, b) = (self.clamp_index(start), self.clamp_index(shift(start, 7)));
        let mut totals = Totals::default();
        for day in &self.days[a..b.max(a)] {
            totals.add(day);
        }
        totals
    }

    /// Mean running distance and descent of the four weeks before the week starting at `start`,
    /// when the history covers all four.
    pub(crate) fn four_week_mean(&self, start: NaiveDate) -> Option<(f64, f64)> {
        let first = shift(start, -28);
        let history = week_start_of(self.first_day?, self.settings.week_start);
        (first >= history).then(|| {
            let last = shift(start, -1);
            (
                self.distance(first, last) / 4.0,
                self.descent(first, last) / 4.0,
            )
        })
    }

    /// The day a week's rolling figures are read at: its last day, or today if earlier.
    pub(crate) fn evaluation_day(&self, start: NaiveDate) -> NaiveDate {
        shift(start, 6).min(self.today)
    }

    /// Acute and chronic load of the uncoupled ratio at `day`: the running distance of the 7
    /// days ending at `day`, and the mean week of the 21 days before them.
    pub(crate) fn acute_chronic(&self, day: NaiveDate) -> (f64, f64) {
        let acute = self.distance(shift(day, -6), day);
        let chronic = self.distance(shift(day, -27), shift(day, -7)) / 3.0;
        (acute, chronic)
    }

    /// The uncoupled acute:chronic ratio at `day`; `None` without chronic load or without 28
    /// days of history.
    pub(crate) fn acwr_uncoupled(&self, day: NaiveDate) -> Option<f64> {
        if !self.covers(shift(day, -27)) {
            return None;
        }
        let (acute, chronic) = self.acute_chronic(day);
        (chronic > TINY).then(|| acute / chronic)
    }

    /// The EWMA acute and chronic daily loads at `day`.
    pub(crate) fn ewma_loads(&self, day: NaiveDate) -> Option<(f64, f64)> {
        let i = self.index(day)?;
        Some((self.ewma_acute[i], self.ewma_chronic[i]))
    }

    /// The EWMA acute:chronic ratio at `day`; `None` without chronic load or without a chronic
    /// span of history.
    pub(crate) fn acwr_ewma(&self, day: NaiveDate) -> Option<f64> {
        let span = i64::from(self.settings.ewma_chronic_days.max(1));
        if !self.covers(shift(day, 1 - span)) {
            return None;
        }
        let (acute, chronic) = self.ewma_loads(day)?;
        (chronic > TINY).then(|| acute / chronic)
    }

    /// Foster's monotony and strain over the 7 days ending at `day`: mean daily distance over
    /// its population standard deviation, and kilometres times monotony. `None` without spread.
    pub(crate) fn monotony(&self, day: NaiveDate) -> Option<(f64, f64)> {
        let loads: Vec<f64> = (0..7)
            .map(|back| {
                self.index(shift(day, -back))
                    .map_or(0.0, |i| self.days[i].distance_m)
            })
            .collect();
        let total: f64 = loads.iter().sum();
        let mean = total / 7.0;
        let variance = loads.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 7.0;
        let sd = variance.sqrt();
        if sd <= TINY * mean.max(1.0) {
            return None;
        }
        let monotony = mean / sd;
        Some((monotony, total / 1000.0 * monotony))
    }

    /// The summary of the week starting at `start`.
    pub(crate) fn week_summary(&self, start: NaiveDate) -> WeekSummary {
        let totals = self.week_totals(start);
        let previous = self.week_totals(shift(start, -7));
        let partial = start <= self.today && self.today <= shift(start, 6);
        // A week under way can already be over the weeks before, but is under them only on its
        // last day; its rolling figures wait until a few of its days have passed.
        let last_day = self.today >= shift(start, 6);
        let ramp = |now: f64, before: f64| {
            (before > TINY)
                .then(|| (now / before - 1.0) * 100.0)
                .filter(|pct| !partial || last_day || *pct > 0.0)
        };
        let eval = self.evaluation_day(start);
        let settled = !partial || (eval - start).num_days() + 1 >= PARTIAL_WEEK_MIN_DAYS;
        let monotony = self.monotony(eval).filter(|_| settled);
        WeekSummary {
            week_start: start,
            runs: totals.runs,
            distance_m: totals.distance_m,
            moving_s: totals.moving_s,
            longest_run_m: totals.longest_run_m,
            ascent_m: totals.ascent_m,
            descent_m: totals.descent_m,
            descent_per_km: (totals.descent_known_distance_m > TINY)
                .then(|| totals.descent_m / (totals.descent_known_distance_m / 1000.0)),
            cross_minutes: totals.cross_s / 60.0,
            strength_sessions: totals.strength,
            ramp_pct: ramp(totals.distance_m, previous.distance_m),
            ramp_vs_4wk_pct: self
                .four_week_mean(start)
                .and_then(|(mean, _)| ramp(totals.distance_m, mean)),
            acwr_uncoupled: self.acwr_uncoupled(eval).filter(|_| settled),
            acwr_ewma: self.acwr_ewma(eval).filter(|_| settled),
            monotony: monotony.map(|(m, _)| m),
            strain: monotony.map(|(_, s)| s),
            partial,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{SourceKind, Sport};
    use chrono::{DateTime, NaiveTime, TimeZone, Utc};
    use proptest::prelude::*;

    /// An activity at local `date` and `hh:mm`, recorded at `offset_s` east of UTC.
    pub(crate) fn activity(
        id: i64,
        sport: Sport,
        date: NaiveDate,
        hh: u32,
        mm: u32,
        offset_s: i32,
        distance_m: f64,
    ) -> Activity {
        let local = date.and_time(NaiveTime::from_hms_opt(hh, mm, 0).unwrap());
        let start: DateTime<Utc> =
            Utc.from_utc_datetime(&(local - Duration::seconds(i64::from(offset_s))));
        Activity {
            id,
            sport,
            start: Some(start),
            utc_offset_s: offset_s,
            distance_m,
            moving_s: distance_m * 0.36,
            elapsed_s: distance_m * 0.4,
            ascent_m: Some(distance_m / 100.0),
            descent_m: Some(distance_m / 100.0),
            device_descent_m: None,
            descent_estimated: false,
            name: None,
            note: None,
            device: None,
            source_kind: SourceKind::Manual,
            source: "manual".to_string(),
            confirmed: false,
        }
    }

    /// A run at 07:00 UTC on `date`.
    pub(crate) fn run(id: i64, date: NaiveDate, distance_m: f64) -> Activity {
        activity(id, Sport::Run, date, 7, 0, 0, distance_m)
    }

    pub(crate) fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6 * (1.0 + a.abs().max(b.abs()))
    }

    #[test]
    fn settings_defaults_round_trip_through_json() {
        let settings = LoadSettings::default();
        let json = serde_json::to_value(&settings).unwrap();
        assert_eq!(json["week_start"], "monday");
        assert_eq!(json["spike_window_days"], 30);
        let back: LoadSettings = serde_json::from_value(json).unwrap();
        assert_eq!(back, settings);
        let partial: LoadSettings =
            serde_json::from_str(r#"{"week_start": "Sunday", "weekly_ramp_pct": 25}"#).unwrap();
        assert_eq!(partial.week_start, Weekday::Sun);
        assert_eq!(partial.weekly_ramp_pct, 25.0);
        assert_eq!(partial.acwr_high, 1.5);
        let bad = serde_json::from_str::<LoadSettings>(r#"{"week_start": "someday"}"#);
        assert!(bad.unwrap_err().to_string().contains("someday"));
    }

    #[test]
    fn week_start_of_cases() {
        // 2025-03-12 is a Wednesday.
        let cases = [
            (day(2025, 3, 12), Weekday::Mon, day(2025, 3, 10)),
            (day(2025, 3, 10), Weekday::Mon, day(2025, 3, 10)),
            (day(2025, 3, 16), Weekday::Mon, day(2025, 3, 10)),
            (day(2025, 3, 12), Weekday::Sun, day(2025, 3, 9)),
            (day(2025, 3, 15), Weekday::Sun, day(2025, 3, 9)),
            (day(2025, 3, 16), Weekday::Sun, day(2025, 3, 16)),
            (day(2025, 3, 12), Weekday::Wed, day(2025, 3, 12)),
            (day(2025, 3, 11), Weekday::Wed, day(2025, 3, 5)),
        ];
        for (date, start, want) in cases {
            assert_eq!(week_start_of(date, start), want, "{date} {start}");
        }
    }

    #[test]
    fn local_date_cases() {
        // (local day, local time, offset) must map back to the same local day.
        let cases = [
            (day(2025, 3, 9), 23, 30, -5 * 3600), // New York, UTC Monday 04:30
            (day(2025, 3, 9), 23, 30, -4 * 3600), // New York in summer time
            (day(2025, 3, 10), 0, 30, 9 * 3600),  // Tokyo, UTC Sunday 15:30
            (day(2025, 3, 9), 23, 59, 14 * 3600),
            (day(2025, 3, 9), 0, 0, -12 * 3600),
        ];
        for (date, hh, mm, offset) in cases {
            let a = activity(1, Sport::Run, date, hh, mm, offset, 5000.0);
            assert_eq!(local_date(&a), Some(date), "{date} {hh}:{mm} {offset}");
        }
        let mut undated = run(1, day(2025, 3, 9), 5000.0);
        undated.start = None;
        assert_eq!(local_date(&undated), None);
    }

    #[test]
    fn sunday_night_in_new_york_counts_in_sundays_week() {
        let sunday = day(2025, 3, 9);
        let a = activity(1, Sport::Run, sunday, 23, 30, -5 * 3600, 8000.0);
        let weeks = weekly_summaries(&[a], &LoadSettings::default(), day(2025, 3, 12), 2);
        assert_eq!(weeks[0].week_start, day(2025, 3, 3));
        assert_eq!(weeks[0].distance_m, 8000.0);
        assert_eq!(weeks[1].distance_m, 0.0);
    }

    #[test]
    fn week_summary_totals_and_categories() {
        let monday = day(2025, 3, 10);
        let mut long = run(1, monday, 12000.0);
        long.ascent_m = Some(150.0);
        long.descent_m = Some(180.0);
        let mut short = run(2, day(2025, 3, 12), 6000.0);
        short.ascent_m = None;
        short.descent_m = None;
        let mut ride = activity(3, Sport::Ride, day(2025, 3, 11), 18, 0, 0, 30000.0);
        ride.moving_s = 3600.0;
        let gym = activity(4, Sport::Strength, day(2025, 3, 13), 18, 0, 0, 0.0);
        let other = activity(5, Sport::Other, day(2025, 3, 13), 19, 0, 0, 9000.0);
        let mut undated = run(6, monday, 50000.0);
        undated.start = None;
        let future = run(7, day(2025, 3, 16), 20000.0);
        let all = [long, short, ride, gym, other, undated, future];
        let weeks = weekly_summaries(&all, &LoadSettings::default(), day(2025, 3, 14), 1);
        let week = &weeks[0];
        assert_eq!(week.week_start, monday);
        assert_eq!(week.runs, 2);
        assert_eq!(week.distance_m, 18000.0);
        assert_eq!(week.longest_run_m, 12000.0);
        assert_eq!(week.ascent_m, 150.0);
        assert_eq!(week.descent_m, 180.0);
        // 180 m over the 12 km whose descent is known; the 6 km run without one is left out
        assert!(close(week.descent_per_km.unwrap(), 15.0));
        assert_eq!(week.cross_minutes, 60.0);
        assert_eq!(week.strength_sessions, 1);
        assert!(week.partial);
        assert_eq!(week.ramp_pct, None);
        let json = serde_json::to_value(week).unwrap();
        assert_eq!(json["week_start"], "2025-03-10");
        assert!(json["ramp_pct"].is_null());
    }

    #[test]
    fn a_week_just_begun_shows_no_fall_and_no_rolling_ratios_yet() {
        // Five weeks of 24 km, and a Monday with no run yet: not -100%, no ACWR.
        let monday = day(2025, 3, 17);
        let all: Vec<Activity> = (1..=5)
            .flat_map(|w| {
                (0..3).map(move |d| run(w * 10 + d, shift(monday, -7 * w + 2 * d), 8_000.0))
            })
            .collect();
        let weeks = weekly_summaries(&all, &LoadSettings::default(), monday, 2);
        let (last, now) = (&weeks[0], &weeks[1]);
        assert_eq!(last.ramp_pct, Some(0.0));
        assert!(now.partial);
        assert_eq!(
            (now.ramp_pct, now.acwr_uncoupled, now.monotony),
            (None, None, None)
        );
        // Three days in, the rolling figures are back; a week already over the last one shows it.
        let mut more = all.clone();
        more.push(run(99, shift(monday, 1), 30_000.0));
        let now = &weekly_summaries(&more, &LoadSettings::default(), shift(monday, 2), 1)[0];
        assert!(now.acwr_uncoupled.is_some());
        assert!(now.ramp_pct.is_some_and(|p| p > 0.0));
    }

    #[test]
    fn ramp_cases() {
        // (previous week km, this week km, expected ramp_pct)
        let cases: [(f64, f64, Option<f64>); 5] = [
            (10.0, 13.0, Some(30.0)),
            (10.0, 10.0, Some(0.0)),
            (20.0, 10.0, Some(-50.0)),
            (0.0, 10.0, None),
            (10.0, 0.0, Some(-100.0)),
        ];
        let today = day(2025, 3, 16);
        for (before, now, want) in cases {
            let mut all = Vec::new();
            if before > 0.0 {
                all.push(run(1, day(2025, 3, 4), before * 1000.0));
            }
            if now > 0.0 {
                all.push(run(2, day(2025, 3, 11), now * 1000.0));
            }
            let weeks = weekly_summaries(&all, &LoadSettings::default(), today, 1);
            match (weeks[0].ramp_pct, want) {
                (Some(got), Some(want)) => assert!(close(got, want), "{before} {now}: {got}"),
                (got, want) => assert_eq!(got, want, "{before} {now}"),
            }
        }
    }

    #[test]
    fn first_week_of_a_history_has_no_ramps_or_ratios() {
        let cases = [1usize, 3, 8];
        for weeks in cases {
            let all = [
                run(1, day(2025, 3, 11), 5000.0),
                run(2, day(2025, 3, 13), 7000.0),
            ];
            let summaries =
                weekly_summaries(&all, &LoadSettings::default(), day(2025, 3, 16), weeks);
            let last = summaries.last().unwrap();
            assert_eq!(last.distance_m, 12000.0);
            assert_eq!(last.ramp_pct, None);
            assert_eq!(last.ramp_vs_4wk_pct, None);
            assert_eq!(last.acwr_uncoupled, None);
            assert_eq!(last.acwr_ewma, None);
            assert!(last.monotony.is_some());
            assert!(summaries[..weeks - 1].iter().all(|w| w.distance_m == 0.0));
        }
    }

    #[test]
    fn ramp_uses_history_before_the_displayed_window() {
        let all = [
            run(1, day(2025, 3, 4), 10000.0),
            run(2, day(2025, 3, 11), 15000.0),
        ];
        let weeks = weekly_summaries(&all, &LoadSettings::default(), day(2025, 3, 16), 1);
        assert!(close(weeks[0].ramp_pct.unwrap(), 50.0));
    }

    #[test]
    fn ramp_vs_four_weeks_needs_four_weeks_of_history() {
        let monday = day(2025, 3, 10);
        let mut all: Vec<Activity> = (1..=4)
            .map(|w| run(w, shift(monday, -7 * w), 10000.0))
            .collect();
        all.push(run(9, monday, 14000.0));
        let weeks = weekly_summaries(&all, &LoadSettings::default(), day(2025, 3, 16), 2);
        assert!(close(weeks[1].ramp_vs_4wk_pct.unwrap(), 40.0));
        assert_eq!(weeks[0].ramp_vs_4wk_pct, None, "only three weeks before it");
    }

    #[test]
    fn single_run_summary() {
        let all = [run(1, day(2025, 3, 12), 8000.0)];
        let weeks = weekly_summaries(&all, &LoadSettings::default(), day(2025, 3, 12), 4);
        assert_eq!(weeks.len(), 4);
        let week = &weeks[3];
        assert_eq!((week.runs, week.distance_m), (1, 8000.0));
        // One run in seven days: mean d/7, SD d*sqrt(6)/7, monotony 1/sqrt(6).
        assert!(close(week.monotony.unwrap(), 1.0 / 6f64.sqrt()));
        assert!(close(week.strain.unwrap(), 8.0 / 6f64.sqrt()));
        assert!(weekly_summaries(&all, &LoadSettings::default(), day(2025, 3, 12), 0).is_empty());
    }

    #[test]
    fn monotony_is_null_without_spread() {
        let monday = day(2025, 3, 10);
        let all: Vec<Activity> = (0..7).map(|i| run(i, shift(monday, i), 5000.0)).collect();
        let weeks = weekly_summaries(&all, &LoadSettings::default(), day(2025, 3, 17), 2);
        assert_eq!(weeks[0].monotony, None);
        assert_eq!(weeks[0].strain, None);
        assert!(!weeks[0].partial);
        assert!(weeks[1].partial);
    }

    #[test]
    fn acwr_cases() {
        // Weekly distances of the five weeks before today's week, then this week; one run a
        // week on Wednesday, evaluated on Sunday 2025-03-16.
        let cases: [([f64; 5], f64, Option<f64>); 4] = [
            ([10.0, 10.0, 10.0, 10.0, 10.0], 10.0, Some(1.0)),
            ([10.0, 10.0, 10.0, 10.0, 10.0], 15.0, Some(1.5)),
            ([10.0, 10.0, 0.0, 0.0, 0.0], 5.0, None),
            ([10.0, 20.0, 20.0, 20.0, 10.0], 5.0, Some(0.3)),
        ];
        let wednesday = day(2025, 3, 12);
        for (before, now, want) in cases {
            let mut all: Vec<Activity> = before
                .iter()
                .enumerate()
                .filter(|(_, km)| **km > 0.0)
                .map(|(i, km)| run(i as i64, shift(wednesday, -7 * (5 - i as i64)), km * 1000.0))
                .collect();
            all.push(run(9, wednesday, now * 1000.0));
            let weeks = weekly_summaries(&all, &LoadSettings::default(), day(2025, 3, 16), 1);
            match (weeks[0].acwr_uncoupled, want) {
                (Some(got), Some(want)) => assert!(close(got, want), "{before:?}: {got}"),
                (got, want) => assert_eq!(got, want, "{before:?}"),
            }
        }
    }

    #[test]
    fn a_history_of_decades_answers_as_its_recent_years_do() {
        // Runs every third day for thirty years. The series for the last weeks starts a warm-up
        // before them, yet gives every figure the whole history gives, and still knows how far
        // back the history reaches.
        let start = day(1995, 1, 2);
        let today = day(2025, 3, 16);
        let all: Vec<Activity> = (0..3700)
            .map(|i| run(i, shift(start, 3 * i), 4000.0 + (i % 7) as f64 * 900.0))
            .collect();
        let settings = LoadSettings::default();
        let from = shift(today, -56);
        let recent = LoadSeries::new(&all, &settings, today, from);
        let whole = LoadSeries::new(&all, &settings, today, start);
        assert!(
            recent.days.len() < whole.days.len() / 10,
            "{}",
            recent.days.len()
        );
        assert!(recent.covers(start));
        for offset in 0..=56 {
            let d = shift(from, offset);
            let (a, b) = (recent.ewma_loads(d).unwrap(), whole.ewma_loads(d).unwrap());
            assert!(
                (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9,
                "{d}: {a:?} {b:?}"
            );
            assert_eq!(recent.acwr_uncoupled(d), whole.acwr_uncoupled(d), "{d}");
            let week = shift(d, -35);
            assert_eq!(recent.distance(week, d), whole.distance(week, d), "{d}");
        }
    }

    #[test]
    fn ewma_ratio_rises_after_a_jump() {
        let start = day(2024, 1, 1);
        let mut all: Vec<Activity> = (0..100)
            .map(|i| run(i, shift(start, 2 * i), 5000.0))
            .collect();
        let today = shift(start, 200);
        let steady = weekly_summaries(&all, &LoadSettings::default(), today, 1)[0].acwr_ewma;
        all.push(run(999, today, 20000.0));
        let jumped = weekly_summaries(&all, &LoadSettings::default(), today, 1)[0].acwr_ewma;
        let (steady, jumped) = (steady.unwrap(), jumped.unwrap());
        assert!((0.7..1.3).contains(&steady), "{steady}");
        assert!(jumped > steady + 0.3, "{jumped}");
    }

    #[test]
    fn ten_years_give_every_week() {
        let start = day(2015, 1, 1);
        let all: Vec<Activity> = (0..4000)
            .map(|i| {
                run(
                    i,
                    shift(start, i * 10 / 11),
                    4000.0 + (i % 13) as f64 * 900.0,
                )
            })
            .collect();
        let today = day(2025, 1, 1);
        let weeks = weekly_summaries(&all, &LoadSettings::default(), today, 530);
        assert_eq!(weeks.len(), 530);
        let total: f64 = weeks.iter().map(|w| w.distance_m).sum();
        let expected: f64 = all
            .iter()
            .filter(|a| local_date(a).is_some_and(|d| d <= today && d >= weeks[0].week_start))
            .map(|a| a.distance_m)
            .sum();
        assert!((total - expected).abs() < 1e-6, "{total} vs {expected}");
    }

    fn runs_strategy() -> impl Strategy<Value = Vec<(i64, u32, u32, i32, f64)>> {
        // (day offset from 2020-01-01, hour, minute, utc offset in quarter hours, distance)
        prop::collection::vec(
            (0i64..1500, 0u32..24, 0u32..60, -48i32..=56, 0.0f64..50000.0),
            0..60,
        )
    }

    fn build(runs: &[(i64, u32, u32, i32, f64)]) -> Vec<Activity> {
        let base = day(2020, 1, 1);
        runs.iter()
            .enumerate()
            .map(|(i, &(d, hh, mm, q, km))| {
                activity(i as i64, Sport::Run, shift(base, d), hh, mm, q * 900, km)
            })
            .collect()
    }

    proptest! {
        #[test]
        fn weekly_totals_equal_the_sum_of_their_runs(
            runs in runs_strategy(),
            start in 0u8..7,
            today_offset in 0i64..1600,
        ) {
            let settings = LoadSettings {
                week_start: Weekday::try_from(start).unwrap(),
                ..LoadSettings::default()
            };
            let all = build(&runs);
            let today = shift(day(2020, 1, 1), today_offset);
            let weeks = weekly_summaries(&all, &settings, today, 230);
            for week in &weeks {
                let end = shift(week.week_start, 6).min(today);
                let mine: Vec<&Activity> = all
                    .iter()
                    .filter(|a| {
                        let d = local_date(a).unwrap();
                        d >= week.week_start && d <= end
                    })
                    .collect();
                let sum: f64 = mine.iter().map(|a| a.distance_m).sum();
                prop_assert!(close(week.distance_m, sum));
                prop_assert_eq!(week.runs as usize, mine.len());
            }
        }

        #[test]
        fn weeks_are_contiguous_oldest_first(
            runs in runs_strategy(),
            start in 0u8..7,
            weeks in 0usize..120,
            today_offset in 0i64..1600,
        ) {
            let settings = LoadSettings {
                week_start: Weekday::try_from(start).unwrap(),
                ..LoadSettings::default()
            };
            let today = shift(day(2020, 1, 1), today_offset);
            let summaries = weekly_summaries(&build(&runs), &settings, today, weeks);
            prop_assert_eq!(summaries.len(), weeks);
            for pair in summaries.windows(2) {
                prop_assert_eq!(shift(pair[0].week_start, 7), pair[1].week_start);
            }
            for week in &summaries {
                prop_assert_eq!(week.week_start.weekday(), settings.week_start);
            }
            if let Some(last) = summaries.last() {
                prop_assert!(last.week_start <= today && today <= shift(last.week_start, 6));
                prop_assert!(last.partial);
                prop_assert!(summaries[..weeks - 1].iter().all(|w| !w.partial));
            }
        }

        #[test]
        fn constant_weekly_load_gives_acwr_one(
            km in 1.0f64..40.0,
            weekday in 0i64..7,
            weeks in 6i64..20,
        ) {
            let first = day(2024, 1, 1);
            let all: Vec<Activity> = (0..weeks)
                .map(|w| run(w, shift(first, 7 * w + weekday), km * 1000.0))
                .collect();
            let today = shift(first, 7 * weeks - 1);
            let summaries = weekly_summaries(&all, &LoadSettings::default(), today, 2);
            for week in &summaries {
                prop_assert!(close(week.acwr_uncoupled.unwrap(), 1.0));
            }
        }

        #[test]
        fn late_evening_runs_land_in_their_local_week(
            offset_quarters in -48i32..=56,
            days in 0i64..700,
            start in 0u8..7,
        ) {
            let week_start = Weekday::try_from(start).unwrap();
            let settings = LoadSettings { week_start, ..LoadSettings::default() };
            let date = shift(day(2023, 1, 1), days);
            let a = activity(1, Sport::Run, date, 23, 30, offset_quarters * 900, 7000.0);
            let today = shift(date, 14);
            let weeks = weekly_summaries(&[a], &settings, today, 5);
            let want = week_start_of(date, week_start);
            for week in &weeks {
                let expected = if week.week_start == want { 7000.0 } else { 0.0 };
                prop_assert_eq!(week.distance_m, expected);
            }
        }

        #[test]
        fn arbitrary_input_never_panics(
            runs in prop::collection::vec(
                (any::<i64>(), any::<i32>(), any::<f64>(), 0usize..16),
                0..20,
            ),
            today_offset in -100_000i64..100_000,
            weeks in 0usize..60,
        ) {
            let all: Vec<Activity> = runs
                .iter()
                .enumerate()
                .map(|(i, &(secs, offset, distance, sport))| {
                    let mut a = run(i as i64, day(2020, 1, 1), distance);
                    a.sport = Sport::ALL[sport];
                    a.start = DateTime::from_timestamp(secs % 20_000_000_000, 0);
                    a.utc_offset_s = offset;
                    a.descent_m = Some(distance);
                    a
                })
                .collect();
            let today = shift(day(2020, 1, 1), today_offset);
            let weeks = weekly_summaries(&all, &LoadSettings::default(), today, weeks);
            for week in &weeks {
                prop_assert!(week.distance_m.is_finite());
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]
        #[test]
        fn ten_years_of_generated_runs_never_panic(
            gaps in prop::collection::vec((0i64..3, 0.0f64..42000.0, -48i32..=56), 3000..4000),
            weeks in 1usize..600,
        ) {
            let mut date = day(2015, 1, 1);
            let all: Vec<Activity> = gaps
                .iter()
                .enumerate()
                .map(|(i, &(gap, distance, q))| {
                    date = shift(date, gap);
                    activity(i as i64, Sport::Run, date, 18, 0, q * 900, distance)
                })
                .collect();
            let today = shift(date, 3);
            let summaries = weekly_summaries(&all, &LoadSettings::default(), today, weeks);
            prop_assert_eq!(summaries.len(), weeks);
            let shown: f64 = summaries.iter().map(|w| w.distance_m).sum();
            let first = summaries[0].week_start;
            let want: f64 = all
                .iter()
                .filter(|a| local_date(a).unwrap() >= first)
                .map(|a| a.distance_m)
                .sum();
            prop_assert!(close(shown, want));
        }
    }

    #[test]
    fn no_history_and_ten_years_never_panic() {
        let settings = LoadSettings::default();
        let weeks = weekly_summaries(&[], &settings, day(2025, 3, 12), 12);
        assert_eq!(weeks.len(), 12);
        assert!(weeks
            .iter()
            .all(|w| w.distance_m == 0.0 && w.acwr_uncoupled.is_none()));
        let start = day(2015, 1, 1);
        let all: Vec<Activity> = (0..3650)
            .map(|i| run(i, shift(start, i), if i % 3 == 0 { 0.0 } else { 6000.0 }))
            .collect();
        let weeks = weekly_summaries(&all, &settings, day(2024, 12, 31), MAX_WEEKS + 5);
        assert_eq!(weeks.len(), MAX_WEEKS);
    }
}
