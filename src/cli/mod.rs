//! Command-line interface: argument definitions and one function per command.
//!
//! Output that scripts read (tables, JSON, CSV) goes to stdout; logs and
//! progress go to stderr, and progress bars only when stderr is a terminal.

mod backfill_cmd;
mod bench_cmd;
mod demo;
mod detect_cmd;
mod feeds_cmd;
mod import_cmd;
mod query_cmd;
mod sources_cmd;

use anyhow::{Context, Result};
use branchwatch::config::{self, Config};
use branchwatch::logging;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Whether a command found something (exit 0) or nothing (exit 1).
pub enum Outcome {
    Found,
    Nothing,
}

impl Outcome {
    pub fn from_count(n: usize) -> Outcome {
        if n > 0 {
            Outcome::Found
        } else {
            Outcome::Nothing
        }
    }
}

const ABOUT: &str = "Watches Kazakh news feeds and records who leads which branch of which party.";

const LONG_ABOUT: &str = "\
branchwatch polls news feeds (RSS, Atom, JSON Feed), reads the linked articles,
detects changes in the leadership of regional, city and district party branches
(chairs, deputy chairs, executive secretaries; elected, appointed, re-elected,
dismissed, resigned) in Kazakh, Russian and English, keeps a change log in
SQLite, and mails digests.

Start here:
  branchwatch demo                      run the whole pipeline on bundled sample news
  branchwatch check-config FILE         validate a configuration
  branchwatch run --config FILE         the service (see systemd/branchwatch.service)
  branchwatch changes --region Жетісу   what changed, filtered
  branchwatch roster --party AMANAT     who leads each branch now

Configuration: --config, else $BRANCHWATCH_CONFIG, else
$CONFIGURATION_DIRECTORY/branchwatch.toml, else the built-in default (the
commented example config/branchwatch.toml).

Exit codes: 0 done (something found), 1 nothing found, 2 error.";

