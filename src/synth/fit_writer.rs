//! A minimal FIT encoder: file_id, record, session and activity messages, with header and data
//! CRCs as the FIT SDK defines them. Enough to write real activity files that any FIT reader
//! (and a watch's own software) accepts.

use crate::model::Sample;
use chrono::{DateTime, Utc};

/// Seconds between the Unix epoch and the FIT epoch (1989-12-31T00:00:00Z).
const FIT_EPOCH_OFFSET: i64 = 631_065_600;

const CRC_TABLE: [u16; 16] = [
    0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401, 0xA001, 0x6C00, 0x7800, 0xB401,
    0x5000, 0x9C01, 0x8801, 0x4400,
];

/// The FIT CRC-16 of `bytes`, continuing from `crc`.
pub fn crc16(mut crc: u16, bytes: &[u8]) -> u16 {
    for &byte in bytes {
        let mut tmp = CRC_TABLE[(crc & 0xF) as usize];
        crc = (crc >> 4) & 0x0FFF;
        crc = crc ^ tmp ^ CRC_TABLE[(byte & 0xF) as usize];
        tmp = CRC_TABLE[(crc & 0xF) as usize];
        crc = (crc >> 4) & 0x0FFF;
        crc = crc ^ tmp ^ CRC_TABLE[((byte >> 4) & 0xF) as usize];
    }
    crc
}

/// FIT sport and sub-sport numbers.
#[derive(Debug, Clone, Copy)]
pub struct FitSport {
    pub sport: u8,
    pub sub_sport: u8,
}

impl FitSport {
    pub const RUN: FitSport = FitSport {
        sport: 1,
        sub_sport: 0,
    };
    pub const TRAIL_RUN: FitSport = FitSport {
        sport: 1,
        sub_sport: 3,
    };
    pub const TREADMILL: FitSport = FitSport {
        sport: 1,
        sub_sport: 1,
    };
    pub const RIDE: FitSport = FitSport {
        sport: 2,
        sub_sport: 0,
    };
    pub const INDOOR_RIDE: FitSport = FitSport {
        sport: 2,
        sub_sport: 6,
    };
    pub const ELLIPTICAL: FitSport = FitSport {
        sport: 4,
        sub_sport: 15,
    };
    pub const SWIM: FitSport = FitSport {
        sport: 5,
        sub_sport: 17,
    };
    pub const STRENGTH: FitSport = FitSport {
        sport: 10,
        sub_sport: 20,
    };
}

/// What goes into one FIT activity file.
#[derive(Debug, Clone)]
pub struct FitActivity<'a> {
    pub sport: FitSport,
    pub start: DateTime<Utc>,
    pub utc_offset_s: i32,
    pub samples: &'a [Sample],
    pub total_distance_m: f64,
    pub total_timer_s: f64,
    pub total_ascent_m: f64,
    pub total_descent_m: f64,
    /// A serial number; makes otherwise equal files distinct.
    pub serial: u32,
}

struct Encoder {
    data: Vec<u8>,
}

/// (field number, size, base type)
type FieldDef = (u8, u8, u8);

const ENUM: u8 = 0x00;
const UINT16: u8 = 0x84;
const SINT32: u8 = 0x85;
const UINT32: u8 = 0x86;
const UINT32Z: u8 = 0x8C;

impl Encoder {
    fn define(&mut self, local: u8, global: u16, fields: &[FieldDef]) {
        self.data.push(0x40 | local);
        self.data.push(0); // reserved
        self.data.push(0); // little-endian
        self.data.extend_from_slice(&global.to_le_bytes());
        self.data.push(fields.len() as u8);
        for &(num, size, base) in fields {
            self.data.extend_from_slice(&[num, size, base]);
        }
    }

    fn begin(&mut self, local: u8) {
        self.data.push(local);
    }

    fn u8(&mut self, v: u8) {
        self.data.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.data.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.data.extend_from_slice(&v.to_le_bytes());
    }
    fn i32(&mut self, v: i32) {
        self.data.extend_from_slice(&v.to_le_bytes());
    }
}

fn fit_time(t: DateTime<Utc>) -> u32 {
    (t.timestamp() - FIT_EPOCH_OFFSET).clamp(0, u32::MAX as i64) as u32
}

fn semicircles(deg: f64) -> i32 {
    (deg * (2f64.powi(31) / 180.0)).round() as i32
}

fn scaled(v: f64, scale: f64, offset: f64, invalid: u32) -> u32 {
    let x = ((v + offset) * scale).round();
    if x.is_finite() && x >= 0.0 && x < invalid as f64 {
        x as u32
    } else {
        invalid
    }
}

