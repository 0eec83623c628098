#!/usr/bin/env bash
# Reproduces every figure of BENCHMARKS.md (issue 10). Usage:
#
#     scripts/bench.sh            # everything (~10 min on 2 cores)
#     scripts/bench.sh poll parse # only some sections: poll parse extract detect idle web backfill
#
# Environment: SHARED (default: ../shared next to the repo) holds corpus/ and
# extraction-benchmark/; OUT (default /tmp/branchwatch-bench) receives the raw
# JSON of each run and summary.md; CARGO_TARGET_DIR is honoured. Python peers
# are installed with pip into a throwaway virtualenv under /tmp.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
SHARED="${SHARED:-$REPO/../shared}"
OUT="${OUT:-/tmp/branchwatch-bench}"
VENV="${VENV:-/tmp/branchwatch-bench-venv}"
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
BIN="$TARGET/release/branchwatch"
SECTIONS="${*:-poll parse extract detect idle web backfill}"
mkdir -p "$OUT"

want() { [[ " $SECTIONS " == *" $1 "* ]]; }
log() { echo "== $*" >&2; }

log "machine"
{
  echo "date: $(date -u +%FT%TZ)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') x $(nproc)"
  echo "memory: $(free -m | awk '/Mem:/ {print $2 " MB"}')"
  echo "kernel: $(uname -r)"
  echo "rustc: $(rustc --version)"
} | tee "$OUT/machine.txt" >&2

log "build (release)"
cargo build --release --quiet --manifest-path "$REPO/Cargo.toml"

load() { echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"; }

if want parse || want extract; then
  if [ ! -x "$VENV/bin/python" ]; then
    log "python peers into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet feedparser==6.0.14 trafilatura==2.3.1 lxml_html_clean==0.4.6
  fi
fi

if want poll; then
  # per-host spacing 5 ms (small but non-zero), 200 hosts on 127.0.1.1-200.
  for n in 1000 10000; do
    log "poll $n feeds ($(load))"
    load > "$OUT/poll-$n.load"
    "$BIN" bench poll --feeds "$n" --hosts 200 --spacing-ms 5 | tee "$OUT/poll-$n.json"
  done
fi

if want parse; then
  log "parse ($(load))"
  load > "$OUT/parse.load"
  rm -rf "$OUT/feeds"
  "$BIN" bench parse --dir "$OUT/feeds" --write 200 --rounds 5 | tee "$OUT/parse-rust.json"
  "$VENV/bin/python" "$REPO/benches/peers/feedparser_bench.py" "$OUT/feeds" 1 | tee "$OUT/parse-python.json"
fi

if want extract; then
  EB="$SHARED/extraction-benchmark"
  log "extract ($(load))"
  load > "$OUT/extract.load"
  # The shipped engine (combined) first, then each half alone for the record.
  "$BIN" bench extract --benchmark "$EB" --out "$OUT/extract-rust-pred.json" | tee "$OUT/extract-rust.json"
  "$VENV/bin/python" "$REPO/benches/peers/trafilatura_bench.py" "$EB" "$OUT/extract-python-pred.json" | tee "$OUT/extract-python.json"
  for e in trafilatura readability; do
    "$BIN" bench extract --engine "$e" --benchmark "$EB" --out "$OUT/extract-$e-pred.json" | tee "$OUT/extract-$e.json"
    python3 "$EB/score.py" "$OUT/extract-$e-pred.json" --json | tee "$OUT/extract-$e-score.json"
  done
  python3 "$EB/score.py" "$OUT/extract-rust-pred.json" --json | tee "$OUT/extract-rust-score.json"
  python3 "$EB/score.py" "$OUT/extract-python-pred.json" --json | tee "$OUT/extract-python-score.json"
fi

if want detect; then
  log "detect ($(load))"
  load > "$OUT/detect.load"
  "$BIN" bench detect --corpus "$SHARED/corpus" --mb 50 | tee "$OUT/detect.json"
fi

if want idle; then
  log "idle ($(load))"
  load > "$OUT/idle.load"
  "$BIN" bench idle --feeds 500 --hosts 50 --window-secs 10 | tee "$OUT/idle.json"
fi

if want web; then
  log "web ($(load))"
  load > "$OUT/web.load"
  # A fresh fill each run (deterministic: same 100,000 changes every time).
  rm -f "$OUT/web.sqlite" "$OUT/web.sqlite-wal" "$OUT/web.sqlite-shm"
  "$BIN" bench web --db "$OUT/web.sqlite" --changes 100000 --requests 200 | tee "$OUT/web.json"
  # The same requests with the page query cache off: every one reads the log.
  "$BIN" bench web --db "$OUT/web.sqlite" --requests 200 --no-cache | tee "$OUT/web-cold.json"
fi

if want backfill; then
  # One job over a loopback site's sitemap: 5,000 pages with no spacing
  # (what the machine does), and 20 at the default 1 s (what politeness allows).
  log "backfill ($(load))"
  load > "$OUT/backfill.load"
  "$BIN" bench backfill --pages 5000 --spacing-ms 0 | tee "$OUT/backfill.json"
  "$BIN" bench backfill --pages 20 --spacing-ms 1000 | tee "$OUT/backfill-polite.json"
fi

python3 "$REPO/benches/summary.py" "$OUT" | tee "$OUT/summary.md"
