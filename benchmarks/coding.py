"""Measure the coding store and panel: saving one change, opening the panel.

Prints one JSON object: the time to save one change (add, then remove) in a coder's file that
already holds 5,000 codings (median and 95th percentile over 200 saves, fsync included), and the
time to open the coding panel on a transcript of 500 segments.
Usage: ``python benchmarks/coding.py``.
"""

from __future__ import annotations

import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from democopy import REPO

from analysis.codebook.model import study_codebook
from analysis.coding.rows import format_codings, new_coding
from analysis.coding.store import CodingStore
from analysis.study import init_study, load_study
from analysis.text.corpus import read_transcript
from analysis.text.segments import segment_body


def big_transcript(folder: Path, turns: int = 500) -> Path:
    """A fictional transcript of ``turns`` turns built from a demo transcript's turns."""
    source = read_transcript(REPO / "data" / "transcripts" / "CM-01-EN.md")
    texts = [source.body[p.start:p.end] for p in source.turns]
    body = "\n\n".join(f"{'IR'[n % 2]}: {texts[n % len(texts)]}" for n in range(turns))
    path = folder / "BIG-01.md"
    path.write_text(f"---\nid: BIG-01\nlanguage: en\nanonymised: true\nfictional: true\n---\n\n{body}\n",
                    encoding="utf-8")
    return path


def main() -> None:
    from analysis.ui.coding_panel import CodingPanel

    with tempfile.TemporaryDirectory() as folder:
        study = init_study(Path(folder) / "bench", codebooks=REPO / "codebooks")
        transcript = read_transcript(big_transcript(study.transcripts_dir))
        segments = segment_body(transcript.id, transcript.body)
        codes = [c.id for c in study_codebook(load_study(REPO)).active() if not c.kind.endswith("_group")]
        existing = [new_coding(transcript, segments[n % len(segments)], codes[n % len(codes)], "nok")
                    for n in range(5000)]
        store = CodingStore(study)
        store.folder("nok").mkdir(parents=True)
        store.path("nok", transcript.id).write_text(format_codings(existing), encoding="utf-8")
        saves = []
        for n in range(100):
            coding = new_coding(transcript, segments[n], "LIB-DET", "nok", memo=f"bench {n}")
            for change in (lambda c=coding: store.add(c),
                           lambda c=coding: store.remove("nok", c.transcript_id, c.key)):
                started = time.perf_counter()
                change()
                saves.append(time.perf_counter() - started)
        started = time.perf_counter()
        CodingPanel(study, coder="nok", transcript=transcript.id)
        open_seconds = time.perf_counter() - started
        shutil.rmtree(study.codings_dir)
    saves.sort()
    print(json.dumps({
        "benchmark": "coding",
        "codings_in_file": 5000,
        "saves": len(saves),
        "save_ms_median": round(1000 * statistics.median(saves), 1),
        "save_ms_p95": round(1000 * saves[int(0.95 * len(saves)) - 1], 1),
        "panel_segments": len(segments),
        "panel_open_seconds": round(open_seconds, 3),
    }, indent=2))


if __name__ == "__main__":
    main()
