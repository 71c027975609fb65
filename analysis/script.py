"""Which writing system a text is in: Thai share of letters and the th / en / mixed verdict."""

from __future__ import annotations

THAI_BLOCK = ("\u0e00", "\u0e7f")
# Vowel signs and tone marks written above or below a letter; they never begin a syllable.
THAI_MARKS = frozenset("\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a"
                       "\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e")


def is_thai(char: str) -> bool:
    """True for a character of the Thai Unicode block."""
    return THAI_BLOCK[0] <= char <= THAI_BLOCK[1]


def thai_share(text: str) -> float:
    """Share of Thai characters among the letters and marks of ``text`` (0.0 when it has none)."""
    thai = other = 0
    for char in text:
        if is_thai(char):
            thai += 1
        elif char.isalpha():
            other += 1
    total = thai + other
    return thai / total if total else 0.0


def language_of(text: str, *, thai_above: float = 0.9, thai_below: float = 0.1) -> str:
    """``th`` when nearly all letters are Thai, ``en`` when nearly none are, else ``mixed``."""
    share = thai_share(text)
    if share >= thai_above:
        return "th"
    if share <= thai_below:
        return "en"
    return "mixed"
