//! Deterministic news for the benchmarks: RSS feeds and article pages in
//! Kazakh, Russian and English, invented for this module.
//!
//! Everything is a pure function of (feed, item, [`Site`]), so the server
//! can answer every request from the indices in its path without keeping
//! documents in memory, and a second poll sees byte-identical feeds (same
//! `ETag`, hence 304). A fraction of articles report a leadership change,
//! so detection and the change log do real work during the poll benchmark.

use chrono::{DateTime, Duration, Utc};
use std::fmt::Write;

/// The shape of the generated site.
#[derive(Debug, Clone)]
pub struct Site {
    /// Items per feed.
    pub items: usize,
    /// How many of each feed's items are recent (published in the last
    /// hours); the others are 40+ days old. On a first poll the pipeline
    /// stores old items without fetching their article
    /// (`first_poll_max_age_days`), so this sets how many pages are read.
    pub recent: usize,
    /// Every n-th article reports a leadership change (0: none).
    pub change_every: usize,
    /// The instant item dates are counted back from; fixed at start-up so
    /// feeds stay byte-identical between polls.
    pub now: DateTime<Utc>,
}

impl Default for Site {
    fn default() -> Self {
        Site {
            items: 30,
            recent: 1,
            change_every: 5,
            now: Utc::now(),
        }
    }
}

/// A small, fast, deterministic generator (splitmix64).
struct Mix(u64);

impl Mix {
    fn new(a: u64, b: u64) -> Mix {
        Mix(a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_add(0x632B_E59B_D9B4_E019))
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[(self.next() % list.len() as u64) as usize]
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Language {
    Kk,
    Ru,
    En,
}

/// Feeds rotate through the three languages.
pub fn language_of(feed: usize) -> Language {
    match feed % 3 {
        0 => Language::Ru,
        1 => Language::Kk,
        _ => Language::En,
    }
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::Kk => "kk",
            Language::Ru => "ru",
            Language::En => "en",
        }
    }
    fn words(self) -> &'static [&'static str] {
        match self {
            Language::Ru => RU_WORDS,
            Language::Kk => KK_WORDS,
            Language::En => EN_WORDS,
        }
    }
}

const RU_WORDS: &[&str] = &[
    "город",
    "область",
    "жители",
    "дорога",
    "ремонт",
    "школа",
    "больница",
    "весной",
    "рынок",
    "цены",
    "зерно",
    "урожай",
    "фермеры",
    "строительство",
    "мост",
    "вода",
    "отопление",
    "сезон",
    "акимат",
    "бюджет",
    "проект",
    "программа",
    "выставка",
    "спортсмены",
    "турнир",
    "погода",
    "снег",
    "ветер",
    "транспорт",
    "автобус",
    "маршрут",
    "студенты",
    "университет",
    "музей",
    "театр",
    "концерт",
    "праздник",
    "площадь",
    "парк",
    "деревья",
    "экология",
    "завод",
    "продукция",
    "экспорт",
    "инвестиции",
    "связь",
    "интернет",
    "село",
    "район",
    "новый",
    "крупный",
    "местный",
    "региональный",
    "открыли",
    "обсудили",
    "завершили",
    "начали",
    "планируют",
    "получили",
    "сообщили",
    "в",
    "на",
    "для",
    "после",
    "около",
    "более",
    "также",
];

const KK_WORDS: &[&str] = &[
    "қала",
    "облыс",
    "тұрғындар",
    "жол",
    "жөндеу",
    "мектеп",
    "аурухана",
    "көктемде",
    "базар",
    "баға",
    "астық",
    "егін",
    "фермерлер",
    "құрылыс",
    "көпір",
    "су",
    "жылу",
    "маусым",
    "әкімдік",
    "бюджет",
    "жоба",
    "бағдарлама",
    "көрме",
    "спортшылар",
    "турнир",
    "ауа райы",
    "қар",
    "жел",
    "көлік",
    "автобус",
    "бағыт",
    "студенттер",
    "университет",
    "мұражай",
    "театр",
    "концерт",
    "мереке",
    "алаң",
    "саябақ",
    "ағаштар",
    "экология",
    "зауыт",
    "өнім",
    "экспорт",
    "инвестиция",
    "байланыс",
    "ауыл",
    "аудан",
    "жаңа",
    "ірі",
    "жергілікті",
    "өңірлік",
    "ашылды",
    "талқыланды",
    "аяқталды",
    "басталды",
    "жоспарлануда",
    "алды",
    "хабарлады",
    "және",
    "үшін",
    "кейін",
    "шамамен",
    "сондай-ақ",
];

const EN_WORDS: &[&str] = &[
    "city",
    "region",
    "residents",
    "road",
    "repairs",
    "school",
    "hospital",
    "spring",
    "market",
    "prices",
    "grain",
    "harvest",
    "farmers",
    "construction",
    "bridge",
    "water",
    "heating",
    "season",
    "akimat",
    "budget",
    "project",
    "programme",
    "exhibition",
    "athletes",
    "tournament",
    "weather",
    "snow",
    "wind",
    "transport",
    "bus",
    "route",
    "students",
    "university",
    "museum",
    "theatre",
    "concert",
    "holiday",
    "square",
    "park",
    "trees",
    "ecology",
    "plant",
    "output",
    "exports",
    "investment",
    "broadband",
    "village",
    "district",
    "new",
    "large",
    "local",
    "regional",
    "opened",
    "discussed",
    "completed",
    "started",
    "planned",
    "received",
    "reported",
    "in",
    "on",
    "for",
    "after",
    "about",
    "more",
    "also",
    "the",
    "and",
];

