"""Text folded for matching numbers and addresses, with a map back to the original offsets.

Thai and full-width digits, full-width letters and ``＠`` become ASCII; non-breaking, thin and other
Unicode spaces become a space; Unicode dashes a hyphen; invisible characters (zero-width space, soft
hyphen, BOM) are dropped; a single line break becomes a space (a number split over a line), a blank
line stays a line break. Finders match the folded text and report spans of the original.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from analysis.privacy.hits import Hit

_SPACES = frozenset("\t\u00a0\u1680\u202f\u205f\u3000" + "".join(chr(c) for c in range(0x2000, 0x200B)))
_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff\r")
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d")
_OTHERS = {"\ufe6b": "@", "\u2024": ".", "\uff0e": "."}


def _fold_char(char: str) -> str:
    """One character as the matchers see it ('' when it is dropped)."""
    code = ord(char)
    if "๐" <= char <= "๙":
        return chr(code - ord("๐") + ord("0"))
    if char in _SPACES:
        return " "
    if char in _INVISIBLE:
        return ""
    if char in _DASHES:
        return "-"
    if 0xFF01 <= code <= 0xFF5E:  # full-width ASCII
        return chr(code - 0xFEE0)
    return _OTHERS.get(char, char)


@dataclass(frozen=True)
class Folded:
    """``text`` folded; ``offsets[i]`` is where folded character ``i`` came from in ``original``."""

    original: str
    text: str
    offsets: Sequence[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of folded ``[start, end)``."""
        return self.offsets[start], self.offsets[end - 1] + 1

    def hit(self, start: int, end: int, kind: str, confidence: float = 1.0, why: str = "") -> Hit:
        """A hit on the original text for the folded span ``[start, end)``."""
        first, last = self.span(start, end)
        return Hit(first, last, self.original[first:last], kind, confidence, why)


_ONE_FOR_ONE = {c: _fold_char(c) for c in [*"๐๑๒๓๔๕๖๗๘๙", *_SPACES, *_DASHES, *_OTHERS,
                                           *map(chr, range(0xFF01, 0xFF5F))]}
_FOLDED_CHAR = re.compile("[" + re.escape("".join(_ONE_FOR_ONE)) + "]")
_BLANK_LINES = re.compile(r"(\n\n+)")
_DROPPED = re.compile("[" + re.escape("".join(_INVISIBLE)) + "]")


class _Shifted(Sequence[int]):
    """Where each character of a text with some characters dropped came from: ``j`` plus the number of
    characters dropped before it (``steps``: the first index after each dropped character), by bisection
    (a tuple of every offset would take 36 bytes a character)."""

    def __init__(self, steps: list[int], size: int) -> None:
        self._steps, self._size = steps, size

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._size))]
        if index < 0:
            index += self._size
        if not 0 <= index < self._size:
            raise IndexError(index)
        return index + bisect_right(self._steps, index)


@lru_cache(maxsize=2)  # the number and the e-mail finders fold the same text one after the other
def fold(text: str) -> Folded:
    """``text`` folded for matching (see the module docstring), with its offset map."""
    dropped = [m.start() for m in _DROPPED.finditer(text)]
    kept = _DROPPED.sub("", text) if dropped else text
    offsets = _Shifted([at - n for n, at in enumerate(dropped)], len(kept) + 1) if dropped else \
        range(len(text) + 1)
    kept = _FOLDED_CHAR.sub(lambda m: _ONE_FOR_ONE[m.group()], kept)  # one for one: offsets unchanged
    out, at = [], 0
    for i, part in enumerate(_BLANK_LINES.split(kept)):
        out.append(_line_breaks(text, offsets, at, len(part)) if i % 2 else part.replace("\n", " "))
        at += len(part)
    return Folded(text, "".join(out), offsets)


def _line_breaks(text: str, offsets: Sequence[int], at: int, size: int) -> str:
    """``size`` line breaks in a row (at ``at`` of the kept text): spaces until the first one that the
    original text follows with a line break at once (a blank line), line breaks from there on."""
    first = next((j for j in range(at, at + size) if text[offsets[j] + 1:offsets[j] + 2] == "\n"), at + size)
    return " " * (first - at) + "\n" * (at + size - first)
