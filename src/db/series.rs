//! The compact binary form of an activity's time/distance/altitude series.
//!
//! Layout: the magic `KGS2`, a little-endian `u32` point count, then per point one flags byte
//! (bit 0: time present, bit 1: distance, bit 2: altitude) followed by the present values as
//! zigzag varint deltas from the channel's previous present value, quantised to 0.1 s, 1 cm and
//! 1 cm. About 5 bytes a point, cheap to write: enough to recompute descent or draw a chart
//! without the original file.

use crate::core::measure::SeriesPoint;

const MAGIC: &[u8; 4] = b"KGS2";
/// Quantisation steps per unit: deciseconds, centimetres, centimetres.
const SCALES: [f64; 3] = [10.0, 100.0, 100.0];

/// A series in its stored form, encoded where the activity was measured (on an import worker)
/// rather than by the thread that writes it. Empty when there are no points.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EncodedSeries {
    blob: Vec<u8>,
    points: usize,
}

impl EncodedSeries {
    pub fn new(points: &[SeriesPoint]) -> Self {
        EncodedSeries {
            blob: if points.is_empty() {
                Vec::new()
            } else {
                encode(points)
            },
            points: points.len(),
        }
    }

    /// The number of points.
    pub fn len(&self) -> usize {
        self.points
    }

    pub fn is_empty(&self) -> bool {
        self.points == 0
    }

    /// The blob to store, or `None` for no points.
    pub fn blob(&self) -> Option<&[u8]> {
        (!self.is_empty()).then_some(self.blob.as_slice())
    }
}

/// Encodes a series.
pub fn encode(points: &[SeriesPoint]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + points.len() * 6);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(points.len() as u32).to_le_bytes());
    let mut last = [0i64; 3];
    for p in points {
        let values = [p.t_s, p.distance_m, p.altitude_m];
        let mut flags = 0u8;
        let mut quantised = [0i64; 3];
        for (i, v) in values.iter().enumerate() {
            if v.is_finite() {
                flags |= 1 << i;
                quantised[i] = round(f64::from(*v) * SCALES[i]);
            }
        }
        out.push(flags);
        for i in 0..3 {
            if flags & (1 << i) != 0 {
                write_varint(&mut out, zigzag(quantised[i].wrapping_sub(last[i])));
                last[i] = quantised[i];
            }
        }
    }
    out
}

/// Decodes a series, or `None` when the blob is not one.
pub fn decode(blob: &[u8]) -> Option<Vec<SeriesPoint>> {
    if blob.len() < 8 || &blob[..4] != MAGIC {
        return None;
    }
    let count = u32::from_le_bytes(blob[4..8].try_into().ok()?) as usize;
    // Every point takes at least one byte: a larger count is a damaged blob.
    if count > blob.len() - 8 {
        return None;
    }
    let mut input = &blob[8..];
    let mut last = [0i64; 3];
    let mut points = Vec::with_capacity(count);
    for _ in 0..count {
        let (&flags, rest) = input.split_first()?;
        input = rest;
        let mut values = [f32::NAN; 3];
        for i in 0..3 {
            if flags & (1 << i) != 0 {
                let (delta, rest) = read_varint(input)?;
                input = rest;
                last[i] = last[i].wrapping_add(unzigzag(delta));
                values[i] = (last[i] as f64 / SCALES[i]) as f32;
            }
        }
        points.push(SeriesPoint {
            t_s: values[0],
            distance_m: values[1],
            altitude_m: values[2],
        });
    }
    input.is_empty().then_some(points)
}

