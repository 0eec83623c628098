//! Runs [`super::extract`] over the main-text extraction benchmark
//! (`../shared/extraction-benchmark/`) and writes predictions in the form its
//! `score.py` reads, so the choice of generic extractor can be re-measured.

use super::{extract, ExtractError, ExtractOptions, GenericEngine};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Outcome of one benchmark run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchmarkReport {
    pub engine: GenericEngine,
    pub pages: usize,
    /// Pages for which extraction returned an error (scored as empty text).
    pub failures: usize,
    /// Wall time spent in extraction only (decompression and I/O excluded).
    pub seconds: f64,
    pub pages_per_sec: f64,
}

impl std::fmt::Display for BenchmarkReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "engine={} pages={} failures={} seconds={:.2} pages/s={:.1} (score the predictions with score.py)",
            serde_json::to_value(self.engine)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            self.pages,
            self.failures,
            self.seconds,
            self.pages_per_sec
        )
    }
}

/// Benchmarks the default engine; see [`run_benchmark_with`].
pub fn run_benchmark(dir: &Path, out: &Path) -> Result<BenchmarkReport, ExtractError> {
    run_benchmark_with(dir, out, &ExtractOptions::default())
}

/// Reads `dir/html/*.html.gz` (URLs from `dir/ground-truth.json` when
/// present), extracts each page with no site rules, and writes
/// `{"<id>": {"articleBody": "..."}}` to `out`.
pub fn run_benchmark_with(
    dir: &Path,
    out: &Path,
    opts: &ExtractOptions,
) -> Result<BenchmarkReport, ExtractError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ExtractError::Io { path, source }
    };
    let urls = read_urls(&dir.join("ground-truth.json"))?;
    let html_dir = dir.join("html");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&html_dir)
        .map_err(io(&html_dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".html.gz"))
        .collect();
    files.sort();
    let mut pages = Vec::with_capacity(files.len());
    for f in &files {
        let mut html = String::new();
        let file = std::fs::File::open(f).map_err(io(f))?;
        flate2::read::GzDecoder::new(file)
            .read_to_string(&mut html)
            .map_err(io(f))?;
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let id = name.trim_end_matches(".html.gz").to_string();
        pages.push((id, html));
    }
    let mut predictions = BTreeMap::new();
    let mut failures = 0;
    let start = Instant::now();
    for (id, html) in &pages {
        let url = urls.get(id).map(String::as_str).unwrap_or("");
        let body = match extract(html, url, &[], opts) {
            Ok(a) => a.text,
            Err(_) => {
                failures += 1;
                String::new()
            }
        };
        predictions.insert(id.clone(), serde_json::json!({ "articleBody": body }));
    }
    let seconds = start.elapsed().as_secs_f64();
    let json = serde_json::to_string(&predictions).map_err(|e| ExtractError::Benchmark {
        path: out.to_path_buf(),
        reason: e.to_string(),
    })?;
    std::fs::write(out, json).map_err(io(out))?;
    Ok(BenchmarkReport {
        engine: opts.generic,
        pages: pages.len(),
        failures,
        seconds,
        pages_per_sec: if seconds > 0.0 {
            pages.len() as f64 / seconds
        } else {
            0.0
        },
    })
}

fn read_urls(path: &Path) -> Result<BTreeMap<String, String>, ExtractError> {
    let Ok(raw) = std::fs::read_to_string(path) else {
        return Ok(BTreeMap::new());
    };
    let v: serde_json::Value = serde_json::from_str(&raw).map_err(|e| ExtractError::Benchmark {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    Ok(v.as_object()
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.get("url")?.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default())
}
