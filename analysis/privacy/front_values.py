"""Identifiers in front-matter values: ``interviewer: Jane Porter`` names a person by its place alone.

The finder runs on a file's whole text; in the ``---`` … ``---`` block at its start, the value of a
key that is neither the transcript schema's (``id``, ``language``…) nor a category attribute
(``site``, ``group``, ``nationality``…) is a name when it is one to three words of letters that are
not all ordinary words (``migrant`` and ``none`` are words), or whatever it is when the key says
``name``. A value that is a province or a district is a place, under a key that is not a category or
is a place's (``site: ตาก``; not ``nationality: Lao``).
Numbers, e-mails and social ids in values are found by the finders of the body.
"""

from __future__ import annotations

import re

from analysis.privacy.hits import Hit
from analysis.text.corpus import RESERVED

SCHEMA = frozenset(RESERVED)
CATEGORIES = frozenset({"site", "group", "nationality", "age_band", "age", "gender", "sex", "occupation",
                        "province", "region", "country", "ethnicity", "status", "sector", "mode", "setting"})
PLACE_KEYS = frozenset({"site", "province", "region", "district", "city", "town", "village", "place"})
_HEAD = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*(?:\n|\Z)", re.S)
_LINE = re.compile(r"""^(?P<key>"[^"]*"|'[^']*'|[^\s#:'"-][^:#]*?)\s*:[ \t]*(?P<value>.*?)[ \t]*$""", re.M)
_LETTERS = r"[A-Za-z\u00c0-\u024f\u0e01-\u0e4e]+"
_WORDS = re.compile(rf"{_LETTERS}(?:[ '’\-.]{_LETTERS}){{0,2}}")


def front_matter_hits(text: str, tokens: dict[int, str], keep: set[str] = frozenset()) -> list[Hit]:
    """Names and places that front-matter values are, at 0.9 (see the module docstring); the study's
    kept places (``keep``) are left."""
    head = _HEAD.match(text)
    if not head:
        return []
    hits = []
    for line in _LINE.finditer(text, head.start(1), head.end(1)):
        key, value = line.group("key").strip("\"'").lower(), line.group("value").strip("\"'")
        if key in SCHEMA or not value or value in keep:
            continue
        start = text.index(value, line.start("value"))
        hit = _value_hit(value, start, key, tokens)
        if hit:
            hits.append(hit)
    return hits


def _value_hit(value: str, start: int, key: str, tokens: dict[int, str]) -> Hit | None:
    """The hit a value is, or None."""
    from analysis.privacy.places import districts, provinces

    end = start + len(value)
    if key in CATEGORIES - PLACE_KEYS or not _WORDS.fullmatch(value):
        return None
    if "name" in key:
        return Hit(start, end, value, "name", 0.9, f"front-matter {key}")
    if value in provinces() or value in districts():
        return Hit(start, end, value, "place", 0.9, "front-matter place")
    if key not in CATEGORIES and not all(_ordinary(word, at, tokens) for word, at in _words(value, start)):
        return Hit(start, end, value, "name", 0.9, f"front-matter {key}")
    return None


def _words(value: str, start: int) -> list[tuple[str, int]]:
    return [(m.group(), start + m.start()) for m in re.finditer(r"\S+", value)]


def _ordinary(word: str, at: int, tokens: dict[int, str]) -> bool:
    """Whether a word of a value is an ordinary word: a common English word, or Thai in the dictionary
    or holding a function word ("สัมภาษณ์ที่ร้านกาแฟ" is a note, not a name)."""
    from analysis.privacy.vocabulary import english_word, thai_dictionary, thai_stopwords

    if word.isascii():
        return english_word(word)
    pieces = [t for p, t in tokens.items() if at <= p < at + len(word)]
    return word in thai_dictionary() or any(p in thai_stopwords() for p in pieces)
