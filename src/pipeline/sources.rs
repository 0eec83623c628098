//! The per-feed flow for sources without a feed: a site's news list
//! (`kind = "html"`, [`crate::feed::html_list`]) and a public Telegram
//! channel (`kind = "telegram"`, [`crate::feed::telegram`]).
//!
//! Same shape as [`Pipeline::refresh_feed`] for feeds: the first page is
//! fetched like a feed (conditional GET, limits, address guard; a 304 ends
//! the refresh), its items are keyed and compared with the store, and new
//! ones go through article → detect → store in the one transaction of
//! `record_success`. What differs:
//!
//! * **Paging.** While every item of a page is new and `max_pages` is not
//!   reached, the next older page is read (the `next` link or `page_url`
//!   template of a list; `?before=OLDEST_ID` of a channel). On a first poll
//!   that pages back through the list; later, page 1 holds known items and
//!   paging stops, unless more than a page was published since.
//! * **A page the selectors do not fit is the feed's error**, recorded like a
//!   parse error (`list_no_match`, `telegram_not_channel`,
//!   `telegram_redirect`), never an empty refresh. On later pages the same
//!   only stops paging.
//! * **A Telegram post is its own article** (its URL is the source), unless
//!   it is short and links to a news site: then the linked article is read,
//!   and the post's text is the fallback when that fails or finds nothing.

use super::{FeedOutcome, Pipeline, PipelineError, Success, EXTRACT_TIMEOUT};
use crate::config::{FeedConfig, FeedKind};
use crate::feed::html_list::{self, ListSelectors};
use crate::feed::telegram::{self, Post};
use crate::fetch::{FeedResponse, FetchError};
use crate::metrics::Metrics;
use crate::model::{DetectInput, FeedItem, Lang, Validators};
use crate::store::{FeedRow, NewItem};
use chrono::{DateTime, FixedOffset, Utc};
use futures_util::stream::{self, StreamExt};
use std::collections::HashSet;
use tracing::{debug, warn};

/// Pages read in one poll when the entry does not say.
pub const DEFAULT_MAX_PAGES: u32 = 3;

/// One source item, and for a channel the post behind it.
type Entry = (FeedItem, Option<Post>);

