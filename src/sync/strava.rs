//! A thin Strava API v3 client: OAuth (authorization code, refresh with rotation, revoke), the
//! activity list and streams, rate limits, a 401 refresh-and-retry, and the loopback catcher
//! of the authorization redirect.

use super::http::{Http, Response};
use super::rate_limit::{self, RateLimits, Window};
use super::tokens::{self, StravaTokens};
use super::{Clock, SyncError};
use crate::settings::StravaConfig;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

const SERVICE: &str = "Strava";
/// At most this many waits for a rate-limit window in one sync (`--wait`).
const MAX_WAITS: u32 = 100;

/// The runner's own Strava API application.
#[derive(Debug, Clone)]
pub struct StravaApp {
    pub client_id: String,
    client_secret: String,
    pub oauth_url: String,
    pub api_url: String,
}

impl StravaApp {
    /// The application from the settings; both the id and the secret are needed.
    pub fn from_config(config: &StravaConfig) -> Result<StravaApp, SyncError> {
        let id = config.client_id.clone().filter(|s| !s.trim().is_empty());
        let secret = config
            .client_secret
            .clone()
            .filter(|s| !s.trim().is_empty());
        match (id, secret) {
            (Some(client_id), Some(client_secret)) => Ok(StravaApp {
                client_id,
                client_secret,
                oauth_url: config.oauth_url.trim_end_matches('/').to_string(),
                api_url: config.api_url.trim_end_matches('/').to_string(),
            }),
            _ => Err(SyncError::MissingClient),
        }
    }

    /// The page the runner opens to grant kneeguard access.
    pub fn authorize_url(&self, redirect_uri: &str, state: &str) -> String {
        let base = format!("{}/oauth/authorize", self.oauth_url);
        let query = [
            ("client_id", self.client_id.as_str()),
            ("redirect_uri", redirect_uri),
            ("response_type", "code"),
            ("approval_prompt", "auto"),
            ("scope", tokens::WANTED_SCOPES),
            ("state", state),
        ];
        match url::Url::parse_with_params(&base, query) {
            Ok(u) => u.to_string(),
            Err(_) => base,
        }
    }

    fn token_url(&self) -> String {
        format!("{}/oauth/token", self.oauth_url)
    }
}

/// What `/oauth/token` answers.
#[derive(Debug, Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    expires_at: i64,
    #[serde(default)]
    athlete: Option<Athlete>,
}

#[derive(Debug, Deserialize)]
struct Athlete {
    id: Option<i64>,
    #[serde(default)]
    firstname: Option<String>,
    #[serde(default)]
    lastname: Option<String>,
}

/// Turns a token endpoint's refusal into the error that names the way out.
fn token_error(r: &Response, what: &str) -> SyncError {
    if r.fault_names("RefreshToken", None) {
        SyncError::GrantRevoked
    } else if r.fault_names("AuthorizationCode", None) {
        SyncError::BadCode
    } else if r.fault_names("Application", None) {
        SyncError::BadClient(r.fault())
    } else {
        SyncError::Api {
            service: SERVICE,
            what: what.to_string(),
            status: r.status,
            message: r.fault(),
        }
    }
}

