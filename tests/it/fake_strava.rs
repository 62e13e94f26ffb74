//! A fake Strava and intervals.icu on 127.0.0.1 that behaves as SYNC.md §5 describes: OAuth
//! with single-use codes and rotating refresh tokens, `after` in seconds (milliseconds are
//! refused) with ascending order, short pages before the end, keyed streams with 404 for
//! manual activities, rate-limit headers on every API response (the overall and the read
//! bucket, 200/2,000 and 100/1,000 as in 2026, with usage counted by the server), and switches
//! for 401, 429, 5xx and slow answers. It also counts every request.

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const CLIENT_ID: &str = "4242";
pub const CLIENT_SECRET: &str = "fake-client-secret";
pub const INTERVALS_KEY: &str = "fake-intervals-key";

#[derive(Debug, Default)]
pub struct State {
    // OAuth
    pub codes: HashSet<String>,
    pub refresh_token: Option<String>,
    pub access_tokens: HashSet<String>,
    pub issued: u32,
    /// Lifetime of new access tokens, seconds.
    pub expires_in: i64,
    /// Refresh requests refused with the rotated-token 400 (an old token was used).
    pub stale_refreshes: u32,
    pub revoked: bool,
    // Activities
    pub activities: Vec<Value>,
    pub streams_404: HashSet<i64>,
    /// The streams of these activities answer 503 (a server in trouble).
    pub streams_503: HashSet<i64>,
    pub no_altitude: HashSet<i64>,
    /// The server's own page size cap: pages shorter than `per_page` before the end.
    pub page_cap: Option<usize>,
    // Faults
    /// The next this many API requests answer 503.
    pub fail_next: u32,
    /// The next this many API requests answer only after `slow_delay`.
    pub slow_next: u32,
    pub slow_delay: std::time::Duration,
    /// After this many API requests every access token issued so far is revoked (401).
    pub revoke_access_after: Option<u32>,
    /// From this API request on, answer 429.
    pub force_429_from: Option<u32>,
    /// The streams of this activity hang (for killing the client midway).
    pub hang_streams_of: Option<i64>,
    /// The overall bucket (`X-RateLimit-Limit`).
    pub limit_15min: u32,
    pub limit_daily: u32,
    /// The read bucket (`X-ReadRateLimit-Limit`); every request here is a read.
    pub read_limit_15min: u32,
    pub read_limit_daily: u32,
    pub usage_15min: u32,
    pub usage_daily: u32,
    // Counts
    pub api_requests: u32,
    pub list_requests: u32,
    pub streams_requests: u32,
    pub token_requests: u32,
    pub streams_asked: Vec<i64>,
    pub afters: Vec<String>,
    // intervals.icu
    pub intervals_activities: Vec<Value>,
    pub intervals_requests: u32,
    pub intervals_429_next: u32,
}

pub struct Fake {
    pub server: MockServer,
    pub state: Arc<Mutex<State>>,
    _runtime: tokio::runtime::Runtime,
}

struct Responder(Arc<Mutex<State>>);

impl Fake {
    pub fn start() -> Fake {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let state = Arc::new(Mutex::new(State {
            expires_in: 21600,
            limit_15min: 200,
            limit_daily: 2000,
            read_limit_15min: 100,
            read_limit_daily: 1000,
            ..State::default()
        }));
        let server = runtime.block_on(async {
            let server = MockServer::builder().start().await;
            Mock::given(wiremock::matchers::any())
                .respond_with(Responder(state.clone()))
                .mount(&server)
                .await;
            server
        });
        Fake {
            server,
            state,
            _runtime: runtime,
        }
    }

    pub fn uri(&self) -> String {
        self.server.uri()
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    /// A single-use authorization code the runner would get from the browser.
    pub fn new_code(&self) -> String {
        let mut s = self.state();
        let code = format!("code-{}", s.codes.len() + 1);
        s.codes.insert(code.clone());
        code
    }
}

fn fault(status: u16, message: &str, resource: &str, field: &str, code: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "message": message,
        "errors": [{"resource": resource, "field": field, "code": code}]
    }))
}

