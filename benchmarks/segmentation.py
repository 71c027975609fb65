"""Measure Thai word segmentation: boundary F1 and speed of each engine against plain newmm.

For each gold set (wisesight-160, UD Thai-TUD; read-only under ``shared/testdata``) prints one JSON
object: boundary precision, recall and F1 and characters per second of ``tokenize()`` with the
``fast`` and ``accurate`` engines, and of ``pythainlp.word_tokenize(engine="newmm")`` (dictionaries
and models loaded before the timing; our engines' run cache is cleared, so every text is new).
Usage: ``python benchmarks/segmentation.py [--shared PATH]``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from analysis.text.segmenters import ENGINES
from analysis.text.tokenise import Tokenizer
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
        result[name] = row
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
