//! Detection throughput: MB of article text (title + text) per second on
//! one thread, over the labelled corpus replicated to a target size.
//!
//! Replicating the same few dozen documents is fair here: the detector keeps
//! no state between documents, so the tenth copy costs what the first did.

use super::{rate, BenchError, MB};
use crate::detect::Tables;
use crate::model::{DetectInput, Lang};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// One corpus document as the detector sees it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Doc {
    pub id: String,
    #[serde(default)]
    pub lang: Option<Lang>,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub text: String,
    /// Publication date, which relative dates («кеше», "yesterday") need.
    #[serde(default)]
    pub published: Option<chrono::NaiveDate>,
}

/// Every `*.json` document under `dir` (recursively), sorted by path.
pub fn load_corpus(dir: &Path) -> Result<Vec<Doc>, BenchError> {
    let mut paths = Vec::new();
    collect_json(dir, &mut paths)?;
    paths.sort();
    let docs: Vec<Doc> = paths
        .iter()
        .map(|p| {
            let raw = std::fs::read_to_string(p).map_err(|source| BenchError::Io {
                path: p.clone(),
                source,
            })?;
            serde_json::from_str(&raw).map_err(|e| BenchError::Corpus {
                path: p.clone(),
                reason: e.to_string(),
            })
        })
        .collect::<Result<_, _>>()?;
    if docs.is_empty() {
        return Err(BenchError::Empty(dir.to_path_buf()));
    }
    Ok(docs)
}

fn collect_json(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), BenchError> {
    let entries = std::fs::read_dir(dir).map_err(|source| BenchError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect_json(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
    Ok(())
}

/// Detection throughput.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct DetectReport {
    pub distinct_docs: usize,
    pub docs: u64,
    pub bytes: u64,
    pub changes: u64,
    pub seconds: f64,
    pub mb_per_sec: f64,
    pub docs_per_sec: f64,
}

/// Runs the detector over `docs` again and again until at least
/// `min_bytes` of title + text have been read (at least one pass).
pub fn run(docs: &[Doc], tables: &Tables, min_bytes: u64) -> DetectReport {
    let pass_bytes: u64 = docs
        .iter()
        .map(|d| (d.title.len() + d.text.len()) as u64)
        .sum();
    let passes = if pass_bytes == 0 {
        1
    } else {
        min_bytes.div_ceil(pass_bytes).max(1)
    };
    let mut changes = 0u64;
    let start = Instant::now();
    for _ in 0..passes {
        for d in docs {
            let input = DetectInput {
                title: &d.title,
                text: &d.text,
                lang: d.lang,
                published: d.published,
            };
            changes += crate::detect::detect(&input, tables).len() as u64;
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let n = passes * docs.len() as u64;
    let bytes = passes * pass_bytes;
    DetectReport {
        distinct_docs: docs.len(),
        docs: n,
        bytes,
        changes,
        seconds,
        mb_per_sec: rate(bytes as f64 / MB, seconds),
        docs_per_sec: rate(n as f64, seconds),
    }
}
