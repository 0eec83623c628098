//! The `branchwatch` command line. `anyhow` lives here, at the edge; the
//! library returns typed errors. Exit codes: 0 = done (with results),
//! 1 = nothing found, 2 = error.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
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
