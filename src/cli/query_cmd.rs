//! Commands that read or annotate the change log, and the digest commands.

use super::{Ctx, FormatArg, Outcome};
use anyhow::{bail, Context, Result};
use branchwatch::db::Db;
use branchwatch::detect::Tables;
use branchwatch::digest::{self, Templates};
use branchwatch::mail::{self, Mailer};
use branchwatch::model::ReviewStatus;
use branchwatch::pipeline;
use branchwatch::query::{self, ChangeFilter, FilterParams, Format, Resolvers, RosterFilter};
use branchwatch::store::Store;
use chrono::Utc;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Args)]
pub struct ChangesArgs {
    /// Party id or name (AMANAT, "Ак Жол", Nur Otan ...).
    #[arg(long)]
    party: Option<String>,
    /// ISO code (KZ-33) or a region name in Kazakh, Russian or English.
    #[arg(long)]
    region: Option<String>,
    /// region, city or district
    #[arg(long)]
    level: Option<String>,
    /// chair, first_deputy_chair, deputy_chair, executive_secretary, first_secretary
    #[arg(long)]
    role: Option<String>,
    /// elected, appointed, re_elected, dismissed, resigned
    #[arg(long)]
    event: Option<String>,
    /// Part of a name, in any script.
    #[arg(long)]
    person: Option<String>,
    /// YYYY-MM-DD, inclusive (event date, else first seen).
    #[arg(long)]
    since: Option<String>,
    /// YYYY-MM-DD, inclusive.
    #[arg(long)]
    until: Option<String>,
    /// new, confirmed or rejected
    #[arg(long)]
    status: Option<String>,
    #[arg(long)]
    limit: Option<String>,
    #[command(flatten)]
    format: FormatArg,
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct RosterArgs {
    #[command(subcommand)]
    pub command: Option<super::import_cmd::RosterCommand>,
    #[arg(long)]
    party: Option<String>,
    #[arg(long)]
    region: Option<String>,
    #[arg(long)]
    level: Option<String>,
    #[command(flatten)]
    format: FormatArg,
}

#[derive(Args)]
#[command(group(clap::ArgGroup::new("decision").required(true).args(["confirm", "reject"])))]
pub struct ReviewArgs {
    id: i64,
    #[arg(long)]
    confirm: bool,
    #[arg(long)]
    reject: bool,
    #[arg(long)]
    note: Option<String>,
}

#[derive(Args)]
pub struct EditArgs {
    id: i64,
    #[arg(long)]
    person: Option<String>,
    #[arg(long)]
    role: Option<String>,
    #[arg(long)]
    party: Option<String>,
    #[arg(long)]
    level: Option<String>,
    /// ISO code or name.
    #[arg(long)]
    region: Option<String>,
    #[arg(long)]
    district: Option<String>,
    #[arg(long)]
    event: Option<String>,
    #[arg(long)]
    acting: Option<bool>,
    #[arg(long)]
    previous_role: Option<String>,
    /// YYYY-MM-DD
    #[arg(long)]
    date: Option<String>,
    /// Why the edit was made (kept in the audit trail).
    #[arg(long)]
    note: Option<String>,
}

#[derive(Subcommand)]
pub enum DigestCommand {
    /// Render the next digest without sending or marking anything.
    Preview {
        /// Digest name (default: the first configured).
        name: Option<String>,
        /// Write the HTML part to this file (the text part goes to stdout).
        #[arg(long)]
        html: Option<PathBuf>,
    },
    /// Send the digest now (queued messages are retried at once).
    Send { name: Option<String> },
}

pub fn open_read(ctx: &Ctx) -> Result<Store> {
    if !ctx.database.exists() {
        bail!(
            "no database at {} (run `branchwatch run` or `branchwatch demo` first, or pass --database)",
            ctx.database.display()
        );
    }
    Store::open_read_only(&ctx.database)
        .with_context(|| format!("cannot open {}", ctx.database.display()))
}

fn open_write(ctx: &Ctx) -> Result<Store> {
    if !ctx.database.exists() {
        bail!("no database at {}", ctx.database.display());
    }
    Store::open(&ctx.database).with_context(|| format!("cannot open {}", ctx.database.display()))
}

/// Name → code lookups backed by the language tables.
pub fn resolvers(ctx: &Ctx) -> Result<Resolvers> {
    let tables: Arc<Tables> = Arc::new(pipeline::load_tables(&ctx.config)?);
    Ok(pipeline::resolvers(tables))
}

fn format(s: &str) -> Result<Format> {
    Ok(s.parse::<Format>()?)
}

pub fn changes(ctx: &Ctx, a: &ChangesArgs) -> Result<Outcome> {
    let fmt = format(&a.format.format)?;
    let params = FilterParams {
        party: a.party.clone(),
        region: a.region.clone(),
        level: a.level.clone(),
        role: a.role.clone(),
        event: a.event.clone(),
        person: a.person.clone(),
        since: a.since.clone(),
        until: a.until.clone(),
        status: a.status.clone(),
        limit: a.limit.clone(),
        offset: None,
    };
    let filter = ChangeFilter::parse(&params, &resolvers(ctx)?)?;
    let store = open_read(ctx)?;
    let list = store.changes(&filter)?;
    print!("{}", query::render_changes(&list, fmt));
    Ok(Outcome::from_count(list.len()))
}

pub fn show(ctx: &Ctx, id: i64, fmt: &str) -> Result<Outcome> {
    let fmt = format(fmt)?;
    let store = open_read(ctx)?;
    let Some(d) = store.change(id)? else {
        eprintln!("no change with id {id}");
        return Ok(Outcome::Nothing);
    };
    print!("{}", query::render_change_detail(&d, fmt));
    Ok(Outcome::Found)
}

pub fn roster(ctx: &Ctx, a: &RosterArgs) -> Result<Outcome> {
    let fmt = format(&a.format.format)?;
    let filter = RosterFilter::parse(
        a.party.as_deref(),
        a.region.as_deref(),
        a.level.as_deref(),
        &resolvers(ctx)?,
    )?;
    let store = open_read(ctx)?;
    let list = store.roster(&filter)?;
    print!("{}", query::render_roster(&list, fmt));
    Ok(Outcome::from_count(list.len()))
}

pub fn review(ctx: &Ctx, a: &ReviewArgs) -> Result<Outcome> {
    let status = if a.confirm {
        ReviewStatus::Confirmed
    } else {
        ReviewStatus::Rejected
    };
    let mut store = open_write(ctx)?;
    store.review(a.id, status, a.note.as_deref(), Utc::now())?;
    println!("change #{} is now {status}", a.id);
    Ok(Outcome::Found)
}

pub fn edit(ctx: &Ctx, a: &EditArgs) -> Result<Outcome> {
    let mut fields: Vec<(&str, String)> = Vec::new();
    let region = match &a.region {
        Some(r) if query::is_region_code(r) => Some(r.to_ascii_uppercase()),
        Some(r) => {
            let res = resolvers(ctx)?;
            Some((res.region)(r).with_context(|| format!("unknown region {r:?}"))?)
        }
        None => None,
    };
    for (name, v) in [
        ("person", a.person.clone()),
        ("role", a.role.clone()),
        ("party", a.party.clone()),
        ("level", a.level.clone()),
        ("region", region),
        ("district", a.district.clone()),
        ("event", a.event.clone()),
        ("acting", a.acting.map(|b| b.to_string())),
        ("previous_role", a.previous_role.clone()),
        ("date", a.date.clone()),
    ] {
        if let Some(v) = v {
            fields.push((name, v));
        }
    }
    if fields.is_empty() {
        bail!("nothing to edit: give at least one field, e.g. --region KZ-19");
    }
    let mut store = open_write(ctx)?;
    for (field, value) in &fields {
        store.edit(a.id, field, value, a.note.as_deref(), Utc::now())?;
        println!("change #{}: {field} = {value}", a.id);
    }
    Ok(Outcome::Found)
}

pub fn status(ctx: &Ctx, fmt: &str) -> Result<Outcome> {
    let store = open_read(ctx)?;
    let s = store.status_summary(Utc::now())?;
    if fmt == "json" {
        print!("{}", query::render_status_json(&s));
        return Ok(Outcome::Found);
    }
    print!("{}", query::render_status(&s, &ctx.database));
    Ok(Outcome::Found)
}

fn pick_digest<'a>(ctx: &'a Ctx, name: Option<&str>) -> Result<&'a digest::DigestSpec> {
    match name {
        Some(n) => ctx
            .config
            .digests
            .iter()
            .find(|d| d.name == n)
            .with_context(|| format!("no digest named {n:?} in the configuration")),
        None => ctx
            .config
            .digests
            .first()
            .context("the configuration has no [[digests]]"),
    }
}

