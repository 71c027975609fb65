"""Measure ``sitthi report`` on the demo and on the demo copied N times (with its codings).

For each size: "cold" rebuilds everything (``force``) with the token cache emptied, "warm" is a second
run with nothing changed; "peak_mib" is the largest memory the build used, this process and the worker
processes that draw figures together (resident set, sampled every 0.1 s). Prints one JSON object.
Usage: ``python benchmarks/report.py [--copies 1 10 100]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import threading
import time
from pathlib import Path

import psutil
from democopy import copy_demo

from analysis.report.build import build_report


class PeakMemory:
    """The largest resident memory of this process and its descendants while the block runs (MiB)."""

    def __enter__(self) -> PeakMemory:
        self.peak, self._stop = 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(0.1):
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.Error:  # a worker that just ended
                    continue
            self.peak = max(self.peak, total)

    @property
    def mib(self) -> float:
        return round(self.peak / 2**20, 1)


def _timed(study, **options) -> float:
    started = time.perf_counter()
    build_report(study, **options)
    return round(time.perf_counter() - started, 2)


def measure(study) -> dict:
    shutil.rmtree(study.cache_dir, ignore_errors=True)
    with PeakMemory() as memory:
        cold = _timed(study, force=True)
    warm = _timed(study)
    files = len(list(study.transcripts_dir.glob("*.md")))
    return {"transcript_files": files, "cold_s": cold, "warm_s": warm, "peak_mib": memory.mib}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 10, 100])
    results = {}
    for copies in parser.parse_args().copies:
        with tempfile.TemporaryDirectory() as folder:
            name = "demo" if copies == 1 else f"demo_x{copies}"
            results[name] = measure(copy_demo(Path(folder) / "study", copies, codings=True))
        print(json.dumps({name: results[name]}), flush=True)  # each size as soon as it is measured
    print(json.dumps(results))


if __name__ == "__main__":
    main()
