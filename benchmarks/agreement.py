"""Measure the agreement table: 300 transcripts × 40 segments, 60 codes, 5 coders.

Synthetic codings (each coder follows a shared "true" coding with its own error rate) are turned
into the value array and the full table with bootstrap CIs (1,000 samples). Prints one JSON
object with the seconds of each step. Usage: ``python benchmarks/agreement.py``.
"""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd

from analysis.agreement.table import agreement_table, reliability_data
from analysis.codebook.model import Code, Codebook


def synthetic(transcripts: int = 300, per: int = 40, codes: int = 60, coders: int = 5, seed: int = 1):
    rng = np.random.default_rng(seed)
    segments = pd.DataFrame({"transcript_id": np.repeat([f"T{t:03d}" for t in range(transcripts)], per)})
    segments["segment_id"] = [f"{t}:{n % per + 1:04d}" for n, t in enumerate(segments["transcript_id"])]
    truth = rng.random((codes, len(segments))) < 0.05
    rows = []
    for k in range(coders):
        noisy = truth ^ (rng.random(truth.shape) < 0.01 * (k + 1))
        code_i, seg_i = np.nonzero(noisy)
        rows.append(pd.DataFrame({"coder_id": f"c{k}", "segment_id": segments["segment_id"].to_numpy()[seg_i],
                                  "code_id": [f"C{c:02d}" for c in code_i]}))
    coded = {f"c{k}": set(segments["transcript_id"]) for k in range(coders)}
    book = Codebook(path=None, name="bench", version="", title={}, description={}, changelog=[],
                    instruments={}, codes={f"C{c:02d}": Code(f"C{c:02d}", "violation", {"en": "x", "th": "x"})
                                           for c in range(codes)})
    return pd.concat(rows, ignore_index=True), segments, coded, book


def main() -> None:
    codings, segments, coded, book = synthetic()
    started = time.perf_counter()
    data = reliability_data(codings, segments, coded, list(book.codes))
    build = time.perf_counter() - started
    started = time.perf_counter()
    table = agreement_table(data, book, samples=1000)
    seconds = time.perf_counter() - started
    print(json.dumps({"benchmark": "agreement", "transcripts": 300, "segments": len(segments), "codes": 60,
                      "coders": 5, "codings": len(codings), "bootstrap_samples": 1000,
                      "build_seconds": round(build, 3), "table_seconds": round(seconds, 3),
                      "pooled_alpha": float(table.iloc[-1]["alpha"])}, indent=2))


if __name__ == "__main__":
    main()
