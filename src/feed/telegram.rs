//! A public Telegram channel read through its web preview (`kind =
//! "telegram"`): `https://t.me/s/NAME`, the page anyone can open without an
//! account. No API, no keys, no login.
//!
//! The page's structure, as public readers of it (RSSHub's telegram route,
//! among others) rely on: every post is a `div.tgme_widget_message` whose
//! `data-post` is `NAME/ID`; its text is the `.tgme_widget_message_text`
//! that is a direct child of `.tgme_widget_message_bubble` (a reply quotes
//! the replied-to post in another `.tgme_widget_message_text` deeper down);
//! the date is `.tgme_widget_message_date time[datetime]`; a forwarded post
//! has `.tgme_widget_message_forwarded_from`; a link preview is
//! `a.tgme_widget_message_link_preview`. A channel page always has
//! `.tgme_channel_history`, and a page of it without posts says so
//! (`.tme_no_messages_found`); a page without either (a login page, "this
//! channel can't be displayed", a changed layout) is an error, never an
//! empty channel. Older posts are at `?before=ID`.
//!
//! No I/O here: the pipeline fetches and decides what to read.

use crate::model::{Article, FeedItem, Lang};
use chrono::{DateTime, Utc};
use once_cell::sync::Lazy;
use scraper::{ElementRef, Html, Selector};
use std::collections::HashSet;

/// Posts read from one page (the preview serves about 20).
pub const MAX_POSTS: usize = 100;
/// A post with a news link and less text than this is read through the
/// linked article; a longer post is an article in itself.
pub const SHORT_POST_CHARS: usize = 400;

/// One post of a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    /// Message id within the channel.
    pub id: u64,
    /// `ORIGIN/NAME/ID`, the post's own address.
    pub url: String,
    pub published: Option<DateTime<Utc>>,
    /// Plain text, paragraphs separated by `\n`.
    pub text: String,
    /// http(s) links in the text and the link preview, in order, unique.
    pub links: Vec<String>,
    /// The channel or user a forwarded post comes from.
    pub forwarded_from: Option<String>,
    /// A photo, video or document is attached.
    pub has_media: bool,
}

/// One page of a channel's preview.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChannelPage {
    pub title: Option<String>,
    /// As on the page: oldest first.
    pub posts: Vec<Post>,
}

impl ChannelPage {
    /// The smallest post id, for the `?before=` of the next older page.
    pub fn oldest_id(&self) -> Option<u64> {
        self.posts.iter().map(|p| p.id).min()
    }
}

/// Why a page is not a channel's preview.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TelegramError {
    #[error("{0:?} is not a Telegram channel name (5–32 letters, digits, underscores)")]
    BadName(String),
    #[error("not a channel preview page ({0}); the channel may be private, renamed, or not shown on t.me/s/")]
    NotAChannel(String),
    #[error("the channel page was redirected to {0}; the public preview is not available")]
    Redirected(String),
}

impl TelegramError {
    /// Stable label for metrics and the database.
    pub fn kind(&self) -> &'static str {
        match self {
            TelegramError::BadName(_) => "telegram_name",
            TelegramError::NotAChannel(_) => "telegram_not_channel",
            TelegramError::Redirected(_) => "telegram_redirect",
        }
    }
}

/// Whether `name` can be a public channel's username.
pub fn valid_channel_name(name: &str) -> bool {
    (4..=64).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && name.as_bytes()[0].is_ascii_alphabetic()
}

/// The public preview of `channel`.
pub fn preview_url(channel: &str) -> String {
    format!("https://t.me/s/{channel}")
}

/// `base` (the channel's preview URL) with `?before=ID`.
pub fn before_url(base: &str, id: u64) -> Option<String> {
    let mut u = url::Url::parse(base).ok()?;
    u.query_pairs_mut()
        .clear()
        .append_pair("before", &id.to_string());
    Some(u.to_string())
}

