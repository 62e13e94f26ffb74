//! `kneeguard auth`: connect to Strava, show the connection, disconnect.

use super::{exit, Context};
use crate::render::{self, OutputFormat};
use crate::settings::Config;
use crate::sync::http::Http;
use crate::sync::strava::{self, Revoked, StravaApp};
use crate::sync::tokens;
use anyhow::Context as _;
use clap::{Args, Subcommand};
use serde::Serialize;
use std::hash::{BuildHasher, Hasher};
use std::io::Write;
use std::time::Duration;

/// Connect kneeguard to Strava, show the connection, or disconnect.
///
/// kneeguard reads Strava through your own API application: create one at
/// https://www.strava.com/settings/api (any name and website; Authorization Callback Domain:
/// 127.0.0.1), then give its Client ID and Client Secret in KNEEGUARD_STRAVA_CLIENT_ID and
/// KNEEGUARD_STRAVA_CLIENT_SECRET (or `[strava]` in the config). The secret is never taken on
/// the command line and never printed. The tokens are kept in a file only you can read.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kneeguard auth strava                  open the printed address, allow access
  kneeguard auth strava --code 'http://127.0.0.1:8765/?state=...&code=...&scope=...'
                                         on a machine without a browser: paste where Strava sent you
  kneeguard auth status
  kneeguard auth logout                  revoke on Strava and delete the tokens")]
pub struct AuthArgs {
    #[command(subcommand)]
    pub what: AuthWhat,
}

#[derive(Debug, Subcommand)]
pub enum AuthWhat {
    /// Authorize kneeguard on Strava (read, activity:read_all) and store the tokens
    Strava(StravaArgs),
    /// Show whether kneeguard is connected, as whom and with which scopes
    Status,
    /// Revoke the Strava authorization and delete the token file
    Logout,
}

#[derive(Debug, Args)]
pub struct StravaArgs {
    /// The code from Strava's redirect, or the whole address the browser was sent to (which
    /// also tells the scopes you granted); skips the loopback listener
    #[arg(long, value_name = "CODE_OR_URL")]
    pub code: Option<String>,
    /// The loopback port to listen on [default: [strava] redirect_port, 0 = any free port]
    #[arg(long)]
    pub port: Option<u16>,
}

#[derive(Serialize)]
struct Status {
    connected: bool,
    token_file: String,
    athlete_id: Option<i64>,
    athlete: Option<String>,
    scope: Option<String>,
    expires_at: Option<String>,
    client_configured: bool,
}

