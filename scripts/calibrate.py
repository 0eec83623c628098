#!/usr/bin/env python3
"""Precision of the detector per confidence band, and the review threshold it implies.

usage: scripts/calibrate.py [--target 0.8] CORPUS_DIR PREDICTIONS.jsonl [CORPUS_DIR PREDICTIONS.jsonl ...]

Each predicted change is matched one-to-one against the gold changes of its document
the way ../shared/corpus/score.py matches in core mode (it is loaded from there, not
copied). Changes are grouped in bands of confidence; for each band the script prints
how many were right. The suggested `review_below` is the lowest band edge above which
every band keeps a precision of at least --target: changes under it go to the digest's
"needs review" section.
"""
import importlib.util
import json
import os
import sys

BANDS = [(0.0, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01)]


def load_scorer():
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "..", "shared", "corpus", "score.py")
    spec = importlib.util.spec_from_file_location("score", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def judged(scorer, corpus, preds_path):
    """(confidence, correct) for every predicted change."""
    gold = scorer.load_gold(corpus)
    preds = {}
    with open(preds_path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                preds[row["id"]] = row.get("changes", [])
    out = []
    for doc_id, doc in gold.items():
        used = set()
        for p in sorted(preds.get(doc_id, []), key=lambda c: -c.get("confidence", 0)):
            hit = next((i for i, g in enumerate(doc.get("changes", []))
                        if i not in used and scorer.matches(g, p, False)), None)
            if hit is not None:
                used.add(hit)
            out.append((p.get("confidence", 0.0), hit is not None))
    return out


def main():
    args = [a for a in sys.argv[1:]]
    target = 0.8
    if "--target" in args:
        i = args.index("--target")
        target = float(args[i + 1])
        del args[i:i + 2]
    if not args or len(args) % 2:
        sys.exit(__doc__)
    scorer = load_scorer()
    rows = []
    for corpus, preds in zip(args[0::2], args[1::2]):
        rows += judged(scorer, corpus, preds)
    print("| confidence | changes | correct | precision |")
    print("|---|---|---|---|")
    stats = []
    for lo, hi in BANDS:
        band = [ok for c, ok in rows if lo <= c < hi]
        prec = sum(band) / len(band) if band else None
        stats.append((lo, prec))
        shown = f"{prec:.2f}" if prec is not None else "–"
        print(f"| {lo:.1f}–{min(hi, 1.0):.1f} | {len(band)} | {sum(band)} | {shown} |")
    threshold = 1.0
    for lo, prec in reversed(stats):
        if prec is not None and prec < target:
            break
        threshold = lo
    print(f"\nsuggested review_below = {threshold:.2f} (every band above keeps precision >= {target})")


if __name__ == "__main__":
    main()
