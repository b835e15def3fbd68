#!/usr/bin/env python3
"""Proposes taxonomy terms from the labelled corpus, and measures what such terms are worth on domains
they were not mined from.

    chorus analyze --jsonl < corpus.jsonl > analysed.jsonl
    bench/nlp/mine_terms.py corpus.jsonl analysed.jsonl [--lodo] [--propose] [--min-domains 3]

A candidate is a run of one to three words (lowercased, split on anything that is not a letter, digit or
apostrophe) in a language written with spaces. It is proposed for an aspect when, in the items it is
mined from:
- at least --min-items items contain it and at least --min-precision of them are labelled with the aspect;
- it occurs, labelled with the aspect, in at least --min-domains domains (a term that only one product
  uses would not carry over);
- adding it finds more labelled aspects the engine missed than it adds unlabelled ones (net >= --min-net).

--lodo: mines from eleven domains, adds the terms to the engine's own answers on the twelfth (at most
three aspects an item, as the engine keeps), and sums precision and recall over the twelve held-out
domains. This is the figure to trust: the terms are scored only where they were not chosen.
--propose: mines from all twelve domains and prints the terms, language by language, to review by hand.
"""
import argparse
import collections
import json
import re
import sys

WORD = re.compile(r"[\w']+", re.UNICODE)
SPACELESS = {"ja", "zh", "ko", "th"}
STOP = set("""a an the and or but to of in on at for with from by is are was were be been it its it's this that these
those i me my we our you your they them he she his her as so if not no do does did than then there here
just too very can't cant don't dont i'm im i've ive""".split())


def grams(text):
    words = WORD.findall(text.lower())
    out = set()
    for n in (1, 2, 3):
        for i in range(len(words) - n + 1):
            g = words[i:i + n]
            if g[0] in STOP or g[-1] in STOP or any(w.isdigit() for w in g):
                continue
            out.add(" ".join(g))
    return out


def load(corpus_path, analysed_path, aspect_ids):
    items = []
    with open(corpus_path) as c, open(analysed_path) as a:
        for gold_line, pred_line in zip(c, a):
            g, p = json.loads(gold_line), json.loads(pred_line)
            items.append({
                "domain": g["domain"],
                "language": g.get("language", "en"),
                "gold": set(g["aspects"]),
                "pred": [t for t in p.get("themes", []) if t in aspect_ids],
                "grams": set() if g.get("language") in SPACELESS else grams(g["text"]),
            })
    return items


def mine(items, args):
    """(language, gram, aspect) -> net gain, for the candidates that pass every test."""
    having = collections.Counter()           # (lang, gram) -> items
    labelled = collections.Counter()         # (lang, gram, aspect) -> items labelled with it
    gains = collections.Counter()            # ... labelled and missed by the engine
    costs = collections.Counter()            # ... not labelled and not found by the engine
    domains = collections.defaultdict(set)   # (lang, gram, aspect) -> domains labelled there
    aspects = {a for it in items for a in it["gold"]}
    for it in items:
        lang = it["language"]
        for g in it["grams"]:
            having[(lang, g)] += 1
            for a in it["gold"]:
                labelled[(lang, g, a)] += 1
                domains[(lang, g, a)].add(it["domain"])
                if a not in it["pred"]:
                    gains[(lang, g, a)] += 1
    chosen = {}
    for (lang, g, a), n in labelled.items():
        total = having[(lang, g)]
        if total < args.min_items or n / total < args.min_precision:
            continue
        if len(domains[(lang, g, a)]) < args.min_domains:
            continue
        chosen[(lang, g, a)] = None
    if not chosen:
        return {}
    for it in items:
        lang = it["language"]
        for g in it["grams"]:
            for a in aspects:
                if (lang, g, a) in chosen and a not in it["gold"] and a not in it["pred"]:
                    costs[(lang, g, a)] += 1
    out = {}
    for key in chosen:
        net = gains[key] - costs[key]
        if net >= args.min_net:
            out[key] = net
    return out


def apply(items, terms):
    by_lang_gram = collections.defaultdict(list)
    for (lang, g, a), net in terms.items():
        by_lang_gram[(lang, g)].append((net, a))
    tp = fp = fn = 0
    for it in items:
        pred = list(it["pred"])
        extra = []
        for g in it["grams"]:
            extra += by_lang_gram.get((it["language"], g), [])
        for _, a in sorted(extra, reverse=True):
            if a not in pred and len(pred) < 3:
                pred.append(a)
        p = set(pred)
        tp += len(p & it["gold"])
        fp += len(p - it["gold"])
        fn += len(it["gold"] - p)
    return tp, fp, fn


def score(tp, fp, fn):
    p = tp / max(1, tp + fp)
    r = tp / max(1, tp + fn)
    return p, r, 2 * p * r / max(1e-9, p + r)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("analysed")
    ap.add_argument("--taxonomy", default="data/taxonomy/aspects.json")
    ap.add_argument("--lodo", action="store_true")
    ap.add_argument("--propose", action="store_true")
    ap.add_argument("--min-items", type=int, default=4)
    ap.add_argument("--min-precision", type=float, default=0.6)
    ap.add_argument("--min-domains", type=int, default=3)
    ap.add_argument("--min-net", type=int, default=2)
    args = ap.parse_args()
    ids = {a["id"] for a in json.load(open(args.taxonomy))["aspects"]}
    items = load(args.corpus, args.analysed, ids)
    domains = sorted({it["domain"] for it in items})

    if args.lodo:
        base = [0, 0, 0]
        mined = [0, 0, 0]
        print("| held-out domain | terms mined | engine P / R | with mined terms P / R |")
        print("|---|---:|---:|---:|")
        for d in domains:
            train = [it for it in items if it["domain"] != d]
            test = [it for it in items if it["domain"] == d]
            terms = mine(train, args)
            b = apply(test, {})
            m = apply(test, terms)
            base = [x + y for x, y in zip(base, b)]
            mined = [x + y for x, y in zip(mined, m)]
            bp, br, _ = score(*b)
            mp, mr, _ = score(*m)
            print(f"| {d} | {len(terms)} | {bp:.3f} / {br:.3f} | {mp:.3f} / {mr:.3f} |")
        bp, br, bf = score(*base)
        mp, mr, mf = score(*mined)
        print(f"| all, held out | | {bp:.3f} / {br:.3f} (F1 {bf:.3f}) | {mp:.3f} / {mr:.3f} (F1 {mf:.3f}) |")

    if args.propose:
        terms = mine(items, args)
        by = collections.defaultdict(list)
        for (lang, g, a), net in terms.items():
            by[(lang, a)].append((net, g))
        for (lang, a) in sorted(by):
            row = ", ".join(f"{g} ({n})" for n, g in sorted(by[(lang, a)], reverse=True))
            print(f"{lang}\t{a}\t{row}")
    if not (args.lodo or args.propose):
        ap.error("say --lodo, --propose or both")


if __name__ == "__main__":
    sys.exit(main())
