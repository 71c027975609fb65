"""Tokens of Thai, English and mixed text, exact to the character.

Text is first split by script: runs of Thai characters go to a word segmenter (``segmenters``:
``fast``, a unigram Viterbi over pythainlp's dictionary and word frequencies, or ``accurate``,
DeepCut; both keep extra words such as codebook keywords whole); everything else
(Latin words, digits, punctuation, emoji) goes to the tokenizer of ``spacy.blank("en")``.
Thai vowel signs and tone marks never begin a token: one left at a token's start is re-attached
to the token before it. Whitespace is never a token. Offsets are ``str`` indices into the text
given, so ``text[token.start:token.end] == token.text``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from itertools import accumulate, chain
from operator import add, attrgetter, itemgetter
from typing import NamedTuple

import numpy as np

from analysis.text.script import THAI_MARKS, is_thai
from analysis.text.segmenters import DEFAULT_ENGINE, dictionary_path, frequency_paths, make_segmenter

ENGINE_VERSION = "sitthi-tokenise-3"
# A Thai run may hold "." or "," between Thai characters and one final "." (abbreviations such
# as พ.ร.บ. and ค.ศ., Thai-digit numbers such as ๒๕,๐๐๐), so newmm sees them whole.
_THAI_RUN = (r"[\u0e00-\u0e7f](?:[\u0e00-\u0e7f]|[.,](?=[\u0e00-\u0e7f]))*"
             r"(?:(?<=[\u0e00-\u0e7f])\.(?![\u0e00-\u0e7f0-9A-Za-z.]))?")
_RUN_RE = re.compile(rf"(?P<thai>{_THAI_RUN})|(?P<other>[^\s\u0e00-\u0e7f]+)")
_DIGITS_RE = re.compile(r"[\u0e50-\u0e59\d][\u0e50-\u0e59\d,.]*")
# Whitespace between chunks: no rule above looks across it, so each chunk is tokenised on its own.
_SPACE_RE = re.compile(r"(\s+)")
PLACEHOLDER_RE = re.compile(r"\[[A-Z]+(?:-\d+)?\]")
# Chunks a tokenizer remembers before it starts afresh (about 200 bytes each).
CHUNK_CACHE_SIZE = 500_000


class Token(NamedTuple):
    """One token: ``text == source[start:end]``; ``script`` is thai, latin, digit, punct,
    symbol or placeholder (a pseudonym such as ``[NAME-01]``)."""

    start: int
    end: int
    text: str
    script: str


class _Chunk:
    """The tokens of one whitespace-free chunk, offsets relative to the chunk (computed once)."""

    __slots__ = ("offsets", "texts", "tokens")

    def __init__(self, pieces: list[tuple[int, str]]) -> None:
        self.offsets, self.texts = zip(*pieces, strict=True)
        self.tokens = tuple(zip(self.offsets, map(add, self.offsets, map(len, self.texts)), self.texts,
                                map(_SCRIPT, map(token_features, self.texts)), strict=True))


_OFFSETS, _TEXTS, _SCRIPT = attrgetter("offsets"), attrgetter("texts"), itemgetter(1)


def script_of(text: str) -> str:
    """Classify a token by the characters in it."""
    if PLACEHOLDER_RE.fullmatch(text):
        return "placeholder"
    if any(is_thai(c) and c.isalpha() for c in text):
        return "thai"
    text = "".join(c for c in text if c not in THAI_MARKS) or "\u0e01"  # a lone mark counts as Thai
    if is_thai(text[0]) and text.isalpha():
        return "thai"
    if any(c.isalpha() for c in text):
        return "latin"
    if any(c.isdigit() for c in text):
        return "digit"
    if all(unicodedata.category(c).startswith("P") for c in text):
        return "punct"
    return "symbol"


class Tokenizer:
    """A Thai + English tokenizer; build one per engine and set of extra Thai words and reuse it.

    Parameters
    ----------
    extra_words
        Thai words that are always words of their own, never swallowed inside a longer token
        (e.g. codebook keywords).
    engine
        The Thai segmenter: ``fast`` (default) or ``accurate`` (DeepCut, about ten times slower).
    """

    def __init__(self, extra_words: Iterable[str] = (), engine: str = DEFAULT_ENGINE) -> None:
        self.extra_words = tuple(sorted({w.strip() for w in extra_words if w and w.strip()}))
        self.engine = engine
        self.segmenter = make_segmenter(engine, self.extra_words)
        self._chunks: dict[str, _Chunk] = {}
        _english_tokenizer()  # load spaCy now, so that worker processes inherit it

    @property
    def settings_key(self) -> str:
        """Changes whenever the tokens could change: engine, its data files, extra words."""
        digest = hashlib.sha256("\n".join((ENGINE_VERSION, self.engine, _data_digest(),
                                           *self.extra_words)).encode()).hexdigest()
        return digest[:16]

    def __call__(self, text: str) -> list[Token]:
        return self.tokenize(text)

    def tokenize(self, text: str) -> list[Token]:
        """Tokens of ``text`` in order (see the module docstring for the rules)."""
        starts, chunks = self._chunked(text)
        return [Token(at + start, at + end, piece, script)
                for at, chunk in zip(starts, chunks, strict=True)
                for start, end, piece, script in chunk.tokens]

    def pieces(self, text: str) -> list[tuple[int, str]]:
        """``(start, text)`` of each token of ``text``, in order."""
        starts, chunks = self._chunked(text)
        return [(at + start, piece) for at, chunk in zip(starts, chunks, strict=True)
                for start, _, piece, _ in chunk.tokens]

    def columns(self, text: str) -> tuple[np.ndarray, list[str]]:
        """Start offsets (``int64``) and texts of the tokens of ``text``: the pipeline's fast path."""
        starts, chunks = self._chunked(text)
        counts = np.fromiter(map(len, map(_TEXTS, chunks)), np.int64, len(chunks))
        offsets = np.fromiter(chain.from_iterable(map(_OFFSETS, chunks)), np.int64, int(counts.sum()))
        texts = [*chain.from_iterable(map(_TEXTS, chunks))]
        return np.repeat(np.asarray(starts, np.int64), counts) + offsets, texts

    def _chunked(self, text: str) -> tuple[list[int], list[_Chunk]]:
        """The start and the tokens of each whitespace-free chunk of ``text``.

        Text repeats itself chunk by chunk (words, phrases between spaces), so each distinct chunk
        is tokenised once; new ones go to the segmenter together, in one batch.
        """
        parts = _SPACE_RE.split(text)  # chunk, space, chunk, ..., chunk (first and last may be "")
        texts = parts[0::2]
        starts = [0, *accumulate(map(len, parts))][0::2]
        if not texts[-1]:
            del texts[-1], starts[-1]
        if texts and not texts[0]:
            del texts[0], starts[0]
        chunks = list(map(self._chunks.get, texts))
        if None in chunks:
            learned = self._learn([t for t, c in zip(texts, chunks, strict=True) if c is None])
            chunks = [c or learned[t] for t, c in zip(texts, chunks, strict=True)]
        return starts, chunks

    def _learn(self, texts: list[str]) -> dict[str, _Chunk]:
        """Tokenise new chunks: Thai runs through the segmenter (all at once), the rest through spaCy."""
        texts = list(dict.fromkeys(texts))
        runs = [list(_RUN_RE.finditer(text)) for text in texts]
        words = iter(self.segmenter.many([run.group() for found in runs for run in found
                                          if run.lastgroup == "thai"]))
        if len(self._chunks) + len(texts) > CHUNK_CACHE_SIZE:
            self._chunks.clear()
        learned = {}
        for text, found in zip(texts, runs, strict=True):
            pieces: list[tuple[int, str]] = []
            for run in found:
                position = run.start()
                if run.lastgroup == "thai":
                    group, cut = run.group(), 0
                    for end in _final_period_apart(group, next(words)):
                        pieces.append((position + cut, group[cut:end]))
                        cut = end
                else:
                    pieces += [(position + offset, piece) for offset, piece in _english_chunk(run.group())]
            learned[text] = self._chunks[text] = _Chunk(_attach_orphan_marks(pieces))
        return learned


