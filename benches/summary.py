#!/usr/bin/env python3
"""Turns the JSON files scripts/bench.sh leaves in OUT into the figures
table of BENCHMARKS.md (Markdown on stdout). Missing sections are skipped.

usage: summary.py OUT
"""
import json
import sys
from pathlib import Path


def main():
    out = Path(sys.argv[1])

    def j(name):
        p = out / name
        if not p.exists():
            return None
        lines = [l for l in p.read_text().splitlines() if l.strip().startswith("{")]
        return json.loads(lines[-1]) if lines else None

    def load(name):
        p = out / name
        return p.read_text().strip().replace("load: ", "") if p.exists() else "?"

    rows = []
    for n in (1000, 10000):
        r = j(f"poll-{n}.json")
        if not r:
            continue
        f, s = r["first"], r["second"]
        rows += [
            (f"poll {n} feeds: first cycle", f"{f['seconds']:.1f} s, {f['items_per_sec']:.0f} items/s "
             f"({f['items_new']} items, {f['articles_fetched']} articles, {f['failed']} failed)",
             "< 60 s (10k)" if n == 10000 else "", load(f"poll-{n}.load")),
            (f"poll {n} feeds: all-304 cycle", f"{s['seconds']:.2f} s ({r['speedup_304']:.1f}x faster, "
             f"{r['served']['feeds_not_modified'] if r.get('served') else '?'} x 304)",
             "several x faster", ""),
            (f"poll {n} feeds: peak RSS (VmHWM)", f"{(r['peak_rss_kb'] or 0) / 1024:.0f} MB", "< 150 MB (10k)", ""),
            (f"poll {n} feeds: SQLite file", f"{r['db_bytes'] / 1048576:.1f} MB ({r['items_stored']} items, "
             f"{r['changes_stored']} changes)", "", ""),
        ]
    pr, pp = j("parse-rust.json"), j("parse-python.json")
    if pr and pp:
        rows.append(("feed parsing", f"{pr['feeds_per_sec']:.0f} vs {pp['feeds_per_sec']:.1f} feeds/s = "
                     f"{pr['feeds_per_sec'] / pp['feeds_per_sec']:.1f}x feedparser", ">= 20x", load("parse.load")))
    er, ep = j("extract-rust.json"), j("extract-python.json")
    sr, sp = j("extract-rust-score.json"), j("extract-python-score.json")
    if er and ep and sr and sp:
        rows.append(("extraction", f"{er['pages_per_sec']:.1f} vs {ep['pages_per_sec']:.1f} pages/s = "
                     f"{er['pages_per_sec'] / ep['pages_per_sec']:.1f}x trafilatura; "
                     f"F1 {sr['f1']:.3f} vs {sp['f1']:.3f}", ">= 10x, F1 not lower", load("extract.load")))
        for e in ("trafilatura", "readability"):
            x, xs = j(f"extract-{e}.json"), j(f"extract-{e}-score.json")
            if x and xs:
                rows.append((f"extraction, {e} engine alone", f"{x['pages_per_sec']:.1f} pages/s = "
                             f"{x['pages_per_sec'] / ep['pages_per_sec']:.1f}x trafilatura; F1 {xs['f1']:.3f}",
                             "(not shipped)", ""))
    d = j("detect.json")
    if d:
        rows.append(("detection", f"{d['mb_per_sec']:.2f} MB/s/core ({d['bytes'] / 1048576:.0f} MB, "
                     f"{d['docs_per_sec']:.0f} docs/s)", "", load("detect.load")))
    i = j("idle.json")
    if i:
        idle = i["idle"]
        split = ""
        if i.get("rss_anon_kb") is not None:
            split = f" (anon {i['rss_anon_kb'] / 1024:.1f} MB + file {i['rss_file_kb'] / 1024:.1f} MB)"
        rows.append((f"idle, {i['feeds']} feeds", f"RSS {idle['rss_kb_max'] / 1024:.1f} MB{split}, "
                     f"CPU {idle['cpu_percent']:.2f} % over {idle['seconds']:.0f} s",
                     "< 30 MB, ~0 %", load("idle.load")))
    for f, what in (("backfill.json", "no spacing"), ("backfill-polite.json", "default 1 s spacing")):
        b = j(f)
        if b:
            rows.append((f"backfill, {b['pages']} pages, {what}",
                         f"{b['pages_per_sec']:.1f} pages/s (discovery {b['discovery_secs']:.2f} s)",
                         "" if b["spacing_ms"] == 0 else "1 page/s", load("backfill.load")))
    webs = [(name, json.loads((out / f).read_text()))
            for name, f in (("cached", "web.json"), ("cache off", "web-cold.json")) if (out / f).exists()]
    for name, r in webs:
        # bench web prints pretty JSON (one object over many lines).
        worst = max(r["pages"], key=lambda p: p["p95_ms"])
        rows.append((f"web view, {r['changes']} changes ({name}): worst page p95",
                     f"{worst['p95_ms']:.1f} ms ({worst['page']}, {worst['requests']} requests)",
                     "< 50 ms", load("web.load") if name == "cached" else ""))
    if webs:
        rows.append(("web view: overview page", f"{webs[0][1]['overview_bytes'] / 1000:.1f} KB", "< 300 KB", ""))
    print("| figure | measured | target | load (1/5/15 min) |")
    print("|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    for name, r in webs:
        print(f"\nweb view, {name}:\n")
        print("| page | requests | p50 ms | p95 ms | max ms | bytes |")
        print("|---|---|---|---|---|---|")
        for p in r["pages"]:
            print(f"| {p['page']} | {p['requests']} | {p['p50_ms']:.1f} | {p['p95_ms']:.1f} | "
                  f"{p['max_ms']:.1f} | {p['bytes']} |")

if __name__ == "__main__":
    main()
