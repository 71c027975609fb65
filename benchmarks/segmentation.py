"""Measure Thai word segmentation: boundary F1 and speed of each engine against plain newmm.

For each gold set (wisesight-160, UD Thai-TUD; read-only under ``shared/testdata``) prints one JSON
object: boundary precision, recall and F1 and characters per second of ``tokenize()`` with the
``fast`` and ``accurate`` engines, and of ``pythainlp.word_tokenize(engine="newmm")`` (dictionaries
and models loaded before the timing; our engines' run cache is cleared, so every text is new).
``segmenter_only`` times the segmenters alone on the set's Thai runs: ``FastSegmenter.many`` on all of
them in one batch (as the pipeline calls it), ``segment`` run by run (the Python walk) and newmm run
by run (best of five, memory emptied each time); ``batch_or_walk``: the numpy batch and the walk on
the first 1,000, 2,000, 4,000 … characters of runs (where the batch starts to pay: ``BATCH_CHARS``).
``per_call`` times one text per call, as an application tokenising sentence by sentence does: newmm,
the ``fast`` segmenter (``many`` on the text's Thai runs) and ``tokenize()`` with the ``fast`` engine,
every call with empty memories; the characters are all those of the texts; CPU time of this process
(steadier on a shared machine), best of five passes over the set taken in turn.
Usage: ``python benchmarks/segmentation.py [--shared PATH]``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from analysis.text.segmenters import ENGINES, FastSegmenter, _lexicon, _segment_batches
from analysis.text.tokenise import _RUN_RE, Tokenizer
from analysis.text.wordseg_eval import boundary_scores, read_conllu, read_wisesight, spans_of

GOLD = {"wisesight": ("wisesight_wisesight-160-samples-tokenised.label", read_wisesight),
        "ud_thai_tud": ("ud_thai_tud_th_tud-ud-test.conllu", read_conllu)}


def measure(items, segment) -> dict[str, float]:
    """Scores of ``segment`` (text → spans) over ``items`` and its characters per second."""
    started = time.perf_counter()
    scores = boundary_scores(items, segment)
    seconds = time.perf_counter() - started
    characters = sum(len(text) for text, _ in items)
    return {key: round(scores[key], 4) for key in ("precision", "recall", "f1")} | {
        "chars_per_second": round(characters / seconds)}


def best_speed(runs: list[str], segment, repeats: int = 5) -> int:
    """Characters per second of ``segment(runs)``, best of ``repeats``."""
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        segment(runs)
        seconds.append(time.perf_counter() - started)
    return round(sum(map(len, runs)) / min(seconds))


def thai_runs(text: str) -> list[str]:
    return [run.group() for run in _RUN_RE.finditer(text) if run.lastgroup == "thai"]


def segmenter_only(items, word_tokenize) -> dict[str, int | float]:
    """Speed of the segmenters alone on the Thai runs of ``items``."""
    runs = [run for text, _ in items for run in thai_runs(text)]
    fast = FastSegmenter()

    def batch(runs: list[str]) -> None:
        fast._cache.clear()
        fast.many(runs)

    row = {"characters": sum(map(len, runs)),
           "fast_many": best_speed(runs, batch),
           "fast_walk": best_speed(runs, lambda runs: [fast.segment(run) for run in runs]),
           "newmm": best_speed(runs, lambda runs: [word_tokenize(run, engine="newmm") for run in runs])}
    return row | {"fast_many_vs_newmm": round(row["fast_many"] / row["newmm"], 2),
                  "batch_or_walk": batch_or_walk(runs, fast)}


def batch_or_walk(runs: list[str], fast: FastSegmenter) -> dict[int, dict[str, int]]:
    """Characters per second of the numpy batch and of the Python walk on the first runs of each size."""
    found, size = {}, 1_000
    while size <= sum(map(len, runs)):
        first = runs[:int(np.searchsorted(np.cumsum(list(map(len, runs))), size)) + 1]
        found[size] = {"batch": best_speed(first, lambda runs: _segment_batches(runs, _lexicon(fast.extra))),
                       "walk": best_speed(first, lambda runs: [fast.segment(run) for run in runs])}
        size *= 2
    return found


def per_call(items, tokenizer: Tokenizer, word_tokenize, repeats: int = 5) -> dict[str, int | float]:
    """Characters per second of one call per text (memories emptied before each call)."""
    texts = [text for text, _ in items]
    runs = list(map(thai_runs, texts))
    fast = tokenizer.segmenter

    def newmm() -> None:
        for text in texts:
            word_tokenize(text, engine="newmm")

    def segmenter() -> None:
        for found in runs:
            fast._cache.clear()
            fast.many(found)

    def tokenize() -> None:
        for text in texts:
            fast._cache.clear()
            getattr(tokenizer, "_chunks", {}).clear()
            tokenizer.tokenize(text)

    calls = {"newmm": newmm, "fast_segmenter": segmenter, "fast_tokenize": tokenize}
    seconds = dict.fromkeys(calls, float("inf"))
    for _ in range(repeats):
        for name, call in calls.items():
            started = time.process_time()
            call()
            seconds[name] = min(seconds[name], time.process_time() - started)
    characters = sum(map(len, texts))
    row = {"characters": characters} | {name: round(characters / spent) for name, spent in seconds.items()}
    return row | {f"{name}_vs_newmm": round(row[name] / row["newmm"], 2) for name in calls if name != "newmm"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    default = Path(os.environ.get("SITTHI_SHARED", Path(__file__).resolve().parents[2] / "shared"))
    parser.add_argument("--shared", type=Path, default=default)
    args = parser.parse_args()
    from pythainlp.tokenize import word_tokenize

    word_tokenize("อุ่นเครื่อง", engine="newmm")
    tokenizers = {engine: Tokenizer(engine=engine) for engine in ENGINES}
    for tokenizer in tokenizers.values():
        tokenizer.tokenize("อุ่นเครื่อง")
    result: dict[str, dict] = {"benchmark": "segmentation"}
    for name, (file, read) in GOLD.items():
        items = read(args.shared / "testdata" / "thai-segmentation" / file)
        row = {"items": len(items),
               "newmm": measure(items, lambda t: spans_of(word_tokenize(t, engine="newmm")))}
        for engine, tokenizer in tokenizers.items():
            getattr(tokenizer.segmenter, "_cache", {}).clear()
            row[engine] = measure(items, lambda t, tok=tokenizer: [(x.start, x.end) for x in tok.tokenize(t)])
            row[f"{engine}_f1_gain"] = round(row[engine]["f1"] - row["newmm"]["f1"], 4)
            row[f"{engine}_speed_vs_newmm"] = round(row[engine]["chars_per_second"]
                                                    / row["newmm"]["chars_per_second"], 2)
        row["segmenter_only"] = segmenter_only(items, word_tokenize)
        row["per_call"] = per_call(items, tokenizers["fast"], word_tokenize)
        result[name] = row
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