/// Exchanges an authorization code for tokens; `scope` is what the redirect said was granted.
pub async fn exchange_code(
    http: &mut Http,
    app: &StravaApp,
    code: &str,
    scope: Option<String>,
) -> Result<StravaTokens, SyncError> {
    let form = [
        ("client_id", app.client_id.as_str()),
        ("client_secret", app.client_secret.as_str()),
        ("code", code),
        ("grant_type", "authorization_code"),
    ];
    let url = app.token_url();
    let r = http
        .send(SERVICE, "the code exchange", |c| c.post(&url).form(&form))
        .await?;
    if r.status != 200 {
        return Err(token_error(&r, "the code exchange"));
    }
    let t: TokenResponse = decode(&r, "the code exchange")?;
    let athlete = t.athlete.as_ref();
    let name = athlete
        .map(|a| {
            [a.firstname.as_deref(), a.lastname.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|n| !n.trim().is_empty());
    Ok(StravaTokens {
        access_token: t.access_token,
        refresh_token: t.refresh_token.ok_or_else(|| SyncError::Decode {
            service: SERVICE,
            what: "the code exchange".into(),
            message: "no refresh_token".into(),
        })?,
        expires_at: t.expires_at,
        scope,
        athlete_id: athlete.and_then(|a| a.id),
        athlete_name: name,
    })
}

/// How a revocation went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revoked {
    /// `POST /oauth/revoke` accepted it.
    Revoked,
    /// The legacy `POST /oauth/deauthorize` accepted it.
    Deauthorized,
    /// Neither worked; the reason.
    Failed(String),
}

/// Revokes the grant on Strava: `POST /oauth/revoke` with HTTP Basic client credentials, else
/// the legacy `POST /oauth/deauthorize`. Never fails: the caller deletes the tokens anyway.
pub async fn revoke(http: &mut Http, app: &StravaApp, tokens: &StravaTokens) -> Revoked {
    let url = format!("{}/oauth/revoke", app.oauth_url);
    let form = [
        ("token", tokens.refresh_token.as_str()),
        ("token_type_hint", "refresh_token"),
    ];
    let first = http
        .send(SERVICE, "the revocation", |c| {
            c.post(&url)
                .basic_auth(&app.client_id, Some(&app.client_secret))
                .form(&form)
        })
        .await;
    let reason = match first {
        Ok(r) if (200..300).contains(&r.status) => return Revoked::Revoked,
        Ok(r) => format!("/oauth/revoke answered {} {}", r.status, r.fault()),
        Err(e) => e.to_string(),
    };
    let legacy = format!("{}/oauth/deauthorize", app.oauth_url);
    let form = [("access_token", tokens.access_token.as_str())];
    match http
        .send(SERVICE, "the deauthorization", |c| {
            c.post(&legacy).form(&form)
        })
        .await
    {
        Ok(r) if (200..300).contains(&r.status) => Revoked::Deauthorized,
        Ok(r) => Revoked::Failed(format!(
            "{reason}; /oauth/deauthorize answered {} {}",
            r.status,
            r.fault()
        )),
        Err(e) => Revoked::Failed(format!("{reason}; {e}")),
    }
}

/// Request counts of one client, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Activity-list requests (retries included).
    pub list: u32,
    /// Stream requests (retries included).
    pub streams: u32,
    /// Token refreshes that reached the token endpoint.
    pub token: u32,
}

/// The streams of one activity, all of the same length (missing ones empty).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Streams {
    pub time: Vec<f64>,
    pub distance: Vec<f64>,
    pub altitude: Vec<f64>,
    pub latlng: Vec<(f64, f64)>,
}