const NAMES: &[&str] = &[
    "Марат Кенжебаев",
    "Ержан Оспанов",
    "Данияр Ахметов",
    "Гүлнар Сейітова",
    "Асқар Бекмұратов",
    "Нұрлан Жақыпов",
];
const NAMES_EN: &[&str] = &[
    "Marat Kenzhebayev",
    "Yerzhan Ospanov",
    "Daniyar Akhmetov",
    "Gulnar Seitova",
    "Askar Bekmuratov",
    "Nurlan Zhakypov",
];
const RU_REGIONS: &[&str] = &[
    "Павлодарского областного",
    "Карагандинского областного",
    "Костанайского областного",
    "Актюбинского областного",
    "Атырауского областного",
];
const KK_REGIONS: &[&str] = &["Павлодар", "Қарағанды", "Қостанай", "Ақтөбе", "Атырау"];
const EN_REGIONS: &[&str] = &["Pavlodar", "Karaganda", "Kostanay", "Aktobe", "Atyrau"];

/// One sentence reporting that someone was elected chair of a regional
/// branch, in the article's language.
fn change_sentence(lang: Language, m: &mut Mix) -> String {
    let r = (m.next() % 5) as usize;
    let n = (m.next() % NAMES.len() as u64) as usize;
    match lang {
        Language::Ru => format!(
            "На конференции председателем {} филиала партии «AMANAT» избран {}.",
            RU_REGIONS[r], NAMES[n]
        ),
        Language::Kk => format!(
            "«AMANAT» партиясы {} облыстық филиалының төрағасы болып {} сайланды.",
            KK_REGIONS[r], NAMES[n]
        ),
        Language::En => format!(
            "{} was elected chair of the {} regional branch of the AMANAT party.",
            NAMES_EN[n], EN_REGIONS[r]
        ),
    }
}

/// A sentence of 8 to 15 filler words.
fn sentence(lang: Language, m: &mut Mix, out: &mut String) {
    let words = lang.words();
    let n = 8 + (m.next() % 8) as usize;
    for i in 0..n {
        let w = m.pick(words);
        if i == 0 {
            let mut cs = w.chars();
            if let Some(c) = cs.next() {
                out.extend(c.to_uppercase());
                out.push_str(cs.as_str());
            }
        } else {
            out.push(' ');
            out.push_str(w);
        }
    }
    out.push_str(". ");
}

fn paragraph(lang: Language, m: &mut Mix, sentences: usize) -> String {
    let mut p = String::new();
    for _ in 0..sentences {
        sentence(lang, m, &mut p);
    }
    p.trim_end().to_string()
}

fn item_title(lang: Language, feed: usize, item: usize) -> String {
    let mut m = Mix::new(feed as u64, item as u64 ^ 0x7469_746c);
    let mut t = String::new();
    sentence(lang, &mut m, &mut t);
    t.trim_end().trim_end_matches('.').to_string()
}

/// Whether article (feed, item) reports a change.
pub fn has_change(site: &Site, feed: usize, item: usize) -> bool {
    site.change_every > 0 && (feed * 31 + item) % site.change_every == 0
}

/// When item `item` of a feed was published.
pub fn published(site: &Site, item: usize) -> DateTime<Utc> {
    if item < site.recent {
        site.now - Duration::hours(item as i64 + 1)
    } else {
        site.now - Duration::days(40 + item as i64)
    }
}

/// Path of feed `feed` on its host.
pub fn feed_path(feed: usize) -> String {
    format!("/f/{feed}.xml")
}

/// Path of an article page on its feed's host.
pub fn article_path(feed: usize, item: usize) -> String {
    format!("/a/{feed}/{item}.html")
}

/// Entity tag of a feed: the content is fixed, so is the tag.
pub fn feed_etag(feed: usize) -> String {
    format!("\"bw-bench-{feed}\"")
}

fn xml_escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}

/// RSS 2.0 document of feed `feed`, whose host is `base` (`http://addr:port`).
pub fn feed_xml(site: &Site, base: &str, feed: usize) -> String {
    let lang = language_of(feed);
    let mut out = String::with_capacity(site.items * 900 + 512);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\
         <title>Bench outlet {feed}</title><link>{base}/</link>\
         <description>Generated news for branchwatch benchmarks</description>\
         <language>{}</language>\n",
        lang.code()
    );
    for item in 0..site.items {
        let mut m = Mix::new(feed as u64, item as u64);
        let link = format!("{base}{}", article_path(feed, item));
        out.push_str("<item><title>");
        xml_escape(&item_title(lang, feed, item), &mut out);
        let _ = write!(
            out,
            "</title><link>{link}</link><guid isPermaLink=\"true\">{link}</guid><pubDate>{}</pubDate><description>",
            published(site, item).to_rfc2822()
        );
        xml_escape(&paragraph(lang, &mut m, 4), &mut out);
        out.push_str("</description></item>\n");
    }
    out.push_str("</channel></rss>\n");
    out
}

