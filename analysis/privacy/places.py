"""Places: Thai provinces, districts and sub-districts (Thai and English names, from pythainlp and
``geothai``) and the study's own list of names and places."""

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


# A vehicle plate ("กข 1234", "2ขท 4471") is followed by its province: there even "ตาก" is a place.
_AFTER_PLATE = re.compile(r"(?:^|[^\u0e01-\u0e4e\w])\d?[ก-ฮ]{1,3}[ \-]?\d{1,4}\s*$")


def province_hits(text: str, edges: set[int], keep: set[str], *,
                  tokens: dict[int, str] | None = None) -> list[Hit]:
    """Provinces, Thai names on word edges. One that is also an everyday word ("ตาก", "เลย") is a place
    after จังหวัด/จ. or a vehicle plate; elsewhere (``tokens`` given: high recall) a 0.3 guess unless it
    makes a word with the token next to it ("ตากผ้า")."""
    hits = []
    ends = {p + len(t): t for p, t in (tokens or {}).items()}
    for name, english in provinces().items():
        if english in keep or name in keep:
            continue
        for match in re.finditer(word_pattern(name), text):
            start, end = match.span()
            if not name.isascii():
                if start not in edges or end not in edges:
                    continue
                before = text[max(0, start - 12):start]
                if name in AMBIGUOUS_PROVINCES and not re.search(r"(จังหวัด|จ\.)\s?$", before) \
                        and not _AFTER_PLATE.search(before):
                    if tokens is not None and _maybe_place(name, ends.get(start, ""), tokens.get(end, "")):
                        hits.append(Hit(start, end, name, "place", 0.3, "province name that is also a word"))
                    continue
            hits.append(Hit(start, end, name, "place"))
    return hits


# Words after which a province that is also a particle ("เลย") may be the province: "ไปเลย" is "go to
# Loei" as often as "just go"; "ดีเลย" never is.
_TO_PLACE = frozenset({"ไป", "มา", "จาก", "อยู่", "ที่", "ถึง", "แถว", "เมือง", "บ้าน", "กลับ", "ย้าย"})


def _maybe_place(name: str, before: str, after: str) -> bool:
    """Whether a province that is also a word may be the province here: it makes no word with its
    neighbours ("ตากผ้า"), and a function word ("เลย") only after a word of going or being somewhere."""
    from analysis.privacy.vocabulary import thai_dictionary, thai_stopwords

    if (after and name + after in thai_dictionary()) or (before and before + name in thai_dictionary()):
        return False
    return name not in thai_stopwords() or before in _TO_PLACE


@lru_cache(maxsize=1)
def _same_place() -> dict[str, frozenset[str]]:
    """Every province and district name → all its names, Thai and English ("Mae Sai" → แม่สาย)."""
    import geothai

    groups: dict[str, set[str]] = {}
    places = [(p.name_th, p.name_en) for p in geothai.provinces()]
    for province in geothai.provinces():
        for district in geothai.districts(province.code):
            places.append((_bare(district.name_th), district.name_en))
    for thai, english in places + [(th, en) for th, en in provinces().items() if not th.isascii()]:
        group = groups.setdefault(english, {english, english.replace(" ", "")})
        group.add(thai)
        groups[thai] = group
    return {name: frozenset(group) for name, group in groups.items()}


def kept_names(keep_places: tuple[str, ...] | set[str]) -> set[str]:
    """The study's kept places in every language and spelling the lists know."""
    kept = set(keep_places)
    for place in keep_places:
        kept |= _same_place().get(place, frozenset()) | {provinces().get(place, place)}
    return kept


DISTRICT_MARKERS = r"(?:อำเภอ|อ\.|ตำบล|ต\.|เขต|แขวง|กิ่งอำเภอ)"
_ENGLISH_MARKER = r"(?i:district|sub-?district|amphoe|amphur|tambon|khet|khwaeng)"
# After อำเภอ/ตำบล/แขวง a place is named even when it is not in the list (a new or misspelt one).
_OPEN_MARKERS = ("อำเภอ", "ตำบล", "แขวง", "กิ่งอำเภอ")


def _bare(name: str) -> str:
    """"เขตดุสิต" → "ดุสิต", "แขวงบางรัก" → "บางรัก": Bangkok's names carry their marker."""
    return re.sub(r"^(?:เขต|แขวง)", "", name)


