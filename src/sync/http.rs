//! One HTTP request with a timeout, retried with backoff after a server error (5xx), a
//! timeout or a failed connection; every attempt is counted.

use super::SyncError;
use std::time::Duration;

/// A response read in full.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    /// The value of a header, its name compared ignoring case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `message` and the `errors` of a Strava Fault (or the `error` of an intervals.icu
    /// error), as one line; the raw body when it is neither.
    pub fn fault(&self) -> String {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&self.body) else {
            return super::truncate_body(&self.body);
        };
        let message = value["message"]
            .as_str()
            .or(value["error"].as_str())
            .unwrap_or("")
            .to_string();
        let details: Vec<String> = value["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| {
                        format!(
                            "{} {} {}",
                            e["resource"].as_str().unwrap_or(""),
                            e["field"].as_str().unwrap_or(""),
                            e["code"].as_str().unwrap_or("")
                        )
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                    })
                    .collect()
            })
            .unwrap_or_default();
        if details.is_empty() {
            message
        } else {
            format!("{message} ({})", details.join("; "))
        }
    }

    /// Whether a Strava Fault names this resource (and field, when given).
    pub fn fault_names(&self, resource: &str, field: Option<&str>) -> bool {
        serde_json::from_str::<serde_json::Value>(&self.body)
            .ok()
            .and_then(|v| v["errors"].as_array().cloned())
            .unwrap_or_default()
            .iter()
            .any(|e| {
                e["resource"].as_str() == Some(resource)
                    && field.is_none_or(|f| e["field"].as_str() == Some(f))
            })
    }
}

/// The HTTP client shared by the Strava and intervals.icu clients.
pub struct Http {
    client: reqwest::Client,
    tries: u32,
    retry_delay: Duration,
    /// Every request sent, retries included.
    pub sent: u32,
}

impl Http {
    pub fn new(timeout: Duration, tries: u32, retry_delay: Duration) -> Result<Http, SyncError> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("kneeguard/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SyncError::Client(e.to_string()))?;
        Ok(Http {
            client,
            tries: tries.max(1),
            retry_delay,
            sent: 0,
        })
    }

    /// Sends the request `build` makes, retrying server errors, timeouts and failed
    /// connections; `what` names it in errors.
    pub async fn send(
        &mut self,
        service: &'static str,
        what: &str,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<Response, SyncError> {
        let mut delay = self.retry_delay;
        let mut last = String::new();
        for attempt in 1..=self.tries {
            if attempt > 1 {
                tokio::time::sleep(delay).await;
                delay = delay.saturating_mul(2);
            }
            self.sent += 1;
            match self.attempt(build(&self.client)).await {
                Ok(r) if r.status >= 500 => {
                    last = format!("HTTP {} {}", r.status, r.fault());
                }
                Ok(r) => return Ok(r),
                Err(e) if e.is_timeout() => last = "no answer in time (timed out)".to_string(),
                Err(e) if e.is_connect() || e.is_request() || e.is_body() => {
                    last = format!("connection failed: {}", error_chain(&e));
                }
                Err(e) => {
                    return Err(SyncError::Network {
                        service,
                        what: what.to_string(),
                        message: error_chain(&e),
                    })
                }
            }
        }
        Err(SyncError::Unavailable {
            service,
            what: what.to_string(),
            tries: self.tries,
            last,
        })
    }

    async fn attempt(&self, request: reqwest::RequestBuilder) -> Result<Response, reqwest::Error> {
        let response = request.send().await?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response.text().await?;
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
