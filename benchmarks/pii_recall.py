"""Recall and precision of the identifier finder, per kind, on both FICTIONAL raw fixture sets.

``tests/fixtures/raw`` (the set the finder was developed on) and ``tests/fixtures/raw-unseen`` (new
interviews it was not tuned on), scored by ``pii_score`` (see its docstring for the rules): per gold
kind recall over all hits and over confident hits (confidence >= 0.9), per hit kind precision for
all and for confident hits, hard negatives flagged, missed items, seconds per 1,000 characters; and
the false alarms per kind on the (already anonymised) demo transcripts. Prints one JSON object.
Usage: ``python benchmarks/pii_recall.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

from pii_score import SETS, demo_false_alarms, score_set


def evaluate(folder: Path = SETS["raw"]) -> dict:
    """The scores of one fixture set (kept for callers of the earlier benchmark)."""
    return score_set(folder)


def main() -> None:
    result = {name: score_set(folder) for name, folder in SETS.items()} | {"demo": demo_false_alarms()}
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