fn templates(_ctx: &Ctx) -> Templates {
    Templates::embedded()
}

pub async fn digest(ctx: &Ctx, cmd: &DigestCommand) -> Result<Outcome> {
    match cmd {
        DigestCommand::Preview { name, html } => {
            let spec = pick_digest(ctx, name.as_deref())?;
            let store = open_read(ctx)?;
            let r = digest::preview(&store, spec, &templates(ctx), Utc::now())?;
            println!("Subject: {}\n\n{}", r.subject, r.text);
            if let Some(path) = html {
                std::fs::write(path, &r.html)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                eprintln!("HTML part written to {}", path.display());
            }
            Ok(Outcome::Found)
        }
        DigestCommand::Send { name } => {
            let spec = pick_digest(ctx, name.as_deref())?;
            let smtp = ctx
                .config
                .smtp
                .as_ref()
                .context("the configuration has no [smtp] section")?;
            let mailer = Mailer::from_settings(smtp)?;
            let from = mail::parse_mailbox(&smtp.from)?;
            let db = Db::open(&ctx.database)?;
            let report = digest::send_now(
                db.mutex(),
                &mailer,
                spec,
                &templates(ctx),
                &from,
                Utc::now(),
            )
            .await?;
            println!(
                "digest {}: {} sent, {} queued for retry, {} failed{}",
                spec.name,
                report.sent(),
                report.retrying(),
                report.failed(),
                if report.skipped_empty {
                    " (nothing to send)"
                } else {
                    ""
                }
            );
            if report.failed() > 0 {
                bail!("{} message(s) failed permanently", report.failed());
            }
            Ok(Outcome::from_count(report.sent()))
        }
    }
}

