//! The words: every typed reason, note, threshold status and warning of the core written as a
//! sentence in the runner's units. The core returns values; only this module writes prose.

use chrono::NaiveDate;

use crate::core::guidance::Guidance;
use crate::core::plan::strength::{Exercise, Move, Stage};
use crate::core::plan::{DayKind, DayNote, Mode, PlanDay, PlanTotals, Reason, Replaced};
use crate::core::plausibility::Implausible;
use crate::core::recovery::{Recovery, SessionOutcome, PHASES};
use crate::core::spikes::{SpikeBand, SpikeMetric};
use crate::core::threshold::{Dimension, Estimate, EstimateStatus};
use crate::core::warnings::{
    AcwrDetail, AcwrLevel, Detail, KneeDetail, MonotonyDetail, RampDetail, RampMetric, SpikeDetail,
    Warning,
};
use crate::core::zone::{ReferralCause, Zone, ZoneReason};
use crate::model::PainWhen;
use crate::settings::Units;

use super::{distance, elevation};

/// Said once in every plan.
pub const DISCLAIMER: &str = "kneeguard is not medical advice: it turns your own runs and pain \
    log into suggestions. If pain persists or rises, or the knee swells, see a physiotherapist \
    or sports doctor.";

/// Descent per distance: `5 m/km` or `26 ft/mi`.
pub fn descent_rate(m_per_km: f64, units: Units) -> String {
    match units {
        Units::Km => format!("{m_per_km:.0} m per km"),
        Units::Mi => format!("{:.0} ft per mi", m_per_km * 3.280_84 * 1.609_344),
    }
}

fn day_name(date: NaiveDate) -> String {
    date.format("%A %d %b").to_string()
}

fn when_words(when: PainWhen) -> &'static str {
    match when {
        PainWhen::During => "during a run",
        PainWhen::After => "after a run",
        PainWhen::Morning => "the next morning",
        PainWhen::Daily => "as the day's rating",
    }
}

/// A ratio that must not read as equal to the threshold it exceeds ("2.0 above 2.0").
fn ratio(value: f64, threshold: f64) -> String {
    if (value * 10.0).round() == (threshold * 10.0).round() {
        format!("{value:.2}")
    } else {
        format!("{value:.1}")
    }
}

/// Why the zone is what it is.
pub fn zone_reason(r: &ZoneReason, units: Units) -> String {
    match r {
        ZoneReason::NoPainLogged => "no knee pain logged yet: log pain during, after and the \
            morning after your runs so kneeguard can learn what your knee tolerates"
            .to_string(),
        ZoneReason::Swelling { date } => format!(
            "swelling logged on {date}: a swollen knee needs a professional look; no running \
             until a calm rating without swelling says it settled"
        ),
        ZoneReason::RedPain {
            score,
            when,
            date,
            amber_max,
        } => format!(
            "pain {score}/10 {} on {date} is in the red zone (above {amber_max})",
            when_words(*when)
        ),
        ZoneReason::Rising { maxima } => {
            let list: Vec<String> = maxima.iter().map(|m| format!("{m}/10")).collect();
            format!(
                "pain has risen week after week ({}): pain must not rise from week to week",
                list.join(", then ")
            )
        }
        ZoneReason::NotSettled { since } => format!(
            "red since {since}, and no calm rating since: log how the knee is at rest \
             (`kneeguard pain add SCORE --when daily`)"
        ),
        ZoneReason::AboveCeiling {
            score,
            when,
            date,
            ceiling,
        } => format!(
            "pain {score}/10 {} on {date} is above your ceiling of {ceiling}",
            when_words(*when)
        ),
        ZoneReason::AmberPain {
            score,
            when,
            date,
            green_max,
            amber_max,
            acceptable,
        } => format!(
            "pain {score}/10 {} on {date} is in the amber zone ({}-{amber_max}){}",
            when_words(*when),
            green_max + 1,
            if *acceptable {
                ", within your ceiling: hold the load rather than cut it"
            } else {
                ""
            }
        ),
        ZoneReason::MorningRise {
            score,
            date,
            before,
            run_m,
        } => {
            format!(
            "pain rose to {score}/10 the morning of {date}{}, from {before}/10 the day before: \
             the knee did not settle overnight",
            run_m.map_or(String::new(), |m| format!(" after your {} run", distance(m, units)))
        )
        }
        ZoneReason::SettledAfterRed {
            red,
            settled,
            max,
            green_max,
            ceiling,
        } => format!(
            "back from the red zone of {red}: the knee settled on {settled}, and pain since is at \
             most {max}/10, within the green zone (0-{green_max}) and your ceiling of {ceiling}"
        ),
        ZoneReason::Quiet {
            max,
            days,
            green_max,
            ceiling,
        } => format!(
            "pain at most {max}/10 in the last {days} days, within the green zone (0-{green_max}) \
             and your ceiling of {ceiling}"
        ),
        ZoneReason::NoRecentPain { days, last } => format!(
            "no pain logged in the last {days} days (the latest rating is from {last}); keep \
             logging pain after your runs"
        ),
    }
}

