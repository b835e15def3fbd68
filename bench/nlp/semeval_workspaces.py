#!/usr/bin/env python3
"""What the Themes page shows for a workspace of feedback nobody here wrote: each SemEval aspect-based
sentiment file (2015/2016 review format) becomes one workspace of a fresh `chorus serve`; so does a JSON-lines
file of items with a "text" (and an optional "title"), such as a domain of the labelled corpus.

    bench/nlp/semeval_workspaces.py FILE.xml|FILE.jsonl [...] [--chorus build/chorus] [--top 12]

Each review, its sentences joined, is imported as one item through a jsonl source, spread over November
2026. The script prints the most common level-1 themes and level-2 phrases (with their parents) from
GET /v1/workspaces/{ws}/themes, and the insights' top themes. Read them for what a product manager would not name:
the product's own noun ("laptop", "hotel"), stems, filler words, aspects that do not belong to the domain.
The XML files are not part of the project; bench/nlp/semeval_aspects.py says where they come from.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ADMIN = "semeval-workspaces-admin-key-0123456789"
PERIOD = "from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, method, path, key, body=None):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": "Bearer " + key})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"null")


def reviews(path):
    if path.endswith(".jsonl"):  # any feedback as JSON lines with a "text" (and maybe a "title")
        out = []
        with open(path, encoding="utf-8") as f:
            for i, line in enumerate(f):
                item = json.loads(line)
                text = ((item.get("title") or "") + "\n" + item["text"]).strip()
                out.append({"id": "item-%d" % i, "text": text, "created_at": "2026-11-%02dT10:00:00Z" % (1 + i % 25)})
        return out
    out = []
    for i, review in enumerate(ET.parse(path).getroot().iter("Review")):
        text = " ".join((s.findtext("text") or "").strip() for s in review.iter("sentence")).strip()
        if text:
            out.append({"id": "review-%d" % i, "text": text, "created_at": "2026-11-%02dT10:00:00Z" % (1 + i % 25)})
    return out


def wait_until_stored(base, ws, key, n):
    for _ in range(300):
        totals = call(base, "GET", "/v1/workspaces/%s/insights?%s" % (ws, PERIOD), key)["totals"]
        if totals.get("count", 0) >= n:
            return
        time.sleep(0.2)
    raise SystemExit("workspace %s: not every review was stored after a minute" % ws)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--chorus", default=os.path.join(ROOT, "build", "chorus"))
    ap.add_argument("--top", type=int, default=12)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="chorus-semeval-")
    port = free_port()
    base = "http://127.0.0.1:%d" % port
    server = subprocess.Popen([args.chorus, "serve", "--data-dir", os.path.join(tmp, "data"), "--listen",
                               "127.0.0.1:%d" % port], env=dict(os.environ, CHORUS_ADMIN_KEY=ADMIN),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        key = call(base, "POST", "/v1/customers", ADMIN, {"name": "semeval"})["api_key"]
        for path in args.files:
            items = reviews(path)
            ws = call(base, "POST", "/v1/workspaces", key, {"name": os.path.basename(path), "sources": []})["id"]
            src = call(base, "POST", "/v1/workspaces/%s/sources" % ws, key,
                       {"type": "jsonl", "name": "reviews",
                        "config": {"fields": {"id": "id", "text": "text", "timestamp": "created_at"}}})["id"]
            jsonl = os.path.join(tmp, "items.jsonl")
            with open(jsonl, "w", encoding="utf-8") as f:
                f.writelines(json.dumps(i) + "\n" for i in items)
            subprocess.run([args.chorus, "import", "--server", base, "--key", key, "--workspace", str(ws),
                            "--source", str(src), jsonl], check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            wait_until_stored(base, ws, key, len(items))
            listed = call(base, "GET", "/v1/workspaces/%s/themes?%s" % (ws, PERIOD), key)["items"]
            listed.sort(key=lambda t: -t["count"])
            top = call(base, "GET", "/v1/workspaces/%s/insights?%s" % (ws, PERIOD), key)["top_themes"]
            print("## %s: %d reviews" % (os.path.basename(path), len(items)))
            print("level 1: " + ", ".join("%s %d" % (t["name"], t["count"])
                                          for t in [t for t in listed if t["level"] == 1 and t["count"]][:args.top]))
            print("level 2: " + ", ".join("%s (%s) %d" % (t["name"], t["parent"], t["count"])
                                          for t in [t for t in listed if t["level"] == 2][:args.top]))
            print("insights' top themes: " + ", ".join("%s %d" % (t["theme"], t["count"]) for t in top))
            print()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
