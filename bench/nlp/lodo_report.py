#!/usr/bin/env python3
"""Summarises the leave-one-domain-out predictions of `chorus train --lodo FILE` and scores vader-sentiment
(npm, the published JavaScript port) on the same held-out items, so both stand in one table.

    build/chorus train --lodo /tmp/lodo.jsonl
    bench/nlp/lodo_report.py /tmp/lodo.jsonl [--corpus data/corpus] [--no-vader] [--markdown]

Sentiment: 4-class accuracy (positive, negative, neutral, mixed) and polarity: of the items labelled
positive or negative, the share the model puts on the right side (P(positive) against P(negative));
score_sign is the same judged by the sign of the stored compound score (0 counts as wrong). Category:
accuracy and macro-F1 over the six classes. Each per held-out domain, then the mean over domains; per class
precision/recall/F1; per language. vader-sentiment has no 'mixed' and no category: its 4-class label is
positive >= 0.05, negative <= -0.05, neutral otherwise, as its authors suggest.
"""
import argparse
import collections
import glob
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SENTIMENTS = ["positive", "negative", "neutral", "mixed"]
CATEGORIES = ["bug", "feature_request", "question", "praise", "complaint", "other"]


def per_class(gold, pred, classes):
    out = {}
    for c in classes:
        tp = sum(1 for g, p in zip(gold, pred) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, pred) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, pred) if g == c and p != c)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[c] = (prec, rec, f1, tp + fn)
    return out


def macro_f1(gold, pred, classes):
    stats = per_class(gold, pred, classes)
    present = [c for c in classes if stats[c][3] > 0]
    return sum(stats[c][2] for c in present) / len(present) if present else 0.0


def accuracy(gold, pred):
    return sum(1 for g, p in zip(gold, pred) if g == p) / len(gold) if gold else 0.0


def label_side(rows):
    """P(positive) - P(negative) of the model: which side of the fence it puts each item."""
    return [r["pred"]["polarity"] for r in rows]


def polarity(gold, compound):
    pairs = [(g, c) for g, c in zip(gold, compound) if g in ("positive", "negative")]
    if not pairs:
        return 0.0
    right = sum(1 for g, c in pairs if (g == "positive" and c > 0) or (g == "negative" and c < 0))
    return right / len(pairs)


def vader_label(c):
    return "positive" if c >= 0.05 else ("negative" if c <= -0.05 else "neutral")


def vader_scores(texts):
    payload = "".join(t.replace("\n", " ").replace("\r", " ") + "\n" for t in texts).encode()
    out = subprocess.run(["node", os.path.join(ROOT, "bench", "nlp", "vader_node.js")], input=payload,
                         capture_output=True, check=True).stdout.decode().split("\n")
    return [float(x) for x in out[: len(texts)]]


def load_texts(corpus):
    texts = {}
    for path in sorted(glob.glob(os.path.join(corpus, "*.jsonl"))):
        with open(path, encoding="utf-8") as f:
            for line in f:
                item = json.loads(line)
                title = item.get("title") or ""
                texts[item["id"]] = (title + ". " if title else "") + item["text"]
    return texts


def summarise(rows, vader):
    by_domain = collections.defaultdict(list)
    for r in rows:
        by_domain[r["domain"]].append(r)
    table = []
    for d in sorted(by_domain):
        rs = by_domain[d]
        gs = [r["gold"]["sentiment"] for r in rs]
        gc = [r["gold"]["category"] for r in rs]
        row = {
            "domain": d, "n": len(rs),
            "sent_acc": accuracy(gs, [r["pred"]["sentiment"] for r in rs]),
            "polarity": polarity(gs, label_side(rs)),
            "score_sign": polarity(gs, [r["pred"]["compound"] for r in rs]),
            "cat_acc": accuracy(gc, [r["pred"]["category"] for r in rs]),
            "cat_f1": macro_f1(gc, [r["pred"]["category"] for r in rs], CATEGORIES),
            "lex_acc": accuracy(gs, [r["lexicon"]["sentiment"] for r in rs]),
        }
        if vader:
            vs = [vader[r["id"]] for r in rs]
            row["vader_acc"] = accuracy(gs, [vader_label(v) for v in vs])
            row["vader_polarity"] = polarity(gs, vs)
        table.append(row)
    return table


