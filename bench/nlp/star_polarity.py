#!/usr/bin/env python3
"""Sentiment on star-rated reviews nobody here wrote: does the sentiment type agree with the stars?

Each input file is JSON lines with `text`, optional `title` and `stars` (1-5). The engine reads the text and
title only, never the stars. A 1-2 star review counts as right when it is labelled negative, a 4-5 star
review when it is labelled positive (3 stars are shown, not scored); mixed and neutral count as wrong, so
the figure is a floor. With --vader, vader-sentiment (node) scores the same texts in the same run, its
compound read at the usual +-0.05.

    python3 bench/nlp/star_polarity.py reviews.jsonl [more.jsonl] [--chorus build/chorus] [--vader]

The review sets are kept outside the repository; bench/RESULTS.md names where each came from.
"""
import argparse
import collections
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def load(path):
    items = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            item = json.loads(line)
            stars = item.get("stars")
            if item.get("text", "").strip() and stars in (1, 2, 3, 4, 5, "1", "2", "3", "4", "5"):
                item["stars"] = int(stars)
                items.append(item)
    return items


def chorus_types(binary, items):
    lines = "".join(json.dumps({"text": i["text"], "title": i.get("title") or ""}) + "\n" for i in items)
    out = subprocess.run([binary, "analyze", "--jsonl"], input=lines.encode(), capture_output=True, check=True)
    rows = out.stdout.decode().splitlines()
    if len(rows) != len(items):
        sys.exit(f"chorus analyze answered {len(rows)} lines for {len(items)} items")
    return [json.loads(r).get("sentiment_type") for r in rows]


def vader_types(items):
    lines = "".join(((i.get("title") or "") + ". " + i["text"]).replace("\n", " ").replace("\r", " ") + "\n"
                    for i in items)
    out = subprocess.run(["node", os.path.join(HERE, "vader_node.js")], input=lines.encode(), capture_output=True,
                         check=True)
    types = []
    for row in out.stdout.decode().splitlines():
        c = float(row)
        types.append("positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral")
    return types


def score(items, types):
    right = total = 0
    by_stars = collections.defaultdict(collections.Counter)
    for item, t in zip(items, types):
        by_stars[item["stars"]][t] += 1
        if item["stars"] in (1, 2):
            total += 1
            right += t == "negative"
        elif item["stars"] in (4, 5):
            total += 1
            right += t == "positive"
    return right, total, by_stars


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+")
    ap.add_argument("--chorus", default=os.path.join(HERE, "..", "..", "build", "chorus"))
    ap.add_argument("--vader", action="store_true", help="score vader-sentiment on the same texts")
    args = ap.parse_args()
    for path in args.files:
        items = load(path)
        name = os.path.basename(path)
        engines = [("chorus", chorus_types(args.chorus, items))]
        if args.vader:
            engines.append(("vader-sentiment", vader_types(items)))
        for engine, types in engines:
            right, total, by_stars = score(items, types)
            print(f"{name} ({len(items)} reviews), {engine}: {right}/{total} = {right / total:.3f} "
                  "of 1-2 and 4-5 star reviews on the stars' side")
            for stars in sorted(by_stars):
                c = by_stars[stars]
                n = sum(c.values())
                print(f"  {stars} stars, {n}: " + ", ".join(f"{k} {v / n:.2f}" for k, v in sorted(c.items())))


if __name__ == "__main__":
    main()
