#!/usr/bin/env python3
"""The second baseline of examples/search_eval.rs: BM25 over jieba word segmentation.

    pip install jieba rank_bm25
    python3 examples/search-eval/jieba_baseline.py ../shared/corpus/tidb-operator-zh/docs \
        examples/search-eval/tidb-operator-zh.questions.tsv examples/search-eval/tidb-operator-zh.terms.tsv

Same pages (front-matter summary removed, title + body), same query sets and the same
measures as search_eval (success@1, success@5, MRR@10), so the two tables compare row by row.
"""
import os
import re
import sys

import jieba
from rank_bm25 import BM25Okapi

jieba.setLogLevel(60)


def front_matter(text):
    if not text.startswith("---\n"):
        return [], text
    end = text.find("\n---\n", 4)
    if end < 0:
        return [], text
    return text[4:end].split("\n"), text[end + 5 :]


def value(line, key):
    if not line.startswith(key):
        return None
    return line[len(key) :].strip().strip('"').strip("'")


def tokens(text):
    return [t.lower() for t in jieba.cut_for_search(text) if re.search(r"\w", t)]


def first_cjk(s, n):
    out, count = "", 0
    for c in s:
        out += c
        if "\u4e00" <= c <= "\u9fff":
            count += 1
            if count == n:
                break
    return out


def pairs(path):
    out = []
    if not path or not os.path.exists(path):
        return out
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or not line.strip() or "\t" not in line:
            continue
        q, s = line.rstrip("\n").split("\t", 1)
        out.append((q.strip(), s.strip()))
    return out


def main():
    corpus = sys.argv[1]
    questions = sys.argv[2] if len(sys.argv) > 2 else None
    terms = sys.argv[3] if len(sys.argv) > 3 else None
    pages = []
    for name in sorted(os.listdir(corpus)):
        if not name.endswith(".md"):
            continue
        raw = open(os.path.join(corpus, name), encoding="utf-8").read().replace("\r\n", "\n")
        fm, body = front_matter(raw)
        title = next((v for v in (value(l, "title:") for l in fm) if v), "")
        summary = next((v for v in (value(l, "summary:") for l in fm) if v), None)
        pages.append((name[:-3], title, summary, title + "\n" + body))
    bm25 = BM25Okapi([tokens(p[3]) for p in pages])
    sets = [
        ("summary", [(p[2], p[0]) for p in pages if p[2]]),
        ("summary15", [(first_cjk(p[2], 15), p[0]) for p in pages if p[2]]),
        ("heading", [(p[1], p[0]) for p in pages if p[1]]),
        ("question", pairs(questions)),
        ("term", pairs(terms)),
    ]
    print("| set | queries | jieba BM25 s@1 | s@5 | MRR@10 |")
    print("|---|---:|---:|---:|---:|")
    for name, queries in sets:
        if not queries:
            continue
        at1 = at5 = rr = 0.0
        for q, want in queries:
            scores = bm25.get_scores(tokens(q))
            ranked = sorted(range(len(pages)), key=lambda i: (-scores[i], i))[:10]
            ranked = [pages[i][0] for i in ranked if scores[i] > 0]
            if want in ranked:
                pos = ranked.index(want)
                at1 += pos == 0
                at5 += pos < 5
                rr += 1 / (pos + 1)
        n = len(queries)
        print(f"| {name} | {n} | {at1 / n:.2f} | {at5 / n:.2f} | {rr / n:.3f} |")


if __name__ == "__main__":
    main()
