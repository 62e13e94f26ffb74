//! The strength and mobility routine and the days that carry it (DOMAIN.md §7, from the seed
//! articles): hip, glute and core work, quad work aimed at the VMO, stretches and foam rolling.
//!
//! Hip plus quad work beats quad-only work for pain and function (Lack et al. 2015, a review of
//! 14 studies), so every strength day holds both. The routine progresses with the weeks the
//! runner kept it up (two sessions or more a week): bodyweight first, then a band, then load
//! toward the heavier work (about 70% of one-repetition maximum) that looked promising at one
//! year. Strength days go on free days first, then share a cross-training or run day; rest days
//! stay rest days.

use chrono::NaiveDate;
use serde::Serialize;

use crate::core::load::shift;
use crate::core::plan::history::History;
use crate::core::plan::layout::spread;
use crate::core::plan::{DayKind, DayNote, DayStatus, Mode, PlanDay, PlanInput, Reason};

/// One exercise of a strength day. The field names are a stable JSON interface.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exercise {
    pub name: String,
    pub sets: Option<u32>,
    /// Repetitions per set (per side where the note says so).
    pub reps: Option<u32>,
    /// Seconds to hold each repetition or stretch.
    pub hold_s: Option<u32>,
    pub note: String,
}

/// How heavy the routine is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Bodyweight,
    Band,
    Load,
}

impl Stage {
    /// Two weeks of bodyweight work, then a band from the third week, load from the sixth.
    pub fn after(weeks_kept: u32) -> Stage {
        match weeks_kept {
            0..=1 => Stage::Bodyweight,
            2..=4 => Stage::Band,
            _ => Stage::Load,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Bodyweight => "bodyweight",
            Stage::Band => "band",
            Stage::Load => "load",
        }
    }
}

/// Minutes a strength day takes, stretching included (kneeguard's estimate).
pub const ROUTINE_MINUTES: u32 = 35;

/// Strength sessions a week that count as keeping the routine up.
const KEPT_UP: usize = 2;

fn exercise(name: &str, sets: u32, reps: Option<u32>, hold_s: Option<u32>, note: &str) -> Exercise {
    Exercise {
        name: name.to_string(),
        sets: Some(sets),
        reps,
        hold_s,
        note: note.to_string(),
    }
}

/// The full routine of one strength day at `stage`: hip and core, quads, then 5-10 minutes of
/// stretching and foam rolling.
pub fn routine(stage: Stage) -> Vec<Exercise> {
    let (hips, quads, squat) = match stage {
        Stage::Bodyweight => (
            "bodyweight",
            "bodyweight",
            "sit-to-stand from a chair, only as deep as stays pain-free",
        ),
        Stage::Band => (
            "a band above the knees",
            "a light ankle weight or band",
            "squats with a band above the knees, only as deep as stays pain-free",
        ),
        Stage::Load => (
            "a heavier band",
            "an ankle weight you can lift about 10 times",
            "goblet squats or leg press at about 70% of what you can lift once (8-10 reps)",
        ),
    };
    let reps = if stage == Stage::Load { 10 } else { 15 };
    vec![
        exercise(
            "clamshells",
            3,
            Some(reps),
            None,
            &format!("each side, {hips}"),
        ),
        exercise(
            "bridges",
            3,
            Some(10),
            Some(10),
            &format!("hold about 10 s at the top, {hips}"),
        ),
        exercise("bird dog", 2, Some(15), None, "each side, slow"),
        exercise(
            "donkey kicks",
            3,
            Some(reps),
            None,
            &format!("each side, {hips}"),
        ),
        exercise(
            "fire hydrants",
            3,
            Some(reps),
            None,
            &format!("each side, {hips}"),
        ),
        exercise(
            "side steps with a band",
            3,
            Some(reps),
            None,
            "band above the knees, steps each way",
        ),
        exercise(
            "squats",
            3,
            Some(if stage == Stage::Load { 8 } else { 12 }),
            None,
            squat,
        ),
        exercise(
            "straight-leg raises",
            3,
            Some(10),
            Some(4),
            &format!("hold 3-4 s at the top; targets the VMO; {quads}"),
        ),
        exercise(
            "quad sets",
            3,
            Some(10),
            Some(10),
            "tighten the thigh with the knee straight, hold 5-10 s",
        ),
        exercise(
            "hamstring stretch",
            3,
            None,
            Some(30),
            "20-30 s, 2-3 times a side",
        ),
        exercise(
            "kneeling hip-flexor stretch",
            2,
            None,
            Some(30),
            "or a running lunge, each side",
        ),
        exercise(
            "figure-four stretch",
            2,
            None,
            Some(30),
            "piriformis, each side",
        ),
        exercise("hip 90/90", 2, None, Some(30), "each side"),
        exercise(
            "foam roll IT band, quads and glutes",
            1,
            None,
            Some(90),
            "1-2 minutes a leg for each",
        ),
    ]
}

