//! Logging set-up for a terminal, for journald and for other collectors.
//!
//! Under systemd, stdout/stderr go to the journal, which adds its own
//! timestamp and does not render ANSI colours; systemd sets `JOURNAL_STREAM`
//! for such processes, so `format = "auto"` then writes plain lines without
//! timestamps, each prefixed with the `<N>` priority that journald maps to a
//! level (sd-daemon(3)). JSON lines are there for other collectors. The filter
//! can be changed at run time (SIGHUP reload) through [`LogHandle`].

use crate::config::{LogFormat, Logging};
use std::fmt;
use std::io::IsTerminal;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{reload, EnvFilter, Registry};

#[derive(Debug, thiserror::Error)]
pub enum LoggingError {
    #[error("invalid log filter {filter:?}: {message}")]
    Filter { filter: String, message: String },
    #[error("logging was already initialised")]
    AlreadySet,
}

/// Changes the active filter after start-up.
#[derive(Clone)]
pub struct LogHandle {
    handle: reload::Handle<EnvFilter, Registry>,
}

impl LogHandle {
    /// Replaces the filter unless `RUST_LOG` pins it.
    pub fn set_level(&self, level: &str) -> Result<(), LoggingError> {
        if std::env::var_os("RUST_LOG").is_some() {
            return Ok(());
        }
        let filter = parse_filter(level)?;
        self.handle
            .reload(filter)
            .map_err(|_| LoggingError::AlreadySet)
    }
}

fn parse_filter(level: &str) -> Result<EnvFilter, LoggingError> {
    // html5ever warns about every page that uses table "foster parenting",
    // which is half the web; it says nothing about branchwatch's health.
    let level = if level.contains("html5ever") {
        level.to_string()
    } else {
        format!("{level},html5ever=error")
    };
    EnvFilter::try_new(&level).map_err(|e| LoggingError::Filter {
        filter: level.to_string(),
        message: e.to_string(),
    })
}

/// Whether stderr goes to the journal.
pub fn under_journald() -> bool {
    std::env::var_os("JOURNAL_STREAM").is_some()
}

/// Installs the global subscriber. Logs go to stderr so that stdout stays
/// clean for command output (tables, JSON) that scripts read.
pub fn init(cfg: &Logging) -> Result<LogHandle, LoggingError> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(env) => parse_filter(&env)?,
        Err(_) => parse_filter(&cfg.level)?,
    };
    let (filter, handle) = reload::Layer::new(filter);
    let registry = tracing_subscriber::registry().with(filter);
    let format = match cfg.format {
        LogFormat::Auto if under_journald() => Chosen::Journal,
        LogFormat::Auto | LogFormat::Text => Chosen::Text(std::io::stderr().is_terminal()),
        LogFormat::Json => Chosen::Json,
    };
    let result = match format {
        Chosen::Journal => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(std::io::stderr)
                    .with_ansi(false)
                    .event_format(JournalFormat),
            )
            .try_init(),
        Chosen::Text(ansi) => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(std::io::stderr)
                    .with_ansi(ansi),
            )
            .try_init(),
        Chosen::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_current_span(true)
                    .with_writer(std::io::stderr),
            )
            .try_init(),
    };
    result.map_err(|_| LoggingError::AlreadySet)?;
    Ok(LogHandle { handle })
}

enum Chosen {
    Journal,
    Text(bool),
    Json,
}

/// `<prio>target: message key=value` with the spans' fields, no timestamp.
struct JournalFormat;

fn priority(level: &Level) -> u8 {
    match *level {
        Level::ERROR => 3,
        Level::WARN => 4,
        Level::INFO => 6,
        Level::DEBUG | Level::TRACE => 7,
    }
}

impl<S, N> FormatEvent<S, N> for JournalFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut text = String::new();
        let mut buf = Writer::new(&mut text);
        if let Some(scope) = ctx.event_scope() {
            for span in scope.from_root() {
                write!(buf, "{}", span.name())?;
                let ext = span.extensions();
                if let Some(fields) = ext.get::<tracing_subscriber::fmt::FormattedFields<N>>() {
                    if !fields.is_empty() {
                        write!(buf, "{{{fields}}}")?;
                    }
                }
                write!(buf, ": ")?;
            }
        }
        ctx.field_format().format_fields(buf.by_ref(), event)?;
        // journald reads one entry per line and takes the priority from each
        // line's own prefix, so every line of a multi-line message (a config
        // error lists one problem per line) carries it.
        let prio = priority(event.metadata().level());
        for line in text.lines() {
            writeln!(writer, "<{prio}>{line}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_map_to_syslog_priorities() {
        assert_eq!(priority(&Level::ERROR), 3);
        assert_eq!(priority(&Level::WARN), 4);
        assert_eq!(priority(&Level::INFO), 6);
        assert_eq!(priority(&Level::DEBUG), 7);
    }

    #[test]
    fn bad_filter_is_reported_with_its_text() {
        let err = parse_filter("info,=[").unwrap_err().to_string();
        assert!(err.contains("info,=["), "{err}");
    }
}