impl Streams {
    /// Reads the `key_by_type=true` object form, and the array form as well.
    pub fn from_json(value: &Value) -> Streams {
        let mut s = Streams::default();
        let mut take = |kind: &str, data: &Value| {
            let numbers = || {
                data.as_array()
                    .map(|a| a.iter().map(|v| v.as_f64().unwrap_or(f64::NAN)).collect())
                    .unwrap_or_default()
            };
            match kind {
                "time" => s.time = numbers(),
                "distance" => s.distance = numbers(),
                "altitude" => s.altitude = numbers(),
                "latlng" => {
                    s.latlng = data
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .map(|p| {
                                    (
                                        p[0].as_f64().unwrap_or(f64::NAN),
                                        p[1].as_f64().unwrap_or(f64::NAN),
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                }
                _ => {}
            }
        };
        match value {
            Value::Object(map) => {
                for (kind, stream) in map {
                    take(kind, &stream["data"]);
                }
            }
            Value::Array(list) => {
                for stream in list {
                    if let Some(kind) = stream["type"].as_str() {
                        take(kind, &stream["data"]);
                    }
                }
            }
            _ => {}
        }
        s
    }
}

/// An authorized client for one sync.
pub struct StravaClient {
    http: Http,
    app: StravaApp,
    token_path: PathBuf,
    tokens: StravaTokens,
    clock: Clock,
    reserve: u32,
    wait: bool,
    waits: u32,
    /// Refreshed in this sync already: a short-lived token is not refreshed before every
    /// request, only again after a 401.
    refreshed: bool,
    /// What the last API response said about the rate limits.
    pub limits: RateLimits,
    pub counts: Counts,
}

/// Which kind of request, for the counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    List,
    Streams,
}

impl StravaClient {
    /// A client with the tokens in `token_path`.
    pub fn new(
        http: Http,
        app: StravaApp,
        token_path: &Path,
        clock: Clock,
        reserve: u32,
        wait: bool,
    ) -> Result<StravaClient, SyncError> {
        let tokens = tokens::load(token_path)?.ok_or(SyncError::NotAuthorized)?;
        if !tokens.has_scope("activity:read") && !tokens.has_scope("activity:read_all") {
            return Err(SyncError::MissingScope("activity:read_all".into()));
        }
        Ok(StravaClient {
            http,
            app,
            token_path: token_path.to_path_buf(),
            tokens,
            clock,
            reserve,
            wait,
            waits: 0,
            refreshed: false,
            limits: RateLimits::default(),
            counts: Counts::default(),
        })
    }

    /// Every HTTP request sent to the API (token requests excluded), retries included.
    pub fn api_requests(&self) -> u32 {
        self.counts.list + self.counts.streams
    }

    /// Refreshes the tokens and writes them to disk before anything uses them.
    pub async fn refresh(&mut self) -> Result<(), SyncError> {
        let form = [
            ("client_id", self.app.client_id.clone()),
            ("client_secret", self.app.client_secret.clone()),
            ("grant_type", "refresh_token".to_string()),
            ("refresh_token", self.tokens.refresh_token.clone()),
        ];
        let url = self.app.token_url();
        let before = self.http.sent;
        let result = self
            .http
            .send(SERVICE, "the token refresh", |c| c.post(&url).form(&form))
            .await;
        self.counts.token += self.http.sent - before;
        let r = result?;
        if r.status != 200 {
            return Err(token_error(&r, "the token refresh"));
        }
        let t: TokenResponse = decode(&r, "the token refresh")?;
        let fresh = StravaTokens {
            access_token: t.access_token,
            // "may or may not be the same": keep the old one when none comes back
            refresh_token: t
                .refresh_token
                .unwrap_or_else(|| self.tokens.refresh_token.clone()),
            expires_at: t.expires_at,
            ..self.tokens.clone()
        };
        // The old refresh token may be dead already: the new one goes to disk first.
        tokens::save(&self.token_path, &fresh)?;
        self.tokens = fresh;
        self.refreshed = true;
        Ok(())
    }

    /// The activities that started after `after` (epoch seconds), one page, oldest first.
    pub async fn list_page(
        &mut self,
        after: i64,
        page: u32,
        per_page: u32,
    ) -> Result<Vec<Value>, SyncError> {
        let query = [
            ("after", after.to_string()),
            ("page", page.to_string()),
            ("per_page", per_page.clamp(1, 200).to_string()),
        ];
        let what = format!("the activity list (page {page})");
        let value = self
            .get("/athlete/activities", &query, Kind::List, &what)
            .await?
            .unwrap_or(Value::Array(Vec::new()));
        match value {
            Value::Array(list) => Ok(list),
            _ => Err(SyncError::Decode {
                service: SERVICE,
                what,
                message: "not a JSON array".into(),
            }),
        }
    }

    /// The altitude, distance, time and position streams of an activity; `None` when Strava
    /// has none (404, as for manual activities).
    pub async fn streams(&mut self, id: i64) -> Result<Option<Streams>, SyncError> {
        let query = [
            ("keys", "altitude,distance,time,latlng".to_string()),
            ("key_by_type", "true".to_string()),
        ];
        let path = format!("/activities/{id}/streams");
        let what = format!("the streams of activity {id}");
        Ok(self
            .get(&path, &query, Kind::Streams, &what)
            .await?
            .map(|v| Streams::from_json(&v)))
    }

    /// A GET with the bearer token: refreshes ahead of expiry, stops (or waits) at the rate
    /// limit, refreshes once on a 401 and retries once; a 404 is `None`.
    async fn get(
        &mut self,
        path: &str,
        query: &[(&str, String)],
        kind: Kind,
        what: &str,
    ) -> Result<Option<Value>, SyncError> {
        let url = format!("{}{path}", self.app.api_url);
        let mut refreshed_after_401 = false;
        // Bounded: one 401 retry plus the rate-limit waits.
        for _ in 0..(MAX_WAITS + 3) {
            if !self.refreshed && self.tokens.needs_refresh(self.clock.now()) {
                self.refresh().await?;
            }
            if let Some(window) = self.limits.exhausted(self.reserve) {
                self.hold(window).await?;
                continue;
            }
            let token = self.tokens.access_token.clone();
            let before = self.http.sent;
            let result = self
                .http
                .send(SERVICE, what, |c| {
                    c.get(&url).query(query).bearer_auth(&token)
                })
                .await;
            let sent = self.http.sent - before;
            match kind {
                Kind::List => self.counts.list += sent,
                Kind::Streams => self.counts.streams += sent,
            }
            let r = result?;
            let limits =
                RateLimits::from_headers(r.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
            if limits.is_known() {
                self.limits = limits;
            }
            match r.status {
                200..=299 => return decode(&r, what).map(Some),
                404 => return Ok(None),
                401 if r.fault_names("AccessToken", None) => {
                    return Err(SyncError::MissingScope("activity:read_all".to_string()))
                }
                401 if !refreshed_after_401 => {
                    refreshed_after_401 = true;
                    self.refresh().await?;
                }
                401 => return Err(SyncError::Unauthorized(r.fault())),
                429 => {
                    let window = self.limits.window_of_refusal();
                    self.hold(window).await?;
                }
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
            resume_after: rate_limit::resets_at(Window::QuarterHour, self.clock.now()),
            daily: false,
        })
    }

    /// At a rate limit: sleeps to the window's reset with `--wait`, else stops the sync.
    pub(super) async fn hold(&mut self, window: Window) -> Result<(), SyncError> {
        let now = self.clock.now();
        let resume_after = rate_limit::resets_at(window, now);
        if !self.wait || self.waits >= MAX_WAITS {
            return Err(SyncError::RateLimited {
                resume_after,
                daily: window == Window::Daily,
            });
        }
        self.waits += 1;
        let pause = (resume_after - now).to_std().unwrap_or_default() + Duration::from_secs(2);
        tokio::time::sleep(pause).await;
        self.limits = RateLimits::default();
        Ok(())
    }
}

// What the backfill needs to spend the rate budget.
impl StravaClient {
    /// The window with fewer than `keep` requests left beyond the reserve, by the last
    /// response's headers; `None` while more fit (or nothing is known yet).
    pub fn spent(&self, keep: u32) -> Option<Window> {
        self.limits.exhausted(self.reserve.saturating_add(keep))
    }

    /// Whether a rate limit is slept through (`--wait`) or ends the requests.
    pub fn set_wait(&mut self, wait: bool) {
        self.wait = wait;
    }
}

fn decode<T: serde::de::DeserializeOwned>(r: &Response, what: &str) -> Result<T, SyncError> {
    serde_json::from_str(&r.body).map_err(|e| SyncError::Decode {
        service: SERVICE,
        what: what.to_string(),
        message: e.to_string(),
    })
}

/// What the redirect to the loopback address carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    pub code: String,
    /// The scopes granted (`None` when the redirect did not say).
    pub scope: Option<String>,
}

/// Reads a code pasted by hand: the bare code, or the whole address the browser was sent to
/// (which also tells the granted scopes).
pub fn parse_pasted_code(text: &str) -> Result<Redirect, SyncError> {
    let text = text.trim();
    if text.contains("code=") || text.contains("error=") {
        let query = text.split_once('?').map_or(text, |(_, q)| q);
        return redirect_from_query(query, None);
    }
    if text.is_empty() || text.contains(char::is_whitespace) {
        return Err(SyncError::BadCode);
    }
    Ok(Redirect {
        code: text.to_string(),
        scope: None,
    })
}

/// Reads `state`, `code`, `scope` and `error` from the redirect's query string.
pub fn redirect_from_query(query: &str, state: Option<&str>) -> Result<Redirect, SyncError> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    // The state comes first: a request without the right one is not Strava's answer, whatever
    // else it says.
    if let Some(expected) = state {
        if get("state").as_deref() != Some(expected) {
            return Err(SyncError::StateMismatch);
        }
    }
    if let Some(error) = get("error") {
        return Err(SyncError::Denied(error));
    }
    let code = get("code")
        .filter(|c| !c.is_empty())
        .ok_or(SyncError::BadCode)?;
    Ok(Redirect {
        code,
        scope: get("scope"),
    })
}

/// Waits for the browser's redirect on `listener` (bound to 127.0.0.1) and answers it with a
/// short page. Only a request with the right `state` ends the wait; others (a favicon, another
/// local program's request) get a 404 or a 400; at most 50 connections, until `timeout`.
pub async fn catch_redirect(
    listener: tokio::net::TcpListener,
    state: &str,
    timeout: Duration,
) -> Result<Redirect, SyncError> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let wait = async {
        for _ in 0..50 {
            let (mut socket, _) = listener
                .accept()
                .await
                .map_err(|e| SyncError::Client(format!("the loopback listener failed: {e}")))?;
            let mut buf = Vec::with_capacity(2048);
            let mut chunk = [0u8; 2048];
            // Read the request head (bounded).
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
                match tokio::time::timeout(Duration::from_secs(10), socket.read(&mut chunk)).await {
                    Ok(Ok(n)) if n > 0 => buf.extend_from_slice(&chunk[..n]),
                    _ => break,
                }
            }
            let head = String::from_utf8_lossy(&buf);
            let target = head
                .lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .unwrap_or("/")
                .to_string();
            let query = target.split_once('?').map(|(_, q)| q);
            let result = query
                .filter(|q| q.contains("code=") || q.contains("error="))
                .map(|q| redirect_from_query(q, Some(state)));
            let (status, page) = match &result {
                Some(Err(SyncError::StateMismatch)) => (
                    "400 Bad Request",
                    "This is not the answer kneeguard is waiting for.",
                ),
                Some(Ok(_)) => (
                    "200 OK",
                    "kneeguard is connected to Strava. You can close this tab.",
                ),
                Some(Err(_)) => (
                    "400 Bad Request",
                    "kneeguard was not connected; see the terminal.",
                ),
                None => ("404 Not Found", "Not found."),
            };
            let response = format!(
                "HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{page}",
                page.len()
            );
            let _ = socket.write_all(response.as_bytes()).await;
            let _ = socket.shutdown().await;
            match result {
                Some(Err(SyncError::StateMismatch)) | None => {}
                Some(result) => return result,
            }
        }
        Err(SyncError::AuthTimeout)
    };
    tokio::time::timeout(timeout, wait)
        .await
        .unwrap_or(Err(SyncError::AuthTimeout))
}

