#!/usr/bin/env python3
"""Python trafilatura over the extraction benchmark, measured the way
`branchwatch bench extract` measures branchwatch's extractor: pages
decompressed into memory first, only extraction timed, one thread. Writes
{"<id>": {"articleBody": ...}} for score.py and prints one JSON object.

usage: trafilatura_bench.py BENCHMARK_DIR OUT.json
"""
import gzip
import json
import sys
import time
from pathlib import Path

import trafilatura


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    bench = Path(sys.argv[1])
    truth = json.loads((bench / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for p in sorted((bench / "html").glob("*.html.gz")):
        pid = p.name[: -len(".html.gz")]
        pages.append((pid, gzip.decompress(p.read_bytes()).decode("utf-8", "replace")))
    out, failures = {}, 0
    start = time.perf_counter()
    for pid, html in pages:
        url = (truth.get(pid) or {}).get("url")
        try:
            text = trafilatura.extract(html, url=url) or ""
        except Exception:  # a page the peer cannot read scores as empty, as ours does
            failures += 1
            text = ""
        out[pid] = {"articleBody": text}
    seconds = time.perf_counter() - start
    Path(sys.argv[2]).write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    print(json.dumps({
        "pages": len(pages), "failures": failures, "seconds": seconds,
        "pages_per_sec": len(pages) / seconds, "trafilatura": trafilatura.__version__,
    }))


if __name__ == "__main__":
    main()
