#!/usr/bin/env python3
"""How much machine code one NLP stage runs per document: the 64-byte lines of code it executes, counted by
callgrind, to set against the 32 KB first-level instruction cache.

    bench/nlp/code_footprint.py --chorus build/chorus --texts tests/data/feedback_labelled.tsv [--stage ThemesStage]

The texts (one per line; a .tsv is read as the labelled set, its sixth column) are analysed by
`chorus analyze --threads 1` under callgrind twice: once, and then twice in a row. The second run less the first
is a pass over texts the per-thread memos have already seen, so start-up and first sightings cancel out. A line
of code counts as the share of documents that execute it (at most one), so the total is the code a document
runs on average. Only the stage's own calls are collected (`--toggle-collect`). Needs valgrind.
"""
import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
from labelled_texts import labelled_texts  # noqa: E402

LINE = 64


def read_texts(path):
    if path.endswith(".tsv"):
        return labelled_texts(path)
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def executed(profile):
    """Instructions executed at each (object, address), and the function each address is in: self costs only."""
    counts = collections.Counter()
    function_of = {}
    names, objects = {}, {}
    obj = fn = None
    last = 0
    after_call = False
    named = re.compile(r"^(c?(?:ob|fn))=\((\d+)\)(?: (.*))?$")
    with open(profile) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            m = named.match(line)
            if m:
                kind, ident, name = m.groups()
                table = objects if kind.endswith("ob") else names
                if name:
                    table[ident] = name
                if kind == "ob":
                    obj = objects[ident]
                elif kind == "fn":
                    fn = names[ident]
                continue
            if line.startswith("calls="):
                after_call = True  # the next cost line is the call's inclusive cost
                continue
            if line[0] not in "0123456789+-*":
                continue
            fields = line.split()
            pos = fields[0]
            if pos.startswith("0x"):
                address = int(pos, 16)
            elif pos[0] in "+-":
                address = last + int(pos)
            elif pos == "*":
                address = last
            else:
                address = int(pos)
            last = address
            if after_call:
                after_call = False
                continue
            if len(fields) >= 3:  # address, source line, Ir
                counts[(obj, address)] += int(fields[2])
                function_of[(obj, address)] = fn
    return counts, function_of


def profile_run(chorus, stage, texts_file, out):
    cmd = ["valgrind", "--tool=callgrind", "--dump-instr=yes", "--toggle-collect=*%s::run*" % stage,
           "--callgrind-out-file=" + out, chorus, "analyze", "--threads", "1"]
    with open(texts_file, "rb") as stdin:
        subprocess.run(cmd, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chorus", default="build/chorus")
    ap.add_argument("--texts", default="tests/data/feedback_labelled.tsv")
    ap.add_argument("--stage", default="ThemesStage", help="the stage class whose run() is collected")
    ap.add_argument("--top", type=int, default=20, help="functions to list")
    args = ap.parse_args()
    texts = [t.replace("\n", " ") for t in read_texts(args.texts)]
    with tempfile.TemporaryDirectory(prefix="chorus-footprint-") as tmp:
        once, twice = os.path.join(tmp, "once.txt"), os.path.join(tmp, "twice.txt")
        with open(once, "w", encoding="utf-8") as f:
            f.write("\n".join(texts) + "\n")
        with open(twice, "w", encoding="utf-8") as f:
            f.write("\n".join(texts + texts) + "\n")
        profiles = [os.path.join(tmp, "once.out"), os.path.join(tmp, "twice.out")]
        profile_run(args.chorus, args.stage, once, profiles[0])
        profile_run(args.chorus, args.stage, twice, profiles[1])
        (first, _), (both, function_of) = executed(profiles[0]), executed(profiles[1])
    documents = len(texts)
    share = collections.defaultdict(float)  # (object, line) -> share of documents that run it
    line_function = {}
    instructions = 0
    for key, n in both.items():
        extra = n - first.get(key, 0)
        if extra <= 0:
            continue
        instructions += extra
        line = (key[0], key[1] // LINE)
        share[line] = max(share[line], min(1.0, extra / documents))
        line_function[line] = function_of[key]
    total = sum(share.values())
    print("%s, %d documents (second pass): %.0f instructions and %.0f lines of %d bytes (%.1f KB) of code a "
          "document" % (args.stage, documents, instructions / documents, total, LINE, total * LINE / 1024))
    by_function = collections.Counter()
    for line, s in share.items():
        by_function[line_function[line]] += s
    for name, lines in by_function.most_common(args.top):
        print("%7.2f KB  %s" % (lines * LINE / 1024, name[:150]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