/// The referral advice in one sentence.
pub fn referral(cause: ReferralCause, weeks: Option<u32>) -> String {
    let why = match cause {
        ReferralCause::Swelling => "the knee swelled".to_string(),
        ReferralCause::RedPain => "pain reached the red zone".to_string(),
        ReferralCause::Rising => "pain kept rising week after week".to_string(),
        ReferralCause::PersistingAmber => format!(
            "pain has stayed amber for {} weeks in a row",
            weeks.unwrap_or(4)
        ),
    };
    format!(
        "See a physiotherapist or sports doctor about the knee: {why}. This advice stays until \
         you log the knee settled (a calm rating, no swelling)."
    )
}

fn dimension_label(d: Dimension) -> &'static str {
    match d {
        Dimension::WeeklyDistance => "weekly distance",
        Dimension::LongestRun => "longest run",
        Dimension::WeeklyDescent => "weekly descent",
        Dimension::RunDescent => "descent of one run",
    }
}

fn load(d: Dimension, metres: f64, units: Units) -> String {
    if d.is_distance() {
        distance(metres, units)
    } else {
        elevation(metres, units)
    }
}

/// What an estimate means, in plain words, naming its dimension ("weekly distance: ...").
pub fn estimate_note(e: &Estimate, units: Units) -> String {
    format!(
        "{}: {}",
        dimension_label(e.dimension),
        estimate_finding(e, units)
    )
}

/// What an estimate means, for a line or a cell that names the dimension already.
pub fn estimate_finding(e: &Estimate, units: Units) -> String {
    let d = e.dimension;
    let show = |m: f64| load(d, m, units);
    let item = |n: u32| items(d, n);
    let tolerated =
        |t: &Option<f64>| t.map_or(String::new(), |t| format!("; tolerated {}", show(t)));
    match &e.status {
        EstimateStatus::NoEvidence { lookback_weeks } => format!(
            "no {} with pain logs in the last {lookback_weeks} weeks, so no threshold \
             yet; log pain during, after and the morning after your runs",
            item(1)
        ),
        EstimateStatus::TooLittle { items, needed } => format!(
            "only {items} {} with pain logs ({needed} needed), too little data for a \
             level yet",
            item(*items)
        ),
        EstimateStatus::NothingProvoked { tolerated_m, items } => format!(
            "nothing has provoked pain yet ({items} {} with pain logs){}; the real \
             threshold may be higher",
            item(*items),
            tolerated(tolerated_m)
        ),
        EstimateStatus::Binding {
            tolerated_m,
            provoking_m,
            cap_m,
            retests,
            items,
        } => format!(
            "pain started at {}, so plans stay at or under {}{}{} ({items} {} with pain \
             logs)",
            show(*provoking_m),
            show(*cap_m),
            match retests {
                0 => String::new(),
                1 => ", re-tested once since".to_string(),
                n => format!(", re-tested {n} times since"),
            },
            tolerated(tolerated_m),
            item(*items)
        ),
        EstimateStatus::NotExplained {
            tolerated_m,
            provoking_m,
            ..
        } => format!(
            "pain followed {}, yet {} was tolerated: this load does not separate painful from \
             painless ones, so it does not limit the plan",
            show(*provoking_m),
            tolerated_m.map_or("more".to_string(), show)
        ),
        EstimateStatus::Faded {
            provoking_m,
            date,
            tolerated_m,
            ..
        } => format!(
            "pain followed {} in {}, and the knee has taken that load since, so it is \
             no limit now{}",
            show(*provoking_m),
            date.format("%b %Y"),
            tolerated(tolerated_m)
        ),
    }
}

/// The short form of an estimate for a table cell.
pub fn estimate_brief(e: &Estimate, units: Units) -> String {
    let show = |m: f64| load(e.dimension, m, units);
    match &e.status {
        EstimateStatus::Binding {
            provoking_m, cap_m, ..
        } => {
            format!("pain from {}, cap {}", show(*provoking_m), show(*cap_m))
        }
        EstimateStatus::NothingProvoked { tolerated_m, .. } => match tolerated_m {
            Some(t) => format!("tolerated {}, nothing provoked pain yet", show(*t)),
            None => "nothing has provoked pain yet".to_string(),
        },
        EstimateStatus::NotExplained { .. } => "does not explain your pain".to_string(),
        EstimateStatus::Faded { provoking_m, .. } => {
            format!("earlier flare at {} has faded", show(*provoking_m))
        }
        EstimateStatus::TooLittle { items: n, needed } => format!(
            "only {n} {} with pain logs, {needed} needed",
            items(e.dimension, *n)
        ),
        EstimateStatus::NoEvidence { .. } => {
            format!("no {} with pain logs yet", items(e.dimension, 2))
        }
    }
}

/// What a dimension counts: weeks or runs.
fn items(d: Dimension, n: u32) -> &'static str {
    match (d.is_weekly(), n == 1) {
        (true, true) => "week",
        (true, false) => "weeks",
        (false, true) => "run",
        (false, false) => "runs",
    }
}

