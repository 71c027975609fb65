"""Which writing system a text is in: Thai share of letters and the th / en / mixed verdict."""

from __future__ import annotations

THAI_BLOCK = ("\u0e00", "\u0e7f")
# Vowel signs and tone marks written above or below a letter; they never begin a syllable.
THAI_MARKS = frozenset("\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a"
                       "\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e")


def is_thai(char: str) -> bool:
    """True for a character of the Thai Unicode block."""
    return THAI_BLOCK[0] <= char <= THAI_BLOCK[1]


_DROP_THAI = dict.fromkeys(range(0x0E00, 0x0E80))


def thai_share(text: str) -> float:
    """Share of Thai characters among the letters and marks of ``text`` (0.0 when it has none)."""
    if text.isascii():
        return 0.0
    rest = text.translate(_DROP_THAI)
    thai = len(text) - len(rest)
    other = sum(1 for c in rest if c.isalpha())
    return thai / (thai + other) if thai + other else 0.0


def language_of(text: str, *, thai_above: float = 0.9, thai_below: float = 0.1) -> str:
    """``th`` when nearly all letters are Thai, ``en`` when nearly none are, else ``mixed``."""
    share = thai_share(text)
    if share >= thai_above:
        return "th"
    if share <= thai_below:
        return "en"
    return "mixed"
