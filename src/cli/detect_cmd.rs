//! `detect`, `extract` and `ingest`: running single stages by hand, to see
//! what the pipeline sees and to tune the language tables and site rules.

use super::{progress, Ctx, Outcome};
use anyhow::{bail, Context, Result};
use branchwatch::article::{self, ExtractOptions};
use branchwatch::corpus;
use branchwatch::db::Db;
use branchwatch::detect;
use branchwatch::metrics::Metrics;
use branchwatch::model::{DetectInput, Lang};
use branchwatch::pipeline::{self, Pipeline};
use clap::Args;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Args)]
pub struct DetectArgs {
    /// A plain-text article (first line = title), or - for stdin.
    file: Option<PathBuf>,
    /// Run over a labelled corpus directory (JSON documents) instead, writing
    /// one JSON line per document, as ../shared/corpus/score.py reads.
    #[arg(long, conflicts_with = "file")]
    corpus: Option<PathBuf>,
    /// Where --corpus writes its JSON lines (default: stdout).
    #[arg(long, requires = "corpus")]
    out: Option<PathBuf>,
    /// Show mentions found, the rule behind each change and why candidates were rejected.
    #[arg(long)]
    explain: bool,
    /// kk, ru or en (default: decided from the text).
    #[arg(long)]
    lang: Option<Lang>,
    /// Publication date (YYYY-MM-DD), for «кеше», «вчера», "yesterday".
    #[arg(long)]
    published: Option<chrono::NaiveDate>,
    /// json (one object with the changes) or table.
    #[arg(long, default_value = "json", value_parser = ["json", "table"])]
    format: String,
}

#[derive(Args)]
pub struct ExtractArgs {
    /// URL or HTML file.
    target: Option<String>,
    /// Run over an extraction benchmark directory (html/*.html.gz).
    #[arg(long, conflicts_with = "target")]
    benchmark: Option<PathBuf>,
    /// Predictions file for --benchmark.
    #[arg(long, requires = "benchmark")]
    out: Option<PathBuf>,
    /// Print the article as JSON.
    #[arg(long)]
    json: bool,
}

/// `{"changes": [...]}`, serialised from the typed changes so that f32
/// confidences print as written (a `json!` value would widen them to f64).
#[derive(serde::Serialize)]
struct Changes<'a> {
    changes: &'a [branchwatch::model::DetectedChange],
}

pub fn detect(ctx: &Ctx, a: &DetectArgs) -> Result<Outcome> {
    let tables = pipeline::load_tables(&ctx.config)?;
    if let Some(dir) = &a.corpus {
        let docs = corpus::load_corpus(dir)
            .with_context(|| format!("cannot read corpus {}", dir.display()))?;
        let mut out: Box<dyn Write> = match &a.out {
            Some(p) => Box::new(std::io::BufWriter::new(
                std::fs::File::create(p)
                    .with_context(|| format!("cannot create {}", p.display()))?,
            )),
            None => Box::new(std::io::stdout().lock()),
        };
        corpus::predict_jsonl(&docs, &tables, &mut out)?;
        out.flush()?;
        if let Some(p) = &a.out {
            eprintln!("{} documents → {}", docs.len(), p.display());
        }
        return Ok(Outcome::from_count(docs.len()));
    }
    let text = match a.file.as_deref() {
        None => bail!("give a FILE (or - for stdin), or --corpus DIR"),
        Some(p) if p == Path::new("-") => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .context("cannot read stdin")?;
            s
        }
        Some(p) => {
            std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?
        }
    };
    let (title, body) = text.split_once('\n').unwrap_or((text.as_str(), ""));
    let input = DetectInput {
        title,
        text: body,
        lang: a.lang,
        published: a.published,
    };
    if a.explain {
        let ex = detect::explain(&input, &tables);
        if a.format == "json" {
            println!("{}", serde_json::to_string_pretty(&ex)?);
        } else {
            println!("{ex}");
        }
        let n = detect::detect(&input, &tables).len();
        return Ok(Outcome::from_count(n));
    }
    let changes = detect::detect(&input, &tables);
    if a.format == "json" {
        println!(
            "{}",
            serde_json::to_string_pretty(&Changes { changes: &changes })?
        );
    } else {
        for c in &changes {
            println!(
                "{:<28} {:<20} {:<10} {:<10} {:<6} {:<9} {:.2}",
                c.person,
                c.role.as_str(),
                c.event.as_str(),
                c.party,
                c.region,
                c.level.as_str(),
                c.confidence
            );
        }
    }
    Ok(Outcome::from_count(changes.len()))
}