/// `x.round() as i64` (half away from zero) with one truncating conversion instead of a call
/// to the C library: `x - trunc(x)` is exact for every finite f64.
fn round(x: f64) -> i64 {
    let whole = x as i64;
    let fraction = x - whole as f64;
    whole + i64::from(fraction >= 0.5) - i64::from(fraction <= -0.5)
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

fn write_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn read_varint(input: &[u8]) -> Option<(u64, &[u8])> {
    let mut value = 0u64;
    for (i, &byte) in input.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, &input[i + 1..]));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_encoded_series_stores_the_blob_of_its_points_and_nothing_for_none() {
        let points = [SeriesPoint {
            t_s: 1.0,
            distance_m: 2.0,
            altitude_m: 3.0,
        }; 4];
        let encoded = EncodedSeries::new(&points);
        assert_eq!(encoded.len(), 4);
        assert_eq!(encoded.blob().map(decode), Some(Some(points.to_vec())));
        let none = EncodedSeries::new(&[]);
        assert!(none.is_empty());
        assert_eq!(none.blob(), None);
    }

    #[test]
    fn round_trips_including_missing_values() {
        let points: Vec<SeriesPoint> = (0..1000)
            .map(|i| SeriesPoint {
                t_s: i as f32,
                distance_m: if i % 7 == 0 { f32::NAN } else { i as f32 * 2.5 },
                altitude_m: 100.0 + (i as f32 / 10.0).sin(),
            })
            .collect();
        let blob = encode(&points);
        assert!(blob.len() < points.len() * 6, "{} bytes", blob.len());
        let back = decode(&blob).unwrap();
        assert_eq!(back.len(), points.len());
        for (a, b) in points.iter().zip(&back) {
            assert_eq!(a.t_s, b.t_s);
            assert!((a.altitude_m - b.altitude_m).abs() <= 0.005);
            assert!(
                (a.distance_m - b.distance_m).abs() <= 0.005
                    || (a.distance_m.is_nan() && b.distance_m.is_nan())
            );
        }
    }

    #[test]
    fn rounding_is_the_standard_libraries() {
        for x in [
            0.0,
            0.5,
            -0.5,
            1.5,
            -1.5,
            2.5,
            0.499_999_999_999_999_94,
            -0.499_999_999_999_999_94,
            1e15 + 0.5,
            123_456.789,
            -98_765.432_1,
            4_503_599_627_370_495.5,
        ] {
            assert_eq!(round(x), x.round() as i64, "{x}");
        }
    }

    #[test]
    fn garbage_is_not_a_series() {
        assert_eq!(decode(b"nope"), None);
        assert_eq!(decode(b"KGS2\xff\xff\xff\x00garbage"), None);
        let mut blob = encode(&[SeriesPoint::default(); 3]);
        blob.pop();
        assert_eq!(decode(&blob), None);
    }

    proptest! {
        #[test]
        fn any_series_round_trips_to_a_centimetre(
            values in proptest::collection::vec((0.0f32..1e6, -1e5f32..1e6, -500f32..9000.0, 0u8..8), 0..200)
        ) {
            let points: Vec<SeriesPoint> = values
                .iter()
                .map(|&(t, d, a, missing)| SeriesPoint {
                    t_s: if missing & 1 != 0 { f32::NAN } else { t },
                    distance_m: if missing & 2 != 0 { f32::NAN } else { d },
                    altitude_m: if missing & 4 != 0 { f32::NAN } else { a },
                })
                .collect();
            let back = decode(&encode(&points)).unwrap();
            prop_assert_eq!(back.len(), points.len());
            for (a, b) in points.iter().zip(&back) {
                for (x, y, tolerance) in [(a.t_s, b.t_s, 0.06), (a.distance_m, b.distance_m, 0.06), (a.altitude_m, b.altitude_m, 0.006)] {
                    prop_assert!(x.is_nan() == y.is_nan());
                    if !x.is_nan() {
                        prop_assert!((x - y).abs() <= tolerance + x.abs() * 1e-6, "{} vs {}", x, y);
                    }
                }
            }
        }

        #[test]
        fn rounding_matches_the_standard_library(x in -1e12f64..1e12) {
            prop_assert_eq!(round(x), x.round() as i64);
        }

        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let mut blob = b"KGS2".to_vec();
            blob.extend(bytes);
            let _ = decode(&blob);
        }
    }
}