/// Why a page could not be read: (kind label, message).
type PageError = (&'static str, String);

/// A page's entries and the address of the next older page.
type PageEntries = (Vec<Entry>, Option<String>);

impl Pipeline {
    /// The configured entry of `feed` when it is a list page or a channel.
    pub(super) fn source_config(&self, feed: &FeedRow) -> Option<FeedConfig> {
        if feed.origin != "config" {
            return None;
        }
        self.config
            .feeds
            .iter()
            .find(|f| f.name == feed.name && f.kind != FeedKind::Feed)
            .cloned()
    }

    /// The per-feed flow of a list page or channel (see the module docs).
    pub(super) async fn refresh_source(
        &self,
        feed: FeedRow,
        src: FeedConfig,
        now: DateTime<Utc>,
    ) -> Result<FeedOutcome, PipelineError> {
        let first = self
            .fetcher
            .fetch_listing(&feed.url, &feed.validators)
            .await;
        let (text, final_url, validators, max_age, permanent_redirect_to) = match first {
            Err(e) => {
                return self
                    .record_failure(
                        &feed,
                        now,
                        e.kind(),
                        &e.to_string(),
                        e.retry_after(),
                        matches!(e, FetchError::Gone),
                    )
                    .await
            }
            Ok(FeedResponse::NotModified {
                validators,
                max_age,
                permanent_redirect_to,
            }) => {
                debug!("not modified");
                let ok = Success {
                    validators,
                    permanent_redirect_to,
                    max_age,
                    ttl_minutes: None,
                    not_modified: true,
                    items: Vec::new(),
                };
                return self.record_success(feed, now, ok).await;
            }
            Ok(FeedResponse::Fetched {
                text,
                final_url,
                validators,
                max_age,
                permanent_redirect_to,
                ..
            }) => (text, final_url, validators, max_age, permanent_redirect_to),
        };
        let fresh = match self
            .collect_pages(&feed, &src, text, final_url, now)
            .await?
        {
            Ok(f) => f,
            Err((kind, message)) => {
                return self
                    .record_failure(&feed, now, kind, &message, None, false)
                    .await
            }
        };
        Metrics::add(&self.metrics.items_new, fresh.len() as u64);
        let first_poll = feed.last_success_at.is_none();
        let items = self
            .process_entries(&feed, &src, fresh, first_poll, now)
            .await;
        let ok = Success {
            validators,
            permanent_redirect_to,
            max_age,
            ttl_minutes: None,
            not_modified: false,
            items,
        };
        self.record_success(feed, now, ok).await
    }

    /// Reads page after page while each is entirely new; returns the items
    /// the store has not seen, or the first page's error.
    async fn collect_pages(
        &self,
        feed: &FeedRow,
        src: &FeedConfig,
        mut text: String,
        mut final_url: String,
        now: DateTime<Utc>,
    ) -> Result<Result<Vec<Entry>, PageError>, PipelineError> {
        let max_pages = src.max_pages.unwrap_or(DEFAULT_MAX_PAGES).max(1);
        let mut requested = feed.url.clone();
        let mut fresh: Vec<Entry> = Vec::new();
        let mut taken: HashSet<String> = HashSet::new();
        let mut page_no = 1u32;
        loop {
            let parsed = self
                .parse_source_page(src, &feed.url, text, &requested, &final_url, now, page_no)
                .await?;
            let (entries, next) = match parsed {
                Ok(p) => p,
                Err(e) if page_no == 1 => return Ok(Err(e)),
                Err((_, message)) => {
                    warn!(page = page_no, error = %message, "later page unreadable; paging stopped");
                    break;
                }
            };
            let keys: Vec<String> = entries.iter().map(|(i, _)| i.key.clone()).collect();
            let fid = feed.id;
            let unseen = self
                .db
                .call(move |s| s.unseen_item_keys(fid, &keys))
                .await?;
            let unseen: HashSet<String> = unseen.into_iter().collect();
            let all_new = !entries.is_empty()
                && entries
                    .iter()
                    .all(|(i, _)| unseen.contains(&i.key) && !taken.contains(&i.key));
            for (item, post) in entries {
                if unseen.contains(&item.key) && taken.insert(item.key.clone()) {
                    fresh.push((item, post));
                }
            }
            if !all_new || page_no >= max_pages {
                break;
            }
            let Some(next_url) = next else { break };
            match self
                .fetcher
                .fetch_listing(&next_url, &Validators::default())
                .await
            {
                Ok(FeedResponse::Fetched {
                    text: t,
                    final_url: f,
                    ..
                }) => {
                    text = t;
                    final_url = f;
                    requested = next_url;
                    page_no += 1;
                }
                Ok(FeedResponse::NotModified { .. }) => break,
                Err(e) => {
                    warn!(page = page_no + 1, url = %next_url, error = %e, "next page not fetched; paging stopped");
                    break;
                }
            }
        }
        Ok(Ok(fresh))
    }

    /// Parses one page off the runtime threads (a hostile page is CPU work),
    /// under the extraction timeout.
    #[allow(clippy::too_many_arguments)]
    async fn parse_source_page(
        &self,
        src: &FeedConfig,
        base_url: &str,
        text: String,
        requested: &str,
        final_url: &str,
        now: DateTime<Utc>,
        page_no: u32,
    ) -> Result<Result<PageEntries, PageError>, PipelineError> {
        let local_now = now.with_timezone(&self.extract_options.local_offset);
        let (src, base, requested, final_url) = (
            src.clone(),
            base_url.to_string(),
            requested.to_string(),
            final_url.to_string(),
        );
        let task = tokio::task::spawn_blocking(move || {
            parse_page(
                &src, &base, &text, &requested, &final_url, local_now, page_no,
            )
        });
        match tokio::time::timeout(EXTRACT_TIMEOUT, task).await {
            Ok(joined) => Ok(joined?),
            Err(_) => Ok(Err((
                "parse_timeout",
                format!("reading the page took longer than {EXTRACT_TIMEOUT:?}"),
            ))),
        }
    }

    /// Articles and detection for the new entries, a few at a time; items
    /// older than `first_poll_max_age_days` on a first poll are stored only.
    async fn process_entries(
        &self,
        feed: &FeedRow,
        src: &FeedConfig,
        entries: Vec<Entry>,
        first_poll: bool,
        now: DateTime<Utc>,
    ) -> Vec<NewItem> {
        let max_age =
            chrono::Duration::days(i64::from(self.config.polling.first_poll_max_age_days));
        let channel = src.channel.clone().unwrap_or_default();
        stream::iter(entries)
            .map(|(item, post)| {
                let skip = first_poll
                    && max_age > chrono::Duration::zero()
                    && item.published.is_some_and(|p| now - p > max_age);
                let channel = channel.as_str();
                async move {
                    if skip {
                        return NewItem {
                            item,
                            article: None,
                            article_error: Some(
                                "older than first_poll_max_age_days; not analysed".into(),
                            ),
                            changes: Vec::new(),
                        };
                    }
                    match post {
                        Some(p) => self.process_post(feed.lang, channel, item, p).await,
                        None => self.process_item(feed.lang, item).await,
                    }
                }
            })
            .buffer_unordered(4)
            .collect()
            .await
    }

    /// A post: the linked news article when the post is short and links to
    /// one (and reading it finds a change), else the post's own text.
    async fn process_post(
        &self,
        feed_lang: Option<Lang>,
        channel: &str,
        item: FeedItem,
        post: Post,
    ) -> NewItem {
        let own = telegram::post_article(&post, channel, feed_lang);
        let mut article_error = None;
        if let (Some(link), true) = (
            telegram::news_link(&post),
            self.config.polling.fetch_articles,
        ) {
            match self.fetch_article(link).await {
                Ok(a) => {
                    let changes = self.detect_item(&item, Some(&a), feed_lang);
                    if !changes.is_empty() || own.is_none() {
                        return NewItem {
                            item,
                            article: Some(a),
                            article_error: None,
                            changes,
                        };
                    }
                }
                Err(e) => {
                    debug!(link = %link, error = %e, "linked article not read; using the post's text");
                    article_error = Some(e.to_string());
                }
            }
        }
        let changes = own
            .as_ref()
            .map(|a| {
                // The post's first line is its title in the item; detection
                // reads the text once.
                self.detect_confident(&DetectInput {
                    title: "",
                    text: &a.text,
                    lang: a.lang.or(feed_lang),
                    published: a.published.map(|d| d.date_naive()),
                })
            })
            .unwrap_or_default();
        NewItem {
            item,
            article: own,
            article_error,
            changes,
        }
    }
}

/// One fetched page → its entries and the next older page, or the error a
/// page that does not fit the source is.
fn parse_page(
    src: &FeedConfig,
    base_url: &str,
    text: &str,
    requested: &str,
    final_url: &str,
    now: DateTime<FixedOffset>,
    page_no: u32,
) -> Result<PageEntries, PageError> {
    match src.kind {
        FeedKind::Telegram => {
            let channel = src.channel.as_deref().unwrap_or_default();
            let err = |e: telegram::TelegramError| (e.kind(), e.to_string());
            telegram::check_final_url(requested, final_url).map_err(err)?;
            let page = telegram::parse_channel(text, final_url, channel).map_err(err)?;
            let next = page
                .oldest_id()
                .and_then(|id| telegram::before_url(base_url, id));
            let entries = page
                .posts
                .into_iter()
                .map(|p| (telegram::post_item(&p), Some(p)))
                .collect();
            Ok((entries, next))
        }
        _ => {
            let default = ListSelectors::default();
            let sel = src.select.as_ref().unwrap_or(&default);
            let page = html_list::parse_list(text, final_url, sel, now)
                .map_err(|e| (e.kind(), e.to_string()))?;
            let next = page
                .next_url
                .clone()
                .or_else(|| html_list::template_page(sel, base_url, page_no + 1));
            Ok((page.items.into_iter().map(|i| (i, None)).collect(), next))
        }
    }
}