/// A note on a day of the plan.
pub fn day_note(n: &DayNote, units: Units) -> String {
    match n {
        DayNote::EasyPace => "easy pace".to_string(),
        DayNote::LongRunEasy => "long run, easy pace".to_string(),
        DayNote::FlatRoute => "flat route".to_string(),
        DayNote::AvoidDownhill => "avoid downhill and stairs".to_string(),
        DayNote::MaxDescent { descent_m } => {
            format!("at most {} of descent", elevation(*descent_m, units))
        }
        DayNote::StopAbove { ceiling } => format!("stop or walk if pain goes above {ceiling}/10"),
        DayNote::Cadence { min_pct, max_pct } => {
            format!("short quick steps: cadence {min_pct}-{max_pct}% above your usual")
        }
        DayNote::LevelGround => "level ground".to_string(),
        DayNote::StrengthAfter => "strength routine after the session".to_string(),
        DayNote::ReplacesLongRun => "replaces the long run".to_string(),
        DayNote::ReplacesHilliest => "replaces the hilliest run".to_string(),
        DayNote::EasyPainFree => "easy, pain-free".to_string(),
        DayNote::BriskWalkTest => "brisk walk: pain-free and no swelling? log a calm rating \
            and the walk-run ladder starts"
            .to_string(),
        DayNote::StrengthRoutine => {
            "hip, core and quad strength, then 5-10 minutes of stretching".to_string()
        }
        DayNote::RestDay => "rest day".to_string(),
        DayNote::EasyDay => "easy day: rest or a walk".to_string(),
    }
}