/// A fetched page must come from the preview path it was asked for: t.me
/// answers a channel without a public preview with a redirect to `/NAME`,
/// and a login wall is a redirect elsewhere.
pub fn check_final_url(requested: &str, final_url: &str) -> Result<(), TelegramError> {
    let path = |u: &str| {
        url::Url::parse(u)
            .ok()
            .map(|u| u.path().to_ascii_lowercase())
    };
    if path(requested) == path(final_url) {
        Ok(())
    } else {
        Err(TelegramError::Redirected(final_url.to_string()))
    }
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|_| unreachable!("static selector {s}"))
}

static HISTORY: Lazy<Selector> = Lazy::new(|| sel(".tgme_channel_history"));
static MESSAGE: Lazy<Selector> = Lazy::new(|| sel("div.tgme_widget_message[data-post]"));
static TEXT: Lazy<Selector> =
    Lazy::new(|| sel(".tgme_widget_message_bubble > .tgme_widget_message_text"));
static TIME: Lazy<Selector> = Lazy::new(|| sel(".tgme_widget_message_date time[datetime]"));
static FORWARDED: Lazy<Selector> = Lazy::new(|| sel(".tgme_widget_message_forwarded_from_name"));
static PREVIEW: Lazy<Selector> = Lazy::new(|| sel("a.tgme_widget_message_link_preview[href]"));
static ANCHOR: Lazy<Selector> = Lazy::new(|| sel("a[href]"));
static MEDIA: Lazy<Selector> = Lazy::new(|| {
    sel(
        ".tgme_widget_message_photo_wrap, .tgme_widget_message_video_player, \
         .tgme_widget_message_document, .tgme_widget_message_grouped_wrap",
    )
});
static NO_POSTS: Lazy<Selector> = Lazy::new(|| sel(".tme_no_messages_found"));
static CHANNEL_TITLE: Lazy<Selector> = Lazy::new(|| sel(".tgme_channel_info_header_title"));

/// Reads one preview page of `channel`, fetched from `page_url`.
pub fn parse_channel(
    html: &str,
    page_url: &str,
    channel: &str,
) -> Result<ChannelPage, TelegramError> {
    if !valid_channel_name(channel) {
        return Err(TelegramError::BadName(channel.to_string()));
    }
    let prepared = crate::article::guard::prepare(
        html,
        super::html_list::MAX_HTML_BYTES,
        super::html_list::MAX_DEPTH,
    );
    let doc = Html::parse_document(&prepared.html);
    if doc.select(&HISTORY).next().is_none() {
        return Err(TelegramError::NotAChannel(
            "no .tgme_channel_history on the page".into(),
        ));
    }
    let origin = url::Url::parse(page_url)
        .ok()
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|| "https://t.me".into());
    let mut seen = HashSet::new();
    let mut posts = Vec::new();
    for m in doc.select(&MESSAGE).take(MAX_POSTS) {
        let Some(post) = read_post(m, channel, &origin) else {
            continue;
        };
        if seen.insert(post.id) {
            posts.push(post);
        }
    }
    if posts.is_empty() && doc.select(&NO_POSTS).next().is_none() {
        // Telegram marks an empty page; a page with neither posts nor the
        // mark is one whose structure no longer matches.
        return Err(TelegramError::NotAChannel(
            "no div.tgme_widget_message[data-post] posts and no 'no posts' notice".into(),
        ));
    }
    Ok(ChannelPage {
        title: doc
            .select(&CHANNEL_TITLE)
            .next()
            .map(|t| crate::text::collapse_whitespace(&t.text().collect::<String>()))
            .filter(|t| !t.is_empty()),
        posts,
    })
}