@lru_cache(maxsize=1)
def districts() -> frozenset[str]:
    """Every district and sub-district name (Thai without its เขต/แขวง, and English)."""
    import geothai

    names = set()
    for province in geothai.provinces():
        for district in geothai.districts(province.code):
            for place in (district, *geothai.subdistricts(district.code)):
                names |= {_bare(place.name_th), place.name_en}
    return frozenset(n for n in names if len(n) >= 2)


@lru_cache(maxsize=2)
def _alternation(script: str) -> re.Pattern:
    """One pattern of every district name of a script, longest first."""
    names = sorted((n for n in districts() if n.isascii() == (script == "latin")), key=len, reverse=True)
    return re.compile("|".join(re.escape(n) for n in names))


def _on_edges(start: int, end: int, edges: set[int]) -> bool:
    return start in edges and end in edges


def district_hits(text: str, edges: set[int], keep: set[str], *, high_recall: bool = True) -> list[Hit]:
    """Districts and sub-districts: after a marker (อำเภอ, ต., เขต, "district", "tambon"…) with full
    confidence; alone (not an everyday word) at 0.7 when ``high_recall``."""
    from analysis.privacy.vocabulary import english_word, thai_dictionary

    hits = []
    for match in re.finditer(rf"(?P<marker>{DISTRICT_MARKERS})\s?", text):
        hits += _after_marker(text, match.end(), match.group("marker"), edges)
    for match in _alternation("latin").finditer(text):
        start, end = match.span()
        if not _latin_whole(text, start, end):
            continue
        marked = (re.search(rf"{_ENGLISH_MARKER}\s+$", text[max(0, start - 14):start])
                  or re.match(rf"\s+{_ENGLISH_MARKER}\b", text[end:end + 14]))
        if marked:
            hits.append(Hit(start, end, match.group(), "place", 1.0, "district"))
        elif high_recall and not any(english_word(w, at_least=1) for w in match.group().split()):
            hits.append(Hit(start, end, match.group(), "place", 0.7, "district name"))
    if high_recall:
        for match in _alternation("thai").finditer(text):
            start, end = match.span()
            if _on_edges(start, end, edges) and match.group() not in thai_dictionary() and end - start >= 4:
                hits.append(Hit(start, end, match.group(), "place", 0.7, "district name"))
    return [h for h in hits if h.text not in keep]


def _latin_whole(text: str, start: int, end: int) -> bool:
    """A Latin name as a whole word that starts with a capital."""
    before, after = text[start - 1:start], text[end:end + 1]
    return text[start].isupper() and not (before.isalnum() and before.isascii()) and not (
            after.isalnum() and after.isascii())


def _after_marker(text: str, at: int, marker: str, edges: set[int]) -> list[Hit]:
    """The district named right after a Thai marker: the longest listed name, or (after อำเภอ, ตำบล,
    แขวง) the next word when none is listed."""
    match = _alternation("thai").match(text, at)
    run = re.match(r"[\u0e00-\u0e7f]+", text[at:at + 30])
    longer = _words_from(text, at, at + run.end(), edges) if run and marker in _OPEN_MARKERS else at
    if match and match.end() in edges | {len(text)} and match.end() >= longer:
        return [Hit(at, match.end(), match.group(), "place", 1.0, "district")]
    latin = re.match(r"[A-Z][a-z]+(?: [A-Z][a-z]+)?", text[at:at + 40])
    if latin and marker in _OPEN_MARKERS:
        return [Hit(at, at + latin.end(), latin.group(), "place", 0.9, "district")]
    if longer - at < 2:
        return []
    sure = 0.9 if match and match.end() in edges else 0.6  # a listed name and more: "บ้านโคก|กระเจียว"
    return [Hit(at, longer, text[at:longer], "place", sure, "after a district marker")]


def _words_from(text: str, at: int, stop: int, edges: set[int], *, most: int = 4) -> int:
    """End of up to ``most`` words from ``at`` (word edges from the tokenizer), before ``stop`` or the
    first function word."""
    from analysis.privacy.vocabulary import thai_stopwords

    cuts = sorted(e for e in edges if at < e <= stop) or [stop]
    end = at
    for cut in cuts[:most]:
        if text[end:cut] in thai_stopwords():
            break
        end = cut
    return end


def custom_hits(text: str, custom: dict[str, str]) -> list[Hit]:
    hits = []
    for name in custom:
        flags = re.I if name.isascii() else 0
        found = re.finditer(word_pattern(name), text, flags)
        hits += [Hit(m.start(), m.end(), m.group(), "custom") for m in found]
    return hits
