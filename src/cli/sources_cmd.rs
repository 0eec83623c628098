//! `branchwatch feeds test NAME` and `branchwatch feeds discover URL`: the
//! tools a user needs to add a site without a feed, or a Telegram channel.

use super::{Ctx, Outcome};
use anyhow::{anyhow, bail, Context, Result};
use branchwatch::article::ExtractOptions;
use branchwatch::config::{FeedConfig, FeedKind};
use branchwatch::feed::{self, discover, html_list, telegram};
use branchwatch::fetch::{FeedResponse, Fetcher};
use branchwatch::model::Validators;
use branchwatch::pipeline;
use chrono::{DateTime, FixedOffset, Utc};

fn local_now() -> DateTime<FixedOffset> {
    Utc::now().with_timezone(&ExtractOptions::default().local_offset)
}

/// Fetches a configured feed once (unconditionally) and prints what was
/// found; an error when the page does not fit its kind or selectors.
pub async fn test(ctx: &Ctx, name: &str) -> Result<Outcome> {
    let fc = ctx
        .config
        .feeds
        .iter()
        .find(|f| f.name == name)
        .ok_or_else(|| anyhow!("no feed named {name:?} in the configuration"))?;
    let fetcher = Fetcher::new(pipeline::fetch_options(&ctx.config))?;
    let none = Validators::default();
    let resp = match fc.kind {
        FeedKind::Feed => fetcher.fetch_feed(&fc.url, &none).await,
        _ => fetcher.fetch_listing(&fc.url, &none).await,
    }
    .with_context(|| format!("{name}: fetching {}", fc.url))?;
    let FeedResponse::Fetched {
        text, final_url, ..
    } = resp
    else {
        bail!("{name}: the server answered 304 to an unconditional request");
    };
    println!("{name}: {} ({:?})", fc.url, fc.kind);
    if final_url != fc.url {
        println!("  fetched from {final_url}");
    }
    let n = match fc.kind {
        FeedKind::Html => test_list(fc, &text, &final_url)?,
        FeedKind::Telegram => test_channel(fc, &text, &final_url)?,
        FeedKind::Feed => {
            let parsed = feed::parse_str(&text, &final_url).with_context(|| name.to_string())?;
            for i in &parsed.items {
                println!(
                    "  {}  {}\n      {}",
                    i.published
                        .map(|d| d.to_rfc3339())
                        .unwrap_or_else(|| "-".into()),
                    i.title.as_deref().unwrap_or("(no title)"),
                    i.link.as_deref().unwrap_or("(no link)")
                );
            }
            parsed.items.len()
        }
    };
    Ok(Outcome::from_count(n))
}

fn test_list(fc: &FeedConfig, text: &str, final_url: &str) -> Result<usize> {
    let sel = fc
        .select
        .as_ref()
        .ok_or_else(|| anyhow!("{}: kind = \"html\" needs [feeds.select]", fc.name))?;
    let page = html_list::parse_list(text, final_url, sel, local_now())
        .map_err(|e| anyhow!("{}: {e}", fc.name))?;
    let c = &page.counts;
    let of = |n: usize| format!("in {n} of {} items", c.items.min(html_list::MAX_ITEMS));
    for (field, s) in sel.named() {
        let found = match field {
            "item" => format!(
                "{} matched{}",
                c.items,
                if c.truncated {
                    " (only the first 200 are read)"
                } else {
                    ""
                }
            ),
            "link" => of(c.links),
            "title" => of(c.titles),
            "date" => format!("{} ({} not read as a date)", of(c.dates), c.dates_unparsed),
            "summary" => of(c.summaries),
            "next" => page
                .next_url
                .clone()
                .unwrap_or_else(|| "no next page".into()),
            _ => String::new(),
        };
        println!("  {field:<8} {s:<32} {found}");
    }
    if let Some(t) = &sel.page_url {
        println!(
            "  page_url {t:<32} page 2 = {}",
            html_list::template_page(sel, &fc.url, 2).unwrap_or_else(|| "(not a URL)".into())
        );
    }
    if c.skipped > 0 {
        println!(
            "  {} item(s) skipped: no http(s) link, or a link listed twice",
            c.skipped
        );
    }
    println!("{} item(s):", page.items.len());
    for (i, raw) in page.items.iter().zip(&page.raw_dates) {
        let date = match (i.published, raw) {
            (Some(d), Some(r)) => format!(
                "{} «{r}»",
                d.with_timezone(local_now().offset())
                    .format("%Y-%m-%d %H:%M")
            ),
            (None, Some(r)) => format!("? «{r}»"),
            _ => "-".into(),
        };
        println!(
            "  {date}  {}\n      {}",
            i.title.as_deref().unwrap_or("(no title)"),
            i.link.as_deref().unwrap_or_default()
        );
    }
    Ok(page.items.len())
}

