"""Scoring the identifier finder against the occurrence-based gold of the FICTIONAL raw fixtures.

Used by ``benchmarks/pii_recall.py`` (prints the numbers) and ``tests/test_privacy_recall.py``
(asserts them). It only calls ``find_identifiers(text, custom=...)`` on a file's whole normalised
text, front matter included, and knows nothing else of the finder.

- Gold (``gold.tsv``, read by ``tests/fixtures/raw/check_gold.py``): occurrences claimed longest text
  first in the part of the file the set annotates (``tests/fixtures/raw``: the body;
  ``tests/fixtures/raw-unseen``: the whole text). Hits outside that part are not scored.
- Recall of a gold kind: a gold occurrence is found when ONE hit (of any kind) covers it whole;
  ``recall`` counts every hit, ``recall_confident`` only hits with ``confidence >= CONFIDENT``.
- Precision of a hit kind: a hit is right when it covers a gold identifier occurrence of its file
  whole (a hit "ใหม่" inside the gold place "เชียงใหม่" is wrong); ``precision`` over all hits,
  ``precision_confident`` over confident hits. ``not_id`` gold (hard negatives) is never an
  identifier: ``not_id_flagged`` counts the hard negatives some hit overlaps.
- Demo false alarms: the demo transcripts are already anonymised, so every hit there is a false
  alarm unless it lies inside a pseudonym such as ``[NAME-01]``; the study's ``keep_places`` are
  passed, as the anonymiser does.
"""

from __future__ import annotations

import importlib.util
import re
import time
from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from analysis.privacy.anonymise import read_names
from analysis.privacy.pii import Hit, find_identifiers
from analysis.text.normalise import normalise

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SETS = {"raw": FIXTURES / "raw", "unseen": FIXTURES / "raw-unseen"}
CONFIDENT = 0.9
PSEUDONYM = re.compile(r"\[[A-Z]+(?:-[A-Z]+)*-\d+\]")

Finder = Callable[..., list[Hit]]


@lru_cache(maxsize=1)
def check_gold():
    """``tests/fixtures/raw/check_gold.py`` as a module: it owns the gold format."""
    spec = importlib.util.spec_from_file_location("check_gold", FIXTURES / "raw" / "check_gold.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def gold_files(folder: Path) -> dict[str, tuple[str, int, list[tuple[int, int, str]]]]:
    """Per file: its normalised text, where the annotated part starts, and ``(start, end, kind)`` of
    every gold occurrence in that text."""
    gold = check_gold()
    _, rows = gold.read_gold(folder)
    kinds: dict[str, dict[str, str]] = defaultdict(dict)
    for name, kind, text in rows:
        kinds[name].setdefault(normalise(text), kind)
    every_text = [text for per_file in kinds.values() for text in per_file]
    files = {}
    for name, own in kinds.items():
        text = normalise(gold.read_text(folder / name))
        start = len(text) - len(gold.annotated(text, folder))
        claimed = gold.claim(text[start:], every_text)
        spans = [(start + s, start + e, own[t]) for s, e, t in claimed if t in own]
        files[name] = (text, start, spans)
    return files


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _covers(hit: Hit, start: int, end: int) -> bool:
    return hit.start <= start and end <= hit.end


def score_set(folder: Path, finder: Finder = find_identifiers) -> dict:
    """Recall per gold kind, precision per hit kind, hard negatives flagged, misses and time."""
    custom = read_names(folder / "study-names.txt")
    gold, found, sure = defaultdict(int), defaultdict(int), defaultdict(int)
    hits, right, confident, confident_right = (defaultdict(int) for _ in range(4))
    missed: dict[str, list[str]] = defaultdict(list)
    flagged = negatives = characters = 0
    seconds, files = 0.0, gold_files(folder)
    for name, (text, begin, spans) in sorted(files.items()):
        started = time.perf_counter()
        found_hits = [h for h in finder(text, custom=custom) if h.end > begin]
        seconds += time.perf_counter() - started
        characters += len(text)
        for start, end, kind in spans:
            covering = [h for h in found_hits if _covers(h, start, end)]
            if kind == "not_id":
                negatives += 1
                flagged += any(h.start < end and start < h.end for h in found_hits)
                continue
            gold[kind] += 1
            found[kind] += bool(covering)
            sure[kind] += any(h.confidence >= CONFIDENT for h in covering)
            if not covering:
                missed[kind].append(f"{name}: {text[start:end]!r}")
        for hit in found_hits:
            ok = any(_covers(hit, s, e) for s, e, k in spans if k != "not_id")
            hits[hit.kind] += 1
            right[hit.kind] += ok
            if hit.confidence >= CONFIDENT:
                confident[hit.kind] += 1
                confident_right[hit.kind] += ok
    return {
        "files": len(files), "characters": characters,
        "seconds_per_1000_chars": round(seconds / max(characters, 1) * 1000, 4),
        "recall": {k: {"gold": gold[k], "found": found[k], "recall": _ratio(found[k], gold[k]),
                       "found_confident": sure[k], "recall_confident": _ratio(sure[k], gold[k])}
                   for k in sorted(gold)},
        "precision": {k: {"hits": hits[k], "right": right[k], "precision": _ratio(right[k], hits[k]),
                          "confident_hits": confident[k],
                          "precision_confident": _ratio(confident_right[k], confident[k])}
                      for k in sorted(hits)},
        "not_id": {"gold": negatives, "flagged": flagged}, "not_id_flagged": flagged,
        "missed": dict(sorted(missed.items())),
    }


def demo_false_alarms(finder: Finder = find_identifiers) -> dict:
    """Hits per kind on the (already anonymised) demo transcripts, pseudonyms excepted."""
    from analysis.study import load_study

    study = load_study(ROOT)
    alarms, sure = defaultdict(int), defaultdict(int)
    examples: dict[str, list[str]] = defaultdict(list)
    paths = sorted(study.transcripts_dir.glob("*.md"))
    characters, seconds = 0, 0.0
    for path in paths:
        text = normalise(path.read_text(encoding="utf-8"))
        placeholders = [m.span() for m in PSEUDONYM.finditer(text)]
        started = time.perf_counter()
        found_hits = finder(text, custom={}, keep_places=study.keep_places)
        seconds += time.perf_counter() - started
        characters += len(text)
        for hit in found_hits:
            if any(s <= hit.start and hit.end <= e for s, e in placeholders):
                continue
            alarms[hit.kind] += 1
            sure[hit.kind] += hit.confidence >= CONFIDENT
            if len(examples[hit.kind]) < 5:
                examples[hit.kind].append(f"{path.name}: {hit.text!r}")
    return {"transcripts": len(paths), "characters": characters,
            "seconds_per_1000_chars": round(seconds / max(characters, 1) * 1000, 4),
            "false_alarms": dict(sorted(alarms.items())),
            "false_alarms_confident": dict(sorted(sure.items())),
            "examples": dict(sorted(examples.items()))}
