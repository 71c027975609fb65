"""Names of people: after Thai titles, kin terms and naming phrases, after English titles and
"my name is"; and a name found once, everywhere else in the same text."""

from __future__ import annotations

import re
from functools import lru_cache

from analysis.privacy.hits import Hit, word_pattern
from analysis.privacy.places import provinces

THAI_TITLES = ("นางสาว", "น.ส.", "นาย", "นาง", "คุณ", "พี่", "น้อง", "ป้า", "ลุง", "แม่", "ยาย", "เจ๊",
               "ทนาย", "หมอ", "ครู", "จ่า", "ดาบ", "สารวัตร", "ผู้กอง")
NOT_NAMES = frozenset({"Thai", "Burmese", "Lao", "Shan", "Cambodian", "Khmer", "Myanmar", "Karen", "Hmong",
                       "Akha", "Lahu", "Not", "Here", "There", "Sorry", "Very", "Just", "Still", "So", "Now",
                       "The", "A", "An", "In", "At", "From", "Afraid", "Sure", "Fine", "Okay", "Ok"})
_ENGLISH_NAME = re.compile(
        r"\b(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?|(?i:my name is|call me|named|I am|I'm|called))\s+"
        r"([A-Z][a-z]+(?:[ \-][A-Z][a-z]+)?)")


@lru_cache(maxsize=1)
def thai_names() -> frozenset[str]:
    """Given and family names bundled with pythainlp (offline), two letters or longer."""
    from pythainlp.corpus import thai_family_names, thai_female_names, thai_male_names

    names = set(thai_female_names()) | set(thai_male_names()) | set(thai_family_names())
    return frozenset(n for n in names if len(n) >= 2)


@lru_cache(maxsize=1)
def thai_words() -> frozenset[str]:
    """pythainlp's bundled Thai dictionary."""
    from pythainlp.corpus import thai_words as bundled

    return frozenset(bundled())


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from pythainlp.corpus import thai_stopwords

    return frozenset(thai_stopwords()) | {"ชื่อ", "เรียก", "จริง", "เล่น", "แก", "เขา", "เธอ", "หนู", "ฉัน"}


NAMED_THINGS = frozenset({"ร้าน", "โรงแรม", "บาร์", "บริษัท", "มูลนิธิ", "หมู่บ้าน", "ถนน", "ซอย", "จังหวัด",
                          "อำเภอ", "เพื่อน", "ตัวเอง", "ใคร", "อะไร", "เต็ม", "จริง", "เล่น", "ใน", "บน",
                          "คน", "ตำรวจ", "เจ้าหน้าที่", "ลูกค้า", "ปลอม", "ใหม่", "เดิม"})
FORMAL_TITLES = ("นางสาว", "น.ส.", "นาย", "นาง", "คุณ")
NAMING = r"(?:ชื่อจริง|ชื่อเล่น|ชื่อ|เรียก)(?:ว่า|คือ|แกคือ|เขาคือ|ของแกคือ|ของเขาคือ)?"
_THAI_RUN = re.compile(r"[\u0e00-\u0e7f]+")


def _longest_at(text: str, at: int, words: frozenset[str] | dict, edges: set[int], longest: int) -> int:
    """End of the longest word of ``words`` starting at ``at`` and ending on a word boundary, or -1."""
    for end in range(min(len(text), at + longest), at + 1, -1):
        if end in edges and text[at:end] in words:
            return end
    return -1


def _name_tokens(text: str, at: int, tokens: dict[int, str], *, most: int = 2) -> int:
    """End of up to ``most`` Thai tokens from ``at`` that are not function words, or -1."""
    end, taken = at, 0
    while (taken < most and end in tokens and _THAI_RUN.fullmatch(tokens[end])
           and tokens[end] not in _stopwords()):
        end, taken = end + len(tokens[end]), taken + 1
    return end if taken and end - at >= 2 else -1