/// The notes of a day, joined.
pub fn day_notes(day: &PlanDay, units: Units) -> String {
    day.notes
        .iter()
        .map(|n| day_note(n, units))
        .collect::<Vec<_>>()
        .join("; ")
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

/// A week's running in a few words: its distance, and the walk-run sessions apart, whose
/// distance counts the walking ("12.0 km running (4.0 km done)", "3 walk-run sessions, 13.0 km
/// with the walking").
pub fn week_running(t: &PlanTotals, units: Units) -> String {
    let done = if t.done_distance_m > 0.0 {
        format!(" ({} done)", distance(t.done_distance_m, units))
    } else {
        String::new()
    };
    let sessions = t.walk_run_sessions;
    if sessions == 0 {
        return format!("{} running{done}", distance(t.run_distance_m, units));
    }
    let walk_run = format!(
        "{sessions} walk-run session{}, {} with the walking",
        if sessions == 1 { "" } else { "s" },
        distance(t.walk_run_distance_m, units)
    );
    let running = t.run_distance_m - t.walk_run_distance_m;
    if running > 0.0 {
        format!("{} running{done} and {walk_run}", distance(running, units))
    } else {
        walk_run
    }
}

/// One line for a day: "Run 6.0 km, max 30 m descent", "Walk-run 6 x (2 walk + 3 run)",
/// "Elliptical 45 min", "Strength and mobility 35 min", "Rest".
pub fn session(day: &PlanDay, units: Units) -> String {
    let mut s = match day.kind {
        DayKind::Run => {
            let mut s = format!("Run {}", distance(day.distance_m.unwrap_or(0.0), units));
            if let Some(d) = day.max_descent_m {
                let word = if day.status == crate::core::plan::DayStatus::Done {
                    ""
                } else {
                    "max "
                };
                s.push_str(&format!(", {word}{} descent", elevation(d, units)));
            }
            s
        }
        DayKind::WalkRun => match day.walk_run {
            Some(w) if w.walk_min == 0 => format!("Run {} min continuous", w.run_min * w.repeats),
            Some(w) => format!(
                "Walk-run {} x ({} walk + {} run)",
                w.repeats, w.walk_min, w.run_min
            ),
            // A session already done: what was recorded.
            None => match day.distance_m {
                Some(m) => format!("Walk-run {}", distance(m, units)),
                None => "Walk-run".to_string(),
            },
        },
        DayKind::Cross => capitalise(
            &day.activity
                .as_deref()
                .unwrap_or("cross-training")
                .replace('_', " "),
        ),
        DayKind::Strength => "Strength and mobility".to_string(),
        DayKind::Rest => "Rest".to_string(),
    };
    if let (DayKind::Cross | DayKind::Strength, Some(minutes)) = (day.kind, day.minutes) {
        s.push_str(&format!(" {minutes} min"));
    }
    if day.has_strength() && day.kind != DayKind::Strength {
        s.push_str(" + strength");
    }
    s
}

/// Why the week looks the way it does.
pub fn reason(r: &Reason, units: Units) -> String {
    let d = |m: f64| distance(m, units);
    let h = |m: f64| elevation(m, units);
    match r {
        Reason::StartGently { week_m } => format!(
            "no runs in the last 4 weeks: a gentle start of {} for the week",
            d(*week_m)
        ),
        Reason::Progress {
            target_m,
            base_m,
            pct,
        } => format!(
            "green: weekly distance up to {}, {pct:.0}% over your recent level of {}",
            d(*target_m),
            d(*base_m)
        ),
        Reason::AtGoal { goal_m } => {
            format!("at your weekly goal of {}: holding there", d(*goal_m))
        }
        Reason::SetAGoal => "no weekly goal set: kneeguard keeps building about 10% a week while \
            the knee stays quiet; set `weekly_goal_km` under [plan] to build up to a goal and hold \
            it there"
            .to_string(),
        Reason::HoldNoRecentPain { base_m, days } => format!(
            "no pain logged in the last {days} days: holding your recent level of {} until the \
             knee's response is known (log pain after runs and the next morning)",
            d(*base_m)
        ),
        Reason::AmberHold { cap_m, arose } | Reason::AmberCut { cap_m, arose, .. }
            if *cap_m <= 0.0 =>
        {
            format!(
                "amber: the pain arose on {arose} with no running in the week before it, so \
                 running stays out while the knee is amber"
            )
        }
        Reason::AmberHold { cap_m, arose } => format!(
            "amber within your ceiling: the week held at {}, the load under which the pain arose \
             on {arose}",
            d(*cap_m)
        ),
        Reason::AmberCut {
            target_m,
            cap_m,
            pct,
            arose,
        } => format!(
            "amber: the week cut by {pct:.0}% to {}, below the {} under which the pain arose on \
             {arose}",
            d(*target_m),
            d(*cap_m)
        ),
        Reason::AmberRuns { cap_m } => format!(
            "no run longer than {}: shorter than the runs that hurt",
            d(*cap_m)
        ),
        Reason::Rest => "red: no running; keep moving with cross-training and strength work, only \
            as far as it stays pain-free"
            .to_string(),
        Reason::WaitForSettled { since } => format!(
            "red since {since}: once a 30-minute brisk walk stays pain-free with no swelling, log \
             a calm rating (`kneeguard pain add 1 --when daily`) and the walk-run ladder starts"
        ),
        Reason::Ladder {
            phase,
            phases,
            good_in_phase,
            needed,
            last,
        } => {
            let mut s = format!(
                "back from red: walk-run ladder, phase {phase} of {phases} ({good_in_phase} of \
                 {needed} good sessions done); a phase moves on after {needed} sessions with pain \
                 at or under your ceiling, no next-morning rise and no swelling, with a rest day \
                 between sessions"
            );
            match last {
                Some(SessionOutcome::Setback) => {
                    s.push_str("; the last session hurt, so this phase again")
                }
                Some(SessionOutcome::Unrated) => s.push_str(
                    "; the last session has no pain rating: log pain after each session so the \
                     ladder can move on",
                ),
                _ => {}
            }
            s
        }
        Reason::LadderComplete => {
            "the ladder ends this week: from then on the green rules rebuild gently".to_string()
        }
        Reason::ThresholdCap {
            dimension,
            cap_m,
            provoking_m,
            retests,
        } => format!(
            "{} kept at or under {}, below the {} where pain started{}",
            dimension_label(*dimension),
            load(*dimension, *cap_m, units),
            load(*dimension, *provoking_m, units),
            if *retests > 0 {
                " (re-tested after pain-free weeks at the cap)"
            } else {
                ""
            }
        ),
        Reason::RampCap {
            cap_m,
            reference_m,
            pct,
            four_weeks,
            floor_m,
        } => format!(
            "the week kept within {}: at most {pct:.0}% over {} ({}{}), kneeguard's ramp rule",
            d(*cap_m),
            if *four_weeks {
                "the mean of the four weeks before"
            } else {
                "the week before"
            },
            d(*reference_m),
            if reference_m < floor_m {
                format!(", judged against at least {}", d(*floor_m))
            } else {
                String::new()
            }
        ),
        Reason::RampHold { week_m } => format!(
            "the week before rose past the ramp rule: holding at or below its {}",
            d(*week_m)
        ),
        Reason::SpikeCap {
            date,
            cap_m,
            reference_m,
            factor,
            window_days,
        } => format!(
            "{}: run capped at {}, {factor:.1}x your longest run of the {window_days} days before \
             it ({})",
            day_name(*date),
            d(*cap_m),
            d(*reference_m)
        ),
        Reason::NoReference { cap_m, window_days } => format!(
            "no run in the {window_days} days before: runs start at {} at most",
            d(*cap_m)
        ),
        Reason::DescentBudget { week_m, per_run_m } => format!(
            "descent within {} for the week, at most {} on one run",
            h(*week_m),
            h(*per_run_m)
        ),
        Reason::FlatRoutes { per_km } => format!(
            "flat routes (at most {} of descent): avoid downhill and stairs until pain stays at \
             or below 2/10",
            descent_rate(*per_km, units)
        ),
        Reason::WeekReached { done_m, target_m } => format!(
            "{} already run this week, the week's {}: no more running this week",
            d(*done_m),
            d(*target_m)
        ),
        Reason::ShortOfTarget {
            planned_m,
            target_m,
        } => format!(
            "the week comes to {} rather than {}: no more fits under each run's own caps on the \
             days left",
            d(*planned_m),
            d(*target_m)
        ),
        Reason::CrossInsteadOfRuns {
            target_m,
            min_run_m,
            sessions,
            minutes,
        } => format!(
            "amber: the week's running, {}, is less than one run ({} at least): no running this \
             week, and {sessions} cross-training session{} of {minutes} min instead",
            d(*target_m),
            d(*min_run_m),
            if *sessions == 1 { "" } else { "s" }
        ),
        Reason::NoRunFits {
            min_run_m,
            run_cap_m,
            sessions,
            minutes,
        } => format!(
            "amber: {}: no running this week, and {sessions} cross-training session{} of \
             {minutes} min instead",
            match run_cap_m {
                Some(cap) if cap < min_run_m => format!(
                    "the runs that hurt leave runs of at most {}, less than one run ({} at least)",
                    d(*cap),
                    d(*min_run_m)
                ),
                _ => format!(
                    "no run of at least {} fits within the week's caps",
                    d(*min_run_m)
                ),
            },
            if *sessions == 1 { "" } else { "s" }
        ),
        Reason::Swap {
            date,
            replaced,
            minutes,
            activity,
        } => format!(
            "{}: {} becomes {minutes} min of {}, the duration of the run it replaces",
            day_name(*date),
            match replaced {
                Replaced::LongRun => "the long run",
                Replaced::Hilliest => "the run on the day of your hilliest recent run",
            },
            activity.replace('_', " ")
        ),
        Reason::Strength {
            days,
            stage,
            weeks_kept,
        } => format!(
            "{days} strength days at the {} stage ({weeks_kept} week{} kept up): hip, core and \
             quad work helps patellofemoral pain (Lack et al. 2015)",
            stage.as_str(),
            if *weeks_kept == 1 { "" } else { "s" }
        ),
        Reason::StrengthShort { fitted, wanted } => {
            format!("only {fitted} of {wanted} strength days this week: the days left hold no more")
        }
        Reason::NoRunningDays => "no running day is open this week in your settings".to_string(),
    }
}

/// Why a record is left out of the estimates.
pub fn implausible(p: &Implausible, units: Units) -> String {
    match p {
        Implausible::FasterThanRecord {
            distance_m,
            duration_s,
            ..
        } => format!(
            "{} in {} is faster than the world record for that distance",
            distance(*distance_m, units),
            super::duration(*duration_s)
        ),
        Implausible::TooFast { speed_mps, .. } => {
            let (speed, unit) = match units {
                Units::Km => (speed_mps * 3.6, "km/h"),
                Units::Mi => (speed_mps * 3600.0 / 1609.344, "mph"),
            };
            format!("an average of {speed:.0} {unit} is faster than the sport allows")
        }
        Implausible::TooLong {
            duration_s,
            limit_s,
        } => format!(
            "a session of {} is longer than {}",
            span(*duration_s),
            span(*limit_s)
        ),
        Implausible::NoDuration { distance_m } => {
            format!("{} with no duration", distance(*distance_m, units))
        }
        Implausible::TooEarly { date } => format!(
            "dated {date}, before {}",
            crate::core::plausibility::EARLIEST_DAY
        ),
        Implausible::InTheFuture { date, today } => format!("dated {date}, after today ({today})"),
        Implausible::Unusual {
            distance_m,
            reference_m,
            factor,
        } => format!(
            "{} is more than {factor:.0}x your longest run of the 90 days before ({})",
            distance(*distance_m, units),
            distance(*reference_m, units)
        ),
    }
}

/// What to do about a file that holds an impossible record.
pub fn file_advice(p: &Implausible) -> &'static str {
    match p {
        Implausible::TooEarly { .. } => "the device's clock was not set; fix it and export again",
        Implausible::InTheFuture { .. } => "the device's clock is wrong; fix it and export again",
        _ => "the file is probably damaged (export it again from the device)",
    }
}

