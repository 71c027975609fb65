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

import gc
import itertools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

import numpy as np
from pythainlp.tokenize.tcc_p import _PAT_TCC

ENGINES = ("fast", "accurate")  # what a study may choose ([text] segmenter)
DEFAULT_ENGINE = "fast"
# Plain newmm (maximal matching, nlpo3): what the privacy finders read. It leaves a word it does not
# know in telling pieces ("ปุ๊" "ก" "กี้"), where the frequency-based engines make dictionary words
# of it ("ปุ๊ก" "กี้"): the name finders were built and measured on those pieces.
PRIVACY_ENGINE = "newmm"
# Words longer than this many characters are not looked up (the dictionary's longest common words
# are shorter; the limit bounds the work per position).
MAX_WORD = 24
# Cost of one unknown stretch (a rare dictionary word costs about 17) and of an extra word (free:
# a codebook keyword is preferred to any split of it, yet not forced into a longer word).
UNKNOWN_COST = 12.0
EXTRA_COST = 0.0
# Cost of an unknown stretch of one cluster, before a cluster where no known word starts.
UNKNOWN_STEP_COST = UNKNOWN_COST * 1.5
# The TTC (textbooks, closer to speech) counts weigh more than the TNC's: it is five times smaller.
TTC_WEIGHT = 5.0
# Pseudo-count of a dictionary word that neither corpus counts.
UNSEEN_COUNT = 0.5
# DeepCut's threshold on the probability that a word starts at a character.
DEEPCUT_THRESHOLD = 0.5
# ``many`` segments a batch at once (numpy) from this many new characters (below, the Python walk of
# ``segment`` is quicker: ``benchmarks/segmentation.py``), in chunks of about CHUNK_CHARS characters.
BATCH_CHARS = 8_000
CHUNK_CHARS = 100_000
# Runs remembered by a segmenter (the memory is emptied when full).
CACHE_SIZE = 200_000


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
    """Unigram Viterbi over dictionary words; build one per set of extra words and reuse it.

    ``segment`` walks one run in Python (the reference, quickest for one text or a few); ``many``
    hands a batch of at least ``BATCH_CHARS`` new characters to ``_segment_batch``, which finds the
    same lattice and the same cheapest path for all runs at once with numpy. Building one is cheap
    once the dictionary's trie is built (once per process, about 0.3 s): extra words copy only the
    trie nodes on their paths.
    """

    def __init__(self, extra_words: Iterable[str] = ()) -> None:
        self.extra = tuple(sorted({w for w in extra_words if 0 < len(w) <= MAX_WORD and SEPARATOR not in w}))
        self.trie = _with_words(_base_trie(), _word_clusters(self.extra), EXTRA_COST)
        self._cache: dict[str, tuple[int, ...]] = {}

    def __call__(self, run: str) -> tuple[int, ...]:
        """The end offset of each word of one Thai run, remembered (runs recur)."""
        ends = self._cache.get(run)
        if ends is None:
            if len(self._cache) > CACHE_SIZE:
                self._cache.clear()
            ends = self._cache[run] = self.segment(run)
        return ends

    def many(self, runs: list[str]) -> list[tuple[int, ...]]:
        """The word ends of each run (runs seen before come from memory)."""
        cache = self._cache
        todo = [run for run in dict.fromkeys(runs) if run not in cache]
        if sum(map(len, todo)) < BATCH_CHARS or any(SEPARATOR in run or "\n" in run for run in todo):
            new = {run: self.segment(run) for run in todo}
        else:
            new = dict(zip(todo, _segment_batches(todo, _lexicon(self.extra)), strict=True))
        ends = [new[run] if run in new else cache[run] for run in runs]
        if len(cache) + len(new) > CACHE_SIZE:
            cache.clear()
        cache.update(new)
        return ends

    def segment(self, run: str) -> tuple[int, ...]:
        """The end offset of each word of ``run``: the cheapest path through the word lattice.

        One pass from the end over the run's clusters: the cheapest cost from each cut to the end of
        the run is the cheapest known word from there (plus the cost after it; words are found by
        walking the trie cluster by cluster) or an unknown stretch reaching to the nearest later cut
        where a known word starts (or, at a higher cost, just one character cluster).
        """
        clusters = _RUN_CLUSTER.findall(run)
        last = len(clusters)
        cuts = [0, *accumulate(map(len, clusters))]
        again = _repeats(run, cuts)
        clusters.append(SEPARATOR)  # in no word: ends every walk down the trie
        best = [0.0] * (last + 1)  # by cut index
        choice = [last] * (last + 1)
        trie = self.trie
        word_from = last  # index of the nearest cut after k where a known word starts
        for k in range(last - 1, -1, -1):
            end = word_from
            top = best[end] + UNKNOWN_COST
            if end != k + 1 and best[k + 1] + UNKNOWN_STEP_COST < top:
                top, end = best[k + 1] + UNKNOWN_STEP_COST, k + 1
            node, j = trie, k
            while node is not None and (entry := node.get(clusters[j])) is not None:
                j += 1
                cost, node = entry
                if cost is not None:
                    word_from = k
                    if cost + best[j] < top:
                        top, end = cost + best[j], j
                    if again and j in again and cost + best[again[j]] < top:
                        top, end = cost + best[again[j]], again[j]
            best[k], choice[k] = top, end
        ends, k = [], 0
        while k < last:
            k = choice[k]
            ends.append(cuts[k])
        return tuple(ends)


