#!/usr/bin/env python3
"""Feed-parsing throughput of Python feedparser over the *.xml files of a
directory, measured the way `branchwatch bench parse` measures
branchwatch::feed::parse: files read into memory first, only parsing timed,
one thread. Prints one JSON object.

usage: feedparser_bench.py DIR [ROUNDS]
"""
import json
import sys
import time
from pathlib import Path

import feedparser


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    docs = [p.read_bytes() for p in sorted(Path(sys.argv[1]).glob("*.xml"))]
    if not docs:
        sys.exit("no *.xml files in " + sys.argv[1])
    items = failures = 0
    start = time.perf_counter()
    for _ in range(rounds):
        for d in docs:
            f = feedparser.parse(d)
            if f.bozo and not f.entries:
                failures += 1
            items += len(f.entries)
    seconds = time.perf_counter() - start
    size = sum(len(d) for d in docs) * rounds
    print(json.dumps({
        "files": len(docs), "rounds": rounds, "bytes": size, "items": items,
        "failures": failures, "seconds": seconds,
        "feeds_per_sec": len(docs) * rounds / seconds,
        "items_per_sec": items / seconds,
        "mb_per_sec": size / 1048576 / seconds,
        "feedparser": feedparser.__version__,
    }))


if __name__ == "__main__":
    main()