fn form(request: &Request) -> HashMap<String, String> {
    let mut map: HashMap<String, String> = url::form_urlencoded::parse(&request.body)
        .into_owned()
        .collect();
    // stravalib sends query parameters: accept both
    map.extend(request.url.query_pairs().into_owned());
    map
}

fn query(request: &Request) -> HashMap<String, String> {
    request.url.query_pairs().into_owned().collect()
}

fn start(a: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(a["start_date"].as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

impl Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut s = self.0.lock().unwrap();
        let path = request.url.path().to_string();
        if path == "/oauth/token" || path == "/api/v3/oauth/token" {
            return s.token(request);
        }
        if path == "/oauth/revoke" {
            let auth = header(request, "authorization");
            let expected = format!(
                "Basic {}",
                base64_encode(&format!("{CLIENT_ID}:{CLIENT_SECRET}"))
            );
            if auth.as_deref() != Some(expected.as_str()) {
                return fault(401, "Authorization Error", "Application", "", "invalid");
            }
            s.revoked = true;
            s.refresh_token = None;
            s.access_tokens.clear();
            return ResponseTemplate::new(200);
        }
        if let Some(rest) = path.strip_prefix("/api/v3") {
            return s.api(request, rest);
        }
        if path.starts_with("/api/v1/") {
            return s.intervals(request, &path);
        }
        ResponseTemplate::new(404)
            .set_body_json(json!({"message": "Resource Not Found", "errors": []}))
    }
}