def _repeats(run: str, cuts: list[int]) -> dict[int, int]:
    """For each cut (by index) inside a block of one letter typed again and again, the cut where the
    block ends, if it is one (a word ending at the first cut takes the repeated letters along)."""
    found: dict[int, int] = {}
    if _REPEATED.search(run) is None:  # most runs (the search is quicker than finding all blocks)
        return found
    index_of = {cut: i for i, cut in enumerate(cuts)}
    for block in _REPEATED.finditer(run):
        start, stop = block.span()
        if stop in index_of:
            found.update((index_of[b], index_of[stop]) for b in range(start + 1, stop) if b in index_of)
    return found


_REPEATED = re.compile(r"(.)\1+", re.DOTALL)


# A trie node maps the next cluster to ``(cost of the word ending there or None, next node or None)``.
Trie = dict[str, tuple]


@lru_cache(maxsize=1)
def _base_trie() -> Trie:
    """The trie of the dictionary words (of at most ``MAX_WORD`` characters), built once (about 0.3 s,
    without collecting garbage meanwhile: that would walk the growing trie again and again)."""
    costs = {w: c for w, c in base_costs().items() if len(w) <= MAX_WORD and SEPARATOR not in w}
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _with_words({}, _word_clusters(tuple(costs)), costs)
    finally:
        if collecting:
            gc.enable()


def _with_words(trie: Trie, words: list[tuple[str, list[str]]], costs: dict[str, float] | float) -> Trie:
    """``trie`` with ``words`` (each with its clusters) added at ``costs`` (of each word, or of all): the
    nodes on their paths are copied, the rest shared (``trie`` itself when there are no words)."""
    if not words:
        return trie
    trie, copied = dict(trie), set()
    for word, clusters in words:
        node = trie
        for cluster in clusters[:-1]:
            known, child = node.get(cluster, (None, None))
            if child is None or id(child) not in copied:
                child = dict(child or {})
                copied.add(id(child))
                node[cluster] = (known, child)
            node = child
        cost = costs if isinstance(costs, float) else costs[word]
        node[clusters[-1]] = (cost, node.get(clusters[-1], (None, None))[1])
    return trie


