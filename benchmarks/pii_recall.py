"""Recall and precision of the identifier finder on the fictional raw fixtures (tests/fixtures/raw).

Gold: ``gold.tsv`` (file, kind, text), every occurrence of an identifier in the body. A gold item
is found when one hit covers it whole; a hit is right when it overlaps a gold item that is an
identifier (``not_id`` items are numbers that look like IDs but are not). Prints one JSON object:
per kind, gold count, recall, and per hit kind, hits and precision; seconds per 1,000 characters;
and the false alarms on the demo transcripts (real prose with no identifiers in it).
Usage: ``python benchmarks/pii_recall.py``.
"""

from __future__ import annotations

import csv
import json
import time
from collections import defaultdict
from pathlib import Path

from analysis.privacy.anonymise import read_names
from analysis.privacy.pii import find_identifiers
from analysis.text.corpus import split_front_matter
from analysis.text.normalise import normalise
from analysis.text.reading import read_text_file

RAW = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "raw"


def gold_spans(folder: Path = RAW) -> dict[str, list[tuple[int, int, str]]]:
    """Per file, ``(start, end, kind)`` of every gold occurrence in the normalised body."""
    bodies, spans = {}, defaultdict(set)
    with open(folder / "gold.tsv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    for row in sorted(rows, key=lambda r: -len(r["text"])):  # "มาลัย ใจดี" claims its "มาลัย"
        name = row["file"]
        if name not in bodies:
            text, _ = read_text_file(folder / name)
            bodies[name] = split_front_matter(normalise(text), folder / name)[1]
        text, at = normalise(row["text"]), 0
        while (at := bodies[name].find(text, at)) >= 0:
            if not any(s < at + len(text) and at < e for s, e, _ in spans[name]):
                spans[name].add((at, at + len(text), row["kind"]))
            at += len(text)
    return {name: sorted(items) for name, items in spans.items()} | {"_bodies": bodies}


def evaluate(folder: Path = RAW) -> dict:
    gold = gold_spans(folder)
    bodies = gold.pop("_bodies")
    custom = read_names(folder / "study-names.txt")
    found, total, hits, right = defaultdict(int), defaultdict(int), defaultdict(int), defaultdict(int)
    started, characters = time.perf_counter(), 0
    for name, body in bodies.items():
        characters += len(body)
        found_hits = find_identifiers(body, custom=custom)
        for start, end, kind in gold[name]:
            total[kind] += 1
            if any(h.start <= start and end <= h.end for h in found_hits):
                found[kind] += 1
        for hit in found_hits:
            hits[hit.kind] += 1
            if any(hit.start < e and s < hit.end and k != "not_id" for s, e, k in gold[name]):
                right[hit.kind] += 1
    seconds = time.perf_counter() - started
    return {"recall": {k: {"gold": total[k], "found": found[k], "recall": round(found[k] / total[k], 3)}
                       for k in sorted(total) if k != "not_id"},
            "not_id_flagged": found["not_id"],
            "precision": {k: {"hits": hits[k], "precision": round(right[k] / hits[k], 3)}
                          for k in sorted(hits)},
            "seconds_per_1000_chars": round(seconds / characters * 1000, 4)}


def demo_false_hits() -> dict:
    """Hits on the demo transcripts, which hold only placeholders: every hit there is a false alarm."""
    from analysis.study import load_study
    from analysis.text.corpus import read_corpus

    study = load_study(RAW.parent.parent.parent)
    counts: dict[str, int] = defaultdict(int)
    corpus = read_corpus(study)
    for transcript in corpus:
        for hit in find_identifiers(transcript.body, keep_places=study.keep_places):
            counts[hit.kind] += 1
    characters = sum(len(t.body) for t in corpus)
    return {"transcripts": len(corpus), "characters": characters, "false_hits": dict(counts)}


if __name__ == "__main__":
    print(json.dumps(evaluate() | {"demo": demo_false_hits()}, ensure_ascii=False))
