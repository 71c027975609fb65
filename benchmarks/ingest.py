"""Measure reading + normalising speed: the demo corpus copied N times (default 50).

Prints one JSON object: files, characters, seconds and characters per second for the whole
ingest (read, decode, normalise, validate) and for normalisation alone, plus peak memory.
Usage: ``python benchmarks/ingest.py [--copies 50]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from democopy import copy_demo

from analysis.text.corpus import read_corpus, transcript_files
from analysis.text.normalise import normalise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        study = copy_demo(Path(folder) / "bench", args.copies)
        started = time.perf_counter()
        corpus = read_corpus(study)
        ingest_seconds = time.perf_counter() - started
        assert not corpus.problems, corpus.problems[0].message
        texts = [p.read_text(encoding="utf-8") for p in transcript_files(study.transcripts_dir)]
        started = time.perf_counter()
        for text in texts:
            normalise(text)
        normalise_seconds = time.perf_counter() - started
    characters = sum(len(t) for t in texts)
    print(json.dumps({
        "benchmark": "ingest",
        "copies": args.copies,
        "files": len(texts),
        "characters": characters,
        "ingest_seconds": round(ingest_seconds, 3),
        "ingest_chars_per_second": round(characters / ingest_seconds),
        "normalise_seconds": round(normalise_seconds, 3),
        "normalise_chars_per_second": round(characters / normalise_seconds),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }, indent=2))


if __name__ == "__main__":
    main()