def _word_clusters(words: tuple[str, ...]) -> list[tuple[str, list[str]]]:
    """Each word with its clusters as a run holding it clusters them: first as they are at the run's
    end or before a Thai letter or leading vowel, then (only for the words concerned) as they are
    before any other character, where TCC's lookahead after ``ย`` fails and splits the last cluster.
    Only the last cluster can differ, so a trie with both finds every word ``run[a:b]`` between cuts."""
    if not words:
        return []
    clusters = _JOINED_CLUSTER.findall(SEPARATOR.join(words) + SEPARATOR)
    stops = [i for i, cluster in enumerate(clusters) if cluster == SEPARATOR]
    ways = [clusters[a + 1:b] for a, b in zip([-1, *stops], stops, strict=False)]
    split = {last: found[:-1] for last in {way[-1] for way in ways}
             if len(found := _RUN_CLUSTER.findall(last + SEPARATOR)) > 2}
    return [*zip(words, ways, strict=True),
            *((word, way[:-1] + split[way[-1]]) for word, way in zip(words, ways, strict=True)
              if way[-1] in split)]


def _cuts(run: str) -> list[int]:
    """Offsets between Thai character clusters (pythainlp's TCC rules, as newmm), 0 to ``len(run)``."""
    return [0, *accumulate(map(len, _RUN_CLUSTER.findall(run)))]


# One cluster by pythainlp's TCC pattern, else one character (as ``pythainlp.tokenize.tcc_p.tcc``).
_CLUSTER = re.compile(f"(?:{_PAT_TCC.pattern})|.", re.DOTALL)
# The same without capturing groups (``findall`` returns whole clusters).
_RUN_CLUSTER = re.compile(re.sub(r"\((?!\?)", "(?:", _CLUSTER.pattern), re.DOTALL)


# ---- Whole batches at once (numpy): the same lattice and path as ``segment``, for many runs. ----

# Runs are joined by SEPARATOR, which no run holds (else ``many`` walks them one by one).
SEPARATOR = "\0"
# ``_RUN_CLUSTER`` for joined runs: its end-of-text lookahead also stops at a separator, so each run
# gets the clusters it has alone.
_JOINED_CLUSTER = re.compile(_RUN_CLUSTER.pattern.replace("|$)", r"|$|\x00)"), re.DOTALL)
# Odd multipliers of the 64-bit polynomial hash of a prefix; the first one under which no two
# dictionary words of the same length share a hash is used.
_HASH_BASES = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9)
# Odd multiplier spreading a hash over the slots of a table (Fibonacci hashing).
_SPREAD = np.uint64(0xD6E8FEB86659FD93)
ABSENT = -2  # ``_Table.find`` of a hash that no prefix has (-1: a prefix, but not a word)


@dataclass(frozen=True)
class _Table:
    """Hash table (open addressing, linear probing) from nonzero hashes to numbers, looked up in bulk."""

    keys: np.ndarray  # (2 ** bits,) uint64, 0 where empty
    values: np.ndarray
    bits: int

    @classmethod
    def build(cls, keys: np.ndarray, values: np.ndarray) -> _Table:
        """The table of distinct ``keys``, at most half full (each round places one key per free slot)."""
        bits = max(4, int(2 * len(keys)).bit_length())
        table = cls(np.zeros(1 << bits, np.uint64), np.full(1 << bits, ABSENT, np.int64), bits)
        pending, slot = np.arange(len(keys)), table._slots(keys)
        while len(pending):
            free = np.flatnonzero(table.keys[slot] == 0)
            won = free[np.unique(slot[free], return_index=True)[1]]
            table.keys[slot[won]], table.values[slot[won]] = keys[pending[won]], values[pending[won]]
            wait = np.ones(len(pending), bool)
            wait[won] = False
            pending, slot = pending[wait], (slot[wait] + 1) & ((1 << bits) - 1)
        return table

    def _slots(self, hashes: np.ndarray) -> np.ndarray:
        return ((hashes * _SPREAD) >> np.uint64(64 - self.bits)).astype(np.int64)

    def find(self, hashes: np.ndarray) -> np.ndarray:
        """The value of each hash, ``ABSENT`` where the table lacks it."""
        found = np.full(len(hashes), ABSENT, np.int64)
        pending, slot = np.arange(len(hashes)), self._slots(hashes)
        while len(pending):
            key = self.keys[slot]
            hit = key == hashes
            found[pending[hit]] = self.values[slot[hit]]
            wait = ~hit & (key != 0)
            pending, hashes, slot = pending[wait], hashes[wait], (slot[wait] + 1) & ((1 << self.bits) - 1)
        return found