/// A duration, in days when it is two or more.
fn span(seconds: f64) -> String {
    if seconds >= 2.0 * 86_400.0 {
        format!("{:.1} days", seconds / 86_400.0)
    } else {
        super::duration(seconds)
    }
}

/// A warning's three sentences.
pub struct WarningText {
    pub message: String,
    pub source: String,
    pub advice: String,
}

fn study_band(band: SpikeBand) -> &'static str {
    match band {
        SpikeBand::From10To30 => "10-30%",
        SpikeBand::From30To100 => "30-100%",
        SpikeBand::Over100 => "more than 100%",
        SpikeBand::NoReference | SpikeBand::UpTo10 => "up to 10%",
    }
}

/// The message, source and advice of a warning, in the runner's units.
pub fn warning(w: &Warning, units: Units) -> WarningText {
    match &w.detail {
        Detail::Spike(s) => spike(s, units),
        Detail::Ramp(r) => ramp(r, units),
        Detail::Acwr(a) => acwr(a, units),
        Detail::Monotony(m) => monotony(m, units),
        Detail::Knee(k) => knee(k, units),
        Detail::Implausible(f) => WarningText {
            message: format!(
                "Activity #{} ({}) looks implausible: {}. It is left out of every estimate and \
                 of the plan.",
                f.activity_id,
                f.date.map_or("undated".to_string(), |d| d.to_string()),
                implausible(&f.problem, units)
            ),
            source: "kneeguard's plausibility rules: world-record speeds, session length, dates, \
                     and runs far beyond your own history"
                .to_string(),
            advice: format!(
                "Fix it with `kneeguard activities edit {id}`, delete it with `kneeguard \
                 activities delete {id}`, or confirm it is real with `kneeguard activities edit \
                 {id} --confirm`.",
                id = f.activity_id
            ),
        },
    }
}