/// Encodes one activity as a complete FIT file.
pub fn encode(activity: &FitActivity<'_>) -> Vec<u8> {
    let mut e = Encoder {
        data: Vec::with_capacity(64 + activity.samples.len() * 21),
    };
    // file_id
    e.define(
        0,
        0,
        &[
            (0, 1, ENUM),
            (1, 2, UINT16),
            (2, 2, UINT16),
            (3, 4, UINT32Z),
            (4, 4, UINT32),
        ],
    );
    e.begin(0);
    e.u8(4); // activity
    e.u16(255); // manufacturer: development
    e.u16(1);
    e.u32(activity.serial.max(1));
    e.u32(fit_time(activity.start));
    // record
    e.define(
        1,
        20,
        &[
            (253, 4, UINT32),
            (0, 4, SINT32),
            (1, 4, SINT32),
            (5, 4, UINT32),
            (78, 4, UINT32),
        ],
    );
    let mut last_time = activity.start;
    for s in activity.samples {
        let t = s.time.unwrap_or(last_time);
        last_time = t;
        e.begin(1);
        e.u32(fit_time(t));
        let (lat, lon) = s.position.map_or((i32::MAX, i32::MAX), |(a, b)| {
            (semicircles(a), semicircles(b))
        });
        e.i32(lat);
        e.i32(lon);
        e.u32(
            s.distance_m
                .map_or(u32::MAX, |d| scaled(d, 100.0, 0.0, u32::MAX)),
        );
        e.u32(
            s.altitude_m
                .map_or(u32::MAX, |a| scaled(a, 5.0, 500.0, u32::MAX)),
        );
    }
    // session
    let end = last_time;
    e.define(
        2,
        18,
        &[
            (253, 4, UINT32),
            (2, 4, UINT32),
            (5, 1, ENUM),
            (6, 1, ENUM),
            (7, 4, UINT32),
            (8, 4, UINT32),
            (9, 4, UINT32),
            (22, 2, UINT16),
            (23, 2, UINT16),
        ],
    );
    e.begin(2);
    e.u32(fit_time(end));
    e.u32(fit_time(activity.start));
    e.u8(activity.sport.sport);
    e.u8(activity.sport.sub_sport);
    let elapsed = (end - activity.start).num_milliseconds().max(0) as f64 / 1000.0;
    e.u32(scaled(
        elapsed.max(activity.total_timer_s),
        1000.0,
        0.0,
        u32::MAX,
    ));
    e.u32(scaled(activity.total_timer_s, 1000.0, 0.0, u32::MAX));
    e.u32(scaled(activity.total_distance_m, 100.0, 0.0, u32::MAX));
    e.u16(activity.total_ascent_m.round().clamp(0.0, 65534.0) as u16);
    e.u16(activity.total_descent_m.round().clamp(0.0, 65534.0) as u16);
    // activity
    e.define(
        3,
        34,
        &[
            (253, 4, UINT32),
            (5, 4, UINT32),
            (1, 2, UINT16),
            (2, 1, ENUM),
        ],
    );
    e.begin(3);
    e.u32(fit_time(end));
    e.u32((fit_time(end) as i64 + activity.utc_offset_s as i64).clamp(0, u32::MAX as i64) as u32);
    e.u16(1);
    e.u8(0); // manual

    let mut out = Vec::with_capacity(e.data.len() + 16);
    out.push(14);
    out.push(0x20); // protocol 2.0
    out.extend_from_slice(&2132u16.to_le_bytes());
    out.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
    out.extend_from_slice(b".FIT");
    let header_crc = crc16(0, &out);
    out.extend_from_slice(&header_crc.to_le_bytes());
    out.extend_from_slice(&e.data);
    let crc = crc16(0, &out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_of_the_sdk_check_string() {
        // CRC-16/ARC of "123456789" is 0xBB3D; FIT uses the same polynomial.
        assert_eq!(crc16(0, b"123456789"), 0xBB3D);
    }

    #[test]
    fn fitparser_reads_what_we_write() {
        let t0 = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 4, 1, 6, 0, 0).unwrap();
        let samples: Vec<Sample> = (0..10)
            .map(|i| Sample {
                time: Some(t0 + chrono::Duration::seconds(i)),
                position: Some((47.0 + i as f64 * 1e-4, 8.0)),
                distance_m: Some(i as f64 * 3.0),
                altitude_m: Some(400.0 - i as f64),
            })
            .collect();
        let bytes = encode(&FitActivity {
            sport: FitSport::RUN,
            start: t0,
            utc_offset_s: 3600,
            samples: &samples,
            total_distance_m: 27.0,
            total_timer_s: 9.0,
            total_ascent_m: 0.0,
            total_descent_m: 9.0,
            serial: 7,
        });
        let records = fitparser::from_bytes(&bytes).expect("valid FIT");
        let kinds: Vec<String> = records.iter().map(|r| r.kind().to_string()).collect();
        assert_eq!(kinds.iter().filter(|k| *k == "record").count(), 10);
        assert!(kinds.contains(&"session".to_string()));
    }
}
