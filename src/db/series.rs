//! The compact binary form of an activity's time/distance/altitude series.
//!
//! Layout: the magic `KGS1`, a little-endian `u32` point count, then deflate-compressed
//! little-endian `f32` triplets (seconds from the start, cumulative metres, altitude metres;
//! NaN where missing). About 4 bytes a point after compression: enough to recompute descent or
//! draw a chart without the original file.

use crate::core::measure::SeriesPoint;
use flate2::{read::DeflateDecoder, write::DeflateEncoder, Compression};
use std::io::{Read, Write};

const MAGIC: &[u8; 4] = b"KGS1";

/// Encodes a series.
pub fn encode(points: &[SeriesPoint]) -> Vec<u8> {
    let mut raw = Vec::with_capacity(points.len() * 12);
    for p in points {
        raw.extend_from_slice(&p.t_s.to_le_bytes());
        raw.extend_from_slice(&p.distance_m.to_le_bytes());
        raw.extend_from_slice(&p.altitude_m.to_le_bytes());
    }
    let mut out = Vec::with_capacity(raw.len() / 3 + 16);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(points.len() as u32).to_le_bytes());
    let mut encoder = DeflateEncoder::new(out, Compression::fast());
    encoder
        .write_all(&raw)
        .expect("writing to a Vec cannot fail");
    encoder.finish().expect("writing to a Vec cannot fail")
}

/// Decodes a series, or `None` when the blob is not one.
pub fn decode(blob: &[u8]) -> Option<Vec<SeriesPoint>> {
    if blob.len() < 8 || &blob[..4] != MAGIC {
        return None;
    }
    let count = u32::from_le_bytes(blob[4..8].try_into().ok()?) as usize;
    let mut raw = Vec::with_capacity(count.min(10_000_000) * 12);
    DeflateDecoder::new(&blob[8..])
        .take((count as u64) * 12)
        .read_to_end(&mut raw)
        .ok()?;
    if raw.len() != count * 12 {
        return None;
    }
    let f = |b: &[u8]| f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    Some(
        raw.chunks_exact(12)
            .map(|c| SeriesPoint {
                t_s: f(&c[0..4]),
                distance_m: f(&c[4..8]),
                altitude_m: f(&c[8..12]),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(blob.len() < points.len() * 12, "{} bytes", blob.len());
        let back = decode(&blob).unwrap();
        assert_eq!(back.len(), points.len());
        for (a, b) in points.iter().zip(&back) {
            assert_eq!(a.t_s, b.t_s);
            assert_eq!(a.altitude_m, b.altitude_m);
            assert!(
                a.distance_m == b.distance_m || (a.distance_m.is_nan() && b.distance_m.is_nan())
            );
        }
    }

    #[test]
    fn garbage_is_not_a_series() {
        assert_eq!(decode(b"nope"), None);
        assert_eq!(decode(b"KGS1\xff\xff\xff\x00garbage"), None);
    }
}