def _final_period_apart(run: str, ends: tuple[int, ...]) -> tuple[int, ...]:
    """The word ends of a Thai run with a sentence's final "." as a token of its own: after a number
    (๑๙๙๘.) or a word, not after an abbreviation (ค.ศ., พ.ร.บ., one letter and "." such as ม.)."""
    if not run.endswith(".") or len(ends) == 0:
        return ends
    last = run[(ends[-2] if len(ends) > 1 else 0):-1]
    if last and (_DIGITS_RE.fullmatch(last) or ("." not in last and len(last) > 1)):
        return (*ends[:-1], len(run) - 1, len(run))
    return ends


@lru_cache(maxsize=200_000)
def _english_chunk(chunk: str) -> tuple[tuple[int, str], ...]:
    """spaCy's tokens of one whitespace-free chunk, as ``(offset in chunk, text)``.

    spaCy's tokenizer splits text at whitespace and then handles each chunk on its own, so
    tokenising chunk by chunk gives the same tokens as tokenising the whole text; remembering
    chunks (words recur) makes English several times faster. A chunk of ASCII letters only, or of
    digits only, is one token unless it is one of spaCy's special cases (``cannot``, ``gonna``).
    """
    if chunk.isascii() and (chunk.isalpha() or chunk.isdigit()) and chunk not in _special_cases():
        return ((0, chunk),)
    return tuple((t.idx, t.text) for t in _english_tokenizer()(chunk) if not t.is_space)