fn read_post(m: ElementRef<'_>, channel: &str, origin: &str) -> Option<Post> {
    let data_post = m.value().attr("data-post")?;
    let (name, id) = data_post.rsplit_once('/')?;
    if !name.eq_ignore_ascii_case(channel) {
        return None;
    }
    let id: u64 = id.trim().parse().ok()?;
    let text_el = m.select(&TEXT).next();
    let text = text_el.map(paragraph_text).unwrap_or_default();
    let mut links: Vec<String> = Vec::new();
    let anchors = text_el
        .into_iter()
        .flat_map(|t| t.select(&ANCHOR))
        .chain(m.select(&PREVIEW));
    for a in anchors {
        let Some(href) = a.value().attr("href") else {
            continue;
        };
        // t.me has written `&amp;` into some hrefs since 2024.
        let href = href.replace("&amp;", "&");
        if let Some(abs) = super::html_list::absolute(&href, None) {
            if !links.contains(&abs) {
                links.push(abs);
            }
        }
    }
    let published = m
        .select(&TIME)
        .next()
        .and_then(|t| t.value().attr("datetime"))
        .and_then(|d| DateTime::parse_from_rfc3339(d.trim()).ok())
        .map(|d| d.with_timezone(&Utc));
    Some(Post {
        id,
        url: format!("{origin}/{name}/{id}"),
        published,
        text,
        links,
        forwarded_from: m
            .select(&FORWARDED)
            .next()
            .map(|f| crate::text::collapse_whitespace(&f.text().collect::<String>()))
            .filter(|f| !f.is_empty()),
        has_media: m.select(&MEDIA).next().is_some(),
    })
}