@dataclass(frozen=True)
class _Lexicon:
    """The dictionary (plus extra words) as arrays, for looking up every substring of a batch."""

    base: np.uint64
    tables: tuple[_Table, ...]  # [L - 1]: hash of each L-character prefix -> its word, else -1
    letters: np.ndarray  # (words, MAX_WORD) code points, zero after the word
    costs: np.ndarray  # (words,)
    lengths: np.ndarray  # (words,)


@lru_cache(maxsize=8)
def _lexicon(extra: tuple[str, ...]) -> _Lexicon:
    """The lexicon of the dictionary with ``extra`` words (cost ``EXTRA_COST``).

    A hash found in ``tables`` only means "maybe a prefix": the batch goes on looking for longer words
    there. A word is taken only once its letters are compared, and no two words of the same length
    share a hash, so a collision can cost time but never change a word.
    """
    costs = {w: c for w, c in {**base_costs(), **dict.fromkeys(extra, EXTRA_COST)}.items()
             if 0 < len(w) <= MAX_WORD and SEPARATOR not in w}
    letters = _code_points("".join(w.ljust(MAX_WORD, SEPARATOR) for w in costs)).reshape(-1, MAX_WORD)
    lengths = np.fromiter(map(len, costs), np.int64, len(costs))
    for base in map(np.uint64, _HASH_BASES):
        hashes = _prefix_hashes(letters, base)
        keys = [np.unique(hashes[size - 1, lengths >= size]) for size in range(1, MAX_WORD + 1)]
        word = [np.full(len(k), -1, np.int64) for k in keys]
        unique = all(len(k) == 0 or k[0] != 0 for k in keys)  # 0 marks an empty slot
        for size, (k, w) in enumerate(zip(keys, word, strict=True), 1):
            exact = np.flatnonzero(lengths == size)
            at = np.searchsorted(k, hashes[size - 1, exact])
            w[at] = exact
            unique &= len(np.unique(at)) == len(exact)
        if unique:
            tables = tuple(map(_Table.build, keys, word))
            return _Lexicon(base, tables, letters, np.fromiter(costs.values(), np.float64), lengths)
    raise RuntimeError("every hash multiplier maps two dictionary words to one value")  # pragma: no cover


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), np.uint32)


def _prefix_hashes(letters: np.ndarray, base: np.uint64) -> np.ndarray:
    """(columns, rows): hash of each row's first 1, 2, … letters."""
    columns = np.ascontiguousarray(letters.T)
    hashes = np.zeros(columns.shape, np.uint64)
    for column in range(len(columns)):
        hashes[column] = (hashes[column - 1] * base if column else 0) + columns[column]
    return hashes


def _segment_batches(runs: list[str], lexicon: _Lexicon) -> list[tuple[int, ...]]:
    """``_segment_batch`` over chunks of about ``CHUNK_CHARS`` characters (bounded memory)."""
    ends: list[tuple[int, ...]] = []
    chunk, size = 0, 0
    for i, run in enumerate(runs):
        size += len(run) + 1
        if size >= CHUNK_CHARS:
            ends += _segment_batch(runs[chunk:i + 1], lexicon)
            chunk, size = i + 1, 0
    return ends + _segment_batch(runs[chunk:], lexicon) if chunk < len(runs) else ends