@lru_cache(maxsize=1)
def _special_cases() -> frozenset[str]:
    """The chunks spaCy's English tokenizer splits by a rule of its own (``cannot`` → can not)."""
    return frozenset(_english_tokenizer().rules)


def _attach_orphan_marks(pieces: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Merge a piece that starts with a Thai mark into the adjacent piece before it."""
    merged: list[tuple[int, str]] = []
    for start, text in pieces:
        if text[0] in THAI_MARKS and merged and merged[-1][0] + len(merged[-1][1]) == start:
            before_start, before = merged.pop()
            start, text = before_start, before + text
        merged.append((start, text))
    return merged


@lru_cache(maxsize=1)
def _english_tokenizer():
    """The tokenizer of ``spacy.blank("en")``, keeping pseudonyms such as ``[NAME-01]`` whole."""
    import spacy

    nlp = spacy.blank("en")
    nlp.tokenizer.token_match = PLACEHOLDER_RE.fullmatch
    return nlp.tokenizer


@lru_cache(maxsize=1)
def _data_digest() -> str:
    """Digest of the dictionary and word-frequency files the segmenters read."""
    digest = hashlib.sha256()
    for path in (dictionary_path(), *frequency_paths()):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def default_tokenizer() -> Tokenizer:
    """The fast tokenizer with no extra words."""
    return Tokenizer()


@lru_cache(maxsize=8)
def tokenizer_for(engine: str = DEFAULT_ENGINE, extra_words: tuple[str, ...] = ()) -> Tokenizer:
    """A shared tokenizer of ``engine`` with ``extra_words`` (built once per process)."""
    if engine == DEFAULT_ENGINE and not extra_words:
        return default_tokenizer()
    return Tokenizer(extra_words, engine)


def tokenize(text: str, *, tokenizer: Tokenizer | None = None, engine: str = DEFAULT_ENGINE) -> list[Token]:
    """Tokens of any Thai, English or mixed ``text`` (objects with ``.start .end .text .script``).

    ``engine`` (``fast`` or ``accurate``) is used when no ``tokenizer`` is given."""
    return (tokenizer or tokenizer_for(engine)).tokenize(text)


def make_doc(text: str, *, tokenizer: Tokenizer | None = None):
    """A spaCy ``Doc`` whose tokens are ours and whose ``doc.text == text`` exactly."""
    from spacy.tokens import Doc

    words: list[str] = []
    spaces: list[bool] = []
    cursor = 0
    for token in tokenize(text, tokenizer=tokenizer):
        gap = text[cursor:token.start]
        if gap == " " and words:
            spaces[-1] = True
        elif gap:
            words.append(gap)
            spaces.append(False)
        words.append(token.text)
        spaces.append(False)
        cursor = token.end
    if cursor < len(text):
        words.append(text[cursor:])
        spaces.append(False)
    return Doc(_english_tokenizer().vocab, words=words, spaces=spaces)


TOKEN_COLUMNS = ["transcript_id", "segment_id", "i", "start", "end", "text", "norm", "script",
                 "is_stop", "is_punct"]


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Thai stopwords (pythainlp) and English stopwords (spaCy), lower-case."""
    from pythainlp.corpus import thai_stopwords
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(thai_stopwords()) | frozenset(w.lower() for w in STOP_WORDS)


@lru_cache(maxsize=262_144)
def token_features(text: str) -> tuple[str, str, bool, bool]:
    """``(norm, script, is_stop, is_punct)`` of a token's text; ``norm`` is lower-case for Latin."""
    script = script_of(text)
    norm = text.casefold() if script == "latin" else text
    return norm, script, norm in stopwords(), script == "punct"
