use super::*;

#[test]
fn loads_without_the_dictionary_path() {
    // The loader reads the embedded bytes only: its source never names the
    // dictionary crate's path.
    let src = include_str!("dict.rs");
    let needle = ["DICT", "_PATH"].concat();
    assert!(!src.contains(&needle));
    assert!(!src.contains("from_file("));
    assert!(Morph::embedded_dictionary_files().contains(&"words.dawg.gz"));
    assert!(Morph::embedded_dictionary_bytes() > 5_000_000);
}

#[test]
fn morph_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Morph>();
}
