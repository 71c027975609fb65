"""Measure segmenting + tokenising speed against plain pythainlp newmm.

Builds a study of about 2 MB of text from the demo transcripts (copied with their turns rotated)
and prints one JSON object: characters per second of ``pythainlp.word_tokenize(engine="newmm")``
over the same turns (the baseline, its dictionary loaded first), of ``study_text`` with an empty
cache (cold, after the one-time start-up of spaCy and nlpo3, which is reported on its own) and
again with nothing changed (warm, median of 3 runs), each one's ratio to the baseline, and peak memory.
Usage: ``python benchmarks/tokenise.py [--copies 25]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path

from democopy import copy_demo

from analysis.text.corpus import read_corpus
from analysis.text.pipeline import study_text
from analysis.text.segments import paragraphs
from analysis.text.tokenise import default_tokenizer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=25)
    args = parser.parse_args()
    from pythainlp.tokenize import word_tokenize

    with tempfile.TemporaryDirectory() as folder:
        study = copy_demo(Path(folder) / "bench", args.copies, vary=True)
        turns = [t.body[p.start:p.end] for t in read_corpus(study) for p in paragraphs(t.body)]
        characters = sum(len(turn) for turn in turns)
        word_tokenize("อุ่นเครื่อง", engine="newmm")  # load the dictionary outside the timing

        started = time.perf_counter()
        for turn in turns:
            word_tokenize(turn, engine="newmm")
        baseline = time.perf_counter() - started

        started = time.perf_counter()
        default_tokenizer()  # one-time start-up: import spaCy, load the newmm dictionary
        startup = time.perf_counter() - started

        started = time.perf_counter()
        cold = study_text(study)
        cold_seconds = time.perf_counter() - started

        warm_runs = []
        for _ in range(3):
            started = time.perf_counter()
            warm = study_text(study)
            warm_runs.append(time.perf_counter() - started)
            assert len(warm.tokens) == len(cold.tokens)
        warm_seconds = statistics.median(warm_runs)

    print(json.dumps({
        "benchmark": "tokenise",
        "transcripts": len(cold.segments["transcript_id"].unique()),
        "characters": characters,
        "tokens": len(cold.tokens),
        "baseline_newmm_chars_per_second": round(characters / baseline),
        "cold_chars_per_second": round(characters / cold_seconds),
        "warm_chars_per_second": round(characters / warm_seconds),
        "cold_vs_baseline": round(baseline / cold_seconds, 2),
        "cold_with_startup_vs_baseline": round(baseline / (cold_seconds + startup), 2),
        "warm_vs_baseline": round(baseline / warm_seconds, 2),
        "seconds": {"baseline": round(baseline, 3), "startup": round(startup, 3),
                    "cold": round(cold_seconds, 3),
                    "warm": round(warm_seconds, 3)},
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }, indent=2))


if __name__ == "__main__":
    main()