fn spike(s: &SpikeDetail, units: Units) -> WarningText {
    let show = |m: f64| match s.metric {
        SpikeMetric::Distance => distance(m, units),
        SpikeMetric::Descent => elevation(m, units),
    };
    let change = s.change_pct;
    let window = s.window_days;
    let mut message = match (s.metric, s.reference_m) {
        (SpikeMetric::Distance, Some(reference)) => format!(
            "This run ({}) was {change:.0}% longer than your longest run of the previous \
             {window} days ({}).",
            show(s.value_m),
            show(reference)
        ),
        (SpikeMetric::Descent, Some(reference)) => format!(
            "This run descended {}, {change:.0}% more than the most descent of one run in the \
             previous {window} days ({}). This is context: downhill running loads the kneecap, \
             but descent spikes have not been studied as an injury signal.",
            show(s.value_m),
            show(reference)
        ),
        (SpikeMetric::Distance, None) => format!(
            "This run ({}) came after no run in the previous {window} days: against the {} \
             that short references are raised to, it is {change:.0}% longer.",
            show(s.value_m),
            show(s.judged_against_m)
        ),
        (SpikeMetric::Descent, None) => format!(
            "This run descended {} after no run with descent in the previous {window} days: \
             against the {} that short references are raised to, {change:.0}% more. This is \
             context: descent spikes have not been studied as an injury signal.",
            show(s.value_m),
            show(s.judged_against_m)
        ),
    };
    if s.reference_m.is_some_and(|r| s.judged_against_m > r) {
        message.push_str(&format!(
            " Short references are raised to {} before judging: {:.0}% more than that.",
            show(s.judged_against_m),
            s.judged_change_pct
        ));
    }
    let hazard = s.hazard_ratio;
    let (source, advice) = match s.metric {
        SpikeMetric::Distance => (
            format!(
                "Frandsen et al. 2025, BJSM 59:1203 (5,205 runners): HR {hazard:.2} for a run {} \
                 longer than the longest of the previous 30 days",
                study_band(s.band)
            ),
            match (s.plan_cap, s.next_cap_m > 0.0) {
                (true, false) => NO_RUNNING_AHEAD.to_string(),
                (true, true) => format!(
                    "Keep the next runs at or below {} and flat, as your plan does; see how the \
                     knee feels tomorrow morning.",
                    show(s.next_cap_m)
                ),
                _ => format!(
                    "Keep the next runs at or below {} and flat; see how the knee feels tomorrow \
                     morning.",
                    show(s.next_cap_m)
                ),
            },
        ),
        SpikeMetric::Descent => (
            format!(
                "The bands of Frandsen et al. 2025, BJSM 59:1203 (HR {hazard:.2} for a {} \
                 distance spike) applied to descent; downhill running raises patellofemoral load",
                study_band(s.band)
            ),
            match (s.plan_cap, s.next_cap_m > 0.0) {
                (true, false) => NO_RUNNING_AHEAD.to_string(),
                (by_plan, _) => format!(
                    "Keep the next runs to at most {} of descent{}, prefer flat routes and walk \
                     steep downhills; see how the knee feels tomorrow morning.",
                    show(s.next_cap_m),
                    if by_plan { ", as your plan does" } else { "" }
                ),
            },
        ),
    };
    WarningText {
        message,
        source,
        advice,
    }
}

/// A spike's advice when the plan has no running in the days ahead.
const NO_RUNNING_AHEAD: &str =
    "No running in the days ahead, as your plan says; see how the knee feels tomorrow morning.";

fn ramp(r: &RampDetail, units: Units) -> WarningText {
    let show = |m: f64| match r.metric {
        RampMetric::Distance => distance(m, units),
        RampMetric::Descent => elevation(m, units),
    };
    // "this week's 40.0 km", or the plan's tighter figure for next week.
    let next_week = |r: &RampDetail| match r.plan_cap {
        true => format!("{}, as your plan does", show(r.next_week_cap_m)),
        false => format!("this week's {}", show(r.next_week_cap_m)),
    };
    let raised = |reference: f64| {
        if reference < r.floor_m {
            format!(
                "{}, judged against at least {}",
                show(reference),
                show(r.floor_m)
            )
        } else {
            show(reference)
        }
    };
    let mut parts = Vec::new();
    if let Some(pct) = r.ramp_pct {
        parts.push(format!(
            "{pct:.0}% more than the week before ({})",
            raised(r.previous_week_m)
        ));
    }
    if let (Some(pct), Some(mean)) = (r.ramp_vs_4wk_pct, r.mean_4wk_m) {
        parts.push(format!(
            "{pct:.0}% more than the mean of the four weeks before ({})",
            raised(mean)
        ));
    }
    let what = match r.metric {
        RampMetric::Distance => "Running distance",
        RampMetric::Descent => "Running descent",
    };
    let message = format!(
        "{what} in the week of {} is {}{}: {}. This is context, not a proven injury signal: \
         Frandsen et al. 2025 found no association for week-to-week ratios, and a 10%-rule \
         programme did not prevent injuries (Buist et al. 2008).",
        r.week_start,
        show(r.week_m),
        if r.partial { " so far" } else { "" },
        parts.join(" and ")
    );
    let (source, advice) = match r.metric {
        RampMetric::Distance => (
            "Nielsen et al. 2014 (874 novice runners): more than 30% over two weeks, HR 1.59 for \
             distance-related injuries including patellofemoral pain; not confirmed by Frandsen \
             et al. 2025"
                .to_string(),
            format!(
                "Hold next week at or below {}{} rather than adding more, keep every run within \
                 10% of your recent longest, and let the knee's next-morning response decide; \
                 the plan does.",
                next_week(r),
                if r.plan_cap { "," } else { "" }
            ),
        ),
        RampMetric::Descent => (
            "The weekly ramp of Nielsen et al. 2014 (more than 30% over two weeks) applied to \
             descent; downhill running raises patellofemoral load"
                .to_string(),
            format!(
                "Move some runs to flat routes or the treadmill next week and walk steep \
                 downhills; keep next week's descent at or below {}.",
                next_week(r)
            ),
        ),
    };
    WarningText {
        message,
        source,
        advice,
    }
}

