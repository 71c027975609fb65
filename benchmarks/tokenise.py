"""Measure segmenting + tokenising speed against plain pythainlp newmm.

Builds a study of about 2 MB of text from the demo transcripts (copied with their turns rotated)
and prints one JSON object: characters per second of ``pythainlp.word_tokenize(engine="newmm")``
over the same turns (the baseline, its dictionary loaded first), of ``study_text`` with an empty
cache (cold: with and without the one-time start-up of spaCy and the segmenter, which is also
reported on its own) and again with nothing changed (warm, median of 5 runs), and of
``tokenize()`` called once per sentence on the wisesight social-media sentences (a tokenizer that
has seen none of them; skipped when the gold data is absent), each one's ratio to newmm on the
same text, and peak memory.
Usage: ``python benchmarks/tokenise.py [--copies 25] [--engine fast|accurate]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

from democopy import REPO, copy_demo

from analysis.text import tokenise
from analysis.text.corpus import read_corpus
from analysis.text.pipeline import study_text
from analysis.text.segmenters import ENGINES
from analysis.text.segments import paragraphs
from analysis.text.tokenise import Tokenizer, tokenizer_for

SHARED = Path(os.environ.get("SITTHI_SHARED", REPO.parent / "shared"))
WISESIGHT = SHARED / "testdata" / "thai-segmentation" / "wisesight_wisesight-160-samples-tokenised.label"


def seconds(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def newmm_seconds(texts: list[str]) -> float:
    from pythainlp.tokenize import word_tokenize

    word_tokenize("อุ่นเครื่อง", engine="newmm")  # load the dictionary outside the timing
    return seconds(lambda: [word_tokenize(text, engine="newmm") for text in texts])


def study_numbers(copies: int, engine: str) -> dict:
    """Cold and warm ``study_text`` on demo copies, against newmm on the same turns."""
    with tempfile.TemporaryDirectory() as folder:
        study = copy_demo(Path(folder) / "bench", copies, vary=True)
        turns = [t.body[p.start:p.end] for t in read_corpus(study) for p in paragraphs(t.body)]
        characters = sum(map(len, turns))
        baseline = newmm_seconds(turns)
        startup = seconds(lambda: tokenizer_for(engine))  # import spaCy, load the segmenter's data
        cold_result = []
        cold = seconds(lambda: cold_result.append(study_text(study, engine=engine)))
        warm = statistics.median(seconds(lambda: study_text(study, engine=engine)) for _ in range(5))
        tokens = len(cold_result[0].tokens)
    return {
        "transcripts": len(cold_result[0].segments["transcript_id"].unique()),
        "characters": characters,
        "tokens": tokens,
        "baseline_newmm_chars_per_second": round(characters / baseline),
        "cold_chars_per_second": round(characters / cold),
        "warm_chars_per_second": round(characters / warm),
        "cold_vs_baseline": round(baseline / cold, 2),
        "cold_with_startup_vs_baseline": round(baseline / (cold + startup), 2),
        "warm_vs_baseline": round(baseline / warm, 2),
        "seconds": {"baseline": round(baseline, 3), "startup": round(startup, 3),
                    "cold": round(cold, 3), "warm": round(warm, 3)},
    }


def wisesight_numbers(engine: str) -> dict | None:
    """``tokenize()`` once per wisesight sentence with a fresh tokenizer, against newmm."""
    if not WISESIGHT.is_file():
        return None
    from analysis.text.wordseg_eval import read_wisesight

    texts = [text for text, _ in read_wisesight(WISESIGHT)]
    characters = sum(map(len, texts))
    baseline = newmm_seconds(texts)
    tokenise._english_chunk.cache_clear()  # nothing remembered from the study
    tokenizer = Tokenizer(engine=engine)
    tokenizer.tokenize("อุ่นเครื่อง")
    ours = seconds(lambda: [tokenizer.tokenize(text) for text in texts])
    return {"sentences": len(texts), "characters": characters,
            "baseline_newmm_chars_per_second": round(characters / baseline),
            "tokenize_chars_per_second": round(characters / ours),
            "tokenize_vs_baseline": round(baseline / ours, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=25)
    parser.add_argument("--engine", choices=ENGINES, default="fast")
    args = parser.parse_args()
    result = {"benchmark": "tokenise", "engine": args.engine, **study_numbers(args.copies, args.engine),
              "wisesight_tokenize": wisesight_numbers(args.engine) or "skipped: gold data not found"}
    result["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
