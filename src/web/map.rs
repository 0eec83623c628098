//! The overview's map of the regions and the changes-per-month chart, as
//! inline SVG built on the server. Every text that reaches the SVG goes
//! through [`esc`]; colours are presentation attributes, so the page's
//! Content-Security-Policy needs no inline styles.

use super::i18n::UiLang;
use crate::store::{MonthCount, RegionActivity};
use chrono::{Datelike, NaiveDate};
use once_cell::sync::Lazy;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

#[derive(Debug, Deserialize)]
struct Geometry {
    width: u32,
    height: u32,
    regions: Vec<RegionShape>,
}

#[derive(Debug, Deserialize)]
struct RegionShape {
    code: String,
    path: String,
    label: [i32; 2],
}

/// `data/geo/kz-regions.json`, made by `scripts/simplify_kz_map.py`.
static GEOMETRY: Lazy<Geometry> = Lazy::new(|| {
    serde_json::from_str(include_str!("../../data/geo/kz-regions.json")).unwrap_or(Geometry {
        width: 1000,
        height: 545,
        regions: Vec::new(),
    })
});

/// The three cities of republican significance, drawn with a marker too.
const CITIES: [&str; 3] = ["KZ-71", "KZ-75", "KZ-79"];

/// Escapes text for XML/HTML content and attribute values.
pub fn esc(s: &str) -> String {
    html_escape::encode_quoted_attribute(s).into_owned()
}

/// How the map is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapMode {
    /// By days since the latest change.
    Recency,
    /// By changes in the last 12 months.
    Count,
}

/// One legend entry: colour and label.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LegendItem {
    pub colour: &'static str,
    pub label: String,
}

const NONE_COLOUR: &str = "#e6e6e6";
const RECENCY: [(i64, &str, &str); 4] = [
    (30, "#b2182b", "days_30"),
    (90, "#ef8a62", "days_90"),
    (365, "#fdcbb0", "days_365"),
    (i64::MAX, "#9ecae1", "older"),
];
const COUNT: [(i64, &str, &str); 4] = [
    (1, "#c6dbef", "1"),
    (3, "#6baed6", "2–3"),
    (9, "#2171b5", "4–9"),
    (i64::MAX, "#08306b", "10+"),
];

fn colour(mode: MapMode, a: Option<&RegionActivity>, today: NaiveDate) -> &'static str {
    let Some(a) = a else { return NONE_COLOUR };
    match mode {
        MapMode::Recency => {
            let days = (today - a.last).num_days();
            RECENCY
                .iter()
                .find(|(max, _, _)| days <= *max)
                .map_or(NONE_COLOUR, |b| b.1)
        }
        MapMode::Count if a.recent == 0 => NONE_COLOUR,
        MapMode::Count => COUNT
            .iter()
            .find(|(max, _, _)| a.recent <= *max)
            .map_or(NONE_COLOUR, |b| b.1),
    }
}

/// The legend for a mode, in the interface language.
pub fn legend(mode: MapMode, ui: UiLang) -> Vec<LegendItem> {
    let labels = ui.labels();
    let label = |k: &str| labels.get(k).copied().unwrap_or(k).to_string();
    let mut out: Vec<LegendItem> = match mode {
        MapMode::Recency => RECENCY
            .iter()
            .map(|(_, c, k)| LegendItem {
                colour: c,
                label: label(k),
            })
            .collect(),
        MapMode::Count => COUNT
            .iter()
            .map(|(_, c, k)| LegendItem {
                colour: c,
                label: k.to_string(),
            })
            .collect(),
    };
    out.push(LegendItem {
        colour: NONE_COLOUR,
        label: label("no_changes"),
    });
    out
}

/// The map: one linked shape per region, coloured by `mode`.
pub fn map_svg(
    activity: &[RegionActivity],
    mode: MapMode,
    ui: UiLang,
    today: NaiveDate,
    href: impl Fn(&str) -> String,
) -> String {
    let g = &*GEOMETRY;
    let by_code: BTreeMap<&str, &RegionActivity> =
        activity.iter().map(|a| (a.region.as_str(), a)).collect();
    let title = ui.labels().get("map").copied().unwrap_or("Map");
    let mut s = String::with_capacity(32 * 1024);
    let _ = write!(
        s,
        "<svg class=\"map\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
        g.width,
        g.height,
        esc(title)
    );
    // Regions first, then the cities on top so they stay clickable.
    let mut shapes: Vec<&RegionShape> = g.regions.iter().collect();
    shapes.sort_by_key(|r| CITIES.contains(&r.code.as_str()));
    for r in shapes {
        let a = by_code.get(r.code.as_str()).copied();
        let fill = colour(mode, a, today);
        let tip = match a {
            Some(a) => format!("{}: {} ({})", ui.region(&r.code), a.last, a.total),
            None => ui.region(&r.code),
        };
        let _ = write!(
            s,
            "<a href=\"{}\" id=\"map-{}\"><title>{}</title><path d=\"{}\" fill=\"{fill}\" stroke=\"#ffffff\" stroke-width=\"1.2\"/>",
            esc(&href(&r.code)),
            esc(&r.code),
            esc(&tip),
            esc(&r.path)
        );
        if CITIES.contains(&r.code.as_str()) {
            let _ = write!(
                s,
                "<circle cx=\"{}\" cy=\"{}\" r=\"7\" fill=\"{fill}\" stroke=\"#333333\" stroke-width=\"1.5\"/>",
                r.label[0], r.label[1]
            );
        }
        s.push_str("</a>");
    }
    s.push_str("</svg>");
    s
}

