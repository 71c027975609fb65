"""Measure ``sitthi report``: the demo cold and warm, and the demo scaled 10× (with its codings).

"cold" rebuilds everything (``force``) with the token cache emptied; "warm" is a second run with
nothing changed. Peak memory is the process's maximum resident set. Prints one JSON object.
Usage: ``python benchmarks/report.py [--copies 10]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
import time
from pathlib import Path

from democopy import copy_demo

from analysis.report.build import build_report


def _timed(study, **options) -> float:
    started = time.perf_counter()
    build_report(study, **options)
    return round(time.perf_counter() - started, 2)


def measure(study) -> dict:
    shutil.rmtree(study.cache_dir, ignore_errors=True)
    cold = _timed(study, force=True)
    warm = _timed(study)
    files = len(list(study.transcripts_dir.glob("*.md")))
    return {"transcript_files": files, "cold_s": cold, "warm_s": warm}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=10)
    copies = parser.parse_args().copies
    with tempfile.TemporaryDirectory() as folder:
        results = {"demo": measure(copy_demo(Path(folder) / "demo", 1, codings=True)),
                   f"demo_x{copies}": measure(copy_demo(Path(folder) / "scaled", copies, codings=True))}
    results["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
