//! Configuration: the TOML file, parsed with serde and validated in one pass.
//!
//! A user who edits the config wants to see *every* mistake at once, with the
//! key and line, not fix them one run at a time. `toml` + serde stop at the
//! first error, so the file is first parsed into a TOML table, then each
//! section (and each element of `[[feeds]]`, `[[site_rules]]`, `[[digests]]`)
//! is deserialised on its own and every failure is collected; semantic checks
//! (URLs, duplicate names, intervals, cron expressions, bind addresses) run on
//! whatever parsed. Line numbers come from `toml_edit`'s spans.
//!
//! Units are in the key names (`poll_interval_secs`, `max_body_bytes`), as in
//! vector's configuration, so a value never needs a comment to be read right.
//!
//! The shipped example `config/branchwatch.toml` is embedded and is the default
//! when no file is given.

use crate::article::SiteRule;
use crate::digest::DigestSpec;
use crate::mail::SmtpSettings;
use crate::model::{FeedSpec, Lang};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The shipped, commented example; also the default configuration.
pub const EXAMPLE: &str = include_str!("../../config/branchwatch.toml");

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub storage: Storage,
    #[serde(default)]
    pub polling: Polling,
    #[serde(default)]
    pub feeds: Vec<FeedConfig>,
    #[serde(default)]
    pub site_rules: Vec<SiteRule>,
    #[serde(default)]
    pub detection: Detection,
    #[serde(default)]
    pub digests: Vec<DigestSpec>,
    pub smtp: Option<SmtpSettings>,
    #[serde(default)]
    pub api: Api,
    #[serde(default)]
    pub logging: Logging,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Storage {
    /// SQLite file. A relative path is resolved against `$STATE_DIRECTORY`
    /// (set by systemd's `StateDirectory=`) when set, else the working directory.
    pub database: PathBuf,
}

impl Default for Storage {
    fn default() -> Self {
        Storage {
            database: PathBuf::from("branchwatch.sqlite"),
        }
    }
}

