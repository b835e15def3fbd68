#!/usr/bin/env python3
"""Level-2 phrases against human labels nobody here wrote: does a phrase sit under the aspect the SemEval
annotators gave the same words?

    bench/nlp/semeval_subthemes.py FILE.xml [FILE.xml ...] [--chorus build/chorus] [--show N]

The SemEval-2015/2016 restaurant and hotel sets mark opinion targets: the words an opinion is about ("the
waiter", "the room") with their category (SERVICE#GENERAL, ROOMS#CLEANLINESS). Each review, its sentences
joined, is analysed as one item. A level-2 phrase of the result is checked when it shares a word (not a
stop word) with a target whose category semeval_aspects.py maps to one of our aspects:
- placed: the phrase's parent is that aspect ("rude waiter" under customer support);
- misplaced: it sits under another aspect ("bathroom sink" under pricing).
A phrase that meets targets of several categories counts as placed when its parent is any of them. Phrases
that meet no mapped target are not scored. The laptop sets have no targets and are skipped.
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import semeval_aspects as sa  # noqa: E402
import xml.etree.ElementTree as ET  # noqa: E402

WORD = re.compile(r"[\w']+", re.UNICODE)
STOP = set("a an the and or of to in on at for with my our your their its this that is was it".split())


def content_words(text):
    return {w for w in WORD.findall(text.lower()) if w not in STOP and len(w) > 1}


def read_reviews(path):
    """(text, [(target words, aspect)]) per review; targets whose category has no aspect are left out."""
    root = ET.parse(path).getroot()
    out = []
    for review in root.iter("Review"):
        texts, targets = [], []
        for sentence in review.iter("sentence"):
            text = (sentence.findtext("text") or "").strip()
            if not text:
                continue
            texts.append(text)
            for op in sentence.iter("Opinion"):
                target, aspect = op.get("target", "NULL"), sa.map_category(op.get("category", ""))
                if target != "NULL" and aspect:
                    targets.append((content_words(target), aspect))
        if texts:
            out.append((" ".join(texts), targets))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--chorus", default=os.path.join(sa.ROOT, "build", "chorus"))
    ap.add_argument("--show", type=int, default=0, metavar="N", help="print N misplaced phrases a file")
    args = ap.parse_args()
    print("| file | reviews | level-2 phrases | meeting a labelled target | placed | misplaced | placed share |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    totals = [0, 0, 0, 0]
    for path in args.files:
        reviews = read_reviews(path)
        if not any(t for _, t in reviews):
            print(f"| {os.path.basename(path)} | {len(reviews)} | | no opinion targets | | | |")
            continue
        results = sa.analyse(args.chorus, [text for text, _ in reviews])
        phrases = checked = placed = 0
        wrong = []
        for (text, targets), res in zip(reviews, results):
            for sub in res.get("sub_themes", []):
                phrases += 1
                words = content_words(sub["phrase"])
                aspects = {aspect for target, aspect in targets if words & target}
                if not aspects:
                    continue
                checked += 1
                if sub["theme"] in aspects:
                    placed += 1
                else:
                    wrong.append((sub["phrase"], sub["theme"], sorted(aspects)))
        share = placed / checked if checked else 0.0
        print(f"| {os.path.basename(path)} | {len(reviews)} | {phrases} | {checked} | {placed} | "
              f"{checked - placed} | {share:.3f} |")
        totals = [a + b for a, b in zip(totals, (phrases, checked, placed, checked - placed))]
        for phrase, theme, aspects in wrong[:args.show]:
            print(f"  - \"{phrase}\" under {theme}; labelled {', '.join(aspects)}", file=sys.stderr)
    if totals[1]:
        print(f"| all | | {totals[0]} | {totals[1]} | {totals[2]} | {totals[3]} | {totals[2] / totals[1]:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
