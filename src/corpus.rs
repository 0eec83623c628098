//! The labelled corpus (`../shared/corpus`): loading its JSON documents and writing
//! detector predictions in the JSONL format its `score.py` reads.
//!
//! This is the one detection-side module that does file I/O; it exists so the detector
//! can be measured from the CLI (`branchwatch corpus ...`) and from tests.

use crate::detect::{detect, Tables};
use crate::model::{DetectInput, DetectedChange, Event, Lang, Level, Role};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why the corpus could not be read or the predictions written.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot parse {path}: {source}")]
    Parse {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("cannot write predictions: {0}")]
    Write(#[from] std::io::Error),
    #[error("cannot serialise predictions: {0}")]
    Json(#[from] serde_json::Error),
}

/// A gold change as labelled in the corpus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoldChange {
    pub person: String,
    pub role: Role,
    pub party: String,
    pub level: Level,
    pub region: String,
    pub district: Option<String>,
    pub event: Event,
    #[serde(default)]
    pub acting: bool,
    #[serde(default)]
    pub previous_role: Option<String>,
    #[serde(default)]
    pub date: Option<NaiveDate>,
}

/// One labelled article.
#[derive(Debug, Clone, Deserialize)]
pub struct CorpusDoc {
    pub id: String,
    pub lang: Option<Lang>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub published: Option<NaiveDate>,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub changes: Vec<GoldChange>,
    #[serde(default)]
    pub notes: Option<String>,
}

impl CorpusDoc {
    pub fn input(&self) -> DetectInput<'_> {
        DetectInput {
            title: &self.title,
            text: &self.text,
            lang: self.lang,
            published: self.published,
        }
    }
}

/// Every `*.json` below `dir` (seed/ and dev/), sorted by path.
pub fn load_corpus(dir: &Path) -> Result<Vec<CorpusDoc>, CorpusError> {
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    files.sort();
    let mut docs = Vec::with_capacity(files.len());
    for f in files {
        let raw = std::fs::read_to_string(&f).map_err(|e| CorpusError::Read {
            path: f.clone(),
            source: e,
        })?;
        let doc: CorpusDoc = serde_json::from_str(&raw).map_err(|e| CorpusError::Parse {
            path: f.clone(),
            source: e,
        })?;
        docs.push(doc);
    }
    Ok(docs)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), CorpusError> {
    let rd = std::fs::read_dir(dir).map_err(|e| CorpusError::Read {
        path: dir.to_path_buf(),
        source: e,
    })?;
    for entry in rd {
        let entry = entry.map_err(|e| CorpusError::Read {
            path: dir.to_path_buf(),
            source: e,
        })?;
        let p = entry.path();
        if p.is_dir() {
            collect(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct PredLine<'a> {
    id: &'a str,
    changes: Vec<DetectedChange>,
}

/// Runs detection on every document and writes one JSON line per document,
/// `{"id": ..., "changes": [...]}`, as `score.py` expects.
pub fn predict_jsonl(
    docs: &[CorpusDoc],
    tables: &Tables,
    out: &mut dyn Write,
) -> Result<(), CorpusError> {
    for d in docs {
        let line = PredLine {
            id: &d.id,
            changes: detect(&d.input(), tables),
        };
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