/// Text with `<br>` as line breaks, each line's whitespace collapsed.
fn paragraph_text(e: ElementRef<'_>) -> String {
    let mut raw = String::new();
    for node in e.descendants() {
        match node.value() {
            scraper::Node::Text(t) => raw.push_str(t),
            scraper::Node::Element(el) if matches!(el.name(), "br" | "p" | "div") => raw.push('\n'),
            _ => {}
        }
    }
    raw.lines()
        .map(crate::text::collapse_whitespace)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Hosts whose links are not news articles: Telegram itself, social
/// networks, messengers, video.
const NOT_NEWS: &[&str] = &[
    "t.me",
    "telegram.me",
    "telegram.org",
    "telegra.ph",
    "instagram.com",
    "facebook.com",
    "fb.com",
    "youtube.com",
    "youtu.be",
    "x.com",
    "twitter.com",
    "tiktok.com",
    "vk.com",
    "ok.ru",
    "wa.me",
    "whatsapp.com",
    "threads.net",
];

/// The news article a short post points to, if any: its first link to a
/// host that is not Telegram or a social network. A long post is read as
/// it stands.
pub fn news_link(post: &Post) -> Option<&str> {
    if post.text.chars().count() >= SHORT_POST_CHARS {
        return None;
    }
    post.links.iter().map(String::as_str).find(|l| {
        url::Url::parse(l)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
            .is_some_and(|h| {
                !NOT_NEWS
                    .iter()
                    .any(|n| h == *n || h.ends_with(&format!(".{n}")))
            })
    })
}

/// The post as a feed item: keyed by its own URL, titled by its first line.
pub fn post_item(post: &Post) -> FeedItem {
    let title = post.text.lines().next().map(|l| {
        let mut t: String = l.chars().take(160).collect();
        if l.chars().count() > 160 {
            t.push('…');
        }
        t
    });
    FeedItem {
        key: format!("u:{}", super::normalize_url(&post.url)),
        guid: Some(post.url.clone()),
        link: Some(post.url.clone()),
        title,
        summary: Some(post.text.clone()).filter(|t| !t.is_empty()),
        published: post.published,
    }
}

/// The post's own text as an article, its URL the post's; `None` for a
/// post without text (a photo alone).
pub fn post_article(post: &Post, channel: &str, lang: Option<Lang>) -> Option<Article> {
    if post.text.trim().is_empty() {
        return None;
    }
    Some(Article {
        url: post.url.clone(),
        canonical_url: None,
        title: None,
        text: post.text.clone(),
        published: post.published.map(|d| d.fixed_offset()),
        lang: crate::text::identify_lang(&post.text).or(lang),
        outlet: Some(format!("t.me/{channel}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(id: u64, inner: &str) -> String {
        format!(
            r#"<div class="tgme_widget_message_wrap"><div class="tgme_widget_message" data-post="akmola_news/{id}">
            <div class="tgme_widget_message_bubble">{inner}
            <div class="tgme_widget_message_footer"><a class="tgme_widget_message_date" href="https://t.me/akmola_news/{id}">
            <time datetime="2025-03-12T04:{id:02}:00+00:00" class="time">09:{id:02}</time></a></div></div></div></div>"#
        )
    }

    fn page(body: &str) -> String {
        format!(
            r#"<html><body><div class="tgme_channel_info_header_title">Ақмола жаңалықтары</div>
            <section class="tgme_channel_history js-message_history">{body}</section></body></html>"#
        )
    }

    #[test]
    fn posts_text_links_forwards_and_photos() {
        let body = [
            msg(10, r#"<div class="tgme_widget_message_text">Бірінші жол<br/>Екінші <a href="https://news.example/kk/1">жол</a> <a href="https://t.me/other">@other</a></div>"#),
            msg(11, r#"<div class="tgme_widget_message_forwarded_from">Forwarded from <a class="tgme_widget_message_forwarded_from_name" href="https://t.me/x"><span>Басқа арна</span></a></div>
                 <div class="tgme_widget_message_reply"><div class="tgme_widget_message_text">квота</div></div>
                 <div class="tgme_widget_message_text">Өз мәтіні</div>"#),
            msg(12, r#"<a class="tgme_widget_message_photo_wrap" href="https://t.me/akmola_news/12" style="background-image:url('x')"></a>"#),
            msg(12, r#"<div class="tgme_widget_message_text">қайталанған</div>"#),
        ]
        .concat();
        let p = parse_channel(&page(&body), "https://t.me/s/akmola_news", "akmola_news").unwrap();
        assert_eq!(p.title.as_deref(), Some("Ақмола жаңалықтары"));
        assert_eq!(p.posts.len(), 3, "{p:#?}");
        let a = &p.posts[0];
        assert_eq!(a.url, "https://t.me/akmola_news/10");
        assert_eq!(a.text, "Бірінші жол\nЕкінші жол @other");
        assert_eq!(a.links, ["https://news.example/kk/1", "https://t.me/other"]);
        assert_eq!(news_link(a), Some("https://news.example/kk/1"));
        assert_eq!(
            a.published.map(|d| d.to_rfc3339()),
            Some("2025-03-12T04:10:00+00:00".into())
        );
        let f = &p.posts[1];
        assert_eq!(f.forwarded_from.as_deref(), Some("Басқа арна"));
        assert_eq!(
            f.text, "Өз мәтіні",
            "the quoted reply is not the post's text"
        );
        assert_eq!(news_link(f), None);
        let photo = &p.posts[2];
        assert!(photo.has_media && photo.text.is_empty());
        assert!(post_article(photo, "akmola_news", None).is_none());
        assert_eq!(p.oldest_id(), Some(10));
        let item = post_item(a);
        assert_eq!(item.key, "u:https://t.me/akmola_news/10");
        assert_eq!(item.title.as_deref(), Some("Бірінші жол"));
    }

    #[test]
    fn a_page_that_is_not_a_channel_is_an_error() {
        let login = "<html><body><form action=/login>Log in to Telegram</form></body></html>";
        let e = parse_channel(login, "https://t.me/s/akmola_news", "akmola_news").unwrap_err();
        assert_eq!(e.kind(), "telegram_not_channel");
        let none = r#"<div class="tme_no_messages_found">No posts found</div>"#;
        let empty =
            parse_channel(&page(none), "https://t.me/s/akmola_news", "akmola_news").unwrap();
        assert!(empty.posts.is_empty());
        let redesigned = page(&msg(5, "").replace("tgme_widget_message\"", "tg_post\""));
        let e =
            parse_channel(&redesigned, "https://t.me/s/akmola_news", "akmola_news").unwrap_err();
        assert_eq!(e.kind(), "telegram_not_channel", "{e}");
        assert!(check_final_url("https://t.me/s/akmola_news", "https://t.me/akmola_news").is_err());
        assert!(check_final_url(
            "https://t.me/s/akmola_news",
            "https://t.me/s/akmola_news?before=5"
        )
        .is_ok());
        assert_eq!(
            before_url("http://127.0.0.1:8/s/akmola_news", 21).as_deref(),
            Some("http://127.0.0.1:8/s/akmola_news?before=21")
        );
        assert!(!valid_channel_name("../etc"));
        assert!(valid_channel_name("akmola_news"));
    }
}