fn header(request: &Request, name: &str) -> Option<String> {
    request
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn base64_encode(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

impl State {
    fn issue(&mut self, with_athlete: bool) -> ResponseTemplate {
        self.issued += 1;
        let access = format!("fake-access-{:04}", self.issued);
        let refresh = format!("fake-refresh-{:04}", self.issued);
        self.access_tokens.insert(access.clone());
        // Rotation: the previous refresh token dies the moment a new one is handed out.
        self.refresh_token = Some(refresh.clone());
        let expires_at = Utc::now().timestamp() + self.expires_in;
        let mut body = json!({
            "token_type": "Bearer",
            "expires_at": expires_at,
            "expires_in": self.expires_in,
            "refresh_token": refresh,
            "access_token": access,
        });
        if with_athlete {
            body["athlete"] = json!({"id": 9000001, "firstname": "Test", "lastname": "Runner"});
        }
        ResponseTemplate::new(200).set_body_json(body)
    }

    fn token(&mut self, request: &Request) -> ResponseTemplate {
        self.token_requests += 1;
        let f = form(request);
        if f.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
            return fault(400, "Bad Request", "Application", "client_id", "invalid");
        }
        if f.get("client_secret").map(String::as_str) != Some(CLIENT_SECRET) {
            return fault(401, "Authorization Error", "Application", "", "invalid");
        }
        match f.get("grant_type").map(String::as_str) {
            Some("authorization_code") => {
                let code = f.get("code").cloned().unwrap_or_default();
                if !self.codes.remove(&code) {
                    return fault(400, "Bad Request", "AuthorizationCode", "code", "invalid");
                }
                self.issue(true)
            }
            Some("refresh_token") => {
                let given = f.get("refresh_token").cloned();
                if given.is_none() || given != self.refresh_token {
                    self.stale_refreshes += 1;
                    return fault(
                        400,
                        "Bad Request",
                        "RefreshToken",
                        "refresh_token",
                        "invalid",
                    );
                }
                self.issue(false)
            }
            _ => fault(400, "Bad Request", "Application", "grant_type", "invalid"),
        }
    }

    fn with_rate_headers(&self, t: ResponseTemplate) -> ResponseTemplate {
        t.insert_header(
            "X-RateLimit-Limit",
            format!("{},{}", self.limit_15min, self.limit_daily).as_str(),
        )
        .insert_header(
            "X-Ratelimit-Usage",
            format!("{}, {}", self.usage_15min, self.usage_daily).as_str(),
        )
        .insert_header(
            "X-ReadRateLimit-Limit",
            format!("{},{}", self.read_limit_15min, self.read_limit_daily).as_str(),
        )
        .insert_header(
            "x-readratelimit-usage",
            format!("{},{}", self.usage_15min, self.usage_daily).as_str(),
        )
    }

    fn api(&mut self, request: &Request, rest: &str) -> ResponseTemplate {
        self.api_requests += 1;
        self.usage_15min += 1;
        self.usage_daily += 1;
        let q = query(request);
        let is_list = rest == "/athlete/activities";
        let streams_of = rest
            .strip_prefix("/activities/")
            .and_then(|r| r.strip_suffix("/streams"))
            .and_then(|id| id.parse::<i64>().ok());
        if is_list {
            self.list_requests += 1;
        }
        if streams_of.is_some() {
            self.streams_requests += 1;
        }
        if let Some(from) = self.force_429_from {
            if self.api_requests >= from {
                // The real shape: usage past the read limit, the Fault body, no Retry-After.
                let t = fault(
                    429,
                    "Rate Limit Exceeded",
                    "Application",
                    "rate limit",
                    "exceeded",
                )
                .insert_header("X-RateLimit-Limit", "200,2000")
                .insert_header("X-RateLimit-Usage", "121,340")
                .insert_header("X-ReadRateLimit-Limit", "100,1000")
                .insert_header("X-ReadRateLimit-Usage", "101,301");
                return t;
            }
        }
        let over = |usage: u32, limits: [u32; 2]| limits.iter().any(|l| usage > *l);
        if over(self.usage_15min, [self.limit_15min, self.read_limit_15min])
            || over(self.usage_daily, [self.limit_daily, self.read_limit_daily])
        {
            return self.with_rate_headers(fault(
                429,
                "Rate Limit Exceeded",
                "Application",
                "rate limit",
                "exceeded",
            ));
        }
        if self.fail_next > 0 {
            self.fail_next -= 1;
            return self.with_rate_headers(
                ResponseTemplate::new(503).set_body_string("<html>Service Unavailable</html>"),
            );
        }
        let delay = if self.slow_next > 0 {
            self.slow_next -= 1;
            Some(self.slow_delay)
        } else {
            None
        };
        let token = header(request, "authorization")
            .and_then(|h| h.strip_prefix("Bearer ").map(str::to_string))
            .or_else(|| q.get("access_token").cloned());
        if let Some(after) = self.revoke_access_after {
            if self.api_requests > after {
                // Revoked mid-sync: every access token issued so far stops working.
                self.access_tokens.clear();
                self.revoke_access_after = None;
            }
        }
        if !token.is_some_and(|t| self.access_tokens.contains(&t)) {
            return self.with_rate_headers(fault(
                401,
                "Authorization Error",
                "Athlete",
                "access_token",
                "invalid",
            ));
        }
        let mut response = if is_list {
            self.list(&q)
        } else if let Some(id) = streams_of {
            self.streams_asked.push(id);
            if self.hang_streams_of == Some(id) {
                return ResponseTemplate::new(200)
                    .set_body_json(json!({}))
                    .set_delay(std::time::Duration::from_secs(120));
            }
            self.streams(id, &q)
        } else {
            fault(404, "Record Not Found", "Activity", "id", "invalid")
        };
        if let Some(d) = delay {
            response = response.set_delay(d);
        }
        self.with_rate_headers(response)
    }

    fn list(&mut self, q: &HashMap<String, String>) -> ResponseTemplate {
        let seconds = |name: &str| -> Result<Option<i64>, Box<ResponseTemplate>> {
            match q.get(name) {
                None => Ok(None),
                Some(v) => match v.parse::<i64>() {
                    // Milliseconds look like a date in the future.
                    Ok(n) if n > 10_000_000_000 => Err(Box::new(fault(
                        400,
                        "Bad Request",
                        "Application",
                        name,
                        "future",
                    ))),
                    Ok(n) => Ok(Some(n)),
                    Err(_) => Err(Box::new(fault(
                        400,
                        "Bad Request",
                        "Application",
                        name,
                        "invalid",
                    ))),
                },
            }
        };
        let (after, before) = match (seconds("after"), seconds("before")) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(e), _) | (_, Err(e)) => return *e,
        };
        self.afters
            .push(q.get("after").cloned().unwrap_or_default());
        let page: usize = q
            .get("page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1)
            .max(1);
        let per_page: usize = q
            .get("per_page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(30)
            .clamp(1, 200);
        let mut list: Vec<Value> = self
            .activities
            .iter()
            .filter(|a| after.is_none_or(|t| start(a).timestamp() > t))
            .filter(|a| before.is_none_or(|t| start(a).timestamp() < t))
            .cloned()
            .collect();
        // Newest first by default; oldest first with `after`.
        list.sort_by_key(start);
        if after.is_none() {
            list.reverse();
        }
        let size = self.page_cap.map_or(per_page, |cap| cap.min(per_page));
        let body: Vec<Value> = list
            .into_iter()
            .skip((page - 1) * size)
            .take(size)
            .collect();
        ResponseTemplate::new(200).set_body_json(Value::Array(body))
    }

    fn streams(&mut self, id: i64, q: &HashMap<String, String>) -> ResponseTemplate {
        if self.streams_503.contains(&id) {
            return ResponseTemplate::new(503).set_body_string("<html>Service Unavailable</html>");
        }
        if self.streams_404.contains(&id) {
            return ResponseTemplate::new(404)
                .set_body_json(json!({"message": "Resource Not Found", "errors": []}));
        }
        let Some(activity) = self
            .activities
            .iter()
            .find(|a| a["id"].as_i64() == Some(id))
        else {
            return fault(404, "Record Not Found", "Activity", "id", "invalid");
        };
        let keys: Vec<&str> = q
            .get("keys")
            .map(|k| k.split(',').collect())
            .unwrap_or_default();
        let distance = activity["distance"].as_f64().unwrap();
        let climb = activity["total_elevation_gain"].as_f64().unwrap();
        let (time, dist, alt, latlng) = loop_streams(distance, climb);
        let stream = |data: Value| json!({"data": data, "series_type": "distance", "original_size": time.len(), "resolution": "high"});
        let mut body = serde_json::Map::new();
        for key in keys {
            let data = match key {
                "time" => json!(time),
                "distance" => json!(dist),
                "altitude" if !self.no_altitude.contains(&id) => json!(alt),
                "latlng" => json!(latlng),
                _ => continue,
            };
            body.insert(key.to_string(), stream(data));
        }
        if q.get("key_by_type").map(String::as_str) == Some("true") {
            ResponseTemplate::new(200).set_body_json(Value::Object(body))
        } else {
            let list: Vec<Value> = body
                .into_iter()
                .map(|(k, mut v)| {
                    v["type"] = json!(k);
                    v
                })
                .collect();
            ResponseTemplate::new(200).set_body_json(Value::Array(list))
        }
    }

    fn intervals(&mut self, request: &Request, path: &str) -> ResponseTemplate {
        self.intervals_requests += 1;
        let expected = format!(
            "Basic {}",
            base64_encode(&format!("API_KEY:{INTERVALS_KEY}"))
        );
        if header(request, "authorization").as_deref() != Some(expected.as_str()) {
            return ResponseTemplate::new(403)
                .set_body_json(json!({"status": 403, "error": "Access denied"}));
        }
        if self.intervals_429_next > 0 {
            self.intervals_429_next -= 1;
            return ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_json(json!({"status": 429, "error": "Too Many Requests"}));
        }
        let q = query(request);
        let Some(oldest) = q.get("oldest").cloned() else {
            return ResponseTemplate::new(422)
                .set_body_json(json!({"status": 422, "error": "oldest is required"}));
        };
        let newest = q
            .get("newest")
            .cloned()
            .unwrap_or_else(|| "9999-12-31".into());
        if path.ends_with("/wellness") {
            let body: Vec<Value> = serde_json::from_str::<Vec<Value>>(include_str!(
                "../fixtures/intervals_api/wellness.json"
            ))
            .unwrap()
            .into_iter()
            .filter(|d| {
                let day = d["id"].as_str().unwrap();
                day >= oldest.as_str() && day <= newest.as_str()
            })
            .collect();
            return ResponseTemplate::new(200).set_body_json(Value::Array(body));
        }
        if !path.ends_with("/activities") {
            return ResponseTemplate::new(404).set_body_json(
                json!({"timestamp": "2026-09-28T14:46:12.535+00:00", "status": 404, "error": "Not Found", "path": path}),
            );
        }
        let mut list: Vec<Value> = self
            .intervals_activities
            .iter()
            .filter(|a| {
                let day = &a["start_date_local"].as_str().unwrap()[..10];
                day >= oldest.as_str() && day <= newest.as_str()
            })
            .cloned()
            .collect();
        // Descending order.
        list.sort_by(|a, b| {
            b["start_date_local"]
                .as_str()
                .cmp(&a["start_date_local"].as_str())
        });
        ResponseTemplate::new(200).set_body_json(Value::Array(list))
    }
}

/// A loop that climbs `climb` metres in its first half and descends them in the second, one
/// sample every 2 s at 3 m/s.
pub fn loop_streams(distance: f64, climb: f64) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<[f64; 2]>) {
    let n = ((distance / 6.0).ceil() as usize).max(2);
    let mut t = Vec::with_capacity(n + 1);
    let mut d = Vec::with_capacity(n + 1);
    let mut alt = Vec::with_capacity(n + 1);
    let mut ll = Vec::with_capacity(n + 1);
    for i in 0..=n {
        let f = i as f64 / n as f64;
        t.push((i * 2) as f64);
        d.push((f * distance * 10.0).round() / 10.0);
        let up = if f <= 0.5 { f * 2.0 } else { (1.0 - f) * 2.0 };
        alt.push(100.0 + (up * climb * 10.0).round() / 10.0);
        ll.push([47.0 + f * 0.01, 11.0 + f * 0.01]);
    }
    (t, d, alt, ll)
}

