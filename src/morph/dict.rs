//! The OpenCorpora dictionary of `rsmorphy-dict-ru`, embedded in the binary
//! by `build.rs` and loaded from memory.
//!
//! `rsmorphy::opencorpora::Dictionary::from_file` only reads a directory, so
//! this module rebuilds the same `Dictionary` value (all its fields are public)
//! from the embedded gzip files, mirroring that function step by step. It
//! never touches the file system, so it works in an installed binary under a
//! hardened systemd unit (ProtectHome, read-only file system, no cargo
//! registry) as well as on the build machine.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;

use flate2::read::GzDecoder;
use rsmorphy::dawg::{CompletionDawg, Dawg};
use rsmorphy::opencorpora::dictionary::GrammemeMeta;
use rsmorphy::opencorpora::grammeme::{Grammeme, GrammemeReg};
use rsmorphy::opencorpora::paradigm::ParadigmEntry;
use rsmorphy::opencorpora::{Dictionary, OpencorporaTagReg};
use rsmorphy::MorphAnalyzer;
use serde_json::Value;

use super::MorphError;

// `FILES: &[(&str, &[u8])]`: every `.gz` file of the dictionary crate.
include!(concat!(env!("OUT_DIR"), "/morph_dict.rs"));

/// Names of the embedded dictionary files (for tests and diagnostics).
pub(crate) fn file_names() -> impl Iterator<Item = &'static str> {
    FILES.iter().map(|(name, _)| *name)
}

/// Total size of the embedded (compressed) dictionary in bytes.
pub(crate) fn embedded_bytes() -> usize {
    FILES.iter().map(|(_, bytes)| bytes.len()).sum()
}

fn reader(name: &str) -> Result<GzDecoder<&'static [u8]>, MorphError> {
    FILES
        .iter()
        .find(|(file, _)| *file == name)
        .map(|(_, bytes)| GzDecoder::new(*bytes))
        .ok_or_else(|| MorphError::Dictionary(format!("{name} is not embedded")))
}

fn json<T: serde::de::DeserializeOwned>(name: &str) -> Result<T, MorphError> {
    serde_json::from_reader(reader(name)?)
        .map_err(|e| MorphError::Dictionary(format!("{name}: {e}")))
}

fn bad(what: &str) -> MorphError {
    MorphError::Dictionary(format!("meta.json.gz: no {what}"))
}

/// Loads the analyzer. The dawg readers of `rsmorphy` panic on malformed
/// data; the data is fixed at build time, but a panic is still turned into an
/// error rather than taking the daemon down.
pub(crate) fn load_analyzer() -> Result<MorphAnalyzer, MorphError> {
    match std::panic::catch_unwind(build_dictionary) {
        Ok(dict) => Ok(MorphAnalyzer::new(dict?)),
        Err(_) => Err(MorphError::Dictionary(
            "embedded dictionary is malformed".into(),
        )),
    }
}

struct Meta {
    meta: HashMap<String, Value>,
    paradigm_prefixes: Vec<String>,
    max_suffix_length: usize,
}

fn load_meta() -> Result<Meta, MorphError> {
    let pairs: Vec<(String, Value)> = json("meta.json.gz")?;
    let meta: HashMap<String, Value> = pairs.into_iter().collect();
    let compile = meta
        .get("compile_options")
        .ok_or_else(|| bad("compile_options"))?;
    let paradigm_prefixes = compile
        .get("paradigm_prefixes")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("paradigm_prefixes"))?
        .iter()
        .map(|v| v.as_str().map(str::to_owned).ok_or_else(|| bad("prefix")))
        .collect::<Result<Vec<_>, _>>()?;
    let max_suffix_length = meta
        .get("prediction_options")
        .unwrap_or(compile)
        .get("max_suffix_length")
        .and_then(Value::as_u64)
        .ok_or_else(|| bad("max_suffix_length"))? as usize;
    Ok(Meta {
        meta,
        paradigm_prefixes,
        max_suffix_length,
    })
}

type Grammemes = (
    HashMap<Grammeme, GrammemeReg>,
    HashMap<Grammeme, GrammemeMeta>,
);

