"""Measure how reading scales: read + decode + normalise + front matter + segments of one big file.

Transcripts of 0.1, 1 and 10 MB (50 MB too with ``--big``) are made in a temporary folder by
repeating the bodies of the demo transcripts (Thai: the ``language: th`` ones, English: the ``en``
ones) under one front matter; ``--shapes`` adds English files with CRLF line ends, without speaker
labels, as one huge paragraph, and Thai as 100k-style short lines in few paragraphs. For each file
prints characters per second of ``read_transcript`` + ``segment_body`` (best of a few runs for the
small files), with the seconds of each step, and per shape ``linearity``: the 10 MB rate divided by
the 0.1 MB rate (about 1 when reading is linear, far below 1 when it is quadratic).
Usage: ``python benchmarks/reading.py [--big] [--shapes] [--unit turn|paragraph|sentence]``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import tempfile
import time
from pathlib import Path

from analysis.study import load_study
from analysis.text.corpus import parse_transcript, transcript_files
from analysis.text.reading import read_text_file
from analysis.text.segments import segment_body

REPO = Path(__file__).resolve().parent.parent
MEGABYTE = 1_000_000
SIZES = (0.1, 1, 10)
BIG = 50
_CLOSE = "\n---\n"


def demo_bodies(language: str) -> list[str]:
    """Bodies (after the front matter) of the demo transcripts in ``language``."""
    demo = load_study(REPO)
    bodies = []
    for path in transcript_files(demo.transcripts_dir):
        text = path.read_text(encoding="utf-8")
        if f"\nlanguage: {language}\n" in text.partition(_CLOSE)[0]:
            bodies.append(text.partition(_CLOSE)[2].strip("\n"))
    return bodies


def shaped(shape: str) -> tuple[str, list[str]]:
    """``(language, the turns to repeat)`` of a shape of transcript (blank line after each)."""
    english = [body + "\n\n" for body in demo_bodies("en")]
    if shape == "th":
        return "th", [body + "\n\n" for body in demo_bodies("th")]
    if shape == "short-lines":  # Thai in short lines, a blank line only between speakers' turns
        return "th", ["\n".join(word for word in body.split(" ") if word.strip()) + "\n\n"
                      for body in demo_bodies("th")]
    if shape == "en":
        return "en", english
    if shape == "crlf":
        return "en", [body.replace("\n", "\r\n") for body in english]
    if shape == "unlabelled":
        return "en", ["\n".join(line.partition(": ")[2] or line for line in body.split("\n"))
                      for body in english]
    if shape == "one-paragraph":
        return "en", [" ".join(body.split()) + " " for body in english]
    raise ValueError(shape)


def write_transcript(folder: Path, shape: str, megabytes: float) -> Path:
    """A transcript of ``megabytes`` MB (UTF-8, give or take a demo transcript) of demo text."""
    language, pieces = shaped(shape)
    body, size = [], 0
    for piece in itertools.cycle(pieces):
        if size >= megabytes * MEGABYTE:
            break
        body.append(piece)
        size += len(piece.encode("utf-8"))
    prefix = "R: " if shape == "one-paragraph" else ""
    tid = f"BENCH-{shape}-{megabytes:g}MB".replace(".", "_")
    newline = "\r\n" if shape == "crlf" else "\n"
    head = newline.join(["---", f"id: {tid}", f"language: {language}", "anonymised: true", "---", "", ""])
    path = folder / f"{tid}.md"
    path.write_bytes((head + prefix + "".join(body)).encode("utf-8"))
    return path


def measure(path: Path, unit: str, repeats: int) -> dict[str, float | int]:
    """Best-of-``repeats`` seconds of reading, parsing and segmenting one file."""
    best: dict[str, float] = {}
    for _ in range(repeats):
        started = time.perf_counter()
        text, encoding = read_text_file(path)
        read = time.perf_counter()
        transcript = parse_transcript(text, path, encoding=encoding, require_labels=False)
        parsed = time.perf_counter()
        segments = segment_body(transcript.id, transcript.body, unit)
        done = time.perf_counter()
        times = {"read_seconds": read - started, "parse_seconds": parsed - read,
                 "segment_seconds": done - parsed, "seconds": done - started}
        if not best or times["seconds"] < best["seconds"]:
            best = times
    rounded = {key: round(value, 4) for key, value in best.items()}
    return {"characters": len(text), "segments": len(segments)} | rounded | {
        "chars_per_second": round(len(text) / best["seconds"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--big", action="store_true", help=f"also a {BIG} MB file")
    parser.add_argument("--shapes", action="store_true",
                        help="also CRLF, unlabelled, one-paragraph and short-lines files")
    parser.add_argument("--unit", default="turn", choices=("turn", "paragraph", "sentence"))
    args = parser.parse_args()
    shapes = ["th", "en"] + (["crlf", "unlabelled", "one-paragraph", "short-lines"] if args.shapes else [])
    sizes = SIZES + ((BIG,) if args.big else ())
    cases, linearity = [], {}
    with tempfile.TemporaryDirectory() as folder:
        for shape in shapes:
            rates = {}
            for megabytes in sizes:
                path = write_transcript(Path(folder), shape, megabytes)
                result = measure(path, args.unit, repeats=5 if megabytes < 1 else 3 if megabytes < 10 else 1)
                path.unlink()
                cases.append({"shape": shape, "megabytes": megabytes} | result)
                rates[megabytes] = result["chars_per_second"]
            linearity[shape] = {f"{size:g}MB_over_0.1MB": round(rates[size] / rates[SIZES[0]], 2)
                                for size in sizes[1:]}
    print(json.dumps({"benchmark": "reading", "unit": args.unit, "load_average": os.getloadavg()[0],
                      "cases": cases, "linearity": linearity}, indent=2))


if __name__ == "__main__":
    main()
