//! `kneeguard config`: show the effective settings, the default config, or where files live;
//! write the commented default config file.

use super::{Context, GlobalArgs};
use crate::render::{self, OutputFormat};
use crate::settings::{self, DEFAULT_CONFIG};
use clap::{Args, Subcommand};
use serde::Serialize;
use std::io::Write;

/// Show the settings in effect, the commented default config, or where files live.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kneeguard config                          the settings in effect, as TOML
  kneeguard config init                     write the commented default config file
  kneeguard config defaults                 print it
  kneeguard config paths")]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub what: Option<ConfigWhat>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigWhat {
    /// Print the fully commented default config file
    Defaults,
    /// Print where the database and config file are
    Paths,
    /// Write the commented default config to the config file (creating its folder)
    Init {
        /// Replace a config file that exists
        #[arg(long)]
        force: bool,
    },
}

#[derive(Serialize)]
struct Paths {
    database: String,
    config: Option<String>,
    timezone: String,
    today: String,
}

pub fn run(
    args: &ConfigArgs,
    ctx: &Context,
    global: &GlobalArgs,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    match args.what {
        // `cli::run` answers these before it reads any config.
        Some(ConfigWhat::Defaults) => write!(out, "{DEFAULT_CONFIG}")?,
        Some(ConfigWhat::Init { force }) => init(global, force, &ctx.term, out)?,
        Some(ConfigWhat::Paths) => {
            let paths = Paths {
                database: ctx.settings.db_path.display().to_string(),
                config: global
                    .config
                    .clone()
                    .or_else(settings::default_config_path)
                    .map(|p| p.display().to_string()),
                timezone: ctx.settings.tz.to_string(),
                today: ctx.settings.today.to_string(),
            };
            match ctx.format {
                OutputFormat::Json => render::json(out, &paths)?,
                _ => {
                    writeln!(out, "database  {}", paths.database)?;
                    writeln!(
                        out,
                        "config    {}",
                        paths.config.as_deref().unwrap_or("(none)")
                    )?;
                    writeln!(out, "timezone  {}", paths.timezone)?;
                    writeln!(out, "today     {}", paths.today)?;
                }
            }
        }
        None => match ctx.format {
            OutputFormat::Json => render::json(out, &ctx.settings.config)?,
            _ => write!(out, "{}", toml::to_string_pretty(&ctx.settings.config)?)?,
        },
    }
    Ok(super::exit::OK)
}

/// Writes the commented default config to `--config` or the default path. It runs before any
/// config is read: the file it writes need not exist yet.
pub fn init(
    global: &GlobalArgs,
    force: bool,
    term: &crate::render::Terminal,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let path = global
        .config
        .clone()
        .or_else(settings::default_config_path)
        .ok_or_else(|| {
            anyhow::anyhow!("cannot find a config folder: give --config PATH for the file")
        })?;
    anyhow::ensure!(
        force || !path.exists(),
        "{} exists; kneeguard left it as it is: give --force to replace it with the defaults \
         (`kneeguard config defaults` prints them)",
        path.display()
    );
    if let Some(folder) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)
            .map_err(|e| anyhow::anyhow!("cannot create the folder {}: {e}", folder.display()))?;
    }
    std::fs::write(&path, DEFAULT_CONFIG)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    match global.format {
        OutputFormat::Json => render::json(
            out,
            &serde_json::json!({ "config": path.display().to_string() }),
        )?,
        _ => term.wrap(
            out,
            "",
            &format!(
                "Wrote the default config to {}; every setting is commented there.",
                path.display()
            ),
        )?,
    }
    Ok(())
}