/// Complete weeks in a row, ending with last week, with the routine done at least twice.
pub fn weeks_kept(history: &History, week: NaiveDate) -> u32 {
    (1..=52)
        .take_while(|k| history.strength_in_week(shift(week, -7 * k)) >= KEPT_UP)
        .count() as u32
}

/// Puts the week's strength days on the open free days first, then on cross-training days,
/// then after the shortest runs; the ones already done this week count.
pub fn place(
    input: &PlanInput<'_>,
    history: &History,
    dates: &[NaiveDate],
    open_days: &[usize],
    mode: Mode,
    days: &mut [Option<PlanDay>],
    reasons: &mut Vec<Reason>,
) {
    let wanted = if mode.strength_heavy() {
        input.plan.strength_days.max(input.plan.amber_strength_days)
    } else {
        input.plan.strength_days
    } as usize;
    if wanted == 0 {
        return;
    }
    let week = dates[0];
    let done = (0..7)
        .filter(|&i| {
            days[i]
                .as_ref()
                .is_some_and(|d| d.status == DayStatus::Done)
        })
        .filter(|&i| {
            days[i].as_ref().is_some_and(|d| {
                d.kind == DayKind::Strength || d.notes.contains(&DayNote::StrengthRoutine)
            })
        })
        .count();
    let mut missing = wanted.saturating_sub(done);
    let kept = weeks_kept(history, week);
    let stage = Stage::after(kept);
    let free: Vec<usize> = open_days
        .iter()
        .copied()
        .filter(|&i| days[i].is_none())
        .collect();
    let taken: Vec<usize> = open_days
        .iter()
        .copied()
        .filter(|&i| days[i].is_some())
        .collect();
    for i in spread(&free, &taken, missing) {
        let mut d = PlanDay::new(dates[i], DayStatus::Planned, DayKind::Strength);
        d.minutes = Some(ROUTINE_MINUTES);
        d.exercises = routine(stage);
        d.notes.push(DayNote::StrengthRoutine);
        days[i] = Some(d);
        missing -= 1;
    }
    // Sharing a day: cross-training first, then the shortest runs.
    let mut hosts: Vec<(usize, f64)> = open_days
        .iter()
        .copied()
        .filter_map(|i| {
            let d = days[i].as_ref()?;
            let order = match d.kind {
                DayKind::Cross => 0.0,
                DayKind::Run | DayKind::WalkRun => 1.0 + d.distance_m.unwrap_or(0.0),
                _ => return None,
            };
            (d.status == DayStatus::Planned && d.exercises.is_empty()).then_some((i, order))
        })
        .collect();
    hosts.sort_by(|a, b| a.1.total_cmp(&b.1));
    for (i, _) in hosts.into_iter().take(missing) {
        if let Some(d) = days[i].as_mut() {
            d.exercises = routine(stage);
            d.notes.push(DayNote::StrengthAfter);
            missing -= 1;
        }
    }
    reasons.push(Reason::Strength {
        days: wanted as u32,
        stage,
        weeks_kept: kept,
    });
    if missing > 0 {
        reasons.push(Reason::StrengthShort {
            fitted: (wanted - missing) as u32,
            wanted: wanted as u32,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_routine_holds_every_exercise_and_progresses() {
        let names: Vec<String> = routine(Stage::Bodyweight)
            .into_iter()
            .map(|e| e.name)
            .collect();
        for wanted in [
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
        ] {
            assert!(names.iter().any(|n| n == wanted), "{wanted}");
        }
        assert_eq!(
            [0, 1, 2, 4, 5, 9].map(Stage::after),
            [
                Stage::Bodyweight,
                Stage::Bodyweight,
                Stage::Band,
                Stage::Band,
                Stage::Load,
                Stage::Load
            ]
        );
        let load = routine(Stage::Load);
        assert!(load.iter().any(|e| e.note.contains("70%")));
        assert_ne!(routine(Stage::Band), routine(Stage::Bodyweight));
        let json = serde_json::to_value(routine(Stage::Band)).unwrap();
        assert_eq!(json[1]["hold_s"], 10);
        assert!(json[0]["hold_s"].is_null());
    }
}