impl Storage {
    pub fn database_path(&self) -> PathBuf {
        if self.database.is_absolute() {
            return self.database.clone();
        }
        match std::env::var_os("STATE_DIRECTORY") {
            // systemd may pass several colon-separated directories; the first is ours.
            Some(dirs) => {
                let first = dirs
                    .to_string_lossy()
                    .split(':')
                    .next()
                    .unwrap_or("")
                    .to_string();
                PathBuf::from(first).join(&self.database)
            }
            None => self.database.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Polling {
    pub default_interval_secs: u64,
    pub min_interval_secs: u64,
    pub max_interval_secs: u64,
    /// Longest wait between retries of a failing feed; it is never given up.
    pub backoff_cap_secs: u64,
    /// Consecutive errors after which a feed is reported as failing.
    pub failing_after_errors: u32,
    /// Random spread of each interval, as a fraction (0.1 = ±10%).
    pub jitter_fraction: f64,
    pub connect_timeout_secs: u64,
    pub total_timeout_secs: u64,
    /// Limit on the decompressed body of one response.
    pub max_body_bytes: usize,
    pub max_redirects: usize,
    pub global_concurrency: usize,
    pub per_host_concurrency: usize,
    /// Minimum gap between two requests to the same host.
    pub per_host_spacing_ms: u64,
    /// Sent with every request; name a URL or mailbox where site owners can reach you.
    pub user_agent: String,
    /// Allow feeds and articles on loopback/private addresses (the demo and tests do).
    pub allow_private_addresses: bool,
    pub respect_robots_txt: bool,
    /// Fetch and extract the linked article of each new item; otherwise only
    /// the feed's title and summary are read.
    pub fetch_articles: bool,
    /// Items older than this are stored but not fetched or analysed on a feed's
    /// first poll, so adding a feed does not crawl its whole archive. 0: no limit.
    pub first_poll_max_age_days: u32,
}

impl Default for Polling {
    fn default() -> Self {
        Polling {
            default_interval_secs: 900,
            min_interval_secs: 300,
            max_interval_secs: 6 * 3600,
            backoff_cap_secs: 6 * 3600,
            failing_after_errors: 5,
            jitter_fraction: 0.1,
            connect_timeout_secs: 10,
            total_timeout_secs: 30,
            max_body_bytes: 8 * 1024 * 1024,
            max_redirects: 5,
            global_concurrency: 16,
            per_host_concurrency: 2,
            per_host_spacing_ms: 1000,
            user_agent: concat!(
                "branchwatch/",
                env!("CARGO_PKG_VERSION"),
                " (+https://github.com/branchwatch/branchwatch)"
            )
            .to_string(),
            allow_private_addresses: false,
            respect_robots_txt: true,
            fetch_articles: true,
            first_poll_max_age_days: 30,
        }
    }
}

/// What a `[[feeds]]` entry's URL serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FeedKind {
    /// RSS, Atom or JSON Feed (the default).
    #[default]
    #[serde(alias = "rss", alias = "atom")]
    Feed,
    /// A news list page read with CSS selectors (`select`).
    Html,
    /// A public Telegram channel's web preview (`channel`).
    Telegram,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedConfig {
    pub name: String,
    /// For `kind = "telegram"`, defaults to `https://t.me/s/CHANNEL`.
    #[serde(default)]
    pub url: String,
    /// Language of the feed's articles, a hint; the text decides in the end.
    pub lang: Option<Lang>,
    pub poll_interval_secs: Option<u64>,
    /// Host of a `[[site_rules]]` entry to use for this feed's articles,
    /// when they live on a host the rule does not name.
    pub site_rule: Option<String>,
    /// `feed` (default), `html` or `telegram`.
    #[serde(default)]
    pub kind: FeedKind,
    /// `kind = "html"`: the list page's selectors.
    pub select: Option<crate::feed::html_list::ListSelectors>,
    /// `kind = "telegram"`: the public channel's username.
    pub channel: Option<String>,
    /// `html` and `telegram`: most pages read in one poll (default 3).
    pub max_pages: Option<u32>,
}

impl FeedConfig {
    pub fn spec(&self) -> FeedSpec {
        FeedSpec {
            name: self.name.clone(),
            url: self.url.clone(),
            lang: self.lang,
            poll_interval_secs: self.poll_interval_secs,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Detection {
    /// Changes below this confidence are not stored at all.
    pub min_confidence: f32,
    /// Extra language-table files (same format as `data/lang/*.toml`), merged
    /// into the embedded tables: new regions, districts, parties, spellings.
    pub tables: Vec<PathBuf>,
    /// Days within which two reports of the same change are merged.
    pub merge_window_days: u32,
}

impl Default for Detection {
    fn default() -> Self {
        Detection {
            min_confidence: 0.3,
            tables: Vec::new(),
            merge_window_days: 30,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Api {
    pub enabled: bool,
    /// Loopback by default; any other address requires a token.
    pub bind: String,
    /// File holding the bearer token (e.g. a systemd credential). The
    /// `BRANCHWATCH_API_TOKEN` environment variable is read when this is unset.
    pub token_file: Option<PathBuf>,
}

impl Default for Api {
    fn default() -> Self {
        Api {
            enabled: true,
            bind: "127.0.0.1:8077".to_string(),
            token_file: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Plain text for journald when `JOURNAL_STREAM` is set, coloured text on a terminal.
    Auto,
    Text,
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Logging {
    /// A `tracing` filter, e.g. `info` or `branchwatch=debug,reqwest=warn`.
    /// `RUST_LOG` overrides it.
    pub level: String,
    pub format: LogFormat,
}

impl Default for Logging {
    fn default() -> Self {
        Logging {
            level: "info".into(),
            format: LogFormat::Auto,
        }
    }
}

/// One problem found in a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Dotted key path, e.g. `feeds[2].url`.
    pub key: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}: {}", self.key, self.message),
            None => write!(f, "{}: {}", self.key, self.message),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is writable by every user; refusing to use it (chmod o-w {path})")]
    WorldWritable { path: PathBuf },
    #[error("{} has {} problem(s):\n{}", origin, problems.len(),
        problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        origin: String,
        problems: Vec<Problem>,
    },
}

/// Where the configuration came from, for messages.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    /// File path, or `None` for the embedded default.
    pub path: Option<PathBuf>,
}

/// Reads and validates a file. On Unix, a world-writable file is refused:
/// the config names the database, SMTP credentials and the API token file.
pub fn load_file(path: &Path) -> Result<Config, ConfigError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        if meta.permissions().mode() & 0o002 != 0 {
            return Err(ConfigError::WorldWritable {
                path: path.to_path_buf(),
            });
        }
    }
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text).map_err(|problems| ConfigError::Invalid {
        origin: path.display().to_string(),
        problems,
    })
}

/// Finds the configuration: `explicit` (from `--config`), else
/// `$BRANCHWATCH_CONFIG`, else `$CONFIGURATION_DIRECTORY/branchwatch.toml`
/// (systemd's `ConfigurationDirectory=`), else the embedded example.
pub fn locate_and_load(explicit: Option<&Path>) -> Result<Loaded, ConfigError> {
    let candidate = explicit
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("BRANCHWATCH_CONFIG").map(PathBuf::from))
        .or_else(|| {
            std::env::var_os("CONFIGURATION_DIRECTORY")
                .map(|d| PathBuf::from(d).join("branchwatch.toml"))
                .filter(|p| p.exists())
        });
    match candidate {
        Some(path) => Ok(Loaded {
            config: load_file(&path)?,
            path: Some(path),
        }),
        None => Ok(Loaded {
            config: parse(EXAMPLE).map_err(|problems| ConfigError::Invalid {
                origin: "embedded default configuration".into(),
                problems,
            })?,
            path: None,
        }),
    }
}

/// Parses and validates, returning every problem found.
pub fn parse(text: &str) -> Result<Config, Vec<Problem>> {
    let doc = match text.parse::<toml_edit::ImDocument<String>>() {
        Ok(d) => d,
        Err(e) => {
            let line = e.span().map(|s| line_at(text, s.start));
            return Err(vec![Problem {
                key: "(syntax)".into(),
                line,
                message: e.message().trim().to_string(),
            }]);
        }
    };
    let table: toml::Table = match toml::from_str(text) {
        Ok(t) => t,
        Err(e) => {
            return Err(vec![Problem {
                key: "(syntax)".into(),
                line: e.span().map(|s| line_at(text, s.start)),
                message: e.message().trim().to_string(),
            }])
        }
    };
    let mut c = Collector {
        text,
        doc: &doc,
        problems: Vec::new(),
    };
    const KNOWN: &[&str] = &[
        "storage",
        "polling",
        "feeds",
        "site_rules",
        "detection",
        "digests",
        "smtp",
        "api",
        "logging",
    ];
    for key in table.keys() {
        if !KNOWN.contains(&key.as_str()) {
            c.push(
                key,
                format!("unknown section (expected one of: {})", KNOWN.join(", ")),
            );
        }
    }
    let mut config = Config {
        storage: c.section(&table, "storage").unwrap_or_default(),
        polling: c.section(&table, "polling").unwrap_or_default(),
        feeds: c.array(&table, "feeds"),
        site_rules: c.array(&table, "site_rules"),
        detection: c.section(&table, "detection").unwrap_or_default(),
        digests: c.array(&table, "digests"),
        smtp: c.section(&table, "smtp"),
        api: c.section(&table, "api").unwrap_or_default(),
        logging: c.section(&table, "logging").unwrap_or_default(),
    };
    default_source_urls(&mut config.feeds);
    c.validate(&config);
    if c.problems.is_empty() {
        Ok(config)
    } else {
        Err(c.problems)
    }
}

/// A Telegram entry without `url` polls the channel's public preview.
fn default_source_urls(feeds: &mut [FeedConfig]) {
    for f in feeds {
        if let (FeedKind::Telegram, true, Some(ch)) = (f.kind, f.url.is_empty(), &f.channel) {
            f.url = crate::feed::telegram::preview_url(ch);
        }
    }
}

fn line_at(text: &str, offset: usize) -> usize {
    text.get(..offset).map_or(0, |t| t.matches('\n').count()) + 1
}

struct Collector<'a> {
    text: &'a str,
    doc: &'a toml_edit::ImDocument<String>,
    problems: Vec<Problem>,
}

impl Collector<'_> {
    /// Line of a key path such as `feeds[2].url`, as far down the path as it exists.
    fn line_of(&self, key: &str) -> Option<usize> {
        let mut item: &toml_edit::Item = self.doc.as_item();
        let mut span = None;
        for part in key.split('.') {
            let (name, index) = match part.split_once('[') {
                Some((n, rest)) => (n, rest.trim_end_matches(']').parse::<usize>().ok()),
                None => (part, None),
            };
            let Some(next) = item.get(name) else { break };
            item = next;
            span = item.span().or(span);
            if let Some(i) = index {
                let Some(next) = item.get(i) else { break };
                item = next;
                span = item.span().or(span);
            }
        }
        span.map(|s| line_at(self.text, s.start))
    }

    fn push(&mut self, key: &str, message: impl Into<String>) {
        let line = self.line_of(key);
        self.problems.push(Problem {
            key: key.to_string(),
            line,
            message: message.into(),
        });
    }

    fn decode<T: DeserializeOwned>(&mut self, key: &str, value: &toml::Value) -> Option<T> {
        match T::deserialize(value.clone()) {
            Ok(v) => Some(v),
            Err(e) => {
                // serde names the offending field inside the section; keep its words.
                let msg = e.message().trim().to_string();
                let key = field_in_message(&msg)
                    .map(|f| format!("{key}.{f}"))
                    .unwrap_or_else(|| key.to_string());
                self.push(&key, msg);
                None
            }
        }
    }

    fn section<T: DeserializeOwned>(&mut self, table: &toml::Table, name: &str) -> Option<T> {
        let v = table.get(name)?;
        if !v.is_table() {
            self.push(name, "must be a table ([section])");
            return None;
        }
        self.decode(name, v)
    }

    fn array<T: DeserializeOwned>(&mut self, table: &toml::Table, name: &str) -> Vec<T> {
        let Some(v) = table.get(name) else {
            return Vec::new();
        };
        let Some(items) = v.as_array() else {
            self.push(name, "must be an array of tables ([[section]])");
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| self.decode(&format!("{name}[{i}]"), item))
            .collect()
    }

    fn validate(&mut self, c: &Config) {
        self.validate_polling(c);
        self.validate_feeds(c);
        self.validate_site_rules(c);
        self.validate_digests(c);
        self.validate_api_and_logging(c);
    }

    fn validate_polling(&mut self, c: &Config) {
        let p = &c.polling;
        if p.min_interval_secs == 0 {
            self.push("polling.min_interval_secs", "must be at least 1");
        }
        if p.min_interval_secs > p.max_interval_secs {
            self.push(
                "polling.min_interval_secs",
                format!(
                    "{} is above max_interval_secs ({})",
                    p.min_interval_secs, p.max_interval_secs
                ),
            );
        }
        if !(p.min_interval_secs..=p.max_interval_secs).contains(&p.default_interval_secs) {
            self.push(
                "polling.default_interval_secs",
                "must lie between min_interval_secs and max_interval_secs",
            );
        }
        if !(0.0..=0.5).contains(&p.jitter_fraction) {
            self.push("polling.jitter_fraction", "must be between 0.0 and 0.5");
        }
        for (k, v) in [
            ("polling.global_concurrency", p.global_concurrency),
            ("polling.per_host_concurrency", p.per_host_concurrency),
            ("polling.max_body_bytes", p.max_body_bytes),
        ] {
            if v == 0 {
                self.push(k, "must be at least 1");
            }
        }
        if p.total_timeout_secs == 0 || p.connect_timeout_secs == 0 {
            self.push(
                "polling.total_timeout_secs",
                "timeouts must be at least 1 second",
            );
        }
        if p.user_agent.trim().is_empty() {
            self.push("polling.user_agent", "must not be empty");
        }
    }

    fn validate_feeds(&mut self, c: &Config) {
        let p = &c.polling;
        let mut names = HashSet::new();
        let mut urls = HashSet::new();
        let rule_hosts: HashSet<&str> = c.site_rules.iter().map(|r| r.host.as_str()).collect();
        for (i, f) in c.feeds.iter().enumerate() {
            if f.name.trim().is_empty() {
                self.push(&format!("feeds[{i}].name"), "must not be empty");
            } else if !names.insert(f.name.as_str()) {
                self.push(
                    &format!("feeds[{i}].name"),
                    format!("duplicate feed name {:?}", f.name),
                );
            }
            match url::Url::parse(&f.url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => {
                    if !urls.insert(f.url.as_str()) {
                        self.push(
                            &format!("feeds[{i}].url"),
                            format!("duplicate feed URL {:?}", f.url),
                        );
                    }
                }
                Ok(u) => self.push(
                    &format!("feeds[{i}].url"),
                    format!("scheme {:?} is not http or https", u.scheme()),
                ),
                Err(e) => self.push(
                    &format!("feeds[{i}].url"),
                    format!("{:?} is not a URL: {e}", f.url),
                ),
            }
            if let Some(s) = f.poll_interval_secs {
                if s < p.min_interval_secs || s > p.max_interval_secs {
                    self.push(
                        &format!("feeds[{i}].poll_interval_secs"),
                        format!(
                            "{s} is outside polling.min_interval_secs..max_interval_secs ({}..{})",
                            p.min_interval_secs, p.max_interval_secs
                        ),
                    );
                }
            }
            for problem in source_problems(f) {
                self.push(&format!("feeds[{i}]"), problem);
            }
            if let Some(r) = &f.site_rule {
                if !rule_hosts.contains(r.as_str()) {
                    self.push(
                        &format!("feeds[{i}].site_rule"),
                        format!("no [[site_rules]] entry has host {r:?}"),
                    );
                }
            }
        }
    }

    fn validate_site_rules(&mut self, c: &Config) {
        for (i, r) in c.site_rules.iter().enumerate() {
            for (j, sel) in r.content.iter().chain(r.remove.iter()).enumerate() {
                if let Err(e) = scraper::Selector::parse(sel) {
                    self.push(
                        &format!("site_rules[{i}]"),
                        format!("selector #{j} {sel:?} is not valid CSS: {e}"),
                    );
                }
            }
            if r.content.is_empty() {
                self.push(
                    &format!("site_rules[{i}].content"),
                    "needs at least one selector",
                );
            }
        }
    }

    /// Detection threshold, digests and the SMTP server they need.
    fn validate_digests(&mut self, c: &Config) {
        if !(0.0..=1.0).contains(&c.detection.min_confidence) {
            self.push("detection.min_confidence", "must be between 0.0 and 1.0");
        }
        let mut digest_names = HashSet::new();
        for (i, d) in c.digests.iter().enumerate() {
            if !digest_names.insert(d.name.as_str()) {
                self.push(
                    &format!("digests[{i}].name"),
                    format!("duplicate digest name {:?}", d.name),
                );
            }
            for problem in d.validate() {
                // DigestSpec::validate names the field first ("schedule: ...").
                let (field, msg) = problem
                    .split_once(": ")
                    .filter(|(f, _)| !f.contains(' '))
                    .map(|(f, m)| (format!("digests[{i}].{f}"), m.to_string()))
                    .unwrap_or_else(|| (format!("digests[{i}]"), problem.clone()));
                self.push(&field, msg);
            }
        }
        if !c.digests.is_empty() && c.smtp.is_none() {
            self.push("smtp", "digests are configured but [smtp] is missing");
        }
        if let Some(s) = &c.smtp {
            for problem in s.validate() {
                let (field, msg) = problem
                    .split_once(": ")
                    .filter(|(f, _)| !f.contains(' '))
                    .map(|(f, m)| (format!("smtp.{f}"), m.to_string()))
                    .unwrap_or_else(|| ("smtp".to_string(), problem.clone()));
                self.push(&field, msg);
            }
        }
    }

    fn validate_api_and_logging(&mut self, c: &Config) {
        match c.api.bind.parse::<SocketAddr>() {
            Ok(addr) => {
                if c.api.enabled
                    && !addr.ip().is_loopback()
                    && c.api.token_file.is_none()
                    && std::env::var_os("BRANCHWATCH_API_TOKEN").is_none()
                {
                    self.push(
                        "api.bind",
                        format!(
                            "{addr} is not a loopback address: set api.token_file (or BRANCHWATCH_API_TOKEN) so the API requires a bearer token"
                        ),
                    );
                }
            }
            Err(_) => self.push(
                "api.bind",
                format!(
                    "{:?} is not an address:port such as 127.0.0.1:8077",
                    c.api.bind
                ),
            ),
        }
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&c.logging.level) {
            self.push(
                "logging.level",
                format!("{:?} is not a log filter: {e}", c.logging.level),
            );
        }
    }
}

/// What an `html` or `telegram` entry needs, and what a plain feed must not have.
fn source_problems(f: &FeedConfig) -> Vec<String> {
    let mut out = Vec::new();
    match f.kind {
        FeedKind::Feed => {
            if f.select.is_some() || f.channel.is_some() || f.max_pages.is_some() {
                out.push(
                    "select, channel and max_pages need kind = \"html\" or \"telegram\"".into(),
                );
            }
        }
        FeedKind::Html => match &f.select {
            None => {
                out.push("kind = \"html\" needs a [feeds.select] table with at least item".into())
            }
            Some(s) => out.extend(s.problems()),
        },
        FeedKind::Telegram => match &f.channel {
            None => out.push("kind = \"telegram\" needs channel = \"NAME\"".into()),
            Some(ch) if !crate::feed::telegram::valid_channel_name(ch) => out.push(format!(
                "channel {ch:?} is not a public channel's username (letters, digits, _)"
            )),
            Some(_) => {}
        },
    }
    if f.kind == FeedKind::Telegram && f.select.is_some() {
        out.push("select is only read for kind = \"html\"".into());
    }
    if f.max_pages == Some(0) || f.max_pages.is_some_and(|m| m > 50) {
        out.push("max_pages must be between 1 and 50".into());
    }
    out
}

/// serde's messages name the field in backticks: "unknown field `nmae`, expected ...",
/// "missing field `url`", "invalid type ... for key `polling.x`".
fn field_in_message(msg: &str) -> Option<&str> {
    for marker in ["unknown field `", "missing field `"] {
        if let Some(rest) = msg.split(marker).nth(1) {
            return rest.split('`').next();
        }
    }
    None
}

impl Config {
    /// Feed specs for the store.
    pub fn feed_specs(&self) -> Vec<FeedSpec> {
        self.feeds.iter().map(FeedConfig::spec).collect()
    }

    /// The API bearer token, from `api.token_file` or `BRANCHWATCH_API_TOKEN`.
    pub fn api_token(&self) -> std::io::Result<Option<String>> {
        if let Some(path) = &self.api.token_file {
            let t = std::fs::read_to_string(path)?;
            return Ok(Some(t.trim().to_string()).filter(|t| !t.is_empty()));
        }
        Ok(std::env::var("BRANCHWATCH_API_TOKEN")
            .ok()
            .filter(|t| !t.trim().is_empty()))
    }
}

#[cfg(test)]
mod tests;
