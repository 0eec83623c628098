//! Feed-parsing throughput: [`crate::feed::parse`] over files on disk.
//!
//! The same files are read by `benches/peers/feedparser_bench.py`, so the
//! two throughputs compare like with like (bytes in, items out, no I/O in
//! the timed part).

use super::gen::{self, Site};
use super::{rate, BenchError, MB};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Base URL written into generated feed files (never contacted).
pub const FILE_BASE: &str = "http://127.0.1.1:8080";

/// Writes `n` generated RSS feeds (`feed-00000.xml`, ...) into `dir`.
pub fn write_feed_files(dir: &Path, n: usize, site: &Site) -> Result<Vec<PathBuf>, BenchError> {
    std::fs::create_dir_all(dir).map_err(|source| BenchError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    (0..n)
        .map(|i| {
            let path = dir.join(format!("feed-{i:05}.xml"));
            std::fs::write(&path, gen::feed_xml(site, FILE_BASE, i)).map_err(|source| {
                BenchError::Io {
                    path: path.clone(),
                    source,
                }
            })?;
            Ok(path)
        })
        .collect()
}

/// Parsing throughput.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ParseReport {
    pub files: usize,
    pub rounds: usize,
    pub bytes: u64,
    pub items: u64,
    pub failures: u64,
    pub seconds: f64,
    pub feeds_per_sec: f64,
    pub items_per_sec: f64,
    pub mb_per_sec: f64,
}

/// The `*.xml` files of `dir`, sorted.
pub fn feed_files(dir: &Path) -> Result<Vec<PathBuf>, BenchError> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|source| BenchError::Io {
            path: dir.to_path_buf(),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(BenchError::Empty(dir.to_path_buf()));
    }
    Ok(files)
}

/// Parses every file `rounds` times (single thread); files are read into
/// memory first, so only parsing is timed.
pub fn run(files: &[PathBuf], rounds: usize) -> Result<ParseReport, BenchError> {
    let docs: Vec<Vec<u8>> = files
        .iter()
        .map(|p| {
            std::fs::read(p).map_err(|source| BenchError::Io {
                path: p.clone(),
                source,
            })
        })
        .collect::<Result<_, _>>()?;
    let base = format!("{FILE_BASE}/f/0.xml");
    let mut items = 0u64;
    let mut failures = 0u64;
    let rounds = rounds.max(1);
    let start = Instant::now();
    for _ in 0..rounds {
        for d in &docs {
            match crate::feed::parse(d, &base) {
                Ok(f) => items += f.items.len() as u64,
                Err(_) => failures += 1,
            }
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let bytes = docs.iter().map(|d| d.len() as u64).sum::<u64>() * rounds as u64;
    let parsed = (docs.len() * rounds) as f64;
    Ok(ParseReport {
        files: docs.len(),
        rounds,
        bytes,
        items,
        failures,
        seconds,
        feeds_per_sec: rate(parsed, seconds),
        items_per_sec: rate(items as f64, seconds),
        mb_per_sec: rate(bytes as f64 / MB, seconds),
    })
}
