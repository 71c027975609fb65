"""Thai word segmentation engines: where the word boundaries of a run of Thai characters fall.

``fast``: the most probable sequence of words (unigram Viterbi). Candidate words are the entries of
pythainlp's newmm dictionary (plus extra words), each costing ``-log`` of its frequency in the Thai
National Corpus and the Thai Textbook Corpus (both shipped with pythainlp); a stretch that no word
covers is one unknown word reaching to the next place where a dictionary word starts (as newmm
does). A word whose last letter is typed again (แล้วววว, ก่อนนน) stays one word.

``accurate``: the DeepCut convolutional network (``deepcut.onnx``, shipped with pythainlp) run with
``onnxruntime``; about ten times slower.

Both cut only between Thai character clusters (TCC), so a vowel or tone mark is never separated
from its letter, and extra words (codebook keywords) are words of their own. A segmenter takes one
Thai run and returns the offsets where its words end (the last one is ``len(run)``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from pythainlp.tokenize.tcc_p import _PAT_TCC

ENGINES = ("fast", "accurate")
DEFAULT_ENGINE = "fast"
# Words longer than this many characters are not looked up (the dictionary's longest common words
# are shorter; the limit bounds the work per position).
MAX_WORD = 24
# Cost of one unknown stretch (a rare dictionary word costs about 17) and of an extra word (free:
# a codebook keyword is preferred to any split of it, yet not forced into a longer word).
UNKNOWN_COST = 12.0
EXTRA_COST = 0.0
# The TTC (textbooks, closer to speech) counts weigh more than the TNC's: it is five times smaller.
TTC_WEIGHT = 5.0
# Pseudo-count of a dictionary word that neither corpus counts.
UNSEEN_COUNT = 0.5
# DeepCut's threshold on the probability that a word starts at a character.
DEEPCUT_THRESHOLD = 0.5


def _corpus_file(name: str) -> Path:
    from pythainlp.corpus import corpus_path

    return Path(corpus_path()) / name


def dictionary_path() -> Path:
    """pythainlp's newmm word list (one word a line)."""
    return _corpus_file("words_th.txt")


def frequency_paths() -> tuple[Path, Path]:
    """The TNC and TTC word-frequency files (``word<TAB>count`` a line)."""
    return _corpus_file("tnc_freq.txt"), _corpus_file("ttc_freq.txt")


