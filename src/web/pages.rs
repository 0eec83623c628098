//! The read-only pages. Each parses its query (unknown parameters and
//! values answer 400 naming them), reads through one read-only connection,
//! and renders a template.

use super::i18n::{UiLang, REGIONS};
use super::map::{self, MapMode};
use super::views::{self, ChangeRow};
use super::{html, read, render, PageCtx, WebError, DOWNLOAD_MAX, OVERVIEW_LATEST, PAGE_SIZE};
use crate::api::ApiState;
use crate::model::{ChangeFilter, Event, Level, ReviewStatus, Role, RosterFilter};
use crate::query::{render_changes, FilterParams, Format, QueryError};
use crate::store::person;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use serde::Serialize;

/// Parameters a change list accepts besides `lang` and `page`.
const FILTER_NAMES: &[&str] = &[
    "party", "region", "level", "role", "event", "person", "since", "until", "status",
];

/// Parties offered in the filter form (any other id can still be typed in the URL).
const PARTIES: &[&str] = &[
    "AMANAT",
    "AK_ZHOL",
    "AUYL",
    "RESPUBLICA",
    "QHP",
    "NSDP",
    "BAYTAQ",
];

/// The query's pairs without `lang`; a name not in `allowed` is a 400.
fn query_pairs(uri: &Uri, allowed: &[&str]) -> Result<Vec<(String, String)>, WebError> {
    let mut out = Vec::new();
    for (k, v) in url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        if k == "lang" {
            continue;
        }
        if !allowed.contains(&k.as_ref()) {
            return Err(QueryError {
                param: "parameter".into(),
                value: k.into_owned(),
                reason: format!(
                    "unknown parameter (expected one of: {})",
                    allowed.join(", ")
                ),
            }
            .into());
        }
        out.push((k.into_owned(), v.into_owned()));
    }
    Ok(out)
}

fn respond(ctx: &PageCtx, r: Result<Response, WebError>) -> Response {
    r.unwrap_or_else(|e| super::error_page(ctx, &e))
}

fn page(ctx: &PageCtx, template: &str, p: impl Serialize) -> Result<Response, WebError> {
    Ok(html(ctx, StatusCode::OK, render(ctx, template, p)?))
}

/// A `<select>` option.
#[derive(Debug, Serialize)]
struct Opt {
    value: String,
    label: String,
    selected: bool,
}

fn opts<T: Copy>(
    all: &[T],
    current: Option<&str>,
    value: impl Fn(T) -> String,
    label: impl Fn(T) -> String,
) -> Vec<Opt> {
    all.iter()
        .map(|t| {
            let v = value(*t);
            Opt {
                selected: current == Some(v.as_str()),
                label: label(*t),
                value: v,
            }
        })
        .collect()
}

fn region_opts(ui: UiLang, current: Option<&str>) -> Vec<Opt> {
    opts(REGIONS, current, |r| r.0.to_string(), |r| ui.region(r.0))
}

pub async fn overview(State(st): State<ApiState>, headers: HeaderMap, uri: Uri) -> Response {
    let ctx = PageCtx::from_request(&st, &headers, &uri);
    let r = overview_inner(&st, &ctx).await;
    respond(&ctx, r)
}

async fn overview_inner(st: &ApiState, ctx: &PageCtx) -> Result<Response, WebError> {
    let pairs = query_pairs(&ctx.uri, &["map"])?;
    let mode = match pairs
        .iter()
        .find(|(k, _)| k == "map")
        .map(|(_, v)| v.as_str())
    {
        None | Some("") | Some("recency") => MapMode::Recency,
        Some("count") => MapMode::Count,
        Some(v) => {
            return Err(QueryError {
                param: "map".into(),
                value: v.into(),
                reason: "expected recency or count".into(),
            }
            .into())
        }
    };
    let today = Utc::now().date_naive();
    let since = today - Duration::days(365);
    let ck = format!("{} overview {since}", st.db_path.display());
    let (activity, latest, months) = read(st, move |s| {
        super::cached(s, ck, |s| {
            let latest = s.changes(&ChangeFilter {
                limit: Some(OVERVIEW_LATEST),
                hide_rejected: true,
                ..ChangeFilter::default()
            })?;
            Ok((
                s.region_activity(since)?,
                latest,
                s.monthly_counts(&ChangeFilter::default())?,
            ))
        })
    })
    .await?;
    let ui = ctx.ui;
    #[derive(Serialize)]
    struct P {
        map_svg: minijinja::Value,
        mode: &'static str,
        legend: Vec<map::LegendItem>,
        latest: Vec<ChangeRow>,
        timeline_svg: minijinja::Value,
        parties: Vec<map::LegendItem>,
    }
    page(
        ctx,
        "overview.html",
        P {
            map_svg: minijinja::Value::from_safe_string(map::map_svg(
                &activity,
                mode,
                ui,
                today,
                views::region_href,
            )),
            mode: if mode == MapMode::Count {
                "count"
            } else {
                "recency"
            },
            legend: map::legend(mode, ui),
            latest: latest.iter().map(|c| views::change_row(ui, c)).collect(),
            timeline_svg: minijinja::Value::from_safe_string(map::timeline_svg(&months, ui)),
            parties: map::timeline_parties(&months, ui),
        },
    )
}