/// A fixed colour per party position (by total, largest first).
const PALETTE: [&str; 8] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
];

/// At most this many months are drawn, ending at the latest.
pub const TIMELINE_MONTHS: usize = 36;

fn month_index(m: &str) -> Option<i32> {
    let d = NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").ok()?;
    Some(d.year() * 12 + d.month0() as i32)
}

fn month_name(i: i32) -> String {
    format!("{:04}-{:02}", i.div_euclid(12), i.rem_euclid(12) + 1)
}

/// The chart's parties with their colours, for the legend.
pub fn timeline_parties(counts: &[MonthCount], ui: UiLang) -> Vec<LegendItem> {
    party_order(counts)
        .into_iter()
        .enumerate()
        .map(|(i, p)| LegendItem {
            colour: PALETTE[i.min(PALETTE.len() - 1)],
            label: ui.party(&p),
        })
        .collect()
}

fn party_order(counts: &[MonthCount]) -> Vec<String> {
    let mut totals: BTreeMap<&str, i64> = BTreeMap::new();
    for c in counts {
        *totals.entry(c.party.as_str()).or_default() += c.changes;
    }
    let mut v: Vec<(&str, i64)> = totals.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    // Parties past the palette share its last (grey) colour.
    v.into_iter().map(|(p, _)| p.to_string()).collect()
}

/// Stacked bars: changes per month, one colour per party.
pub fn timeline_svg(counts: &[MonthCount], ui: UiLang) -> String {
    let idx: Vec<(i32, &MonthCount)> = counts
        .iter()
        .filter_map(|c| month_index(&c.month).map(|i| (i, c)))
        .collect();
    let Some(last) = idx.iter().map(|x| x.0).max() else {
        return String::new();
    };
    let first_data = idx.iter().map(|x| x.0).min().unwrap_or(last);
    let first = first_data.max(last - TIMELINE_MONTHS as i32 + 1);
    let months = (last - first + 1) as usize;
    let order = party_order(counts);
    let mut stacks: Vec<Vec<(usize, i64)>> = vec![Vec::new(); months];
    for (i, c) in &idx {
        if *i < first {
            continue;
        }
        let p = order.iter().position(|p| *p == c.party).unwrap_or(0);
        stacks[(*i - first) as usize].push((p, c.changes));
    }
    let max = stacks
        .iter()
        .map(|s| s.iter().map(|x| x.1).sum::<i64>())
        .max()
        .unwrap_or(1)
        .max(1);
    let (w, h, left, bottom, top) = (1000.0_f64, 240.0_f64, 40.0, 30.0, 10.0);
    let plot_h = h - bottom - top;
    let bar_w = (w - left) / months as f64;
    let title = ui.labels().get("timeline").copied().unwrap_or("");
    let mut s = String::with_capacity(8 * 1024);
    let _ = write!(
        s,
        "<svg class=\"timeline\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
        esc(title)
    );
    let _ = write!(
        s,
        "<line x1=\"{left}\" y1=\"{y}\" x2=\"{w}\" y2=\"{y}\" stroke=\"#888888\"/>\
         <text x=\"{tx}\" y=\"{ty}\" font-size=\"12\" text-anchor=\"end\" fill=\"#333333\">{max}</text>\
         <text x=\"{tx}\" y=\"{y}\" font-size=\"12\" text-anchor=\"end\" fill=\"#333333\">0</text>",
        y = h - bottom,
        tx = left - 4.0,
        ty = top + 10.0
    );
    let label_every = months.div_ceil(12).max(1);
    for (m, stack) in stacks.iter().enumerate() {
        let x = left + m as f64 * bar_w;
        let mut y = h - bottom;
        for (p, n) in stack {
            let bh = plot_h * (*n as f64) / (max as f64);
            y -= bh;
            let _ = write!(
                s,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{} {}: {}</title></rect>",
                x + 1.0,
                y,
                (bar_w - 2.0).max(1.0),
                bh,
                PALETTE[(*p).min(PALETTE.len() - 1)],
                month_name(first + m as i32),
                esc(&ui.party(&order[*p])),
                n
            );
        }
        if m % label_every == 0 {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{}\" font-size=\"12\" fill=\"#333333\">{}</text>",
                x + 1.0,
                h - bottom + 16.0,
                month_name(first + m as i32)
            );
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometry_has_all_twenty_units_and_is_small() {
        assert_eq!(GEOMETRY.regions.len(), 20);
        for (code, _) in super::super::i18n::REGIONS {
            assert!(
                GEOMETRY.regions.iter().any(|r| r.code == *code),
                "{code} has no shape"
            );
        }
        let svg = map_svg(&[], MapMode::Recency, UiLang::En, NaiveDate::MIN, |c| {
            format!("/region/{c}")
        });
        assert!(svg.len() < 150 * 1024, "{}", svg.len());
    }

    #[test]
    fn timeline_draws_one_bar_segment_per_party_month() {
        let counts = vec![
            MonthCount {
                month: "2025-01".into(),
                party: "AMANAT".into(),
                changes: 2,
            },
            MonthCount {
                month: "2025-03".into(),
                party: "AK_ZHOL".into(),
                changes: 1,
            },
            MonthCount {
                month: "2025-03".into(),
                party: "AMANAT".into(),
                changes: 1,
            },
        ];
        let svg = timeline_svg(&counts, UiLang::En);
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(svg.contains("2025-01"));
    }
}
