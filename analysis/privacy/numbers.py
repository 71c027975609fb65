"""Numbers about a person: Thai national ID numbers (with their check digit) and phone numbers."""

from __future__ import annotations

import re

from analysis.privacy.hits import THAI_DIGITS, Hit

_SEP = r"[ \t\-\.]?"
_BEFORE, _AFTER = r"(?<![A-Za-z\d+/])", r"(?![A-Za-z\d])"  # not inside a longer number or a code
_PATTERNS = {
    "id_card": re.compile(rf"{_BEFORE}\d(?:[ \-]?\d){{12}}{_AFTER}"),
    "phone": re.compile(
        rf"{_BEFORE}(?:(?:\+|00)66{_SEP}\(?0?\)?|0)(?:[689](?:{_SEP}\d){{8}}|[2-7](?:{_SEP}\d){{7}}){_AFTER}"
        rf"|{_BEFORE}(?:\+|00)(?!66)\d{{1,3}}(?:{_SEP}\d){{6,12}}{_AFTER}"),
}


def thai_id_valid(digits: str) -> bool:
    """True for 13 digits whose last is the Thai national ID check digit."""
    if len(digits) != 13 or not digits.isdigit():
        return False
    total = sum(int(d) * (13 - i) for i, d in enumerate(digits[:12]))
    return (11 - total % 11) % 10 == int(digits[12])


def _grouped(number: str) -> bool:
    """Written as numbers are (at most four separators), not digits spaced out one by one in a table."""
    return len(re.findall(r"[ \t\-.]", number)) <= 4


def find_numbers(text: str) -> list[Hit]:
    """ID numbers and phones in ``text`` (Thai digits count as digits)."""
    ascii_text = text.translate(THAI_DIGITS)
    hits = []  # ID numbers first: on a tie of length they win over phones ("00…" pink-card numbers)
    for match in _PATTERNS["id_card"].finditer(ascii_text):
        if _grouped(match.group()) and thai_id_valid(re.sub(r"\D", "", match.group())):
            hits.append(Hit(match.start(), match.end(), text[match.start():match.end()], "id_card"))
    for match in _PATTERNS["phone"].finditer(ascii_text):
        if _grouped(match.group()):
            hits.append(Hit(match.start(), match.end(), text[match.start():match.end()], "phone"))
    return hits
