#!/usr/bin/env python3
"""Reads `chorus analyze` output on stdin and writes each line's sentiment_compound (0 for error lines),
the engine protocol of /work/shared/tools/sentiment_gold_eval.py:

    python3 sentiment_gold_eval.py --name chorus --cmd 'build/chorus analyze | bench/nlp/compound.py'
"""
import json
import sys

for line in sys.stdin:
    try:
        print(json.loads(line).get("sentiment_compound", 0) or 0)
    except ValueError:
        print(0)
