#!/usr/bin/env python3
"""Level-1 aspects against human aspect labels nobody here wrote: the SemEval-2015 and 2016 aspect-based
sentiment sets (sentence level, "slot 1" categories such as LAPTOP#PRICE or SERVICE#GENERAL).

    bench/nlp/semeval_aspects.py FILE.xml [FILE.xml ...] [--chorus build/chorus] [--level sentence|review]
                                 [--errors N] [--markdown]

The XML files are not part of the project (their licences differ from ours); point the script at copies
of the published files. A file's language is read from its name ("dutch", "_NL", ...) or given with
--language. Each SemEval category whose meaning one of our aspects covers is mapped to it (map_category
below); categories with no counterpart (LAPTOP#GENERAL, AMBIENCE#GENERAL, ...) are left out, and so are
our aspects outside the mapped set, so an item is scored only on aspects both schemes can name.

- sentence level: every sentence is an item, as SemEval labels it;
- review level: a review's sentences joined into one item carrying the union of their labels, closer to
  the feedback items Chorus reads (an app review, a ticket).

Micro-averaged precision (found aspects that are labelled) and recall (labelled aspects that are found),
per aspect and per file. With --errors N, prints N missed and N unlabelled finds per aspect to read.
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# SemEval entity#attribute -> Chorus aspect. The attribute decides for most: PRICE(S) is what something
# costs, OPERATION_PERFORMANCE of a machine is its speed, QUALITY of hardware is build and defects.
# Entity-wide rules come first; None leaves the category out of the comparison.
def map_category(category):
    # SemEval-2014's restaurant categories are single words.
    old_style = {"food": "food quality", "service": "customer support", "price": "pricing"}
    if "#" not in category:
        return old_style.get(category)
    entity, _, attribute = category.partition("#")
    if attribute in ("PRICE", "PRICES"):
        return "pricing"
    if entity == "SUPPORT":
        return "customer support"
    if entity == "SERVICE":  # restaurants: the staff, waiting, being served
        return "customer support"
    if entity == "SHIPPING":
        return "delivery"
    if entity == "BATTERY":
        return "battery"
    if entity in ("FOOD", "DRINKS", "FOOD_DRINKS") and attribute in ("QUALITY", "STYLE_OPTIONS"):
        return "food quality"
    # hotels: the rooms and the premises are the physical thing the guest gets (docs/labelling.md)
    if entity in ("HOTEL", "ROOMS", "ROOMS_AMENITIES", "FACILITIES") and attribute in ("QUALITY", "COMFORT",
                                                                                      "CLEANLINESS"):
        return "product quality"
    if attribute == "OPERATION_PERFORMANCE" and entity in ("LAPTOP", "CPU", "MEMORY", "HARD_DISC", "GRAPHICS",
                                                           "HARDWARE", "OS", "SOFTWARE"):
        return "performance"
    if attribute == "QUALITY" and entity in ("LAPTOP", "HARDWARE", "KEYBOARD", "MOUSE", "DISPLAY",
                                             "MULTIMEDIA_DEVICES", "POWER_SUPPLY", "HARD_DISC", "FANS_COOLING",
                                             "PORTS", "MOTHERBOARD", "OPTICAL_DRIVES"):
        return "product quality"
    if attribute == "USABILITY" and entity in ("LAPTOP", "OS", "SOFTWARE"):
        return "ease of use"
    if attribute == "CONNECTIVITY" or entity == "PORTS" and attribute == "OPERATION_PERFORMANCE":
        return "connectivity"
    return None


MAPPED_ASPECTS = ["pricing", "customer support", "delivery", "battery", "food quality", "performance",
                  "product quality", "ease of use", "connectivity"]
LANGUAGE_HINTS = [("dutch", "nl"), ("_nl", "nl"), ("spanish", "es"), ("_sp", "es"), ("_es", "es"), ("french", "fr"),
                  ("fr_", "fr"), ("russian", "ru"), ("_ru", "ru"), ("turkish", "tr"), ("_tu", "tr")]


def language_of(path, given):
    if given:
        return given
    name = os.path.basename(path).lower()
    for hint, code in LANGUAGE_HINTS:
        if hint in name:
            return code
    return "en"


def read_items(path, level):
    """(id, text, gold aspects, SemEval categories) per sentence or per review; sentences without text are
    skipped (some releases ship ids only)."""
    root = ET.parse(path).getroot()
    items = []
    # SemEval-2014 lists sentences without reviews, with <aspectCategory> for <Opinion>: each is its own review.
    reviews = list(root.iter("Review")) or [ET.Element("Review", rid=s.get("id")) for s in root.iter("sentence")]
    if not list(root.iter("Review")):
        for review, sentence in zip(reviews, root.iter("sentence")):
            review.append(sentence)
    for review in reviews:
        joined, gold, cats = [], [], []
        for sentence in review.iter("sentence"):
            text = (sentence.findtext("text") or "").strip()
            if not text:
                continue
            s_gold, s_cats = [], []
            for op in list(sentence.iter("Opinion")) + list(sentence.iter("aspectCategory")):
                cat = op.get("category", "")
                s_cats.append(cat)
                aspect = map_category(cat)
                if aspect and aspect not in s_gold:
                    s_gold.append(aspect)
            if level == "sentence":
                items.append((sentence.get("id"), text, s_gold, s_cats))
            else:
                joined.append(text)
                gold += [a for a in s_gold if a not in gold]
                cats += s_cats
        if level == "review" and joined:
            items.append((review.get("rid"), " ".join(joined), gold, cats))
    return items


def analyse(binary, texts):
    lines = "".join(json.dumps({"text": t}) + "\n" for t in texts).encode()
    out = subprocess.run([binary, "analyze", "--jsonl"], input=lines, capture_output=True, check=True)
    return [json.loads(line) for line in out.stdout.decode().splitlines()]


def score(pairs):
    tp = fp = fn = 0
    for gold, pred in pairs:
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f, tp, fp, fn


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--chorus", default=os.path.join(ROOT, "build", "chorus"))
    ap.add_argument("--level", choices=["sentence", "review"], default="sentence")
    ap.add_argument("--language", help="the files' language, when their names do not say")
    ap.add_argument("--errors", type=int, default=0, metavar="N")
    args = ap.parse_args()

    mapped = set(MAPPED_ASPECTS)
    everything = []
    print("| file | language | items | with a mapped label | precision | recall | F1 |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for path in args.files:
        items = read_items(path, args.level)
        results = analyse(args.chorus, [t for _, t, _, _ in items])
        lang = language_of(path, args.language)
        pairs = []
        for (item_id, text, gold, cats), res in zip(items, results):
            pred = set(a for a in res.get("themes", []) if a in mapped)
            pairs.append((set(gold), pred))
            everything.append((item_id, text, set(gold), pred, cats, res.get("language_code")))
        p, r, f, *_ = score(pairs)
        labelled = sum(1 for g, _ in pairs if g)
        print("| %s | %s | %d | %d | %.3f | %.3f | %.3f |" % (os.path.basename(path), lang, len(items), labelled, p, r, f))
    p, r, f, tp, fp, fn = score([(g, pr) for _, _, g, pr, _, _ in everything])
    print("| all | | %d | | **%.3f** | **%.3f** | %.3f |" % (len(everything), p, r, f))

    print("\n| aspect | labelled | found and labelled | found, not labelled | labelled, not found | precision | recall |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for aspect in sorted(mapped):
        sub = [({aspect} & g, {aspect} & pr) for _, _, g, pr, _, _ in everything]
        p, r, f, tp, fp, fn = score(sub)
        print("| %s | %d | %d | %d | %d | %.3f | %.3f |" % (aspect, tp + fn, tp, fp, fn, p, r))

    if args.errors:
        for aspect in sorted(mapped):
            missed = [(i, t, c) for i, t, g, pr, c, _ in everything if aspect in g and aspect not in pr]
            extra = [(i, t, c) for i, t, g, pr, c, _ in everything if aspect in pr and aspect not in g]
            print("\n## %s: labelled, not found (%d)" % (aspect, len(missed)))
            for i, t, c in missed[:args.errors]:
                print("  - %s  [%s]" % (t[:220], ",".join(c)))
            print("## %s: found, not labelled (%d)" % (aspect, len(extra)))
            for i, t, c in extra[:args.errors]:
                print("  - %s  [%s]" % (t[:220], ",".join(c)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
