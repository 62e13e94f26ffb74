//! `kneeguard man`: manual pages (roff) generated from the command definition by clap_mangen:
//! kneeguard(1) and a kneeguard-COMMAND(1) page for each command.

use super::Cli;
use clap::{Args, CommandFactory};
use std::io::Write;
use std::path::PathBuf;

/// Print a manual page (roff), or write them all to a folder.
///
/// `kneeguard man | man -l -` reads the main page now; `kneeguard man import` the page of one
/// command. The README says where to install them.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kneeguard man | man -l -
  kneeguard man pain | man -l -
  kneeguard man --out-dir ~/.local/share/man/man1")]
pub struct ManArgs {
    /// The command whose page to print [default: the main page]
    #[arg(value_name = "COMMAND", conflicts_with = "out_dir")]
    pub command: Option<String>,
    /// Write kneeguard.1 and every kneeguard-COMMAND.1 into this folder (it must exist)
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

pub fn run(args: &ManArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let mut cmd = Cli::command();
    cmd.build();
    if let Some(dir) = &args.out_dir {
        anyhow::ensure!(
            dir.is_dir(),
            "--out-dir {}: no such folder; create it first (e.g. mkdir -p {})",
            dir.display(),
            dir.display()
        );
        let mut written = Vec::new();
        for (file, page) in pages(&cmd)? {
            let path = dir.join(file);
            std::fs::write(&path, page)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            written.push(path);
        }
        writeln!(
            out,
            "Wrote {} manual pages to {}.",
            written.len(),
            dir.display()
        )?;
        return Ok(super::exit::OK);
    }
    let page = match &args.command {
        None => page(cmd.clone())?,
        Some(name) => {
            let sub = cmd.find_subcommand(name).cloned().ok_or_else(|| {
                let names: Vec<&str> = cmd.get_subcommands().map(|s| s.get_name()).collect();
                anyhow::anyhow!("no command {name:?}: give one of {}", names.join(", "))
            })?;
            page(sub_page(sub))?
        }
    };
    out.write_all(&page)?;
    Ok(super::exit::OK)
}

/// Every page as (file name, roff).
fn pages(cmd: &clap::Command) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut pages = vec![("kneeguard.1".to_string(), page(cmd.clone())?)];
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let file = format!("kneeguard-{}.1", sub.get_name());
        pages.push((file, page(sub_page(sub.clone()))?));
    }
    Ok(pages)
}

/// A command's page is named `kneeguard-NAME`, its synopsis `kneeguard NAME`.
fn sub_page(sub: clap::Command) -> clap::Command {
    let name = sub.get_name().to_string();
    sub.name(format!("kneeguard-{name}"))
        .bin_name(format!("kneeguard {name}"))
        .version(env!("KNEEGUARD_VERSION"))
}

fn page(cmd: clap::Command) -> anyhow::Result<Vec<u8>> {
    let mut buffer = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut buffer)?;
    Ok(buffer)
}