/// Whether the granted scopes allow reading activities, and whether Only-Me ones are included.
pub fn scope_check(scope: Option<&str>) -> (bool, bool) {
    let Some(scope) = scope else {
        return (true, true);
    };
    let has = |s: &str| scope.split(',').any(|g| g.trim() == s);
    let all = has("activity:read_all");
    (all || has("activity:read"), all)
}

/// The instant an access token expires, for display.
pub fn expiry(tokens: &StravaTokens) -> Option<DateTime<Utc>> {
    DateTime::<Utc>::from_timestamp(tokens.expires_at, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_read_both_forms() {
        let keyed: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/strava_api/streams_key_by_type.json"
        ))
        .unwrap();
        let s = Streams::from_json(&keyed);
        assert_eq!(s.altitude.len(), 6);
        assert_eq!(s.latlng[1], (52.52003, 13.40502));
        assert_eq!(s.time[5], 5.0);
        let array: Value = serde_json::json!([
            {"type": "distance", "data": [0.0, 3.1, 6.4]},
            {"type": "altitude", "data": [31.2, 31.4, 31.8]}
        ]);
        let s = Streams::from_json(&array);
        assert_eq!(s.distance, vec![0.0, 3.1, 6.4]);
        assert_eq!(s.altitude.len(), 3);
        assert!(s.time.is_empty());
    }

    #[test]
    fn redirects_and_pasted_codes() {
        let r = redirect_from_query("state=s1&code=abc&scope=read,activity:read_all", Some("s1"))
            .unwrap();
        assert_eq!(r.code, "abc");
        assert_eq!(r.scope.as_deref(), Some("read,activity:read_all"));
        assert!(matches!(
            redirect_from_query("state=zz&code=abc", Some("s1")),
            Err(SyncError::StateMismatch)
        ));
        assert!(matches!(
            redirect_from_query("state=forged&error=access_denied", Some("s1")),
            Err(SyncError::StateMismatch)
        ));
        assert!(matches!(
            redirect_from_query("state=s1&error=access_denied", Some("s1")),
            Err(SyncError::Denied(_))
        ));
        let pasted =
            parse_pasted_code("http://127.0.0.1:5000/?state=x&code=c0de&scope=read").unwrap();
        assert_eq!(pasted.code, "c0de");
        assert_eq!(pasted.scope.as_deref(), Some("read"));
        assert_eq!(parse_pasted_code(" c0de \n").unwrap().scope, None);
        assert_eq!(scope_check(Some("read")), (false, false));
        assert_eq!(scope_check(Some("read,activity:read")), (true, false));
        assert_eq!(scope_check(Some("read,activity:read_all")), (true, true));
    }

    #[test]
    fn the_authorize_url_asks_for_the_needed_scopes() {
        let app = StravaApp {
            client_id: "42".into(),
            client_secret: "s".into(),
            oauth_url: "https://www.strava.com".into(),
            api_url: String::new(),
        };
        let u = app.authorize_url("http://127.0.0.1:5000/", "st");
        assert!(
            u.starts_with("https://www.strava.com/oauth/authorize?client_id=42"),
            "{u}"
        );
        assert!(u.contains("scope=read%2Cactivity%3Aread_all"), "{u}");
        assert!(
            u.contains("state=st") && u.contains("response_type=code"),
            "{u}"
        );
        assert!(!u.contains("client_secret"));
    }

    #[test]
    fn only_the_right_state_ends_the_login() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
                .await
                .unwrap();
            let port = listener.local_addr().unwrap().port();
            let catcher = tokio::spawn(catch_redirect(listener, "s1", Duration::from_secs(20)));
            let get = |target: &'static str| async move {
                let mut socket = tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .unwrap();
                let request = format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                socket.write_all(request.as_bytes()).await.unwrap();
                let mut answer = String::new();
                socket.read_to_string(&mut answer).await.unwrap();
                answer
            };
            // Another local program's requests: no state, a wrong one, a forged denial.
            assert!(get("/?error=access_denied")
                .await
                .starts_with("HTTP/1.1 400"));
            assert!(get("/?state=nope&code=stolen")
                .await
                .starts_with("HTTP/1.1 400"));
            assert!(get("/favicon.ico").await.starts_with("HTTP/1.1 404"));
            assert!(!catcher.is_finished());
            assert!(get("/?state=s1&code=good&scope=read")
                .await
                .starts_with("HTTP/1.1 200"));
            let redirect = catcher.await.unwrap().unwrap();
            assert_eq!(redirect.code, "good");
        });
    }
}