fn test_channel(fc: &FeedConfig, text: &str, final_url: &str) -> Result<usize> {
    let channel = fc.channel.as_deref().unwrap_or_default();
    telegram::check_final_url(&fc.url, final_url).map_err(|e| anyhow!("{}: {e}", fc.name))?;
    let page = telegram::parse_channel(text, final_url, channel)
        .map_err(|e| anyhow!("{}: {e}", fc.name))?;
    if let Some(t) = &page.title {
        println!("  channel  {t}");
    }
    println!("{} post(s), oldest first:", page.posts.len());
    for p in &page.posts {
        let mut kind = Vec::new();
        if p.forwarded_from.is_some() {
            kind.push("forwarded");
        }
        if p.has_media {
            kind.push("media");
        }
        if p.text.is_empty() {
            kind.push("no text");
        }
        let read = match telegram::news_link(p) {
            Some(l) => format!("reads {l}"),
            None if p.text.is_empty() => "nothing to read".into(),
            None => "reads the post's text".into(),
        };
        println!(
            "  #{} {} [{}] {}\n      {}  ({read})",
            p.id,
            p.published
                .map(|d| d.to_rfc3339())
                .unwrap_or_else(|| "-".into()),
            kind.join(", "),
            p.text.lines().next().unwrap_or(""),
            p.url
        );
    }
    if let Some(id) = page.oldest_id() {
        println!(
            "  older posts: {}",
            telegram::before_url(&fc.url, id).unwrap_or_default()
        );
    }
    Ok(page.posts.len())
}

/// Looks for feeds on a site; otherwise proposes a `kind = "html"` entry.
pub async fn discover(ctx: &Ctx, url: &str) -> Result<Outcome> {
    let fetcher = Fetcher::new(pipeline::fetch_options(&ctx.config))?;
    let page = fetcher
        .fetch_page(url)
        .await
        .with_context(|| format!("fetching {url}"))?;
    let base = url::Url::parse(&page.final_url).with_context(|| page.final_url.clone())?;
    let mut candidates = discover::feed_links(&page.text, &page.final_url);
    let announced = candidates.len();
    for p in discover::COMMON_FEED_PATHS {
        if let Ok(u) = base.join(p) {
            if !candidates.contains(&u.to_string()) {
                candidates.push(u.to_string());
            }
        }
    }
    let mut feeds = 0;
    for (i, c) in candidates.iter().enumerate() {
        // Guessed paths are only worth a line when they are feeds.
        let Ok(FeedResponse::Fetched {
            text, final_url, ..
        }) = fetcher.fetch_feed(c, &Validators::default()).await
        else {
            if i < announced {
                println!("announced feed {c}: not reachable");
            }
            continue;
        };
        match feed::parse_str(&text, &final_url) {
            Ok(f) if !f.items.is_empty() => {
                feeds += 1;
                println!(
                    "feed: {final_url} ({} items{})",
                    f.items.len(),
                    f.title.map(|t| format!(", {t:?}")).unwrap_or_default()
                );
            }
            _ if i < announced => println!("announced feed {c}: not a readable feed"),
            _ => {}
        }
    }
    report_sitemaps(&fetcher, &base).await;
    if feeds > 0 {
        println!("\nAdd a feed above as a [[feeds]] entry (url = ...).");
        return Ok(Outcome::Found);
    }
    match discover::guess_list(&page.text, &page.final_url, local_now()) {
        Some(guess) => {
            let name = format!("{}-news", base.host_str().unwrap_or("site"));
            println!("\nNo feed found. A list-page entry guessed from the page; add it to the config, then check it with `branchwatch feeds test {name}`:\n");
            print!("{}", discover::toml_entry(&name, &page.final_url, &guess));
            Ok(Outcome::Found)
        }
        None => {
            println!("\nNo feed found, and no repeated news list recognised on {}; write a [feeds.select] by hand (see README) and try `branchwatch feeds test`.", page.final_url);
            Ok(Outcome::Nothing)
        }
    }
}

async fn report_sitemaps(fetcher: &Fetcher, base: &url::Url) {
    let mut maps: Vec<String> = Vec::new();
    if let Ok(robots) = base.join("/robots.txt") {
        if let Ok(r) = fetcher.fetch_page(robots.as_str()).await {
            maps.extend(discover::robots_sitemaps(&r.text));
        }
    }
    for p in discover::COMMON_SITEMAP_PATHS {
        if let Ok(u) = base.join(p) {
            if !maps.contains(&u.to_string()) {
                maps.push(u.to_string());
            }
        }
    }
    for m in maps {
        if let Ok(FeedResponse::Fetched { text, .. }) =
            fetcher.fetch_feed(&m, &Validators::default()).await
        {
            if let Some(n) = discover::sitemap_entries(&text) {
                println!("sitemap: {m} ({n} entries; not polled, but lists the site's pages)");
            }
        }
    }
}