fn acwr(a: &AcwrDetail, units: Units) -> WarningText {
    let ratios = match (a.uncoupled, a.ewma) {
        (Some(u), Some(e)) => format!(
            "acute:chronic ratio {u:.2} (the last 7 days, {}, against a mean week of {} over the \
             21 days before; EWMA ratio {e:.2})",
            distance(a.acute_m, units),
            distance(a.chronic_weekly_m, units)
        ),
        (Some(u), None) => format!(
            "acute:chronic ratio {u:.2} (the last 7 days, {}, against a mean week of {} over the \
             21 days before)",
            distance(a.acute_m, units),
            distance(a.chronic_weekly_m, units)
        ),
        (None, Some(e)) => format!("EWMA acute:chronic ratio {e:.2}"),
        (None, None) => "no acute:chronic ratio".to_string(),
    };
    let context = "This is context: Frandsen et al. 2025 found no association between ACWR and \
                   injury, and adjusting it has no proven preventive effect (Impellizzeri et al. \
                   2020).";
    let (message, advice) = match a.level {
        AcwrLevel::High | AcwrLevel::Caution => (
            format!(
                "Load rose quickly: {ratios}; {} above {:.1}. {context}",
                if a.uncoupled.is_some() && a.ewma.is_some() {
                    "the higher ratio is"
                } else {
                    "that is"
                },
                a.edge
            ),
            "Ease the next days back toward your usual week with short, flat runs, and watch how \
             the knee feels each morning."
                .to_string(),
        ),
        AcwrLevel::Low => (
            format!("Load dropped: {ratios}, below {:.1}. {context}", a.edge),
            "When you build back, start with short flat runs; a long run now is a spike against \
             a smaller recent longest run."
                .to_string(),
        ),
    };
    WarningText {
        message,
        source: "Gabbett 2016 (bands 0.8 / 1.3 / 1.5); uncoupled ratio per Lolli et al. 2019; \
                 EWMA per Williams et al. 2017; no association in Frandsen et al. 2025"
            .to_string(),
        advice,
    }
}

fn monotony(m: &MonotonyDetail, _units: Units) -> WarningText {
    WarningText {
        message: format!(
            "Training monotony {} over the last 7 days (strain {:.0}), above {:.1}: the days \
             carry very similar running loads with little rest. This is context: it describes \
             the pattern of the week, not a proven injury signal.",
            ratio(m.monotony, m.threshold),
            m.strain,
            m.threshold
        ),
        source: "Foster 2001: monotony (mean daily load / SD) above 2.0; strain = weekly load × \
                 monotony"
            .to_string(),
        advice: "Make one day a rest or cross-training day and vary the run lengths, some shorter \
                 and one longer."
            .to_string(),
    }
}

fn knee(k: &KneeDetail, units: Units) -> WarningText {
    let reasons: Vec<String> = k.reasons.iter().map(|r| zone_reason(r, units)).collect();
    let message = format!(
        "Knee zone {}: {}.",
        k.zone.as_str().to_uppercase(),
        reasons.join("; ")
    );
    let mut advice = match k.zone {
        Zone::Red => "No running: cross-training and strength work only, as far as they stay \
                      pain-free; `kneeguard plan` shows the days ahead."
            .to_string(),
        Zone::Amber => "Less and flatter running, the long run swapped for cross-training, \
                        strength work; `kneeguard plan` shows the days ahead."
            .to_string(),
        Zone::Green => String::new(),
    };
    if let Some(r) = &k.referral {
        if !advice.is_empty() {
            advice.push(' ');
        }
        advice.push_str(&referral(r.cause, r.weeks));
    }
    WarningText {
        message,
        source: "Your own pain log: symptom-guided running for patellofemoral pain (Esculier et \
                 al. 2018) and the pain-monitoring model (Silbernagel et al. 2007)"
            .to_string(),
        advice,
    }
}

/// How the days ahead are planned, in a few words (the zone is named beside it).
pub fn mode(g: &Guidance) -> String {
    match (&g.mode, &g.recovery) {
        (Mode::Ladder, Recovery::Ladder(l)) => format!(
            "back from red on the walk-run ladder, phase {} of {}",
            (l.phase + 1).min(PHASES.len()),
            PHASES.len()
        ),
        (Mode::Progress, _) => "progress gently below your threshold".to_string(),
        (Mode::Hold, _) => "hold the load: the pain is within your ceiling".to_string(),
        (Mode::Cut, _) => "cut and flatten".to_string(),
        (Mode::Rest, _) => "no running".to_string(),
        (Mode::Ladder, _) => "walk-run ladder".to_string(),
    }
}

