//! Output piped into a reader that stops early (`branchwatch ... | head -1`)
//! ends the process quietly: no panic message, no error exit of its own.

use std::io::Read;
use std::process::{Command, Stdio};

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    // `detect --corpus` over the shared test fixtures writes many lines
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/news/dev");
    let mut child = Command::new(env!("CARGO_BIN_EXE_branchwatch"))
        .args(["detect", "--corpus", corpus])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("branchwatch starts");
    let mut first = [0u8; 16];
    let mut out = child.stdout.take().expect("stdout is piped");
    out.read_exact(&mut first).expect("some output arrives");
    drop(out); // the reader goes away, like `head` after its lines
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr is piped")
        .read_to_string(&mut err)
        .expect("stderr reads");
    let status = child.wait().expect("branchwatch ends");
    assert!(!err.contains("panicked"), "stderr: {err}");
    assert!(!err.contains("Broken pipe"), "stderr: {err}");
    // killed by SIGPIPE (no exit code) or a clean exit, never the error code 2
    assert_ne!(status.code(), Some(2), "status {status:?}, stderr: {err}");
}