/// A SummaryActivity: a run `days_ago` days before 2026-11-22, at 06:30 UTC plus `id % 60`
/// minutes.
pub fn strava_run(id: i64, days_ago: i64, km: f64, climb: f64) -> Value {
    let start = Utc.with_ymd_and_hms(2026, 11, 22, 6, 30, 0).unwrap() - Duration::days(days_ago)
        + Duration::minutes(id % 60);
    json!({
        "resource_state": 2,
        "athlete": {"id": 9000001, "resource_state": 1},
        "name": format!("Run {id}"),
        "distance": km * 1000.0,
        "moving_time": (km * 330.0).round(),
        "elapsed_time": (km * 345.0).round(),
        "total_elevation_gain": climb,
        "type": "Run",
        "sport_type": "Run",
        "workout_type": null,
        "id": id,
        "start_date": start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "start_date_local": (start + Duration::hours(1)).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "timezone": "(GMT+01:00) Europe/Berlin",
        "utc_offset": 3600.0,
        "map": {"id": format!("a{id}"), "summary_polyline": "abc", "resource_state": 2},
        "trainer": false,
        "commute": false,
        "manual": false,
        "private": false,
        "visibility": "everyone",
        "start_latlng": [47.0, 11.0],
        "end_latlng": [47.0, 11.0],
        "has_heartrate": false,
        "upload_id": id + 1_000_000_000,
        "external_id": format!("{id}.fit")
    })
}