/// A sitemap of every article of feeds `0..feeds` on `base`, each with
/// its publication date as `lastmod` (for the backfill benchmark).
pub fn sitemap_xml(site: &Site, base: &str, feeds: usize) -> String {
    let mut out = String::with_capacity(feeds * site.items * 110 + 200);
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for feed in 0..feeds {
        for item in 0..site.items {
            let _ = writeln!(
                out,
                "<url><loc>{base}{}</loc><lastmod>{}</lastmod></url>",
                article_path(feed, item),
                published(site, item).to_rfc3339()
            );
        }
    }
    out.push_str("</urlset>\n");
    out
}

/// HTML page of one article: navigation, headline, date, 6 to 9
/// paragraphs (one of them reporting a change when [`has_change`]),
/// a "read also" block and a footer, like a small outlet's page.
pub fn article_html(site: &Site, base: &str, feed: usize, item: usize) -> String {
    let lang = language_of(feed);
    let mut m = Mix::new(feed as u64 ^ 0xa57c, item as u64);
    let title = item_title(lang, feed, item);
    let mut out = String::with_capacity(12_000);
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>",
        lang.code()
    );
    xml_escape(&title, &mut out);
    out.push_str(
        "</title><link rel=\"stylesheet\" href=\"/s.css\"><script>window.ads=[];</script></head>\
         <body><header><nav class=\"menu\"><ul>",
    );
    for k in 0..16 {
        let _ = write!(
            out,
            "<li><a href=\"{base}/section/{k}\">{}</a></li>",
            m.pick(lang.words())
        );
    }
    out.push_str("</ul></nav></header><main><article class=\"post\"><h1>");
    xml_escape(&title, &mut out);
    let _ = write!(
        out,
        "</h1><time datetime=\"{}\">{}</time><div class=\"post-body\">",
        published(site, item).to_rfc3339(),
        published(site, item).format("%d.%m.%Y %H:%M")
    );
    let paragraphs = 6 + (m.next() % 4) as usize;
    let change_at = has_change(site, feed, item).then_some(1);
    for p in 0..paragraphs {
        out.push_str("<p>");
        if change_at == Some(p) {
            xml_escape(&change_sentence(lang, &mut m), &mut out);
            out.push(' ');
        }
        let n = 3 + (m.next() % 3) as usize;
        xml_escape(&paragraph(lang, &mut m, n), &mut out);
        out.push_str("</p>");
    }
    out.push_str("</div></article><aside class=\"read-also\"><h3>*</h3><ul>");
    for k in 0..5 {
        let _ = write!(out, "<li><a href=\"{base}{}\">", article_path(feed, k));
        xml_escape(&item_title(lang, feed, k), &mut out);
        out.push_str("</a></li>");
    }
    out.push_str(
        "</ul></aside></main><footer><p>© Bench outlet</p><div class=\"share\">share</div></footer></body></html>",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feeds_are_stable_and_parse() {
        let site = Site::default();
        let a = feed_xml(&site, "http://127.0.0.1:1", 7);
        assert_eq!(a, feed_xml(&site, "http://127.0.0.1:1", 7));
        assert_ne!(a, feed_xml(&site, "http://127.0.0.1:1", 8));
        let parsed = crate::feed::parse(a.as_bytes(), "http://127.0.0.1:1/f/7.xml").unwrap();
        assert_eq!(parsed.items.len(), 30);
        assert!(parsed.items[0]
            .link
            .as_deref()
            .unwrap()
            .ends_with("/a/7/0.html"));
    }

    #[test]
    fn change_articles_are_detected() {
        let tables = crate::detect::Tables::embedded().unwrap();
        let site = Site {
            change_every: 1,
            ..Site::default()
        };
        for feed in 0..3 {
            let html = article_html(&site, "http://127.0.0.1:1", feed, 0);
            let a = crate::article::extract(
                &html,
                "http://127.0.0.1:1/a/x.html",
                &[],
                &Default::default(),
            )
            .unwrap();
            let input = crate::model::DetectInput {
                title: "",
                text: &a.text,
                lang: None,
                published: None,
            };
            let found = crate::detect::detect(&input, &tables);
            assert_eq!(
                found.len(),
                1,
                "feed {feed} ({:?}): {found:?}\n{}",
                language_of(feed),
                a.text
            );
        }
        let quiet = Site {
            change_every: 0,
            ..Site::default()
        };
        let html = article_html(&quiet, "http://127.0.0.1:1", 0, 0);
        let a = crate::article::extract(
            &html,
            "http://127.0.0.1:1/a/x.html",
            &[],
            &Default::default(),
        )
        .unwrap();
        let input = crate::model::DetectInput {
            title: "",
            text: &a.text,
            lang: None,
            published: None,
        };
        assert!(crate::detect::detect(&input, &tables).is_empty());
    }
}