def _counts(path: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        word, _, count = line.partition("\t")
        if count.isdigit():
            counts[word] = counts.get(word, 0) + int(count)
        # lines without a count are skipped
    return counts


@lru_cache(maxsize=1)
def base_costs() -> dict[str, float]:
    """``-log`` relative frequency of every dictionary word (TNC + weighted TTC counts)."""
    words = {w.strip() for w in dictionary_path().read_text(encoding="utf-8").splitlines()} - {""}
    tnc, ttc = map(_counts, frequency_paths())
    counts = {w: UNSEEN_COUNT + tnc.get(w, 0) + TTC_WEIGHT * ttc.get(w, 0) for w in words}
    total = math.log(sum(counts.values()))
    return {w: total - math.log(c) for w, c in counts.items()}


class FastSegmenter:
    """Unigram Viterbi over dictionary words; build one per set of extra words and reuse it."""

    def __init__(self, extra_words: Iterable[str] = ()) -> None:
        extra = [w for w in extra_words if len(w) <= MAX_WORD]
        self.costs = {**base_costs(), **dict.fromkeys(extra, EXTRA_COST)}
        self.prefixes = _prefixes(tuple(base_costs())) | {w[:i] for w in extra for i in range(1, len(w) + 1)}
        self._cache: dict[str, tuple[int, ...]] = {}

    def __call__(self, run: str) -> tuple[int, ...]:
        """The end offset of each word of one Thai run, remembered (runs recur)."""
        ends = self._cache.get(run)
        if ends is None:
            if len(self._cache) > 200_000:
                self._cache.clear()
            ends = self._cache[run] = self.segment(run)
        return ends

    def many(self, runs: list[str]) -> list[tuple[int, ...]]:
        """The word ends of each run."""
        return [self(run) for run in runs]

    def segment(self, run: str) -> tuple[int, ...]:
        """The end offset of each word of ``run``: the cheapest path through the word lattice.

        One pass from the end: the cheapest cost from each cut to the end of the run is the cheapest
        known word from there (plus the cost after it) or an unknown stretch reaching to the nearest
        later cut where a known word starts (or, at a higher cost, just one character cluster).
        """
        costs, prefixes, n = self.costs, self.prefixes, len(run)
        cuts = _cuts(run)
        is_cut = set(cuts)
        last = len(cuts) - 1
        best = {n: 0.0}
        choice: dict[int, int] = {}
        word_from = last  # index of the nearest cut after k where a known word starts
        for k in range(last - 1, -1, -1):
            a = cuts[k]
            step = cuts[k + 1]
            top, end = best[cuts[word_from]] + UNKNOWN_COST, cuts[word_from]
            if word_from != k + 1 and best[step] + UNKNOWN_COST * 1.5 < top:
                top, end = best[step] + UNKNOWN_COST * 1.5, step
            known = False
            for j in range(k + 1, last + 1):
                b = cuts[j]
                if b - a > MAX_WORD:
                    break
                piece = run[a:b]
                if piece not in prefixes:
                    break
                cost = costs.get(piece)
                if cost is None:
                    continue
                known = True
                if cost + best[b] < top:
                    top, end = cost + best[b], b
                repeat = b
                while repeat < n and run[repeat] == run[b - 1]:
                    repeat += 1
                if repeat > b and repeat in is_cut and cost + best[repeat] < top:
                    top, end = cost + best[repeat], repeat
            best[a], choice[a] = top, end
            if known:
                word_from = k
        ends, a = [], 0
        while a < n:
            a = choice[a]
            ends.append(a)
        return tuple(ends)


@lru_cache(maxsize=1)
def _prefixes(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w[:i] for w in words for i in range(1, min(len(w), MAX_WORD) + 1))


def _cuts(run: str) -> list[int]:
    """Offsets between Thai character clusters (pythainlp's TCC rules, as newmm), 0 to ``len(run)``."""
    return [0, *(match.end() for match in _CLUSTER.finditer(run))]


# One cluster by pythainlp's TCC pattern, else one character (as ``pythainlp.tokenize.tcc_p.tcc``).
_CLUSTER = re.compile(f"(?:{_PAT_TCC.pattern})|.", re.DOTALL)


class AccurateSegmenter:
    """DeepCut (ONNX) word starts, kept only between character clusters and around extra words."""

    def __init__(self, extra_words: Iterable[str] = ()) -> None:
        self.extra_words = tuple(sorted({w for w in extra_words if w}, key=len, reverse=True))

    def __call__(self, run: str) -> tuple[int, ...]:
        return self.many([run])[0]

    def many(self, runs: list[str]) -> list[tuple[int, ...]]:
        """The word ends of each run; DeepCut sees all runs at once (one call of the network)."""
        starts = _deepcut_starts(runs)
        return [self._ends(run, found) for run, found in zip(runs, starts, strict=True)]

    def _ends(self, run: str, starts: set[int]) -> tuple[int, ...]:
        if not run:
            return ()
        cuts = set(_cuts(run))
        starts &= cuts
        for word in self.extra_words:
            for a in _occurrences(run, word):
                if a in cuts and a + len(word) in cuts:
                    starts = (starts - set(range(a + 1, a + len(word)))) | {a, a + len(word)}
        return tuple(sorted((starts - {0}) | {len(run)}))


def _occurrences(text: str, word: str) -> list[int]:
    found, at = [], text.find(word)
    while at >= 0:
        found.append(at)
        at = text.find(word, at + len(word))
    return found


def _deepcut_starts(runs: list[str]) -> list[set[int]]:
    """For each run, the offsets where DeepCut predicts a word starts (runs padded with spaces)."""
    import numpy as np
    from numpy.lib.stride_tricks import sliding_window_view
    from pythainlp.tokenize import deepcut

    if not any(runs):
        return [set() for _ in runs]
    half = (deepcut._N_PAD - 1) // 2
    text = " " * half + (" " * half).join(runs) + " " * half
    chars = np.array([deepcut._CHARS_MAP.get(c, deepcut._OTHER_CHAR_INDEX) for c in text], np.float32)
    types = np.array([deepcut._CHAR_TYPES_MAP.get(deepcut._CHAR_TYPE_FLAT.get(c, "o"),
                                                  deepcut._OTHER_TYPE_INDEX) for c in text], np.float32)
    # Each character's window: the next ``half`` characters, the previous ones nearest first, itself.
    order = [*range(half + 1, 2 * half + 1), *range(half - 1, -1, -1), half]
    windows = [sliding_window_view(a, 2 * half + 1)[:, order] for a in (chars, types)]
    probability = _deepcut_session().run(None, {"input_1": windows[0], "input_2": windows[1]})[0].ravel()
    found, offset = [], 0
    for run in runs:
        found.append({i for i in range(len(run)) if probability[offset + i] > DEEPCUT_THRESHOLD})
        offset += len(run) + half
    return found


@lru_cache(maxsize=1)
def _deepcut_session():
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    return onnxruntime.InferenceSession(str(_corpus_file("deepcut.onnx")), options,
                                        providers=["CPUExecutionProvider"])


def make_segmenter(engine: str, extra_words: Iterable[str] = ()):
    """The segmenter of ``engine`` (one of ``ENGINES``) with ``extra_words`` as words of their own."""
    if engine == "fast":
        return FastSegmenter(extra_words)
    if engine == "accurate":
        return AccurateSegmenter(extra_words)
    raise ValueError(f"unknown segmenter {engine!r}: use one of {', '.join(ENGINES)}")
