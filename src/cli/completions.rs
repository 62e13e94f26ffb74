//! `kneeguard completions SHELL`: the shell completion script, generated from the command
//! definition by clap_complete.

use super::Cli;
use clap::{Args, CommandFactory};
use clap_complete::Shell;
use std::io::Write;

/// Print the completion script for a shell.
///
/// Install it where the shell looks for completions; the README lists the usual places.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kneeguard completions bash > ~/.local/share/bash-completion/completions/kneeguard
  kneeguard completions zsh > ~/.zfunc/_kneeguard
  kneeguard completions fish > ~/.config/fish/completions/kneeguard.fish")]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: &CompletionsArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let mut cmd = Cli::command();
    let mut buffer = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "kneeguard", &mut buffer);
    out.write_all(&buffer)?;
    Ok(super::exit::OK)
}