def _segment_batch(runs: list[str], lexicon: _Lexicon) -> list[tuple[int, ...]]:
    """The word ends of each run (none holds ``SEPARATOR``), found for all runs at once.

    The runs are joined, each followed by a separator. Nodes are the cuts between clusters; a run's
    last node (its separator) costs 0. Each other node has up to ``2 + 2 * words`` outgoing edges in
    ``segment``'s order (unknown stretch, one cluster, then each word by length and its repeated
    last letter); nodes are settled in order of their distance (in cuts) to the end of their run, all
    runs together, and each takes its first cheapest edge, as ``segment`` does.
    """
    text = SEPARATOR.join(runs) + SEPARATOR
    codes = _code_points(text)
    cut_pos = np.zeros(1, np.int64)
    sizes = np.fromiter(map(len, _JOINED_CLUSTER.findall(text)), np.int64)
    cut_pos = np.concatenate([cut_pos, np.cumsum(sizes)])
    is_cut = np.zeros(len(codes) + 1, bool)
    is_cut[cut_pos] = True
    node_of = np.cumsum(is_cut) - 1
    is_end = np.append(codes[cut_pos[:-1]] == 0, True)
    start, end, word = _word_hits(codes, is_cut, cut_pos[np.flatnonzero(~is_end)], lexicon)
    cost, to = _edges(codes, is_cut, node_of, is_end, start, end, lexicon.costs[word])
    choice = _cheapest(cost, to, is_end)
    offsets = np.cumsum([0, *(len(run) + 1 for run in runs)])
    return _paths(choice, cut_pos, node_of[offsets[:-1]], node_of[offsets[1:] - 1], offsets)


def _word_hits(codes: np.ndarray, is_cut: np.ndarray, starts: np.ndarray, lexicon: _Lexicon):
    """Start, end and word of every dictionary word in ``codes`` that starts at one of ``starts`` and
    ends on a cut, in order of length (substrings stop being extended once no word begins so)."""
    found: list[tuple[np.ndarray, np.ndarray]] = []
    active, hashes = starts, np.zeros(len(starts), np.uint64)
    for size in range(1, MAX_WORD + 1):
        letter = codes[active + (size - 1)]
        alive = letter != 0
        active, hashes = active[alive], hashes[alive] * lexicon.base + letter[alive]
        if not len(active):
            break
        word = lexicon.tables[size - 1].find(hashes)
        prefix = word != ABSENT
        active, hashes, word = active[prefix], hashes[prefix], word[prefix]
        hit = np.flatnonzero((word >= 0) & is_cut[active + size])
        begin, word = active[hit], word[hit]
        same = (codes[begin[:, None] + np.arange(size)] == lexicon.letters[word, :size]).all(axis=1)
        found.append((begin[same], word[same]))
    begin = np.concatenate([b for b, _ in found] or [np.zeros(0, np.int64)])
    word = np.concatenate([w for _, w in found] or [np.zeros(0, np.int64)])
    return begin, begin + lexicon.lengths[word], word


def _edges(codes, is_cut, node_of, is_end, start, end, word_cost):
    """(nodes, 2 + 2 * most words at a node) cost and target node of each edge, in ``segment``'s
    order; missing edges cost infinity."""
    nodes = len(is_end)
    source = node_of[start]
    order = np.argsort(source, kind="stable")  # by node, then by length
    source, start, end, word_cost = source[order], start[order], end[order], word_cost[order]
    first = np.r_[True, source[1:] != source[:-1]] if len(source) else np.zeros(0, bool)
    index = np.arange(len(source))
    slot = index - np.maximum.accumulate(np.where(first, index, 0))
    width = 2 + 2 * (int(slot.max()) + 1 if len(slot) else 0)
    cost = np.full((nodes, width), np.inf)
    to = np.zeros((nodes, width), np.int64)
    known = np.zeros(nodes, bool)
    known[source] = True
    # the nearest later node where a known word starts, or the run's end
    word_from = np.minimum.accumulate(np.where(known | is_end, np.arange(nodes), nodes)[::-1])[::-1][1:]
    after = np.arange(1, nodes)
    cost[:-1, 0], to[:-1, 0] = UNKNOWN_COST, word_from
    cost[:-1, 1], to[:-1, 1] = np.where(word_from != after, UNKNOWN_COST * 1.5, np.inf), after
    cost[source, 2 + 2 * slot], to[source, 2 + 2 * slot] = word_cost, node_of[end]
    repeat = _block_ends(codes, end - 1)
    again = np.flatnonzero((codes[end] == codes[end - 1]) & is_cut[repeat])
    cost[source[again], 3 + 2 * slot[again]] = word_cost[again]
    to[source[again], 3 + 2 * slot[again]] = node_of[repeat[again]]
    return cost, to