/// The name of a move of the strength routine.
pub fn move_name(movement: Move) -> &'static str {
    match movement {
        Move::Clamshells => "clamshells",
        Move::Bridges => "bridges",
        Move::BirdDog => "bird dog",
        Move::DonkeyKicks => "donkey kicks",
        Move::FireHydrants => "fire hydrants",
        Move::SideSteps => "side steps with a band",
        Move::Squats => "squats",
        Move::StraightLegRaises => "straight-leg raises",
        Move::QuadSets => "quad sets",
        Move::HamstringStretch => "hamstring stretch",
        Move::HipFlexorStretch => "kneeling hip-flexor stretch",
        Move::FigureFourStretch => "figure-four stretch",
        Move::Hip9090 => "hip 90/90",
        Move::FoamRoll => "foam roll IT band, quads and glutes",
    }
}

/// How to do an exercise at its stage: sides, holds, and the equipment.
pub fn exercise_note(e: &Exercise) -> String {
    let (hips, quads) = match e.stage {
        Stage::Bodyweight => ("bodyweight", "bodyweight"),
        Stage::Band => ("a band above the knees", "a light ankle weight or band"),
        Stage::Load => (
            "a heavier band",
            "an ankle weight you can lift about 10 times",
        ),
    };
    match e.movement {
        Move::Clamshells | Move::DonkeyKicks | Move::FireHydrants => format!("each side, {hips}"),
        Move::Bridges => format!("hold about 10 s at the top, {hips}"),
        Move::BirdDog => "each side, slow".to_string(),
        Move::SideSteps => "band above the knees, steps each way".to_string(),
        Move::Squats => match e.stage {
            Stage::Bodyweight => "sit-to-stand from a chair, only as deep as stays pain-free",
            Stage::Band => "squats with a band above the knees, only as deep as stays pain-free",
            Stage::Load => {
                "goblet squats or leg press at about 70% of what you can lift once (8-10 reps)"
            }
        }
        .to_string(),
        Move::StraightLegRaises => format!("hold 3-4 s at the top; targets the VMO; {quads}"),
        Move::QuadSets => "tighten the thigh with the knee straight, hold 5-10 s".to_string(),
        Move::HamstringStretch => "20-30 s, 2-3 times a side".to_string(),
        Move::HipFlexorStretch => "or a running lunge, each side".to_string(),
        Move::FigureFourStretch => "piriformis, each side".to_string(),
        Move::Hip9090 => "each side".to_string(),
        Move::FoamRoll => "1-2 minutes a leg for each".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::plan::strength::routine;

    #[test]
    fn the_strength_shortfall_reads_the_same_skipped_or_unfittable() {
        // A session skipped earlier in the week and one that no day could hold read the same.
        let short = Reason::StrengthShort {
            fitted: 1,
            wanted: 2,
        };
        assert_eq!(
            reason(&short, Units::Km),
            "only 1 of 2 strength days this week: the days left hold no more"
        );
    }

    #[test]
    fn a_weeks_running_sets_the_walk_run_sessions_apart() {
        let totals = |run: f64, done: f64, sessions: u32, walk_run: f64| PlanTotals {
            run_distance_m: run,
            done_distance_m: done,
            walk_run_sessions: sessions,
            walk_run_distance_m: walk_run,
            descent_m: 0.0,
            cross_minutes: 0,
            strength_days: 0,
        };
        let km = Units::Km;
        assert_eq!(
            week_running(&totals(12_000.0, 4_000.0, 0, 0.0), km),
            "12.0 km running (4.0 km done)"
        );
        assert_eq!(
            week_running(&totals(13_000.0, 0.0, 3, 13_000.0), km),
            "3 walk-run sessions, 13.0 km with the walking"
        );
        assert_eq!(
            week_running(&totals(8_300.0, 5_000.0, 1, 3_300.0), Units::Mi),
            "3.1 mi running (3.1 mi done) and 1 walk-run session, 2.1 mi with the walking"
        );
    }

    #[test]
    fn every_move_has_its_name_and_the_stage_its_equipment() {
        let names: Vec<&str> = routine(Stage::Bodyweight)
            .iter()
            .map(|e| move_name(e.movement))
            .collect();
        assert_eq!(
            names,
            [
                "clamshells",
                "bridges",
                "bird dog",
                "donkey kicks",
                "fire hydrants",
                "side steps with a band",
                "squats",
                "straight-leg raises",
                "quad sets",
                "hamstring stretch",
                "kneeling hip-flexor stretch",
                "figure-four stretch",
                "hip 90/90",
                "foam roll IT band, quads and glutes",
            ]
        );
        let notes = |stage| -> Vec<String> { routine(stage).iter().map(exercise_note).collect() };
        assert_eq!(notes(Stage::Bodyweight)[0], "each side, bodyweight");
        assert_eq!(notes(Stage::Band)[0], "each side, a band above the knees");
        assert!(
            notes(Stage::Load)[6].contains("70%"),
            "{:?}",
            notes(Stage::Load)
        );
        assert_eq!(
            notes(Stage::Load)[7],
            "hold 3-4 s at the top; targets the VMO; an ankle weight you can lift about 10 times"
        );
    }
}