def fmt(v):
    return "%.3f" % v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("predictions")
    ap.add_argument("--corpus", default=os.path.join(ROOT, "data", "corpus"))
    ap.add_argument("--no-vader", action="store_true")
    ap.add_argument("--json", help="write the summary as JSON here")
    args = ap.parse_args()
    with open(args.predictions, encoding="utf-8") as f:
        rows = [json.loads(l) for l in f if l.strip()]
    vader = None
    if not args.no_vader:
        texts = load_texts(args.corpus)
        ids = [r["id"] for r in rows]
        vader = dict(zip(ids, vader_scores([texts[i] for i in ids])))

    table = summarise(rows, vader)
    cols = ["sent_acc", "polarity", "score_sign", "cat_acc", "cat_f1", "lex_acc"] + (["vader_acc", "vader_polarity"] if vader else [])
    print("## Leave-one-domain-out (%d items, %d domains)\n" % (len(rows), len(table)))
    print("| held-out domain | n | " + " | ".join(cols) + " |")
    print("|---|---|" + "---|" * len(cols))
    for t in table:
        print("| %s | %d | %s |" % (t["domain"], t["n"], " | ".join(fmt(t[c]) for c in cols)))
    mean = {c: sum(t[c] for t in table) / len(table) for c in cols}
    print("| **mean of domains** | %d | %s |" % (len(rows), " | ".join("**%s**" % fmt(mean[c]) for c in cols)))
    print("| lowest domain | | %s |" % " | ".join(fmt(min(t[c] for t in table)) for c in cols))

    for name, key, classes in (("sentiment", "sentiment", SENTIMENTS), ("category", "category", CATEGORIES)):
        gold = [r["gold"][key] for r in rows]
        pred = [r["pred"][key] for r in rows]
        print("\n### %s per class (all held-out items)\n" % name)
        print("| class | n | precision | recall | F1 |")
        print("|---|---|---|---|---|")
        for c, (p, r, f1, n) in per_class(gold, pred, classes).items():
            print("| %s | %d | %s | %s | %s |" % (c, n, fmt(p), fmt(r), fmt(f1)))

    print("\n### per language (all held-out items)\n")
    lang_cols = ["sent_acc", "polarity", "cat_acc", "cat_f1"] + (["vader_acc"] if vader else [])
    print("| language | n | " + " | ".join(lang_cols) + " |")
    print("|---|---|" + "---|" * len(lang_cols))
    by_lang = collections.defaultdict(list)
    for r in rows:
        by_lang[r["language"]].append(r)
    groups = [(l, by_lang[l]) for l in sorted(by_lang, key=lambda l: (-len(by_lang[l]), l))]
    groups.append(("all but en", [r for r in rows if r["language"] != "en"]))
    for lang, rs in groups:
        gs = [r["gold"]["sentiment"] for r in rs]
        gc = [r["gold"]["category"] for r in rs]
        vals = {
            "sent_acc": accuracy(gs, [r["pred"]["sentiment"] for r in rs]),
            "polarity": polarity(gs, label_side(rs)),
            "cat_acc": accuracy(gc, [r["pred"]["category"] for r in rs]),
            "cat_f1": macro_f1(gc, [r["pred"]["category"] for r in rs], CATEGORIES),
        }
        if vader:
            vals["vader_acc"] = accuracy(gs, [vader_label(vader[r["id"]]) for r in rs])
        print("| %s | %d | %s |" % (lang, len(rs), " | ".join(fmt(vals[c]) for c in lang_cols)))

    print("\n### aspects (the taxonomy's terms, and the aspect model of each fold)\n")
    print("Micro-averaged over (item, aspect) pairs: precision = found aspects that are labelled, recall =")
    print("labelled aspects that are found. At most three per item, as labelled.\n")
    print("| language | items | labelled | found | precision | recall |")
    print("|---|---|---|---|---|---|")
    for lang, rs in [("all", rows)] + groups:
        tp = fp = fn = 0
        for r in rs:
            gold = set(r["gold"].get("aspects", []))
            pred = set(r["pred"].get("aspects", []))
            tp += len(gold & pred)
            fp += len(pred - gold)
            fn += len(gold - pred)
        print("| %s | %d | %d | %d | %s | %s |" % (lang, len(rs), tp + fn, tp + fp, fmt(tp / (tp + fp) if tp + fp else 0),
                                                  fmt(tp / (tp + fn) if tp + fn else 0)))

    tags = collections.defaultdict(list)
    for r in rows:
        for t in r.get("tags", []):
            tags[t].append(r)
    print("\n### hard cases (by tag)\n")
    print("| tag | n | sent_acc | cat_acc |" + (" vader_acc |" if vader else ""))
    print("|---|---|---|---|" + ("---|" if vader else ""))
    for t in sorted(tags, key=lambda t: -len(tags[t])):
        rs = tags[t]
        gs = [r["gold"]["sentiment"] for r in rs]
        line = "| %s | %d | %s | %s |" % (t, len(rs), fmt(accuracy(gs, [r["pred"]["sentiment"] for r in rs])),
                                          fmt(accuracy([r["gold"]["category"] for r in rs], [r["pred"]["category"] for r in rs])))
        if vader:
            line += " %s |" % fmt(accuracy(gs, [vader_label(vader[r["id"]]) for r in rs]))
        print(line)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"domains": table, "mean": mean}, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
