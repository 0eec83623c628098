//! `branchwatch feeds ...`: the feed list kept in the database.
//!
//! Feeds from the configuration file are synchronised into the database at
//! every start and reload; feeds added here live in the database only, so
//! they survive restarts but not a `feeds remove`.

use super::query_cmd::open_read;
use super::{Ctx, FormatArg, Outcome};
use anyhow::{bail, Context, Result};
use branchwatch::feed::opml;
use branchwatch::model::{FeedSpec, Lang};
use branchwatch::query::{self, Format};
use branchwatch::store::Store;
use chrono::Utc;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum FeedsCommand {
    /// Every feed with its status, last success, last error and next check.
    List {
        #[command(flatten)]
        format: FormatArg,
    },
    /// Add a feed.
    Add {
        url: String,
        #[arg(long)]
        name: Option<String>,
        /// kk, ru or en
        #[arg(long)]
        lang: Option<Lang>,
    },
    /// Remove a feed by name or URL (its items and changes stay).
    Remove { name_or_url: String },
    /// Add the feeds of an OPML file.
    Import { file: PathBuf },
    /// Print the feed list as OPML 2.0.
    Export,
    /// Fetch a configured feed, list page or channel once and print what
    /// was found: each selector's matches and every item with its date.
    /// Fails with the reason when a selector matches nothing.
    Test { name: String },
    /// Look for a site's feeds (announced, common paths, sitemaps); without
    /// one, propose a `kind = "html"` entry with guessed selectors.
    Discover { url: String },
}

fn open_write(ctx: &Ctx) -> Result<Store> {
    if let Some(dir) = ctx.database.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut store = Store::open(&ctx.database)
        .with_context(|| format!("cannot open {}", ctx.database.display()))?;
    store.sync_feeds(&ctx.config.feed_specs(), Utc::now())?;
    Ok(store)
}

pub fn run(ctx: &Ctx, cmd: &FeedsCommand) -> Result<Outcome> {
    match cmd {
        FeedsCommand::Test { name } => {
            super::quiet_logging();
            super::runtime()?.block_on(super::sources_cmd::test(ctx, name))
        }
        FeedsCommand::Discover { url } => {
            super::quiet_logging();
            super::runtime()?.block_on(super::sources_cmd::discover(ctx, url))
        }
        FeedsCommand::List { format } => {
            let fmt: Format = format.format.parse()?;
            let store = open_read(ctx)?;
            let feeds = store.feeds()?;
            print!("{}", query::render_feeds(&feeds, fmt));
            Ok(Outcome::from_count(feeds.len()))
        }
        FeedsCommand::Add { url, name, lang } => {
            let parsed = url::Url::parse(url).with_context(|| format!("{url:?} is not a URL"))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                bail!("{url:?}: only http and https feeds are supported");
            }
            let name = name
                .clone()
                .unwrap_or_else(|| parsed.host_str().unwrap_or(url).to_string());
            let mut store = open_write(ctx)?;
            let spec = FeedSpec {
                name: name.clone(),
                url: url.clone(),
                lang: *lang,
                poll_interval_secs: None,
            };
            let id = store.add_feed(&spec, Utc::now())?;
            println!("added feed #{id} {name} ({url})");
            Ok(Outcome::Found)
        }
        FeedsCommand::Remove { name_or_url } => {
            let mut store = open_write(ctx)?;
            if store.remove_feed(name_or_url)? {
                println!("removed {name_or_url}");
                if ctx
                    .config
                    .feeds
                    .iter()
                    .any(|f| &f.name == name_or_url || &f.url == name_or_url)
                {
                    eprintln!("note: it is still in the configuration file and returns at the next start; remove it there too");
                }
                Ok(Outcome::Found)
            } else {
                eprintln!("no feed named {name_or_url:?}");
                Ok(Outcome::Nothing)
            }
        }
        FeedsCommand::Import { file } => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let specs = opml::parse(&text)
                .with_context(|| format!("{} is not valid OPML", file.display()))?;
            let mut store = open_write(ctx)?;
            let known: Vec<String> = store.feeds()?.into_iter().map(|f| f.url).collect();
            let mut added = 0;
            for s in &specs {
                if known.contains(&s.url) {
                    continue;
                }
                store.add_feed(s, Utc::now())?;
                added += 1;
            }
            println!(
                "imported {added} feed(s) ({} already present)",
                specs.len() - added
            );
            Ok(Outcome::from_count(specs.len()))
        }
        FeedsCommand::Export => {
            let specs: Vec<FeedSpec> = match open_read(ctx) {
                Ok(store) => store
                    .feeds()?
                    .into_iter()
                    .filter(|f| f.enabled)
                    .map(|f| FeedSpec {
                        name: f.name,
                        url: f.url,
                        lang: f.lang,
                        poll_interval_secs: f.poll_interval_secs,
                    })
                    .collect(),
                // No database yet: the configured feeds are the list.
                Err(_) => ctx.config.feed_specs(),
            };
            print!("{}", opml::write(&specs));
            Ok(Outcome::from_count(specs.len()))
        }
    }
}
