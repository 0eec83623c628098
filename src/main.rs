//! The `branchwatch` command line. `anyhow` lives here, at the edge; the
//! library returns typed errors. Exit codes: 0 = done (with results),
//! 1 = nothing found, 2 = error.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    restore_sigpipe();
    let args = cli::Cli::parse();
    match cli::dispatch(args) {
        Ok(cli::Outcome::Found) => ExitCode::from(0),
        Ok(cli::Outcome::Nothing) => ExitCode::from(1),
        Err(e) => {
            // `{:#}` prints the whole chain: "cannot open database: ...: permission denied".
            eprintln!("branchwatch: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Rust ignores SIGPIPE, so `branchwatch changes | head` would panic on the
/// first write after `head` exits. Restore the default, as every Unix filter
/// has it: the process ends quietly when its reader goes away.
#[cfg(unix)]
fn restore_sigpipe() {
    // SAFETY: called first thing in main, before any thread exists; setting a
    // signal's disposition to its default has no other effect on the process.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn restore_sigpipe() {}