def _name_at(text: str, at: int, tokens: dict[int, str], *, open_class: bool) -> int:
    """End of the name starting at ``at``: a listed name, a Latin name, or (``open_class``) any word."""
    latin = re.match(r"[A-Z][a-z]+", text[at:at + 30])
    if latin:
        return at + latin.end()
    edges = set(tokens) | {p + len(t) for p, t in tokens.items()} | {at}
    end = _longest_at(text, at, thai_names(), edges, 20)
    if end > 0 and text[at:end] not in _stopwords():
        return end
    if open_class:
        return _name_tokens(text, at, tokens)
    end = _name_tokens(text, at, tokens, most=1)  # after a kin term: an unknown word is most likely a name
    if end > 0 and text[at:end] not in thai_words():
        return end
    return _repeated_after_kin(text, at, tokens)


def _repeated_after_kin(text: str, at: int, tokens: dict[int, str]) -> int:
    """A word after a kin term that comes back after a kin term ("น้องขวัญ" twice) is taken for a
    nickname, even when it is also an ordinary word. The price: "พี่ทำ…" said twice is flagged too,
    which the reviewer clears (about one such hit per interview on the demo)."""
    end = _name_tokens(text, at, tokens, most=2)
    if end < 0:
        return -1
    word = text[at:end]
    kin = "|".join(re.escape(t) for t in THAI_TITLES)
    return end if len(re.findall(rf"(?:{kin}){re.escape(word)}", text)) >= 2 else -1


def _with_surname(text: str, end: int, tokens: dict[int, str]) -> int:
    """Extend a name over " <family name>" when one follows."""
    if text[end:end + 1] == " " and (end + 1) in tokens:
        edges = set(tokens) | {p + len(t) for p, t in tokens.items()}
        family = _longest_at(text, end + 1, thai_names(), edges, 25)
        if family > 0:
            return family
    return end


def thai_names_in(text: str, tokens: dict[int, str]) -> tuple[list[Hit], set[str]]:
    """Names after a naming phrase ("ชื่อ…", "เรียก…"), a formal title or a kin term used as one;
    and the names that were introduced as names (safe to look for everywhere, however short)."""
    titles = "|".join(re.escape(t) for t in sorted(THAI_TITLES, key=len, reverse=True))
    edges = set(tokens) | {p + len(t) for p, t in tokens.items()}
    hits, named = [], set()
    for match in re.finditer(rf"(?:(?P<naming>{NAMING})\s?)?(?P<title>{titles})?\s?", text):
        naming, title = match.group("naming"), match.group("title")
        if not match.group() or (naming is None and title is None):
            continue
        if naming and naming.startswith("เรียก") and title is None:
            continue  # "เรียกเงิน" asks for money; "เรียกพี่นก" names someone
        if match.start() not in edges:
            continue  # "ขอบคุณ" (thank you) holds คุณ, but not as a title
        at, title = match.end(), match.group("title") or ""
        if tokens.get(at) in NAMED_THINGS:
            continue  # "ชื่อร้าน": the name of a bar, found by the study's list instead
        open_class = match.group("naming") is not None or title in FORMAL_TITLES
        end = _name_at(text, at, tokens, open_class=open_class)
        if end < 0 or (not match.group("naming") and text[match.start():end] in thai_words()):
            continue  # "แม่น้ำ" is a word, not แม่ + a name
        end = _with_surname(text, end, tokens)
        hits.append(Hit(at, end, text[at:end], "name"))
        if open_class:
            named.add(text[at:end])
    return hits, named


def everywhere(text: str, hits: list[Hit], named: set[str], tokens: dict[int, str]) -> list[Hit]:
    """Other occurrences of a name or id found once (people are named without a title, too):
    names introduced as names, social ids, and other names that are not ordinary words."""
    edges = set(tokens) | {p + len(t) for p, t in tokens.items()}
    more = []
    found = {(h.text, h.kind) for h in hits if h.kind == "social" or (h.kind == "name" and (
        h.text in named or (len(h.text) >= 3 and h.text not in thai_words())))}
    for value, kind in found:
        for match in re.finditer(word_pattern(value), text):
            if value.isascii() or (match.start() in edges and match.end() in edges):
                more.append(Hit(match.start(), match.end(), value, kind))
    return more


def english_names(text: str) -> list[Hit]:
    """Latin names after Mr/Ms/Dr…, "my name is", "call me"."""
    hits = []
    for match in _ENGLISH_NAME.finditer(text):
        name = match.group(1)
        if name.split()[0] not in NOT_NAMES and name not in provinces():
            hits.append(Hit(match.start(1), match.end(1), name, "name"))
    return hits
