"""Measure ``sitthi report`` on the demo and on the demo copied N times (with its codings).

For each size: "cold" rebuilds everything (``force``) with the token cache emptied, "warm" is a second
run with nothing changed. Memory is that of this process and the worker processes that draw figures
together, sampled every 0.1 s: "peak_mib" (the goal's number) sums their proportional set sizes (PSS: a
page shared by n processes counts 1/n in each, so forked workers' shared copy-on-write pages count once);
"peak_rss_mib" sums their resident sets, which counts every shared page once per process (too much).
Prints one JSON object. ``--figure-formats png pdf`` measures a study that saves only those formats.
Usage: ``python benchmarks/report.py [--copies 1 10 100] [--figure-formats png svg pdf]``.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path

import psutil
from democopy import copy_demo

from analysis.report.build import build_report
from analysis.study import FIGURE_FORMATS, Study, load_study


class PeakMemory:
    """The largest memory of this process and its descendants while the block runs: summed PSS (``pss``)
    and summed resident sets (``rss``), in bytes."""

    def __enter__(self) -> PeakMemory:
        self.pss, self.rss, self._stop = 0, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(0.1):
            pss = rss = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    info = process.memory_full_info()
                except psutil.Error:  # a worker that just ended
                    continue
                pss, rss = pss + info.pss, rss + info.rss
            self.pss, self.rss = max(self.pss, pss), max(self.rss, rss)


def _mib(size: int) -> float:
    return round(size / 2**20, 1)


def _timed(study, **options) -> float:
    started = time.perf_counter()
    build_report(study, **options)
    return round(time.perf_counter() - started, 2)


def with_figure_formats(study: Study, formats: list[str]) -> Study:
    """``study`` saving its figures in ``formats`` only."""
    text = re.sub(r"^figure_formats = .*$", f"figure_formats = {json.dumps(formats)}",
                  study.config_file.read_text(encoding="utf-8"), count=1, flags=re.M)
    study.config_file.write_text(text, encoding="utf-8")
    return load_study(study.root)


def measure(study) -> dict:
    shutil.rmtree(study.cache_dir, ignore_errors=True)
    with PeakMemory() as memory:
        cold = _timed(study, force=True)
    warm = _timed(study)
    files = len(list(study.transcripts_dir.glob("*.md")))
    return {"transcript_files": files, "cold_s": cold, "warm_s": warm, "peak_mib": _mib(memory.pss),
            "peak_rss_mib": _mib(memory.rss)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--figure-formats", nargs="+", choices=FIGURE_FORMATS, default=list(FIGURE_FORMATS))
    arguments, results = parser.parse_args(), {}
    for copies in arguments.copies:
        with tempfile.TemporaryDirectory() as folder:
            name = "demo" if copies == 1 else f"demo_x{copies}"
            study = copy_demo(Path(folder) / "study", copies, codings=True)
            results[name] = measure(with_figure_formats(study, arguments.figure_formats))
        print(json.dumps({name: results[name]}), flush=True)  # each size as soon as it is measured
    print(json.dumps(results))


if __name__ == "__main__":
    main()