/// The filter of a change list and its page number.
fn list_filter(
    st: &ApiState,
    uri: &Uri,
    paged: bool,
) -> Result<(ChangeFilter, FilterParams, usize), WebError> {
    let allowed: Vec<&str> = FILTER_NAMES
        .iter()
        .copied()
        .chain(paged.then_some("page"))
        .collect();
    let pairs = query_pairs(uri, &allowed)?;
    let mut p = FilterParams::default();
    let mut page = 1usize;
    for (k, v) in pairs {
        if k == "page" {
            page = page_number(Some(&v))?;
        } else {
            p.set(&k, v)?;
        }
    }
    let f = ChangeFilter::parse(&p, &st.resolvers)?;
    Ok((f, p, page))
}

/// The query string of a filter (for links), without page.
fn filter_query(p: &FilterParams) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("party", &p.party),
        ("region", &p.region),
        ("level", &p.level),
        ("role", &p.role),
        ("event", &p.event),
        ("person", &p.person),
        ("since", &p.since),
        ("until", &p.until),
        ("status", &p.status),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty()) {
            ser.append_pair(k, v);
        }
    }
    ser.finish()
}

pub async fn changes(State(st): State<ApiState>, headers: HeaderMap, uri: Uri) -> Response {
    let ctx = PageCtx::from_request(&st, &headers, &uri);
    let r = changes_inner(&st, &ctx).await;
    respond(&ctx, r)
}

async fn changes_inner(st: &ApiState, ctx: &PageCtx) -> Result<Response, WebError> {
    let (mut f, p, page_no) = list_filter(st, &ctx.uri, true)?;
    f.limit = Some(PAGE_SIZE);
    f.offset = Some((page_no - 1).saturating_mul(PAGE_SIZE));
    let ck = format!("{} changes {f:?}", st.db_path.display());
    let (total, rows) = read(st, move |s| {
        super::cached(s, ck, |s| Ok(s.changes_page(&f)?))
    })
    .await?;
    let ui = ctx.ui;
    let q = filter_query(&p);
    let link = |n: usize| {
        let sep = if q.is_empty() { "" } else { "&" };
        format!("/changes?{q}{sep}page={n}")
    };
    let pages = (total.max(0) as usize).div_ceil(PAGE_SIZE).max(1);
    let first = (page_no - 1) * PAGE_SIZE;
    #[derive(Serialize)]
    struct P {
        rows: Vec<ChangeRow>,
        total: i64,
        from: usize,
        to: usize,
        page: usize,
        pages: usize,
        prev: Option<String>,
        next: Option<String>,
        csv: String,
        json: String,
        f: FilterParams,
        parties: Vec<Opt>,
        regions: Vec<Opt>,
        levels: Vec<Opt>,
        roles: Vec<Opt>,
        events: Vec<Opt>,
        statuses: Vec<Opt>,
    }
    let sel = |v: &Option<String>| {
        v.as_deref()
            .map(|s| s.trim().to_ascii_lowercase().replace('-', "_"))
    };
    let p_out = P {
        from: if rows.is_empty() { 0 } else { first + 1 },
        to: first + rows.len(),
        rows: rows.iter().map(|c| views::change_row(ui, c)).collect(),
        total,
        page: page_no,
        pages,
        prev: (page_no > 1).then(|| link(page_no - 1)),
        next: (page_no < pages).then(|| link(page_no + 1)),
        csv: format!("/changes.csv?{q}"),
        json: format!("/changes.json?{q}"),
        parties: opts(
            PARTIES,
            p.party.as_deref(),
            |x| x.to_string(),
            |x| ui.party(x),
        ),
        regions: region_opts(ui, p.region.as_deref()),
        levels: opts(
            Level::ALL,
            sel(&p.level).as_deref(),
            |x| x.as_str().into(),
            |x| ui.level(x).into(),
        ),
        roles: opts(
            Role::ALL,
            sel(&p.role).as_deref(),
            |x| x.as_str().into(),
            |x| ui.role(x).into(),
        ),
        events: opts(
            Event::ALL,
            sel(&p.event).as_deref(),
            |x| x.as_str().into(),
            |x| ui.event(x).into(),
        ),
        statuses: opts(
            ReviewStatus::ALL,
            sel(&p.status).as_deref(),
            |x| x.as_str().into(),
            |x| ui.status(x).into(),
        ),
        f: p,
    };
    page(ctx, "changes.html", p_out)
}