/// Grammemes and their metadata, as `Dictionary::from_file` computes them.
fn load_grammemes() -> Result<Grammemes, MorphError> {
    let rows: Vec<Vec<Value>> = json("grammemes.json.gz")?;
    let grammemes: HashMap<Grammeme, GrammemeReg> = rows
        .into_iter()
        .map(GrammemeReg::from_json)
        .map(|reg| (reg.name.clone(), reg))
        .collect();
    let mut metas: HashMap<Grammeme, GrammemeMeta> = HashMap::new();
    for (index, grammeme) in grammemes.keys().enumerate() {
        metas.entry(grammeme.clone()).or_insert(GrammemeMeta {
            index,
            ..GrammemeMeta::default()
        });
    }
    for (grammeme, reg) in &grammemes {
        if let Some(meta) = reg.parent.as_ref().and_then(|p| metas.get_mut(p)) {
            meta.children.insert(grammeme.clone());
        }
    }
    // Plural is incompatible with every gender: 'plur': {GNdr, masc, femn, neut}.
    let plur = Grammeme::new("plur");
    let gndr = Grammeme::new("GNdr");
    let mut extra: HashSet<Grammeme> = HashSet::from([gndr.clone()]);
    if let Some(meta) = metas.get(&gndr) {
        extra.extend(meta.children.iter().cloned());
    }
    for (grammeme, meta) in metas.iter_mut() {
        if *grammeme == plur {
            let others = extra.iter().filter(|v| *v != grammeme).cloned();
            meta.incompatible.extend(others);
        }
        let children: Vec<Grammeme> = meta.children.iter().cloned().collect();
        meta.incompatible
            .extend(children.into_iter().filter(|v| v != grammeme));
    }
    Ok((grammemes, metas))
}

fn load_paradigms() -> Result<Vec<Vec<ParadigmEntry>>, MorphError> {
    let mut bytes = Vec::new();
    reader("paradigms.array.gz")?
        .read_to_end(&mut bytes)
        .map_err(|e| MorphError::Dictionary(format!("paradigms.array.gz: {e}")))?;
    let mut words = bytes
        .chunks_exact(2)
        .map(|pair| u16::from_le_bytes([pair[0], pair[1]]));
    let truncated = || MorphError::Dictionary("paradigms.array.gz: truncated".into());
    let count = words.next().ok_or_else(truncated)?;
    let mut paradigms = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        let len = usize::from(words.next().ok_or_else(truncated)?);
        let entries: Vec<u16> = words.by_ref().take(len).collect();
        if entries.len() != len || len % 3 != 0 {
            return Err(truncated());
        }
        paradigms.push(ParadigmEntry::build(entries));
    }
    Ok(paradigms)
}

fn build_dictionary() -> Result<Dictionary, MorphError> {
    let Meta {
        meta,
        paradigm_prefixes,
        max_suffix_length,
    } = load_meta()?;
    let gramtab: Vec<String> = json("gramtab-opencorpora-int.json.gz")?;
    let (grammemes, grammeme_metas) = load_grammemes()?;
    let mut prediction_suffixes_dawgs = Vec::with_capacity(paradigm_prefixes.len());
    for i in 0..paradigm_prefixes.len() {
        let name = format!("prediction-suffixes-{i}.dawg.gz");
        prediction_suffixes_dawgs.push(CompletionDawg::from_reader(&mut reader(&name)?));
    }
    Ok(Dictionary {
        meta,
        grammemes,
        grammeme_metas,
        gramtab: gramtab.into_iter().map(OpencorporaTagReg::new).collect(),
        suffixes: json("suffixes.json.gz")?,
        paradigms: load_paradigms()?,
        words: CompletionDawg::from_reader(&mut reader("words.dawg.gz")?),
        p_t_given_w: CompletionDawg::from_reader(&mut reader("p_t_given_w.intdawg.gz")?),
        prediction_prefixes: Dawg::from_reader(&mut reader("prediction-prefixes.dawg.gz")?),
        prediction_suffixes_dawgs,
        paradigm_prefixes_rev: paradigm_prefixes
            .iter()
            .enumerate()
            .rev()
            .map(|(i, v)| (i as u16, v.clone()))
            .collect(),
        paradigm_prefixes,
        prediction_splits: (1..=max_suffix_length).rev().collect(),
        char_substitutes: BTreeMap::from([("е".to_owned(), "ё".to_owned())]),
    })
}