#[derive(Parser)]
#[command(name = "branchwatch", version, about = ABOUT, long_about = LONG_ABOUT)]
pub struct Cli {
    /// Configuration file (TOML).
    #[arg(long, short, global = true, env = "BRANCHWATCH_CONFIG")]
    pub config: Option<PathBuf>,
    /// Use this SQLite file instead of the configured one.
    #[arg(long, global = true)]
    pub database: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the service: poll feeds, detect changes, send digests, serve the API.
    ///
    /// Stops cleanly on SIGTERM/SIGINT; SIGHUP reloads the configuration file.
    Run {
        /// Run one polling cycle (and digest pass), then exit.
        #[arg(long)]
        once: bool,
    },
    /// Run the whole pipeline on bundled sample news served from 127.0.0.1.
    ///
    /// Starts a local HTTP server with sample feeds and articles in Kazakh,
    /// Russian and English, polls it with the real pipeline into a SQLite file,
    /// writes the digest as an .eml file, and prints the detected changes.
    /// Running it again adds nothing.
    Demo {
        /// Where to put the database and the outbox.
        #[arg(long, default_value = "branchwatch-demo")]
        dir: PathBuf,
        #[arg(long, default_value = "table")]
        format: String,
        /// Then serve the web view (and API) on 127.0.0.1 until Ctrl-C.
        #[arg(long)]
        serve: bool,
    },
    /// Validate a configuration file and print every problem found.
    CheckConfig {
        /// The file (default: the one `run` would use).
        path: Option<PathBuf>,
        #[arg(long, default_value = "text", value_parser = ["text", "json"])]
        format: String,
    },
    /// List stored changes, newest first.
    Changes(query_cmd::ChangesArgs),
    /// Show one change with every source, its evidence and review history.
    Show {
        id: i64,
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// Current holder of every branch post, derived from the change log;
    /// `roster import FILE.csv` adds posts an analyst already knows.
    Roster(query_cmd::RosterArgs),
    /// Confirm or reject a detected change.
    Review(query_cmd::ReviewArgs),
    /// Correct a field of a change; the old value is kept in the audit trail.
    Edit(query_cmd::EditArgs),
    /// Manage feeds: list, add, remove, import/export OPML, test, discover.
    Feeds {
        #[command(subcommand)]
        command: feeds_cmd::FeedsCommand,
    },
    /// Detect leadership changes in a plain-text article, or in a corpus.
    Detect(detect_cmd::DetectArgs),
    /// Extract an article's text and metadata from a URL or an HTML file.
    Extract(detect_cmd::ExtractArgs),
    /// Run articles through fetch → extract → detect → store (backfill).
    Ingest {
        /// Article URLs.
        urls: Vec<String>,
        /// A file with one URL per line.
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Read a site's archive (sitemaps, paged feeds) into the change log.
    ///
    /// `backfill --site HOST [--since DATE] [--until DATE]` runs a new job in
    /// the foreground; `backfill list|pause|resume|cancel` manage stored jobs.
    Backfill(backfill_cmd::BackfillArgs),
    /// Digests: preview the next one, or send now.
    Digest {
        #[command(subcommand)]
        command: query_cmd::DigestCommand,
    },
    /// Send a test message to check the SMTP settings.
    TestEmail { address: String },
    /// Serve the read-only HTTP API alone (without polling).
    Serve {
        /// Override api.bind.
        #[arg(long)]
        bind: Option<String>,
    },
    /// Summary of the service's state from the database.
    Status {
        #[arg(long, default_value = "text", value_parser = ["text", "json"])]
        format: String,
    },
    /// Benchmarks (see BENCHMARKS.md and scripts/bench.sh).
    #[command(hide = true)]
    Bench {
        #[command(subcommand)]
        command: bench_cmd::BenchCommand,
    },
}

/// Common options of commands that read the database.
#[derive(Args, Clone)]
pub struct FormatArg {
    /// table, json or csv
    #[arg(long, default_value = "table")]
    pub format: String,
}

pub struct Ctx {
    pub config: Config,
    pub config_path: Option<PathBuf>,
    pub database: PathBuf,
}

fn load(cli: &Cli) -> Result<Ctx> {
    let loaded = config::locate_and_load(cli.config.as_deref())?;
    let database = cli
        .database
        .clone()
        .unwrap_or_else(|| loaded.config.storage.database_path());
    Ok(Ctx {
        config: loaded.config,
        config_path: loaded.path,
        database,
    })
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Logging for one-shot commands: warnings only unless RUST_LOG says more.
fn quiet_logging() {
    let _ = logging::init(&config::Logging {
        level: "warn".into(),
        format: config::LogFormat::Auto,
    });
}

pub fn dispatch(cli: Cli) -> Result<Outcome> {
    match &cli.command {
        Command::Run { once } => {
            let mut ctx = load(&cli)?;
            ctx.config.storage.database = ctx.database.clone();
            let log = logging::init(&ctx.config.logging)?;
            let opts = branchwatch::daemon::DaemonOptions {
                config_path: ctx.config_path.clone(),
                log: Some(log),
                once: *once,
            };
            runtime()?.block_on(branchwatch::daemon::run(ctx.config, opts))?;
            Ok(Outcome::Found)
        }
        Command::Demo { dir, format, serve } => {
            quiet_logging();
            runtime()?.block_on(async {
                let outcome = demo::run(dir, format).await?;
                if *serve {
                    demo::serve(dir).await?;
                }
                Ok(outcome)
            })
        }
        Command::CheckConfig { path, format } => check_config(&cli, path.as_deref(), format),
        Command::Changes(a) => {
            let ctx = load(&cli)?;
            query_cmd::changes(&ctx, a)
        }
        Command::Show { id, format } => {
            let ctx = load(&cli)?;
            query_cmd::show(&ctx, *id, format)
        }
        Command::Roster(a) => {
            let ctx = load(&cli)?;
            match &a.command {
                Some(import_cmd::RosterCommand::Import { file }) => import_cmd::import(&ctx, file),
                None => query_cmd::roster(&ctx, a),
            }
        }
        Command::Review(a) => {
            let ctx = load(&cli)?;
            query_cmd::review(&ctx, a)
        }
        Command::Edit(a) => {
            let ctx = load(&cli)?;
            query_cmd::edit(&ctx, a)
        }
        Command::Feeds { command } => {
            let ctx = load(&cli)?;
            feeds_cmd::run(&ctx, command)
        }
        Command::Detect(a) => {
            let ctx = load(&cli)?;
            detect_cmd::detect(&ctx, a)
        }
        Command::Extract(a) => {
            quiet_logging();
            let ctx = load(&cli)?;
            runtime()?.block_on(detect_cmd::extract(&ctx, a))
        }
        Command::Ingest { urls, file } => {
            quiet_logging();
            let ctx = load(&cli)?;
            runtime()?.block_on(detect_cmd::ingest(&ctx, urls, file.as_deref()))
        }
        Command::Backfill(a) => {
            let ctx = load(&cli)?;
            backfill_cmd::run(&ctx, a)
        }
        Command::Digest { command } => {
            quiet_logging();
            let ctx = load(&cli)?;
            runtime()?.block_on(query_cmd::digest(&ctx, command))
        }
        Command::TestEmail { address } => {
            quiet_logging();
            let ctx = load(&cli)?;
            runtime()?.block_on(query_cmd::test_email(&ctx, address))
        }
        Command::Serve { bind } => {
            let ctx = load(&cli)?;
            logging::init(&ctx.config.logging)?;
            runtime()?.block_on(query_cmd::serve(&ctx, bind.as_deref()))
        }
        Command::Status { format } => {
            let ctx = load(&cli)?;
            query_cmd::status(&ctx, format)
        }
        Command::Bench { command } => bench_cmd::run(command),
    }
}

fn check_config(cli: &Cli, path: Option<&std::path::Path>, format: &str) -> Result<Outcome> {
    let explicit = path.or(cli.config.as_deref());
    let result = config::locate_and_load(explicit);
    let origin = explicit
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "configuration".into());
    match result {
        Ok(loaded) => {
            let where_ = loaded
                .path
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "built-in default configuration".into());
            if format == "json" {
                println!(
                    "{}",
                    serde_json::json!({"ok": true, "path": where_, "problems": []})
                );
            } else {
                println!(
                    "{where_}: OK ({} feeds, {} digests)",
                    loaded.config.feeds.len(),
                    loaded.config.digests.len()
                );
            }
            Ok(Outcome::Found)
        }
        Err(config::ConfigError::Invalid { origin, problems }) => {
            if format == "json" {
                let list: Vec<_> = problems
                    .iter()
                    .map(
                        |p| serde_json::json!({"key": p.key, "line": p.line, "message": p.message}),
                    )
                    .collect();
                println!(
                    "{}",
                    serde_json::json!({"ok": false, "path": origin, "problems": list})
                );
            } else {
                println!("{origin}: {} problem(s)", problems.len());
                for p in &problems {
                    println!("  {p}");
                }
            }
            anyhow::bail!("{origin} is not valid ({} problem(s))", problems.len())
        }
        Err(e) => Err(anyhow::Error::new(e).context(format!("cannot check {origin}"))),
    }
}

/// A progress bar on stderr when it is a terminal, hidden otherwise (pipes, journald).
pub fn progress(len: u64, what: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() || logging::under_journald() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {eta}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_string());
    bar
}