async fn download(st: &ApiState, uri: &Uri, fmt: Format) -> Result<Response, WebError> {
    let (mut f, _, _) = list_filter(st, uri, false)?;
    f.limit = Some(DOWNLOAD_MAX);
    let rows = read(st, move |s| Ok(s.changes(&f)?)).await?;
    let (ctype, name) = match fmt {
        Format::Csv => ("text/csv; charset=utf-8", "changes.csv"),
        _ => ("application/json", "changes.json"),
    };
    let mut resp = render_changes(&rows, fmt).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

pub async fn changes_csv(State(st): State<ApiState>, headers: HeaderMap, uri: Uri) -> Response {
    let ctx = PageCtx::from_request(&st, &headers, &uri);
    let r = download(&st, &uri, Format::Csv).await;
    respond(&ctx, r)
}

pub async fn changes_json(State(st): State<ApiState>, headers: HeaderMap, uri: Uri) -> Response {
    let ctx = PageCtx::from_request(&st, &headers, &uri);
    let r = download(&st, &uri, Format::Json).await;
    respond(&ctx, r)
}

pub async fn change(
    State(st): State<ApiState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let ctx = PageCtx::from_request(&st, &headers, &uri);
    let r = change_inner(&st, &ctx, &id, None).await;
    respond(&ctx, r)
}

/// Parses a change id from the URL; 400 naming it when it is not a number.
pub fn parse_id(id: &str) -> Result<i64, WebError> {
    id.trim().parse::<i64>().map_err(|_| {
        QueryError {
            param: "id".into(),
            value: id.to_string(),
            reason: "expected a change id (a whole number)".into(),
        }
        .into()
    })
}

/// The change page; `problem` is an edit that was refused (shown, 400).
pub async fn change_inner(
    st: &ApiState,
    ctx: &PageCtx,
    id: &str,
    problem: Option<String>,
) -> Result<Response, WebError> {
    query_pairs(&ctx.uri, &[])?;
    let id = parse_id(id)?;
    let (detail, neighbours) = read(st, move |s| {
        let d = s.change(id)?;
        let n = match d {
            Some(_) => s.post_neighbours(id)?,
            None => Default::default(),
        };
        Ok((d, n))
    })
    .await?;
    let d = detail.ok_or_else(|| WebError::NotFound(format!("no change {id}")))?;
    let ui = ctx.ui;
    let r = &d.record;
    #[derive(Serialize)]
    struct Hist {
        at: String,
        what: String,
        note: Option<String>,
    }
    let mut history: Vec<(chrono::DateTime<Utc>, Hist)> = Vec::new();
    for rv in &d.reviews {
        history.push((
            rv.at,
            Hist {
                at: rv.at.format("%Y-%m-%d %H:%M UTC").to_string(),
                what: format!(
                    "{} → {}",
                    ui.status(rv.previous_status),
                    ui.status(rv.status)
                ),
                note: rv.note.clone(),
            },
        ));
    }
    for e in &d.edits {
        history.push((
            e.at,
            Hist {
                at: e.at.format("%Y-%m-%d %H:%M UTC").to_string(),
                what: format!(
                    "{}: {} → {}",
                    e.field,
                    e.old_value.as_deref().unwrap_or("–"),
                    e.new_value.as_deref().unwrap_or("–")
                ),
                note: e.note.clone(),
            },
        ));
    }
    history.sort_by_key(|h| h.0);
    #[derive(Serialize)]
    struct P {
        c: ChangeRow,
        district: Option<String>,
        acting: bool,
        previous_role: Option<String>,
        evidence: String,
        first_seen: String,
        sources: Vec<views::SourceView>,
        history: Vec<Hist>,
        previous: Option<views::NeighbourView>,
        next: Option<views::NeighbourView>,
        problem: Option<String>,
        edit: EditForm,
    }
    let status = if problem.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let p = P {
        c: views::change_row(ui, r),
        district: r.district.clone(),
        acting: r.acting,
        previous_role: r.previous_role.clone(),
        evidence: r.evidence.clone(),
        first_seen: r.first_seen.format("%Y-%m-%d %H:%M UTC").to_string(),
        sources: r
            .sources
            .iter()
            .map(|s| views::source_view(ui, s))
            .collect(),
        history: history.into_iter().map(|h| h.1).collect(),
        previous: neighbours
            .previous
            .as_ref()
            .map(|n| views::neighbour_view(ui, n)),
        next: neighbours
            .next
            .as_ref()
            .map(|n| views::neighbour_view(ui, n)),
        problem,
        edit: edit_form(ui, r),
    };
    Ok(html(ctx, status, render(ctx, "change.html", p)?))
}

/// The edit form, filled with the change's current values.
#[derive(Serialize)]
struct EditForm {
    person: String,
    party: String,
    district: String,
    previous_role: String,
    date: String,
    evidence: String,
    acting: bool,
    roles: Vec<Opt>,
    levels: Vec<Opt>,
    events: Vec<Opt>,
    regions: Vec<Opt>,
}

fn edit_form(ui: UiLang, r: &crate::model::ChangeRecord) -> EditForm {
    EditForm {
        person: r.person.clone(),
        party: r.party.clone(),
        district: r.district.clone().unwrap_or_default(),
        previous_role: r.previous_role.clone().unwrap_or_default(),
        date: r.date.map(|d| d.to_string()).unwrap_or_default(),
        evidence: r.evidence.clone(),
        acting: r.acting,
        roles: opts(
            Role::ALL,
            Some(r.role.as_str()),
            |x| x.as_str().into(),
            |x| ui.role(x).into(),
        ),
        levels: opts(
            Level::ALL,
            Some(r.level.as_str()),
            |x| x.as_str().into(),
            |x| ui.level(x).into(),
        ),
        events: opts(
            Event::ALL,
            Some(r.event.as_str()),
            |x| x.as_str().into(),
            |x| ui.event(x).into(),
        ),
        regions: region_opts(ui, Some(&r.region)),
    }
}

pub async fn region(
    State(st): State<ApiState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let ctx = PageCtx::from_request(&st, &headers, &uri);
    let r = region_inner(&st, &ctx, &code).await;
    respond(&ctx, r)
}

async fn region_inner(st: &ApiState, ctx: &PageCtx, code: &str) -> Result<Response, WebError> {
    let pairs = query_pairs(&ctx.uri, &["party", "level"])?;
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let rf = RosterFilter::parse(get("party"), Some(code), get("level"), &st.resolvers)?;
    let region = rf.region.clone().unwrap_or_default();
    if !REGIONS.iter().any(|r| r.0 == region) {
        return Err(QueryError {
            param: "region".into(),
            value: code.to_string(),
            reason: "not one of Kazakhstan's 17 regions and 3 cities".into(),
        }
        .into());
    }
    let cf = ChangeFilter {
        party: rf.party.clone(),
        region: rf.region.clone(),
        level: rf.level,
        ..ChangeFilter::default()
    };
    let ck = format!("{} region {rf:?}", st.db_path.display());
    let (roster, months, recent) = read(st, move |s| {
        super::cached(s, ck, |s| {
            let recent = s.changes(&ChangeFilter {
                limit: Some(PAGE_SIZE),
                hide_rejected: true,
                ..cf.clone()
            })?;
            Ok((s.roster(&rf)?, s.monthly_counts(&cf)?, recent))
        })
    })
    .await?;
    let ui = ctx.ui;
    let party = get("party").filter(|p| !p.trim().is_empty());
    #[derive(Serialize)]
    struct P {
        code: String,
        name: String,
        branch: Option<String>,
        roster: Vec<views::RosterRow>,
        timeline_svg: minijinja::Value,
        parties: Vec<map::LegendItem>,
        recent: Vec<ChangeRow>,
        all_href: String,
        branches: Vec<(String, String)>,
    }
    let mut branch_parties: Vec<&str> = roster.iter().map(|e| e.party.as_str()).collect();
    branch_parties.dedup();
    let p = P {
        name: ui.region(&region),
        branch: party.map(|p| ui.party(&p.to_ascii_uppercase())),
        roster: roster.iter().map(|e| views::roster_row(ui, e)).collect(),
        timeline_svg: minijinja::Value::from_safe_string(map::timeline_svg(&months, ui)),
        parties: map::timeline_parties(&months, ui),
        recent: recent.iter().map(|c| views::change_row(ui, c)).collect(),
        all_href: format!("/changes?region={region}"),
        branches: branch_parties
            .iter()
            .map(|b| (ui.party(b), format!("/region/{region}?party={b}")))
            .collect(),
        code: region,
    };
    page(ctx, "region.html", p)
}

pub async fn person(State(st): State<ApiState>, headers: HeaderMap, uri: Uri) -> Response {
    let ctx = PageCtx::from_request(&st, &headers, &uri);
    let r = person_inner(&st, &ctx).await;
    respond(&ctx, r)
}

async fn person_inner(st: &ApiState, ctx: &PageCtx) -> Result<Response, WebError> {
    let pairs = query_pairs(&ctx.uri, &["name", "page"])?;
    let name = pairs
        .iter()
        .find(|(k, _)| k == "name")
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    let page_no = page_number(pairs.iter().find(|(k, _)| k == "page").map(|(_, v)| v))?;
    let key = person::key(&name);
    if key.is_empty() {
        return Err(QueryError {
            param: "name".into(),
            value: name,
            reason: "give a name with letters, e.g. /person?name=Қуат Байғожаев".into(),
        }
        .into());
    }
    let offset = (page_no - 1).saturating_mul(PAGE_SIZE);
    let ck = format!("{} person {key} {page_no}", st.db_path.display());
    let (summary, posts) = read(st, move |s| {
        super::cached(s, ck, |s| {
            Ok((
                s.person_summary(&key)?,
                s.person_posts(&key, Some(PAGE_SIZE), offset)?,
            ))
        })
    })
    .await?;
    if summary.total == 0 {
        return Err(WebError::NotFound(format!("no changes name {name:?}")));
    }
    let ui = ctx.ui;
    let pages = (summary.total.max(0) as usize).div_ceil(PAGE_SIZE).max(1);
    let link = |n: usize| {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        ser.append_pair("name", &name);
        ser.append_pair("page", &n.to_string());
        format!("/person?{}", ser.finish())
    };
    #[derive(Serialize)]
    struct P {
        name: views::NameView,
        spellings: Vec<views::NameView>,
        posts: Vec<views::PersonPostView>,
        total: i64,
        page: usize,
        pages: usize,
        prev: Option<String>,
        next: Option<String>,
    }
    let latest = summary.latest.clone().unwrap_or_else(|| name.clone());
    let p = P {
        name: views::name_view(ui, &latest),
        spellings: summary
            .spellings
            .iter()
            .map(|s| views::name_view(ui, s))
            .collect(),
        posts: posts
            .iter()
            .map(|p| views::person_post_view(ui, p))
            .collect(),
        total: summary.total,
        page: page_no,
        pages,
        prev: (page_no > 1).then(|| link(page_no - 1)),
        next: (page_no < pages).then(|| link(page_no + 1)),
    };
    page(ctx, "person.html", p)
}

/// A `page` parameter: a number from 1, 1 when absent.
fn page_number(v: Option<&String>) -> Result<usize, WebError> {
    let Some(v) = v else { return Ok(1) };
    v.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| {
            QueryError {
                param: "page".into(),
                value: v.clone(),
                reason: "expected a page number from 1".into(),
            }
            .into()
        })
}

pub async fn feeds(State(st): State<ApiState>, headers: HeaderMap, uri: Uri) -> Response {
    let ctx = PageCtx::from_request(&st, &headers, &uri);
    let r = async {
        query_pairs(&ctx.uri, &[])?;
        let rows = read(&st, |s| Ok(s.feeds()?)).await?;
        #[derive(Serialize)]
        struct P {
            feeds: Vec<views::FeedView>,
        }
        page(
            &ctx,
            "feeds.html",
            P {
                feeds: rows.iter().map(|f| views::feed_view(ctx.ui, f)).collect(),
            },
        )
    }
    .await;
    respond(&ctx, r)
}

pub async fn signin(State(st): State<ApiState>, headers: HeaderMap, uri: Uri) -> Response {
    let ctx = PageCtx::from_request(&st, &headers, &uri);
    signin_page(&ctx, StatusCode::OK, None)
}

/// The sign-in form (also the answer to any page without the token).
pub fn signin_page(ctx: &PageCtx, status: StatusCode, problem: Option<&str>) -> Response {
    #[derive(Serialize)]
    struct P<'a> {
        problem: Option<&'a str>,
    }
    match render(ctx, "signin.html", P { problem }) {
        Ok(body) => html(ctx, status, body),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}
