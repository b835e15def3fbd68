#!/usr/bin/env python3
"""Checks data/corpus/*.jsonl against docs/labelling.md and prints each file's label counts.

    bench/nlp/corpus_check.py [FILE ...]     # default: every file in data/corpus
Exit status 1 when any line breaks the format, with the file, line and what is wrong.
"""
import collections
import glob
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOMAINS = {"banking", "ecommerce", "games", "travel", "food_delivery", "telecom", "hardware", "fitness",
           "education", "devtools", "productivity", "streaming"}
REGISTERS = {"appstore", "tweet", "ticket", "forum", "github", "survey", "reddit", "chat", "email"}
SENTIMENTS = {"positive", "negative", "neutral", "mixed"}
CATEGORIES = {"bug", "feature_request", "question", "praise", "complaint", "other"}
TAGS = {"sarcasm", "mixed_feelings", "polite_request", "question_reports_bug", "complaint_not_bug",
        "rating_contradicts", "rating_agrees", "quoted_reply", "off_topic", "greeting", "plus_one", "html",
        "markdown", "code", "long"}
ASPECTS_TEXT = """pricing, fees, billing, refunds, subscription, payments, login, account, performance, crashes, sync,
data loss, notifications, search, ui design, ease of use, customer support, delivery, order accuracy,
product quality, food quality, privacy, security, ads, battery, onboarding, integrations, export,
accessibility, localization, outage, updates, compatibility, connectivity, coverage, installation,
documentation, api, offline mode, storage, content, playback, booking, cancellation, transfers, cards,
gameplay, multiplayer, in-app purchases, tracking accuracy, collaboration, customization"""
ASPECTS = {a.strip() for a in ASPECTS_TEXT.replace("\n", " ").split(",")}
FIELDS = ["id", "domain", "register", "language", "rating", "title", "text", "sentiment", "category", "aspects",
          "tags"]


def check_item(item, domain):
    if not isinstance(item, dict):
        return "not a JSON object"
    missing = [f for f in FIELDS if f not in item]
    if missing:
        return "missing " + ", ".join(missing)
    extra = [f for f in item if f not in FIELDS]
    if extra:
        return "unknown field " + ", ".join(extra)
    if item["domain"] != domain:
        return "domain %r in the file of %r" % (item["domain"], domain)
    if not re.fullmatch(re.escape(domain) + r"-\d{4}", str(item["id"])):
        return "id %r is not %s-NNNN" % (item["id"], domain)
    if item["register"] not in REGISTERS:
        return "register %r" % item["register"]
    if not re.fullmatch(r"[a-z]{2}", str(item["language"])):
        return "language %r" % item["language"]
    if item["rating"] is not None and item["rating"] not in (1, 2, 3, 4, 5):
        return "rating %r" % item["rating"]
    if item["title"] is not None and (not isinstance(item["title"], str) or not item["title"].strip()):
        return "title must be null or a non-empty string"
    if not isinstance(item["text"], str) or not item["text"].strip():
        return "empty text"
    if item["sentiment"] not in SENTIMENTS:
        return "sentiment %r" % item["sentiment"]
    if item["category"] not in CATEGORIES:
        return "category %r" % item["category"]
    if not isinstance(item["aspects"], list) or len(item["aspects"]) > 3:
        return "aspects must be a list of at most 3"
    bad = [a for a in item["aspects"] if a not in ASPECTS]
    if bad:
        return "unknown aspect " + ", ".join(map(repr, bad))
    if not isinstance(item["tags"], list) or any(t not in TAGS for t in item["tags"]):
        return "tags %r" % (item["tags"],)
    return None


def main(paths):
    paths = paths or sorted(glob.glob(os.path.join(ROOT, "data", "corpus", "*.jsonl")))
    errors = 0
    seen_ids, seen_texts = set(), {}
    totals = collections.Counter()
    for path in paths:
        domain = os.path.basename(path)[: -len(".jsonl")]
        if domain not in DOMAINS:
            print("%s: %r is not a domain" % (path, domain))
            errors += 1
            continue
        counts = collections.defaultdict(collections.Counter)
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                try:
                    item = json.loads(line)
                except json.JSONDecodeError as e:
                    print("%s:%d: bad JSON: %s" % (path, n, e))
                    errors += 1
                    continue
                problem = check_item(item, domain)
                if problem is None and item["id"] in seen_ids:
                    problem = "id %s used twice" % item["id"]
                text_key = " ".join(item.get("text", "").lower().split()) if isinstance(item, dict) else ""
                # Bare "+1" and "same here" recur everywhere, as in real feedback; longer texts must not.
                if problem is None and text_key in seen_texts and len(text_key.split()) > 3:
                    problem = "same text as %s" % seen_texts[text_key]
                if problem:
                    print("%s:%d: %s" % (path, n, problem))
                    errors += 1
                    continue
                seen_ids.add(item["id"])
                seen_texts[text_key] = item["id"]
                for field in ("sentiment", "category", "language", "register"):
                    counts[field][item[field]] += 1
                for t in item["tags"]:
                    counts["tags"][t] += 1
                for a in item["aspects"]:
                    counts["aspects"][a] += 1
                totals["items"] += 1
                totals["non_english"] += item["language"] != "en"
        n_items = sum(counts["sentiment"].values())
        print("%s: %d items" % (os.path.relpath(path, ROOT), n_items))
        for field in ("sentiment", "category", "language", "register", "tags"):
            print("  %-9s %s" % (field, ", ".join("%s %d" % kv for kv in counts[field].most_common())))
        print("  aspects   %d distinct" % len(counts["aspects"]))
    if totals["items"]:
        print("total %d items, %.1f%% not English" % (totals["items"], 100.0 * totals["non_english"] / totals["items"]))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
