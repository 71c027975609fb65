"""Text folded for matching numbers and addresses, with a map back to the original offsets.

Thai and full-width digits, full-width letters and ``＠`` become ASCII; non-breaking, thin and other
Unicode spaces become a space; Unicode dashes a hyphen; invisible characters (zero-width space, soft
hyphen, BOM) are dropped; a single line break becomes a space (a number split over a line), a blank
line stays a line break. Finders match the folded text and report spans of the original.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    offsets: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of folded ``[start, end)``."""
        return self.offsets[start], self.offsets[end - 1] + 1

    def hit(self, start: int, end: int, kind: str, confidence: float = 1.0, why: str = "") -> Hit:
        """A hit on the original text for the folded span ``[start, end)``."""
        first, last = self.span(start, end)
        return Hit(first, last, self.original[first:last], kind, confidence, why)


def fold(text: str) -> Folded:
    """``text`` folded for matching (see the module docstring), with its offset map."""
    chars, offsets = [], []
    for at, char in enumerate(text):
        if char == "\n":
            blank = text[at + 1:at + 2] == "\n" or (chars and chars[-1] == "\n")
            char = "\n" if blank else " "
        else:
            char = _fold_char(char)
        if char:
            chars.append(char)
            offsets.append(at)
    offsets.append(len(text))
    return Folded(text, "".join(chars), tuple(offsets))
