//! A thin intervals.icu client: activities in date windows and wellness, HTTP Basic with the
//! user `API_KEY`, 403 on a bad key, 429 with `Retry-After`.

use super::http::{Http, Response};
use super::{Clock, SyncError};
use crate::settings::IntervalsConfig;
use chrono::{Duration, NaiveDate};
use serde::Serialize;
use serde_json::Value;

const SERVICE: &str = "intervals.icu";
/// Used when a 429 carries no `Retry-After`.
const DEFAULT_RETRY_AFTER_S: i64 = 60;
const MAX_WAITS: u32 = 20;

pub struct IntervalsClient {
    http: Http,
    base: String,
    key: String,
    athlete: String,
    clock: Clock,
    wait: bool,
    waits: u32,
}

/// One day of intervals.icu wellness that says something about soreness or injury. Shown
/// beside a sync, never mixed into kneeguard's own pain log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WellnessDay {
    pub date: String,
    pub soreness: Option<i64>,
    pub injury: Option<i64>,
    pub comments: Option<String>,
}

impl IntervalsClient {
    pub fn new(
        http: Http,
        config: &IntervalsConfig,
        clock: Clock,
        wait: bool,
    ) -> Result<IntervalsClient, SyncError> {
        let key = config
            .api_key
            .clone()
            .filter(|k| !k.trim().is_empty())
            .ok_or(SyncError::MissingIntervalsKey)?;
        let athlete = match config.athlete_id.trim() {
            "" => "0".to_string(),
            a => a.to_string(),
        };
        Ok(IntervalsClient {
            http,
            base: config.api_url.trim_end_matches('/').to_string(),
            key,
            athlete,
            clock,
            wait,
            waits: 0,
        })
    }

    /// Every request sent, retries included.
    pub fn requests(&self) -> u32 {
        self.http.sent
    }

    /// The activities from `oldest` to `newest` (local dates, inclusive), newest first as the
    /// API sends them.
    pub async fn activities(
        &mut self,
        oldest: NaiveDate,
        newest: NaiveDate,
    ) -> Result<Vec<Value>, SyncError> {
        let path = format!("/api/v1/athlete/{}/activities", self.athlete);
        let what = format!("the activities from {oldest} to {newest}");
        self.get_list(&path, oldest, newest, &what).await
    }

    /// Wellness days from `oldest` to `newest` that carry soreness, injury or a comment.
    pub async fn wellness(
        &mut self,
        oldest: NaiveDate,
        newest: NaiveDate,
    ) -> Result<Vec<WellnessDay>, SyncError> {
        let path = format!("/api/v1/athlete/{}/wellness", self.athlete);
        let list = self.get_list(&path, oldest, newest, "the wellness").await?;
        Ok(list
            .iter()
            .map(|d| WellnessDay {
                date: d["id"].as_str().unwrap_or_default().to_string(),
                soreness: d["soreness"].as_i64(),
                injury: d["injury"].as_i64(),
                comments: d["comments"]
                    .as_str()
                    .filter(|c| !c.trim().is_empty())
                    .map(str::to_string),
            })
            .filter(|d| d.soreness.is_some() || d.injury.is_some() || d.comments.is_some())
            .collect())
    }

    async fn get_list(
        &mut self,
        path: &str,
        oldest: NaiveDate,
        newest: NaiveDate,
        what: &str,
    ) -> Result<Vec<Value>, SyncError> {
        let url = format!("{}{path}", self.base);
        let query = [
            ("oldest", oldest.to_string()),
            ("newest", newest.to_string()),
        ];
        for _ in 0..=MAX_WAITS {
            let key = self.key.clone();
            let r = self
                .http
                .send(SERVICE, what, |c| {
                    c.get(&url).query(&query).basic_auth("API_KEY", Some(&key))
                })
                .await?;
            match r.status {
                200..=299 => {
                    return match serde_json::from_str::<Value>(&r.body) {
                        Ok(Value::Array(list)) => Ok(list),
                        Ok(_) => Err(decode_error(what, "not a JSON array")),
                        Err(e) => Err(decode_error(what, &e.to_string())),
                    }
                }
                401 | 403 => return Err(SyncError::IntervalsAccess(r.fault())),
                429 => self.hold(&r).await?,
                status => {
                    return Err(SyncError::Api {
                        service: SERVICE,
                        what: what.to_string(),
                        status,
                        message: r.fault(),
                    })
                }
            }
        }
        Err(SyncError::RateLimited {
            resume_after: self.clock.now() + Duration::seconds(DEFAULT_RETRY_AFTER_S),
            daily: false,
        })
    }

    /// A 429: waits `Retry-After` with `--wait`, else stops the sync.
    async fn hold(&mut self, r: &Response) -> Result<(), SyncError> {
        let seconds = r
            .header("retry-after")
            .and_then(|v| v.trim().parse::<i64>().ok())
            .filter(|s| *s >= 0)
            .unwrap_or(DEFAULT_RETRY_AFTER_S);
        let resume_after = self.clock.now() + Duration::seconds(seconds);
        if !self.wait || self.waits >= MAX_WAITS {
            return Err(SyncError::RateLimited {
                resume_after,
                daily: false,
            });
        }
        self.waits += 1;
        tokio::time::sleep(std::time::Duration::from_secs(seconds as u64)).await;
        Ok(())
    }
}

fn decode_error(what: &str, message: &str) -> SyncError {
    SyncError::Decode {
        service: SERVICE,
        what: what.to_string(),
        message: message.to_string(),
    }
}