def _block_ends(codes: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Where the block of equal letters holding each position ends."""
    changes = np.append(np.flatnonzero(codes[1:] != codes[:-1]) + 1, len(codes))
    return changes[np.searchsorted(changes, positions, side="right")]


def _cheapest(cost: np.ndarray, to: np.ndarray, is_end: np.ndarray) -> np.ndarray:
    """The chosen next node of each node: nodes are settled by their distance in cuts to their run's
    end (all runs at once); ``argmin`` takes the first cheapest edge."""
    nodes = len(is_end)
    index = np.arange(nodes)
    run_end = np.minimum.accumulate(np.where(is_end, index, nodes)[::-1])[::-1]
    pending = np.flatnonzero(~is_end)
    distance = run_end[pending] - pending
    order = np.argsort(distance, kind="stable")
    pending, distance = pending[order], distance[order]
    bounds = np.searchsorted(distance, np.arange(1, (distance[-1] if len(distance) else 0) + 2))
    cost, to = cost[pending], to[pending]
    best = np.zeros(nodes)
    choice = index.copy()
    rows = np.arange(len(pending)) * cost.shape[1]
    for a, b in itertools.pairwise(bounds.tolist()):
        step_to = to[a:b]
        total = cost[a:b] + best[step_to]
        pick = total.argmin(axis=1) + rows[:b - a]
        node = pending[a:b]
        best[node] = total.ravel()[pick]
        choice[node] = step_to.ravel()[pick]
    return choice


def _paths(choice, cut_pos, first, last, offsets) -> list[tuple[int, ...]]:
    """Each run's word ends: follow the choices from its first node to its last."""
    choice, cut_pos = choice.tolist(), cut_pos.tolist()
    ends = []
    for node, stop, offset in zip(first.tolist(), last.tolist(), offsets.tolist(), strict=False):
        found = []
        while node != stop:
            node = choice[node]
            found.append(cut_pos[node] - offset)
        ends.append(tuple(found))
    return ends


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


class NewmmSegmenter:
    """Plain newmm (nlpo3, maximal matching) over the same dictionary plus extra words."""

    def __init__(self, extra_words: Iterable[str] = ()) -> None:
        self.dict_name = _nlpo3_dictionary(tuple(sorted({w for w in extra_words if w})))

    def __call__(self, run: str) -> tuple[int, ...]:
        import nlpo3

        return tuple(accumulate(len(word) for word in nlpo3.segment(run, self.dict_name)))

    def many(self, runs: list[str]) -> list[tuple[int, ...]]:
        return [self(run) for run in runs]


@lru_cache(maxsize=8)
def _nlpo3_dictionary(extra_words: tuple[str, ...]) -> str:
    """Load the newmm dictionary (plus ``extra_words``) into nlpo3 once; return its name there."""
    import hashlib
    import tempfile

    import nlpo3

    from analysis.files import write_atomic

    path, name = dictionary_path(), "sitthi-th"
    if extra_words:
        name += "-" + hashlib.sha256("\n".join(extra_words).encode()).hexdigest()[:12]
        path = Path(tempfile.gettempdir()) / f"{name}.txt"
        if not path.exists():
            write_atomic(path, "\n".join([dictionary_path().read_text(encoding="utf-8").rstrip("\n"),
                                          *extra_words]) + "\n")
    message, ok = nlpo3.load_dict(str(path), name)
    if not ok and "already" not in message.lower():
        raise RuntimeError(f"nlpo3 could not load its dictionary: {message}")
    return name


def make_segmenter(engine: str, extra_words: Iterable[str] = ()):
    """The segmenter of ``engine`` (one of ``ENGINES``, or ``PRIVACY_ENGINE``) with ``extra_words`` as
    words of their own."""
    if engine == "fast":
        return FastSegmenter(extra_words)
    if engine == "accurate":
        return AccurateSegmenter(extra_words)
    if engine == PRIVACY_ENGINE:
        return NewmmSegmenter(extra_words)
    raise ValueError(f"unknown segmenter {engine!r}: use one of {', '.join(ENGINES)}")