pub fn run(args: &AuthArgs, ctx: &Context, out: &mut dyn Write) -> anyhow::Result<u8> {
    let config = &ctx.settings.config;
    let token_path = config
        .strava_token_path()
        .context("cannot find a data directory for the Strava tokens: set [strava] token_file")?;
    match &args.what {
        AuthWhat::Strava(a) => authorize(a, ctx, &token_path, out),
        AuthWhat::Status => status(ctx, &token_path, out),
        AuthWhat::Logout => logout(config, &token_path, out),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the network runtime")
}

fn http(config: &Config) -> anyhow::Result<Http> {
    Ok(Http::new(
        config.sync.timeout(),
        config.sync.tries,
        Duration::from_millis(config.sync.retry_delay_ms),
    )?)
}

/// An unguessable `state` for the authorization request: the standard library's randomly
/// keyed hasher (seeded from the operating system), over the entry point's clock reading and
/// the process id.
fn random_state(wall_clock: chrono::DateTime<chrono::Utc>) -> String {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_i64(wall_clock.timestamp_nanos_opt().unwrap_or_default());
    hasher.write_u32(std::process::id());
    let a = hasher.finish();
    let b = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    format!("{a:016x}{b:016x}")
}

fn authorize(
    args: &StravaArgs,
    ctx: &Context,
    token_path: &std::path::Path,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let config = &ctx.settings.config;
    let app = StravaApp::from_config(&config.strava)?;
    let mut http = http(config)?;
    let rt = runtime()?;
    let redirect = match &args.code {
        Some(code) => strava::parse_pasted_code(code)?,
        None => rt.block_on(async {
            let port = args.port.unwrap_or(config.strava.redirect_port);
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                .await
                .with_context(|| {
                    format!("cannot listen on 127.0.0.1:{port}: choose another with --port")
                })?;
            let port = listener.local_addr()?.port();
            let redirect_uri = format!("http://127.0.0.1:{port}/");
            let state = random_state(ctx.settings.wall_clock);
            writeln!(out, "Open this address in a browser and allow access:\n")?;
            writeln!(out, "  {}\n", app.authorize_url(&redirect_uri, &state))?;
            writeln!(
                out,
                "Waiting for Strava to send the browser back to {redirect_uri} ... \
                 (no browser here? open the address elsewhere and run \
                 `kneeguard auth strava --code '<the address you were sent to>'`)"
            )?;
            out.flush()?;
            let timeout = Duration::from_secs(config.strava.auth_timeout_s.max(1));
            Ok::<_, anyhow::Error>(strava::catch_redirect(listener, &state, timeout).await?)
        })?,
    };
    let (can_read, read_all) = strava::scope_check(redirect.scope.as_deref());
    if !can_read {
        anyhow::bail!(
            "Strava granted only \"{}\": kneeguard needs activity:read_all to see your runs. Run \
             `kneeguard auth strava` again and leave \"View data about your activities\" ticked",
            redirect.scope.as_deref().unwrap_or_default()
        );
    }
    let tokens = rt.block_on(strava::exchange_code(
        &mut http,
        &app,
        &redirect.code,
        redirect.scope.clone(),
    ))?;
    tokens::save(token_path, &tokens)?;
    let who = tokens
        .athlete_name
        .clone()
        .or(tokens.athlete_id.map(|id| format!("athlete {id}")))
        .unwrap_or_else(|| "your account".into());
    writeln!(out, "Connected to Strava as {who}.")?;
    match redirect.scope.as_deref() {
        Some(scope) => writeln!(out, "Granted scopes: {scope}")?,
        None => writeln!(
            out,
            "Granted scopes: unknown (paste the whole redirect address to --code to record them)"
        )?,
    }
    if !read_all {
        writeln!(
            out,
            "Note: activity:read_all was refused, so activities visible only to you are not \
             synced. Run `kneeguard auth strava` again to allow it."
        )?;
    }
    writeln!(
        out,
        "Tokens saved in {} (readable only by you).",
        token_path.display()
    )?;
    writeln!(out, "Next: `kneeguard sync`.")?;
    Ok(exit::OK)
}

fn status(ctx: &Context, token_path: &std::path::Path, out: &mut dyn Write) -> anyhow::Result<u8> {
    let config = &ctx.settings.config;
    let tokens = tokens::load(token_path)?;
    let status = Status {
        connected: tokens.is_some(),
        token_file: token_path.display().to_string(),
        athlete_id: tokens.as_ref().and_then(|t| t.athlete_id),
        athlete: tokens.as_ref().and_then(|t| t.athlete_name.clone()),
        scope: tokens.as_ref().and_then(|t| t.scope.clone()),
        expires_at: tokens
            .as_ref()
            .and_then(strava::expiry)
            .map(|t| t.to_rfc3339()),
        client_configured: StravaApp::from_config(&config.strava).is_ok(),
    };
    if ctx.format == OutputFormat::Json {
        render::json(out, &status)?;
        return Ok(exit::OK);
    }
    match &tokens {
        None => writeln!(
            out,
            "Not connected to Strava (no token file at {}): run `kneeguard auth strava`.",
            status.token_file
        )?,
        Some(t) => {
            let who = t
                .athlete_name
                .clone()
                .or(t.athlete_id.map(|id| format!("athlete {id}")))
                .unwrap_or_else(|| "an unknown athlete".into());
            writeln!(out, "Connected to Strava as {who}.")?;
            writeln!(out, "Scopes: {}", t.scope.as_deref().unwrap_or("unknown"))?;
            let left = t.expires_at - ctx.settings.wall_clock.timestamp();
            if left > 0 {
                writeln!(
                    out,
                    "Access token valid for {} more minutes (it is refreshed automatically).",
                    left / 60
                )?;
            } else {
                writeln!(out, "Access token expired; the next sync refreshes it.")?;
            }
            writeln!(out, "Token file: {}", status.token_file)?;
        }
    }
    if !status.client_configured {
        writeln!(
            out,
            "The Strava client id and secret are not set: see `kneeguard auth --help`."
        )?;
    }
    Ok(exit::OK)
}

fn logout(
    config: &Config,
    token_path: &std::path::Path,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let Some(tokens) = tokens::load(token_path).ok().flatten() else {
        // A damaged file is deleted as well.
        let removed = tokens::remove(token_path)?;
        writeln!(
            out,
            "{}",
            if removed {
                "Deleted the token file."
            } else {
                "Not connected to Strava; nothing to do."
            }
        )?;
        return Ok(exit::OK);
    };
    let outcome = match StravaApp::from_config(&config.strava) {
        Ok(app) => {
            let mut http = http(config)?;
            runtime()?.block_on(strava::revoke(&mut http, &app, &tokens))
        }
        Err(e) => Revoked::Failed(e.to_string()),
    };
    tokens::remove(token_path)?;
    match outcome {
        Revoked::Revoked | Revoked::Deauthorized => writeln!(
            out,
            "Revoked kneeguard's access on Strava and deleted the tokens."
        )?,
        Revoked::Failed(reason) => writeln!(
            out,
            "Deleted the tokens, but could not revoke the access on Strava ({reason}); revoke it \
             at https://www.strava.com/settings/apps"
        )?,
    }
    Ok(exit::OK)
}
