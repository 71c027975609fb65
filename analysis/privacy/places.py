"""Places: Thai provinces (Thai and English names) and the study's own list of names and places."""

from __future__ import annotations

import re
from functools import lru_cache

from analysis.privacy.hits import Hit, word_pattern

# Provinces whose names are also everyday words: only with "จังหวัด" / "จ." before them.
AMBIGUOUS_PROVINCES = frozenset({"เลย", "ตาก", "น่าน", "แพร่", "ตราด", "ลำปาง"})

@lru_cache(maxsize=1)
def provinces() -> dict[str, str]:
    """Every province name (Thai and English, and common short forms) → its English name."""
    from pythainlp.corpus import provinces as bundled

    found = {}
    for row in bundled(details=True):
        english = row["name_en"]
        found[row["name_th"]] = found[english] = found[english.replace(" ", "")] = english
    found.update({"กรุงเทพฯ": "Bangkok", "กรุงเทพ": "Bangkok", "กทม.": "Bangkok", "Phang Nga": "Phangnga",
                  "Ayutthaya": "Phra Nakhon Si Ayutthaya", "Korat": "Nakhon Ratchasima"})
    return found


def province_hits(text: str, edges: set[int], keep: set[str]) -> list[Hit]:
    hits = []
    for name, english in provinces().items():
        if english in keep or name in keep:
            continue
        for match in re.finditer(word_pattern(name), text):
            start, end = match.span()
            if not name.isascii():
                if start not in edges or end not in edges:
                    continue
                before = text[max(0, start - 8):start]
                if name in AMBIGUOUS_PROVINCES and not re.search(r"(จังหวัด|จ\.)\s?$", before):
                    continue
            hits.append(Hit(start, end, name, "place"))
    return hits


def custom_hits(text: str, custom: dict[str, str]) -> list[Hit]:
    hits = []
    for name in custom:
        flags = re.I if name.isascii() else 0
        found = re.finditer(word_pattern(name), text, flags)
        hits += [Hit(m.start(), m.end(), m.group(), "custom") for m in found]
    return hits
