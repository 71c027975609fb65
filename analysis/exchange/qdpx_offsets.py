"""Which unit a REFI-QDA project counts its text offsets in, and offsets after normalising.

The standard says code points; NVivo writes UTF-16 code units and may count a BOM. Every plausible
reading is tried and the one whose selections start and end on word boundaries most often wins
(ties: code points, the standard).
"""

from __future__ import annotations

import unicodedata

from analysis.text.normalise import ZERO_WIDTH, normalise

CODE_POINTS = "code points"
UTF16 = "UTF-16 units"
_ZERO_WIDTH_SET = set(ZERO_WIDTH)


def _word_char(char: str) -> bool:
    return char.isalnum() or unicodedata.category(char).startswith("M")


def _on_boundary(text: str, i: int) -> bool:
    return i <= 0 or i >= len(text) or not (_word_char(text[i - 1]) and _word_char(text[i]))


def _utf16_index(text: str) -> dict[int, int]:
    """UTF-16 offset -> code-point offset, for every offset that is not inside a surrogate pair."""
    index, units = {}, 0
    for i, char in enumerate(text):
        index[units] = i
        units += 2 if ord(char) > 0xFFFF else 1
    index[units] = len(text)
    return index


def _readings(text: str, has_bom: bool, spans: list[tuple[int, int]]):
    """Each plausible reading: (unit, BOM counted, code-point spans or None when out of range)."""
    utf16 = _utf16_index(text)
    for bom in (False, True) if has_bom else (False,):
        for unit in (CODE_POINTS, UTF16):
            mapped = []
            for start, end in spans:
                start, end = start - bom, end - bom
                if unit == UTF16:
                    start, end = utf16.get(start, -1), utf16.get(end, -1)
                mapped.append((start, end) if 0 <= start < end <= len(text) else None)
            yield unit, bom, mapped


def choose_reading(text: str, has_bom: bool, spans: list[tuple[int, int]]) -> tuple[str, list]:
    """The offset unit whose selections land on word boundaries most often, and the spans read so.

    Raises ``ValueError`` (with the first bad span's index) when no reading keeps every span
    inside the text.
    """
    best = None
    for order, (unit, _, mapped) in enumerate(_readings(text, has_bom, spans)):
        if any(m is None for m in mapped):
            continue
        score = sum(_on_boundary(text, s) + _on_boundary(text, e) for s, e in mapped)
        if best is None or score > best[0]:
            best = (score, order, unit, mapped)
    if best is None:
        _, _, mapped = next(_readings(text, has_bom, spans))
        raise ValueError(next(i for i, m in enumerate(mapped) if m is None))
    return best[2], best[3]


def normalised_with_map(text: str) -> tuple[str, list[int] | None]:
    """``normalise(text)`` and, when only characters were removed (CR, zero-width), a map from
    each offset of ``text`` to the offset in the result; ``None`` when other changes happened."""
    kept, index, out = [], [], 0
    for i, char in enumerate(text):
        index.append(out)
        if char in _ZERO_WIDTH_SET or (char == "\r" and text[i + 1: i + 2] == "\n"):
            continue
        kept.append("\n" if char == "\r" else char)
        out += 1
    index.append(out)
    simple = "".join(kept)
    result = normalise(text)
    return result, index if normalise(simple) == simple == result else None


def map_offset(text: str, index: list[int] | None, offset: int) -> int:
    if index is not None:
        return index[offset]
    return len(normalise(text[:offset]))

