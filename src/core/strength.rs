//! The strength and mobility routine that strength days carry (DOMAIN.md §7, from the seed
//! articles): hip, glute and core work, quad work aimed at the VMO, stretches and foam rolling.
//!
//! Hip plus quad work beats quad-only work for pain and function (Lack et al. 2015, a review of
//! 14 studies), so every strength day holds both. The doses are the articles' own; the routine is
//! plain data so the planner, the renderers and the tests share one list.

use serde::Serialize;

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

fn exercise(
    name: &str,
    sets: Option<u32>,
    reps: Option<u32>,
    hold_s: Option<u32>,
    note: &str,
) -> Exercise {
    Exercise {
        name: name.to_string(),
        sets,
        reps,
        hold_s,
        note: note.to_string(),
    }
}

/// The full routine of one strength day: hip and core, quads, then 5-10 minutes of stretching
/// and foam rolling.
pub fn routine() -> Vec<Exercise> {
    vec![
        exercise(
            "clamshells",
            Some(3),
            Some(15),
            None,
            "10-15 reps each side; a band above the knees when easy",
        ),
        exercise(
            "bridges",
            Some(1),
            Some(10),
            Some(10),
            "hold about 10 s at the top, 7-10 reps",
        ),
        exercise("bird dog", Some(1), Some(15), None, "15 each side, slow"),
        exercise(
            "side steps with a band",
            Some(3),
            Some(10),
            None,
            "band above the knees, 10-15 steps each way",
        ),
        exercise(
            "sit-to-stand or squats",
            Some(3),
            Some(12),
            None,
            "3 sets of 10-15, only as deep as stays pain-free",
        ),
        exercise(
            "straight-leg raises",
            Some(3),
            Some(10),
            Some(4),
            "hold 3-4 s at the top; targets the VMO",
        ),
        exercise(
            "quad sets",
            Some(3),
            Some(10),
            Some(10),
            "tighten the thigh with the knee straight, hold 5-10 s",
        ),
        exercise(
            "hamstring stretch",
            Some(3),
            None,
            Some(30),
            "20-30 s, 2-3 times a side",
        ),
        exercise(
            "kneeling hip-flexor stretch",
            Some(2),
            None,
            Some(30),
            "or a running lunge, each side",
        ),
        exercise(
            "figure-four stretch",
            Some(2),
            None,
            Some(30),
            "piriformis, each side",
        ),
        exercise("hip 90/90", Some(2), None, Some(30), "each side"),
        exercise(
            "foam roll IT band, quads and glutes",
            Some(1),
            None,
            Some(90),
            "1-2 minutes a leg for each",
        ),
    ]
}

/// Minutes a strength day takes, stretching included (kneeguard's estimate).
pub const ROUTINE_MINUTES: u32 = 35;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routine_holds_hip_quad_and_mobility_work() {
        let names: Vec<String> = routine().into_iter().map(|e| e.name).collect();
        for wanted in [
            "clamshells",
            "bridges",
            "bird dog",
            "straight-leg raises",
            "quad sets",
            "hamstring stretch",
            "foam roll IT band, quads and glutes",
        ] {
            assert!(names.iter().any(|n| n == wanted), "{wanted}");
        }
        let json = serde_json::to_value(routine()).unwrap();
        assert_eq!(json[1]["hold_s"], 10);
        assert!(json[0]["hold_s"].is_null());
    }
}
