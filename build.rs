//! Embeds the OpenCorpora dictionary of `rsmorphy-dict-ru` in the binary.
//!
//! `rsmorphy_dict_ru::DICT_PATH` names the crate's `data/` directory on the
//! build machine (inside the cargo registry). An installed binary cannot rely
//! on that directory, so this script writes `$OUT_DIR/morph_dict.rs`, a table
//! of `(file name, include_bytes!(absolute path))` that `src/morph/dict.rs`
//! includes; the dictionary is then loaded from memory.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let dir = Path::new(rsmorphy_dict_ru::DICT_PATH);
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("morph dictionary directory {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".gz"))
        .collect();
    names.sort();
    assert!(
        names.iter().any(|n| n == "words.dawg.gz"),
        "no words.dawg.gz in {}",
        dir.display()
    );
    let mut out = String::from("pub(crate) static FILES: &[(&str, &[u8])] = &[\n");
    for name in &names {
        let path = dir.join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        let _ = writeln!(
            out,
            "    ({name:?}, include_bytes!({:?})),",
            path.display().to_string()
        );
    }
    out.push_str("];\n");
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&out_dir).join("morph_dict.rs"), out).expect("write morph_dict.rs");
}