pub async fn extract(ctx: &Ctx, a: &ExtractArgs) -> Result<Outcome> {
    if let Some(dir) = &a.benchmark {
        let out = a
            .out
            .clone()
            .unwrap_or_else(|| PathBuf::from("predictions.json"));
        let report = tokio::task::spawn_blocking({
            let dir = dir.clone();
            let out = out.clone();
            move || article::run_benchmark(&dir, &out)
        })
        .await??;
        println!("{}", report);
        return Ok(Outcome::Found);
    }
    let Some(target) = &a.target else {
        bail!("give a URL or an HTML file, or --benchmark DIR")
    };
    let rules = pipeline::site_rules(&ctx.config);
    let article = if target.starts_with("http://") || target.starts_with("https://") {
        let db = Db::open(Path::new(":memory:"))?;
        let p = Pipeline::new(
            Arc::new(ctx.config.clone()),
            db,
            Arc::new(Metrics::default()),
        )?;
        p.fetch_article(target).await?
    } else {
        let bytes = std::fs::read(target).with_context(|| format!("cannot read {target}"))?;
        let decoded = branchwatch::text::decode(&bytes, None);
        let url = format!("file://{}", std::fs::canonicalize(target)?.display());
        article::extract(&decoded.text, &url, &rules, &ExtractOptions::default())?
    };
    if a.json {
        println!("{}", serde_json::to_string_pretty(&article)?);
    } else {
        println!("url:        {}", article.url);
        println!(
            "canonical:  {}",
            article.canonical_url.as_deref().unwrap_or("-")
        );
        println!("title:      {}", article.title.as_deref().unwrap_or("-"));
        println!(
            "published:  {}",
            article
                .published
                .map(|d| d.to_rfc3339())
                .unwrap_or_else(|| "-".into())
        );
        println!(
            "language:   {}",
            article.lang.map(|l| l.as_str()).unwrap_or("-")
        );
        println!("outlet:     {}", article.outlet.as_deref().unwrap_or("-"));
        println!("\n{}", article.text);
    }
    Ok(Outcome::from_count(usize::from(
        !article.text.trim().is_empty(),
    )))
}

pub async fn ingest(ctx: &Ctx, urls: &[String], file: Option<&Path>) -> Result<Outcome> {
    let mut all: Vec<String> = urls.to_vec();
    if let Some(f) = file {
        let text =
            std::fs::read_to_string(f).with_context(|| format!("cannot read {}", f.display()))?;
        all.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(String::from),
        );
    }
    if all.is_empty() {
        bail!("give article URLs or --file URLS.txt");
    }
    let db = Db::open(&ctx.database)?;
    let p = Pipeline::new(
        Arc::new(ctx.config.clone()),
        db,
        Arc::new(Metrics::default()),
    )?;
    let bar = progress(all.len() as u64, "ingesting");
    let (mut new, mut merged, mut errors) = (0usize, 0usize, 0usize);
    for url in &all {
        match p.ingest_url(url).await {
            Ok((_, s)) => {
                new += s.changes_new.len();
                merged += s.changes_merged.len();
                bar.println(format!(
                    "{url}: {} new change(s), {} merged into known ones",
                    s.changes_new.len(),
                    s.changes_merged.len()
                ));
            }
            Err(e) => {
                errors += 1;
                bar.println(format!("{url}: error: {e:#}"));
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    println!(
        "{} article(s): {new} new change(s), {merged} merged, {errors} error(s)",
        all.len()
    );
    if errors == all.len() {
        bail!("no article could be ingested");
    }
    Ok(Outcome::from_count(new + merged))
}