pub async fn test_email(ctx: &Ctx, address: &str) -> Result<Outcome> {
    let smtp = ctx
        .config
        .smtp
        .as_ref()
        .context("the configuration has no [smtp] section")?;
    let mailer = Mailer::from_settings(smtp)?;
    let from = mail::parse_mailbox(&smtp.from)?;
    let to = mail::parse_mailbox(address)?;
    let id = mail::send_test_email(&mailer, &from, &to, Utc::now()).await?;
    println!(
        "test message {id} accepted by {}:{}",
        smtp.host,
        smtp.effective_port()
    );
    Ok(Outcome::Found)
}

pub async fn serve(ctx: &Ctx, bind: Option<&str>) -> Result<Outcome> {
    let addr = bind.unwrap_or(&ctx.config.api.bind).to_string();
    let token = ctx
        .config
        .api_token()
        .context("cannot read the API token")?;
    let sock: std::net::SocketAddr = addr
        .parse()
        .with_context(|| format!("{addr:?} is not an address:port"))?;
    if !sock.ip().is_loopback() && token.is_none() {
        bail!("{addr} is not a loopback address: set api.token_file or BRANCHWATCH_API_TOKEN");
    }
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .with_context(|| format!("cannot bind {addr}"))?;
    eprintln!(
        "serving the read-only API on http://{}",
        listener.local_addr()?
    );
    let metrics = Arc::new(branchwatch::metrics::Metrics::default());
    let mut state = branchwatch::api::ApiState::new(ctx.database.clone(), metrics);
    state.token = token;
    state.resolvers = resolvers(ctx)?;
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    branchwatch::api::serve(listener, state, stop).await?;
    Ok(Outcome::Found)
}
